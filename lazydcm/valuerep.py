"""pydicom's ``valuerep`` module face: the value classes of the text VRs.

Re-exports of :mod:`lazydcm.model.values` (no second implementation):

``PersonName`` (also under its 1.x names ``PersonNameUnicode`` and ``PersonName3``)
    components (``family_name``, ``given_name``, ``middle_name``, ``name_prefix``,
    ``name_suffix``), the ``alphabetic``/``ideographic``/``phonetic`` groups, ``components``,
    ``from_named_components``, ``family_comma_given``, ``formatted``, ``encode``, construction
    from ``bytes`` with ``encodings``, iteration over characters; a trailing ``=`` does not
    change equality (PS3.5 6.2.1).
``DA``, ``TM``, ``DT``
    the stored text (``str``) usable as ``datetime.date``/``time``/``datetime`` (``.year``,
    ``.hour``, comparisons with ``datetime`` values, ``timedelta`` arithmetic); ``original_string``
    is the exact text, which is what is written back. Unlike pydicom's, they are not
    ``datetime`` instances, so that range values and damaged text stay readable.
``DS`` (= ``DSfloat``), ``DSdecimal``, ``IS``
    numbers that keep ``original_string`` and compare equal to their text (pydicom 3);
    ``DS(None)``/``IS(None)`` give None and blank text is returned as is; ``repr`` is the quoted
    text.
``MultiValue``
    the list a multi-valued element decodes to; it checks what is put in it against its VR.
``VR``
    the 34 value representations (PS3.5 Table 6.2-1).
"""

from __future__ import annotations

from lazydcm.model._numbers import _DS_PATTERN, DSdecimal, DSfloat, format_ds
from lazydcm.model.values import (
    AS,
    DA,
    DS,
    DT,
    IS,
    TM,
    MultiValue,
    PersonName,
    empty_value_for_VR,
)
from lazydcm.model.vr import VR

__all__ = [
    "AS",
    "DA",
    "DS",
    "DSdecimal",
    "DSfloat",
    "DT",
    "IS",
    "TM",
    "VR",
    "MultiValue",
    "PersonName",
    "PersonName3",
    "PersonNameUnicode",
    "empty_value_for_VR",
    "format_number_as_ds",
    "is_valid_ds",
]

#: pydicom 1.x names of PersonName.
PersonNameUnicode = PersonName
PersonName3 = PersonName


def is_valid_ds(s: str) -> bool:
    """True when ``s`` is a PS3.5 6.2 decimal string of at most 16 characters."""
    return isinstance(s, str) and len(s) <= 16 and _DS_PATTERN.match(s) is not None


def format_number_as_ds(val: float) -> str:
    """``val`` written in at most 16 characters, a valid DS (``ValueError`` for NaN/inf)."""
    return format_ds(val)

"""pydicom's ``dataelem`` module as a face: ``DataElement`` and ``RawDataElement``.

``DataElement`` is :class:`lazydcm.model.element.DataElement`. ``RawDataElement`` is pydicom's
named tuple of an element's undecoded parts; lazydcm's reader never makes one (its elements
keep a scan record and decode on first access), but code that builds raw elements can turn
them into ``DataElement`` objects with :func:`convert_raw_data_element`, which decodes through
the same value decoders as the reader.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from lazydcm.model import dictionary
from lazydcm.model.charset import Charset
from lazydcm.model.element import DataElement
from lazydcm.model.values import decode_value

__all__ = ["DataElement", "DataElement_from_raw", "RawDataElement", "convert_raw_data_element"]


class RawDataElement(NamedTuple):
    """An element's undecoded parts: ``value`` is the value field's bytes as stored."""

    tag: int
    VR: str | None
    length: int
    value: bytes | None
    value_tell: int
    is_implicit_VR: bool  # noqa: N815 - pydicom's spelling
    is_little_endian: bool
    is_raw: bool = True
    is_undefined_length: bool = False


def convert_raw_data_element(
    raw: RawDataElement, encoding: str | list[str] | None = None, ds: Any = None
) -> DataElement:
    """Decode ``raw`` into a ``DataElement``.

    The VR is ``raw.VR`` or, when None (implicit VR), the dictionary's (``UN`` for tags it does
    not know). Text VRs decode with ``encoding`` (Specific Character Set terms), else the
    charset of ``ds``, else the default repertoire. Raises ``InvalidDicomError`` (with
    ``raw.value_tell`` as offset) when the bytes do not decode under the VR.
    """
    vr = raw.VR or dictionary.vr_for(raw.tag)
    if vr in ("NONE", ""):
        vr = "UN"
    if " or " in vr:  # ambiguous VR without the dataset to resolve it: the first choice
        vr = vr.split(" or ")[0]
    if encoding is not None:
        charset = Charset.from_specific_character_set(encoding)
    elif ds is not None:
        charset = ds._get_charset()
    else:
        charset = Charset.from_specific_character_set(None)
    data = memoryview(raw.value or b"")
    value = decode_value(
        vr,
        data,
        little_endian=raw.is_little_endian,
        charset=charset,
        tag=raw.tag,
        offset=raw.value_tell,
    )
    return DataElement(raw.tag, vr, value)


#: pydicom 1.x's name for :func:`convert_raw_data_element`.
DataElement_from_raw = convert_raw_data_element

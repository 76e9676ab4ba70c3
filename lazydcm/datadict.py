"""pydicom's ``datadict`` module face: look up the data dictionaries by tag or keyword.

Lookups take an optional ``dictionary`` (a :class:`~lazydcm.model.registry.DataDictionary`
holding run-time additions); without it they use the built-in dictionaries: PS3.6 (generated in
``lazydcm.model._dictionary``) and DCMTK's private dictionary (``_private_dictionary``).

Run-time additions are explicit. pydicom's ``add_dict_entries(...)`` mutates a global; here::

    from lazydcm.datadict import DataDictionary, add_private_dict_entries, private_dictionary_VR
    extra = DataDictionary()                      # owned by the caller, no global state
    add_private_dict_entries("ACME 3.1", {0x10011001: ("UL", "1", "Test One", "")}, extra)
    private_dictionary_VR(0x10011001, "ACME 3.1", dictionary=extra)   # -> "UL"
    ds = extra.attach(lazydcm.dcmread(path))      # elements of ds not yet read use them

Calling an ``add_*`` function without a ``DataDictionary`` raises ``TypeError`` saying so, rather
than silently changing nothing. Functions named ``dictionary_*`` raise ``KeyError`` for a tag the
dictionary does not define (as pydicom's do); ``keyword_for_tag`` returns ``""`` and
``tag_for_keyword`` returns ``None`` instead.
"""

from __future__ import annotations

from typing import Any

from lazydcm.model import dictionary as _dict
from lazydcm.model.dictionary import DictEntry
from lazydcm.model.registry import DataDictionary
from lazydcm.model.tag import Tag

__all__ = [
    "DataDictionary",
    "add_dict_entries",
    "add_dict_entry",
    "add_private_dict_entries",
    "add_private_dict_entry",
    "dictionary_VM",
    "dictionary_VR",
    "dictionary_description",
    "dictionary_has_tag",
    "dictionary_is_retired",
    "dictionary_keyword",
    "get_entry",
    "get_private_entry",
    "keyword_for_tag",
    "mask_match",
    "private_dictionary_VM",
    "private_dictionary_VR",
    "private_dictionary_description",
    "repeater_has_keyword",
    "repeater_has_tag",
    "tag_for_keyword",
]

_MISSING = (
    "lazydcm keeps no global dictionary: pass a DataDictionary, e.g. "
    "extra = DataDictionary(); {name}(..., extra); then use dictionary=extra in lookups or "
    "extra.attach(ds) (see lazydcm.datadict)"
)


def _entry(tag: Any, dictionary: DataDictionary | None) -> DictEntry:
    number = int(Tag(tag))
    entry = dictionary.entry_for(number) if dictionary is not None else _dict.entry_for(number)
    if entry is None or (number >> 16 & 1 and number & 0xFFFF >= 0x1000):
        raise KeyError(f"Tag {Tag(number)!r} not found in the DICOM dictionary")
    return entry


def get_entry(tag: Any, *, dictionary: DataDictionary | None = None) -> tuple[Any, ...]:
    """``(VR, VM, name, is_retired, keyword)`` of ``tag`` (a repeating-group tag such as
    (6002,3000) matches its mask). Raises ``KeyError`` if the dictionary does not define it."""
    e = _entry(tag, dictionary)
    return (e.vr, e.vm, e.name, e.retired, e.keyword)


def dictionary_has_tag(tag: Any, *, dictionary: DataDictionary | None = None) -> bool:
    """True when ``tag`` is a standard (or added) element, repeating groups included."""
    try:
        _entry(tag, dictionary)
    except KeyError:
        return False
    return True


def dictionary_VR(tag: Any, *, dictionary: DataDictionary | None = None) -> str:
    """The VR of ``tag`` as PS3.6 writes it ("PN", "US or SS", ...). ``KeyError`` if unknown."""
    return _entry(tag, dictionary).vr


def dictionary_VM(tag: Any, *, dictionary: DataDictionary | None = None) -> str:
    """The VM of ``tag`` as PS3.6 writes it ("1", "1-n", ...). ``KeyError`` if unknown."""
    return _entry(tag, dictionary).vm


def dictionary_description(tag: Any, *, dictionary: DataDictionary | None = None) -> str:
    """The name of ``tag`` ("Patient's Name"). ``KeyError`` if unknown."""
    return _entry(tag, dictionary).name


def dictionary_is_retired(tag: Any, *, dictionary: DataDictionary | None = None) -> bool:
    """True when PS3.6 lists ``tag`` as retired. ``KeyError`` if unknown."""
    return _entry(tag, dictionary).retired


def dictionary_keyword(tag: Any, *, dictionary: DataDictionary | None = None) -> str:
    """The keyword of ``tag`` ("PatientName"). ``KeyError`` if unknown."""
    return _entry(tag, dictionary).keyword


def keyword_for_tag(tag: Any, *, dictionary: DataDictionary | None = None) -> str:
    """The keyword of ``tag``, or ``""`` when it has none (unknown, private, group length)."""
    try:
        return _entry(tag, dictionary).keyword
    except KeyError:
        return ""


def tag_for_keyword(keyword: str, *, dictionary: DataDictionary | None = None) -> int | None:
    """The tag of ``keyword`` as an int, or None (a repeating-group keyword gives its base
    tag, e.g. "OverlayData" -> 0x60003000)."""
    if dictionary is not None:
        return dictionary.tag_for_keyword(keyword)
    return _dict.tag_for_keyword(keyword)


def repeater_has_keyword(keyword: str) -> bool:
    """True when ``keyword`` belongs to a repeating-group element (PS3.5 7.6), e.g.
    "OverlayData" (60xx,3000)."""
    tag = _dict.tag_for_keyword(keyword)
    return tag is not None and _dict.is_repeating_group(tag)


def repeater_has_tag(tag: Any) -> bool:
    """True when ``tag`` is known only through a repeating-group mask such as (60xx,3000)."""
    return _dict.is_repeating_group(int(Tag(tag)))


def mask_match(tag: Any) -> str | None:
    """The keyword of the repeating-group mask ``tag`` matches, or None."""
    return keyword_for_tag(tag) or None if repeater_has_tag(tag) else None


def _private(tag: Any, private_creator: str, dictionary: DataDictionary | None) -> DictEntry:
    number = int(Tag(tag))
    if not number >> 16 & 1:
        raise ValueError(f"{Tag(number)!r} is not a private tag")
    # a bare element byte (0x10011001 from pydicom's "1001xx01" style) works in any block
    if number & 0xFFFF < 0x1000:
        number = (number & 0xFFFF0000) | 0x1000 | (number & 0xFF)
    if dictionary is not None:
        entry = dictionary.private_entry_for(number, private_creator)
    else:
        entry = _dict.private_entry_for(number, private_creator)
    if entry is None:
        raise KeyError(f"Tag {Tag(number)!r} not in the private dictionary of {private_creator!r}")
    return entry


def get_private_entry(
    tag: Any, private_creator: str, *, dictionary: DataDictionary | None = None
) -> tuple[Any, ...]:
    """``(VR, VM, name, is_retired)`` of a private element. ``KeyError`` if unknown;
    ``ValueError`` for a tag of an even group."""
    e = _private(tag, private_creator, dictionary)
    return (e.vr, e.vm, e.name, e.retired)


def private_dictionary_VR(
    tag: Any, private_creator: str, *, dictionary: DataDictionary | None = None
) -> str:
    """The VR of private element ``tag`` of ``private_creator``. ``KeyError`` if unknown."""
    return _private(tag, private_creator, dictionary).vr


def private_dictionary_VM(
    tag: Any, private_creator: str, *, dictionary: DataDictionary | None = None
) -> str:
    """The VM of private element ``tag`` of ``private_creator``. ``KeyError`` if unknown."""
    return _private(tag, private_creator, dictionary).vm


def private_dictionary_description(
    tag: Any, private_creator: str, *, dictionary: DataDictionary | None = None
) -> str:
    """The name of private element ``tag`` of ``private_creator``. ``KeyError`` if unknown."""
    return _private(tag, private_creator, dictionary).name


def _need(dictionary: DataDictionary | None, name: str) -> DataDictionary:
    if not isinstance(dictionary, DataDictionary):
        raise TypeError(_MISSING.format(name=name))
    return dictionary


def add_dict_entry(
    tag: Any,
    VR: str,
    keyword: str,
    description: str,
    VM: str = "1",
    is_retired: str = "",
    dictionary: DataDictionary | None = None,
) -> None:
    """Add a public element to ``dictionary`` (required; ``TypeError`` without it)."""
    _need(dictionary, "add_dict_entry").add_dict_entry(
        tag, VR, keyword, description, VM, is_retired
    )


def add_dict_entries(
    new_entries_dict: dict[int, tuple[Any, ...]], dictionary: DataDictionary | None = None
) -> None:
    """Add public elements ``{tag: (VR, VM, description, is_retired, keyword)}`` to
    ``dictionary`` (required; ``TypeError`` without it)."""
    _need(dictionary, "add_dict_entries").add_dict_entries(new_entries_dict)


def add_private_dict_entry(
    private_creator: str,
    tag: Any,
    VR: str,
    description: str,
    VM: str = "1",
    dictionary: DataDictionary | None = None,
) -> None:
    """Add a private element of ``private_creator`` to ``dictionary`` (required)."""
    _need(dictionary, "add_private_dict_entry").add_private_dict_entry(
        private_creator, tag, VR, description, VM
    )


def add_private_dict_entries(
    private_creator: str,
    new_entries_dict: dict[int, tuple[Any, ...]],
    dictionary: DataDictionary | None = None,
) -> None:
    """Add private elements ``{tag: (VR, VM, description, is_retired)}`` of
    ``private_creator`` to ``dictionary`` (required; ``TypeError`` without it)."""
    _need(dictionary, "add_private_dict_entries").add_private_dict_entries(
        private_creator, new_entries_dict
    )

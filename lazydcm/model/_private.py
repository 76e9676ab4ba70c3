"""Private data elements of a dataset, known through their private creator (PS3.5 7.8.1).

A private data element (gggg,xxee) of an odd group belongs to the block that the private creator
element (gggg,00xx) reserved; its value names the vendor's dictionary. These helpers read that
value from the dataset and look the element up in the private dictionary
(:func:`lazydcm.model.dictionary.private_entry_for`). They never raise on odd data: an absent,
empty or undecodable creator means "unknown".
"""

from __future__ import annotations

from typing import Any

from lazydcm.errors import InvalidDicomError
from lazydcm.model import dictionary
from lazydcm.model.vr import resolve_vr

__all__ = [
    "attached_vr",
    "creator_of",
    "private_entry",
    "private_vr",
    "private_name",
    "vr_for_new",
]


def creator_of(ds: Any, tag: int) -> str | None:
    """The private creator string reserving ``tag``'s block in dataset ``ds``, or None (not a
    private data element, no creator element, or a creator value that is not text)."""
    creator_tag = dictionary.private_creator_tag(tag)
    if creator_tag is None:
        return None
    elem = ds._element(creator_tag)
    if elem is None:
        return None
    try:
        value = elem.value
    except InvalidDicomError:
        return None
    if isinstance(value, (bytes, bytearray)):  # a creator read as UN
        value = bytes(value).decode("latin_1")
    if not isinstance(value, str) or not value.strip(" \0"):
        return None
    return value.strip(" \0")


def private_entry(ds: Any, tag: int) -> dictionary.DictEntry | None:
    """The private dictionary entry of ``tag`` in ``ds`` (by its creator), or None."""
    creator = creator_of(ds, tag)
    if creator is None:
        return None
    return dictionary.private_entry_for(tag, creator, _attached(ds, "_private_extra"))


def _attached(ds: Any, key: str) -> Any:
    """What :meth:`DataDictionary.attach` put on ``ds`` or an enclosing dataset, or None."""
    node = ds
    while node is not None:
        found = node.__dict__.get(key)
        if found is not None:
            return found
        node = node.__dict__.get("_parent")
    return None


def attached_vr(ds: Any, tag: int) -> str:
    """The VR an attached :class:`~lazydcm.model.registry.DataDictionary` gives a standard
    tag the built-in dictionary does not know, else "UN"."""
    registry = _attached(ds, "_dictionary_extra")
    entry = registry.entry_for(tag) if registry is not None else None
    return "UN" if entry is None else entry.vr


def private_vr(ds: Any, tag: int, *, implicit_vr: bool) -> str:
    """The VR of private data element ``tag`` in ``ds`` from the private dictionary (an
    ambiguous VR resolved by :func:`~lazydcm.model.vr.resolve_vr`), or "UN" when unknown."""
    entry = private_entry(ds, tag)
    if entry is None or entry.vr in ("", "NONE"):
        return "UN"
    return resolve_vr(tag, entry.vr, ds._lookup_value, implicit_vr=implicit_vr)


def private_name(ds: Any, tag: int) -> str | None:
    """The private dictionary name of ``tag`` in ``ds`` in brackets (``"[CSAImageHeaderType]"``,
    as pydicom shows private names), or None when unknown."""
    entry = private_entry(ds, tag)
    return None if entry is None else f"[{entry.name}]"


def vr_for_new(ds: Any, tag: int) -> str:
    """The VR for element ``tag`` added to ``ds`` without one: the VR it has already, else the
    private dictionary's (by the creator in ``ds``) or the standard dictionary's, an ambiguous
    one resolved from ``ds``; "UN" for a tag neither dictionary knows."""
    try:
        return ds._vr_for_new(tag)
    except KeyError:
        return "UN"

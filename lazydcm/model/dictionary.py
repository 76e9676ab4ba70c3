"""Look up DICOM data elements by tag or keyword.

The facts live in the generated :mod:`lazydcm.model._dictionary` (see its header for the editions
of the standard it was built from). This module adds the rules that are not rows of the registry:

* repeating groups and other masked tags (PS3.5 7.6, PS3.6 6), e.g. (60xx,3000) Overlay Data;
* group length (gggg,0000) elements (PS3.5 7.2), UL;
* private creator (gggg,0010-00FF) elements of private groups (PS3.5 7.8.1), LO;
* vendors' private data elements, known by their creator (:func:`private_entry_for`, over the
  GENERATED :mod:`lazydcm.model._private_dictionary`).

Every lookup is a dict lookup on the common path; masks are tried only when the exact table has
no row for the tag. Nothing here raises for an unknown tag: lookups return ``None``, ``""`` or
the documented fallback.
"""

from __future__ import annotations

import attrs

from lazydcm.model import _dictionary, _private_dictionary

__all__ = [
    "DictEntry",
    "entry_for",
    "tag_for_keyword",
    "keyword_for",
    "name_for",
    "vr_for",
    "vm_for",
    "is_repeating_group",
    "private_entry_for",
    "private_creator_tag",
]

GROUP_LENGTH_NAME = "Group Length"
PRIVATE_CREATOR_NAME = "Private Creator"
PRIVATE_DATA_NAME = "Private tag data"
UNKNOWN_NAME = "Unknown"
UNKNOWN_VR = "UN"
UNKNOWN_VM = "1"  # PS3.5 6.2: a UN value is one opaque byte string


@attrs.frozen(slots=True)
class DictEntry:
    """One data element of the dictionary, or a rule-made entry for a group length or private
    creator.

    Attributes:
        tag: the tag asked for (for a repeating-group entry, the concrete tag, not the mask).
        vr: the VR as PS3.6 writes it: one VR ("PN"), an ambiguous choice ("US or SS",
            "OB or OW", "US or SS or OW") to be settled from context, or "NONE" for the item
            and delimiter tags (FFFE,E000), (FFFE,E00D), (FFFE,E0DD).
        vm: the value multiplicity as PS3.6 writes it ("1", "1-n", "2-2n", "1-n or 1").
        name: the display name ("Patient's Name").
        keyword: the keyword ("PatientName"); "" for rule-made entries.
        retired: True when PS3.6 lists the element as retired.
    """

    tag: int = attrs.field(repr=lambda tag: f"0x{tag:08X}")
    vr: str
    vm: str
    name: str
    keyword: str
    retired: bool


_Row = tuple[str, str, str, str, bool]  # (vr, vm, name, keyword, retired)

_ELEMENTS: dict[int, _Row] = _dictionary.ELEMENTS


def _mask_bits(mask: str) -> tuple[int, int]:
    """Return (and-mask, value) for a mask such as "60xx3000": a tag matches when
    ``tag & and_mask == value``."""
    and_mask = int("".join("0" if c == "x" else "F" for c in mask), 16)
    value = int(mask.replace("x", "0"), 16)
    return and_mask, value


def _build_mask_tables() -> tuple[tuple[int, dict[int, _Row]], ...]:
    """Group the masks by their and-mask, most specific first, so a lookup is a handful of
    dict lookups rather than a scan of every mask."""
    tables: dict[int, dict[int, _Row]] = {}
    for mask, _base, vr, vm, name, keyword, retired in _dictionary.MASKS:
        and_mask, value = _mask_bits(mask)
        table = tables.setdefault(and_mask, {})
        if value in table:
            raise RuntimeError(f"mask {mask} repeats an earlier mask")  # generator bug
        table[value] = (vr, vm, name, keyword, retired)
    ordered = sorted(tables.items(), key=lambda item: (-item[0].bit_count(), item[0]))
    return tuple(ordered)


_MASK_TABLES = _build_mask_tables()


def _build_keywords() -> dict[str, int]:
    keywords = {row[3]: tag for tag, row in _ELEMENTS.items()}
    for _mask, base, _vr, _vm, _name, keyword, _retired in _dictionary.MASKS:
        keywords[keyword] = base
    return keywords


_KEYWORDS: dict[str, int] = _build_keywords()


def _is_private_group(group: int) -> bool:
    """PS3.5 7.8.1: odd groups are private, except 0001, 0003, 0005, 0007 and FFFF, which
    shall not be used."""
    return group & 1 == 1 and group > 0x0007 and group != 0xFFFF


def _mask_row(tag: int) -> _Row | None:
    if tag >> 16 & 1:
        return None  # PS3.5 7.6: repeating groups are even; odd groups are private
    for and_mask, table in _MASK_TABLES:
        row = table.get(tag & and_mask)
        if row is not None:
            return row
    return None


def _rule_row(tag: int) -> _Row | None:
    """The row for a tag not in the exact table: group length, private creator, mask."""
    group, element = tag >> 16, tag & 0xFFFF
    if element == 0x0000:
        # PS3.5 7.2: (gggg,0000) is the group length of any group.
        return ("UL", "1", GROUP_LENGTH_NAME, "", False)
    if _is_private_group(group):
        if 0x0010 <= element <= 0x00FF:
            # PS3.5 7.8.1: (gggg,0010-00FF) reserve blocks of a private group.
            return ("LO", "1", PRIVATE_CREATOR_NAME, "", False)
        return None
    return _mask_row(tag)


# Entries of the exact table, made on first use (at most one per registry row).
_ENTRIES: dict[int, DictEntry] = {}


def entry_for(tag: int) -> DictEntry | None:
    """Return the dictionary entry for ``tag`` (an int or :class:`~lazydcm.model.tag.Tag`).

    Looks up the exact registry first, then group length (gggg,0000), private creators
    (gggg,0010-00FF) of private groups, and the repeating-group masks such as (60xx,3000).
    Returns ``None`` for private data elements and tags the standard does not define.
    """
    entry = _ENTRIES.get(tag)
    if entry is not None:
        return entry
    row = _ELEMENTS.get(tag)
    if row is not None:
        entry = _ENTRIES[int(tag)] = DictEntry(int(tag), *row)
        return entry
    row = _rule_row(tag)
    return None if row is None else DictEntry(int(tag), *row)


def is_repeating_group(tag: int) -> bool:
    """True when ``tag`` is known only through a mask such as (60xx,3000) or (0020,31xx)."""
    return tag not in _ELEMENTS and tag & 0xFFFF != 0 and _mask_row(tag) is not None


def tag_for_keyword(keyword: str) -> int | None:
    """Return the tag for a keyword ("PatientName" -> 0x00100010), or ``None``.

    A repeating-group keyword gives its base tag: "OverlayData" -> 0x60003000,
    "SourceImageIDs" -> 0x00203100.
    """
    return _KEYWORDS.get(keyword)


def keyword_for(tag: int) -> str:
    """Return the keyword of ``tag``, or "" when it has none (unknown, private, group length)."""
    row = _ELEMENTS.get(tag)
    if row is None:
        row = _rule_row(tag)
        if row is None:
            return ""
    return row[3]


def name_for(tag: int) -> str:
    """Return the display name of ``tag``.

    Unknown tags give "Private tag data" in a private group and "Unknown" otherwise.
    """
    row = _ELEMENTS.get(tag)
    if row is None:
        row = _rule_row(tag)
        if row is None:
            return PRIVATE_DATA_NAME if _is_private_group(tag >> 16) else UNKNOWN_NAME
    return row[2]


def vr_for(tag: int) -> str:
    """Return the VR of ``tag`` as PS3.6 writes it (possibly "US or SS" and the like), or
    "UN" for a tag the dictionary does not know."""
    row = _ELEMENTS.get(tag)
    if row is None:
        row = _rule_row(tag)
        if row is None:
            return UNKNOWN_VR
    return row[0]


def vm_for(tag: int) -> str:
    """Return the VM of ``tag`` as PS3.6 writes it ("1", "1-n", ...), or "1" for a tag the
    dictionary does not know (its value is read as UN, one byte string)."""
    row = _ELEMENTS.get(tag)
    if row is None:
        row = _rule_row(tag)
        if row is None:
            return UNKNOWN_VM
    return row[1]


# -- private data elements (PS3.5 7.8.1) ---------------------------------------------------------

_PRIVATE_ELEMENTS: dict[tuple[str, int, int], tuple[str, str, str]] = (
    _private_dictionary.PRIVATE_ELEMENTS
)
_PRIVATE_RANGES = _private_dictionary.PRIVATE_RANGES


def private_creator_tag(tag: int) -> int | None:
    """Return the tag of the private creator element that reserves ``tag``'s block:
    (gggg,00xx) for a private data element (gggg,xxee) with xx in 10..FF (PS3.5 7.8.1); None for
    anything else (a standard tag, a creator, a group length, (gggg,0001-000F))."""
    group, element = tag >> 16, tag & 0xFFFF
    # Odd groups 0001-0007 "shall not be used" (PS3.5 7.8.1) but vendors did (private.dic has
    # rows in group 0003), so only FFFF is left out.
    if not group & 1 or group == 0xFFFF or element < 0x1000:
        return None
    return (group << 16) | (element >> 8)


def _private_row(
    tag: int, creator: str, extra: dict[tuple[str, int, int], tuple[str, str, str]] | None = None
) -> tuple[str, str, str] | None:
    group, element = tag >> 16, tag & 0xFFFF
    creator = creator.strip(" \0")
    for table in (extra, _PRIVATE_ELEMENTS) if extra else (_PRIVATE_ELEMENTS,):
        row = table.get((creator, group, element)) or table.get((creator, group, element & 0xFF))
        if row is not None:
            return row
    for name, lo, hi, elem, vr, vm, label in _PRIVATE_RANGES:
        if name == creator and lo <= group <= hi and group & 1 and elem == element & 0xFF:
            return (vr, vm, label)
    return None


def private_entry_for(
    tag: int,
    creator: str,
    extra: dict[tuple[str, int, int], tuple[str, str, str]] | None = None,
) -> DictEntry | None:
    """Return the private dictionary entry of data element ``tag`` whose block is reserved by
    ``creator`` (the value of (gggg,00xx), padding stripped), or None when unknown.

    A row keyed by element byte ``ee`` matches (gggg,xxee) in any block xx (PS3.5 7.8.1); a row
    keyed by a fixed element (>= 0x1000) matches only that element. ``extra`` rows, keyed the
    same way (``(creator, group, element)`` -> ``(VR, VM, name)``), are tried first. The entry's
    ``keyword`` is "" (private elements have no keywords) and ``retired`` False.
    """
    if private_creator_tag(tag) is None:
        return None
    row = _private_row(tag, creator, extra)
    if row is None:
        return None
    vr, vm, name = row
    return DictEntry(int(tag), vr, vm, name, "", False)

"""``Tag``: a DICOM attribute tag as an ``int`` with group/element accessors.

``Tag`` compares and hashes as the plain 32-bit int ``(group << 16) | element``, so it can be
used anywhere a tag int is expected.
"""

from __future__ import annotations

import operator
import re
from typing import Any

__all__ = ["Tag", "TagLike", "tag_repr"]

TagLike = Any  # int, (group, element), "Keyword", "ggggeeee" hex string, Tag

_HEX8 = re.compile(r"[0-9A-Fa-f]{8}")
_HEX4 = re.compile(r"[0-9A-Fa-f]{1,4}")


def _as_int(value: Any) -> int | None:
    """``value`` as an int when it is an integer (incl. numpy integers), else None; bool is
    not an integer here."""
    if isinstance(value, bool):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


def _hex_part(part: Any) -> Any:
    """A group or element given as a hex string ("0x10", "0010") as an int; others unchanged."""
    if isinstance(part, str):
        text = part.strip()
        digits = text[2:] if text[:2] in ("0x", "0X") else text
        if not _HEX4.fullmatch(digits):
            raise ValueError(f"{part!r} is not a hex group or element number")
        return int(digits, 16)
    return part


def _other_int(other: Any) -> int | None:
    """``other`` as a tag int for comparisons: an int, or a (group, element) tuple/list."""
    if isinstance(other, (tuple, list)):
        try:
            return int(Tag(other))
        except (TypeError, ValueError):
            return None
    return _as_int(other)


def tag_repr(tag: int) -> str:
    """Return ``(gggg,eeee)`` in upper-case hex for a tag int."""
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


class Tag(int):
    """A DICOM tag.

    ``Tag(0x00100010)``, ``Tag(0x10, 0x10)``, ``Tag((0x10, 0x10))``, ``Tag([0x10, 0x10])``,
    ``Tag(("0x10", "0x10"))``, ``Tag("0x00100010")`` and ``Tag("PatientName")`` all give the
    same tag; numpy integers are accepted as ints. Raises ``ValueError`` for an unknown keyword
    or a number outside 0..0xFFFFFFFF, ``TypeError`` for anything else.

    A tag equals, and orders against, its int and its ``(group, element)`` tuple:
    ``Tag(0x00100010) == (0x10, 0x10)`` and ``Tag(0x00100010) < (0x10, 0x20)``.
    """

    __slots__ = ()

    def __new__(cls, arg: TagLike, element: int | None = None) -> Tag:
        if element is not None:
            return cls._from_pair(arg, element)
        if isinstance(arg, Tag):
            return arg
        if isinstance(arg, (tuple, list)):
            if len(arg) != 2:
                raise ValueError(f"a tag tuple needs (group, element), got {arg!r}")
            return cls._from_pair(*(_hex_part(part) for part in arg))
        if isinstance(arg, str):
            return cls._from_str(arg)
        value = _as_int(arg)
        if value is None:
            raise TypeError(f"cannot make a Tag from {type(arg).__name__} {arg!r}")
        if not 0 <= value <= 0xFFFFFFFF:
            raise ValueError(f"tag {value:#x} is outside 0..0xFFFFFFFF")
        return super().__new__(cls, value)

    @classmethod
    def _from_pair(cls, group: Any, element: Any) -> Tag:
        group_int, element_int = _as_int(group), _as_int(element)
        if group_int is None or element_int is None:
            raise TypeError(f"tag group and element must be ints, got {group!r}, {element!r}")
        group, element = group_int, element_int
        if not (0 <= group <= 0xFFFF and 0 <= element <= 0xFFFF):
            raise ValueError(f"tag group/element ({group:#x}, {element:#x}) outside 0..0xFFFF")
        return int.__new__(cls, (group << 16) | element)

    @classmethod
    def _from_str(cls, text: str) -> Tag:
        from lazydcm.model.dictionary import tag_for_keyword

        found = tag_for_keyword(text)
        if found is not None:
            return int.__new__(cls, found)
        cleaned = text.strip().strip("()").replace(",", "")
        if cleaned[:2] in ("0x", "0X"):  # "0x00100010", as pydicom accepts
            cleaned = cleaned[2:]
        if _HEX8.fullmatch(cleaned):  # not int(..., 16) alone: it takes signs and underscores
            return int.__new__(cls, int(cleaned, 16))
        raise ValueError(f"{text!r} is neither a DICOM keyword nor a tag like '00100010'")

    @property
    def group(self) -> int:
        return self >> 16

    @property
    def element(self) -> int:
        return self & 0xFFFF

    elem = element

    @property
    def is_private(self) -> bool:
        """True for tags in an odd group (PS3.5 7.8.1)."""
        return self.group % 2 == 1

    @property
    def is_private_creator(self) -> bool:
        """True for (gggg,0010)-(gggg,00FF) in an odd group (PS3.5 7.8.1)."""
        return self.is_private and 0x0010 <= self.element <= 0x00FF

    @property
    def private_creator(self) -> Tag:
        """The tag of the private creator that reserves this private element's block:
        (gggg,00xx) for (gggg,xxee) (PS3.5 7.8.1). Raises ``ValueError`` for a tag that is
        not a private data element (an even group, or an element below 0x1000)."""
        if not self.is_private or self.element < 0x1000:
            if self.is_private_creator:
                return self
            raise ValueError(f"{self!r} is not a private data element")
        return int.__new__(Tag, (self.group << 16) | (self.element >> 8))

    # Comparisons with ints and (group, element) tuples; hashing stays the int's.
    def __eq__(self, other: object) -> bool:
        value = _other_int(other)
        return NotImplemented if value is None else int(self) == value

    def __ne__(self, other: object) -> bool:
        value = _other_int(other)
        return NotImplemented if value is None else int(self) != value

    def __lt__(self, other: object) -> bool:
        value = _other_int(other)
        return NotImplemented if value is None else int(self) < value

    def __le__(self, other: object) -> bool:
        value = _other_int(other)
        return NotImplemented if value is None else int(self) <= value

    def __gt__(self, other: object) -> bool:
        value = _other_int(other)
        return NotImplemented if value is None else int(self) > value

    def __ge__(self, other: object) -> bool:
        value = _other_int(other)
        return NotImplemented if value is None else int(self) >= value

    __hash__ = int.__hash__

    @property
    def json_key(self) -> str:
        """The PS3.18 F.2 JSON key: eight upper-case hex digits."""
        return f"{int(self):08X}"

    def __repr__(self) -> str:
        return tag_repr(self)

    __str__ = __repr__

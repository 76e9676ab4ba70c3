"""Guessing how a dataset is encoded from its first bytes (for files without, or contradicting,
a transfer syntax); used by :mod:`lazydcm.io.scanner`.

Pure functions of a buffer and an offset, like the scanner; they never raise on bad bytes
(they answer None or False instead).
"""

from __future__ import annotations

from lazydcm.errors import InvalidDicomError
from lazydcm.io.header import ITEM, SEQ_DELIM, UNDEFINED_LENGTH, VRS, read_header_fields
from lazydcm.io.syntax import (
    EXPLICIT_BE_LAYOUT,
    EXPLICIT_LE_LAYOUT,
    IMPLICIT_LE_LAYOUT,
    ByteLayout,
)

__all__ = ["chain_crosses", "element_fits", "sniff_layout"]


def _tag_pair(buf, pos: int) -> tuple[int, int]:
    b = bytes(buf[pos : pos + 4])
    return (
        int.from_bytes(b[0:2], "little") << 16 | int.from_bytes(b[2:4], "little"),
        int.from_bytes(b[0:2], "big") << 16 | int.from_bytes(b[2:4], "big"),
    )


def element_fits(buf, pos: int, layout: ByteLayout) -> bool:
    """True when the element at ``pos`` reads cleanly under ``layout`` and is plausible: not an
    item or delimiter, its value fits in ``buf``, and an undefined-length value may be one and
    starts with an item or sequence delimiter tag."""
    try:
        tag, vr, value_offset, length = read_header_fields(
            buf, pos, layout.implicit_vr, layout.little_endian
        )
    except InvalidDicomError:
        return False
    if tag >> 16 == 0xFFFE:
        return False
    if length != UNDEFINED_LENGTH:
        return value_offset + length <= len(buf)
    if vr is not None and vr not in (b"SQ", b"UN", b"OB", b"OW"):
        return False
    little = layout.little_endian or vr == b"UN"  # PS3.5 6.2.2
    if value_offset + 4 > len(buf):
        return False
    first = _tag_pair(buf, value_offset)[0 if little else 1]
    return first in (ITEM, SEQ_DELIM)


def sniff_layout(buf, offset: int) -> ByteLayout | None:
    """Guess the encoding of a dataset from its first element at ``offset``.

    Two known VR letters at ``offset + 4`` mean explicit VR; the byte order is the one that
    reads the tag as the smaller number (datasets start with low groups such as 0008). Otherwise
    implicit VR little endian (PS3.5 A.1; there is no implicit big endian) if that reading makes
    sense. The element's value must fit in ``buf`` either way.

    Returns:
        The guessed :class:`ByteLayout`, or None when fewer than 8 bytes remain, the 8 bytes are
        all zero, or no reading is consistent. Never raises on bad bytes.
    """
    if offset < 0 or offset + 8 > len(buf):
        return None
    head = bytes(buf[offset : offset + 8])
    if head == bytes(8):
        return None
    tag_le, tag_be = _tag_pair(buf, offset)
    if head[4:6] in VRS:
        first = EXPLICIT_LE_LAYOUT if tag_le <= tag_be else EXPLICIT_BE_LAYOUT
        if element_fits(buf, offset, first):
            return first
        other = EXPLICIT_BE_LAYOUT if first is EXPLICIT_LE_LAYOUT else EXPLICIT_LE_LAYOUT
        if element_fits(buf, offset, other):
            return other
    if tag_le <= tag_be and element_fits(buf, offset, IMPLICIT_LE_LAYOUT):
        return IMPLICIT_LE_LAYOUT
    return None


def chain_crosses(buf, start: int, target: int, layout: ByteLayout) -> bool:
    """True when defined-length elements read from ``start`` under ``layout`` reach past
    ``target`` without error (used to tell a raw dataset from a preamble)."""
    pos = start
    while pos <= target:
        try:
            tag, vr, value_offset, length = read_header_fields(
                buf, pos, layout.implicit_vr, layout.little_endian
            )
        except InvalidDicomError:
            return False
        if length == UNDEFINED_LENGTH or value_offset + length > len(buf):
            return False
        pos = value_offset + length
    return True

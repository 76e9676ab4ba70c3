"""Small Part 10 files built from bytes in test code (no corpus files copied into the repo).

Every helper returns ``bytes``; offsets are documented where a test depends on them.
"""

from __future__ import annotations

import struct

EXPLICIT_LE = b"1.2.840.10008.1.2.1\0"
IMPLICIT_LE = b"1.2.840.10008.1.2\0"
_LONG = {b"OB", b"OW", b"OF", b"OD", b"OL", b"OV", b"SQ", b"UN", b"UT", b"UC", b"UR", b"SV", b"UV"}
UNDEFINED = 0xFFFFFFFF

ITEM_DELIM = struct.pack("<HHL", 0xFFFE, 0xE00D, 0)
SEQ_DELIM = struct.pack("<HHL", 0xFFFE, 0xE0DD, 0)


def el(tag: int, vr: bytes, value: bytes, *, length: int | None = None) -> bytes:
    """One explicit VR little endian element (PS3.5 7.1.2 header forms)."""
    n = len(value) if length is None else length
    if vr in _LONG:
        return struct.pack("<HH2sHL", tag >> 16, tag & 0xFFFF, vr, 0, n) + value
    return struct.pack("<HH2sH", tag >> 16, tag & 0xFFFF, vr, n) + value


def iel(tag: int, value: bytes, *, length: int | None = None) -> bytes:
    """One implicit VR little endian element (tag, 32-bit length, value)."""
    n = len(value) if length is None else length
    return struct.pack("<HHL", tag >> 16, tag & 0xFFFF, n) + value


def item(content: bytes, *, undefined: bool = False) -> bytes:
    """An item (FFFE,E000) of defined length, or undefined length closed by its delimiter."""
    if undefined:
        return struct.pack("<HHL", 0xFFFE, 0xE000, UNDEFINED) + content + ITEM_DELIM
    return struct.pack("<HHL", 0xFFFE, 0xE000, len(content)) + content


def meta(ts: bytes = EXPLICIT_LE) -> bytes:
    """Preamble, ``DICM`` and a file meta group (PS3.10 7.1) naming transfer syntax ``ts``."""
    body = (
        el(0x00020001, b"OB", b"\0\1")
        + el(0x00020002, b"UI", b"1.2.840.10008.5.1.4.1.1.7\0")
        + el(0x00020003, b"UI", b"1.2.3.4\0")
        + el(0x00020010, b"UI", ts)
    )
    return b"\0" * 128 + b"DICM" + el(0x00020000, b"UL", struct.pack("<L", len(body))) + body


#: A small explicit VR little endian dataset: Modality, Patient's Name, Instance Number.
BODY = (
    el(0x00080060, b"CS", b"MR") + el(0x00100010, b"PN", b"Doe^Jane") + el(0x00200013, b"IS", b"7 ")
)


def part10(body: bytes = BODY, ts: bytes = EXPLICIT_LE) -> bytes:
    """``meta(ts) + body``."""
    return meta(ts) + body

"""Build small Part 10 files in code for the value/VR tests: a meta group in explicit VR little
endian, then a body in implicit VR little endian (PS3.5 A.1) or explicit VR little endian."""

from __future__ import annotations

import io
import struct

IMPLICIT_LE = "1.2.840.10008.1.2"
EXPLICIT_LE = "1.2.840.10008.1.2.1"


def _pad(value: bytes, pad: bytes = b" ") -> bytes:
    return value + pad if len(value) % 2 else value


def implicit(tag: int, value: bytes) -> bytes:
    """One implicit VR little endian element: tag (4), length (4), value."""
    value = _pad(value, b"\0")
    return struct.pack("<HHI", tag >> 16, tag & 0xFFFF, len(value)) + value


def explicit(tag: int, vr: str, value: bytes) -> bytes:
    """One explicit VR little endian element (PS3.5 7.1.2)."""
    value = _pad(value, b"\0" if vr in ("UI", "OB", "OW", "UN", "US", "SS") else b" ")
    head = struct.pack("<HH", tag >> 16, tag & 0xFFFF) + vr.encode("ascii")
    if vr in ("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"):
        return head + b"\0\0" + struct.pack("<I", len(value)) + value
    return head + struct.pack("<H", len(value)) + value


def part10(body: bytes, syntax: str = IMPLICIT_LE) -> io.BytesIO:
    """Preamble, DICM, a meta group naming ``syntax``, then ``body``."""
    meta = explicit(0x00020001, "OB", b"\0\1")
    meta += explicit(0x00020002, "UI", b"1.2.840.10008.5.1.4.1.1.7")
    meta += explicit(0x00020003, "UI", b"1.2.3.4")
    meta += explicit(0x00020010, "UI", syntax.encode("ascii"))
    group_length = explicit(0x00020000, "UL", struct.pack("<I", len(meta)))
    return io.BytesIO(b"\0" * 128 + b"DICM" + group_length + meta + body)

"""Image files built byte by byte for the pixel properties (PS3.10 file, PS3.5 encodings).

``image_file`` writes preamble, ``DICM``, an explicit VR little endian meta group and a dataset
in the given transfer syntax holding the Image Pixel module and a Pixel Data element whose VR
(OB/OW) and bytes the caller chooses - so layouts no writer of ours would pick (8-bit OW in big
endian, odd frame sizes, stray bits above Bits Stored) are easy to make.
"""

from __future__ import annotations

import struct

IMPLICIT_LE = "1.2.840.10008.1.2"
EXPLICIT_LE = "1.2.840.10008.1.2.1"
EXPLICIT_BE = "1.2.840.10008.1.2.2"
RLE = "1.2.840.10008.1.2.5"
SEQ_DELIMITER = b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"
_LONG = {"OB", "OW", "OF", "OD", "SQ", "UN", "UT", "UR", "UC", "OL", "OV"}  # PS3.5 7.1.2


def _pad(value: bytes, vr: str) -> bytes:
    if len(value) % 2:
        value += b"\0" if vr in ("UI", "OB", "OW") else b" "  # PS3.5 7.1.1, 6.2 (UI: NUL)
    return value


def element(tag: int, vr: str, value: bytes, *, syntax: str, undefined: bool = False) -> bytes:
    """One element: header (PS3.5 7.1.2/7.1.3) + padded value; ``undefined`` -> length FFFFFFFF."""
    value = value if undefined else _pad(value, vr)
    length = 0xFFFFFFFF if undefined else len(value)
    group, elem = tag >> 16, tag & 0xFFFF
    little = syntax != EXPLICIT_BE or group == 2
    order = "<" if little else ">"
    if syntax == IMPLICIT_LE and group != 2:
        return struct.pack(order + "HHI", group, elem, length) + value
    if vr in _LONG:
        return struct.pack(order + "HH2sHI", group, elem, vr.encode(), 0, length) + value
    return struct.pack(order + "HH2sH", group, elem, vr.encode(), length) + value


def _us(value: int, syntax: str) -> bytes:
    return struct.pack(">H" if syntax == EXPLICIT_BE else "<H", value)


def image_file(
    *,
    syntax: str,
    rows: int,
    columns: int,
    frames: int,
    samples: int,
    bits_allocated: int,
    bits_stored: int,
    signed: bool,
    planar: int,
    pixel_vr: str,
    pixel_value: bytes,
    photometric: str | None = None,
    encapsulated: bool = False,
) -> bytes:
    """The bytes of a whole file. ``pixel_value`` is the Pixel Data value as stored (for
    ``encapsulated``, the items without the delimiter, which is added here)."""
    sop_class, sop_instance = b"1.2.840.10008.5.1.4.1.1.7", b"1.2.3.4.5.6.7"
    meta_body = b"".join(
        element(tag, vr, value, syntax=EXPLICIT_LE)
        for tag, vr, value in (
            (0x00020001, "OB", b"\0\1"),
            (0x00020002, "UI", sop_class),
            (0x00020003, "UI", sop_instance),
            (0x00020010, "UI", syntax.encode()),
        )
    )
    meta = element(0x00020000, "UL", struct.pack("<I", len(meta_body)), syntax=EXPLICIT_LE)
    if photometric is None:
        photometric = "MONOCHROME2" if samples == 1 else "RGB"
    body = [
        (0x00080016, "UI", sop_class),
        (0x00080018, "UI", sop_instance),
        (0x00280002, "US", _us(samples, syntax)),
        (0x00280004, "CS", photometric.encode()),
    ]
    if samples > 1:
        body.append((0x00280006, "US", _us(planar, syntax)))
    body += [
        (0x00280008, "IS", str(frames).encode()),
        (0x00280010, "US", _us(rows, syntax)),
        (0x00280011, "US", _us(columns, syntax)),
        (0x00280100, "US", _us(bits_allocated, syntax)),
        (0x00280101, "US", _us(bits_stored, syntax)),
        (0x00280102, "US", _us(bits_stored - 1, syntax)),
        (0x00280103, "US", _us(int(signed), syntax)),
    ]
    data = b"".join(element(tag, vr, value, syntax=syntax) for tag, vr, value in body)
    if encapsulated:
        pixels = element(
            0x7FE00010, "OB", pixel_value + SEQ_DELIMITER, syntax=syntax, undefined=True
        )
    else:
        pixels = element(0x7FE00010, pixel_vr, pixel_value, syntax=syntax)
    return b"\0" * 128 + b"DICM" + meta + meta_body + data + pixels


def items(fragments: list[bytes], *, bot: list[int] | None = None) -> bytes:
    """Encapsulated items (PS3.5 A.4): a Basic Offset Table item, then one item per fragment."""
    table = b"".join(struct.pack("<I", offset) for offset in (bot or []))
    out = struct.pack("<HHI", 0xFFFE, 0xE000, len(table)) + table
    for fragment in fragments:
        fragment = _pad(fragment, "OB")
        out += struct.pack("<HHI", 0xFFFE, 0xE000, len(fragment)) + fragment
    return out

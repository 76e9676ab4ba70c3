"""Overlay planes (PS3.3 C.9.2 Overlay Plane, C.9.3 Multi-frame Overlay) as numpy arrays.

An overlay in group ``g`` (0x6000..0x601E, even) is a one-bit-per-pixel plane of Overlay Rows
(g,0010) x Overlay Columns (g,0011), Number of Frames in Overlay (g,0015) frames (default 1).
Its bits are either

* in Overlay Data (g,3000): packed eight to a byte, the first pixel in the least significant
  bit, frames one after the other with no padding between them (PS3.5 8.1.2 for 1-bit data,
  PS3.3 C.9.2.1.1); only this element's bytes are read; or
* (retired, still in archives) in the unused high bits of native Pixel Data: Overlay Bits
  Allocated (g,0100) equals the pixel's Bits Allocated and Overlay Bit Position (g,0102) names
  the bit of each stored pixel word (PS3.3 C.9.2.1.3, PS3.5 8.1.2 of editions before 2004).

Results are new ``uint8`` arrays of 0 and 1: ``(rows, columns)`` for one frame, else
``(frames, rows, columns)`` (pydicom's ``overlay_array``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lazydcm.errors import InvalidDicomError

__all__ = ["overlay_array"]


def _int(ds: Any, tag: int, default: int | None = None) -> int:
    if tag in ds:
        value = ds[tag].value
        if isinstance(value, (list, tuple)):
            value = value[0] if value else None
        if value not in (None, ""):
            try:
                return int(value)
            except (TypeError, ValueError):
                raise InvalidDicomError(
                    f"overlay attribute value {value!r} is not an integer", tag=tag
                ) from None
    if default is None:
        raise AttributeError(f"the overlay needs ({tag >> 16:04X},{tag & 0xFFFF:04X})")
    return default


def _shape(frames: int, rows: int, cols: int, flat: np.ndarray) -> np.ndarray:
    if frames == 1:
        return flat.reshape(rows, cols)
    return flat.reshape(frames, rows, cols)


def overlay_array(ds: Any, group: int) -> np.ndarray:
    """The overlay plane(s) of repeating group ``group`` (0x6000-0x601E, even; PS3.5 7.6).

    Returns a new ``uint8`` array of 0/1, shape ``(rows, cols)`` or ``(frames, rows, cols)``.

    Raises:
        ValueError: ``group`` is not an overlay group.
        AttributeError: the group has no Overlay Rows/Columns, or neither Overlay Data nor an
            overlay in the Pixel Data's high bits.
        InvalidDicomError: Overlay Data shorter than its rows x columns x frames bits, or an
            embedded overlay's bit position outside the pixel words.
    """
    if not (0x6000 <= group <= 0x601E and group % 2 == 0):
        raise ValueError(f"{group:#06x} is not an overlay group (even, 0x6000-0x601E)")
    base = group << 16
    rows = _int(ds, base | 0x0010)
    cols = _int(ds, base | 0x0011)
    frames = max(1, _int(ds, base | 0x0015, 1))
    count = rows * cols * frames
    if base | 0x3000 in ds:
        elem = ds[base | 0x3000]
        data = elem.value
        raw = np.frombuffer(bytes(data) if not isinstance(data, bytes) else data, np.uint8)
        if elem.VR == "OW" and ds.is_little_endian is False:
            # OW words were stored big endian: the bit stream is in little endian words
            raw = raw[: raw.size - raw.size % 2].reshape(-1, 2)[:, ::-1].reshape(-1)
        if raw.size * 8 < count:
            raise InvalidDicomError(
                f"Overlay Data holds {raw.size * 8} bits; {rows} x {cols} x {frames} need {count}",
                tag=base | 0x3000,
            )
        bits = np.unpackbits(raw, bitorder="little", count=count)
        return _shape(frames, rows, cols, bits)
    return _embedded(ds, base, rows, cols, frames)


def _embedded(ds: Any, base: int, rows: int, cols: int, frames: int) -> np.ndarray:
    """An overlay in the unused high bits of native Pixel Data (retired; PS3.3 C.9.2.1.3)."""
    from lazydcm.pixels.access import is_encapsulated, pixel_spec

    if 0x7FE00010 not in ds:
        raise AttributeError(
            f"overlay group {base >> 16:#06x} has no Overlay Data and the dataset no Pixel Data"
        )
    spec = pixel_spec(ds)
    overlay_bits = _int(ds, base | 0x0100, 1)
    position = _int(ds, base | 0x0102, 0)
    if overlay_bits == 1 or is_encapsulated(ds):
        raise AttributeError(
            f"overlay group {base >> 16:#06x} has no Overlay Data (60xx,3000) and no overlay "
            "in the Pixel Data's unused high bits"
        )
    if not spec.bits_stored <= position < spec.bits_allocated or (rows, cols) != (
        spec.rows,
        spec.columns,
    ):
        raise InvalidDicomError(
            f"embedded overlay bit {position} must lie above Bits Stored {spec.bits_stored} "
            f"and below Bits Allocated {spec.bits_allocated}, in a plane the image's size",
            tag=base | 0x0102,
        )
    origin = max(1, _int(ds, base | 0x0051, 1))  # Image Frame Origin, 1-based (C.9.3.1.1)
    if origin - 1 + frames > spec.frames:
        raise InvalidDicomError(
            f"overlay frames {origin}..{origin + frames - 1} pass the image's {spec.frames}",
            tag=base | 0x0051,
        )
    value = ds[0x7FE00010].value
    order = "<" if (ds.is_little_endian is not False or ds[0x7FE00010].is_modified) else ">"
    words = np.frombuffer(bytes(value), dtype=f"{order}u{spec.bits_allocated // 8}")
    per_frame = rows * cols * spec.samples_per_pixel
    start = (origin - 1) * per_frame
    plane = words[start : start + frames * per_frame][:: spec.samples_per_pixel]
    bits = ((plane >> position) & 1).astype(np.uint8)
    return _shape(frames, rows, cols, bits)

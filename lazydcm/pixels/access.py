"""Pixel access for a ``Dataset``: ``pixel_array``, ``frame``, ``iter_frames``, ``frame_bytes``,
``to_image``.

This module joins the dataset (model/) to the pixel functions: it finds the pixel element, builds
the ``PixelSpec``, and hands the element's bytes to ``native_array`` (native syntaxes) or the frame
index and codecs (encapsulated syntaxes).

Lifetimes: for a file-backed native dataset, arrays are views over a private copy-on-write
mapping of the file (``Source.cow_view``): writing into them never reaches the file and copies
only the pages written; they stay valid after the dataset is closed (the mapping lives as long as
the array). Encapsulated frames are decoded into new arrays.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import numpy as np

from lazydcm.errors import InvalidDicomError
from lazydcm.io.encaps import frame_ranges, parse_fragments
from lazydcm.io.syntax import EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE, layout_for
from lazydcm.pixels.encapsulated import decode_frames
from lazydcm.pixels.encapsulated import frame_bytes as _frame_bytes
from lazydcm.pixels.native import native_array
from lazydcm.pixels.render import to_display
from lazydcm.pixels.spec import PIXEL_TAGS, PixelSpec

__all__ = [
    "pixel_array",
    "frame",
    "iter_frames",
    "frame_bytes",
    "to_image",
    "pixel_spec",
    "is_encapsulated",
]

_KIND_BY_TAG = {tag: kind for kind, tag in PIXEL_TAGS.items()}
_EOT, _EOT_LENGTHS = 0x7FE00001, 0x7FE00002
_SEQ_DELIM = b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"  # (FFFE,E0DD), length 0


def _pixel_element(ds: Any) -> tuple[Any, str]:
    for tag in (0x7FE00010, 0x7FE00008, 0x7FE00009):
        if tag in ds:
            return ds[tag], _KIND_BY_TAG[tag]
    raise AttributeError(
        "the dataset has no Pixel Data, Float Pixel Data or Double Float Pixel Data element"
    )


def _transfer_syntax(ds: Any) -> str:
    meta = getattr(ds, "file_meta", None)
    if meta is not None and 0x00020010 in meta and meta[0x00020010].value:
        return str(meta[0x00020010].value).strip("\0 ")
    if ds.is_implicit_VR:
        return IMPLICIT_LE
    return EXPLICIT_BE if ds.is_little_endian is False else EXPLICIT_LE


def _compressed_syntax(ds: Any, elem: Any) -> str:
    """The transfer syntax of encapsulated pixel data; encapsulated data under a native syntax
    is bad input (PS3.5 A.4: only encapsulated syntaxes encapsulate)."""
    uid = _transfer_syntax(ds)
    if not layout_for(uid).encapsulated:
        raise InvalidDicomError(
            f"pixel data is encapsulated (undefined length) but the transfer syntax {uid} is "
            "native (PS3.5 A.4)",
            tag=int(elem.tag),
            offset=elem.header_offset,
        )
    return uid


def is_encapsulated(ds: Any) -> bool:
    """True when the dataset's pixel data is encapsulated (compressed frames in items)."""
    elem, _ = _pixel_element(ds)
    if elem.record is not None and not elem.is_modified:
        return bool(elem.record.undefined_length)
    return layout_for(_transfer_syntax(ds)).encapsulated


def pixel_spec(ds: Any) -> PixelSpec:
    """The pixel layout of ``ds`` (Image Pixel module + the pixel element's VR).

    Raises InvalidDicomError naming the element when a required attribute is missing/invalid.
    """
    elem, kind = _pixel_element(ds)
    little = ds.is_little_endian if ds.is_little_endian is not None else True
    if elem.is_modified:
        little = True  # values set in code are native little endian arrays or bytes
    return PixelSpec.from_dataset(ds, little_endian=little, kind=kind, pixel_vr=elem.VR)


def _native_buffer(
    ds: Any, elem: Any, spec: PixelSpec, frame_no: int | None
) -> tuple[Any, PixelSpec]:
    """The bytes to view (writable, copy-on-write) and the spec that describes them."""
    rec = elem.record
    if rec is None or elem.is_modified or elem.is_decoded:
        value = elem.value
        if isinstance(value, np.ndarray):
            value = np.ascontiguousarray(value).view(np.uint8).reshape(-1)
        elif not isinstance(value, (bytes, bytearray, memoryview)):
            raise InvalidDicomError(
                f"pixel data has VR {elem.VR}, whose value is not bytes (PS3.5 A.1: OB or OW)",
                tag=int(elem.tag),
                offset=elem.header_offset,
            )
        return memoryview(bytearray(value)), spec
    source = ds._ctx.source
    ds._check_truncated(rec)
    if frame_no is not None and spec.bits_allocated != 1 and not spec.is_ybr_422:
        index = frame_no + spec.frames if frame_no < 0 else frame_no
        if not 0 <= index < spec.frames:
            raise IndexError(f"frame {frame_no} out of range for {spec.frames} frame(s)")
        start = int(rec.value_offset) + index * spec.frame_nbytes
        one = attrs.evolve(spec, frames=1)
        if start + spec.frame_nbytes > int(rec.value_offset) + int(rec.length):
            raise InvalidDicomError(
                f"frame {index} runs past the end of the pixel data ({int(rec.length)} bytes)",
                tag=int(elem.tag),
                offset=int(rec.value_offset),
            )
        return source.cow_view(start, spec.frame_nbytes), one
    return source.cow_view(int(rec.value_offset), int(rec.length)), spec


def _frame_ranges(ds: Any, elem: Any, spec: PixelSpec) -> tuple[Any, list]:
    """(buffer, fragments of each frame) for encapsulated pixel data, cached on the dataset."""
    cached = ds.__dict__.get("_frame_ranges_cache")
    if cached is not None and cached[0] is elem:
        return cached[1], cached[2]
    rec = elem.record
    if rec is not None and not elem.is_modified and not elem.is_decoded:
        ds._check_truncated(rec)
        buf = ds._ctx.source.buffer
        start, end = int(rec.value_offset), int(rec.end)
    else:
        buf = bytes(elem.value)
        if not buf.endswith(_SEQ_DELIM):  # items set in code (compress, encapsulate()) end
            buf += _SEQ_DELIM  # without the delimiter the writer adds (PS3.5 A.4)
        start, end = 0, len(buf)
    frags = parse_fragments(buf, start, end, little_endian=True, tag=int(elem.tag))
    eot = ds.get(_EOT)
    eot_lengths = ds.get(_EOT_LENGTHS)
    offsets = np.frombuffer(bytes(eot.value), "<u8").tolist() if eot is not None else None
    lengths = (
        np.frombuffer(bytes(eot_lengths.value), "<u8").tolist() if eot_lengths is not None else None
    )
    ranges = frame_ranges(frags, spec.frames, eot_offsets=offsets, eot_lengths=lengths, buf=buf)
    object.__setattr__(ds, "_frame_ranges_cache", (elem, buf, ranges))
    return buf, ranges


def pixel_array(ds: Any) -> np.ndarray:
    """All frames as one array, shape (frames, rows, cols[, samples]); no frame axis for a
    single frame.

    Native pixel data: a writable copy-on-write view over the mapping (a converted copy when
    the bytes need it: big endian, 1-bit, YBR 4:2:2, unused high bits). Encapsulated: every
    frame is decoded into one new array of ``frames × rows × cols × samples × itemsize`` bytes.

    Raises:
        AttributeError: no pixel element.
        InvalidDicomError: inconsistent image attributes or bytes.
        MissingCodecError: compressed data and no decoder installed.
    """
    elem, _ = _pixel_element(ds)
    spec = pixel_spec(ds)
    if is_encapsulated(ds):
        buf, ranges = _frame_ranges(ds, elem, spec)
        return decode_frames(buf, ranges, spec, _compressed_syntax(ds, elem))
    buffer, spec = _native_buffer(ds, elem, spec, None)
    return native_array(buffer, spec)


def frame(ds: Any, index: int) -> np.ndarray:
    """Frame ``index`` (negative counts from the end): for native data a view over a
    copy-on-write mapping of that frame's bytes only; for encapsulated data only that frame's
    fragments are read and decoded.

    Raises IndexError for a frame out of range, else as :func:`pixel_array`.
    """
    elem, _ = _pixel_element(ds)
    spec = pixel_spec(ds)
    if is_encapsulated(ds):
        buf, ranges = _frame_ranges(ds, elem, spec)
        return decode_frames(buf, ranges, spec, _compressed_syntax(ds, elem), frame=index)
    if ds.__dict__.get("_pixel_cache") is not None:
        cached = ds._pixel_cache
        return cached if spec.frames == 1 and index in (0, -1) else cached[index]
    buffer, one = _native_buffer(ds, elem, spec, index)
    if one is spec:
        return native_array(buffer, spec, frame=index)
    return native_array(buffer, one)


_frame_at = frame  # for to_image, whose ``frame`` argument shadows the function


def iter_frames(ds: Any) -> Iterator[np.ndarray]:
    """Each frame in turn (see :func:`frame`)."""
    count = pixel_spec(ds).frames
    for k in range(count):
        yield frame(ds, k)


def frame_bytes(ds: Any, index: int) -> bytes:
    """The compressed bytes of frame ``index`` (its fragments joined), reading only them.

    Raises ValueError for native (not encapsulated) pixel data.
    """
    elem, _ = _pixel_element(ds)
    if not is_encapsulated(ds):
        raise ValueError(
            "frame_bytes() is for encapsulated pixel data; use frame() for native data"
        )
    spec = pixel_spec(ds)
    buf, ranges = _frame_ranges(ds, elem, spec)
    return _frame_bytes(buf, ranges[index])


def to_image(ds: Any, *, frame: int | None = None, window: Any = None) -> np.ndarray:
    """Frame ``frame`` (default the first) through modality LUT, VOI (window or LUT; min/max
    without one), presentation LUT / MONOCHROME1 inversion and palette, as ``uint8``
    (rows, cols) or (rows, cols, 3)."""
    arr = _frame_at(ds, 0 if frame is None else frame)
    little = ds.is_little_endian if ds.is_little_endian is not None else True
    return to_display(arr, ds, window=window, little_endian=little)

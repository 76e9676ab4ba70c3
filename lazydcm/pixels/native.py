"""Native (uncompressed) pixel data as numpy arrays: the one place views over the mapping are made.

:func:`native_array` turns the value bytes of a native pixel element into an array shaped as
:attr:`PixelSpec.shape` (or one frame of it). When :func:`can_view` says so, the result is a
numpy *view* of the caller's buffer - no bytes are copied, and for a writable copy-on-write buffer
(``Source.cow_view``) in-place edits change the array without touching the file. Otherwise it is
a converted copy of only the frames asked for:

* big endian data (and 8-bit OW big endian data, byte-swapped within words) -> native byte order;
* Bits Allocated 1 -> one ``uint8`` 0/1 per sample (PS3.5 8.1.1, first pixel in the lowest bit);
* native YBR_FULL_422 (Y1 Y2 Cb Cr per pixel pair, PS3.3 C.7.6.3.1.2) -> full-resolution samples.

Unused high bits (Bits Stored < Bits Allocated) are corrected as pydicom 3 does: signed samples
are sign-extended from bit ``bits_stored - 1`` and unsigned ones have the high bits cleared
(PS3.5 8.1.1: the unused bits' contents are not defined). That correction can only be made on a
copy, so the data is checked first and a view is still returned when no sample needs it.

Lifetime: a returned view keeps the buffer exported; it stays valid as long as the buffer object
(an ``mmap`` cannot be closed while a view of it is alive - closing raises ``BufferError`` rather
than freeing memory under the array).
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import numpy as np

from lazydcm.errors import InvalidDicomError
from lazydcm.pixels.lut import convert_color_space
from lazydcm.pixels.spec import PixelSpec

__all__ = [
    "PixelSpec",  # defined in pixels/spec.py; re-exported per docs/internals.md
    "can_view",
    "native_array",
    "needs_bit_correction",
    "correct_unused_bits",
    "keep_low_bits",
]

_LITTLE_ENDIAN_HOST = sys.byteorder == "little"
_CHUNK = 1 << 22  # samples per step when checking unused bits (bounds temporaries to ~32 MiB)


def can_view(spec: PixelSpec) -> tuple[bool, str]:
    """Say whether native pixel data with this layout can be returned as a view.

    Returns ``(True, "")`` when the stored samples can be used in place (byte order native,
    8/16/32/64 bits allocated, any planar configuration - colour-by-plane gives a non-contiguous
    view), else ``(False, reason)`` with the reason a copy is needed. With Bits Stored < Bits
    Allocated a view is returned only if no sample has stray high bits (checked per call).
    """
    if spec.bits_allocated == 1:
        return False, "Bits Allocated is 1: pixels are bit-packed and must be unpacked"
    if spec.kind == "int" and spec.is_ybr_422:
        return False, "native YBR_FULL_422 is chroma-subsampled and must be expanded"
    if spec.bits_allocated > 8 and spec.little_endian != _LITTLE_ENDIAN_HOST:
        order = "little" if spec.little_endian else "big"
        return False, f"pixel data is {order} endian, this machine is {sys.byteorder} endian"
    if _swapped_ow(spec):
        return False, "8-bit OW pixel data in big endian is byte-swapped within 16-bit words"
    return True, ""


def needs_bit_correction(spec: PixelSpec) -> bool:
    """True when samples have unused high bits that pydicom-compatible output corrects."""
    return spec.kind == "int" and spec.bits_allocated > 1 and spec.bits_stored < spec.bits_allocated


def correct_unused_bits(arr: np.ndarray, spec: PixelSpec) -> np.ndarray:
    """Sign-extend (signed) or clear (unsigned) the bits above Bits Stored, in place.

    ``arr`` must be a writable integer array in native byte order with ``bits_allocated`` bits per
    item; it is returned. Does nothing unless :func:`needs_bit_correction`.
    """
    if not needs_bit_correction(spec) or arr.dtype.itemsize * 8 != spec.bits_allocated:
        return arr
    return keep_low_bits(arr, spec.bits_stored)


def keep_low_bits(arr: np.ndarray, bits: int) -> np.ndarray:
    """Reinterpret the low ``bits`` bits of each item of ``arr`` in place and return ``arr``.

    For a signed dtype bit ``bits - 1`` becomes the sign (sign extension), for an unsigned one
    the higher bits are cleared. ``arr`` must be a writable native-order integer array.
    """
    shift = arr.dtype.itemsize * 8 - bits
    if shift <= 0:
        return arr
    unsigned = arr.view(arr.dtype.str.replace("i", "u"))
    np.left_shift(unsigned, shift, out=unsigned)  # shift as unsigned: no signed overflow
    np.right_shift(arr, shift, out=arr)  # arithmetic for signed dtypes, logical for unsigned
    return arr


def _swapped_ow(spec: PixelSpec) -> bool:
    # Explicit VR Big Endian (retired, PS3.5 A.3 of older editions): OW is a stream of 16-bit
    # big endian words, so 8-bit samples come in swapped pairs; OB is a plain byte stream.
    return not spec.little_endian and spec.bits_allocated == 8 and spec.pixel_vr == "OW"


def _has_stray_bits(flat: np.ndarray, spec: PixelSpec) -> bool:
    """True if any sample of ``flat`` (1-D, native order) differs from its corrected value."""
    for start in range(0, flat.size, _CHUNK):
        chunk = flat[start : start + _CHUNK]
        if spec.pixel_representation:
            top = chunk >> (spec.bits_stored - 1)  # all-zero or all-one above the sign bit
            if np.any((top != 0) & (top != -1)):
                return True
        elif np.any(chunk >> spec.bits_stored):
            return True
    return False


def _frame_index(frame: Any, frames: int) -> int:
    try:
        index = int(frame)
    except (TypeError, ValueError):
        raise TypeError(f"frame must be an int, not {type(frame).__name__}") from None
    if index < 0:
        index += frames
    if not 0 <= index < frames:
        raise IndexError(f"frame {frame} out of range for {frames} frame(s)")
    return index


def _as_bytes_view(buffer: Any) -> memoryview:
    view = memoryview(buffer)
    if view.ndim != 1 or view.format not in ("B", "b", "c"):
        view = view.cast("B")
    return view


def _check_length(view: memoryview, spec: PixelSpec) -> None:
    actual, expected = len(view), spec.expected_nbytes
    if actual < expected:
        raise InvalidDicomError(
            f"pixel data is {actual} bytes but {spec.describe()} needs {expected}",
            tag=spec.tag,
        )
    if actual - expected > 1:  # PS3.5 7.1.1: one trailing pad byte makes odd lengths even
        warnings.warn(
            f"pixel data is {actual} bytes, {actual - expected} more than the {expected} "
            f"needed for {spec.describe()}; the excess is ignored",
            stacklevel=3,
        )


def _shape_frames(flat: np.ndarray, spec: PixelSpec, count: int) -> np.ndarray:
    """Reshape ``count`` frames of samples to (count, rows, cols[, samples])."""
    if spec.samples_per_pixel == 1:
        return flat.reshape(count, spec.rows, spec.columns)
    if spec.planar_configuration == 1:
        planes = flat.reshape(count, spec.samples_per_pixel, spec.rows, spec.columns)
        return np.moveaxis(planes, 1, -1)
    return flat.reshape(count, spec.rows, spec.columns, spec.samples_per_pixel)


def _unpack_bits(view: memoryview, spec: PixelSpec, first: int, count: int) -> np.ndarray:
    # PS3.5 8.1.1 / D.1: bits are packed LSB first, and frames follow without byte alignment.
    per_frame = spec.samples_per_frame
    start_bit = first * per_frame
    nbits = count * per_frame
    lo, hi = start_bit // 8, -(-(start_bit + nbits) // 8)
    packed = np.frombuffer(view, dtype=np.uint8, count=hi - lo, offset=lo)
    bits = np.unpackbits(packed, bitorder="little")
    skip = start_bit - lo * 8
    return bits[skip : skip + nbits]


def _read_samples(view: memoryview, spec: PixelSpec, byte_offset: int, count: int) -> np.ndarray:
    """``count`` stored samples from ``byte_offset`` as a 1-D array: a view if possible."""
    dtype = spec.dtype
    if _swapped_ow(spec):
        lo, hi = byte_offset & ~1, byte_offset + count
        hi += hi & 1
        raw = bytearray(view[lo:hi])
        raw += b"\0" * (hi - lo - len(raw))  # an odd last word lacking its pad byte
        words = np.frombuffer(raw, dtype=">u2").byteswap()
        return words.view(np.uint8)[byte_offset - lo : byte_offset - lo + count].view(dtype)
    flat = np.frombuffer(view, dtype=dtype, count=count, offset=byte_offset)
    if not dtype.isnative:
        flat = flat.astype(dtype.newbyteorder("="))
    return flat


def _expand_ybr_422(flat: np.ndarray, spec: PixelSpec, count: int) -> np.ndarray:
    """Native YBR_FULL_422 (Y1 Y2 Cb Cr per pixel pair, PS3.3 C.7.6.3.1.2) to full samples."""
    quads = flat.reshape(count, spec.rows, spec.columns // 2, 4)
    out = np.empty((count, spec.rows, spec.columns, 3), dtype=flat.dtype)
    out[:, :, 0::2, 0] = quads[..., 0]
    out[:, :, 1::2, 0] = quads[..., 1]
    out[:, :, 0::2, 1] = out[:, :, 1::2, 1] = quads[..., 2]
    out[:, :, 0::2, 2] = out[:, :, 1::2, 2] = quads[..., 3]
    return out


def native_array(
    buffer: Any,
    spec: PixelSpec,
    *,
    frame: int | None = None,
    correct_bits: bool = True,
    as_rgb: bool = True,
) -> np.ndarray:
    """Return native pixel data as an array - a view of ``buffer`` whenever possible.

    Args:
        buffer: the pixel element's value bytes (a memoryview, ``bytes``, ``mmap``...). Pass a
            writable copy-on-write view for an array that can be edited in place, or a
            read-only one for a read-only array. Bytes beyond :attr:`PixelSpec.expected_nbytes`
            (a pad byte) are ignored; more than one excess byte warns.
        spec: the layout.
        frame: None for all frames (shape :attr:`PixelSpec.shape`), or a frame index (negative
            counts from the end) for that frame alone (shape :attr:`PixelSpec.frame_shape`).
        correct_bits: correct unused high bits as pydicom does (see module docstring). False
            always returns the stored values (a view when :func:`can_view`), and reads nothing.
        as_rgb: convert YBR_FULL / YBR_FULL_422 colour to RGB, as pydicom's ``pixel_array``
            does by default (this makes a copy). False returns the stored colour space
            (native YBR_FULL_422 expanded to full resolution).

    Returns:
        An array of :attr:`PixelSpec.array_dtype` (native byte order). A view when
        :func:`can_view` is true, no unused bits needed correcting and no colour conversion was
        asked for; it lives as long as ``buffer`` does.

    Raises:
        InvalidDicomError: ``buffer`` is shorter than the spec requires (names the pixel tag).
        IndexError: ``frame`` is out of range.
    """
    view = _as_bytes_view(buffer)
    _check_length(view, spec)
    if frame is None:
        first, count = 0, spec.frames
    else:
        first, count = _frame_index(frame, spec.frames), 1

    if spec.bits_allocated == 1:
        flat = _unpack_bits(view, spec, first, count)
        arr = _shape_frames(flat, spec, count)
    elif spec.kind == "int" and spec.is_ybr_422:
        spec.check_native_422()
        per_frame = spec.rows * spec.columns * 2  # samples per native 4:2:2 frame
        flat = _read_samples(view, spec, first * spec.frame_nbytes, count * per_frame)
        arr = _expand_ybr_422(flat, spec, count)
        flat = arr.reshape(-1)
    else:
        flat = _read_samples(view, spec, first * spec.frame_nbytes, count * spec.samples_per_frame)
        arr = _shape_frames(flat, spec, count)

    if correct_bits and needs_bit_correction(spec) and _has_stray_bits(flat, spec):
        if flat.flags.writeable and not np.shares_memory(flat, view):
            correct_unused_bits(flat, spec)  # a copy already; ``arr`` views it
        else:
            arr = _shape_frames(correct_unused_bits(flat.copy(), spec), spec, count)

    if frame is not None or spec.frames == 1:
        arr = arr[0]
    if as_rgb and spec.samples_per_pixel == 3 and spec.photometric in ("YBR_FULL", "YBR_FULL_422"):
        arr = convert_color_space(arr, "YBR_FULL", "RGB")
    return arr


def check_buffer(buffer: Any, spec: PixelSpec) -> memoryview:
    """``buffer`` as a flat byte view, checked to hold the pixel data ``spec`` describes.

    Reads no pixel bytes (O(1)). Raises :class:`InvalidDicomError` (the pixel tag) when the
    buffer is too short; warns when it has more than one excess byte (PS3.5 7.1.1 allows one pad
    byte).
    """
    view = _as_bytes_view(buffer)
    _check_length(view, spec)
    return view


def needs_copy(spec: PixelSpec, *, as_rgb: bool = True) -> str:
    """Why frames of this layout are converted copies rather than views of the stored bytes:
    the :func:`can_view` reason, or the colour conversion ``as_rgb`` asks for; ``""`` when the
    stored samples are used in place."""
    ok, reason = can_view(spec)
    if not ok:
        return reason
    if as_rgb and spec.samples_per_pixel == 3 and spec.photometric in ("YBR_FULL", "YBR_FULL_422"):
        return "YBR_FULL colour is converted to RGB"
    return ""


def stored_samples(view: memoryview, spec: PixelSpec) -> np.ndarray:
    """All stored samples as a view of ``view``, shape ``(frames, samples per frame)`` (each
    row one frame's samples in stored order), dtype :attr:`PixelSpec.dtype`.

    Only for layouts where :func:`needs_copy` is ``""`` (native byte order, 8-64 bits): no byte
    is read or copied and unused high bits are left as stored. Writable iff ``view`` is.
    :func:`shape_frames` gives the image-shaped view of the same memory.
    """
    flat = np.frombuffer(view, dtype=spec.dtype, count=spec.frames * spec.samples_per_frame)
    return flat.reshape(spec.frames, spec.samples_per_frame)


def shape_frames(samples: np.ndarray, spec: PixelSpec) -> np.ndarray:
    """Frames of samples (:func:`stored_samples`) as ``(frames, rows, cols[, samples])``: a
    view (colour-by-plane data gives a non-contiguous one, PS3.3 C.7.6.3.1.3)."""
    return _shape_frames(samples.reshape(-1), spec, samples.shape[0])


def correct_in_place(samples: np.ndarray, spec: PixelSpec) -> bool:
    """Correct the unused high bits of ``samples`` (a writable 1-D view, native order) in place
    where any sample needs it, as pydicom does (see the module docstring).

    The samples are read once and written only when some sample has stray bits, so a
    copy-on-write mapping gains private pages only for data that really needed correcting.
    Returns True if anything was written.
    """
    if not needs_bit_correction(spec) or not _has_stray_bits(samples, spec):
        return False
    correct_unused_bits(samples, spec)
    return True

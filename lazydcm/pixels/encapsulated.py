"""Frames of encapsulated pixel data: their bytes, and decoded arrays.

:mod:`lazydcm.io.encaps` says where each frame's fragments are (``frame_ranges``); this module
joins a frame's fragments into one codestream (:func:`frame_bytes`) and decodes frames into an
array (:func:`decode_frames`) one at a time, so only the frames asked for are read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from lazydcm.errors import InvalidDicomError
from lazydcm.pixels.codecs import decode_frame
from lazydcm.pixels.spec import PixelSpec

__all__ = ["frame_bytes", "iter_frame_bytes", "decode_frames"]

Ranges = Sequence[tuple[int, int]]


def frame_bytes(buf: Any, ranges_for_frame: Ranges) -> bytes:
    """The codestream of one frame: its fragments' bytes concatenated (a new ``bytes``).

    ``ranges_for_frame`` is one entry of :func:`lazydcm.io.encaps.frame_ranges`. A trailing pad
    byte in the last fragment is kept: every decoder ignores bytes after the end marker.

    Raises:
        InvalidDicomError: a range lies outside ``buf``.
    """
    view = memoryview(buf).cast("B")
    for offset, length in ranges_for_frame:
        if offset < 0 or length < 0 or offset + length > len(view):
            raise InvalidDicomError(
                f"fragment of {length} bytes at {offset:#x} lies outside the buffer "
                f"({len(view)} bytes)",
                offset=offset,
                tag=0x7FE00010,
            )
    if len(ranges_for_frame) == 1:
        offset, length = ranges_for_frame[0]
        return bytes(view[offset : offset + length])
    return b"".join(view[offset : offset + length] for offset, length in ranges_for_frame)


def iter_frame_bytes(buf: Any, ranges: Sequence[Ranges]) -> Iterator[bytes]:
    """Yield each frame's codestream in order (see :func:`frame_bytes`); lazily, one at a time."""
    for ranges_for_frame in ranges:
        yield frame_bytes(buf, ranges_for_frame)


def decode_frames(
    buf: Any,
    ranges: Sequence[Ranges],
    spec: PixelSpec,
    transfer_syntax_uid: str,
    *,
    frame: int | None = None,
    as_rgb: bool = True,
    correct_bits: bool = True,
    plugin: str | None = None,
) -> np.ndarray:
    """Decode encapsulated frames into one new array.

    Args:
        buf: the buffer the ``ranges`` point into.
        ranges: the fragments of every frame (:func:`lazydcm.io.encaps.frame_ranges`).
        frame: None for all frames (shape :attr:`PixelSpec.shape`) or one frame's index
            (negative from the end; shape :attr:`PixelSpec.frame_shape`) - only that frame's
            bytes are read.
        as_rgb, correct_bits, plugin: as for :func:`lazydcm.pixels.codecs.decode_frame`.

    Returns an array of :attr:`PixelSpec.array_dtype`, not backed by ``buf``.

    Raises:
        InvalidDicomError: the number of frames found differs from Number of Frames, or a frame
            cannot be decoded.
        MissingCodecError: no decoder for the syntax is installed.
        IndexError: ``frame`` is out of range.
    """
    if len(ranges) != spec.frames:
        raise InvalidDicomError(
            f"found {len(ranges)} encapsulated frame(s), Number of Frames is {spec.frames}",
            tag=0x7FE00010,
        )

    def one(index: int) -> np.ndarray:
        return decode_frame(
            frame_bytes(buf, ranges[index]),
            spec,
            transfer_syntax_uid,
            as_rgb=as_rgb,
            correct_bits=correct_bits,
            plugin=plugin,
        )

    if frame is not None:
        index = int(frame)
        if index < 0:
            index += spec.frames
        if not 0 <= index < spec.frames:
            raise IndexError(f"frame {frame} out of range for {spec.frames} frame(s)")
        return one(index)
    first = one(0)
    if spec.frames == 1:
        return first
    # Allocate only after the first frame decodes, so a bogus frame count fails cheaply.
    out = np.empty((spec.frames, *first.shape), dtype=first.dtype)
    out[0] = first
    for index in range(1, spec.frames):
        out[index] = one(index)
    return out

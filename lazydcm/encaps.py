"""pydicom's ``encaps`` module as a face over :mod:`lazydcm.io.encaps` (reading items) and
:mod:`lazydcm.io.encapsulate` (writing them).

``buffer`` below is an encapsulated Pixel Data value as ``ds.PixelData`` gives it: the Basic
Offset Table item and the fragment items (a trailing sequence delimiter is allowed). The
functions read item headers, never decode; a frame's bytes are copied out of ``buffer``.
``endianness`` is ``"<"`` (the only one PS3.5 A.4 allows) or ``">"``. Malformed items raise
``InvalidDicomError`` with the offset in ``buffer``.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

from lazydcm.io.encaps import Fragments, frame_ranges
from lazydcm.io.encaps import parse_fragments as _parse
from lazydcm.io.encapsulate import (
    encapsulate,
    encapsulate_extended,
    fragment_frame,
    itemize_fragment,
)

__all__ = [
    "encapsulate",
    "encapsulate_extended",
    "fragment_frame",
    "itemize_fragment",
    "itemize_frame",
    "generate_fragments",
    "generate_fragmented_frames",
    "generate_frames",
    "get_frame",
    "parse_basic_offsets",
    "parse_fragments",
]

_SEQ_DELIM = {
    True: struct.pack("<HHI", 0xFFFE, 0xE0DD, 0),
    False: struct.pack(">HHI", 0xFFFE, 0xE0DD, 0),
}


def _items(buffer: Any, endianness: str) -> tuple[memoryview, Fragments]:
    little = endianness != ">"
    view = memoryview(buffer).cast("B")
    delim = _SEQ_DELIM[little]
    if bytes(view[-8:-4]) != delim[:4]:  # the element value as ds.PixelData holds it
        view = memoryview(bytes(view) + delim)
    return view, _parse(view, 0, len(view), little_endian=little)


def _eot(extended_offsets: Any) -> tuple[list[int] | None, list[int] | None]:
    if extended_offsets is None:
        return None, None
    offsets, lengths = extended_offsets
    if isinstance(offsets, (bytes, bytearray)):
        offsets = list(struct.unpack(f"<{len(offsets) // 8}Q", offsets))
    if isinstance(lengths, (bytes, bytearray)):
        lengths = list(struct.unpack(f"<{len(lengths) // 8}Q", lengths))
    return list(offsets), None if lengths is None else list(lengths)


def itemize_frame(frame: bytes, nr_fragments: int = 1) -> Iterator[bytes]:
    """Each fragment of ``frame`` as an item (header and even-length value)."""
    for piece in fragment_frame(frame, nr_fragments):
        yield itemize_fragment(piece)


def parse_basic_offsets(buffer: Any, *, endianness: str = "<") -> list[int]:
    """The Basic Offset Table's offsets (empty when the table is empty)."""
    return list(_items(buffer, endianness)[1].bot)


def _after_bot(buffer: Any, endianness: str) -> tuple[memoryview, Fragments]:
    """Items of a buffer that starts at the first fragment (after the Basic Offset Table)."""
    tag = struct.pack("<HH" if endianness != ">" else ">HH", 0xFFFE, 0xE000)
    return _items(tag + b"\0\0\0\0" + bytes(memoryview(buffer).cast("B")), endianness)


def parse_fragments(buffer: Any, *, endianness: str = "<") -> tuple[int, list[int]]:
    """``(number of fragments, offset of each fragment's item tag)`` for a ``buffer`` that
    starts at the first fragment's item tag (after the Basic Offset Table), as pydicom's."""
    frags = _after_bot(buffer, endianness)[1]
    return len(frags.items), [offset - 16 for offset, _length in frags.items]


def generate_fragments(buffer: Any, *, endianness: str = "<") -> Iterator[bytes]:
    """The value of each fragment item, in order; ``buffer`` starts at the first fragment's
    item tag (after the Basic Offset Table)."""
    view, frags = _after_bot(buffer, endianness)
    for offset, length in frags.items:
        yield bytes(view[offset : offset + length])


def generate_fragmented_frames(
    buffer: Any,
    *,
    number_of_frames: int | None = None,
    extended_offsets: Any = None,
    endianness: str = "<",
) -> Iterator[tuple[bytes, ...]]:
    """The fragments of each frame, grouped by the Extended Offset Table
    (``(offsets, lengths)``, as lists or as the (7FE0,0001)/(7FE0,0002) bytes), the Basic
    Offset Table or the frame markers (see ``lazydcm.io.encaps.frame_ranges``). Without
    ``number_of_frames`` the count comes from the tables, else one frame per fragment."""
    view, frags = _items(buffer, endianness)
    eot_offsets, eot_lengths = _eot(extended_offsets)
    if number_of_frames is None:
        if eot_offsets is not None:
            number_of_frames = len(eot_offsets)
        elif frags.bot:
            number_of_frames = len(frags.bot)
        else:
            number_of_frames = len(frags.items)
    ranges = frame_ranges(
        frags, number_of_frames, eot_offsets=eot_offsets, eot_lengths=eot_lengths, buf=view
    )
    for frame in ranges:
        yield tuple(bytes(view[offset : offset + length]) for offset, length in frame)


def generate_frames(
    buffer: Any,
    *,
    number_of_frames: int | None = None,
    extended_offsets: Any = None,
    endianness: str = "<",
) -> Iterator[bytes]:
    """Each frame's bytes (its fragments joined); grouping as
    :func:`generate_fragmented_frames`."""
    for pieces in generate_fragmented_frames(
        buffer,
        number_of_frames=number_of_frames,
        extended_offsets=extended_offsets,
        endianness=endianness,
    ):
        yield b"".join(pieces)


def get_frame(
    buffer: Any,
    index: int,
    *,
    extended_offsets: Any = None,
    number_of_frames: int | None = None,
    endianness: str = "<",
) -> bytes:
    """Frame ``index`` (0-based). Raises ``IndexError`` past the last frame."""
    for i, frame in enumerate(
        generate_frames(
            buffer,
            number_of_frames=number_of_frames,
            extended_offsets=extended_offsets,
            endianness=endianness,
        )
    ):
        if i == index:
            return frame
    raise IndexError(f"frame {index} is past the last frame")

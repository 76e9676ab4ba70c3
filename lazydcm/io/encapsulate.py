"""Writing encapsulated pixel data items (PS3.5 A.4): the inverse of :mod:`lazydcm.io.encaps`.

Bytes only. An encapsulated value is a Basic Offset Table item, then one item per fragment,
each of even length (PS3.5 A.4: "fragments ... shall have an even length"); the sequence
delimiter that closes the element is written by the element encoder, not here. Offsets in the
Basic and Extended Offset Tables count from the first byte of the first fragment's item tag.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence

__all__ = ["encapsulate", "encapsulate_extended", "fragment_frame", "itemize_fragment"]

_ITEM_TAG = struct.pack("<HH", 0xFFFE, 0xE000)  # PS3.5 7.5, little endian (A.4)


def itemize_fragment(fragment: bytes) -> bytes:
    """One fragment as an item: tag (FFFE,E000), 32-bit length, value padded to even length."""
    if len(fragment) % 2:
        fragment = bytes(fragment) + b"\0"
    return _ITEM_TAG + struct.pack("<I", len(fragment)) + bytes(fragment)


def fragment_frame(frame: bytes, nr_fragments: int = 1) -> Iterator[bytes]:
    """Split ``frame`` into ``nr_fragments`` pieces: all but the last of ``len // n`` bytes
    (rounded down to even), the last the rest, padded to even length.

    Raises ``ValueError`` when ``nr_fragments`` is below 1 or leaves a piece under two bytes."""
    length = len(frame)
    if nr_fragments < 1:
        raise ValueError(f"cannot split a frame into {nr_fragments} fragments")
    if nr_fragments == 1:
        yield bytes(frame) if length % 2 == 0 else bytes(frame) + b"\0"
        return
    size = length // nr_fragments
    size -= size % 2
    if size < 2:
        raise ValueError(f"cannot split {length} bytes into {nr_fragments} fragments")
    for k in range(nr_fragments):
        stop = (k + 1) * size if k < nr_fragments - 1 else length
        piece = bytes(frame[k * size : stop])
        yield piece if len(piece) % 2 == 0 else piece + b"\0"


def encapsulate(
    frames: Sequence[bytes], fragments_per_frame: int = 1, has_bot: bool = True
) -> bytes:
    """The items of an encapsulated Pixel Data value: a Basic Offset Table item (filled with
    each frame's offset when ``has_bot``, else empty) and ``fragments_per_frame`` fragments per
    frame. Raises ``ValueError`` when an offset does not fit 32 bits (use
    :func:`encapsulate_extended`, PS3.5 A.4) or a frame cannot be split that finely."""
    body = bytearray()
    offsets = []
    for frame in frames:
        offsets.append(len(body))
        for piece in fragment_frame(frame, fragments_per_frame):
            body += itemize_fragment(piece)
    if has_bot and offsets and offsets[-1] > 0xFFFFFFFF:
        raise ValueError("frame offsets exceed 32 bits: use an Extended Offset Table")
    table = struct.pack(f"<{len(offsets)}I", *offsets) if has_bot else b""
    return _ITEM_TAG + struct.pack("<I", len(table)) + table + bytes(body)


def encapsulate_extended(frames: Sequence[bytes]) -> tuple[bytes, bytes, bytes]:
    """``(items, extended_offset_table, extended_offset_table_lengths)``: the items with an
    empty Basic Offset Table and one fragment per frame, and the values of (7FE0,0001) and
    (7FE0,0002) as 64-bit little endian offsets / lengths (PS3.3 C.7.6.3.1.8)."""
    body = bytearray()
    offsets, lengths = [], []
    for frame in frames:
        item = itemize_fragment(frame)
        offsets.append(len(body))
        lengths.append(len(item) - 8)  # the frame as stored: padded to even length
        body += item
    items = _ITEM_TAG + struct.pack("<I", 0) + bytes(body)
    n = len(offsets)
    return items, struct.pack(f"<{n}Q", *offsets), struct.pack(f"<{n}Q", *lengths)

"""Encapsulated pixel data (PS3.5 A.4): the fragment items and which of them make each frame.

Bytes only: tags are ints, nothing from ``model/`` is imported. Both functions are pure functions
over a buffer (``bytes``, ``memoryview``, ``mmap`` ...) and absolute offsets.

An encapsulated pixel data value is a sequence of items (PS3.5 A.4, Table A.4-1)::

    (FFFE,E000) len  Basic Offset Table: uint32 offsets (may be empty)
    (FFFE,E000) len  fragment 1
    ...
    (FFFE,E0DD) 0    sequence delimiter

In a file the delimiter ends the value (the element has undefined length, PS3.5 7.5.2). A value
held in memory - what reading ``ds.PixelData`` gives, or what pydicom's and lazydcm's
``encapsulate`` build - is the items alone: its length bounds them, and a trailing delimiter is
allowed but not needed (``delimited=False``).

BOT and Extended Offset Table offsets count from the first byte of the first fragment's item
tag and point at item tags. :func:`parse_fragments` reads only the 8-byte item headers (and the
BOT), never fragment contents; :func:`frame_ranges` reads at most a few bytes at each end of a
fragment, and only when no offset table says where frames start.

Malformed bytes raise :class:`~lazydcm.errors.InvalidDicomError` with the offset and tag.
"""

from __future__ import annotations

import struct
import warnings
from collections.abc import Sequence
from typing import Any

import attrs

from lazydcm.errors import InvalidDicomError, TruncatedDicomError

__all__ = ["Fragments", "parse_fragments", "fragments", "frame_ranges", "items_only"]

_ITEM = 0xFFFEE000  # PS3.5 7.5: Item
_SEQ_DELIM = 0xFFFEE0DD  # PS3.5 7.5: Sequence Delimitation Item
_UNDEFINED = 0xFFFFFFFF
_PIXEL_DATA = 0x7FE00010

# Frame start markers (PS3.5 A.4.1-A.4.x): JPEG / JPEG-LS SOI, JPEG 2000 / HTJ2K SOC+SIZ, JP2
# signature box, JPEG XL codestream and container signatures.
_START_MARKERS = (
    b"\xff\xd8\xff",
    b"\xff\x4f\xff\x51",
    b"\x00\x00\x00\x0cjP  ",
    b"\xff\x0a",
    b"\x00\x00\x00\x0cJXL ",
)
_END_MARKER = b"\xff\xd9"  # JPEG / JPEG-LS EOI and JPEG 2000 EOC


@attrs.frozen
class Fragments:
    """The items of one encapsulated pixel data value.

    Attributes:
        bot: the Basic Offset Table's entries (empty tuple when the BOT item is empty).
        items: ``(value_offset, length)`` of each fragment, absolute, in order.
        first_item_offset: absolute offset of the first fragment's item tag - the origin of BOT
            and Extended Offset Table offsets (the delimiter's offset when there are none).
        end: absolute offset just past the sequence delimiter item.
    """

    bot: tuple[int, ...]
    items: tuple[tuple[int, int], ...]
    first_item_offset: int
    end: int


def _header(buf: Any, offset: int, limit: int, little_endian: bool, tag: int) -> tuple[int, int]:
    if offset + 8 > limit:
        raise TruncatedDicomError(
            f"item header needs 8 bytes, {max(0, limit - offset)} left", offset=offset, tag=tag
        )
    group, element, length = struct.unpack_from("<HHI" if little_endian else ">HHI", buf, offset)
    return (group << 16) | element, length


def parse_fragments(
    buf: Any,
    value_offset: int,
    end: int,
    *,
    little_endian: bool = True,
    tag: int = _PIXEL_DATA,
    delimited: bool = True,
) -> Fragments:
    """Read the item headers of encapsulated pixel data in ``buf[value_offset:end]``.

    Args:
        buf: any object supporting the buffer protocol.
        value_offset: absolute offset of the first item (the BOT item).
        end: absolute offset the items may not pass (the element's end, or the buffer size).
        tag: the element's tag, for error messages.
        delimited: True for the bytes of a file, where the Sequence Delimitation Item must end
            the items (PS3.5 7.5.2); False for a value held in memory, whose items end at
            ``end`` or at a delimiter, whichever comes first (``Fragments.end`` is then ``end``
            or just past the delimiter).

    Returns:
        A :class:`Fragments`; it holds offsets only, no view of ``buf``.

    Raises:
        InvalidDicomError: the first item is not an item or its length is not a multiple of 4;
            an item has undefined length; a tag other than Item / Sequence Delimiter appears;
            a header or value runs past ``end`` (:class:`TruncatedDicomError`); with
            ``delimited`` the sequence delimiter is missing; without it, bytes follow the last
            item that are too few for an item header.
    """
    limit = min(end, len(memoryview(buf).cast("B")))
    offset = value_offset
    item_tag, length = _header(buf, offset, limit, little_endian, tag)
    if item_tag != _ITEM:
        raise InvalidDicomError(
            f"encapsulated pixel data must start with a Basic Offset Table item (FFFE,E000), "
            f"found ({item_tag >> 16:04X},{item_tag & 0xFFFF:04X})",
            offset=offset,
            tag=tag,
        )
    if length == _UNDEFINED or length % 4:
        raise InvalidDicomError(
            f"Basic Offset Table length {length:#x} is not a multiple of 4", offset=offset, tag=tag
        )
    if offset + 8 + length > limit:
        raise TruncatedDicomError(
            f"Basic Offset Table of {length} bytes runs past the end ({limit})",
            offset=offset,
            tag=tag,
        )
    fmt = ("<" if little_endian else ">") + f"{length // 4}I"
    bot = struct.unpack_from(fmt, buf, offset + 8)
    offset += 8 + length
    first_item = offset
    items: list[tuple[int, int]] = []
    while True:
        if not delimited and offset == limit:
            return Fragments(bot=bot, items=tuple(items), first_item_offset=first_item, end=offset)
        item_tag, length = _header(buf, offset, limit, little_endian, tag)
        if item_tag == _SEQ_DELIM:
            # PS3.5 7.5: the delimiter's length is 0; a nonzero one is tolerated and ignored
            return Fragments(
                bot=bot, items=tuple(items), first_item_offset=first_item, end=offset + 8
            )
        if item_tag != _ITEM:
            raise InvalidDicomError(
                f"expected a fragment item (FFFE,E000) or sequence delimiter (FFFE,E0DD), "
                f"found ({item_tag >> 16:04X},{item_tag & 0xFFFF:04X})",
                offset=offset,
                tag=tag,
            )
        if length == _UNDEFINED:
            raise InvalidDicomError("a fragment item has undefined length", offset=offset, tag=tag)
        if offset + 8 + length > limit:
            raise TruncatedDicomError(
                f"fragment of {length} bytes runs past the end ({limit})", offset=offset, tag=tag
            )
        items.append((offset + 8, length))
        offset += 8 + length


def fragments(
    buf: Any, value_offset: int, end: int, *, little_endian: bool = True
) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
    """``(bot_offsets, [(offset, length), ...])`` - :func:`parse_fragments` as a plain tuple."""
    parsed = parse_fragments(buf, value_offset, end, little_endian=little_endian)
    return parsed.bot, parsed.items


def _group_by_starts(
    fragments: Fragments, starts: Sequence[int], source: str, lengths: Sequence[int] | None
) -> list[list[tuple[int, int]]] | None:
    """Frames from table offsets (relative to the first item tag); None if they do not fit."""
    by_offset = {
        value_offset - 8 - fragments.first_item_offset: i
        for i, (value_offset, _) in enumerate(fragments.items)
    }
    indices = []
    for offset in starts:
        index = by_offset.get(int(offset))
        if index is None or (indices and index <= indices[-1]):
            warnings.warn(
                f"{source} offset {int(offset)} does not point at a fragment after the previous "
                f"frame's; ignoring the table",
                stacklevel=3,
            )
            return None
        indices.append(index)
    if indices[0] != 0:
        warnings.warn(f"{source} does not start at the first fragment; ignoring it", stacklevel=3)
        return None
    bounds = [*indices, len(fragments.items)]
    frames = [list(fragments.items[bounds[i] : bounds[i + 1]]) for i in range(len(indices))]
    if lengths is not None:
        frames = [_trim(frame, int(n)) for frame, n in zip(frames, lengths, strict=True)]
    return frames


def _trim(frame: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Cut a frame's ranges to ``length`` bytes (EOT lengths exclude trailing padding)."""
    total = sum(n for _, n in frame)
    if not 0 < length <= total:
        return frame
    out, left = [], length
    for offset, n in frame:
        if left <= 0:
            break
        out.append((offset, min(n, left)))
        left -= n
    return out


def _is_start(buf: Any, item: tuple[int, int]) -> bool:
    offset, length = item
    head = bytes(memoryview(buf).cast("B")[offset : offset + min(length, 8)])
    return head.startswith(_START_MARKERS)


def _is_end(buf: Any, item: tuple[int, int]) -> bool:
    offset, length = item
    tail = bytes(memoryview(buf).cast("B")[offset + max(0, length - 3) : offset + length])
    if tail.endswith(b"\0"):  # PS3.5 A.4: a fragment may be padded after the EOI / EOC
        tail = tail[:-1]
    return tail.endswith(_END_MARKER)


def _split(
    items: Sequence[tuple[int, int]], flags: Sequence[bool], at_start: bool
) -> list[list[tuple[int, int]]]:
    frames: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for item, flag in zip(items, flags, strict=True):
        if at_start and flag and current:
            frames.append(current)
            current = []
        current.append(item)
        if not at_start and flag:
            frames.append(current)
            current = []
    if current:
        frames.append(current)
    return frames


def frame_ranges(
    fragments: Fragments,
    n_frames: int,
    *,
    eot_offsets: Sequence[int] | None = None,
    eot_lengths: Sequence[int] | None = None,
    buf: Any = None,
) -> list[list[tuple[int, int]]]:
    """Group fragments into frames: for each frame, the ``(offset, length)`` of its fragments.

    In order of preference (PS3.5 A.4 and its notes):

    1. the Extended Offset Table (7FE0,0001) ``eot_offsets``, with (7FE0,0002) ``eot_lengths``
       trimming each frame to its length when given;
    2. a non-empty Basic Offset Table;
    3. one frame: all fragments; as many fragments as frames: one each;
    4. with ``buf`` given, frame boundaries from markers: fragments that start with a JPEG SOI,
       JPEG 2000 SOC, JP2 or JPEG XL signature, or else fragments that end with an EOI / EOC
       (FFD9), when their count matches ``n_frames``.

    A table that does not fit (wrong count, an offset not at a fragment, not increasing) is
    ignored with a warning and the next rule tried.

    Raises:
        InvalidDicomError: no fragments, or no rule gives ``n_frames`` frames.
    """
    items = fragments.items
    if not items:
        raise InvalidDicomError(
            "encapsulated pixel data has no fragments",
            offset=fragments.first_item_offset,
            tag=_PIXEL_DATA,
        )
    if n_frames < 1:
        raise InvalidDicomError(f"Number of Frames is {n_frames}", tag=0x00280008)
    if eot_offsets is not None and len(eot_offsets):
        if len(eot_offsets) != n_frames or (
            eot_lengths is not None and len(eot_lengths) != n_frames
        ):
            warnings.warn(
                f"Extended Offset Table has {len(eot_offsets)} offsets"
                + (f" and {len(eot_lengths)} lengths" if eot_lengths is not None else "")
                + f" for {n_frames} frames; ignoring it",
                stacklevel=2,
            )
        else:
            frames = _group_by_starts(fragments, eot_offsets, "Extended Offset Table", eot_lengths)
            if frames is not None:
                return frames
    if fragments.bot:
        if len(fragments.bot) != n_frames:
            warnings.warn(
                f"Basic Offset Table has {len(fragments.bot)} offsets for {n_frames} frames; "
                f"ignoring it",
                stacklevel=2,
            )
        else:
            frames = _group_by_starts(fragments, fragments.bot, "Basic Offset Table", None)
            if frames is not None:
                return frames
    if n_frames == 1:
        return [list(items)]
    if len(items) == n_frames:
        return [[item] for item in items]
    if buf is not None and len(items) > n_frames:
        starts = [_is_start(buf, item) for item in items]
        if starts[0] and sum(starts) == n_frames:
            return _split(items, starts, at_start=True)
        ends = [_is_end(buf, item) for item in items]
        if ends[-1] and sum(ends) == n_frames:
            return _split(items, ends, at_start=False)
    raise InvalidDicomError(
        f"cannot tell which of the {len(items)} fragments belong to each of the {n_frames} "
        f"frames: no usable offset table"
        + (
            " and no frame markers" if buf is not None else " (no buffer given to look for markers)"
        ),
        offset=fragments.first_item_offset,
        tag=_PIXEL_DATA,
    )


def items_only(value: Any) -> Any:
    """The items of an in-memory encapsulated value without what follows them: a trailing
    Sequence Delimitation Item (and any bytes after it) is cut off, so that a writer that adds
    the delimiter itself (PS3.5 7.5.2) writes exactly one. ``value`` is returned unchanged when
    it has no delimiter or its items cannot be parsed (the caller decides about bad values).
    """
    try:
        parsed = parse_fragments(value, 0, len(memoryview(value).cast("B")), delimited=False)
    except InvalidDicomError:
        return value
    last = parsed.items[-1][0] + parsed.items[-1][1] if parsed.items else parsed.first_item_offset
    return value if last == parsed.end else value[:last]

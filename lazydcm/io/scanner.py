"""The one-pass offset scanner: where each element of a DICOM stream starts and ends.

Contract (sans-IO, in the manner of h11's readers). Every function here is a pure function of a
buffer (``bytes``, ``mmap`` or ``memoryview`` - anything with the buffer protocol and ``len``)
and offsets into it. It never opens, seeks, maps or copies more than a header; it either

- returns what it found: a :class:`FileHead`, an :class:`~lazydcm.io.index.ElementIndex` or a
  list of :class:`Item` (all plain numbers, valid after the buffer is gone), or
- raises :class:`~lazydcm.errors.InvalidDicomError` with the ``offset`` and ``tag`` of the
  problem (:class:`~lazydcm.errors.TruncatedDicomError` when the bytes end too soon,
  :class:`~lazydcm.errors.NotDicomError` when the stream is not DICOM and ``force`` is off).

Nothing else escapes on bad bytes (a ``ValueError`` means the caller passed impossible offsets).
Every step consumes at least 8 bytes, so scanning terminates; nesting of undefined-length items
is bounded by :data:`MAX_DEPTH`, so it never recurses without bound.

What the scanner does not do: it looks up no dictionary and decodes no value. An undefined
length can only belong to a sequence, to UN with sequence content, or to encapsulated pixel data,
and all three are walked by item and delimiter tags alone.

Tolerance, decided against the real-world corpus (``CATALOG.tsv``) and kept narrow:

- Odd value lengths are accepted (the value layer may warn).
The tolerated deviations are listed in ``docs/deviations.md``; each one met at a dataset level
is noted on ``ElementIndex.deviations`` (an InvalidDicomError naming offset and tag) so that the
reader can warn or, strictly, raise it:

- A dataset level may end with zero bytes: a tail of NULs where the next header would start is
  treated as padding and not indexed (``ElementIndex.stop`` still covers it). Any other bytes
  that do not form an element raise.
- A stray Item tag with a defined length at dataset level (fo-dicom ``FreezePattern.dcm``: an
  empty SQ followed by an empty item), and a stray zero-length Sequence Delimitation Item at a
  dataset level that is not an undefined-length item, are indexed as elements with no VR so that
  the byte ranges still tile. A zero-length Item Delimitation Item outside an undefined-length
  item is skipped (not indexed); with a non-zero length it raises.
- With ``keep_truncated``, an element header cut short at the end of the buffer ends the index
  (the header is not indexed; ``truncation`` holds the error).
- An undefined-length UN whose items do not walk in implicit VR little endian (PS3.5 6.2.2) but
  do in explicit VR little endian is walked so (devices that relabelled an SQ as UN).
- In an explicit-VR syntax, an element whose VR bytes are not a DICOM VR is read as implicit VR
  little endian (tag + 32-bit length, VR recorded as none) when that reading is consistent
  (its value fits), and raises otherwise. Writers that switch to implicit VR mid-stream exist.
- A file meta group written in implicit VR is read as such; a (0002,0000) group length that
  does not land on an element boundary is ignored and the meta group is read while the group is
  0002 (fo-dicom ``GH1339.dcm``).
- The last item of a defined-length sequence whose own length runs past the sequence's end is
  cut at the sequence's end (``Item.length`` keeps the written value, ``Item.end`` is the
  sequence's end): pydicom's ``DICOMDIR-nooffset`` has such an item, which DCMTK and pydicom
  read. Items of undefined-length sequences get no such allowance.
- A transfer syntax that contradicts the first dataset element (a file that says explicit VR
  but is written implicit, and so on) is overridden by sniffing; ``FileHead.sniffed`` says so.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

import attrs

from lazydcm.errors import InvalidDicomError, NotDicomError, TruncatedDicomError
from lazydcm.io.header import (
    ITEM,
    ITEM_DELIM,
    LONG_LENGTH_VRS,
    SEQ_DELIM,
    UNDEFINED_LENGTH,
    VRS,
    read_header_fields,
)
from lazydcm.io.index import ElementIndex, IndexBuilder
from lazydcm.io.sniff import chain_crosses, element_fits, sniff_layout
from lazydcm.io.syntax import (
    IMPLICIT_LE_LAYOUT,
    ByteLayout,
    layout_for,
)

__all__ = [
    "MAX_DEPTH",
    "PIXEL_DATA",
    "TRANSFER_SYNTAX_UID",
    "FileHead",
    "Item",
    "scan_preamble_and_meta",
    "scan_dataset",
    "scan_items",
    "sniff_layout",
]

MAX_DEPTH = 64  # nesting of undefined-length items; deeper raises InvalidDicomError

PIXEL_DATA = 0x7FE00010
TRANSFER_SYNTAX_UID = 0x00020010
_META_GROUP_LENGTH = 0x00020000
_PREAMBLE_LENGTH = 128  # PS3.10 7.1: 128-byte preamble, then "DICM"
_MAGIC = b"DICM"

_ITEM_LE = struct.Struct("<HHL")
_ITEM_BE = struct.Struct(">HHL")
_U16_LE = struct.Struct("<H")
_TAG_LE = struct.Struct("<HH")
_TAG_BE = struct.Struct(">HH")
_U32_LE = struct.Struct("<L")
_U32_BE = struct.Struct(">L")
_EXPLICIT_LE = struct.Struct("<HH2sH")
_EXPLICIT_BE = struct.Struct(">HH2sH")
_ZERO_CHUNK = bytes(1 << 16)
_NO_STOP_TAG = 1 << 32

try:  # the optional C inner loop (built from _scanfast.c when a compiler is present)
    from lazydcm.io._scanfast import scan_plain as _scan_plain
except ImportError:  # pragma: no cover - depends on the build
    _scan_plain = None


class Item(NamedTuple):
    """One item of a sequence (or one fragment of encapsulated pixel data); an immutable
    named tuple, cheap to make for each of thousands of items.

    Attributes:
        header_offset: offset of the (FFFE,E000) item header.
        value_offset: offset of the item's content (``header_offset + 8``).
        length: the item length as written (``UNDEFINED_LENGTH`` kept as is).
        end: offset just past the item, past its Item Delimitation Item if undefined length (the
            content then ends at ``end - 8``); for an item that overruns its defined-length
            sequence, the sequence's end (see the module docstring).
        undefined_length: True when ``length`` is ``UNDEFINED_LENGTH``.
    """

    header_offset: int
    value_offset: int
    length: int
    end: int
    undefined_length: bool

    @property
    def content_end(self) -> int:
        """Offset just past the item's content (before its delimiter, if it has one)."""
        return self.end - 8 if self.undefined_length else self.end


@attrs.frozen(slots=True, eq=False)
class FileHead:
    """What precedes the dataset: preamble, ``DICM``, the file meta group.

    Attributes:
        has_preamble: True when a 128-byte preamble and ``DICM`` were found (PS3.10 7.1).
        preamble: the 128 preamble bytes, or None.
        meta: index of the (0002,eeee) file meta elements (always little endian, PS3.10 7.1);
            empty when the stream has no meta group.
        dataset_offset: where the dataset starts.
        transfer_syntax_uid: the (0002,0010) value with NUL/space padding stripped, or None.
        layout: how to read the dataset: from the transfer syntax, or sniffed.
        sniffed: True when ``layout`` was sniffed from the dataset's first element (no transfer
            syntax, or one the bytes contradict) rather than taken from the transfer syntax.
        meta_implicit_vr: True when the meta group itself was written in implicit VR (against
            PS3.10 7.1, but real); its records then have no VR.
    """

    has_preamble: bool
    preamble: bytes | None
    meta: ElementIndex
    dataset_offset: int
    transfer_syntax_uid: str | None
    layout: ByteLayout
    sniffed: bool = False
    meta_implicit_vr: bool = False


def _where(stop: int, size: int) -> str:
    return f"end of file (size {size})" if stop >= size else f"end of its container at 0x{stop:X}"


def _past_end(what: str, offset: int, tag: int | None, need_end: int, stop: int, size: int):
    """Build the error for something running past ``stop``: truncation if past the buffer."""
    cls = TruncatedDicomError if need_end > size else InvalidDicomError
    return cls(f"{what} runs past {_where(stop, size)}", offset=offset, tag=tag)


def _all_zero(buf, start: int, stop: int) -> bool:
    """True when ``buf[start:stop]`` holds only NUL bytes (compared a chunk at a time)."""
    view = memoryview(buf)
    chunk = len(_ZERO_CHUNK)
    for pos in range(start, stop, chunk):
        n = min(chunk, stop - pos)
        if view[pos : pos + n].tobytes() != (_ZERO_CHUNK if n == chunk else bytes(n)):
            return False
    return True


# --------------------------------------------------------------------------- dataset scanning


def _tag_at(buf, pos: int, little_endian: bool) -> int:
    group, elem = (_TAG_LE if little_endian else _TAG_BE).unpack_from(buf, pos)
    return (group << 16) | elem


def _deviate(builder: IndexBuilder | None, reason: str, offset: int, tag: int | None = None):
    """Note a tolerated deviation (see docs/deviations.md) on the index being built."""
    if builder is not None:
        builder.deviations.append(InvalidDicomError(reason, offset=offset, tag=tag))


def _implicit_fallback(buf, pos: int, stop: int, little_endian: bool):
    """An explicit-VR header at ``pos`` whose VR bytes are no VR: read it as implicit VR
    little endian if that is consistent (its value fits before ``stop``), else raise the VR
    error. Some writers switch to implicit VR mid-stream."""
    try:
        read_header_fields(buf, pos, False, little_endian)
    except TruncatedDicomError:
        raise
    except InvalidDicomError as exc:
        error = exc
    else:  # pragma: no cover - only called for headers that fail to read
        raise AssertionError("_implicit_fallback called for a readable header")
    tag, _vr, value_offset, length = read_header_fields(buf, pos, True, True)
    if length != UNDEFINED_LENGTH and value_offset + length > stop:
        raise error
    return tag, value_offset, length


def _walk_items(
    buf,
    pos: int,
    stop: int,
    implicit_vr: bool,
    little_endian: bool,
    depth: int,
    fragments: bool,
    owner: int | None,
    items: list | None,
    defined_end: int | None = None,
) -> int:
    """Walk items from ``pos``; return the offset past the Sequence Delimitation Item.

    With ``defined_end`` set, walk a defined-length value instead: items until exactly
    ``defined_end`` (no delimiter) and return it. ``fragments`` forbids undefined-length items
    (encapsulated pixel data, PS3.5 A.4). ``owner`` is the sequence's tag, for errors.
    """
    size = len(buf)
    unpack = (_ITEM_LE if little_endian else _ITEM_BE).unpack_from
    limit = stop if defined_end is None else defined_end
    while True:
        if defined_end is not None and pos == defined_end:
            return pos
        if pos + 8 > limit:
            raise _past_end("sequence", pos, owner, pos + 8, limit, size)
        group, elem, length = unpack(buf, pos)
        tag = (group << 16) | elem
        if tag == ITEM:
            if length == UNDEFINED_LENGTH:
                if fragments:
                    raise InvalidDicomError(
                        "encapsulated pixel data fragment has undefined length",
                        offset=pos,
                        tag=owner,
                    )
                _, end = _scan(
                    buf, pos + 8, limit, implicit_vr, little_endian, True, depth + 1, None
                )
            else:
                end = pos + 8 + length
                if end > limit:
                    if defined_end is None:
                        raise _past_end(f"item of length {length}", pos, owner, end, limit, size)
                    # PS3.5 7.5.1: the lengths should agree; when an item overruns its
                    # defined-length sequence, the sequence's length wins (as in DCMTK).
                    end = limit
            if items is not None:
                items.append(Item(pos, pos + 8, length, end, length == UNDEFINED_LENGTH))
            pos = end
        elif tag == SEQ_DELIM and defined_end is None:
            if length != 0:
                raise InvalidDicomError(
                    f"sequence delimiter has length {length}, not 0", offset=pos, tag=owner
                )
            return pos + 8
        else:
            what = "sequence" if owner is None else f"({owner >> 16:04X},{owner & 0xFFFF:04X})"
            raise InvalidDicomError(
                f"expected an item in the value of {what}, found ({group:04X},{elem:04X})",
                offset=pos,
                tag=tag,
            )


def _undefined_value_end(
    buf, tag: int, vr, header_offset: int, value_offset: int, stop: int,
    implicit_vr: bool, little_endian: bool, depth: int,
) -> int:  # fmt: skip
    """Return the offset past the Sequence Delimitation Item of an undefined-length value."""
    fragments = tag == PIXEL_DATA
    if vr is not None:
        if vr == b"UN":
            # PS3.5 6.2.2: undefined-length UN holds a sequence in Implicit VR Little Endian.
            # Some devices kept the explicit VR encoding of an SQ they relabelled UN: when the
            # implicit walk fails, an explicit VR little endian walk that succeeds is taken
            # (the model layer detects the layout of each item the same way).
            try:
                return _walk_items(
                    buf, value_offset, stop, True, True, depth, False, tag, None
                )  # fmt: skip
            except InvalidDicomError as exc:
                try:
                    return _walk_items(
                        buf, value_offset, stop, False, True, depth, False, tag, None
                    )  # fmt: skip
                except InvalidDicomError:
                    raise exc from None
        elif vr == b"SQ":
            fragments = False
        elif vr != b"OB" and vr != b"OW":
            # PS3.5 7.1.2: only OB, OW (encapsulated pixel data), SQ and UN may be undefined.
            raise InvalidDicomError(
                f"VR {bytes(vr).decode('ascii')} cannot have an undefined length",
                offset=header_offset,
                tag=tag,
            )
    return _walk_items(
        buf, value_offset, stop, implicit_vr, little_endian, depth, fragments, tag, None
    )


def _scan(
    buf,
    start: int,
    stop: int,
    implicit_vr: bool,
    little_endian: bool,
    in_item: bool,
    depth: int,
    builder: IndexBuilder | None,
    stop_tag: int | None = None,
    delimiter_at_stop: bool = False,
    keep_truncated: bool = False,
) -> tuple[int, int]:
    """Scan elements from ``start``; return ``(range_stop, end)``.

    ``in_item``: an undefined-length item's content: stop at its Item Delimitation Item and
    return ``(delimiter_offset, delimiter_offset + 8)``; the delimiter must end by ``stop``,
    or with ``delimiter_at_stop`` may start at ``stop``.
    Otherwise scan to ``stop`` and return ``(stop, stop)``; with ``stop_tag``, stop before the
    first element whose tag is ``>= stop_tag`` and return ``(its_offset, its_offset)``.
    Records go to ``builder`` when one is given.
    """
    if depth > MAX_DEPTH:
        raise InvalidDicomError(f"items nested deeper than {MAX_DEPTH} levels", offset=start)
    size = len(buf)
    pos = start
    unpack_explicit = (_EXPLICIT_LE if little_endian else _EXPLICIT_BE).unpack_from
    unpack_implicit = (_ITEM_LE if little_endian else _ITEM_BE).unpack_from
    unpack_u32 = (_U32_LE if little_endian else _U32_BE).unpack_from
    if builder is not None:
        add_tag = builder.tags.append
        vrs = builder.vrs
        add_nums = builder.nums.extend
    plain_stop_tag = _NO_STOP_TAG if stop_tag is None else stop_tag
    while pos < stop:
        if _scan_plain is not None:
            # The C loop reads plain elements up to the next one that needs the code below.
            pos, found_tags, found_vrs, found_nums = _scan_plain(
                buf, pos, stop, implicit_vr, little_endian, plain_stop_tag
            )
            if builder is not None and found_tags:
                builder.tags.frombytes(found_tags)
                vrs += found_vrs
                builder.nums.frombytes(found_nums)
            if pos >= stop:
                break
        if pos + 8 > stop:
            if not in_item and _all_zero(buf, pos, stop):
                _deviate(builder, f"{stop - pos} NUL bytes of padding after the last element", pos)
                break  # a few trailing NULs, too short for a header: padding
            cut_tag = _tag_at(buf, pos, little_endian) if pos + 4 <= stop else None
            error = _past_end("element header", pos, cut_tag, pos + 8, stop, size)
            if keep_truncated and not in_item and builder is not None and stop >= size:
                builder.truncation = error  # a header cut short at the end: not indexed
                break
            raise error
        # The header forms of PS3.5 7.1 (see lazydcm.io.header), decoded inline for speed.
        if implicit_vr:
            group, elem, length = unpack_implicit(buf, pos)
            tag = (group << 16) | elem
            vr = None
            value_offset = pos + 8
        else:
            group, elem, vr, length = unpack_explicit(buf, pos)
            tag = (group << 16) | elem
            if group == 0xFFFE:  # PS3.5 7.5: items and delimiters carry no VR
                vr = None
                (length,) = unpack_u32(buf, pos + 4)
                value_offset = pos + 8
            elif vr in LONG_LENGTH_VRS:  # PS3.5 7.1.2: 2 reserved bytes + 32-bit length
                value_offset = pos + 12
                if value_offset > stop:
                    error = _past_end("element header", pos, tag, value_offset, stop, size)
                    if keep_truncated and not in_item and builder is not None and stop >= size:
                        builder.truncation = error  # a header cut short at the end
                        break
                    raise error
                (length,) = unpack_u32(buf, pos + 8)
            elif vr in VRS:
                value_offset = pos + 8
            else:
                tag, value_offset, length = _implicit_fallback(buf, pos, stop, little_endian)
                vr = None
        if tag == 0 and length == 0 and not in_item and _all_zero(buf, pos, stop):
            _deviate(builder, f"{stop - pos} NUL bytes of padding after the last element", pos)
            break  # trailing NUL padding at the end of a dataset level
        if stop_tag is not None and tag >= stop_tag:
            return pos, pos
        try:
            if length == UNDEFINED_LENGTH:
                if (tag >> 16) == 0xFFFE:
                    if tag == ITEM_DELIM and in_item:
                        return pos, value_offset
                    raise InvalidDicomError(
                        "item or delimiter of undefined length outside a sequence",
                        offset=pos,
                        tag=tag,
                    )
                end = _undefined_value_end(
                    buf, tag, vr, pos, value_offset, stop, implicit_vr, little_endian, depth
                )
            else:
                if (tag >> 16) == 0xFFFE:
                    if tag == ITEM_DELIM:
                        if in_item:
                            return pos, value_offset  # PS3.5 7.5.2 (length should be 0)
                        if length != 0:
                            raise InvalidDicomError(
                                f"item delimiter of length {length} outside an"
                                " undefined-length item",
                                offset=pos,
                                tag=tag,
                            )
                        # PS3.5 7.5.2 has it close an undefined-length item only. A lone one
                        # carries nothing (SR writers leave one after the last element):
                        # skipped, not indexed; a no-op save copies it with the range.
                        _deviate(
                            builder, "item delimiter outside an undefined-length item", pos, tag
                        )
                        pos = value_offset
                        continue
                    if tag == SEQ_DELIM and (in_item or length != 0):
                        raise InvalidDicomError(
                            "sequence delimiter inside an item (missing item delimiter)"
                            if in_item
                            else f"stray sequence delimiter with length {length}",
                            offset=pos,
                            tag=tag,
                        )
                    if tag != ITEM and tag != SEQ_DELIM:
                        raise InvalidDicomError("unknown item/delimiter tag", offset=pos, tag=tag)
                    # A stray item (defined length) or zero-length sequence delimiter: tolerated.
                    _deviate(
                        builder,
                        "stray item at dataset level"
                        if tag == ITEM
                        else "sequence delimiter outside an undefined-length sequence",
                        pos,
                        tag,
                    )
                end = value_offset + length
                if end > stop:
                    raise _past_end(f"value length {length}", pos, tag, end, stop, size)
        except TruncatedDicomError as exc:
            # keep_truncated: the last element of a file cut short is indexed up to the end
            # of the bytes; decoding it raises this error (kept on the builder) later.
            if not keep_truncated or in_item or stop < size or builder is None:
                raise
            builder.truncation = exc
            end = stop
        if builder is not None:
            add_tag(tag)
            vrs += b"\0\0" if vr is None else vr
            add_nums((pos, value_offset, length, end))
        pos = end
    if in_item:
        if delimiter_at_stop and pos == stop and pos + 8 <= size:
            # The caller gave the content's end (the delimiter's offset) as ``stop``.
            group, elem, length = (_ITEM_LE if little_endian else _ITEM_BE).unpack_from(buf, pos)
            if (group << 16) | elem == ITEM_DELIM:
                return pos, pos + 8
        cls = TruncatedDicomError if stop >= size else InvalidDicomError
        raise cls(
            f"undefined-length item content from 0x{start:X} has no item delimiter before"
            f" {_where(stop, size)}",
            offset=pos,
        )
    return stop, stop


def scan_dataset(
    buf,
    start: int,
    stop: int,
    *,
    implicit_vr: bool,
    little_endian: bool,
    stop_at_item_delimiter: bool = False,
    depth: int = 0,
    stop_tag: int | None = None,
    keep_truncated: bool = False,
) -> ElementIndex:
    """Index the elements of one dataset level in ``buf[start:stop]`` in one pass.

    Defined-length values are skipped in O(1) after checking they end within ``stop``.
    Undefined-length values (sequences, UN with sequence content, encapsulated pixel data) are
    walked item by item only far enough to find their Sequence Delimitation Item; items of
    defined length are skipped in O(1). Nested elements are not indexed.

    Args:
        buf: the bytes.
        start, stop: the range to index (``0 <= start <= stop <= len(buf)``).
        implicit_vr, little_endian: the encoding of this level.
        stop_at_item_delimiter: ``start`` is the content of an undefined-length item: stop at
            its Item Delimitation Item, which must start before or at ``stop`` (so ``stop`` may
            be the item's :attr:`Item.content_end`, or any larger bound).
        depth: nesting depth of this level (for the :data:`MAX_DEPTH` bound).
        stop_tag: stop before the first element whose tag is ``>= stop_tag`` (e.g. 0x7FE00008
            to index everything before the pixel data); nothing from there on is read.
        keep_truncated: when the last element's value runs past the end of ``buf`` (a file
            cut short), index it with ``end`` at the end of the bytes instead of raising; the
            error is kept as the index's ``truncation`` (decoding that element raises it).

    Returns:
        The :class:`ElementIndex`. Its ``stop`` is ``stop``, the delimiter's offset with
        ``stop_at_item_delimiter`` (then ``end`` is 8 past it), or the offset of the element
        that ``stop_tag`` stopped at.

    Raises:
        InvalidDicomError: malformed bytes (TruncatedDicomError when they end too soon).
        ValueError: ``start``/``stop`` outside the buffer.
    """
    if not 0 <= start <= stop <= len(buf):
        raise ValueError(f"range [{start}, {stop}) is not within a buffer of {len(buf)} bytes")
    builder = IndexBuilder(start)
    range_stop, end = _scan(
        buf, start, stop, implicit_vr, little_endian, stop_at_item_delimiter, depth, builder,
        stop_tag, delimiter_at_stop=True, keep_truncated=keep_truncated,
    )  # fmt: skip
    return builder.freeze(range_stop, end)


def scan_items(
    buf,
    value_offset: int,
    length: int,
    *,
    implicit_vr: bool,
    little_endian: bool,
    stop: int | None = None,
    partial: bool = False,
) -> list[Item]:
    """Return the items of a sequence value (or the fragments of encapsulated pixel data).

    Args:
        buf: the bytes.
        value_offset: where the sequence's value starts.
        length: its value length; ``UNDEFINED_LENGTH`` walks to the Sequence Delimitation Item.
        implicit_vr, little_endian: the encoding of the items (for UN of undefined length pass
            implicit VR little endian, PS3.5 6.2.2).
        stop: bound for an undefined-length value (default: end of ``buf``).
        partial: the value is the last element of a stream cut short: return the items that
            end within the bytes, then the item cut short (if its header is whole) as
            ``Item(header_offset, value_offset, length, end of the bytes, False)``, instead of
            raising TruncatedDicomError; other malformations still raise.

    Returns:
        The :class:`Item` list in order. Undefined-length items were scanned to their delimiter.

    Raises:
        InvalidDicomError: something other than an item inside the value, a value or item that
            runs past its bound (TruncatedDicomError past the end of ``buf``).
    """
    size = len(buf)
    bound = size if stop is None else stop
    if not 0 <= value_offset <= bound <= size:
        raise ValueError(f"value offset {value_offset} is not within [0, {bound}]")
    items: list[Item] = []
    if partial:
        end = bound if length == UNDEFINED_LENGTH else min(bound, value_offset + length)
        try:  # every item appended by the walk is whole
            _walk_items(buf, value_offset, end, implicit_vr, little_endian, 0, False, None, items)
        except TruncatedDicomError:
            pos = items[-1].end if items else value_offset
            if pos + 8 <= end:  # the item cut short, when its header is whole
                group, elem, item_length = (_ITEM_LE if little_endian else _ITEM_BE).unpack_from(
                    buf, pos
                )
                if (group << 16) | elem == ITEM:
                    items.append(Item(pos, pos + 8, item_length, end, False))
        return items
    if length == UNDEFINED_LENGTH:
        _walk_items(buf, value_offset, bound, implicit_vr, little_endian, 0, False, None, items)
    else:
        end = value_offset + length
        if end > bound:
            raise _past_end(f"sequence of length {length}", value_offset, None, end, bound, size)
        _walk_items(buf, value_offset, end, implicit_vr, little_endian, 0, False, None, items, end)
    return items


# --------------------------------------------------------------------------- preamble and meta


def _group_le(buf, pos: int) -> int | None:
    if pos + 2 > len(buf):
        return None
    return _U16_LE.unpack_from(buf, pos)[0]


def _scan_meta_by_group_length(buf, start: int) -> ElementIndex | None:
    """The common case, fast: an explicit VR (0002,0000) UL group length whose range holds
    exactly whole group 0002 elements. None when anything differs (the careful loop of
    :func:`_scan_meta` then reads the group and reports what is wrong)."""
    size = len(buf)
    if start + 12 > size:
        return None
    group, elem, vr, length = _EXPLICIT_LE.unpack_from(buf, start)
    if elem != 0 or vr != b"UL" or length != 4:
        return None
    group_end = start + 12 + _U32_LE.unpack_from(buf, start + 8)[0]
    if group_end > size:
        return None
    builder = IndexBuilder(start)
    try:
        _scan(buf, start, group_end, False, True, False, 0, builder)
    except InvalidDicomError:
        return None
    tags = builder.tags
    if not tags or builder.nums[-1] != group_end or min(tags) >> 16 != 2 or max(tags) >> 16 != 2:
        return None
    return builder.freeze(group_end)


def _scan_meta(buf, start: int) -> tuple[ElementIndex, bool]:
    """Index the (0002,eeee) elements from ``start`` (PS3.10 7.1: explicit VR little endian,
    or implicit VR if the first element says so); return the index and whether it is implicit."""
    size = len(buf)
    builder = IndexBuilder(start)
    if _group_le(buf, start) != 2:
        return builder.freeze(start), False
    fast = _scan_meta_by_group_length(buf, start)
    if fast is not None:
        return fast, False
    implicit = start + 6 <= size and bytes(buf[start + 4 : start + 6]) not in VRS
    pos = start
    group_end = None
    while pos < size:
        if pos == group_end:
            break  # PS3.10 7.1: (0002,0000) says the meta group ends here
        if pos + 2 > size:
            if group_end is not None and pos < group_end:
                raise _past_end("file meta group", pos, None, group_end, size, size)
            break
        if _group_le(buf, pos) != 2:
            break
        tag, vr, value_offset, length = read_header_fields(buf, pos, implicit, True)
        if length == UNDEFINED_LENGTH:
            raise InvalidDicomError("file meta element of undefined length", offset=pos, tag=tag)
        end = value_offset + length
        if end > size:
            raise _past_end(f"value length {length}", pos, tag, end, size, size)
        if tag == _META_GROUP_LENGTH and length == 4 and pos == start:
            group_end = end + _U32_LE.unpack_from(buf, value_offset)[0]
        builder.add(tag, vr, pos, value_offset, length, end)
        pos = end
    if pos == size and group_end is not None and pos < group_end:
        raise _past_end("file meta group", pos, None, group_end, size, size)
    return builder.freeze(pos), implicit


def _transfer_syntax(buf, meta: ElementIndex) -> str | None:
    i = meta.find(TRANSFER_SYNTAX_UID)
    if i < 0:
        return None
    rec = meta.record(i)
    raw = bytes(buf[rec.value_offset : rec.value_offset + rec.length])
    return raw.decode("latin-1").strip("\0 ")


def scan_preamble_and_meta(buf, *, force: bool = False) -> FileHead:
    """Read the preamble, ``DICM`` and the file meta group, and decide the dataset's layout.

    Recognised forms (PS3.10 7.1 and the real world):

    - 128-byte preamble + ``DICM`` + meta group: the standard form.
    - ``DICM`` at offset 0 with no preamble, then the meta group: needs ``force``.
    - No ``DICM`` at all: a raw dataset (possibly starting with a meta group): needs ``force``.
      A raw dataset whose bytes 128-131 happen to read ``DICM`` inside a value is recognised as
      such when its elements parse from offset 0 across that point (dcm4che's
      ``no_preamble_dicm_in_data``).
    - Preamble + ``DICM`` with no meta group: the dataset starts at 132.

    The dataset's :class:`ByteLayout` comes from (0002,0010) when present and consistent with the
    first dataset element; otherwise it is sniffed from that element (:func:`sniff_layout`),
    defaulting to Implicit VR Little Endian (PS3.5 10.1) when the dataset is empty.

    Raises:
        NotDicomError: no ``DICM`` where PS3.10 puts it and ``force`` is False, or with ``force``
            nothing at offset 0 reads as a DICOM element.
        InvalidDicomError: a malformed meta group (TruncatedDicomError if cut short).
    """
    size = len(buf)
    dicm_at_128 = size >= 132 and bytes(buf[128:132]) == _MAGIC
    preamble = None
    if dicm_at_128 and _group_le(buf, 132) == 2:
        meta_start = 132
    elif dicm_at_128 and not _raw_dataset_at_zero(buf):
        meta_start = 132  # preamble and DICM but no meta group
    elif size >= 4 and bytes(buf[0:4]) == _MAGIC:
        if not force:
            raise NotDicomError("'DICM' at offset 0 without a 128-byte preamble", offset=0)
        meta_start = 4
    else:
        if not force:
            raise NotDicomError("no 'DICM' marker at offset 128 (PS3.10 7.1)", offset=128)
        if size and sniff_layout(buf, 0) is None and not _all_zero(buf, 0, size):
            if size < 8:
                raise TruncatedDicomError(f"only {size} bytes, not one element", offset=0)
            raise NotDicomError("no DICOM element at offset 0", offset=0)
        meta_start = 0
    if meta_start == 132:
        preamble = bytes(buf[0:_PREAMBLE_LENGTH])

    meta, meta_implicit = _scan_meta(buf, meta_start)
    dataset_offset = meta.stop
    uid = _transfer_syntax(buf, meta)
    sniffed = False
    if uid:
        layout = layout_for(uid)
        contradicted = (
            not layout.deflated
            and dataset_offset < size
            and not element_fits(buf, dataset_offset, layout)
            and not _all_zero(buf, dataset_offset, size)
        )
        if contradicted:
            guess = sniff_layout(buf, dataset_offset)
            if guess is not None:
                layout = attrs.evolve(guess, encapsulated=layout.encapsulated)
                sniffed = True
    else:
        layout = sniff_layout(buf, dataset_offset) or IMPLICIT_LE_LAYOUT
        sniffed = True
    return FileHead(
        has_preamble=preamble is not None,
        preamble=preamble,
        meta=meta,
        dataset_offset=dataset_offset,
        transfer_syntax_uid=uid,
        layout=layout,
        sniffed=sniffed,
        meta_implicit_vr=meta_implicit,
    )


def _raw_dataset_at_zero(buf) -> bool:
    """True when offset 0 starts a dataset whose elements run across offset 132."""
    layout = sniff_layout(buf, 0)
    return layout is not None and chain_crosses(buf, 0, 132, layout)

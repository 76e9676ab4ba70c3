"""The element index: one compact record per element of one dataset level, in columns.

An :class:`ElementIndex` is what the scanner produces for a dataset (the top level of a file, or
one item of a sequence): for each element, in file order, its tag, VR bytes, header offset, value
offset, value length and end offset. The records live in read-only numpy columns rather than in
one Python object each, so an index of a few hundred elements costs a few kilobytes and is built
in microseconds. Nested sequence items are *not* in the index; they are indexed on demand from
their parent's byte range.

Columns (all of length ``len(index)``, file order, read-only):

- ``tags`` (uint32): ``(group << 16) | element``;
- ``vrs`` (``S2``): the explicit VR bytes, ``b""`` (two NULs) when the element had no VR (implicit
  VR, or a group FFFE tag);
- ``header_offsets``, ``value_offsets``, ``lengths``, ``ends`` (int64): absolute offsets;
  ``lengths`` holds the value length as written (``UNDEFINED_LENGTH`` kept); ``ends`` is the
  offset just past the element, including the sequence delimiter of an undefined-length value.

Lookup by tag goes through a stable sorted permutation of the tags (binary search); when a
tag occurs more than once (malformed but real), :meth:`ElementIndex.find` returns its FIRST
occurrence in file order and :attr:`ElementIndex.duplicates` lists such tags.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterator

import attrs
import numpy as np

from lazydcm.io.header import UNDEFINED_LENGTH

__all__ = ["Record", "ElementIndex", "IndexBuilder"]

_EMPTY_VR = b"\0\0"


@attrs.frozen(slots=True)
class Record:
    """One element of an :class:`ElementIndex`.

    Attributes:
        tag: ``(group << 16) | element``.
        vr: the explicit VR bytes, or None (implicit VR, or a group FFFE tag).
        header_offset: offset of the element's header.
        value_offset: offset of its value.
        length: the value length as written (``UNDEFINED_LENGTH`` kept as is).
        end: offset just past the element (past the sequence delimiter if undefined length).
        undefined_length: True when ``length`` is ``UNDEFINED_LENGTH``.
    """

    tag: int
    vr: bytes | None
    header_offset: int
    value_offset: int
    length: int
    end: int
    undefined_length: bool


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


class IndexBuilder:
    """Accumulates records in ``array.array`` columns, then :meth:`freeze` makes the index.

    The scanner appends to the public columns directly (``tags``, ``vrs``, ``header_offsets``,
    ``value_offsets``, ``lengths``, ``ends``) for speed, or calls :meth:`add`. A builder is
    single-use: after :meth:`freeze` it must not be appended to.
    """

    __slots__ = ("start", "tags", "vrs", "header_offsets", "value_offsets", "lengths", "ends",
                 "truncation")

    def __init__(self, start: int):
        self.start = start
        self.truncation: Exception | None = None
        self.tags = array("I")
        self.vrs = bytearray()
        self.header_offsets = array("q")
        self.value_offsets = array("q")
        self.lengths = array("q")
        self.ends = array("q")

    def add(
        self,
        tag: int,
        vr: bytes | None,
        header_offset: int,
        value_offset: int,
        length: int,
        end: int,
    ) -> None:
        """Append one record (``vr`` None or two bytes)."""
        self.tags.append(tag)
        self.vrs += _EMPTY_VR if vr is None else vr
        self.header_offsets.append(header_offset)
        self.value_offsets.append(value_offset)
        self.lengths.append(length)
        self.ends.append(end)

    def freeze(self, stop: int, end: int | None = None) -> ElementIndex:
        """Return the read-only :class:`ElementIndex` of the records added so far.

        ``stop`` is the end of the indexed byte range and ``end`` the offset past everything
        consumed (``stop + 8`` when an item delimiter closed the range; default ``stop``).
        """
        if self.tags.itemsize != 4:  # pragma: no cover - "I" is 4 bytes on every CPython target
            tags = np.array(self.tags, dtype=np.uint32)
        else:
            tags = np.frombuffer(self.tags, dtype=np.uint32)
        return ElementIndex(
            tags=_readonly(tags),
            vrs=_readonly(np.frombuffer(bytes(self.vrs), dtype="S2")),
            header_offsets=_readonly(np.frombuffer(self.header_offsets, dtype=np.int64)),
            value_offsets=_readonly(np.frombuffer(self.value_offsets, dtype=np.int64)),
            lengths=_readonly(np.frombuffer(self.lengths, dtype=np.int64)),
            ends=_readonly(np.frombuffer(self.ends, dtype=np.int64)),
            start=self.start,
            stop=stop,
            end=stop if end is None else end,
            truncation=self.truncation,
        )


class ElementIndex:
    """Read-only columns of element records for one dataset level (see the module docstring).

    Attributes:
        tags, vrs, header_offsets, value_offsets, lengths, ends: the columns, file order.
        start: first byte of the indexed range.
        stop: end of the indexed range: the ``stop`` the scanner was given, the header offset
            of the item delimiter that closed an undefined-length item, or the header offset of
            the element a ``stop_tag`` scan stopped at. In a scanned index, bytes between the
            last record's end and ``stop`` are trailing NUL padding the scanner skipped.
        end: offset past everything consumed: ``stop + 8`` when an item delimiter closed the
            range, else ``stop``.
        truncation: for an index scanned with ``keep_truncated``, the TruncatedDicomError of
            its last element when the bytes ended inside it, else None.
        is_sorted: True when the tags are in non-decreasing order in the file (PS3.5 7.1 wants
            strictly ascending; files that are not exist).

    The index holds no reference to the source bytes; it stays valid (as numbers) after the
    source is closed.
    """

    __slots__ = (
        "tags",
        "vrs",
        "header_offsets",
        "value_offsets",
        "lengths",
        "ends",
        "start",
        "stop",
        "end",
        "is_sorted",
        "truncation",
        "_order",
        "_sorted_tags",
        "_duplicates",
        "_lookup",
    )

    def __init__(
        self,
        *,
        tags: np.ndarray,
        vrs: np.ndarray,
        header_offsets: np.ndarray,
        value_offsets: np.ndarray,
        lengths: np.ndarray,
        ends: np.ndarray,
        start: int,
        stop: int,
        end: int | None = None,
        truncation: Exception | None = None,
    ):
        n = len(tags)
        columns = (vrs, header_offsets, value_offsets, lengths, ends)
        if any(len(c) != n for c in columns):
            raise ValueError("ElementIndex columns must all have the same length")
        self.tags = tags
        self.vrs = vrs
        self.header_offsets = header_offsets
        self.value_offsets = value_offsets
        self.lengths = lengths
        self.ends = ends
        self.start = start
        self.stop = stop
        self.end = stop if end is None else end
        self.truncation = truncation
        if n < 2 or bool(np.all(tags[1:] >= tags[:-1])):
            self.is_sorted = True
            self._order = None
            self._sorted_tags = tags
        else:
            self.is_sorted = False
            order = np.argsort(tags, kind="stable")
            self._order = _readonly(order)
            self._sorted_tags = _readonly(tags[order])
        self._duplicates: list[int] | None = None
        self._lookup: tuple[list[int], list[int] | None] | None = None

    @classmethod
    def empty(cls, start: int, stop: int | None = None) -> ElementIndex:
        """Return an index with no records over ``[start, stop)`` (``stop`` defaults to start)."""
        return IndexBuilder(start).freeze(start if stop is None else stop)

    def __len__(self) -> int:
        return len(self.tags)

    def find(self, tag: int) -> int:
        """Return the file-order position of ``tag`` (its first occurrence), or -1 if absent.

        A binary search over the stable sorted permutation of the tags. The permutation is the
        numpy one; the search runs on a cached list copy of it, because ``bisect`` on a list
        costs a fraction of a call to ``np.searchsorted`` for a single key.
        """
        lookup = self._lookup
        if lookup is None:
            order = None if self._order is None else self._order.tolist()
            lookup = self._lookup = (self._sorted_tags.tolist(), order)
        sorted_tags, order = lookup
        i = bisect_left(sorted_tags, tag)
        if i == len(sorted_tags) or sorted_tags[i] != tag:
            return -1
        return i if order is None else order[i]

    def find_all(self, tags) -> np.ndarray:
        """Vectorised :meth:`find`: positions (int64, -1 where absent) for an array of tags."""
        tags = np.asarray(tags, dtype=np.int64).ravel()
        st = self._sorted_tags
        if len(st) == 0:
            return np.full(len(tags), -1, dtype=np.int64)
        i = np.searchsorted(st, tags, side="left")
        clipped = np.minimum(i, len(st) - 1)
        found = (i < len(st)) & (st[clipped].astype(np.int64) == tags)
        pos = clipped if self._order is None else self._order[clipped]
        return np.where(found, pos, -1).astype(np.int64)

    def __contains__(self, tag: object) -> bool:
        return isinstance(tag, int) and self.find(tag) >= 0

    def record(self, i: int) -> Record:
        """Return the record at file-order position ``i`` (negative counts from the end).

        Raises:
            IndexError: ``i`` is out of range.
        """
        n = len(self.tags)
        if not -n <= i < n:
            raise IndexError(f"record {i} out of range for an index of {n}")
        vr = bytes(self.vrs[i])
        length = int(self.lengths[i])
        return Record(
            tag=int(self.tags[i]),
            vr=vr if vr else None,
            header_offset=int(self.header_offsets[i]),
            value_offset=int(self.value_offsets[i]),
            length=length,
            end=int(self.ends[i]),
            undefined_length=length == UNDEFINED_LENGTH,
        )

    def select(self, tags) -> ElementIndex:
        """Return a new index of only the records whose tag is in ``tags`` (file order kept;
        every occurrence of a duplicated tag is kept). ``start``/``stop``/``end`` are unchanged.
        """
        wanted = np.fromiter((int(t) for t in tags), dtype=np.int64)
        keep = np.isin(self.tags.astype(np.int64), wanted)
        return ElementIndex(
            tags=_readonly(self.tags[keep]),
            vrs=_readonly(self.vrs[keep]),
            header_offsets=_readonly(self.header_offsets[keep]),
            value_offsets=_readonly(self.value_offsets[keep]),
            lengths=_readonly(self.lengths[keep]),
            ends=_readonly(self.ends[keep]),
            start=self.start,
            stop=self.stop,
            end=self.end,
            truncation=self.truncation,
        )

    def positions_in_order(self) -> np.ndarray:
        """Return file-order positions sorted by tag (stable: duplicates stay in file order)."""
        if self._order is None:
            return np.arange(len(self.tags))
        return self._order

    def tags_in_order(self) -> list[int]:
        """Return the tags in ascending order (a duplicated tag appears once per occurrence)."""
        return self._sorted_tags.tolist()

    def __iter__(self) -> Iterator[Record]:
        """Iterate over the records in tag order (stable for duplicates)."""
        for i in self.positions_in_order().tolist():
            yield self.record(i)

    def file_order(self) -> Iterator[Record]:
        """Iterate over the records in file order."""
        for i in range(len(self.tags)):
            yield self.record(i)

    @property
    def duplicates(self) -> list[int]:
        """Tags that occur more than once, ascending (empty for a well-formed dataset)."""
        if self._duplicates is None:
            st = self._sorted_tags
            if len(st) < 2:
                self._duplicates = []
            else:
                same = st[1:] == st[:-1]
                self._duplicates = np.unique(st[1:][same]).tolist()
        return list(self._duplicates)

    def __repr__(self) -> str:
        return (
            f"<ElementIndex {len(self)} elements [0x{self.start:X}, 0x{self.stop:X})"
            f"{'' if self.is_sorted else ' unsorted'}>"
        )

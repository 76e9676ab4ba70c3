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
from itertools import islice
from operator import le
from typing import NamedTuple

import numpy as np

from lazydcm.io.header import UNDEFINED_LENGTH

__all__ = ["Record", "ElementIndex", "IndexBuilder"]

_EMPTY_VR = b"\0\0"
_new_record = tuple.__new__


class Record(NamedTuple):
    """One element of an :class:`ElementIndex` (an immutable named tuple: records are made on
    every element lookup, and a tuple is the cheapest immutable record Python has).

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


_new_index = object.__new__


def _readonly(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False
    return a


class IndexBuilder:
    """Accumulates records in ``array.array`` columns, then :meth:`freeze` makes the index.

    The scanner appends to the columns directly for speed — ``tags`` (one int each), ``vrs``
    (two bytes each) and ``nums`` (four ints each: header offset, value offset, length, end) —
    or calls :meth:`add`. A builder is single-use: after :meth:`freeze` it must not be
    appended to.
    """

    __slots__ = ("start", "tags", "vrs", "nums", "truncation", "deviations")

    def __init__(self, start: int):
        self.start = start
        self.truncation: Exception | None = None
        self.deviations: list[Exception] = []
        self.tags = array("I")
        self.vrs = bytearray()
        self.nums = array("q")

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
        self.nums.extend((header_offset, value_offset, length, end))

    def freeze(self, stop: int, end: int | None = None) -> ElementIndex:
        """Return the read-only :class:`ElementIndex` of the records added so far.

        ``stop`` is the end of the indexed byte range and ``end`` the offset past everything
        consumed (``stop + 8`` when an item delimiter closed the range; default ``stop``).
        The builder's columns are handed over, not copied: do not append afterwards.
        """
        nums = self.nums
        # The columns are consistent by construction: skip ElementIndex's checks (this runs
        # for every dataset and item opened).
        index = _new_index(ElementIndex)
        index._tags = self.tags
        index._vrs = bytes(self.vrs)
        index._header_offsets = nums[0::4]
        index._value_offsets = nums[1::4]
        index._lengths = nums[2::4]
        index._ends = nums[3::4]
        index._numpy = {}
        index.start = self.start
        index.stop = stop
        index.end = stop if end is None else end
        index.truncation = self.truncation
        index.deviations = tuple(self.deviations)
        index._sorted = None
        index._order = None
        index._duplicates = None
        return index


def _column(values, dtype) -> np.ndarray:
    """A read-only numpy view (or copy, for a non-buffer sequence) of a column."""
    if isinstance(values, np.ndarray):
        arr = values.astype(dtype, copy=False)
    elif isinstance(values, (bytes, bytearray)):
        arr = np.frombuffer(bytes(values), dtype=dtype)
    elif isinstance(values, array) and np.dtype(dtype).itemsize == values.itemsize:
        arr = np.frombuffer(values, dtype=dtype) if len(values) else np.empty(0, dtype)
    else:
        arr = np.array(values, dtype=dtype)
    return _readonly(arr) if arr.flags.writeable else arr


class ElementIndex:
    """Read-only columns of element records for one dataset level (see the module docstring).

    Attributes:
        tags, vrs, header_offsets, value_offsets, lengths, ends: the columns, file order, as
            read-only numpy arrays (made on first access from compact ``array`` storage, so an
            index that is only looked up never builds them).
        start: first byte of the indexed range.
        stop: end of the indexed range: the ``stop`` the scanner was given, the header offset
            of the item delimiter that closed an undefined-length item, or the header offset of
            the element a ``stop_tag`` scan stopped at. In a scanned index, bytes between the
            last record's end and ``stop`` are trailing NUL padding the scanner skipped.
        end: offset past everything consumed: ``stop + 8`` when an item delimiter closed the
            range, else ``stop``.
        truncation: for an index scanned with ``keep_truncated``, the TruncatedDicomError of
            its last element when the bytes ended inside it (or of an element header cut
            short at the very end, which is then not indexed), else None.
        deviations: the tolerated deviations the scanner met at this level, in file order, as
            InvalidDicomError instances naming offset and tag (stray delimiters, NUL padding;
            see ``docs/deviations.md``); raising one of them is the strict reading.
        is_sorted: True when the tags are in non-decreasing order in the file (PS3.5 7.1 wants
            strictly ascending; files that are not exist).

    The index holds no reference to the source bytes; it stays valid (as numbers) after the
    source is closed.
    """

    __slots__ = (
        "_tags",
        "_vrs",
        "_header_offsets",
        "_value_offsets",
        "_lengths",
        "_ends",
        "_numpy",
        "start",
        "stop",
        "end",
        "truncation",
        "deviations",
        "_sorted",
        "_order",
        "_duplicates",
    )

    def __init__(
        self,
        *,
        tags,
        vrs,
        header_offsets,
        value_offsets,
        lengths,
        ends,
        start: int,
        stop: int,
        end: int | None = None,
        truncation: Exception | None = None,
        deviations: tuple = (),
    ):
        if isinstance(vrs, np.ndarray):
            vrs = vrs.astype("S2").tobytes()
        n = len(tags)
        columns = (header_offsets, value_offsets, lengths, ends)
        if any(len(c) != n for c in columns) or len(vrs) != 2 * n:
            raise ValueError("ElementIndex columns must all have the same length")
        if isinstance(tags, np.ndarray):  # plain ints for the Python-level lookups
            tags, header_offsets, value_offsets, lengths, ends = (
                c.tolist() for c in (tags, header_offsets, value_offsets, lengths, ends)
            )
        self._tags = tags
        self._vrs = vrs
        self._header_offsets = header_offsets
        self._value_offsets = value_offsets
        self._lengths = lengths
        self._ends = ends
        self._numpy: dict[str, np.ndarray] = {}
        self.start = start
        self.stop = stop
        self.end = stop if end is None else end
        self.truncation = truncation
        self.deviations = tuple(deviations)
        self._sorted: bool | None = None
        self._order: list[int] | None = None
        self._duplicates: list[int] | None = None

    # -- numpy columns (lazy) ---------------------------------------------------------------
    def _np(self, name: str, values, dtype) -> np.ndarray:
        arr = self._numpy.get(name)
        if arr is None:
            arr = self._numpy[name] = _column(values, dtype)
        return arr

    @property
    def tags(self) -> np.ndarray:
        return self._np("tags", self._tags, np.uint32)

    @property
    def vrs(self) -> np.ndarray:
        return self._np("vrs", self._vrs, "S2")

    @property
    def header_offsets(self) -> np.ndarray:
        return self._np("header_offsets", self._header_offsets, np.int64)

    @property
    def value_offsets(self) -> np.ndarray:
        return self._np("value_offsets", self._value_offsets, np.int64)

    @property
    def lengths(self) -> np.ndarray:
        return self._np("lengths", self._lengths, np.int64)

    @property
    def ends(self) -> np.ndarray:
        return self._np("ends", self._ends, np.int64)

    @property
    def is_sorted(self) -> bool:
        if self._sorted is None:
            t = self._tags
            self._sorted = all(map(le, t, islice(t, 1, None)))
        return self._sorted

    def _sort_order(self) -> list[int] | None:
        """None when sorted, else the stable permutation that sorts the tags."""
        if self.is_sorted:
            return None
        if self._order is None:
            self._order = sorted(range(len(self._tags)), key=self._tags.__getitem__)
        return self._order

    @classmethod
    def empty(cls, start: int, stop: int | None = None) -> ElementIndex:
        """Return an index with no records over ``[start, stop)`` (``stop`` defaults to start)."""
        return IndexBuilder(start).freeze(start if stop is None else stop)

    def __len__(self) -> int:
        return len(self._tags)

    def find(self, tag: int) -> int:
        """Return the file-order position of ``tag`` (its first occurrence), or -1 if absent.

        A binary search (``bisect``) over the tags in file order when they are sorted, else
        over a stable sorted permutation made on first use.
        """
        tags = self._tags
        order = None if self._sorted is True else self._sort_order()
        if order is None:
            i = bisect_left(tags, tag)
            return i if i < len(tags) and tags[i] == tag else -1
        i = bisect_left(order, tag, key=tags.__getitem__)
        if i < len(order) and tags[order[i]] == tag:
            return order[i]
        return -1

    @property
    def _sorted_tags(self) -> np.ndarray:
        order = self._sort_order()
        return self.tags if order is None else self.tags[np.asarray(order, dtype=np.intp)]

    def find_all(self, tags) -> np.ndarray:
        """Vectorised :meth:`find`: positions (int64, -1 where absent) for an array of tags."""
        tags = np.asarray(tags, dtype=np.int64).ravel()
        st = self._sorted_tags
        if len(st) == 0:
            return np.full(len(tags), -1, dtype=np.int64)
        i = np.searchsorted(st, tags, side="left")
        clipped = np.minimum(i, len(st) - 1)
        found = (i < len(st)) & (st[clipped].astype(np.int64) == tags)
        order = self._sort_order()
        pos = clipped if order is None else np.asarray(order, dtype=np.intp)[clipped]
        return np.where(found, pos, -1).astype(np.int64)

    def __contains__(self, tag: object) -> bool:
        return isinstance(tag, int) and self.find(tag) >= 0

    def record(self, i: int) -> Record:
        """Return the record at file-order position ``i`` (negative counts from the end).

        Raises:
            IndexError: ``i`` is out of range.
        """
        n = len(self._tags)
        if not -n <= i < n:
            raise IndexError(f"record {i} out of range for an index of {n}")
        if i < 0:
            i += n
        vr = self._vrs[2 * i : 2 * i + 2]
        length = self._lengths[i]
        # The columns hold Python ints already (array.array or list storage).
        return _new_record(
            Record,
            (
                self._tags[i],
                None if vr == _EMPTY_VR else vr,
                self._header_offsets[i],
                self._value_offsets[i],
                length,
                self._ends[i],
                length == UNDEFINED_LENGTH,
            ),
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
            deviations=self.deviations,
        )

    def positions_in_order(self) -> np.ndarray:
        """Return file-order positions sorted by tag (stable: duplicates stay in file order)."""
        order = self._sort_order()
        if order is None:
            return np.arange(len(self._tags))
        return np.asarray(order, dtype=np.intp)

    def tags_in_order(self) -> list[int]:
        """Return the tags in ascending order (a duplicated tag appears once per occurrence)."""
        order = self._sort_order()
        tags = self._tags
        return list(tags) if order is None else [tags[i] for i in order]

    def __iter__(self) -> Iterator[Record]:
        """Iterate over the records in tag order (stable for duplicates)."""
        order = self._sort_order()
        for i in range(len(self._tags)) if order is None else order:
            yield self.record(i)

    def file_order(self) -> Iterator[Record]:
        """Iterate over the records in file order."""
        for i in range(len(self._tags)):
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

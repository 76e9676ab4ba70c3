"""Tests for lazydcm.io.index: the columnar element index."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lazydcm.io.header import UNDEFINED_LENGTH
from lazydcm.io.index import ElementIndex, IndexBuilder, Record


def _build(rows, start=0, stop=None):
    """rows: (tag, vr, header_offset, value_offset, length, end)."""
    b = IndexBuilder(start)
    for row in rows:
        b.add(*row)
    return b.freeze(rows[-1][5] if stop is None and rows else (stop or start))


ROWS = [
    # tag         vr     header value length end
    (0x00080016, b"UI", 0, 8, 26, 34),
    (0x00081115, b"SQ", 34, 46, UNDEFINED_LENGTH, 182),  # end past its delimiter
    (0x00100010, None, 182, 190, 10, 200),  # implicit VR: no VR bytes
    (0x7FE00010, b"OW", 200, 212, 1000, 1212),
]


def test_columns_dtypes_and_values():
    index = _build(ROWS)
    assert len(index) == 4
    assert index.tags.dtype == np.uint32
    assert index.vrs.dtype == np.dtype("S2")
    for col in (index.header_offsets, index.value_offsets, index.lengths, index.ends):
        assert col.dtype == np.int64
    assert index.tags.tolist() == [r[0] for r in ROWS]
    assert index.vrs.tolist() == [b"UI", b"SQ", b"", b"OW"]  # two NULs read back as b""
    assert index.lengths[1] == UNDEFINED_LENGTH
    assert index.ends.tolist() == [34, 182, 200, 1212]
    assert (index.start, index.stop, index.end) == (0, 1212, 1212)
    assert index.is_sorted


def test_columns_are_read_only():
    index = _build(ROWS)
    for col in (index.tags, index.vrs, index.header_offsets, index.value_offsets,
                index.lengths, index.ends):  # fmt: skip
        assert not col.flags.writeable
        with pytest.raises(ValueError):
            col[0] = col[1]


def test_record():
    index = _build(ROWS)
    assert index.record(0) == Record(0x00080016, b"UI", 0, 8, 26, 34, False)
    assert index.record(2).vr is None
    assert index.record(1) == Record(0x00081115, b"SQ", 34, 46, UNDEFINED_LENGTH, 182, True)
    assert index.record(-1).tag == 0x7FE00010
    with pytest.raises(IndexError):
        index.record(4)
    with pytest.raises(IndexError):
        index.record(-5)
    with pytest.raises(AttributeError):  # records are immutable
        index.record(0).tag = 1  # type: ignore[misc]


def test_find():
    index = _build(ROWS)
    assert index.find(0x00100010) == 2
    assert index.find(0x00081115) == 1
    assert index.find(0x7FE00010) == 3
    assert index.find(0x00100020) == -1
    assert index.find(0) == -1
    assert index.find(0xFFFFFFFF) == -1
    assert index.find(-1) == -1
    assert 0x00081115 in index
    assert 0x00081116 not in index
    assert "PatientName" not in index


def test_unsorted_and_duplicates():
    rows = [
        (0x00100010, b"PN", 0, 8, 2, 10),
        (0x00080020, b"DA", 10, 18, 8, 26),
        (0x00100010, b"PN", 26, 34, 4, 38),  # duplicate: second occurrence
        (0x00080020, b"DA", 38, 46, 8, 54),  # duplicate
        (0x00200010, b"SH", 54, 62, 2, 64),
    ]
    index = _build(rows)
    assert not index.is_sorted
    # find returns the FIRST occurrence in file order.
    assert index.find(0x00100010) == 0
    assert index.find(0x00080020) == 1
    assert index.duplicates == [0x00080020, 0x00100010]
    assert index.tags_in_order() == [0x00080020, 0x00080020, 0x00100010, 0x00100010, 0x00200010]
    assert index.positions_in_order().tolist() == [1, 3, 0, 2, 4]  # stable
    assert [r.header_offset for r in index] == [10, 38, 0, 26, 54]
    assert [r.header_offset for r in index.file_order()] == [0, 10, 26, 38, 54]
    assert index.find_all([0x00100010, 0x00200010, 0x12345678]).tolist() == [0, 4, -1]


def test_sorted_index_iterates_in_file_order():
    index = _build(ROWS)
    assert [r.tag for r in index] == [r[0] for r in ROWS]
    assert index.duplicates == []
    assert index.find_all(np.array([0x7FE00010, 0x00080016, 5])).tolist() == [3, 0, -1]


def test_empty_index():
    index = ElementIndex.empty(132)
    assert len(index) == 0
    assert (index.start, index.stop, index.end) == (132, 132, 132)
    assert index.find(0x00100010) == -1
    assert list(index) == [] and list(index.file_order()) == []
    assert index.duplicates == [] and index.tags_in_order() == []
    assert index.find_all([1, 2]).tolist() == [-1, -1]
    assert index.is_sorted
    assert ElementIndex.empty(10, 20).stop == 20


def test_freeze_with_a_delimiter_end():
    b = IndexBuilder(100)
    b.add(0x00100010, None, 100, 108, 4, 112)
    index = b.freeze(112, 120)  # an item delimiter at 112..120 closed the range
    assert (index.start, index.stop, index.end) == (100, 112, 120)


def test_mismatched_columns_rejected():
    with pytest.raises(ValueError):
        ElementIndex(
            tags=np.zeros(2, np.uint32), vrs=np.zeros(1, "S2"),
            header_offsets=np.zeros(2, np.int64), value_offsets=np.zeros(2, np.int64),
            lengths=np.zeros(2, np.int64), ends=np.zeros(2, np.int64), start=0, stop=0,
        )  # fmt: skip


def test_repr_names_range():
    assert "4 elements" in repr(_build(ROWS))


@given(st.lists(st.integers(0, 0xFFFFFFFF) | st.sampled_from([8, 16, 0x00100010]), max_size=60))
def test_find_matches_list_index(tags):
    rows = [(t, b"UN", 12 * i, 12 * i + 12, 0, 12 * i + 12) for i, t in enumerate(tags)]
    b = IndexBuilder(0)
    for row in rows:
        b.add(*row)
    index = b.freeze(12 * len(tags))
    for t in [*tags, 0, 7, 0x00100011, 0xFFFFFFFF]:
        expected = tags.index(t) if t in tags else -1
        assert index.find(t) == expected
    assert index.tags_in_order() == sorted(tags)
    assert index.is_sorted == (tags == sorted(tags))
    assert index.duplicates == sorted({t for t in tags if tags.count(t) > 1})
    assert index.find_all(tags).tolist() == [tags.index(t) for t in tags]


def test_select_keeps_file_order_and_range():
    rows = [
        (0x00100010, b"PN", 0, 8, 2, 10),
        (0x00080020, b"DA", 10, 18, 8, 26),
        (0x00100010, b"PN", 26, 34, 4, 38),
        (0x00200010, b"SH", 38, 46, 2, 48),
    ]
    index = _build(rows, stop=60)
    sub = index.select({0x00100010, 0x00200010, 0x12345678})
    assert sub.header_offsets.tolist() == [0, 26, 38]
    assert (sub.start, sub.stop, sub.end) == (0, 60, 60)
    assert sub.find(0x00100010) == 0 and sub.find(0x00080020) == -1
    assert not sub.tags.flags.writeable
    assert len(index.select([])) == 0

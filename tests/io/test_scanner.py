"""Tests for lazydcm.io.scanner: annotated byte literals, synthetic files, the real corpus.

Literal datasets are fed whole, truncated at every offset, with trailing garbage and with NUL
padding. The corpus section at the bottom scans every file of the shared corpus and checks the
records tile the dataset, then cross-checks the top-level tags against pydicom.
"""

from __future__ import annotations

import gzip
import io
import struct
import subprocess
import warnings

import pytest
from _corpus import CORPUS, corpus_file, require_corpus
from hypothesis import given
from hypothesis import strategies as st

from lazydcm.errors import InvalidDicomError, NotDicomError, TruncatedDicomError
from lazydcm.io.header import ITEM, SEQ_DELIM, UNDEFINED_LENGTH
from lazydcm.io.index import Record
from lazydcm.io.scanner import (
    MAX_DEPTH,
    Item,
    scan_dataset,
    scan_items,
    scan_preamble_and_meta,
    sniff_layout,
)
from lazydcm.io.source import Source
from lazydcm.io.syntax import (
    DEFLATED_LE_LAYOUT,
    EXPLICIT_BE_LAYOUT,
    EXPLICIT_LE_LAYOUT,
    IMPLICIT_LE_LAYOUT,
)

U = UNDEFINED_LENGTH

# ----------------------------------------------------------------------------- literals

# Explicit VR little endian: a sequence of undefined length with one undefined-length item and
# one defined-length item, an odd-length value, and encapsulated pixel data.
EXPLICIT_LE = bytes.fromhex(
    "0800 1600 5549 0400 312e3200"  # 0: (0008,0016) UI len 4 "1.2\0"            -> 12
    "0800 1511 5351 0000 ffffffff"  # 12: (0008,1115) SQ reserved, undefined     -> 24
    "feff 00e0 ffffffff"  # 24:   item, undefined length                         -> 32
    "0800 5011 5549 0200 3100"  # 32:     (0008,1150) UI len 2 "1\0"              -> 42
    "feff 0de0 00000000"  # 42:   item delimiter                                 -> 50
    "feff 00e0 0a000000"  # 50:   item, length 10                                -> 58
    "0800 5511 5549 0200 3200"  # 58:     (0008,1155) UI len 2 "2\0"              -> 68
    "feff dde0 00000000"  # 68: sequence delimiter                               -> 76
    "1000 1000 504e 0300 446f65"  # 76: (0010,0010) PN len 3 "Doe" (odd)         -> 87
    "2800 1000 5553 0200 4000"  # 87: (0028,0010) US len 2 = 64                   -> 97
    "e07f 1000 4f42 0000 ffffffff"  # 97: (7FE0,0010) OB undefined (encapsulated) -> 109
    "feff 00e0 00000000"  # 109:  basic offset table, empty                      -> 117
    "feff 00e0 04000000 01020304"  # 117: fragment, length 4                     -> 129
    "feff dde0 00000000"  # 129: sequence delimiter                              -> 137
)
EXPLICIT_LE_RECORDS = [
    Record(0x00080016, b"UI", 0, 8, 4, 12, False),
    Record(0x00081115, b"SQ", 12, 24, U, 76, True),
    Record(0x00100010, b"PN", 76, 84, 3, 87, False),
    Record(0x00280010, b"US", 87, 95, 2, 97, False),
    Record(0x7FE00010, b"OB", 97, 109, U, 137, True),
]

# Implicit VR little endian: an undefined-length sequence whose item holds an empty
# undefined-length sequence.
IMPLICIT_LE = bytes.fromhex(
    "0800 0500 0a000000 49534f5f495220313030"  # 0: (0008,0005) len 10 "ISO_IR 100" -> 18
    "0800 4011 ffffffff"  # 18: (0008,1140) undefined length                       -> 26
    "feff 00e0 ffffffff"  # 26:   item, undefined                                  -> 34
    "0800 5011 02000000 3100"  # 34:     (0008,1150) len 2 "1\0"                    -> 44
    "4000 30a7 ffffffff"  # 44:     (0040,A730) undefined length                   -> 52
    "feff dde0 00000000"  # 52:     sequence delimiter (empty sequence)            -> 60
    "feff 0de0 00000000"  # 60:   item delimiter                                   -> 68
    "feff dde0 00000000"  # 68: sequence delimiter                                 -> 76
    "1000 2000 04000000 49443031"  # 76: (0010,0020) len 4 "ID01"                  -> 88
)
IMPLICIT_LE_RECORDS = [
    Record(0x00080005, None, 0, 8, 10, 18, False),
    Record(0x00081140, None, 18, 26, U, 76, True),
    Record(0x00100020, None, 76, 84, 4, 88, False),
]

# Explicit VR big endian, with an undefined-length UN whose content is implicit VR little
# endian (PS3.5 6.2.2) and a big-endian undefined-length sequence.
EXPLICIT_BE = bytes.fromhex(
    "0008 0060 4353 0002 4d52"  # 0: (0008,0060) CS len 2 "MR"                     -> 10
    "0009 1010 554e 0000 ffffffff"  # 10: (0009,1010) UN undefined                 -> 22
    "feff 00e0 0a000000"  # 22:   item (LE!), length 10                            -> 30
    "0900 1110 02000000 6162"  # 30:     (0009,1011) implicit LE len 2 "ab"        -> 40
    "feff dde0 00000000"  # 40:   sequence delimiter (LE)                          -> 48
    "0028 0010 5553 0002 0040"  # 48: (0028,0010) US len 2 = 64                    -> 58
    "0040 0275 5351 0000 ffffffff"  # 58: (0040,0275) SQ undefined                 -> 70
    "fffe e000 00000000"  # 70:   item (BE), length 0                              -> 78
    "fffe e0dd 00000000"  # 78:   sequence delimiter (BE)                          -> 86
)
EXPLICIT_BE_RECORDS = [
    Record(0x00080060, b"CS", 0, 8, 2, 10, False),
    Record(0x00091010, b"UN", 10, 22, U, 48, True),
    Record(0x00280010, b"US", 48, 56, 2, 58, False),
    Record(0x00400275, b"SQ", 58, 70, U, 86, True),
]

LITERALS = [
    ("explicit LE", EXPLICIT_LE, False, True, EXPLICIT_LE_RECORDS),
    ("implicit LE", IMPLICIT_LE, True, True, IMPLICIT_LE_RECORDS),
    ("explicit BE", EXPLICIT_BE, False, False, EXPLICIT_BE_RECORDS),
]
LIT_IDS = [c[0] for c in LITERALS]


def records(index):
    return list(index.file_order())


def scan(buf, implicit, little, start=0, stop=None, **kw):
    return scan_dataset(
        buf, start, len(buf) if stop is None else stop, implicit_vr=implicit,
        little_endian=little, **kw,
    )  # fmt: skip


@pytest.mark.parametrize(("name", "data", "implicit", "little", "expected"), LITERALS, ids=LIT_IDS)
def test_whole(name, data, implicit, little, expected):
    index = scan(data, implicit, little)
    assert records(index) == expected
    assert (index.start, index.stop, index.end) == (0, len(data), len(data))
    assert index.is_sorted


@pytest.mark.parametrize(("name", "data", "implicit", "little", "expected"), LITERALS, ids=LIT_IDS)
def test_truncated_at_every_offset(name, data, implicit, little, expected):
    """A cut stream is a shorter dataset (cut on a boundary, or NUL tail) or raises."""
    for cut in range(len(data)):
        buf = data[:cut]
        try:
            index = scan(buf, implicit, little)
        except TruncatedDicomError as exc:
            assert exc.offset is not None and 0 <= exc.offset <= cut
            continue
        got = records(index)
        assert got == expected[: len(got)], cut
        tail_start = got[-1].end if got else 0
        assert buf[tail_start:] == bytes(cut - tail_start), cut  # only NUL padding is left over
        assert len(got) < len(expected)


@pytest.mark.parametrize(("name", "data", "implicit", "little", "expected"), LITERALS, ids=LIT_IDS)
@pytest.mark.parametrize(
    "garbage",
    [b"\x01", b"\xff" * 7, b"DICM" * 3, bytes(range(1, 40)), b"\0\0\0\0\x01\0\0\0\0"],
)
def test_trailing_garbage_raises_or_is_extra_elements(
    name, data, implicit, little, expected, garbage
):
    try:
        index = scan(data + garbage, implicit, little)
    except InvalidDicomError as exc:
        assert exc.offset is not None and exc.offset >= len(data)
        return
    assert records(index)[: len(expected)] == expected
    assert len(index) > len(expected)


@pytest.mark.parametrize(("name", "data", "implicit", "little", "expected"), LITERALS, ids=LIT_IDS)
@pytest.mark.parametrize("padding", [1, 3, 7, 8, 100, 70_000])
def test_trailing_nul_padding_is_accepted(name, data, implicit, little, expected, padding):
    index = scan(data + bytes(padding), implicit, little)
    assert records(index) == expected
    assert index.stop == len(data) + padding  # the range still covers the padding


@pytest.mark.parametrize(("name", "data", "implicit", "little", "expected"), LITERALS, ids=LIT_IDS)
def test_inside_a_larger_buffer(name, data, implicit, little, expected):
    buf = memoryview(b"\xee" * 13 + data + b"\xee" * 5)
    index = scan(buf, implicit, little, start=13, stop=13 + len(data))
    shifted = [
        Record(
            r.tag,
            r.vr,
            r.header_offset + 13,
            r.value_offset + 13,
            r.length,
            r.end + 13,
            r.undefined_length,
        )  # fmt: skip
        for r in expected
    ]
    assert records(index) == shifted


def test_scan_items_explicit_le():
    sq, px = EXPLICIT_LE_RECORDS[1], EXPLICIT_LE_RECORDS[4]
    items = scan_items(
        EXPLICIT_LE, sq.value_offset, sq.length, implicit_vr=False, little_endian=True
    )
    assert items == [Item(24, 32, U, 50, True), Item(50, 58, 10, 68, False)]
    assert [i.content_end for i in items] == [42, 68]
    frags = scan_items(
        EXPLICIT_LE, px.value_offset, px.length, implicit_vr=False, little_endian=True
    )
    assert frags == [Item(109, 117, 0, 117, False), Item(117, 125, 4, 129, False)]


def test_items_content_can_be_indexed():
    # the undefined-length item's content: stop at its delimiter
    inner = scan(EXPLICIT_LE, False, True, start=32, stop=76, stop_at_item_delimiter=True)
    assert records(inner) == [Record(0x00081150, b"UI", 32, 40, 2, 42, False)]
    assert (inner.start, inner.stop, inner.end) == (32, 42, 50)
    # the defined-length item: its byte range
    inner = scan(EXPLICIT_LE, False, True, start=58, stop=68)
    assert records(inner) == [Record(0x00081155, b"UI", 58, 66, 2, 68, False)]


def test_item_content_end_may_be_given_as_stop():
    # stop = Item.content_end: the delimiter starts exactly at stop.
    inner = scan(EXPLICIT_LE, False, True, start=32, stop=42, stop_at_item_delimiter=True)
    assert len(inner) == 1 and (inner.stop, inner.end) == (42, 50)
    # ... but something else at stop is no delimiter.
    with pytest.raises(InvalidDicomError):
        scan(EXPLICIT_LE, False, True, start=58, stop=68, stop_at_item_delimiter=True)


@pytest.mark.parametrize(("name", "data", "implicit", "little", "expected"), LITERALS, ids=LIT_IDS)
def test_stop_tag(name, data, implicit, little, expected):
    for cut_tag in [0, *(r.tag for r in expected), expected[-1].tag + 1]:
        index = scan(data, implicit, little, stop_tag=cut_tag)
        kept = [r for r in expected if r.tag < cut_tag]
        assert records(index) == kept
        assert index.stop == (expected[len(kept)].header_offset if len(kept) < len(expected)
                              else len(data))  # fmt: skip


def test_stop_tag_does_not_read_what_follows():
    # Pixel data whose content is garbage is never walked when the scan stops before it.
    data = EXPLICIT_LE[:97] + bytes.fromhex("e07f 1000 4f42 0000 ffffffff") + b"garbage!"
    expect_invalid(data)
    assert len(scan(data, False, True, stop_tag=0x7FE00008)) == 4


def test_scan_items_un_is_implicit_le_in_a_big_endian_file():
    un = EXPLICIT_BE_RECORDS[1]
    items = scan_items(
        EXPLICIT_BE, un.value_offset, un.length, implicit_vr=True, little_endian=True
    )
    assert items == [Item(22, 30, 10, 40, False)]
    inner = scan(EXPLICIT_BE, True, True, start=30, stop=40)
    assert records(inner) == [Record(0x00091011, None, 30, 38, 2, 40, False)]
    sq = EXPLICIT_BE_RECORDS[3]
    items = scan_items(
        EXPLICIT_BE, sq.value_offset, sq.length, implicit_vr=False, little_endian=False
    )
    assert items == [Item(70, 78, 0, 78, False)]


def test_scan_items_defined_length_sequence():
    data = bytes.fromhex(
        "feff 00e0 0a000000"  # 0: item, length 10                                    -> 8
        "0800 5011 02000000 3100"  # 8: (0008,1150) implicit len 2                   -> 18
        "feff 00e0 ffffffff"  # 18: item, undefined                                  -> 26
        "feff 0de0 00000000"  # 26: item delimiter (empty item)                      -> 34
    )
    assert scan_items(data, 0, len(data), implicit_vr=True, little_endian=True) == [
        Item(0, 8, 10, 18, False),
        Item(18, 26, U, 34, True),
    ]
    assert scan_items(data, 0, 0, implicit_vr=True, little_endian=True) == []
    for cut in range(1, len(data)):
        try:
            items = scan_items(data, 0, cut, implicit_vr=True, little_endian=True)
        except InvalidDicomError as exc:
            # a sequence length that splits an item header, or an undefined-length item's
            # content (which must end with its own delimiter)
            assert cut < 8 or 18 < cut < 34, cut
            assert not isinstance(exc, TruncatedDicomError)
            continue
        # An item that overruns the sequence's length is cut at the sequence's end.
        assert items == [Item(0, 8, 10, min(cut, 18), False)], cut
    with pytest.raises(TruncatedDicomError):
        scan_items(data, 0, len(data) + 1, implicit_vr=True, little_endian=True)


def test_scan_items_truncated_undefined_sequence():
    sq = EXPLICIT_LE_RECORDS[1]
    for cut in range(sq.value_offset, sq.end):
        with pytest.raises(TruncatedDicomError):
            scan_items(EXPLICIT_LE[:cut], sq.value_offset, U, implicit_vr=False, little_endian=True)


# ----------------------------------------------------------------------------- malformed input

ITEM_LE = bytes.fromhex("feff00e0")
SEQ_DELIM_LE = bytes.fromhex("feffdde0 00000000")
ITEM_DELIM_LE = bytes.fromhex("feff0de0 00000000")


def expect_invalid(data, implicit=False, little=True, *, offset=None, tag=None, **kw):
    with pytest.raises(InvalidDicomError) as info:
        scan(data, implicit, little, **kw)
    if offset is not None:
        assert info.value.offset == offset
    if tag is not None:
        assert info.value.tag == tag
    return info.value


def test_undefined_length_on_a_short_vr_cannot_be_expressed_and_on_long_vrs_is_refused():
    # (0028,0010) US with "length" 0xFFFF is simply 65535 bytes, past the end.
    err = expect_invalid(bytes.fromhex("2800 1000 5553 ffff 0000"), offset=0, tag=0x00280010)
    assert isinstance(err, TruncatedDicomError)
    # (0018,9346) UT may not have an undefined length (PS3.5 7.1.2).
    data = bytes.fromhex("1800 4693 5554 0000 ffffffff") + SEQ_DELIM_LE
    err = expect_invalid(data, offset=0, tag=0x00189346)
    assert "undefined" in err.reason and not isinstance(err, TruncatedDicomError)


def test_length_past_end_names_tag_and_offset():
    data = bytes.fromhex("0800 1600 5549 0400 312e32002800 1000 5553 0400 0100")
    err = expect_invalid(data, offset=12, tag=0x00280010)
    assert isinstance(err, TruncatedDicomError)
    assert "(0028,0010)" in str(err) and "0xC" in str(err) and "size 22" in str(err)


def test_element_running_past_its_item_is_invalid_not_truncated():
    data = bytes.fromhex(
        "0800 1511 5351 0000 12000000"  # 0: (0008,1115) SQ length 18              -> 12
        "feff 00e0 0a000000"  # 12: item, length 10                                 -> 20
        "0800 5011 5549 0400 31003200"  # 20: (0008,1150) UI len 4: 2 bytes too long -> 32
    )
    # The dataset level skips the defined-length sequence without looking inside (O(1)) ...
    assert len(scan(data, False, True, stop=30)) == 1
    # ... its items are found from its length ...
    items = scan_items(data, 12, 18, implicit_vr=False, little_endian=True)
    assert items == [Item(12, 20, 10, 30, False)]
    # ... and the bad element shows when the item is indexed.
    err = expect_invalid(data, start=20, stop=30, offset=20, tag=0x00081150)
    assert not isinstance(err, TruncatedDicomError)


def test_nesting_depth_is_bounded_without_recursion_error():
    def nested(levels):
        body = b""
        for _ in range(levels):
            body = (
                bytes.fromhex("0800 1511 ffffffff")  # (0008,1115) undefined, implicit
                + ITEM_LE
                + b"\xff\xff\xff\xff"  # item, undefined
                + body
                + ITEM_DELIM_LE
                + SEQ_DELIM_LE
            )
        return body

    assert len(scan(nested(MAX_DEPTH), True, True)) == 1
    err = expect_invalid(nested(MAX_DEPTH + 1), implicit=True)
    assert "nested" in err.reason
    expect_invalid(nested(2000), implicit=True)  # no RecursionError


def test_stray_item_at_dataset_level_is_indexed():
    # fo-dicom FreezePattern.dcm: an empty SQ followed by an empty item at dataset level.
    data = bytes.fromhex(
        "5500 0e04 5351 0000 00000000"  # 0: (0055,040E) SQ length 0                 -> 12
        "feff 00e0 00000000"  # 12: stray item, length 0                            -> 20
        "0800 2200 4441 0000"  # 20: (0008,0022) DA length 0                         -> 28
    )
    assert records(scan(data, False, True)) == [
        Record(0x0055040E, b"SQ", 0, 12, 0, 12, False),
        Record(ITEM, None, 12, 20, 0, 20, False),
        Record(0x00080022, b"DA", 20, 28, 0, 28, False),
    ]


def test_stray_sequence_delimiter_at_dataset_level_is_indexed():
    data = bytes.fromhex("1000 1000 504e 0200 4142") + SEQ_DELIM_LE
    assert records(scan(data, False, True))[1] == Record(SEQ_DELIM, None, 10, 18, 0, 18, False)


@pytest.mark.parametrize(
    ("data", "offset"),
    [
        (bytes.fromhex("feff0de0 04000000 00000000"), 0),  # item delimiter of length 4
        (bytes.fromhex("feffdde0 04000000 00000000"), 0),  # sequence delimiter of length 4
        (bytes.fromhex("feff01e0 00000000"), 0),  # (FFFE,E001) is no item tag
        (ITEM_LE + b"\xff\xff\xff\xff" + ITEM_DELIM_LE, 0),  # undefined item at dataset level
    ],
)
def test_strict_about_other_strays(data, offset):
    err = expect_invalid(data, offset=offset)
    assert not isinstance(err, TruncatedDicomError)


def test_sequence_delimiter_inside_an_item_is_invalid():
    data = (
        bytes.fromhex("0800 1511 5351 0000 ffffffff")  # (0008,1115) SQ undefined
        + ITEM_LE
        + b"\xff\xff\xff\xff"  # 12: item, undefined
        + SEQ_DELIM_LE  # 20: the item delimiter is missing
    )
    expect_invalid(data, offset=20, tag=SEQ_DELIM)


def test_non_item_inside_a_sequence_is_invalid():
    data = bytes.fromhex("0800 1511 5351 0000 ffffffff0800 5011 5549 0200 3100")
    expect_invalid(data, offset=12, tag=0x00081150)


def test_sequence_delimiter_with_a_length_is_invalid():
    data = bytes.fromhex("0800 1511 5351 0000 fffffffffeff dde0 02000000")
    expect_invalid(data, offset=12, tag=0x00081115)


def test_undefined_length_fragment_is_invalid():
    data = bytes.fromhex("e07f 1000 4f42 0000 fffffffffeff 00e0 ffffffff") + ITEM_DELIM_LE
    expect_invalid(data, offset=12, tag=0x7FE00010)


def test_unknown_vr_read_as_implicit_when_consistent():
    data = bytes.fromhex(
        "0800 6000 4353 0200 4d52"  # 0: (0008,0060) CS len 2 "MR"                    -> 10
        "1000 1000 04000000 41424344"  # 10: (0010,0010) written implicit: len 4       -> 22
        "1000 2000 4c4f 0200 4944"  # 22: (0010,0020) LO len 2, explicit again          -> 32
    )
    assert records(scan(data, False, True)) == [
        Record(0x00080060, b"CS", 0, 8, 2, 10, False),
        Record(0x00100010, None, 10, 18, 4, 22, False),
        Record(0x00100020, b"LO", 22, 30, 2, 32, False),
    ]


def test_unknown_vr_raises_when_implicit_reading_is_inconsistent():
    data = bytes.fromhex("1000 1000 7a7a 0400 41424344")  # "zz": implicit length 0x04007A7A
    err = expect_invalid(data, offset=0, tag=0x00100010)
    assert "VR" in err.reason and not isinstance(err, TruncatedDicomError)


def test_bad_range_is_a_value_error():
    with pytest.raises(ValueError):
        scan_dataset(b"1234", 0, 5, implicit_vr=True, little_endian=True)
    with pytest.raises(ValueError):
        scan_dataset(b"1234", 3, 2, implicit_vr=True, little_endian=True)


def test_missing_item_delimiter():
    data = bytes.fromhex("0800 5011 02000000 3100")  # item content without its delimiter
    err = expect_invalid(data, implicit=True, stop_at_item_delimiter=True)
    assert isinstance(err, TruncatedDicomError)
    err = expect_invalid(data + bytes(8), implicit=True, stop=10, stop_at_item_delimiter=True)
    assert not isinstance(err, TruncatedDicomError)


@given(st.binary(max_size=200), st.booleans(), st.booleans())
def test_arbitrary_bytes_index_or_raise(data, implicit, little):
    try:
        index = scan(data, implicit, little)
    except InvalidDicomError:
        return
    ends = [0, *index.ends.tolist()]
    assert index.header_offsets.tolist() == ends[:-1]  # records tile from the start
    assert data[ends[-1] :] == bytes(len(data) - ends[-1])


@given(st.integers(0, len(EXPLICIT_LE) - 1), st.integers(0, 255))
def test_one_byte_mutations_index_or_raise(pos, value):
    data = bytearray(EXPLICIT_LE)
    data[pos] = value
    try:
        index = scan(bytes(data), False, True)
    except InvalidDicomError:
        return
    ends = [0, *index.ends.tolist()]
    assert index.header_offsets.tolist() == ends[:-1]


# ----------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (EXPLICIT_LE, EXPLICIT_LE_LAYOUT),
        (IMPLICIT_LE, IMPLICIT_LE_LAYOUT),
        (EXPLICIT_BE, EXPLICIT_BE_LAYOUT),
        (bytes(64), None),  # all zero
        (EXPLICIT_LE[:7], None),  # too short
        (b"\xff" * 64, None),  # nothing fits
        (bytes.fromhex("0800 0500 4353 4000 41"), None),  # CS length 64 past the end
    ],
)
def test_sniff_layout(data, expected):
    assert sniff_layout(data, 0) == expected


def test_sniff_layout_at_offset_and_out_of_range():
    assert sniff_layout(b"xx" + EXPLICIT_BE, 2) == EXPLICIT_BE_LAYOUT
    assert sniff_layout(EXPLICIT_LE, -1) is None
    assert sniff_layout(EXPLICIT_LE, len(EXPLICIT_LE)) is None


# ----------------------------------------------------------------------------- preamble, meta

EXPLICIT_LE_UID = b"1.2.840.10008.1.2.1\0"
IMPLICIT_LE_UID = b"1.2.840.10008.1.2\0"


def el_le(tag, vr, value, implicit=False):
    """An independent little-endian element encoder for building test files."""
    group, elem = tag >> 16, tag & 0xFFFF
    if implicit:
        return struct.pack("<HHL", group, elem, len(value)) + value
    if vr in (b"OB", b"SQ", b"UN", b"UT"):
        return struct.pack("<HH2s2xL", group, elem, vr, len(value)) + value
    return struct.pack("<HH2sH", group, elem, vr, len(value)) + value


def meta_group(ts=EXPLICIT_LE_UID, *, group_length=True, implicit=False, length_delta=0):
    body = (
        el_le(0x00020001, b"OB", b"\x00\x01", implicit)
        + el_le(0x00020002, b"UI", b"1.2.840.10008.5.1.4.1.1.7\0", implicit)
        + el_le(0x00020003, b"UI", b"1.2.3.4\0", implicit)
        + (el_le(0x00020010, b"UI", ts, implicit) if ts is not None else b"")
        + el_le(0x00020012, b"UI", b"1.2.3.5\0", implicit)
    )
    if not group_length:
        return body
    gl = struct.pack("<L", len(body) + length_delta)
    return el_le(0x00020000, b"UL", gl, implicit) + body


PREAMBLE = bytes(range(128))
DATASET_EXPLICIT = el_le(0x00080060, b"CS", b"MR") + el_le(0x00100010, b"PN", b"Doe^J ")
DATASET_IMPLICIT = el_le(0x00080060, None, b"MR", True) + el_le(0x00100010, None, b"Doe^J ", True)


def test_standard_file():
    meta = meta_group()
    data = PREAMBLE + b"DICM" + meta + DATASET_EXPLICIT
    head = scan_preamble_and_meta(data)
    assert head.has_preamble and head.preamble == PREAMBLE
    assert head.meta.tags.tolist() == [0x00020000, 0x00020001, 0x00020002, 0x00020003,
                                       0x00020010, 0x00020012]  # fmt: skip
    assert (head.meta.start, head.meta.stop) == (132, 132 + len(meta))
    assert head.dataset_offset == 132 + len(meta)
    assert head.transfer_syntax_uid == "1.2.840.10008.1.2.1"
    assert head.layout == EXPLICIT_LE_LAYOUT and not head.sniffed and not head.meta_implicit_vr
    index = scan_dataset(
        data, head.dataset_offset, len(data), implicit_vr=False, little_endian=True
    )
    assert index.tags.tolist() == [0x00080060, 0x00100010]


def test_standard_file_truncated_at_every_offset():
    meta = meta_group()
    data = PREAMBLE + b"DICM" + meta + DATASET_EXPLICIT
    full = scan_preamble_and_meta(data)
    for cut in range(len(data)):
        try:
            head = scan_preamble_and_meta(data[:cut])
        except InvalidDicomError as exc:
            assert isinstance(exc, NotDicomError) == (cut < 132) or cut == 132, cut
            continue
        n = len(head.meta)
        assert head.meta.tags.tolist() == full.meta.tags.tolist()[:n]
        if cut >= full.dataset_offset:  # meta complete; a cut dataset fails when scanned
            assert (n, head.dataset_offset) == (len(full.meta), full.dataset_offset)
        elif cut == 133:  # one byte after DICM: no meta; the 1-byte dataset fails when scanned
            assert head.dataset_offset == 132 and n == 0
        else:  # a meta group shorter than its group length always raises
            assert cut == 132 and n == 0, cut


def test_group_length_that_misses_an_element_boundary_is_ignored():
    # fo-dicom GH1339.dcm: the group length is 4 too small.
    meta = meta_group(length_delta=-4)
    data = PREAMBLE + b"DICM" + meta + DATASET_EXPLICIT
    head = scan_preamble_and_meta(data)
    assert head.dataset_offset == 132 + len(meta)
    assert len(head.meta) == 6


def test_group_length_on_a_boundary_is_obeyed():
    # fo-dicom GH1376.dcm: a second run of (0002,eeee) elements after the declared meta group
    # belongs to the dataset.
    meta = meta_group()
    data = PREAMBLE + b"DICM" + meta + meta_group(ts=IMPLICIT_LE_UID) + DATASET_EXPLICIT
    head = scan_preamble_and_meta(data)
    assert head.dataset_offset == 132 + len(meta)
    assert head.transfer_syntax_uid == "1.2.840.10008.1.2.1"


def test_meta_without_group_length_is_read_while_group_is_0002():
    meta = meta_group(group_length=False)
    data = PREAMBLE + b"DICM" + meta + DATASET_IMPLICIT
    head = scan_preamble_and_meta(data)
    assert head.dataset_offset == 132 + len(meta)
    assert head.meta.tags.tolist()[0] == 0x00020001


def test_meta_written_in_implicit_vr():
    meta = meta_group(ts=IMPLICIT_LE_UID, implicit=True)
    data = PREAMBLE + b"DICM" + meta + DATASET_IMPLICIT
    head = scan_preamble_and_meta(data)
    assert head.dataset_offset == 132 + len(meta)
    assert head.meta.vrs.tolist() == [b""] * 6
    assert head.meta_implicit_vr
    assert head.layout == IMPLICIT_LE_LAYOUT


def test_missing_transfer_syntax_is_sniffed():
    data = PREAMBLE + b"DICM" + meta_group(ts=None) + DATASET_IMPLICIT
    head = scan_preamble_and_meta(data)
    assert head.transfer_syntax_uid is None
    assert head.layout == IMPLICIT_LE_LAYOUT and head.sniffed


def test_transfer_syntax_contradicted_by_the_data_is_overridden():
    data = PREAMBLE + b"DICM" + meta_group(ts=EXPLICIT_LE_UID) + DATASET_IMPLICIT
    head = scan_preamble_and_meta(data)
    assert head.transfer_syntax_uid == "1.2.840.10008.1.2.1"
    assert head.layout == IMPLICIT_LE_LAYOUT and head.sniffed


def test_deflated_syntax_is_not_sniffed():
    data = PREAMBLE + b"DICM" + meta_group(ts=b"1.2.840.10008.1.2.1.99") + b"\x63\x60\x00\x00"
    head = scan_preamble_and_meta(data)
    assert head.layout == DEFLATED_LE_LAYOUT and not head.sniffed


def test_dicm_at_zero_needs_force():
    meta = meta_group()
    data = b"DICM" + meta + DATASET_EXPLICIT
    with pytest.raises(NotDicomError):
        scan_preamble_and_meta(data)
    head = scan_preamble_and_meta(data, force=True)
    assert not head.has_preamble and head.preamble is None
    assert head.dataset_offset == 4 + len(meta)
    assert head.layout == EXPLICIT_LE_LAYOUT


@pytest.mark.parametrize(
    ("dataset", "layout"),
    [
        (EXPLICIT_LE, EXPLICIT_LE_LAYOUT),
        (IMPLICIT_LE, IMPLICIT_LE_LAYOUT),
        (EXPLICIT_BE, EXPLICIT_BE_LAYOUT),
    ],
)
def test_raw_dataset_needs_force_and_is_sniffed(dataset, layout):
    with pytest.raises(NotDicomError):
        scan_preamble_and_meta(dataset)
    head = scan_preamble_and_meta(dataset, force=True)
    assert (head.has_preamble, head.dataset_offset, len(head.meta)) == (False, 0, 0)
    assert head.transfer_syntax_uid is None
    assert head.layout == layout and head.sniffed


def test_raw_dataset_with_dicm_inside_a_value():
    # dcm4che no_preamble_dicm_in_data: bytes 128..131 are "DICM" inside an SH value.
    first = el_le(0x00080005, b"CS", b"ISO_IR 100")  # 0..18
    filler = el_le(0x00080080, b"LO", b"X" * (120 - 18 - 8))  # 18..120
    trap = el_le(0x00081010, b"SH", b"DICMA1")  # 120..134: value at 128
    data = first + filler + trap + el_le(0x00100010, b"PN", b"Doe ")
    assert data[128:132] == b"DICM"
    with pytest.raises(NotDicomError):
        scan_preamble_and_meta(data)
    head = scan_preamble_and_meta(data, force=True)
    assert (head.has_preamble, head.dataset_offset, head.layout) == (False, 0, EXPLICIT_LE_LAYOUT)
    index = scan_dataset(data, 0, len(data), implicit_vr=False, little_endian=True)
    assert index.tags.tolist() == [0x00080005, 0x00080080, 0x00081010, 0x00100010]


def test_preamble_and_dicm_without_meta():
    data = bytes(128) + b"DICM" + DATASET_EXPLICIT
    head = scan_preamble_and_meta(data)
    assert head.has_preamble and len(head.meta) == 0
    assert head.dataset_offset == 132 and head.layout == EXPLICIT_LE_LAYOUT and head.sniffed


def test_raw_meta_group_without_preamble():
    meta = meta_group(ts=IMPLICIT_LE_UID)
    head = scan_preamble_and_meta(meta + DATASET_IMPLICIT, force=True)
    assert len(head.meta) == 6 and head.dataset_offset == len(meta)
    assert head.layout == IMPLICIT_LE_LAYOUT and not head.sniffed


def test_empty_and_garbage():
    with pytest.raises(NotDicomError):
        scan_preamble_and_meta(b"")
    head = scan_preamble_and_meta(b"", force=True)
    assert head.dataset_offset == 0 and head.layout == IMPLICIT_LE_LAYOUT
    with pytest.raises(NotDicomError):
        scan_preamble_and_meta(b"\xff" * 300, force=True)
    with pytest.raises(TruncatedDicomError):
        scan_preamble_and_meta(b"\x08\x00", force=True)
    with pytest.raises(NotDicomError):
        scan_preamble_and_meta(b"\x1f\x8b\x08\x00" + b"\xff" * 200, force=True)  # gzip


def test_meta_element_of_undefined_length_is_invalid():
    data = PREAMBLE + b"DICM" + el_le(0x00020001, b"OB", b"")[:8] + b"\xff\xff\xff\xff"
    with pytest.raises(InvalidDicomError):
        scan_preamble_and_meta(data)


# ----------------------------------------------------------------------------- the real corpus

NOT_DICOM = {"LICENSE", "LICENSE.txt", "License.txt", "README.md", "README.rst", "README.txt",
             "SOURCES.md", "CATALOG.tsv"}  # fmt: skip


def _corpus_files() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.is_file() and p.name not in NOT_DICOM
    )


CORPUS_FILES = _corpus_files()

# Files that must raise, each with the tag named by the error and why.
EXPECTED_ERRORS = {
    # DELIBERATE: the first 100 kB of a 3 GB file; Pixel Data's length runs past the end.
    "dcm4che/3gb-bulk-data-truncated": (TruncatedDicomError, 0x7FE00010),
    # The encapsulated Pixel Data ends at EOF without its Sequence Delimitation Item
    # (dcmdump: "Sequence Delimitation Item missing"). pydicom returns an empty dataset.
    "fo-dicom/GH1339.dcm": (TruncatedDicomError, 0x7FE00010),
    # DELIBERATE truncations that pydicom reads silently.
    "pydicom-3.0.2/test_files/MR_truncated.dcm": (TruncatedDicomError, 0x7FE00010),
    "pydicom-3.0.2/test_files/rtplan_truncated.dcm": (TruncatedDicomError, 0x300A00B0),
    # pydicom's wheel only (the stand-in corpus): a raw dataset that starts one byte into a
    # tag; pydicom (force) reads one garbage element (0820,0500), dcmdump -f refuses it.
    "pydicom-3.0.2/test_files/no_meta.dcm": (NotDicomError, None),
}

# Files whose top-level tags differ from pydicom's, and why. Each is checked to still differ.
KNOWN_PYDICOM_DIFFERENCES = {
    # A second run of (0002,eeee) elements follows the meta group's declared (sane) length;
    # lazydcm indexes it as dataset elements, as dcmdump does; pydicom folds it into file_meta.
    "fo-dicom/GH1376.dcm",
    # No meta; bytes 128-131 are "DICM" inside a value. pydicom 3.0.2 mis-parses it (CATALOG);
    # lazydcm reads it as the explicit VR LE dataset it is, as dcmdump does.
    "dcm4che/no_preamble_dicm_in_data",
}


def _open(rel: str):
    """(source, buffer, head) for a corpus file; a .gz file is gunzipped first."""
    path = corpus_file(rel)
    if path.suffix == ".gz":
        source = Source.from_bytes(gzip.decompress(path.read_bytes()))
    else:
        source = Source.open(path)
    head = scan_preamble_and_meta(source.buffer, force=True)
    if head.layout.deflated:
        inflated = source.inflated(head.dataset_offset)
        source.close()
        source = inflated
    return source, source.buffer, head


def _assert_tiles(buf, index, start):
    """Records start at ``start``, each ends where the next begins; only NULs follow."""
    heads = index.header_offsets.tolist()
    ends = index.ends.tolist()
    assert heads == [start, *ends[:-1]][: len(heads)]
    tail = ends[-1] if ends else start
    assert tail <= index.stop
    assert bytes(buf[tail : index.stop]) == bytes(index.stop - tail)


def _check_nested(buf, index, implicit, little, depth=0):
    """Walk every sequence the index can see as one (explicit SQ, or undefined length) and
    check each item's content tiles too. Returns the number of items seen."""
    seen = 0
    for r in index.file_order():
        if r.tag == 0x7FE00010 or r.tag >> 16 == 0xFFFE:
            continue
        if r.vr != b"SQ" and not (r.undefined_length and r.vr in (None, b"UN")):
            continue
        item_implicit, item_little = (True, True) if r.vr == b"UN" else (implicit, little)
        items = scan_items(buf, r.value_offset, r.length, implicit_vr=item_implicit,
                           little_endian=item_little, stop=index.stop)  # fmt: skip
        for item in items:
            sub = scan_dataset(
                buf, item.value_offset, item.content_end if not item.undefined_length else r.end,
                implicit_vr=item_implicit, little_endian=item_little,
                stop_at_item_delimiter=item.undefined_length, depth=depth + 1,
            )  # fmt: skip
            _assert_tiles(buf, sub, item.value_offset)
            assert sub.end == item.end
            seen += 1 + _check_nested(buf, sub, item_implicit, item_little, depth + 1)
    return seen


def _pydicom_top_level(rel):
    """pydicom's top-level tags and its dataset, or (None, None) if pydicom cannot read it."""
    pydicom = pytest.importorskip("pydicom")
    path = CORPUS / rel
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if path.suffix == ".gz":
                ds = pydicom.dcmread(io.BytesIO(gzip.decompress(path.read_bytes())), force=True)
            else:
                ds = pydicom.dcmread(path, force=True)
            return set(map(int, ds.keys())), ds
    except Exception:  # noqa: BLE001 - any pydicom failure just means "no reference"
        return None, None


def test_corpus_is_present():
    require_corpus()
    assert len(CORPUS_FILES) > 100


@pytest.mark.parametrize("rel", CORPUS_FILES or ["<corpus missing>"])
def test_corpus_file_indexes_or_raises(rel):
    require_corpus()
    if rel in EXPECTED_ERRORS:
        cls, tag = EXPECTED_ERRORS[rel]
        with pytest.raises(cls) as info:
            source, buf, head = _open(rel)
            scan_dataset(buf, head.dataset_offset, len(buf),
                         implicit_vr=head.layout.implicit_vr,
                         little_endian=head.layout.little_endian)  # fmt: skip
        assert info.value.tag == tag and info.value.offset is not None
        return
    source, buf, head = _open(rel)
    with source:
        layout = head.layout
        _assert_tiles(buf, head.meta, head.meta.start)
        index = scan_dataset(buf, head.dataset_offset, len(buf), implicit_vr=layout.implicit_vr,
                             little_endian=layout.little_endian)  # fmt: skip
        _assert_tiles(buf, index, head.dataset_offset)
        assert len(index) > 0
        _check_nested(buf, index, layout.implicit_vr, layout.little_endian)

        ours = set(index.tags.tolist())
        theirs, ds = _pydicom_top_level(rel)
        if theirs is None:
            # pydicom cannot read it (fo-dicom GH177: mixed byte orders); dcmdump is the reference.
            assert set(_dcmdump_top_level(rel)) == ours - {SEQ_DELIM}
            return
        if rel in KNOWN_PYDICOM_DIFFERENCES:
            assert ours != theirs  # if they agree now, drop the entry
            assert set(_dcmdump_top_level(rel)) == ours - {SEQ_DELIM}
            return
        assert ours == theirs
        # Sequence lengths agree with pydicom's parse.
        for tag in sorted(ours):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    elem = ds[tag]
                    if elem.VR != "SQ":
                        continue
                    n_items = len(elem.value)
            except Exception:  # noqa: BLE001 - pydicom cannot convert it: no reference
                continue
            r = index.record(index.find(tag))
            un = r.vr == b"UN"
            items = scan_items(buf, r.value_offset, r.length,
                               implicit_vr=un or layout.implicit_vr,
                               little_endian=un or layout.little_endian)  # fmt: skip
            assert len(items) == n_items, f"{tag:08X}"


def test_corpus_gzip_file_is_not_dicom_until_gunzipped():
    root = require_corpus()
    data = (root / "pydicom-3.0.2" / "test_files" / "zipMR.gz").read_bytes()
    with pytest.raises(NotDicomError):
        scan_preamble_and_meta(data, force=True)


def _dcmdump_top_level(rel) -> list[int]:
    """Top-level tags of a corpus file according to DCMTK's dcmdump (delimiters excluded)."""
    from _corpus import require_dcmdump

    run = subprocess.run([require_dcmdump(), str(CORPUS / rel)], capture_output=True, text=True)
    if run.returncode != 0:  # no meta: ask dcmdump to read a bare dataset
        run = subprocess.run([require_dcmdump(), "-f", str(CORPUS / rel)],
                             capture_output=True, text=True)  # fmt: skip
    dataset = run.stdout.split("# Dicom-Data-Set", 1)[-1]
    tags = []
    for line in dataset.splitlines():
        if line.startswith("(") and not line.startswith("(fffe,e0dd)"):
            tags.append(int(line[1:5] + line[6:10], 16))
    return tags


# ----------------------------------------------------------------------------- speed smoke


@pytest.mark.parametrize("undefined", [False, True], ids=["defined SQ", "undefined SQ"])
def test_large_sparse_file_with_a_512_item_sequence(tmp_path, undefined):
    """A 200 MB file (sparse: the pixel data is a hole) indexes by touching only its head."""
    items = []
    for i in range(512):
        body = el_le(0x00200032, b"DS", b"1.5\\2.5\\%03d " % i) + el_le(
            0x00280030, b"DS", b"0.5\\0.5 "
        )
        if undefined:
            items.append(ITEM_LE + b"\xff\xff\xff\xff" + body + ITEM_DELIM_LE)
        else:
            items.append(ITEM_LE + struct.pack("<L", len(body)) + body)
    value = b"".join(items)
    if undefined:
        sq = struct.pack("<HH2s2xL", 0x5200, 0x9230, b"SQ", U) + value + SEQ_DELIM_LE
    else:
        sq = struct.pack("<HH2s2xL", 0x5200, 0x9230, b"SQ", len(value)) + value
    top = b"".join(el_le(0x00090000 + 2 * k + 0x1000, b"LO", b"v%04d " % k) for k in range(100))
    pixel_length = 200 * 1024 * 1024
    head = (PREAMBLE + b"DICM" + meta_group() + el_le(0x00080060, b"CS", b"MR") + top + sq
            + struct.pack("<HH2s2xL", 0x7FE0, 0x0010, b"OW", pixel_length))  # fmt: skip
    path = tmp_path / "big.dcm"
    with path.open("wb") as f:
        f.write(head)
        f.truncate(len(head) + pixel_length)  # a hole: no disk blocks for the pixel data
    with Source.open(path) as source:
        buf = source.buffer
        file_head = scan_preamble_and_meta(buf)
        index = scan_dataset(buf, file_head.dataset_offset, source.size, implicit_vr=False,
                             little_endian=True)  # fmt: skip
        assert len(index) == 103
        assert index.ends[-1] == source.size
        r = index.record(index.find(0x52009230))
        assert r.undefined_length == undefined
        assert len(scan_items(buf, r.value_offset, r.length, implicit_vr=False,
                              little_endian=True)) == 512  # fmt: skip

"""io/encaps.py: encapsulated pixel data items (PS3.5 A.4) and their grouping into frames."""

from __future__ import annotations

import struct
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lazydcm.errors import InvalidDicomError, TruncatedDicomError
from lazydcm.io.encaps import Fragments, fragments, frame_ranges, items_only, parse_fragments

PIXEL_DATA = 0x7FE00010

# Two frames; frame 1 in two fragments, frame 2 in one; a BOT with both offsets.
# Offsets are from the start of the value (the BOT item's tag).
TWO_FRAMES_BOT = bytes.fromhex(
    "FEFF00E0 08000000"  # 0x00 (FFFE,E000) Item, length 8: Basic Offset Table
    "00000000 16000000"  # 0x08 BOT[0] = 0, BOT[1] = 0x16 (from first fragment's tag at 0x10)
    "FEFF00E0 04000000"  # 0x10 fragment 1 (frame 1): item, length 4
    "FFD8FFE0"  # 0x18   SOI + APP0 marker start
    "FEFF00E0 02000000"  # 0x1C fragment 2 (frame 1): item, length 2
    "FFD9"  # 0x24   EOI
    "FEFF00E0 04000000"  # 0x26 fragment 3 (frame 2) at 0x26 - 0x10 = 0x16: item, length 4
    "FFD8FFD9"  # 0x2E   SOI EOI
    "FEFFDDE0 00000000"  # 0x32 (FFFE,E0DD) Sequence Delimitation Item, length 0
)  # 0x3A end
TWO_FRAMES_EXPECTED = [[(0x18, 4), (0x24, 2)], [(0x2E, 4)]]

# The same fragments with an empty BOT (frame boundaries only from markers).
TWO_FRAMES_NO_BOT = bytes.fromhex(
    "FEFF00E0 00000000"  # 0x00 Basic Offset Table item, length 0 (empty)
    "FEFF00E0 04000000"  # 0x08 fragment 1: SOI ...
    "FFD8FFE0"  # 0x10
    "FEFF00E0 02000000"  # 0x14 fragment 2: ... EOI
    "FFD9"  # 0x1C
    "FEFF00E0 04000000"  # 0x1E fragment 3: SOI EOI
    "FFD8FFD9"  # 0x26
    "FEFFDDE0 00000000"  # 0x2A sequence delimiter
)  # 0x32 end

# JPEG 2000-like: frame 1 = fragments 1+2, frame 2 = fragments 3+4; continuation fragments do
# not start with SOC, frames end with EOC (FFD9), one padded with a trailing 00.
J2K_NO_BOT = bytes.fromhex(
    "FEFF00E0 00000000"  # 0x00 empty BOT
    "FEFF00E0 04000000"  # 0x08 fragment 1: SOC SIZ
    "FF4FFF51"  # 0x10
    "FEFF00E0 04000000"  # 0x14 fragment 2: data, EOC
    "0102FFD9"  # 0x1C
    "FEFF00E0 04000000"  # 0x20 fragment 3: SOC SIZ
    "FF4FFF51"  # 0x28
    "FEFF00E0 04000000"  # 0x2C fragment 4: data, EOC, pad byte
    "03FFD900"  # 0x34
    "FEFFDDE0 00000000"  # 0x38 sequence delimiter
)  # 0x40 end


def test_parse_bot_and_items():
    parsed = parse_fragments(TWO_FRAMES_BOT, 0, len(TWO_FRAMES_BOT))
    assert parsed == Fragments(
        bot=(0, 0x16),
        items=((0x18, 4), (0x24, 2), (0x2E, 4)),
        first_item_offset=0x10,
        end=0x3A,
    )


def test_fragments_tuple_form():
    bot, items = fragments(TWO_FRAMES_BOT, 0, len(TWO_FRAMES_BOT))
    assert bot == (0, 0x16)
    assert items == ((0x18, 4), (0x24, 2), (0x2E, 4))


def test_offsets_are_absolute_in_a_larger_buffer():
    prefix = b"\x00" * 100
    buf = prefix + TWO_FRAMES_BOT + b"trailing garbage"
    parsed = parse_fragments(buf, 100, len(buf))
    assert parsed.items == ((100 + 0x18, 4), (100 + 0x24, 2), (100 + 0x2E, 4))
    assert parsed.first_item_offset == 100 + 0x10
    assert parsed.end == 100 + 0x3A  # stops at the delimiter, garbage after it untouched
    ranges = frame_ranges(parsed, 2)
    assert ranges == [[(o + 100, n) for o, n in frame] for frame in TWO_FRAMES_EXPECTED]


def test_memoryview_and_bytearray_buffers():
    for buf in (memoryview(TWO_FRAMES_BOT), bytearray(TWO_FRAMES_BOT)):
        assert parse_fragments(buf, 0, len(TWO_FRAMES_BOT)).items[2] == (0x2E, 4)


def test_big_endian_item_tags():
    # the same layout with big endian tags and lengths (PS3.5 7.5 items follow the syntax)
    be = bytes.fromhex(
        "FFFEE000 00000000"  # 0x00 empty BOT
        "FFFEE000 00000002"  # 0x08 fragment, length 2
        "ABCD"  # 0x10
        "FFFEE0DD 00000000"  # 0x12 delimiter
    )
    parsed = parse_fragments(be, 0, len(be), little_endian=False)
    assert parsed.items == ((0x10, 2),)
    assert parsed.end == 0x1A


def test_frame_ranges_from_bot():
    parsed = parse_fragments(TWO_FRAMES_BOT, 0, len(TWO_FRAMES_BOT))
    assert frame_ranges(parsed, 2) == TWO_FRAMES_EXPECTED


def test_frame_ranges_one_frame_takes_all_fragments():
    parsed = parse_fragments(TWO_FRAMES_NO_BOT, 0, len(TWO_FRAMES_NO_BOT))
    assert frame_ranges(parsed, 1) == [[(0x10, 4), (0x1C, 2), (0x26, 4)]]


def test_frame_ranges_one_fragment_per_frame():
    parsed = parse_fragments(TWO_FRAMES_NO_BOT, 0, len(TWO_FRAMES_NO_BOT))
    assert frame_ranges(parsed, 3) == [[(0x10, 4)], [(0x1C, 2)], [(0x26, 4)]]


def test_frame_ranges_from_start_markers():
    parsed = parse_fragments(TWO_FRAMES_NO_BOT, 0, len(TWO_FRAMES_NO_BOT))
    assert frame_ranges(parsed, 2, buf=TWO_FRAMES_NO_BOT) == [[(0x10, 4), (0x1C, 2)], [(0x26, 4)]]


def test_frame_ranges_from_end_markers_with_padding():
    # starts: fragments 1 and 3 begin with SOC, so the start rule already finds 2 frames
    parsed = parse_fragments(J2K_NO_BOT, 0, len(J2K_NO_BOT))
    expected = [[(0x10, 4), (0x1C, 4)], [(0x28, 4), (0x34, 4)]]
    assert frame_ranges(parsed, 2, buf=J2K_NO_BOT) == expected
    # without SOC markers only the EOC (+ pad byte) ends can split the frames
    no_soc = J2K_NO_BOT.replace(bytes.fromhex("FF4FFF51"), bytes.fromhex("00000000"))
    parsed = parse_fragments(no_soc, 0, len(no_soc))
    assert frame_ranges(parsed, 2, buf=no_soc) == expected


def test_frame_ranges_without_buffer_or_markers_fails():
    parsed = parse_fragments(TWO_FRAMES_NO_BOT, 0, len(TWO_FRAMES_NO_BOT))
    with pytest.raises(InvalidDicomError, match="3 fragments") as info:
        frame_ranges(parsed, 2)
    assert info.value.tag == PIXEL_DATA
    garbled = TWO_FRAMES_NO_BOT.replace(b"\xff\xd8", b"\x00\x00").replace(b"\xff\xd9", b"\x00\x00")
    parsed = parse_fragments(garbled, 0, len(garbled))
    with pytest.raises(InvalidDicomError, match="no frame markers"):
        frame_ranges(parsed, 2, buf=garbled)


def test_frame_ranges_more_frames_than_fragments_fails():
    parsed = parse_fragments(TWO_FRAMES_NO_BOT, 0, len(TWO_FRAMES_NO_BOT))
    with pytest.raises(InvalidDicomError):
        frame_ranges(parsed, 4, buf=TWO_FRAMES_NO_BOT)


def test_frame_ranges_extended_offset_table_with_lengths():
    parsed = parse_fragments(TWO_FRAMES_NO_BOT, 0, len(TWO_FRAMES_NO_BOT))
    # EOT offsets count from the first fragment's tag (0x08): frames at 0x00 and 0x1E - 0x08
    ranges = frame_ranges(parsed, 2, eot_offsets=[0, 0x16], eot_lengths=[5, 4])
    # frame 1 trimmed to its 5 bytes: 4 of fragment 1 and 1 of fragment 2
    assert ranges == [[(0x10, 4), (0x1C, 1)], [(0x26, 4)]]
    assert frame_ranges(parsed, 2, eot_offsets=[0, 0x16]) == [[(0x10, 4), (0x1C, 2)], [(0x26, 4)]]


def test_frame_ranges_extended_offset_table_wins_over_bot():
    parsed = parse_fragments(TWO_FRAMES_BOT, 0, len(TWO_FRAMES_BOT))
    # an EOT that puts frame 2 at fragment 2 (offset 0x1C - 0x10 = 0x0C)
    assert frame_ranges(parsed, 2, eot_offsets=[0, 0x0C]) == [[(0x18, 4)], [(0x24, 2), (0x2E, 4)]]


@pytest.mark.parametrize(
    ("eot_offsets", "eot_lengths"),
    [([0], None), ([0, 0x0D], None), ([0x0C, 0], None), ([4, 0x16], None), ([0, 0x16], [4])],
)
def test_unusable_extended_offset_table_falls_back_to_bot(eot_offsets, eot_lengths):
    parsed = parse_fragments(TWO_FRAMES_BOT, 0, len(TWO_FRAMES_BOT))
    with pytest.warns(UserWarning, match="Extended Offset Table"):
        ranges = frame_ranges(parsed, 2, eot_offsets=eot_offsets, eot_lengths=eot_lengths)
    assert ranges == TWO_FRAMES_EXPECTED


def _with_bot(entries: tuple[int, ...]) -> bytes:
    """TWO_FRAMES_BOT with its BOT replaced by ``entries``."""
    table = struct.pack(f"<{len(entries)}I", *entries)
    return struct.pack("<HHI", 0xFFFE, 0xE000, len(table)) + table + TWO_FRAMES_BOT[16:]


@pytest.mark.parametrize("bot", [(0, 0x17), (0x16, 0), (0, 0x16, 0x1E)])
def test_unusable_bot_falls_back_to_markers(bot):
    buf = _with_bot(bot)
    parsed = parse_fragments(buf, 0, len(buf))
    assert parsed.bot == bot
    with pytest.warns(UserWarning, match="Basic Offset Table"):
        ranges = frame_ranges(parsed, 2, buf=buf)
    shift = 4 * len(bot) - 8
    assert ranges == [[(o + shift, n) for o, n in frame] for frame in TWO_FRAMES_EXPECTED]


def test_no_fragments():
    empty = bytes.fromhex("FEFF00E0 00000000 FEFFDDE0 00000000")  # empty BOT, delimiter
    parsed = parse_fragments(empty, 0, len(empty))
    assert parsed.items == () and parsed.end == 16 and parsed.first_item_offset == 8
    with pytest.raises(InvalidDicomError, match="no fragments"):
        frame_ranges(parsed, 1)


@pytest.mark.parametrize(
    ("data", "match", "offset"),
    [
        ("FEFF0DE0 00000000 FEFFDDE0 00000000", "Basic Offset Table item", 0),  # item delim
        ("FEFF00E0 06000000 000000000000 FEFFDDE0 00000000", "multiple of 4", 0),
        ("FEFF00E0 FFFFFFFF FEFFDDE0 00000000", "multiple of 4", 0),
        ("FEFF00E0 00000000 FEFF00E0 FFFFFFFF 00", "undefined length", 8),
        ("FEFF00E0 00000000 E07F1000 02000000 0000", "(7FE0,0010)", 8),
        ("FEFF00E0 00000000 FEFF00E0 10000000 0000", "runs past", 8),
        ("FEFF00E0 00000000 FEFF00E0 02000000 0000", "8 bytes", 18),  # no delimiter
    ],
)
def test_malformed_items(data, match, offset):
    buf = bytes.fromhex(data)
    with pytest.raises(
        InvalidDicomError, match=match.replace("(", r"\(").replace(")", r"\)")
    ) as info:
        parse_fragments(buf, 0, len(buf))
    assert info.value.offset == offset
    assert info.value.tag == PIXEL_DATA


@pytest.mark.parametrize("value", [TWO_FRAMES_BOT, TWO_FRAMES_NO_BOT, J2K_NO_BOT])
def test_truncated_at_every_offset(value):
    for cut in range(len(value)):
        with pytest.raises(TruncatedDicomError):
            parse_fragments(value[:cut], 0, cut)
        with pytest.raises(TruncatedDicomError):  # ``end`` limits too, not only the buffer
            parse_fragments(value, 0, cut)


def test_end_beyond_buffer_is_clamped():
    with pytest.raises(TruncatedDicomError):
        parse_fragments(TWO_FRAMES_BOT[:-4], 0, 10_000)


@given(st.binary(max_size=80), st.integers(min_value=1, max_value=4))
def test_arbitrary_bytes_raise_only_invalid_dicom(data, n_frames):
    try:
        parsed = parse_fragments(data, 0, len(data))
    except InvalidDicomError:
        return
    assert parsed.end <= len(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ranges = frame_ranges(parsed, n_frames, buf=data)
        except InvalidDicomError:
            return
    assert len(ranges) == n_frames
    for frame in ranges:
        for offset, length in frame:
            assert offset >= 0 and offset + length <= len(data)


# --- in-memory values (issue #10 kind 1): the items alone, a delimiter optional --------------


def test_in_memory_value_without_delimiter():
    value = TWO_FRAMES_BOT[:-8]  # what ds.PixelData gives: no Sequence Delimitation Item
    with pytest.raises(TruncatedDicomError):
        parse_fragments(value, 0, len(value))  # a file's bytes must have the delimiter
    parsed = parse_fragments(value, 0, len(value), delimited=False)
    assert parsed.items == ((0x18, 4), (0x24, 2), (0x2E, 4)) and parsed.end == 0x32
    assert frame_ranges(parsed, 2) == TWO_FRAMES_EXPECTED


def test_in_memory_value_with_delimiter_and_what_follows_it():
    parsed = parse_fragments(TWO_FRAMES_BOT, 0, len(TWO_FRAMES_BOT), delimited=False)
    assert parsed.items == ((0x18, 4), (0x24, 2), (0x2E, 4)) and parsed.end == 0x3A
    trailing = TWO_FRAMES_BOT + b"\0\0"
    assert parse_fragments(trailing, 0, len(trailing), delimited=False).end == 0x3A


@pytest.mark.parametrize("cut", range(1, 8))
def test_in_memory_value_cut_inside_an_item_header(cut):
    value = TWO_FRAMES_BOT[:-8] + TWO_FRAMES_BOT[-8 : -8 + cut]
    with pytest.raises(TruncatedDicomError) as info:
        parse_fragments(value, 0, len(value), delimited=False)
    assert info.value.offset == 0x32


def test_items_only_cuts_the_delimiter_once():
    items = TWO_FRAMES_BOT[:-8]
    assert items_only(items) == items
    assert items_only(TWO_FRAMES_BOT) == items
    assert items_only(TWO_FRAMES_BOT + b"junk") == items
    # a fragment whose content ends with delimiter-like bytes is not cut
    tricky = bytes.fromhex("FEFF00E0 00000000 FEFF00E0 08000000 FEFFDDE0 00000000")
    assert items_only(tricky) == tricky
    assert items_only(b"\x01\x02\x03") == b"\x01\x02\x03"  # not items: left to the caller

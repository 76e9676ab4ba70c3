"""Tests for lazydcm.io.header: every header form as an annotated byte literal.

Each case is fed to the reader whole, truncated at every offset, and followed by garbage.
"""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lazydcm.errors import InvalidDicomError, TruncatedDicomError
from lazydcm.io.header import (
    ITEM,
    ITEM_DELIM,
    LONG_LENGTH_VRS,
    SEQ_DELIM,
    UNDEFINED_LENGTH,
    VRS,
    ElementHeader,
    encode_element_header,
    encode_item_header,
    read_element_header,
    read_header_fields,
    read_item_header,
    read_tag,
)

# (name, bytes, implicit_vr, little_endian, expected (tag, vr, value_offset, length))
CASES = [
    (
        "implicit LE (0010,0010) length 8",
        bytes.fromhex(
            "1000 1000"  # 0: tag (0010,0010) LE: group 0x0010, element 0x0010
            "08000000"  # 4: 32-bit length 8
        ),  # 8: value
        True,
        True,
        (0x00100010, None, 8, 8),
    ),
    (
        "implicit LE (7FE0,0010) undefined length",
        bytes.fromhex(
            "e07f 1000"  # 0: tag (7FE0,0010)
            "ffffffff"  # 4: undefined length
        ),  # 8: value
        True,
        True,
        (0x7FE00010, None, 8, UNDEFINED_LENGTH),
    ),
    (
        "explicit LE short (0028,0010) US length 2",
        bytes.fromhex(
            "2800 1000"  # 0: tag (0028,0010)
            "5553"  # 4: VR "US"
            "0200"  # 6: 16-bit length 2
        ),  # 8: value
        False,
        True,
        (0x00280010, b"US", 8, 2),
    ),
    (
        "explicit LE long (7FE0,0010) OB length 0x10000",
        bytes.fromhex(
            "e07f 1000"  # 0: tag (7FE0,0010)
            "4f42"  # 4: VR "OB"
            "0000"  # 6: reserved
            "00000100"  # 8: 32-bit length 0x00010000
        ),  # 12: value
        False,
        True,
        (0x7FE00010, b"OB", 12, 0x10000),
    ),
    (
        "explicit LE long (0008,1115) SQ undefined length",
        bytes.fromhex(
            "0800 1511"  # 0: tag (0008,1115)
            "5351"  # 4: VR "SQ"
            "0000"  # 6: reserved
            "ffffffff"  # 8: undefined length
        ),  # 12: value
        False,
        True,
        (0x00081115, b"SQ", 12, UNDEFINED_LENGTH),
    ),
    (
        "explicit LE long (0018,9346) UT length 3 (odd)",
        bytes.fromhex(
            "1800 4693"  # 0: tag (0018,9346)
            "5554"  # 4: VR "UT"
            "0000"  # 6: reserved
            "03000000"  # 8: length 3
        ),  # 12: value
        False,
        True,
        (0x00189346, b"UT", 12, 3),
    ),
    (
        "explicit BE short (0028,0011) US length 2",
        bytes.fromhex(
            "0028 0011"  # 0: tag (0028,0011) BE
            "5553"  # 4: VR "US"
            "0002"  # 6: 16-bit length 2 BE
        ),  # 8: value
        False,
        False,
        (0x00280011, b"US", 8, 2),
    ),
    (
        "explicit BE long (7FE0,0010) OW length 0x0102",
        bytes.fromhex(
            "7fe0 0010"  # 0: tag (7FE0,0010) BE
            "4f57"  # 4: VR "OW"
            "0000"  # 6: reserved
            "00000102"  # 8: 32-bit length 0x102 BE
        ),  # 12: value
        False,
        False,
        (0x7FE00010, b"OW", 12, 0x102),
    ),
    (
        "item LE in an explicit syntax: no VR",
        bytes.fromhex(
            "feff 00e0"  # 0: tag (FFFE,E000)
            "1a000000"  # 4: 32-bit length 26 (bytes 4-5 are not a VR)
        ),  # 8: item content
        False,
        True,
        (ITEM, None, 8, 26),
    ),
    (
        "item LE undefined length, implicit syntax",
        bytes.fromhex(
            "feff 00e0"  # 0: tag (FFFE,E000)
            "ffffffff"  # 4: undefined length
        ),
        True,
        True,
        (ITEM, None, 8, UNDEFINED_LENGTH),
    ),
    (
        "item delimiter LE in an explicit syntax",
        bytes.fromhex(
            "feff 0de0"  # 0: tag (FFFE,E00D)
            "00000000"  # 4: length 0
        ),
        False,
        True,
        (ITEM_DELIM, None, 8, 0),
    ),
    (
        "sequence delimiter LE in an explicit syntax",
        bytes.fromhex(
            "feff dde0"  # 0: tag (FFFE,E0DD)
            "00000000"  # 4: length 0
        ),
        False,
        True,
        (SEQ_DELIM, None, 8, 0),
    ),
    (
        "item BE",
        bytes.fromhex(
            "fffe e000"  # 0: tag (FFFE,E000) BE
            "00000010"  # 4: length 16 BE
        ),
        False,
        False,
        (ITEM, None, 8, 16),
    ),
    (
        "sequence delimiter BE",
        bytes.fromhex(
            "fffe e0dd"  # 0: tag (FFFE,E0DD) BE
            "00000000"  # 4: length 0
        ),
        False,
        False,
        (SEQ_DELIM, None, 8, 0),
    ),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize(("name", "data", "implicit", "little", "expected"), CASES, ids=IDS)
def test_whole(name, data, implicit, little, expected):
    tag, vr, value_offset, length = expected
    header = read_element_header(data, 0, implicit_vr=implicit, little_endian=little)
    assert header == ElementHeader(tag, vr, 0, value_offset, length)
    assert header.undefined_length == (length == UNDEFINED_LENGTH)
    assert read_header_fields(data, 0, implicit, little) == expected
    assert read_tag(data, 0, little_endian=little) == tag


@pytest.mark.parametrize(("name", "data", "implicit", "little", "expected"), CASES, ids=IDS)
def test_at_an_offset_in_a_memoryview(name, data, implicit, little, expected):
    tag, vr, value_offset, length = expected
    buf = memoryview(b"\xaa" * 5 + data)
    header = read_element_header(buf, 5, implicit_vr=implicit, little_endian=little)
    assert header == ElementHeader(tag, vr, 5, 5 + value_offset, length)


@pytest.mark.parametrize(("name", "data", "implicit", "little", "expected"), CASES, ids=IDS)
def test_truncated_at_every_offset(name, data, implicit, little, expected):
    for cut in range(len(data)):
        with pytest.raises(TruncatedDicomError) as info:
            read_element_header(data[:cut], 0, implicit_vr=implicit, little_endian=little)
        assert info.value.offset == 0
        # The tag is named once its 4 bytes are there.
        assert info.value.tag == (expected[0] if cut >= 4 else None)


@pytest.mark.parametrize(("name", "data", "implicit", "little", "expected"), CASES, ids=IDS)
def test_trailing_garbage_is_not_read(name, data, implicit, little, expected):
    tag, vr, value_offset, length = expected
    for garbage in (b"\xff" * 7, b"DICM", bytes(range(256))):
        header = read_element_header(data + garbage, 0, implicit_vr=implicit, little_endian=little)
        assert header == ElementHeader(tag, vr, 0, value_offset, length)


@pytest.mark.parametrize(("name", "data", "implicit", "little", "expected"), CASES, ids=IDS)
def test_encode_is_the_inverse(name, data, implicit, little, expected):
    tag, vr, _, length = expected
    if tag >> 16 == 0xFFFE:
        assert encode_item_header(tag, length, little_endian=little) == data
    assert (
        encode_element_header(tag, vr, length, implicit_vr=implicit, little_endian=little) == data
    )


def test_unknown_explicit_vr_raises_with_offset_and_tag():
    data = bytes.fromhex(
        "1000 1000"  # 0: tag (0010,0010)
        "7a7a"  # 4: "zz" - not a VR
        "0400"  # 6: length 4
        "41424344"  # 8: value
    )
    with pytest.raises(InvalidDicomError) as info:
        read_element_header(data, 0, implicit_vr=False, little_endian=True)
    assert not isinstance(info.value, TruncatedDicomError)
    assert (info.value.offset, info.value.tag) == (0, 0x00100010)
    assert "(0010,0010)" in str(info.value) and "0x0" in str(info.value)


def test_long_vr_header_cut_between_8_and_12_bytes_is_truncation_with_tag():
    data = bytes.fromhex("e07f 1000 4f42 0000 0000")  # (7FE0,0010) OB, reserved, half a length
    with pytest.raises(TruncatedDicomError) as info:
        read_element_header(data, 0, implicit_vr=False, little_endian=True)
    assert info.value.tag == 0x7FE00010


def test_negative_offset_is_truncation():
    with pytest.raises(TruncatedDicomError):
        read_element_header(bytes(16), -1, implicit_vr=True, little_endian=True)
    with pytest.raises(TruncatedDicomError):
        read_tag(bytes(16), -4, little_endian=True)


def test_read_item_header_ignores_vr_bytes_and_syntax():
    data = bytes.fromhex("feff 00e0 5351 0000")  # (FFFE,E000), length 0x5153 ("SQ" bytes)
    assert read_item_header(data, 0, little_endian=True) == ElementHeader(ITEM, None, 0, 8, 0x5153)
    for cut in range(8):
        with pytest.raises(TruncatedDicomError):
            read_item_header(data[:cut], 0, little_endian=True)


def test_vr_tables():
    # PS3.5 6.2: 34 VRs; PS3.5 7.1.2: 21 of them have a 16-bit length.
    assert len(VRS) == 34
    short = VRS - LONG_LENGTH_VRS
    assert short == frozenset(
        b"AE AS AT CS DA DS DT FL FD IS LO LT PN SH SL SS ST TM UI UL US".split()
    )
    assert LONG_LENGTH_VRS <= VRS


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((0x00100010, b"PN", 0x10000), {"implicit_vr": False, "little_endian": True}),
        ((0x00100010, b"PN", UNDEFINED_LENGTH), {"implicit_vr": False, "little_endian": True}),
        ((0x00100010, b"XX", 2), {"implicit_vr": False, "little_endian": True}),
        ((0x00100010, None, 2), {"implicit_vr": False, "little_endian": True}),
        ((0x1_0000_0000, b"OB", 2), {"implicit_vr": False, "little_endian": True}),
        ((0x00100010, None, -1), {"implicit_vr": True, "little_endian": True}),
        ((0x00100010, None, 1 << 32), {"implicit_vr": True, "little_endian": True}),
    ],
)
def test_encode_element_header_rejects_what_cannot_be_written(args, kwargs):
    with pytest.raises(ValueError):
        encode_element_header(*args, **kwargs)


def test_encode_item_header_rejects_non_item_tags():
    with pytest.raises(ValueError):
        encode_item_header(0x00100010, 0, little_endian=True)


def test_element_header_is_frozen():
    header = ElementHeader(1, None, 0, 8, 0)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        header.length = 2  # type: ignore[misc]


@given(
    tag=st.integers(0, 0xFFFDFFFF),
    vr=st.sampled_from(sorted(VRS)),
    length=st.integers(0, 0xFFFFFFFF),
    implicit=st.booleans(),
    little=st.booleans(),
    offset=st.integers(0, 9),
)
def test_encode_read_round_trip(tag, vr, length, implicit, little, offset):
    if implicit:
        little = True  # there is no implicit big endian
    elif vr not in LONG_LENGTH_VRS:
        length &= 0xFFFF
    raw = encode_element_header(tag, vr, length, implicit_vr=implicit, little_endian=little)
    assert len(raw) == (12 if not implicit and vr in LONG_LENGTH_VRS else 8)
    header = read_element_header(
        b"\0" * offset + raw, offset, implicit_vr=implicit, little_endian=little
    )
    assert header == ElementHeader(tag, None if implicit else vr, offset, offset + len(raw), length)


@given(data=st.binary(max_size=16), implicit=st.booleans(), little=st.booleans())
def test_arbitrary_bytes_give_a_header_or_invalid_dicom(data, implicit, little):
    try:
        header = read_element_header(data, 0, implicit_vr=implicit, little_endian=little)
    except InvalidDicomError:
        return
    assert header.value_offset in (8, 12)
    assert header.value_offset <= len(data)

"""decode_value / encode_value / coerce_value and the value classes (lazydcm.model.values).

Byte literals are value fields as they sit in a file (after the element header), annotated with
their offsets where they hold more than one value; every case runs in both byte orders.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import pickle

import numpy as np
import pytest

from lazydcm.errors import InvalidDicomError, InvalidValueError
from lazydcm.model.charset import Charset
from lazydcm.model.tag import Tag
from lazydcm.model.uid import UID
from lazydcm.model.values import (
    AS,
    DA,
    DS,
    DT,
    IS,
    TM,
    MultiValue,
    PersonName,
    coerce_value,
    decode_value,
    encode_value,
)
from lazydcm.model.vr import VR

BOTH = pytest.mark.parametrize("little", [True, False], ids=["LE", "BE"])

# -- binary numbers and AT: (vr, little endian bytes, big endian bytes, value) ------------------
NUMBER_CASES = [
    ("US", b"\x01\x02", b"\x02\x01", 0x0201),
    # 0: 0x0001  2: 0xFFFF
    ("US", b"\x01\x00\xff\xff", b"\x00\x01\xff\xff", [1, 65535]),
    ("SS", b"\xfe\xff", b"\xff\xfe", -2),
    ("SS", b"\x00\x80", b"\x80\x00", -32768),
    ("UL", b"\x78\x56\x34\x12", b"\x12\x34\x56\x78", 0x12345678),
    # 0: 0  4: 0xFFFFFFFF  8: 256
    (
        "UL",
        bytes(4) + b"\xff" * 4 + b"\x00\x01\x00\x00",
        bytes(4) + b"\xff" * 4 + b"\x00\x00\x01\x00",
        [0, 2**32 - 1, 256],
    ),
    ("SL", b"\xfe\xff\xff\xff", b"\xff\xff\xff\xfe", -2),
    ("UV", b"\x01" + bytes(6) + b"\x80", b"\x80" + bytes(6) + b"\x01", 2**63 + 1),
    ("SV", b"\xfe" + b"\xff" * 7, b"\xff" * 7 + b"\xfe", -2),
    ("FL", b"\x00\x00\xc0\x3f", b"\x3f\xc0\x00\x00", 1.5),
    # 0: 1.5  4: -0.25
    ("FL", b"\x00\x00\xc0\x3f\x00\x00\x80\xbe", b"\x3f\xc0\x00\x00\xbe\x80\x00\x00", [1.5, -0.25]),
    ("FD", b"\x00" * 6 + b"\xf8\x3f", b"\x3f\xf8" + b"\x00" * 6, 1.5),
    # 0: 2.0  8: -1.0
    (
        "FD",
        bytes(7) + b"\x40" + bytes(6) + b"\xf0\xbf",
        b"\x40" + bytes(7) + b"\xbf\xf0" + bytes(6),
        [2.0, -1.0],
    ),
    # AT: group then element, each 16-bit: (0010,0010)
    ("AT", b"\x10\x00\x10\x00", b"\x00\x10\x00\x10", Tag(0x00100010)),
    # 0: (0028,0010)  4: (7FE0,0010)
    (
        "AT",
        b"\x28\x00\x10\x00\xe0\x7f\x10\x00",
        b"\x00\x28\x00\x10\x7f\xe0\x00\x10",
        [Tag(0x00280010), Tag(0x7FE00010)],
    ),
]


@pytest.mark.parametrize(("vr", "le", "be", "value"), NUMBER_CASES)
@BOTH
def test_numbers_decode(vr, le, be, value, little):
    decoded = decode_value(vr, le if little else be, little_endian=little)
    assert decoded == value
    if isinstance(value, list):
        assert isinstance(decoded, MultiValue) and decoded.vr == vr
    else:
        assert type(decoded) is type(value)


@pytest.mark.parametrize(("vr", "le", "be", "value"), NUMBER_CASES)
@BOTH
def test_numbers_encode(vr, le, be, value, little):
    assert encode_value(vr, value, little_endian=little) == (le if little else be)


@pytest.mark.parametrize(("vr", "le", "be", "value"), NUMBER_CASES)
def test_numbers_decode_from_memoryview(vr, le, be, value):
    buffer = memoryview(b"\xaa" * 3 + le + b"\xbb")
    assert decode_value(vr, buffer[3 : 3 + len(le)], little_endian=True) == value


@pytest.mark.parametrize(("vr", "le", "be", "value"), NUMBER_CASES)
@BOTH
def test_numbers_cut_at_every_offset(vr, le, be, value, little):
    raw = le if little else be
    size = VR(vr).fixed_size
    values = value if isinstance(value, list) else [value]
    for cut in range(len(raw) + 1):
        if cut % size:
            with pytest.raises(InvalidValueError):
                decode_value(vr, raw[:cut], little_endian=little, tag=0x00280030, offset=0)
            continue
        decoded = decode_value(vr, raw[:cut], little_endian=little)
        count = cut // size
        assert decoded == (None if count == 0 else values[0] if count == 1 else values[:count])


def test_at_decodes_to_tags():
    value = decode_value("AT", b"\x28\x00\x10\x00\xe0\x7f\x10\x00", little_endian=True)
    assert all(isinstance(v, Tag) for v in value)
    assert str(value) == "[(0028,0010), (7FE0,0010)]"


@pytest.mark.parametrize("vr", ["US", "SS", "UL", "SL", "UV", "SV", "FL", "FD", "AT"])
@BOTH
def test_empty_number_is_none(vr, little):
    assert decode_value(vr, b"", little_endian=little) is None
    assert encode_value(vr, None, little_endian=little) == b""


@pytest.mark.parametrize(
    ("vr", "raw"),
    [("US", b"\x01\x00\x02"), ("UL", b"\x01\x02"), ("FD", bytes(12)), ("AT", bytes(6)),
     ("SV", bytes(9)), ("FL", b"\x00")],
)  # fmt: skip
@BOTH
def test_bad_number_lengths_raise_invalid_value_error(vr, raw, little):
    with pytest.raises(InvalidValueError) as info:
        decode_value(vr, raw, little_endian=little, tag=0x00280030, offset=0x1F4)
    error = info.value
    assert isinstance(error, InvalidDicomError)
    assert error.tag == 0x00280030 and error.offset == 0x1F4
    assert "(0028,0030)" in str(error) and "0x1F4" in str(error) and vr in str(error)


# -- text VRs: (vr, value field, decoded value, canonical re-encoding or None for the same) --------
TEXT_CASES = [
    ("AE", b"STORESCP", "STORESCP", None),
    ("AE", b" AE1", "AE1", b"AE1 "),  # AE: leading and trailing spaces are not significant
    ("AS", b"045Y", AS("045Y"), None),
    # 0: ORIGINAL  9: PRIMARY  17: AXIAL  22: end (even, no pad)
    ("CS", b"ORIGINAL\\PRIMARY\\AXIAL", ["ORIGINAL", "PRIMARY", "AXIAL"], None),
    # 0: ORIGINAL  9: OTHERS  15: pad
    ("CS", b"ORIGINAL\\OTHERS ", ["ORIGINAL", "OTHERS"], None),
    ("DA", b"20240131", DA("20240131"), None),
    # 0: "1.50"  5: "-2.5E3"  11: pad
    ("DS", b"1.50\\-2.5E3 ", [DS("1.50"), DS("-2.5E3")], None),
    ("DS", b" 0.5", DS(" 0.5"), None),  # the leading space is kept: byte-identical re-encoding
    ("DT", b"20240131123456.123456+0100", DT("20240131123456.123456+0100"), None),
    # 0: " 12"  4: "-3"
    ("IS", b" 12\\-3", [IS(" 12"), IS("-3")], None),
    ("LO", b"Some Name ", "Some Name", None),
    # 0: "a"  2: ""  3: "cde"  (an empty value between two others)
    ("LO", b"a\\\\cde", ["a", "", "cde"], None),
    # LT holds one value; a backslash is text; 21 bytes + pad
    ("LT", b"line one\r\nline \\ twos ", "line one\r\nline \\ twos", None),
    ("PN", b"Doe^John^^Drs ", PersonName("Doe^John^^Drs"), None),
    # 0: "A^B"  4: "C^D"  7: pad
    ("PN", b"A^B\\C^D ", [PersonName("A^B"), PersonName("C^D")], None),
    ("SH", b"-0400 ", "-0400", None),
    ("ST", b" leading kept", " leading kept", b" leading kept "),
    ("TM", b"070907.0705 ", TM("070907.0705"), None),
    ("UC", b"a\\b ", ["a", "b"], None),
    ("UI", b"1.2.840.10008.1.2.1\0", UID("1.2.840.10008.1.2.1"), None),
    # 0: 1.2.3  6: 1.2.456  13: NUL pad
    ("UI", b"1.2.3\\1.2.456\0", [UID("1.2.3"), UID("1.2.456")], None),
    ("UR", b"http://a.b/c?d=ef ", "http://a.b/c?d=ef", None),
    ("UT", b"x\\y", "x\\y", b"x\\y "),
]


@pytest.mark.parametrize(("vr", "raw", "value", "canonical"), TEXT_CASES)
@BOTH
def test_text_decode_and_encode(vr, raw, value, canonical, little):
    decoded = decode_value(vr, raw, little_endian=little)
    assert decoded == value
    if isinstance(value, list):
        assert isinstance(decoded, MultiValue)
        assert [type(v) for v in decoded] == [type(v) for v in value]
    else:
        assert type(decoded) is type(value)
    encoded = encode_value(vr, decoded, little_endian=little)
    assert encoded == (canonical if canonical is not None else raw)
    assert len(encoded) % 2 == 0


@pytest.mark.parametrize(("vr", "raw"), [(case[0], case[1]) for case in TEXT_CASES])
def test_text_cut_at_every_offset_decodes_or_raises_invalid_value_error(vr, raw):
    for cut in range(len(raw) + 1):
        for data in (raw[:cut], raw[:cut] + b"\xff\x00garbage"):
            try:
                decode_value(vr, data, little_endian=True, tag=0x00100010, offset=0)
            except InvalidValueError as exc:
                assert vr in ("DS", "IS") and exc.tag == 0x00100010


@pytest.mark.parametrize("vr", sorted(v.value for v in VR if v.is_text))
@BOTH
def test_empty_text_follows_the_empty_value_convention(vr, little):
    # "" for text, PersonName("") for PN, None for DS and IS (pydicom's convention); a DS or
    # IS of padding only is "", as pydicom 3 reads it
    for raw in (b"", b"  " if vr != "UI" else b"\0\0"):
        expected = None if vr in ("DS", "IS") and not raw else ""
        value = decode_value(vr, raw, little_endian=little)
        assert value == expected
        assert type(value) is (PersonName if vr == "PN" else type(expected))
    assert encode_value(vr, "", little_endian=little) == b""
    assert encode_value(vr, None, little_endian=little) == b""


def test_trailing_nul_padding_of_text_is_tolerated():
    assert decode_value("LO", b"ABC\0", little_endian=True) == "ABC"
    assert decode_value("UI", b"1.2 ", little_endian=True) == "1.2"


def test_cs_values_lose_insignificant_spaces():
    assert decode_value("CS", b" A \\ B ", little_endian=True) == ["A", "B"]


@pytest.mark.parametrize(
    ("vr", "raw"), [("DS", b"1,5 "), ("DS", b"abc "), ("IS", b"1.5 "), ("IS", b"12\\x ")]
)
def test_bad_number_strings_raise_invalid_value_error(vr, raw):
    with pytest.raises(InvalidValueError) as info:
        decode_value(vr, raw, little_endian=True, tag=0x00180050, offset=0x300)
    assert info.value.tag == 0x00180050 and info.value.offset == 0x300
    assert "(0018,0050)" in str(info.value)


def test_text_with_a_charset():
    cs = Charset.from_specific_character_set("ISO_IR 144")
    raw = b"\xbb\xee\xda^\xd1 "  # Люк^б
    assert decode_value("PN", raw, little_endian=True, charset=cs) == "Люк^б"
    assert encode_value("PN", "Люк^б", little_endian=True, charset=cs) == raw
    # CS is not affected by Specific Character Set (PS3.5 6.1.2.3)
    assert decode_value("CS", b"\xbb ", little_endian=True, charset=cs) == "\xbb"


def test_text_outside_the_charset_cannot_be_encoded():
    with pytest.raises(ValueError, match="cannot be encoded"):
        encode_value("LO", "Ж", little_endian=True, charset=Charset.from_specific_character_set(""))
    with pytest.raises(ValueError, match="default repertoire"):
        encode_value("CS", "Ж", little_endian=True, charset=None)


# -- binary VRs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("vr", ["OB", "OD", "OF", "OL", "OV", "OW", "UN"])
@BOTH
def test_binary_values_are_bytes_as_stored(vr, little):
    raw = bytes(range(16))
    value = decode_value(vr, memoryview(raw), little_endian=little)
    assert type(value) is bytes and value == raw  # OW/OF/... not swapped for big endian
    assert encode_value(vr, value, little_endian=little) == raw
    assert decode_value(vr, b"", little_endian=little) is None  # empty: None, as pydicom


def test_binary_values_are_padded_with_nul():
    assert encode_value("OB", b"\x01\x02\x03", little_endian=True) == b"\x01\x02\x03\x00"
    assert encode_value("OB", bytearray(b"\x01"), little_endian=True) == b"\x01\x00"
    assert encode_value("OW", np.array([1, 2], "<u2"), little_endian=True) == b"\x01\x00\x02\x00"


def test_binary_value_outlives_the_buffer():
    buffer = bytearray(b"\x01\x02")
    value = decode_value("OB", memoryview(buffer), little_endian=True)
    buffer[0] = 0xFF
    assert value == b"\x01\x02"


def test_unknown_vr_is_read_as_un_and_sq_is_refused():
    assert decode_value("ZZ", b"\x01\x02", little_endian=True) == b"\x01\x02"
    with pytest.raises(ValueError, match="SQ"):
        decode_value("SQ", b"", little_endian=True)
    with pytest.raises(ValueError, match="resolve"):
        decode_value("US or SS", b"\x01\x00", little_endian=True)
    with pytest.raises(ValueError, match="resolve"):
        encode_value("OB or OW", b"", little_endian=True)


# -- padding and lengths -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vr", "value", "encoded"),
    [("LO", "ABC", b"ABC "), ("UI", "1.2.3", b"1.2.3\0"), ("CS", ["A", "BCD"], b"A\\BCD "),
     ("DS", 1.5, b"1.5 "), ("IS", 7, b"7 "), ("PN", "A^B^C", b"A^B^C "),
     ("DA", dt.date(2024, 1, 31), b"20240131"), ("TM", dt.time(7, 9), b"070900")],
)  # fmt: skip
def test_encode_pads_to_even_length(vr, value, encoded):
    assert encode_value(vr, value, little_endian=True) == encoded


# -- coerce_value ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vr", "value", "message"),
    [
        ("LO", "x" * 65, "LO.*65 characters.*at most 64"),
        ("SH", "x" * 17, "SH.*at most 16"),
        ("CS", "X" * 17, "CS.*at most 16"),
        ("AE", "A" * 17, "AE.*at most 16"),
        ("UI", "1." * 40, "UI.*at most 64"),
        ("PN", "x" * 65, "PN.*component group of 65"),
        ("PN", "a^b^c^d^e^f", "PN.*6 components"),
        ("PN", "a=b=c=d", "PN.*4 component groups"),
        ("CS", "lower", "CS.*A-Z"),
        ("AE", "\x01AE", "AE.*control"),
        ("AE", "    ", "AE.*solely of spaces"),
        ("LO", "a\nb", "LO.*control"),
        ("DA", "20240230", "DA.*not a valid DA"),
        ("DA", "2024-01-31", "DA.*not a valid DA"),
        ("TM", "2400", "TM.*not a valid TM"),
        ("TM", "021", "TM.*not a valid TM"),
        ("DT", "20240131-0000", "DT.*not a valid DT"),
        ("UI", "1.2.a", "UI.*digits"),
        ("UR", " http://x", "UR.*not a URI"),
        ("AS", "45Y", "AS.*nnnD"),
        ("DS", "1,5", "DS.*decimal string"),
        ("DS", "1.000000000000001", "DS.*longer than 16"),
        ("DS", math.nan, "DS.*cannot hold nan"),
        ("IS", "1.0", "IS.*integer string"),
        ("IS", 2**31, "IS.*outside"),
        ("US", 70000, "US.*out of range 0..65535"),
        ("US", -1, "US.*out of range"),
        ("SS", 40000, "SS.*out of range"),
        ("UL", 2**32, "UL.*out of range"),
        ("SL", -(2**31) - 1, "SL.*out of range"),
        ("UV", -1, "UV.*out of range"),
        ("US", 1.5, "US.*not an integer"),
        ("FL", 1e39, "FL.*overflows"),
        ("LT", ["a", "b"], "LT holds a single value"),
        ("US", list(range(32768)) + [0], "US.*65538 bytes.*16-bit length"),
        ("LO", ["a\\b"], "LO.*backslash"),
    ],
)
def test_coerce_value_rejects_what_the_vr_cannot_hold(vr, value, message):
    with pytest.raises(ValueError, match=message):
        coerce_value(vr, value)


@pytest.mark.parametrize(
    ("vr", "value"),
    [("US", "5"), ("LO", 5.5), ("FD", "1.5"), ("PN", 3), ("DA", 20240101), ("US", True),
     ("DS", True), ("OB", "text"), ("AT", 1.5), ("SQ", [])],
)  # fmt: skip
def test_coerce_value_rejects_wrong_types(vr, value):
    with pytest.raises(TypeError):
        coerce_value(vr, value)


@pytest.mark.parametrize(
    ("vr", "value", "expected", "kind"),
    [
        ("DS", 0.1 + 0.2, 0.3, DS),
        ("DS", "  2.50 ", 2.5, DS),
        ("DS", 3, 3.0, DS),
        ("IS", "+5", 5, IS),
        ("IS", 7.0, 7, IS),
        ("IS", np.int32(9), 9, IS),
        ("US", np.uint16(5), 5, int),
        ("US", 5.0, 5, int),
        ("FD", np.float32(0.5), 0.5, float),
        ("FL", 2, 2.0, float),
        ("AT", (0x0010, 0x0010), Tag(0x00100010), Tag),
        ("AT", "PatientName", Tag(0x00100010), Tag),
        ("AT", 0x7FE00010, Tag(0x7FE00010), Tag),
        ("DA", dt.date(2024, 1, 31), "20240131", DA),
        ("DA", dt.datetime(2024, 1, 31, 5, 6), "20240131", DA),
        ("TM", dt.time(7, 9, 7, 70500), "070907.070500", TM),
        (
            "DT",
            dt.datetime(2024, 1, 31, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
            "20240131120000-0500",
            DT,
        ),
        ("DA", "20240101-20240131", "20240101-20240131", DA),  # a range (query keys)
        ("UI", "1.2.3", "1.2.3", UID),
        ("PN", "Doe^John", "Doe^John", PersonName),
        ("AS", "045Y", "045Y", AS),
        ("CS", ["ORIGINAL"], "ORIGINAL", str),  # one-item lists give the item
        ("OB", memoryview(b"ab"), b"ab", bytes),
        ("OB", bytearray(b"ab"), b"ab", bytearray),
    ],
)
def test_coerce_value_converts(vr, value, expected, kind):
    result = coerce_value(vr, value)
    assert result == expected
    assert isinstance(result, kind)


def test_coerce_value_multiple_values():
    value = coerce_value("CS", "ORIGINAL\\PRIMARY")
    assert isinstance(value, MultiValue) and value == ["ORIGINAL", "PRIMARY"]
    assert coerce_value("LT", "a\\b") == "a\\b"  # LT: a backslash is text
    assert coerce_value("DS", [1, "2.5"]) == [DS("1"), DS("2.5")]
    assert coerce_value("US", np.array([1, 2], np.uint16)) == [1, 2]
    assert coerce_value("AT", [0x00100010, (0x0028, 0x0010)]) == [0x00100010, 0x00280010]
    assert coerce_value("US", []) == [] and isinstance(coerce_value("US", []), MultiValue)
    assert coerce_value("LO", ["a", None, ""]) == ["a", "", ""]
    assert coerce_value("PN", "A\\B=C") == [PersonName("A"), PersonName("B=C")]


def test_coerce_value_empty():
    # pydicom's empty-value convention (README "Empty values")
    assert coerce_value("LO", None) == ""
    assert coerce_value("LO", "") == ""
    assert coerce_value("US", "") is None
    assert coerce_value("DS", "") is None
    assert coerce_value("IS", None) is None
    assert coerce_value("OB", None) is None
    assert isinstance(coerce_value("PN", None), PersonName)
    assert coerce_value("PN", "") == ""


def test_coerce_value_non_strict_keeps_real_world_values():
    assert coerce_value("CS", "mr", strict=False) == "mr"
    assert coerce_value("LO", "x" * 100, strict=False) == "x" * 100
    assert coerce_value("IS", "1.0", strict=False) == 1
    assert coerce_value("DA", "2024.01.31", strict=False).date == dt.date(2024, 1, 31)
    with pytest.raises(ValueError, match="out of range"):
        coerce_value("US", 70000, strict=False)
    with pytest.raises(ValueError, match="backslash"):
        coerce_value("LO", ["a\\b"], strict=False)


def test_coerce_value_ambiguous_vr_takes_the_first_that_fits():
    assert coerce_value("US or SS", 5) == 5
    assert coerce_value("US or SS", -5) == -5
    with pytest.raises(ValueError, match="out of range"):
        coerce_value("US or SS", 70000)
    assert coerce_value("OB or OW", b"ab") == b"ab"


def test_encode_checks_the_16_bit_length_in_bytes():
    # 40 values of 60 three-byte characters and 39 backslashes: 7239 bytes + 1 pad, fine;
    # 400 values: 24399 characters (what coerce_value counts) but 72399 bytes + 1 pad
    utf8 = Charset.from_specific_character_set("ISO_IR 192")
    values = ["山" * 60] * 40
    assert len(encode_value("LO", values, little_endian=True, charset=utf8)) == 7240
    values = coerce_value("LO", ["山" * 60] * 400)  # 24399 characters pass the count
    with pytest.raises(ValueError, match="encodes to 72400 bytes"):
        encode_value("LO", values, little_endian=True, charset=utf8)


def test_sixteen_bit_length_applies_only_to_short_vrs():
    assert len(coerce_value("UL", list(range(16000)))) == 16000  # 64000 bytes fit
    assert len(coerce_value("UT", "x" * 70000)) == 70000  # UT has a 32-bit length
    assert len(coerce_value("OB", bytes(70000))) == 70000
    with pytest.raises(ValueError, match="16-bit"):
        coerce_value("LO", ["x" * 64] * 1100, strict=True)


# -- MultiValue ----------------------------------------------------------------------------------


def test_multivalue_coerces_on_insert():
    values = MultiValue("DS", ["1.5", 2])
    assert values == [1.5, 2.0] and all(isinstance(v, DS) for v in values)
    values.append("3")
    values.insert(0, 0.5)
    values.extend([4, "5"])
    values += ["6.25"]
    values[1] = "1.75"
    values[2:4] = [7, 8]
    assert values == [0.5, 1.75, 7.0, 8.0, 4.0, 5.0, 6.25]
    assert all(isinstance(v, DS) for v in values)
    with pytest.raises(ValueError, match="decimal string"):
        values.append("x")
    with pytest.raises(ValueError, match="out of range"):
        MultiValue("US", [1]).append(-1)
    with pytest.raises(TypeError):
        MultiValue("US", [1])[0] = "1"
    assert values == [0.5, 1.75, 7.0, 8.0, 4.0, 5.0, 6.25]


def test_multivalue_str_and_repr():
    assert str(MultiValue("CS", ["1", "2"])) == "['1', '2']"
    assert repr(MultiValue("DS", ["1.50", "2"])) == "[1.50, 2]"
    assert str(MultiValue("US", [1, 2])) == "[1, 2]"
    assert str(MultiValue("PN", ["A^B", "C"])) == "['A^B', 'C']"


def test_multivalue_copies_and_pickles():
    values = MultiValue("IS", ["+1", " 2"])
    for other in (values.copy(), copy.copy(values), copy.deepcopy(values),
                  pickle.loads(pickle.dumps(values))):  # fmt: skip
        assert other == values and isinstance(other, MultiValue) and other.vr == "IS"
        assert [v.original_string for v in other] == ["+1", " 2"]
        other.append(3)
        assert len(values) == 2


# -- value classes -------------------------------------------------------------------------------


def test_ds_keeps_its_text():
    value = DS.from_str(" 1.50 ")
    assert value == 1.5 and value.original_string == " 1.50 " and str(value) == "1.50"
    assert repr(value) == "'1.50'" and f"{value}" == "1.50" and f"{value:.1f}" == "1.5"
    assert DS("1e3") == 1000.0 and DS(".5") == 0.5 and DS("-5.") == -5.0
    assert type(value + 1) is float
    with pytest.raises(AttributeError):
        value.original_string = "2"
    restored = pickle.loads(pickle.dumps(value))
    assert restored.original_string == " 1.50 " and isinstance(restored, DS)


@pytest.mark.parametrize("number", [1 / 3, 1e-300, -1.7976931348623157e308, 123456789012345678,
                                    0.1 + 0.2, -0.0, 5e-324, 2.5, 100])  # fmt: skip
def test_ds_from_a_number_fits_16_characters(number):
    value = DS(number)
    assert len(value.original_string) <= 16
    assert value == float(value.original_string)
    assert DS.from_str(value.original_string) == value
    assert math.isclose(value, number, rel_tol=1e-9) or number == 5e-324


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_ds_cannot_hold_non_finite_numbers(number):
    with pytest.raises(ValueError):
        DS(number)


@pytest.mark.parametrize("text", ["", "abc", "1 2", "1.5.2", "e5", "+", "nan", "0x10"])
def test_ds_rejects_non_decimal_text(text):
    with pytest.raises(InvalidValueError):
        DS.from_str(text)


def test_is_keeps_its_text_and_is_lenient_on_read():
    assert IS.from_str("+5") == 5 and str(IS.from_str("+5")) == "+5"
    assert IS.from_str(" 12 ") == 12 and IS.from_str(" 12 ").original_string == " 12 "
    assert IS.from_str("1.0") == 1 and IS.from_str("1e2") == 100  # lenient: integral decimals
    assert IS(7.0) == 7 and repr(IS("-3")) == "'-3'"
    for bad in ("1.5", "abc", ""):
        with pytest.raises(InvalidValueError):
            IS.from_str(bad)
    with pytest.raises(ValueError):
        IS(7.5)
    with pytest.raises(TypeError):
        IS(True)
    with pytest.raises(AttributeError):
        IS(1).original_string = "2"
    assert pickle.loads(pickle.dumps(IS(" 4"))).original_string == " 4"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("20240131", dt.date(2024, 1, 31)), ("2024.01.31", dt.date(2024, 1, 31)),
     ("20240131 ", dt.date(2024, 1, 31)), ("15821015", dt.date(1582, 10, 15)),
     ("20240230", None), ("2024013", None), ("", None), ("20240101-20240131", None)],
)  # fmt: skip
def test_da_date(text, expected):
    assert DA(text).date == expected
    assert DA(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("070907.0705", dt.time(7, 9, 7, 70500)), ("1010", dt.time(10, 10)), ("07", dt.time(7)),
     ("235959.999999", dt.time(23, 59, 59, 999999)), ("07:09:07.5", dt.time(7, 9, 7, 500000)),
     ("07:09", dt.time(7, 9)), ("235960", dt.time(23, 59, 59, 999999)),
     ("120000.1234567", dt.time(12, 0, 0, 123456)), ("2400", None), ("021", None), ("", None)],
)  # fmt: skip
def test_tm_time(text, expected):
    assert TM(text).time == expected


UTC_MINUS_5 = dt.timezone(-dt.timedelta(hours=5))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("19530827111300.0", dt.datetime(1953, 8, 27, 11, 13)),
     ("195308", dt.datetime(1953, 8, 1)), ("1953", dt.datetime(1953, 1, 1)),
     ("2007-0500", dt.datetime(2007, 1, 1, tzinfo=UTC_MINUS_5)),
     ("20240131123456.123456+0100",
      dt.datetime(2024, 1, 31, 12, 34, 56, 123456, tzinfo=dt.timezone(dt.timedelta(hours=1)))),
     ("20240230", None), ("202401311", None), ("", None)],
)  # fmt: skip
def test_dt_datetime(text, expected):
    assert DT(text).datetime == expected


def test_date_time_classes_from_python_values():
    assert DA.from_date(dt.date(12, 3, 4)) == "00120304"
    assert TM.from_time(dt.time(1, 2, 3)) == "010203"
    assert TM.from_time(dt.time(1, 2, 3, 4)).time == dt.time(1, 2, 3, 4)
    aware = dt.datetime(2024, 1, 31, 12, 0, 0, 5, tzinfo=UTC_MINUS_5)
    assert DT.from_datetime(aware) == "20240131120000.000005-0500"
    assert DT.from_datetime(aware).datetime == aware
    assert DT(dt.date(2024, 1, 31)) == "20240131"
    assert repr(DA("20240131")) == '"20240131"'  # pydicom 3: the text in double quotes
    assert DA.from_str("x") == "x" and TM.from_str("x").time is None and DT.from_str("x") == "x"
    with pytest.raises(TypeError):
        DA(20240131)


def test_person_name():
    name = PersonName("Yamada^Tarou=山田^太郎=やまだ^たろう")
    assert name.components == ("Yamada^Tarou", "山田^太郎", "やまだ^たろう")
    assert (name.alphabetic, name.ideographic, name.phonetic) == (
        "Yamada^Tarou", "山田^太郎", "やまだ^たろう")  # fmt: skip
    assert (name.family_name, name.given_name, name.middle_name) == ("Yamada", "Tarou", "")
    assert name == "Yamada^Tarou=山田^太郎=やまだ^たろう" and str(name) == name.text
    assert hash(name) == hash(name.text) and name != "Yamada"
    assert {name: 1}[PersonName(name.text)] == 1
    full = PersonName("Doe^John^Q^Dr^Jr")
    assert (full.name_prefix, full.name_suffix) == ("Dr", "Jr")
    assert full.formatted("%(family_name)s, %(given_name)s") == "Doe, John"
    assert not PersonName("") and PersonName("").ideographic == ""
    assert repr(PersonName("A^B")) == "'A^B'"
    with pytest.raises(ValueError):
        PersonName("A\\B")
    with pytest.raises(AttributeError):
        name.text = "x"
    assert pickle.loads(pickle.dumps(name)) == name


def test_person_name_from_components():
    assert PersonName.from_components("Doe", "John") == "Doe^John"
    assert PersonName.from_components("Doe", "", "", "Dr") == "Doe^^^Dr"
    assert PersonName.from_components("Yamada", "Tarou", ideographic="山田^太郎") == (
        "Yamada^Tarou=山田^太郎")  # fmt: skip
    assert PersonName.from_components(phonetic=["やまだ", "たろう"]) == "==やまだ^たろう"
    assert PersonName.from_components() == ""
    with pytest.raises(ValueError):
        PersonName.from_components("Do^e")


def test_person_name_from_bytes():
    cs = Charset.from_specific_character_set(["", "ISO 2022 IR 149"])
    raw = b"Hong^Gildong=\x1b$)C\xfb\xf3^\x1b$)C\xd1\xce\xd4\xd7 "
    assert PersonName.from_bytes(raw, cs) == "Hong^Gildong=洪^吉洞"
    assert PersonName.from_bytes(b"Doe^John ") == "Doe^John"


def test_age_string():
    age = AS("045Y")
    assert (age.value, age.unit) == (45, "Y") and age == "045Y"
    assert AS.from_age(3, "W") == "003W" and AS.from_str("018M").unit == "M"
    assert AS("45Y").value is None and AS("045X").unit is None
    assert repr(age) == "AS('045Y')"
    with pytest.raises(ValueError):
        AS.from_age(1000, "Y")

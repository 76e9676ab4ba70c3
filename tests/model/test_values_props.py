"""Properties of the VR codecs: decode(encode(v)) == v for every value class and VR, in both byte
orders, with even encoded lengths; and any bytes decode or raise InvalidValueError, nothing else.
"""

from __future__ import annotations

import datetime as dt
import math
import struct
import warnings

from hypothesis import given, settings
from hypothesis import strategies as st

from lazydcm.errors import InvalidValueError
from lazydcm.model.charset import Charset, CharsetWarning
from lazydcm.model.tag import Tag
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

# at least 150 examples; more under the longer hypothesis profiles of tests/conftest.py
FAST = settings(max_examples=max(150, settings().max_examples), deadline=None)

CHARSETS = {
    ("ISO_IR 100",): "abcXYZ 019.-éüßÄ",
    ("ISO_IR 192",): "abcXYZ 019.-éΔЖ山한😀",
    ("", "ISO 2022 IR 87"): "abcXYZ 019.-やまだ山田俑",
    ("ISO 2022 IR 13", "ISO 2022 IR 87"): "abcXYZ 019.-ﾔﾏﾀﾞ山田",
    ("", "ISO 2022 IR 149"): "abcXYZ 019.-김희중洪",
    ("GB18030",): "abcXYZ 019.-王小东乗",
}


def no_trailing_space(text: str) -> bool:
    return not text.endswith((" ", "\0"))


def charset_text(alphabet: str, max_size: int, extra: str = "") -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet + extra, max_size=max_size).filter(no_trailing_space)


UTC_OFFSETS = st.integers(-720, 840).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
UID_TEXT = st.from_regex(r"[1-9][0-9]{0,5}(\.(0|[1-9][0-9]{0,5})){1,8}", fullmatch=True)


def single_values(vr: str, alphabet: str) -> st.SearchStrategy:
    """Valid single values of ``vr`` (as users assign them: str, numbers, datetime...)."""
    text = {
        "AE": st.from_regex(r"[A-Z0-9_.]([A-Z0-9_. -]{0,14}[A-Z0-9_.])?", fullmatch=True),
        "CS": st.from_regex(r"[A-Z0-9_]([A-Z0-9_ ]{0,14}[A-Z0-9_])?", fullmatch=True),
        "SH": charset_text(alphabet, 16),
        "LO": charset_text(alphabet, 64),
        "UC": charset_text(alphabet, 200),
        "ST": charset_text(alphabet, 100, "\\\r\n\t"),
        "LT": charset_text(alphabet, 100, "\\\r\n\t"),
        "UT": charset_text(alphabet, 100, "\\\r\n\t"),
        "UR": st.from_regex(r"[A-Za-z0-9:/?#@!$&'()*+,;=%._~-]{0,40}", fullmatch=True),
        "PN": st.lists(charset_text(alphabet.replace(" ", ""), 10), max_size=5)
        .map(lambda parts: "^".join(parts))
        .filter(lambda t: len(t) <= 64),
        "UI": UID_TEXT.filter(lambda u: len(u) <= 64),
        "DA": st.dates(),
        "TM": st.times(),
        "DT": st.datetimes(timezones=st.none() | UTC_OFFSETS),
        "AS": st.builds(AS.from_age, st.integers(0, 999), st.sampled_from("DWMY")),
        "DS": st.floats(allow_nan=False, allow_infinity=False)
        | st.from_regex(
            r" {0,2}[+-]?[0-9]{1,6}(\.[0-9]{0,4})?([eE][+-]?[0-9]{1,2})?", fullmatch=True
        ),
        "IS": st.integers(-(2**31), 2**31 - 1)
        | st.from_regex(r" ?[+-]?[0-9]{1,9}", fullmatch=True),
        "AT": st.integers(0, 0xFFFFFFFF),
        "US": st.integers(0, 2**16 - 1),
        "SS": st.integers(-(2**15), 2**15 - 1),
        "UL": st.integers(0, 2**32 - 1),
        "SL": st.integers(-(2**31), 2**31 - 1),
        "UV": st.integers(0, 2**64 - 1),
        "SV": st.integers(-(2**63), 2**63 - 1),
        "FL": st.floats(width=32, allow_nan=False),
        "FD": st.floats(allow_nan=False),
    }
    return text[vr]


VALUE_VRS = sorted(v.value for v in VR if not v.is_binary and v.value != "SQ")


@st.composite
def values(draw):
    """(vr, charset terms, value as assigned): a single value or a list for multi-valued VRs."""
    vr = draw(st.sampled_from(VALUE_VRS))
    terms = draw(st.sampled_from(sorted(CHARSETS)))
    one = single_values(vr, CHARSETS[terms])
    if VR(vr).allows_multi and draw(st.booleans()):
        value = draw(st.lists(one, min_size=2, max_size=4))
        if vr == "PN":  # a value of only "^"s is fine, but keep the total in bounds
            value = [v for v in value if len(v) <= 64] or ["A", "B"]
    else:
        value = draw(one)
    return vr, terms, value


def same(a, b) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return (
            isinstance(a, MultiValue)
            and isinstance(b, MultiValue)
            and len(a) == len(b)
            and all(same(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, (DS, IS)):
        return type(a) is type(b) and a == b and a.original_string == b.original_string
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return type(a) is type(b) and a == b


@FAST
@given(values(), st.booleans())
def test_decode_of_encode_is_the_value(case, little):
    vr, terms, assigned = case
    value = coerce_value(vr, assigned)
    charset = Charset.from_specific_character_set(list(terms))
    encoded = encode_value(vr, value, little_endian=little, charset=charset)
    assert len(encoded) % 2 == 0
    decoded = decode_value(vr, encoded, little_endian=little, charset=charset)
    if value == "" or value is None:
        assert decoded == value
    else:
        assert same(decoded, value), (decoded, value)
    # and the bytes are stable: encoding the decoded value gives the same bytes
    assert encode_value(vr, decoded, little_endian=little, charset=charset) == encoded


@FAST
@given(st.sampled_from(["FL", "FD"]), st.booleans(), st.integers(0, 2**32 - 1))
def test_float_bit_patterns_survive(vr, little, bits):
    # every FL/FD bit pattern (NaN payloads included) decodes and re-encodes unchanged
    size = 4 if vr == "FL" else 8
    raw = (bits * (1 if size == 4 else 0x1_0000_0001)).to_bytes(size, "little" if little else "big")
    value = decode_value(vr, raw, little_endian=little)
    fmt = ("<" if little else ">") + ("f" if size == 4 else "d")
    assert struct.pack(fmt, value) == raw or math.isnan(value)
    if not math.isnan(value):
        assert encode_value(vr, value, little_endian=little) == raw


@FAST
@given(st.sampled_from(["OB", "OD", "OF", "OL", "OV", "OW", "UN"]), st.binary(max_size=64),
       st.booleans())  # fmt: skip
def test_binary_round_trip(vr, raw, little):
    encoded = encode_value(vr, raw, little_endian=little)
    assert len(encoded) % 2 == 0 and encoded[: len(raw)] == raw
    assert decode_value(vr, encoded, little_endian=little) == (
        (raw if len(raw) % 2 == 0 else raw + b"\0") or None  # empty: None
    )


@FAST
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_ds_from_any_float(number):
    value = DS(number)
    assert len(value.original_string) <= 16 and math.isfinite(value)
    assert (
        decode_value("DS", encode_value("DS", value, little_endian=True), little_endian=True)
        == value
    )
    if abs(number) > 1e-300:
        # 16 characters leave at least 8 significant digits ("-1.2345678e-123")
        assert math.isclose(value, number, rel_tol=1e-7)


@FAST
@given(st.dates())
def test_da_round_trip_through_date(day):
    assert DA(day).date == day


@FAST
@given(st.times())
def test_tm_round_trip_through_time(moment):
    assert TM(moment).time == moment.replace(tzinfo=None)


@FAST
@given(st.datetimes(timezones=st.none() | UTC_OFFSETS))
def test_dt_round_trip_through_datetime(moment):
    assert DT(moment).datetime == moment


@FAST
@given(st.lists(st.text(alphabet="ab 山", max_size=5), min_size=1, max_size=5),
       st.lists(st.text(alphabet="cd", max_size=3), max_size=5))  # fmt: skip
def test_person_name_components_round_trip(alphabetic, phonetic):
    alphabetic = (alphabetic + [""] * 5)[:5]
    name = PersonName.from_components(*alphabetic, phonetic=phonetic)
    assert name.family_name == alphabetic[0] and name.name_suffix == alphabetic[4]
    assert name.phonetic == "^".join(phonetic).rstrip("^")
    assert PersonName(str(name)) == name


@FAST
@given(st.sampled_from(sorted(v.value for v in VR if v.value != "SQ")), st.binary(max_size=40),
       st.booleans(), st.sampled_from(sorted(CHARSETS)))  # fmt: skip
def test_any_bytes_decode_or_raise_invalid_value_error(vr, raw, little, terms):
    charset = Charset.from_specific_character_set(list(terms))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CharsetWarning)
        try:
            decode_value(vr, raw, little_endian=little, charset=charset, tag=0x00100010, offset=8)
        except InvalidValueError as exc:
            assert exc.tag == 0x00100010 and exc.offset == 8


@FAST
@given(st.lists(st.integers(0, 0xFFFFFFFF), min_size=2, max_size=5), st.booleans())
def test_at_lists(tags, little):
    encoded = encode_value("AT", tags, little_endian=little)
    assert len(encoded) == 4 * len(tags)
    decoded = decode_value("AT", encoded, little_endian=little)
    assert decoded == tags and all(isinstance(t, Tag) for t in decoded)

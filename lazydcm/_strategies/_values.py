"""Strategies for canonical values of every VR (PS3.5 6.2, Table 6.2-1).

Canonical: a value that an encode/decode round trip gives back unchanged, so it can be compared
with ``==`` after reading (no leading/trailing spaces where PS3.5 6.2 makes them insignificant,
byte strings of even length and whole words). Every value is also valid under lazydcm's strict
assignment check (``coerce_value``), so ``ds.X = value`` accepts it.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from hypothesis import strategies as st

from lazydcm._strategies._charsets import CHARSET_VRS, DEFAULT, PRINTABLE_ASCII, CharsetInfo

__all__ = ["VRS", "MULTI_VRS", "single_values", "element_values", "parse_vm", "rarely"]

#: The 34 VRs of PS3.5 Table 6.2-1.
VRS = tuple(
    sorted(
        [
            "AE",
            "AS",
            "AT",
            "CS",
            "DA",
            "DS",
            "DT",
            "FD",
            "FL",
            "IS",
            "LO",
            "LT",
            "OB",
            "OD",
            "OF",
            "OL",
            "OV",
            "OW",
            "PN",
            "SH",
            "SL",
            "SQ",
            "SS",
            "ST",
            "SV",
            "TM",
            "UC",
            "UI",
            "UL",
            "UN",
            "UR",
            "US",
            "UT",
            "UV",
        ]
    )
)
#: VRs whose value may hold several values (PS3.5 6.4): text with ``\\``, binary numbers, AT.
MULTI_VRS = frozenset(
    [
        "AE",
        "AS",
        "AT",
        "CS",
        "DA",
        "DS",
        "DT",
        "FD",
        "FL",
        "IS",
        "LO",
        "PN",
        "SH",
        "SL",
        "SS",
        "SV",
        "TM",
        "UC",
        "UI",
        "UL",
        "US",
        "UV",
    ]
)

_INT_RANGES = {
    "US": (0, 2**16 - 1),
    "SS": (-(2**15), 2**15 - 1),
    "UL": (0, 2**32 - 1),
    "SL": (-(2**31), 2**31 - 1),
    "UV": (0, 2**64 - 1),
    "SV": (-(2**63), 2**63 - 1),
}
_BINARY_UNIT = {"OB": 2, "UN": 2, "OW": 2, "OF": 4, "OL": 4, "OD": 8, "OV": 8}
_TEXT_CONTROLS = "\r\n\t\x0c"  # PS3.5 6.1.3: allowed in LT, ST, UT
_UR_CHARS = (
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    "-._~:/?#[]@!$&'()*+,;=%"
)  # RFC 3986 unreserved + reserved + "%"


def rarely(common: st.SearchStrategy, rare: st.SearchStrategy, one_in: int = 8):
    """``rare`` about once in ``one_in`` draws, else ``common`` (shrinks towards ``common``)."""
    return st.integers(0, one_in - 1).flatmap(lambda i: rare if i == one_in - 1 else common)


def _string(alphabet: str, max_len: int, *, small: int = 12, min_len: int = 0):
    """Text up to ``max_len`` characters: usually short, rarely exactly ``max_len`` (an edge
    length, built by repetition so that long values stay cheap to draw)."""
    common = st.text(alphabet, min_size=min_len, max_size=min(max_len, small))
    edge = st.text(alphabet, min_size=1, max_size=6).map(
        lambda s: (s * (max_len // len(s) + 1))[:max_len]
    )
    return rarely(common, edge)


def _ascii(exclude: str = "", extra: str = "") -> str:
    return "".join(c for c in PRINTABLE_ASCII + extra if c not in exclude)


def _charset_text(vr: str, charset: CharsetInfo, max_len: int, exclude: str, extra: str = ""):
    """Text of a charset VR: ASCII (minus ``exclude``) plus, for a non-default charset,
    mostly-ASCII mixes with its own characters."""
    ascii_only = _ascii(exclude, extra)
    if not charset.extra:
        return _string(ascii_only, max_len)
    alphabet = st.one_of(st.sampled_from(ascii_only), st.sampled_from(charset.extra))
    mixed = st.lists(alphabet, max_size=min(max_len, 12)).map("".join)
    edge = st.lists(alphabet, min_size=1, max_size=6).map(
        lambda cs: ("".join(cs) * (max_len // len(cs) + 1))[:max_len]
    )
    return st.one_of(_string(ascii_only, max_len), rarely(mixed, edge))


def _da():
    return st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(
        lambda d: f"{d.year:04d}{d.month:02d}{d.day:02d}"
    )


def _fraction():
    return st.integers(1, 6).flatmap(
        lambda n: st.integers(0, 10**n - 1).map(lambda f: "." + str(f).zfill(n))
    )


def _tm():
    # PS3.5 6.2 TM: HH[MM[SS[.F{1,6}]]]
    return st.tuples(
        st.integers(0, 23), st.integers(0, 59), st.integers(0, 59), st.integers(1, 4), _fraction()
    ).map(
        lambda t: (
            f"{t[0]:02d}{t[1]:02d}{t[2]:02d}"[: 2 * min(t[3], 3)] + (t[4] if t[3] == 4 else "")
        )
    )


def _dt():
    # PS3.5 6.2 DT: YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX], offsets -1200..+1400
    offsets = st.one_of(
        st.just(""),
        st.integers(0, 840).map(lambda m: f"+{m // 60:02d}{m % 60:02d}"),
        st.integers(1, 720).map(lambda m: f"-{m // 60:02d}{m % 60:02d}"),
    )

    def text(t: tuple[dt.datetime, int, str, str]) -> str:
        d, precision, fraction, offset = t
        full = f"{d.year:04d}{d.month:02d}{d.day:02d}{d.hour:02d}{d.minute:02d}{d.second:02d}"
        return (
            full[: (4, 6, 8, 10, 12, 14, 14)[precision - 1]]
            + (fraction if precision == 7 else "")
            + offset
        )

    return st.tuples(
        st.datetimes(dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59)),
        st.integers(1, 7),
        _fraction(),
        offsets,
    ).map(text)


def _ds():
    forms = st.one_of(
        st.integers(-(10**15) + 1, 10**16 - 1).map(str),
        st.from_regex(r"[+-]?[0-9]{1,7}\.[0-9]{1,7}", fullmatch=True),
        st.from_regex(r"[+-]?\.[0-9]{1,6}", fullmatch=True),
        st.from_regex(r"[+-]?[0-9]\.[0-9]{1,6}[eE][+-]?[0-9]{1,2}", fullmatch=True),
        st.floats(allow_nan=False, allow_infinity=False).map(lambda x: f"{x:.9g}"),
    )
    return forms.filter(lambda s: len(s) <= 16)


def _is():
    low, high = -(2**31), 2**31 - 1
    return st.one_of(
        st.integers(low, high).map(str),
        st.integers(0, 99999999).map(lambda n: f"{n:08d}"),  # leading zeros are kept as text
        st.integers(0, high).map(lambda n: f"+{n}"),
    )


def _ui():
    component = st.one_of(st.just("0"), st.integers(1, 10**12).map(str))
    uid = st.lists(component, min_size=2, max_size=10).map(".".join).filter(lambda u: len(u) <= 64)
    edge = st.text("0123456789", min_size=59, max_size=59).map(lambda d: "1.2.3" + d)
    return rarely(uid, edge)


def _pn(charset: CharsetInfo):
    """PS3.5 6.2 PN: up to three component groups (alphabetic, ideographic, phonetic) of up to
    five ``^``-delimited components, 64 characters each. With ISO 2022 code extensions the
    alphabetic group keeps to single-byte characters (no escape sequences there, as DCMTK
    checks); the other groups use the character set."""
    wide = _charset_text("PN", charset, 16, "\\^=")
    narrow = _string(_ascii("\\^="), 16) if charset.iso2022 is not None else wide

    def group(parts: list[str]) -> str:
        while parts and not parts[-1]:
            parts = parts[:-1]
        return "^".join(parts)[:64]

    def name(groups: tuple[str, list[str]]) -> str:
        parts = [groups[0], *groups[1]]
        while len(parts) > 1 and not parts[-1]:
            parts.pop()  # trailing empty groups are left out (PS3.5 6.2 PN)
        return "=".join(parts).rstrip(" ")

    first = st.lists(narrow, min_size=1, max_size=5).map(group)
    others = st.lists(st.lists(wide, min_size=1, max_size=5).map(group), max_size=2)
    return st.tuples(first, others).map(name)


def _text_single(vr: str, charset: CharsetInfo) -> st.SearchStrategy:
    if vr == "AE":
        return (
            _string(PRINTABLE_ASCII.replace("\\", ""), 16, min_len=1)
            .map(lambda s: s.strip(" "))
            .filter(bool)
        )
    if vr == "AS":
        return st.tuples(st.integers(0, 999), st.sampled_from("DWMY")).map(
            lambda t: f"{t[0]:03d}{t[1]}"
        )
    if vr == "CS":
        return _string("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _", 16).map(lambda s: s.strip(" "))
    if vr == "DA":
        return _da()
    if vr == "DS":
        return _ds()
    if vr == "DT":
        return _dt()
    if vr == "IS":
        return _is()
    if vr == "TM":
        return _tm()
    if vr == "UI":
        return _ui()
    if vr == "UR":
        return _string(_UR_CHARS, 256, min_len=1)
    if vr == "PN":
        return _pn(charset)
    limits = {"SH": 16, "LO": 64, "UC": 512, "ST": 1024, "LT": 10240, "UT": 4096}
    if vr in ("ST", "LT", "UT"):
        text = _charset_text(vr, charset, limits[vr], "", _TEXT_CONTROLS)
    else:
        text = _charset_text(vr, charset, limits[vr], "\\")
    return text.map(lambda s: s.rstrip(" "))


@functools.lru_cache(maxsize=1024)
def single_values(vr: str, charset: CharsetInfo = DEFAULT) -> st.SearchStrategy:
    """One canonical, non-empty-ish value of ``vr`` (text may be ``""``); not for SQ."""
    if vr in _INT_RANGES:
        low, high = _INT_RANGES[vr]
        return st.integers(low, high)
    if vr == "FL":
        return st.floats(width=32, allow_nan=False)
    if vr == "FD":
        return st.floats(allow_nan=False)
    if vr == "AT":
        return st.integers(0, 0xFFFFFFFF)
    if vr in _BINARY_UNIT:
        unit = _BINARY_UNIT[vr]
        small = st.binary(max_size=48)
        big = st.binary(min_size=1, max_size=16).map(lambda b: (b * (4096 // len(b) + 1))[:4096])
        return rarely(small, big).map(lambda b: b[: len(b) - len(b) % unit])
    if vr == "SQ":
        raise ValueError("SQ values are sequences of datasets: use datasets()")
    if vr not in VRS:
        raise ValueError(f"{vr!r} is not a DICOM VR (PS3.5 Table 6.2-1)")
    if vr not in CHARSET_VRS:
        charset = DEFAULT
    return _text_single(vr, charset)


def parse_vm(vm: str) -> tuple[int, int, int]:
    """``(minimum, maximum, step)`` of a PS3.6 VM such as ``"1"``, ``"1-n"``, ``"2-2n"``,
    ``"1-3"`` (the first alternative of ``"... or ..."``); open ranges are capped at 4 values
    beyond the minimum."""
    vm = vm.split(" or ")[0].strip()
    if "-" not in vm:
        n = int(vm)
        return n, n, 1
    low_text, high_text = vm.split("-", 1)
    low = int(low_text)
    if high_text.endswith("n"):
        step = int(high_text[:-1] or 1)
        return low, low + 4 * step, step
    return low, int(high_text), 1


def _empty(vr: str) -> Any:
    if vr in _INT_RANGES or vr in ("FL", "FD", "AT"):
        return None
    if vr in _BINARY_UNIT:
        return b""
    return ""


@functools.lru_cache(maxsize=4096)
def element_values(
    vr: str, charset: CharsetInfo = DEFAULT, vm: str | None = None, *, empty: bool = True
) -> st.SearchStrategy:
    """A canonical element value: a single value, a ``list`` of several (for VRs that allow
    them, within ``vm``), or the VR's empty value when ``empty``."""
    single = single_values(vr, charset)
    if vm is not None:
        low, high, step = parse_vm(vm)
    elif vr in MULTI_VRS:
        low, high, step = 1, 4, 1
    else:
        low, high, step = 1, 1, 1
    if vr not in MULTI_VRS:
        low = high = 1
    counts = [n for n in range(max(low, 1), high + 1, step)] or [1]

    def values_of(n: int) -> st.SearchStrategy:
        if n == 1:
            return single
        item = st.one_of(single, st.just("")) if vr in _TEXT_ITEMS_MAY_BE_EMPTY else single
        return st.lists(item, min_size=n, max_size=n)

    value = st.sampled_from(counts).flatmap(values_of)
    return rarely(value, st.just(_empty(vr)), 6) if empty else value


# Text VRs whose values in a multi-valued element may be empty (PS3.5 6.4).
_TEXT_ITEMS_MAY_BE_EMPTY = frozenset(
    ["AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "PN", "SH", "TM", "UC", "UI"]
)

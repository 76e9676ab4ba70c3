"""``VR``: the 34 value representations of PS3.5 2026c Table 6.2-1, with their facts as a table.

Every fact is a literal in :data:`_FACTS` below (nothing is parsed at import);
``tests/model/test_vr.py`` cross-checks the table against the standard's own DocBook XML.

Facts of a ``VR`` member:

``padding``
    the byte that pads a value to even length (PS3.5 6.2): ``b" "`` for character strings,
    ``b"\\0"`` for UI and for every binary VR.
``long_length``
    True when an explicit VR header has two reserved bytes and a 32-bit length
    (PS3.5 7.1.2: OB, OD, OF, OL, OV, OW, SQ, SV, UC, UN, UR, UT, UV); False for a 16-bit length.
``fixed_size``
    bytes per value for the fixed-size binary VRs (AT 4, FD 8, ...; OW 2 and OF 4 etc. give the
    word size that byte swapping works in), else None.
``max_length`` / ``max_length_in_chars``
    the per-value limit of Table 6.2-1 (None when only the length field bounds it) and whether it
    counts characters (LO, LT, PN per component group, SH, ST) rather than bytes.
``is_text`` / ``is_binary`` / ``is_numeric``
    character-string VRs; bulk byte-stream VRs (OB, OD, OF, OL, OV, OW, UN); binary numbers
    (FD, FL, SL, SS, SV, UL, US, UV).
``allows_multi``
    True when a value may hold several values: backslash-delimited for text VRs (all but LT, ST,
    UT and UR, PS3.5 6.4), concatenated for AT and the binary numbers.
``uses_charset``
    True for the VRs whose repertoire Specific Character Set (0008,0005) extends or replaces:
    SH, LO, UC, ST, LT, UT, PN (PS3.5 6.1.2.3).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, NamedTuple

from lazydcm.errors import InvalidDicomError

__all__ = [
    "VR",
    "VRFacts",
    "TEXT_VRS",
    "BINARY_VRS",
    "NUMERIC_VRS",
    "CHARSET_VRS",
    "LONG_LENGTH_VRS",
    "MULTI_VALUE_VRS",
    "resolve_vr",
]


class VRFacts(NamedTuple):
    """One row of the VR table (see the module docstring for the meaning of each field)."""

    padding: bytes
    long_length: bool
    fixed_size: int | None
    max_length: int | None
    max_length_in_chars: bool
    is_text: bool
    is_binary: bool
    is_numeric: bool
    allows_multi: bool
    uses_charset: bool


_SP = b" "
_NUL = b"\0"

# Columns: padding, long_length, fixed_size, max_length, max_length_in_chars,
#          is_text, is_binary, is_numeric, allows_multi, uses_charset
# PS3.5 6.2 (Table 6.2-1) and 7.1.2 (which VRs have a 32-bit length).
_FACTS: dict[str, VRFacts] = {
    "AE": VRFacts(_SP, False, None, 16, False, True, False, False, True, False),
    "AS": VRFacts(_SP, False, None, 4, False, True, False, False, True, False),
    "AT": VRFacts(_NUL, False, 4, 4, False, False, False, False, True, False),
    "CS": VRFacts(_SP, False, None, 16, False, True, False, False, True, False),
    "DA": VRFacts(_SP, False, None, 8, False, True, False, False, True, False),
    "DS": VRFacts(_SP, False, None, 16, False, True, False, False, True, False),
    "DT": VRFacts(_SP, False, None, 26, False, True, False, False, True, False),
    "FL": VRFacts(_NUL, False, 4, 4, False, False, False, True, True, False),
    "FD": VRFacts(_NUL, False, 8, 8, False, False, False, True, True, False),
    "IS": VRFacts(_SP, False, None, 12, False, True, False, False, True, False),
    "LO": VRFacts(_SP, False, None, 64, True, True, False, False, True, True),
    "LT": VRFacts(_SP, False, None, 10240, True, True, False, False, False, True),
    "OB": VRFacts(_NUL, True, None, None, False, False, True, False, False, False),
    "OD": VRFacts(_NUL, True, 8, None, False, False, True, False, False, False),
    "OF": VRFacts(_NUL, True, 4, None, False, False, True, False, False, False),
    "OL": VRFacts(_NUL, True, 4, None, False, False, True, False, False, False),
    "OV": VRFacts(_NUL, True, 8, None, False, False, True, False, False, False),
    "OW": VRFacts(_NUL, True, 2, None, False, False, True, False, False, False),
    "PN": VRFacts(_SP, False, None, 64, True, True, False, False, True, True),
    "SH": VRFacts(_SP, False, None, 16, True, True, False, False, True, True),
    "SL": VRFacts(_NUL, False, 4, 4, False, False, False, True, True, False),
    "SQ": VRFacts(_NUL, True, None, None, False, False, False, False, False, False),
    "SS": VRFacts(_NUL, False, 2, 2, False, False, False, True, True, False),
    "ST": VRFacts(_SP, False, None, 1024, True, True, False, False, False, True),
    "SV": VRFacts(_NUL, True, 8, 8, False, False, False, True, True, False),
    "TM": VRFacts(_SP, False, None, 14, False, True, False, False, True, False),
    "UC": VRFacts(_SP, True, None, None, False, True, False, False, True, True),
    "UI": VRFacts(_NUL, False, None, 64, False, True, False, False, True, False),
    "UL": VRFacts(_NUL, False, 4, 4, False, False, False, True, True, False),
    "UN": VRFacts(_NUL, True, None, None, False, False, True, False, False, False),
    "UR": VRFacts(_SP, True, None, None, False, True, False, False, False, False),
    "US": VRFacts(_NUL, False, 2, 2, False, False, False, True, True, False),
    "UT": VRFacts(_SP, True, None, None, False, True, False, False, False, True),
    "UV": VRFacts(_NUL, True, 8, 8, False, False, False, True, True, False),
}


class VR(str, enum.Enum):
    """A DICOM value representation; a ``str`` equal to its two-letter code (``VR.US == "US"``).

    ``VR("US")`` and ``VR["US"]`` look a member up (``ValueError``/``KeyError`` if unknown);
    :meth:`from_bytes` reads the two bytes of an explicit VR header.
    """

    AE = "AE"
    AS = "AS"
    AT = "AT"
    CS = "CS"
    DA = "DA"
    DS = "DS"
    DT = "DT"
    FL = "FL"
    FD = "FD"
    IS = "IS"
    LO = "LO"
    LT = "LT"
    OB = "OB"
    OD = "OD"
    OF = "OF"
    OL = "OL"
    OV = "OV"
    OW = "OW"
    PN = "PN"
    SH = "SH"
    SL = "SL"
    SQ = "SQ"
    SS = "SS"
    ST = "ST"
    SV = "SV"
    TM = "TM"
    UC = "UC"
    UI = "UI"
    UL = "UL"
    UN = "UN"
    UR = "UR"
    US = "US"
    UT = "UT"
    UV = "UV"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def from_bytes(cls, raw: bytes, *, offset: int | None = None, tag: int | None = None) -> VR:
        """Return the VR named by two header bytes (``b"US"`` -> ``VR.US``).

        Raises:
            InvalidDicomError: the bytes are not one of the 34 VRs (``offset``/``tag``, when
                given, say where they were read).
        """
        found = _BY_BYTES.get(bytes(raw))
        if found is None:
            raise InvalidDicomError(f"unknown VR {bytes(raw)!r}", offset=offset, tag=tag)
        return found

    @property
    def facts(self) -> VRFacts:
        """The whole row of the table."""
        return _FACTS[self.value]

    @property
    def padding(self) -> bytes:
        return _FACTS[self.value].padding

    @property
    def long_length(self) -> bool:
        return _FACTS[self.value].long_length

    @property
    def fixed_size(self) -> int | None:
        return _FACTS[self.value].fixed_size

    @property
    def max_length(self) -> int | None:
        return _FACTS[self.value].max_length

    @property
    def max_length_in_chars(self) -> bool:
        return _FACTS[self.value].max_length_in_chars

    @property
    def is_text(self) -> bool:
        return _FACTS[self.value].is_text

    @property
    def is_binary(self) -> bool:
        return _FACTS[self.value].is_binary

    @property
    def is_numeric(self) -> bool:
        return _FACTS[self.value].is_numeric

    @property
    def allows_multi(self) -> bool:
        return _FACTS[self.value].allows_multi

    @property
    def uses_charset(self) -> bool:
        return _FACTS[self.value].uses_charset


_BY_BYTES: dict[bytes, VR] = {member.value.encode("ascii"): member for member in VR}


def _codes(predicate) -> frozenset[str]:
    return frozenset(code for code, facts in _FACTS.items() if predicate(facts))


#: Plain-``str`` sets for hot paths (``vr in TEXT_VRS`` with ``vr`` a ``str``).
TEXT_VRS: frozenset[str] = _codes(lambda f: f.is_text)
BINARY_VRS: frozenset[str] = _codes(lambda f: f.is_binary)
NUMERIC_VRS: frozenset[str] = _codes(lambda f: f.is_numeric)
CHARSET_VRS: frozenset[str] = _codes(lambda f: f.uses_charset)
LONG_LENGTH_VRS: frozenset[str] = _codes(lambda f: f.long_length)
MULTI_VALUE_VRS: frozenset[str] = _codes(lambda f: f.allows_multi)


def resolve_vr(tag: int, vr: str, lookup: Callable[[int], Any]) -> str:
    """Resolve a dictionary VR with alternatives (``"US or SS"``, ``"OB or OW"``, ...) to one VR.

    ``lookup(tag)`` returns the decoded value of another element of the dataset (or its
    parents), or None. PS3.5 A.1: in implicit VR syntaxes pixel data and overlay data are OW;
    "US or SS" follows Pixel Representation (PS3.3 C.7.6.3.1).
    """
    if " or " not in vr:
        return vr
    options = vr.split(" or ")
    if "SS" in options and "US" in options:
        rep = lookup(0x00280103)  # Pixel Representation
        if tag == 0x00283006:  # LUT Data: US unless the descriptor says otherwise
            return "US"
        return "SS" if rep == 1 else "US"
    if "OW" in options:
        if tag in (0x7FE00010,) or (tag >> 16) & 0xFF00 == 0x6000:
            bits = lookup(0x00280100)  # Bits Allocated
            small = isinstance(bits, int) and bits <= 8  # not an int: a corrupted VR
            return "OB" if small and tag == 0x7FE00010 else "OW"
        return "OW"
    return options[0]

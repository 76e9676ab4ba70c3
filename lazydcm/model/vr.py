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


# Tags whose "US or SS" value is a LUT descriptor: the first value is a count of entries and the
# third a number of bits, both unsigned; DCMTK and pydicom read the whole descriptor as US
# (PS3.3 C.7.6.3.1.5 palette descriptors, C.11.1.1 LUT Descriptor, C.7.6.3.1.5 retired large
# palette and gray LUT descriptors). The second value's sign follows Pixel Representation; the
# pixel layer reinterprets it.
_DESCRIPTOR_TAGS = frozenset(
    {0x00281100, 0x00281101, 0x00281102, 0x00281103, 0x00281111, 0x00281112, 0x00281113}
    | {0x00283002}
)
# Waveform elements whose "OB or OW" follows Waveform Bits Allocated (PS3.3 C.10.9.1).
_WAVEFORM_TAGS = frozenset({0x54000110, 0x54000112, 0x5400100A, 0x54001010})
_PIXEL_REPRESENTATION = 0x00280103
_BITS_ALLOCATED = 0x00280100
_WAVEFORM_BITS_ALLOCATED = 0x54001004
_LUT_DESCRIPTOR = 0x00283002
_LUT_DATA = 0x00283006
_PIXEL_DATA = 0x7FE00010


def _first_int(value: Any) -> int | None:
    """The first value of a looked-up element as an int, or None (absent, empty, not a number)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return int(value)


def resolve_vr(
    tag: int,
    vr: str,
    lookup: Callable[[int], Any],
    *,
    implicit_vr: bool = False,
    undefined_length: bool = False,
) -> str:
    """Resolve a dictionary VR with alternatives (``"US or SS"``, ``"OB or OW"``, ...) to one VR.

    The one place where every ambiguous VR of PS3.6 is settled. ``lookup(tag)`` returns the
    decoded value of another element of the dataset (or of an enclosing dataset), or None.
    ``implicit_vr`` says the element is read from (or meant for) an implicit VR encoding;
    ``undefined_length`` that its value has undefined length. A VR without " or " is returned
    unchanged. Never raises: a missing or odd context value gives the documented default.

    Rules:

    * "OB or OW" (Pixel Data, Overlay Data, Waveform Data and its padding/min/max values, Curve
      and Audio Sample Data, Variable Pixel Data, Dark Current/Air Counts): **OW** in implicit VR
      (PS3.5 A.1: the VR of Pixel Data and Overlay Data is OW there; PS3.5 8.1.2, 8.2); OB for
      encapsulated (undefined-length) Pixel Data (PS3.5 A.4). Otherwise Pixel Data is OB when
      Bits Allocated is 8 or less, else OW (PS3.5 A.2); the waveform elements follow Waveform
      Bits Allocated the same way (PS3.3 C.10.9.1); all others are OW.
    * "US or SS": LUT and palette descriptors are **US** (their first value is a count of
      entries, PS3.3 C.7.6.3.1.5, C.11.1.1); every other element is SS when Pixel
      Representation (0028,0103) is 1 and US otherwise (PS3.3 C.7.6.3.1; absent: US).
    * "US or OW" (LUT Data): US when the LUT Descriptor says the LUT has one entry, else OW
      (PS3.3 C.11.1.1.1; OW holds the 16-bit words of any LUT).
    * "US or SS or OW" (retired Gray Lookup Table Data): OW, unless the descriptor (first value)
      says one entry: then US or SS by Pixel Representation.
    """
    if " or " not in vr:
        return vr
    options = vr.split(" or ")
    if "OW" in options and "OB" in options:
        if implicit_vr:
            return "OW"
        if tag == _PIXEL_DATA or (tag & 0xFF00FFFF) == 0x7F000010:
            if undefined_length:
                return "OB"
            bits = _first_int(lookup(_BITS_ALLOCATED))
            return "OB" if bits is not None and bits <= 8 else "OW"
        if tag in _WAVEFORM_TAGS:
            bits = _first_int(lookup(_WAVEFORM_BITS_ALLOCATED))
            return "OB" if bits is not None and bits <= 8 else "OW"
        return "OW"
    signed = _first_int(lookup(_PIXEL_REPRESENTATION)) == 1
    if "OW" in options:  # "US or OW" LUT Data, "US or SS or OW" Gray Lookup Table Data
        descriptor = _LUT_DESCRIPTOR if tag == _LUT_DATA else 0x00281100
        if _first_int(lookup(descriptor)) != 1:
            return "OW"
        return "SS" if "SS" in options and signed else "US"
    if tag in _DESCRIPTOR_TAGS:
        return "US"
    return "SS" if signed else "US"

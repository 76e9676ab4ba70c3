"""Empty values (README "Empty values"): every VR read from an empty element of a file and
assigned None or "" gives pydicom's documented empty value (empty_value_for_VR)."""

from __future__ import annotations

import pytest

import lazydcm
from lazydcm.model.values import PersonName, empty_value_for_VR
from lazydcm.model.vr import VR
from tests.model._implicit import EXPLICIT_LE, explicit, part10

# One standard element of each VR (SQ aside).
TAG_OF_VR = {
    "AE": 0x00020016, "AS": 0x00101010, "AT": 0x00209165, "CS": 0x00080060, "DA": 0x00080020,
    "DS": 0x00180050, "DT": 0x0008002A, "FL": 0x00189219, "FD": 0x00189087, "IS": 0x00200013,
    "LO": 0x00100020, "LT": 0x00204000, "OB": 0x00420011, "OD": 0x00720067, "OF": 0x00640009,
    "OL": 0x00660040, "OV": 0x00720083, "OW": 0x00281201, "PN": 0x00100010, "SH": 0x00081010,
    "SL": 0x00186020, "SS": 0x00189219, "ST": 0x00080081, "SV": 0x00720082, "TM": 0x00080030,
    "UC": 0x00080119, "UI": 0x00080016, "UL": 0x00081161, "UN": 0x00111001, "UR": 0x00081190,
    "US": 0x00280010, "UT": 0x00400300, "UV": 0x00720081,
}  # fmt: skip
TEXT = {"AE", "AS", "CS", "DA", "DT", "LO", "LT", "SH", "ST", "TM", "UC", "UI", "UR", "UT"}


def _expected(vr: str):
    if vr == "PN":
        return PersonName("")
    return "" if vr in TEXT else None


@pytest.mark.parametrize("vr", sorted(v.value for v in VR if v.value != "SQ"))
def test_empty_value_table(vr):
    got = empty_value_for_VR(vr)
    assert got == _expected(vr) and type(got) is type(_expected(vr))


@pytest.mark.parametrize("vr", sorted(TAG_OF_VR))
def test_empty_element_read_from_a_file(vr):
    ds = lazydcm.dcmread(part10(explicit(TAG_OF_VR[vr], vr, b""), EXPLICIT_LE))
    elem = ds[TAG_OF_VR[vr]]
    assert (vr, 0) == (elem.VR, elem.VM)
    assert elem.value == _expected(vr) and type(elem.value) is type(_expected(vr))


@pytest.mark.parametrize("vr", sorted(TAG_OF_VR))
@pytest.mark.parametrize("empty", [None, ""])
def test_assigning_an_empty_value(vr, empty):
    if vr in ("UN", "OB", "OW", "OD", "OF", "OL", "OV") and empty == "":
        empty = b""
    elem = lazydcm.DataElement(TAG_OF_VR[vr], vr, empty)
    assert elem.value == _expected(vr) and type(elem.value) is type(_expected(vr))


def test_empty_sequence_is_an_empty_sequence():
    ds = lazydcm.Dataset()
    ds.ReferencedImageSequence = None
    assert len(ds.ReferencedImageSequence) == 0

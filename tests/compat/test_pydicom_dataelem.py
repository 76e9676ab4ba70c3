"""pydicom API page "pydicom.dataelem" through ``lazydcm.dataelem``: DataElement flags and
display helpers, RawDataElement and its conversion; differential against pydicom 3."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pydicom.dataelem as pde
import pytest

import lazydcm
from lazydcm.dataelem import DataElement, RawDataElement, convert_raw_data_element
from lazydcm.errors import InvalidDicomError

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.mark.parametrize(
    "tag, vr, value",
    [
        (0x00100010, "PN", ""),
        (0x00100010, "PN", "A^B"),
        (0x00280010, "US", None),
        (0x00280010, "US", 64),
        (0x00200037, "DS", [1, 0, 0, 0, 1, 0]),
        (0x300A00B0, "SQ", []),
        (0x00420011, "OB", b""),
    ],
)
def test_is_empty_matches_pydicom(tag, vr, value):
    assert DataElement(tag, vr, value).is_empty == pde.DataElement(tag, vr, value).is_empty


def test_is_undefined_length_flag_and_show_vr():
    elem = DataElement(0x300A00B0, "SQ", [], is_undefined_length=True)
    assert elem.is_undefined_length
    elem.is_undefined_length = False
    assert not elem.is_undefined_length
    assert DataElement(0x00100010, "PN", "A").showVR is True
    read = lazydcm.dcmread(DATA / "rtplan.dcm")
    assert (
        read["BeamSequence"].is_undefined_length
        == pydicom.dcmread(DATA / "rtplan.dcm")["BeamSequence"].is_undefined_length
    )


def test_repval_summarises_without_decoding_large_binary():
    ds = lazydcm.dcmread(DATA / "ct_slice.dcm")
    elem = ds["PixelData"]
    assert "bytes" in elem.repval and not elem.is_decoded
    assert ds["PatientName"].repval == repr(str(ds.PatientName))


@pytest.mark.parametrize(
    "raw",
    [
        RawDataElement(0x00100010, "PN", 8, b"Doe^Jane", 0, False, True),
        RawDataElement(0x00100010, None, 8, b"Doe^Jane", 0, True, True),
        RawDataElement(0x00280010, "US", 2, b"\x00\x40", 0, False, False),
        RawDataElement(0x00200037, None, 12, b"1\\0\\0\\0\\1\\0 ", 0, True, True),
    ],
)
def test_convert_raw_data_element_matches_pydicom(raw):
    ours = convert_raw_data_element(raw)
    theirs = pde.convert_raw_data_element(pde.RawDataElement(*raw))
    assert ours.VR == theirs.VR and ours.tag == theirs.tag
    assert list(ours.value) == list(theirs.value) if ours.VM > 1 else ours.value == theirs.value


def test_convert_raw_data_element_with_encoding():
    raw = RawDataElement(0x00100010, "PN", 6, "Ölaf".encode("latin-1").ljust(6), 0, False, True)
    assert convert_raw_data_element(raw, encoding="ISO_IR 100").value == "Ölaf"


def test_convert_raw_data_element_bad_bytes_name_the_offset():
    raw = RawDataElement(0x00280010, "US", 3, b"\x00\x40\x01", 512, False, True)
    with pytest.raises(InvalidDicomError) as info:
        convert_raw_data_element(raw)
    assert info.value.offset is not None

"""Building invalid values on purpose: DataElement(..., validate=False) and
Dataset.add_new(..., validate=False) accept values that break their VR's rules (for fuzzing one's
own DICOM code), and the writer still produces a file that lazydcm, pydicom and dcmdump parse.
The default stays strict."""

from __future__ import annotations

import shutil
import subprocess
import warnings

import pydicom
import pytest

import lazydcm
from lazydcm import DataElement
from lazydcm.model.save import to_bytes


def _invalid_dataset() -> lazydcm.Dataset:
    ds = lazydcm.Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = "1.2.3.4"
    ds.add(DataElement("PatientID", "LO", "x" * 100, validate=False))  # LO holds 64 chars
    ds.add(DataElement("InstanceNumber", "IS", "abc", validate=False))  # not an integer
    ds.add(DataElement("SliceThickness", "DS", ["1.5", "zz"], validate=False))
    ds.add(DataElement("Modality", "CS", "lower case", validate=False))
    ds.add(DataElement("StudyDate", "DA", "20241399", validate=False))
    ds.add(DataElement("Rows", "US", b"\x01\x02\x03", validate=False))  # odd length US
    ds.add(DataElement(0x00291010, "LO", "no creator", validate=False))  # PS3.5 7.8.1 broken
    return ds


@pytest.mark.parametrize(
    ("vr", "value"),
    [("LO", "x" * 100), ("IS", "abc"), ("DS", "1" * 20), ("CS", "lower"), ("DA", "2024"),
     ("UI", "1.2.abc"), ("PN", "A^B^C^D^E^F")],
)  # fmt: skip
def test_strict_by_default(vr, value):
    with pytest.raises((ValueError, TypeError)):
        DataElement(0x00100020, vr, value)


def test_unchecked_values_are_kept_as_given():
    ds = _invalid_dataset()
    assert ds.InstanceNumber == "abc"
    assert ds.PatientID == "x" * 100
    assert ds["Rows"].value == b"\x01\x02\x03"
    assert not ds["Rows"].validate and ds["SOPInstanceUID"].validate


def test_setting_value_keeps_the_elements_mode():
    elem = DataElement("InstanceNumber", "IS", "1", validate=False)
    elem.value = "not a number"
    assert elem.value == "not a number"


@pytest.mark.parametrize("syntax", ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1"])
def test_invalid_values_write_a_parseable_file(tmp_path, syntax):
    path = tmp_path / "invalid.dcm"
    path.write_bytes(to_bytes(_invalid_dataset(), transfer_syntax=syntax))
    back = lazydcm.dcmread(path)
    assert back["PatientID"].value == "x" * 100
    assert back[0x00291010].length == len(b"no creator")
    with pytest.raises(lazydcm.InvalidDicomError):
        back.InstanceNumber  # noqa: B018 - the invalid IS is reported when read
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pydicom.dcmread(path)
        assert ref.PatientID == "x" * 100
        assert len(list(ref)) == len(list(back))
    if shutil.which("dcmdump"):
        run = subprocess.run(["dcmdump", str(path)], capture_output=True, text=True, check=False)
        assert run.returncode == 0, run.stderr
        assert "(0020,0013) IS [abc]" in run.stdout


def test_numbers_that_no_encoding_holds_still_raise():
    with pytest.raises(ValueError, match="out of range"):
        DataElement("Rows", "US", 70000, validate=False)


def test_unknown_tag_without_vr_is_un():
    elem = DataElement(0x00111234, None, b"ab")
    assert elem.VR == "UN"
    assert DataElement(0x00100010, None, "A^B").VR == "PN"
    ds = lazydcm.Dataset()
    ds.add_new(0x00110010, None, "ACME")
    ds.add_new(0x00111001, None, b"\1\2")
    assert (ds[0x00110010].VR, ds[0x00111001].VR) == ("LO", "UN")

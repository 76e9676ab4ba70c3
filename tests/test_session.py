"""The documented first session, exactly as a user types it (pydicom's tutorial shape)."""

from __future__ import annotations

import shutil

import numpy as np
import pydicom
import pytest
from _corpus import assert_dcmdump_clean, test_file

import lazydcm
from lazydcm import write_file


@pytest.fixture()
def rtplan(tmp_path):
    path = tmp_path / "rtplan.dcm"
    shutil.copyfile(test_file("rtplan.dcm"), path)
    return path


def test_rtplan_session(rtplan, tmp_path):
    ds = lazydcm.read_file(str(rtplan))
    assert str(ds.PatientName) == "Last^First^mid^pre"
    assert ds.PatientName == "Last^First^mid^pre"
    assert ds.dir("setup") == ["PatientSetupSequence"]
    text = str(ds.PatientSetupSequence[0])
    assert "(0018,5100) Patient Position                    CS: 'HFS'" in text
    ds.PatientSetupSequence[0].PatientPosition = "HFP"
    out = tmp_path / "rtplan2.dcm"
    ds.save_as(str(out))
    assert ds[0x300A, 0xB0][0][0x300A, 0xC2].value == "Field 1"
    assert "SoftwareVersions" in ds
    del ds.SoftwareVersions
    assert "SoftwareVersions" not in ds
    with pytest.raises(AttributeError):
        ds.SoftwareVersions  # noqa: B018

    ref = pydicom.dcmread(out)
    assert ref.PatientSetupSequence[0].PatientPosition == "HFP"
    assert ref.SoftwareVersions == "softwareV1"  # deleted after the save
    again = lazydcm.dcmread(out)
    assert again.PatientSetupSequence[0].PatientPosition == "HFP"
    assert again.BeamSequence[0].BeamName == "Field 1"


def test_tag_and_element_access():
    ds = lazydcm.dcmread(test_file("rtplan.dcm"))
    elem = ds[0x10, 0x10]
    assert elem.value == "Last^First^mid^pre"
    assert elem.VR == "PN" and elem.VM == 1 and elem.keyword == "PatientName"
    assert elem.name == "Patient's Name"
    assert ds[0x00100010] is elem and ds[(0x10, 0x10)] is elem and ds["PatientName"] is elem
    assert ds[lazydcm.Tag("PatientName")] is elem
    assert ds.data_element("PatientName") is elem
    assert "PatientName" in ds and 0x00100010 in ds and (0x10, 0x10) in ds
    assert "NoSuchKeyword" not in ds
    tag = lazydcm.Tag(0x10, 0x10)
    assert (tag.group, tag.element, tag.is_private) == (0x10, 0x10, False)
    assert repr(tag) == "(0010,0010)"
    assert isinstance(ds.BeamSequence, lazydcm.Sequence)


def test_mr_small_pixel_session(tmp_path):
    src = tmp_path / "MR_small.dcm"
    shutil.copyfile(test_file("MR_small.dcm"), src)
    before = src.read_bytes()
    ds = lazydcm.dcmread(str(src))
    arr = ds.pixel_array
    assert arr.shape == (64, 64) and arr.dtype == np.int16
    ds.pixel_array[ds.pixel_array < 300] = 0
    assert (ds.pixel_array < 300).sum() == (ds.pixel_array == 0).sum()
    assert src.read_bytes() == before  # in-place edits never reach the file
    ds.PixelData = ds.pixel_array.tobytes()
    out = tmp_path / "MR_small_edited.dcm"
    ds.save_as(str(out))
    out2 = tmp_path / "MR_small_written.dcm"
    write_file(str(out2), ds)
    ref = pydicom.dcmread(out).pixel_array
    expected = pydicom.dcmread(test_file("MR_small.dcm")).pixel_array.copy()
    expected[expected < 300] = 0
    assert np.array_equal(ref, expected)
    assert out.read_bytes() == out2.read_bytes()


def test_session_outputs_pass_dcmdump(rtplan, tmp_path):
    ds = lazydcm.read_file(str(rtplan))
    ds.PatientSetupSequence[0].PatientPosition = "HFP"
    del ds.SoftwareVersions
    out = tmp_path / "rtplan3.dcm"
    ds.save_as(str(out))
    assert "HFP" in assert_dcmdump_clean(out)

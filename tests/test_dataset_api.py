"""The pydicom-style Dataset API beyond the first session: mapping, private blocks, copies."""

from __future__ import annotations

import pydicom
import pytest
from _corpus import test_file

import lazydcm
from lazydcm import DataElement, Dataset, Sequence, Tag
from lazydcm.model.save import to_bytes


def test_mapping_protocol():
    ds = lazydcm.dcmread(test_file("CT_small.dcm"))
    tags = ds.keys()
    assert tags == sorted(tags) and all(isinstance(t, Tag) for t in tags)
    assert [e.tag for e in ds] == tags == [t for t, _ in ds.items()]
    assert len(ds) == len(tags)
    assert ds.get("PatientName") == ds.PatientName
    assert ds.get("NotAKeyword", 5) == 5
    assert ds.get(0x00100010) is ds["PatientName"]
    assert ds.get(0x00991234) is None


def test_set_delete_and_reread():
    ds = Dataset()
    ds.PatientName = "A^B"
    ds.PatientID = "1"
    assert "PatientName" in ds and ds.PatientName == "A^B"
    ds[0x00100020].value = "2"
    assert ds.PatientID == "2"
    del ds.PatientID
    assert "PatientID" not in ds
    with pytest.raises(AttributeError):
        del ds.PatientID
    with pytest.raises(KeyError):
        del ds[0x00100020]
    ds.user_note = "plain attributes are allowed"
    assert ds.user_note == "plain attributes are allowed"
    assert "user_note" not in ds.dir()


def test_private_blocks_need_creators():
    ds = Dataset()
    with pytest.raises(ValueError, match="private creator"):
        ds.add_new(0x00091001, "LO", "orphan")
    block = ds.private_block(0x0009, "ACME 1.0", create=True)
    block.add_new(0x01, "LO", "hello")
    assert ds[block.get_tag(0x01)].value == "hello"
    assert ds.private_creators(0x0009) == ["ACME 1.0"]
    assert ds.private_block(0x0009, "ACME 1.0")[0x01].value == "hello"
    with pytest.raises(KeyError):
        ds.private_block(0x0009, "OTHER")
    ds.remove_private_tags()
    assert len(ds) == 0


def test_walk_iterall_and_decode():
    ds = lazydcm.dcmread(test_file("rtplan.dcm"))
    seen = []
    ds.walk(lambda d, e: seen.append(e.tag))
    assert Tag("BeamName") in seen and Tag("PatientName") in seen
    assert [e.tag for e in ds.iterall()] == seen
    assert ds.decode() is ds


def test_copy_is_independent():
    ds = lazydcm.dcmread(test_file("rtplan.dcm"))
    dup = ds.copy()
    dup.PatientName = "Other^Name"
    assert ds.PatientName == "Last^First^mid^pre"
    assert dup.PatientName == "Other^Name"
    assert dup.BeamSequence[0].BeamName == "Field 1"


def test_copy_keeps_edits_inside_sequence_items():
    # the copy shows the dataset as it is now, nested edits included (pydicom: a shallow copy,
    # so an edited item is the same object in both); it used to re-read the item from the file
    ds = lazydcm.dcmread(test_file("rtplan.dcm"))
    ds.BeamSequence[0].BeamName = "Edited"
    ds.FractionGroupSequence.append(Dataset())
    dup = ds.copy()
    assert dup.BeamSequence[0].BeamName == "Edited"
    assert len(dup.FractionGroupSequence) == len(ds.FractionGroupSequence)
    assert dup.BeamSequence[0] is ds.BeamSequence[0]
    assert lazydcm.dcmread(to_bytes(dup)).BeamSequence[0].BeamName == "Edited"
    # an unedited sequence is decoded afresh for the copy: its items are its own
    fresh = lazydcm.dcmread(test_file("rtplan.dcm"))
    fresh.BeamSequence[0]  # decoded, not edited
    other = fresh.copy()
    other.BeamSequence[0].BeamName = "Only here"
    assert fresh.BeamSequence[0].BeamName == "Field 1"


def test_sequence_edits_round_trip():
    ds = lazydcm.dcmread(test_file("rtplan.dcm"))
    item = Dataset()
    item.PatientSetupNumber = 2
    item.PatientPosition = "FFS"
    ds.PatientSetupSequence.append(item)
    del ds.FractionGroupSequence[0]
    data = to_bytes(ds)
    ref = pydicom.dcmread(pydicom.filebase.DicomBytesIO(data))
    assert [i.PatientPosition for i in ref.PatientSetupSequence] == ["HFS", "FFS"]
    assert len(ref.FractionGroupSequence) == 0
    again = lazydcm.dcmread(data)
    assert len(again.PatientSetupSequence) == 2


def test_dataelement_construction_and_vm():
    elem = DataElement(0x00080008, "CS", ["ORIGINAL", "PRIMARY"])
    assert elem.VM == 2 and elem.keyword == "ImageType"
    assert DataElement(0x00100010, "PN", "").VM == 0
    seq = DataElement(0x300A00B0, "SQ", [Dataset()])
    assert isinstance(seq.value, Sequence) and seq.VM == 1
    with pytest.raises(TypeError):
        Sequence([1, 2])


def test_closed_file_raises_clear_error(tmp_path):
    ds = lazydcm.dcmread(test_file("CT_small.dcm"))
    name = ds.PatientName  # decoded before close: stays usable
    ds.close()
    assert str(name)
    with pytest.raises(ValueError, match="closed"):
        ds.StudyDate  # noqa: B018


def test_specific_tags_and_stop_before_pixels():
    ds = lazydcm.dcmread(test_file("CT_small.dcm"), specific_tags=["PatientName", 0x00280010])
    assert ds.dir() == ["PatientName", "Rows"] or ds.dir() == [
        "PatientName",
        "Rows",
        "SpecificCharacterSet",
    ]
    ds = lazydcm.dcmread(test_file("CT_small.dcm"), stop_before_pixels=True)
    assert "PixelData" not in ds and "Rows" in ds

"""pydicom's "DICOM File-sets and DICOMDIR" tutorial and FileSet API page, the parts
``test_pydicom_fileset.py`` does not cover: removing what ``find`` returns, the staging flags,
``instance[keyword]``, ``FileID``, the File-set descriptor, ``write(force_implicit=True)``
and ``is_conformant_file_id``; each result checked against pydicom 3 (and dcmdump where a
file is written)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pydicom
import pydicom.fileset as pfs
import pytest

import lazydcm
from lazydcm.fileset import FileSet, is_conformant_file_id

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture
def writable(corpus, tmp_path):
    target = tmp_path / "fs"
    shutil.copytree(corpus / "pydicom-3.0.2" / "test_files" / "dicomdirtests", target)
    return target


def _dcmdump_ok(path: Path) -> None:
    if shutil.which("dcmdump") is None:
        pytest.skip("dcmdump not installed")
    done = subprocess.run(["dcmdump", "-q", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_remove_takes_the_list_find_returns(writable):
    fs = FileSet(writable / "DICOMDIR")
    doomed = fs.find(PatientID="98890234")
    assert len(doomed) == 24 and not fs.is_staged
    fs.remove(doomed)
    assert fs.is_staged and all(i.for_removal and i.is_staged for i in doomed)
    assert len(fs) == 31 - 24
    fs.remove(doomed[0])  # staging twice is one removal
    fs.write()
    assert not fs.is_staged
    assert not any(Path(i.path).exists() for i in doomed)
    _dcmdump_ok(writable / "DICOMDIR")
    theirs = pfs.FileSet(writable / "DICOMDIR")
    assert len(theirs) == 7 and theirs.find_values("PatientID") == ["77654033"]


def test_remove_of_a_list_with_a_foreign_instance_stages_nothing(writable):
    fs, other = FileSet(writable / "DICOMDIR"), FileSet(writable / "DICOMDIR")
    with pytest.raises(ValueError, match="another File-set"):
        fs.remove([*fs.find(Modality="CR"), next(iter(other))])
    assert not fs.is_staged and len(fs) == 31


def test_added_instance_flags(writable):
    fs = FileSet(writable / "DICOMDIR")
    added = fs.add(DATA / "ct_slice.dcm")
    assert (added.for_addition, added.for_removal, added.FileID) == (True, False, "")
    assert fs.is_staged
    fs.write()
    assert not (added.for_addition or added.is_staged or fs.is_staged)
    assert added.FileID == "PT000002/ST000000/SE000000/IM000000"


def test_instance_items_and_file_id_match_pydicom(corpus):
    path = corpus / "pydicom-3.0.2" / "test_files" / "dicomdirtests" / "DICOMDIR"
    theirs = {i.SOPInstanceUID: i for i in pfs.FileSet(pydicom.dcmread(path))}
    ours = list(FileSet(path))
    assert len(ours) == len(theirs)
    for instance in ours:
        other = theirs[str(instance.SOPInstanceUID)]
        for key in ("PatientName", "StudyDate", "Modality", 0x00200011, "SOPClassUID"):
            assert str(instance[key].value) == str(other[key].value)
        assert instance["SOPInstanceUID"].tag == other["SOPInstanceUID"].tag == 0x00041511
        # pydicom restages this set's non-conformant names, so compare with the record
        assert instance.FileID == "/".join(other.node._record.ReferencedFileID)
    with pytest.raises(KeyError):
        ours[0]["PatientWeight"]


def test_descriptor_file_and_charset_round_trip(tmp_path):
    fs = FileSet()
    fs.ID = "DESCR"
    fs.descriptor_file_id = ["README"]
    fs.descriptor_character_set = "ISO_IR 100"
    fs.add(DATA / "ct_slice.dcm")
    fs.write(tmp_path / "fs")
    back = FileSet(tmp_path / "fs" / "DICOMDIR")
    theirs = pfs.FileSet(tmp_path / "fs" / "DICOMDIR")
    assert back.descriptor_file_id == theirs.descriptor_file_id == "README"
    assert back.descriptor_character_set == theirs.descriptor_character_set == "ISO_IR 100"


def test_force_implicit_writes_an_implicit_dicomdir(writable):
    fs = FileSet(writable / "DICOMDIR")
    fs.add(DATA / "rtplan.dcm")
    fs.write(force_implicit=True, use_existing=True)
    raw = pydicom.dcmread(writable / "DICOMDIR")
    assert raw.file_meta.TransferSyntaxUID == pydicom.uid.ImplicitVRLittleEndian
    _dcmdump_ok(writable / "DICOMDIR")
    theirs = pfs.FileSet(writable / "DICOMDIR")
    assert len(theirs) == 32 == len(FileSet(writable / "DICOMDIR"))
    assert [i.DirectoryRecordType for i in theirs.find(Modality="RTPLAN")] == ["RT PLAN"]


@pytest.mark.parametrize(
    "file_id",
    [
        "A",
        "PT000000/ST000000/SE000000/IM000000",
        "A/B/C/D/E/F/G/H",
        "A/B/C/D/E/F/G/H/I",
        "lower",
        "ABCDEFGHI",
        "A-B",
        "77654033/CR1/6154",
        "A.DCM",
    ],
)
def test_is_conformant_file_id_matches_pydicom(file_id):
    assert is_conformant_file_id(Path(file_id)) == pfs.is_conformant_file_id(Path(file_id))


def test_copy_applies_staged_changes_to_the_copy_only(writable, tmp_path):
    fs = FileSet(writable / "DICOMDIR")
    before = (writable / "DICOMDIR").read_bytes()
    fs.add(DATA / "ct_slice.dcm")
    doomed = fs.find(PatientID="98890234")
    fs.remove(doomed)
    copied = fs.copy(tmp_path / "copy")
    # the original: same DICOMDIR, same files, changes still staged
    assert (writable / "DICOMDIR").read_bytes() == before
    assert all(Path(i.path).is_file() for i in doomed) and fs.is_staged and len(fs) == 8
    assert all(Path(i.path).is_relative_to(writable) for i in fs if not i.for_addition)
    # the copy: written, 7 + 1 instances under its own root, readable by pydicom and dcmdump
    assert copied.path == str((tmp_path / "copy").resolve()) and not copied.is_staged
    assert copied.UID == fs.UID and copied.ID == fs.ID
    _dcmdump_ok(tmp_path / "copy" / "DICOMDIR")
    theirs = pfs.FileSet(tmp_path / "copy" / "DICOMDIR")
    assert len(theirs) == 8 and all(Path(i.path).is_file() for i in theirs)
    assert theirs.find_values("PatientID") == ["77654033", "CT0001"]
    with pytest.raises(ValueError, match="other than"):
        copied.copy(tmp_path / "copy")


def test_an_edited_dataset_is_written_with_its_edits(tmp_path):
    ds = lazydcm.dcmread(DATA / "ct_slice.dcm")
    ds.PatientName = "Citizen^Jan"  # the tutorial's edit before fs.add(ds)
    fs = FileSet()
    instance = fs.add(ds)
    assert instance.load() is ds and instance.path == str(DATA / "ct_slice.dcm")
    fs.write(tmp_path / "fs")
    written = pydicom.dcmread(instance.path)
    assert written.PatientName == "Citizen^Jan" == instance.PatientName
    assert pydicom.dcmread(DATA / "ct_slice.dcm").PatientName != "Citizen^Jan"


def test_a_dataset_built_in_code_is_added(tmp_path):
    ds = lazydcm.Dataset()
    ds.PatientName, ds.PatientID = "Code^Built", "C1"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = "1.2.3.1", "1.2.3.2"
    ds.SOPClassUID, ds.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.7", "1.2.3.3"
    ds.Modality = "OT"
    fs = FileSet()
    assert fs.add(ds).path == ""
    fs.write(tmp_path / "fs")
    _dcmdump_ok(tmp_path / "fs" / "DICOMDIR")
    (theirs,) = pfs.FileSet(tmp_path / "fs" / "DICOMDIR")
    assert theirs.PatientName == "Code^Built" and theirs.load().SOPInstanceUID == "1.2.3.3"
    assert theirs.TransferSyntaxUID == theirs.load().file_meta.TransferSyntaxUID


def test_adding_a_removed_instance_cancels_the_removal(writable):
    fs = FileSet(writable / "DICOMDIR")
    victim = fs.find(Modality="CR")[0]
    fs.remove(victim)
    assert len(fs) == 30
    assert fs.add(victim.path) is victim and not victim.for_removal and len(fs) == 31
    fs.write()
    assert Path(victim.path).is_file() and len(pfs.FileSet(writable / "DICOMDIR")) == 31

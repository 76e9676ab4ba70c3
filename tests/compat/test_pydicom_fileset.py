"""pydicom API page "pydicom.fileset" (and the "DICOM File-sets and DICOMDIR" tutorial)
through ``lazydcm.fileset``: reading a DICOMDIR's record tree, iterating and finding
instances, adding and removing instances and writing; differential against pydicom 3 on the
corpus's DICOMDIR files (copied to a temporary directory before any write)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pydicom.fileset as pfs
import pytest

import lazydcm
from lazydcm.errors import InvalidDicomError
from lazydcm.fileset import FileSet

DATA = Path(__file__).resolve().parents[2] / "data"
VARIANTS = [
    "DICOMDIR",
    "DICOMDIR-reordered",
    "DICOMDIR-bigEnd",
    "DICOMDIR-implicit",
    "DICOMDIR-empty.dcm",
]


@pytest.fixture
def dicomdir_tests(corpus):
    return corpus / "pydicom-3.0.2" / "test_files" / "dicomdirtests"


@pytest.fixture
def writable(dicomdir_tests, tmp_path):
    target = tmp_path / "fs"
    shutil.copytree(dicomdir_tests, target)
    return target


@pytest.mark.parametrize("name", VARIANTS)
def test_instances_and_values_match_pydicom(dicomdir_tests, name):
    ours, theirs = FileSet(dicomdir_tests / name), pfs.FileSet(dicomdir_tests / name)
    assert len(ours) == len(theirs)
    assert [list(i.file_id) for i in ours] == [list(i.ReferencedFileID) for i in theirs]
    assert ours.find_values("PatientID") == theirs.find_values("PatientID")
    assert ours.ID == theirs.ID


def test_find_and_load_match_pydicom(dicomdir_tests):
    ours, theirs = FileSet(dicomdir_tests / "DICOMDIR"), pfs.FileSet(dicomdir_tests / "DICOMDIR")
    a = ours.find(PatientID="77654033", Modality="CT")
    b = theirs.find(PatientID="77654033", Modality="CT")
    assert [i.SOPInstanceUID for i in a] == [i.SOPInstanceUID for i in b] and len(a) == 4
    loaded = a[0].load()
    assert loaded.SOPInstanceUID == a[0].SOPInstanceUID
    assert ours.find_values(["PatientID", "Modality"], instances=a) == {
        "PatientID": ["77654033"],
        "Modality": ["CT"],
    }


def test_an_image_is_not_a_dicomdir():
    with pytest.raises(InvalidDicomError, match="not a DICOMDIR"):
        FileSet(DATA / "ct_slice.dcm")


def test_add_write_and_read_back_with_pydicom(writable):
    fs = FileSet(writable / "DICOMDIR")
    added = fs.add(DATA / "ct_slice.dcm")
    assert added.is_staged and len(fs) == 32
    fs.write()
    assert not added.is_staged and Path(added.path).is_file()
    theirs = pfs.FileSet(writable / "DICOMDIR")
    assert len(theirs) == 32
    found = theirs.find(SOPInstanceUID=str(lazydcm.dcmread(DATA / "ct_slice.dcm").SOPInstanceUID))
    assert len(found) == 1 and found[0].load().Rows == 64
    # the old instances are still where their records say
    assert all(Path(i.path).is_file() for i in FileSet(writable / "DICOMDIR"))


def test_adding_the_same_instance_twice_is_refused(writable):
    fs = FileSet(writable / "DICOMDIR")
    fs.add(DATA / "ct_slice.dcm")
    with pytest.raises(ValueError, match="already"):
        fs.add(DATA / "ct_slice.dcm")


def test_remove_deletes_the_file_and_empty_records(writable):
    fs = FileSet(writable / "DICOMDIR")
    victim = fs.find(PatientID="77654033", Modality="CR")[0]
    path = Path(victim.path)
    fs.remove(victim)
    assert len(fs) == 30
    fs.write()
    assert not path.exists()
    theirs = pfs.FileSet(writable / "DICOMDIR")
    assert len(theirs) == 30
    assert victim.SOPInstanceUID not in [i.SOPInstanceUID for i in theirs]


def test_new_file_set_written_to_a_directory(tmp_path):
    fs = FileSet()
    fs.ID = "LAZY"
    fs.add(DATA / "ct_slice.dcm")
    fs.add(DATA / "ct_implicit.dcm")  # same series: one SERIES record, two leaves
    fs.add(DATA / "rtplan.dcm")
    with pytest.raises(ValueError):
        FileSet().write()
    fs.write(tmp_path / "new")
    theirs = pfs.FileSet(tmp_path / "new" / "DICOMDIR")
    assert theirs.ID == "LAZY" and len(theirs) == 3
    types = sorted(i.DirectoryRecordType for i in theirs)
    assert types == ["IMAGE", "IMAGE", "RT PLAN"]
    for instance in FileSet(tmp_path / "new" / "DICOMDIR"):
        assert all(len(part) <= 8 for part in instance.file_id)  # PS3.10 8.2
        assert instance.load().SOPInstanceUID == instance.SOPInstanceUID

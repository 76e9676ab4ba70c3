"""pydicom API pages "pydicom.dataset.FileDataset", "pydicom.filereader" and
"pydicom.filewriter" through the lazydcm faces: constructing FileDataset, FileMetaDataset,
read_file_meta_info, read_dicomdir, the encoding flags of a dataset built in code, and the
save options (write_like_original, enforce_file_format, implicit_vr, little_endian,
overwrite); differential against pydicom 3."""

from __future__ import annotations

import io
from pathlib import Path

import pydicom
import pytest

import lazydcm
from lazydcm.dataset import Dataset, FileDataset, FileMetaDataset
from lazydcm.errors import InvalidDicomError
from lazydcm.filereader import dcmread, read_dicomdir, read_file, read_file_meta_info
from lazydcm.filewriter import dcmwrite, write_file

DATA = Path(__file__).resolve().parents[2] / "data"
CT = DATA / "ct_slice.dcm"
IMPLICIT = "1.2.840.10008.1.2"
EXPLICIT = "1.2.840.10008.1.2.1"
BIG = "1.2.840.10008.1.2.2"


def _small() -> Dataset:
    ds = Dataset()
    ds.PatientName = "Doe^J"
    ds.PatientID = "P1"
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = "1.2.3.4"
    return ds


def test_reader_and_writer_names():
    assert read_file is dcmread and write_file is dcmwrite


def test_read_file_meta_info_matches_pydicom_and_outlives_the_file():
    ours = read_file_meta_info(CT)
    theirs = pydicom.filereader.read_file_meta_info(CT)
    assert isinstance(ours, FileMetaDataset)
    assert [int(t) for t in ours.tags()] == [int(e.tag) for e in theirs]
    assert ours.TransferSyntaxUID == theirs.TransferSyntaxUID
    assert ours.MediaStorageSOPInstanceUID == theirs.MediaStorageSOPInstanceUID


def test_read_dicomdir_refuses_an_image(tmp_path):
    with pytest.raises(InvalidDicomError, match="not a DICOMDIR"):
        read_dicomdir(CT)


def test_file_dataset_constructed_over_a_read_dataset_stays_lazy():
    source = lazydcm.dcmread(CT)
    fds = FileDataset("x.dcm", source, preamble=b"\1" * 128)
    assert fds.filename == "x.dcm" and fds.preamble == b"\1" * 128
    assert fds["PixelData"].is_decoded is False  # nothing decoded by wrapping
    assert fds.PatientName == source.PatientName
    assert fds.file_meta.TransferSyntaxUID == EXPLICIT  # the source's meta by default


def test_file_dataset_written_with_its_preamble(tmp_path):
    meta = FileMetaDataset()
    meta.TransferSyntaxUID = EXPLICIT
    fds = FileDataset(tmp_path / "a.dcm", _small(), file_meta=meta, preamble=b"P" * 128)
    fds.save_as(tmp_path / "a.dcm", enforce_file_format=True)
    raw = (tmp_path / "a.dcm").read_bytes()
    assert raw[:128] == b"P" * 128 and raw[128:132] == b"DICM"
    assert pydicom.dcmread(tmp_path / "a.dcm").PatientName == "Doe^J"


def test_file_dataset_rejects_bad_arguments():
    with pytest.raises(TypeError):
        FileDataset("x", 42)
    with pytest.raises(ValueError, match="128"):
        FileDataset("x", Dataset(), preamble=b"short")


def test_del_file_meta_on_a_read_file():
    ds = lazydcm.dcmread(CT)
    del ds.file_meta
    assert not hasattr(ds, "file_meta")


@pytest.mark.parametrize(
    "implicit, little, expected",
    [(True, True, IMPLICIT), (False, True, EXPLICIT), (False, False, BIG)],
)
def test_declared_encoding_of_a_dataset_built_in_code(tmp_path, implicit, little, expected):
    ds = _small()
    assert ds.is_little_endian is None and ds.is_implicit_VR is None
    ds.is_implicit_VR = implicit
    ds.is_little_endian = little
    ds.save_as(tmp_path / "d.dcm", enforce_file_format=True)
    back = pydicom.dcmread(tmp_path / "d.dcm")
    assert back.file_meta.TransferSyntaxUID == expected and back.PatientName == "Doe^J"


@pytest.mark.parametrize(
    "implicit, little, expected",
    [(True, True, IMPLICIT), (False, True, EXPLICIT), (False, False, BIG)],
)
def test_dcmwrite_implicit_vr_little_endian_options(tmp_path, implicit, little, expected):
    dcmwrite(
        tmp_path / "d.dcm",
        _small(),
        implicit_vr=implicit,
        little_endian=little,
        enforce_file_format=True,
    )
    assert lazydcm.dcmread(tmp_path / "d.dcm").file_meta.TransferSyntaxUID == expected


def test_implicit_big_endian_and_contradictions_are_value_errors(tmp_path):
    with pytest.raises(ValueError, match="implicit VR big endian"):
        dcmwrite(tmp_path / "x.dcm", _small(), implicit_vr=True, little_endian=False)
    ds = lazydcm.dcmread(CT)  # explicit VR little endian
    with pytest.raises(ValueError, match="contradict"):
        ds.save_as(tmp_path / "x.dcm", implicit_vr=True)
    assert not (tmp_path / "x.dcm").exists()


def test_write_like_original_false_adds_preamble_and_meta():
    out = io.BytesIO()
    lazydcm.dcmread(CT, force=True).save_as(out, write_like_original=False)
    assert out.getvalue()[128:132] == b"DICM"
    raw_only = io.BytesIO()
    ds = _small()
    ds.save_as(raw_only, write_like_original=True)
    assert raw_only.getvalue()[128:132] == b"DICM"  # lazydcm always writes Part 10 (docs)


def test_overwrite_false_refuses_an_existing_file(tmp_path):
    target = tmp_path / "exists.dcm"
    target.write_bytes(b"keep")
    with pytest.raises(FileExistsError):
        lazydcm.dcmread(CT).save_as(target, overwrite=False)
    assert target.read_bytes() == b"keep"
    lazydcm.dcmread(CT).save_as(tmp_path / "new.dcm", overwrite=False)
    assert (tmp_path / "new.dcm").exists()


def test_unmodified_file_still_writes_back_byte_identical(tmp_path):
    ds = lazydcm.dcmread(CT)
    ds.save_as(tmp_path / "same.dcm", write_like_original=True, overwrite=True)
    assert (tmp_path / "same.dcm").read_bytes() == CT.read_bytes()

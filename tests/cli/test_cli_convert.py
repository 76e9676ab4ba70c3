"""``lazydcm convert`` through a real subprocess: a tree converted to RLE Lossless and back,
pixels equal to the sources by pydicom's reading; bad files reported, the rest converted."""

from __future__ import annotations

import shutil

import numpy as np
import pydicom
import pytest
from _clirun import run
from _corpus import test_file

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydicom")

TREE = {"ct.dcm": "CT_small.dcm", "a/rtdose.dcm": "rtdose.dcm", "a/b/mr.dcm": "MR_small.dcm"}


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "in"
    for name, source in TREE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(test_file(source), root / name)
    (root / "a" / "notes.txt").write_text("not DICOM")
    return root


def test_convert_tree_to_rle_and_back(tree, tmp_path):
    rle = tmp_path / "rle"
    result = run("convert", tree, "-r", "-o", rle, "--transfer-syntax", "RLELossless", "-j", "2")
    assert result.returncode == 1  # the text file failed, named on stderr
    assert "notes.txt" in result.stderr and "NotDicomError" in result.stderr
    assert "3 converted, 1 failed" in result.stdout
    back = tmp_path / "back"
    result = run("convert", rle, "-r", "-o", back, "-t", "1.2.840.10008.1.2.1")
    assert result.returncode == 0, result.stderr
    for name in TREE:
        source = pydicom.dcmread(tree / name)
        packed = pydicom.dcmread(rle / name)
        native = pydicom.dcmread(back / name)
        assert packed.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.5"
        assert native.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
        np.testing.assert_array_equal(packed.pixel_array, source.pixel_array)
        np.testing.assert_array_equal(native.pixel_array, source.pixel_array)
        assert native.PatientName == source.PatientName


def test_convert_refuses_an_unknown_syntax(tree, tmp_path):
    result = run("convert", tree / "ct.dcm", "-o", tmp_path / "o", "-t", "nonsense")
    assert result.returncode == 2
    assert "not a transfer syntax" in result.stderr
    assert not (tmp_path / "o").exists()


def test_codec_options_reach_the_encoder(tree, tmp_path):
    # --option KEY=VALUE goes to save_as(encoder_options=...): the near-lossless error bound
    # and keeping the SOP Instance UID of a lossy output are the caller's choice
    out = tmp_path / "near"
    result = run(
        "convert", tree / "ct.dcm", "-o", out, "-t", "jpegls-near",
        "--option", "jls_error=5", "-O", "generate_instance_uid=false",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    source = pydicom.dcmread(tree / "ct.dcm")
    near = pydicom.dcmread(out / "ct.dcm")
    diff = np.abs(near.pixel_array.astype(int) - source.pixel_array)
    assert 2 < diff.max() <= 5  # the default bound is 2
    assert near.SOPInstanceUID == source.SOPInstanceUID
    bad = run("convert", tree / "ct.dcm", "-o", out, "-t", "rle", "--option", "jls_error")
    assert bad.returncode == 2 and "KEY=VALUE" in bad.stderr

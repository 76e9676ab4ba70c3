"""pydicom's top-level package and two attributes its API pages document that the other
compat modules do not pin: ``pydicom.<module>`` after a bare ``import pydicom``,
``DataElement.private_creator`` and ``FileDataset.timestamp``."""

from __future__ import annotations

import gc
import io
import os
import subprocess
import sys
from pathlib import Path

import pydicom
import pytest

import lazydcm
from lazydcm.dataelem import DataElement
from lazydcm.dataset import Dataset, FileDataset

DATA = Path(__file__).resolve().parents[2] / "data"
ROOT = Path(__file__).resolve().parents[2]


def test_faces_are_package_attributes_imported_on_first_use():
    code = (
        "import sys, lazydcm\n"
        "faces = [m for m in sys.modules if m[len('lazydcm.'):] in lazydcm._FACES]\n"
        "assert faces == [], faces\n"
        "lazydcm.dcmread('data/ct_slice.dcm').PatientName\n"
        "assert 'lazydcm.uid' not in sys.modules\n"
        "assert lazydcm.uid.ExplicitVRLittleEndian == '1.2.840.10008.1.2.1'\n"
        "assert lazydcm.fileset.FileSet and lazydcm.dataset.FileMetaDataset\n"
        "assert not hasattr(lazydcm, 'no_such_module')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_private_creator_of_elements(tmp_path):
    ds = Dataset()
    ds.private_block(0x0041, "My Creator", create=True).add_new(0x01, "LO", "12345")
    ds.PatientName = "A^B"
    assert ds[0x00411001].private_creator == "My Creator"
    assert ds[0x00410010].private_creator is None  # the creator element itself
    assert ds["PatientName"].private_creator is None
    assert DataElement(0x00411001, "LO", "x").private_creator is None  # in no dataset
    ds.save_as(tmp_path / "p.dcm", implicit_vr=False, little_endian=True)
    ours = lazydcm.dcmread(tmp_path / "p.dcm")[0x00411001]
    theirs = pydicom.dcmread(tmp_path / "p.dcm")[0x00411001]
    assert ours.private_creator == theirs.private_creator == "My Creator"


def test_private_creator_after_the_dataset_is_gone(tmp_path):
    ds = Dataset()
    ds.private_block(0x0009, "ACME", create=True).add_new(0x10, "LO", "v")
    ds.save_as(tmp_path / "p.dcm", implicit_vr=False, little_endian=True)
    read = lazydcm.dcmread(tmp_path / "p.dcm")
    elem = read[0x00091010]
    assert elem.value == "v" and elem.private_creator == "ACME"
    del read  # a decoded element holds its dataset weakly
    gc.collect()
    assert elem.private_creator is None


def test_timestamp_is_the_files_mtime_when_read():
    ds = lazydcm.dcmread(DATA / "ct_slice.dcm")
    assert ds.timestamp == os.stat(DATA / "ct_slice.dcm").st_mtime
    assert pydicom.dcmread(DATA / "ct_slice.dcm").timestamp == ds.timestamp
    assert lazydcm.dcmread(io.BytesIO((DATA / "ct_slice.dcm").read_bytes())).timestamp is None
    assert FileDataset("x.dcm", Dataset()).timestamp is None


@pytest.mark.parametrize("name", ["uid", "tag", "dataset", "sequence", "encaps", "examples"])
def test_each_face_resolves_like_pydicoms_module(name):
    assert getattr(lazydcm, name).__name__ == f"lazydcm.{name}"
    assert getattr(pydicom, name).__name__ == f"pydicom.{name}"

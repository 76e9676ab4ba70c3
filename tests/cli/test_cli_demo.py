"""``lazydcm demo``, ``--help`` of every subcommand, and the sample files in ``data/`` (rebuilt
byte for byte by data/make_data.py, valid for dcmdump and pydicom)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pydicom
import pytest
from _clirun import REPO, run
from _corpus import assert_dcmdump_clean

import lazydcm

DATA = REPO / "data"
SAMPLES = {  # name -> (transfer syntax, SOP class, frames or None)
    "rtplan.dcm": ("1.2.840.10008.1.2.1", "1.2.840.10008.5.1.4.1.1.481.5", None),
    "ct_slice.dcm": ("1.2.840.10008.1.2.1", "1.2.840.10008.5.1.4.1.1.2", 1),
    "ct_implicit.dcm": ("1.2.840.10008.1.2", "1.2.840.10008.5.1.4.1.1.2", 1),
    "mr_big_endian.dcm": ("1.2.840.10008.1.2.2", "1.2.840.10008.5.1.4.1.1.4", 1),
    "multiframe.dcm": ("1.2.840.10008.1.2.1", "1.2.840.10008.5.1.4.1.1.7.2", 8),
}


@pytest.mark.parametrize("command", ["dump", "show", "edit", "index", "demo"])
def test_every_subcommand_has_help(command):
    result = run(command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: lazydcm {command}")
    assert "exit status" in result.stdout or command == "demo"


def test_top_level_help_version_and_usage_error():
    result = run("--help")
    assert result.returncode == 0
    for command in ("dump", "show", "edit", "index", "demo"):
        assert command in result.stdout
    assert run("--version").stdout.strip() == f"lazydcm {lazydcm.__version__}"
    missing = run()
    assert missing.returncode == 2 and "required" in missing.stderr
    unknown = run("frobnicate")
    assert unknown.returncode == 2


def test_demo_tours_the_samples(tmp_path):
    out = tmp_path / "demo"
    result = run("demo", "--out", out, cwd=REPO)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    for name in SAMPLES:
        assert name in text
    assert "strategy 'in-place': 12 bytes written" in text  # Roe^Richard -> Doe^Janine
    assert "strategy 'rewrite'" in text
    assert "BeamName = 'Field 1'" in text and "1 of 2 beam items" in text
    copy = pydicom.dcmread(out / "ct_slice.dcm")
    assert copy.PatientName == "Doe^Janine^Maria^Dr" and copy.InstitutionName == "Samples"
    assert np.array_equal(copy.pixel_array, pydicom.dcmread(DATA / "ct_slice.dcm").pixel_array)
    assert (out / "multiframe_frame3.png").stat().st_size > 0
    assert (out / "index.parquet").stat().st_size > 0
    # the samples themselves are untouched
    assert pydicom.dcmread(DATA / "ct_slice.dcm").PatientName == "Roe^Richard"


def test_demo_without_samples_says_how_to_get_them(tmp_path):
    result = run("demo", "--data", tmp_path, "--out", tmp_path / "o")
    assert result.returncode == 2
    assert "data/make_data.py" in result.stderr


def test_make_data_rebuilds_the_samples_byte_for_byte(tmp_path):
    result = subprocess.run(
        [sys.executable, DATA / "make_data.py", "--out", tmp_path],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for name in SAMPLES:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
    total = sum((DATA / name).stat().st_size for name in SAMPLES)
    assert total < 300_000


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_samples_are_valid_dicom(name):
    syntax, sop_class, frames = SAMPLES[name]
    path = DATA / name
    assert_dcmdump_clean(path)
    ref = pydicom.dcmread(path)
    assert ref.file_meta.TransferSyntaxUID == syntax
    assert ref.SOPClassUID == sop_class
    if frames is None:
        assert "PixelData" not in ref
        assert ref.BeamSequence[1].ControlPointSequence[0].GantryAngle == 180
    else:
        pixels = ref.pixel_array
        assert pixels.shape[:1] == ((frames,) if frames > 1 else (64,))
        with lazydcm.dcmread(path) as ds:
            assert np.array_equal(ds.pixel_array, pixels)

"""``lazydcm show`` through a real subprocess: the PNG holds what ``ds.to_image`` gives."""

from __future__ import annotations

import numpy as np
import pytest
from _clirun import run
from _corpus import test_file
from PIL import Image  # the render extra; a test dependency

import lazydcm


def _png(path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im)


def test_show_writes_the_rendered_frame(tmp_path):
    path = test_file("CT_small.dcm")
    out = tmp_path / "ct.png"
    result = run("show", path, "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{out}: 128x128 grayscale, frame 0 of 1 from {path}"
    with lazydcm.dcmread(path) as ds:
        expected = ds.to_image()
    assert np.array_equal(_png(out), expected)
    assert [p.name for p in tmp_path.iterdir()] == ["ct.png"]  # no temporary file left


def test_show_a_frame_of_a_multiframe_file_with_a_window(tmp_path):
    path = test_file("rtdose.dcm")  # 15 frames
    result = run("show", path, "--frame", "7", "--window", "1000,2000", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "rtdose_frame7.png"  # default name, in the current directory
    with lazydcm.dcmread(path) as ds:
        expected = ds.to_image(frame=7, window=(1000.0, 2000.0))
        other = ds.to_image(frame=7)
    assert np.array_equal(_png(out), expected)
    assert not np.array_equal(expected, other)  # the window mattered
    last = run("show", path, "--frame", "-1", "-o", tmp_path / "last.png")
    assert last.returncode == 0 and "frame 14 of 15" in last.stdout


def test_show_colour_and_big_endian_files(tmp_path):
    for name, kind in (
        ("SC_ybr_full_422_uncompressed.dcm", "RGB"),
        ("MR_small_bigendian.dcm", "grayscale"),
    ):
        out = tmp_path / f"{name}.png"
        result = run("show", test_file(name), "-o", out)
        assert result.returncode == 0, result.stderr
        assert kind in result.stdout
        with lazydcm.dcmread(test_file(name)) as ds:
            assert np.array_equal(_png(out), ds.to_image())


@pytest.mark.parametrize(
    "args, status, message",
    [
        (["--frame", "15"], 2, "--frame 15: "),
        (["--frame", "-16"], 2, "has 15 frame(s)"),
        (["--window", "40"], 2, "CENTER,WIDTH"),
        (["--window", "40,0"], 2, "width must be positive"),
    ],
)
def test_show_usage_errors(tmp_path, args, status, message):
    result = run("show", test_file("rtdose.dcm"), *args, "-o", tmp_path / "x.png")
    assert result.returncode == status and message in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_show_files_that_cannot_be_shown(tmp_path):
    out = tmp_path / "x.png"
    no_pixels = run("show", test_file("rtplan.dcm"), "-o", out)
    assert no_pixels.returncode == 1 and "has no pixel data" in no_pixels.stderr
    not_dicom = run("show", test_file("README.txt"), "-o", out)
    assert not_dicom.returncode == 1 and "at offset 0x80" in not_dicom.stderr
    truncated = run("show", test_file("MR_truncated.dcm"), "-o", out)
    assert truncated.returncode == 1
    assert "element (7FE0,0010)" in truncated.stderr and "MR_truncated.dcm" in truncated.stderr
    assert not out.exists()

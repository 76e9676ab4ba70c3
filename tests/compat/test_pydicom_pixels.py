"""pydicom API page "pydicom.pixels" through ``lazydcm.pixels``: the LUT/windowing functions
and pixel_array/iter_pixels on paths; differential against pydicom 3 on the sample files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pydicom.pixels as pp
import pytest

import lazydcm
import lazydcm.pixels as lp

DATA = Path(__file__).resolve().parents[2] / "data"
IMAGES = ["ct_slice.dcm", "ct_implicit.dcm", "mr_big_endian.dcm", "multiframe.dcm"]


@pytest.mark.parametrize("name", IMAGES)
def test_luts_and_windowing_match_pydicom(name):
    ours, theirs = lazydcm.dcmread(DATA / name), pydicom.dcmread(DATA / name)
    a = lp.apply_modality_lut(ours.pixel_array, ours)
    b = pp.apply_modality_lut(theirs.pixel_array, theirs)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(lp.apply_voi_lut(a, ours), pp.apply_voi_lut(b, theirs))
    np.testing.assert_allclose(lp.apply_windowing(a, ours), pp.apply_windowing(b, theirs))


@pytest.mark.parametrize("name", IMAGES)
def test_pixel_array_and_iter_pixels_on_a_path_match_pydicom(name):
    path = DATA / name
    np.testing.assert_array_equal(lp.pixel_array(path), pp.pixel_array(path))
    np.testing.assert_array_equal(lp.pixel_array(path, index=0), pp.pixel_array(path, index=0))
    ours = list(lp.iter_pixels(path))
    theirs = list(pp.iter_pixels(path))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, b)


def test_pixel_array_of_a_dataset_and_bytes():
    ds = lazydcm.dcmread(DATA / "multiframe.dcm")
    np.testing.assert_array_equal(lp.pixel_array(ds, index=5), ds.pixel_array[5])
    raw = (DATA / "multiframe.dcm").read_bytes()
    np.testing.assert_array_equal(lp.pixel_array(raw, index=5), ds.pixel_array[5])
    assert [f.shape for f in lp.iter_pixels(ds, indices=[1, 7])] == [(64, 64), (64, 64)]
    with pytest.raises(IndexError):
        lp.pixel_array(ds, index=8)


def test_windowing_without_a_window_returns_the_input_and_explicit_form_still_works():
    ds = lazydcm.Dataset()
    arr = np.arange(10.0)
    assert lp.apply_windowing(arr, ds) is arr
    out = lp.apply_windowing(arr, 5.0, 4.0)
    assert out.min() == 0.0 and out.max() == 255.0


def test_convert_color_space_round_trip():
    rgb = np.random.default_rng(1).integers(0, 255, (4, 4, 3), dtype=np.uint8)
    ybr = lp.convert_color_space(rgb, "RGB", "YBR_FULL")
    np.testing.assert_array_equal(ybr, pp.convert_color_space(rgb, "RGB", "YBR_FULL"))
    back = lp.convert_color_space(ybr, "YBR_FULL", "RGB")
    assert np.abs(back.astype(int) - rgb.astype(int)).max() <= 2

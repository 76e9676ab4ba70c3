"""pixels/render.py: 8-bit display images and PNG output."""

from __future__ import annotations

import sys

import numpy as np
import pydicom
import pytest
from _corpus import corpus_file
from PIL import Image

from lazydcm.pixels.lut import apply_palette, apply_windowing
from lazydcm.pixels.render import save_png, to_display


def read(relative: str):
    return pydicom.dcmread(corpus_file(relative))


def test_windowed_ct_follows_modality_then_window():
    ds = read("pydicom-3.0.2/test_files/MR_small.dcm")  # Window 600/1600, no rescale
    arr = ds.pixel_array
    out = to_display(arr, ds)
    assert out.dtype == np.uint8 and out.shape == arr.shape
    expected = np.rint(apply_windowing(arr, 600, 1600, out_range=(0, 255))).astype(np.uint8)
    assert np.array_equal(out, expected)


def test_window_argument_overrides_the_dataset():
    ds = read("cornerstone3D/CTImage.dcm")  # rescale intercept -1024
    arr = ds.pixel_array
    out = to_display(arr, ds, window=(40, 80))
    hu = arr.astype(float) - 1024
    assert (out[hu <= 0] == 0).all() and (out[hu > 80] == 255).all()


def test_no_window_scales_min_to_max():
    ds = {"SamplesPerPixel": 1, "PhotometricInterpretation": "MONOCHROME2", "BitsStored": 16}
    arr = np.array([[100, 200], [340, 500]], dtype=np.uint16)
    assert to_display(arr, ds).tolist() == [[0, 64], [153, 255]]
    assert to_display(np.full((2, 2), 7, np.uint16), ds).tolist() == [[0, 0], [0, 0]]


def test_monochrome1_is_inverted():
    arr = np.array([[0, 1000], [2000, 4095]], dtype=np.uint16)
    mono2 = {"PhotometricInterpretation": "MONOCHROME2", "BitsStored": 12}
    mono1 = {**mono2, "PhotometricInterpretation": "MONOCHROME1"}
    assert np.array_equal(to_display(arr, mono1), 255 - to_display(arr, mono2))
    inverse = {**mono2, "PresentationLUTShape": "INVERSE"}
    assert np.array_equal(to_display(arr, inverse), to_display(arr, mono1))


def test_corpus_monochrome1_file():
    ds = read("pydicom-3.0.2/test_files/dicomdirtests/77654033/CR1/6154")
    arr = ds.pixel_array
    out = to_display(arr, ds)
    # the darkest stored value is displayed brightest
    assert out[arr == arr.min()].min() >= out[arr == arr.max()].max()


def test_palette_color():
    ds = read("cornerstone3D/no-pixel-spacing.dcm")
    arr = ds.pixel_array
    out = to_display(arr, ds)
    assert out.shape == arr.shape + (3,) and out.dtype == np.uint8
    sixteen = apply_palette(arr, ds)
    assert np.array_equal(out, np.rint(sixteen / 65535 * 255).astype(np.uint8))


def test_rgb_and_ybr_colour():
    rgb = np.arange(2 * 2 * 3, dtype=np.uint8).reshape(2, 2, 3) * 20
    ds = {"SamplesPerPixel": 3, "PhotometricInterpretation": "RGB", "BitsStored": 8}
    assert np.array_equal(to_display(rgb, ds), rgb)
    ybr = {**ds, "PhotometricInterpretation": "YBR_FULL"}
    assert np.array_equal(to_display(rgb, ybr), rgb)  # arrays are RGB already by default
    stored = np.full((1, 1, 3), [76, 85, 255], dtype=np.uint8)
    assert to_display(stored, ybr, photometric="YBR_FULL").tolist() == [[[254, 0, 0]]]
    wide = np.full((1, 1, 3), 4095, dtype=np.uint16)
    assert to_display(wide, {**ds, "BitsStored": 12}).tolist() == [[[255, 255, 255]]]


def test_frames():
    ds = {"NumberOfFrames": 3, "PhotometricInterpretation": "MONOCHROME2", "BitsStored": 8}
    arr = np.stack([np.full((2, 2), v, np.uint8) for v in (0, 100, 255)])
    arr[1, 0, 0] = 50
    everything = to_display(arr, ds)  # scaled over all frames: 0..255
    assert everything.shape == (3, 2, 2) and everything[1].tolist() == [[50, 100], [100, 100]]
    assert to_display(arr, ds, frame=1).tolist() == [[0, 255], [255, 255]]  # over 50..100
    with pytest.raises(IndexError):
        to_display(arr[0], ds, frame=2)


def test_float_pixels():
    ds = {"PhotometricInterpretation": "MONOCHROME2"}
    arr = np.array([[np.nan, -1.0], [0.0, 1.0]], dtype=np.float32)
    assert to_display(arr, ds).tolist() == [[0, 0], [128, 255]]


def test_save_png_round_trip(tmp_path):
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4)
    rgb = np.dstack([gray, gray[::-1], gray * 2])
    for arr in (gray, rgb):
        path = tmp_path / f"out{arr.ndim}.png"
        save_png(arr, path)
        assert np.array_equal(np.asarray(Image.open(path)), arr)
    with pytest.raises(ValueError, match="uint8"):
        save_png(gray.astype(np.uint16), tmp_path / "x.png")
    with pytest.raises(ValueError, match="one frame"):
        save_png(np.zeros((2, 3, 4, 3), np.uint8), tmp_path / "x.png")


def test_save_png_without_pillow(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match=r"lazydcm\[render\]"):
        save_png(np.zeros((2, 2), np.uint8), tmp_path / "x.png")

"""overlay_array and waveform_array: differential against pydicom on the corpus, and built-in
cases for what the corpus lacks (multi-frame overlays not byte aligned, overlays in the
Pixel Data's unused high bits, every waveform sample interpretation, sensitivity)."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from _corpus import test_file

import lazydcm
from lazydcm.errors import InvalidDicomError


def test_overlay_matches_pydicom():
    path = test_file("examples_overlay.dcm")
    got = lazydcm.dcmread(path).overlay_array(0x6000)
    want = pydicom.dcmread(path).overlay_array(0x6000)
    assert got.dtype == np.uint8 and got.shape == (300, 484) and got.sum() > 0
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("index", [0, 1])
def test_waveform_matches_pydicom(index):
    path = test_file("waveform_ecg.dcm")
    got = lazydcm.dcmread(path).waveform_array(index)
    want = pydicom.dcmread(path).waveform_array(index)
    assert got.dtype == np.float64 and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


def _overlay_ds(rows, cols, frames):
    ds = lazydcm.Dataset()
    ds.add_new(0x60020010, "US", rows)
    ds.add_new(0x60020011, "US", cols)
    ds.add_new(0x60020015, "IS", frames)
    ds.add_new(0x60020100, "US", 1)
    ds.add_new(0x60020102, "US", 0)
    return ds


def test_multi_frame_overlay_bits_run_on_across_frames():
    rng = np.random.default_rng(5)
    planes = rng.integers(0, 2, size=(3, 3, 5), dtype=np.uint8)  # 15 bits a frame
    ds = _overlay_ds(3, 5, 3)
    packed = np.packbits(planes.reshape(-1), bitorder="little").tobytes()
    ds.add_new(0x60023000, "OW", packed + b"\0" * (len(packed) % 2))
    np.testing.assert_array_equal(ds.overlay_array(0x6002), planes)
    ds.add_new(0x60023000, "OW", packed[:2])  # 16 bits for 45
    with pytest.raises(InvalidDicomError, match="Overlay Data"):
        ds.overlay_array(0x6002)


def test_overlay_in_unused_high_bits_of_pixel_data():
    rng = np.random.default_rng(6)
    image = rng.integers(0, 4096, size=(2, 4, 6), dtype=np.uint16)
    marks = rng.integers(0, 2, size=(2, 4, 6), dtype=np.uint16)
    ds = _overlay_ds(4, 6, 1)
    ds.add_new(0x60020100, "US", 16)
    ds.add_new(0x60020102, "US", 13)
    ds.add_new(0x60020051, "US", 2)  # the overlay belongs to frame 2
    ds.set_pixel_data(image, "MONOCHROME2", 12)
    ds.PixelData = (image | (marks << 13)).astype("<u2").tobytes()  # overlay bits above 12
    np.testing.assert_array_equal(ds.overlay_array(0x6002), marks[1])
    ds.add_new(0x60020102, "US", 3)  # inside Bits Stored: not an overlay bit
    with pytest.raises(InvalidDicomError, match="bit 3"):
        ds.overlay_array(0x6002)


def test_overlay_group_must_be_an_overlay_group():
    ds = _overlay_ds(1, 1, 1)
    with pytest.raises(ValueError):
        ds.overlay_array(0x6001)
    with pytest.raises(AttributeError):
        ds.overlay_array(0x6000)  # nothing there


def _waveform(interpretation, dtype, raw, definitions):
    item = lazydcm.Dataset()
    item.NumberOfWaveformChannels = raw.shape[1]
    item.NumberOfWaveformSamples = raw.shape[0]
    item.WaveformBitsAllocated = np.dtype(dtype).itemsize * 8
    item.WaveformSampleInterpretation = interpretation
    item.ChannelDefinitionSequence = definitions
    item.add_new(
        0x54001010,
        "OW" if np.dtype(dtype).itemsize > 1 else "OB",
        np.ascontiguousarray(raw, dtype=np.dtype(dtype).newbyteorder("<")).tobytes(),
    )
    ds = lazydcm.Dataset()
    ds.WaveformSequence = [item]
    return ds


@pytest.mark.parametrize(
    "interpretation, dtype",
    [
        ("SB", "i1"),
        ("UB", "u1"),
        ("SS", "i2"),
        ("US", "u2"),
        ("SL", "i4"),
        ("UL", "u4"),
        ("SV", "i8"),
        ("UV", "u8"),
    ],
)
def test_waveform_interleaved_samples_and_sensitivity(interpretation, dtype):
    info = np.iinfo(dtype)
    rng = np.random.default_rng(7)
    raw = rng.integers(max(info.min, -1000), min(info.max, 1000), size=(6, 2)).astype(dtype)
    scaled = lazydcm.Dataset()
    scaled.ChannelSensitivity = "2.5"
    scaled.ChannelBaseline = "-3"
    scaled.ChannelSensitivityCorrectionFactor = "0.5"
    plain = lazydcm.Dataset()  # no sensitivity: left as stored
    ds = _waveform(interpretation, dtype, raw, [scaled, plain])
    got = ds.waveform_array(0)
    np.testing.assert_array_equal(got[:, 0], (raw[:, 0].astype(float) - 3) * 2.5 * 0.5)
    np.testing.assert_array_equal(got[:, 1], raw[:, 1].astype(float))


def test_waveform_layout_errors():
    raw = np.zeros((4, 2), np.int16)
    ds = _waveform("SB", "i2", raw, [])  # 16 bits allocated but SB is 8
    with pytest.raises(InvalidDicomError, match="C.10.9.1.5.1"):
        ds.waveform_array(0)
    with pytest.raises(IndexError):
        ds.waveform_array(1)

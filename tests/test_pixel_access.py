"""Pixel access through the Dataset: equal to pydicom on the corpus, views, copy-on-write."""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pydicom
import pytest
from _corpus import catalog, corpus_file, test_file

import lazydcm
import lazydcm.pixels.lazy

DECODABLE = sorted(
    row["path"]
    for row in catalog()
    if row["pydicom_readable"] == "y"
    and row["pixel_array_decodes"] == "y"
    and not row["path"].endswith(".gz")
)  # a gzip stream, not DICOM


@pytest.mark.parametrize("rel", DECODABLE)
def test_pixel_array_equals_pydicom(rel):
    path = corpus_file(rel)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pydicom.dcmread(path, force=True).pixel_array
        with lazydcm.dcmread(path, force=True) as ds:
            ours = ds.pixel_array
            assert ours.shape == ref.shape
            assert ours.dtype == ref.dtype.newbyteorder("=")
            assert np.array_equal(ours, ref)
            frames = int(ds.get("NumberOfFrames", 1) or 1)
            if frames > 1:
                last = ds.frame(frames - 1)
                assert np.array_equal(last, ref[frames - 1])


def _multiframe(tmp_path):
    path = tmp_path / "rtdose.dcm"  # 15 frames, implicit VR little endian, 32-bit
    shutil.copyfile(test_file("rtdose.dcm"), path)
    return path


def test_native_multiframe_is_a_view_and_edits_never_reach_the_file(tmp_path):
    path = _multiframe(tmp_path)
    before = path.read_bytes()
    ds = lazydcm.dcmread(path)
    arr = ds.pixel_array
    assert arr.ndim == 3 and arr.shape[0] == int(ds.NumberOfFrames)
    assert isinstance(arr, lazydcm.pixels.lazy.PixelArray) and arr.is_view
    assert not arr.flags.owndata
    base = np.asarray(arr)
    while isinstance(base, np.ndarray) and base.base is not None:
        base = base.base
    assert type(base).__name__ in ("mmap", "memoryview"), type(base)
    arr[...] = 0
    assert int(ds.pixel_array.sum()) == 0  # cached: the user's edits are seen
    assert path.read_bytes() == before
    frame = ds.frame(1)
    assert not frame.flags.owndata
    ds.close()
    assert path.read_bytes() == before


def test_frame_bytes_of_encapsulated_data():
    path = corpus_file("pydicom-3.0.2/test_files/MR_small_RLE.dcm")
    ds = lazydcm.dcmread(path)
    data = ds.frame_bytes(0)
    assert len(data) > 64  # an RLE header and segments
    with pytest.raises(ValueError):
        lazydcm.dcmread(test_file("MR_small.dcm")).frame_bytes(0)


def test_to_image_renders_uint8():
    ds = lazydcm.dcmread(test_file("CT_small.dcm"))
    img = ds.to_image()
    assert img.dtype == np.uint8 and img.shape == (128, 128)
    assert img.min() == 0 or img.max() == 255

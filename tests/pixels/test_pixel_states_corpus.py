"""Issue #10 kind 1 on real files: every encapsulated corpus file gives the same pixels, frames,
frame bytes and image whatever the state of its Pixel Data element (the property over built
files is ``tests/property/test_pixel_states.py``)."""

from __future__ import annotations

import warnings

import numpy as np
import pydicom
import pytest
from _corpus import assert_dcmdump_clean, catalog, require_corpus

import lazydcm

SEQ_DELIMITER = b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"
ENCAPSULATED = sorted(
    row["path"]
    for row in catalog()
    if row["encapsulated"] == "y" and row["pixel_element"] == "PixelData"
)
STATES = ["value read", "same value assigned", "items + delimiter assigned", "saved and reopened"]


def _results(ds) -> tuple:
    """Everything the pixel functions give, or the type of the error they raise."""
    try:
        n = int(ds.get("NumberOfFrames", 1) or 1)
        arr = np.array(ds.pixel_array)
        chunks = [ds.frame_bytes(k) for k in range(n)]
        # frame() and iter_frames() decode again: only worth it when they differ from the array
        last = np.array(ds.frame(n - 1)) if n > 1 else arr
        iterated = [np.array(f) for f in ds.iter_frames()] if n > 1 else [arr]
        image = ds.to_image()
    except Exception as exc:  # compared by type: every state must fail the same way
        return ("error", type(exc).__name__)
    return arr, chunks, last, iterated, image


def _same(a: tuple, b: tuple) -> bool:
    if isinstance(a[0], str) or isinstance(b[0], str):
        return a == b
    arr, chunks, last, iterated, image = a
    return (
        arr.dtype == b[0].dtype
        and np.array_equal(arr, b[0])
        and chunks == b[1]
        and np.array_equal(last, b[2])
        and all(np.array_equal(x, y) for x, y in zip(iterated, b[3], strict=True))
        and np.array_equal(image, b[4])
    )


@pytest.mark.parametrize("rel", ENCAPSULATED)
def test_encapsulated_corpus_file_in_every_state(rel, tmp_path):
    path = require_corpus() / rel
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with lazydcm.dcmread(path, force=True) as ds:
            want = _results(ds)
        for state in STATES:
            ds = lazydcm.dcmread(path, force=True)
            value = ds.PixelData
            if state == "same value assigned":
                ds.PixelData = value
            elif state == "items + delimiter assigned":
                ds.PixelData = bytes(value) + SEQ_DELIMITER
            elif state == "saved and reopened":
                ds.PixelData = bytes(bytearray(value))
                out = tmp_path / "saved.dcm"
                ds.save_as(out)
                ds.close()
                ds = lazydcm.dcmread(out, force=True)
            got = _results(ds)
            assert _same(got, want), (state, got if isinstance(got[0], str) else "values differ")
            ds.close()


def test_the_issue_example_reads_after_the_value(tmp_path):
    path = require_corpus() / "pydicom-3.0.2/test_files/MR_small_RLE.dcm"
    ds = lazydcm.dcmread(path)
    untouched = np.array(lazydcm.dcmread(path).pixel_array)
    ds.PixelData  # noqa: B018 - the issue: reading the value broke pixel_array
    assert np.array_equal(ds.pixel_array, untouched)
    assert len(ds.frame_bytes(0)) > 64


def test_assigned_items_with_a_delimiter_save_with_one(tmp_path):
    path = require_corpus() / "pydicom-3.0.2/test_files/MR_small_RLE.dcm"
    ds = lazydcm.dcmread(path)
    want = np.array(ds.pixel_array)
    ds.PixelData = bytes(ds.PixelData) + SEQ_DELIMITER
    out = tmp_path / "one_delimiter.dcm"
    ds.save_as(out)
    assert_dcmdump_clean(out)  # two delimiters: "found (fffe,e0dd) instead of ..."
    assert np.array_equal(pydicom.dcmread(out).pixel_array, want)
    assert np.array_equal(lazydcm.dcmread(out).pixel_array, want)


def test_big_endian_values_assigned_as_bytes_or_array(tmp_path):
    path = require_corpus() / "pydicom-3.0.2/test_files/MR_small_bigendian.dcm"
    want = pydicom.dcmread(path).pixel_array
    ds = lazydcm.dcmread(path)
    assert np.array_equal(ds.pixel_array, want)
    ds.PixelData = want.astype(want.dtype.newbyteorder(">")).tobytes()  # the dataset's order
    assert np.array_equal(ds.pixel_array, want) and np.array_equal(ds.frame(0), want)
    ds.PixelData = np.array(want)  # an array: its values, whatever its byte order
    assert np.array_equal(ds.pixel_array, want)
    out = tmp_path / "be.dcm"
    ds.save_as(out)
    assert np.array_equal(lazydcm.dcmread(out).pixel_array, want)
    assert np.array_equal(pydicom.dcmread(out).pixel_array, want)

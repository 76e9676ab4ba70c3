"""Issue #10 kind 3: ``pixel_array`` of native data is made in O(1) and works only for the frames
used (``lazydcm.pixels.lazy.PixelArray``), with pydicom's values."""

from __future__ import annotations

import copy
import io
import os
import pickle
import sys
import warnings
from pathlib import Path

import numpy as np
import pydicom
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "property"))
from _pixel_files import EXPLICIT_BE, EXPLICIT_LE, image_file  # noqa: E402

import lazydcm  # noqa: E402
from lazydcm.pixels.lazy import PixelArray  # noqa: E402

PAGE = 4096


def _file(tmp_path, *, frames=6, rows=8, columns=8, syntax=EXPLICIT_LE, seed=0, signed=False):
    """A 16-bit file, 12 bits stored, random bytes: every frame has stray high bits."""
    rng = np.random.default_rng(seed)
    value = rng.integers(0, 256, frames * rows * columns * 2, dtype=np.uint8).tobytes()
    data = image_file(syntax=syntax, rows=rows, columns=columns, frames=frames, samples=1,
                      bits_allocated=16, bits_stored=12, signed=signed, planar=0,
                      pixel_vr="OW", pixel_value=value)  # fmt: skip
    path = tmp_path / "lazy.dcm"
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pydicom.dcmread(io.BytesIO(data)).pixel_array
    return path, ref


def test_creation_reads_nothing_and_a_frame_corrects_only_itself(tmp_path):
    path, ref = _file(tmp_path, signed=True)
    before = path.read_bytes()
    ds = lazydcm.dcmread(path)
    arr = ds.pixel_array
    assert isinstance(arr, PixelArray) and arr.is_view
    assert arr.shape == ref.shape and arr.dtype == ref.dtype and len(arr) == 6
    assert arr.ndim == 3 and arr.size == ref.size and arr.nbytes == ref.nbytes
    assert not any(arr._checked)  # no frame looked at yet
    assert np.array_equal(arr[3], ref[3])
    assert list(arr._checked) == [0, 0, 0, 1, 0, 0]
    assert np.array_equal(arr[1:5:2], ref[1:5:2])
    assert np.array_equal(arr[[5, 0], 2], ref[[5, 0], 2])
    assert list(arr._checked) == [1, 1, 0, 1, 0, 1]
    assert np.array_equal(arr[3, 2:4, -1], ref[3, 2:4, -1])
    assert np.array_equal(np.asarray(arr), ref)  # the whole array: every frame
    assert all(arr._checked)
    assert path.read_bytes() == before


def test_edits_through_any_view_are_seen_everywhere_and_never_reach_the_file(tmp_path):
    path, ref = _file(tmp_path)
    before = path.read_bytes()
    ds = lazydcm.dcmread(path)
    arr = ds.pixel_array
    frame2 = arr[2]
    frame2[0, 0] = 4095
    arr[4, 1, 1] = 7
    whole = np.asarray(arr)
    assert whole[2, 0, 0] == 4095 and whole[4, 1, 1] == 7
    arr[arr < 300] = 0  # the seed session's edit
    assert ds.frame(2)[0, 0] == 4095 and (ds.frame(1) < 300).sum() == (ds.frame(1) == 0).sum()
    expected = ref.copy()
    expected[2, 0, 0], expected[4, 1, 1] = 4095, 7
    expected[expected < 300] = 0
    assert np.array_equal(whole, expected)
    ds.close()
    assert np.array_equal(arr, expected)  # the copy-on-write mapping outlives the dataset
    assert path.read_bytes() == before


def test_converted_layouts_are_lazy_too(tmp_path):
    path, ref = _file(tmp_path, syntax=EXPLICIT_BE)
    arr = lazydcm.dcmread(path).pixel_array
    assert not arr.is_view and "big endian" in arr._reason
    assert arr._whole is None
    assert np.array_equal(arr[4], ref[4]) and arr._whole is None
    assert np.array_equal(arr[-1, 0], ref[-1, 0]) and arr._whole is None
    assert np.array_equal(arr[4:1:-2, 1:3], ref[4:1:-2, 1:3]) and arr._whole is None
    assert np.array_equal(arr[True], ref[True])  # a bool is a mask, not frame 1
    assert np.array_equal(arr, ref) and arr._whole is not None
    arr[0, 0, 0] = 1
    assert arr[0][0, 0] == 1  # once whole, indexing views it


def test_numpy_protocols(tmp_path):
    path, ref = _file(tmp_path)
    arr = lazydcm.dcmread(path).pixel_array
    assert int(arr.sum(dtype=np.uint64)) == int(ref.sum(dtype=np.uint64))
    assert np.array_equal(arr + 1, ref + 1) and np.array_equal(1 + arr, 1 + ref)
    assert np.array_equal(arr < 300, ref < 300)
    assert np.mean(arr) == np.mean(ref) and np.array_equal(np.clip(arr, 5, 9), np.clip(ref, 5, 9))
    assert np.array_equal(np.stack([arr, arr]), np.stack([ref, ref]))
    assert arr.tobytes() == ref.tobytes() and arr.max() == ref.max()
    assert np.array_equal(pickle.loads(pickle.dumps(arr)), ref)
    assert type(copy.deepcopy(arr)) is np.ndarray
    assert [f.shape for f in arr] == [ref[0].shape] * len(ref)
    fresh = lazydcm.dcmread(path).pixel_array
    assert not hasattr(fresh, "chunks") and fresh._whole is None  # not an ndarray attribute
    assert repr(arr).startswith("PixelArray(")
    arr += 1
    assert np.array_equal(np.asarray(arr), ref + 1)


def test_a_frame_of_a_big_file_reads_that_frame_s_pages(tmp_path):
    """Page cache residency (mincore) of the pixel data after creating pixel_array and reading
    one frame: nothing, then that frame's pages (the scanner's read-around at open can cover the
    first megabytes, so only the pixel data past 16 MiB is counted)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from harness import evict_file, resident_pages_in

    rows = columns = 512  # 512 KiB frames
    frames = 64  # 32 MiB of pixel data
    path = tmp_path / "big.dcm"
    value = np.full(frames * rows * columns, 0xF123, dtype="<u2").tobytes()  # stray bits
    path.write_bytes(image_file(syntax=EXPLICIT_LE, rows=rows, columns=columns, frames=frames,
                                samples=1, bits_allocated=16, bits_stored=12, signed=False,
                                planar=0, pixel_vr="OW", pixel_value=value))  # fmt: skip
    size = os.path.getsize(path)
    pixels_start = size - len(value)
    far = pixels_start + 32 * rows * columns * 2  # frame 32 onwards
    if not evict_file(path) or resident_pages_in(path, 0, size) != 0:
        pytest.skip("this file system keeps the file's pages cached (posix_fadvise DONTNEED)")
    ds = lazydcm.dcmread(path)
    arr = ds.pixel_array
    assert resident_pages_in(path, far, size) == 0
    got = arr[40]
    assert got[0, 0] == 0x123
    frame_pages = rows * columns * 2 // PAGE
    assert frame_pages <= resident_pages_in(path, far, size) <= frame_pages + 2
    ds.close()

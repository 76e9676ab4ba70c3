"""Issue #10 kind 2: for every native layout, ``frame(k)`` == ``pixel_array[k]`` == pydicom's.

Files are built byte by byte (``_pixel_files``) over the whole space of native layouts - implicit
/ explicit little endian and explicit big endian, OB or OW, Bits Allocated 1/8/16/32/64, odd
frame byte sizes, 1 or 3 samples, planar configuration 0/1, signed or unsigned, Bits Stored below
Bits Allocated - with random bytes as pixel data (so stray bits above Bits Stored are common).
pydicom 3.0.2 reads the same bytes and is the reference.
"""

from __future__ import annotations

import io
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pydicom
from _pixel_files import EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE, image_file
from hypothesis import given
from hypothesis import strategies as st

import lazydcm
from lazydcm.pixels.spec import PixelSpec

_DIR = tempfile.TemporaryDirectory(prefix="lazydcm-layouts-")


@st.composite
def native_files(draw):
    """(file bytes, layout) for a random native layout and random pixel bytes."""
    syntax = draw(st.sampled_from([IMPLICIT_LE, EXPLICIT_LE, EXPLICIT_BE]))
    bits_allocated = draw(st.sampled_from([1, 8, 16, 32, 64]))
    samples = 1 if bits_allocated == 1 else draw(st.sampled_from([1, 3]))
    layout = dict(
        syntax=syntax,
        rows=draw(st.integers(1, 4)),
        columns=draw(st.integers(1, 5)),
        frames=draw(st.integers(1, 4)),
        samples=samples,
        bits_allocated=bits_allocated,
        bits_stored=draw(st.integers(1, bits_allocated)),
        signed=draw(st.booleans()),
        planar=draw(st.integers(0, 1)) if samples == 3 else 0,
        # PS3.5 A.2/A.3: OB only for Bits Allocated <= 8 (OW always allowed)
        pixel_vr=draw(st.sampled_from(["OB", "OW"])) if bits_allocated <= 8 else "OW",
    )
    spec = PixelSpec(
        rows=layout["rows"],
        columns=layout["columns"],
        frames=layout["frames"],
        samples_per_pixel=samples,
        bits_allocated=bits_allocated,
    )
    value = draw(st.binary(min_size=spec.expected_nbytes, max_size=spec.expected_nbytes))
    return image_file(pixel_value=value, **layout), layout


def _reference(data: bytes) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pydicom.dcmread(io.BytesIO(data)).pixel_array


def _frames(arr: np.ndarray, n: int) -> list[np.ndarray]:
    return [arr] if n == 1 else [arr[k] for k in range(n)]


@given(native_files())
def test_frame_equals_pixel_array_equals_pydicom(case):
    data, layout = case
    ref = _reference(data)
    path = Path(_DIR.name) / "layout.dcm"
    path.write_bytes(data)
    n = layout["frames"]
    expected = _frames(ref, n)
    with lazydcm.dcmread(path) as ds:
        whole = np.asarray(ds.pixel_array)
        assert whole.dtype == ref.dtype.newbyteorder("=")
        assert whole.shape == ref.shape
        assert np.array_equal(whole, ref), layout
        for k in range(n):
            assert np.array_equal(ds.frame(k), expected[k]), (k, layout)
            assert np.array_equal(ds.frame(k - n), expected[k]), (k - n, layout)
        for k, got in enumerate(ds.iter_frames()):
            assert np.array_equal(got, expected[k]), (k, layout)
    for k in reversed(range(n)):  # a fresh array per frame: only that frame is touched
        with lazydcm.dcmread(path) as ds:
            got = ds.pixel_array[k] if n > 1 else ds.pixel_array[...]
            assert np.array_equal(got, expected[k]), (k, layout)


def test_issue_example_8_bit_ow_big_endian_frames(tmp_path):
    # 3 frames of 1x3 pixels 1..9, 8 bits in OW, Explicit VR Big Endian: the value is a stream
    # of big endian 16-bit words, so each pair of pixels is stored swapped (PS3.5 7.3, 8.1.1)
    # and the odd 9th pixel shares its word with the pad byte.
    stored = bytes([2, 1, 4, 3, 6, 5, 8, 7, 0, 9])
    layout = dict(syntax=EXPLICIT_BE, rows=1, columns=3, frames=3, samples=1, bits_allocated=8,
                  bits_stored=8, signed=False, planar=0, pixel_vr="OW")  # fmt: skip
    data = image_file(pixel_value=stored, **layout)
    expected = np.arange(1, 10, dtype=np.uint8).reshape(3, 1, 3)
    assert np.array_equal(_reference(data), expected)
    path = tmp_path / "be_ow8.dcm"
    path.write_bytes(data)
    ds = lazydcm.dcmread(path)
    assert [ds.frame(k).tolist() for k in range(3)] == expected.tolist()
    assert [f.tolist() for f in ds.iter_frames()] == expected.tolist()
    assert lazydcm.dcmread(path).pixel_array[1].tolist() == [[4, 5, 6]]
    assert np.array_equal(ds.pixel_array, expected)

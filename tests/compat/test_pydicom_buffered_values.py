"""pydicom 3's buffered values ("Element VRs and Python types": a binary value may be an open
file object): lazydcm streams the file into the written file in blocks, never loading it."""

from __future__ import annotations

import io
import tracemalloc

import numpy as np
import pydicom
import pytest

import lazydcm
from lazydcm.dataset import Dataset


def _image(rows: int, cols: int) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = "1.2.3"
    ds.Rows, ds.Columns = rows, cols
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.SamplesPerPixel, ds.PixelRepresentation = 1, 0
    ds.PhotometricInterpretation = "MONOCHROME2"
    return ds


def test_written_bytes_match_pydicom_from_the_current_position():
    for lib in (lazydcm, pydicom):
        buf = io.BytesIO(b"0123456789")
        buf.seek(4)
        ds = lib.Dataset()
        ds.EncapsulatedDocument = buf
        out = io.BytesIO()
        ds.save_as(out, implicit_vr=False, little_endian=True)
        assert out.getvalue().endswith(b"OB\x00\x00\x06\x00\x00\x00456789"), lib.__name__
        assert buf.tell() == 4  # position restored


def test_odd_length_is_padded_with_an_even_length_field():
    ds = Dataset()
    ds.EncapsulatedDocument = io.BytesIO(b"012")
    out = io.BytesIO()
    ds.save_as(out)
    assert out.getvalue().endswith(b"OB\x00\x00\x04\x00\x00\x00012\x00")
    assert lazydcm.dcmread(io.BytesIO(out.getvalue())).EncapsulatedDocument == b"012\x00"


def test_pixel_data_file_is_streamed_without_loading_it(tmp_path):
    rows = cols = 4096  # 32 MiB of 16-bit pixels
    pixels = np.arange(rows * cols, dtype="<u2").reshape(rows, cols)
    raw = tmp_path / "pixels.raw"
    pixels.tofile(raw)
    ds = _image(rows, cols)
    with open(raw, "rb") as f:
        ds.PixelData = f
        assert ds["PixelData"].is_buffered
        tracemalloc.start()
        ds.save_as(tmp_path / "big.dcm", enforce_file_format=True)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < 8 << 20, f"peak {peak} bytes: the value was loaded, not streamed"
    back = lazydcm.dcmread(tmp_path / "big.dcm")
    np.testing.assert_array_equal(back.pixel_array, pixels)


def test_a_file_shorter_than_measured_fails_the_write_and_keeps_the_destination(tmp_path):
    class Shrinking(io.BytesIO):
        def read(self, size=-1):
            return b""  # claims a length, yields nothing

    ds = Dataset()
    ds.EncapsulatedDocument = Shrinking(b"abcd")
    target = tmp_path / "out.dcm"
    target.write_bytes(b"old")
    with pytest.raises(OSError):
        ds.save_as(target)
    assert target.read_bytes() == b"old"


def test_text_files_and_closed_files_are_not_buffers():
    ds = Dataset()
    closed = io.BytesIO(b"ab")
    closed.close()
    with pytest.raises((TypeError, ValueError)):
        ds.EncapsulatedDocument = closed

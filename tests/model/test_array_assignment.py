"""A numpy array assigned to a binary element (OB/OW/OF/OD/OL/OV) gives its *values*, stored in
the dataset's byte order whatever the array's (issue 10, kind 8: a big endian array assigned to
a little endian file, or a native array to a big endian file, had its values byte-swapped).
Files built here from bytes."""

from __future__ import annotations

import numpy as np
import pytest
from _build import el, part10

import lazydcm

BIG = "1.2.840.10008.1.2.2"


def _image(tmp_path, syntax: str | None = None):
    body = (
        el(0x00080016, b"UI", b"1.2.840.10008.5.1.4.1.1.7\0")
        + el(0x00080018, b"UI", b"1.2.3.4\0")
        + el(0x00280002, b"US", b"\1\0")
        + el(0x00280004, b"CS", b"MONOCHROME2 ")
        + el(0x00280010, b"US", b"\2\0")
        + el(0x00280011, b"US", b"\2\0")
        + el(0x00280100, b"US", b"\x10\0")
        + el(0x00280101, b"US", b"\x10\0")
        + el(0x00280102, b"US", b"\x0f\0")
        + el(0x00280103, b"US", b"\0\0")
        + el(0x7FE00010, b"OW", bytes(range(8)))
    )
    path = tmp_path / "le.dcm"
    path.write_bytes(part10(body))
    if syntax is None:
        return path
    lazydcm.dcmread(path).save_as(tmp_path / "be.dcm", transfer_syntax=syntax)
    return tmp_path / "be.dcm"


@pytest.mark.parametrize("syntax", [None, BIG])
@pytest.mark.parametrize("dtype", ["<u2", ">u2", "=u2", "<i2", ">i2"])
def test_assigned_array_keeps_its_values(syntax, dtype, tmp_path):
    path = _image(tmp_path, syntax)
    values = np.array([[1, 2], [300, 4000]], dtype=dtype)
    ds = lazydcm.dcmread(path)
    ds.PixelData = values
    assert ds.pixel_array.tolist() == values.tolist()
    ds.save_as(tmp_path / "out.dcm")
    assert lazydcm.dcmread(tmp_path / "out.dcm").pixel_array.tolist() == values.tolist()
    ds.save_as(tmp_path / "le_out.dcm", transfer_syntax="1.2.840.10008.1.2.1")
    assert lazydcm.dcmread(tmp_path / "le_out.dcm").pixel_array.tolist() == values.tolist()


def test_pixel_array_assigned_back_to_a_big_endian_file(tmp_path):
    ds = lazydcm.dcmread(_image(tmp_path, BIG))
    before = np.asarray(ds.pixel_array).tolist()
    ds.PixelData = np.asarray(ds.pixel_array)
    assert ds.pixel_array.tolist() == before


def test_array_in_a_dataset_built_in_code_is_little_endian():
    ds = lazydcm.Dataset()
    ds.PixelData = np.arange(3, dtype=">u2")
    assert bytes(ds.PixelData) == b"\0\0\1\0\2\0"


@pytest.mark.parametrize("how", ["add_new", "element value", "DataElement"])
def test_every_way_of_assigning_an_array_keeps_its_values(how, tmp_path):
    ds = lazydcm.dcmread(_image(tmp_path))
    values = np.array([[1, 2], [300, 4000]], dtype=">u2")
    if how == "add_new":
        ds.add_new(0x7FE00010, "OW", values)
    elif how == "element value":
        ds[0x7FE00010].value = values
    else:
        ds[0x7FE00010] = lazydcm.DataElement(0x7FE00010, "OW", values)
    assert ds.pixel_array.tolist() == values.tolist()
    ds.save_as(tmp_path / "out.dcm")
    assert lazydcm.dcmread(tmp_path / "out.dcm").pixel_array.tolist() == values.tolist()

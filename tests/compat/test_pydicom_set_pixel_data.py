"""pydicom 3's ``Dataset.set_pixel_data`` / ``pixels.set_pixel_data`` (the Pixel Data
tutorial, part 2 "Creation of pixel data") through lazydcm: the same Image Pixel attributes
as pydicom sets for the same array, and a written file whose pixels pydicom reads back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset as PDataset

import lazydcm
from lazydcm.dataset import Dataset
from lazydcm.pixels import set_pixel_data

DATA = Path(__file__).resolve().parents[2] / "data"
KEYWORDS = (
    "SamplesPerPixel",
    "PhotometricInterpretation",
    "PlanarConfiguration",
    "NumberOfFrames",
    "Rows",
    "Columns",
    "BitsAllocated",
    "BitsStored",
    "HighBit",
    "PixelRepresentation",
)


def _base(cls):
    ds = cls()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = "1.2.3"
    return ds


def _circle(shape, dtype, value):
    rows, columns = shape
    y, x = np.ogrid[:rows, :columns]
    inside = (x - columns // 2) ** 2 + (y - rows // 2) ** 2 <= (min(shape) // 2) ** 2
    return inside.astype(dtype) * value


CASES = {
    "gray_u8": (_circle((33, 17), "uint8", 255), "MONOCHROME2", 8),
    "gray_i16_12bit": (_circle((32, 32), "int16", -2048), "MONOCHROME2", 12),
    "rgb_frames_u8": (
        np.stack([np.dstack([_circle((16, 24), "uint8", v)] * 3) for v in (50, 100, 150)]),
        "RGB",
        8,
    ),
    "gray_u16_mono1": (_circle((8, 8), "uint16", 40000), "MONOCHROME1", 16),
    "frames_u16": (np.arange(2 * 4 * 6, dtype="uint16").reshape(2, 4, 6), "MONOCHROME2", 6),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_attributes_as_pydicom_and_readable_by_it(case, tmp_path):
    arr, photometric, bits = CASES[case]
    ours, theirs = _base(Dataset), _base(PDataset)
    ours.set_pixel_data(arr, photometric, bits)
    theirs.set_pixel_data(arr, photometric, bits)
    for keyword in KEYWORDS:
        assert (keyword in ours) == (keyword in theirs), keyword
        if keyword in ours:
            assert ours[keyword].value == theirs[keyword].value, keyword
    assert ours.file_meta.TransferSyntaxUID == theirs.file_meta.TransferSyntaxUID
    assert ours.SOPInstanceUID != "1.2.3" and ours.SOPInstanceUID.is_valid
    assert ours.PixelData == theirs.PixelData
    assert np.array_equal(ours.pixel_array, arr)
    ours.save_as(tmp_path / "out.dcm", enforce_file_format=True)
    assert np.array_equal(pydicom.dcmread(tmp_path / "out.dcm").pixel_array, arr)


def test_replacing_a_read_images_pixels():
    ds = lazydcm.dcmread(DATA / "multiframe.dcm")
    old_uid = ds.SOPInstanceUID
    small = ds.pixel_array[0, :10, :12].copy()
    set_pixel_data(ds, small, "MONOCHROME2", 8, generate_instance_uid=False)
    assert "NumberOfFrames" not in ds and (ds.Rows, ds.Columns) == (10, 12)
    assert ds.SOPInstanceUID == old_uid and np.array_equal(ds.pixel_array, small)


@pytest.mark.parametrize(
    ("arr", "photometric", "bits", "message"),
    [
        (np.zeros((4, 4), "uint8"), "YBR_ICT", 8, "Photometric"),
        (np.zeros((4, 4), "float32"), "MONOCHROME2", 8, "dtype"),
        (np.zeros((4, 4), "uint32"), "MONOCHROME2", 8, "dtype"),
        (np.zeros((4, 4), "uint8"), "RGB", 8, "shape"),
        (np.zeros((4, 4, 4, 4, 4), "uint8"), "MONOCHROME2", 8, "shape"),
        (np.zeros((4, 4), "uint8"), "MONOCHROME2", 9, "bits_stored"),
        (np.full((4, 4), 16, "uint8"), "MONOCHROME2", 4, "do not fit"),
        (np.full((4, 4), -9, "int8"), "MONOCHROME2", 4, "do not fit"),
    ],
)
def test_refusals(arr, photometric, bits, message):
    ds = _base(Dataset)
    with pytest.raises(ValueError, match=message):
        ds.set_pixel_data(arr, photometric, bits)
    with pytest.raises(ValueError):
        _base(PDataset).set_pixel_data(arr, photometric, bits)
    assert "PixelData" not in ds


def test_big_endian_dataset_is_refused():
    ds = lazydcm.dcmread(DATA / "mr_big_endian.dcm")
    with pytest.raises(ValueError, match="big endian"):
        ds.set_pixel_data(np.zeros((4, 4), "uint16"), "MONOCHROME2", 12)

"""YBR_FULL_422 with an odd number of columns (issue 10, kinds 1 and 8): the even-columns rule
belongs to the *native* 4:2:2 encoding (PS3.3 C.7.6.3.1.2) only. A JPEG Baseline file lazydcm
writes from an RGB image of odd width (YBR_FULL_422) is read back by lazydcm in every pixel
function, equal to pydicom's decode; native YBR_FULL_422 of odd width is still refused."""

from __future__ import annotations

import warnings

import numpy as np
import pydicom
import pytest
from _build import el, part10

import lazydcm
from lazydcm.errors import InvalidDicomError
from lazydcm.model.filemeta import FileMetaDataset

JPEG_BASELINE = "1.2.840.10008.1.2.4.50"


def _rgb(path, rows: int, columns: int, frames: int = 3) -> None:
    ds = lazydcm.Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.3.4"
    ds.SOPClassUID, ds.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.7", "1.2.3.4"
    ds.Rows, ds.Columns, ds.NumberOfFrames = rows, columns, frames
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "RGB", 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 0
    ramp = np.arange(frames * rows * columns * 3) * 7 % 251
    ds.PixelData = ramp.astype(np.uint8).tobytes()
    ds.save_as(path)


@pytest.mark.parametrize(("rows", "columns"), [(5, 7), (1, 1), (4, 9)])
def test_jpeg_ybr_422_of_odd_width_is_read_back(rows, columns, tmp_path):
    _rgb(tmp_path / "rgb.dcm", rows, columns)
    try:
        lazydcm.dcmread(tmp_path / "rgb.dcm").save_as(
            tmp_path / "jpeg.dcm", transfer_syntax=JPEG_BASELINE
        )
    except (ImportError, RuntimeError, NotImplementedError) as exc:  # no JPEG encoder here
        pytest.skip(f"no JPEG Baseline encoder: {exc}")
    ds = lazydcm.dcmread(tmp_path / "jpeg.dcm")
    assert ds.PhotometricInterpretation == "YBR_FULL_422"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pydicom.dcmread(tmp_path / "jpeg.dcm").pixel_array
    assert np.array_equal(np.asarray(ds.pixel_array), ref)
    for k in range(3):
        assert np.array_equal(ds.frame(k), ref[k])
    assert all(np.array_equal(f, ref[k]) for k, f in enumerate(ds.iter_frames()))
    assert all(len(ds.frame_bytes(k)) > 0 for k in range(3))
    ds.PixelData = ds.PixelData  # assigned: the same result
    assert np.array_equal(np.asarray(ds.pixel_array), ref)


def test_native_ybr_422_of_odd_width_is_refused(tmp_path):
    body = (
        el(0x00280002, b"US", b"\3\0")
        + el(0x00280004, b"CS", b"YBR_FULL_422")
        + el(0x00280006, b"US", b"\0\0")
        + el(0x00280010, b"US", b"\1\0")
        + el(0x00280011, b"US", b"\3\0")
        + el(0x00280100, b"US", b"\x08\0")
        + el(0x00280101, b"US", b"\x08\0")
        + el(0x00280102, b"US", b"\x07\0")
        + el(0x00280103, b"US", b"\0\0")
        + el(0x7FE00010, b"OB", bytes(6))
    )
    (tmp_path / "y.dcm").write_bytes(part10(body))
    ds = lazydcm.dcmread(tmp_path / "y.dcm")
    with pytest.raises(InvalidDicomError, match="native YBR_FULL_422 needs an even number"):
        np.asarray(ds.pixel_array)
    with pytest.raises(InvalidDicomError, match="native YBR_FULL_422 needs an even number"):
        ds.frame(0)

"""Pixel data of every corpus file pydicom decodes: lazydcm's pure functions vs pydicom.

For each file the raw pixel element bytes are taken from pydicom (the reference reader), decoded
with lazydcm's spec / native / encaps / codecs functions, and compared to ``ds.pixel_array``:
same shape, same dtype (in native byte order), same values.
"""

from __future__ import annotations

import gzip
import io
import sys
import warnings

import numpy as np
import pydicom
import pytest
from _corpus import catalog, corpus_file
from _pixel_ref import NATIVE, lazydcm_array, raw_value, reference_array, spec_of, transfer_syntax

from lazydcm.errors import InvalidDicomError
from lazydcm.pixels.codecs import available_plugins
from lazydcm.pixels.native import can_view, native_array, needs_bit_correction
from lazydcm.pixels.spec import PixelSpec


def decodable() -> list[str]:
    paths = [row["path"] for row in catalog() if row["pixel_array_decodes"] == "y"]
    return paths or ["<corpus missing>"]


def read(relative: str) -> pydicom.Dataset:
    path = corpus_file(relative)
    if path.suffix == ".gz":
        return pydicom.dcmread(io.BytesIO(gzip.decompress(path.read_bytes())))
    return pydicom.dcmread(path)


@pytest.mark.parametrize("relative", decodable())
def test_matches_pydicom_pixel_array(relative):
    ds = read(relative)
    expected = reference_array(ds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # JFIF / padding notes
        arr = lazydcm_array(ds)
    assert arr.shape == expected.shape
    assert arr.dtype == expected.dtype
    assert np.array_equal(arr, expected)
    spec = spec_of(ds)
    if spec.frames > 1:
        for k in (0, spec.frames - 1):
            assert np.array_equal(lazydcm_array(ds, frame=k), expected[k])
    if transfer_syntax(ds) in NATIVE and can_view(spec)[0]:
        raw = raw_value(ds)
        clean = not needs_bit_correction(spec) or np.array_equal(
            native_array(raw, spec, correct_bits=False), arr
        )
        colour = spec.photometric in ("YBR_FULL", "YBR_FULL_422")
        assert np.shares_memory(arr, np.frombuffer(raw, np.uint8)) == (clean and not colour)


RLE_FILES = [
    "cornerstone3D/CTImage.dcm_RLELosslessTransferSyntax_1.2.840.10008.1.2.5.dcm",
    "cornerstone3D/no-pixel-spacing.dcm",
    "dcm4che/YBR_FULL-RLE.dcm",
    "pydicom-3.0.2/test_files/MR_small_RLE.dcm",
    "pydicom-3.0.2/test_files/rtdose_rle.dcm",
]


@pytest.mark.parametrize("relative", RLE_FILES)
def test_rle_without_any_plugin(relative, monkeypatch):
    ds = read(relative)
    expected = reference_array(ds)
    for name in ("pylibjpeg", "rle", "libjpeg", "openjpeg", "imagecodecs", "PIL", "PIL.Image"):
        monkeypatch.setitem(sys.modules, name, None)
    assert np.array_equal(lazydcm_array(ds), expected)


PLUGIN_FILES = [
    ("cornerstone3D/CTImage.dcm_JPEG2000LosslessOnlyTransferSyntax_1.2.840.10008.1.2.4.90.dcm", 0),
    ("cornerstone3D/CTImage.dcm_JPEGLSLosslessTransferSyntax_1.2.840.10008.1.2.4.80.dcm", 0),
    ("cornerstone3D/CTImage.dcm_JPEGProcess14SV1TransferSyntax_1.2.840.10008.1.2.4.70.dcm", 0),
    ("cornerstone3D/CTImage.dcm_JPEGProcess14TransferSyntax_1.2.840.10008.1.2.4.57.dcm", 0),
    ("cornerstone3D/CTImage.dcm_JPEGProcess1TransferSyntax_1.2.840.10008.1.2.4.50.dcm", 1),
    ("pydicom-data-git/HTJ2KLossless_08_RGB.dcm", 0),
    ("pydicom-3.0.2/test_files/GDCMJ2K_TextGBR.dcm", 0),
    ("pylibjpeg-data/JPEG2000/ELSCINT1_JP2vsJ2K.dcm", 0),
]


@pytest.mark.parametrize(("relative", "tolerance"), PLUGIN_FILES)
def test_every_plugin_matches_or_declines(relative, tolerance):
    """Each installed plugin gives pydicom's array (lossy JPEG: within one) or fails cleanly."""
    ds = read(relative)
    expected = reference_array(ds).astype(int)
    decoded = 0
    for plugin in available_plugins(transfer_syntax(ds)):
        try:
            arr = lazydcm_array(ds, plugin=plugin)
        except InvalidDicomError:
            assert plugin == "pillow"  # Pillow lacks lossless JPEG and deep JPEG 2000
            continue
        assert arr.dtype == reference_array(ds).dtype, plugin
        assert np.abs(arr.astype(int) - expected).max() <= tolerance, plugin
        decoded += 1
    assert decoded >= 2


def test_deflated_image_frames_match_the_uncompressed_first_frame():
    # liver_deflate.dcm (pydicom 3.0.2 cannot decode it) holds liver.dcm's 3 segmentation
    # frames; the first is liver_1frame.dcm.
    arr = lazydcm_array(read("pydicom-data-git/liver_deflate.dcm"))
    first = reference_array(read("pydicom-3.0.2/test_files/liver_1frame.dcm"))
    assert arr.shape == (3, 512, 512) and arr.dtype == np.uint8
    assert np.array_equal(arr[0], first)
    assert not np.array_equal(arr[1], first) and set(np.unique(arr)) <= {0, 1}


def test_jpeg_xl_multiframe():
    ds = read("dcm4che/will-jxl.dcm")  # JPEG XL JPEG Recompression, 27 YBR_FULL_422 frames
    arr = lazydcm_array(ds)
    assert arr.shape == (27, 708, 1016, 3) and arr.dtype == np.uint8
    assert np.array_equal(lazydcm_array(ds, frame=13), arr[13])
    assert arr.std() > 1 and not np.array_equal(arr[0], arr[26])


@pytest.mark.parametrize(
    "relative",
    [
        "cornerstone3D/CTImage.dcm_JPEGProcess6_8TransferSyntax_1.2.840.10008.1.2.4.53.dcm",
        "cornerstone3D/CTImage.dcm_JPEGProcess10_12TransferSyntax_1.2.840.10008.1.2.4.55.dcm",
    ],
)
def test_retired_jpeg_processes(relative):
    # pydicom 3.0.2 has no decoder for these; the same CT as 12-bit JPEG Extended (.51) is the
    # reference, and the two plugins may differ by IDCT rounding only.
    ds = read(relative)
    extended = reference_array(
        read("cornerstone3D/CTImage.dcm_JPEGProcess2_4TransferSyntax_1.2.840.10008.1.2.4.51.dcm")
    )
    libjpeg = lazydcm_array(ds, plugin="pylibjpeg-libjpeg")
    turbo = lazydcm_array(ds, plugin="imagecodecs")
    assert libjpeg.shape == extended.shape and libjpeg.dtype == extended.dtype
    assert np.abs(libjpeg.astype(int) - extended).max() <= 1
    assert np.abs(libjpeg.astype(int) - turbo).max() <= 1


def test_short_native_pixel_data():
    ds = read("pydicom-3.0.2/test_files/MR_truncated.dcm")
    with pytest.raises(InvalidDicomError, match="8130 bytes") as info:
        lazydcm_array(ds)
    assert info.value.tag == 0x7FE00010


def test_bad_number_of_frames():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom's own complaint about the IS value
        ds = read("pydicom-3.0.2/test_files/badVR.dcm")  # Number of Frames '1A'
        with pytest.raises(InvalidDicomError, match="1A") as info:
            spec_of(ds)
    assert info.value.tag == 0x00280008


def test_multivalued_rows():
    ds = read("dcm4che/3gb-bulk-data-truncated")
    with pytest.raises(InvalidDicomError, match="2 values") as info:
        spec_of(ds)
    assert info.value.tag == 0x00280010


def test_padded_native_data_warns():
    ds = read("pydicom-3.0.2/test_files/MR_small_padded.dcm")  # 128 bytes of excess
    with pytest.warns(UserWarning, match="128 more"):
        arr = native_array(raw_value(ds), spec_of(ds))
    assert np.array_equal(arr, reference_array(ds))


def test_spec_from_corpus_dataset_values():
    spec = spec_of(read("pydicom-data-git/liver_nonbyte_aligned.dcm"))
    assert spec == PixelSpec(
        rows=510,
        columns=510,
        frames=3,
        bits_allocated=1,
        bits_stored=1,
        high_bit=0,
        photometric="MONOCHROME2",
        pixel_vr=spec.pixel_vr,
    )

"""pixels/lut.py: modality, VOI, presentation and palette LUTs, colour conversion."""

from __future__ import annotations

import math
import struct
import time
import warnings

import numpy as np
import pydicom
import pytest
from _corpus import corpus_file
from hypothesis import given
from hypothesis import strategies as st
from pydicom.dataset import Dataset
from pydicom.pixels import processing as ref

from lazydcm.errors import InvalidDicomError
from lazydcm.pixels.lut import (
    apply_modality_lut,
    apply_palette,
    apply_presentation,
    apply_voi_lut,
    apply_windowing,
    convert_color_space,
    expand_segmented_lut,
    voi_output_range,
)

RNG = np.random.default_rng(11)


def read(relative: str) -> Dataset:
    return pydicom.dcmread(corpus_file(relative))


def small_dataset(**attributes) -> Dataset:
    ds = Dataset()
    ds.file_meta = pydicom.dataset.FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsStored = 12
    ds.PixelRepresentation = 0
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    return ds


# -- windowing: the standard's pseudo-code, one value at a time --------------------------------


def window_reference(x: float, c: float, w: float, function: str, lo: float, hi: float) -> float:
    if function == "LINEAR":  # PS3.3 C.11.2.1.2.1
        if x <= c - 0.5 - (w - 1) / 2:
            return lo
        if x > c - 0.5 + (w - 1) / 2:
            return hi
        return ((x - (c - 0.5)) / (w - 1) + 0.5) * (hi - lo) + lo
    if function == "LINEAR_EXACT":  # PS3.3 C.11.2.1.3.2
        if x <= c - w / 2:
            return lo
        if x > c + w / 2:
            return hi
        return ((x - c) / w + 0.5) * (hi - lo) + lo
    exponent = -4 * (x - c) / w  # SIGMOID, C.11.2.1.3.1
    return lo if exponent > 700 else (hi - lo) / (1 + math.exp(exponent)) + lo


@given(
    center=st.floats(-2000, 2000),
    width=st.floats(1, 4000),
    function=st.sampled_from(["LINEAR", "LINEAR_EXACT", "SIGMOID"]),
)
def test_windowing_follows_the_standard(center, width, function):
    x = np.array([-3000, -1024, center - width, center - 0.5, center, center + width / 3, 4095.0])
    out = apply_windowing(x, center, width, function=function, out_range=(0, 255))
    expected = [window_reference(v, center, width, function, 0, 255) for v in x]
    if function == "LINEAR" and width == 1:
        expected = [0.0 if v <= center - 0.5 else 255.0 for v in x]
    assert np.allclose(out, expected, rtol=0, atol=1e-9)


def test_windowing_width_rules():
    x = np.array([-1.0, 0.1, 0.2, 0.3, 0.5])
    with pytest.warns(UserWarning, match="below 1"):
        narrow = apply_windowing(x, 0.2, 0.5, function="LINEAR")
    assert np.array_equal(narrow, apply_windowing(x, 0.2, 0.5, function="LINEAR_EXACT"))
    with pytest.raises(InvalidDicomError, match=">= 1") as info:
        apply_windowing(np.zeros(2), 0, 0, function="LINEAR")
    assert info.value.tag == 0x00281051
    with pytest.raises(InvalidDicomError, match="> 0"):
        apply_windowing(np.zeros(2), 0, 0, function="LINEAR_EXACT")
    with pytest.raises(InvalidDicomError, match="> 0"):
        apply_windowing(np.zeros(2), 0, -1, function="SIGMOID")
    with pytest.raises(InvalidDicomError, match="VOI LUT Function") as info:
        apply_windowing(np.zeros(2), 0, 10, function="CUBIC")
    assert info.value.tag == 0x00281056


# -- parity with pydicom on real and hand-made datasets ----------------------------------------


@pytest.mark.parametrize(
    ("path", "index"),
    [
        ("pydicom-3.0.2/test_files/MR_small.dcm", 0),
        ("pydicom-3.0.2/test_files/CT_small.dcm", 0),
        ("pydicom-3.0.2/test_files/examples_overlay.dcm", 0),
        ("pydicom-3.0.2/test_files/examples_overlay.dcm", 1),
        ("cornerstone3D/CTImage.dcm", 0),
        ("pylibjpeg-data/JPEG2000/ELSCINT1_JP2vsJ2K.dcm", 0),
    ],
)
def test_modality_and_voi_match_pydicom_on_corpus(path, index):
    ds = read(path)
    arr = ds.pixel_array
    ours = apply_modality_lut(arr, ds)
    theirs = ref.apply_modality_lut(arr, ds)
    assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)
    assert np.array_equal(apply_voi_lut(ours, ds, index), ref.apply_voi_lut(theirs, ds, index))


def test_float_window_narrower_than_one():
    # a dose map: rescaled values 0..0.37, Window Width 0.2147 (pydicom refuses it)
    ds = read("fo-dicom/RI6XDosiGap.dcm")
    values = apply_modality_lut(ds.pixel_array, ds)
    with pytest.warns(UserWarning, match="LINEAR_EXACT"):
        out = apply_voi_lut(values, ds, out_range=(0, 255))
    center, width = float(ds.WindowCenter), float(ds.WindowWidth)
    inside = np.abs(values - center) < width / 2
    assert inside.any() and (out[values <= center - width / 2] == 0).all()
    assert np.allclose(out[inside], ((values[inside] - center) / width + 0.5) * 255)


@pytest.mark.parametrize("function", ["LINEAR", "LINEAR_EXACT", "SIGMOID"])
@pytest.mark.parametrize("signed", [0, 1])
def test_voi_functions_match_pydicom(function, signed):
    arr = RNG.integers(-2048 if signed else 0, 2048 if signed else 4096, (16, 16))
    ds = small_dataset(
        WindowCenter=[300, 40.5],
        WindowWidth=[1000, 80],
        VOILUTFunction=function,
        PixelRepresentation=signed,
        RescaleSlope=2,
        RescaleIntercept=-1024,
    )
    rescaled = apply_modality_lut(arr, ds)
    for index in (0, 1):
        assert np.allclose(
            apply_voi_lut(rescaled, ds, index),
            ref.apply_voi_lut(ref.apply_modality_lut(arr, ds), ds, index),
            rtol=0,
            atol=1e-9,
        )


def lut_item(descriptor, data) -> Dataset:
    item = Dataset()
    item.LUTDescriptor = descriptor
    item.LUTData = data
    return item


@pytest.mark.parametrize("as_bytes", [False, True])
def test_voi_lut_sequence_matches_pydicom(as_bytes):
    table = [int(v) for v in np.linspace(0, 65535, 256)]
    data = struct.pack("<256H", *table) if as_bytes else table
    ds = small_dataset(
        VOILUTSequence=[lut_item([256, 100, 16], data)], WindowCenter=5, WindowWidth=9
    )
    if as_bytes:
        ds.VOILUTSequence[0]["LUTData"].VR = "OW"
    arr = RNG.integers(0, 500, (8, 8))
    ours = apply_voi_lut(arr, ds)
    assert ours.dtype == np.uint16 and np.array_equal(ours, ref.apply_voi_lut(arr, ds))
    # below the first mapped value -> first entry, past the end -> last entry
    assert apply_voi_lut(np.array([0, 99, 100, 355, 356, 9999]), ds).tolist() == [
        0,
        0,
        0,
        65535,
        65535,
        65535,
    ]
    windowed = apply_voi_lut(arr, ds, prefer_lut=False)
    assert np.array_equal(windowed, ref.apply_voi_lut(arr, ds, prefer_lut=False))
    scaled = apply_voi_lut(arr, ds, out_range=(0, 255))
    assert np.allclose(scaled, ours / 65535 * 255)


def test_modality_lut_sequence_matches_pydicom():
    table = [int(v) for v in (np.arange(4096) * 7)]
    ds = small_dataset(ModalityLUTSequence=[lut_item([4096, 0, 16], table)])
    arr = RNG.integers(0, 5000, (16, 16))
    ours = apply_modality_lut(arr, ds)
    assert ours.dtype == np.uint16 and np.array_equal(ours, ref.apply_modality_lut(arr, ds))
    assert voi_output_range(ds) == (0.0, 65535.0)


def test_lut_descriptor_zero_entries_means_65536():
    ds = small_dataset(ModalityLUTSequence=[lut_item([0, 0, 16], list(range(65536)))])
    assert apply_modality_lut(np.array([0, 65535, 70000]), ds).tolist() == [0, 65535, 65535]


def test_signed_first_mapped_value():
    # a US-decoded first mapped value of 65535 means -1 when Pixel Representation is 1
    ds = small_dataset(
        PixelRepresentation=1, ModalityLUTSequence=[lut_item([4, 65535, 16], [10, 20, 30, 40])]
    )
    assert apply_modality_lut(np.array([-5, -1, 0, 1, 2, 9]), ds).tolist() == [
        10,
        10,
        20,
        30,
        40,
        40,
    ]


def test_no_lut_returns_the_input():
    arr = np.arange(4)
    assert apply_modality_lut(arr, {}) is arr
    assert apply_voi_lut(arr, {}) is arr
    assert apply_presentation(arr, {}) is arr


def test_dict_datasets_and_string_values():
    ds = {"WindowCenter": "40\\400", "WindowWidth": ["400", "2000"], "BitsStored": 8}
    out = apply_voi_lut(np.array([-200, 40, 240]), ds)
    assert out.tolist()[0] == 0 and out.tolist()[-1] == 255
    assert apply_voi_lut(np.array([40]), ds, 1).tolist() == pytest.approx(
        [((40 - 399.5) / 1999 + 0.5) * 255]
    )
    with pytest.raises(InvalidDicomError, match="not a number") as info:
        apply_voi_lut(np.array([1]), {"WindowCenter": "abc", "WindowWidth": 10})
    assert info.value.tag == 0x00281050
    with pytest.raises(IndexError):
        apply_voi_lut(np.array([1]), ds, 2)


def test_bad_lut_descriptor():
    ds = small_dataset(ModalityLUTSequence=[lut_item([4, 0], [1, 2, 3, 4])])
    with pytest.raises(InvalidDicomError, match="3") as info:
        apply_modality_lut(np.zeros(2), ds)
    assert info.value.tag == 0x00283002
    ds = small_dataset(ModalityLUTSequence=[lut_item([8, 0, 16], [1, 2, 3])])
    with pytest.raises(InvalidDicomError, match="3 entries") as info:
        apply_modality_lut(np.zeros(2), ds)
    assert info.value.tag == 0x00283006


# -- presentation ------------------------------------------------------------------------------


def test_presentation_inverse_and_monochrome1():
    arr = np.array([0, 10, 255], dtype=np.uint8)
    inverted = [255, 245, 0]
    assert apply_presentation(arr, {"PresentationLUTShape": "INVERSE"}).tolist() == inverted
    assert (
        apply_presentation(arr, {"PhotometricInterpretation": "MONOCHROME1"}).tolist() == inverted
    )
    assert apply_presentation(
        arr, {"PhotometricInterpretation": "MONOCHROME1", "PresentationLUTShape": "IDENTITY"}
    ).tolist() == [0, 10, 255]
    shifted = apply_presentation(np.array([10.0, 20.0]), {"PresentationLUTShape": "INVERSE"})
    assert shifted.tolist() == [20.0, 10.0]  # min and max swap
    ranged = apply_presentation(
        np.array([10, 20]), {"PresentationLUTShape": "INVERSE"}, in_range=(0, 255)
    )
    assert ranged.tolist() == [245, 235]
    with pytest.raises(InvalidDicomError, match="LOG") as info:
        apply_presentation(arr, {"PresentationLUTShape": "LOG"})
    assert info.value.tag == 0x20500020


def test_presentation_lut_sequence():
    ds = {"PresentationLUTSequence": [{"LUTDescriptor": [4, 0, 8], "LUTData": [0, 50, 200, 255]}]}
    out = apply_presentation(np.array([0.0, 85.0, 170.0, 255.0]), ds, in_range=(0, 255))
    assert out.tolist() == [0, 50, 200, 255]


# -- palettes ----------------------------------------------------------------------------------


def test_palette_matches_pydicom_on_corpus():
    ds = read("cornerstone3D/no-pixel-spacing.dcm")
    arr = ds.pixel_array
    ours = apply_palette(arr, ds)
    theirs = ref.apply_color_lut(arr, ds)
    assert ours.shape == arr.shape + (3,) and ours.dtype == theirs.dtype
    assert np.array_equal(ours, theirs)


def test_segmented_palette_matches_pydicom():
    palette = read("pydicom-3.0.2/palettes/fall.dcm")
    arr = np.arange(256, dtype=np.uint8).reshape(16, 16)
    ours = apply_palette(arr, palette)
    assert ours.dtype == np.uint8
    assert np.array_equal(ours, ref.apply_color_lut(arr, palette))


def test_segmented_lut_segments():
    # discrete 3 values, linear to 12 over 4 entries, indirect copy of the first (discrete)
    # segment: byte offset 0 as low word 0, high word 0 (PS3.3 C.7.9.2.3)
    words = [0, 3, 1, 2, 3, 1, 4, 11, 2, 1, 0, 0]
    lut = expand_segmented_lut(struct.pack("<12H", *words), 10)
    assert lut.tolist() == [1, 2, 3, 5, 7, 9, 11, 1, 2, 3]
    # byte offset 6 (word 3) points at the linear segment, which re-runs from the last value
    assert expand_segmented_lut([0, 1, 0, 1, 2, 8, 2, 1, 6, 0], 5).tolist() == [0, 4, 8, 8, 8]
    with pytest.raises(InvalidDicomError, match="first"):
        expand_segmented_lut([1, 2, 5], 2)  # a linear segment cannot come first
    with pytest.raises(InvalidDicomError, match="expands to 3"):
        expand_segmented_lut([0, 3, 1, 2, 3], 4)
    with pytest.raises(InvalidDicomError, match="opcode 7"):
        expand_segmented_lut([7, 1, 1], 1)
    with pytest.raises(InvalidDicomError, match="indirect"):
        expand_segmented_lut([0, 1, 5, 2, 1, 6, 0], 3)  # an indirect segment copying itself
    assert expand_segmented_lut([0, 2, 1, 2, 0, 3, 3, 4, 5], 5).tolist() == [1, 2, 3, 4, 5]


def test_palette_from_dict_with_8bit_packed_bytes_and_alpha():
    ds = {
        "RedPaletteColorLookupTableDescriptor": [4, 10, 8],
        "GreenPaletteColorLookupTableDescriptor": [4, 10, 8],
        "BluePaletteColorLookupTableDescriptor": [4, 10, 8],
        "AlphaPaletteColorLookupTableDescriptor": [4, 10, 8],
        "RedPaletteColorLookupTableData": bytes([1, 2, 3, 4]),
        "GreenPaletteColorLookupTableData": bytes([5, 6, 7, 8]),
        "BluePaletteColorLookupTableData": bytes([9, 10, 11, 12]),
        "AlphaPaletteColorLookupTableData": bytes([255, 255, 0, 0]),
    }
    out = apply_palette(np.array([0, 10, 13, 99]), ds)
    assert out.dtype == np.uint8
    assert out.tolist() == [[1, 5, 9, 255], [1, 5, 9, 255], [4, 8, 12, 0], [4, 8, 12, 0]]
    del ds["GreenPaletteColorLookupTableData"]
    with pytest.raises(InvalidDicomError, match="Green") as info:
        apply_palette(np.array([0]), ds)
    assert info.value.tag == 0x00281202


# -- colour spaces -----------------------------------------------------------------------------


def test_convert_color_space_matches_pydicom():
    arr = RNG.integers(0, 256, (64, 64, 3)).astype(np.uint8)
    for current, desired in (("YBR_FULL", "RGB"), ("RGB", "YBR_FULL"), ("YBR_FULL_422", "RGB")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = ref.convert_color_space(arr, current, desired)
        assert np.array_equal(convert_color_space(arr, current, desired), theirs)


def test_convert_color_space_known_values_and_identity():
    ybr = np.array([[76, 85, 255], [128, 128, 128], [255, 128, 128]], dtype=np.uint8)
    assert convert_color_space(ybr, "YBR_FULL", "RGB").tolist() == [
        [254, 0, 0],
        [128, 128, 128],
        [255, 255, 255],
    ]
    assert convert_color_space(ybr, "YBR_FULL_422", "YBR_FULL") is ybr
    with pytest.raises(ValueError, match="cannot convert"):
        convert_color_space(ybr, "YBR_ICT", "RGB")
    with pytest.raises(ValueError, match="3 samples"):
        convert_color_space(np.zeros((2, 2), np.uint8), "RGB", "YBR_FULL")


def test_segmented_palette_errors_name_the_element():
    ds = {f"{c}PaletteColorLookupTableDescriptor": [4, 0, 16] for c in ("Red", "Green", "Blue")}
    ds |= {
        f"Segmented{c}PaletteColorLookupTableData": [0, 4, 1, 2, 3, 4]
        for c in ("Red", "Green", "Blue")
    }
    assert apply_palette(np.array([3]), ds).tolist() == [[4, 4, 4]]
    ds["SegmentedBluePaletteColorLookupTableData"] = [9, 4]
    with pytest.raises(InvalidDicomError, match="opcode 9") as info:
        apply_palette(np.array([3]), ds)
    assert info.value.tag == 0x00281223


def test_segmented_indirect_loops_are_bounded():
    # 1000 entries, then 100,000 indirect copies of them (10^8 entries if expanded in full):
    # expansion stops at the descriptor's entry count
    words = np.array([0, 1000, *[5] * 1000] + [2, 1, 0, 0] * 100_000, dtype="<u2")
    start = time.perf_counter()
    assert expand_segmented_lut(words.tobytes(), 65536).tolist() == [5] * 65536
    assert time.perf_counter() - start < 2

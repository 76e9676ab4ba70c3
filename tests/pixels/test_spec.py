"""pixels/spec.py: PixelSpec from dataset values, sizes, dtypes and shapes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lazydcm.errors import InvalidDicomError
from lazydcm.pixels.spec import PixelSpec

BASE = {
    "Rows": 4,
    "Columns": 6,
    "SamplesPerPixel": 1,
    "BitsAllocated": 16,
    "BitsStored": 12,
    "HighBit": 11,
    "PixelRepresentation": 1,
    "PhotometricInterpretation": "MONOCHROME2",
}


class IntLike:
    """Stands in for an IS value object: int() works, it is not an int."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __int__(self) -> int:
        return self.value

    def __float__(self) -> float:
        return float(self.value)


def spec_from(**changes):
    values = {**BASE, **changes}
    return PixelSpec.from_dataset({k: v for k, v in values.items() if v is not ...})


def test_from_dataset_reads_the_module():
    spec = spec_from()
    assert (spec.rows, spec.columns, spec.frames, spec.samples_per_pixel) == (4, 6, 1, 1)
    assert (spec.bits_allocated, spec.bits_stored, spec.high_bit) == (16, 12, 11)
    assert spec.pixel_representation == 1 and spec.photometric == "MONOCHROME2"
    assert spec.dtype == np.dtype("<i2") and spec.shape == (4, 6)


@pytest.mark.parametrize(
    ("value", "frames"),
    [
        (None, 1),
        ("", 1),
        ("  ", 1),
        (0, 1),
        ("0", 1),
        (3, 3),
        ("3", 3),
        (" 3 ", 3),
        ([3], 3),
        (IntLike(5), 5),
        (2.0, 2),
        ("2.0", 2),
        (b"4", 4),
        (..., 1),
    ],
)
def test_number_of_frames_values(value, frames):
    assert spec_from(NumberOfFrames=value).frames == frames


def test_defaults_when_optional_elements_are_missing():
    spec = PixelSpec.from_dataset({"Rows": 2, "Columns": 3, "BitsAllocated": 8})
    assert (spec.samples_per_pixel, spec.bits_stored, spec.high_bit) == (1, 8, 7)
    assert (spec.pixel_representation, spec.planar_configuration, spec.photometric) == (0, 0, "")


def test_photometric_is_normalised():
    assert spec_from(PhotometricInterpretation=" monochrome1 \0").photometric == "MONOCHROME1"
    assert spec_from(PhotometricInterpretation=["RGB"], SamplesPerPixel=3).photometric == "RGB"


@pytest.mark.parametrize(
    ("changes", "tag", "match"),
    [
        ({"Rows": ...}, 0x00280010, "Rows is missing"),
        ({"Rows": None}, 0x00280010, "missing"),
        ({"Columns": ""}, 0x00280011, "Columns is missing"),
        ({"BitsAllocated": ...}, 0x00280100, "missing"),
        ({"Rows": [4, 0]}, 0x00280010, "2 values"),
        ({"NumberOfFrames": "1A"}, 0x00280008, "not an integer"),
        ({"NumberOfFrames": 2.5}, 0x00280008, "not an integer"),
        ({"NumberOfFrames": -1}, 0x00280008, "at least 1"),
        ({"Rows": 0}, 0x00280010, "1..65535"),
        ({"Columns": 70000}, 0x00280011, "1..65535"),
        ({"Rows": True}, 0x00280010, "integer"),
        ({"BitsAllocated": 12}, 0x00280100, "lazydcm reads"),
        ({"BitsStored": 17}, 0x00280101, "1..16"),
        ({"BitsStored": 0}, 0x00280101, "1..16"),
        ({"PixelRepresentation": 2}, 0x00280103, "0 or 1"),
        ({"SamplesPerPixel": 5}, 0x00280002, "1..4"),
        ({"SamplesPerPixel": 3, "PlanarConfiguration": 2}, 0x00280006, "0 or 1"),
    ],
)
def test_invalid_values_name_the_element(changes, tag, match):
    with pytest.raises(InvalidDicomError, match=match) as info:
        spec_from(**changes)
    assert info.value.tag == tag


def test_odd_columns_of_ybr_full_422_are_refused_for_native_data_only():
    # PS3.3 C.7.6.3.1.2 pairs pixels in the native encoding; JPEG's 4:2:2 pads the last pair
    spec = spec_from(SamplesPerPixel=3, PhotometricInterpretation="YBR_FULL_422", Columns=5)
    with pytest.raises(InvalidDicomError, match="even") as info:
        spec.check_native_422()
    assert info.value.tag == 0x00280011
    spec_from(SamplesPerPixel=3, PhotometricInterpretation="YBR_FULL_422").check_native_422()


def test_planar_configuration_ignored_for_one_sample():
    assert spec_from(PlanarConfiguration=7).planar_configuration == 0


def test_float_kinds():
    spec = PixelSpec.from_dataset({"Rows": 2, "Columns": 2}, kind="float")
    assert spec.bits_allocated == 32 and spec.dtype == np.dtype("<f4") and spec.tag == 0x7FE00008
    spec = PixelSpec.from_dataset({"Rows": 2, "Columns": 2}, kind="double", little_endian=False)
    assert spec.dtype == np.dtype(">f8") and spec.array_dtype == np.dtype("=f8")
    assert spec.tag == 0x7FE00009
    with pytest.raises(InvalidDicomError, match="needs 32") as info:
        PixelSpec.from_dataset({"Rows": 2, "Columns": 2, "BitsAllocated": 64}, kind="float")
    assert info.value.tag == 0x00280100
    with pytest.raises(ValueError, match="kind"):
        PixelSpec.from_dataset({"Rows": 2, "Columns": 2}, kind="complex")


def test_sizes_of_bit_packed_frames():
    # PS3.5 8.1.1: 1-bit frames are packed back to back without byte alignment
    spec = PixelSpec(rows=510, columns=510, frames=3, bits_allocated=1)
    assert spec.frame_nbytes == math.ceil(510 * 510 / 8) == 32513
    assert spec.expected_nbytes == math.ceil(3 * 510 * 510 / 8) == 97538 < 3 * 32513
    assert spec.dtype == np.dtype(np.uint8) and spec.shape == (3, 510, 510)


def test_sizes_of_native_ybr_full_422():
    # PS3.3 C.7.6.3.1.2: two luma and one Cb/Cr pair for every two pixels
    spec = PixelSpec(
        rows=100, columns=100, samples_per_pixel=3, photometric="YBR_FULL_422", frames=2
    )
    assert spec.frame_nbytes == 100 * 100 * 2 and spec.expected_nbytes == 40000
    assert spec.shape == (2, 100, 100, 3)


@pytest.mark.parametrize(
    ("kwargs", "dtype"),
    [
        ({"bits_allocated": 8}, "u1"),
        ({"bits_allocated": 8, "pixel_representation": 1}, "i1"),
        ({"bits_allocated": 16, "little_endian": False}, ">u2"),
        ({"bits_allocated": 32, "pixel_representation": 1}, "<i4"),
        ({"bits_allocated": 64}, "<u8"),
    ],
)
def test_dtypes(kwargs, dtype):
    spec = PixelSpec(rows=1, columns=1, **kwargs)
    assert spec.dtype == np.dtype(dtype)
    assert spec.array_dtype.isnative and spec.array_dtype.newbyteorder("<") == np.dtype(
        dtype
    ).newbyteorder("<")


def test_shapes_drop_the_frame_axis_for_one_frame():
    assert PixelSpec(rows=2, columns=3).shape == (2, 3)
    assert PixelSpec(rows=2, columns=3, frames=1, samples_per_pixel=3).shape == (2, 3, 3)
    assert PixelSpec(rows=2, columns=3, frames=4).shape == (4, 2, 3)
    assert PixelSpec(rows=2, columns=3, frames=4).frame_shape == (2, 3)


@given(
    rows=st.integers(1, 40),
    columns=st.integers(1, 40),
    frames=st.integers(1, 5),
    samples=st.sampled_from([1, 3]),
    bits=st.sampled_from([1, 8, 16, 32, 64]),
)
def test_sizes_agree_with_shapes(rows, columns, frames, samples, bits):
    spec = PixelSpec(
        rows=rows, columns=columns, frames=frames, samples_per_pixel=samples, bits_allocated=bits
    )
    count = int(np.prod(spec.shape))
    assert count == frames * rows * columns * samples
    if bits == 1:
        assert spec.expected_nbytes == math.ceil(count / 8)
    else:
        assert spec.expected_nbytes == frames * spec.frame_nbytes == count * bits // 8

"""pixels/native.py: views over native pixel data, conversions, and pydicom parity."""

from __future__ import annotations

import mmap
import struct
import warnings

import attrs
import numpy as np
import pytest
from _pixel_ref import EXPLICIT_BE, EXPLICIT_LE, make_dataset, reference_array
from hypothesis import given, settings
from hypothesis import strategies as st

from lazydcm.errors import InvalidDicomError
from lazydcm.pixels.lut import convert_color_space
from lazydcm.pixels.native import can_view, keep_low_bits, native_array
from lazydcm.pixels.spec import PixelSpec


def as_buffer_array(buf) -> np.ndarray:
    return np.frombuffer(buf, dtype=np.uint8)


# A 2-frame, 2x3, 16-bit unsigned image: values 0..11, little endian.
TWO_FRAMES = np.arange(12, dtype="<u2").tobytes()
TWO_FRAMES_SPEC = PixelSpec(rows=2, columns=3, frames=2, bits_allocated=16)


def test_view_of_all_frames_shares_memory():
    arr = native_array(TWO_FRAMES, TWO_FRAMES_SPEC)
    assert arr.shape == (2, 2, 3) and arr.dtype == np.dtype("=u2")
    assert arr.tolist() == [[[0, 1, 2], [3, 4, 5]], [[6, 7, 8], [9, 10, 11]]]
    assert np.shares_memory(arr, as_buffer_array(TWO_FRAMES))
    assert not arr.flags.writeable  # bytes are read-only, so is the view


@pytest.mark.parametrize(("frame", "first"), [(0, 0), (1, 6), (-1, 6), (-2, 0)])
def test_one_frame_is_a_view(frame, first):
    arr = native_array(TWO_FRAMES, TWO_FRAMES_SPEC, frame=frame)
    assert arr.shape == (2, 3) and arr[0, 0] == first
    assert np.shares_memory(arr, as_buffer_array(TWO_FRAMES))


@pytest.mark.parametrize("frame", [2, -3, 10])
def test_frame_out_of_range(frame):
    with pytest.raises(IndexError):
        native_array(TWO_FRAMES, TWO_FRAMES_SPEC, frame=frame)


def test_planar_configuration_1_is_a_strided_view():
    # R plane, G plane, B plane of a 1x2 image: R = 1, 2; G = 3, 4; B = 5, 6
    spec = PixelSpec(
        rows=1, columns=2, samples_per_pixel=3, planar_configuration=1, photometric="RGB"
    )
    raw = bytes([1, 2, 3, 4, 5, 6])
    arr = native_array(raw, spec)
    assert arr.tolist() == [[[1, 3, 5], [2, 4, 6]]]
    assert np.shares_memory(arr, as_buffer_array(raw)) and not arr.flags.c_contiguous
    by_pixel = native_array(bytes([1, 3, 5, 2, 4, 6]), attrs.evolve(spec, planar_configuration=0))
    assert np.array_equal(arr, by_pixel)


def test_copy_on_write_mapping_edits_in_place_without_touching_the_file(tmp_path):
    path = tmp_path / "pixels.bin"
    header = b"HEADER--"
    path.write_bytes(header + TWO_FRAMES)
    with open(path, "rb") as fh:
        mapping = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_COPY)
    view = memoryview(mapping)[len(header) :]
    arr = native_array(view, TWO_FRAMES_SPEC)
    assert arr.flags.writeable and np.shares_memory(arr, np.frombuffer(mapping, np.uint8))
    arr[1, 1, 2] = 5000
    frame = native_array(view, TWO_FRAMES_SPEC, frame=1)
    assert frame[1, 2] == 5000  # the mapping sees the edit...
    assert path.read_bytes() == header + TWO_FRAMES  # ...the file does not
    del arr, frame, view
    mapping.close()


def test_big_endian_is_converted_to_native_order():
    values = np.array([[1, -2, 300], [-4000, 5, 32767]], dtype=">i2")
    spec = PixelSpec(
        rows=2, columns=3, bits_allocated=16, pixel_representation=1, little_endian=False
    )
    ok, reason = can_view(spec)
    assert not ok and "big endian" in reason
    raw = values.tobytes()
    arr = native_array(raw, spec)
    assert arr.dtype == np.dtype("=i2") and np.array_equal(arr, values)
    assert not np.shares_memory(arr, as_buffer_array(raw))


def test_big_endian_frame_converts_only_that_frame():
    values = np.arange(2 * 3 * 4, dtype=">u4").reshape(3, 2, 4)
    spec = PixelSpec(rows=2, columns=4, frames=3, bits_allocated=32, little_endian=False)
    arr = native_array(values.tobytes(), spec, frame=2)
    assert arr.shape == (2, 4) and np.array_equal(arr, values[2])


def test_big_endian_8bit_ow_is_word_swapped():
    raw = bytes([1, 2, 3, 4, 5, 0])  # 5 pixels in OW: words 0x0102 0x0304 0x0500 big endian
    spec = PixelSpec(rows=1, columns=5, bits_allocated=8, little_endian=False, pixel_vr="OW")
    assert not can_view(spec)[0]
    assert native_array(raw, spec).tolist() == [[2, 1, 4, 3, 0]]
    frames = PixelSpec(
        rows=1, columns=3, frames=2, bits_allocated=8, little_endian=False, pixel_vr="OW"
    )
    assert native_array(raw, frames, frame=1).tolist() == [[3, 0, 5]]
    ob = PixelSpec(rows=1, columns=5, bits_allocated=8, little_endian=False, pixel_vr="OB")
    assert native_array(raw, ob).tolist() == [[1, 2, 3, 4, 5]] and can_view(ob)[0]


def test_one_bit_pixels_unpack_lsb_first_across_frame_boundaries():
    # three 3x3 frames = 27 bits, packed continuously (PS3.5 8.1.1): frame 2 starts at bit 9
    bits = np.zeros(27, dtype=np.uint8)
    bits[[0, 4, 8]] = 1  # frame 0: diagonal
    bits[9 + 2] = bits[9 + 4] = bits[9 + 6] = 1  # frame 1: anti-diagonal
    bits[18:27] = 1  # frame 2: all set
    packed = np.packbits(bits, bitorder="little").tobytes()
    assert len(packed) == 4
    spec = PixelSpec(rows=3, columns=3, frames=3, bits_allocated=1)
    ok, reason = can_view(spec)
    assert not ok and "bit-packed" in reason
    arr = native_array(packed, spec)
    assert arr.dtype == np.uint8 and arr.shape == (3, 3, 3)
    assert np.array_equal(arr[0], np.eye(3, dtype=np.uint8))
    assert np.array_equal(arr[1], np.fliplr(np.eye(3, dtype=np.uint8)))
    assert arr[2].all()
    for k in range(3):
        assert np.array_equal(native_array(packed, spec, frame=k), arr[k])


def test_native_ybr_full_422_is_expanded():
    # 1 row, 4 pixels: Y1 Y2 Cb Cr, Y3 Y4 Cb Cr (PS3.3 C.7.6.3.1.2)
    raw = bytes([10, 20, 100, 200, 30, 40, 110, 210])
    spec = PixelSpec(rows=1, columns=4, samples_per_pixel=3, photometric="YBR_FULL_422")
    assert not can_view(spec)[0]
    ybr = native_array(raw, spec, as_rgb=False)
    assert ybr.tolist() == [[[10, 100, 200], [20, 100, 200], [30, 110, 210], [40, 110, 210]]]
    rgb = native_array(raw, spec)
    assert np.array_equal(rgb, convert_color_space(ybr, "YBR_FULL", "RGB"))


def test_ybr_full_is_converted_to_rgb_by_default():
    raw = bytes([76, 85, 255] * 2)
    spec = PixelSpec(rows=1, columns=2, samples_per_pixel=3, photometric="YBR_FULL")
    assert native_array(raw, spec).tolist() == [[[254, 0, 0]] * 2]
    assert np.shares_memory(native_array(raw, spec, as_rgb=False), as_buffer_array(raw))


# Signed 12-in-16: 0x0FFB (-5 without its sign bits), 0xFFFB (-5), 0x7001 (1 with garbage),
# 0x0801 (-2047 without its sign bits); pydicom 3.0.2 sign-extends from bit 11.
GARBLED_12 = struct.pack("<4H", 0x0FFB, 0xFFFB, 0x7001, 0x0801)


def test_unused_bits_are_sign_extended_for_signed_data():
    spec = PixelSpec(rows=1, columns=4, bits_allocated=16, bits_stored=12, pixel_representation=1)
    arr = native_array(GARBLED_12, spec)
    assert arr.tolist() == [[-5, -5, 1, -2047]]
    assert not np.shares_memory(arr, as_buffer_array(GARBLED_12))
    raw = native_array(GARBLED_12, spec, correct_bits=False)
    assert raw.view(np.uint16).tolist() == [[0x0FFB, 0xFFFB, 0x7001, 0x0801]]
    assert np.shares_memory(raw, as_buffer_array(GARBLED_12))


def test_unused_bits_are_cleared_for_unsigned_data():
    spec = PixelSpec(rows=1, columns=4, bits_allocated=16, bits_stored=12)
    assert native_array(GARBLED_12, spec).tolist() == [[4091, 4091, 1, 2049]]


def test_clean_data_with_unused_bits_is_still_a_view():
    clean = np.array([[-5, 2047, -2048, 0]], dtype="<i2").tobytes()
    spec = PixelSpec(rows=1, columns=4, bits_allocated=16, bits_stored=12, pixel_representation=1)
    arr = native_array(clean, spec)
    assert np.shares_memory(arr, as_buffer_array(clean)) and arr.tolist() == [[-5, 2047, -2048, 0]]


def test_keep_low_bits():
    arr = np.array([0x0FFB, 0x7001], dtype=np.int16)
    assert keep_low_bits(arr, 12).tolist() == [-5, 1]
    arr = np.array([0xFFFB], dtype=np.uint16)
    assert keep_low_bits(arr, 12).tolist() == [4091]


def test_short_pixel_data_names_the_tag_and_sizes():
    for cut in range(len(TWO_FRAMES)):
        with pytest.raises(InvalidDicomError) as info:
            native_array(TWO_FRAMES[:cut], TWO_FRAMES_SPEC)
        assert info.value.tag == 0x7FE00010
        assert f"{cut} bytes" in str(info.value) and "24" in str(info.value)
    float_spec = PixelSpec(rows=2, columns=2, kind="float", bits_allocated=32)
    with pytest.raises(InvalidDicomError) as info:
        native_array(b"\0" * 15, float_spec)
    assert info.value.tag == 0x7FE00008


def test_padding_and_excess():
    odd = PixelSpec(rows=1, columns=3, bits_allocated=8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert native_array(b"\x01\x02\x03\x00", odd).tolist() == [[1, 2, 3]]  # one pad byte
    with pytest.warns(UserWarning, match="3 more than"):
        assert native_array(b"\x01\x02\x03xyz", odd).tolist() == [[1, 2, 3]]


def test_float_pixel_data_is_a_view():
    values = np.array([[0.5, -1.25], [3.0, np.inf]], dtype="<f4")
    spec = PixelSpec(rows=2, columns=2, kind="float", bits_allocated=32)
    raw = values.tobytes()
    arr = native_array(raw, spec)
    assert arr.dtype == np.float32 and np.array_equal(arr, values)
    assert np.shares_memory(arr, as_buffer_array(raw))


def test_can_view_native_cases():
    assert can_view(TWO_FRAMES_SPEC) == (True, "")
    assert can_view(PixelSpec(rows=1, columns=1, bits_allocated=16, bits_stored=12)) == (True, "")


# -- parity with pydicom on generated images --------------------------------------------------


@st.composite
def native_images(draw):
    bits = draw(st.sampled_from([1, 8, 16, 32]))
    samples = 1 if bits == 1 else draw(st.sampled_from([1, 3]))
    spec = PixelSpec(
        rows=draw(st.integers(1, 6)),
        columns=draw(st.integers(1, 7)),
        frames=draw(st.integers(1, 3)),
        samples_per_pixel=samples,
        bits_allocated=bits,
        bits_stored=draw(st.integers(max(1, bits // 2), bits)) if bits > 1 else 1,
        pixel_representation=0 if bits == 1 else draw(st.integers(0, 1)),
        planar_configuration=draw(st.integers(0, 1)) if samples == 3 else 0,
        photometric="RGB" if samples == 3 else "MONOCHROME2",
        little_endian=draw(st.booleans()),
        pixel_vr=draw(st.sampled_from(["OB", "OW"])) if bits <= 8 else "OW",
    )
    payload = draw(st.binary(min_size=spec.expected_nbytes, max_size=spec.expected_nbytes))
    return spec, payload + b"\0" * (len(payload) % 2)


@settings(max_examples=80)
@given(native_images())
def test_matches_pydicom(image):
    spec, payload = image
    ds = make_dataset(spec, payload, EXPLICIT_LE if spec.little_endian else EXPLICIT_BE)
    expected = reference_array(ds)
    arr = native_array(payload, spec)
    assert arr.shape == expected.shape
    assert arr.dtype == expected.dtype
    assert np.array_equal(arr, expected)
    if spec.frames > 1:
        assert np.array_equal(native_array(payload, spec, frame=spec.frames - 1), expected[-1])

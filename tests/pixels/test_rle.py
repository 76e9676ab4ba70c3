"""pixels/rle.py: RLE Lossless (PS3.5 Annex G) decoding and encoding."""

from __future__ import annotations

import struct
import sys
import time

import numpy as np
import pytest
from _pixel_ref import encapsulate, make_dataset, reference_array
from hypothesis import given, settings
from hypothesis import strategies as st

from lazydcm.errors import InvalidDicomError
from lazydcm.pixels.rle import pack_row, rle_decode_frame, rle_encode_frame, unpack_segment
from lazydcm.pixels.spec import PixelSpec

RLE = "1.2.840.10008.1.2.5"

# A 2x2 16-bit frame [[0x0102, 0x0102], [0x0300, 0x04FF]]: segment 1 holds the most significant
# bytes (01 01 / 03 04), segment 2 the least (02 02 / 00 FF); each row is packed on its own.
FRAME_16 = bytes.fromhex(
    "02000000"  # 0x00 number of segments: 2
    "40000000"  # 0x04 segment 1 at 64
    "46000000"  # 0x08 segment 2 at 70
    + "00000000"
    * 13  # 0x0C unused offsets
    + "FF01"  # 0x40 segment 1, row 0: replicate 01 twice (-1 -> 2 copies)
    "800103 04"  # 0x42 a -128 no-op, then row 1: literal of 2 bytes 03 04
    "FF02"  # 0x46 segment 2, row 0: replicate 02 twice
    "0100FF 00"  # 0x48 row 1: literal 00 FF, then the pad byte to make the segment even
)
FRAME_16_SPEC = PixelSpec(rows=2, columns=2, bits_allocated=16)
FRAME_16_VALUES = [[0x0102, 0x0102], [0x0300, 0x04FF]]


def test_unpack_segment_runs():
    assert unpack_segment(bytes([2, 7, 8, 9]), 3) == bytes([7, 8, 9])  # literal of 3
    assert unpack_segment(bytes([0xFE, 5]), 3) == bytes([5, 5, 5])  # -2: 3 copies
    assert unpack_segment(bytes([0x81, 1]), 128) == bytes([1]) * 128  # -127: 128 copies
    assert unpack_segment(bytes([0x80, 0, 4]), 1) == bytes([4])  # -128 is a no-op
    assert unpack_segment(bytes([0xFE, 5, 0, 6]), 3) == bytes([5, 5, 5])  # extra output dropped
    with pytest.raises(InvalidDicomError, match="expected 5"):
        unpack_segment(bytes([0xFE, 5]), 5)
    with pytest.raises(InvalidDicomError):
        unpack_segment(bytes([4, 1, 2]), 5)  # literal cut short
    with pytest.raises(InvalidDicomError):
        unpack_segment(bytes([0xFE]), 3)  # replicate without its byte


def test_decode_annotated_frame():
    arr = rle_decode_frame(FRAME_16, FRAME_16_SPEC)
    assert arr.dtype == np.dtype("=u2") and arr.tolist() == FRAME_16_VALUES
    signed = rle_decode_frame(
        FRAME_16, PixelSpec(rows=2, columns=2, bits_allocated=16, pixel_representation=1)
    )
    assert signed.dtype == np.dtype("=i2") and signed.tolist() == FRAME_16_VALUES


def test_decode_truncated_at_every_offset():
    for cut in range(len(FRAME_16) - 1):  # the last byte is padding
        with pytest.raises(InvalidDicomError):
            rle_decode_frame(FRAME_16[:cut], FRAME_16_SPEC)


@pytest.mark.parametrize(
    ("header", "match"),
    [
        (struct.pack("<16I", 1, 64, *[0] * 14), "1 segments"),
        (struct.pack("<16I", 3, 64, 70, 72, *[0] * 12), "3 segments"),
        (struct.pack("<16I", 2, 60, 70, *[0] * 13), "outside the frame"),
        (struct.pack("<16I", 2, 70, 64, *[0] * 13), "out of order"),
        (struct.pack("<16I", 2, 64, 900, *[0] * 13), "outside the frame"),
    ],
)
def test_bad_headers(header, match):
    with pytest.raises(InvalidDicomError, match=match) as info:
        rle_decode_frame(header + FRAME_16[64:], FRAME_16_SPEC)
    assert info.value.tag == 0x7FE00010


def test_pack_row_follows_g31():
    assert pack_row(b"") == b""
    assert pack_row(b"\x05\x05\x05") == bytes([0xFE, 5])  # 3 equal bytes: a replicate run
    assert pack_row(b"\x01\x01\x02") == bytes([2, 1, 1, 2])  # pairs stay literal
    assert pack_row(b"\x07" * 130) == bytes([0x81, 7, 0xFF, 7])  # 128 + 2
    assert pack_row(b"\x07" * 129) == bytes([0x81, 7, 0, 7])  # 128 + a lone literal
    long_literal = bytes(range(200))
    packed = pack_row(long_literal)
    assert packed[0] == 127 and packed[129] == 71  # literal runs of at most 128 bytes
    assert unpack_segment(packed, 200) == long_literal


@st.composite
def frames(draw):
    bits = draw(st.sampled_from([8, 16, 32]))
    samples = draw(st.sampled_from([1, 3]))
    spec = PixelSpec(
        rows=draw(st.integers(1, 12)),
        columns=draw(st.integers(1, 12)),
        samples_per_pixel=samples,
        bits_allocated=bits,
        pixel_representation=draw(st.integers(0, 1)),
        photometric="RGB" if samples == 3 else "MONOCHROME2",
    )
    # runs make the encoder use replicate runs, noise makes it use literals
    values = draw(st.lists(st.integers(0, 3), min_size=1, max_size=6))
    raw = np.frombuffer(
        draw(
            st.binary(
                min_size=spec.samples_per_frame * bits // 8,
                max_size=spec.samples_per_frame * bits // 8,
            )
        ),
        dtype=spec.array_dtype,
    ).copy()
    if draw(st.booleans()):
        raw[: len(raw) // 2] = values[0]
    return spec, raw.reshape(spec.frame_shape)


@settings(max_examples=60)
@given(frames())
def test_round_trip(frame):
    spec, arr = frame
    encoded = rle_encode_frame(arr, spec)
    decoded = rle_decode_frame(encoded, spec)
    assert decoded.dtype == spec.array_dtype and np.array_equal(decoded, arr)
    # every segment is even and offsets point inside the frame
    count, *offsets = struct.unpack_from("<16I", encoded)
    assert count == spec.samples_per_pixel * spec.bits_allocated // 8
    assert all(o % 2 == 0 for o in offsets[:count]) and len(encoded) % 2 == 0


@settings(max_examples=25)
@given(frames())
def test_pydicom_decodes_what_we_encode(frame):
    spec, arr = frame
    ds = make_dataset(spec, encapsulate([rle_encode_frame(arr, spec)])[:-8], RLE)
    assert np.array_equal(reference_array(ds), arr)


def test_encode_rejects_wrong_shape():
    with pytest.raises(ValueError, match="frame shape"):
        rle_encode_frame(np.zeros((3, 3), np.uint16), FRAME_16_SPEC)


def test_one_bit_pixels_are_one_byte_each():
    spec = PixelSpec(rows=2, columns=3, bits_allocated=1)
    arr = np.array([[1, 0, 1], [0, 0, 1]], dtype=np.uint8)
    assert np.array_equal(rle_decode_frame(rle_encode_frame(arr, spec), spec), arr)


def test_decoder_needs_no_plugin(monkeypatch):
    arr = np.arange(64 * 64, dtype=np.uint16).reshape(64, 64) % 700
    spec = PixelSpec(rows=64, columns=64, bits_allocated=16)
    encoded = rle_encode_frame(arr, spec)
    for name in ("pylibjpeg", "rle", "libjpeg", "openjpeg", "imagecodecs"):
        monkeypatch.setitem(sys.modules, name, None)
    assert np.array_equal(rle_decode_frame(encoded, spec), arr)


def test_decoding_speed_is_reasonable():
    # 512x512 16-bit noise: mostly literal runs; a Python loop per run, not per byte
    rng = np.random.default_rng(7)
    arr = rng.integers(0, 4096, (512, 512)).astype(np.uint16)
    spec = PixelSpec(rows=512, columns=512, bits_allocated=16)
    encoded = rle_encode_frame(arr, spec)
    start = time.perf_counter()
    decoded = rle_decode_frame(encoded, spec)
    assert time.perf_counter() - start < 1.0
    assert np.array_equal(decoded, arr)


@given(st.binary(max_size=200), st.sampled_from([8, 16, 32]), st.sampled_from([1, 3]))
def test_arbitrary_bytes_raise_only_invalid_dicom(data, bits, samples):
    spec = PixelSpec(rows=3, columns=4, samples_per_pixel=samples, bits_allocated=bits)
    # a plausible header in front of random segments reaches the PackBits loop too
    count = samples * bits // 8
    step = max(1, len(data) // count)
    header = struct.pack("<16I", count, *[64 + i * step for i in range(count)], *[0] * (15 - count))
    for frame in (data, header + data):
        try:
            arr = rle_decode_frame(frame, spec)
        except InvalidDicomError:
            continue
        assert arr.shape == spec.frame_shape

"""pixels/encapsulated.py: frame bytes from fragment ranges and decoding of frames."""

from __future__ import annotations

import numpy as np
import pytest

from lazydcm.errors import InvalidDicomError
from lazydcm.io.encaps import frame_ranges, parse_fragments
from lazydcm.pixels.encapsulated import decode_frames, frame_bytes, iter_frame_bytes
from lazydcm.pixels.rle import rle_encode_frame
from lazydcm.pixels.spec import PixelSpec

RLE = "1.2.840.10008.1.2.5"

# Frame 1 split over two fragments, frame 2 in one.
VALUE = bytes.fromhex(
    "FEFF00E0 08000000 00000000 16000000"  # 0x00 BOT: frames at 0 and 0x16
    "FEFF00E0 04000000 41424344"  # 0x10 fragment "ABCD"
    "FEFF00E0 02000000 4546"  # 0x1C fragment "EF"
    "FEFF00E0 04000000 5758595A"  # 0x26 fragment "WXYZ"
    "FEFFDDE0 00000000"  # 0x32 delimiter
)


def ranges_of(value: bytes, frames: int):
    return frame_ranges(parse_fragments(value, 0, len(value)), frames, buf=value)


def test_frame_bytes_joins_fragments():
    ranges = ranges_of(VALUE, 2)
    assert frame_bytes(VALUE, ranges[0]) == b"ABCDEF"
    assert frame_bytes(memoryview(VALUE), ranges[1]) == b"WXYZ"
    assert list(iter_frame_bytes(VALUE, ranges)) == [b"ABCDEF", b"WXYZ"]


def test_frame_bytes_outside_buffer():
    with pytest.raises(InvalidDicomError, match="outside"):
        frame_bytes(VALUE, [(0x30, 100)])
    with pytest.raises(InvalidDicomError):
        frame_bytes(VALUE, [(-1, 2)])


def encapsulated_rle(frames: list[np.ndarray], spec: PixelSpec) -> bytes:
    """Encapsulated RLE frames: empty BOT, one fragment per frame, delimiter."""
    out = bytearray(bytes.fromhex("FEFF00E0 00000000"))
    for frame in frames:
        data = rle_encode_frame(frame, spec)
        out += bytes.fromhex("FEFF00E0") + len(data).to_bytes(4, "little") + data
    return bytes(out + bytes.fromhex("FEFFDDE0 00000000"))


def test_decode_all_frames_and_one():
    spec = PixelSpec(rows=3, columns=4, frames=3, bits_allocated=16, pixel_representation=1)
    frames = [np.full((3, 4), k * 100 - 150, dtype=np.int16) for k in range(3)]
    value = encapsulated_rle(frames, spec)
    ranges = ranges_of(value, 3)
    arr = decode_frames(value, ranges, spec, RLE)
    assert arr.shape == (3, 3, 4) and arr.dtype == np.dtype("=i2")
    assert np.array_equal(arr, np.stack(frames))
    assert np.array_equal(decode_frames(value, ranges, spec, RLE, frame=-1), frames[2])
    with pytest.raises(IndexError):
        decode_frames(value, ranges, spec, RLE, frame=3)


def test_one_frame_reads_only_that_frame():
    spec = PixelSpec(rows=2, columns=2, frames=2, bits_allocated=8)
    frames = [np.zeros((2, 2), np.uint8), np.full((2, 2), 9, np.uint8)]
    value = bytearray(encapsulated_rle(frames, spec))
    ranges = ranges_of(bytes(value), 2)
    first_offset, _ = ranges[0][0]
    value[first_offset : first_offset + 4] = b"\xff\xff\xff\xff"  # corrupt frame 0's header
    assert (decode_frames(value, ranges, spec, RLE, frame=1) == 9).all()
    with pytest.raises(InvalidDicomError):
        decode_frames(value, ranges, spec, RLE)


def test_single_frame_shape():
    spec = PixelSpec(rows=2, columns=3, bits_allocated=8)
    value = encapsulated_rle([np.arange(6, dtype=np.uint8).reshape(2, 3)], spec)
    arr = decode_frames(value, ranges_of(value, 1), spec, RLE)
    assert arr.shape == (2, 3) and arr.tolist() == [[0, 1, 2], [3, 4, 5]]


def test_frame_count_mismatch():
    spec = PixelSpec(rows=2, columns=2, frames=3, bits_allocated=8)
    value = encapsulated_rle([np.zeros((2, 2), np.uint8)] * 2, spec)
    ranges = ranges_of(value, 2)
    with pytest.raises(InvalidDicomError, match="Number of Frames is 3"):
        decode_frames(value, ranges, spec, RLE)

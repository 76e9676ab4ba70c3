"""RLE Lossless (PS3.5 Annex G) frames: a decoder and an encoder in numpy and plain Python.

An RLE frame is a 64-byte header (PS3.5 G.5: 16 little endian uint32 - the number of segments,
then up to 15 segment offsets from the start of the header) followed by the segments. Each
segment is one byte plane of the image, PackBits-compressed (G.3). Planes are ordered sample by
sample and, within a sample, from the most significant byte of the padded composite pixel code
to the least (G.2). Decoded data is therefore always "by plane"; :func:`rle_decode_frame` returns
it as ``(rows, columns[, samples])`` in native byte order whatever the Planar Configuration says.

Bad input raises :class:`~lazydcm.errors.InvalidDicomError` (tag (7FE0,0010)).
"""

from __future__ import annotations

import struct

import numpy as np

from lazydcm.errors import InvalidDicomError
from lazydcm.pixels.spec import PIXEL_DATA, PixelSpec

__all__ = ["rle_decode_frame", "rle_encode_frame", "unpack_segment", "pack_row"]

_HEADER = 64  # PS3.5 G.5: 16 uint32
_MAX_SEGMENTS = 15


def _bytes_per_sample(spec: PixelSpec) -> int:
    # PS3.5 G.2: a composite pixel code that is not whole bytes is padded with zero MSBs
    return max(1, spec.bits_allocated // 8)


def unpack_segment(segment: bytes, size: int) -> bytes:
    """Decode one PackBits RLE segment (PS3.5 G.3.2) into exactly ``size`` bytes.

    A header byte n in 0..127 copies the next n+1 bytes, -127..-1 repeats the next byte -n+1
    times, -128 does nothing. Decoding stops once ``size`` bytes are produced (extra output is
    dropped); fewer raises :class:`InvalidDicomError`. The loop runs once per run, not per byte.
    """
    out = bytearray()
    pos, end = 0, len(segment)
    while pos < end and len(out) < size:
        header = segment[pos]
        pos += 1
        if header < 128:  # literal run of header + 1 bytes
            out += segment[pos : pos + header + 1]
            pos += header + 1
        elif header > 128:  # replicate run of 257 - header copies
            if pos >= end:
                break
            out += segment[pos : pos + 1] * (257 - header)
            pos += 1
    if len(out) < size:
        raise InvalidDicomError(
            f"RLE segment decodes to {len(out)} bytes, expected {size}", tag=PIXEL_DATA
        )
    return bytes(out[:size])


def rle_decode_frame(data: bytes | bytearray | memoryview, spec: PixelSpec) -> np.ndarray:
    """Decode one RLE Lossless frame.

    Returns:
        A new array of shape :attr:`PixelSpec.frame_shape` and dtype :attr:`PixelSpec.array_dtype`
        (Bits Allocated 1 gives one ``uint8`` per pixel, as Annex G pads each pixel to a byte).
        Unused high bits are returned as stored.

    Raises:
        InvalidDicomError: short header, wrong segment count, offsets outside the frame or a
            segment that decodes to too few bytes.
    """
    data = bytes(data)
    if len(data) < _HEADER:
        raise InvalidDicomError(
            f"RLE frame is {len(data)} bytes, shorter than its 64-byte header", tag=PIXEL_DATA
        )
    header = struct.unpack_from("<16I", data, 0)
    count = header[0]
    per_sample = _bytes_per_sample(spec)
    expected = per_sample * spec.samples_per_pixel
    if count != expected:
        raise InvalidDicomError(
            f"RLE header has {count} segments, {spec.samples_per_pixel} sample(s) of "
            f"{spec.bits_allocated} bits need {expected}",
            tag=PIXEL_DATA,
        )
    if count > _MAX_SEGMENTS:
        raise InvalidDicomError(f"RLE frame needs {count} segments, at most 15 fit", tag=PIXEL_DATA)
    offsets = list(header[1 : count + 1]) + [len(data)]
    for i in range(count):
        if not _HEADER <= offsets[i] <= offsets[i + 1] <= len(data):
            raise InvalidDicomError(
                f"RLE segment {i + 1} offset {offsets[i]} is outside the frame "
                f"({len(data)} bytes) or out of order",
                tag=PIXEL_DATA,
            )
    pixels = spec.rows * spec.columns
    # Bytes of each sample, least significant first, so they view as little endian words.
    planes = np.empty((spec.samples_per_pixel, pixels, per_sample), dtype=np.uint8)
    for i in range(count):
        sample, msb_rank = divmod(i, per_sample)
        segment = unpack_segment(data[offsets[i] : offsets[i + 1]], pixels)
        planes[sample, :, per_sample - 1 - msb_rank] = np.frombuffer(segment, dtype=np.uint8)
    dtype = spec.array_dtype
    values = planes.view(dtype.newbyteorder("<")).reshape(spec.samples_per_pixel, pixels)
    if not values.dtype.isnative:
        values = values.astype(dtype)
    if spec.samples_per_pixel == 1:
        return values.reshape(spec.rows, spec.columns)
    return np.ascontiguousarray(np.moveaxis(values.reshape(-1, spec.rows, spec.columns), 0, -1))


def pack_row(row: bytes) -> bytes:
    """PackBits-encode one row of bytes (PS3.5 G.3.1): runs of 3+ equal bytes are replicate
    runs, everything else goes in literal runs of at most 128 bytes."""
    out = bytearray()
    n = len(row)
    if n == 0:
        return b""
    arr = np.frombuffer(row, dtype=np.uint8)
    change = np.flatnonzero(arr[1:] != arr[:-1]) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [n]))
    literal = bytearray()

    def flush() -> None:
        for i in range(0, len(literal), 128):
            chunk = literal[i : i + 128]
            out.append(len(chunk) - 1)
            out.extend(chunk)
        literal.clear()

    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        length = end - start
        if length < 3:
            literal.extend(row[start:end])
            continue
        flush()
        value = row[start]
        while length > 0:
            take = min(length, 128)
            if take < 2:  # a lone leftover byte goes in a literal run
                literal.append(value)
                break
            out.append(257 - take)
            out.append(value)
            length -= take
    flush()
    return bytes(out)


def rle_encode_frame(arr: np.ndarray, spec: PixelSpec) -> bytes:
    """Encode one frame (shape :attr:`PixelSpec.frame_shape`) as RLE Lossless (PS3.5 Annex G).

    Integer samples are split into bytes most significant first; each row of each byte plane is
    packed separately (G.3.1: runs never cross a row) and each segment padded to even length.

    Raises:
        ValueError: ``arr`` does not have the frame's shape, or needs more than 15 segments.
    """
    arr = np.asarray(arr)
    if arr.shape != spec.frame_shape:
        raise ValueError(f"array shape {arr.shape} is not the frame shape {spec.frame_shape}")
    per_sample = _bytes_per_sample(spec)
    count = per_sample * spec.samples_per_pixel
    if count > _MAX_SEGMENTS:
        raise ValueError(f"{count} segments needed; RLE allows at most 15")
    contiguous = np.ascontiguousarray(arr)
    if contiguous.dtype.kind in "iu" and contiguous.dtype.itemsize == per_sample:
        little = contiguous.astype(contiguous.dtype.newbyteorder("<"), copy=False)
        unsigned = little.view(f"<u{per_sample}")
    else:  # e.g. bool or 0/1 values for Bits Allocated 1
        unsigned = contiguous.astype(f"<u{per_sample}")
    planes = unsigned.reshape(spec.rows, spec.columns, spec.samples_per_pixel).view(np.uint8)
    planes = planes.reshape(spec.rows, spec.columns, spec.samples_per_pixel, per_sample)
    segments = []
    for sample in range(spec.samples_per_pixel):
        for msb_rank in range(per_sample):
            plane = np.ascontiguousarray(planes[:, :, sample, per_sample - 1 - msb_rank])
            segment = b"".join(pack_row(plane[r].tobytes()) for r in range(spec.rows))
            if len(segment) % 2:
                segment += b"\0"
            segments.append(segment)
    offsets = []
    position = _HEADER
    for segment in segments:
        offsets.append(position)
        position += len(segment)
    header = struct.pack("<16I", count, *offsets, *([0] * (_MAX_SEGMENTS - count)))
    return header + b"".join(segments)

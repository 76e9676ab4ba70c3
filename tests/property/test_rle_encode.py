"""decode(encode(x)) == x for the vectorised RLE Lossless encoder over every native layout
Annex G can hold (PS3.5 G.2: Bits Allocated 1/8/16/32/64, 1 or 3 samples, up to 15 segments),
checked against the independent per-run decoder in ``lazydcm.pixels.rle``."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from lazydcm.pixels.rle import rle_decode_frame, unpack_segment
from lazydcm.pixels.rle_encode import encode_rle_frame, packbits_rows
from lazydcm.pixels.spec import PixelSpec

# (bits allocated, samples per pixel) pairs that fit 15 segments
_LAYOUTS = [(1, 1), (8, 1), (8, 3), (16, 1), (16, 3), (32, 1), (32, 3), (64, 1)]


@st.composite
def frames(draw):
    bits, samples = draw(st.sampled_from(_LAYOUTS))
    signed = draw(st.integers(0, 1)) if bits > 1 else 0
    rows = draw(st.integers(1, 9))
    cols = draw(st.integers(1, 300))
    spec = PixelSpec(
        rows=rows,
        columns=cols,
        samples_per_pixel=samples,
        bits_allocated=bits,
        pixel_representation=signed,
        photometric="RGB" if samples == 3 else "MONOCHROME2",
        planar_configuration=draw(st.integers(0, 1)) if samples == 3 else 0,
    )
    dtype = spec.array_dtype
    # few distinct values give long runs, including runs of exactly 128k+1 bytes
    pool = draw(st.integers(1, 256))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if bits == 1:
        values = rng.integers(0, 2, size=spec.frame_shape)
    else:
        info = np.iinfo(dtype)
        choices = rng.integers(info.min, info.max, size=pool, dtype=dtype, endpoint=True)
        values = choices[rng.integers(0, pool, size=spec.frame_shape)]
        if draw(st.booleans()):  # whole rows constant: runs the width of a row
            values[...] = values[:, :1]
    return spec, values.astype(dtype)


@given(frames())
def test_rle_round_trip(case):
    spec, arr = case
    data = encode_rle_frame(arr, spec)
    assert len(data) % 2 == 0
    header = np.frombuffer(data[:64], "<u4")
    count = max(1, spec.bits_allocated // 8) * spec.samples_per_pixel
    assert header[0] == count and not header[count + 1 :].any()
    offsets = list(header[1 : count + 1]) + [len(data)]
    assert not (np.diff(np.array(offsets, np.int64)) % 2).any()  # G.5: even segments
    assert np.array_equal(rle_decode_frame(data, spec), arr)


@given(st.lists(st.integers(0, 3), min_size=1, max_size=700), st.integers(1, 7))
def test_packbits_rows_never_cross_rows(values, nrows):
    width = max(1, len(values) // nrows)
    matrix = np.resize(np.array(values, np.uint8), (nrows, width))
    encoded, offsets = packbits_rows(matrix)
    for r in range(nrows):
        piece = encoded[offsets[r] : offsets[r + 1]].tobytes()
        assert unpack_segment(piece, width) == matrix[r].tobytes()
        # every run header inside the row, none spills into the next row
        pos = 0
        while pos < len(piece):
            head = piece[pos]
            pos += 1 + (head + 1 if head < 128 else 1)
            assert head != 128
        assert pos == len(piece)

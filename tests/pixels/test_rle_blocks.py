"""The RLE encoder's blocked pass (bounded working memory) gives the bytes of one whole pass."""

from __future__ import annotations

import numpy as np
import pytest

from lazydcm.pixels import rle_encode
from lazydcm.pixels.rle import rle_decode_frame
from lazydcm.pixels.spec import PixelSpec


@pytest.mark.parametrize("block", [1, 7, 1000, 1 << 18])
def test_blocks_join_to_the_single_pass(monkeypatch, block):
    rng = np.random.default_rng(11)
    frame = rng.integers(0, 3, size=(37, 129), dtype=np.uint16) * 1000
    frame[5:9] = 7  # long replicate runs across whole rows
    spec = PixelSpec(rows=37, columns=129, bits_allocated=16)
    whole = rle_encode.encode_rle_frame(frame, spec)
    monkeypatch.setattr(rle_encode, "_BLOCK", block)
    assert rle_encode.encode_rle_frame(frame, spec) == whole
    np.testing.assert_array_equal(rle_decode_frame(whole, spec), frame)


def test_large_frame_round_trips():
    rng = np.random.default_rng(12)
    frame = rng.integers(0, 4096, size=(700, 800), dtype=np.uint16)  # > one block per plane
    spec = PixelSpec(rows=700, columns=800, bits_allocated=16, bits_stored=12)
    np.testing.assert_array_equal(
        rle_decode_frame(rle_encode.encode_rle_frame(frame, spec), spec), frame
    )


def test_wrong_shape_dtype_and_segment_count_are_refused():
    spec = PixelSpec(rows=2, columns=2, bits_allocated=16)
    with pytest.raises(ValueError, match="shape"):
        rle_encode.encode_rle_frame(np.zeros((3, 2), np.uint16), spec)
    with pytest.raises(ValueError, match="integer"):
        rle_encode.encode_rle_frame(np.zeros((2, 2), np.float32), spec)
    wide = PixelSpec(rows=2, columns=2, bits_allocated=64, samples_per_pixel=3, photometric="RGB")
    with pytest.raises(ValueError, match="15"):
        rle_encode.encode_rle_frame(np.zeros((2, 2, 3), np.uint64), wide)

"""The vectorised PackBits pass chooses runs by one rule (PS3.5 G.3.1): 3+ equal bytes are a
replicate run (chunks of 128, a remainder of 1 avoided by ending ..., 127, 2), the rest literal
runs of at most 128 bytes; nothing crosses a row. Bytes worked out by hand from that rule."""

from __future__ import annotations

import numpy as np
import pytest

from lazydcm.pixels.rle import unpack_segment
from lazydcm.pixels.rle_encode import packbits_rows

_CASES = [
    ([[5, 5, 5, 6, 6, 6]], [0xFE, 5, 0xFE, 6], [0, 4]),  # adjacent runs, one ends where next starts
    ([[1, 5, 5, 5]], [0, 1, 0xFE, 5], [0, 4]),
    ([[1, 2, 2]], [2, 1, 2, 2], [0, 4]),  # a pair stays literal
    ([[1, 2, 3, 3, 3, 3, 4, 5]], [1, 1, 2, 0xFD, 3, 1, 4, 5], [0, 8]),
    ([[7] * 128], [0x81, 7], [0, 2]),
    ([[7] * 129], [0x82, 7, 0xFF, 7], [0, 4]),  # 127 + 2, not 128 + 1
    ([[7] * 257], [0x81, 7, 0x82, 7, 0xFF, 7], [0, 6]),
    ([[7] * 130], [0x81, 7, 0xFF, 7], [0, 4]),
    ([[3, 3, 3], [3, 3, 3]], [0xFE, 3, 0xFE, 3], [0, 2, 4]),  # runs stop at the row end
    ([[3, 3], [3, 3]], [1, 3, 3, 1, 3, 3], [0, 3, 6]),  # 4 equal bytes over 2 rows: literals
    ([[9], [9], [8]], [0, 9, 0, 9, 0, 8], [0, 2, 4, 6]),
]


@pytest.mark.parametrize(("rows", "expected", "offsets"), _CASES)
def test_runs_follow_the_rule(rows, expected, offsets):
    encoded, row_offsets = packbits_rows(np.array(rows, dtype=np.uint8))
    assert encoded.tolist() == expected
    assert row_offsets.tolist() == offsets


def test_long_literal_and_replicate_spans_split_at_128():
    row = np.concatenate((np.arange(130), np.full(300, 9), np.arange(200) % 251)).astype(np.uint8)
    matrix = np.stack((row, row[::-1]))
    encoded, offsets = packbits_rows(matrix)
    first = encoded[offsets[0] : offsets[1]].tobytes()
    assert first[:1] == b"\x7f" and first[129:132] == bytes([1, 128, 129])  # 128 + 2 literals
    assert first[132:138] == bytes([0x81, 9, 0x81, 9, 0xD5, 9])  # 300 = 128 + 128 + 44
    for r in range(2):
        piece = encoded[offsets[r] : offsets[r + 1]].tobytes()
        assert unpack_segment(piece, row.size) == matrix[r].tobytes()

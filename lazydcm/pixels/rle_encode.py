"""RLE Lossless encoding (PS3.5 Annex G), vectorised with numpy: no Python loop per row or run.

A frame becomes a 64-byte header (G.5: 16 little endian uint32 - the segment count, then the
offset of each segment from the start of the header, unused entries zero) followed by one
segment per byte plane: for each sample in turn, the most significant byte of the composite
pixel code first (G.2). Each segment is the plane's rows PackBits-encoded (G.3.1) - a replicate
run is a byte ``257 - n`` then the value repeated ``n`` (2..128) times, a literal run a byte
``n - 1`` then ``n`` (1..128) bytes - never crossing a row, and padded to even length with a
zero byte (G.5: every segment is of even length).

How the runs are chosen (equal bytes repeated 3 or more times become replicate runs, everything
else is gathered into literal runs of at most 128 bytes) is an encoder's choice; the decoder in
:mod:`lazydcm.pixels.rle` and every conforming decoder reads any such choice.

All planes of a frame are encoded in one pass: a plane's rows are laid end to end as rows of
one ``(segments * rows, columns)`` byte matrix, whose row boundaries are also the segment
boundaries, so runs are found and written for every segment at once.
"""

from __future__ import annotations

import numpy as np

from lazydcm.pixels.spec import PixelSpec

__all__ = ["encode_rle_frame", "packbits_rows", "byte_planes"]

_HEADER = 64  # PS3.5 G.5: 16 uint32
_MAX_SEGMENTS = 15  # PS3.5 G.5
_CHUNK = 128  # PS3.5 G.3.1: at most 128 bytes per run
_BLOCK = 1 << 18  # input bytes per vectorised pass (bounds the index arrays to a few MiB)


def byte_planes(arr: np.ndarray, spec: PixelSpec) -> np.ndarray:
    """The frame's byte planes in segment order (PS3.5 G.2), shape
    ``(samples * bytes_per_sample, rows, columns)``, dtype ``uint8``.

    ``arr`` has shape :attr:`PixelSpec.frame_shape` (samples last, whatever the Planar
    Configuration); integer values wider than Bits Allocated are truncated to its width, as are
    negative values (two's complement, PS3.5 8.1.1). Bits Allocated 1 is stored one pixel per
    byte (G.2 pads the composite pixel code to whole bytes).

    Raises ``ValueError`` when the shape is not the frame's or the dtype is not integer/bool.
    """
    arr = np.asarray(arr)
    if arr.shape != spec.frame_shape:
        raise ValueError(f"array shape {arr.shape} is not the frame shape {spec.frame_shape}")
    if arr.dtype.kind not in "iub":
        raise ValueError(f"RLE Lossless encodes integer samples, not dtype {arr.dtype}")
    per_sample = max(1, spec.bits_allocated // 8)
    samples = spec.samples_per_pixel
    if arr.dtype.kind == "b" or arr.dtype.itemsize != per_sample:
        arr = arr.astype(f"<u{per_sample}")
    little = arr.astype(arr.dtype.newbyteorder("<"), copy=False)
    raw = np.ascontiguousarray(little).view(np.uint8)
    raw = raw.reshape(spec.rows, spec.columns, samples, per_sample)
    # (sample, byte rank from the most significant, rows, columns)
    planes = raw.transpose(2, 3, 0, 1)[:, ::-1]
    return np.ascontiguousarray(planes).reshape(samples * per_sample, spec.rows, spec.columns)


def packbits_rows(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """PackBits-encode every row of a ``(n, width)`` ``uint8`` matrix, runs never crossing a
    row (PS3.5 G.3.1).

    Returns ``(encoded, row_offsets)``: the encoded rows laid end to end (``uint8``) and the
    ``n + 1`` offsets (``int64``) where each row's encoding starts, the last being the total.
    """
    matrix = np.ascontiguousarray(matrix, dtype=np.uint8)
    nrows, width = matrix.shape
    if nrows == 0 or width == 0:
        return np.zeros(0, np.uint8), np.zeros(nrows + 1, np.int64)
    flat = matrix.reshape(-1)
    size = flat.size
    # Runs of equal bytes; every row start is a run start.
    boundary = np.empty(size, dtype=bool)
    boundary[0] = True
    np.not_equal(flat[1:], flat[:-1], out=boundary[1:])
    boundary[::width] = True
    starts = np.flatnonzero(boundary)
    lengths = np.diff(np.append(starts, size))
    replicate = lengths >= 3

    # Replicate runs -> chunks of 128; a remainder of 1 is avoided by ending ..., 127, 2.
    rep_start = starts[replicate]
    rep_len = lengths[replicate]
    rep_chunks = -(-rep_len // _CHUNK)
    run_of_chunk = np.repeat(np.arange(rep_len.size), rep_chunks)
    first_chunk = np.cumsum(rep_chunks) - rep_chunks
    j = np.arange(run_of_chunk.size) - first_chunk[run_of_chunk]
    n_chunks = rep_chunks[run_of_chunk]
    rem = (rep_len % _CHUNK)[run_of_chunk]
    chunk_len = np.full(run_of_chunk.size, _CHUNK, dtype=np.int64)
    last = j == n_chunks - 1
    chunk_len[last & (rem >= 2)] = rem[last & (rem >= 2)]
    chunk_len[last & (rem == 1)] = 2
    chunk_len[(j == n_chunks - 2) & (rem == 1)] = _CHUNK - 1
    before = np.cumsum(chunk_len) - chunk_len
    chunk_start = rep_start[run_of_chunk] + before - before[first_chunk][run_of_chunk]

    # Literal groups: consecutive short runs within a row, split into chunks of 128.
    literal_byte = ~np.repeat(replicate, lengths)
    lit_pos = np.flatnonzero(literal_byte)
    if lit_pos.size:
        new_group = np.ones(lit_pos.size, dtype=bool)
        new_group[1:] = (np.diff(lit_pos) != 1) | (lit_pos[1:] % width == 0)
        group_first = np.flatnonzero(new_group)
        rank = np.arange(lit_pos.size) - np.repeat(
            group_first, np.diff(np.append(group_first, lit_pos.size))
        )
        chunk_head = new_group | (rank % _CHUNK == 0)
        lit_first = np.flatnonzero(chunk_head)
        lit_len = np.diff(np.append(lit_first, lit_pos.size))
        lit_start = lit_pos[lit_first]
    else:
        lit_first = lit_len = lit_start = np.zeros(0, np.int64)

    # All chunks in input order; each writes a header byte then its value byte(s).
    tok_start = np.concatenate((chunk_start, lit_start))
    tok_head = np.concatenate(((257 - chunk_len).astype(np.uint8), (lit_len - 1).astype(np.uint8)))
    tok_size = np.concatenate((np.full(chunk_len.size, 2, np.int64), lit_len + 1))
    order = np.argsort(tok_start, kind="stable")
    out_offset = np.empty(order.size, dtype=np.int64)
    sizes = tok_size[order]
    out_offset[order] = np.cumsum(sizes) - sizes
    total = int(sizes.sum())
    out = np.empty(total, dtype=np.uint8)
    out[out_offset] = tok_head
    n_rep = chunk_len.size
    out[out_offset[:n_rep] + 1] = flat[chunk_start]
    if lit_pos.size:
        shift = np.repeat(out_offset[n_rep:] + 1 - lit_start, lit_len)
        out[lit_pos + shift] = flat[lit_pos]
    # Where each row's encoding starts: the output offset of the row's first chunk.
    row_first = np.arange(nrows, dtype=np.int64) * width
    at = np.searchsorted(tok_start[order], row_first)
    row_offsets = np.append(out_offset[order][at], total)
    return out, row_offsets


def _packbits_blocks(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`packbits_rows` over blocks of rows of about :data:`_BLOCK` bytes, joined: the
    index arrays of one pass take ~40 bytes per input byte, so blocks bound the working memory
    (a few MiB) whatever the frame size."""
    nrows, width = matrix.shape
    step = max(1, _BLOCK // max(1, width))
    if nrows <= step:
        return packbits_rows(matrix)
    pieces, offsets, total = [], [np.zeros(1, np.int64)], 0
    for first in range(0, nrows, step):
        encoded, rows = packbits_rows(matrix[first : first + step])
        pieces.append(encoded)
        offsets.append(rows[1:] + total)
        total += int(rows[-1])
    return np.concatenate(pieces), np.concatenate(offsets)


def encode_rle_frame(arr: np.ndarray, spec: PixelSpec) -> bytes:
    """One frame as RLE Lossless bytes (PS3.5 Annex G): header, then even-length segments.

    ``arr`` has shape :attr:`PixelSpec.frame_shape`; see :func:`byte_planes` for the values.
    Returns a new ``bytes`` of even length.

    Raises ``ValueError`` for a wrong shape/dtype or a layout needing more than 15 segments
    (e.g. 3 samples of 64 bits; G.5 allows 15).
    """
    per_sample = max(1, spec.bits_allocated // 8)
    count = per_sample * spec.samples_per_pixel
    if count > _MAX_SEGMENTS:
        raise ValueError(
            f"{spec.samples_per_pixel} sample(s) of {spec.bits_allocated} bits need {count} "
            "RLE segments; PS3.5 G.5 allows at most 15"
        )
    planes = byte_planes(arr, spec)
    encoded, row_offsets = _packbits_blocks(planes.reshape(count * spec.rows, spec.columns))
    seg_bounds = row_offsets[:: spec.rows] if spec.rows else np.zeros(count + 1, np.int64)
    seg_len = np.diff(seg_bounds)
    padded = seg_len + seg_len % 2  # PS3.5 G.5: segments of even length
    offsets = _HEADER + np.cumsum(padded) - padded
    header = np.zeros(16, dtype="<u4")
    header[0] = count
    header[1 : count + 1] = offsets
    out = np.zeros(_HEADER + int(padded.sum()), dtype=np.uint8)
    out[:_HEADER] = header.view(np.uint8)
    for i in range(count):  # each segment at its offset; the pad bytes stay zero
        start = int(offsets[i])
        out[start : start + int(seg_len[i])] = encoded[seg_bounds[i] : seg_bounds[i + 1]]
    return out.tobytes()

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

    The per-byte work is boolean (one byte per input byte): replicate runs are found where a
    byte equals the next two in its row, and only their ends - few on noisy data, few per row
    on smooth data - become index arrays. The input is then cut into *spans* (a replicate run,
    or the literal bytes between runs and row starts), each span into chunks of at most 128,
    and the output is the kept bytes (all literal bytes, one byte per replicate chunk) with a
    header byte inserted before each chunk.
    """
    matrix = np.ascontiguousarray(matrix, dtype=np.uint8)
    nrows, width = matrix.shape
    if nrows == 0 or width == 0:
        return np.zeros(0, np.uint8), np.zeros(nrows + 1, np.int64)
    flat = matrix.reshape(-1)
    size = flat.size
    # triple[r, j]: bytes j, j+1, j+2 of row r are equal; a False column after each row keeps
    # runs inside their row when the matrix is read flat.
    triple = np.zeros((nrows, width + 1), dtype=bool)
    if width >= 3:
        eq = matrix[:, 1:] == matrix[:, :-1]
        np.logical_and(eq[:, 1:], eq[:, :-1], out=triple[:, : width - 2])
    t = triple.reshape(-1)
    # Changes of t alternate rise, fall (t ends False); a rise at 0 is not a change.
    change = np.flatnonzero(t[1:] != t[:-1]) + 1
    if t[0]:
        ups, downs = np.concatenate(([0], change[1::2])), change[0::2]
    else:
        ups, downs = change[0::2], change[1::2]  # downs: one past the last triple start
    # padded positions -> input positions (row r starts at r * (width + 1) when padded)
    rep_start = ups - ups // (width + 1)
    rep_len = downs - ups + 2
    row_first = np.arange(nrows, dtype=np.int64) * width

    # A byte is in a replicate run when a triple starts at it or at one of the two before it.
    covered = triple[:, :width].copy()
    covered[:, 1:] |= triple[:, : width - 1]
    covered[:, 2:] |= triple[:, : max(0, width - 2)]
    covered = covered.reshape(-1)

    # Spans of one kind tile the input: they start at row starts and replicate run starts and
    # ends (runs alternate start, end: one sorted array; row starts merged in); then chunks
    # start every 128 bytes inside the few spans longer than that.
    ends = np.stack((rep_start, rep_start + rep_len), axis=1).reshape(-1)
    spans = np.insert(ends, np.searchsorted(ends, row_first), row_first)
    spans = spans[np.append(spans[1:] != spans[:-1], spans[-1] != size)]
    span_len = np.diff(np.append(spans, size))
    long = np.flatnonzero(span_len > _CHUNK)
    if long.size:
        l_start, l_len = spans[long], span_len[long]
        extra = (l_len - 1) // _CHUNK  # chunk starts inside each long span
        k = np.arange(int(extra.sum())) - np.repeat(np.cumsum(extra) - extra, extra) + 1
        at = np.repeat(l_start, extra) + k * _CHUNK
        # a replicate remainder of 1 is avoided by ending ..., 127, 2 (G.3.1 runs are >= 2)
        tail_one = np.repeat(covered[l_start] & (l_len % _CHUNK == 1), extra)
        tail_one &= k == np.repeat(extra, extra)
        at[tail_one] -= 1
        chunk_start = np.insert(spans, np.searchsorted(spans, at), at)  # both sorted
    else:
        chunk_start = spans
    chunk_len = np.diff(np.append(chunk_start, size))
    rep = covered[chunk_start]

    # Kept input bytes: everything outside replicate runs, plus each replicate chunk's value;
    # the output is those bytes with a header byte before each chunk.
    keep = ~covered
    keep[chunk_start[rep]] = True
    kept = flat[keep]
    heads = (chunk_len - 1).astype(np.uint8)
    heads[rep] = (257 - chunk_len[rep]).astype(np.uint8)
    sizes = chunk_len + 1
    sizes[rep] = 2
    out_offset = np.cumsum(sizes) - sizes
    total = int(out_offset[-1] + sizes[-1])
    out = np.empty(total, dtype=np.uint8)
    body = np.ones(total, dtype=bool)
    body[out_offset] = False
    out[out_offset] = heads
    out[body] = kept
    # every row start is a chunk start
    row_offsets = np.append(out_offset[np.searchsorted(chunk_start, row_first)], total)
    return out, row_offsets


def _packbits_blocks(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`packbits_rows` over blocks of rows of about :data:`_BLOCK` bytes, joined: the
    working arrays of one pass take a few bytes per input byte plus ~100 per run (tens per byte
    when runs are 3 bytes long), so blocks bound the working memory (a few MiB) whatever the
    frame size."""
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

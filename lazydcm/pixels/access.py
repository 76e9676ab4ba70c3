"""Pixel access for a ``Dataset``: ``pixel_array``, ``frame``, ``iter_frames``, ``frame_bytes``,
``to_image``.

This module joins the dataset (model/) to the pixel functions: it finds the pixel element, builds
the ``PixelSpec``, and hands the element's bytes to ``native_array`` (native syntaxes) or the frame
index and codecs (encapsulated syntaxes).

Every function gives the same result whatever state the pixel element is in: a value still in
the file is read through the mapping (also after ``ds.PixelData`` was read); a value assigned in
code (bytes in the dataset's byte order, a numpy array, or encapsulated items with or without a
trailing Sequence Delimitation Item) is read from memory.

Lifetimes: for a file-backed native dataset, arrays are views over a private copy-on-write
mapping of the file (``Source.cow_view``): writing into them never reaches the file and copies
only the pages written; they stay valid after the dataset is closed (the mapping lives as long as
the array). Encapsulated frames are decoded into new arrays.

Ranged sources (URLs, file objects read by range; ``lazydcm.io.ranged``) fetch what these
functions read and nothing else: ``frame(k)`` and ``iter_frames`` fetch each native frame's
blocks, or one encapsulated frame's fragments (after the item headers alone); ``pixel_array``
fetches the whole pixel value first.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from lazydcm.errors import InvalidDicomError, RemoteReadError
from lazydcm.io.encaps import frame_ranges, parse_fragments
from lazydcm.io.ranged import RangedSource
from lazydcm.io.source import Source
from lazydcm.io.syntax import EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE, layout_for
from lazydcm.pixels.encapsulated import decode_frames
from lazydcm.pixels.encapsulated import frame_bytes as _frame_bytes
from lazydcm.pixels.frameindex import IndexedFrameRanges
from lazydcm.pixels.lazy import PixelArray
from lazydcm.pixels.native import native_array
from lazydcm.pixels.render import to_display
from lazydcm.pixels.spec import PIXEL_TAGS, PixelSpec

__all__ = [
    "pixel_array",
    "frame",
    "iter_frames",
    "frame_bytes",
    "to_image",
    "pixel_spec",
    "is_encapsulated",
]

_KIND_BY_TAG = {tag: kind for kind, tag in PIXEL_TAGS.items()}
_EOT, _EOT_LENGTHS = 0x7FE00001, 0x7FE00002
_SEQ_DELIM = b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"  # (FFFE,E0DD), length 0


def _pixel_element(ds: Any) -> tuple[Any, str]:
    for tag in (0x7FE00010, 0x7FE00008, 0x7FE00009):
        if tag in ds:
            return ds[tag], _KIND_BY_TAG[tag]
    raise AttributeError(
        "the dataset has no Pixel Data, Float Pixel Data or Double Float Pixel Data element"
    )


def _transfer_syntax(ds: Any) -> str:
    meta = ds.file_meta
    if meta is not None and 0x00020010 in meta and meta[0x00020010].value:
        return str(meta[0x00020010].value).strip("\0 ")
    if ds.is_implicit_VR:
        return IMPLICIT_LE
    return EXPLICIT_BE if ds.is_little_endian is False else EXPLICIT_LE


def _compressed_syntax(ds: Any, elem: Any) -> str:
    """The transfer syntax of encapsulated pixel data; encapsulated data under a native syntax
    is bad input (PS3.5 A.4: only encapsulated syntaxes encapsulate)."""
    uid = _transfer_syntax(ds)
    if not layout_for(uid).encapsulated:
        raise InvalidDicomError(
            f"pixel data is encapsulated (undefined length) but the transfer syntax {uid} is "
            "native (PS3.5 A.4)",
            tag=int(elem.tag),
            offset=elem.header_offset,
        )
    return uid


def is_encapsulated(ds: Any) -> bool:
    """True when the dataset's pixel data is encapsulated (compressed frames in items)."""
    elem, _ = _pixel_element(ds)
    if elem.record is not None and not elem.is_modified:
        return bool(elem.record.undefined_length)
    return layout_for(_transfer_syntax(ds)).encapsulated


def _from_file(elem: Any) -> bool:
    """True when the element's value is still the bytes of its file: it has a scan record and
    was neither assigned nor changed in place. Reading the value (``ds.PixelData``) does not
    change this; pixel functions then read the mapping, exactly as before the value was read."""
    if elem.record is None or elem.is_modified:
        return False
    return not (elem.is_decoded and elem.changed_in_place())


def _little_endian(ds: Any) -> bool:
    return ds.is_little_endian if ds.is_little_endian is not None else True


def pixel_spec(ds: Any) -> PixelSpec:
    """The pixel layout of ``ds`` (Image Pixel module + the pixel element's VR).

    The byte order is the dataset's, also for a value assigned in code: bytes set as Pixel Data
    are in the dataset's byte order, as the writer saves them (PS3.5 7.3) and as pydicom reads
    them; an assigned numpy array is brought to that order first (see ``_value_bytes``).

    Raises InvalidDicomError naming the element when a required attribute is missing/invalid.
    """
    elem, kind = _pixel_element(ds)
    return PixelSpec.from_dataset(ds, little_endian=_little_endian(ds), kind=kind, pixel_vr=elem.VR)


def _value_bytes(ds: Any, elem: Any) -> bytes | bytearray | memoryview:
    """The bytes of an in-memory pixel value, in the dataset's byte order."""
    value = elem.value
    if isinstance(value, np.ndarray):
        arr = np.ascontiguousarray(value)
        if arr.dtype.itemsize > 1:
            order = "<" if _little_endian(ds) else ">"
            arr = np.ascontiguousarray(arr.astype(arr.dtype.newbyteorder(order), copy=False))
        return memoryview(arr).cast("B")
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise InvalidDicomError(
            f"pixel data has VR {elem.VR}, whose value is not bytes (PS3.5 A.1: OB or OW)",
            tag=int(elem.tag),
            offset=elem.header_offset,
        )
    return value


def _native_buffer(ds: Any, elem: Any, fetch: Any = None) -> Any:
    """The whole value as a writable buffer: a private copy-on-write mapping of the file's
    bytes (no page is read or copied until used) or a copy of the in-memory value.

    On a ranged source the mapping is of its local spool: ``fetch`` is None (fetch the whole
    value first) or a list of frame numbers whose bytes alone are fetched first; only those
    frames may then be read from the returned buffer (other bytes may read as zeros)."""
    if not _from_file(elem):
        return memoryview(bytearray(_value_bytes(ds, elem)))
    rec = elem.record
    ds._check_truncated(rec)
    source = ds._ctx.source
    start, length = int(rec.value_offset), int(rec.length)
    if not isinstance(source, RangedSource):  # mapped or in memory: every byte is there
        return source.cow_view(start, length)
    spec = pixel_spec(ds)
    try:
        if fetch is None:
            source.ensure(start, length)
        else:
            for k in fetch:
                # exactly frame k's bytes, from and to a word boundary of the whole value (OW
                # words are swapped across frame boundaries when a frame has an odd size)
                if spec.bits_allocated == 1:
                    first = k * spec.samples_per_frame // 8
                    stop = -(-(k + 1) * spec.samples_per_frame // 8)
                else:
                    first, stop = k * spec.frame_nbytes, (k + 1) * spec.frame_nbytes
                first, stop = first & ~1, min(length, stop + (stop & 1))
                source.fetch_exact(start + first, stop - first)
    except RemoteReadError as exc:
        raise exc.for_tag(int(elem.tag)) from exc
    return Source.cow_view(source, start, length)  # the spool, no fetch


def _file_frame_index(ds: Any, elem: Any, spec: PixelSpec) -> Any:
    """The ``FrameIndex`` given to ``dcmread`` when it applies to ``elem`` as read (checked
    against the file: ``SourceChangedError`` when it does not fit), else None."""
    index = ds.__dict__.get("_frame_index")
    if index is None or not _from_file(elem) or ds.source is not ds.file_source:
        return None
    index.check_pixels(int(elem.record.value_offset), spec.frames, ds.filename or "the file")
    return index


def _frame_ranges(
    ds: Any, elem: Any, spec: PixelSpec, *, use_index: bool = True
) -> tuple[Any, Any]:
    """(buffer, fragments of each frame) for encapsulated pixel data, cached on the dataset
    for this element and value (a new value, assigned or set in place, is parsed anew).

    With a frame index (``dcmread(..., frame_index=)``) the fragments of frame k are read from
    inside frame k's indexed range when it is asked for, and nothing else is scanned."""
    from_file = _from_file(elem)
    value = None if from_file else elem.value
    cached = ds.__dict__.get("_frame_ranges_cache")
    if (
        cached is not None
        and cached[0] is elem
        and cached[1] is value
        and (use_index or isinstance(cached[3], list))
    ):
        return cached[2], cached[3]
    index = _file_frame_index(ds, elem, spec) if use_index else None
    if index is not None:
        ranges = IndexedFrameRanges(ds.source, index)
        object.__setattr__(ds, "_frame_ranges_cache", (elem, value, ds.source.buffer, ranges))
        return ds.source.buffer, ranges
    rec = elem.record if from_file else None
    if from_file:
        ds._check_truncated(rec)
        start, end = int(rec.value_offset), int(rec.end)
        _fetch_items(ds._ctx.source, start, end)
        buf = ds._ctx.source.buffer
    else:
        buf = bytes(_value_bytes(ds, elem))
        start, end = 0, len(buf)
    frags = parse_fragments(
        buf, start, end, little_endian=True, tag=int(elem.tag), delimited=from_file
    )
    eot = ds.get(_EOT)
    eot_lengths = ds.get(_EOT_LENGTHS)
    offsets = np.frombuffer(bytes(eot.value), "<u8").tolist() if eot is not None else None
    lengths = (
        np.frombuffer(bytes(eot_lengths.value), "<u8").tolist() if eot_lengths is not None else None
    )
    if (
        rec is not None
        and len(frags.items) > spec.frames > 1
        and not (offsets or len(frags.bot) == spec.frames)
    ):
        # frame boundaries may come from markers: a ranged source fetches fragment ends only
        for offset, length in frags.items:
            ds._ctx.source.ensure(offset, min(length, 8))
            ds._ctx.source.ensure(offset + max(0, length - 3), min(length, 3))
    ranges = frame_ranges(frags, spec.frames, eot_offsets=offsets, eot_lengths=lengths, buf=buf)
    object.__setattr__(ds, "_frame_ranges_cache", (elem, value, buf, ranges))
    return buf, ranges


def _fetch_items(source: Any, start: int, end: int) -> None:
    """Let a ranged source fetch the item headers of encapsulated pixel data in [start, end)
    (8 bytes each, with readahead, plus the Basic Offset Table) - not fragment contents."""
    if isinstance(source, RangedSource):
        source.walk_items(start, end)
        source.ensure(end - 8, 8, metadata=True)  # the sequence delimiter


def _fetch_frames(ds: Any, elem: Any, ranges: Any, frames: Any) -> None:
    """Let a ranged source fetch exactly the fragments of ``frames`` (no-op when mapped)."""
    if not _from_file(elem):
        return
    source = ds._ctx.source
    try:
        for k in frames:
            for offset, length in ranges[k]:
                source.ensure(offset, length)
    except RemoteReadError as exc:
        raise exc.for_tag(int(elem.tag)) from exc


def pixel_array(ds: Any) -> PixelArray | np.ndarray:
    """All frames as one array, shape (frames, rows, cols[, samples]); no frame axis for a
    single frame; dtype :attr:`PixelSpec.array_dtype` (native byte order); values equal to
    pydicom 3's ``pixel_array`` (unused high bits corrected, YBR_FULL as RGB).

    Native pixel data: a :class:`~lazydcm.pixels.lazy.PixelArray`, made in O(1) whatever the
    size of the data: frames are read (and their unused bits corrected) when an index or an
    operation touches them. It is writable; edits never reach the file. For native byte order
    and 8-64 bits allocated every result is a view of one private copy-on-write mapping of the
    pixel value, which lives as long as any array taken from it (closing the dataset does not
    end it). See :mod:`lazydcm.pixels.lazy`.

    Encapsulated: a ``numpy.ndarray``; every frame is decoded into one new array of
    ``frames × rows × cols × samples × itemsize`` bytes.

    The result is the same whatever state the Pixel Data element is in: untouched in the file,
    its value read, the same or new bytes assigned (bytes in the dataset's byte order, or a
    numpy array), or after save and reopen.

    Raises:
        AttributeError: no pixel element.
        InvalidDicomError: inconsistent image attributes or bytes (too few bytes, fragments).
        MissingCodecError: compressed data and no decoder installed.
    """
    elem, _ = _pixel_element(ds)
    spec = pixel_spec(ds)
    if is_encapsulated(ds):
        buf, ranges = _frame_ranges(ds, elem, spec)
        _fetch_frames(ds, elem, ranges, range(len(ranges)))
        return decode_frames(buf, ranges, spec, _compressed_syntax(ds, elem))
    return PixelArray(_native_buffer(ds, elem), spec)


def frame(ds: Any, index: int) -> np.ndarray:
    """Frame ``index`` (negative counts from the end) as a ``numpy.ndarray`` equal to
    ``pixel_array[index]``: for native data in the file the frame of a :class:`PixelArray` (a
    view over a copy-on-write mapping where the layout allows, reading only that frame's
    pages); for a native value assigned in code a new array holding that frame only; for
    encapsulated data only that frame's fragments are read and decoded.

    Raises IndexError for a frame out of range, else as :func:`pixel_array`.
    """
    elem, _ = _pixel_element(ds)
    spec = pixel_spec(ds)
    if is_encapsulated(ds):
        buf, ranges = _frame_ranges(ds, elem, spec)
        if -len(ranges) <= index < len(ranges):
            _fetch_frames(ds, elem, ranges, [index])
        return decode_frames(buf, ranges, spec, _compressed_syntax(ds, elem), frame=index)
    cached = ds.__dict__.get("_pixel_cache")
    if isinstance(cached, PixelArray):
        return cached.frame(index)
    if not _from_file(elem):  # a value in memory: copy out this frame, not the whole value
        return np.array(native_array(_value_bytes(ds, elem), spec, frame=index))
    _file_frame_index(ds, elem, spec)  # a stale index fails here too
    if not -spec.frames <= index < spec.frames:
        raise IndexError(f"frame {index} out of range for {spec.frames} frame(s)")
    fetch = [index % spec.frames]
    return PixelArray(_native_buffer(ds, elem, fetch), spec).frame(index)


_frame_at = frame  # for to_image, whose ``frame`` argument shadows the function


def iter_frames(ds: Any) -> Iterator[np.ndarray]:
    """Each frame in turn (see :func:`frame`)."""
    elem, _ = _pixel_element(ds)
    spec = pixel_spec(ds)
    cached = ds.__dict__.get("_pixel_cache")
    if is_encapsulated(ds) or isinstance(cached, PixelArray):
        for k in range(spec.frames):
            yield frame(ds, k)
        return
    if not _from_file(elem):
        for k in range(spec.frames):
            yield frame(ds, k)
        return
    if isinstance(ds._ctx.source, RangedSource):  # fetch frame by frame
        for k in range(spec.frames):
            yield frame(ds, k)
        return
    arr = PixelArray(_native_buffer(ds, elem), spec)
    for k in range(spec.frames):
        yield arr.frame(k)


def frame_bytes(ds: Any, index: int) -> bytes:
    """The compressed bytes of frame ``index`` (its fragments joined), reading only them.

    Raises ValueError for native (not encapsulated) pixel data.
    """
    elem, _ = _pixel_element(ds)
    if not is_encapsulated(ds):
        raise ValueError(
            "frame_bytes() is for encapsulated pixel data; use frame() for native data"
        )
    spec = pixel_spec(ds)
    buf, ranges = _frame_ranges(ds, elem, spec)
    _fetch_frames(ds, elem, ranges, [index])
    return _frame_bytes(buf, ranges[index])


def to_image(ds: Any, *, frame: int | None = None, window: Any = None) -> np.ndarray:
    """Frame ``frame`` (default the first) through modality LUT, VOI (window or LUT; min/max
    without one), presentation LUT / MONOCHROME1 inversion and palette, as ``uint8``
    (rows, cols) or (rows, cols, 3)."""
    arr = _frame_at(ds, 0 if frame is None else frame)
    return to_display(arr, ds, window=window, little_endian=_little_endian(ds))

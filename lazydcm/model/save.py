"""Saving: the whole-file plan (preamble, meta group, dataset) handed to ``io.writer``.

``file_plan(ds)`` is inspectable: it returns the source the ``Copy`` segments refer to and the
segments themselves. ``save(ds, dest)`` executes it atomically (``io.writer.write_plan``).
"""

from __future__ import annotations

import zlib
from typing import Any

import attrs

from lazydcm.io.source import Source
from lazydcm.io.syntax import EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE, ByteLayout, layout_for
from lazydcm.io.writer import Copy, Emit, Segment, coalesce, write_plan, write_plan_bytes
from lazydcm.model._transcode_plan import needs_transcode, transcoded_copy
from lazydcm.model.dataset import Dataset
from lazydcm.model.element import DataElement, is_buffer
from lazydcm.model.plan import Planner, segments_size
from lazydcm.model.uid import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME

__all__ = ["FilePlan", "file_plan", "save", "to_bytes"]

_META_LAYOUT = ByteLayout(implicit_vr=False, little_endian=True)  # PS3.10 7.1
_PIXEL_DATA = 0x7FE00010


@attrs.frozen
class FilePlan:
    """What ``save`` will do: copy ``Copy`` ranges of ``source`` and write ``Emit`` bytes.

    Attributes:
        source: the source the copies read from (None for a dataset built in code).
        segments: the ordered segments of the whole file.
        transfer_syntax: the syntax the dataset is written in.
    """

    source: Source | None
    segments: list[Segment]
    transfer_syntax: str

    @property
    def size(self) -> int:
        return segments_size(self.segments)

    @property
    def copied_bytes(self) -> int:
        return sum(s.stop - s.start for s in self.segments if isinstance(s, Copy))

    @property
    def emitted_bytes(self) -> int:
        return sum(len(s.data) for s in self.segments if isinstance(s, Emit))


def _source_ts(ds: Dataset) -> str | None:
    """The syntax the dataset was read in: the meta group's, else the one the scanner
    sniffed from the bytes (a file without meta, or whose meta lacks (0002,0010))."""
    meta = getattr(ds, "file_meta", None)
    if meta is not None and 0x00020010 in meta:
        value = meta[0x00020010].value
        if value:
            return str(value).strip("\0 ")
    layout = getattr(ds, "_layout", None)
    if layout is None:
        return None
    if layout.implicit_vr:
        return IMPLICIT_LE
    return EXPLICIT_LE if layout.little_endian else EXPLICIT_BE


def _syntax_changed(ds: Dataset) -> bool:
    """True when (0002,0010) was set after reading (``compress``/``decompress`` or by hand):
    the dataset is then written in that syntax's layout, not the one it was read in."""
    meta = getattr(ds, "_file_meta", None)
    if meta is None or 0x00020010 not in meta:
        return False
    elem = meta[0x00020010]
    return elem.record is None or elem.is_modified


def _pixel_syntax(ds: Dataset, meta_ts: str | None) -> str | None:
    """The syntax Pixel Data's bytes are in: as read while the element is untouched (even when
    (0002,0010) was changed since), else the meta's (the value set goes with it)."""
    if _PIXEL_DATA not in ds:
        return meta_ts
    elem = ds[_PIXEL_DATA]
    if elem.record is None or elem.is_modified or not _syntax_changed(ds):
        return meta_ts
    read = getattr(ds, "transfer_syntax_uid", None)
    return str(read).strip("\0 ") if read else meta_ts


def _source_layout(ds: Dataset) -> ByteLayout | None:
    layout = getattr(ds, "_layout", None)
    if layout is not None:
        return layout
    if ds.is_little_endian is None:
        return None
    return ByteLayout(implicit_vr=bool(ds.is_implicit_VR), little_endian=ds.is_little_endian)


def _meta_elements(ds: Dataset, ts: str) -> Dataset:
    """A fresh group 0002 dataset: the user's meta with defaults filled and the syntax set."""
    meta = Dataset()
    if getattr(ds, "file_meta", None) is not None:
        for elem in ds.file_meta:
            if elem.tag == 0x00020000:
                continue
            try:
                meta.add(DataElement(elem.tag, elem.VR, elem.value))
            except ValueError:  # a value as read that assignment would refuse: kept as is
                meta.add(elem)
    meta.add(DataElement(0x00020010, "UI", ts))
    if 0x00020001 not in meta:
        meta.add(DataElement(0x00020001, "OB", b"\x00\x01"))  # PS3.10 7.1
    if 0x00020002 not in meta and "SOPClassUID" in ds:
        meta.add(DataElement(0x00020002, "UI", ds.SOPClassUID))
    if 0x00020003 not in meta and "SOPInstanceUID" in ds:
        meta.add(DataElement(0x00020003, "UI", ds.SOPInstanceUID))
    if 0x00020012 not in meta:
        meta.add(DataElement(0x00020012, "UI", IMPLEMENTATION_CLASS_UID))
        meta.add(DataElement(0x00020013, "SH", IMPLEMENTATION_VERSION_NAME))
    return meta


def _fresh_head(ds: Dataset, ts: str) -> list[Segment]:
    preamble = getattr(ds, "preamble", None) or b"\0" * 128
    if len(preamble) != 128:
        raise ValueError(f"the preamble must be 128 bytes, not {len(preamble)}")
    meta = _meta_elements(ds, ts)
    planner = Planner(_META_LAYOUT, same_layout=False)
    body = write_plan_bytes(_NO_SOURCE, [s for e in meta for s in planner.encode(meta, e)])
    group_length = planner._header(0x00020000, "UL", 4) + len(body).to_bytes(4, "little")
    return [Emit(bytes(preamble) + b"DICM" + group_length + body)]


class _NoSource:
    """Stands in for a source when a plan has no Copy segments."""

    buffer = memoryview(b"")
    size = 0

    def fileno(self) -> None:
        return None


_NO_SOURCE = _NoSource()


def _partial(ds: Dataset) -> bool:
    """True for a dataset read with ``stop_before_pixels`` or ``specific_tags``: its index
    does not cover its byte range, so only the elements it shows are written."""
    options = getattr(ds, "_options", None)
    return options is not None and (options.stop_before_pixels or options.specific_tags is not None)


def _check_pixel_length(ds: Dataset, layout: ByteLayout) -> None:
    """An edited native Pixel Data must match Rows × Columns × ... (PS3.5 8.1.1)."""
    elem = ds._edits.get(_PIXEL_DATA)
    if elem is None or layout.encapsulated:
        return
    try:
        rows, cols = int(ds.Rows), int(ds.Columns)
        bits = int(ds.BitsAllocated)
        samples = int(ds.get("SamplesPerPixel", 1) or 1)
        frames = int(ds.get("NumberOfFrames", 1) or 1)
    except (AttributeError, TypeError, ValueError):
        return  # not enough image attributes to check
    expected_bits = rows * cols * samples * frames * bits
    expected = (expected_bits + 7) // 8
    value = elem.value
    if is_buffer(value):  # an open file: the bytes from its position to its end
        position = value.tell()
        actual = value.seek(0, 2) - position
        value.seek(position)
    else:
        actual = value.nbytes if hasattr(value, "nbytes") else len(value)
    if actual not in (expected, expected + (expected % 2)):
        raise ValueError(
            f"Pixel Data (7FE0,0010) holds {actual} bytes but Rows {rows} × Columns {cols} × "
            f"Samples {samples} × Frames {frames} × {bits} bits needs {expected}: set the image "
            "attributes to match before saving"
        )


def file_plan(
    ds: Dataset,
    *,
    transfer_syntax: str | None = None,
    enforce_file_format: bool = False,
    drop_group_lengths: bool = False,
    progress: Any = None,
    encoder_options: dict[str, Any] | None = None,
) -> FilePlan:
    """The complete plan for writing ``ds`` as a file.

    A syntax change that changes the pixel encoding transcodes the pixel data one frame at a
    time (``progress(done, total)`` after each frame; ``encoder_options`` go to the codec).

    Raises ``ValueError`` for a value the target cannot encode or a pixel encoding lazydcm
    cannot produce, ``MissingCodecError`` for a codec not installed, or inconsistent pixel
    data length.
    """
    original_ts = _source_ts(ds)
    ts = str(transfer_syntax or original_ts or EXPLICIT_LE).strip("\0 ")
    source_layout = _source_layout(ds)
    # Written like the original, a dataset keeps the layout it was read in: that is the
    # transfer syntax's, or the one the scanner sniffed when the bytes contradicted it.
    if transfer_syntax is None and source_layout is not None and not _syntax_changed(ds):
        target = source_layout
    else:
        target = layout_for(ts)
    source: Source | None = getattr(ds, "source", None) if ds.index is not None else None

    if target.encapsulated and (0x7FE00008 in ds or 0x7FE00009 in ds):
        raise ValueError(
            "Float/Double Float Pixel Data cannot be encapsulated: only integer Pixel Data "
            "(7FE0,0010) has compressed transfer syntaxes (PS3.5 A.4)"
        )
    pixel_ts = _pixel_syntax(ds, original_ts)
    if _PIXEL_DATA in ds and needs_transcode(pixel_ts, ts):
        if pixel_ts != original_ts and layout_for(pixel_ts or EXPLICIT_LE).encapsulated:
            raise ValueError(
                f"(0002,0010) was changed to {original_ts} but Pixel Data is still encoded as "
                f"read ({pixel_ts}): use save_as(path, transfer_syntax=...) before changing it, "
                "or compress()/decompress()"
            )
        # The pixel encoding changes: encode frame by frame into a temporary file that the
        # writer streams; ``ds`` itself is left unchanged (model/_transcode_plan.py).
        ds = transcoded_copy(ds, ts, progress=progress, **(encoder_options or {}))
    _check_pixel_length(ds, target)

    same = (
        source_layout is not None
        and source is not None
        and source_layout.implicit_vr == target.implicit_vr
        and source_layout.little_endian == target.little_endian
    )
    planner = Planner(
        target,
        same_layout=same,
        encapsulated=target.encapsulated,
        drop_group_lengths=drop_group_lengths,
    )

    head: list[Segment]
    meta = getattr(ds, "file_meta", None)
    head_offset = getattr(ds, "dataset_offset", None)
    keep_head = (
        head_offset is not None
        and source is not None
        and (transfer_syntax is None or ts == original_ts)
        and (meta is None or not meta.is_dirty())
        and not (enforce_file_format and not getattr(ds, "preamble", None))
    )
    head = [Copy(0, head_offset)] if keep_head else _fresh_head(ds, ts)

    file_source = getattr(ds, "file_source", None)
    if (
        target.deflated
        and keep_head
        and file_source is not None
        and source_layout is not None
        and source_layout.deflated
        and not ds.is_dirty()
        and not _partial(ds)
    ):
        # An unchanged deflated file: its compressed bytes are copied, not deflated again.
        return FilePlan(file_source, [Copy(0, file_source.size)], ts)

    partial = _partial(ds)
    whole_stop = source.size if same and source is not None and not partial else None
    body = planner.dataset(ds, trailing_stop=whole_stop, whole=not partial)
    if target.deflated:
        raw = write_plan_bytes(source or _NO_SOURCE, body)
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)  # PS3.5 A.5: raw deflate, no header
        packed = packer.compress(raw) + packer.flush()
        if len(packed) % 2:
            packed += b"\0"
        body = [Emit(packed)]
    return FilePlan(source, coalesce(head + body), ts)


def save(
    ds: Dataset,
    dest: Any,
    *,
    transfer_syntax: str | None = None,
    enforce_file_format: bool = False,
    drop_group_lengths: bool = False,
    fsync: bool = True,
    progress: Any = None,
    encoder_options: dict[str, Any] | None = None,
) -> int:
    """Write ``ds`` to ``dest`` (a path — replaced atomically — or a binary file object).

    Returns the number of bytes written. Nothing is written if planning fails.
    """
    plan = file_plan(
        ds,
        transfer_syntax=transfer_syntax,
        enforce_file_format=enforce_file_format,
        drop_group_lengths=drop_group_lengths,
        progress=progress,
        encoder_options=encoder_options,
    )
    return write_plan(plan.source or _NO_SOURCE, plan.segments, dest, fsync=fsync)


def to_bytes(ds: Dataset, **options: Any) -> bytes:
    """The bytes ``save`` would write."""
    plan = file_plan(ds, **options)
    return write_plan_bytes(plan.source or _NO_SOURCE, plan.segments)

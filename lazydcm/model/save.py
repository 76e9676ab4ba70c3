"""Saving: the whole-file plan (preamble, meta group, dataset) handed to ``io.writer``.

``file_plan(ds)`` is inspectable: it returns the source the ``Copy`` segments refer to and the
segments themselves. ``save(ds, dest)`` executes it atomically (``io.writer.write_plan``).
"""

from __future__ import annotations

import zlib
from typing import Any

import attrs

from lazydcm.io.remote import is_url, write_plan_to_url
from lazydcm.io.source import Source
from lazydcm.io.syntax import EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE, ByteLayout, layout_for
from lazydcm.io.writer import Copy, Emit, Segment, coalesce, write_plan, write_plan_bytes
from lazydcm.model._transcode_plan import needs_transcode, transcoded_copy
from lazydcm.model.dataset import Dataset
from lazydcm.model.element import DataElement
from lazydcm.model.plan import Planner, segments_size
from lazydcm.model.uid import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME
from lazydcm.model.writecheck import check_write, checked_preamble

__all__ = ["FilePlan", "file_plan", "save", "to_bytes"]

_META_LAYOUT = ByteLayout(implicit_vr=False, little_endian=True)  # PS3.10 7.1
_PIXEL_DATA = 0x7FE00010
_ZERO_PREAMBLE = b"\0" * 128  # PS3.10 7.1: a preamble that is not used is all zero


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


def _read_ts(ds: Dataset) -> str | None:
    """The syntax the dataset's bytes were read in: the meta group's (0002,0010) as read, else
    the one the scanner sniffed from the bytes (a file without meta, or whose meta lacks
    (0002,0010)); None for a dataset built in code."""
    head = getattr(ds, "_head", None)
    if head is not None and head.transfer_syntax_uid:
        return str(head.transfer_syntax_uid).strip("\0 ")
    layout = getattr(ds, "_layout", None)
    if layout is None:
        return None
    if layout.implicit_vr:
        return IMPLICIT_LE
    return EXPLICIT_LE if layout.little_endian else EXPLICIT_BE


def _meta_ts(ds: Dataset) -> str | None:
    """The (0002,0010) value now in ``ds.file_meta`` (the user may have changed it), or None."""
    meta = getattr(ds, "file_meta", None)
    if meta is not None and 0x00020010 in meta:
        value = meta[0x00020010].value
        if value:
            return str(value).strip("\0 ")
    return None


def _pixel_syntax(ds: Dataset, meta_ts: str | None) -> str | None:
    """The syntax Pixel Data's bytes are in: the one read while the element is untouched
    (also when (0002,0010) was changed since; unchanged, the two are equal), else the meta's
    (a value set goes with it)."""
    if _PIXEL_DATA not in ds:
        return meta_ts
    elem = ds[_PIXEL_DATA]
    if elem.record is None or elem.is_modified:
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


def _fresh_head(ds: Dataset, ts: str, preamble: bytes | None) -> list[Segment]:
    meta = _meta_elements(ds, ts)
    planner = Planner(_META_LAYOUT, same_layout=False)
    body = write_plan_bytes(_NO_SOURCE, [s for e in meta for s in planner.encode(meta, e)])
    group_length = planner._header(0x00020000, "UL", 4) + len(body).to_bytes(4, "little")
    return [Emit((preamble or _ZERO_PREAMBLE) + b"DICM" + group_length + body)]


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

    The syntax written is ``transfer_syntax``, else the one in ``ds.file_meta`` (0002,0010),
    else the one the file was read in (Explicit VR Little Endian for a dataset built in code).
    When it differs from the syntax the bytes were read in, every element is re-encoded in it
    (as pydicom writes in the syntax of ``file_meta``); native pixel data is copied (byte
    swapped if needed), and a change of pixel encoding transcodes the pixel data one frame at a
    time (``progress(done, total)`` after each frame; ``encoder_options`` go to the codec). The
    preamble written is ``ds.preamble`` (None: 128 zero bytes).

    Raises ``ValueError`` before anything is written for a write that would produce an invalid
    file (``lazydcm.model.writecheck``: preamble, group 0002 outside the meta group, pixel data
    encoding vs syntax, pixel data length) or a pixel encoding lazydcm cannot produce, and while
    planning for a value the target cannot encode; ``MissingCodecError`` for a codec not
    installed.
    """
    read_ts = _read_ts(ds)
    ts = str(transfer_syntax or _meta_ts(ds) or read_ts or EXPLICIT_LE).strip("\0 ")
    same_syntax = read_ts is not None and ts == read_ts
    source_layout = _source_layout(ds)
    # Written in the syntax it was read in, a dataset keeps the layout it was read in: that is
    # the transfer syntax's, or the one the scanner sniffed when the bytes contradicted it.
    target = source_layout if same_syntax and source_layout is not None else layout_for(ts)
    source: Source | None = getattr(ds, "source", None) if ds.index is not None else None

    if target.encapsulated and (0x7FE00008 in ds or 0x7FE00009 in ds):
        raise ValueError(
            "Float/Double Float Pixel Data cannot be encapsulated: only integer Pixel Data "
            "(7FE0,0010) has compressed transfer syntaxes (PS3.5 A.4)"
        )
    meta_ts = _meta_ts(ds) or read_ts
    pixel_ts = _pixel_syntax(ds, meta_ts)
    if _PIXEL_DATA in ds and needs_transcode(pixel_ts, ts):
        if pixel_ts != meta_ts and layout_for(pixel_ts or EXPLICIT_LE).encapsulated:
            raise ValueError(
                f"(0002,0010) was changed to {meta_ts} but Pixel Data is still encoded as "
                f"read ({pixel_ts}): use save_as(path, transfer_syntax=...) before changing it, "
                "or compress()/decompress()"
            )
        # The pixel encoding changes: encode frame by frame into a temporary file that the
        # writer streams; ``ds`` itself is left unchanged (model/_transcode_plan.py).
        ds = transcoded_copy(ds, ts, progress=progress, **(encoder_options or {}))
        read_ts = _read_ts(ds)
    check_write(ds, read_ts=read_ts, ts=ts, target=target)
    preamble = checked_preamble(ds)

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
    file_head = getattr(ds, "_head", None)
    read_preamble = file_head.preamble if file_head is not None else None
    keep_head = (
        head_offset is not None
        and source is not None
        and same_syntax
        and (meta is None or not meta.is_dirty())
        and not (enforce_file_format and read_preamble is None)
        and (read_preamble is not None or preamble is None)
    )
    same_preamble = read_preamble is None or (preamble or _ZERO_PREAMBLE) == read_preamble
    if not keep_head:
        head = _fresh_head(ds, ts, preamble)
    elif same_preamble:
        head = [Copy(0, head_offset)]
    else:  # the meta group is copied after the new preamble (the user blanked it, say)
        head = [Emit(preamble or _ZERO_PREAMBLE), Copy(len(read_preamble), head_offset)]

    file_source = getattr(ds, "file_source", None)
    if (
        target.deflated
        and keep_head
        and same_preamble
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
        _fetch_copies(source, body)
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
    storage_options: dict | None = None,
    progress: Any = None,
    encoder_options: dict[str, Any] | None = None,
) -> int:
    """Write ``ds`` to ``dest`` (a path — replaced atomically —, a binary file object, or an
    fsspec URL: streamed, committed only when complete, see
    :func:`lazydcm.io.remote.write_plan_to_url`; ``storage_options`` go to fsspec).

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
    if is_url(dest):
        return write_plan_to_url(plan.source, plan.segments, dest, storage_options=storage_options)
    if storage_options is not None:
        raise TypeError("storage_options is for URL destinations (fsspec)")
    _fetch_copies(plan.source, plan.segments)
    return write_plan(plan.source or _NO_SOURCE, plan.segments, dest, fsync=fsync)


def _fetch_copies(source: Any, segments: list[Segment]) -> None:
    """A ranged source (read from a URL or file object) fetches every range the plan copies
    into its spool first (a no-op for mapped files); the writer then reads its buffer."""
    if source is not None and getattr(source, "fileno", lambda: 0)() is None:
        for seg in segments:
            if isinstance(seg, Copy):
                source.ensure(seg.start, seg.stop - seg.start)


def to_bytes(ds: Dataset, **options: Any) -> bytes:
    """The bytes ``save`` would write."""
    plan = file_plan(ds, **options)
    _fetch_copies(plan.source, plan.segments)
    return write_plan_bytes(plan.source or _NO_SOURCE, plan.segments)

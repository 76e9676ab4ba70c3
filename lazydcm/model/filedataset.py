"""``FileDataset`` and ``dcmread``: a dataset over a mapped Part 10 file (or bytes, or a stream).

Reading maps the source (``lazydcm.io.source``), scans preamble, meta group and dataset in one
pass (``lazydcm.io.scanner``) and returns a ``FileDataset`` over the resulting index; no value is
decoded until it is asked for.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from typing import Any

import attrs

from lazydcm.io.ranged import RangedSource, planned_scan, source_for_fileobj
from lazydcm.io.remote import is_url, open_url
from lazydcm.io.scanner import scan_dataset, scan_preamble_and_meta
from lazydcm.io.source import Source, _plain_file_descriptor
from lazydcm.io.syntax import ByteLayout
from lazydcm.model._deviations import MODES, report
from lazydcm.model.dataset import Context, Dataset, to_tag

__all__ = ["FileDataset", "ReadOptions", "dcmread", "read_file"]

#: Deflated datasets inflate into memory once; refuse to inflate more than this many times the
#: compressed size (and at least 64 MiB) — a deflate bomb is an InvalidDicomError.
_INFLATE_RATIO = 64
_INFLATE_FLOOR = 64 << 20


@attrs.frozen
class ReadOptions:
    """Options for :func:`dcmread` (passed explicitly; there is no global configuration).

    Attributes:
        force: read a source without preamble/``DICM`` (raw dataset), sniffing its encoding.
        stop_before_pixels: hide Pixel Data (and everything after it).
        specific_tags: only these tags (keywords or ints) are visible, plus Specific
            Character Set.
        inflate_limit: maximum inflated size of a deflated dataset, in bytes (None: 64 × the
            file size, at least 64 MiB).
        on_truncation: what to do with a file cut short inside its last element: ``"warn"``
            (index it, warn, and raise InvalidDicomError when that element is read),
            ``"ignore"`` (the same without the warning; ``ds.truncation`` tells) or
            ``"raise"`` (raise the InvalidDicomError at once). A file cut inside the header of
            its last element counts as cut inside that element (the partial header is not
            indexed; a no-op save copies it back); a sequence cut short gives its items up to
            the cut.
        on_deviation: what to do with the tolerated deviations of ``docs/deviations.md``
            (a lone Item Delimitation Item, a stray Sequence Delimitation Item or Item at
            dataset level, NUL padding after the last element): ``"warn"`` (read past them
            with a warning naming offset and tag; a no-op save keeps their bytes),
            ``"ignore"`` (the same, silently; ``ds.deviations`` lists them) or ``"raise"``
            (the strict reading: raise the first as InvalidDicomError). Applies to the
            dataset at open and to sequence items when they are read.
        block_size: for sources read by range (URLs, fsspec files, seekable file objects that
            are not plain files): the unit in which bytes are fetched and cached (default
            64 KiB); a native frame is fetched exactly (its bytes, one request).
        readahead: bytes fetched past a miss when reading metadata - the header, item headers
            of encapsulated pixel data, sequences (default 256 KiB; never for values/frames).
    """

    force: bool = False
    stop_before_pixels: bool = False
    specific_tags: tuple[int, ...] | None = attrs.field(
        default=None,
        converter=lambda tags: None if tags is None else tuple(int(to_tag(t)) for t in tags),
    )
    inflate_limit: int | None = None
    on_truncation: str = attrs.field(
        default="warn", validator=attrs.validators.in_(("warn", "ignore", "raise"))
    )
    block_size: int = attrs.field(default=64 << 10, validator=attrs.validators.ge(512))
    readahead: int = attrs.field(default=256 << 10, validator=attrs.validators.ge(0))
    on_deviation: str = attrs.field(default="warn", validator=attrs.validators.in_(MODES))


class FileDataset(Dataset):
    """A dataset read from a file, bytes or stream.

    Attributes beyond ``Dataset``: ``filename`` (path or None), ``preamble`` (128 bytes or None),
    ``file_meta`` (the group 0002 dataset), ``transfer_syntax_uid``. Use as a context manager or
    call ``close()`` to release the mapping; values already decoded stay usable after close,
    undecoded ones raise ``SourceClosedError``.
    """

    def __init__(
        self,
        filename_or_obj: Any,
        dataset: Dataset,
        preamble: bytes | None = None,
        file_meta: Dataset | None = None,
        is_implicit_VR: bool = True,  # noqa: N803 - pydicom's spelling
        is_little_endian: bool = True,
    ) -> None:
        """pydicom's constructor: wrap ``dataset`` as a file dataset (nothing is written).

        ``filename_or_obj`` is kept as ``filename`` (a path, or None/a buffer's name);
        ``dataset`` (a ``Dataset``, or a dict of elements as in pydicom 1.x)'s elements are shared as ``Dataset.copy`` shares them (a dataset read
        from a file stays lazy and keeps its mapping); ``preamble`` is 128 bytes or None;
        ``file_meta`` (a group 0002 dataset) defaults to an empty ``FileMetaDataset``. The
        two flags declare the encoding of a dataset built in code, used by ``save_as`` when
        the file meta names no transfer syntax. Raises ``TypeError`` when ``dataset`` is not
        a ``Dataset`` and ``ValueError`` for a preamble that is not 128 bytes.
        """
        from lazydcm.model.filemeta import FileMetaDataset

        if isinstance(dataset, dict):  # pydicom 1.x: FileDataset(name, {}, ...)
            dataset = Dataset(dataset)
        if not isinstance(dataset, Dataset):
            raise TypeError(f"FileDataset wraps a Dataset, not {type(dataset).__name__}")
        if preamble is not None and len(preamble) != 128:
            raise ValueError(f"the preamble must be 128 bytes, not {len(preamble)}")
        dup = dataset.copy()
        self.__dict__.update(dup.__dict__)
        src = dataset.__dict__
        self.__dict__.update(
            _meta_pending=False,
            _head=src.get("_head"),
            _file_source=src.get("_file_source"),
            _layout=src.get("_layout"),
            _options=src.get("_options"),
            filename=(
                os.fspath(filename_or_obj)
                if isinstance(filename_or_obj, (str, os.PathLike))
                else getattr(filename_or_obj, "name", None)
            ),
            preamble=preamble,
        )
        if self._ctx is None:
            self.is_implicit_VR = is_implicit_VR
            self.is_little_endian = is_little_endian
        if file_meta is None:
            file_meta = getattr(dataset, "file_meta", None)
        self.file_meta = file_meta if file_meta is not None else FileMetaDataset()

    @classmethod
    def _open(cls, source: Source, options: ReadOptions, frame_index: Any = None) -> FileDataset:
        stop_tag = 0x7FE00008 if options.stop_before_pixels else None
        index = None
        if isinstance(source, RangedSource):  # fetch only what the scan reads
            hint = None if frame_index is None else frame_index.pixel_end_hint()
            head, index = planned_scan(
                source, force=options.force, stop_tag=stop_tag, pixel_end=hint
            )
        else:
            head = scan_preamble_and_meta(source.buffer, force=options.force)
        layout: ByteLayout = head.layout
        data_source = source
        if layout.deflated:
            limit = options.inflate_limit or max(_INFLATE_FLOOR, _INFLATE_RATIO * source.size)
            data_source = source.inflated(head.dataset_offset, cap=limit)
        if index is None:
            index = scan_dataset(
                data_source.buffer,
                head.dataset_offset,
                data_source.size,
                implicit_vr=layout.implicit_vr,
                little_endian=layout.little_endian,
                stop_tag=stop_tag,
                keep_truncated=True,
            )
        if index.truncation is not None and options.on_truncation == "raise":
            raise index.truncation
        if index.truncation is not None and options.on_truncation == "warn":
            warnings.warn(
                f"{source.path or 'the source'} is truncated: {index.truncation}; "
                "that element raises InvalidDicomError when read (a sequence gives its"
                " items up to the cut)",
                stacklevel=3,
            )
        report(index.deviations, options.on_deviation, source.path or "the source", stacklevel=3)
        if options.specific_tags is not None:
            index = index.select(set(options.specific_tags) | {0x00080005})
        ctx = Context(data_source, layout.implicit_vr, layout.little_endian, options)
        ds = Dataset._from_index.__func__(cls, ctx, index)  # type: ignore[attr-defined]
        ds.__dict__.update(
            _meta_pending=True,  # the file_meta Dataset is made on first use
            _head=head,
            _file_source=source,
            _layout=layout,
            _options=options,
            filename=source.path,
            preamble=head.preamble,
        )
        return ds

    @property
    def timestamp(self) -> float | None:
        """pydicom's ``timestamp``: the modification time (seconds since the epoch, as
        ``os.stat().st_mtime``) of the file when it was mapped; None for a dataset read from
        bytes, a stream or a URL, or built with the constructor."""
        source = self.__dict__.get("_file_source")
        version = getattr(source, "version", None)
        if isinstance(version, int) and getattr(source, "path", None):
            seconds, nanoseconds = divmod(version, 10**9)
            return seconds + nanoseconds * 1e-9  # as os.stat computes st_mtime
        return None

    @property
    def file_meta(self) -> Dataset:
        """The file meta group (0002,eeee) as a ``FileMetaDataset`` (empty when the file has
        none); after ``del ds.file_meta``, AttributeError as for ``Dataset``."""
        if self._meta_pending:
            with self._decode_lock():  # threads: one file_meta object, made once
                if self._meta_pending:
                    # PS3.10 7.1: the meta group is explicit VR little endian
                    meta_ctx = Context(self._file_source, False, True)
                    from lazydcm.model.filemeta import FileMetaDataset

                    self.__dict__.update(
                        _file_meta=FileMetaDataset._from_index(meta_ctx, self._head.meta),
                        _meta_pending=False,
                    )
        meta = self._file_meta
        if meta is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute 'file_meta'")
        return meta

    @file_meta.setter
    def file_meta(self, value: Dataset | None) -> None:
        Dataset.file_meta.fset(self, value)  # type: ignore[attr-defined]
        self.__dict__["_meta_pending"] = False

    @file_meta.deleter
    def file_meta(self) -> None:
        # pydicom: afterwards the dataset has no file_meta attribute
        self.__dict__.update(_file_meta=None, _meta_pending=False)

    @property
    def source(self) -> Source:
        """The mapped dataset bytes (for a deflated file: the inflated copy)."""
        return None if self._ctx is None else self._ctx.source

    @property
    def file_source(self) -> Source:
        """The mapped file itself."""
        return self._file_source

    @property
    def layout(self) -> ByteLayout:
        """The byte layout of the dataset as read."""
        return self._layout

    @property
    def transfer_syntax_uid(self) -> str | None:
        """The transfer syntax as read from the meta group (None if it had none)."""
        return None if self._head is None else self._head.transfer_syntax_uid

    @property
    def truncation(self) -> Exception | None:
        """The InvalidDicomError of a file cut short inside its last element, else None."""
        return None if self._index is None else self._index.truncation

    @property
    def deviations(self) -> tuple[Exception, ...]:
        """The tolerated deviations of the dataset's top level (``docs/deviations.md``), each
        an InvalidDicomError naming offset and tag; () for a conformant file."""
        return self._index.deviations

    @property
    def dataset_offset(self) -> int:
        """Offset of the first dataset element after the meta group."""
        return None if self._head is None else self._head.dataset_offset

    def close(self) -> None:
        """Release the mapping. Undecoded values touched afterwards raise SourceClosedError."""
        if self._file_source is None:  # made with FileDataset(...) over a dataset built in code
            return
        self._file_source.close()
        if self._ctx.source is not self._file_source:
            self._ctx.source.close()

    @property
    def closed(self) -> bool:
        return self._file_source is not None and self._file_source.closed

    def __enter__(self) -> FileDataset:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_PLAIN_OPTIONS = {
    (f, s): ReadOptions(force=f, stop_before_pixels=s) for f in (False, True) for s in (False, True)
}


def _open_source(src: Any, options: ReadOptions, storage_options: dict | None) -> Source:
    if is_url(src):
        return open_url(src, storage_options=storage_options, block_size=options.block_size,
                        readahead=options.readahead)  # fmt: skip
    if storage_options is not None:
        raise TypeError("storage_options is for URLs (fsspec), not for paths, bytes or files")
    if isinstance(src, (str, os.PathLike)):
        return Source.open(src)
    if isinstance(src, (bytes, bytearray, memoryview)):
        return Source.from_bytes(src)
    if hasattr(src, "read"):
        if _plain_file_descriptor(src) is not None:
            return Source.from_fileobj(src)
        return source_for_fileobj(src, block_size=options.block_size,
                                  readahead=options.readahead)  # fmt: skip
    raise TypeError(
        f"dcmread takes a path, bytes or a binary file object, not {type(src).__name__}"
    )


def dcmread(
    fp: Any,
    force: bool = False,
    *,
    stop_before_pixels: bool = False,
    specific_tags: Iterable[Any] | None = None,
    defer_size: Any = None,
    options: ReadOptions | None = None,
    frame_index: Any = None,
    storage_options: dict | None = None,
) -> FileDataset:
    """Open a DICOM file lazily and return a :class:`FileDataset`.

    ``fp`` is a path, ``bytes``/``bytearray``/``memoryview``, a binary file object or an fsspec
    URL (``s3://``, ``https://``, ``gs://``, ``az://``, ``memory://``, ``file://``; needs the
    ``lazydcm[remote]`` extra; ``storage_options`` go to fsspec). A path or plain file is
    memory-mapped; a URL, fsspec file or other seekable object is read by range on demand
    (``ReadOptions.block_size``/``readahead``; ``lazydcm.io.ranged``); a non-seekable or
    compressed stream is spooled to a temporary file once. The dataset is indexed in one pass;
    values decode on first access. A dataset read from a URL keeps the URL as ``filename``.
    ``defer_size`` is accepted for pydicom compatibility and ignored (everything is deferred).
    ``frame_index`` (a ``lazydcm.pixels.frameindex.FrameIndex``, e.g. from ``lazydcm index
    --frames``) lets ``frame(k)`` of encapsulated data read only frame k's bytes; it must
    describe this file (``SourceChangedError`` at once when the size differs, on first pixel
    access when the pixel data is elsewhere).

    Raises:
        InvalidDicomError: the bytes are not DICOM (``NotDicomError`` without ``DICM`` unless
            ``force``) or are malformed; the message names the offset and tag.
        FileNotFoundError / OSError: the path cannot be opened.
        lazydcm.errors.RemoteReadError: a range could not be read (names URL and offset).
        lazydcm.io.remote.MissingRemoteSupportError: a URL without fsspec installed.
    """
    if options is None:
        if specific_tags is None:  # the common case: one of four shared option objects
            options = _PLAIN_OPTIONS[bool(force), bool(stop_before_pixels)]
        else:
            options = ReadOptions(
                force=force, stop_before_pixels=stop_before_pixels, specific_tags=specific_tags
            )
    source = _open_source(fp, options, storage_options)
    try:
        if frame_index is not None:
            frame_index.check_size(source.size, source.path or "the source")
            ds = FileDataset._open(source, options, frame_index)
            ds.__dict__["_frame_index"] = frame_index
            return ds
        return FileDataset._open(source, options)
    except BaseException:
        source.close()
        raise


read_file = dcmread

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

from lazydcm.io.scanner import scan_dataset, scan_preamble_and_meta
from lazydcm.io.source import Source
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
    on_deviation: str = attrs.field(default="warn", validator=attrs.validators.in_(MODES))


class FileDataset(Dataset):
    """A dataset read from a file, bytes or stream.

    Attributes beyond ``Dataset``: ``filename`` (path or None), ``preamble`` (128 bytes or None),
    ``file_meta`` (the group 0002 dataset), ``transfer_syntax_uid``. Use as a context manager or
    call ``close()`` to release the mapping; values already decoded stay usable after close,
    undecoded ones raise ``SourceClosedError``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("FileDataset is made by lazydcm.dcmread(); use Dataset() to build one")

    @classmethod
    def _open(cls, source: Source, options: ReadOptions) -> FileDataset:
        head = scan_preamble_and_meta(source.buffer, force=options.force)
        layout: ByteLayout = head.layout
        data_source = source
        if layout.deflated:
            limit = options.inflate_limit or max(_INFLATE_FLOOR, _INFLATE_RATIO * source.size)
            data_source = source.inflated(head.dataset_offset, cap=limit)
        stop_tag = 0x7FE00008 if options.stop_before_pixels else None
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
    def file_meta(self) -> Dataset | None:
        """The file meta group (0002,eeee) as a Dataset (empty when the file has none)."""
        if self._meta_pending:
            # PS3.10 7.1: the meta group is explicit VR little endian
            meta_ctx = Context(self._file_source, False, True)
            self.__dict__.update(
                _file_meta=Dataset._from_index(meta_ctx, self._head.meta), _meta_pending=False
            )
        return self._file_meta

    @file_meta.setter
    def file_meta(self, value: Dataset | None) -> None:
        Dataset.file_meta.fset(self, value)  # type: ignore[attr-defined]
        self.__dict__["_meta_pending"] = False

    @property
    def source(self) -> Source:
        """The mapped dataset bytes (for a deflated file: the inflated copy)."""
        return self._ctx.source

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
        return self._head.transfer_syntax_uid

    @property
    def truncation(self) -> Exception | None:
        """The InvalidDicomError of a file cut short inside its last element, else None."""
        return self._index.truncation

    @property
    def deviations(self) -> tuple[Exception, ...]:
        """The tolerated deviations of the dataset's top level (``docs/deviations.md``), each
        an InvalidDicomError naming offset and tag; () for a conformant file."""
        return self._index.deviations

    @property
    def dataset_offset(self) -> int:
        """Offset of the first dataset element after the meta group."""
        return self._head.dataset_offset

    def close(self) -> None:
        """Release the mapping. Undecoded values touched afterwards raise SourceClosedError."""
        self._file_source.close()
        if self._ctx.source is not self._file_source:
            self._ctx.source.close()

    @property
    def closed(self) -> bool:
        return self._file_source.closed

    def __enter__(self) -> FileDataset:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_PLAIN_OPTIONS = {
    (f, s): ReadOptions(force=f, stop_before_pixels=s) for f in (False, True) for s in (False, True)
}


def _open_source(src: Any) -> Source:
    if isinstance(src, (str, os.PathLike)):
        return Source.open(src)
    if isinstance(src, (bytes, bytearray, memoryview)):
        return Source.from_bytes(src)
    if hasattr(src, "read"):
        return Source.from_fileobj(src)
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
) -> FileDataset:
    """Open a DICOM file lazily and return a :class:`FileDataset`.

    ``fp`` is a path, ``bytes``/``bytearray``/``memoryview`` or a binary file object. The file
    is memory-mapped and indexed in one pass; values decode on first access. ``defer_size`` is
    accepted for pydicom compatibility and ignored (everything is deferred).

    Raises:
        InvalidDicomError: the bytes are not DICOM (``NotDicomError`` without ``DICM`` unless
            ``force``) or are malformed; the message names the offset and tag.
        FileNotFoundError / OSError: the path cannot be opened.
    """
    if options is None:
        if specific_tags is None:  # the common case: one of four shared option objects
            options = _PLAIN_OPTIONS[bool(force), bool(stop_before_pixels)]
        else:
            options = ReadOptions(
                force=force, stop_before_pixels=stop_before_pixels, specific_tags=specific_tags
            )
    source = _open_source(fp)
    try:
        return FileDataset._open(source, options)
    except BaseException:
        source.close()
        raise


read_file = dcmread

"""Sources whose bytes arrive by request: the ranged reader and the spooled stream.

Three kinds of :class:`~lazydcm.io.source.Source` sit under the scanner; the scanner cannot
tell them apart:

1. the local mapped file (``Source.open``; ``lazydcm.io.source``);
2. :class:`RangedSource`, over anything that reads a byte range: a seekable binary file object
   (through its own ``seek``/``read``), an fsspec file, or an fsspec URL (``lazydcm.io.remote``);
3. a spooled copy (:func:`spool_stream`) for streams that cannot seek or seek only by
   re-reading (pipes, sockets, ``gzip``/``bz2``/``lzma`` files): read once, in chunks, into an
   unlinked temporary file that is then mapped like a local file.

Design of the ranged reader. The scanner and the decoders are sans-IO functions over one buffer
with the buffer protocol (``struct.unpack_from``, the C scan loop); a Python object cannot lend
them bytes it has not fetched yet, and a scan that asked a source for each range would put I/O
inside the scanner. So a :class:`RangedSource` is a local Source over a *sparse* spool: an
unlinked temporary file of the object's full size, mapped read-only, into which fetched blocks
are written (``os.pwrite``); bytes never fetched are file holes that cost nothing. A bitmap
records which blocks are present. Everything that reads the buffer asks for its range first
(:meth:`RangedSource.ensure`): ``view``/``cow_view`` do it themselves; sequence, fragment and
write-plan code call ``ensure`` for the range they walk (a no-op on ``Source``). The header is
read by :func:`planned_scan`, which runs the unchanged scanner over *truncated* views that end
at the first missing byte - so it can never read a hole as zeros - and steps over values it
does not need (see there). A 47 KB header thus costs one or two requests of one block each,
not a fixed multi-megabyte buffer, and a native frame costs the blocks that hold that frame.

Block size and readahead are :class:`lazydcm.model.filedataset.ReadOptions` fields. The first
header block, values and frames fetch only their own blocks; metadata fetches past that (a
header that outgrows what was fetched, chains of item headers shorter than a quarter of the
readahead) add ``readahead`` bytes. Consecutive missing blocks are fetched in one request.

Lifetime: as for ``Source``; views stay valid until close (a live view keeps the spool's mapping
alive). Fetching is serialised by a lock, so threads may share one RangedSource.

Errors: a reader that returns fewer bytes than asked, a changed object, or a failed request
raises :class:`lazydcm.errors.RemoteReadError` naming the URL (or object), the offset and the
length; the ETag/version mismatch is :class:`lazydcm.errors.SourceChangedError`.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import mmap
import os
import tempfile
import threading
from typing import Any, Protocol

from lazydcm.errors import InvalidDicomError, RemoteReadError, TruncatedDicomError
from lazydcm.io.header import read_item_header
from lazydcm.io.index import ElementIndex, IndexBuilder
from lazydcm.io.scanner import FileHead, scan_dataset, scan_preamble_and_meta
from lazydcm.io.source import Source

__all__ = [
    "DEFAULT_BLOCK_SIZE",
    "DEFAULT_READAHEAD",
    "FileObjectReader",
    "RangeReader",
    "RangedSource",
    "planned_scan",
    "source_for_fileobj",
    "spool_stream",
]

DEFAULT_BLOCK_SIZE = 64 << 10
DEFAULT_READAHEAD = 256 << 10
_SPOOL_CHUNK = 1 << 20
_ITEM = 0xFFFEE000
_SEQ_DELIM = 0xFFFEE0DD
_PIXEL_DATA = 0x7FE00010
# Streams whose seek re-reads (decompresses) from the start: spooled, never read by range.
_REREAD_ON_SEEK = (gzip.GzipFile, bz2.BZ2File, lzma.LZMAFile)


class RangeReader(Protocol):
    """What a :class:`RangedSource` needs from where the bytes live.

    ``size`` (bytes), ``version`` (ETag, mtime or None), ``url`` (a name for errors, or None),
    ``read_range(start, stop) -> bytes`` (exactly ``stop - start`` bytes or fewer at the end;
    raises ``RemoteReadError``) and ``close()``.
    """

    size: int
    version: Any
    url: str | None

    def read_range(self, start: int, stop: int) -> bytes: ...

    def close(self) -> None: ...


class FileObjectReader:
    """Read byte ranges of a seekable binary file object through its own ``seek``/``read``,
    counted from ``base`` (its position when given). The object is never closed here and must
    stay open while the dataset's values are read; its position is moved by every read."""

    def __init__(self, f: Any, base: int | None = None):
        self._f = f
        self.base = f.tell() if base is None else base
        end = f.seek(0, io.SEEK_END)
        f.seek(self.base)
        self.size = max(0, end - self.base)
        self.version = None
        name = getattr(f, "name", None)
        self.url = name if isinstance(name, str) else None

    def read_range(self, start: int, stop: int) -> bytes:
        """The bytes ``[start, stop)`` (fewer at the end of the object).

        Raises RemoteReadError when the object fails (e.g. it was closed: it must stay open
        while values are read), TypeError when ``read`` does not return bytes.
        """
        parts = []
        want = stop - start
        try:
            self._f.seek(self.base + start)
            while want > 0:
                got = self._f.read(want)
                if not got:
                    break
                if not isinstance(got, (bytes, bytearray, memoryview)):
                    raise TypeError(f"a binary file object is needed, read() gave {type(got)}")
                parts.append(bytes(got))
                want -= len(got)
        except (OSError, ValueError) as exc:
            raise RemoteReadError(f"the file object failed: {exc}", url=self.url, offset=start,
                                  length=stop - start) from exc  # fmt: skip
        return b"".join(parts)

    def close(self) -> None:
        pass


class RangedSource(Source):
    """A Source whose bytes are fetched by range on demand into a sparse local spool.

    Build with :meth:`from_reader` (or ``lazydcm.io.remote.open_url``). Attributes beyond
    ``Source``: ``url`` (the URL read, or None), ``storage_options`` (dict or None, what
    reopens it), ``version`` (the object's ETag/mtime when opened, or None), ``block_size``,
    ``readahead``, and ``stats`` (``requests`` and ``bytes`` fetched so far).

    ``buffer`` is the whole object, but only bytes made present by :meth:`ensure` (or by a
    ``view``) are its real bytes; the rest read as zeros. ``fileno()`` is None (the spool is not
    the object), so writers copy from ``buffer`` after ``ensure``.
    """

    __slots__ = ("url", "storage_options", "block_size", "readahead", "stats",
                 "_reader", "_present", "_lock")  # fmt: skip

    @classmethod
    def from_reader(
        cls,
        reader: RangeReader,
        *,
        block_size: int = DEFAULT_BLOCK_SIZE,
        readahead: int = DEFAULT_READAHEAD,
        url: str | None = None,
        storage_options: dict | None = None,
    ) -> RangedSource:
        """Return a RangedSource over ``reader`` (nothing is fetched yet).

        Raises ``ValueError`` for a block size < 512 or a negative readahead.
        """
        if block_size < 512 or readahead < 0:
            raise ValueError(
                f"block_size must be >= 512, readahead >= 0 ({block_size}, {readahead})"
            )
        size = int(reader.size)
        fd, mapping, data = _sparse_spool(size)
        self = cls(data=data, size=size, path=url, base=0, fd=fd, owns_fd=True, mapping=mapping)
        self.url = url
        self.storage_options = storage_options
        self.version = reader.version
        self.block_size = block_size
        self.readahead = readahead
        self.stats = {"requests": 0, "bytes": 0}
        self._reader = reader
        self._present = bytearray(-(-size // block_size))
        self._lock = threading.Lock()
        return self

    def fileno(self) -> None:
        """None: the spool holds only fetched blocks, so it may not be copied from directly."""
        self._check_open()
        return None

    # ----------------------------------------------------------------- fetching

    def missing(self, offset: int, length: int) -> int | None:
        """The first offset in ``[offset, offset + length)`` (clipped to the object) whose
        block has not been fetched, or None."""
        stop = min(offset + length, self.size)
        if length <= 0 or offset >= stop:
            return None
        bs = self.block_size
        present = self._present
        for block in range(max(offset, 0) // bs, (stop - 1) // bs + 1):
            if not present[block]:
                return max(block * bs, offset)
        return None

    def ensure(self, offset: int, length: int, *, metadata: bool = False) -> None:
        """Fetch the missing blocks of ``[offset, offset + length)`` (clipped to the object);
        with ``metadata``, extend each fetch by ``readahead`` bytes of missing blocks.
        Consecutive missing blocks are fetched in one request.

        Raises:
            RemoteReadError: the reader failed or returned fewer bytes than asked.
            SourceClosedError: the source is closed.
        """
        self._check_open()
        if self.missing(offset, length) is None:
            return
        bs = self.block_size
        stop = min(offset + length, self.size)
        first, last = max(offset, 0) // bs, (stop - 1) // bs + 1
        extra = -(-self.readahead // bs) if metadata else 0
        nblocks = len(self._present)
        with self._lock:
            present = self._present
            block = first
            while block < last:
                if present[block]:
                    block += 1
                    continue
                run_end = block + 1
                while run_end < last and not present[run_end]:
                    run_end += 1
                limit = min(nblocks, run_end + extra)
                while run_end < limit and not present[run_end]:
                    run_end += 1
                self._fetch(block, run_end)
                block = run_end

    def _fetch(self, first: int, last: int) -> None:
        start = first * self.block_size
        self._spool(self._read_exact(start, min(last * self.block_size, self.size)), start)
        self._present[first:last] = b"\1" * (last - first)

    def _read_exact(self, start: int, stop: int) -> bytes:
        """``[start, stop)`` from the reader in one request (counted in :attr:`stats`);
        RemoteReadError when fewer bytes come back. The caller holds the lock."""
        data = self._reader.read_range(start, stop)
        self.stats["requests"] += 1
        self.stats["bytes"] += len(data)
        if len(data) != stop - start:
            raise RemoteReadError(
                f"asked for {stop - start} bytes, got {len(data)}"
                " (the object is shorter than its announced size, or the server cut the reply)",
                url=self.url,
                offset=start,
                length=stop - start,
            )
        return data

    def _spool(self, data: bytes, offset: int) -> None:
        """Write fetched bytes into the spool at their offset in the object."""
        written = 0
        while written < len(data):
            written += os.pwrite(self._fd, memoryview(data)[written:], offset + written)

    def fetch_exact(self, offset: int, length: int) -> None:
        """Fetch exactly ``[offset, offset + length)`` in one request (none when its blocks are
        all present) and write it into the spool, without marking any block present (a block
        only partly fetched stays missing for :meth:`ensure`). A copy-on-write mapping of the
        spool made afterwards (``Source.cow_view(self, ...)``) reads these bytes; used for
        native frames, so ``frame(k)`` moves exactly frame k's bytes (PS3.5 8.1.1: frames are
        contiguous in a native value).

        Raises:
            TruncatedDicomError: the range is not within the stream.
            RemoteReadError: the reader failed or returned fewer bytes than asked.
            SourceClosedError: the source is closed.
        """
        self._check_open()
        self._check_range(offset, length)
        if length <= 0 or self.missing(offset, length) is None:
            return
        with self._lock:
            self._spool(self._read_exact(offset, offset + length), offset)

    def walk_items(self, offset: int, stop: int) -> int:
        """Fetch the chain of item headers starting at ``offset`` (8 bytes each, with
        readahead), jumping over defined-length item contents without fetching them; the first
        item's content (a Basic Offset Table, when this is pixel data) is fetched too. Stops at
        the first non-item tag (a delimiter), at ``stop`` or at an undefined-length item.
        Returns the offset where it stopped. Little endian (encapsulated data, PS3.5 A.4)."""
        pos = offset
        first = True
        small = True  # readahead pays only while items are shorter than it
        while pos + 8 <= min(stop, self.size):
            self.ensure(pos, 8, metadata=small)
            b = bytes(self._buffer[pos : pos + 8])
            tag = (int.from_bytes(b[0:2], "little") << 16) | int.from_bytes(b[2:4], "little")
            length = int.from_bytes(b[4:8], "little")
            if tag != _ITEM or length == 0xFFFFFFFF:
                return pos
            if first:
                self.ensure(pos + 8, length)
                first = False
            small = (length + 8) * 4 <= self.readahead  # several items fit in it
            pos += 8 + length
        return pos

    def present_end(self, offset: int) -> int:
        """The end of the run of present blocks that holds ``offset`` (``offset`` itself if
        its block is missing), clipped to the object's size."""
        bs = self.block_size
        block = offset // bs
        present = self._present
        if block >= len(present) or not present[block]:
            return min(offset, self.size)
        while block < len(present) and present[block]:
            block += 1
        return min(block * bs, self.size)

    # ----------------------------------------------------------------- reading

    def view(self, offset: int, length: int) -> memoryview:
        """As ``Source.view``, fetching the range's missing blocks first (no readahead)."""
        self._check_open()
        self._check_range(offset, length)
        self.ensure(offset, length)
        return self._buffer[offset : offset + length]

    def cow_view(self, offset: int, length: int) -> memoryview:
        """A writable view of ``length`` bytes at ``offset`` that owns its memory (as
        ``Source.cow_view``; used for pixel data).

        When all its blocks are present it is a private copy-on-write mapping of the spool.
        Otherwise exactly ``[offset, offset + length)`` is fetched in one request straight into
        a new ``bytearray`` - not into the spool: frames are large and read once, and writing
        them to the spool would only add disk writeback - so reading frame ``k`` moves exactly
        its bytes, and reading it again fetches it again.

        Raises:
            TruncatedDicomError: the range is not within the stream.
            RemoteReadError: the fetch failed or came back short.
            SourceClosedError: the source is closed.
        """
        self._check_open()
        self._check_range(offset, length)
        if self.missing(offset, length) is None:
            return super().cow_view(offset, length)
        with self._lock:
            data = self._read_exact(offset, offset + length)
        return memoryview(bytearray(data))

    def inflated(self, dataset_offset: int, *, cap: int | None = None) -> Source:
        """As ``Source.inflated``; the whole deflated object is fetched first."""
        self.ensure(0, self.size, metadata=True)
        return super().inflated(dataset_offset, cap=cap)

    def close(self) -> None:
        """Release the spool and close the reader (not a caller's file object). Idempotent."""
        if not self._closed:
            self._reader.close()
        super().close()

    def __repr__(self) -> str:
        what = repr(self.url) if self.url else "file object"
        state = "closed" if self._closed else f"{self.size} bytes, {self.stats['bytes']} fetched"
        return f"<RangedSource {what} {state}>"


def _sparse_spool(size: int) -> tuple[int, mmap.mmap | None, memoryview]:
    """An unlinked temporary file of ``size`` bytes (a hole), mapped read-only."""
    fd, name = tempfile.mkstemp(prefix="lazydcm-spool-")
    try:
        os.unlink(name)
        if size == 0:
            return fd, None, memoryview(b"")
        os.ftruncate(fd, size)
        mapping = mmap.mmap(fd, size, access=mmap.ACCESS_READ)
        return fd, mapping, memoryview(mapping)
    except BaseException:
        os.close(fd)
        raise


def spool_stream(f: Any) -> Source:
    """Read the stream ``f`` to its end, in 1 MiB chunks, into an unlinked temporary file and
    return a Source mapping it (memory stays bounded by one chunk; disk holds the stream).

    Raises ``TypeError`` if ``read`` does not return bytes; ``OSError`` from the stream.
    """
    fd, name = tempfile.mkstemp(prefix="lazydcm-spool-")
    try:
        os.unlink(name)
        size = 0
        while True:
            chunk = f.read(_SPOOL_CHUNK)
            if not chunk:
                break
            if not isinstance(chunk, (bytes, bytearray, memoryview)):
                raise TypeError(f"a binary file object is needed, read() gave {type(chunk)}")
            view = memoryview(chunk).cast("B")
            done = 0
            while done < len(view):
                done += os.write(fd, view[done:])
            size += len(view)
        if size == 0:
            os.close(fd)
            return Source.from_bytes(b"")
        mapping = mmap.mmap(fd, size, access=mmap.ACCESS_READ)
    except BaseException:
        os.close(fd)
        raise
    name_attr = getattr(f, "name", None)
    path = name_attr if isinstance(name_attr, str) else None
    return Source(data=memoryview(mapping), size=size, path=path, base=0, fd=fd, owns_fd=True,
                  mapping=mapping)  # fmt: skip


def _seekable(f: Any) -> bool:
    try:
        return bool(f.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def source_for_fileobj(
    f: Any, *, block_size: int = DEFAULT_BLOCK_SIZE, readahead: int = DEFAULT_READAHEAD
) -> Source:
    """A Source over a file object that is not a plain mapped file, read through its own methods.

    - an fsspec file (has ``fs`` and ``path``): a RangedSource over its filesystem's ranged
      reads (``lazydcm.io.remote``), from its current position;
    - ``io.BytesIO``: its remaining bytes (already in memory), copied once;
    - gzip/bz2/lzma files and non-seekable streams: :func:`spool_stream`;
    - any other seekable object: a RangedSource over :class:`FileObjectReader`.
    """
    if isinstance(f, io.TextIOBase):
        raise TypeError("a binary file object is needed, not a text stream")
    if hasattr(f, "fs") and hasattr(f, "path") and hasattr(f.fs, "cat_file"):
        from lazydcm.io.remote import FsspecReader

        reader = FsspecReader(f.fs, f.path, base=f.tell())
        return RangedSource.from_reader(reader, block_size=block_size, readahead=readahead,
                                        url=reader.url)  # fmt: skip
    if isinstance(f, io.BytesIO):
        return Source.from_bytes(f.read())
    if isinstance(f, _REREAD_ON_SEEK) or not _seekable(f):
        return spool_stream(f)
    reader = FileObjectReader(f)
    return RangedSource.from_reader(reader, block_size=block_size, readahead=readahead,
                                    url=reader.url)  # fmt: skip


# --------------------------------------------------------------------------- planned scanning


def _grow(source: RangedSource, at: int, scanned: int) -> None:
    """Fetch from ``at`` at least as much again as the segment scanned so far (doubling)."""
    source.ensure(at, max(source.block_size, source.readahead, scanned), metadata=True)


def _until_present(source: RangedSource, scan: Any) -> Any:
    """Run ``scan(buf)`` over the present prefix, growing it while the scan runs off its end."""
    while True:
        stop = source.present_end(0)
        try:
            return scan(source.buffer[:stop])
        except TruncatedDicomError:
            if stop >= source.size:
                raise
            _grow(source, stop, stop)


def _pixel_chain_end(source: RangedSource, value_offset: int) -> int:
    """Fetch the item headers of top-level encapsulated Pixel Data (:meth:`RangedSource.walk_items`)
    and return the offset past its Sequence Delimitation Item (PS3.5 A.4)."""
    pos = source.walk_items(value_offset, source.size)
    if pos + 8 > source.size:
        raise TruncatedDicomError(
            "encapsulated pixel data has no sequence delimiter before the end of the object",
            offset=pos,
            tag=_PIXEL_DATA,
        )
    source.ensure(pos, 8, metadata=True)
    head = read_item_header(source.buffer, pos, little_endian=True)  # PS3.5 A.4: always LE
    if head.tag != _SEQ_DELIM:
        raise InvalidDicomError(
            f"expected a fragment item or sequence delimiter in encapsulated pixel data, found "
            f"({head.tag >> 16:04X},{head.tag & 0xFFFF:04X})",
            offset=pos,
            tag=_PIXEL_DATA,
        )
    if head.length:  # PS3.5 7.5.2: a delimitation item has length 0 (the local scan agrees)
        raise InvalidDicomError(
            f"sequence delimiter of encapsulated pixel data has length {head.length}, not 0",
            offset=pos,
            tag=_PIXEL_DATA,
        )
    return pos + 8


def _known_pixel_end(
    source: RangedSource, value_offset: int, hint: tuple[int, int] | None
) -> int | None:
    """The end of top-level encapsulated Pixel Data from a frame index's ``hint`` (Pixel Data's
    value offset, the offset of its Sequence Delimitation Item), checked by reading those 8
    bytes; None when there is no hint, it is for another value offset, or no delimiter is
    there (e.g. the Extended Offset Table trims the last frame): the caller walks the items."""
    if hint is None or hint[0] != value_offset or not value_offset <= hint[1] <= source.size - 8:
        return None
    source.ensure(hint[1], 8)
    head = read_item_header(source.buffer, hint[1], little_endian=True)
    if head.tag != _SEQ_DELIM or head.length:
        return None
    return hint[1] + 8


def planned_scan(
    source: RangedSource,
    *,
    force: bool,
    stop_tag: int | None,
    pixel_end: tuple[int, int] | None = None,
) -> tuple[FileHead, ElementIndex | None]:
    """Scan the head and the top-level dataset of a ranged source, fetching only what the
    scan reads: the preamble and meta group, each element header, the content of
    undefined-length sequences, the item headers (and Basic Offset Table) of encapsulated
    Pixel Data - never the content of a defined-length value.

    The sans-IO scanner runs over the *present prefix* of a segment (a truncated view, so it
    can never read a byte that was not fetched). When it stops at an element whose value runs
    past the fetched bytes, that element's header is known: a defined-length value is skipped
    and the next segment starts after it; top-level undefined-length Pixel Data has its item
    chain fetched (8 bytes per fragment, with readahead); anything else (an undefined-length
    sequence, a header cut by the fetch) fetches as much again and rescans the segment.

    ``pixel_end`` (from a frame index: Pixel Data's value offset and the offset of its Sequence
    Delimitation Item) replaces that walk by one 8-byte check when the delimiter is there, so
    opening a file without an offset table does not fetch a block per fragment.

    Returns ``(head, index)``; ``index`` is None for a deflated dataset (the caller inflates
    the whole object). The index equals the local scanner's for the same bytes.

    Raises:
        InvalidDicomError: as ``scan_preamble_and_meta`` / ``scan_dataset`` on the real bytes.
        RemoteReadError: a fetch failed.
    """
    try:
        return _planned_scan(source, force=force, stop_tag=stop_tag, pixel_end=pixel_end)
    except (InvalidDicomError, _Unplanned):
        # Damaged or unusual bytes (an error, a tolerated deviation, a cut): the local
        # scanner's rules decide, over every byte - the same index, error or warning as a
        # mapped read of the same bytes, for the price of fetching the whole object.
        source.ensure(0, source.size)
        return scan_preamble_and_meta(source.buffer, force=force), None


class _Unplanned(Exception):
    """The segment-by-segment scan met something only a whole-object scan decides."""


def _planned_scan(
    source: RangedSource,
    *,
    force: bool,
    stop_tag: int | None,
    pixel_end: tuple[int, int] | None = None,
) -> tuple[FileHead, ElementIndex | None]:
    source.ensure(0, source.block_size)
    head = _until_present(source, lambda buf: scan_preamble_and_meta(buf, force=force))
    if head.layout.deflated:
        return head, None
    layout = head.layout
    size = source.size
    builder = IndexBuilder(head.dataset_offset)
    pos = head.dataset_offset
    range_stop = size
    while pos < size:
        source.ensure(pos, 12)  # the block holding the next header
        stop = source.present_end(pos)
        try:
            index = scan_dataset(
                source.buffer[:stop], pos, stop, implicit_vr=layout.implicit_vr,
                little_endian=layout.little_endian, stop_tag=stop_tag, keep_truncated=True,
            )  # fmt: skip
        except TruncatedDicomError:
            if stop >= size:
                raise
            _grow(source, stop, stop - pos)
            continue
        if index.deviations:
            raise _Unplanned
        records = list(index.file_order())
        last = None
        if index.truncation is not None and stop < size:
            if records and int(records[-1].end) >= stop:
                last = records.pop()  # the element the fetch cut: its header is known
            else:  # a header cut by the fetch (the scanner indexes no partial header)
                for rec in records:
                    builder.add(rec.tag, rec.vr, rec.header_offset, rec.value_offset,
                                rec.length, rec.end)  # fmt: skip
                pos = int(records[-1].end) if records else pos
                _grow(source, stop, stop - pos)
                continue
        for rec in records:
            builder.add(rec.tag, rec.vr, rec.header_offset, rec.value_offset, rec.length, rec.end)
        if last is None:
            if index.truncation is not None:
                raise _Unplanned
            builder.truncation = index.truncation
            if index.stop < stop:  # stop_tag reached
                range_stop = index.stop
                break
            pos = stop
            continue
        end = None
        if last.undefined_length and last.tag == _PIXEL_DATA:
            try:
                end = _known_pixel_end(source, last.value_offset, pixel_end)
                if end is None:
                    end = _pixel_chain_end(source, last.value_offset)
            except TruncatedDicomError:  # cut short: the local scanner's rules decide, on all
                source.ensure(last.header_offset, size - last.header_offset)
                pos = last.header_offset
                continue
        elif not last.undefined_length and last.value_offset + last.length <= size:
            end = last.value_offset + last.length
        else:  # an undefined-length sequence (or a value past the end): scan it with more bytes
            _grow(source, stop, stop - pos)
            pos = last.header_offset
            continue
        builder.add(last.tag, last.vr, last.header_offset, last.value_offset, last.length, end)
        pos = end
    return head, builder.freeze(range_stop)

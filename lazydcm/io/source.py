"""``Source``: the bytes of one DICOM stream - the only module that opens and maps files.

A :class:`Source` is a read-only byte buffer with offsets counted from the start of the DICOM
stream. Files are memory-mapped (``mmap.ACCESS_READ``): opening costs no reads, and a value's
pages are touched only when its bytes are looked at. Bytes objects and unmappable file-likes are
held in memory.

Lifetime: :attr:`Source.buffer` and every :meth:`Source.view` are valid until :meth:`Source.close`.
After close, ``buffer``/``view``/``cow_view`` raise :class:`~lazydcm.errors.SourceClosedError`.
A view obtained *before* close still points at mapped memory: close never unmaps memory that a
live view (or a numpy array made from one) references - the mapping is released when the last
such view is garbage-collected. Views from :meth:`Source.cow_view` are private copies-on-write
and outlive the source.

Do not truncate or rewrite a file while it is mapped: reading a page that no longer exists kills
the process with SIGBUS (a property of ``mmap`` on every POSIX system). lazydcm's writer
replaces files by rename, which is safe.
"""

from __future__ import annotations

import contextlib
import errno
import io
import mmap
import os
import stat
import zlib

from lazydcm.errors import InvalidDicomError, SourceClosedError, TruncatedDicomError

__all__ = ["Source", "DEFAULT_INFLATE_CAP"]

DEFAULT_INFLATE_CAP = 64 << 20  # bytes; the cap is max(this, 64 x the compressed size)
_INFLATE_RATIO = 64
_INFLATE_CHUNK = 1 << 20


class Source:
    """The bytes of one DICOM stream. Build with :meth:`open`, :meth:`from_bytes` or
    :meth:`from_fileobj`; use as a context manager to close it.

    Attributes:
        size: number of bytes in the stream.
        path: the file's path as given (``str``), or None for bytes and file-likes without one.
        base: the file offset of byte 0 of the stream (non-zero when a file-like was positioned
            past the start of its file); offsets everywhere else are relative to the stream.
        version: what identifies this state of the bytes: for a mapped file the ``st_mtime_ns``
            of the open descriptor when it was mapped; None for bytes and streams held in
            memory. A pickled dataset handle compares it (and ``size``) when it reopens.
    """

    __slots__ = (
        "size",
        "path",
        "base",
        "version",
        "_fd",
        "_owns_fd",
        "_mmap",
        "_buffer",
        "_closed",
    )

    def __init__(self, *, data, size: int, path: str | None, base: int, fd: int | None,
                 owns_fd: bool, mapping: mmap.mmap | None = None,
                 version: int | None = None):  # fmt: skip
        # Private: use the named constructors.
        self.size = size
        self.version = version
        self.path = path
        self.base = base
        self._fd = fd
        self._owns_fd = owns_fd
        self._mmap = mapping
        self._buffer = data
        self._closed = False

    # ----------------------------------------------------------------- constructors

    @classmethod
    def open(cls, path: str | os.PathLike) -> Source:
        """Map the file at ``path`` read-only and return its Source.

        An empty file gives an empty buffer. Raises ``OSError`` if the file cannot be opened.
        """
        fspath = os.fsdecode(os.fspath(path))
        # A bare descriptor (no io object: a file is opened per dataset, so this is hot); the
        # Source owns it and closes it in ``close`` or when it is garbage-collected.
        fd = os.open(fspath, os.O_RDONLY | getattr(os, "O_BINARY", 0))  # non-inheritable, PEP 446
        try:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), fspath)
            if st.st_size == 0:
                data, mapping = memoryview(b""), None
            else:
                mapping = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
                data = memoryview(mapping)
        except BaseException:
            os.close(fd)
            raise
        return cls(data=data, size=len(data), path=fspath, base=0, fd=fd, owns_fd=True,
                   mapping=mapping, version=st.st_mtime_ns)  # fmt: skip

    @classmethod
    def from_bytes(cls, data) -> Source:
        """Return a Source over ``data`` (bytes or any C-contiguous buffer).

        ``bytes`` and read-only buffers are used as they are, without a copy; a writable buffer
        (``bytearray``, a writable ``memoryview``) is copied once, so that later changes by the
        caller cannot invalidate the index.
        """
        view = memoryview(data)
        if not view.readonly or not view.c_contiguous or view.format != "B" or view.ndim != 1:
            view = memoryview(view.tobytes())
        return cls(data=view, size=len(view), path=None, base=0, fd=None, owns_fd=False)

    @classmethod
    def from_fileobj(cls, f) -> Source:
        """Return a Source over the binary file-like ``f`` from its current position.

        Only a plain file - an exact ``io.FileIO``, or an exact ``io.BufferedReader`` /
        ``io.BufferedRandom`` over one - on a regular file is mapped, because only for those
        are the bytes at ``fileno()`` the bytes ``read`` returns (``gzip.open``, ``bz2.open``
        and wrappers expose the compressed or underlying file's descriptor). It is mapped from
        the object's position (``base``); the Source keeps its own duplicate of the descriptor,
        so closing ``f`` later does no harm. Every other object is read through its own
        methods (see :func:`lazydcm.io.ranged.source_for_fileobj`): a seekable one by byte
        range on demand, a non-seekable or compressed one spooled to a temporary file once.
        ``f`` is never closed by the Source.
        """
        fd = _plain_file_descriptor(f)
        if fd is None:
            from lazydcm.io.ranged import source_for_fileobj

            return source_for_fileobj(f)
        base = f.tell()
        st = os.fstat(fd)
        size = st.st_size - base
        name = getattr(f, "name", None)
        path = os.fsdecode(name) if isinstance(name, (str, bytes)) else None
        own = os.dup(fd)
        try:
            if size <= 0:
                data, mapping = memoryview(b""), None
            else:
                aligned = base - base % mmap.ALLOCATIONGRANULARITY
                mapping = mmap.mmap(own, base + size - aligned, access=mmap.ACCESS_READ,
                                    offset=aligned)  # fmt: skip
                data = memoryview(mapping)[base - aligned :]
        except BaseException:
            os.close(own)
            raise
        return cls(data=data, size=len(data), path=path, base=base, fd=own, owns_fd=True,
                   mapping=mapping, version=st.st_mtime_ns)  # fmt: skip

    def ensure(self, offset: int, length: int, *, metadata: bool = False) -> None:
        """Make ``length`` bytes at ``offset`` readable through :attr:`buffer`.

        A no-op here (a mapped or in-memory stream holds every byte); a ranged source
        (:class:`lazydcm.io.ranged.RangedSource`) fetches the blocks that are missing, with
        readahead when ``metadata`` is true. Code that reads :attr:`buffer` directly (the
        scanners) calls this first for the range it will read.
        """

    # ----------------------------------------------------------------- access

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise SourceClosedError(
                f"the source{'' if self.path is None else ' ' + repr(self.path)} is closed;"
                " its bytes can no longer be read"
            )

    @property
    def buffer(self) -> memoryview:
        """A read-only memoryview of the whole stream (see the module docstring on lifetime).

        Raises:
            SourceClosedError: the source is closed.
        """
        self._check_open()
        # A new view object each time: ``close`` can then release the Source's own view while
        # the ones handed out stay valid (each holds the mapping alive, never dangling).
        return self._buffer[:]

    def fileno(self) -> int | None:
        """The file descriptor of the mapped file, or None for in-memory sources."""
        self._check_open()
        return self._fd

    def _check_range(self, offset: int, length: int) -> None:
        if offset < 0 or length < 0 or offset + length > self.size:
            raise TruncatedDicomError(
                f"{length} bytes at 0x{max(offset, 0):X} run past end of file (size {self.size})",
                offset=offset,
            )

    def view(self, offset: int, length: int) -> memoryview:
        """Return a read-only memoryview of ``length`` bytes at ``offset``, valid until close.

        Raises:
            TruncatedDicomError: the range is not within the stream.
            SourceClosedError: the source is closed.
        """
        self._check_open()
        self._check_range(offset, length)
        return self._buffer[offset : offset + length]

    def cow_view(self, offset: int, length: int) -> memoryview:
        """Return a writable copy-on-write memoryview of ``length`` bytes at ``offset``.

        Writes to it never reach the file or this Source. For a mapped file it is a private
        mapping (``ACCESS_COPY``, i.e. ``MAP_PRIVATE``) of just the pages holding the range:
        pages are copied only when first written. For in-memory sources it is a copy of the
        range. The view owns its memory and stays valid after the Source is closed.

        Raises:
            TruncatedDicomError: the range is not within the stream.
            SourceClosedError: the source is closed.
        """
        self._check_open()
        self._check_range(offset, length)
        if self._mmap is None or self._fd is None or length == 0:
            return memoryview(bytearray(self._buffer[offset : offset + length]))
        start = self.base + offset
        aligned = start - start % mmap.ALLOCATIONGRANULARITY
        mapping = mmap.mmap(self._fd, start - aligned + length, access=mmap.ACCESS_COPY,
                            offset=aligned)  # fmt: skip
        return memoryview(mapping)[start - aligned : start - aligned + length]

    # ----------------------------------------------------------------- deflate

    def inflated(self, dataset_offset: int, *, cap: int | None = None) -> Source:
        """Return a new in-memory Source: these bytes up to ``dataset_offset`` followed by the
        inflated dataset (Deflated Explicit VR Little Endian, PS3.5 A.5: the dataset after the
        meta group is a raw RFC 1951 deflate stream).

        Offsets before ``dataset_offset`` are unchanged in the new Source, which has no ``path``
        or file descriptor (its bytes are not those of any file). Bytes after the end
        of the deflate stream (the single NUL pad of PS3.5 A.5) are ignored. A zlib-wrapped
        stream (RFC 1950, written by some tools in error) is accepted too.

        Args:
            dataset_offset: where the deflated bytes start.
            cap: refuse to inflate more than this many bytes (default
                ``max(DEFAULT_INFLATE_CAP, 64 * compressed size)``).

        Raises:
            InvalidDicomError: the stream would inflate past ``cap`` ("deflate bomb"), is
                corrupt, or ends before its final block.
            SourceClosedError: the source is closed.
        """
        self._check_open()
        self._check_range(dataset_offset, 0)
        compressed = self._buffer[dataset_offset:]
        if cap is None:
            cap = max(DEFAULT_INFLATE_CAP, _INFLATE_RATIO * len(compressed))
        out = bytearray(self._buffer[:dataset_offset])
        if len(compressed):
            try:
                out += _inflate(compressed, -15, cap, dataset_offset)
            except InvalidDicomError:
                head = bytes(compressed[:2])
                if not (head[0] & 0x0F == 8 and int.from_bytes(head, "big") % 31 == 0):
                    raise
                # A zlib header (RFC 1950 2.2: CM=8 and FCHECK) instead of raw deflate.
                out += _inflate(compressed, 15, cap, dataset_offset)
        # The new Source owns ``out``; nobody else can write to it.
        return Source(data=memoryview(out).toreadonly(), size=len(out), path=None, base=0,
                      fd=None, owns_fd=False)  # fmt: skip

    # ----------------------------------------------------------------- closing

    def close(self) -> None:
        """Release the mapping and the file. Idempotent.

        If views of the mapping are still alive (``mmap.close`` refuses with ``BufferError``),
        the mapping is left for the garbage collector to release once the last view is gone;
        the Source is closed either way.
        """
        if self._closed:
            return
        self._closed = True
        buffer, self._buffer = self._buffer, None
        mapping, self._mmap = self._mmap, None
        # BufferError: views or arrays made from it are alive. They keep the mapping alive and
        # valid; it is unmapped when the last of them is garbage-collected.
        with contextlib.suppress(BufferError):
            buffer.release()
        if mapping is not None:
            with contextlib.suppress(BufferError):
                mapping.close()
        if self._owns_fd and self._fd is not None:
            os.close(self._fd)
        self._fd = None

    def __del__(self) -> None:
        # A Source dropped without close: release the descriptor it owns (the mapping, if no
        # view keeps it alive, is released by its own finalizer).
        if getattr(self, "_owns_fd", False) and getattr(self, "_fd", None) is not None:
            try:  # noqa: SIM105 - not contextlib.suppress: this runs for every dropped dataset
                os.close(self._fd)
            except OSError:
                pass
            self._fd = None

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        what = "bytes" if self.path is None else repr(self.path)
        state = "closed" if self._closed else f"{self.size} bytes"
        return f"<Source {what} {state}>"


def _inflate(compressed: memoryview, wbits: int, cap: int, offset: int) -> bytearray:
    """Inflate ``compressed`` with at most ``cap`` bytes of output."""
    d = zlib.decompressobj(wbits)
    out = bytearray()
    try:
        for pos in range(0, len(compressed), _INFLATE_CHUNK):
            pending = compressed[pos : pos + _INFLATE_CHUNK]
            while not d.eof:
                # max_length bounds each step, so a bomb is caught before it is inflated.
                got = d.decompress(pending, cap + 1 - len(out))
                out += got
                if len(out) > cap:
                    raise InvalidDicomError(
                        f"deflate bomb: the dataset inflates past the cap of {cap} bytes",
                        offset=offset,
                    )
                pending = d.unconsumed_tail
                if not pending and not got:
                    break  # this chunk is used up and nothing more is buffered
            if d.eof:
                break
    except zlib.error as exc:
        raise InvalidDicomError(f"corrupt deflate stream: {exc}", offset=offset) from None
    if not d.eof:
        raise TruncatedDicomError("deflate stream ends before its final block", offset=offset)
    return out


_PLAIN_TYPES = (io.BufferedReader, io.BufferedRandom)


def _plain_file_descriptor(f) -> int | None:
    """The descriptor of ``f`` if ``f`` is a plain file on a regular file (its ``read`` returns
    the bytes at its descriptor), else None."""
    raw = f.raw if type(f) in _PLAIN_TYPES else f
    if type(raw) is not io.FileIO:
        return None
    try:
        fd = raw.fileno()
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
    except (OSError, ValueError):
        return None
    return fd if regular else None

"""The streaming writer: execute a plan of ``Copy`` and ``Emit`` segments.

A *plan* is an ordered list of segments. ``Copy(start, stop)`` means "the source's bytes
``[start, stop)``, unchanged"; ``Emit(data)`` means "these new bytes". The writer never looks
inside copied bytes and knows nothing of DICOM: it is the one module of lazydcm that writes files.

Where the output goes (:func:`write_plan`):

* a **path**: the plan is written to a temporary file in the destination's directory, flushed
  and ``fsync``-ed, put in place atomically, and the directory is ``fsync``-ed. Readers see the
  old file or the new one, never a mix. Writing over the file the source has mapped is safe:
  the mapping keeps the old inode alive until it is closed. On any exception the temporary file
  is removed and the destination is untouched. A killed writer (SIGKILL, power loss) leaves the
  destination untouched *and leaves nothing behind*:

  - **anonymous temporary** (Linux ``O_TMPFILE``, where the filesystem supports it): the file
    has no name while it is written, so a killed writer's bytes vanish with its descriptor. When
    complete it is given a name with ``linkat(fd_path, ..., AT_SYMLINK_FOLLOW)`` on
    ``/proc/self/fd/N`` (see open(2)). ``linkat`` cannot replace an existing file, so a new
    destination is linked directly under its own name (atomic: the name appears complete), and
    an existing one is linked under a temporary name that :func:`os.replace` then renames over
    it. The file is ``flock``-ed before it gets that name,
    so only a writer killed between those two system calls can leave a name behind; that name is
    the fixed ``.<name>.lazydcm-tmp`` (a random one only while another live writer of the same
    file holds it), unlocked, and the next write of the same file reclaims it (below).
  - **named temporary** (elsewhere: other systems, filesystems without ``O_TMPFILE``, no
    ``/proc``): ``.<name>.<random>.lazydcm-tmp`` in the destination's directory, held under an
    exclusive ``fcntl.flock`` from creation to rename. Before creating it the writer calls
    :func:`reclaim_stale_temporaries` on the directory: every ``.*.lazydcm-tmp`` file whose lock
    can be taken belongs to a dead writer (the kernel drops a dead process's locks) and is
    removed; a locked one belongs to a live writer and is left alone. A reclaimer and a writer
    that has created but not yet locked its file cannot both win: the reclaimer unlinks only
    while holding the lock, and the writer, once it holds the lock, checks that its name still
    leads to its file and starts over with a new name if not. (Temporaries of writers that do
    not lock, e.g. lazydcm before this scheme, or on a filesystem whose ``flock`` is local to
    one host such as some NFS setups, are not told apart from dead ones.)
* a **binary file-like** (anything with ``write``): the bytes are written sequentially with
  ``write``; there is no atomicity.
* :func:`write_plan_bytes` returns the bytes instead.

Copies into a file go through the kernel where possible: :func:`os.copy_file_range`, then
:func:`os.sendfile`, then plain writes from ``source.buffer``. All writes to the output file use
the same file descriptor (``os.write`` for new bytes, kernel copies at the descriptor's position),
so its position stays consistent.

:func:`patch_in_place` overwrites same-length byte ranges of an existing file (the ``edit()``
fast path). It is *not* atomic across several patches.

The source is any object with ``.buffer`` (a memoryview over all its bytes), ``.size``,
``.fileno()`` (an int, or None when the bytes do not come from a file descriptor whose contents
equal ``buffer``) and optionally ``.base`` (the file offset of ``buffer[0]``, default 0);
:class:`lazydcm.io.source.Source` is one.
"""

from __future__ import annotations

import contextlib
import errno
import operator
import os
import stat
import tempfile
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Protocol, Union

import attrs

try:  # POSIX; without it there is no locking and no reclaiming of stale temporaries
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "Copy",
    "Emit",
    "Segment",
    "Stream",
    "SourceLike",
    "TEMP_SUFFIX",
    "plan_size",
    "coalesce",
    "write_plan",
    "write_plan_bytes",
    "patch_in_place",
    "locked_temporary",
    "reclaim_stale_temporaries",
]

#: Suffix of the temporary files :func:`write_plan` creates next to its destination.
TEMP_SUFFIX = ".lazydcm-tmp"

# Bytes per write(2) when copying from the buffer, and per kernel copy call. Kernel copies are
# chunked too so that a test hook can run between chunks and Ctrl-C is noticed.
_BUFFER_CHUNK = 8 << 20
_KERNEL_CHUNK = 16 << 20
# Bytes per read from a Stream segment's file object (memory stays at about two of these).
_STREAM_CHUNK = 1 << 20
# coalesce() merges runs of Emits no larger than this into one.
_SMALL_EMIT = 64 << 10
# errno values meaning "this kernel copy method does not apply here": fall back to the next.
_FALLBACK_ERRNOS = frozenset(
    {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, getattr(errno, "ENOTSUP", 95)}
)
# errno values for which fsync of a directory is meaningless or not permitted on this filesystem.
_DIR_FSYNC_IGNORED = frozenset({errno.EINVAL, errno.EOPNOTSUPP, errno.EACCES, errno.EPERM})


class SourceLike(Protocol):
    """What the writer needs from a source (``lazydcm.io.source.Source`` satisfies it)."""

    @property
    def buffer(self) -> memoryview: ...

    @property
    def size(self) -> int: ...

    def fileno(self) -> int | None: ...

    # Optional: ``base``, the file offset of buffer[0] in fileno()'s file (0 when absent).


def _to_offset(value: object) -> int:
    # Any integer (numpy integers from the index columns included) becomes a plain int.
    if isinstance(value, bool):
        raise TypeError("a byte offset must be an integer, got bool")
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"a byte offset must be an integer, got {type(value).__name__}") from None


def _check_offset(instance: object, attribute: attrs.Attribute, value: int) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value}")


@attrs.frozen(slots=True)
class Copy:
    """Copy the source's bytes ``[start, stop)`` unchanged.

    Bounds may be any integers (numpy ones too) and are stored as ``int``. Raises
    ``TypeError`` for non-integer bounds and ``ValueError`` unless ``0 <= start <= stop``.
    """

    start: int = attrs.field(converter=_to_offset, validator=_check_offset)
    stop: int = attrs.field(converter=_to_offset, validator=_check_offset)

    def __attrs_post_init__(self) -> None:
        if self.stop < self.start:
            raise ValueError(f"Copy stop {self.stop} is before start {self.start}")

    @property
    def nbytes(self) -> int:
        """Number of bytes this segment writes."""
        return self.stop - self.start


def _as_bytes_like(data: object) -> bytes | bytearray | memoryview:
    # Normalise a memoryview to a flat unsigned-byte view so that nbytes == len and slicing is
    # by byte. Non-contiguous views cannot be cast and are rejected.
    if isinstance(data, memoryview):
        if not data.c_contiguous:
            raise ValueError("Emit needs a C-contiguous memoryview")
        if data.format == "B" and data.ndim == 1:
            return data
        return data.cast("B")
    if isinstance(data, (bytes, bytearray)):
        return data
    raise TypeError(f"Emit data must be bytes, bytearray or memoryview, got {type(data).__name__}")


@attrs.frozen(slots=True)
class Emit:
    """Write ``data`` (new bytes).

    ``data`` is kept by reference, not copied: a ``bytearray`` changed, or a memoryview released,
    before the plan is written changes or breaks the output. A memoryview is normalised to a flat
    byte view; ``TypeError`` for other types, ``ValueError`` for a non-contiguous view.
    """

    data: bytes | bytearray | memoryview = attrs.field(converter=_as_bytes_like)

    @property
    def nbytes(self) -> int:
        """Number of bytes this segment writes."""
        return len(self.data)


@attrs.frozen(slots=True, eq=False)
class Stream:
    """Write ``length`` bytes read from the binary file object ``reader`` at ``start``.

    The bytes are read in blocks while the plan is written, never all at once, and the
    reader's position is put back afterwards (a value given as an open file, pydicom 3's
    buffered values). A reader that ends early raises ``OSError`` (EIO) during the write.
    """

    reader: IO[bytes]
    start: int = attrs.field(converter=_to_offset, validator=_check_offset)
    length: int = attrs.field(converter=_to_offset, validator=_check_offset)

    @property
    def nbytes(self) -> int:
        """Number of bytes this segment writes."""
        return self.length

    def blocks(self, size: int = _STREAM_CHUNK) -> Iterable[bytes]:
        """The bytes, in blocks of at most ``size``."""
        reader = self.reader
        position = reader.tell()
        try:
            reader.seek(self.start)
            remaining = self.length
            while remaining:
                block = reader.read(min(size, remaining))
                if not block:
                    raise OSError(errno.EIO, f"the value's file ended {remaining} bytes early")
                remaining -= len(block)
                yield block
        finally:
            reader.seek(position)


Segment = Union[Copy, Emit, Stream]  # noqa: UP007 - a runtime alias, kept usable on Python 3.10


def plan_size(segments: Iterable[Segment]) -> int:
    """Return the number of bytes the plan writes. ``TypeError`` for a non-segment."""
    total = 0
    for seg in segments:
        if not isinstance(seg, (Copy, Emit, Stream)):
            raise TypeError(f"a plan holds Copy and Emit segments, got {type(seg).__name__}")
        total += seg.nbytes
    return total


def coalesce(segments: Iterable[Segment], *, small: int = _SMALL_EMIT) -> list[Segment]:
    """Return an equivalent plan with fewer segments.

    Empty segments are dropped, a ``Copy`` that starts where the previous one stopped is merged
    into it, and runs of consecutive Emits of at most ``small`` bytes each are joined (into new
    ``bytes``) while the joined size stays within ``small``. Larger Emits are kept as they are,
    uncopied. Writing the result gives exactly the bytes the input plan gives.
    """
    out: list[Segment] = []
    pending: list[bytes | bytearray | memoryview] = []
    pending_size = 0

    def flush() -> None:
        nonlocal pending_size
        if len(pending) == 1:
            out.append(Emit(pending[0]))
        elif pending:
            out.append(Emit(b"".join(pending)))
        pending.clear()
        pending_size = 0

    for seg in segments:
        if isinstance(seg, Copy):
            if seg.start == seg.stop:
                continue
            flush()
            last = out[-1] if out else None
            if isinstance(last, Copy) and last.stop == seg.start:
                out[-1] = Copy(last.start, seg.stop)
            else:
                out.append(seg)
        elif isinstance(seg, Emit):
            n = seg.nbytes
            if n == 0:
                continue
            if n > small:
                flush()
                out.append(seg)
                continue
            if pending_size + n > small:
                flush()
            pending.append(seg.data)
            pending_size += n
        elif isinstance(seg, Stream):
            if seg.length:
                flush()
                out.append(seg)
        else:
            raise TypeError(f"a plan holds Copy and Emit segments, got {type(seg).__name__}")
    flush()
    return out


def _validated(source: SourceLike | None, segments: Iterable[Segment]) -> list[Segment]:
    """Coalesce the plan and check every Copy lies within the source; ``ValueError`` if not."""
    plan = coalesce(segments)
    size = None if source is None else int(source.size)
    for seg in plan:
        if isinstance(seg, Copy):
            if size is None:
                raise ValueError(f"plan copies bytes [{seg.start}, {seg.stop}) but has no source")
            if seg.stop > size:
                raise ValueError(
                    f"plan copies bytes [{seg.start}, {seg.stop}) past the end of the source "
                    f"(size {size})"
                )
    return plan


def write_plan_bytes(source: SourceLike | None, segments: Iterable[Segment]) -> bytes:
    """Return the bytes the plan describes.

    ``source`` may be None when the plan has no Copy. Raises ``ValueError`` if a Copy runs past
    ``source.size`` (or there is no source), ``TypeError`` for a non-segment.
    """
    plan = _validated(source, segments)
    parts: list[bytes | bytearray | memoryview] = []
    buf = source.buffer if source is not None and plan else None
    for seg in plan:
        if isinstance(seg, Copy):
            parts.append(buf[seg.start : seg.stop])  # type: ignore[index]
        elif isinstance(seg, Stream):
            parts.extend(seg.blocks())
        else:
            parts.append(seg.data)
    return b"".join(parts)


def write_plan(
    source: SourceLike | None,
    segments: Iterable[Segment],
    dest: str | os.PathLike[str] | IO[bytes],
    *,
    fsync: bool = True,
    _chunk_hook: Callable[[int], None] | None = None,
    _anonymous: bool = True,
) -> int:
    """Write the plan to ``dest`` and return the number of bytes written.

    ``dest`` is a path (atomic replace, see the module docstring; a symlink is followed and its
    target replaced; an existing file's permission bits are kept, a new file gets
    ``0o666 & ~umask``; owner, ACLs, extended attributes and hard links are those of a new
    file) or a binary writable file-like (sequential ``write`` calls, no atomicity; a ``write``
    returning None is taken as having written everything; a file-like opened for writing on
    the source's own file truncates what the source maps, so pass the path instead). With
    ``fsync=False`` the path case skips both fsyncs but still renames atomically.

    ``source`` may be None when the plan has no Copy. The whole plan is checked before anything
    is written: ``ValueError`` if a Copy runs past ``source.size``, ``TypeError`` for a
    non-segment. ``OSError`` from the filesystem propagates (for a path, after the temporary
    file is removed). ``_chunk_hook`` is for tests: it is called with the running byte count
    after every chunk written; ``_anonymous=False`` forces the named-temporary path (tests).
    """
    plan = _validated(source, segments)
    if isinstance(dest, (str, bytes, os.PathLike)):
        return _write_to_path(
            source, plan, os.fsdecode(dest), fsync=fsync, hook=_chunk_hook, anonymous=_anonymous
        )
    if not callable(getattr(dest, "write", None)):
        raise TypeError(f"dest must be a path or a binary file-like, got {type(dest).__name__}")
    return _write_to_fileobj(source, plan, dest, hook=_chunk_hook)


# --- file-like destinations -------------------------------------------------------------------


def _write_to_fileobj(
    source: SourceLike | None,
    plan: list[Segment],
    dest: IO[bytes],
    *,
    hook: Callable[[int], None] | None,
) -> int:
    # io objects do not keep the views they are given; other writers might, and a view kept
    # over the source's mapping would stop it from closing, so they get bytes copies.
    import io

    keeps_no_views = isinstance(dest, io.IOBase)
    buf = source.buffer if source is not None else None
    written = 0
    for seg in plan:
        if isinstance(seg, Stream):
            for block in seg.blocks():
                written += _write_all(dest, block)
                if hook is not None:
                    hook(written)
            continue
        data = buf[seg.start : seg.stop] if isinstance(seg, Copy) else memoryview(seg.data)  # type: ignore[index]
        for pos in range(0, len(data), _BUFFER_CHUNK):
            chunk = data[pos : pos + _BUFFER_CHUNK]
            while len(chunk):
                n = dest.write(chunk if keeps_no_views else bytes(chunk))
                n = len(chunk) if n is None else n
                if n <= 0 or n > len(chunk):
                    raise OSError(errno.EIO, f"dest.write() returned {n} for {len(chunk)} bytes")
                chunk = chunk[n:]
                written += n
            if hook is not None:
                hook(written)
    return written


def _write_all(dest: IO[bytes], block: bytes) -> int:
    view = memoryview(block)
    while len(view):
        n = dest.write(view)
        n = len(view) if n is None else n
        if n <= 0 or n > len(view):
            raise OSError(errno.EIO, f"dest.write() returned {n} for {len(view)} bytes")
        view = view[n:]
    return len(block)


# --- path destinations ------------------------------------------------------------------------


def _current_umask() -> int:
    # /proc/self/status has it on Linux >= 4.7; elsewhere set-and-restore (not thread-safe, rare).
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_to_path(
    source: SourceLike | None,
    plan: list[Segment],
    dest: str,
    *,
    fsync: bool,
    hook: Callable[[int], None] | None,
    anonymous: bool = True,
) -> int:
    target = os.path.realpath(dest)
    directory, name = os.path.split(target)
    if os.path.isdir(target):
        raise IsADirectoryError(errno.EISDIR, "cannot write a plan over a directory", dest)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_current_umask()
    fd = _open_anonymous(directory) if anonymous else None
    if fd is not None:
        try:
            _lock(fd, blocking=True)  # before it has a name: see the module docstring
            os.fchmod(fd, mode)
            written = _write_to_fd(source, plan, fd, hook=hook)
            if fsync:
                os.fsync(fd)
            _link_into_place(fd, directory, name)
        finally:
            os.close(fd)
    else:
        reclaim_stale_temporaries(directory)
        fd, tmp = locked_temporary(directory, name)
        try:
            try:
                os.fchmod(fd, mode)
                written = _write_to_fd(source, plan, fd, hook=hook)
                if fsync:
                    os.fsync(fd)
                os.replace(tmp, target)
            finally:
                os.close(fd)  # the lock goes with the descriptor, after the rename
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    if fsync:
        _fsync_directory(directory)
    return written


# errno values of open(O_TMPFILE) meaning "not here": the named-temporary path is used instead.
_NO_TMPFILE_ERRNOS = frozenset(
    {errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT, getattr(errno, "ENOTSUP", 95)}
)


def _open_anonymous(directory: str) -> int | None:
    """An ``O_TMPFILE`` descriptor in ``directory``, or None where the platform, the
    filesystem or ``/proc`` (needed to link it) cannot provide one."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or fcntl is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(directory, flag | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError as exc:
        if exc.errno in _NO_TMPFILE_ERRNOS:
            return None
        raise


def _temp_name(name: str) -> str:
    return f".{name}.{uuid.uuid4().hex[:12]}{TEMP_SUFFIX}"


def _link_into_place(fd: int, directory: str, name: str) -> None:
    """Give the complete anonymous file ``fd`` the name ``directory/name``, atomically."""
    dfd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        # linkat(AT_FDCWD, "/proc/self/fd/N", dfd, name, AT_SYMLINK_FOLLOW): open(2), O_TMPFILE.
        proc = f"/proc/self/fd/{fd}"
        try:
            os.link(proc, name, dst_dir_fd=dfd, follow_symlinks=True)
            return  # a new file: it appears complete under its name
        except FileExistsError:
            pass
        # Replacing: link under a temporary name, then rename over. The name is first the
        # fixed ``.<name>.lazydcm-tmp``, so that one left by a writer killed between link and
        # rename is reclaimed here, by the next write of the same file; while another live
        # writer of that file holds it, a random name.
        tmp = f".{name}{TEMP_SUFFIX}"
        for attempt in range(2):
            try:
                os.link(proc, tmp, dst_dir_fd=dfd, follow_symlinks=True)
                break
            except FileExistsError:
                if attempt or not _reclaim_one(dfd, tmp):
                    tmp = None
                    break
        while tmp is None:
            tmp = _temp_name(name)
            try:
                os.link(proc, tmp, dst_dir_fd=dfd, follow_symlinks=True)
            except FileExistsError:
                tmp = None
        try:
            os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=dfd)
            raise
    finally:
        os.close(dfd)


def _lock(fd: int, *, blocking: bool) -> bool:
    """Take an exclusive ``flock`` on ``fd``; False if ``blocking`` is False and it is held."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def _same_file(path: str, fd: int) -> bool:
    try:
        named = os.lstat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def locked_temporary(directory: str, name: str) -> tuple[int, str]:
    """Create ``directory/.<name>.<random>.lazydcm-tmp`` (mode 0600) and hold it under an
    exclusive ``flock`` until the returned descriptor is closed, which marks it as belonging
    to a live writer (:func:`reclaim_stale_temporaries` leaves it alone).

    Returns ``(fd, path)``; the caller writes through ``fd`` (or reopens ``path``), renames
    ``path`` into place and closes ``fd``, or unlinks ``path`` on failure. Raises ``OSError``
    from the filesystem. If a reclaimer removed the file between its creation and the lock,
    a new one is made.
    """
    while True:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + name + ".", suffix=TEMP_SUFFIX)
        try:
            _lock(fd, blocking=True)
            if _same_file(tmp, fd):
                return fd, tmp
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        os.close(fd)


def _reclaim_one(dfd: int, name: str) -> bool:
    """Remove ``name`` (in directory ``dfd``) if it is a stale temporary: a regular file whose
    ``flock`` can be taken, unlinked while held and only if the name still leads to it. True
    if it was removed (or had vanished)."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0), dir_fd=dfd)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        held = os.fstat(fd)
        if not stat.S_ISREG(held.st_mode) or not _lock(fd, blocking=False):
            return False
        try:
            named = os.lstat(name, dir_fd=dfd)
        except FileNotFoundError:
            return True
        if (named.st_dev, named.st_ino) != (held.st_dev, held.st_ino):
            return False
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name, dir_fd=dfd)
        return True
    finally:
        os.close(fd)


def reclaim_stale_temporaries(directory: str | os.PathLike[str]) -> list[str]:
    """Remove the temporary files of dead lazydcm writers in ``directory``; return their paths.

    A candidate is a regular file named ``.*.lazydcm-tmp``. It is stale when its exclusive
    ``flock`` can be taken (a live writer holds it from creation to rename; the kernel releases
    a killed writer's lock), and it is removed while the lock is held and only if its name
    still leads to the locked file. Busy, vanished and unreadable candidates are skipped.
    Costs one directory listing, plus an open per candidate. Does nothing without ``fcntl``
    (returns ``[]``). Raises ``OSError`` only if the directory cannot be listed.
    """
    if fcntl is None:
        return []
    removed = []
    with os.scandir(directory) as entries:
        names = [e.name for e in entries if e.name.startswith(".") and e.name.endswith(TEMP_SUFFIX)]
    dfd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        for name in names:
            if _reclaim_one(dfd, name):
                removed.append(os.path.join(os.fspath(directory), name))
    finally:
        os.close(dfd)
    return removed


def _fsync_directory(directory: str) -> None:
    """Make the rename durable. Filesystems that cannot fsync a directory are tolerated."""
    try:
        dfd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        if exc.errno in _DIR_FSYNC_IGNORED:
            return
        raise
    try:
        os.fsync(dfd)
    except OSError as exc:
        if exc.errno not in _DIR_FSYNC_IGNORED:
            raise
    finally:
        os.close(dfd)


class _Copier:
    """Copies source ranges to ``fd`` at its current position, falling back once per write.

    Order of preference: ``copy_file_range``, ``sendfile``, ``os.write`` from the buffer. A
    method that fails with an errno in ``_FALLBACK_ERRNOS`` is not tried again in this write.
    """

    def __init__(self, source: SourceLike, fd: int, hook: Callable[[int], None] | None):
        self.source = source
        self.fd = fd
        self.hook = hook
        self.written = 0
        src_fd = source.fileno()
        self.src_fd = src_fd if isinstance(src_fd, int) and src_fd >= 0 else None
        self.base = int(getattr(source, "base", 0) or 0)
        self.use_cfr = self.src_fd is not None and hasattr(os, "copy_file_range")
        self.use_sendfile = self.src_fd is not None and hasattr(os, "sendfile")

    def copy(self, start: int, stop: int) -> None:
        pos = start
        if self.use_cfr:
            pos = self._kernel_loop(pos, stop, self._cfr)
            if pos == stop:
                return
        if self.use_sendfile:
            pos = self._kernel_loop(pos, stop, self._sendfile)
            if pos == stop:
                return
        self.emit(self.source.buffer[pos:stop])

    def _cfr(self, pos: int, count: int) -> int:
        return os.copy_file_range(self.src_fd, self.fd, count, offset_src=self.base + pos)

    def _sendfile(self, pos: int, count: int) -> int:
        # With an explicit offset, sendfile leaves the input position alone and writes at the
        # output's position, like copy_file_range with offset_dst=None.
        return os.sendfile(self.fd, self.src_fd, self.base + pos, count)

    def _kernel_loop(self, pos: int, stop: int, call: Callable[[int, int], int]) -> int:
        """Copy with ``call`` until ``stop``; return where it got to (on fallback or EOF)."""
        while pos < stop:
            try:
                n = call(pos, min(stop - pos, _KERNEL_CHUNK))
            except OSError as exc:
                if exc.errno not in _FALLBACK_ERRNOS:
                    raise
                if call == self._cfr:
                    self.use_cfr = False
                else:
                    self.use_sendfile = False
                return pos
            if n <= 0:
                # The descriptor's file ends before source.size says: let the buffer decide.
                return pos
            pos += n
            self.written += n
            if self.hook is not None:
                self.hook(self.written)
        return pos

    def emit(self, data: bytes | bytearray | memoryview) -> None:
        view = memoryview(data)
        for at in range(0, len(view), _BUFFER_CHUNK):
            chunk = view[at : at + _BUFFER_CHUNK]
            while len(chunk):
                n = os.write(self.fd, chunk)
                if n <= 0:
                    raise OSError(errno.EIO, f"write() stored nothing of {len(chunk)} bytes")
                chunk = chunk[n:]
                self.written += n
            if self.hook is not None:
                self.hook(self.written)


class _NoSource:
    buffer = memoryview(b"")
    size = 0

    def fileno(self) -> None:
        return None


def _write_to_fd(
    source: SourceLike | None,
    plan: list[Segment],
    fd: int,
    *,
    hook: Callable[[int], None] | None,
) -> int:
    copier = _Copier(source if source is not None else _NoSource(), fd, hook)
    for seg in plan:
        if isinstance(seg, Copy):
            copier.copy(seg.start, seg.stop)
        elif isinstance(seg, Stream):
            for block in seg.blocks():
                copier.emit(block)
        else:
            copier.emit(seg.data)
    return copier.written


# --- in-place patches -------------------------------------------------------------------------


def patch_in_place(
    path: str | os.PathLike[str],
    patches: Sequence[tuple[int, bytes | bytearray | memoryview]],
    *,
    expected_size: int | None = None,
    fsync: bool = True,
) -> None:
    """Overwrite byte ranges of an existing file in place, then fsync it.

    Each patch is ``(offset, data)`` and must lie within the file; all are checked (and
    ``expected_size``, if given, against the file's size) before anything is written, so a
    ``ValueError`` leaves the file untouched. Patches are applied in order with ``os.pwrite``
    (a later overlapping patch wins). The file's length never changes.

    This is **not atomic across patches**: a crash part-way may leave some patches applied and
    others not. Callers use it only for same-length replacements they could redo. Mappings of
    the same file (a read-only ``Source``) see the new bytes at once. Raises ``OSError`` if the
    file cannot be opened or written, ``TypeError`` for a malformed patch.
    """
    checked: list[tuple[int, memoryview]] = []
    fd = os.open(path, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
    try:
        size = os.fstat(fd).st_size
        if expected_size is not None and size != expected_size:
            raise ValueError(f"{os.fsdecode(path)}: size is {size}, expected {expected_size}")
        for item in patches:
            offset, data = item
            if isinstance(offset, bool) or not isinstance(offset, int):
                raise TypeError(f"patch offset must be an int, got {type(offset).__name__}")
            view = memoryview(_as_bytes_like(data))
            if offset < 0 or offset + len(view) > size:
                raise ValueError(
                    f"patch of {len(view)} bytes at offset {offset} lies outside the file "
                    f"(size {size})"
                )
            checked.append((offset, view))
        for offset, view in checked:
            while len(view):
                n = os.pwrite(fd, view, offset)
                if n <= 0:
                    raise OSError(errno.EIO, f"pwrite() stored nothing of {len(view)} bytes")
                view = view[n:]
                offset += n
        if fsync and checked:
            os.fsync(fd)
    finally:
        os.close(fd)

"""Tests for lazydcm.io.writer: plans of Copy/Emit written to paths, file-likes and bytes."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import mmap
import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lazydcm.io import writer
from lazydcm.io.writer import (
    TEMP_SUFFIX,
    Copy,
    Emit,
    coalesce,
    patch_in_place,
    plan_size,
    write_plan,
    write_plan_bytes,
)

# 32 bytes of source whose every byte is distinct, so a misplaced range shows.
SRC = bytes(range(0x40, 0x60))


@attrs.define
class BytesSource:
    """A source with no file descriptor: copies must come from the buffer."""

    data: bytes

    @property
    def buffer(self) -> memoryview:
        return memoryview(self.data)

    @property
    def size(self) -> int:
        return len(self.data)

    def fileno(self) -> int | None:
        return None


class MappedSource:
    """A file mapped read-only, the way lazydcm's Source maps one."""

    def __init__(self, path: Path):
        self._f = open(path, "rb")  # noqa: SIM115 - closed in close()
        self._mm = mmap.mmap(self._f.fileno(), 0, access=mmap.ACCESS_READ)
        self._view = memoryview(self._mm)

    @property
    def buffer(self) -> memoryview:
        return self._view

    @property
    def size(self) -> int:
        return len(self._mm)

    def fileno(self) -> int | None:
        return self._f.fileno()

    def close(self) -> None:
        self._view.release()
        self._mm.close()
        self._f.close()


@pytest.fixture
def mapped(tmp_path):
    path = tmp_path / "source.bin"
    path.write_bytes(SRC)
    src = MappedSource(path)
    yield src
    src.close()


def expected_bytes(data: bytes, plan) -> bytes:
    """The plan's output computed independently of the writer."""
    out = b""
    for seg in plan:
        out += data[seg.start : seg.stop] if isinstance(seg, Copy) else bytes(seg.data)
    return out


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(TEMP_SUFFIX))


PLAN = [
    Copy(0, 4),  # bytes 0x40..0x43
    Emit(b"NEW!"),
    Copy(10, 20),
    Copy(20, 22),  # adjacent to the previous copy
    Emit(bytearray(b"xy")),
    Emit(memoryview(b"z")),
    Copy(30, 32),  # the last two bytes
]
PLAN_BYTES = b"\x40\x41\x42\x43NEW!" + bytes(range(0x4A, 0x56)) + b"xyz\x5e\x5f"


# --- segments ---------------------------------------------------------------------------------


def test_copy_validates_bounds():
    assert Copy(3, 3).nbytes == 0
    assert Copy(2, 9).nbytes == 7
    with pytest.raises(ValueError):
        Copy(-1, 2)
    with pytest.raises(ValueError):
        Copy(5, 4)
    with pytest.raises(TypeError):
        Copy(0, 2.0)
    with pytest.raises(TypeError):
        Copy(True, 2)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        Copy(0, 1).start = 2
    from_numpy = Copy(np.int64(4), np.uint32(9))  # offsets straight from index columns
    assert from_numpy == Copy(4, 9)
    assert type(from_numpy.start) is int


def test_emit_accepts_bytes_like_and_flattens_views():
    assert Emit(b"ab").nbytes == 2
    assert Emit(bytearray(3)).nbytes == 3
    words = memoryview(bytearray(8)).cast("H")  # 4 uint16 = 8 bytes
    emitted = Emit(words)
    assert emitted.nbytes == 8
    assert emitted.data.format == "B"
    with pytest.raises(TypeError):
        Emit("text")
    with pytest.raises(ValueError):
        Emit(memoryview(bytes(8))[::2])  # not contiguous


def test_plan_size():
    assert plan_size(PLAN) == len(PLAN_BYTES) == 4 + 4 + 10 + 2 + 2 + 1 + 2
    assert plan_size([]) == 0
    with pytest.raises(TypeError):
        plan_size([Copy(0, 1), b"raw"])


def test_coalesce_merges_adjacent_copies_and_small_emits():
    big = b"B" * 100
    plan = [
        Copy(0, 4),
        Copy(4, 8),  # adjacent: merged
        Copy(9, 10),  # gap: kept apart
        Copy(10, 10),  # empty: dropped
        Emit(b"a"),
        Emit(b""),  # empty: dropped
        Emit(b"b"),
        Emit(big),  # larger than `small`: kept as is
        Emit(b"c"),
        Emit(b"d"),
        Copy(10, 12),  # not merged with Copy(9, 10): Emits lie between
    ]
    out = coalesce(plan, small=10)
    assert out == [
        Copy(0, 8),
        Copy(9, 10),
        Emit(b"ab"),
        Emit(big),
        Emit(b"cd"),
        Copy(10, 12),
    ]
    assert out[3].data is big  # large emits are not copied


def test_coalesce_keeps_joined_emits_within_small():
    out = coalesce([Emit(b"aaaa"), Emit(b"bbbb"), Emit(b"cccc")], small=8)
    assert out == [Emit(b"aaaabbbb"), Emit(b"cccc")]
    with pytest.raises(TypeError):
        coalesce([Copy(0, 1), (0, 1)])


segments = st.one_of(
    st.tuples(st.integers(0, 32), st.integers(0, 32)).map(lambda t: Copy(min(t), max(t))),
    st.binary(max_size=12).map(Emit),
)


@given(st.lists(segments, max_size=12), st.integers(1, 16))
def test_coalesce_preserves_output(plan, small):
    out = coalesce(plan, small=small)
    assert expected_bytes(SRC, out) == expected_bytes(SRC, plan)
    assert plan_size(out) == plan_size(plan)
    assert all(seg.nbytes > 0 for seg in out)
    for a, b in zip(out, out[1:], strict=False):
        assert not (isinstance(a, Copy) and isinstance(b, Copy) and a.stop == b.start)


# --- write_plan_bytes / file-likes ------------------------------------------------------------


def test_expected_bytes_helper_matches_literal():
    assert expected_bytes(SRC, PLAN) == PLAN_BYTES


def test_write_plan_bytes():
    assert write_plan_bytes(BytesSource(SRC), PLAN) == PLAN_BYTES
    assert write_plan_bytes(None, [Emit(b"only"), Emit(b" new")]) == b"only new"
    assert write_plan_bytes(BytesSource(SRC), []) == b""


def test_write_plan_to_bytesio():
    out = io.BytesIO()
    assert write_plan(BytesSource(SRC), PLAN, out) == len(PLAN_BYTES)
    assert out.getvalue() == PLAN_BYTES


class TrickleWriter:
    """A non-io writer that takes at most 3 bytes per call and keeps what it is given."""

    def __init__(self):
        self.calls: list[object] = []

    def write(self, data):
        self.calls.append(data)
        return min(3, len(data))

    def value(self) -> bytes:
        return b"".join(bytes(c)[:3] for c in self.calls)


def test_write_plan_to_filelike_with_partial_writes(mapped):
    sink = TrickleWriter()
    assert write_plan(mapped, PLAN, sink) == len(PLAN_BYTES)
    assert sink.value() == PLAN_BYTES
    # A writer outside io may keep what it is given: it must never get a view of the mapping.
    assert all(isinstance(c, bytes) for c in sink.calls)


def test_write_plan_to_filelike_returning_none():
    got = []

    class Sink:
        def write(self, data):
            got.append(bytes(data))

    assert write_plan(BytesSource(SRC), PLAN, Sink()) == len(PLAN_BYTES)
    assert b"".join(got) == PLAN_BYTES


def test_write_plan_rejects_non_writable_dest():
    with pytest.raises(TypeError):
        write_plan(BytesSource(SRC), PLAN, 42)


def test_copy_past_end_writes_nothing_to_filelike():
    out = io.BytesIO()
    with pytest.raises(ValueError, match="past the end"):
        write_plan(BytesSource(SRC), [Emit(b"x"), Copy(30, 33)], out)
    assert out.getvalue() == b""
    with pytest.raises(ValueError, match="no source"):
        write_plan_bytes(None, [Copy(0, 1)])


# --- paths ------------------------------------------------------------------------------------


def test_write_plan_to_new_path(mapped, tmp_path):
    dest = tmp_path / "out.dcm"
    assert write_plan(mapped, PLAN, dest) == len(PLAN_BYTES)
    assert dest.read_bytes() == PLAN_BYTES
    assert leftovers(tmp_path) == []


def test_new_file_mode_follows_umask(tmp_path):
    old = os.umask(0o027)
    try:
        write_plan(None, [Emit(b"x")], tmp_path / "new.dcm")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.dcm").stat().st_mode) == 0o640


def test_replacing_keeps_permission_bits(mapped, tmp_path):
    dest = tmp_path / "out.dcm"
    dest.write_bytes(b"old contents")
    dest.chmod(0o604)
    write_plan(mapped, PLAN, str(dest))
    assert dest.read_bytes() == PLAN_BYTES
    assert stat.S_IMODE(dest.stat().st_mode) == 0o604


def test_write_over_the_mapped_source(tmp_path):
    path = tmp_path / "same.dcm"
    path.write_bytes(SRC)
    src = MappedSource(path)
    try:
        plan = [Copy(16, 32), Emit(b"--"), Copy(0, 16)]
        write_plan(src, plan, path)
        assert path.read_bytes() == SRC[16:] + b"--" + SRC[:16]
        # The mapping still shows the old inode's bytes.
        assert bytes(src.buffer) == SRC
    finally:
        src.close()
    assert leftovers(tmp_path) == []


def test_write_through_symlink_replaces_target(mapped, tmp_path):
    target = tmp_path / "target.dcm"
    target.write_bytes(b"old")
    link = tmp_path / "link.dcm"
    link.symlink_to(target)
    write_plan(mapped, PLAN, link)
    assert link.is_symlink()
    assert target.read_bytes() == PLAN_BYTES


def test_dest_directory_and_missing_parent(mapped, tmp_path):
    with pytest.raises(IsADirectoryError):
        write_plan(mapped, PLAN, tmp_path)
    with pytest.raises(FileNotFoundError):
        write_plan(mapped, PLAN, tmp_path / "missing" / "out.dcm")
    assert leftovers(tmp_path) == []


def test_copy_past_end_leaves_dest_untouched(mapped, tmp_path):
    dest = tmp_path / "out.dcm"
    dest.write_bytes(b"precious")
    with pytest.raises(ValueError, match="past the end"):
        write_plan(mapped, [Emit(b"x"), Copy(0, 33)], dest)
    assert dest.read_bytes() == b"precious"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("anonymous", [True, False], ids=["O_TMPFILE", "named-temp"])
def test_failure_mid_write_removes_temp_and_keeps_dest(mapped, tmp_path, anonymous):
    dest = tmp_path / "out.dcm"
    dest.write_bytes(b"precious")
    seen = []
    named_while_writing = not (anonymous and writer._open_anonymous(str(tmp_path)) is not None)

    def hook(written):
        seen.append(written)
        # a named temp file exists while writing; an anonymous one has no name
        assert bool(leftovers(tmp_path)) == named_while_writing
        if len(seen) == 2:
            raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        write_plan(mapped, PLAN, dest, _chunk_hook=hook, _anonymous=anonymous)
    assert seen == [4, 8]  # Copy(0, 4) then Emit(b"NEW!")
    assert dest.read_bytes() == b"precious"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("anonymous", [True, False], ids=["O_TMPFILE", "named-temp"])
@pytest.mark.parametrize("exists", [True, False], ids=["over-existing", "new-file"])
def test_both_temp_paths_write_and_replace(mapped, tmp_path, anonymous, exists):
    dest = tmp_path / "out.dcm"
    if exists:
        dest.write_bytes(b"old contents")
        dest.chmod(0o640)
    assert write_plan(mapped, PLAN, dest, _anonymous=anonymous) == len(PLAN_BYTES)
    assert dest.read_bytes() == PLAN_BYTES
    if exists:
        assert stat.S_IMODE(dest.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_o_tmpfile_is_used_where_available(tmp_path):
    fd = writer._open_anonymous(str(tmp_path))
    if fd is None:
        pytest.skip("no O_TMPFILE on this platform/filesystem: the named-temp path is used")
    try:
        assert os.listdir(tmp_path) == []  # an anonymous file has no name
    finally:
        os.close(fd)


def test_anonymous_replace_reclaims_a_stale_link_name_and_skips_a_busy_one(mapped, tmp_path):
    if writer._open_anonymous(str(tmp_path)) is None:
        pytest.skip("no O_TMPFILE on this platform/filesystem")
    dest = tmp_path / "out.dcm"
    dest.write_bytes(b"old")
    link_name = tmp_path / f".out.dcm{TEMP_SUFFIX}"
    link_name.write_bytes(b"left by a writer killed between link and rename")
    write_plan(mapped, PLAN, dest)  # replaces dest through that very name
    assert dest.read_bytes() == PLAN_BYTES
    assert leftovers(tmp_path) == []
    link_name.write_bytes(b"a live writer's")
    busy = os.open(link_name, os.O_RDONLY)
    try:
        fcntl.flock(busy, fcntl.LOCK_EX)
        write_plan(mapped, [Emit(b"again")], dest)  # goes through a random name instead
        assert dest.read_bytes() == b"again"
        assert leftovers(tmp_path) == [link_name.name]
        assert link_name.read_bytes() == b"a live writer's"
    finally:
        os.close(busy)


def test_reclaim_removes_only_unlocked_temporaries(tmp_path):
    from lazydcm.io.writer import locked_temporary, reclaim_stale_temporaries

    busy_fd, busy = locked_temporary(str(tmp_path), "a.dcm")  # a live writer's temp
    stale = tmp_path / f".b.dcm.x1y2{TEMP_SUFFIX}"  # a dead writer's (nobody holds its lock)
    stale.write_bytes(b"half written")
    (tmp_path / f"visible{TEMP_SUFFIX}").write_bytes(b"no leading dot: not ours")
    (tmp_path / f".dir{TEMP_SUFFIX}").mkdir()  # not a regular file
    try:
        assert reclaim_stale_temporaries(tmp_path) == [str(stale)]
        assert os.path.exists(busy)
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            [os.path.basename(busy), f"visible{TEMP_SUFFIX}", f".dir{TEMP_SUFFIX}"]
        )
    finally:
        os.close(busy_fd)  # the writer dies: its lock goes with it
    assert reclaim_stale_temporaries(tmp_path) == [busy]
    assert reclaim_stale_temporaries(tmp_path) == []


def test_locked_temporary_starts_over_if_reclaimed_before_locking(tmp_path, monkeypatch):
    from lazydcm.io.writer import locked_temporary

    made = []
    real_mkstemp = writer.tempfile.mkstemp

    def mkstemp_then_reclaimed(**kwargs):
        fd, path = real_mkstemp(**kwargs)
        made.append(path)
        if len(made) == 1:
            os.unlink(path)  # a reclaimer got it between creation and lock
        return fd, path

    monkeypatch.setattr(writer.tempfile, "mkstemp", mkstemp_then_reclaimed)
    fd, path = locked_temporary(str(tmp_path), "x.dcm")
    os.close(fd)
    assert len(made) == 2 and path == made[1] and os.path.exists(path)


def test_released_emit_data_fails_cleanly(mapped, tmp_path):
    dest = tmp_path / "out.dcm"
    dest.write_bytes(b"precious")
    payload = memoryview(b"P" * (writer._SMALL_EMIT + 1))  # large: kept by reference
    plan = [Copy(0, 8), Emit(payload)]
    payload.release()
    with pytest.raises(ValueError, match="released"):
        write_plan(mapped, plan, dest)
    assert dest.read_bytes() == b"precious"
    assert leftovers(tmp_path) == []


def test_unexpected_oserror_propagates_and_cleans_up(mapped, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "copy_file_range", broken)
    dest = tmp_path / "out.dcm"
    dest.write_bytes(b"precious")
    with pytest.raises(OSError) as info:
        write_plan(mapped, PLAN, dest)
    assert info.value.errno == errno.EIO
    assert dest.read_bytes() == b"precious"
    assert leftovers(tmp_path) == []


def test_fsync_file_and_directory(mapped, tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def spy(fd):
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    write_plan(mapped, PLAN, tmp_path / "a.dcm")
    assert synced == [False, True]  # the file, then its directory
    synced.clear()
    write_plan(mapped, PLAN, tmp_path / "b.dcm", fsync=False)
    assert synced == []
    assert (tmp_path / "b.dcm").read_bytes() == PLAN_BYTES


# --- copy methods and their fallbacks ---------------------------------------------------------


def count_calls(monkeypatch, name, behaviour=None):
    """Wrap os.<name>, counting calls; ``behaviour(real, *args, **kw)`` may replace it."""
    real = getattr(os, name)
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(args)
        if behaviour is None:
            return real(*args, **kwargs)
        return behaviour(real, *args, **kwargs)

    monkeypatch.setattr(os, name, wrapper)
    return calls


def raise_errno(code):
    def behaviour(real, *args, **kwargs):
        raise OSError(code, os.strerror(code))

    return behaviour


def test_kernel_copy_is_used_when_source_has_fd(mapped, tmp_path, monkeypatch):
    cfr = count_calls(monkeypatch, "copy_file_range")
    write_plan(mapped, PLAN, tmp_path / "out.dcm")
    assert len(cfr) == 3  # Copy(0,4), Copy(10,22) (coalesced), Copy(30,32)
    assert (tmp_path / "out.dcm").read_bytes() == PLAN_BYTES


def test_partial_kernel_copies_loop(mapped, tmp_path, monkeypatch):
    cfr = count_calls(
        monkeypatch, "copy_file_range", lambda real, s, d, n, **kw: real(s, d, min(n, 3), **kw)
    )
    write_plan(mapped, PLAN, tmp_path / "out.dcm")
    assert (tmp_path / "out.dcm").read_bytes() == PLAN_BYTES
    assert len(cfr) == 2 + 4 + 1  # ceil(4/3) + ceil(12/3) + ceil(2/3)


@pytest.mark.parametrize("code", [errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP])
def test_fallback_to_sendfile(mapped, tmp_path, monkeypatch, code):
    cfr = count_calls(monkeypatch, "copy_file_range", raise_errno(code))
    sf = count_calls(monkeypatch, "sendfile")
    write_plan(mapped, PLAN, tmp_path / "out.dcm")
    assert (tmp_path / "out.dcm").read_bytes() == PLAN_BYTES
    assert len(cfr) == 1  # not retried once it failed
    assert len(sf) == 3


def test_fallback_to_buffer(mapped, tmp_path, monkeypatch):
    cfr = count_calls(monkeypatch, "copy_file_range", raise_errno(errno.EXDEV))
    sf = count_calls(monkeypatch, "sendfile", raise_errno(errno.EINVAL))
    write_plan(mapped, PLAN, tmp_path / "out.dcm")
    assert (tmp_path / "out.dcm").read_bytes() == PLAN_BYTES
    assert (len(cfr), len(sf)) == (1, 1)


def test_fallback_after_partial_kernel_copy(mapped, tmp_path, monkeypatch):
    # The first call copies 2 bytes, the next fails: the rest must come from sendfile at the
    # right offsets and land at the right file position.
    state = {"n": 0}

    def flaky(real, s, d, n, **kw):
        state["n"] += 1
        if state["n"] == 1:
            return real(s, d, 2, **kw)
        raise OSError(errno.EXDEV, "cross-device")

    count_calls(monkeypatch, "copy_file_range", flaky)
    write_plan(mapped, PLAN, tmp_path / "out.dcm")
    assert (tmp_path / "out.dcm").read_bytes() == PLAN_BYTES


def test_no_fd_uses_buffer_only(tmp_path, monkeypatch):
    cfr = count_calls(monkeypatch, "copy_file_range")
    sf = count_calls(monkeypatch, "sendfile")
    write_plan(BytesSource(SRC), PLAN, tmp_path / "out.dcm")
    assert (tmp_path / "out.dcm").read_bytes() == PLAN_BYTES
    assert cfr == sf == []


def test_partial_os_writes_loop(mapped, tmp_path, monkeypatch):
    count_calls(monkeypatch, "write", lambda real, fd, data: real(fd, bytes(data)[:1]))
    count_calls(monkeypatch, "copy_file_range", raise_errno(errno.ENOSYS))
    count_calls(monkeypatch, "sendfile", raise_errno(errno.ENOSYS))
    write_plan(mapped, PLAN, tmp_path / "out.dcm")
    assert (tmp_path / "out.dcm").read_bytes() == PLAN_BYTES


def test_write_storing_nothing_is_an_error(mapped, tmp_path, monkeypatch):
    count_calls(monkeypatch, "write", lambda real, fd, data: 0)
    dest = tmp_path / "out.dcm"
    dest.write_bytes(b"precious")
    with pytest.raises(OSError, match="stored nothing"):
        write_plan(mapped, PLAN, dest)
    assert dest.read_bytes() == b"precious"
    assert leftovers(tmp_path) == []


def test_bytes_path_dest(mapped, tmp_path):
    dest = tmp_path / "bytes.dcm"
    write_plan(mapped, PLAN, os.fsencode(dest))
    assert dest.read_bytes() == PLAN_BYTES


def test_large_copy_in_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "_KERNEL_CHUNK", 1000)
    monkeypatch.setattr(writer, "_BUFFER_CHUNK", 700)
    data = hashlib.sha256(b"seed").digest() * 200  # 6400 bytes
    (tmp_path / "big.bin").write_bytes(data)
    src = MappedSource(tmp_path / "big.bin")
    try:
        plan = [Emit(b"<"), Copy(5, 6400), Emit(b">")]
        hooks: list[int] = []
        write_plan(src, plan, tmp_path / "k.bin", _chunk_hook=hooks.append)
        assert (tmp_path / "k.bin").read_bytes() == b"<" + data[5:] + b">"
        assert hooks == [1, *range(1001, 6002, 1000), 6396, 6397]
        monkeypatch.delattr(os, "copy_file_range")
        monkeypatch.delattr(os, "sendfile")
        hooks.clear()
        write_plan(src, plan, tmp_path / "b.bin", _chunk_hook=hooks.append)
        assert (tmp_path / "b.bin").read_bytes() == b"<" + data[5:] + b">"
        assert hooks == [1, *range(701, 6302, 700), 6396, 6397]
    finally:
        src.close()


# --- with the real Source ---------------------------------------------------------------------


def test_real_source_mapped_file(tmp_path):
    from lazydcm.io.source import Source

    path = tmp_path / "src.dcm"
    path.write_bytes(SRC)
    with Source.open(path) as src:
        assert write_plan(src, PLAN, path) == len(PLAN_BYTES)  # over its own file
        assert bytes(src.buffer) == SRC
    assert path.read_bytes() == PLAN_BYTES


@pytest.mark.parametrize("kernel", [True, False])
def test_real_source_with_base_offset(tmp_path, monkeypatch, kernel):
    # A file-like positioned at byte 5: the stream's byte 0 is the file's byte 5.
    from lazydcm.io.source import Source

    path = tmp_path / "prefixed.bin"
    path.write_bytes(b"JUNK!" + SRC)
    if not kernel:
        monkeypatch.setattr(os, "copy_file_range", raise_errno(errno.EXDEV))
    with open(path, "rb") as f:
        f.seek(5)
        with Source.from_fileobj(f) as src:
            assert src.base == 5
            write_plan(src, PLAN, tmp_path / "out.dcm")
    assert (tmp_path / "out.dcm").read_bytes() == PLAN_BYTES


def test_real_source_from_bytes(tmp_path):
    from lazydcm.io.source import Source

    src = Source.from_bytes(SRC)
    assert write_plan_bytes(src, PLAN) == PLAN_BYTES
    write_plan(src, PLAN, tmp_path / "out.dcm")
    assert (tmp_path / "out.dcm").read_bytes() == PLAN_BYTES


# --- crash safety -----------------------------------------------------------------------------

CRASH_CHILD = textwrap.dedent(
    """
    import mmap, sys, time
    from lazydcm.io.writer import Copy, Emit, write_plan

    class Src:
        def __init__(self, path):
            self.f = open(path, "rb")
            self.mm = mmap.mmap(self.f.fileno(), 0, access=mmap.ACCESS_READ)
            self.buffer = memoryview(self.mm)
            self.size = len(self.mm)
        def fileno(self):
            return self.f.fileno()

    def hook(written):
        print(written, flush=True)
        time.sleep(0.5)

    src = Src(sys.argv[1])
    write_plan(src, [Emit(b"HEAD"), Copy(0, src.size), Emit(b"TAIL")], sys.argv[2],
               _chunk_hook=hook, _anonymous=sys.argv[3] == "True")
    print("finished", flush=True)
    """
)


@pytest.mark.parametrize("anonymous", [True, False], ids=["O_TMPFILE", "named-temp"])
def test_sigkill_mid_copy_leaves_nothing_behind(tmp_path, anonymous):
    source = tmp_path / "source.bin"
    block = hashlib.sha512(b"lazydcm").digest() * 16384  # 1 MiB
    with open(source, "wb") as f:
        for i in range(64):
            f.write(block[i:] + block[:i])
    dest = tmp_path / "dest.dcm"
    dest.write_bytes(b"the original destination" * 1000)
    before = hashlib.sha256(dest.read_bytes()).hexdigest()

    child = subprocess.Popen(
        [sys.executable, "-c", CRASH_CHILD, str(source), str(dest), str(anonymous)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = child.stdout.readline()  # the hook has run: the copy is under way
        second = child.stdout.readline()
        assert first.strip() == "4", child.stderr.read()
        assert int(second) > 4  # a first kernel chunk of the 64 MiB copy is in the temp file
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    assert hashlib.sha256(dest.read_bytes()).hexdigest() == before
    others = sorted({p.name for p in tmp_path.iterdir()} - {"source.bin", "dest.dcm"})
    if anonymous and writer._open_anonymous(str(tmp_path)) is not None:
        assert others == []  # the anonymous file died with the writer
        return
    # Named temporaries: the dead writer's is left, unlocked, and the next write to the
    # directory (here to another file) reclaims it.
    assert len(others) == 1 and others[0].startswith(".dest.dcm.")
    assert others[0].endswith(TEMP_SUFFIX)
    write_plan(None, [Emit(b"next")], tmp_path / "other.dcm", _anonymous=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dest.dcm", "other.dcm", "source.bin"]


# --- patch_in_place ---------------------------------------------------------------------------


def test_patch_in_place(tmp_path):
    path = tmp_path / "p.dcm"
    path.write_bytes(SRC)
    patch_in_place(path, [(0, b"AB"), (30, bytearray(b"YZ")), (8, memoryview(b"mid"))])
    expected = bytearray(SRC)
    expected[0:2] = b"AB"
    expected[30:32] = b"YZ"
    expected[8:11] = b"mid"
    assert path.read_bytes() == bytes(expected)
    patch_in_place(path, [(1, b"aaaa"), (2, b"b")], expected_size=32)  # later patch wins
    expected[1:5] = b"abaa"
    assert path.read_bytes() == bytes(expected)


def test_patch_in_place_is_seen_by_a_mapping(tmp_path):
    path = tmp_path / "p.dcm"
    path.write_bytes(SRC)
    src = MappedSource(path)
    try:
        patch_in_place(path, [(4, b"!!")])
        assert bytes(src.buffer[4:6]) == b"!!"
    finally:
        src.close()


@pytest.mark.parametrize(
    ("patches", "kwargs", "error"),
    [
        ([(0, b"ok"), (31, b"xy")], {}, ValueError),  # second patch ends at 33 > 32
        ([(-1, b"x")], {}, ValueError),
        ([(0, b"ok")], {"expected_size": 31}, ValueError),
        ([(0, b"ok"), (1.0, b"x")], {}, TypeError),
        ([(0, "text")], {}, TypeError),
    ],
)
def test_patch_in_place_checks_everything_first(tmp_path, patches, kwargs, error):
    path = tmp_path / "p.dcm"
    path.write_bytes(SRC)
    with pytest.raises(error):
        patch_in_place(path, patches, **kwargs)
    assert path.read_bytes() == SRC


def test_patch_in_place_partial_pwrite_and_fsync(tmp_path, monkeypatch):
    path = tmp_path / "p.dcm"
    path.write_bytes(SRC)
    count_calls(monkeypatch, "pwrite", lambda real, fd, data, off: real(fd, bytes(data)[:1], off))
    synced = count_calls(monkeypatch, "fsync")
    patch_in_place(path, [(3, b"four")])
    assert path.read_bytes() == SRC[:3] + b"four" + SRC[7:]
    assert len(synced) == 1
    patch_in_place(path, [(3, b"FOUR")], fsync=False)
    assert len(synced) == 1
    assert path.read_bytes() == SRC[:3] + b"FOUR" + SRC[7:]


def test_patch_in_place_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        patch_in_place(tmp_path / "nope.dcm", [(0, b"x")])

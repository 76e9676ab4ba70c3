"""Measuring helpers for the benchmarks: wall time, memory added, page-cache control.

Memory is read from ``/proc/self/status`` (Linux):

* **peak RSS growth** — ``VmHWM`` after the action minus ``VmRSS`` before it, with the high-water
  mark reset first (``echo 5 > /proc/self/clear_refs``) so that import-time peaks do not hide
  it. Mapped file pages that the action touches count here.
* **anonymous memory** — ``RssAnon`` (heap, numpy buffers, ``bytes`` read from a file). Pages of a
  memory-mapped file are not anonymous, so this is the number that shows whether a library
  copied the file into memory. There is no high-water mark for it, so a background thread
  samples it every millisecond or so; the peak it reports is a lower bound for very short
  spikes.

Each measured action is meant to run in a fresh process (``run.py --single``) so that one
library's allocations and caches do not leak into the next measurement.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB


# --- /proc/self/status ------------------------------------------------------------------------


def read_status(keys: tuple[str, ...] = ("VmRSS", "VmHWM", "RssAnon", "RssFile")) -> dict[str, int]:
    """Return the given ``/proc/self/status`` fields in bytes (missing fields are absent)."""
    out: dict[str, int] = {}
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                name, _, rest = line.partition(":")
                if name in keys:
                    out[name] = int(rest.split()[0]) * KIB
    except OSError:
        pass
    return out


def reset_peak_rss() -> bool:
    """Reset this process's ``VmHWM`` to its current RSS; return whether that worked."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        return True
    except OSError:
        return False


class MemorySampler:
    """Context manager that records memory growth over a block of code.

    After the block: ``peak_rss`` (bytes of RSS growth at the high-water mark), ``anon_peak``
    (sampled peak of anonymous memory growth), ``anon_after`` (anonymous memory still held
    right after the block, including whatever the block returned and kept alive).
    """

    def __init__(self, interval: float = 0.001):
        self.interval = interval
        self.peak_rss = 0
        self.anon_peak = 0
        self.anon_after = 0
        self._stop = threading.Event()
        self._max_anon = 0
        self._max_rss = 0

    def _sample(self) -> None:
        while not self._stop.is_set():
            s = read_status(("RssAnon", "VmRSS"))
            self._max_anon = max(self._max_anon, s.get("RssAnon", 0))
            self._max_rss = max(self._max_rss, s.get("VmRSS", 0))
            self._stop.wait(self.interval)

    def __enter__(self) -> MemorySampler:
        self._hwm_reset = reset_peak_rss()
        before = read_status()
        self._rss0 = before.get("VmRSS", 0)
        self._anon0 = before.get("RssAnon", 0)
        self._max_anon = self._anon0
        self._max_rss = self._rss0
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        after = read_status()
        self._stop.set()
        self._thread.join()
        anon = after.get("RssAnon", 0)
        self._max_anon = max(self._max_anon, anon)
        self._max_rss = max(self._max_rss, after.get("VmRSS", 0))
        hwm = after.get("VmHWM", 0) if self._hwm_reset else self._max_rss
        self.peak_rss = max(0, hwm - self._rss0)
        self.anon_peak = max(0, self._max_anon - self._anon0)
        self.anon_after = max(0, anon - self._anon0)


# --- page cache -------------------------------------------------------------------------------


def drop_caches() -> tuple[bool, str]:
    """Write dirty pages and drop the page cache; return (done, reason if not)."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w", encoding="ascii") as f:
            f.write("1")
        return True, ""
    except OSError as exc:
        return False, f"{type(exc).__name__}: {exc.strerror or exc}"


def evict_file(path: Any) -> bool:
    """Drop one file's clean pages from the page cache (``posix_fadvise(DONTNEED)``; no root
    needed). Returns False where the call is missing or fails."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        return True
    except (OSError, AttributeError):
        return False
    finally:
        os.close(fd)


def _mincore(path: Any) -> bytes | None:
    """One byte per page of the file, bit 0 set when the page is in the page cache
    (``mincore(2)`` over a fresh shared read-only mapping: Linux reports the file's cached pages,
    whoever read them). None where ``mincore`` is unavailable."""
    import ctypes
    import ctypes.util
    import mmap

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        libc.mincore  # noqa: B018 - missing on some platforms
    except (OSError, AttributeError):
        return None
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]  # fmt: skip
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    size = os.path.getsize(path)
    if size == 0:
        return b""
    fd = os.open(path, os.O_RDONLY)
    try:
        addr = libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        if addr in (None, ctypes.c_void_p(-1).value):
            return None
        try:
            vec = ctypes.create_string_buffer(-(-size // mmap.PAGESIZE))
            return vec.raw if libc.mincore(addr, size, vec) == 0 else None
        finally:
            libc.munmap(addr, size)
    finally:
        os.close(fd)


def resident_pages(path: Any) -> tuple[int, int] | None:
    """``(resident, total)`` pages of a file in the page cache (see ``_mincore``), or None."""
    vec = _mincore(path)
    return None if vec is None else (sum(b & 1 for b in vec), len(vec))


def resident_pages_in(path: Any, start: int, stop: int) -> int | None:
    """How many pages holding bytes ``start:stop`` of the file are in the page cache, or None."""
    import mmap

    vec = _mincore(path)
    if vec is None:
        return None
    first, last = start // mmap.PAGESIZE, -(-stop // mmap.PAGESIZE)
    return sum(b & 1 for b in vec[first:last])


# --- timing -----------------------------------------------------------------------------------


@dataclass
class Case:
    """One implementation of one benchmark, ready to run.

    ``action`` is what is timed and returns a result; ``before_each`` runs untimed before every
    run (delete an output, flush dirty pages); ``check`` turns the first run's result into a
    short string compared across implementations; ``cleanup`` runs once at the end.
    """

    action: Callable[[], Any]
    check: Callable[[Any], str] = lambda result: ""
    before_each: Callable[[], None] = lambda: None
    cleanup: Callable[[], None] = lambda: None
    min_runs: int = 3
    max_runs: int = 30
    min_time: float = 1.0
    note: str = ""


@dataclass
class Measurement:
    """What one fresh process measured for one implementation (times in seconds, memory in bytes)."""

    times: list[float] = field(default_factory=list)
    cold: float | None = None
    peak_rss: int = 0
    anon_peak: int = 0
    anon_after: int = 0
    check: str = ""
    note: str = ""
    error: str = ""

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Measurement:
        return cls(**data)


def measure(case: Case, *, cold: bool = False) -> Measurement:
    """Run ``case``: a first run measured for memory (after dropping the page cache if ``cold``
    and possible), then warm runs until ``min_runs`` and ``min_time`` (or ``max_runs``).

    The first run counts as a warm run too unless the cache was dropped before it.
    """
    m = Measurement(note=case.note)
    try:
        case.before_each()
        dropped = drop_caches()[0] if cold else False
        with MemorySampler() as mem:
            t0 = time.perf_counter()
            result = case.action()
            elapsed = time.perf_counter() - t0
        m.peak_rss, m.anon_peak, m.anon_after = mem.peak_rss, mem.anon_peak, mem.anon_after
        if dropped:
            m.cold = elapsed
        else:
            m.times.append(elapsed)
        m.check = case.check(result)
        del result
        while len(m.times) < case.min_runs or (
            sum(m.times) < case.min_time and len(m.times) < case.max_runs
        ):
            case.before_each()
            t0 = time.perf_counter()
            result = case.action()
            m.times.append(time.perf_counter() - t0)
            del result
    finally:
        case.cleanup()
    return m


# --- machine and formatting -------------------------------------------------------------------


def machine_info() -> dict[str, str]:
    """CPU count, platform and library versions for the report header."""
    info = {
        "cpus": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
    }
    for mod in ("numpy", "pydicom", "lazydcm"):
        try:
            module = __import__(mod)
            info[mod] = str(getattr(module, "__version__", "(no __version__)"))
        except Exception as exc:  # report, do not fail: the table says what is missing
            info[mod] = f"not importable ({type(exc).__name__})"
    mem = _meminfo_total()
    if mem:
        info["memory"] = fmt_bytes(mem)
    return info


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _meminfo_total() -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * KIB
    except OSError:
        pass
    return 0


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_bytes(n: int | None) -> str:
    if n is None:
        return "-"
    if n < MIB:
        return f"{n / KIB:.0f} KiB"
    if n < GIB:
        return f"{n / MIB:.1f} MiB"
    return f"{n / GIB:.2f} GiB"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """Plain-text table with columns padded to their widest cell."""
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    return "\n".join(lines)

"""What every subcommand of ``lazydcm`` shares: exit codes, messages on stderr, the progress
bar, atomic output files and the ``--tags`` list syntax."""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Iterator
from typing import IO, Any

from lazydcm.io.writer import locked_temporary, reclaim_stale_temporaries

__all__ = [
    "EXIT_OK",
    "EXIT_FAILED",
    "EXIT_USAGE",
    "UsageError",
    "Console",
    "Progress",
    "atomic_output",
    "atomic_path",
    "split_list",
]

EXIT_OK = 0  # everything done
EXIT_FAILED = 1  # some files failed (each reported on stderr)
EXIT_USAGE = 2  # the command line cannot be carried out (argparse uses 2 as well)


class UsageError(Exception):
    """A command line that cannot be carried out; ``main`` prints it and exits with 2."""


class Console:
    """Messages of one subcommand: results on stdout, problems on stderr prefixed with
    ``lazydcm <command>:``. ``quiet`` silences notes (never errors)."""

    def __init__(self, command: str, *, quiet: bool = False) -> None:
        self.prefix = f"lazydcm {command}"
        self.quiet = quiet
        self.progress: Progress | None = None

    def out(self, text: str = "") -> None:
        """A line of results on stdout (through the progress bar when one is shown)."""
        self._write(text, sys.stdout)

    def error(self, where: str, message: str) -> None:
        """``lazydcm <command>: <where>: <message>`` on stderr."""
        self._write(
            f"{self.prefix}: {where}: {message}" if where else f"{self.prefix}: {message}",
            sys.stderr,
        )

    def note(self, text: str) -> None:
        """An informational line on stderr, unless quiet."""
        if not self.quiet:
            self._write(text, sys.stderr)

    def _write(self, text: str, stream: IO[str]) -> None:
        if self.progress is not None:
            self.progress.write(text, stream)
        else:
            print(text, file=stream)


class Progress:
    """A progress bar on stderr when it is a terminal and tqdm is installed (the ``progress``
    extra); otherwise counts silently. Use as a context manager."""

    def __init__(self, total: int, description: str, *, enabled: bool = True) -> None:
        self.done = 0
        self._bar: Any = None
        if enabled and total > 1 and sys.stderr.isatty():
            try:
                import tqdm
            except ImportError:
                return
            tqdm.tqdm.monitor_interval = 0  # no monitor thread: worker pools fork
            self._bar = tqdm.tqdm(
                total=total,
                desc=description,
                unit="file",
                file=sys.stderr,
                leave=False,
                dynamic_ncols=True,
            )

    def update(self, count: int = 1) -> None:
        self.done += count
        if self._bar is not None:
            self._bar.update(count)

    def write(self, text: str, stream: IO[str]) -> None:
        if self._bar is not None:
            self._bar.write(text, file=stream)
        else:
            print(text, file=stream)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """A temporary file name beside ``path`` to write to; on success the file is fsynced and
    renamed over ``path`` (with the usual permissions), on any error removed — ``path`` is
    never left half-written. The temporary file is held under a lock while in use, so that
    one left by a killed process is reclaimed by the next write to the directory
    (``lazydcm.io.writer.locked_temporary`` / ``reclaim_stale_temporaries``)."""
    directory = os.path.dirname(os.path.abspath(path))
    reclaim_stale_temporaries(directory)
    lock_fd, temp = locked_temporary(directory, os.path.basename(path))
    try:
        try:
            yield temp
            os.chmod(temp, 0o666 & ~_umask())
            fd = os.open(temp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temp, path)
        finally:
            os.close(lock_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


@contextlib.contextmanager
def atomic_output(path: str, mode: str = "wb") -> Iterator[IO[Any]]:
    """:func:`atomic_path` opened as a file object (``mode`` ``"wb"`` or ``"w"``)."""
    extra: dict[str, Any] = {} if "b" in mode else {"newline": "", "encoding": "utf-8"}
    with atomic_path(path) as temp, open(temp, mode, **extra) as fh:
        yield fh


_LIST_ITEM = re.compile(r"\s*(\([^)]*\)|[^,]+)\s*(?:,|$)")


def split_list(text: str) -> list[str]:
    """``"PatientName,(0010,0020),00100030"`` -> the three names (commas inside parentheses
    belong to the tag)."""
    items = [m.group(1).strip() for m in _LIST_ITEM.finditer(text)]
    return [item for item in items if item]


def mirrored_outputs(files: Any, output: str) -> list[tuple[str, str]]:
    """``(input, output)`` pairs for ``files`` (``archive.FoundFile``: ``path``, ``relative``)
    written under the directory ``output`` as the input tree is laid out.

    Raises UsageError when ``output`` exists and is not a directory, when two inputs would be
    written to one path, or when an output would be its own input."""
    if os.path.exists(output) and not os.path.isdir(output):
        raise UsageError(f"-o {output}: not a directory")
    pairs: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for found in files:
        out = os.path.join(output, found.relative)
        key = os.path.realpath(out)
        if key in seen:
            raise UsageError(f"{found.path} and {seen[key]} would both be written to {out}")
        if key == os.path.realpath(found.path):
            raise UsageError(f"{found.path}: -o would overwrite the input")
        seen[key] = found.path
        pairs.append((found.path, out))
    return pairs

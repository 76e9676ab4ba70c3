"""Paging hints for views of mapped files: read exactly the ranges that will be used.

A fault on a file mapping makes the kernel read around the faulting page (on Linux up to the
device's ``read_ahead_kb``, often megabytes), so touching one frame of a big file can read many
of its neighbours. For a view used by ranges (pixel frames), :func:`random_access` turns that
read-around off for the view's mapping and :func:`prefetch` asks for one range ahead of use, in
one request; :func:`sequential_access` turns read-ahead up for one pass over everything. Both are hints: on a view that is not backed by an ``mmap`` (bytes, a
``bytearray`` copy), or where ``madvise`` is missing, they do nothing.

Bytes only, no model/ imports; nothing here maps or opens a file.
"""

from __future__ import annotations

import mmap
from typing import Any

import numpy as np

__all__ = ["random_access", "sequential_access", "prefetch"]

_PAGE = mmap.PAGESIZE


def _mapping_offset(view: Any) -> tuple[mmap.mmap, int] | None:
    """The ``mmap`` behind ``view`` and the view's offset in it, or None."""
    if not isinstance(view, memoryview) or not isinstance(view.obj, mmap.mmap):
        return None
    mapping = view.obj
    if not hasattr(mapping, "madvise") or len(view) == 0:
        return None
    try:
        here = np.frombuffer(view, np.uint8).ctypes.data
        base = np.frombuffer(mapping, np.uint8, count=1).ctypes.data
    except (TypeError, ValueError, BufferError):
        return None
    return mapping, here - base


def _advise(view: Any, option: int | None, start: int, length: int) -> bool:
    found = _mapping_offset(view)
    if found is None or option is None or length <= 0:
        return False
    mapping, offset = found
    lo = offset + max(0, start)
    hi = offset + min(len(view), start + length)
    aligned = lo - lo % _PAGE
    try:
        mapping.madvise(option, aligned, hi - aligned)
    except (OSError, ValueError):
        return False
    return True


def random_access(view: Any) -> bool:
    """Turn off read-around for the mapping behind ``view`` (``MADV_RANDOM``): a fault then
    reads the faulting page only. Returns whether the hint was given."""
    return _advise_mapping(view, getattr(mmap, "MADV_RANDOM", None))


def sequential_access(view: Any) -> bool:
    """Read ahead aggressively for the mapping behind ``view`` (``MADV_SEQUENTIAL``), for a pass
    over all of it. Returns whether the hint was given."""
    return _advise_mapping(view, getattr(mmap, "MADV_SEQUENTIAL", None))


def _advise_mapping(view: Any, option: int | None) -> bool:
    """``madvise(option)`` over the whole mapping behind ``view``; False when not possible."""
    found = _mapping_offset(view)
    if found is None or option is None:
        return False
    try:
        found[0].madvise(option)
    except (OSError, ValueError):
        return False
    return True


def prefetch(view: Any, start: int, length: int) -> bool:
    """Ask the kernel to read ``view[start:start + length]`` now (``MADV_WILLNEED``), in one
    request. Offsets are in bytes from the view's start and are clipped to it. Returns whether
    the hint was given."""
    return _advise(view, getattr(mmap, "MADV_WILLNEED", None), start, length)

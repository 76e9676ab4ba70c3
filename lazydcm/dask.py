"""lazydcm on Dask (the ``dask`` extra): header tables, batch edits and lazy frame arrays.

The same code runs on the local scheduler, a ``distributed.LocalCluster`` or a real cluster:
pass ``scheduler=`` or use a ``distributed.Client`` as usual. Each task opens its files itself
(only paths, specs and changes travel; nothing mapped is ever pickled), so the files must be
visible to the workers at the same paths.

* :func:`read_headers` — a ``dask.dataframe.DataFrame`` with the schema of ``lazydcm index``
  (:class:`lazydcm.archive.IndexSpec`), strings and nullable integers as pyarrow-backed
  dtypes; unreadable files are rows with ``error`` set.
* :func:`edit` — a ``dask.bag.Bag`` of :class:`lazydcm.archive.FileReport`, one per file.
* :func:`frames` — a lazy ``dask.array.Array`` over a multi-frame file, one chunk per frame (or
  group of frames), each read through the file's mapping by the task that needs it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs
import numpy as np

import lazydcm
from lazydcm import archive
from lazydcm.io.remote import is_url

__all__ = [
    "read_headers",
    "edit",
    "edit_jobs",
    "convert_jobs",
    "frames",
    "frame_to_rows",
    "index_frame",
]


def _spec(tags: archive.IndexSpec | Iterable[str | int]) -> archive.IndexSpec:
    if isinstance(tags, archive.IndexSpec):
        return tags
    return archive.IndexSpec.from_tags(tags)


def _paths(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], recursive: bool
) -> list[str]:
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    items = [os.fspath(p) for p in paths]
    if not recursive:
        return items
    return [found.path for found in archive.find_files(items, recursive=True)]


def _chunks(items: Sequence[Any], size: int) -> list[list[Any]]:
    if size < 1:
        raise ValueError(f"partition size must be at least 1, not {size}")
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def index_frame(rows: Sequence[Mapping[str, Any]], spec: archive.IndexSpec) -> Any:
    """Index rows as a pandas DataFrame with pyarrow-backed dtypes (the schema of ``spec``)."""
    import pandas as pd

    return spec.to_arrow(rows).to_pandas(types_mapper=pd.ArrowDtype)


def _index_partition(paths: list[str], spec: archive.IndexSpec, force: bool) -> Any:
    return index_frame([archive.index_file(p, spec, force=force) for p in paths], spec)


def read_headers(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    tags: archive.IndexSpec | Iterable[str | int] = (),
    *,
    files_per_partition: int = 256,
    recursive: bool = True,
    force: bool = False,
) -> Any:
    """A lazy header table of ``paths``: one row per file, the columns of ``lazydcm index``
    (path, size, error, TransferSyntaxUID, SOP/Patient/Study/Series identifiers, Modality,
    Rows, Columns, NumberOfFrames) plus ``tags`` (keywords or hex tags, as strings).

    Directories in ``paths`` are expanded here, on the client (``recursive``); the files are
    read by the workers, ``files_per_partition`` per task. Rows are in input order.

    Raises:
        ValueError: a bad tag name. (Bad files are rows with ``error`` set.)
        ImportError: dask[dataframe] or pyarrow is not installed (``lazydcm[dask]``).
    """
    import dask.dataframe as dd

    spec = _spec(tags)
    files = _paths(paths, recursive)
    meta = index_frame([], spec)
    if not files:
        return dd.from_pandas(meta, npartitions=1)
    return dd.from_map(
        _index_partition,
        _chunks(files, files_per_partition),
        spec=spec,
        force=force,
        meta=meta,
        label="lazydcm-read-headers",
        enforce_metadata=False,
    )


def frame_to_rows(frame: Any, spec: archive.IndexSpec) -> Iterator[dict[str, Any]]:
    """The rows of a computed :func:`read_headers` frame as dicts (None for missing values),
    as :func:`lazydcm.archive.index_file` gives them."""
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, schema=spec.arrow_schema(), preserve_index=False)
    yield from table.to_pylist()


def edit_jobs(
    jobs: Sequence[tuple[str, str | None]],
    changes: Any,
    *,
    dry_run: bool = False,
    files_per_partition: int = 64,
    fsync: bool = True,
) -> Any:
    """A bag of :class:`~lazydcm.archive.FileReport` for ``(path, output)`` pairs (output None:
    the file is edited in place). ``changes`` and ``fsync`` as :func:`edit` takes them."""
    import dask.bag as db

    task = archive.EditTask(archive.normalize_changes(changes), dry_run, fsync)
    jobs = [(os.fspath(path), None if out is None else os.fspath(out)) for path, out in jobs]
    if not jobs:
        return db.from_sequence([], npartitions=1)
    npartitions = max(1, math.ceil(len(jobs) / files_per_partition))
    return db.from_sequence(jobs, npartitions=npartitions).map(task)


def convert_jobs(
    jobs: Sequence[tuple[str, str]],
    transfer_syntax: str,
    *,
    files_per_partition: int = 8,
    fsync: bool = True,
    encoder_options: Mapping[str, Any] | None = None,
) -> Any:
    """A bag of :class:`~lazydcm.archive.ConvertReport` for ``(path, output)`` pairs, each
    file written in ``transfer_syntax`` one frame at a time (``lazydcm convert``);
    ``encoder_options`` go to the codec."""
    import dask.bag as db

    options = tuple((encoder_options or {}).items())
    task = archive.ConvertTask(str(transfer_syntax), fsync, options)
    jobs = [(os.fspath(path), os.fspath(out)) for path, out in jobs]
    if not jobs:
        return db.from_sequence([], npartitions=1)
    npartitions = max(1, math.ceil(len(jobs) / files_per_partition))
    return db.from_sequence(jobs, npartitions=npartitions).map(task)


def edit(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    changes: Mapping[Any, Any] | Iterable[archive.Change],
    *,
    output_dir: str | os.PathLike[str] | None = None,
    in_place: bool = False,
    dry_run: bool = False,
    recursive: bool = True,
    files_per_partition: int = 64,
    fsync: bool = True,
) -> Any:
    """A lazy batch edit: a ``dask.bag.Bag`` of one :class:`~lazydcm.archive.FileReport` per
    file (compute it to do the work).

    ``changes`` maps keyword or tag to a value (None deletes), as :func:`lazydcm.edit` takes
    them, or is a sequence of :class:`~lazydcm.archive.Change`. Results go to ``output_dir``
    (mirroring the tree below each directory given) or, with ``in_place=True``, over the files
    themselves (patched in place when the values fit, else rewritten atomically). Failures are
    reports with ``error`` set; a failed file is left as it was. ``fsync=False`` skips
    flushing each written file to disk (writes stay atomic).

    Raises:
        ValueError: neither or both of ``output_dir`` and ``in_place`` (unless ``dry_run``),
            or two inputs that would be written to the same output.
    """
    if in_place and output_dir is not None:
        raise ValueError("give either output_dir or in_place=True, not both")
    if not (in_place or output_dir is not None or dry_run):
        raise ValueError("say where results go: output_dir=... or in_place=True")
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    found = (
        archive.find_files(items, recursive=True)
        if recursive
        else [archive.FoundFile(os.fspath(p), os.path.basename(p)) for p in items]
    )
    jobs: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for item in found:
        out = None if output_dir is None else os.path.join(os.fspath(output_dir), item.relative)
        if out is not None:
            key = os.path.abspath(out)
            if key in seen:
                raise ValueError(f"two inputs would be written to {out}")
            seen.add(key)
        jobs.append((item.path, out))
    return edit_jobs(
        jobs, changes, dry_run=dry_run, files_per_partition=files_per_partition, fsync=fsync
    )


# -- frames -------------------------------------------------------------------------------------


@attrs.frozen
class _FrameReader:
    """An array-like over the frames of one file, for ``dask.array.from_array``: indexing
    opens the file, copies the frames asked for out of the mapping and closes it."""

    path: str
    shape: tuple[int, ...]
    dtype: np.dtype = attrs.field(converter=np.dtype)
    frame_index: Any = None
    storage_options: dict | None = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __getitem__(self, key: Any) -> np.ndarray:
        if not isinstance(key, tuple):
            key = (key,)
        first, rest = key[0], key[1:]
        indices = range(self.shape[0])[first] if isinstance(first, slice) else None
        with _open(self.path, self.frame_index, self.storage_options) as ds:
            if indices is None:  # a single frame number
                return np.array(ds.frame(int(first)), dtype=self.dtype)[rest]
            out = np.empty((len(indices), *self.shape[1:]), dtype=self.dtype)
            for position, index in enumerate(indices):
                out[position] = ds.frame(index)
        return out[(slice(None), *rest)]


def _open(path: str, frame_index: Any, storage_options: dict | None) -> Any:
    kwargs = {} if storage_options is None else {"storage_options": storage_options}
    return lazydcm.dcmread(path, frame_index=frame_index, **kwargs)


def _own_index(ds: Any) -> Any:
    """The frame index of encapsulated pixel data read from a URL, made from what opening
    fetched, so that each task skips the walk over every item header; None for native data
    (frames are found by arithmetic) or where there is no index (deflated data)."""
    from lazydcm.pixels.access import is_encapsulated
    from lazydcm.pixels.frameindex import frame_index_of

    if not is_encapsulated(ds):
        return None
    try:
        return frame_index_of(ds)
    except ValueError:
        return None


def frames(
    path: str | os.PathLike[str],
    *,
    frames_per_chunk: int = 1,
    frame_index: Any = None,
    storage_options: dict | None = None,
) -> Any:
    """A lazy ``(frames, rows, columns[, samples])`` dask array of the file's frames.

    Chunks hold ``frames_per_chunk`` frames; a task computing a chunk opens the file, reads
    those frames through the mapping (decoding them if compressed) and closes it, so only
    the path is sent to workers. Opening here reads the header and the first frame (for its
    shape and dtype). ``path`` may be an fsspec URL (``storage_options`` go to fsspec, in every
    task); the array's name then depends on the object's size and ETag/version, else on the
    file's absolute path, size and mtime. The file must not change while the array is in use.
    ``frame_index`` (a
    :class:`lazydcm.pixels.frameindex.FrameIndex`, e.g. ``FrameIndex.load("index.parquet",
    path)``) travels with the tasks: each reads only its frames' bytes, even from
    encapsulated data without an offset table; a stale index raises ``SourceChangedError``.
    For encapsulated data at a URL without ``frame_index``, one is made here from what
    opening read (the walk is paid once, not once per task).

    Raises:
        InvalidDicomError: the file is not DICOM or its image attributes are wrong.
        ValueError: no pixel data, or ``frames_per_chunk`` < 1.
    """
    import dask.array as da
    from dask.base import tokenize

    if frames_per_chunk < 1:
        raise ValueError(f"frames_per_chunk must be at least 1, not {frames_per_chunk}")
    path = os.fspath(path)
    with _open(path, frame_index, storage_options) as ds:
        if not any(k in ds for k in ("PixelData", "FloatPixelData", "DoubleFloatPixelData")):
            raise ValueError(f"{path} has no pixel data")
        count = max(1, int(ds.get("NumberOfFrames", 1) or 1))
        first = np.asarray(ds.frame(0))
        frame_shape, dtype = first.shape, first.dtype
        del first
        source = ds.file_source
        if is_url(path):
            identity: tuple[Any, ...] = (path, source.size, repr(getattr(source, "version", None)))
        else:
            stat = os.stat(path)
            identity = (os.path.abspath(path), stat.st_size, stat.st_mtime_ns)
        if frame_index is None and is_url(path):
            frame_index = _own_index(ds)
    reader = _FrameReader(path, (count, *frame_shape), dtype, frame_index, storage_options)
    chunks = (
        (frames_per_chunk,) * (count // frames_per_chunk)
        + ((count % frames_per_chunk,) if count % frames_per_chunk else ()),
        *((size,) for size in frame_shape),
    )
    name = "lazydcm-frames-" + tokenize(*identity, frames_per_chunk)
    return da.from_array(
        reader,
        chunks=chunks,
        name=name,
        lock=False,
        fancy=False,
        meta=np.empty((0,) * reader.ndim, dtype=dtype),
    )

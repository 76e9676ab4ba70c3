"""The benchmark actions: for each benchmark, one ``Case`` factory per implementation.

A factory takes the built data set (``make_data.DataSet``) and returns a ``harness.Case`` whose
``action`` is the timed work. The lazydcm side is written against the pydicom-style public API
(``lazydcm.dcmread``, ``ds.frame``, ``ds.save_as``, ``lazydcm.edit``); where lazydcm lacks a
piece the factory or the action raises ``AttributeError``/``ImportError`` and run.py reports
"lazydcm: not available: ...".

Each ``check`` turns a result into a short string (values read, a pixel sum, what pydicom reads
back from a written file); run.py compares the pydicom and lazydcm strings, so a fast wrong
answer shows as MISMATCH rather than PASS.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
import pydicom.pixels
from harness import Case, evict_file, resident_pages
from make_data import DataSet

OPEN_KEYS = ("PatientName", "Rows", "NumberOfFrames")
SMALL_KEYS = ("PatientName", "PatientID", "StudyInstanceUID", "Rows", "SliceLocation")
INDEX_KEYS = (
    "PatientID",
    "PatientName",
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "SOPInstanceUID",
    "Modality",
    "InstanceNumber",
    "SliceLocation",
)
# Same length as every PatientName in the data (9 characters, padded to 10 bytes), so the
# edits can be done in place.
EDIT_VALUES = ("Edit^One1", "Edit^Two2")


def lazydcm():
    """The lazydcm package (``ImportError`` propagates as "not available")."""
    import lazydcm as module

    return module


def norm(value: Any) -> str:
    """A library-neutral text form of a value: numbers by float value, the rest by ``str``."""
    if value is None:
        return "None"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(norm(v) for v in value) + "]"
    try:
        return repr(float(value))
    except (TypeError, ValueError):
        return str(value).strip()


def digest(rows: list) -> str:
    """Row count plus a short hash of the normalised rows."""
    h = hashlib.sha256()
    for row in rows:
        h.update("\x1f".join(norm(v) for v in row).encode() + b"\x1e")
    return f"{len(rows)} rows sha256:{h.hexdigest()[:16]}"


def read_back_name(path: Path) -> str:
    """PatientName of a written file as pydicom reads it (the reference reader)."""
    return str(pydicom.dcmread(path, stop_before_pixels=True).PatientName)


def sync_untimed() -> None:
    """Write dirty pages of earlier runs so they do not slow the next timed run."""
    os.sync()


@dataclass
class Benchmark:
    name: str
    title: str
    impls: dict[str, Callable[[DataSet], Case]]


# --- 1. open the big file and read a few attributes -------------------------------------------


def _open_check(result) -> str:
    values, _ = result
    return "|".join(norm(v) for v in values)


def open_pydicom(data: DataSet, *, stop_before_pixels: bool) -> Case:
    def action():
        ds = pydicom.dcmread(data.big, stop_before_pixels=stop_before_pixels)
        values = [getattr(ds, k) for k in OPEN_KEYS]
        values.append(len(ds.PerFrameFunctionalGroupsSequence))
        return values, ds  # the dataset stays alive while memory is measured

    return Case(action, _open_check, max_runs=10)


def open_lazydcm(data: DataSet) -> Case:
    dcmread = lazydcm().dcmread

    def action():
        ds = dcmread(data.big)
        values = [getattr(ds, k) for k in OPEN_KEYS]
        values.append(len(ds.PerFrameFunctionalGroupsSequence))
        return values, ds

    return Case(action, _open_check, max_runs=200)


# --- 2. five attributes from each small file --------------------------------------------------


def _attrs_loop(read: Callable[[Path], Any], files: list[Path]) -> Callable[[], list]:
    def action():
        rows = []
        for path in files:
            ds = read(path)
            rows.append([getattr(ds, k) for k in SMALL_KEYS])
        return rows

    return action


def small_pydicom(data: DataSet) -> Case:
    files = data.small_files
    action = _attrs_loop(lambda p: pydicom.dcmread(p, stop_before_pixels=True), files)
    return Case(action, digest, max_runs=10)


def small_lazydcm(data: DataSet) -> Case:
    files = data.small_files
    dcmread = lazydcm().dcmread
    action = _attrs_loop(lambda p: dcmread(p, stop_before_pixels=True), files)
    return Case(action, digest, max_runs=30)


# --- 3. one frame of the big file -------------------------------------------------------------


def frame_index(data: DataSet) -> int:
    return (3 * data.params.frames) // 4


def _frame_check(arr) -> str:
    return f"shape={tuple(arr.shape)} dtype={arr.dtype} sum={int(arr.sum(dtype=np.uint64))}"


def frame_pydicom(data: DataSet) -> Case:
    k = frame_index(data)
    return Case(lambda: pydicom.pixels.pixel_array(data.big, index=k), _frame_check, max_runs=30)


def frame_lazydcm(data: DataSet) -> Case:
    k = frame_index(data)
    dcmread = lazydcm().dcmread

    def action():
        return np.array(dcmread(data.big).frame(k), copy=True)  # materialised

    return Case(action, _frame_check, max_runs=100)


# --- 3b. one frame through pixel_array ---------------------------------------------------------


def pixel_index(data: DataSet) -> int:
    return min(300, data.params.frames - 1)


def _paged_case(data: DataSet, action: Callable[[], Any]) -> Case:
    """``action`` timed as usual; before the first run the big file leaves the page cache
    (``posix_fadvise(DONTNEED)``), and the check reports how many of its pages the first run
    brought in (``mincore``) next to the frame's shape, dtype and sum."""
    first = [True]

    def before_each() -> None:
        if first[0]:
            first[0] = False
            evict_file(data.big)

    def check(arr) -> str:
        pages = resident_pages(data.big)
        touched = "?" if pages is None else f"{pages[0]}/{pages[1]} file pages in cache"
        return f"{_frame_check(arr)}; {touched}"

    return Case(action, check, before_each=before_each, max_runs=100)


def pixel_index_pydicom(data: DataSet) -> Case:
    k = pixel_index(data)
    return _paged_case(data, lambda: pydicom.pixels.pixel_array(data.big, index=k))


def pixel_index_lazydcm(data: DataSet) -> Case:
    k = pixel_index(data)
    dcmread = lazydcm().dcmread

    def action():
        return np.array(dcmread(data.big).pixel_array[k], copy=True)  # materialised

    return _paged_case(data, action)


# --- 4. sum of all pixels ---------------------------------------------------------------------


def sum_case(read: Callable[[Path], Any], data: DataSet) -> Case:
    def action():
        return int(read(data.big).pixel_array.sum(dtype=np.uint64))

    return Case(action, str, min_runs=3, max_runs=5)


def sum_pydicom(data: DataSet) -> Case:
    return sum_case(pydicom.dcmread, data)


def sum_lazydcm(data: DataSet) -> Case:
    return sum_case(lazydcm().dcmread, data)


# --- 5. set PatientName and save to a new file ------------------------------------------------

SAVED_NAME = "Saved^Name"


def _save_case(data: DataSet, label: str, write: Callable[[Path, Path], None], check) -> Case:
    data.scratch.mkdir(parents=True, exist_ok=True)
    out = data.scratch / f"save_{label}.dcm"

    def before_each():
        out.unlink(missing_ok=True)
        sync_untimed()

    return Case(
        lambda: write(data.big, out),
        lambda _: check(out),
        before_each=before_each,
        cleanup=lambda: out.unlink(missing_ok=True),
        min_runs=3,
        max_runs=5,
    )


def _saved_check(data: DataSet) -> Callable[[Path], str]:
    last = data.params.frames - 1

    def check(out: Path) -> str:
        frame = pydicom.pixels.pixel_array(out, index=last)
        return f"PatientName={read_back_name(out)} frame{last}sum={int(frame.sum(dtype=np.uint64))}"

    return check


def _copied_check(out: Path) -> str:
    return f"size={out.stat().st_size}"


def save_pydicom(data: DataSet) -> Case:
    def write(src: Path, out: Path) -> None:
        ds = pydicom.dcmread(src)
        ds.PatientName = SAVED_NAME
        ds.save_as(out)

    return _save_case(data, "pydicom", write, _saved_check(data))


def save_lazydcm(data: DataSet, *, fsync: bool = True) -> Case:
    dcmread = lazydcm().dcmread

    def write(src: Path, out: Path) -> None:
        ds = dcmread(src)
        ds.PatientName = SAVED_NAME
        ds.save_as(out, fsync=fsync)

    case = _save_case(data, "lazydcm" if fsync else "lazydcm_nofsync", write, _saved_check(data))
    case.note = (
        "atomic: temp file, fsync, rename, directory fsync"
        if fsync
        else "save_as(fsync=False): temp file + atomic rename, no flush (cp's durability)"
    )
    return case


def save_cp(data: DataSet) -> Case:
    return _save_case(data, "cp", lambda src, out: shutil.copyfile(src, out), _copied_check)


def save_cp_fsync(data: DataSet) -> Case:
    def write(src: Path, out: Path) -> None:
        shutil.copyfile(src, out)
        fd = os.open(out, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    case = _save_case(data, "cp_fsync", write, _copied_check)
    case.note = "shutil.copyfile + os.fsync (the durability of an atomic, fsynced save)"
    return case


# --- 6. same-length in-place edit of the big file ---------------------------------------------


def _edit_big_case(data: DataSet, label: str, edit: Callable[[Path, str], None], **kw) -> Case:
    data.scratch.mkdir(parents=True, exist_ok=True)
    path = data.scratch / f"edit_{label}.dcm"
    shutil.copyfile(data.big, path)
    sync_untimed()
    runs = iter(range(1 << 30))

    def action():
        value = EDIT_VALUES[next(runs) % 2]
        edit(path, value)
        return value

    return Case(
        action,
        lambda value: f"PatientName={read_back_name(path)} (set {value})",
        cleanup=lambda: path.unlink(missing_ok=True),
        **kw,
    )


def edit_big_pydicom(data: DataSet) -> Case:
    def edit(path: Path, value: str) -> None:
        ds = pydicom.dcmread(path)
        ds.PatientName = value
        ds.save_as(path)

    case = _edit_big_case(data, "pydicom", edit, min_runs=3, max_runs=3, before_each=sync_untimed)
    case.note = "pydicom has no in-place edit: dcmread + save_as over the same path"
    return case


def edit_big_lazydcm(data: DataSet) -> Case:
    edit = lazydcm().edit
    return _edit_big_case(
        data, "lazydcm", lambda path, value: edit(path, {"PatientName": value}), max_runs=50
    )


# --- 7. index and edit many small files -------------------------------------------------------


def _index_spec() -> Any:
    """The ``lazydcm.archive.IndexSpec`` of ``lazydcm index --tags`` INDEX_KEYS."""
    from lazydcm import archive

    return archive.IndexSpec.from_tags(INDEX_KEYS)


def _index_columns(spec: Any) -> tuple[str, ...]:
    """The element columns of ``spec``: the fixed ones (TransferSyntaxUID, SOP Class/Instance,
    Patient/Study/Series, Modality, Rows, Columns, NumberOfFrames) then the INDEX_KEYS not
    among them."""
    return tuple(c.name for c in spec.columns if c.tag is not None)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def pydicom_index_row(path: str, columns: tuple[str, ...]) -> tuple[str, ...]:
    """The row ``lazydcm index`` makes, made with pydicom: file size, then each column's
    value as text ("" where absent). Both sides build the same table."""
    size = os.stat(path).st_size
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    meta = ds.file_meta
    values = [_text(getattr(meta if k == "TransferSyntaxUID" else ds, k, None)) for k in columns]
    return (str(size), *values)


def lazydcm_index(paths: list[str], jobs: int) -> list[tuple[str, ...]]:
    """Index rows for ``paths`` with ``jobs`` processes: ``lazydcm index``'s own per-file
    function and process pool (``lazydcm.archive.index_files``), every column as text."""
    from lazydcm import archive

    spec = _index_spec()
    columns = _index_columns(spec)
    rows = archive.index_files(paths, spec, jobs=jobs)
    return [(str(row["size"]), *(_text(row[k]) for k in columns)) for row in rows]


def index_pydicom(data: DataSet) -> Case:
    paths = [str(p) for p in data.small_files]
    columns = _index_columns(_index_spec())
    return Case(lambda: [pydicom_index_row(p, columns) for p in paths], digest, max_runs=10)


def index_lazydcm(jobs: int) -> Callable[[DataSet], Case]:
    def factory(data: DataSet) -> Case:
        from lazydcm import archive  # noqa: F401 - fail early, before a pool starts, if missing

        paths = [str(p) for p in data.small_files]
        case = Case(lambda: lazydcm_index(paths, jobs), digest, max_runs=30)
        if jobs > 1:
            case.note = "pool start-up included; memory of worker processes not counted"
        return case

    return factory


def _edit_many_case(data: DataSet, label: str, edit: Callable[[Path, str], None]) -> Case:
    data.scratch.mkdir(parents=True, exist_ok=True)
    root = data.scratch / f"edit_many_{label}"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(data.small_dir, root)
    files = sorted(root.glob("*.dcm"))
    sync_untimed()
    runs = iter(range(1 << 30))

    def action():
        value = EDIT_VALUES[next(runs) % 2]
        for path in files:
            edit(path, value)
        return value

    def check(value: str) -> str:
        same = sum(read_back_name(p) == value for p in files)
        return f"{same}/{len(files)} read back PatientName={value}"

    return Case(
        action,
        check,
        before_each=sync_untimed,
        cleanup=lambda: shutil.rmtree(root, ignore_errors=True),
        max_runs=10,
    )


def edit_many_pydicom(data: DataSet) -> Case:
    def edit(path: Path, value: str) -> None:
        ds = pydicom.dcmread(path)
        ds.PatientName = value
        ds.save_as(path)

    return _edit_many_case(data, "pydicom", edit)


def edit_many_lazydcm(data: DataSet, *, fsync: bool = True) -> Case:
    """``lazydcm edit --in-place --set PatientName=...``'s per-file function (one job)."""
    from lazydcm import archive

    def edit(path: Path, value: str) -> None:
        change = (archive.Change("PatientName", value),)
        report = archive.edit_file(str(path), change, fsync=fsync)
        if report.error is not None:
            raise RuntimeError(f"{path}: {report.error}")

    case = _edit_many_case(data, "lazydcm" if fsync else "lazydcm_nofsync", edit)
    if not fsync:
        case.note = "fsync=False: pydicom does not flush either"
    return case


BENCHMARKS: dict[str, Benchmark] = {
    b.name: b
    for b in [
        Benchmark(
            "open",
            "open big file + PatientName, Rows, NumberOfFrames, len(PerFrame...)",
            {
                "pydicom": lambda d: open_pydicom(d, stop_before_pixels=False),
                "pydicom-sbp": lambda d: open_pydicom(d, stop_before_pixels=True),
                "lazydcm": open_lazydcm,
            },
        ),
        Benchmark(
            "small-attrs",
            "five attributes from each small file",
            {"pydicom-sbp": small_pydicom, "lazydcm": small_lazydcm},
        ),
        Benchmark(
            "frame",
            "one frame of the big file, materialised",
            {"pydicom": frame_pydicom, "lazydcm": frame_lazydcm},
        ),
        Benchmark(
            "pixel-index",
            "ds.pixel_array[300] of the big file vs pydicom.pixels.pixel_array(path, index=300)",
            {"pydicom": pixel_index_pydicom, "lazydcm": pixel_index_lazydcm},
        ),
        Benchmark(
            "sum",
            "sum of all pixels of the big file (uint64 accumulation)",
            {"pydicom": sum_pydicom, "lazydcm": sum_lazydcm},
        ),
        Benchmark(
            "save",
            "set PatientName + save the big file to a new file",
            {
                "cp": save_cp,
                "cp+fsync": save_cp_fsync,
                "pydicom": save_pydicom,
                "lazydcm": save_lazydcm,
                "lazydcm-nofsync": lambda d: save_lazydcm(d, fsync=False),
            },
        ),
        Benchmark(
            "edit",
            "same-length PatientName edit of (a copy of) the big file",
            {"pydicom": edit_big_pydicom, "lazydcm": edit_big_lazydcm},
        ),
        Benchmark(
            "index",
            "index the small files: the table of `lazydcm index --tags` (size + 13 columns)",
            {
                "pydicom-sbp": index_pydicom,
                "lazydcm-j1": index_lazydcm(1),
                "lazydcm-j2": index_lazydcm(2),
            },
        ),
        Benchmark(
            "edit-many",
            "set PatientName in each small file",
            {
                "pydicom": edit_many_pydicom,
                "lazydcm": edit_many_lazydcm,
                "lazydcm-nofsync": lambda d: edit_many_lazydcm(d, fsync=False),
            },
        ),
    ]
}

# --- de-identification (benchmarks/deid_cases.py) -----------------------------------------------

import deid_cases  # noqa: E402 - needs Benchmark above

BENCHMARKS.update({b.name: b for b in deid_cases.benchmarks(Benchmark)})

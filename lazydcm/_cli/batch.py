"""``lazydcm edit`` and ``lazydcm index``: many files, in parallel, on one machine or a Dask
cluster (``--scheduler``). The per-file work is :mod:`lazydcm.archive`."""

from __future__ import annotations

import argparse
import collections
import csv
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from lazydcm import archive
from lazydcm._cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    Console,
    Progress,
    UsageError,
    atomic_output,
    atomic_path,
    mirrored_outputs,
    split_list,
)

__all__ = ["run_edit", "run_index", "write_rows", "write_index"]


def _find(paths: list[str], recursive: bool) -> list[archive.FoundFile]:
    try:
        return archive.find_files(paths, recursive=recursive)
    except IsADirectoryError as exc:
        raise UsageError(str(exc)) from None


def _check_jobs(jobs: int) -> int:
    if jobs < 1:
        raise UsageError(f"--jobs {jobs}: give at least 1")
    return jobs


def _client(address: str) -> Any:
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--scheduler needs Dask: pip install 'lazydcm[dask]'") from None
    try:
        return Client(address, timeout="10s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"--scheduler {address}: cannot connect: {exc}") from None


# -- edit ---------------------------------------------------------------------------------------


def _parse_changes(args: argparse.Namespace) -> tuple[archive.Change, ...]:
    try:
        changes = [archive.parse_set(text) for text in args.set]
        changes += [archive.parse_delete(name) for name in args.delete]
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not changes:
        raise UsageError("nothing to change: give --set KEYWORD=VALUE or --delete KEYWORD")
    return tuple(changes)


def _edit_jobs(args: argparse.Namespace) -> list[tuple[str, str | None]]:
    files = _find(args.paths, args.recursive)
    if args.output is None:
        return [(f.path, None) for f in files]
    return list(mirrored_outputs(files, args.output))


_STRATEGY_WORDS = {
    "in-place": "patched in place",
    "rewrite": "rewritten",
    "unchanged": "unchanged",
    "failed": "failed",
}


def _report_line(report: archive.FileReport) -> str:
    if report.dry_run:
        what = {
            "in-place": f"would patch {report.bytes_written} bytes in place",
            "rewrite": f"would write {report.bytes_written} bytes",
            "unchanged": "would stay unchanged",
        }[report.strategy]
    else:
        what = {
            "in-place": f"patched {report.bytes_written} bytes in place",
            "rewrite": f"wrote {report.bytes_written} bytes",
            "unchanged": "unchanged",
        }[report.strategy]
    if report.output and report.output != report.path:
        what += f" -> {report.output}"
    return f"{report.path}: {what}"


def _edit_reports(
    args: argparse.Namespace,
    changes: tuple[archive.Change, ...],
    jobs: list[tuple[str, str | None]],
) -> Iterator[archive.FileReport]:
    if args.scheduler:
        from lazydcm import dask as lazydask

        client = _client(args.scheduler)
        try:
            bag = lazydask.edit_jobs(jobs, changes, dry_run=args.dry_run, fsync=args.fsync)
            yield from client.compute(bag, sync=True)
        finally:
            client.close()
        return
    task = archive.EditTask(changes, args.dry_run, args.fsync)
    yield from archive.map_files(task, jobs, jobs=args.jobs)


def run_edit(args: argparse.Namespace) -> int:
    console = Console("edit", quiet=args.quiet)
    _check_jobs(args.jobs)
    if args.in_place and args.output is not None:
        raise UsageError("give either --in-place or -o OUTDIR, not both")
    if not (args.in_place or args.output is not None or args.dry_run):
        raise UsageError("say where the results go: --in-place, -o OUTDIR (or --dry-run)")
    changes = _parse_changes(args)
    jobs = _edit_jobs(args)
    counts: collections.Counter[str] = collections.Counter()
    reasons: collections.Counter[str] = collections.Counter()
    with Progress(len(jobs), "edit", enabled=not args.quiet) as progress:
        console.progress = progress
        for report in _edit_reports(args, changes, jobs):
            progress.update()
            counts[report.strategy] += 1
            if report.error is not None:
                reasons[report.error.split(":", 1)[0]] += 1
                console.error(report.path, report.error)
                continue
            if args.dry_run or args.verbose:
                console.out(_report_line(report))
                for line in report.plan:
                    console.out(f"    {line}")
        console.progress = None
    done = ", ".join(
        f"{counts[key]} {word}" for key, word in _STRATEGY_WORDS.items() if key != "failed"
    )
    head = "dry run: " if args.dry_run else ""
    summary = f"{head}{len(jobs)} file(s): {done}, {counts['failed']} failed"
    if reasons:
        summary += " (" + ", ".join(f"{n} {why}" for why, n in reasons.most_common()) + ")"
    console.out(summary)
    return EXIT_FAILED if counts["failed"] else EXIT_OK


# -- index --------------------------------------------------------------------------------------


def _output_kind(path: str) -> str:
    if path == "-" or path.lower().endswith(".csv"):
        return "csv"
    if path.lower().endswith((".parquet", ".pq")):
        return "parquet"
    raise UsageError(
        f"-o {path}: the index is written as .parquet or .csv (or - for CSV on stdout)"
    )


def _write_csv(rows: Iterable[dict[str, Any]], spec: archive.IndexSpec, fh: Any) -> None:
    writer = csv.DictWriter(fh, fieldnames=spec.names, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_text(v) for k, v in row.items()})


def _csv_text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):  # an int64list column (the frame index)
        return " ".join(str(v) for v in value)
    return value


def _write_parquet(
    rows: Iterable[dict[str, Any]], spec: archive.IndexSpec, path: str, batch: int = 10_000
) -> None:
    import pyarrow.parquet as pq

    with atomic_path(path) as temp, pq.ParquetWriter(temp, spec.arrow_schema()) as writer:
        pending: list[dict[str, Any]] = []
        for row in rows:
            pending.append(row)
            if len(pending) >= batch:
                writer.write_table(spec.to_arrow(pending))
                pending = []
        writer.write_table(spec.to_arrow(pending))


def _index_rows(
    args: argparse.Namespace, spec: archive.IndexSpec, paths: list[str]
) -> Iterator[dict[str, Any]]:
    if args.scheduler:
        from lazydcm import dask as lazydask

        client = _client(args.scheduler)
        try:
            frame = lazydask.read_headers(paths, spec, force=args.force, recursive=False)
            result = client.compute(frame, sync=True)
            yield from lazydask.frame_to_rows(result, spec)
        finally:
            client.close()
        return
    yield from archive.index_files(paths, spec, jobs=args.jobs, force=args.force)


def write_rows(rows: Iterable[dict[str, Any]], spec: archive.IndexSpec, output: str) -> None:
    """Write index rows to ``output`` (``.parquet``, ``.csv`` or ``-`` for CSV on stdout);
    files are written atomically."""
    kind = _output_kind(output)
    if kind == "parquet":
        _write_parquet(rows, spec, output)
    elif output == "-":
        _write_csv(rows, spec, sys.stdout)
    else:
        with atomic_output(output, "w") as fh:
            _write_csv(rows, spec, fh)


def write_index(
    paths: list[str], spec: archive.IndexSpec, output: str, *, jobs: int = 1
) -> tuple[int, int]:
    """Index ``paths`` into ``output``; return (rows written, rows with an error)."""
    rows = list(archive.index_files(paths, spec, jobs=jobs))
    write_rows(rows, spec, output)
    return len(rows), sum(row["error"] is not None for row in rows)


def run_index(args: argparse.Namespace) -> int:
    console = Console("index", quiet=args.quiet)
    _check_jobs(args.jobs)
    kind = _output_kind(args.output)
    try:
        spec = archive.IndexSpec.from_tags(split_list(args.tags) if args.tags else ())
    except ValueError as exc:
        raise UsageError(f"--tags: {exc}") from None
    if getattr(args, "frames", False):
        spec = attrs.evolve(spec, frames=True)
    if kind == "parquet":
        try:
            archive.require_pyarrow()
        except ImportError as exc:
            raise UsageError(str(exc)) from None
    paths = [f.path for f in _find(args.paths, recursive=True)]
    failed = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal failed
        for row in _index_rows(args, spec, paths):
            progress.update()
            if row["error"] is not None:
                failed += 1
                console.error(row["path"], row["error"])
            yield row

    with Progress(len(paths), "index", enabled=not args.quiet) as progress:
        console.progress = progress
        write_rows(rows(), spec, args.output)
        console.progress = None
    where = "stdout" if args.output == "-" else args.output
    console.note(
        f"indexed {len(paths)} file(s) into {where}: {len(paths) - failed} read, "
        f"{failed} with errors (see the error column)"
    )
    return EXIT_FAILED if failed else EXIT_OK

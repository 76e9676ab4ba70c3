"""``lazydcm deid``: de-identify files and trees into a new tree (PS3.15 Annex E), in parallel on
one machine or a Dask cluster. The per-file work is :mod:`lazydcm.deid.files`."""

from __future__ import annotations

import argparse
import collections
import csv
import os
import textwrap
from collections.abc import Iterator
from typing import Any

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
)
from lazydcm.deid import OPTION_NAMES, Profile
from lazydcm.deid.files import DeidTask, FileResult

__all__ = ["add_parser", "run_deid"]

_OPTION_HELP = ", ".join(name.replace("_", "-") for name in OPTION_NAMES)


def add_parser(sub: Any, formatter: Any, epilog: str) -> None:
    """Add the ``deid`` subcommand to the subparsers ``sub``."""
    parser = sub.add_parser(
        "deid",
        help="de-identify files into a new tree (PS3.15 Annex E)",
        formatter_class=formatter,
        description=(
            "Apply the DICOM Basic Application Level Confidentiality Profile (PS3.15 2026c\n"
            "Table E.1-1) and the options given. Outputs mirror the input tree under OUTDIR;\n"
            "pixel data and unchanged elements are copied, never decoded. UIDs are replaced\n"
            "by keyed hashes (HMAC-SHA256 of the UID under the key, as 2.25 UIDs), so runs\n"
            "with the same key map the same UID the same way on every machine."
        ),
        epilog="examples:\n"
        "  lazydcm deid scans/ -o anon/ --key-file secret.key --jobs 4\n"
        "  lazydcm deid a.dcm -o out/ --key-file k --option retain-long-modified-dates "
        "--map uids.parquet\n\n"
        + textwrap.fill(
            f"options: {_OPTION_HELP}", width=78, subsequent_indent="  ", break_on_hyphens=False
        )
        + "\n\n"
        + epilog,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="new tree")
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="NAME",
        help="a PS3.15 E.3 option (repeatable), e.g. retain-uids",
    )
    parser.add_argument(
        "--key-file",
        required=True,
        metavar="FILE",
        help="the secret key (its bytes; one trailing newline is ignored)",
    )
    parser.add_argument(
        "--map",
        metavar="MAP",
        help="write the original -> new UID table here (.parquet or .csv), outside OUTDIR",
    )
    parser.add_argument("-j", "--jobs", type=int, default=1, metavar="N", help="worker processes")
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on a Dask scheduler (lazydcm[dask])"
    )
    parser.add_argument(
        "--no-fsync",
        dest="fsync",
        action="store_false",
        help="do not flush each written file to disk (faster; still atomic)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="a line for every file")
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar or notes (errors still shown)"
    )


def _read_key(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            key = fh.read()
    except OSError as exc:
        raise UsageError(f"--key-file {path}: {exc.strerror or exc}") from None
    key = key[:-1] if key.endswith(b"\n") else key
    key = key[:-1] if key.endswith(b"\r") else key
    if not key:
        raise UsageError(f"--key-file {path}: the key is empty")
    return key


def _inside(path: str, root: str) -> bool:
    path, root = os.path.realpath(path), os.path.realpath(root)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _jobs(args: argparse.Namespace) -> list[tuple[str, str]]:
    if os.path.exists(args.output) and not os.path.isdir(args.output):
        raise UsageError(f"-o {args.output}: not a directory")
    for raw in args.paths:
        if os.path.isdir(raw) and _inside(args.output, raw):
            raise UsageError(f"-o {args.output} is inside the input tree {raw}: refusing")
    if args.map and _inside(args.map, args.output):
        raise UsageError(f"--map {args.map}: keep the UID map out of the output tree")
    return mirrored_outputs(archive.find_files(args.paths, recursive=True), args.output)


def _results(args: argparse.Namespace, task: DeidTask, jobs: list) -> Iterator[FileResult]:
    if args.scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise UsageError("--scheduler needs Dask: pip install 'lazydcm[dask]'") from None
        try:
            client = Client(args.scheduler, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"--scheduler {args.scheduler}: cannot connect: {exc}") from None
        try:
            yield from client.gather(client.map(task, jobs, pure=False))
        finally:
            client.close()
        return
    yield from archive.map_files(task, jobs, jobs=args.jobs)


def _write_map(path: str, pairs: dict[str, str]) -> None:
    rows = sorted(pairs.items())
    if path.lower().endswith((".parquet", ".pq")):
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise UsageError("--map .parquet needs pyarrow (lazydcm[parquet])") from None
        table = pa.table({"original": [a for a, _ in rows], "replacement": [b for _, b in rows]})
        with atomic_path(path) as temp:
            pq.write_table(table, temp)
        return
    with atomic_output(path, "w") as fh:
        writer = csv.writer(fh)
        writer.writerow(["original", "replacement"])
        writer.writerows(rows)


def run_deid(args: argparse.Namespace) -> int:
    console = Console("deid", quiet=args.quiet)
    if args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: give at least 1")
    if args.map and not args.map.lower().endswith((".parquet", ".pq", ".csv")):
        raise UsageError(f"--map {args.map}: write .parquet or .csv")
    try:
        profile = Profile.from_names(args.option)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    key = _read_key(args.key_file)
    jobs = _jobs(args)
    task = DeidTask(profile, key, args.fsync)
    counts: collections.Counter[str] = collections.Counter()
    pairs: dict[str, str] = {}
    burned = 0
    with Progress(len(jobs), "deid", enabled=not args.quiet) as progress:
        console.progress = progress
        for result in _results(args, task, jobs):
            progress.update()
            if result.error is not None:
                counts["failed"] += 1
                console.error(result.path, result.error)
                continue
            report = result.report
            counts["done"] += 1
            counts["removed"] += len(report.removed)
            counts["emptied"] += len(report.emptied)
            counts["replaced"] += len(report.replaced)
            pairs.update(report.uids)
            if report.burned_in:
                burned += 1
                console.error(result.path, f"check the pixels: {report.burned_in}")
            if args.verbose:
                console.out(
                    f"{result.path} -> {result.output}: {len(report.removed)} removed, "
                    f"{len(report.emptied)} emptied, {len(report.replaced)} replaced"
                )
        console.progress = None
    if args.map:
        _write_map(args.map, pairs)
    console.out(
        f"{len(jobs)} file(s): {counts['done']} de-identified, {counts['failed']} failed; "
        f"{counts['removed']} elements removed, {counts['emptied']} emptied, "
        f"{counts['replaced']} replaced; {len(pairs)} UIDs mapped; "
        f"{burned} may have burned-in text"
    )
    return EXIT_FAILED if counts["failed"] else EXIT_OK

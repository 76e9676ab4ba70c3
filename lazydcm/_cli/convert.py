"""``lazydcm convert``: write files in another transfer syntax, in parallel.

Each file is transcoded one frame at a time (``Dataset.save_as(transfer_syntax=...)``), so a
multi-gigabyte multi-frame file needs memory for a few frames. Trees are mirrored under the
output directory like ``lazydcm edit -o``; a failing file is reported and the others go on.
"""

from __future__ import annotations

import argparse
import collections
from collections.abc import Iterator
from typing import Any

from lazydcm import archive
from lazydcm._cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    Console,
    Progress,
    UsageError,
    mirrored_outputs,
)

__all__ = ["resolve_syntax", "parse_options", "run_convert", "add_parser"]

#: Short names accepted besides UIDs and pydicom's keywords (e.g. ``RLELossless``).
ALIASES = {
    "implicit": "1.2.840.10008.1.2",
    "explicit": "1.2.840.10008.1.2.1",
    "deflated": "1.2.840.10008.1.2.1.99",
    "big": "1.2.840.10008.1.2.2",
    "rle": "1.2.840.10008.1.2.5",
    "jpeg": "1.2.840.10008.1.2.4.50",
    "jpegls": "1.2.840.10008.1.2.4.80",
    "jpegls-near": "1.2.840.10008.1.2.4.81",
    "j2k-lossless": "1.2.840.10008.1.2.4.90",
    "j2k": "1.2.840.10008.1.2.4.91",
    "htj2k-lossless": "1.2.840.10008.1.2.4.201",
    "jxl-lossless": "1.2.840.10008.1.2.4.110",
    "jxl": "1.2.840.10008.1.2.4.112",
}


def resolve_syntax(text: str) -> str:
    """A transfer syntax UID from a UID, a keyword (``RLELossless``) or an alias (``rle``).

    Raises ``UsageError`` for a name that is no transfer syntax.
    """
    from lazydcm import uid as uids

    if text.lower() in ALIASES:
        return ALIASES[text.lower()]
    value = getattr(uids, text, None) if text.isidentifier() else None
    candidate = str(value) if isinstance(value, str) else text
    if candidate[:1].isdigit() and uids.UID(candidate).is_transfer_syntax:
        return candidate
    raise UsageError(
        f"--transfer-syntax {text}: not a transfer syntax UID or keyword "
        f"(e.g. RLELossless, 1.2.840.10008.1.2.5, or one of {', '.join(ALIASES)})"
    )


def add_parser(sub: Any, formatter: Any, common: Any, jobs_help: str, epilog: str) -> None:
    """Add the ``convert`` subcommand to ``sub`` (the CLI's subparsers)."""
    convert = sub.add_parser(
        "convert",
        help="write files in another transfer syntax (compress / decompress)",
        formatter_class=formatter,
        description=(
            "Transcode files and directory trees into another transfer syntax, one frame at "
            "a time (memory for a few frames, whatever the file size). Outputs are written "
            "atomically under OUTDIR, trees mirrored."
        ),
        epilog="examples:\n"
        "  lazydcm convert scans/ -r -o rle/ --transfer-syntax rle --jobs 4\n"
        "  lazydcm convert a.dcm -o out/ --transfer-syntax JPEG2000Lossless\n"
        "  lazydcm convert a.dcm -o out/ -t jpegls-near --option jls_error=3\n"
        "  lazydcm convert a.dcm -o out/ --transfer-syntax 1.2.840.10008.1.2.1  (decompress)\n\n"
        + epilog,
    )
    convert.add_argument("paths", nargs="+", metavar="IN")
    convert.add_argument("-o", "--output", required=True, metavar="OUT", help="output directory")
    convert.add_argument(
        "-t",
        "--transfer-syntax",
        required=True,
        metavar="NAME|UID",
        help="target syntax: a UID, a keyword such as RLELossless, or an alias "
        f"({', '.join(ALIASES)})",
    )
    convert.add_argument(
        "-O",
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a codec option, repeatable: jls_error=2, j2k_cr=20 (or 40,20), j2k_psnr=80, "
        "quality=90, use_mct=true, fragment_size=65536, generate_instance_uid=false",
    )
    convert.add_argument("-r", "--recursive", action="store_true", help="convert below directories")
    convert.add_argument("-j", "--jobs", type=int, default=1, metavar="N", help=jobs_help)
    convert.add_argument(
        "--no-fsync", dest="fsync", action="store_false", help="do not flush each output to disk"
    )
    convert.add_argument("-v", "--verbose", action="store_true", help="a line for every file")
    convert.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask scheduler (tcp://host:8786) instead of local processes; needs "
        "lazydcm[dask] and the files visible to the workers at the same paths",
    )
    common(convert)


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def parse_options(items: list[str]) -> tuple[tuple[str, Any], ...]:
    """``KEY=VALUE`` strings as ``(key, value)`` pairs: ``true``/``false`` become bools,
    numbers ints or floats, comma-separated numbers a tuple of them (quality layers).

    Raises ``UsageError`` for an item without ``=`` or a value that is none of these.
    """
    options: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        key, text = key.strip(), text.strip()
        if not sep or not key.isidentifier():
            raise UsageError(f"--option {item}: give KEY=VALUE, e.g. jls_error=2")
        try:
            if text.lower() in ("true", "false"):
                value: Any = text.lower() == "true"
            elif "," in text:
                value = tuple(_number(v) for v in text.split(","))
            else:
                value = _number(text)
        except ValueError:
            raise UsageError(f"--option {item}: the value is not a number or true/false") from None
        options[key] = value
    return tuple(options.items())


def _jobs(args: argparse.Namespace) -> list[tuple[str, str]]:
    try:
        files = archive.find_files(args.paths, recursive=args.recursive)
    except IsADirectoryError as exc:
        raise UsageError(str(exc)) from None
    return mirrored_outputs(files, args.output)


def _reports(
    args: argparse.Namespace, task: archive.ConvertTask, jobs: list[tuple[str, str]]
) -> Iterator[archive.ConvertReport]:
    if args.scheduler:
        from lazydcm import dask as lazydask
        from lazydcm._cli.batch import _client

        client = _client(args.scheduler)
        try:
            bag = lazydask.convert_jobs(
                jobs,
                task.transfer_syntax,
                fsync=task.fsync,
                encoder_options=dict(task.encoder_options),
            )
            yield from client.compute(bag, sync=True)
        finally:
            client.close()
        return
    yield from archive.map_files(task, jobs, jobs=args.jobs)


def run_convert(args: argparse.Namespace) -> int:
    """The ``convert`` command: returns the exit status (failed files make it nonzero)."""
    console = Console("convert", quiet=args.quiet)
    if args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: give at least 1")
    uid = resolve_syntax(args.transfer_syntax)
    options = parse_options(args.option)
    jobs = _jobs(args)
    counts: collections.Counter[str] = collections.Counter()
    task = archive.ConvertTask(uid, fsync=args.fsync, encoder_options=options)
    with Progress(len(jobs), "convert", enabled=not args.quiet) as progress:
        console.progress = progress
        for report in _reports(args, task, jobs):
            progress.update()
            if report.error is not None:
                counts["failed"] += 1
                console.error(report.path, report.error)
                continue
            counts["ok"] += 1
            if args.verbose:
                console.out(
                    f"{report.path}: wrote {report.bytes_written} bytes "
                    f"({report.frames} frame(s)) -> {report.output}"
                )
        console.progress = None
    from lazydcm.uid import UID

    name = UID(uid).name or uid
    console.out(
        f"{len(jobs)} file(s) to {name}: {counts['ok']} converted, {counts['failed']} failed"
    )
    return EXIT_FAILED if counts["failed"] else EXIT_OK

"""The ``lazydcm`` command (also ``python -m lazydcm``).

Subcommands: ``dump`` (headers as text or DICOM JSON), ``show`` (a frame to PNG), ``edit``
(header edits over files and trees, in parallel), ``convert`` (transfer syntax, frame by
frame), ``index`` (a header table as Parquet or CSV), ``deid`` (de-identification, PS3.15
Annex E) and ``demo`` (a tour on the sample files in ``data/``). Every subcommand has
``--help``.

Exit status: 0 when everything was done, 1 when some files failed (each named on stderr with
the offset and tag of the problem), 2 for a command line that cannot be carried out.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Sequence

import lazydcm
from lazydcm._cli.common import EXIT_FAILED, EXIT_USAGE, UsageError

__all__ = ["main", "build_parser"]

_EPILOG = """exit status: 0 ok, 1 some files failed (reported on stderr), 2 usage error"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the examples' line breaks; descriptions are wrapped by :func:`_wrap`."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32)


def _wrap(text: str) -> str:
    return textwrap.fill(" ".join(text.split()), width=78)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bar or notes (errors are still printed)",
    )


def _jobs_help() -> str:
    return "worker processes (default 1)"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``lazydcm`` command."""
    parser = argparse.ArgumentParser(
        prog="lazydcm",
        description="Lazy DICOM: dump headers, render frames, edit and index archives.",
        epilog=_EPILOG,
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"lazydcm {lazydcm.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    dump = sub.add_parser(
        "dump",
        help="print the header of DICOM files",
        formatter_class=_Formatter,
        description=_wrap(
            "Print each file's meta group and dataset, one element a line, sequences "
            "indented. Pixel data is summarised, never read."
        ),
        epilog="examples:\n  lazydcm dump data/rtplan.dcm\n"
        "  lazydcm dump --tags PatientName,StudyDate data/*.dcm\n"
        "  lazydcm dump --json data/ct_slice.dcm\n\n" + _EPILOG,
    )
    dump.add_argument("files", nargs="+", metavar="FILE")
    dump.add_argument(
        "--tags",
        metavar="KEYWORD,...",
        help="only these elements (keywords or tags like 00100010, (0010,0010))",
    )
    dump.add_argument(
        "--json",
        action="store_true",
        help="print the DICOM JSON Model (PS3.18 F.2), one object a line per "
        "file; pixel data and large binary values become file: BulkDataURIs",
    )
    dump.add_argument("--indent", type=int, metavar="N", help="indent JSON by N spaces")
    dump.add_argument(
        "--bulk-data-threshold",
        type=int,
        default=1024,
        metavar="BYTES",
        help="binary values longer than this are BulkDataURIs (default 1024)",
    )
    dump.add_argument(
        "--force", action="store_true", help="read files without the DICM header (raw datasets)"
    )
    _add_common(dump)

    show = sub.add_parser(
        "show",
        help="render a frame to PNG",
        formatter_class=_Formatter,
        description=_wrap(
            "Render one frame through the display pipeline (modality LUT, VOI "
            "LUT/window, presentation) to an 8-bit PNG. Needs Pillow "
            "(pip install 'lazydcm[render]')."
        ),
        epilog="examples:\n  lazydcm show data/ct_slice.dcm -o ct.png\n"
        "  lazydcm show data/multiframe.dcm --frame 3 --window 128,256\n\n" + _EPILOG,
    )
    show.add_argument("file", metavar="FILE")
    show.add_argument(
        "--frame",
        type=int,
        default=0,
        metavar="K",
        help="frame number, from 0 (default 0; negative counts from the end)",
    )
    show.add_argument(
        "-o",
        "--output",
        metavar="OUT.png",
        help="where to write (default: FILE's name with .png, in the current directory)",
    )
    show.add_argument(
        "--window", metavar="CENTER,WIDTH", help="VOI window instead of the file's own"
    )
    show.add_argument("--force", action="store_true", help="read a file without the DICM header")
    _add_common(show)

    edit = sub.add_parser(
        "edit",
        help="change header elements of many files",
        formatter_class=_Formatter,
        description=_wrap(
            "Set or delete elements in files and directory trees. A file whose new "
            "values fit the old lengths is patched in place (a few bytes written); "
            "otherwise it is rewritten (unchanged byte ranges copied, written to a "
            "temporary file and renamed), so no file is ever left half-written."
        ),
        epilog="examples:\n"
        "  lazydcm edit scans/ -r --in-place --set PatientName=Doe^Jane "
        "--delete PatientBirthDate\n"
        "  lazydcm edit *.dcm -o anon/ --set PatientID=ANON --jobs 4\n"
        "  lazydcm edit a.dcm --dry-run --set 'ImageType=DERIVED\\SECONDARY'\n"
        "  lazydcm edit a.dcm --in-place --set '(0009,1001):LO=text'  (an existing private "
        "element: give its VR)\n\n"
        + _wrap(
            "Values are text: several values are separated by a backslash, numbers are "
            "converted for US/SS/UL/SL/FL/FD, AT takes keywords or tags."
        )
        + "\n\n"
        + _EPILOG,
    )
    edit.add_argument("paths", nargs="+", metavar="PATH")
    edit.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEYWORD=VALUE",
        help="set an element (repeatable); KEYWORD may be a tag, TAG:VR for "
        "elements not in the dictionary; an empty VALUE empties it",
    )
    edit.add_argument(
        "--delete",
        action="append",
        default=[],
        metavar="KEYWORD",
        help="delete an element (repeatable; absent ones are no error)",
    )
    where = edit.add_mutually_exclusive_group()
    where.add_argument(
        "-o",
        "--output",
        metavar="OUTDIR",
        help="write edited copies under OUTDIR (trees mirrored), leave inputs",
    )
    where.add_argument("--in-place", action="store_true", help="change the files themselves")
    edit.add_argument(
        "-r", "--recursive", action="store_true", help="edit every file below directories given"
    )
    edit.add_argument("-j", "--jobs", type=int, default=1, metavar="N", help=_jobs_help())
    edit.add_argument(
        "-n",
        "--dry-run",
        action="store_true",
        help="write nothing; print what would change and how for each file",
    )
    edit.add_argument(
        "--no-fsync",
        dest="fsync",
        action="store_false",
        help="do not flush each written file to disk before it replaces the original (faster; "
        "still atomic: a crash can lose an edit, never a file)",
    )
    edit.add_argument("-v", "--verbose", action="store_true", help="a line for every file")
    edit.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask scheduler (e.g. tcp://host:8786) instead of "
        "local processes; needs lazydcm[dask] and the files visible to "
        "the workers at the same paths",
    )
    _add_common(edit)

    from lazydcm._cli.convert import add_parser as _add_convert

    _add_convert(sub, _Formatter, _add_common, _jobs_help(), _EPILOG)

    index = sub.add_parser(
        "index",
        help="scan headers into a Parquet or CSV table",
        formatter_class=_Formatter,
        description=_wrap(
            "Read the header of every file (directories are walked) into one table "
            "row: path, size, error, TransferSyntaxUID, SOPClassUID, SOPInstanceUID, "
            "PatientID, StudyInstanceUID, SeriesInstanceUID, Modality, Rows, Columns, "
            "NumberOfFrames, then the --tags columns (as text; several values joined "
            "by a backslash). Files that cannot be read are rows with the error "
            "column set. Parquet needs pyarrow (pip install 'lazydcm[parquet]')."
        ),
        epilog="examples:\n  lazydcm index /archive -o index.parquet --jobs 4\n"
        "  lazydcm index data -o - --tags PatientName,StudyDate\n\n" + _EPILOG,
    )
    index.add_argument("paths", nargs="+", metavar="PATH")
    index.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help="OUT.parquet, OUT.csv, or - for CSV on stdout",
    )
    index.add_argument("--tags", metavar="KEYWORD,...", help="extra columns")
    index.add_argument(
        "--frames",
        action="store_true",
        help="add the frame index: PixelDataOffset and each frame's byte range "
        "(FrameOffsets, FrameLengths), for dcmread(path, frame_index=...)",
    )
    index.add_argument("-j", "--jobs", type=int, default=1, metavar="N", help=_jobs_help())
    index.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask scheduler instead of local processes (lazydcm[dask])",
    )
    index.add_argument(
        "--force",
        action="store_true",
        help="also read files without the DICM header (raw datasets)",
    )
    _add_common(index)

    from lazydcm._cli import deid

    deid.add_parser(sub, _Formatter, _EPILOG)

    demo = sub.add_parser(
        "demo",
        help="a short tour on the sample files in data/",
        formatter_class=_Formatter,
        description=_wrap(
            "Dump a sample file, edit copies (one patched in place, one rewritten), "
            "render a frame to PNG (with Pillow) and index the samples, printing "
            "what each step did and the command that does it."
        ),
    )
    demo.add_argument(
        "--data",
        metavar="DIR",
        help="the sample directory (default: ./data, else the repository's)",
    )
    demo.add_argument(
        "--out", metavar="DIR", help="where the demo writes (default: a new temporary directory)"
    )
    _add_common(demo)
    return parser


def _run(args: argparse.Namespace) -> int:
    from lazydcm._cli import batch, inspect

    if args.command == "dump":
        return inspect.run_dump(args)
    if args.command == "show":
        return inspect.run_show(args)
    if args.command == "edit":
        return batch.run_edit(args)
    if args.command == "index":
        return batch.run_index(args)
    if args.command == "deid":
        from lazydcm._cli import deid

        return deid.run_deid(args)
    if args.command == "convert":
        from lazydcm._cli.convert import run_convert

        return run_convert(args)
    from lazydcm._cli import demo

    return demo.run_demo(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except UsageError as exc:
        print(f"lazydcm {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"lazydcm {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # stdout closed early (e.g. piped into head): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED

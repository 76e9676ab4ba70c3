"""``lazydcm demo``: a short tour of lazydcm on the sample files in ``data/``.

Each step prints the equivalent command, does the work through the library and says what
happened: what a lazy open decoded, how an edit was written (patched in place or rewritten),
a rendered frame, and the header index of the samples.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import textwrap
from pathlib import Path

import lazydcm
from lazydcm import archive
from lazydcm._cli.common import EXIT_FAILED, EXIT_OK, Console, UsageError

__all__ = ["run_demo", "find_samples", "SAMPLE_NAMES"]

#: The files ``data/make_data.py`` writes.
SAMPLE_NAMES = (
    "rtplan.dcm",
    "ct_slice.dcm",
    "ct_implicit.dcm",
    "mr_big_endian.dcm",
    "multiframe.dcm",
)


def find_samples(given: str | None) -> Path:
    """The directory holding the samples: ``given``, else ``./data``, else the ``data/`` of the
    source tree lazydcm runs from. Raises ``UsageError`` saying how to get them."""
    candidates = (
        [Path(given)]
        if given
        else [Path.cwd() / "data", Path(lazydcm.__file__).resolve().parents[1] / "data"]
    )
    for directory in candidates:
        if all((directory / name).is_file() for name in SAMPLE_NAMES):
            return directory
    where = ", ".join(str(c) for c in candidates)
    raise UsageError(
        f"the sample files are not in {where}: run from the repository root, pass "
        "--data DIR, or build them with python data/make_data.py --out DIR"
    )


def _shown(path: Path) -> str:
    """``path`` relative to the current directory when it is below it, else absolute."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path.resolve()) if relative.startswith("..") else relative


def _syntax_name(uid: str | None) -> str:
    name = lazydcm.UID(uid or "").name or (uid or "?")
    return name.split(":")[0].replace(" (Retired)", "")


class _Tour:
    def __init__(self, console: Console, data: Path, out: Path) -> None:
        self.console = console
        self.data = data
        self.out = out
        self.step = 0
        self.failed = False

    def heading(self, title: str, command: str) -> None:
        self.step += 1
        self.console.out(f"\n{self.step}. {title}\n   $ {command}")

    def say(self, text: str) -> None:
        self.console.out(textwrap.indent(text, "   "))

    def samples(self) -> None:
        self.heading("The sample files", f"lazydcm index {_shown(self.data)} -o -")
        spec = archive.IndexSpec.from_tags(["PatientName"])
        rows = list(archive.index_files([str(self.data / n) for n in SAMPLE_NAMES], spec))
        for row in rows:
            if row["error"]:
                self.failed = True
                self.say(f"{os.path.basename(row['path']):<18} ERROR {row['error']}")
                continue
            syntax = _syntax_name(row["TransferSyntaxUID"])
            sop = lazydcm.UID(row["SOPClassUID"] or "").name or "?"
            size = f"{row['Rows']}x{row['Columns']}" if row["Rows"] else "no image"
            frames = f" x{row['NumberOfFrames']} frames" if row["NumberOfFrames"] else ""
            self.say(
                f"{os.path.basename(row['path']):<18} {syntax:<26} {sop[:34]:<34} {size}{frames}"
            )

    def dump(self) -> None:
        path = self.data / "rtplan.dcm"
        self.heading("Dump the RT plan (first lines)", f"lazydcm dump {_shown(path)}")
        with lazydcm.dcmread(path) as ds:
            lines = str(ds).splitlines()
        self.say("\n".join(lines[:14]) + f"\n... ({len(lines) - 14} more lines)")
        with lazydcm.dcmread(path) as ds:
            beam = ds.BeamSequence[0]
            energy = beam.ControlPointSequence[0].NominalBeamEnergy
            items = ds.BeamSequence.loaded_items()
            touched = sum(item is not None for item in items)
            self.say(
                f"\nds.BeamSequence[0].BeamName = {beam.BeamName!r}, first control "
                f"point energy = {energy} MV\n"
                f"(lazy: {touched} of {len(items)} beam items were indexed to answer)"
            )

    def edit(self) -> None:
        source = self.data / "ct_slice.dcm"
        copy = self.out / "ct_slice.dcm"
        shutil.copyfile(source, copy)
        size = copy.stat().st_size
        self.heading(
            "Edit a copy: a value that fits is patched in place",
            f"lazydcm edit {_shown(copy)} --in-place --set PatientName=Doe^Janine",
        )
        report = lazydcm.edit(copy, {"PatientName": "Doe^Janine"})
        self.say(
            f"strategy {report.strategy!r}: {report.bytes_written} bytes written "
            f"into the {size}-byte file"
        )
        self.heading(
            "A longer value does not fit: the file is rewritten",
            f"lazydcm edit {_shown(copy)} --in-place "
            "--set PatientName=Doe^Janine^Maria^Dr --set InstitutionName=Samples",
        )
        report = lazydcm.edit(
            copy, {"PatientName": "Doe^Janine^Maria^Dr", "InstitutionName": "Samples"}
        )
        plan_note = ""
        with lazydcm.dcmread(copy) as ds:
            name, institution = str(ds.PatientName), ds.InstitutionName
            plan = lazydcm.plan(ds)
            plan_note = (
                f"(a save of an unchanged file copies all {plan.copied_bytes} bytes "
                f"straight from the source: {len(plan.segments)} segment(s))"
            )
        self.say(
            f"strategy {report.strategy!r}: {report.bytes_written} bytes written "
            f"atomically (temporary file + rename)\n"
            f"read back: PatientName={name!r} InstitutionName={institution!r}\n"
            f"{plan_note}"
        )

    def show(self) -> None:
        path = self.data / "multiframe.dcm"
        png = self.out / "multiframe_frame3.png"
        self.heading(
            "Render frame 3 of the multi-frame file to PNG",
            f"lazydcm show {_shown(path)} --frame 3 -o {_shown(png)}",
        )
        try:
            import PIL  # noqa: F401
        except ImportError:
            self.say("Pillow is not installed, so no PNG: pip install 'lazydcm[render]'")
            return
        from lazydcm.pixels.render import save_png

        with lazydcm.dcmread(path) as ds:
            image = ds.to_image(frame=3)
            save_png(image, png)
            frames = int(ds.NumberOfFrames)
        self.say(
            f"wrote {_shown(png)}: {image.shape[1]}x{image.shape[0]}, frame 3 of {frames} "
            f"(only that frame's bytes were read)"
        )

    def index(self) -> None:
        try:
            archive.require_pyarrow()
            target = self.out / "index.parquet"
        except ImportError:
            target = self.out / "index.csv"
        self.heading(
            "Index the samples into a table",
            f"lazydcm index {_shown(self.data)} -o {_shown(target)} --tags PatientName,StudyDate",
        )
        from lazydcm._cli.batch import write_index

        count, failed = write_index(
            [str(self.data / n) for n in SAMPLE_NAMES],
            archive.IndexSpec.from_tags(["PatientName", "StudyDate"]),
            str(target),
        )
        self.say(
            f"wrote {_shown(target)}: {count} rows, {failed} with errors"
            + (
                ""
                if target.suffix == ".parquet"
                else " (CSV: pip install 'lazydcm[parquet]' for Parquet)"
            )
        )


def run_demo(args: argparse.Namespace) -> int:
    console = Console("demo", quiet=args.quiet)
    data = find_samples(args.data)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
    else:
        out = Path(tempfile.mkdtemp(prefix="lazydcm-demo-"))
    console.out(
        f"lazydcm {lazydcm.__version__} demo: samples in {_shown(data)}, output in {_shown(out)}"
    )
    tour = _Tour(console, data, out)
    for step in (tour.samples, tour.dump, tour.edit, tour.show, tour.index):
        step()
    console.out(
        f"\nDone. The files written are in {_shown(out)}; "
        "see lazydcm --help and lazydcm COMMAND --help."
    )
    return EXIT_FAILED if tour.failed else EXIT_OK

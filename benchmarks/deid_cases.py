"""De-identification benchmarks: lazydcm against dicognito, deid (both pydicom-based) and GDCM's
``gdcmanon`` (its PS3.15 E.1.1 de-identify mode, which needs a certificate: a self-signed one is
made with ``openssl`` here), on the 1,000 small files and on the 1 GiB file.

Every implementation reads the inputs and writes de-identified copies to a fresh directory (no
fsync anywhere: none of the others flushes). The outputs differ by design (each tool has its own
profile), so the check string only reports what a reader sees: outputs written, pixel data equal
to the input's (by SHA-256 of the element's bytes), PatientName as pydicom reads it.

gdcmanon runs as a child process, so its memory is not in this process's figures: its check
string carries the child's peak RSS (``getrusage(RUSAGE_CHILDREN).ru_maxrss``) instead.
"""

from __future__ import annotations

import hashlib
import logging
import os
import resource
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pydicom
from harness import Case
from make_data import DataSet

KEY = b"benchmark-key"


def _inputs(data: DataSet, which: str) -> list[Path]:
    return data.small_files if which == "small" else [data.big]


def _pixel_digest(path: Path) -> str:
    ds = pydicom.dcmread(path, defer_size=1024)
    elem = ds.get((0x7FE0, 0x0010))
    raw = elem.value if elem is not None else b""
    return hashlib.sha256(raw).hexdigest()[:12]


def _check(inputs: list[Path], out: Path, extra: str = "") -> str:
    written = sorted(p for p in out.rglob("*") if p.is_file())
    if not written:
        return "no output"
    first_in, first_out = inputs[0], written[0]
    same = _pixel_digest(first_in) == _pixel_digest(first_out)
    name = pydicom.dcmread(first_out, stop_before_pixels=True).get("PatientName", "(removed)")
    text = f"{len(written)} outputs; pixel data equal: {same}; PatientName={str(name)!r}"
    return text + (f"; {extra}" if extra else "")


def _case(
    data: DataSet, which: str, label: str, run: Callable[[list[Path], Path], None], **kw
) -> Case:
    inputs = _inputs(data, which)
    root = data.scratch / f"deid_{which}_{label}"
    out = root / "out"

    def before_each() -> None:
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        os.sync()

    def action() -> Path:
        run(inputs, out)
        return out

    return Case(
        action,
        kw.pop("check", lambda result: _check(inputs, result)),
        before_each=before_each,
        cleanup=lambda: shutil.rmtree(root, ignore_errors=True),
        min_runs=2,
        max_runs=3,
        **kw,
    )


def lazydcm_deid(which: str) -> Callable[[DataSet], Case]:
    def factory(data: DataSet) -> Case:
        from lazydcm.deid import Profile
        from lazydcm.deid.files import DeidTask

        task = DeidTask(Profile(), KEY, fsync=False)

        def run(inputs: list[Path], out: Path) -> None:
            for path in inputs:
                result = task((str(path), str(out / path.name)))
                if result.error:
                    raise RuntimeError(f"{path}: {result.error}")

        return _case(data, which, "lazydcm", run, note="Basic Profile, copy-through, no fsync")

    return factory


def dicognito_deid(which: str) -> Callable[[DataSet], Case]:
    def factory(data: DataSet) -> Case:
        from dicognito.anonymizer import Anonymizer

        def run(inputs: list[Path], out: Path) -> None:
            anonymizer = Anonymizer(seed="benchmark")
            for path in inputs:
                ds = pydicom.dcmread(path)
                anonymizer.anonymize(ds)
                ds.save_as(out / path.name)

        return _case(data, which, "dicognito", run)

    return factory


def deid_deid(which: str) -> Callable[[DataSet], Case]:
    def factory(data: DataSet) -> Case:
        from deid.dicom import replace_identifiers
        from deid.logger import bot

        bot.level = 0  # its default recipe warns once per call; keep the output readable
        logging.getLogger("deid").setLevel(logging.ERROR)

        def run(inputs: list[Path], out: Path) -> None:
            replace_identifiers(
                dicom_files=[str(p) for p in inputs],
                save=True,
                output_folder=str(out),
                overwrite=True,
                remove_private=True,
            )

        return _case(data, which, "deid", run, note="default recipe, remove_private=True")

    return factory


def _certificate(root: Path) -> Path:
    """A self-signed RSA certificate for gdcmanon's E.1.1 mode (made once per data set)."""
    cert, key = root / "gdcmanon-cert.pem", root / "gdcmanon-key.pem"
    if not cert.exists():
        root.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
             "-out", str(cert), "-days", "2", "-subj", "/CN=lazydcm-benchmark"],
            check=True, capture_output=True,
        )  # fmt: skip
    return cert


def gdcmanon_deid(which: str) -> Callable[[DataSet], Case]:
    def factory(data: DataSet) -> Case:
        exe = shutil.which("gdcmanon")
        if exe is None:
            raise RuntimeError("gdcmanon not installed (Debian package libgdcm-tools)")
        cert = _certificate(data.scratch)
        inputs = _inputs(data, which)

        def run(paths: list[Path], out: Path) -> None:
            if which == "small":
                args = ["-i", str(data.small_dir), "-o", str(out), "-r", "--continue"]
            else:
                args = ["-i", str(paths[0]), "-o", str(out / paths[0].name)]
            proc = subprocess.run(
                [exe, "-e", "-c", str(cert), *args], capture_output=True, text=True
            )
            if proc.returncode != 0:
                raise RuntimeError(f"gdcmanon: exit {proc.returncode}: {proc.stderr[-300:]}")

        def check(out: Path) -> str:
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
            return _check(inputs, out, f"gdcmanon peak RSS {peak / 2**20:.0f} MiB")

        return _case(data, which, "gdcmanon", run, check=check, note="-e (E.1.1), AES-256")

    return factory


def benchmarks(benchmark_cls: type) -> list:
    """The two de-identification benchmarks, as ``cases.Benchmark`` objects."""
    out = []
    for which, title in (
        ("small", "de-identify each small file to a new directory"),
        ("big", "de-identify the big file to a new file"),
    ):
        out.append(
            benchmark_cls(
                f"deid-{which}",
                title,
                {
                    "dicognito": dicognito_deid(which),
                    "deid": deid_deid(which),
                    "gdcmanon": gdcmanon_deid(which),
                    "lazydcm": lazydcm_deid(which),
                },
            )
        )
    return out

"""The corpus the tests use: the full shared one, or outside CI the pydicom wheel's sample files
(tests/_wheel_corpus.py); under CI a missing corpus fails instead of falling back."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pydicom
from _wheel_corpus import build, wheel_data

TESTS = Path(__file__).resolve().parent


def _probe(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Import tests/_corpus.py in a fresh interpreter with ``env`` and call require_corpus()."""
    code = (
        "import _corpus\n"
        "print(_corpus.FULL, _corpus.CORPUS.name)\n"
        "try:\n"
        "    _corpus.require_corpus()\n"
        "except BaseException as exc:\n"
        "    print(type(exc).__name__, exc)\n"
        "else:\n"
        "    print('present', len(_corpus.catalog()))\n"
    )
    environ = {k: v for k, v in os.environ.items() if k != "CI"}
    environ.update(env, PYTHONPATH=str(TESTS))
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, timeout=600
    )


def test_missing_corpus_outside_ci_falls_back_to_the_wheel_files():
    run = _probe({"LAZYDCM_CORPUS": "/nonexistent"})
    assert run.returncode == 0, run.stderr
    out = run.stdout.split()
    assert out[:3] == ["False", "corpus", "present"] and int(out[3]) >= 80, run.stdout


def test_missing_corpus_under_ci_fails():
    run = _probe({"LAZYDCM_CORPUS": "/nonexistent", "CI": "1"})
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("False ")  # CORPUS stays the missing shared one
    assert lines[1].startswith("Failed DICOM corpus not found at /nonexistent")


def test_built_catalog_describes_the_copied_files(tmp_path):
    build(tmp_path)
    with (tmp_path / "CATALOG.tsv").open(newline="", encoding="utf-8") as fh:
        rows = {row["path"]: row for row in csv.DictReader(fh, delimiter="\t")}
    top = f"pydicom-{pydicom.__version__}"
    ct = rows[f"{top}/test_files/CT_small.dcm"]
    assert (ct["pydicom_readable"], ct["pixel_array_decodes"]) == ("y", "y")
    assert ct["transfer_syntax_uid"] == "1.2.840.10008.1.2.1"
    assert rows[f"{top}/test_files/rtstruct.dcm"]["pydicom_readable"] == "y(force)"
    assert rows[f"{top}/test_files/MR_truncated.dcm"]["pixel_array_decodes"] == "n"
    assert not any(p.endswith((".json", ".dump", ".icc", ".txt")) for p in rows)
    for rel, row in rows.items():  # every row is a copied file of the stated size
        copied = tmp_path / rel
        assert copied.stat().st_size == int(row["size_bytes"]), rel
        original = wheel_data() / rel.split("/", 1)[1]
        assert copied.read_bytes() == original.read_bytes(), rel
    assert (tmp_path / top / "test_files" / "README.txt").is_file()  # a not-DICOM file tests use
    assert len([r for r in rows if r.endswith(".dcm")]) >= 80

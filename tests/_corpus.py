"""Where the shared corpus of real DICOM files is, and which files it holds.

The corpus lives outside the repository (``../shared/corpus`` next to the checkout, or
``$LAZYDCM_CORPUS``). Under CI (``CI`` set) a missing corpus is a failure, never a skip.
Elsewhere (a fresh clone) the corpus tests run on the sample files of the pydicom wheel
(``tests/_wheel_corpus.py``, same layout and catalog columns): ``FULL`` says which one is in
use, and a test that needs a file the wheel does not ship skips naming it.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_CORPUS = Path(os.environ.get("LAZYDCM_CORPUS", REPO / ".." / "shared" / "corpus")).resolve()
IN_CI = bool(os.environ.get("CI"))
#: True when the full shared corpus is in use; False for the pydicom wheel's sample files
FULL = (SHARED_CORPUS / "CATALOG.tsv").is_file()
if FULL or IN_CI:
    CORPUS = SHARED_CORPUS
else:
    from _wheel_corpus import wheel_corpus

    CORPUS = wheel_corpus()

_NOT_DICOM = {
    "LICENSE",
    "LICENSE.txt",
    "README.md",
    "README.rst",
    "README.txt",
    "SOURCES.md",
    "CATALOG.tsv",
    "License.txt",
}


def require_corpus() -> Path:
    """The corpus directory (the full one, or outside CI the wheel's stand-in); fails under
    CI, skips elsewhere, when it is missing."""
    if not (CORPUS / "CATALOG.tsv").is_file():
        message = f"DICOM corpus not found at {CORPUS} (set LAZYDCM_CORPUS)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return CORPUS


def corpus_file(rel: str) -> Path:
    """The path of corpus file ``rel``. With the wheel's stand-in corpus, a file the pydicom
    wheel does not ship skips the test naming it (under CI the full corpus is required)."""
    path = require_corpus() / rel
    if not FULL and not path.exists():
        pytest.skip(f"{rel} is only in the full corpus (pydicom's wheel does not ship it)")
    return path


def at_least(full: int, wheel: int) -> int:
    """A minimum count for a corpus-wide check: ``full`` with the full corpus, ``wheel`` with
    the pydicom wheel's sample files."""
    return full if FULL else wheel


def catalog() -> list[dict[str, str]]:
    """Rows of CATALOG.tsv (one per corpus file), or [] when the corpus is missing."""
    path = CORPUS / "CATALOG.tsv"
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def corpus_paths() -> list[str]:
    """Relative paths of every corpus file listed in the catalog (sorted)."""
    return sorted(row["path"] for row in catalog())


def test_file(name: str) -> Path:
    """A file of pydicom's test files in the corpus (e.g. ``"rtplan.dcm"``)."""
    return corpus_file(f"pydicom-3.0.2/test_files/{name}")


test_file.__test__ = False  # not a test


def require_dcmdump() -> str:
    """Path of DCMTK's ``dcmdump``; fails under CI, skips elsewhere, when it is missing."""
    import shutil

    found = shutil.which("dcmdump")
    if found is None:
        message = "dcmdump (Debian package dcmtk) is not installed"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def assert_dcmdump_clean(path: os.PathLike | str) -> str:
    """Run ``dcmdump`` on ``path``; fail on a non-zero exit or any warning/error line.

    Returns dcmdump's output (the dump) for further checks.
    """
    import subprocess

    run = subprocess.run(
        [require_dcmdump(), str(path)], capture_output=True, text=True, encoding="latin-1"
    )  # dumps hold text in the file's own charsets
    complaints = [
        line
        for line in (run.stdout + run.stderr).splitlines()
        if line.startswith(("W:", "E:", "F:"))
    ]
    assert run.returncode == 0 and not complaints, (
        f"dcmdump on {path}: exit {run.returncode}\n" + "\n".join(complaints or [run.stderr])
    )
    return run.stdout

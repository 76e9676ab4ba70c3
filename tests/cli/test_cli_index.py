"""``lazydcm index`` through a real subprocess: one row per file (unreadable files are rows with
an error), Parquet and CSV, 1 and 2 jobs, and the message when pyarrow is missing."""

from __future__ import annotations

import csv
import io
import os
import warnings

import pyarrow.parquet as pq
import pydicom
import pytest
from _clirun import run, run_python
from _corpus import CORPUS, catalog, corpus_file, require_corpus

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydicom")


@pytest.fixture(scope="module")
def corpus_index(tmp_path_factory):
    """The whole corpus indexed with one job (and the command's result)."""
    require_corpus()
    out = tmp_path_factory.mktemp("index") / "corpus.parquet"
    result = run("index", CORPUS, "-o", out, "--tags", "PatientName,StudyDate,ImageType", "-q")
    return result, pq.read_table(out)


def test_one_row_per_file_and_exit_status(corpus_index):
    result, table = corpus_index
    files = sorted(str(p) for p in CORPUS.rglob("*") if p.is_file())
    assert sorted(table.column("path").to_pylist()) == files
    assert table.column_names == [
        "path",
        "size",
        "error",
        "TransferSyntaxUID",
        "SOPClassUID",
        "SOPInstanceUID",
        "PatientID",
        "StudyInstanceUID",
        "SeriesInstanceUID",
        "Modality",
        "Rows",
        "Columns",
        "NumberOfFrames",
        "PatientName",
        "StudyDate",
        "ImageType",
    ]
    assert result.returncode == 1  # the corpus holds READMEs and broken files
    errors = [r for r in table.to_pylist() if r["error"]]
    for row in errors:  # each one named on stderr too
        assert f"lazydcm index: {row['path']}: {row['error']}" in result.stderr
    assert result.stdout == ""


def test_rows_agree_with_pydicom(corpus_index):
    _, table = corpus_index
    rows = {r["path"]: r for r in table.to_pylist()}
    checked = 0
    for entry in catalog():
        if entry["pydicom_readable"] != "y" or entry["read_error"]:
            continue
        path = str(CORPUS / entry["path"])
        row = rows[path]
        if row["error"]:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = pydicom.dcmread(path, stop_before_pixels=True)
        assert row["size"] == os.path.getsize(path)
        if not path.endswith("GH1376.dcm"):  # repeats (0002,0010) in its dataset; pydicom
            # takes the repeat, lazydcm (and dcmdump) the meta group's value
            assert row["TransferSyntaxUID"] == (entry["transfer_syntax_uid"] or None)
        for key in ("SOPClassUID", "SOPInstanceUID", "PatientID", "Modality", "StudyDate"):
            value = ref.get(key)
            assert row[key] == (None if value is None else str(value).strip()), (path, key)
        for key in ("Rows", "Columns"):
            assert row[key] == ref.get(key), (path, key)
        frames = ref.get("NumberOfFrames")
        assert row["NumberOfFrames"] == (None if frames is None else int(frames))
        checked += 1
    assert checked > 100


def test_unreadable_files_are_rows_with_errors(corpus_index):
    _, table = corpus_index
    rows = {os.path.relpath(r["path"], CORPUS): r for r in table.to_pylist()}
    assert "at offset 0x80" in rows["pydicom-3.0.2/test_files/README.txt"]["error"]
    truncated = rows["pydicom-3.0.2/test_files/rtplan_truncated.dcm"]
    assert truncated["error"].startswith("TruncatedDicomError: element (300A,00B0) at offset")
    assert truncated["SOPClassUID"] == "1.2.840.10008.5.1.4.1.1.481.5"  # read before the cut
    bad_vr = rows["pydicom-3.0.2/test_files/badVR.dcm"]
    assert "element (0028,0008)" in bad_vr["error"]


def test_two_jobs_give_the_same_table(corpus_index, tmp_path):
    _, table = corpus_index
    out = tmp_path / "two.parquet"
    result = run(
        "index", CORPUS, "-o", out, "--jobs", "2", "-q", "--tags", "PatientName,StudyDate,ImageType"
    )
    assert result.returncode == 1
    assert pq.read_table(out).equals(table)


def test_csv_on_stdout_and_to_a_file(tmp_path):
    root = corpus_file("pydicom-3.0.2/test_files")
    files = [root / "CT_small.dcm", root / "README.txt", root / "rtdose.dcm"]
    result = run("index", *files, "-o", "-", "--tags", "PixelSpacing")
    assert result.returncode == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["path"] for r in rows] == [str(f) for f in files]
    assert rows[0]["PixelSpacing"] == "0.661468\\0.661468" and rows[0]["error"] == ""
    assert rows[2]["NumberOfFrames"] == "15"
    assert "indexed 3 file(s) into stdout: 2 read, 1 with errors" in result.stderr
    out = tmp_path / "index.csv"
    assert run("index", files[0], "-o", out).returncode == 0
    assert list(csv.DictReader(out.open()))[0]["Modality"] == "CT"


@pytest.mark.parametrize(
    "args, message",
    [
        (["-o", "index.txt"], ".parquet or .csv"),
        (["-o", "x.parquet", "--tags", "NotAKeyword"], "NotAKeyword"),
        (["-o", "x.parquet", "--jobs", "0"], "--jobs 0"),
    ],
)
def test_index_usage_errors(tmp_path, args, message):
    result = run(
        "index",
        corpus_file("pydicom-3.0.2/test_files/CT_small.dcm"),
        *args,
        cwd=tmp_path,
    )
    assert result.returncode == 2 and message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_pyarrow_is_named(tmp_path):
    code = (
        "import sys\nsys.modules['pyarrow'] = None  # as if not installed\n"
        "from lazydcm.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    )
    path = corpus_file("pydicom-3.0.2/test_files/CT_small.dcm")
    result = run_python(code, "index", path, "-o", tmp_path / "x.parquet")
    assert result.returncode == 2
    assert "pip install 'lazydcm[parquet]'" in result.stderr
    csv_result = run_python(code, "index", path, "-o", tmp_path / "x.csv")
    assert csv_result.returncode == 0  # CSV needs no pyarrow

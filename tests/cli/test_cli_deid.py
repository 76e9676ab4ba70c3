"""``lazydcm deid`` through a real subprocess."""

from __future__ import annotations

import csv
import shutil

from _clirun import run
from _corpus import test_file

import lazydcm
from lazydcm.deid import uid_for

KEY = b"cli-secret"


def _tree(tmp_path):
    src = tmp_path / "in"
    (src / "a" / "b").mkdir(parents=True)
    shutil.copy(test_file("MR_small.dcm"), src / "a" / "mr.dcm")
    shutil.copy(test_file("CT_small.dcm"), src / "a" / "b" / "ct.dcm")
    (src / "notes.txt").write_text("not dicom")
    key = tmp_path / "key"
    key.write_bytes(KEY + b"\n")
    return src, key


def test_deid_tree_mirrors_input_writes_map_and_reports_failures(tmp_path):
    src, key = _tree(tmp_path)
    out, umap = tmp_path / "out", tmp_path / "map.csv"
    proc = run("deid", src, "-o", out, "--key-file", key, "--map", umap, "--jobs", "2", "-q")
    assert proc.returncode == 1, proc.stderr  # notes.txt failed, the rest was done
    assert "notes.txt: NotDicomError" in proc.stderr
    assert "3 file(s): 2 de-identified, 1 failed" in proc.stdout
    with (
        lazydcm.dcmread(src / "a" / "mr.dcm") as before,
        lazydcm.dcmread(out / "a" / "mr.dcm") as after,
    ):
        assert after.SOPInstanceUID == uid_for(before.SOPInstanceUID, KEY)
        assert after.PatientIdentityRemoved == "YES"
    assert (out / "a" / "b" / "ct.dcm").is_file() and not (out / "notes.txt").exists()
    rows = list(csv.DictReader(umap.open()))
    with lazydcm.dcmread(src / "a" / "b" / "ct.dcm") as ct:
        assert {
            "original": ct.StudyInstanceUID,
            "replacement": uid_for(ct.StudyInstanceUID, KEY),
        } in rows


def test_deid_refuses_existing_outputs_and_the_input_tree(tmp_path):
    src, key = _tree(tmp_path)
    out = tmp_path / "out"
    assert run("deid", src / "a" / "mr.dcm", "-o", out, "--key-file", key, "-q").returncode == 0
    again = run("deid", src / "a" / "mr.dcm", "-o", out, "--key-file", key, "-q")
    assert again.returncode == 1 and "FileExistsError" in again.stderr
    inside = run("deid", src, "-o", src / "anon", "--key-file", key)
    assert inside.returncode == 2 and "inside the input tree" in inside.stderr
    umap = run("deid", src, "-o", out / "x", "--key-file", key, "--map", out / "x" / "m.csv")
    assert umap.returncode == 2 and "out of the output tree" in umap.stderr


def test_deid_usage_errors(tmp_path):
    src, key = _tree(tmp_path)
    bad = run("deid", src, "-o", tmp_path / "o", "--key-file", key, "--option", "nope")
    assert bad.returncode == 2 and "unknown de-identification option" in bad.stderr
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert run("deid", src, "-o", tmp_path / "o", "--key-file", empty).returncode == 2
    both = run(
        "deid", src, "-o", tmp_path / "o", "--key-file", key,
        "--option", "retain-long-full-dates", "--option", "retain-long-modified-dates",
    )  # fmt: skip
    assert both.returncode == 2 and "mutually exclusive" in both.stderr


def test_deid_options_reach_the_files(tmp_path):
    src, key = _tree(tmp_path)
    out = tmp_path / "out"
    proc = run(
        "deid", src / "a" / "mr.dcm", "-o", out, "--key-file", key, "--option", "retain-uids", "-q"
    )
    assert proc.returncode == 0, proc.stderr
    with lazydcm.dcmread(src / "a" / "mr.dcm") as before, lazydcm.dcmread(out / "mr.dcm") as after:
        assert after.SOPInstanceUID == before.SOPInstanceUID
        assert [i.CodeValue for i in after.DeidentificationMethodCodeSequence] == [
            "113100",
            "113110",
        ]


def test_deid_map_as_parquet(tmp_path):
    import pyarrow.parquet as pq

    src, key = _tree(tmp_path)
    umap = tmp_path / "uids.parquet"
    proc = run("deid", src / "a", "-o", tmp_path / "out", "--key-file", key, "--map", umap, "-q")
    assert proc.returncode == 0, proc.stderr
    table = pq.read_table(umap).to_pylist()
    with lazydcm.dcmread(src / "a" / "mr.dcm") as mr:
        row = {"original": mr.SOPInstanceUID, "replacement": uid_for(mr.SOPInstanceUID, KEY)}
    assert row in table and len(table) == len({r["original"] for r in table})

"""``lazydcm edit`` through a real subprocess, over a tree of corpus files with unreadable files
mixed in: they are reported (file, offset, tag), the rest are edited, nothing is lost."""

from __future__ import annotations

import hashlib
import shutil
import warnings
from pathlib import Path

import pydicom
import pytest
from _clirun import run
from _corpus import test_file

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydicom")

GOOD = {  # name in the tree -> corpus file
    "ct.dcm": "CT_small.dcm",
    "a/mr_implicit.dcm": "MR_small_implicit.dcm",
    "a/mr_big_endian.dcm": "MR_small_bigendian.dcm",
    "a/b/rtplan.dcm": "rtplan.dcm",
    "a/b/rtdose.dcm": "rtdose.dcm",
}
BAD = {  # unreadable files, and what the error must say
    "README.txt": ("README.txt", "NotDicomError: at offset 0x80"),
    "a/b/truncated.dcm": (
        "rtplan_truncated.dcm",
        "TruncatedDicomError: element (300A,00B0) at offset 0x582",
    ),
}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read(path: Path) -> pydicom.Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pydicom.dcmread(path)


@pytest.fixture()
def tree(tmp_path) -> Path:
    root = tmp_path / "tree"
    for name, source in {**GOOD, **{k: v[0] for k, v in BAD.items()}}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(test_file(source), root / name)
    (root / "empty.dcm").write_bytes(b"")
    return root


def _others_equal(before: pydicom.Dataset, after: pydicom.Dataset, changed: set[str]) -> None:
    """Every element but ``changed`` is as it was (pydicom as the reference reader)."""
    skip = {pydicom.datadict.tag_for_keyword(k) for k in changed} | {0x00020000}
    tags = ({e.tag for e in before} | {e.tag for e in after}) - skip
    for tag in sorted(tags):
        assert tag in before and tag in after, tag
        assert before[tag].value == after[tag].value, tag


def test_edit_tree_in_place_with_bad_files_mixed_in(tree):
    before = {name: _read(tree / name) for name in GOOD}
    untouched = {name: _digest(tree / name) for name in BAD}
    result = run(
        "edit",
        tree,
        "--recursive",
        "--in-place",
        "--jobs",
        "2",
        "--set",
        "PatientName=Edited^Name^Longer^Than^Before",
        "--set",
        "ImageType=DERIVED\\SECONDARY",
        "--delete",
        "PatientBirthDate",
    )
    assert result.returncode == 1
    # the unreadable ones are reported with file, offset and tag, and left byte-identical
    for name, (_, why) in BAD.items():
        assert f"lazydcm edit: {tree / name}: {why}" in result.stderr
        assert _digest(tree / name) == untouched[name]
    assert f"{tree / 'empty.dcm'}: " in result.stderr
    assert result.stdout.splitlines()[-1] == (
        "8 file(s): 0 patched in place, 5 rewritten, 0 unchanged, 3 failed "
        "(2 NotDicomError, 1 TruncatedDicomError)"
    )
    for name in GOOD:
        after = _read(tree / name)
        assert after.PatientName == "Edited^Name^Longer^Than^Before"
        assert list(after.ImageType) == ["DERIVED", "SECONDARY"]
        assert "PatientBirthDate" not in after
        _others_equal(before[name], after, {"PatientName", "ImageType", "PatientBirthDate"})
    assert sorted(p.name for p in tree.rglob("*") if p.name.startswith(".")) == []  # no temps


def test_same_length_edit_is_patched_in_place(tree):
    path = tree / "ct.dcm"
    original = path.read_bytes()
    result = run("edit", path, "--in-place", "--set", "PatientID=9CT9", "-v")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{path}: patched 4 bytes in place",
        "1 file(s): 1 patched in place, 0 rewritten, 0 unchanged, 0 failed",
    ]
    new = path.read_bytes()
    assert len(new) == len(original)
    changed = [i for i, (a, b) in enumerate(zip(original, new, strict=True)) if a != b]
    assert len(changed) <= 4 and new[changed[0] - 1 : changed[-1] + 1].find(b"9CT9") >= 0
    assert _read(path).PatientID == "9CT9"


def test_output_directory_mirrors_the_tree_and_leaves_inputs(tree, tmp_path):
    out = tmp_path / "out"
    digests = {p: _digest(p) for p in tree.rglob("*") if p.is_file()}
    result = run(
        "edit",
        tree / "a",
        tree / "ct.dcm",
        "-r",
        "-o",
        out,
        "--set",
        "PatientID=ANON",
        "--set",
        "LargestImagePixelValue=4000",
    )
    assert result.returncode == 1  # a/b/truncated.dcm
    assert {p: _digest(p) for p in tree.rglob("*") if p.is_file()} == digests
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == [
        "b/rtdose.dcm",
        "b/rtplan.dcm",
        "ct.dcm",
        "mr_big_endian.dcm",
        "mr_implicit.dcm",
    ]
    ref = _read(out / "ct.dcm")
    assert ref.PatientID == "ANON" and ref.LargestImagePixelValue == 4000
    assert ref.PixelData == _read(tree / "ct.dcm").PixelData


def test_dry_run_prints_the_plan_and_writes_nothing(tree):
    digests = {p: _digest(p) for p in tree.rglob("*") if p.is_file()}
    result = run(
        "edit",
        tree / "ct.dcm",
        tree / "a" / "b" / "rtplan.dcm",
        "--dry-run",
        "--set",
        "PatientName=A^B",
        "--set",
        "RecommendedDisplayFrameRateInFloat=2.5",
        "--delete",
        "PatientWeight",
    )
    assert result.returncode == 0, result.stderr
    assert {p: _digest(p) for p in tree.rglob("*") if p.is_file()} == digests
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{tree / 'ct.dcm'}: would write ")
    assert lines[1] == "    (0010,0010) PatientName: 'CompressedSamples^CT1' -> 'A^B'"
    assert lines[2] == "    (0008,9459) RecommendedDisplayFrameRateInFloat: absent -> 2.5"
    assert lines[3] == "    (0010,1030) PatientWeight: '0.000000' -> deleted"
    assert lines[-1] == "dry run: 2 file(s): 0 patched in place, 2 rewritten, 0 unchanged, 0 failed"


@pytest.mark.parametrize(
    "args, message",
    [
        (["--set", "PatientName=X"], "--in-place, -o OUTDIR"),  # where do results go?
        (["--in-place"], "nothing to change"),
        (["--in-place", "--set", "Rows=many"], "US holds integers"),
        (["--in-place", "--set", "NoSuchKeyword=1"], "neither a DICOM keyword"),
        (["--in-place", "--set", "00291010=x"], "give its VR"),
        (["--in-place", "--delete", "Nope"], "Nope"),
        (["--in-place", "--jobs", "0", "--set", "PatientID=1"], "--jobs 0"),
    ],
)
def test_usage_errors_touch_nothing(tree, args, message):
    digests = {p: _digest(p) for p in tree.rglob("*") if p.is_file()}
    result = run("edit", tree / "ct.dcm", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert {p: _digest(p) for p in tree.rglob("*") if p.is_file()} == digests


def test_directory_needs_recursive_and_outputs_must_not_collide(tree, tmp_path):
    result = run("edit", tree, "--in-place", "--set", "PatientID=1")
    assert result.returncode == 2 and "is a directory (use --recursive)" in result.stderr
    shutil.copyfile(tree / "ct.dcm", tree / "a" / "ct.dcm")
    clash = run(
        "edit", tree / "ct.dcm", tree / "a" / "ct.dcm", "-o", tmp_path / "o", "--set", "PatientID=1"
    )
    assert clash.returncode == 2 and "would both be written to" in clash.stderr
    both = run("edit", tree / "ct.dcm", "--in-place", "-o", tmp_path / "o", "--set", "PatientID=1")
    assert both.returncode == 2  # argparse: not allowed together


def test_missing_file_is_a_failure_not_a_crash(tree):
    result = run("edit", tree / "nope.dcm", tree / "ct.dcm", "--in-place", "--set", "PatientID=X")
    assert result.returncode == 1
    assert f"{tree / 'nope.dcm'}: FileNotFoundError: No such file or directory" in result.stderr
    assert _read(tree / "ct.dcm").PatientID == "X"


def test_no_fsync_edits_without_flushing(tree, monkeypatch):
    # through the command: a rewrite (longer value) and an in-place patch, both done
    result = run(
        "edit", tree / "ct.dcm", tree / "a/b/rtplan.dcm", "--in-place", "--no-fsync",
        "--set", "PatientName=Much^Longer^Than^Before", "-j", "2",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _read(tree / "ct.dcm").PatientName == "Much^Longer^Than^Before"
    assert _read(tree / "a/b/rtplan.dcm").PatientName == "Much^Longer^Than^Before"
    # the task the command runs never flushes when told not to (and does by default)
    from lazydcm import archive

    calls: list[int] = []
    monkeypatch.setattr("os.fsync", lambda fd: calls.append(fd))
    changes = archive.normalize_changes({"PatientID": "a-much-longer-patient-id"})
    report = archive.EditTask(changes, fsync=False)((str(tree / "ct.dcm"), None))
    assert report.strategy == "rewrite" and calls == []
    report = archive.EditTask(changes)((str(tree / "a/mr_implicit.dcm"), None))
    assert report.strategy == "rewrite" and calls

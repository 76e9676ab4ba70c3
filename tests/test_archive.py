"""lazydcm.archive: finding files, the header index row, parsing edits, per-file edits and the
process pool — in-process (the ``lazydcm`` command's subprocess tests are in tests/cli/)."""

from __future__ import annotations

import hashlib
import os
import shutil
import warnings

import pydicom
import pytest
from _corpus import CORPUS, require_corpus, test_file

import lazydcm
from lazydcm import archive
from lazydcm.archive import Change, IndexSpec

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydicom")


def _digest(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


# -- find_files ---------------------------------------------------------------------------------


def test_find_files_walks_trees_in_order_and_skips_special_files(tmp_path):
    root = tmp_path / "tree"
    (root / "b" / "deep").mkdir(parents=True)
    (root / "a").mkdir()
    for name in ("b/deep/z.dcm", "b/y", "a/x.dcm", "top.dcm"):
        (root / name).write_bytes(b"x")
    os.mkfifo(root / "a" / "fifo")  # must not be opened (it would block)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "o.dcm").write_bytes(b"x")
    os.symlink(outside, root / "link")  # symlinked directories are not followed
    found = archive.find_files([root, tmp_path / "missing.dcm"])
    assert [f.relative for f in found] == [
        "top.dcm",
        "a/x.dcm",
        "b/y",
        "b/deep/z.dcm",
        "missing.dcm",
    ]
    assert found[0].path == str(root / "top.dcm")
    with pytest.raises(IsADirectoryError, match="--recursive"):
        archive.find_files([root], recursive=False)
    assert archive.find_files([root / "top.dcm"], recursive=False)[0].relative == "top.dcm"


# -- parse_set / parse_delete -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, tag, value, vr",
    [
        ("PatientName=Doe^John", 0x00100010, "Doe^John", None),
        ("ImageType=DERIVED\\SECONDARY", 0x00080008, "DERIVED\\SECONDARY", None),
        ("Rows=512", 0x00280010, 512, None),  # US: text -> int
        ("LargestImagePixelValue=-5", 0x00280107, -5, None),  # "US or SS"
        ("RecommendedDisplayFrameRateInFloat=2.5", 0x00089459, 2.5, None),  # FL
        ("ReferencedFrameNumber=1\\2\\3", 0x00081160, "1\\2\\3", None),  # IS keeps its text
        ("FrameIncrementPointer=FrameTime", 0x00280009, 0x00181063, None),  # AT by keyword
        ("DimensionIndexPointer=(0020,0032)", 0x00209165, 0x00200032, None),
        ("(0010,0020)=ID 7", 0x00100020, "ID 7", None),
        ("00100030=", 0x00100030, "", None),  # an empty value
        ("00291010:LO=hello", 0x00291010, "hello", "LO"),  # private: VR given
    ],
)
def test_parse_set(text, tag, value, vr):
    change = archive.parse_set(text)
    assert (change.tag, change.value, change.vr, change.delete) == (tag, value, vr, False)


@pytest.mark.parametrize(
    "text, message",
    [
        ("PatientName", "expected KEYWORD=VALUE"),
        ("NoSuchKeyword=1", "neither a DICOM keyword"),
        ("Rows=big", "US holds integers"),
        ("Rows=70000", "out of range"),
        ("Modality=ct scanner", "CS"),  # the assignment-time check, done up front
        ("PixelData=abc", "cannot be given as text"),
        ("BeamSequence=x", "cannot be given as text"),
        ("00291010=x", "give its VR"),
    ],
)
def test_parse_set_rejects(text, message):
    with pytest.raises(ValueError, match=message):
        archive.parse_set(text)


def test_parse_delete_and_normalize_changes():
    assert archive.parse_delete("PatientBirthDate") == Change(0x00100030, delete=True)
    with pytest.raises(ValueError):
        archive.parse_delete("Nope")
    changes = archive.normalize_changes({"PatientName": "A^B", 0x00100030: None})
    assert changes == (Change(0x00100010, "A^B"), Change(0x00100030, delete=True))
    assert archive.normalize_changes(changes) == changes
    with pytest.raises(TypeError):
        archive.normalize_changes([("PatientName", "x")])


# -- the index ----------------------------------------------------------------------------------


def test_index_spec_columns():
    spec = IndexSpec.from_tags(
        ["PatientName", "PatientID", "(0028,0030)", 0x00291010, "PatientName"]
    )
    # fixed columns first; a tag already among them or repeated is dropped
    assert spec.names[:3] == ["path", "size", "error"]
    assert spec.names[13:] == ["PatientName", "PixelSpacing", "00291010"]
    schema = spec.arrow_schema()
    assert str(schema.field("Rows").type) == "int64"
    assert str(schema.field("PixelSpacing").type) == "string"
    with pytest.raises(ValueError, match="NotAKeyword"):
        IndexSpec.from_tags(["NotAKeyword"])


def test_index_row_matches_pydicom():
    path = test_file("CT_small.dcm")
    spec = IndexSpec.from_tags(
        [
            "PatientName",
            "ImageType",
            "PixelSpacing",
            "RescaleIntercept",
            "ReferencedImageSequence",
            "00091001",
        ]
    )
    row = archive.index_file(path, spec)
    ref = pydicom.dcmread(path)
    assert row["error"] is None
    assert row["path"] == str(path) and row["size"] == os.path.getsize(path)
    assert row["TransferSyntaxUID"] == ref.file_meta.TransferSyntaxUID
    for key in (
        "SOPClassUID",
        "SOPInstanceUID",
        "PatientID",
        "StudyInstanceUID",
        "SeriesInstanceUID",
        "Modality",
        "PatientName",
    ):
        assert row[key] == str(getattr(ref, key)), key
    assert (row["Rows"], row["Columns"], row["NumberOfFrames"]) == (ref.Rows, ref.Columns, None)
    assert row["ImageType"] == "\\".join(ref.ImageType)
    assert row["PixelSpacing"] == "\\".join(str(v) for v in ref.PixelSpacing)
    assert row["RescaleIntercept"] == str(ref.RescaleIntercept)
    assert row["ReferencedImageSequence"] is None  # absent
    assert row["00091001"] == "GE_GENESIS_FF"  # a private LO read as text


def test_index_multiframe_and_big_endian_binary_as_little_endian_base64():
    spec = IndexSpec.from_tags(["FrameIncrementPointer", "RedPaletteColorLookupTableData"])
    row = archive.index_file(test_file("rtdose_expb.dcm"), spec)
    ref = pydicom.dcmread(test_file("rtdose_expb.dcm"))
    assert row["error"] is None and row["NumberOfFrames"] == int(ref.NumberOfFrames) == 15
    assert row["FrameIncrementPointer"] == f"{int(ref.FrameIncrementPointer):08X}"
    import base64

    import numpy as np

    path = CORPUS / "pydicom-3.0.2/test_files/MR_small_bigendian.dcm"
    spec = IndexSpec.from_tags(["PixelData"])
    data = base64.b64decode(archive.index_file(path, spec)["PixelData"])
    ref_pixels = pydicom.dcmread(path).pixel_array
    assert np.array_equal(np.frombuffer(data, "<i2").reshape(ref_pixels.shape), ref_pixels)


def test_index_sequence_column_is_dicom_json():
    import json

    row = archive.index_file(test_file("rtplan.dcm"), IndexSpec.from_tags(["BeamSequence"]))
    beams = json.loads(row["BeamSequence"])
    assert beams[0]["300A00C2"] == {"vr": "LO", "Value": ["Field 1"]}  # Beam Name


@pytest.mark.parametrize(
    "name, where",
    [
        ("README.txt", "at offset 0x80"),  # not DICOM
        ("rtplan_truncated.dcm", "element (300A,00B0) at offset 0x582"),
        ("MR_truncated.dcm", "element (7FE0,0010)"),
    ],
)
def test_unreadable_files_are_rows_with_an_error(name, where):
    row = archive.index_file(test_file(name), IndexSpec())
    assert where in row["error"]
    assert row["size"] == os.path.getsize(test_file(name))


def test_truncated_file_row_keeps_what_could_be_read():
    row = archive.index_file(test_file("rtplan_truncated.dcm"), IndexSpec())
    assert row["error"].startswith("TruncatedDicomError")
    assert row["SOPClassUID"] == "1.2.840.10008.5.1.4.1.1.481.5"  # before the cut


def test_undecodable_value_is_reported_with_its_column_and_tag():
    row = archive.index_file(test_file("badVR.dcm"), IndexSpec())
    assert row["error"].startswith("NumberOfFrames: InvalidValueError: element (0028,0008)")
    assert row["NumberOfFrames"] is None and row["Rows"] is not None


def test_missing_file_row():
    row = archive.index_file("/nonexistent/file.dcm")
    assert row["error"] == "FileNotFoundError: No such file or directory"
    assert row["size"] is None


def test_index_files_with_two_jobs_equals_one_job():
    require_corpus()
    paths = [f.path for f in archive.find_files([CORPUS / "pydicom-3.0.2"])]
    spec = IndexSpec.from_tags(["PatientName", "StudyDate"])
    one = list(archive.index_files(paths, spec, jobs=1))
    two = list(archive.index_files(paths, spec, jobs=2))
    assert one == two and [r["path"] for r in one] == paths
    table = spec.to_arrow(one)
    assert table.num_rows == len(paths) and table.column_names == spec.names


# -- value_text ---------------------------------------------------------------------------------


def test_value_text_forms():
    ds = lazydcm.Dataset()
    ds.PixelSpacing = ["0.50", "0.5"]
    ds.FrameIncrementPointer = 0x00181063
    ds.RecommendedDisplayFrameRateInFloat = 2.5
    ds.PatientName = ""
    assert archive.value_text(ds["PixelSpacing"]) == "0.50\\0.5"  # DS keeps its text
    assert archive.value_text(ds["FrameIncrementPointer"]) == "00181063"
    assert archive.value_text(ds["RecommendedDisplayFrameRateInFloat"]) == "2.5"
    assert archive.value_text(ds["PatientName"]) == ""


# -- edit_file ----------------------------------------------------------------------------------


@pytest.fixture()
def ct(tmp_path):
    path = tmp_path / "ct.dcm"
    shutil.copyfile(test_file("CT_small.dcm"), path)
    return path


def test_edit_file_in_place_and_rewrite(ct):
    size = ct.stat().st_size
    report = archive.edit_file(str(ct), (archive.parse_set("PatientName=Short^Name"),))
    assert (report.strategy, report.error, report.changed) == ("in-place", None, ("(0010,0010)",))
    assert ct.stat().st_size == size and report.output == str(ct)
    assert pydicom.dcmread(ct).PatientName == "Short^Name"
    long_name = "Longer^Family^Name^Dr^PhD"
    report = archive.edit_file(
        str(ct),
        (archive.parse_set(f"PatientName={long_name}"), archive.parse_delete("PatientBirthDate")),
    )
    assert report.strategy == "rewrite" and report.bytes_written == ct.stat().st_size
    ref = pydicom.dcmread(ct)
    assert ref.PatientName == long_name and "PatientBirthDate" not in ref


def test_edit_file_with_output_leaves_the_input(ct, tmp_path):
    before = _digest(ct)
    out = tmp_path / "out" / "sub" / "ct.dcm"
    report = archive.edit_file(str(ct), (archive.parse_set("Rows=128"),), str(out))
    assert report.strategy == "rewrite" and report.output == str(out)
    assert _digest(ct) == before and pydicom.dcmread(out).Rows == 128


def test_edit_file_private_element_with_explicit_vr(ct):
    report = archive.edit_file(str(ct), (archive.parse_set("00091001:LO=changed"),))
    assert report.error is None
    assert pydicom.dcmread(ct)[0x00091001].value == "changed"


@pytest.mark.parametrize(
    "name, why",
    [
        ("README.txt", "NotDicomError"),
        ("rtplan_truncated.dcm", "TruncatedDicomError: element (300A,00B0) at offset 0x582"),
    ],
)
def test_edit_file_failure_leaves_the_file_untouched(tmp_path, name, why):
    path = tmp_path / name
    shutil.copyfile(test_file(name), path)
    before = _digest(path)
    report = archive.edit_file(str(path), (archive.parse_set("PatientName=X"),))
    assert report.strategy == "failed" and why in report.error and not report.ok
    assert _digest(path) == before
    assert os.listdir(tmp_path) == [name]  # no temporary file left behind


def test_edit_file_value_the_file_cannot_take(ct):
    before = _digest(ct)
    # SS in this file? No: Rows is US everywhere; a negative value fails at assignment
    report = archive.edit_file(str(ct), (Change("Rows", -1),))
    assert report.strategy == "failed" and "out of range" in report.error
    assert _digest(ct) == before


def test_dry_run_writes_nothing_and_describes_the_plan(ct):
    before = _digest(ct)
    report = archive.edit_file(
        str(ct),
        (
            archive.parse_set("PatientName=A^B"),
            archive.parse_delete("PatientWeight"),
            archive.parse_delete("PatientComments"),
        ),
        dry_run=True,
    )
    assert _digest(ct) == before
    assert report.dry_run and report.strategy == "rewrite"  # the lengths change
    # PatientName 22 -> 4 value bytes; PatientWeight DS '0.000000': 8 header + 8 value bytes
    assert report.bytes_written == os.path.getsize(ct) - (22 - 4) - (8 + 8)
    assert report.plan == (
        "(0010,0010) PatientName: 'CompressedSamples^CT1' -> 'A^B'",
        "(0010,1030) PatientWeight: '0.000000' -> deleted",
        "(0010,4000) PatientComments: absent -> (stays absent)",
    )
    same = archive.edit_file(str(ct), (archive.parse_set("PatientID=1CT2"),), dry_run=True)
    assert (same.strategy, same.bytes_written) == ("in-place", 4)
    assert same.as_dict()["plan"] == ["(0010,0020) PatientID: '1CT1' -> '1CT2'"]


def test_edit_tasks_over_a_pool(tmp_path):
    paths = []
    for k in range(6):
        path = tmp_path / f"f{k}.dcm"
        shutil.copyfile(test_file("CT_small.dcm"), path)
        paths.append(str(path))
    (tmp_path / "bad.dcm").write_bytes(b"\0" * 200)
    jobs = [(p, None) for p in paths] + [(str(tmp_path / "bad.dcm"), None)]
    task = archive.EditTask((archive.parse_set("PatientID=P2"),))
    reports = list(archive.map_files(task, jobs, jobs=2, chunk_size=2))
    assert [r.path for r in reports] == [j[0] for j in jobs]
    assert [r.strategy for r in reports] == ["in-place"] * 6 + ["failed"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert {str(pydicom.dcmread(p).PatientID) for p in paths} == {"P2"}

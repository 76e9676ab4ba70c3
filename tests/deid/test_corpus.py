"""De-identification of real files: outputs pass ``dcmdump`` (no complaint the input did not
already raise), pixel data bytes are copied unchanged, UIDs stay consistent across the files of
one study."""

from __future__ import annotations

import subprocess

import pytest
from _corpus import require_corpus, require_dcmdump

import lazydcm
from lazydcm.deid import Profile, deidentify_file, uid_for
from lazydcm.deid.files import DeidTask

KEY = b"corpus-key"
FILES = [
    "pydicom-3.0.2/test_files/MR_small.dcm",
    "pydicom-3.0.2/test_files/MR_small_implicit.dcm",
    "pydicom-3.0.2/test_files/MR_small_bigendian.dcm",
    "pydicom-3.0.2/test_files/MR_small_RLE.dcm",
    "pydicom-3.0.2/test_files/MR_small_jp2klossless.dcm",
    "pydicom-3.0.2/test_files/CT_small.dcm",
    "pydicom-3.0.2/test_files/rtplan.dcm",
    "pydicom-3.0.2/test_files/rtdose_rle.dcm",
    "cornerstone3D/CTImage.dcm",
    "fo-dicom/charset/chrSQEncoding1.dcm",
    "fo-dicom/charset/chrJapMulti.dcm",
    "dcm4che/YBR_FULL-RLE.dcm",
]


def _complaints(path) -> set[str]:
    run = subprocess.run(
        [require_dcmdump(), str(path)], capture_output=True, text=True, encoding="latin-1"
    )
    assert run.returncode == 0, run.stderr
    return {
        line for line in (run.stdout + run.stderr).splitlines() if line.startswith(("W:", "E:"))
    }


def _pixel_bytes(path) -> bytes | None:
    with lazydcm.dcmread(path) as ds:
        elem = ds.get(0x7FE00010)
        if elem is None:
            return None
        rec = elem.record
    with open(path, "rb") as fh:
        raw = fh.read()
    return raw[rec.value_offset : rec.end]


@pytest.mark.parametrize("name", FILES)
def test_outputs_pass_dcmdump_and_keep_pixels(name, tmp_path):
    src = require_corpus() / name
    out = tmp_path / "out.dcm"
    result = deidentify_file(src, out, Profile(), KEY, fsync=False)
    assert result.ok, result.error
    assert _complaints(out) <= _complaints(src)
    assert _pixel_bytes(out) == _pixel_bytes(src)
    with lazydcm.dcmread(src) as before, lazydcm.dcmread(out) as ds:
        assert ds.PatientIdentityRemoved == "YES"
        assert not [tag for tag in ds.tags() if tag.group & 1]
        original = before.file_meta.MediaStorageSOPInstanceUID
        assert ds.file_meta.MediaStorageSOPInstanceUID == uid_for(original, KEY)


def test_uids_consistent_across_the_files_of_one_study(tmp_path):
    corpus = require_corpus()
    variants = [n for n in FILES if "/MR_small" in n]
    seen = []
    for number, name in enumerate(variants):
        out = tmp_path / f"{number}.dcm"
        assert deidentify_file(corpus / name, out, Profile(), KEY, fsync=False).ok
        with lazydcm.dcmread(corpus / name) as before, lazydcm.dcmread(out) as after:
            for keyword in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"):
                assert after.get(keyword) == uid_for(before.get(keyword), KEY)
            seen.append((after.StudyInstanceUID, after.SeriesInstanceUID, after.SOPInstanceUID))
    # the same image in five transfer syntaxes: one study, one series, one instance
    assert len(set(seen)) == 1


def test_rtplan_references_inside_sequences_stay_consistent(tmp_path):
    corpus = require_corpus()
    src = corpus / "pydicom-3.0.2/test_files/rtplan.dcm"
    out = tmp_path / "rtplan.dcm"
    result = deidentify_file(src, out, Profile(), KEY, fsync=False)
    mapping = dict(result.report.uids)
    with lazydcm.dcmread(src) as before, lazydcm.dcmread(out) as after:
        ref_before = before.ReferencedStructureSetSequence[0].ReferencedSOPInstanceUID
        ref_after = after.ReferencedStructureSetSequence[0].ReferencedSOPInstanceUID
        assert ref_after == mapping[ref_before] == uid_for(ref_before, KEY)
        assert after.RTPlanLabel == before.RTPlanLabel or "RTPlanLabel" in result.report.replaced


def test_a_dicomdir_is_refused_not_left_with_stale_offsets(tmp_path):
    # its records point at each other by byte offset (PS3.3 F.3.2.2): re-encoded UIDs moved
    # them, and the copy kept the old offsets (pydicom's FileSet then failed with KeyError)
    src = require_corpus() / "pydicom-3.0.2/test_files/dicomdirtests/DICOMDIR"
    out = tmp_path / "DICOMDIR"
    with pytest.raises(ValueError, match="DICOMDIR"):
        deidentify_file(src, out, Profile(), KEY, fsync=False)
    assert not out.exists()
    failed = DeidTask(Profile(), KEY, fsync=False)((str(src), str(out)))
    assert not failed.ok and "DICOMDIR" in failed.error

"""``lazydcm dump`` through a real subprocess: text and JSON forms, --tags, bad files, exit codes,
and that pixel data is never read."""

from __future__ import annotations

import json
import struct
import warnings

import pydicom
import pytest
from _clirun import run, run_python
from _corpus import corpus_file, test_file

import lazydcm
from lazydcm._cli.inspect import dump_json, dump_text
from lazydcm.json import read_file_bulk_data

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydicom")


def test_dump_prints_the_dump_form():
    path = test_file("rtplan.dcm")
    result = run("dump", path)
    assert result.returncode == 0, result.stderr
    with lazydcm.dcmread(path) as ds:
        assert result.stdout == str(ds) + "\n"
    assert (
        "(0010,0010) Patient's Name                      PN: 'Last^First^mid^pre'" in result.stdout
    )
    assert "(300A,00B0)  Beam Sequence  1 item(s) ----" in result.stdout
    assert result.stderr == ""


def test_dump_pixel_data_is_summarised():
    result = run("dump", test_file("CT_small.dcm"))
    assert result.returncode == 0
    line = [ln for ln in result.stdout.splitlines() if ln.startswith("(7FE0,0010)")]
    assert line == ["(7FE0,0010) Pixel Data                          OW: <32768 bytes>"]


def test_dump_tags_in_the_order_given():
    result = run(
        "dump",
        "--tags",
        "PatientID,(0010,0010),00280010,TransferSyntaxUID,PatientWeight,FractionGroupSequence",
        test_file("rtplan.dcm"),
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "(0010,0020) Patient ID                          LO: 'id00001'"
    assert lines[1].startswith("(0010,0010) Patient's Name")
    assert lines[2].startswith("(0002,0010) Transfer Syntax UID")  # meta group elements too
    assert lines[3] == "(300A,0070)  Fraction Group Sequence  1 item(s) ----"
    assert lines[4].startswith("   (300A,0071) Fraction Group Number")
    assert not any("Rows" in ln or "Weight" in ln for ln in lines)  # absent: skipped


def test_dump_bad_tag_name_is_a_usage_error():
    result = run("dump", "--tags", "PatientName,NoSuchThing", test_file("rtplan.dcm"))
    assert result.returncode == 2
    assert "NoSuchThing" in result.stderr and result.stdout == ""


def test_dump_several_files_with_bad_ones_mixed_in(tmp_path):
    missing = tmp_path / "missing.dcm"
    result = run(
        "dump",
        test_file("README.txt"),
        test_file("CT_small.dcm"),
        test_file("rtplan_truncated.dcm"),
        missing,
        test_file("rtplan.dcm"),
    )
    assert result.returncode == 1
    # the good files are dumped, each under a header
    assert f"==> {test_file('CT_small.dcm')} <==" in result.stdout
    assert f"==> {test_file('rtplan.dcm')} <==" in result.stdout
    assert "Last^First^mid^pre" in result.stdout and "CompressedSamples^CT1" in result.stdout
    errors = result.stderr.splitlines()
    # file, offset and tag on stderr
    assert f"lazydcm dump: {test_file('README.txt')}: NotDicomError: at offset 0x80: " in errors[0]
    truncated = [e for e in errors if "rtplan_truncated" in e]
    assert truncated == [
        f"lazydcm dump: {test_file('rtplan_truncated.dcm')}: "
        "TruncatedDicomError: element (300A,00B0) at offset 0x582: value "
        "length 976 runs past end of file (size 2129)"
    ]
    assert any(str(missing) in e and "No such file" in e for e in errors)
    # what could be read of the truncated file is still shown
    assert f"==> {test_file('rtplan_truncated.dcm')} <==" in result.stdout


def test_dump_force_reads_a_raw_dataset():
    path = test_file("rtstruct.dcm")  # no preamble / DICM
    assert run("dump", path).returncode == 1
    result = run("dump", "--force", "--tags", "Modality", path)
    assert result.returncode == 0, result.stderr
    assert "RTSTRUCT" in result.stdout


def test_dump_json_is_the_dicom_json_model():
    path = test_file("CT_small.dcm")
    result = run("dump", "--json", path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert list(obj) == sorted(obj)
    assert obj["00100010"] == {"vr": "PN", "Value": [{"Alphabetic": "CompressedSamples^CT1"}]}
    assert obj["00280010"] == {"vr": "US", "Value": [128]}
    assert "00020010" not in obj  # the meta group is not part of the dataset
    ref = pydicom.dcmread(path)
    assert read_file_bulk_data(obj["7FE00010"]["BulkDataURI"]) == ref.PixelData
    # pydicom's reader of the JSON model agrees on a few values
    back = pydicom.Dataset.from_json(lines[0], bulk_data_uri_handler=read_file_bulk_data)
    assert back.PatientName == ref.PatientName and back.Rows == ref.Rows
    assert list(back.ImagePositionPatient) == list(ref.ImagePositionPatient)


def test_dump_json_tags_threshold_and_indent():
    path = test_file("CT_small.dcm")
    result = run("dump", "--json", "--tags", "PatientName,Rows,00091001", "--indent", "2", path)
    assert result.returncode == 0
    obj = json.loads(result.stdout)
    assert sorted(obj) == ["00091001", "00100010", "00280010"]
    assert result.stdout.startswith("{\n  ")
    small = run("dump", "--json", "--bulk-data-threshold", "100000", path)
    big = json.loads(small.stdout)
    assert "BulkDataURI" in big["7FE00010"]  # pixel data: always a URI


def test_dump_json_one_line_per_file_and_deflated_values_inlined():
    deflated = corpus_file(
        "cornerstone3D/"
        "CTImage.dcm_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm"
    )
    result = run("dump", "--json", test_file("rtplan.dcm"), deflated)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["300A00B0"]["vr"] == "SQ"
    assert "InlineBinary" in second["7FE00010"]  # no offsets into a deflated file


def test_dump_never_decodes_pixel_data_in_process():
    with lazydcm.dcmread(test_file("CT_small.dcm")) as ds:
        text = dump_text(ds)
        obj = json.loads(dump_json(ds, None, 1024, None))
        assert not ds["PixelData"].is_decoded
    assert "<32768 bytes>" in text and "BulkDataURI" in obj["7FE00010"]


def _sparse_gib_file(path) -> None:
    """A file whose 1 GiB of pixel data is a hole: reading it would fault in a GiB."""
    ds = lazydcm.Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = "2.25.1"
    ds.PatientName = "Sparse^File"
    ds.Rows, ds.Columns, ds.NumberOfFrames = 16384, 16384, 2
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.SamplesPerPixel, ds.PixelRepresentation = 1, 0
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.save_as(path)
    size = 2 * 16384 * 16384 * 2
    with open(path, "ab") as fh:
        # (7FE0,0010) OW, 2 reserved bytes, 32-bit length (PS3.5 7.1.2)
        fh.write(struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OW", 0, size))
        fh.truncate(fh.tell() + size)


def test_dump_of_a_huge_file_does_not_touch_its_pixel_data(tmp_path):
    path = tmp_path / "sparse.dcm"
    _sparse_gib_file(path)
    code = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run([sys.executable, '-m', 'lazydcm', *sys.argv[1:]],"
        " capture_output=True, text=True)\n"
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "print(r.stdout)\n"
    )
    for args in (("dump", path), ("dump", "--json", path)):
        result = run_python(code, *args)
        status, max_rss_kib = map(int, result.stdout.split("\n", 1)[0].split())
        assert status == 0, result.stdout
        assert max_rss_kib < 300 * 1024  # a GiB read would show here
        assert "Sparse^File" in result.stdout


def test_dump_output_matches_str_for_every_small_corpus_file():
    """The command adds nothing to the library's dump form (first 20 readable files)."""
    root = corpus_file("pydicom-3.0.2/test_files")
    paths = sorted(p for p in root.glob("*.dcm") if p.stat().st_size < 200_000)[:20]
    result = run("dump", *paths)
    chunks = result.stdout.split("==> ")[1:]
    shown = {
        chunk.split(" <==", 1)[0]: chunk.split(" <==\n", 1)[1].rstrip("\n") for chunk in chunks
    }
    for path in paths:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ds = lazydcm.dcmread(path)
        except lazydcm.InvalidDicomError:
            assert str(path) in result.stderr
            continue
        with ds:
            assert shown[str(path)] == str(ds), path

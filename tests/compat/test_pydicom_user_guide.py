"""pydicom's documented user-guide examples, run with ``pydicom`` replaced by ``lazydcm``.

Each example is the pattern a page of pydicom's documentation shows (tutorial "Dataset basics",
the introduction, "Working with Data Elements", "Writing DICOM files" of the 1.x guide,
"Private data elements", "Pixel Data", "Introduction to JSON support", the API reference
pages), rewritten by us for the sample files in ``data/`` and checking its documented result.
The code names the library ``pydicom``; the runner substitutes the library under test, which
is exactly the user's change of import. Every example runs on pydicom 3 as well, so the results
compared are the documented ones, not lazydcm's.

Run as a script to count how many pass for a given library (the measurement in the report)::

    PYTHONPATH=. python tests/compat/test_pydicom_user_guide.py [lazydcm|pydicom]
"""

from __future__ import annotations

import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data"

EXAMPLES: dict[str, str] = {
    # -- Dataset basics tutorial / introduction ------------------------------------------------
    "read_path": """
        from pydicom import dcmread
        ds = dcmread(DATA / "rtplan.dcm")
        assert ds.PatientName == "Doe^Jane^Q^Dr"
    """,
    "read_file_like": """
        from pydicom import dcmread
        with open(DATA / "rtplan.dcm", "rb") as infile:
            ds = dcmread(infile)
            assert ds.Modality == "RTPLAN"
    """,
    "read_context_manager": """
        from pydicom import dcmread
        from pydicom.dataset import FileDataset
        with dcmread(DATA / "ct_slice.dcm") as ds:
            assert isinstance(ds, FileDataset)
    """,
    "dir_filter": """
        import pydicom
        ds = pydicom.dcmread(DATA / "rtplan.dcm")
        assert ds.dir("setup") == ["PatientSetupSequence"]
    """,
    "edit_sequence_item_and_save": """
        import pydicom
        ds = pydicom.dcmread(DATA / "rtplan.dcm")
        ds.PatientSetupSequence[0].PatientPosition = "HFP"
        ds.save_as(TMP / "rtplan2.dcm")
        assert pydicom.dcmread(TMP / "rtplan2.dcm").PatientSetupSequence[0].PatientPosition == "HFP"
    """,
    "print_dataset": """
        import pydicom
        ds = pydicom.dcmread(DATA / "ct_slice.dcm")
        text = str(ds)
        assert "Patient's Name" in text and "(0010,0010)" in text.replace(", ", ",")
    """,
    "access_by_tag": """
        import pydicom
        ds = pydicom.dcmread(DATA / "ct_slice.dcm")
        assert ds[0x10, 0x10].value == ds[0x00100010].value == ds["PatientName"].value
    """,
    "element_attributes": """
        import pydicom
        ds = pydicom.dcmread(DATA / "ct_slice.dcm")
        elem = ds["PatientName"]
        assert (elem.keyword, elem.name, elem.VR, elem.tag) == (
            "PatientName", "Patient's Name", "PN", 0x00100010)
    """,
    "membership": """
        import pydicom
        ds = pydicom.dcmread(DATA / "ct_slice.dcm")
        assert "PatientName" in ds and 0x00100010 in ds and (0x0010, 0x0010) in ds
        assert "PatientWeight" not in ds
    """,
    "delete_elements": """
        import pydicom
        ds = pydicom.dcmread(DATA / "ct_slice.dcm")
        del ds.PatientName
        del ds[0x00100020]
        assert "PatientName" not in ds and "PatientID" not in ds
    """,
    "add_new_with_list_tag": """
        import pydicom
        ds = pydicom.dcmread(DATA / "ct_slice.dcm")
        ds.add_new([0x0010, 0x1010], "AS", "035Y")
        assert ds.PatientAge == "035Y"
    """,
    "add_data_element": """
        from pydicom.dataset import Dataset
        from pydicom.dataelem import DataElement
        ds = Dataset()
        ds.add(DataElement(0x00100010, "PN", "CITIZEN^Joan"))
        assert ds.PatientName == "CITIZEN^Joan"
    """,
    "set_and_save": """
        import pydicom
        ds = pydicom.dcmread(DATA / "ct_slice.dcm")
        ds.PatientName = "Citizen^Jan"
        ds.save_as(TMP / "modified.dcm")
        assert pydicom.dcmread(TMP / "modified.dcm").PatientName == "Citizen^Jan"
    """,
    "transfer_syntax_uid": """
        import pydicom
        from pydicom.uid import ExplicitVRLittleEndian
        ds = pydicom.dcmread(DATA / "ct_slice.dcm")
        tsyntax = ds.file_meta.TransferSyntaxUID
        assert tsyntax == ExplicitVRLittleEndian and tsyntax.name == "Explicit VR Little Endian"
        assert tsyntax.is_little_endian and not tsyntax.is_implicit_VR
    """,
    # -- Pixel Data -----------------------------------------------------------------------------
    "pixel_array": """
        import pydicom
        ds = pydicom.dcmread(DATA / "ct_slice.dcm")
        arr = ds.pixel_array
        assert arr.shape == (ds.Rows, ds.Columns) and str(arr.dtype) == "int16"
    """,
    "modify_pixels_and_save": """
        import pydicom
        ds = pydicom.dcmread(DATA / "ct_slice.dcm")
        arr = ds.pixel_array.copy()
        arr[arr < 300] = 0
        ds.PixelData = arr.tobytes()
        ds.save_as(TMP / "thresholded.dcm")
        assert (pydicom.dcmread(TMP / "thresholded.dcm").pixel_array == arr).all()
    """,
    "modality_and_voi_lut": """
        import pydicom
        from pydicom.pixels import apply_modality_lut, apply_voi_lut
        ds = pydicom.dcmread(DATA / "ct_slice.dcm")
        hu = apply_modality_lut(ds.pixel_array, ds)
        assert hu.min() >= -1024
        out = apply_voi_lut(hu, ds, index=0)
        assert out.shape == hu.shape
    """,
    "pixel_array_function": """
        from pydicom.pixels import pixel_array, iter_pixels
        arr = pixel_array(DATA / "multiframe.dcm", index=3)
        assert arr.shape == (64, 64)
        assert sum(1 for _ in iter_pixels(DATA / "multiframe.dcm")) == 8
    """,
    # -- Writing DICOM files (1.x guide) and dcmwrite (3.x) ------------------------------------
    "write_from_scratch_1x": """
        from pydicom.dataset import FileDataset, FileMetaDataset
        from pydicom.uid import UID, ImplicitVRLittleEndian
        import pydicom
        file_meta = FileMetaDataset()
        file_meta.MediaStorageSOPClassUID = UID("1.2.840.10008.5.1.4.1.1.2")
        file_meta.MediaStorageSOPInstanceUID = UID("1.2.3")
        file_meta.ImplementationClassUID = UID("1.2.3.4")
        file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
        ds = FileDataset(str(TMP / "scratch.dcm"), {}, file_meta=file_meta, preamble=b"\\0" * 128)
        ds.PatientName = "Test^Firstname"
        ds.PatientID = "123456"
        ds.is_little_endian = True
        ds.is_implicit_VR = True
        ds.save_as(TMP / "scratch.dcm")
        back = pydicom.dcmread(TMP / "scratch.dcm")
        assert back.PatientName == "Test^Firstname" and back.file_meta.TransferSyntaxUID == ImplicitVRLittleEndian
    """,
    "write_like_original_false": """
        import pydicom
        from pydicom.dataset import Dataset
        ds = Dataset()
        ds.PatientName = "A^B"
        ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
        ds.SOPInstanceUID = "1.2.3.4"
        ds.ensure_file_meta()
        ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
        ds.is_little_endian = True
        ds.is_implicit_VR = False
        ds.save_as(TMP / "conformant.dcm", write_like_original=False)
        raw = (TMP / "conformant.dcm").read_bytes()
        assert raw[128:132] == b"DICM"
    """,
    "dcmwrite_enforce_file_format": """
        from pydicom import dcmread, dcmwrite
        from pydicom.dataset import Dataset
        ds = Dataset()
        ds.PatientName = "A^B"
        ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
        ds.SOPInstanceUID = "1.2.3.4"
        ds.ensure_file_meta()
        ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
        dcmwrite(TMP / "enforced.dcm", ds, enforce_file_format=True, implicit_vr=False, little_endian=True)
        assert dcmread(TMP / "enforced.dcm").file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1"
    """,
    "ensure_file_meta": """
        from pydicom.dataset import Dataset
        ds = Dataset()
        assert not hasattr(ds, "file_meta")
        ds.ensure_file_meta()
        assert len(ds.file_meta) == 0
    """,
    # -- Sequences --------------------------------------------------------------------------------
    "build_sequence": """
        from pydicom.dataset import Dataset
        from pydicom.sequence import Sequence
        item = Dataset()
        item.ReferencedSOPInstanceUID = "1.2.3"
        ds = Dataset()
        ds.ReferencedImageSequence = Sequence([item])
        assert ds.ReferencedImageSequence[0].ReferencedSOPInstanceUID == "1.2.3"
    """,
    "iterate_sequence": """
        import pydicom
        ds = pydicom.dcmread(DATA / "rtplan.dcm")
        names = [beam.BeamName for beam in ds.BeamSequence]
        assert names == ["Field 1", "Field 2"]
    """,
    # -- Anonymize example: walk + private tags ---------------------------------------------------
    "walk_anonymize": """
        import pydicom
        ds = pydicom.dcmread(DATA / "rtplan.dcm")
        def person_names_callback(dataset, data_element):
            if data_element.VR == "PN":
                data_element.value = "anonymous"
        ds.walk(person_names_callback)
        ds.remove_private_tags()
        assert ds.PatientName == "anonymous"
    """,
    "private_block": """
        from pydicom.dataset import Dataset
        ds = Dataset()
        block = ds.private_block(0x000B, "My company 001", create=True)
        block.add_new(0x01, "SH", "my value")
        assert ds[0x000B1001].value == "my value"
        assert ds.get_private_item(0x000B, 0x01, "My company 001").value == "my value"
    """,
    # -- JSON -------------------------------------------------------------------------------------
    "json_round_trip": """
        import pydicom
        from pydicom.dataset import Dataset
        ds = pydicom.dcmread(DATA / "rtplan.dcm")
        back = Dataset.from_json(ds.to_json())
        assert back.PatientName == ds.PatientName and len(back.BeamSequence) == 2
    """,
    "json_dict": """
        import pydicom
        ds = pydicom.dcmread(DATA / "ct_slice.dcm")
        obj = ds.to_json_dict()
        assert obj["00100010"]["vr"] == "PN"
    """,
    # -- Reference pages: Tag, UID, reading options ------------------------------------------------
    "tag_comparisons": """
        from pydicom.tag import Tag
        t = Tag(0x0010, 0x0010)
        assert t == (0x10, 0x10) and t == Tag("PatientName") and t < (0x10, 0x20)
        assert Tag("0x00100010") == t and Tag([0x10, 0x10]) == t
    """,
    "generate_uid": """
        from pydicom.uid import generate_uid
        uid = generate_uid()
        assert uid.is_valid and uid != generate_uid()
        assert generate_uid(entropy_srcs=["a"]) == generate_uid(entropy_srcs=["a"])
    """,
    "specific_tags": """
        import pydicom
        ds = pydicom.dcmread(DATA / "ct_slice.dcm", specific_tags=["PatientName"])
        assert ds.PatientName and "Rows" not in ds
    """,
    "stop_before_pixels": """
        import pydicom
        ds = pydicom.dcmread(DATA / "ct_slice.dcm", stop_before_pixels=True)
        assert "PixelData" not in ds and ds.Rows == 64
    """,
}


def run_example(lib: str, name: str, tmp: Path) -> None:
    """Run example ``name`` with ``pydicom`` replaced by ``lib`` (raises when it fails)."""
    code = textwrap.dedent(EXAMPLES[name]).replace("pydicom", lib)
    exec(compile(code, f"<example {name}>", "exec"), {"DATA": DATA, "TMP": tmp})  # noqa: S102


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_runs_on_lazydcm(name, tmp_path):
    run_example("lazydcm", name, tmp_path)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_runs_on_pydicom(name, tmp_path):
    # The documented results hold for pydicom too: the examples check documented behaviour.
    run_example("pydicom", name, tmp_path)


def test_there_are_32_examples():
    assert len(EXAMPLES) == 32


if __name__ == "__main__":
    lib = sys.argv[1] if len(sys.argv) > 1 else "lazydcm"
    failed = []
    for example in sorted(EXAMPLES):
        with tempfile.TemporaryDirectory() as tmp:
            try:
                run_example(lib, example, Path(tmp))
            except Exception as exc:  # noqa: BLE001 - the count is the point
                failed.append(f"{example}: {type(exc).__name__}: {exc}"[:160])
    print(f"{lib}: {len(EXAMPLES) - len(failed)} of {len(EXAMPLES)} examples run")
    for line in failed:
        print("  FAIL", line)

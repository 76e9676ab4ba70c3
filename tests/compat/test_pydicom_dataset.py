"""pydicom API page "pydicom.dataset.Dataset" through ``lazydcm.dataset``: tab completion,
slicing, dict methods, group/private helpers, traversal, formatted output, JSON, file meta,
raw element updates and the codec features that raise; differential against pydicom 3."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest

import lazydcm
from lazydcm.dataelem import DataElement
from lazydcm.dataset import Dataset, FileMetaDataset, validate_file_meta

DATA = Path(__file__).resolve().parents[2] / "data"
CT = DATA / "ct_slice.dcm"
PLAN = DATA / "rtplan.dcm"


def both(path):
    return lazydcm.dcmread(path), pydicom.dcmread(path)


def test_dir_lists_element_keywords_for_tab_completion():
    ours, theirs = both(CT)
    keywords = set(ours.dir())
    assert keywords <= set(dir(ours))
    assert {"save_as", "pixel_array"} <= set(dir(ours))
    assert keywords == set(theirs.dir())


@pytest.mark.parametrize(
    "key",
    [
        slice(0x00080000, 0x00100000),
        slice(0x00100010, None),
        slice(None, 0x00080020),
        slice((0x0010, 0x0000), (0x0020, 0x0000)),
        slice(0x00280000, 0x00290000, 2),
    ],
)
def test_slicing_gives_the_elements_pydicom_gives(key):
    ours, theirs = both(CT)
    part = ours[key]
    assert isinstance(part, Dataset)
    assert [int(t) for t in part.tags()] == [int(e.tag) for e in theirs[key]]


def test_slice_shares_elements_and_values():
    ds = lazydcm.dcmread(CT)
    part = ds[0x00100000:0x00110000]
    assert part.PatientName == ds.PatientName
    assert part["PatientName"] is ds["PatientName"]


def test_clear_popitem_setdefault():
    ds = lazydcm.dcmread(CT)
    last = ds.keys()[-1]
    tag, elem = ds.popitem()
    assert tag == last and elem.tag == last and last not in ds
    got = ds.setdefault("PatientWeight", "70")
    assert got.VR == "DS" and float(ds.PatientWeight) == 70.0
    assert ds.setdefault("PatientWeight", "99") is got
    elem = ds.setdefault(0x00101020, DataElement(0x00101020, "DS", "1.8"))
    assert float(elem.value) == 1.8
    ds.clear()
    assert len(ds) == 0
    with pytest.raises(KeyError):
        ds.popitem()


def test_group_dataset_matches_pydicom():
    ours, theirs = both(CT)
    assert [int(t) for t in ours.group_dataset(0x0028).tags()] == [
        int(e.tag) for e in theirs.group_dataset(0x0028)
    ]


def test_private_helpers_match_pydicom():
    for lib in (lazydcm, pydicom):
        ds = lib.Dataset()
        ds.add_new_private("ACME 1.0", 0x0009, 0x02, "hello", "LO")
        block = ds.private_block(0x0009, "ACME 1.0")
        assert block.get_tag(0x02) == 0x00091002
        assert ds.get_private_item(0x0009, 0x02, "ACME 1.0").value == "hello"
        assert ds[0x00090010].value == "ACME 1.0"
    with pytest.raises(KeyError):
        lazydcm.Dataset().get_private_item(0x0009, 0x02, "NOBODY")


def test_elements_top_iterall_walk():
    ds = lazydcm.dcmread(PLAN)
    assert [e.tag for e in ds.elements()] == ds.keys()
    top = ds.top()
    assert "Beam Sequence" in top and "Field 1" not in top
    theirs = pydicom.dcmread(PLAN)
    assert [int(e.tag) for e in ds.iterall()] == [int(e.tag) for e in theirs.iterall()]
    seen = []
    ds.walk(lambda d, e: seen.append(int(e.tag)))
    assert seen == [int(e.tag) for e in theirs.iterall()]


def test_formatted_lines_with_element_format_matches_pydicom():
    fmt = "%(tag)s %(keyword)s %(VR)s %(VM)s"
    seq_fmt = "%(tag)s %(keyword)s %(VR)s"
    ours, theirs = both(PLAN)
    a = list(ours.formatted_lines(fmt, seq_fmt, "  "))
    b = list(theirs.formatted_lines(fmt, seq_fmt, "  "))
    norm = [line.replace(", ", ",") for line in b]
    assert a == norm


def test_formatted_lines_old_indent_form_still_works():
    ds = lazydcm.dcmread(PLAN)
    lines = list(ds.formatted_lines(1))
    assert lines and all(line.startswith("   ") for line in lines)


def test_json_methods_round_trip_and_match_pydicom():
    ours, theirs = both(CT)
    a = ours.to_json_dict(bulk_data_threshold=10**9)
    b = theirs.to_json_dict(bulk_data_threshold=10**9)
    assert a.keys() == b.keys()
    assert a["00100010"] == b["00100010"]
    back = Dataset.from_json(ours.to_json(bulk_data_threshold=10**9))
    assert back.PatientName == ours.PatientName and back.Rows == ours.Rows
    assert Dataset.from_json(a).StudyInstanceUID == ours.StudyInstanceUID


def test_from_json_bulk_data_handler_with_pydicom_three_argument_form():
    obj = {
        "00091010": {"vr": "OB", "BulkDataURI": "http://x/1"},
        "00090010": {"vr": "LO", "Value": ["C"]},
    }
    calls = []

    def handler(tag, vr, uri):
        calls.append((tag, vr, uri))
        return b"\x01\x02"

    ds = Dataset.from_json(obj, handler)
    assert calls == [("00091010", "OB", "http://x/1")] and ds[0x00091010].value == b"\x01\x02"


def test_to_json_dump_handler():
    ds = Dataset()
    ds.PatientName = "A^B"
    assert ds.to_json(dump_handler=lambda d: "keys:" + ",".join(d)) == "keys:00100010"


def test_update_raw_element_changes_vr_and_value_before_decoding():
    ds = lazydcm.dcmread(CT)
    ds.update_raw_element("PatientID", vr="UN")
    assert ds["PatientID"].VR == "UN" and isinstance(ds.PatientID, bytes)
    ds.update_raw_element(0x00100010, value=b"New^Name")
    assert ds.PatientName == "New^Name"
    with pytest.raises(ValueError, match="already decoded"):
        ds.update_raw_element(0x00100010, vr="LO")
    with pytest.raises(ValueError):
        ds.update_raw_element(0x00080060)
    with pytest.raises(KeyError):
        ds.update_raw_element(0x00091010, vr="LO")


def test_contains_accepts_tuples_and_lists():
    ds = lazydcm.dcmread(CT)
    assert (0x10, 0x10) in ds and [0x10, 0x10] in ds and (0x10, 0x9999) not in ds


def test_file_meta_is_absent_until_set_and_can_be_deleted():
    for lib in (lazydcm, pydicom):
        ds = lib.Dataset()
        assert not hasattr(ds, "file_meta")
        ds.file_meta = lib.Dataset()
        assert type(ds.file_meta).__name__ == "FileMetaDataset"
        del ds.file_meta
        assert not hasattr(ds, "file_meta")


def test_ensure_and_validate_file_meta():
    ds = Dataset()
    ds.ensure_file_meta()
    with pytest.raises(AttributeError, match="TransferSyntaxUID"):
        ds.validate_file_meta()
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.3"
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
    ds.validate_file_meta()
    assert ds.file_meta.FileMetaInformationVersion == b"\x00\x01"
    assert ds.file_meta.ImplementationClassUID


def test_file_meta_dataset_holds_group_2_only():
    meta = FileMetaDataset()
    meta.TransferSyntaxUID = "1.2.840.10008.1.2"
    with pytest.raises(ValueError, match="group 0002"):
        meta.PatientName = "A"
    plain = Dataset()
    plain.PatientName = "A"
    with pytest.raises(ValueError, match="group 0002"):
        validate_file_meta(plain)


def test_add_new_private_without_a_vr_takes_the_private_dictionary():
    # pydicom's documented behaviour: the VR comes from the private dictionary (PS3.5 7.8.1)
    ours, theirs = lazydcm.Dataset(), pydicom.Dataset()
    for ds in (ours, theirs):
        ds.add_new_private("SIEMENS CSA HEADER", 0x0029, 0x08, "IMAGE NUM 4")
    assert ours[0x00291008].VR == theirs[0x00291008].VR == "CS"
    assert ours[0x00291008].value == theirs[0x00291008].value
    ours.add_new_private("NO SUCH CREATOR", 0x0029, 0x08, b"\1\2")
    assert ours[0x00291108].VR == "UN"

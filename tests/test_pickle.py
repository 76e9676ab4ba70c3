"""Pickle and copy: file-backed datasets travel as handles, everything else by value
(lazydcm.model._pickle)."""

from __future__ import annotations

import copy
import hashlib
import io
import multiprocessing
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
from _corpus import require_corpus, test_file

import lazydcm
from lazydcm import DataElement, Dataset, Sequence, Tag
from lazydcm.errors import SourceChangedError
from lazydcm.model.filedataset import ReadOptions
from lazydcm.model.filemeta import FileMetaDataset
from lazydcm.model.save import to_bytes
from lazydcm.model.uid import UID

FILES = [
    "rtplan.dcm",  # sequences
    "CT_small.dcm",
    "MR_small_bigendian.dcm",
    "MR_small_implicit.dcm",
    "MR_small_RLE.dcm",
    "rtdose.dcm",  # multi-frame
    "test-SR.dcm",  # nested sequences
    "nested_priv_SQ.dcm",  # private sequences, implicit VR
]
DEFLATED = "cornerstone3D/CTImage.dcm_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm"


def _copy_to(tmp_path, name: str) -> str:
    src = test_file(name) if "/" not in name else require_corpus() / name
    dst = tmp_path / os.path.basename(name)
    shutil.copyfile(src, dst)
    return str(dst)


def _roundtrip(obj):
    return pickle.loads(pickle.dumps(obj))


def _pending(ds) -> bool:
    return "_travel_pending" in ds.__dict__


def _flat(ds):
    """Every (tag path, VR, value) of ds depth first, pixel data as bytes (for comparison)."""
    out = []
    for elem in ds:
        if elem.VR == "SQ":
            out.append((int(elem.tag), "SQ", len(elem.value)))
            for k, item in enumerate(elem.value):
                out.extend((int(elem.tag), k, *row) for row in _flat(item))
        else:
            value = elem.value
            out.append(
                (
                    int(elem.tag),
                    elem.VR,
                    bytes(value) if isinstance(value, (bytes, bytearray, memoryview)) else value,
                )
            )
    return out


# -- handles -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*FILES, DEFLATED])
def test_file_dataset_travels_as_handle_with_equal_values(tmp_path, name):
    path = _copy_to(tmp_path, name)
    ds = lazydcm.dcmread(path)
    blob = pickle.dumps(ds)
    assert len(blob) < 2048  # a handle: never the file's bytes
    back = pickle.loads(blob)
    assert _pending(back) and back.filename == path
    assert _flat(back) == _flat(ds)
    assert back.file_meta == ds.file_meta
    assert back.preamble == ds.preamble
    assert to_bytes(back) == to_bytes(ds)
    if "PixelData" in ds and name != "nested_priv_SQ.dcm":
        np.testing.assert_array_equal(back.pixel_array, ds.pixel_array)


def test_unpickling_opens_nothing_until_first_use(tmp_path):
    path = _copy_to(tmp_path, "CT_small.dcm")
    blob = pickle.dumps(lazydcm.dcmread(path))
    os.rename(path, path + ".away")
    back = pickle.loads(blob)  # the file is not there: unpickling must not look
    assert _pending(back)
    assert back.filename == path
    again = pickle.loads(pickle.dumps(back))  # re-pickling a pending dataset stays lazy
    assert _pending(again)
    with pytest.raises(FileNotFoundError):
        back.PatientName  # noqa: B018
    assert _pending(back)  # a failed reopen leaves it pending, to fail again
    os.rename(path + ".away", path)
    assert str(back.PatientName) == str(lazydcm.dcmread(path).PatientName)
    assert not _pending(back)
    assert str(again.PatientID) == str(back.PatientID)


def test_what_is_set_before_first_use_is_kept(tmp_path):
    path = _copy_to(tmp_path, "CT_small.dcm")
    blob = pickle.dumps(lazydcm.dcmread(path))
    back = pickle.loads(blob)
    meta = FileMetaDataset()  # a plain Dataset would be converted, as in pydicom
    meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
    back.file_meta = meta  # before the reopening
    back.note = "mine"
    assert back.PatientName == lazydcm.dcmread(path).PatientName
    assert back.file_meta is meta and back.note == "mine"
    other = pickle.loads(blob)
    other.PatientName = "Set^First"  # an edit is a first use: reopens, then edits
    assert str(other.PatientName) == "Set^First" and other.is_dirty()


def test_read_options_travel(tmp_path):
    path = _copy_to(tmp_path, "CT_small.dcm")
    ds = lazydcm.dcmread(path, stop_before_pixels=True, specific_tags=["PatientName", "Rows"])
    back = _roundtrip(ds)
    assert back._options == ReadOptions(
        stop_before_pixels=True, specific_tags=(0x00100010, 0x00280010)
    )
    assert [int(t) for t in back.tags()] == [int(t) for t in ds.tags()]
    assert "PixelData" not in back and "PatientID" not in back


def test_overlay_travels_top_level_nested_and_in_place(tmp_path):
    path = _copy_to(tmp_path, "rtplan.dcm")
    ds = lazydcm.dcmread(path)
    ds.PatientName = "Travel^Test"  # set
    ds.add_new(0x00204000, "LT", "added")  # added
    del ds.PatientID  # deleted
    ds.BeamSequence[0].BeamName = "nested edit"  # inside an item of an untouched sequence
    del ds.BeamSequence[0].InstitutionName
    ds.BeamSequence[0].ControlPointSequence[1].GantryAngle = "12"  # deeper, item 1
    ds.FractionGroupSequence[0].ReferencedBeamSequence[0].BeamMeterset = "12.5"  # two levels
    ds.DoseReferenceSequence[0].DoseReferencePointCoordinates[0] = 1.0  # MultiValue in place
    ds.PatientSetupSequence.append(Dataset())  # structural change: carried whole
    ds.PatientSetupSequence[-1].PatientPosition = "HFS"
    expected = to_bytes(ds)
    back = _roundtrip(ds)
    assert _pending(back)
    assert to_bytes(back) == expected
    assert str(back.PatientName) == "Travel^Test"
    assert "PatientID" not in back
    assert back.BeamSequence[0].BeamName == "nested edit"
    assert "InstitutionName" not in back.BeamSequence[0]
    assert float(back.BeamSequence[0].ControlPointSequence[1].GantryAngle) == 12
    assert float(back.DoseReferenceSequence[0].DoseReferencePointCoordinates[0]) == 1.0
    assert len(back.PatientSetupSequence) == len(ds.PatientSetupSequence)
    # the reopened dataset keeps tracking edits like any other
    back.BeamSequence[0].BeamName = "again"
    assert back.is_dirty() and back.BeamSequence[0].BeamName == "again"


def test_edited_file_meta_travels(tmp_path):
    path = _copy_to(tmp_path, "CT_small.dcm")
    ds = lazydcm.dcmread(path)
    ds.file_meta.ImplementationVersionName = "TRAVEL"
    back = _roundtrip(ds)
    assert back.file_meta.ImplementationVersionName == "TRAVEL"
    assert to_bytes(back) == to_bytes(ds)


def test_edits_after_pickling_do_not_reach_the_pickle(tmp_path):
    path = _copy_to(tmp_path, "rtplan.dcm")
    ds = lazydcm.dcmread(path)
    ds.BeamSequence[0].BeamName = "before"
    blob = pickle.dumps(ds)
    ds.BeamSequence[0].BeamName = "after"
    assert pickle.loads(blob).BeamSequence[0].BeamName == "before"


# -- changed files ------------------------------------------------------------------------


def test_changed_size_fails_loudly_before_reading(tmp_path):
    path = _copy_to(tmp_path, "CT_small.dcm")
    blob = pickle.dumps(lazydcm.dcmread(path))
    with open(path, "r+b") as fh:
        fh.truncate(300)  # not even a valid file any more: the check comes before the scan
    back = pickle.loads(blob)
    with pytest.raises(SourceChangedError, match=r"CT_small\.dcm.*size"):
        back.PatientName  # noqa: B018
    with pytest.raises(SourceChangedError):
        back.file_meta  # noqa: B018


def test_changed_mtime_same_size_fails_loudly(tmp_path):
    path = _copy_to(tmp_path, "CT_small.dcm")
    ds = lazydcm.dcmread(path)
    blob = pickle.dumps(ds)
    st = os.stat(path)
    data = bytearray(Path(path).read_bytes())
    data[-1] ^= 0xFF  # other bytes, same size
    with open(path, "wb") as fh:
        fh.write(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    with pytest.raises(SourceChangedError, match="version"):
        pickle.loads(blob).Rows  # noqa: B018


def test_file_replaced_by_save_as_is_a_changed_file(tmp_path):
    path = _copy_to(tmp_path, "CT_small.dcm")
    ds = lazydcm.dcmread(path)
    blob = pickle.dumps(ds)
    ds.PatientName = "Longer^Name^Than Before"
    ds.save_as(path)
    with pytest.raises(SourceChangedError):
        pickle.loads(blob).PatientName  # noqa: B018


# -- by value -----------------------------------------------------------------------------


def test_dataset_built_in_code_pickles_by_value():
    ds = Dataset()
    ds.PatientName = "Code^Built"
    ds.Rows = 4
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    item = Dataset()
    item.CodeValue = "123"
    ds.ConceptNameCodeSequence = Sequence([item])
    ds.file_meta = Dataset()
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.1"
    back = _roundtrip(ds)
    assert type(back) is Dataset
    assert back == ds
    assert back.file_meta == ds.file_meta
    assert back.ConceptNameCodeSequence[0].CodeValue == "123"
    assert to_bytes(back, enforce_file_format=False) == to_bytes(ds, enforce_file_format=False)
    back.ConceptNameCodeSequence[0].CodeValue = "456"
    assert ds.ConceptNameCodeSequence[0].CodeValue == "123"


@pytest.mark.parametrize("how", ["bytes", "bytesio"])
def test_dataset_without_locator_pickles_its_bytes(how):
    raw = test_file("rtplan.dcm").read_bytes()
    ds = lazydcm.dcmread(raw if how == "bytes" else io.BytesIO(raw))
    ds.BeamSequence[0].BeamName = "edited"
    back = _roundtrip(ds)
    assert back.filename is None
    assert _flat(back) == _flat(ds)
    assert to_bytes(back) == to_bytes(ds)


def test_item_pickled_alone_is_by_value(tmp_path):
    ds = lazydcm.dcmread(_copy_to(tmp_path, "rtplan.dcm"))
    item = ds.BeamSequence[0]
    back = _roundtrip(item)
    assert back == item and back.index is None
    seq = _roundtrip(ds.BeamSequence)
    assert isinstance(seq, Sequence) and seq == ds.BeamSequence


def test_elements_values_tags_uids_options_pickle(tmp_path):
    ds = lazydcm.dcmread(_copy_to(tmp_path, "rtplan.dcm")).decode()
    seen_types = set()
    for elem in ds.iterall():
        back = _roundtrip(elem)
        assert back == elem and back.VR == elem.VR and back.tag == elem.tag
        if elem.VR != "SQ":
            assert _roundtrip(elem.value) == elem.value
            seen_types.add(type(elem.value).__name__)
    assert {"PersonName", "DA", "DS", "IS", "UID", "MultiValue", "str"} <= seen_types
    for obj in (
        Tag(0x00100010),
        UID("1.2.840.10008.1.2"),
        ReadOptions(force=True, specific_tags=["Rows"]),
    ):
        back = _roundtrip(obj)
        assert back == obj and type(back) is type(obj)
    assert _roundtrip(UID("1.2.840.10008.1.2")).name == UID("1.2.840.10008.1.2").name != ""
    built = Dataset()
    built.AcquisitionDateTime = "20240102030405.123456"
    built.AcquisitionTime = "101112.5"
    built.PatientAge = "042Y"
    built.SliceThickness = 1.25
    built.PixelSpacing = ["0.5", "0.5"]
    built.private_block(0x0009, "TRAVEL", create=True).add_new(0x10, "UN", b"\x01\x02")
    built.add_new(0x00280009, "AT", [0x00180050, 0x00200013])
    built.add_new(0x00181310, "US", [1, 2, 3, 4])
    built.add_new(0x00189219, "FD", 2.5)
    for elem in built:
        assert _roundtrip(elem.value) == elem.value
        assert type(_roundtrip(elem.value)) is type(elem.value)
        assert _roundtrip(elem) == elem


# -- copies ------------------------------------------------------------------------------


def test_deepcopy_is_independent_both_ways_in_nested_items(tmp_path):
    ds = lazydcm.dcmread(_copy_to(tmp_path, "rtplan.dcm"))
    ds.BeamSequence[0].BeamName = "original"
    dup = copy.deepcopy(ds)
    assert dup.BeamSequence[0].BeamName == "original"
    dup.BeamSequence[0].BeamName = "copy"
    dup.PatientName = "Copy^Only"
    assert ds.BeamSequence[0].BeamName == "original"
    ds.BeamSequence[0].ControlPointSequence[0].GantryAngle = "33"
    del ds.PatientID
    assert float(dup.BeamSequence[0].ControlPointSequence[0].GantryAngle) != 33
    assert "PatientID" in dup
    assert str(ds.PatientName) != "Copy^Only"
    ds.close()  # the copy has its own mapping
    fresh = lazydcm.dcmread(ds.filename).FractionGroupSequence[0]
    assert dup.FractionGroupSequence[0] == fresh


def test_deepcopy_of_code_built_and_elements(tmp_path):
    ds = Dataset()
    ds.ImageType = ["A", "B"]
    ds.ConceptNameCodeSequence = Sequence([Dataset()])
    dup = copy.deepcopy(ds)
    dup.ImageType.append("C")
    dup.ConceptNameCodeSequence[0].CodeValue = "1"
    assert list(ds.ImageType) == ["A", "B"]
    assert "CodeValue" not in ds.ConceptNameCodeSequence[0]
    elem = DataElement(0x00080008, "CS", ["X", "Y"])
    e2 = copy.deepcopy(elem)
    e2.value.append("Z")
    assert list(elem.value) == ["X", "Y"]


def test_shallow_copy_edits_do_not_leak(tmp_path):
    ds = lazydcm.dcmread(_copy_to(tmp_path, "CT_small.dcm"))
    dup = copy.copy(ds)
    dup.PatientName = "Shallow"
    assert str(ds.PatientName) != "Shallow"
    back = pickle.loads(pickle.dumps(ds))
    assert str(copy.copy(back).PatientName) == str(ds.PatientName)


# -- processes ----------------------------------------------------------------------------

PROCESS_FILES = ["rtplan.dcm", "CT_small.dcm", "MR_small_RLE.dcm", "rtdose.dcm"]


def describe(ds):
    """What a worker sees of a dataset (a module-level function: workers import it)."""
    pending = "_travel_pending" in ds.__dict__
    pixels = None
    if "PixelData" in ds:
        pixels = hashlib.sha1(np.ascontiguousarray(ds.pixel_array).tobytes()).hexdigest()
    return pending, ds.filename, str(ds.SOPInstanceUID), str(ds.get("PatientName", "")), pixels


def edit_in_worker(ds):
    """Edit in the worker and send the dataset back (its handle carries the overlay)."""
    ds.PatientName = "Edited^In^Worker"
    if "BeamSequence" in ds:
        ds.BeamSequence[0].BeamName = "worker"
    return ds


def _datasets(tmp_path):
    out = []
    for name in PROCESS_FILES:
        ds = lazydcm.dcmread(_copy_to(tmp_path, name))
        ds.PatientID = "edited-before-sending"
        out.append(ds)
    return out


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_multiprocessing_pool_maps_over_handles(tmp_path, method):
    datasets = _datasets(tmp_path)
    expected = [describe(ds)[1:] for ds in datasets]
    with multiprocessing.get_context(method).Pool(2) as pool:
        got = pool.map_async(describe, datasets).get(timeout=120)
        back = pool.map_async(edit_in_worker, datasets).get(timeout=120)
    assert [g[0] for g in got] == [True] * len(datasets)  # arrived as handles, unopened
    assert [g[1:] for g in got] == expected
    for original, returned in zip(datasets, back, strict=True):
        assert str(returned.PatientName) == "Edited^In^Worker"
        assert returned.PatientID == "edited-before-sending"
        assert str(original.PatientName) != "Edited^In^Worker"
    assert back[0].BeamSequence[0].BeamName == "worker"


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_multiprocessing_pool_computes_dask_collections(tmp_path, method):
    import dask

    import lazydcm.dask as lazydask

    path = _copy_to(tmp_path, "rtdose_rle.dcm")
    array = lazydask.frames(path, frames_per_chunk=4)
    headers = lazydask.read_headers([_copy_to(tmp_path, n) for n in PROCESS_FILES], ["StudyDate"],
                                    files_per_partition=2)  # fmt: skip
    with multiprocessing.get_context(method).Pool(2) as pool:
        (frames,) = dask.compute(array, scheduler="processes", pool=pool)
        (table,) = dask.compute(headers, scheduler="processes", pool=pool)
    np.testing.assert_array_equal(frames, lazydcm.dcmread(path).pixel_array)
    assert list(table["SOPInstanceUID"]) == [
        str(lazydcm.dcmread(_copy_to(tmp_path, n)).SOPInstanceUID) for n in PROCESS_FILES
    ]

"""Writes never produce invalid files (issue 10, kind 8): every file lazydcm writes after the
edits a pydicom user makes — the syntax changed through ``file_meta``, Pixel Data replaced
across encapsulated/native, the preamble blanked, a group 0002 keyword set — is read without
error by lazydcm, pydicom and ``dcmdump``, or the write raises ``ValueError`` and the target is
untouched (``lazydcm.model.writecheck``)."""

from __future__ import annotations

import hashlib
import shutil
import warnings

import numpy as np
import pydicom
import pytest
from _corpus import assert_dcmdump_clean, test_file

import lazydcm
from lazydcm import DataElement
from lazydcm.model.writecheck import fragment_problem

IMPLICIT = "1.2.840.10008.1.2"
EXPLICIT_LE = "1.2.840.10008.1.2.1"
EXPLICIT_BE = "1.2.840.10008.1.2.2"
RLE = "1.2.840.10008.1.2.5"


def _pydicom(path) -> pydicom.Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(path)
        for elem in ds.iterall():  # decode every value
            _ = elem.value
        return ds


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _valid(path) -> pydicom.Dataset:
    """The written file passes dcmdump, pydicom and lazydcm; returns pydicom's dataset."""
    assert_dcmdump_clean(path)
    with lazydcm.dcmread(path) as back:
        str(back)  # every element decodes
    return _pydicom(path)


def _copy(tmp_path, name: str):
    path = tmp_path / name
    shutil.copyfile(test_file(name), path)
    return path


def _refused(save, target, match: str) -> None:
    """``save()`` raises ValueError matching ``match`` and leaves ``target`` as it was."""
    before = _digest(target) if target.exists() else None
    with pytest.raises(ValueError, match=match):
        save()
    assert (_digest(target) if target.exists() else None) == before
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".lazydcm-tmp")]


# --- the syntax set through file_meta ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "syntax"),
    [
        ("MR_small_implicit.dcm", EXPLICIT_LE),
        ("MR_small_implicit.dcm", EXPLICIT_BE),
        ("CT_small.dcm", IMPLICIT),
        ("MR_small_bigendian.dcm", EXPLICIT_LE),
        ("MR_small.dcm", "1.2.840.10008.1.2.1.99"),  # deflated
    ],
)
def test_syntax_set_in_file_meta_reencodes(name, syntax, tmp_path):
    src = _copy(tmp_path, name)
    ref = _pydicom(src)
    ds = lazydcm.dcmread(src)
    ds.file_meta.TransferSyntaxUID = syntax
    out = tmp_path / "out.dcm"
    ds.save_as(out)
    ds.close()
    back = _valid(out)
    assert back.file_meta.TransferSyntaxUID == syntax
    assert back.is_implicit_VR == (syntax == IMPLICIT)
    assert back.PatientName == ref.PatientName and back.Rows == ref.Rows
    assert np.array_equal(back.pixel_array, ref.pixel_array)
    with lazydcm.dcmread(out) as again:
        assert again.transfer_syntax_uid == syntax
        assert np.array_equal(again.pixel_array, ref.pixel_array)


def test_syntax_set_with_edit_goes_to_file_meta(tmp_path):
    path = _copy(tmp_path, "MR_small_implicit.dcm")
    ref = _pydicom(path)
    report = lazydcm.edit(path, {"TransferSyntaxUID": EXPLICIT_LE, "PatientID": "X1"})
    assert report.strategy == "rewrite"
    back = _valid(path)
    assert back.file_meta.TransferSyntaxUID == EXPLICIT_LE and not back.is_implicit_VR
    assert 0x00020010 not in back  # not in the dataset body
    assert back.PatientID == "X1"
    assert np.array_equal(back.pixel_array, ref.pixel_array)
    # only the meta changes: still a rewrite, not "unchanged"
    assert lazydcm.edit(path, {"TransferSyntaxUID": IMPLICIT}).strategy == "rewrite"
    assert _valid(path).is_implicit_VR


# --- group 0002 keywords on the dataset --------------------------------------------------------


@pytest.mark.parametrize("key", ["TransferSyntaxUID", 0x00020010, "ImplementationVersionName"])
def test_group_2_element_on_the_dataset_is_refused(key, tmp_path):
    src = _copy(tmp_path, "CT_small.dcm")
    ds = lazydcm.dcmread(src)
    ds[key] = EXPLICIT_LE if key != "ImplementationVersionName" else "X"
    _refused(lambda: ds.save_as(src), src, r"group 0002.*ds\.file_meta")
    fresh = tmp_path / "new.dcm"
    _refused(lambda: ds.save_as(fresh), fresh, "group 0002")
    del ds[key]  # taken back: saves fine
    ds.save_as(fresh)
    ds.close()
    _valid(fresh)


def test_group_2_element_in_a_sequence_item_is_refused(tmp_path):
    src = _copy(tmp_path, "rtplan.dcm")
    ds = lazydcm.dcmread(src)
    ds.BeamSequence[0].ControlPointSequence[1].TransferSyntaxUID = EXPLICIT_LE
    _refused(lambda: ds.save_as(src), src, r"\(0002,0010\) was set in a sequence item")
    del ds.BeamSequence[0].ControlPointSequence[1].TransferSyntaxUID
    item = lazydcm.Dataset()
    item.ImplementationVersionName = "X"  # in a new item of a new sequence
    ds.ReferencedStudySequence = lazydcm.Sequence([item])
    _refused(lambda: ds.save_as(src), src, r"\(0002,0013\) was set in a sequence item")
    del ds.ReferencedStudySequence
    ds.save_as(src)
    ds.close()
    _valid(src)


def test_file_meta_with_a_dataset_element_is_refused(tmp_path):
    src = _copy(tmp_path, "CT_small.dcm")
    ds = lazydcm.dcmread(src)
    with pytest.raises(ValueError, match=r"\(0010,0020\)"):  # FileMetaDataset refuses it
        ds.file_meta.PatientID = "in the wrong place"
    ds.file_meta._edits[0x00100020] = DataElement(0x00100020, "LO", "in the wrong place")
    _refused(lambda: ds.save_as(src), src, r"file_meta holds element \(0010,0020\)")
    ds.close()


# --- Pixel Data replaced across encapsulated and native ----------------------------------------


@pytest.mark.parametrize("syntax", [EXPLICIT_LE, EXPLICIT_BE, IMPLICIT])
def test_manual_decompress_rle_to_native(syntax, tmp_path):
    src = _copy(tmp_path, "MR_small_RLE.dcm")
    pixels = _pydicom(src).pixel_array
    assert pixels.dtype.itemsize == 2  # 16 bits allocated
    ds = lazydcm.dcmread(src)
    ds.file_meta.TransferSyntaxUID = syntax
    out = tmp_path / "out.dcm"
    # the syntax alone, with RLE fragments untouched, is refused (save_as(transfer_syntax=)
    # or decompress() transcode them)
    _refused(lambda: ds.save_as(out), out, "still encoded as read")
    ds.PixelData = pixels.tobytes()
    ds.save_as(out)
    ds.close()
    back = _valid(out)
    assert back.file_meta.TransferSyntaxUID == syntax
    if syntax != IMPLICIT:
        assert back["PixelData"].VR == "OW"  # PS3.5 A.2/A.3: more than 8 bits allocated
    assert np.array_equal(back.pixel_array, pixels)
    with lazydcm.dcmread(out) as again:
        assert not again["PixelData"].record.undefined_length
        assert np.array_equal(again.pixel_array, pixels)


def test_manual_compress_native_to_rle(tmp_path):
    rle = _pydicom(test_file("MR_small_RLE.dcm"))
    fragments = bytes(rle.PixelData)  # items, without the sequence delimiter
    assert fragment_problem(fragments) is None
    src = _copy(tmp_path, "MR_small.dcm")
    ds = lazydcm.dcmread(src)
    ds.file_meta.TransferSyntaxUID = RLE
    out = tmp_path / "out.dcm"
    ds.save_as(out)  # untouched native pixel data under RLE: encoded frame by frame
    compressed = _valid(out)
    assert compressed.file_meta.TransferSyntaxUID == RLE
    assert np.array_equal(compressed.pixel_array, rle.pixel_array)
    out.unlink()
    ds.PixelData = b"\1\2" * 4096  # native bytes assigned under an encapsulated syntax
    _refused(lambda: ds.save_as(out), out, "not a sequence of items")
    ds.PixelData = fragments
    ds.save_as(out)
    ds.close()
    back = _valid(out)
    assert back.file_meta.TransferSyntaxUID == RLE
    assert np.array_equal(back.pixel_array, rle.pixel_array)


def test_encapsulated_bytes_in_a_native_syntax_are_refused(tmp_path):
    fragments = bytes(_pydicom(test_file("MR_small_RLE.dcm")).PixelData)
    src = _copy(tmp_path, "MR_small.dcm")
    ds = lazydcm.dcmread(src)
    ds.PixelData = fragments
    _refused(lambda: ds.save_as(src), src, "looks like encapsulated items")
    ds.close()


def test_compressed_pixel_data_is_not_written_in_another_compressed_syntax(tmp_path):
    src = _copy(tmp_path, "MR_small_RLE.dcm")
    ds = lazydcm.dcmread(src)
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.70"  # JPEG lossless
    out = tmp_path / "out.dcm"
    _refused(lambda: ds.save_as(out), out, "still encoded as read")
    ds.close()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty"),
        (b"\xfe\xff\x00\xe0\x00\x00\x00\x00", None),
        (b"\xfe\xff\x00\xe0\x00\x00\x00\x00\xfe\xff\x00\xe0\x02\x00\x00\x00ab", None),
        (b"\xfe\xff\x00\xe0\x04\x00\x00\x00ab", "past the end"),
        # a trailing Sequence Delimitation Item is accepted (the writer writes exactly one);
        # anywhere else, or with a length, it is not an item
        (b"\xfe\xff\x00\xe0\x00\x00\x00\x00\xfe\xff\xdd\xe0\x00\x00\x00\x00", None),
        (b"\xfe\xff\xdd\xe0\x00\x00\x00\x00\xfe\xff\x00\xe0\x00\x00\x00\x00", "(FFFE,E0DD)"),
        (b"\xfe\xff\x00\xe0\x00\x00\x00\x00\xfe\xff\xdd\xe0\x02\x00\x00\x00ab", "(FFFE,E0DD)"),
        (b"\xfe\xff\x00\xe0\x00\x00\x00\x00abc", "3 stray bytes at offset 8"),
        (b"\x10\x00\x10\x00\x00\x00\x00\x00", "(0010,0010)"),
        (np.zeros(8, np.uint8), "ndarray"),
    ],
)
def test_fragment_problem(data, problem):
    found = fragment_problem(data)
    if problem is None:
        assert found is None
    else:
        assert problem in found


# --- the preamble --------------------------------------------------------------------------------


def test_preamble_set_by_the_user_is_written(tmp_path):
    src = _copy(tmp_path, "CT_small.dcm")
    ds = lazydcm.dcmread(src)
    ds.preamble = b"TIFF" + b"\x07" * 124  # a dual-personality preamble
    ds.save_as(src)
    ds.close()
    assert src.read_bytes()[:128] == b"TIFF" + b"\x07" * 124
    ds = lazydcm.dcmread(src)
    ds.preamble = b"\0" * 128  # an anonymiser blanks it
    out = tmp_path / "blank.dcm"
    ds.save_as(out)
    assert out.read_bytes()[:132] == b"\0" * 128 + b"DICM"
    assert out.read_bytes()[128:] == src.read_bytes()[128:]  # the rest is copied
    ds.preamble = None  # None: 128 zero bytes, as for a dataset built in code
    ds.save_as(tmp_path / "none.dcm")
    assert (tmp_path / "none.dcm").read_bytes() == out.read_bytes()
    ds.close()
    _valid(out)


@pytest.mark.parametrize("bad", [b"\0" * 127, b"\0" * 132, b""])
def test_preamble_of_the_wrong_length_is_refused(bad, tmp_path):
    src = _copy(tmp_path, "CT_small.dcm")
    ds = lazydcm.dcmread(src)
    ds.preamble = bad
    _refused(lambda: ds.save_as(src), src, "128 bytes")
    ds.close()


def test_preamble_added_to_a_file_read_without_one(tmp_path):
    raw = tmp_path / "raw.dcm"
    with lazydcm.dcmread(test_file("CT_small.dcm")) as ds:
        body = ds.file_source.buffer[ds.dataset_offset :].tobytes()
    raw.write_bytes(body)  # a bare implicit/explicit dataset, no preamble, no meta
    ds = lazydcm.dcmread(raw, force=True)
    assert ds.preamble is None
    ds.preamble = b"\x01" * 128
    out = tmp_path / "out.dcm"
    ds.save_as(out)
    ds.close()
    assert out.read_bytes()[:132] == b"\x01" * 128 + b"DICM"
    _valid(out)

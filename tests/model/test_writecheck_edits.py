"""Writes that would be invalid are refused before their first byte (issue 10, kind 8):
image attributes changed under native Pixel Data copied as stored, and a Specific Character
Set changed under text copied as stored. Files built here from bytes; the written ones are read
back by lazydcm, pydicom and dcmdump."""

from __future__ import annotations

import warnings

import pydicom
import pytest
from _build import el, item, part10
from _corpus import assert_dcmdump_clean

import lazydcm
from lazydcm.model.edit import apply_changes, same_length_patches

_NAME = b"M\xfcller^J\xf6rg "  # ISO 8859-1 (ISO_IR 100)


def _image(charset: bytes = b"ISO_IR 100", nested: bool = False) -> bytes:
    text = el(0x00100010, b"PN", _NAME)
    body = (
        el(0x00080005, b"CS", charset)
        + el(0x00080016, b"UI", b"1.2.840.10008.5.1.4.1.1.7\0")
        + el(0x00080018, b"UI", b"1.2.3.4\0")
        + (el(0x00081115, b"SQ", item(el(0x00081030, b"LO", _NAME))) if nested else text)
        + el(0x00280002, b"US", b"\1\0")
        + el(0x00280004, b"CS", b"MONOCHROME2 ")
        + el(0x00280010, b"US", b"\2\0")
        + el(0x00280011, b"US", b"\2\0")
        + el(0x00280100, b"US", b"\x10\0")
        + el(0x00280101, b"US", b"\x10\0")
        + el(0x00280102, b"US", b"\x0f\0")
        + el(0x00280103, b"US", b"\0\0")
        + el(0x7FE00010, b"OW", bytes(range(8)))
    )
    return part10(body)


def _read_back(path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ref = pydicom.dcmread(path)
        _ = ref.pixel_array
        mine = lazydcm.dcmread(path)
        assert mine.pixel_array.tolist() == ref.pixel_array.tolist()
    assert_dcmdump_clean(path)


@pytest.mark.parametrize(
    "edit",
    [
        {"Rows": 3},
        {"Columns": 1},
        {"BitsAllocated": 8, "BitsStored": 8, "HighBit": 7},  # fewer bytes needed: also refused
        {"BitsAllocated": 32},
        {"SamplesPerPixel": 3, "PhotometricInterpretation": "RGB", "PlanarConfiguration": 0},
        {"NumberOfFrames": 2},
    ],
)
@pytest.mark.parametrize("syntax", [None, "1.2.840.10008.1.2", "1.2.840.10008.1.2.2"])
def test_image_attributes_that_no_longer_fit_the_stored_pixels_are_refused(edit, syntax, tmp_path):
    src = tmp_path / "src.dcm"
    src.write_bytes(_image())
    ds = lazydcm.dcmread(src)
    for key, value in edit.items():
        setattr(ds, key, value)
    if syntax is not None:
        ds.file_meta.TransferSyntaxUID = syntax
    with pytest.raises(ValueError, match=r"copied as stored, but \(0028,"):
        ds.save_as(tmp_path / "out.dcm")
    assert not (tmp_path / "out.dcm").exists()


def test_image_attributes_changed_with_fitting_pixels_are_written(tmp_path):
    src = tmp_path / "src.dcm"
    src.write_bytes(_image())
    ds = lazydcm.dcmread(src)
    ds.Rows, ds.Columns = 1, 4  # same number of pixels: the stored bytes still fit
    ds.save_as(tmp_path / "out.dcm")
    _read_back(tmp_path / "out.dcm")
    assert lazydcm.dcmread(tmp_path / "out.dcm").pixel_array.shape == (1, 4)


@pytest.mark.parametrize("nested", [False, True])
@pytest.mark.parametrize("syntax", [None, "1.2.840.10008.1.2"])
def test_charset_changed_under_copied_text_is_refused(nested, syntax, tmp_path):
    src = tmp_path / "src.dcm"
    src.write_bytes(_image(nested=nested))
    ds = lazydcm.dcmread(src)
    _ = str(ds)  # values decoded (cached) but not assigned: still copied as stored
    ds.SpecificCharacterSet = "ISO_IR 192"
    if syntax is not None:
        ds.file_meta.TransferSyntaxUID = syntax
    with pytest.raises(ValueError, match=r"Specific Character Set \(0008,0005\) changed"):
        ds.save_as(tmp_path / "out.dcm")
    assert not (tmp_path / "out.dcm").exists()


def test_charset_changed_with_the_text_assigned_again_is_written(tmp_path):
    src = tmp_path / "src.dcm"
    src.write_bytes(_image())
    ds = lazydcm.dcmread(src)
    name = str(ds.PatientName)
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.PatientName = name
    ds.save_as(tmp_path / "out.dcm")
    _read_back(tmp_path / "out.dcm")
    assert str(pydicom.dcmread(tmp_path / "out.dcm").PatientName) == "Müller^Jörg"
    assert str(lazydcm.dcmread(tmp_path / "out.dcm").PatientName) == "Müller^Jörg"


def test_charset_changed_over_ascii_text_is_written(tmp_path):
    src = tmp_path / "src.dcm"
    src.write_bytes(_image().replace(_NAME, b"Doe^Jane^Al ", 1))  # same length, ASCII
    ds = lazydcm.dcmread(src)
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.save_as(tmp_path / "out.dcm")
    _read_back(tmp_path / "out.dcm")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"Rows": 3}, r"copied as stored, but \(0028,0010\)"),
        ({"SpecificCharacterSet": "ISO_IR 192"}, r"Specific Character Set \(0008,0005\)"),
    ],
)
def test_same_length_edit_in_place_passes_the_write_check(changes, message, tmp_path):
    # both edits fit the old value lengths, so lazydcm.edit would patch the bytes in place
    src = tmp_path / "src.dcm"
    data = _image()
    src.write_bytes(data)
    with pytest.raises(ValueError, match=message):
        lazydcm.edit(src, changes)
    assert src.read_bytes() == data
    report = lazydcm.edit(src, {"PatientName": "Muller^Jorg"})  # a fitting edit is still patched
    assert report.strategy == "in-place"


def _two_texts(gap: int) -> bytes:
    # Patient's Name, then Patient ID after ``gap`` bytes of a private OB value
    return part10(
        el(0x00100010, b"PN", b"Doe^Jane")
        + el(0x00100020, b"LO", b"ID000001")
        + el(0x00110010, b"LO", b"ACME 1.0")
        + el(0x00111001, b"OB", bytes(gap))
        + el(0x00200010, b"SH", b"STUDY001")
    )


def test_several_edits_in_one_page_are_one_patch(tmp_path):
    path = tmp_path / "a.dcm"
    path.write_bytes(_two_texts(64))
    ds = lazydcm.dcmread(path)
    apply_changes(ds, {"PatientName": "Roe^John", "StudyID": "STUDY002"})
    patches = same_length_patches(ds)
    assert patches is not None and len(patches) == 1  # one pwrite: old or new file on a kill
    ds.close()
    report = lazydcm.edit(path, {"PatientName": "Roe^John", "StudyID": "STUDY002"})
    assert report.strategy == "in-place"
    again = lazydcm.dcmread(path)
    assert (str(again.PatientName), again.StudyID, again.PatientID) == (
        "Roe^John",
        "STUDY002",
        "ID000001",
    )


def test_edits_in_two_pages_are_a_rewrite(tmp_path):
    path = tmp_path / "a.dcm"
    path.write_bytes(_two_texts(8192))  # Study ID two pages after Patient's Name
    report = lazydcm.edit(path, {"PatientName": "Roe^John", "StudyID": "STUDY002"})
    assert report.strategy == "rewrite"  # atomic rename, never some of the patches
    again = lazydcm.dcmread(path)
    assert (str(again.PatientName), again.StudyID) == ("Roe^John", "STUDY002")
    assert lazydcm.edit(path, {"PatientName": "Doe^Jane"}).strategy == "in-place"


_CUT_BODY = (
    el(0x00080060, b"CS", b"MR")
    + el(0x00100010, b"PN", b"Doe^Jane")
    + el(0x00200013, b"IS", b"7 ")
    + el(0x00204000, b"LT", b"a long comment here ")  # 28 bytes: header 8, value 20
)
_CONTENT = 0x0040A730  # Content Sequence
_ITEM = el(0x0040A040, b"CS", b"TEXT") + el(0x0040A160, b"UT", b"some text here")
_CUT_SEQUENCE = (
    el(0x00080060, b"CS", b"MR")
    + el(0x00100010, b"PN", b"Doe^Jane")
    + el(_CONTENT, b"SQ", item(_ITEM + el(_CONTENT, b"SQ", item(_ITEM))))
)


@pytest.mark.parametrize(("body", "cut", "tag"), [(_CUT_BODY, 5, 0x00204000)] + [
    (_CUT_SEQUENCE, cut, _CONTENT) for cut in (3, 9, 20, 30)
])  # fmt: skip
def test_changed_dataset_of_a_file_cut_in_a_value_is_not_written_cut_short(
    body, cut, tag, tmp_path
):
    data = part10(body)[:-cut]
    (tmp_path / "cut.dcm").write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the truncation warning of the read
        ds = lazydcm.dcmread(tmp_path / "cut.dcm")
        ds.PatientName = "Roe^John"
        with pytest.raises(ValueError, match="cut short"):
            ds.save_as(tmp_path / "out.dcm")
        assert not (tmp_path / "out.dcm").exists()
        with pytest.raises(ValueError, match="cut short"):
            lazydcm.edit(tmp_path / "cut.dcm", {"PatientName": "Roe^Jack"})  # in place too
        assert (tmp_path / "cut.dcm").read_bytes() == data
        del ds[tag]  # without the cut element: written, readable
        ds.save_as(tmp_path / "out.dcm")
        lazydcm.dcmread(tmp_path / "cut.dcm").save_as(tmp_path / "same.dcm")
    assert (tmp_path / "same.dcm").read_bytes() == data  # a no-op save stays byte-identical
    assert_dcmdump_clean(tmp_path / "out.dcm")
    assert str(pydicom.dcmread(tmp_path / "out.dcm").PatientName) == "Roe^John"
    assert tag not in lazydcm.dcmread(tmp_path / "out.dcm")


@pytest.mark.parametrize("cut", [21, 27, 31])
def test_changed_dataset_of_a_file_cut_in_a_header_is_written_without_it(cut, tmp_path):
    (tmp_path / "cut.dcm").write_bytes(part10(_CUT_BODY)[:-cut])  # 1-7 bytes of a header left
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = lazydcm.dcmread(tmp_path / "cut.dcm")
        assert ds.truncation is not None
        ds.PatientName = "Roe^John"
        ds.save_as(tmp_path / "out.dcm")
    assert_dcmdump_clean(tmp_path / "out.dcm")
    again = lazydcm.dcmread(tmp_path / "out.dcm")
    assert again.truncation is None and str(again.PatientName) == "Roe^John"
    assert str(pydicom.dcmread(tmp_path / "out.dcm").PatientName) == "Roe^John"

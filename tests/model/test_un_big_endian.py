"""UN-labelled sequences in an Explicit VR Big Endian file (issue 10, kind 5): items in implicit
VR little endian (PS3.5 6.2.2) and items a writer copied in the file's own explicit VR big
endian are both decoded, as pydicom decodes them; the file is written back as read, and edits
inside such an item are saved readable. Files built here from bytes."""

from __future__ import annotations

import struct
import warnings

import pydicom
import pytest
from _build import meta
from _corpus import assert_dcmdump_clean

import lazydcm

BIG = b"1.2.840.10008.1.2.2\0"
_LONG = {b"OB", b"OW", b"SQ", b"UN", b"UT", b"UC", b"UR"}
SEQ = 0x00081115  # Referenced Series Sequence: SQ in the dictionary


def _be(tag: int, vr: bytes, value: bytes, length: int | None = None) -> bytes:
    n = len(value) if length is None else length
    if vr in _LONG:
        return struct.pack(">HH2sHL", tag >> 16, tag & 0xFFFF, vr, 0, n) + value
    return struct.pack(">HH2sH", tag >> 16, tag & 0xFFFF, vr, n) + value


def _be_item(content: bytes, undefined: bool = False) -> bytes:
    if undefined:
        return (
            struct.pack(">HHL", 0xFFFE, 0xE000, 0xFFFFFFFF)
            + content
            + struct.pack(">HHL", 0xFFFE, 0xE00D, 0)
        )
    return struct.pack(">HHL", 0xFFFE, 0xE000, len(content)) + content


def _le_implicit_item(content: bytes) -> bytes:
    return struct.pack("<HHL", 0xFFFE, 0xE000, len(content)) + content


CT = _be(0x00080060, b"CS", b"CT") + _be(0x00100010, b"PN", b"Nest^Ed ")
IMPLICIT_CT = struct.pack("<HHL", 0x0008, 0x0060, 2) + b"CT"
IMPLICIT_CT += struct.pack("<HHL", 0x0010, 0x0010, 8) + b"Nest^Ed "
CASES = {
    "explicit big endian items": _be(SEQ, b"UN", _be_item(CT) + _be_item(CT)),
    "explicit big endian, undefined items": _be(
        SEQ, b"UN", _be_item(CT, undefined=True) + _be_item(CT, undefined=True)
    ),
    "explicit big endian, nested": _be(
        SEQ, b"UN", _be_item(_be(0x00081199, b"SQ", _be_item(CT)) + CT)
    ),
    "implicit little endian items (PS3.5 6.2.2)": _be(
        SEQ, b"UN", _le_implicit_item(IMPLICIT_CT) * 2
    ),
}


def _file(value: bytes) -> bytes:
    return meta(BIG) + _be(0x00080060, b"CS", b"MR") + value + _be(0x00200010, b"SH", b"S1")


@pytest.mark.parametrize("name", list(CASES))
def test_un_sequence_items_in_a_big_endian_file_are_decoded(name, tmp_path):
    path = tmp_path / "un.dcm"
    path.write_bytes(_file(CASES[name]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = lazydcm.dcmread(path)
        items = ds[SEQ].value
        assert [i.Modality for i in items][:1] == ["CT"]
        assert str(items[0].PatientName) == "Nest^Ed"
        assert "<invalid" not in str(ds)
        assert ds.StudyID == "S1"
    ds.save_as(tmp_path / "same.dcm")  # no-op save: byte-identical
    assert (tmp_path / "same.dcm").read_bytes() == path.read_bytes()


@pytest.mark.parametrize("name", list(CASES))
def test_edit_inside_a_big_endian_un_item_is_saved_readable(name, tmp_path):
    path = tmp_path / "un.dcm"
    path.write_bytes(_file(CASES[name]))
    ds = lazydcm.dcmread(path)
    ds[SEQ].value[0].PatientName = "Changed^Here"
    ds.save_as(tmp_path / "out.dcm")
    again = lazydcm.dcmread(tmp_path / "out.dcm")
    assert str(again[SEQ].value[0].PatientName) == "Changed^Here"
    assert again[SEQ].value[0].Modality == "CT"
    # every item is now implicit VR little endian (PS3.5 6.2.2): the unedited ones too, so the
    # value is one layout. pydicom 3.0.2 reads UN items of a big endian file as big endian and
    # does not decode them, but reads the file; dcmdump shows the UN bytes.
    items = [again[SEQ].value[k] for k in range(len(again[SEQ].value))]
    assert all((i._ctx.implicit_vr, i._ctx.little_endian) == (True, True) for i in items)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        str(pydicom.dcmread(tmp_path / "out.dcm"))
    assert_dcmdump_clean(tmp_path / "out.dcm")

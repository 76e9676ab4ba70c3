"""Issue 10 kind 5: one odd element never breaks ``str(ds)``, ``repr``, iteration, ``walk``,
``iterall`` or ``lazydcm dump`` (text and ``--json``); and UN-labelled sequences whose items
were written in explicit VR (non-conformant, PS3.5 6.2.2, but real) are decoded.

Files are built here with struct/bytes (tests/_build.py).
"""

from __future__ import annotations

import io
import struct
import warnings

import pydicom
import pytest
from _build import BODY, SEQ_DELIM, UNDEFINED, el, item, part10
from _odd_file import GOOD, exercise, spans

import lazydcm
from lazydcm.errors import InvalidDicomError
from lazydcm.json import to_json_dict

CODE = el(0x00080100, b"SH", b"AB") + el(0x00080104, b"LO", b"Code name ")
OTHER = el(0x00080100, b"SH", b"CD")


def _read(data: bytes):
    return lazydcm.dcmread(io.BytesIO(data))


def _un(value: bytes, *, undefined: bool = False) -> bytes:
    """(0040,A730) Content Sequence stored with VR UN (the dictionary says SQ)."""
    if undefined:
        return el(0x0040A730, b"UN", value + SEQ_DELIM, length=UNDEFINED)
    return el(0x0040A730, b"UN", value)


UN_CASES = {
    "defined UN, defined items": _un(item(CODE) + item(OTHER)),
    "defined UN, undefined items": _un(item(CODE, undefined=True) + item(OTHER, undefined=True)),
    "undefined UN, defined items": _un(item(CODE) + item(OTHER), undefined=True),
    "undefined UN, undefined items": _un(
        item(CODE, undefined=True) + item(OTHER, undefined=True), undefined=True
    ),
    "implicit first item, explicit second": _un(
        item(struct.pack("<HHL", 0x0008, 0x0100, 2) + b"AB") + item(OTHER)
    ),
}


@pytest.mark.parametrize("name", list(UN_CASES))
def test_un_sequence_with_explicit_vr_items_is_decoded(name, tmp_path):
    data = part10(BODY + UN_CASES[name])
    ds = _read(data)
    seq = ds.ContentSequence
    assert [str(i.CodeValue) for i in seq] == ["AB", "CD"]
    if "implicit first" not in name:
        assert str(seq[0].CodeMeaning) == "Code name" and seq[0][0x00080104].VR == "LO"
    theirs = pydicom.dcmread(io.BytesIO(data))
    assert [i.CodeValue for i in theirs.ContentSequence] == ["AB", "CD"]
    text = str(ds)
    assert "Content Sequence  2 item(s)" in text and "invalid" not in text
    path = tmp_path / "in.dcm"
    path.write_bytes(data)
    lazydcm.dcmread(path).save_as(tmp_path / "same.dcm")
    assert (tmp_path / "same.dcm").read_bytes() == data


@pytest.mark.parametrize("name", list(UN_CASES))
def test_edit_inside_an_explicit_un_item_saves_a_readable_file(name, tmp_path):
    ds = _read(part10(BODY + UN_CASES[name]))
    ds.ContentSequence[1].CodeValue = "EF"
    out = tmp_path / "out.dcm"
    ds.save_as(out)
    back = lazydcm.dcmread(out)
    assert [str(i.CodeValue) for i in back.ContentSequence] == ["AB", "EF"]
    theirs = pydicom.dcmread(out)
    assert [i.CodeValue for i in theirs.ContentSequence] == ["AB", "EF"]


def test_un_value_that_is_no_sequence_at_all_shows_inline():
    data = part10(BODY + el(0x0040A730, b"UN", b"\x01\x02\x03\x04\x05\x06\x07\x08"))
    ds = _read(data)
    with pytest.raises(InvalidDicomError) as info:
        len(ds.ContentSequence)
    assert info.value.offset == len(data) - 8  # where the item should start
    line = [ln for ln in str(ds).splitlines() if "(0040,A730)" in ln]
    assert len(line) == 1 and "<invalid:" in line[0] and "(0040,A730)" in line[0]


# ------------------------------------------------------------ single corrupted elements
# (the property over random corruptions is tests/property/test_single_element_corruption.py)

GOOD_TEXT = exercise(_read(GOOD))


def _lines_outside(text: str, tag_text: str) -> list[str]:
    """The dump's lines of every element but ``tag_text`` (and its items)."""
    out, skipping = [], False
    for line in text.splitlines():
        if not line.startswith(" "):
            skipping = line.startswith(tag_text)
        if not skipping:
            out.append(line)
    return out


# (element index, offset into it, replacement bytes, what it does)
CORRUPTIONS = [
    (1, 12, b"\x08\x00\x10\x00", "no item tag inside the defined-length SQ"),
    (1, 16, b"\xff\x00\x00\x00", "item length runs past the SQ"),
    (1, 24, b"UI\xf0\x00", "element length runs past its item"),
    (1, 24, b"\x00\x01", "explicit VR bytes that are no VR"),
    (4, 4, b"FD", "US relabelled FD with 2 bytes"),
    (4, 4, b"AT", "US relabelled AT with 2 bytes"),
    (3, 8, b"x.y ", "DS that is no number"),
    (2, 8, b"\xff\xfe\xfd\xfc", "PN bytes no charset decodes"),
]


@pytest.mark.parametrize(("k", "at", "patch", "what"), CORRUPTIONS, ids=[c[3] for c in CORRUPTIONS])
def test_one_corrupt_element_shows_inline_and_the_rest_is_whole(k, at, patch, what):
    start, _ = spans()[k]
    data = bytearray(GOOD)
    data[start + at : start + at + len(patch)] = patch
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = _read(bytes(data))
    text = exercise(ds)
    tag = struct.unpack_from("<HH", GOOD, start)
    tag_text = f"({tag[0]:04X},{tag[1]:04X})"
    assert _lines_outside(text, tag_text) == _lines_outside(GOOD_TEXT, tag_text)
    if "<invalid:" in text:
        bad = [ln for ln in text.splitlines() if "<invalid:" in ln]
        assert all("offset 0x" in ln for ln in bad), bad


def test_to_json_dict_reports_and_writes_the_bad_element_as_un():
    start, _ = spans()[1]
    data = bytearray(GOOD)
    data[start + 12 : start + 16] = b"\x08\x00\x10\x00"
    ds = _read(bytes(data))
    with pytest.raises(InvalidDicomError):
        to_json_dict(ds)
    seen = []
    obj = to_json_dict(ds, on_error=lambda elem, exc: seen.append((int(elem.tag), exc)))
    assert [t for t, _ in seen] == [0x00081115] and seen[0][1].offset is not None
    assert obj["00081115"]["vr"] == "UN" and "InlineBinary" in obj["00081115"]
    assert obj["00100010"]["Value"] == [{"Alphabetic": "Doe^Jane"}]

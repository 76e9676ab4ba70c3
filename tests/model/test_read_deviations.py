"""Issue 10 kind 4: bytes that carry no information, or damage at the very end, cost the user
nothing but a warning (docs/deviations.md); ``ReadOptions`` makes the reading strict.

Every input is built here with struct/bytes (tests/_build.py). Each variant is read with the
default options (a warning naming offset and tag), with ``"ignore"`` (silent, still listed) and
with ``"raise"`` (refused); a no-op save gives the same bytes back; pydicom reads what we read.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import warnings

import pydicom
import pytest
from _build import BODY, IMPLICIT_LE, ITEM_DELIM, SEQ_DELIM, el, iel, item, part10

import lazydcm
from lazydcm.errors import InvalidDicomError, TruncatedDicomError
from lazydcm.model.filedataset import ReadOptions

BASE = part10()
END = len(BASE)  # offset of whatever follows the last element
BASE_TAGS = [0x00080060, 0x00100010, 0x00200013]
SQ_HEAD = el(0x0040A730, b"SQ", b"", length=0xFFFFFFFF)  # (0040,A730) undefined length
CONTENT_ITEM = item(el(0x00080100, b"SH", b"AB"), undefined=True)

IMPLICIT_BASE = part10(
    iel(0x00080060, b"MR") + iel(0x00100010, b"Doe^Jane") + iel(0x00200013, b"7 "), IMPLICIT_LE
)

# name: (bytes, tags read, offset of the deviation, tag it names)
DEVIATIONS = {
    "lone item delimiter at the end": (BASE + ITEM_DELIM, BASE_TAGS, END, 0xFFFEE00D),
    "two lone item delimiters": (BASE + ITEM_DELIM * 2, BASE_TAGS, END, 0xFFFEE00D),
    "item delimiter between elements": (
        part10(BODY[:10] + ITEM_DELIM + BODY[10:]),
        BASE_TAGS,
        END - len(BODY) + 10,
        0xFFFEE00D,
    ),
    "item delimiter after a closed sequence": (
        BASE + SQ_HEAD + CONTENT_ITEM + SEQ_DELIM + ITEM_DELIM,
        [*BASE_TAGS, 0x0040A730],
        END + len(SQ_HEAD + CONTENT_ITEM + SEQ_DELIM),
        0xFFFEE00D,
    ),
    "stray sequence delimiter at the end": (
        BASE + SEQ_DELIM,
        [*BASE_TAGS, 0xFFFEE0DD],
        END,
        0xFFFEE0DD,
    ),
    "lone item delimiter at the end, implicit VR": (
        IMPLICIT_BASE + ITEM_DELIM,
        BASE_TAGS,
        len(IMPLICIT_BASE),
        0xFFFEE00D,
    ),
    "stray empty item at dataset level": (
        BASE + item(b""),
        [*BASE_TAGS, 0xFFFEE000],
        END,
        0xFFFEE000,
    ),
    "NUL padding (3 bytes)": (BASE + bytes(3), BASE_TAGS, END, None),
    "NUL padding (40 bytes)": (BASE + bytes(40), BASE_TAGS, END, None),
}


def _read(data: bytes, **options):
    return lazydcm.dcmread(io.BytesIO(data), options=ReadOptions(**options))


@pytest.mark.parametrize("name", list(DEVIATIONS))
def test_deviation_reads_with_a_warning_naming_offset_and_tag(name):
    data, tags, offset, tag = DEVIATIONS[name]
    with pytest.warns(UserWarning, match=f"offset 0x{offset:X}") as caught:
        ds = _read(data)
    if tag is not None:
        assert f"({tag >> 16:04X},{tag & 0xFFFF:04X})" in str(caught[0].message)
    assert [int(e.tag) for e in ds] == tags
    assert str(ds.PatientName) == "Doe^Jane" and ds.InstanceNumber == 7
    first = ds.deviations[0]
    assert isinstance(first, InvalidDicomError) and (first.offset, first.tag) == (offset, tag)
    str(ds)  # the whole dataset prints


@pytest.mark.parametrize("name", list(DEVIATIONS))
def test_deviation_is_silent_with_ignore_and_refused_with_raise(name):
    data, tags, offset, tag = DEVIATIONS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = _read(data, on_deviation="ignore")
    assert [int(e.tag) for e in ds] == tags and ds.deviations
    with pytest.raises(InvalidDicomError) as info:
        _read(data, on_deviation="raise")
    assert (info.value.offset, info.value.tag) == (offset, tag)


@pytest.mark.parametrize("name", list(DEVIATIONS))
def test_noop_save_keeps_the_stray_bytes(name, tmp_path):
    data = DEVIATIONS[name][0]
    src = tmp_path / "in.dcm"
    src.write_bytes(data)
    with pytest.warns(UserWarning):
        ds = lazydcm.dcmread(src)
    out = tmp_path / "out.dcm"
    ds.save_as(out)
    assert out.read_bytes() == data


@pytest.mark.parametrize("name", list(DEVIATIONS))
def test_edited_save_reads_back(name, tmp_path):
    data, tags, _, _ = DEVIATIONS[name]
    with pytest.warns(UserWarning):
        ds = _read(data)
    ds.PatientName = "Roe^Richard"
    out = tmp_path / "out.dcm"
    ds.save_as(out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        back = lazydcm.dcmread(out)
    assert [int(e.tag) for e in back] == tags and str(back.PatientName) == "Roe^Richard"


def test_conformant_file_has_no_deviation():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = _read(BASE, on_deviation="raise")
    assert ds.deviations == () and ds.truncation is None


@pytest.mark.parametrize("name", [n for n in DEVIATIONS if "stray" not in n])
def test_pydicom_reads_the_same_elements(name):
    # pydicom 3.0.2 refuses a stray Sequence Delimitation Item or Item (docs/deviations.md).
    data, tags, _, _ = DEVIATIONS[name]
    theirs = pydicom.dcmread(io.BytesIO(data))
    with pytest.warns(UserWarning):
        ours = _read(data)
    ours_tags = [t for t in (int(e.tag) for e in ours) if t >> 16 != 0xFFFE]
    # pydicom reads 8 or more NULs as a (0000,0000) element of its own
    theirs_tags = [int(e.tag) for e in theirs if int(e.tag) != 0]
    if "between elements" in name:  # pydicom stops at the delimiter and loses the rest
        assert theirs_tags == ours_tags[:1]
    else:
        assert theirs_tags == ours_tags


# ------------------------------------------------------------------ damage at the very end

PIXEL = el(0x7FE00010, b"OB", b"\1\2\3\4")
ROWS = el(0x00280010, b"US", b"\x10\0")


@pytest.mark.parametrize(
    ("tail", "tail_tag"),
    [(ROWS, 0x00280010), (PIXEL, 0x7FE00010)],  # a short header / a long one (PS3.5 7.1.2)
    ids=["short-header", "long-header"],
)
def test_header_cut_short_at_the_end_warns_and_keeps_the_rest(tail, tail_tag, tmp_path):
    header = 12 if tail is PIXEL else 8
    for cut in range(1, header):
        data = BASE + tail[:cut]
        with pytest.warns(UserWarning, match=f"truncated.*offset 0x{END:X}"):
            ds = _read(data)
        assert [int(e.tag) for e in ds] == BASE_TAGS, cut
        assert isinstance(ds.truncation, TruncatedDicomError)
        assert ds.truncation.offset == END
        assert ds.truncation.tag == (tail_tag if cut >= 4 else None)  # named when read
        with pytest.raises(TruncatedDicomError):
            _read(data, on_truncation="raise")
        src = tmp_path / f"cut{cut}.dcm"
        src.write_bytes(data)
        with pytest.warns(UserWarning):
            again = lazydcm.dcmread(src)
        again.save_as(tmp_path / "out.dcm")
        assert (tmp_path / "out.dcm").read_bytes() == data


def test_file_cut_at_every_offset_reads_or_raises_truncated():
    """Every prefix past the meta group reads what is whole (with a warning) or, with
    on_truncation='raise', raises TruncatedDicomError; never another error."""
    data = BASE + SQ_HEAD + CONTENT_ITEM + CONTENT_ITEM + SEQ_DELIM + PIXEL
    meta_end = len(part10(b""))
    for cut in range(meta_end, len(data) + 1):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ds = _read(data[:cut])
            str(ds)
            for elem in ds:
                if elem.VR != "SQ":
                    continue
                for i in elem.value:  # whole items, then the one cut short
                    str(i)
                    code = i.data_element("CodeValue")
                    rec = None if code is None else code.record
                    if rec is not None and rec.value_offset + rec.length <= cut:
                        assert str(code.value) == "AB", cut
        whole = cut == len(data) or ds.truncation is None
        assert whole or caught, cut
        if not whole:
            with pytest.raises(TruncatedDicomError):
                _read(data[:cut], on_truncation="raise")


def test_sequence_cut_short_gives_its_items_up_to_the_cut():
    two = BASE + SQ_HEAD + CONTENT_ITEM + CONTENT_ITEM
    cut_in_value = len(two) - 8 - 1  # inside the second item's (0008,0100) value
    for data, codes in [
        (two, ["AB", "AB"]),  # no Sequence Delimitation Item
        (two + SEQ_DELIM[:4], ["AB", "AB"]),  # half of it
        (two[:-3], ["AB", "AB"]),  # the second item's delimiter cut
        (two[: -8 - 10 - 8 + 2], ["AB"]),  # only 2 bytes of the second item's header
        (two[:cut_in_value], ["AB", None]),  # the second item's only element cut
    ]:
        with pytest.warns(UserWarning):
            ds = _read(data)
        with pytest.warns(UserWarning, match="cut short"):
            items = list(ds.ContentSequence)
        got = []
        for i in items:
            try:
                got.append(str(i.CodeValue))
            except TruncatedDicomError:
                got.append(None)
        assert got == codes
        with pytest.raises(TruncatedDicomError):
            list(_read(data, on_truncation="raise").ContentSequence)


def test_edited_save_of_a_cut_sequence_writes_it_whole(tmp_path):
    data = BASE + SQ_HEAD + CONTENT_ITEM + CONTENT_ITEM[:-3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = _read(data)
        ds.ContentSequence[0].CodeValue = "CD"
    ds.save_as(tmp_path / "out.dcm")
    back = lazydcm.dcmread(tmp_path / "out.dcm", options=ReadOptions(on_truncation="raise"))
    assert [str(i.CodeValue) for i in back.ContentSequence] == ["CD", "AB"]
    assert [i.CodeValue for i in pydicom.dcmread(tmp_path / "out.dcm").ContentSequence] == [
        "CD",
        "AB",
    ]


def test_nested_deviation_in_an_item_warns_when_the_item_is_read():
    inner = el(0x00080100, b"SH", b"AB") + ITEM_DELIM  # a lone delimiter in a defined item
    data = BASE + el(0x0040A730, b"SQ", item(inner))
    ds = _read(data)
    with pytest.warns(UserWarning, match=r"\(FFFE,E00D\)"):
        assert str(ds.ContentSequence[0].CodeValue) == "AB"
    strict = _read(data, on_deviation="raise")
    with pytest.raises(InvalidDicomError):
        strict.ContentSequence[0]


@pytest.mark.skipif(shutil.which("dcmdump") is None, reason="dcmdump (DCMTK) not installed")
@pytest.mark.parametrize(
    "name", [n for n in DEVIATIONS if "delimiter" in n and "sequence" not in n]
)
def test_dcmtk_reads_the_lone_item_delimiter_files_too(name, tmp_path):
    path = tmp_path / "x.dcm"
    path.write_bytes(DEVIATIONS[name][0])
    run = subprocess.run(["dcmdump", str(path)], capture_output=True, text=True)
    assert run.returncode == 0 and "[MR]" in run.stdout
    # DCMTK, like pydicom, ends the dataset at the delimiter: silently, elements after it lost
    assert ("Doe^Jane" in run.stdout) == ("between" not in name)

"""lazydcm.json: the DICOM JSON Model (PS3.18 F.2), checked by hand-made cases and against pydicom
as an independent reader of the JSON (``pydicom.Dataset.from_json``) and of the files."""

from __future__ import annotations

import base64
import json
import math
import warnings

import numpy
import pydicom
import pytest
from _corpus import CORPUS, catalog, corpus_file, require_corpus, test_file

import lazydcm
from lazydcm import DataElement, Dataset, Sequence
from lazydcm.json import (
    file_bulk_data_uri,
    file_bulk_data_uris,
    from_json,
    from_json_dict,
    read_file_bulk_data,
    to_json,
    to_json_dict,
)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:pydicom")


# -- hand-made datasets -------------------------------------------------------------------------


def _ds(*elements: tuple[int, str, object]) -> Dataset:
    ds = Dataset()
    for tag, vr, value in elements:
        ds.add(DataElement(tag, vr, value))
    return ds


def test_keys_are_sorted_hex_and_group_lengths_are_left_out():
    ds = _ds(
        (0x00100020, "LO", "ID1"),
        (0x00080000, "UL", 10),
        (0x00080060, "CS", "CT"),
        (0x00090010, "LO", "ACME"),
        (0x00091001, "LO", "x"),
    )
    obj = to_json_dict(ds)
    # PS3.18 F.2.2: ordered by key, no (gggg,0000)
    assert list(obj) == ["00080060", "00090010", "00091001", "00100020"]
    assert obj["00080060"] == {"vr": "CS", "Value": ["CT"]}


def test_value_types_per_vr():
    ds = _ds(
        (0x00080008, "CS", ["ORIGINAL", "PRIMARY"]),
        (0x00100010, "PN", "Yamada^Tarou=山田^太郎=やまだ^たろう"),
        (0x00200013, "IS", "7"),
        (0x00280030, "DS", ["0.5", "1.25"]),
        (0x00280010, "US", 512),
        (0x00089459, "FL", 2.5),  # Recommended Display Frame Rate in Float
        (0x00209165, "AT", 0x00100010),  # Dimension Index Pointer
        (0x0040A13A, "DT", "20240101120000"),  # Referenced DateTime
    )
    obj = to_json_dict(ds)
    assert obj["00080008"]["Value"] == ["ORIGINAL", "PRIMARY"]
    assert obj["00100010"]["Value"] == [
        {"Alphabetic": "Yamada^Tarou", "Ideographic": "山田^太郎", "Phonetic": "やまだ^たろう"}
    ]
    assert obj["00200013"]["Value"] == [7] and isinstance(obj["00200013"]["Value"][0], int)
    assert obj["00280030"]["Value"] == [0.5, 1.25]
    assert obj["00280010"]["Value"] == [512]
    assert obj["00089459"]["Value"] == [2.5]
    assert obj["00209165"]["Value"] == ["00100010"]  # F.2.3: AT is 8 upper-case hex digits
    assert obj["0040A13A"] == {"vr": "DT", "Value": ["20240101120000"]}


def test_empty_values_and_empty_items():
    ds = _ds(
        (0x00100010, "PN", ""),
        (0x00280010, "US", None),
        (0x00080008, "CS", ["A", "", "B"]),
        (0x00081140, "SQ", Sequence([Dataset()])),
        (0x00081150, "UI", ""),
        (0x7FE00010, "OB", b""),
    )
    obj = to_json_dict(ds)
    # F.2.5: empty -> no Value; an empty value among others -> null; an empty item -> {}
    assert obj["00100010"] == {"vr": "PN"}
    assert obj["00280010"] == {"vr": "US"}
    assert obj["00081150"] == {"vr": "UI"}
    assert obj["7FE00010"] == {"vr": "OB"}
    assert obj["00080008"]["Value"] == ["A", None, "B"]
    assert obj["00081140"] == {"vr": "SQ", "Value": [{}]}


def test_name_with_empty_alphabetic_group_keeps_only_non_empty_groups():
    obj = to_json_dict(_ds((0x00100010, "PN", "=山田^太郎")))
    assert obj["00100010"]["Value"] == [{"Ideographic": "山田^太郎"}]


def test_non_finite_floats_and_big_64_bit_integers_are_strings():
    ds = _ds(
        (0x00089459, "FL", math.nan),
        (0x0018605A, "FL", [math.inf, -math.inf]),
        (0x00720082, "SV", 2**60),
        (0x00720083, "UV", 5),
    )
    obj = to_json_dict(ds)
    assert obj["00089459"]["Value"] == ["NaN"]
    assert obj["0018605A"]["Value"] == ["Infinity", "-Infinity"]
    assert obj["00720082"]["Value"] == [str(2**60)]  # F.2.3: beyond 2**53 as a string
    assert obj["00720083"]["Value"] == [5]
    text = to_json(ds)  # strict JSON: no NaN literal
    assert "NaN" in text and json.loads(text)["00089459"]["Value"] == ["NaN"]
    back = from_json(text)
    assert math.isnan(back[0x00089459].value)
    assert back[0x0018605A].value == [math.inf, -math.inf]
    assert back[0x00720082].value == 2**60


def test_binary_values_are_inline_base64():
    ds = _ds(
        (0x00090010, "LO", "ACME"),
        (0x00091010, "OB", b"\x01\x02\x03\x04"),
        (0x00283006, "OW", b"\x01\x00\x02\x00"),
    )
    obj = to_json_dict(ds)
    assert obj["00091010"] == {"vr": "OB", "InlineBinary": base64.b64encode(b"\1\2\3\4").decode()}
    assert base64.b64decode(obj["00283006"]["InlineBinary"]) == b"\x01\x00\x02\x00"


def test_round_trip_through_from_json_dict():
    item = _ds((0x00081150, "UI", "1.2.3"), (0x00081155, "UI", "1.2.3.4"))
    ds = _ds(
        (0x00080008, "CS", ["A", "B"]),
        (0x00100010, "PN", "Doe^J=ド^ジ"),
        (0x00280030, "DS", ["0.5", "0.5"]),
        (0x00200013, "IS", 3),
        (0x00081140, "SQ", Sequence([item, Dataset()])),
        (0x00090010, "LO", "ACME"),
        (0x00091010, "OB", b"\0\1"),
        (0x00209165, "AT", [0x00100010, 0x00100020]),
        (0x00100020, "LO", ""),
    )
    back = from_json_dict(to_json_dict(ds))
    assert back == ds


@pytest.mark.parametrize(
    "bad, message",
    [
        ([], "is an object"),
        ({"0010": {"vr": "PN"}}, "eight hex digits"),
        ({"0010001G": {"vr": "PN"}}, "eight hex digits"),
        ({"00100010": {"Value": ["x"]}}, "'vr'"),
        ({"00100010": {"vr": "XX"}}, "unknown VR"),
        ({"00100010": {"vr": "PN", "Value": "Doe"}}, "is an array"),
        ({"00100010": {"vr": "PN", "Value": ["Doe"]}}, "object of component groups"),
        ({"00280010": {"vr": "LO", "InlineBinary": "AAAA"}}, "InlineBinary is only"),
        ({"00091010": {"vr": "OB", "Value": [1]}}, "InlineBinary or BulkDataURI"),
        ({"00089459": {"vr": "FL", "Value": ["x"]}}, "is a number"),
    ],
)
def test_from_json_rejects_what_is_not_dicom_json(bad, message):
    with pytest.raises(ValueError, match=message):
        from_json_dict(bad)


def test_from_json_checks_values_like_assignment():
    with pytest.raises(ValueError, match="CS"):
        from_json_dict({"00080060": {"vr": "CS", "Value": ["lower case"]}})
    with pytest.raises(ValueError, match="BulkDataURI needs"):
        from_json_dict({"00091010": {"vr": "OB", "BulkDataURI": "http://x"}}, bulk_data_reader=None)


# -- files --------------------------------------------------------------------------------------


def test_bulk_data_uris_name_the_bytes_in_the_file_and_never_read_pixel_data():
    path = test_file("CT_small.dcm")
    with lazydcm.dcmread(path) as ds:
        obj = to_json_dict(ds, bulk_data_uri=lambda elem: file_bulk_data_uri(elem, path))
        assert not ds["PixelData"].is_decoded
    uri = obj["7FE00010"]["BulkDataURI"]
    assert uri.startswith("file:///") and "offset=" in uri and "length=" in uri
    assert read_file_bulk_data(uri) == pydicom.dcmread(path).PixelData
    with pytest.raises(ValueError, match="not a lazydcm file bulk data URI"):
        read_file_bulk_data("http://example.invalid/bulk")


def test_encapsulated_pixel_data_uri_covers_the_items():
    path = test_file("MR_small_jp2klossless.dcm")
    with lazydcm.dcmread(path) as ds:
        obj = to_json_dict(ds, bulk_data_uri=lambda elem: file_bulk_data_uri(elem, path))
    data = read_file_bulk_data(obj["7FE00010"]["BulkDataURI"])
    # the value of encapsulated Pixel Data: items (FFFE,E000), without the sequence delimiter
    assert data[:4] == b"\xfe\xff\x00\xe0"
    assert b"\xfe\xff\xdd\xe0" not in data[-8:]


def test_big_endian_words_are_swapped_to_little_endian():
    big = test_file("MR_small_bigendian.dcm")
    little = test_file("MR_small.dcm")
    with lazydcm.dcmread(big) as a, lazydcm.dcmread(little) as b:
        assert to_json_dict(a)["7FE00010"] == to_json_dict(b)["7FE00010"]


def _norm(value):
    if isinstance(value, (list, pydicom.multival.MultiValue)):
        return [_norm(v) for v in value]
    if isinstance(value, float):
        return float(value)
    if isinstance(value, (bytes, int)) or value is None:
        return value
    return str(value).strip()


_WORD = {"OW": 2, "OF": 4, "OL": 4, "OD": 8, "OV": 8}


_BINARY_NUMBERS = frozenset({"SS", "US", "SL", "UL", "SV", "UV", "FL", "FD", "AT"})


def _same(
    ours: pydicom.Dataset, ref: pydicom.Dataset, where: str = "", big_endian: bool = False
) -> list[str]:
    """Differences between the dataset pydicom read from our JSON and the one it read from the
    file (JSON binary is little endian, F.2.7: words of a big endian file are swapped)."""
    problems = []
    for elem in ref:
        if elem.tag.element == 0:
            continue  # group lengths are not in the JSON model
        if elem.tag not in ours:
            problems.append(f"{where}{elem.tag} missing")
            continue
        mine = ours[elem.tag]
        if mine.VR == "UN" and elem.VR != "UN":
            continue  # pydicom knows private dictionaries; lazydcm keeps such values as bytes
        if big_endian and elem.tag.is_private and elem.VR in _BINARY_NUMBERS:
            continue  # a private UN value read with its dictionary VR: lazydcm reads it little
            # endian (PS3.5 6.2.2), pydicom in the file's big endian order
        if elem.VR == "SQ":
            if len(mine.value) != len(elem.value):
                problems.append(f"{where}{elem.tag}: {len(mine.value)} items")
                continue
            for k, (a, b) in enumerate(zip(mine.value, elem.value, strict=True)):
                problems += _same(a, b, f"{where}{elem.tag}[{k}].", big_endian)
            continue
        a, b = _norm(mine.value), _norm(elem.value)
        if big_endian and elem.VR in _WORD and isinstance(b, bytes):
            b = numpy.frombuffer(b, f">u{_WORD[elem.VR]}").astype(f"<u{_WORD[elem.VR]}").tobytes()
        if a != b and not (a in ("", None, []) and b in ("", None, [])):
            problems.append(f"{where}{elem.tag} {elem.VR}: {a!r:.60} != {b!r:.60}")
    return problems


# Files with sequences, PN groups, AT, FL/FD, OB/OW, SQ in implicit/big endian/deflated syntaxes.
JSON_FILES = [
    "pydicom-3.0.2/test_files/rtplan.dcm",  # nested sequences, DS/IS
    "pydicom-3.0.2/test_files/CT_small.dcm",  # private elements
    "pydicom-3.0.2/test_files/MR_small_bigendian.dcm",  # explicit VR big endian
    "pydicom-3.0.2/test_files/MR_small_implicit.dcm",
    "pydicom-3.0.2/test_files/rtdose_expb.dcm",  # big endian multi-frame, AT
    "pydicom-3.0.2/test_files/nested_priv_SQ.dcm",
    "pydicom-3.0.2/test_files/test-SR.dcm",  # deep sequences of text
    "pydicom-3.0.2/test_files/waveform_ecg.dcm",  # OW waveform data, SS, FD
    "pydicom-3.0.2/test_files/examples_overlay.dcm",  # overlay OW
    "fo-dicom/charset/chrJapMulti.dcm",  # PN with ideographic and phonetic groups
    "fo-dicom/charset/chrSQEncoding1.dcm",
    "pydicom-data-git/liver_deflate.dcm",  # deflated
    "pydicom-data-git/parametric_map_float.dcm",  # Float Pixel Data
]


@pytest.mark.parametrize("name", JSON_FILES)
def test_pydicom_reads_our_json_as_it_reads_the_file(name):
    path = corpus_file(name)
    with lazydcm.dcmread(path) as ds:
        text = to_json(ds)
    ours = pydicom.Dataset.from_json(text)
    ref = pydicom.dcmread(path)
    assert _same(ours, ref, big_endian=_is_big_endian(ref)) == []


def _is_big_endian(ref: pydicom.Dataset) -> bool:
    return ref.file_meta.get("TransferSyntaxUID") == "1.2.840.10008.1.2.2"


def test_every_readable_corpus_file_gives_json_pydicom_accepts():
    """Across the corpus: valid JSON (no NaN), accepted by pydicom's reader, same values."""
    require_corpus()
    checked = 0
    problems = {}
    for row in catalog():
        if row["pydicom_readable"] != "y":
            continue
        path = CORPUS / row["path"]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ds = lazydcm.dcmread(path)
            if ds.index.truncation is not None:
                continue  # a file cut short: its bulk data URIs point past the end
            text = to_json(ds, bulk_data_uri=file_bulk_data_uris(ds))
        except lazydcm.InvalidDicomError:
            continue  # truncated or undecodable files raise the documented error
        finally:
            ds.close()
        try:
            ref = pydicom.dcmread(path)
            list(ref)  # pydicom must be able to read it for the comparison to mean anything
        except Exception:  # noqa: BLE001 - pydicom's own limits
            continue
        ours = pydicom.Dataset.from_json(text, bulk_data_uri_handler=read_file_bulk_data)
        mismatches = [
            p for p in _same(ours, ref, big_endian=_is_big_endian(ref)) if "(7FE0,0010)" not in p
        ]  # bulk data: the bytes as stored (test above)
        if mismatches and "charset" not in row["path"]:
            problems[row["path"]] = mismatches[:3]
        checked += 1
    assert checked > 80
    assert problems == {}

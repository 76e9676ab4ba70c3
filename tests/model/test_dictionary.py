"""Tests for the generated dictionary (lazydcm/model/_dictionary.py), its generator
(tools/gen_dictionary.py) and the lookups of lazydcm/model/dictionary.py.

Expected facts are read here from the standard's data files with a few lines of parsing of
their own (DCMTK's dicom.dic as text, fo-dicom and the PS3.5/PS3.6 DocBook with ElementTree),
never from the generated table. The files live in ``<repo>/../shared/dicom-standard``; when it is
missing these tests fail under ``CI`` and skip otherwise.
"""

from __future__ import annotations

import importlib.util
import os
import random
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import attrs
import pytest

from lazydcm.model import _dictionary
from lazydcm.model.dictionary import (
    DictEntry,
    entry_for,
    is_repeating_group,
    keyword_for,
    name_for,
    tag_for_keyword,
    vm_for,
    vr_for,
)

REPO = Path(__file__).resolve().parents[2]
STANDARD = REPO / ".." / "shared" / "dicom-standard"
GENERATED = REPO / "lazydcm" / "model" / "_dictionary.py"
DOCBOOK = "{http://docbook.org/ns/docbook}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
SEED = 20261125


def _require_standard() -> Path:
    if not (STANDARD / "SOURCE.md").is_file():
        message = f"DICOM standard data files not found at {STANDARD}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return STANDARD


# --------------------------------------------------------------- independent source parsing


@pytest.fixture(scope="module")
def gen():
    """The generator script, imported from tools/ (it is not part of the package)."""
    path = REPO / "tools" / "gen_dictionary.py"
    spec = importlib.util.spec_from_file_location("gen_dictionary_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@pytest.fixture(scope="module")
def dcmtk() -> dict[str, tuple[str, str, str, str]]:
    """DCMTK rows: "(gggg,eeee)" as written -> (vr, keyword, vm, version)."""
    rows = {}
    text = (_require_standard() / "dcmtk" / "dicom.dic").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            tag, vr, keyword, vm, version = line.split("\t")
            rows[tag] = (vr, keyword, vm, version)
    return rows


@pytest.fixture(scope="module")
def fo_root() -> ET.Element:
    return ET.parse(_require_standard() / "fo-dicom" / "DICOMDictionary.xml").getroot()


@pytest.fixture(scope="module")
def fo_tags(fo_root) -> dict[str, ET.Element]:
    """fo-dicom <tag> elements by "ggggeeee" (upper-case hex, lower-case x)."""
    return {
        (el.get("group") + el.get("element")).upper().replace("X", "x"): el
        for el in fo_root.iter("tag")
    }


def _docbook_rows(root: ET.Element, table_id: str) -> list[list[str]]:
    table = root.find(f".//{DOCBOOK}table[@{XML_ID}='{table_id}']")
    return [
        [" ".join("".join(td.itertext()).replace("\u200b", "").split()) for td in tr]
        for tr in table.find(f"{DOCBOOK}tbody")
    ]


@pytest.fixture(scope="module")
def part06() -> dict[str, list[str]]:
    """PS3.6 2015b Table 6-1/7-1/8-1 rows by "ggggeeee": [name, keyword, vr, vm, note]."""
    root = ET.parse(_require_standard() / "nema-docbook" / "2015b" / "part06.xml").getroot()
    rows = {}
    for table_id in ("table_6-1", "table_7-1", "table_8-1"):
        for cells in _docbook_rows(root, table_id):
            key = cells[0].strip("()").replace(",", "")
            rows[key] = cells[1:]
    return rows


@pytest.fixture(scope="module")
def ps35_vrs() -> set[str]:
    root = ET.parse(_require_standard() / "nema-docbook" / "2026c" / "part05.xml").getroot()
    return {cells[0].split()[0] for cells in _docbook_rows(root, "table_6.2-1")}


def _tidy(text: str) -> str:
    return " ".join(text.split())


def _ambiguous(fo_vr: str) -> str:
    return " or ".join(fo_vr.split("/"))


# ------------------------------------------------------------------------ the generated file


def test_regenerating_reproduces_the_committed_module(gen, tmp_path):
    out = tmp_path / "_dictionary.py"
    assert gen.main(["--standard", str(_require_standard()), "--output", str(out)]) == 0
    assert out.read_bytes() == GENERATED.read_bytes(), (
        "lazydcm/model/_dictionary.py drifted from its sources; run python tools/gen_dictionary.py"
    )


def test_check_mode_passes_on_the_committed_module(gen, capsys):
    assert gen.main(["--standard", str(_require_standard()), "--check"]) == 0
    assert "is current" in capsys.readouterr().out


def test_check_mode_fails_on_drift_and_writes_nothing(gen, tmp_path, capsys):
    stale = tmp_path / "_dictionary.py"
    text = GENERATED.read_text(encoding="utf-8").replace("'Patient\\'s Name'", "'Patient Name'")
    text = text.replace('"Patient\'s Name"', '"Patient Name"')
    assert text != GENERATED.read_text(encoding="utf-8")
    stale.write_text(text, encoding="utf-8")
    args = ["--standard", str(_require_standard()), "--output", str(stale), "--check"]
    assert gen.main(args) == 1
    assert "out of date" in capsys.readouterr().err
    assert stale.read_text(encoding="utf-8") == text
    assert gen.main(["--standard", str(STANDARD), "--output", str(tmp_path / "no"), "--check"]) == 1


def test_header_names_editions_generator_and_do_not_edit():
    header = GENERATED.read_text(encoding="utf-8").split('"""')[0]
    assert header.startswith("# GENERATED by tools/gen_dictionary.py")
    assert "do not edit" in header
    for edition in ("3.6-2026b", "PS3.6 2024c", "PS3.6 2015b", "PS3.5 2026c"):
        assert edition in header
    for uid in ("1.2.840.10008.1.2.4.110", "1.2.840.10008.1.2.8.1"):
        assert uid in header


def test_generated_tables_are_sorted():
    tags = list(_dictionary.ELEMENTS)
    assert tags == sorted(tags)
    masks = [row[0] for row in _dictionary.MASKS]
    assert masks == sorted(masks)


def test_entry_count_includes_commands_and_retired():
    total = len(_dictionary.ELEMENTS) + len(_dictionary.MASKS)
    assert total >= 5300
    assert sum(1 for tag in _dictionary.ELEMENTS if tag >> 16 == 0x0000) >= 40
    rows = list(_dictionary.ELEMENTS.values()) + [m[2:] for m in _dictionary.MASKS]
    assert sum(1 for row in rows if row[4]) >= 450


def test_dcmtk_element_set_is_covered(dcmtk):
    """Every DCMTK element (bar its pseudo-entries) is found, with its keyword."""
    for tag_text, (_vr, keyword, _vm, version) in dcmtk.items():
        if version in ("PRIVATE", "ILLEGAL", "GENERIC"):
            continue
        group, element = tag_text.strip("()").split(",")
        tag = (int(group[:4], 16) << 16) | int(element[:4], 16)
        assert keyword_for(tag) == keyword.removeprefix("RETIRED_"), tag_text


# --------------------------------------------------------- a sample against the sources


def test_random_sample_matches_dcmtk_and_fo_dicom(dcmtk, fo_tags):
    exact = sorted(t for t, row in dcmtk.items() if "-" not in t and row[3].startswith("DICOM"))
    sample = random.Random(SEED).sample(exact, 200)
    named_by_fo = 0
    for tag_text in sample:
        vr, keyword, vm, version = dcmtk[tag_text]
        key = tag_text.strip("()").replace(",", "")
        entry = entry_for(int(key, 16))
        assert entry is not None, tag_text
        assert entry.keyword == keyword.removeprefix("RETIRED_"), tag_text
        assert entry.retired is (version == "DICOM/retired"), tag_text
        fo = fo_tags.get(key)
        if vr.islower():  # a DCMTK pseudo-VR: the PS3.6 spelling is wanted
            assert " or " in entry.vr or entry.vr in ("UL", "NONE"), tag_text
            if fo is not None and "/" in (fo.get("vr") or ""):
                assert entry.vr == _ambiguous(fo.get("vr")), tag_text
        else:
            assert entry.vr == vr, tag_text
        assert entry.vm == vm or vm in entry.vm.split(" or "), tag_text
        if fo is not None and fo.get("keyword") == entry.keyword:
            assert entry.name == _tidy(fo.text), tag_text
            named_by_fo += 1
    assert named_by_fo >= 150


def test_random_sample_matches_ps36_docbook(part06, fo_tags):
    rows = sorted(k for k, row in part06.items() if row[1] and "x" not in k)
    checked = 0
    for key in random.Random(SEED).sample(rows, 120):
        name, keyword, vr, _vm, _note = part06[key]
        entry = entry_for(int(key, 16))
        assert entry is not None, key
        if entry.keyword != keyword:
            continue  # renamed since 2015b
        fo = fo_tags.get(key)
        if fo is None or fo.get("keyword") != keyword:
            assert entry.name == name, key
        if " or " in vr:
            assert entry.vr == vr, key
        checked += 1
    assert checked >= 100


def test_every_mask_of_fo_dicom_is_kept_as_a_mask(fo_tags):
    fo_masks = {k: el for k, el in fo_tags.items() if "x" in k}
    ours = {row[0]: row for row in _dictionary.MASKS}
    assert set(fo_masks) == set(ours)
    rng = random.Random(SEED)
    for key, el in fo_masks.items():
        mask, base, vr, _vm, name, keyword, _retired = ours[key]
        assert keyword == el.get("keyword") and name == _tidy(el.text), key
        assert vr == _ambiguous(el.get("vr")), key
        assert tag_for_keyword(keyword) == base
        for _ in range(5):  # concrete instances (even groups only: odd groups are private)
            text = "".join(rng.choice("0123456789ABCDEF") if c == "x" else c for c in mask)
            tag = int(text, 16)
            if tag >> 16 & 1 or tag & 0xFFFF == 0 or tag in _dictionary.ELEMENTS:
                continue
            assert keyword_for(tag) == keyword, f"{tag:08X}"
            assert is_repeating_group(tag)


@pytest.mark.parametrize(
    ("tag", "keyword", "vr"),
    [
        (0x60003000, "OverlayData", "OB or OW"),
        (0x601E3000, "OverlayData", "OB or OW"),
        (0x60020010, "OverlayRows", "US"),
        (0x50000005, "CurveDimensions", "US"),
        (0x501E3000, "CurveData", "OB or OW"),
        (0x00203100, "SourceImageIDs", "CS"),
        (0x002031FF, "SourceImageIDs", "CS"),
        (0x10000010, "EscapeTriplet", "US"),
        (0x10000120, "EscapeTriplet", "US"),
        (0x10000FF5, "ShiftTableTriplet", "US"),
        (0x00280410, "RowsForNthOrderCoefficients", "US"),
        (0x002804F0, "RowsForNthOrderCoefficients", "US"),
        (0x002804F3, "CoefficientCodingPointers", "AT"),
        (0x7F000010, "VariablePixelData", "OB or OW"),
        (0x7F020010, "VariablePixelData", "OB or OW"),
    ],
)
def test_repeating_group_lookups(tag, keyword, vr):
    entry = entry_for(tag)
    assert entry is not None
    assert (entry.tag, entry.keyword, entry.vr) == (tag, keyword, vr)
    assert vr_for(tag) == vr and keyword_for(tag) == keyword


def test_masks_are_not_flattened_into_the_exact_table():
    for tag in (0x60003000, 0x60023000, 0x50000005, 0x00203100, 0x10000010, 0x00280410):
        assert tag not in _dictionary.ELEMENTS


def test_exact_entries_win_over_masks():
    # (0028,0400) Transform Label matches the mask (0028,04x0) but is its own element.
    assert keyword_for(0x00280400) == "TransformLabel"
    assert not is_repeating_group(0x00280400)
    # (7FE0,0010) Pixel Data matches (7Fxx,0010) Variable Pixel Data.
    assert keyword_for(0x7FE00010) == "PixelData"


def test_odd_groups_never_match_repeating_group_masks():
    assert entry_for(0x60013000) is None  # private group 6001
    assert name_for(0x60013000) == "Private tag data"
    assert keyword_for(0x7F010010) == ""  # a private creator, not Variable Pixel Data
    assert name_for(0x7F010010) == "Private Creator"


# ----------------------------------------------------------------------------- VR facts


def test_every_vr_is_a_ps35_vr_or_an_ambiguous_combination(ps35_vrs):
    assert len(ps35_vrs) == 34
    rows = list(_dictionary.ELEMENTS.values()) + [m[2:] for m in _dictionary.MASKS]
    seen = set()
    for row in rows:
        seen.add(row[0])
        if row[0] != "NONE":
            assert set(row[0].split(" or ")) <= ps35_vrs, row
    assert {"US or SS", "OB or OW", "US or OW", "US or SS or OW"} <= seen
    assert not any(vr.islower() for vr in seen)


@pytest.mark.parametrize(
    ("tag", "vr"),
    [
        (0x7FE00010, "OB or OW"),  # DCMTK px
        (0x00280106, "US or SS"),  # DCMTK xs
        (0x00283006, "US or OW"),  # DCMTK lt; fo-dicom US/OW
        (0x00281200, "US or SS or OW"),  # DCMTK lt; fo-dicom US/SS/OW
        (0x54001010, "OB or OW"),  # DCMTK ox
        (0x00041200, "UL"),  # DCMTK up
        (0xFFFEE000, "NONE"),  # DCMTK na: items carry no VR
        (0xFFFEE00D, "NONE"),
        (0xFFFEE0DD, "NONE"),
    ],
)
def test_pseudo_vrs_are_spelled_as_ps36(tag, vr):
    assert vr_for(tag) == vr


# ---------------------------------------------------------- group length, private creator


@pytest.mark.parametrize("group", [0x0008, 0x0010, 0x7FE0, 0x1010, 0x0009, 0x0029, 0x6000])
def test_group_length_by_rule(group):
    entry = entry_for(group << 16)
    assert entry == DictEntry(group << 16, "UL", "1", "Group Length", "", False)
    assert keyword_for(group << 16) == ""
    assert name_for(group << 16) == "Group Length"


def test_group_lengths_in_the_registry_keep_their_keywords():
    assert keyword_for(0x00020000) == "FileMetaInformationGroupLength"
    assert keyword_for(0x00000000) == "CommandGroupLength"
    assert vr_for(0x00020000) == "UL"


@pytest.mark.parametrize("tag", [0x00090010, 0x000900FF, 0x00290011, 0xFFFD0010])
def test_private_creator_by_rule(tag):
    assert entry_for(tag) == DictEntry(tag, "LO", "1", "Private Creator", "", False)
    assert vr_for(tag) == "LO"
    assert keyword_for(tag) == ""


@pytest.mark.parametrize("tag", [0x0009000F, 0x00090100, 0x00091010, 0x0029FFFF])
def test_private_data_elements_are_unknown(tag):
    assert entry_for(tag) is None
    assert name_for(tag) == "Private tag data"
    assert vr_for(tag) == "UN"
    assert vm_for(tag) == "1"
    assert keyword_for(tag) == ""


@pytest.mark.parametrize("tag", [0x00010010, 0x00070010, 0xFFFF0010])
def test_groups_forbidden_to_private_use_have_no_creators(tag):
    # PS3.5 7.8.1: groups 0001, 0003, 0005, 0007 and FFFF shall not be used.
    assert entry_for(tag) is None
    assert name_for(tag) == "Unknown"


@pytest.mark.parametrize("tag", [0x00080002, 0x00121234, 0x7FE00100])
def test_unknown_public_tags(tag):
    assert entry_for(tag) is None
    assert name_for(tag) == "Unknown"
    assert (vr_for(tag), vm_for(tag), keyword_for(tag)) == ("UN", "1", "")


# -------------------------------------------------------------------------------- lookups


def test_entry_for_a_well_known_tag(fo_tags):
    el = fo_tags["00100010"]
    entry = entry_for(0x00100010)
    assert entry == DictEntry(
        0x00100010, el.get("vr"), el.get("vm"), _tidy(el.text), "PatientName", False
    )
    assert entry_for(0x00100010) is entry  # made once
    assert "0x00100010" in repr(entry)


def test_dict_entry_is_frozen():
    entry = entry_for(0x00100010)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        entry.vr = "LO"


def test_every_keyword_round_trips():
    for tag, row in _dictionary.ELEMENTS.items():
        assert tag_for_keyword(row[3]) == tag
        assert keyword_for(tag) == row[3]
        assert (vr_for(tag), vm_for(tag), name_for(tag)) == row[:3]


def test_keywords_are_unique_and_well_formed():
    keywords = [row[3] for row in _dictionary.ELEMENTS.values()]
    keywords += [row[5] for row in _dictionary.MASKS]
    assert len(keywords) == len(set(keywords))
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", kw) for kw in keywords)


@pytest.mark.parametrize(
    ("keyword", "tag"),
    [
        ("PatientName", 0x00100010),
        ("TransferSyntaxUID", 0x00020010),
        ("PixelData", 0x7FE00010),
        ("OverlayData", 0x60003000),
        ("CurveData", 0x50003000),
        ("SourceImageIDs", 0x00203100),
        ("EscapeTriplet", 0x10000010),
        ("VariablePixelData", 0x7F000010),
        ("Item", 0xFFFEE000),
    ],
)
def test_tag_for_keyword(keyword, tag):
    assert tag_for_keyword(keyword) == tag


@pytest.mark.parametrize("keyword", ["", "patientname", "PatientsName", "Group Length", "RETIRED_"])
def test_tag_for_unknown_keyword_is_none(keyword):
    assert tag_for_keyword(keyword) is None


def test_names_strip_zero_width_spaces_and_are_never_empty():
    rows = list(_dictionary.ELEMENTS.values()) + [m[2:] for m in _dictionary.MASKS]
    for _vr, vm, name, keyword, _retired in rows:
        assert name and name == name.strip() and "\u200b" not in name, keyword
        assert vm, keyword


def test_keyword_derived_names(gen):
    assert gen.name_from_keyword("SensitiveContentCodeSequence") == (
        "Sensitive Content Code Sequence"
    )
    assert gen.name_from_keyword("PersonNamesToUseSequence") == "Person Names to Use Sequence"
    assert gen.name_from_keyword("ObservationDateTrial") == "Observation Date (Trial)"
    assert gen.name_from_keyword("RTConeBeamImagingGeometrySequence") == (
        "RT Cone Beam Imaging Geometry Sequence"
    )
    assert gen.name_from_keyword("ReferencePixelX0") == "Reference Pixel X0"


def test_keyword_derived_names_mostly_agree_with_the_standard(gen, fo_tags):
    """The CamelCase splitter only names elements no source names; on the named ones it
    should reproduce most names exactly (apostrophes and hyphens are out of its reach)."""
    named = [(el.get("keyword"), el.text) for el in fo_tags.values() if el.get("keyword")]
    agree = sum(gen.name_from_keyword(kw) == name for kw, name in named)
    assert agree / len(named) > 0.9

"""The VR table of lazydcm.model.vr against PS3.5 2026c Table 6.2-1 and Table 7.1-2 (DocBook)."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lazydcm.errors import InvalidDicomError
from lazydcm.model import vr as vr_module
from lazydcm.model.vr import VR

REPO = Path(__file__).resolve().parents[2]
PART05 = REPO / ".." / "shared" / "dicom-standard" / "nema-docbook" / "2026c" / "part05.xml"
DOCBOOK = "{http://docbook.org/ns/docbook}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


def _text(element: ET.Element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


@pytest.fixture(scope="module")
def part05() -> ET.Element:
    if not PART05.exists():
        if os.environ.get("CI"):
            pytest.fail(f"the standard's part05.xml is missing at {PART05}")
        pytest.skip(f"the standard's part05.xml is missing at {PART05}")
    return ET.parse(PART05).getroot()


def _table(root: ET.Element, table_id: str) -> ET.Element:
    for table in root.iter(DOCBOOK + "table"):
        if table.get(XML_ID) == table_id:
            return table
    raise AssertionError(f"{table_id} not found in part05.xml")


@pytest.fixture(scope="module")
def vr_rows(part05: ET.Element) -> dict[str, dict[str, str]]:
    """VR code -> {definition, repertoire, length} from Table 6.2-1."""
    rows = {}
    for tr in _table(part05, "table_6.2-1").iter(DOCBOOK + "tr"):
        cells = [td for td in tr if td.tag == DOCBOOK + "td"]
        if len(cells) != 4:
            continue  # the header row uses <th>
        code = _text(cells[0].find(DOCBOOK + "para"))
        rows[code] = {
            "definition": _text(cells[1]),
            "repertoire": _text(cells[2]),
            # the first paragraph states the length; later ones are query-context notes
            "length": _text(cells[3].find(DOCBOOK + "para")),
        }
    return rows


def test_the_34_vrs_of_the_standard(vr_rows):
    assert len(vr_rows) == 34
    assert set(vr_rows) == {member.value for member in VR}
    assert len(VR) == 34


def test_max_length_and_its_unit(vr_rows):
    for code, row in vr_rows.items():
        member = VR(code)
        found = re.match(r"(\d+) (bytes|chars) (maximum|fixed)", row["length"])
        if found is None:
            # "2^32-2 bytes maximum" (the superscript flattens to "232-2") or UN's "Any length"
            assert row["length"].startswith(("232", "Any length")), (code, row["length"])
            assert member.max_length is None, code
            continue
        assert member.max_length == int(found[1]), code
        assert member.max_length_in_chars == (found[2] == "chars"), code


def test_fixed_size_of_binary_vrs(vr_rows):
    word = {"binary64": 8, "binary32": 4, "64-bit words": 8, "32-bit words": 4, "16-bit words": 2}
    for code, row in vr_rows.items():
        member = VR(code)
        found = re.match(r"(\d+) bytes fixed", row["length"])
        if found is not None and row["repertoire"] == "not applicable":
            assert member.fixed_size == int(found[1]), code
        elif code.startswith("O"):
            sizes = [size for phrase, size in word.items() if phrase in row["definition"]]
            assert member.fixed_size == (sizes[0] if sizes else None), code
        else:
            assert member.fixed_size is None, code


def test_text_binary_numeric_kinds(vr_rows):
    for code, row in vr_rows.items():
        member = VR(code)
        text = not row["repertoire"].startswith("not applicable")
        assert member.is_text == text, code
        assert member.is_binary == (code in {"OB", "OD", "OF", "OL", "OV", "OW", "UN"}), code
        number = "binary" in row["definition"] and "integer" in row["definition"]
        number = number or row["definition"].startswith(("Single precision", "Double precision"))
        assert member.is_numeric == number, code
        assert not (member.is_text and member.is_binary)


def test_uses_charset_follows_the_repertoire_column(vr_rows):
    for code, row in vr_rows.items():
        assert VR(code).uses_charset == ("as defined by (0008,0005)" in row["repertoire"]), code
    assert {v.value for v in VR if v.uses_charset} == {"SH", "LO", "UC", "ST", "LT", "UT", "PN"}


def test_allows_multi(vr_rows):
    for code, row in vr_rows.items():
        member = VR(code)
        if member.is_text:
            single = "shall not be multi-valued" in row["definition"]
            assert member.allows_multi == (not single), code
        else:
            assert member.allows_multi == (member.fixed_size is not None and not member.is_binary)
    assert {v.value for v in VR if v.is_text and not v.allows_multi} == {"LT", "ST", "UT", "UR"}


def test_padding(vr_rows):
    for code, row in vr_rows.items():
        member = VR(code)
        if "single trailing NULL" in row["definition"]:  # OB and UI say so explicitly
            assert member.padding == b"\0", code
        elif member.is_text:
            assert member.padding == b" ", code
        else:
            assert member.padding == b"\0", code
    assert VR.UI.padding == b"\0" and VR.OB.padding == b"\0" and VR.LO.padding == b" "


def test_long_length_against_table_7_1_2(part05):
    # PS3.5 7.1.2: the VRs in the caption of Table 7.1-2 have a 16-bit length; all others
    # have 2 reserved bytes and a 32-bit length (Table 7.1-1).
    caption = _text(_table(part05, "table_7.1-2").find(DOCBOOK + "caption"))
    short = set(re.findall(r"\b([A-Z]{2})\b", caption.split("Explicit VR of", 1)[1]))
    assert len(short) == 21
    for member in VR:
        assert member.long_length == (member.value not in short), member
    assert {v.value for v in VR if v.long_length} == {
        "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV",
    }  # fmt: skip


def test_module_sets_agree_with_members():
    assert {v.value for v in VR if v.is_text} == vr_module.TEXT_VRS
    assert {v.value for v in VR if v.is_binary} == vr_module.BINARY_VRS
    assert {v.value for v in VR if v.is_numeric} == vr_module.NUMERIC_VRS
    assert {v.value for v in VR if v.uses_charset} == vr_module.CHARSET_VRS
    assert {v.value for v in VR if v.long_length} == vr_module.LONG_LENGTH_VRS
    assert {v.value for v in VR if v.allows_multi} == vr_module.MULTI_VALUE_VRS
    assert VR.US.facts == vr_module.VRFacts(b"\0", False, 2, 2, False, False, False, True, True,
                                            False)  # fmt: skip


def test_vr_is_a_str():
    assert VR.US == "US" and str(VR.US) == "US" and f"{VR.PN}" == "PN"
    assert {"US": 1}[VR.US] == 1
    assert VR("OB") is VR.OB and VR["OB"] is VR.OB
    with pytest.raises(ValueError):
        VR("XX")


@pytest.mark.parametrize("raw", [b"US", bytearray(b"US"), memoryview(b"xUSx")[1:3]])
def test_from_bytes(raw):
    assert VR.from_bytes(raw) is VR.US


def test_from_bytes_names_every_vr():
    for member in VR:
        assert VR.from_bytes(member.value.encode()) is member


@pytest.mark.parametrize("raw", [b"us", b"XX", b"\0\0", b"U", b"USS"])
def test_from_bytes_rejects_unknown_codes(raw):
    with pytest.raises(InvalidDicomError) as info:
        VR.from_bytes(raw, offset=0x84, tag=0x00280010)
    assert info.value.offset == 0x84 and info.value.tag == 0x00280010
    assert "(0028,0010)" in str(info.value) and "0x84" in str(info.value)

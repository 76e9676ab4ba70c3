#!/usr/bin/env python3
"""Regenerate ``lazydcm/model/_dictionary.py`` and ``lazydcm/model/_private_dictionary.py`` from
the DICOM standard's data files.

Usage::

    python tools/gen_dictionary.py [--standard DIR] [--output FILE] [--private-output FILE] [--check]

``--standard`` is the directory described by its ``SOURCE.md`` (default
``<repo>/../shared/dicom-standard``). ``--private-output`` defaults to ``_private_dictionary.py``
beside ``--output``. With ``--check`` nothing is written: the modules are generated in memory and
the exit status is 1 when a committed file differs, 0 when both match.

Where each fact comes from:

* Element set, VR, VM and retired flag: DCMTK's ``dcmtk/dicom.dic`` (a transcription of PS3.6 and
  PS3.7). Its ``RETIRED_`` keyword prefix is stripped; its pseudo-VRs are mapped to the PS3.6
  spelling (``xs`` -> "US or SS", ``ox``/``px`` -> "OB or OW", ``lt`` -> "US or OW", ``up`` -> "UL",
  ``na`` -> "NONE" for the item and delimiter tags), except that where fo-dicom spells an ambiguous
  VR for the tag (e.g. ``US/SS/OW`` for (0028,1200)) that spelling wins. Its pseudo-entries for
  private/illegal/generic group lengths and private creators are dropped; lazydcm resolves those
  by rule in ``lazydcm/model/dictionary.py``.
* Repeating groups stay masks (PS3.5 7.6): DCMTK ranges such as ``(6000-60FF,3000)`` become
  ``"60xx3000"``; DCMTK's single concrete tags that stand for a PS3.6 mask such as
  ``(1000,xxx0)`` (e.g. ``(1000,0010)``) are folded back into the mask taken from fo-dicom.
* Display names: fo-dicom's ``DICOMDictionary.xml`` where its keyword agrees, else the PS3.6
  DocBook ``part06.xml`` (zero-width spaces stripped) where its keyword agrees, else derived from
  the keyword by splitting CamelCase.
* VRs are checked against PS3.5 Table 6.2-1 (``part05.xml``): every VR emitted is one of its VRs,
  an "or" combination of them, or "NONE".
* Private elements: DCMTK's ``dcmtk/private.dic``. Each row names a group (or an odd-group range
  ``gggg-o-gggg``), a private creator and either an element byte ``ee`` (valid in whichever block
  ``xx`` the creator reserved, PS3.5 7.8.1: the element is (gggg,xxee)) or a fixed element
  ``eeee``. A later row for the same key replaces an earlier one, as in DCMTK; the pseudo-VRs
  ``ox``/``px`` become "OB or OW"; names are DCMTK's text as written.
* UIDs: fo-dicom's ``<uid>`` rows except the context groups of PS3.6 Table A-3, plus the newer
  transfer syntaxes listed in ``HAND_UIDS`` (checked against PS3.5 ``part05.xml``, which defines
  each of them).
"""

from __future__ import annotations

import argparse
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parents[1]
DEFAULT_STANDARD = REPO / ".." / "shared" / "dicom-standard"
DEFAULT_OUTPUT = REPO / "lazydcm" / "model" / "_dictionary.py"
GENERATOR = "tools/gen_dictionary.py"

DCMTK_DIC = "dcmtk/dicom.dic"
PRIVATE_DIC = "dcmtk/private.dic"
PRIVATE_MODULE = "_private_dictionary.py"
FO_DICOM_XML = "fo-dicom/DICOMDictionary.xml"
PART06_XML = "nema-docbook/2015b/part06.xml"
PART05_XML = "nema-docbook/2026c/part05.xml"

DOCBOOK = "{http://docbook.org/ns/docbook}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"

# DCMTK pseudo-VRs and the PS3.6 VR each stands for.
PSEUDO_VRS = {
    "xs": "US or SS",
    "ox": "OB or OW",
    "px": "OB or OW",  # (7FE0,0010) Pixel Data
    "lt": "US or OW",  # LUT data
    "up": "UL",  # offsets into a DICOMDIR
    "na": "NONE",  # item and delimiter tags carry no VR (PS3.5 7.5)
}

# Transfer syntaxes newer than fo-dicom's 2024c registry (see SOURCE.md); each UID is defined in
# PS3.5 2026c Annex A (A.4.12 JPEG XL, A.4.13 Deflated Image Frame Compression).
HAND_UIDS = {
    "1.2.840.10008.1.2.4.110": ("JPEG XL Lossless", "JPEGXLLossless", "Transfer Syntax", False),
    "1.2.840.10008.1.2.4.111": (
        "JPEG XL JPEG Recompression",
        "JPEGXLJPEGRecompression",
        "Transfer Syntax",
        False,
    ),
    "1.2.840.10008.1.2.4.112": ("JPEG XL", "JPEGXL", "Transfer Syntax", False),
    "1.2.840.10008.1.2.8.1": (
        "Deflated Image Frame Compression",
        "DeflatedImageFrameCompression",
        "Transfer Syntax",
        False,
    ),
}

CONTEXT_GROUP_TYPE = "Context Group Name"  # PS3.6 Table A-3 rows, not UIDs of Table A-1


class Element(NamedTuple):
    """One generated row: exact tag (``mask`` "") or a repeating-group mask."""

    tag: int  # the exact tag, or for a mask the base tag its keyword resolves to
    mask: str  # "" for exact entries, else 8 chars of upper-case hex with 'x' wildcards
    vr: str
    vm: str
    name: str
    keyword: str
    retired: bool


class Source(NamedTuple):
    vr: str
    vm: str
    name: str
    keyword: str
    retired: bool


class DcmtkRow(NamedTuple):
    key: str  # "ggggeeee" with 'x' wildcards for ranges
    lo: int  # lowest tag of the row (the tag itself when exact)
    vr: str
    keyword: str
    vm: str
    retired: bool


# ----------------------------------------------------------------------------- parsing


def _range_digits(lo: str, hi: str, text: str) -> str:
    """Turn a DCMTK range like 6000-60FF into the PS3.6 mask spelling 60xx."""
    out = []
    for a, b in zip(lo, hi, strict=True):
        if a == b:
            if out and out[-1] == "x":
                raise ValueError(f"range {text} is not a mask of trailing hex digits")
            out.append(a)
        elif (a, b) == ("0", "F"):
            out.append("x")
        else:
            raise ValueError(f"range {text} is not a mask of whole hex digits")
    return "".join(out)


_DCMTK_PART = re.compile(r"^([0-9A-F]{4})(?:-([0-9A-F]{4}))?$")


def parse_dcmtk(path: Path) -> tuple[str, list[DcmtkRow]]:
    """Return (edition text, rows) of a DCMTK ``dicom.dic``; pseudo-entries are dropped and, as
    in DCMTK, a later row for the same tag replaces an earlier one."""
    edition = ""
    rows: dict[str, DcmtkRow] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            found = re.search(r"Generated automatically from (DICOM .*?)\.?$", line)
            if found:
                edition = found.group(1)
            continue
        if not line.strip():
            continue
        tag_text, vr, keyword, vm, version = line.split("\t")
        if version in ("PRIVATE", "ILLEGAL", "GENERIC"):
            continue  # group lengths and private creators: resolved by rule at lookup time
        group_text, element_text = tag_text.strip("()").split(",")
        parts = []
        for text in (group_text, element_text):
            found = _DCMTK_PART.match(text)
            if not found:
                raise ValueError(f"unexpected DCMTK tag {tag_text}")
            lo, hi = found.group(1), found.group(2)
            parts.append((lo, _range_digits(lo, hi, tag_text) if hi else lo))
        (glo, gkey), (elo, ekey) = parts
        retired = version == "DICOM/retired"
        if retired != keyword.startswith("RETIRED_"):
            raise ValueError(f"{tag_text}: retired flag and keyword prefix disagree")
        rows[gkey + ekey] = DcmtkRow(
            key=gkey + ekey,
            lo=(int(glo, 16) << 16) | int(elo, 16),
            vr=vr,
            keyword=keyword.removeprefix("RETIRED_"),
            vm=vm,
            retired=retired,
        )
    if not edition:
        raise ValueError(f"{path}: no 'Generated automatically from' edition line")
    return edition, list(rows.values())


def _clean(text: str | None) -> str:
    return " ".join((text or "").replace("\u200b", "").split())


def _fo_key(group: str, element: str) -> str:
    return (group + element).upper().replace("X", "x")


def parse_fo_dicom(
    path: Path,
) -> tuple[str, dict[str, Source], dict[str, tuple[str, str, str, bool]]]:
    """Return (edition, tags by "ggggeeee" key, UIDs without Table A-3) of fo-dicom's XML."""
    root = ET.parse(path).getroot()
    edition = root.get("version") or ""
    tags: dict[str, Source] = {}
    for el in root.iter("tag"):
        tags[_fo_key(el.get("group", ""), el.get("element", ""))] = Source(
            vr=el.get("vr") or "",
            vm=el.get("vm") or "",
            name=_clean(el.text),
            keyword=el.get("keyword") or "",
            retired=el.get("retired") == "true",
        )
    uids: dict[str, tuple[str, str, str, bool]] = {}
    for el in root.iter("uid"):
        kind = el.get("type") or ""
        if kind == CONTEXT_GROUP_TYPE:
            continue
        uids[el.get("uid", "")] = (
            _clean(el.text),
            el.get("keyword") or "",
            kind,
            el.get("retired") == "true",
        )
    return edition, tags, uids


def _table(root: ET.Element, table_id: str) -> ET.Element:
    table = root.find(f".//{DOCBOOK}table[@{XML_ID}='{table_id}']")
    if table is None:
        raise ValueError(f"table {table_id} not found")
    return table


def _rows(table: ET.Element) -> list[list[str]]:
    body = table.find(f"{DOCBOOK}tbody")
    assert body is not None
    return [
        ["".join(td.itertext()) for td in tr.findall(f"{DOCBOOK}td")]
        for tr in body.findall(f"{DOCBOOK}tr")
    ]


def _subtitle(root: ET.Element) -> str:
    sub = root.find(f".//{DOCBOOK}subtitle")
    return _clean(sub.text if sub is not None else "").split(" - ")[0]


def parse_part06(path: Path) -> tuple[str, dict[str, Source]]:
    """Return (edition, rows by "ggggeeee" key) of PS3.6 Tables 6-1, 7-1 and 8-1 (DocBook)."""
    root = ET.parse(path).getroot()
    out: dict[str, Source] = {}
    for table_id in ("table_6-1", "table_7-1", "table_8-1"):
        for cells in _rows(_table(root, table_id)):
            tag, name, keyword, vr, vm, note = (_clean(c) for c in cells[:6])
            if not keyword:
                continue  # rows whose element was withdrawn entirely
            group, element = tag.strip("()").split(",")
            out[_fo_key(group, element)] = Source(vr, vm, name, keyword, note.startswith("RET"))
    return _subtitle(root), out


def parse_part05_vrs(path: Path) -> tuple[str, list[str]]:
    """Return (edition, the VRs of PS3.5 Table 6.2-1) from ``part05.xml``."""
    root = ET.parse(path).getroot()
    vrs = [_clean(cells[0]).split()[0] for cells in _rows(_table(root, "table_6.2-1"))]
    return _subtitle(root), vrs


class PrivateRow(NamedTuple):
    """One private dictionary row: groups ``group_lo``..``group_hi`` (odd groups only when a
    range), the creator, the element (0x00-0xFF: byte within the creator's block; >= 0x1000:
    a fixed element number), VR, VM and name."""

    creator: str
    group_lo: int
    group_hi: int
    element: int
    vr: str
    vm: str
    name: str


_PRIVATE_TAG = re.compile(
    r'^\(([0-9A-Fa-f]{4})(?:-o-([0-9A-Fa-f]{4}))?,"([^"]*)",([0-9A-Fa-f]{2}|[0-9A-Fa-f]{4})\)$'
)


def parse_private(path: Path) -> list[PrivateRow]:
    """Return the rows of DCMTK's ``private.dic`` in file order, later rows replacing earlier
    rows with the same (groups, creator, element)."""
    rows: dict[tuple[int, int, str, int], PrivateRow] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < 4:
            raise ValueError(f"{path.name}:{number}: expected tag, VR, name, VM: {line!r}")
        tag_text, vr, name, vm = fields[:4]
        found = _PRIVATE_TAG.match(tag_text)
        if found is None:
            raise ValueError(f"{path.name}:{number}: unexpected private tag {tag_text!r}")
        lo = int(found.group(1), 16)
        hi = int(found.group(2), 16) if found.group(2) else lo
        element = int(found.group(4), 16)
        if len(found.group(4)) == 4 and element < 0x1000:
            raise ValueError(f"{path.name}:{number}: fixed element {element:04X} below 1000")
        if not lo & 1 or not hi & 1 or hi < lo:
            raise ValueError(f"{path.name}:{number}: private groups are odd: {tag_text}")
        vr = PSEUDO_VRS.get(vr, vr)
        row = PrivateRow(found.group(3), lo, hi, element, vr, vm, name.strip())
        key = (lo, hi, row.creator, element)
        rows.pop(key, None)  # a repeated key moves to its latest position
        rows[key] = row
    return list(rows.values())


# ------------------------------------------------------------------------------ merging

_WORD = re.compile(
    r"DateTime|XRay|TwoD|ThreeD|[0-9]+D(?![a-z])|[A-Z]+[0-9]+(?![a-z])"
    r"|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+"
)
_WORD_SPELLING = {"XRay": "X-Ray", "TwoD": "2D", "ThreeD": "3D"}
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "per"}
_SMALL_WORDS |= {"the", "to", "with"}


def name_from_keyword(keyword: str) -> str:
    """A display name for a keyword no name source knows: "SensitiveContentCodeSequence" ->
    "Sensitive Content Code Sequence", "PersonNamesToUseSequence" -> "Person Names to Use
    Sequence", "ObservationDateTrial" -> "Observation Date (Trial)"."""
    words = _WORD.findall(keyword)
    suffix = ""
    if len(words) > 1 and words[-1] in ("Trial", "Retired"):
        suffix = f" ({words.pop()})"
    out = []
    for i, word in enumerate(words):
        word = _WORD_SPELLING.get(word, word)
        if i and word.lower() in _SMALL_WORDS and word[1:].islower():
            word = word.lower()
        out.append(word)
    return " ".join(out) + suffix


def _mask_matches(mask: str, tag: int) -> bool:
    text = f"{tag:08X}"
    return all(m in ("x", t) for m, t in zip(mask, text, strict=True))


def resolve_vr(dcmtk_vr: str, fo_vr: str) -> str:
    """The PS3.6 VR for a DCMTK VR, preferring fo-dicom's spelling of an ambiguous pseudo-VR."""
    if dcmtk_vr not in PSEUDO_VRS:
        return dcmtk_vr
    mapped = PSEUDO_VRS[dcmtk_vr]
    if "/" in fo_vr:
        spelled = " or ".join(fo_vr.split("/"))
        if not set(mapped.split(" or ")) <= set(spelled.split(" or ")):
            raise ValueError(f"fo-dicom VR {fo_vr} does not cover DCMTK {dcmtk_vr}")
        return spelled
    return mapped


def resolve_vm(dcmtk_vm: str, other_vm: str) -> str:
    """DCMTK's VM, unless PS3.6 spells it as alternatives ("1-n or 1") that include it."""
    if " or " in other_vm and dcmtk_vm in other_vm.split(" or "):
        return other_vm
    return dcmtk_vm


def resolve_name(key: str, keyword: str, fo: dict[str, Source], p6: dict[str, Source]) -> str:
    for source in (fo, p6):
        row = source.get(key)
        if row is not None and row.keyword == keyword and row.name:
            return row.name
    return name_from_keyword(keyword)


def merge(
    dcmtk: list[DcmtkRow], fo: dict[str, Source], p6: dict[str, Source]
) -> tuple[list[Element], list[Element]]:
    """Return (exact elements sorted by tag, mask elements sorted by mask)."""
    # Masks: DCMTK's ranges, plus PS3.6 masks (from fo-dicom, else part06) that DCMTK writes as
    # concrete tags with the same keyword.
    source_masks = {k: v for k, v in {**p6, **fo}.items() if "x" in k}
    folded: dict[str, list[DcmtkRow]] = {}
    exact_rows: list[DcmtkRow] = []
    range_rows: dict[str, DcmtkRow] = {}
    for row in dcmtk:
        if "x" in row.key:
            range_rows[row.key] = row
            continue
        for mkey, src in source_masks.items():
            if src.keyword == row.keyword and _mask_matches(mkey, row.lo):
                folded.setdefault(mkey, []).append(row)
                break
        else:
            exact_rows.append(row)

    masks: list[Element] = []
    for mkey, row in range_rows.items():
        if mkey in folded:
            raise ValueError(f"mask {mkey} both as a DCMTK range and as concrete tags")
        masks.append(_element(mkey, row, row.lo, fo, p6))
    for mkey, rows in folded.items():
        facts = {(r.vr, r.keyword, r.vm, r.retired) for r in rows}
        if len(facts) != 1:
            raise ValueError(f"concrete DCMTK tags of mask {mkey} disagree: {facts}")
        masks.append(_element(mkey, rows[0], min(r.lo for r in rows), fo, p6))
    missing = sorted(set(source_masks) - {m.mask for m in masks})
    if missing:
        raise ValueError(f"PS3.6 masks with no DCMTK entry: {missing}")

    exact = [_element("", row, row.lo, fo, p6) for row in exact_rows]
    exact.sort(key=lambda e: e.tag)
    masks.sort(key=lambda e: e.mask)
    return exact, masks


def _element(
    mask: str, row: DcmtkRow, tag: int, fo: dict[str, Source], p6: dict[str, Source]
) -> Element:
    key = mask or f"{tag:08X}"
    fo_row = fo.get(key)
    p6_row = p6.get(key)
    vr = resolve_vr(row.vr, fo_row.vr if fo_row else "")
    ambiguous_p6 = p6_row is not None and p6_row.keyword == row.keyword and " or " in p6_row.vr
    if ambiguous_p6 and p6_row.vr != vr:
        raise ValueError(f"{key}: VR {vr} but PS3.6 DocBook says {p6_row.vr}")
    vm = row.vm
    for other in (fo_row, p6_row):
        if other is not None and other.keyword == row.keyword:
            vm = resolve_vm(vm, other.vm)
    name = resolve_name(key, row.keyword, fo, p6)
    return Element(tag, mask, vr, vm, name, row.keyword, row.retired)


def check_vrs(elements: list[Element], vrs: list[str]) -> None:
    """Raise ValueError unless every VR is one of PS3.5's, an "or" combination, or NONE."""
    known = set(vrs)
    if len(known) != 34:
        raise ValueError(f"PS3.5 Table 6.2-1 should list 34 VRs, got {len(known)}")
    for e in elements:
        if e.vr == "NONE":
            continue
        parts = e.vr.split(" or ")
        if not set(parts) <= known or len(parts) != len(set(parts)):
            raise ValueError(f"{e.mask or f'{e.tag:08X}'} {e.keyword}: VR {e.vr!r} not in PS3.5")


def check_keywords(exact: list[Element], masks: list[Element]) -> None:
    seen: dict[str, str] = {}
    for e in exact + masks:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", e.keyword):
            raise ValueError(f"{e.tag:08X}: bad keyword {e.keyword!r}")
        where = e.mask or f"{e.tag:08X}"
        if e.keyword in seen:
            raise ValueError(f"keyword {e.keyword} at both {seen[e.keyword]} and {where}")
        seen[e.keyword] = where


# ------------------------------------------------------------------------------- output


def _uid_sort_key(uid: str) -> tuple[int, ...]:
    return tuple(int(c) for c in uid.split("."))


def render(
    editions: dict[str, str],
    exact: list[Element],
    masks: list[Element],
    uids: dict[str, tuple[str, str, str, bool]],
) -> str:
    """Return the text of ``_dictionary.py``."""
    out = [
        f"# GENERATED by {GENERATOR} from ../shared/dicom-standard: do not edit.",
        f"# Data elements (tags, VR, VM, retired): {editions['dcmtk']}, via DCMTK dcmdata/data/dicom.dic.",
        f"# Names: fo-dicom DICOMDictionary.xml (PS3.6 {editions['fo']}), else {editions['part06']}"
        " DocBook, else derived from the keyword.",
        f"# VRs checked against {editions['part05']} Table 6.2-1.",
        f"# UIDs: fo-dicom (PS3.6 {editions['fo']}) <uid> rows but the Table A-3 context groups, plus"
        " transfer syntaxes"
        f" added by hand: {', '.join(sorted(HAND_UIDS, key=_uid_sort_key))}.",
        f"# Regenerate with `python {GENERATOR}`; `--check` verifies this file is current.",
        '"""The DICOM data dictionary and UID registry as data (generated; see the header)."""',
        "",
        "# tag -> (VR, VM, name, keyword, retired)",
        "ELEMENTS: dict[int, tuple[str, str, str, str, bool]] = {",
    ]
    for e in exact:
        out.append(
            f"    0x{e.tag:08X}: ({e.vr!r}, {e.vm!r}, {e.name!r}, {e.keyword!r}, {e.retired}),"
        )
    out += [
        "}",
        "",
        "# Repeating groups and other masked tags (PS3.5 7.6, PS3.6 6): 'x' matches any hex digit.",
        "# (mask, base tag the keyword resolves to, VR, VM, name, keyword, retired)",
        "MASKS: list[tuple[str, int, str, str, str, str, bool]] = [",
    ]
    for e in masks:
        out.append(
            f"    ({e.mask!r}, 0x{e.tag:08X}, {e.vr!r}, {e.vm!r}, {e.name!r}, {e.keyword!r},"
            f" {e.retired}),"
        )
    out += [
        "]",
        "",
        "# UID -> (name, keyword, type, retired)",
        "UIDS: dict[str, tuple[str, str, str, bool]] = {",
    ]
    for uid in sorted(uids, key=_uid_sort_key):
        name, keyword, kind, retired = uids[uid]
        out.append(f"    {uid!r}: ({name!r}, {keyword!r}, {kind!r}, {retired}),")
    out += ["}", ""]
    return "\n".join(out)


def check_private_vrs(rows: list[PrivateRow], vrs: list[str]) -> None:
    """Raise ValueError unless every private VR is one of PS3.5's or an "or" combination."""
    known = set(vrs)
    for row in rows:
        if not set(row.vr.split(" or ")) <= known:
            raise ValueError(f"private {row.creator!r} {row.element:02X}: VR {row.vr!r}")


def render_private(dcmtk_path: str, rows: list[PrivateRow], part05_edition: str) -> str:
    """Return the text of ``_private_dictionary.py``."""
    single = sorted(
        (r for r in rows if r.group_lo == r.group_hi),
        key=lambda r: (r.creator, r.group_lo, r.element),
    )
    ranged = sorted(
        (r for r in rows if r.group_lo != r.group_hi),
        key=lambda r: (r.creator, r.group_lo, r.group_hi, r.element),
    )
    out = [
        f"# GENERATED by {GENERATOR} from ../shared/dicom-standard: do not edit.",
        f"# Private data elements: DCMTK {dcmtk_path} (see SOURCE.md there); VRs checked against"
        f" {part05_edition} Table 6.2-1.",
        f"# Regenerate with `python {GENERATOR}`; `--check` verifies this file is current.",
        '"""Vendors\' private data elements as data (generated; see the header).',
        "",
        "An element number below 0x100 is the element byte within whichever block the creator",
        "reserved (PS3.5 7.8.1: the element is (gggg,xxee) with the creator at (gggg,00xx)); one",
        'of 0x1000 or more is a fixed element number."""',
        "",
        "# (private creator, group, element) -> (VR, VM, name)",
        "PRIVATE_ELEMENTS: dict[tuple[str, int, int], tuple[str, str, str]] = {",
    ]
    for r in single:
        key = f"({r.creator!r}, 0x{r.group_lo:04X}, 0x{r.element:02X})"
        out.append(f"    {key}: ({r.vr!r}, {r.vm!r}, {r.name!r}),")
    out += [
        "}",
        "",
        "# Odd-group ranges: (private creator, first group, last group, element, VR, VM, name)",
        "PRIVATE_RANGES: list[tuple[str, int, int, int, str, str, str]] = [",
    ]
    for r in ranged:
        out.append(
            f"    ({r.creator!r}, 0x{r.group_lo:04X}, 0x{r.group_hi:04X}, 0x{r.element:02X},"
            f" {r.vr!r}, {r.vm!r}, {r.name!r}),"
        )
    out += ["]", ""]
    return "\n".join(out)


def generate_private(standard: Path) -> str:
    """Read ``dcmtk/private.dic`` under ``standard`` and return the private module text."""
    rows = parse_private(standard / PRIVATE_DIC)
    p5_edition, vrs = parse_part05_vrs(standard / PART05_XML)
    check_private_vrs(rows, vrs)
    if len(rows) < 2500:
        raise ValueError(f"only {len(rows)} private dictionary rows")
    return render_private(PRIVATE_DIC, rows, p5_edition)


def generate(standard: Path) -> str:
    """Read the standard's data files under ``standard`` and return the module text.

    Raises ValueError when the sources disagree with the assumptions documented above.
    """
    dcmtk_edition, dcmtk = parse_dcmtk(standard / DCMTK_DIC)
    fo_edition, fo, fo_uids = parse_fo_dicom(standard / FO_DICOM_XML)
    p6_edition, p6 = parse_part06(standard / PART06_XML)
    p5_edition, vrs = parse_part05_vrs(standard / PART05_XML)
    exact, masks = merge(dcmtk, fo, p6)
    check_vrs(exact + masks, vrs)
    check_keywords(exact, masks)
    uids = dict(fo_uids)
    for uid, row in HAND_UIDS.items():
        if uid in uids:
            raise ValueError(f"{uid} is now in fo-dicom's registry; drop it from HAND_UIDS")
        uids[uid] = row
    if len(uids) < 450:
        raise ValueError(f"only {len(uids)} UIDs in the registry")
    editions = {
        "dcmtk": dcmtk_edition,
        "fo": fo_edition,
        "part06": p6_edition,
        "part05": p5_edition,
    }
    return render(editions, exact, masks, uids)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--standard", type=Path, default=DEFAULT_STANDARD)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--private-output", type=Path, default=None, help="default: beside --output"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if an output is not current")
    args = parser.parse_args(argv)
    private_output = args.private_output or args.output.with_name(PRIVATE_MODULE)
    outputs = [
        (args.output, generate(args.standard)),
        (private_output, generate_private(args.standard)),
    ]
    if args.check:
        status = 0
        for output, text in outputs:
            try:
                current = output.read_text(encoding="utf-8")
            except FileNotFoundError:
                current = None
            if current != text:
                print(f"{output} is out of date; run python {GENERATOR}", file=sys.stderr)
                status = 1
            else:
                print(f"{output} is current")
        return status
    for output, text in outputs:
        output.write_text(text, encoding="utf-8")
        print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Regenerate ``lazydcm/deid/_table.py`` (the de-identification tables) from the standard's data.

Usage::

    python tools/gen_deid.py [--standard DIR] [--output FILE] [--check]

``--standard`` is the directory described by its ``SOURCE.md`` (default
``<repo>/../shared/dicom-standard``). With ``--check`` nothing is written: the module is generated
in memory and the exit status is 1 when the committed file differs, 0 when it matches.

Where each fact comes from:

* PS3.15 2026c DocBook ``nema-docbook/2026c/part15.xml``: Table E.1-1 (one row per attribute: name,
  tag, retired, in a standard composite IOD, the Basic Profile action and the action of each of the
  ten option columns), Table E.1-1a (the action codes and their meaning) and Table E.3.10-1 (the
  safe private attributes: group, element byte, private creator, VR, VM, meaning). The option
  column headers are checked against the abbreviations below (``OPTION_COLUMNS``), so a reordered
  table fails loudly instead of being read into the wrong option.
* CID 7050 (De-identification Method, PS3.16): PS3.16 is not in the shared standard data, so the
  codes come from the best available transcription: the concept tables pydicom generates from
  PS3.16 (``pydicom/sr/_concepts_dict.py``, read as data with ``ast``, never imported). The
  generator checks that every option of Table E.1-1 and the Basic Profile has exactly one code whose
  meaning names it.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_STANDARD = REPO.parent / "shared" / "dicom-standard"
DEFAULT_OUTPUT = REPO / "lazydcm" / "deid" / "_table.py"
PART15 = Path("nema-docbook") / "2026c" / "part15.xml"

_DB = "{http://docbook.org/ns/docbook}"
_XML_ID = "{http://www.w3.org/XML/1998/namespace}id"

#: Table E.1-1 option columns, in table order: (header as printed, lazydcm option name,
#: the option's name in PS3.15 E.3 and CID 7050).
OPTION_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("Rtn. Safe Priv. Opt.", "retain_safe_private", "Retain Safe Private Option"),
    ("Rtn. UIDs Opt.", "retain_uids", "Retain UIDs Option"),
    ("Rtn. Dev. Id. Opt.", "retain_device_identity", "Retain Device Identity Option"),
    ("Rtn. Inst. Id. Opt.", "retain_institution_identity", "Retain Institution Identity Option"),
    (
        "Rtn. Pat. Chars. Opt.",
        "retain_patient_characteristics",
        "Retain Patient Characteristics Option",
    ),
    (
        "Rtn. Long. Full Dates Opt.",
        "retain_long_full_dates",
        "Retain Longitudinal Temporal Information Full Dates Option",
    ),
    (
        "Rtn. Long. Modif. Dates Opt.",
        "retain_long_modified_dates",
        "Retain Longitudinal Temporal Information Modified Dates Option",
    ),
    ("Clean Desc. Opt.", "clean_descriptors", "Clean Descriptors Option"),
    ("Clean Struct. Cont. Opt.", "clean_structured_content", "Clean Structured Content Option"),
    ("Clean Graph. Opt.", "clean_graphics", "Clean Graphics Option"),
)
_FIXED_COLUMNS = ("Attribute Name", "Tag", "Retd.", "In Std. Comp. IOD", "Basic Prof.")
#: Options with a CID 7050 code that have no column of their own (they act on pixel data).
PIXEL_OPTIONS = (
    ("clean_pixel_data", "Clean Pixel Data Option"),
    ("clean_recognizable_visual_features", "Clean Recognizable Visual Features Option"),
)
BASIC_PROFILE = "Basic Application Confidentiality Profile"
ACTION_CODES = ("D", "Z", "X", "K", "C", "U", "Z/D", "X/Z", "X/D", "X/Z/D", "X/Z/U*")


class GenerationError(Exception):
    """The sources do not look as the generator expects."""


def _text(node: ET.Element) -> str:
    return " ".join("".join(node.itertext()).split())


def _table(root: ET.Element, xml_id: str) -> ET.Element:
    for table in root.iter(f"{_DB}table"):
        if table.get(_XML_ID) == xml_id:
            return table
    raise GenerationError(f"part15.xml has no table {xml_id}")


def _rows(table: ET.Element, section: str) -> list[list[str]]:
    part = table.find(f"{_DB}{section}")
    if part is None:
        return []
    return [[_text(td) for td in tr] for tr in part.findall(f"{_DB}tr")]


def _edition(root: ET.Element) -> str:
    subtitle = root.find(f".//{_DB}subtitle")
    if subtitle is None or not subtitle.text:
        raise GenerationError("part15.xml has no subtitle naming the edition")
    match = re.search(r"PS3\.15 (\d{4}[a-e])", subtitle.text)
    if match is None:
        raise GenerationError(f"cannot read the edition from {subtitle.text!r}")
    return match.group(1)


_TAG = re.compile(r"\(([0-9A-Fa-fx]{4}),([0-9A-Fa-fx]{4})\)")


def _check_header(header: list[str]) -> None:
    expected = [*_FIXED_COLUMNS, *(col[0] for col in OPTION_COLUMNS)]
    if len(header) != len(expected):
        raise GenerationError(f"Table E.1-1 has {len(header)} columns, expected {len(expected)}")
    for got, want in zip(header, expected, strict=True):
        if not got.startswith(want):
            raise GenerationError(f"Table E.1-1 column {got!r} where {want!r} was expected")


def parse_actions(root: ET.Element) -> tuple[list[tuple], list[tuple], tuple]:
    """Table E.1-1 as (exact rows, repeating-group mask rows, the private-attributes row).

    An exact row is ``(tag, name, retired, in_composite_iod, basic, options)``; a mask row is
    ``(mask, value, text, name, retired, in_composite_iod, basic, options)`` where a tag matches
    when ``tag & mask == value``; ``options`` is a tuple of one action (or "") per option column.
    """
    table = _table(root, "table_E.1-1")
    header = _rows(table, "thead")
    if len(header) != 1:
        raise GenerationError("Table E.1-1 should have one header row")
    _check_header(header[0])
    exact: list[tuple] = []
    masked: list[tuple] = []
    private: tuple | None = None
    for row in _rows(table, "tbody"):
        if len(row) != len(_FIXED_COLUMNS) + len(OPTION_COLUMNS):
            raise GenerationError(f"Table E.1-1 row {row[:2]} has {len(row)} cells")
        name, tag_text, retired, in_iod, basic, *options = row
        for code in (basic, *options):
            if code and code not in ACTION_CODES:
                raise GenerationError(f"{tag_text}: unknown action code {code!r}")
        if not basic:
            raise GenerationError(f"{tag_text}: no Basic Profile action")
        flags = (retired == "Y", in_iod == "Y")
        if tag_text.startswith("(gggg,eeee)"):
            private = (name, *flags, basic, tuple(options))
            continue
        match = _TAG.fullmatch(tag_text)
        if match is None:
            raise GenerationError(f"Table E.1-1: cannot read the tag {tag_text!r}")
        digits = (match.group(1) + match.group(2)).upper()
        if "X" in digits:
            mask = int("".join("0" if c == "X" else "F" for c in digits), 16)
            value = int(digits.replace("X", "0"), 16)
            masked.append((mask, value, tag_text, name, *flags, basic, tuple(options)))
        else:
            exact.append((int(digits, 16), name, *flags, basic, tuple(options)))
    if private is None:
        raise GenerationError("Table E.1-1 has no row for private attributes")
    tags = [row[0] for row in exact]
    if len(set(tags)) != len(tags):
        raise GenerationError("Table E.1-1 lists a tag twice")
    return sorted(exact), masked, private


def parse_action_codes(root: ET.Element) -> list[tuple[str, str]]:
    """Table E.1-1a: (code, meaning) in table order."""
    rows = _rows(_table(root, "table_E.1-1a"), "tbody")
    codes = [(row[0], row[1]) for row in rows]
    if tuple(code for code, _ in codes) != ACTION_CODES:
        raise GenerationError(f"Table E.1-1a codes changed: {[c for c, _ in codes]}")
    return codes


def parse_safe_private(root: ET.Element) -> list[tuple]:
    """Table E.3.10-1: ``(group, element_byte, creator, vr, vm, meaning)`` sorted."""
    out = []
    for row in _rows(_table(root, "table_E.3.10-1"), "tbody"):
        tag_text, creator, vr, vm, meaning = row
        match = re.fullmatch(r"\(([0-9A-Fa-f]{4}),xx([0-9A-Fa-f]{2})\)", tag_text)
        if match is None:
            raise GenerationError(f"Table E.3.10-1: cannot read the tag {tag_text!r}")
        group = int(match.group(1), 16)
        if group % 2 == 0:
            raise GenerationError(f"Table E.3.10-1: {tag_text} is not a private group")
        out.append((group, int(match.group(2), 16), creator, vr, vm, meaning))
    keys = [(r[0], r[1], r[2]) for r in out]
    if len(set(keys)) != len(keys):
        raise GenerationError("Table E.3.10-1 lists an element twice")
    return sorted(out)


def _pydicom_concepts_file() -> Path:
    spec = importlib.util.find_spec("pydicom")
    if spec is None or not spec.submodule_search_locations:
        raise GenerationError("CID 7050 is read from pydicom's PS3.16 tables: install pydicom")
    return Path(next(iter(spec.submodule_search_locations))) / "sr" / "_concepts_dict.py"


def _cid_edition(concepts: Path) -> str:
    """The PS3.16 edition pydicom's _version.py names for its sr/ tables."""
    about = (concepts.parent.parent / "_version.py").read_text(encoding="utf-8")
    match = re.search(r"__concepts_version__\s*(?::\s*str)?\s*=\s*[\"'](\w+)", about)
    return f"PS3.16 {match.group(1)}" if match else "PS3.16 (edition not stated)"


def parse_cid7050(concepts: Path) -> list[tuple[str, str, str]]:
    """CID 7050 as ``(code value, scheme, meaning)`` from pydicom's PS3.16 concept tables."""
    tree = ast.parse(concepts.read_text(encoding="utf-8"))
    table: dict = {}
    for node in tree.body:
        # the file assigns one scheme at a time: concepts["DCM"] = {...}
        if not (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript)):
            continue
        target = node.targets[0]
        if isinstance(target.value, ast.Name) and target.value.id == "concepts":
            table[ast.literal_eval(target.slice)] = ast.literal_eval(node.value)
    if not table:
        raise GenerationError(f"{concepts}: no 'concepts' table")
    codes = []
    for scheme, by_keyword in table.items():
        for by_code in by_keyword.values():
            for code, (meaning, cids) in by_code.items():
                if 7050 in cids:
                    codes.append((code, scheme, meaning))
    wanted = [BASIC_PROFILE, *(c[2] for c in OPTION_COLUMNS), *(p[1] for p in PIXEL_OPTIONS)]
    meanings = [c[2] for c in codes]
    for name in wanted:
        if meanings.count(name) != 1:
            raise GenerationError(f"CID 7050 has {meanings.count(name)} codes for {name!r}")
    return sorted(codes)


def _option_code_map(codes: list[tuple[str, str, str]]) -> dict[str, tuple[str, str, str]]:
    by_meaning = {c[2]: c for c in codes}
    out = {"basic": by_meaning[BASIC_PROFILE]}
    for _, option, meaning in OPTION_COLUMNS:
        out[option] = by_meaning[meaning]
    for option, meaning in PIXEL_OPTIONS:
        out[option] = by_meaning[meaning]
    return out


def generate(standard: Path, concepts: Path | None = None) -> str:
    """The text of ``lazydcm/deid/_table.py``."""
    root = ET.parse(standard / PART15).getroot()
    edition = _edition(root)
    exact, masked, private = parse_actions(root)
    codes = parse_action_codes(root)
    safe = parse_safe_private(root)
    concepts = concepts or _pydicom_concepts_file()
    cid = parse_cid7050(concepts)
    option_codes = _option_code_map(cid)
    out = [
        "# GENERATED by tools/gen_deid.py from ../shared/dicom-standard: do not edit.",
        f"# Actions: DICOM PS3.15 {edition} Table E.1-1 (Basic Profile and option columns) and"
        f" Table E.1-1a (action codes), from {PART15.as_posix()}.",
        f"# Safe private attributes: DICOM PS3.15 {edition} Table E.3.10-1.",
        f"# CID 7050 codes (PS3.16; not in the shared standard data): read as data from pydicom's"
        f" {_cid_edition(concepts)} tables, sr/_concepts_dict.py.",
        "# Regenerate with `python tools/gen_deid.py`; `--check` verifies this file is current.",
        '"""PS3.15 Annex E de-identification tables as data (generated; see the header)."""',
        "",
        f"EDITION = {edition!r}",
        "",
        "#: Option names in Table E.1-1 column order.",
        "OPTIONS: tuple[str, ...] = (",
        *(f"    {opt!r}," for _, opt, _ in OPTION_COLUMNS),
        ")",
        "",
        "#: Table E.1-1a: action code -> meaning.",
        "ACTION_CODES: dict[str, str] = {",
        *(f"    {code!r}: {meaning!r}," for code, meaning in codes),
        "}",
        "",
        "#: Table E.1-1: tag -> (name, retired, in std composite IOD, basic action, option actions).",
        "ACTIONS: dict[int, tuple[str, bool, bool, str, tuple[str, ...]]] = {",
    ]
    for tag, name, retired, in_iod, basic, options in exact:
        out.append(f"    0x{tag:08X}: ({name!r}, {retired}, {in_iod}, {basic!r}, {options!r}),")
    out += [
        "}",
        "",
        "#: Table E.1-1 repeating-group rows: (mask, value, tag as printed, name, retired,",
        "#: in std composite IOD, basic action, option actions); a tag matches if tag & mask == value.",
        "MASKED_ACTIONS: tuple[tuple[int, int, str, str, bool, bool, str, tuple[str, ...]], ...] = (",
    ]
    for mask, value, text, name, retired, in_iod, basic, options in masked:
        out.append(
            f"    (0x{mask:08X}, 0x{value:08X}, {text!r}, {name!r}, {retired}, {in_iod},"
            f" {basic!r}, {options!r}),"
        )
    name, retired, in_iod, basic, options = private
    out += [
        ")",
        "",
        "#: Table E.1-1 row '(gggg,eeee) where gggg is odd': (name, retired, in IOD, basic, options).",
        f"PRIVATE_ACTIONS = ({name!r}, {retired}, {in_iod}, {basic!r}, {options!r})",
        "",
        "#: Table E.3.10-1: (group, element byte, private creator) -> (VR, VM, meaning).",
        "SAFE_PRIVATE: dict[tuple[int, int, str], tuple[str, str, str]] = {",
    ]
    for group, elem, creator, vr, vm, meaning in safe:
        out.append(
            f"    (0x{group:04X}, 0x{elem:02X}, {creator!r}): ({vr!r}, {vm!r}, {meaning!r}),"
        )
    out += [
        "}",
        "",
        "#: CID 7050 De-identification Method: (code value, coding scheme, code meaning).",
        "CID_7050: tuple[tuple[str, str, str], ...] = (",
        *(f"    {code!r}," for code in cid),
        ")",
        "",
        "#: 'basic' and each option name -> its CID 7050 code.",
        "METHOD_CODES: dict[str, tuple[str, str, str]] = {",
        *(f"    {opt!r}: {code!r}," for opt, code in option_codes.items()),
        "}",
        "",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--standard", type=Path, default=DEFAULT_STANDARD)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="exit 1 if --output is not current")
    args = parser.parse_args(argv)
    try:
        text = generate(args.standard)
    except (GenerationError, OSError) as exc:
        print(f"gen_deid: {exc}", file=sys.stderr)
        return 2
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
        if current != text:
            print(f"{args.output} is out of date; run python tools/gen_deid.py")
            return 1
        print(f"{args.output} is current")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

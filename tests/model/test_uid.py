"""Tests for lazydcm.model.uid: the UID registry, UID properties and generate_uid.

Registry expectations are read here from fo-dicom's XML with ElementTree (not from the generated
table); the four transfer syntaxes newer than fo-dicom are checked against PS3.5 2026c. The files
live in ``<repo>/../shared/dicom-standard``; when missing these tests fail under ``CI`` and skip
otherwise.
"""

from __future__ import annotations

import os
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lazydcm.io import syntax
from lazydcm.model import uid as uid_module
from lazydcm.model.uid import (
    IMPLEMENTATION_CLASS_UID,
    IMPLEMENTATION_VERSION_NAME,
    LAZYDCM_ROOT_UID,
    TRANSFER_SYNTAXES,
    UID,
    generate_uid,
)

REPO = Path(__file__).resolve().parents[2]
STANDARD = REPO / ".." / "shared" / "dicom-standard"

HAND_ADDED = {
    "1.2.840.10008.1.2.4.110": ("JPEG XL Lossless", "JPEGXLLossless"),
    "1.2.840.10008.1.2.4.111": ("JPEG XL JPEG Recompression", "JPEGXLJPEGRecompression"),
    "1.2.840.10008.1.2.4.112": ("JPEG XL", "JPEGXL"),
    "1.2.840.10008.1.2.8.1": ("Deflated Image Frame Compression", "DeflatedImageFrameCompression"),
}
PAPYRUS3_IMPLICIT = "1.2.840.10008.1.20"


def _require_standard() -> Path:
    if not (STANDARD / "SOURCE.md").is_file():
        message = f"DICOM standard data files not found at {STANDARD}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return STANDARD


@pytest.fixture(scope="module")
def fo_uids() -> dict[str, ET.Element]:
    path = _require_standard() / "fo-dicom" / "DICOMDictionary.xml"
    return {el.get("uid"): el for el in ET.parse(path).getroot().iter("uid")}


# ------------------------------------------------------------------------------- registry


def test_registry_is_fo_dicom_table_a1_plus_hand_additions(fo_uids):
    expected = {u for u, el in fo_uids.items() if el.get("type") != "Context Group Name"}
    registered = {u for u in uid_module._UIDS}
    assert registered == expected | set(HAND_ADDED)
    assert len(registered) >= 450


def test_registry_rows_match_fo_dicom(fo_uids):
    named = 0
    for value in uid_module._UIDS:
        if value in HAND_ADDED:
            continue
        el = fo_uids[value]
        uid = UID(value)
        assert uid.name == " ".join(el.text.split()) and uid.name, value  # whitespace tidied
        assert uid.keyword == (el.get("keyword") or ""), value
        assert uid.type == el.get("type"), value
        assert uid.is_retired is (el.get("retired") == "true"), value
        named += 1
    assert named >= 450


def test_context_groups_are_not_uids(fo_uids):
    context_groups = [u for u, el in fo_uids.items() if el.get("type") == "Context Group Name"]
    assert len(context_groups) > 1000
    for value in context_groups[:50]:
        assert UID(value).name == ""


@pytest.mark.parametrize(("value", "name_keyword"), sorted(HAND_ADDED.items()))
def test_hand_added_transfer_syntaxes(value, name_keyword):
    uid = UID(value)
    assert (uid.name, uid.keyword) == name_keyword
    assert uid.type == "Transfer Syntax" and uid.is_transfer_syntax
    assert not uid.is_retired
    assert uid in TRANSFER_SYNTAXES
    # PS3.5 A.4: all four are explicit VR little endian with encapsulated pixel data.
    assert (uid.is_implicit_VR, uid.is_little_endian, uid.is_deflated) == (False, True, False)
    assert uid.is_encapsulated and uid.is_compressed


def test_hand_added_uids_are_defined_by_ps35_2026c():
    text = (_require_standard() / "nema-docbook" / "2026c" / "part05.xml").read_text("utf-8")
    for value in HAND_ADDED:
        assert f'"{value}"' in text, value


def test_named_constants_match_the_registry_by_keyword(fo_uids):
    by_keyword = {el.get("keyword"): u for u, el in fo_uids.items()}
    for name in uid_module.__all__:
        value = getattr(uid_module, name)
        if isinstance(value, UID) and name in by_keyword:
            assert value == by_keyword[name], name
            assert value.keyword == name
    assert uid_module.ImplicitVRLittleEndian == syntax.IMPLICIT_LE
    assert uid_module.ExplicitVRLittleEndian == syntax.EXPLICIT_LE
    assert uid_module.ExplicitVRBigEndian == syntax.EXPLICIT_BE
    assert uid_module.DeflatedExplicitVRLittleEndian == syntax.DEFLATED_LE


def test_transfer_syntaxes_are_every_registered_transfer_syntax(fo_uids):
    expected = {u for u, el in fo_uids.items() if el.get("type") == "Transfer Syntax"}
    assert set(TRANSFER_SYNTAXES) == expected | set(HAND_ADDED)
    assert len(TRANSFER_SYNTAXES) == len(set(TRANSFER_SYNTAXES))
    assert all(type(ts) is UID and ts.is_transfer_syntax for ts in TRANSFER_SYNTAXES)


# ------------------------------------------------------------- transfer syntax properties


@pytest.mark.parametrize("ts", TRANSFER_SYNTAXES, ids=str)
def test_transfer_syntax_properties_follow_the_byte_layout(ts):
    layout = syntax.layout_for(ts)
    assert ts.is_implicit_VR is layout.implicit_vr
    assert ts.is_little_endian is layout.little_endian
    assert ts.is_deflated is layout.deflated
    assert ts.is_encapsulated is layout.encapsulated
    assert ts.is_compressed is ts.is_encapsulated
    # Standard facts every syntax shares: big endian only for the retired A.3 syntax, a
    # deflated dataset never has encapsulated pixel data, explicit VR unless PS3.5 A.1.
    assert ts.is_little_endian is (ts != syntax.EXPLICIT_BE)
    assert not (ts.is_deflated and ts.is_encapsulated)
    if ts != PAPYRUS3_IMPLICIT:
        assert ts.is_implicit_VR is (ts == syntax.IMPLICIT_LE)


@pytest.mark.parametrize(
    ("ts", "implicit", "little", "deflated", "encapsulated"),
    [
        ("1.2.840.10008.1.2", True, True, False, False),  # PS3.5 A.1
        ("1.2.840.10008.1.2.1", False, True, False, False),  # A.2
        ("1.2.840.10008.1.2.2", False, False, False, False),  # A.3
        ("1.2.840.10008.1.2.1.99", False, True, True, False),  # A.5
        ("1.2.840.10008.1.2.1.98", False, True, False, True),  # A.4.11 encapsulated uncompressed
        ("1.2.840.10008.1.2.4.50", False, True, False, True),  # A.4.1 JPEG
        ("1.2.840.10008.1.2.4.90", False, True, False, True),  # A.4.4 JPEG 2000
        ("1.2.840.10008.1.2.5", False, True, False, True),  # A.4.2 RLE
        ("1.2.840.10008.1.2.4.201", False, True, False, True),  # HTJ2K
        ("1.2.840.10008.1.2.4.95", False, True, True, False),  # A.7 JPIP Referenced Deflate
    ],
)
def test_transfer_syntax_standard_facts(ts, implicit, little, deflated, encapsulated):
    uid = UID(ts)
    assert (uid.is_implicit_VR, uid.is_little_endian) == (implicit, little)
    assert (uid.is_deflated, uid.is_encapsulated) == (deflated, encapsulated)


def test_papyrus3_implicit_is_implicit_vr():
    assert UID(PAPYRUS3_IMPLICIT).is_implicit_VR


@pytest.mark.parametrize(
    "value", ["1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.1.1", "1.2.3.4", "", "not a uid"]
)
def test_non_transfer_syntax_properties_raise(value):
    uid = UID(value)
    assert not uid.is_transfer_syntax
    for prop in ("is_implicit_VR", "is_little_endian", "is_deflated", "is_encapsulated"):
        with pytest.raises(ValueError, match="not a transfer syntax"):
            getattr(uid, prop)
    with pytest.raises(ValueError, match="not a transfer syntax"):
        _ = uid.is_compressed


# ------------------------------------------------------------------------------ UID as str


def test_uid_is_a_str():
    uid = UID("1.2.840.10008.1.2.1")
    assert isinstance(uid, str)
    assert uid == "1.2.840.10008.1.2.1"
    assert hash(uid) == hash("1.2.840.10008.1.2.1")
    assert {"1.2.840.10008.1.2.1": 1}[uid] == 1
    assert repr(uid) == "UID('1.2.840.10008.1.2.1')"
    assert UID(uid) is uid


@pytest.mark.parametrize(
    "padded", ["1.2.840.10008.1.2\0", "1.2.840.10008.1.2 ", "1.2.840.10008.1.2\0 "]
)
def test_value_padding_is_removed(padded):
    uid = UID(padded)
    assert uid == "1.2.840.10008.1.2"
    assert uid.is_transfer_syntax and uid.is_implicit_VR


@pytest.mark.parametrize("value", [b"1.2.3", 1.2, None, 123])
def test_non_str_is_a_type_error(value):
    with pytest.raises(TypeError):
        UID(value)


def test_unregistered_uid_has_empty_registry_facts():
    uid = UID("1.2.3.4.5")
    assert (uid.name, uid.keyword, uid.type, uid.is_retired) == ("", "", "", False)


def test_retired_flag():
    assert UID("1.2.840.10008.1.2.2").is_retired  # Explicit VR Big Endian
    assert not UID("1.2.840.10008.1.2.1").is_retired


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("1.2.840.10008.1.2.1", True),
        ("0", True),
        ("1.0.3", True),  # a lone zero is allowed
        ("2.25." + "9" * 59, True),  # 64 characters
        ("2.25." + "9" * 60, False),  # 65 characters
        ("1.02.3", False),  # leading zero
        ("01.2", False),
        ("1..2", False),  # empty component
        ("1.2.", False),
        (".1.2", False),
        ("", False),
        ("1.2.a", False),
        ("1.2 .3", False),
        ("1.2.-3", False),
        ("1.2.3\n", False),
        ("1.2.٣", False),  # non-ASCII digit
    ],
)
def test_is_valid_follows_ps35_9_1(value, valid):
    assert UID(value).is_valid is valid


# --------------------------------------------------------------------------- new UIDs


def test_generate_uid_default_is_a_uuid_under_2_25():
    values = {generate_uid() for _ in range(200)}
    assert len(values) == 200
    for value in values:
        assert type(value) is UID and value.is_valid
        assert value.startswith(LAZYDCM_ROOT_UID) and LAZYDCM_ROOT_UID == "2.25."
        number = int(value[len("2.25.") :])
        assert uuid.UUID(int=number).version == 4


def test_generate_uid_from_entropy_is_deterministic():
    first = generate_uid(entropy_srcs=["patient", 42, "study"])
    assert first == generate_uid(entropy_srcs=["patient", 42, "study"])
    assert first != generate_uid(entropy_srcs=["patient", 42, "study2"])
    assert first != generate_uid(entropy_srcs=["patient42", "study"])  # sources stay apart
    assert first.is_valid
    assert uuid.UUID(int=int(first[5:])).version == 5


def test_generate_uid_with_prefix():
    prefix = "1.2.826.0.1.3680043.99."
    value = generate_uid(prefix)
    assert value.startswith(prefix) and value.is_valid
    long_prefix = "1." + "2." * 29  # 60 characters: room for 4 digits
    value = generate_uid(long_prefix, entropy_srcs=["x"])
    assert len(value) == 64 and value.is_valid
    assert generate_uid(long_prefix, entropy_srcs=["x"]) == value


@pytest.mark.parametrize("prefix", ["1.2.3", "1.02.", "1..2.", "abc.", "", ".", "1." + "2." * 31])
def test_generate_uid_rejects_bad_prefixes(prefix):
    with pytest.raises(ValueError, match="prefix"):
        generate_uid(prefix)


def test_implementation_identifiers():
    assert generate_uid(entropy_srcs=["lazydcm"]) == IMPLEMENTATION_CLASS_UID
    assert IMPLEMENTATION_CLASS_UID.startswith("2.25.") and IMPLEMENTATION_CLASS_UID.is_valid
    assert IMPLEMENTATION_VERSION_NAME == "LAZYDCM_010"
    assert len(IMPLEMENTATION_VERSION_NAME) <= 16  # SH

"""lazydcm.datadict, organised as pydicom's datadict API reference: each documented function
through the face, plus the explicit DataDictionary that replaces pydicom's global additions."""

from __future__ import annotations

import pytest

import lazydcm
from lazydcm.datadict import (
    DataDictionary,
    add_dict_entries,
    add_dict_entry,
    add_private_dict_entries,
    add_private_dict_entry,
    dictionary_description,
    dictionary_has_tag,
    dictionary_is_retired,
    dictionary_keyword,
    dictionary_VM,
    dictionary_VR,
    get_entry,
    get_private_entry,
    keyword_for_tag,
    mask_match,
    private_dictionary_description,
    private_dictionary_VM,
    private_dictionary_VR,
    repeater_has_keyword,
    repeater_has_tag,
    tag_for_keyword,
)
from tests.model._implicit import implicit, part10

# -- dictionary_* --------------------------------------------------------------------------------


def test_dictionary_lookups_of_a_standard_tag():
    assert dictionary_VR(0x00100010) == "PN"
    assert dictionary_VM(0x00100010) == "1"
    assert dictionary_description(0x00100010) == "Patient's Name"
    assert dictionary_keyword(0x00100010) == "PatientName"
    assert dictionary_is_retired(0x00100010) is False
    assert dictionary_has_tag(0x00100010)
    assert get_entry(0x00100010) == ("PN", "1", "Patient's Name", False, "PatientName")


def test_tags_in_any_form():
    assert dictionary_VR((0x0010, 0x0010)) == "PN"
    assert dictionary_VR(lazydcm.Tag(0x00100010)) == "PN"
    assert dictionary_VR("PatientName") == "PN"


def test_ambiguous_and_retired_entries():
    assert dictionary_VR(0x00280106) == "US or SS"
    assert dictionary_is_retired(0x00281111)  # Large Red Palette Color LUT Descriptor


@pytest.mark.parametrize(
    "fn",
    [
        dictionary_VR,
        dictionary_VM,
        dictionary_description,
        dictionary_keyword,
        dictionary_is_retired,
        get_entry,
    ],
)
def test_unknown_and_private_tags_raise_key_error(fn):
    with pytest.raises(KeyError):
        fn(0x00111001)
    with pytest.raises(KeyError):
        fn(0x0010FFFF)


def test_repeating_groups():
    assert dictionary_VR(0x60023000) == "OB or OW"
    assert dictionary_keyword(0x60023000) == "OverlayData"
    assert repeater_has_tag(0x60023000)
    assert not repeater_has_tag(0x00100010)
    assert repeater_has_keyword("OverlayData")
    assert not repeater_has_keyword("PatientName")
    assert not repeater_has_keyword("NoSuchKeyword")
    assert mask_match(0x60043000) == "OverlayData"
    assert mask_match(0x00100010) is None


def test_keyword_and_tag():
    assert keyword_for_tag(0x00100010) == "PatientName"
    assert keyword_for_tag(0x00111001) == ""
    assert tag_for_keyword("PatientName") == 0x00100010
    assert tag_for_keyword("NoSuchKeyword") is None
    assert not dictionary_has_tag(0x00111001)


# -- private_dictionary_* --------------------------------------------------------------------------


def test_private_dictionary_lookups():
    assert private_dictionary_VR(0x00291008, "SIEMENS CSA HEADER") == "CS"
    assert private_dictionary_VM(0x00291008, "SIEMENS CSA HEADER") == "1"
    assert private_dictionary_description(0x00291008, "SIEMENS CSA HEADER") == "CSAImageHeaderType"
    assert get_private_entry(0x00291108, "SIEMENS CSA HEADER") == (
        "CS",
        "1",
        "CSAImageHeaderType",
        False,
    )
    with pytest.raises(KeyError):
        private_dictionary_VR(0x00291077, "SIEMENS CSA HEADER")
    with pytest.raises(ValueError):
        private_dictionary_VR(0x00101008, "SIEMENS CSA HEADER")


# -- run-time additions: explicit, never global -----------------------------------------------------


def test_add_functions_need_an_explicit_dictionary():
    with pytest.raises(TypeError, match="DataDictionary"):
        add_private_dict_entries("ACME 3.1", {0x10011001: ("UL", "1", "Test One", "")})
    with pytest.raises(TypeError, match="DataDictionary"):
        add_dict_entry(0x10020001, "UL", "TestOne", "Test One")


def test_private_additions_apply_only_where_passed():
    extra = DataDictionary()
    add_private_dict_entries(
        "ACME 3.1",
        {0x10011001: ("UL", "1", "Test One", ""), 0x10011002: ("SH", "1", "Test Two", "")},
        extra,
    )
    add_private_dict_entry("ACME 3.1", 0x10011003, "UI", "Test Three", dictionary=extra)
    assert private_dictionary_VR(0x10011001, "ACME 3.1", dictionary=extra) == "UL"
    assert private_dictionary_description(0x10011203, "ACME 3.1", dictionary=extra) == (
        "Test Three"
    )
    with pytest.raises(KeyError):
        private_dictionary_VR(0x10011001, "ACME 3.1")  # the built-in dictionary is unchanged
    with pytest.raises(ValueError):
        extra.add_private_dict_entry("ACME 3.1", 0x00101001, "UL", "even group")


def test_public_additions():
    extra = DataDictionary()
    add_dict_entries({0x10020001: ("UL", "1", "Test One", "", "TestOne")}, extra)
    assert dictionary_VR(0x10020001, dictionary=extra) == "UL"
    assert tag_for_keyword("TestOne", dictionary=extra) == 0x10020001
    assert tag_for_keyword("TestOne") is None
    assert dictionary_VR(0x00100010, dictionary=extra) == "PN"  # built-ins still there


def test_attached_dictionary_types_private_elements_of_an_implicit_file():
    body = (
        implicit(0x10010010, b"ACME 3.1")
        + implicit(0x10011001, (42).to_bytes(4, "little"))
        + implicit(0x10011002, b"Hello World ")
    )
    plain = lazydcm.dcmread(part10(body))
    assert plain[0x10011001].VR == "UN"
    extra = DataDictionary()
    add_private_dict_entries(
        "ACME 3.1",
        {0x10011001: ("UL", "1", "Test One", ""), 0x10011002: ("SH", "1", "Test Two", "")},
        extra,
    )
    ds = extra.attach(lazydcm.dcmread(part10(body)))
    assert (ds[0x10011001].VR, ds[0x10011001].value) == ("UL", 42)
    assert (ds[0x10011002].VR, ds[0x10011002].value) == ("SH", "Hello World")
    assert "(1001,1001) [Test One]" in str(ds)


def test_attached_public_additions_type_unknown_tags_of_an_implicit_file():
    body = implicit(0x10020001, (42).to_bytes(4, "little"))
    assert lazydcm.dcmread(part10(body))[0x10020001].VR == "UN"
    extra = DataDictionary()
    add_dict_entries({0x10020001: ("UL", "1", "Test One", "", "TestOne")}, extra)
    ds = extra.attach(lazydcm.dcmread(part10(body)))
    assert (ds[0x10020001].VR, ds[0x10020001].value) == ("UL", 42)

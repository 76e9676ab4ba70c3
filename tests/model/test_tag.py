"""Tests for lazydcm.model.tag: Tag construction, accessors and tag_repr."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from lazydcm.model.tag import Tag, tag_repr

PATIENT_NAME = 0x00100010


@pytest.mark.parametrize(
    "args",
    [
        (PATIENT_NAME,),
        (0x0010, 0x0010),
        ((0x0010, 0x0010),),
        ("PatientName",),
        ("00100010",),
        ("(0010,0010)",),
        (" (0010,0010) ",),
        ("0010,0010",),
        ("00100010".lower(),),
        (np.uint32(PATIENT_NAME),),
        (np.int64(PATIENT_NAME),),
        (np.uint16(0x10), np.uint16(0x10)),
        ((np.uint16(0x10), np.uint16(0x10)),),
        ([0x10, 0x10],),  # a list, as pydicom's Tag takes
        (("0x10", "0x10"),),  # hex-string tuple (pydicom)
        (("0010", "0010"),),
        ("0x00100010",),
    ],
)
def test_all_spellings_give_the_same_tag(args):
    tag = Tag(*args)
    assert tag == PATIENT_NAME
    assert type(tag) is Tag
    assert type(int(tag)) is int


def test_tag_of_a_tag_is_itself():
    tag = Tag(PATIENT_NAME)
    assert Tag(tag) is tag


def test_keyword_from_the_dictionary_wins_over_hex_parsing():
    # Keywords resolve through the dictionary, including repeating-group keywords.
    assert Tag("OverlayData") == 0x60003000
    assert Tag("PixelData") == 0x7FE00010
    assert Tag("FileMetaInformationGroupLength") == 0x00020000


@pytest.mark.parametrize("value", [0, 0xFFFFFFFF, 0xFFFEE000])
def test_bounds_are_accepted(value):
    assert Tag(value) == value


@pytest.mark.parametrize("value", [-1, 0x1_0000_0000, np.int64(-5)])
def test_out_of_range_int_is_a_value_error(value):
    with pytest.raises(ValueError, match="outside"):
        Tag(value)


@pytest.mark.parametrize("pair", [(-1, 0), (0, -1), (0x10000, 0), (0, 0x10000)])
def test_out_of_range_pair_is_a_value_error(pair):
    with pytest.raises(ValueError, match="outside"):
        Tag(pair)
    with pytest.raises(ValueError, match="outside"):
        Tag(*pair)


@pytest.mark.parametrize("value", [1.0, None, b"00100010", True, False, np.float64(1)])
def test_non_integers_are_a_type_error(value):
    with pytest.raises(TypeError):
        Tag(value)


@pytest.mark.parametrize("pair", [(1.0, 2), (True, 1), (0x10, None)])
def test_non_integer_pair_is_a_type_error(pair):
    with pytest.raises(TypeError):
        Tag(pair)


@pytest.mark.parametrize("value", [(), (1,), (1, 2, 3)])
def test_tuple_of_wrong_length_is_a_value_error(value):
    with pytest.raises(ValueError, match="group, element"):
        Tag(value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "NotAKeyword",
        "patientname",  # keywords are case-sensitive
        "0010001",  # seven digits
        "001000100",  # nine digits
        "-1000000",  # int(..., 16) would take the sign
        "+1000000",
        "0010_010",  # ... and underscores
        "0x100010",
        "0010001G",
        "(0010,001)",
    ],
)
def test_bad_strings_are_a_value_error(text):
    with pytest.raises(ValueError, match="neither a DICOM keyword"):
        Tag(text)


def test_group_and_element():
    tag = Tag(0x7FE00010)
    assert tag.group == 0x7FE0
    assert tag.element == 0x0010
    assert tag.elem == 0x0010


@pytest.mark.parametrize(
    ("value", "private", "creator"),
    [
        (0x00100010, False, False),
        (0x00090010, True, True),  # first private creator slot
        (0x000900FF, True, True),  # last private creator slot
        (0x0009000F, True, False),
        (0x00090100, True, False),
        (0x00091000, True, False),  # private data element of block 0x10
        (0x00290000, True, False),  # private group length
        (0x60003000, False, False),
    ],
)
def test_private_predicates(value, private, creator):
    tag = Tag(value)
    assert tag.is_private is private
    assert tag.is_private_creator is creator


def test_json_key_is_eight_upper_case_hex_digits():
    assert Tag(0x7FE00010).json_key == "7FE00010"
    assert Tag(0x0000000A).json_key == "0000000A"


def test_repr_and_str():
    assert repr(Tag(0x0008002A)) == "(0008,002A)"
    assert str(Tag(0xFFFEE0DD)) == "(FFFE,E0DD)"
    assert tag_repr(0x00100010) == "(0010,0010)"
    assert tag_repr(0) == "(0000,0000)"


def test_tag_hashes_and_compares_as_int():
    table = {PATIENT_NAME: "name"}
    assert table[Tag("PatientName")] == "name"
    assert {Tag(PATIENT_NAME): 1}[PATIENT_NAME] == 1
    assert sorted([Tag(0x00200010), Tag(0x00080010), 0x00100010]) == [
        0x00080010,
        0x00100010,
        0x00200010,
    ]
    assert Tag(PATIENT_NAME) + 1 == 0x00100011


def test_pickle_round_trip():
    tag = Tag(0x00291010)
    copy = pickle.loads(pickle.dumps(tag))
    assert copy == tag
    assert type(copy) is Tag

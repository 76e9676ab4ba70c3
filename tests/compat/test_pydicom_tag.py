"""pydicom API page "pydicom.tag": Tag, BaseTag, TupleTag, tag_in_exception, through
``lazydcm.tag``; differential against pydicom 3 where the results should be equal."""

from __future__ import annotations

import pydicom.tag as ptag
import pytest

from lazydcm.tag import BaseTag, Tag, TupleTag, tag_in_exception

SPELLINGS = [
    (0x00100010,),
    (0x0010, 0x0010),
    ((0x0010, 0x0010),),
    ([0x0010, 0x0010],),
    (("0x10", "0x10"),),
    ("0x00100010",),
    ("00100010",),
    ("PatientName",),
]


@pytest.mark.parametrize("args", SPELLINGS)
def test_spellings_give_the_tag_pydicom_gives(args):
    assert int(Tag(*args)) == int(ptag.Tag(*args)) == 0x00100010


@pytest.mark.parametrize(
    "other", [0x00100010, (0x10, 0x10), [0x10, 0x10], 0x00100011, (0x10, 0x11), (0x08, 0x20)]
)
def test_comparisons_with_ints_and_tuples_match_pydicom(other):
    ours, theirs = Tag(0x00100010), ptag.Tag(0x00100010)
    for op in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"):
        assert (getattr(ours, op)(other) is True) == (getattr(theirs, op)(other) is True), op


def test_tag_hashes_as_its_int_so_dict_lookups_mix():
    table = {Tag(0x00100010): "name"}
    assert table[0x00100010] == "name"
    assert hash(Tag((0x10, 0x10))) == hash(0x00100010)


def test_comparison_with_unrelated_types_is_false_not_an_error():
    assert Tag(0x00100010) != "PatientName"
    with pytest.raises(TypeError):
        _ = Tag(0x00100010) < "x"


@pytest.mark.parametrize("tag", [0x00091001, 0x00091010, 0x001910FF, 0x7FE1AB01])
def test_private_creator_matches_pydicom(tag):
    assert int(Tag(tag).private_creator) == int(ptag.Tag(tag).private_creator)


def test_private_creator_of_a_public_tag_is_an_error():
    with pytest.raises(ValueError, match="not a private"):
        Tag(0x00100010).private_creator  # noqa: B018


def test_base_tag_and_tuple_tag():
    assert BaseTag is Tag
    assert isinstance(Tag(1), BaseTag)
    assert TupleTag((0x10, 0x20)) == 0x00100020


def test_tag_in_exception_adds_the_tag_and_keeps_the_type():
    with pytest.raises(KeyError) as info, tag_in_exception(0x00100010):
        raise KeyError("boom")
    assert "(0010,0010)" in str(info.value)
    assert isinstance(info.value.__cause__, KeyError)


def test_tag_in_exception_is_silent_without_error():
    with tag_in_exception(Tag(0x00100010)):
        value = 1
    assert value == 1

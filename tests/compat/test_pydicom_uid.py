"""pydicom API page "pydicom.uid" through ``lazydcm.uid``: named constants, groupings,
UID properties and generate_uid; differential against pydicom 3."""

from __future__ import annotations

import pydicom.uid as puid
import pytest

import lazydcm.uid as luid
from lazydcm.model import _dictionary

GROUPS = [
    "UncompressedTransferSyntaxes",
    "JPEGTransferSyntaxes",
    "JPEGLSTransferSyntaxes",
    "JPEG2000TransferSyntaxes",
    "MPEGTransferSyntaxes",
    "RLETransferSyntaxes",
]


def test_every_named_uid_of_pydicom_exists_with_the_same_value():
    names = [n for n in dir(puid) if isinstance(getattr(puid, n), puid.UID) and n[0].isupper()]
    assert len(names) > 200
    missing = [
        n
        for n in names
        if n not in ("PYDICOM_IMPLEMENTATION_UID",)
        and (not hasattr(luid, n) or str(getattr(luid, n)) != str(getattr(puid, n)))
    ]
    assert missing == []


def test_every_registry_keyword_is_a_constant():
    for uid, (_name, keyword, _type, _retired) in _dictionary.UIDS.items():
        if keyword.isidentifier():
            assert getattr(luid, keyword) == uid, keyword
    assert "CTImageStorage" in luid.__all__


@pytest.mark.parametrize("group", GROUPS)
def test_groupings_match_pydicom(group):
    assert sorted(map(str, getattr(luid, group))) == sorted(map(str, getattr(puid, group)))


def test_all_transfer_syntaxes_cover_pydicoms_and_are_transfer_syntaxes():
    ours = set(map(str, luid.AllTransferSyntaxes))
    assert set(map(str, puid.AllTransferSyntaxes)) <= ours
    assert all(luid.UID(u).is_transfer_syntax for u in ours)
    assert luid.ExplicitVRBigEndian in luid.AllTransferSyntaxes  # retired but still read


@pytest.mark.parametrize(
    "uid",
    ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.4.50"],
)
def test_uid_properties_match_pydicom(uid):
    ours, theirs = luid.UID(uid), puid.UID(uid)
    # lazydcm gives the registry's full name (PS3.6 Annex A); pydicom shortens it
    # (docs/pydicom.md): the registry name starts with pydicom's.
    assert ours.name.startswith(theirs.name)
    assert ours.is_implicit_VR == theirs.is_implicit_VR
    assert ours.is_little_endian == theirs.is_little_endian
    assert ours.is_compressed == theirs.is_compressed
    assert ours.is_transfer_syntax == theirs.is_transfer_syntax


def test_generate_uid_entropy_is_deterministic_and_valid():
    a = luid.generate_uid(entropy_srcs=["x", 1])
    assert a == luid.generate_uid(entropy_srcs=["x", 1]) and a.is_valid
    assert luid.generate_uid(prefix="1.2.3.").startswith("1.2.3.")
    assert luid.generate_uid() != luid.generate_uid()

"""DS and IS elements read from a file (issue 10, kind 7): length 0 reads as None, a value of
padding only (spaces) as "" — pydicom 3's values for the same bytes. Built here from bytes."""

from __future__ import annotations

import warnings

import pydicom
import pytest
from _build import IMPLICIT_LE, el, iel, item, part10

import lazydcm

SLICE, INSTANCE = 0x00181050, 0x00200013  # Spatial Resolution (DS), Instance Number (IS)
SEQ = 0x00081115


@pytest.mark.parametrize("raw", [b"", b"  ", b"    ", b" \0"])
@pytest.mark.parametrize("where", ["top", "item", "implicit"])
def test_blank_ds_and_is_equal_pydicom(raw, where, tmp_path):
    if where == "implicit":
        body = iel(SLICE, raw) + iel(INSTANCE, raw)
        data = part10(body, IMPLICIT_LE)
    else:
        body = el(SLICE, b"DS", raw) + el(INSTANCE, b"IS", raw)
        data = part10(el(SEQ, b"SQ", item(body)) if where == "item" else body)
    path = tmp_path / "blank.dcm"
    path.write_bytes(data)
    mine = lazydcm.dcmread(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pydicom.dcmread(path)
    if where == "item":
        mine, ref = mine[SEQ].value[0], ref[SEQ].value[0]
    for tag in (SLICE, INSTANCE):
        assert mine[tag].value == ref[tag].value
        assert type(mine[tag].value) is type(ref[tag].value)
        assert (mine[tag].value is None) == (raw == b"")

"""resolve_vr: every ambiguous VR of PS3.6 settled by its rule (lazydcm/model/vr.py), both as a
function and through datasets read from implicit VR bytes built here."""

from __future__ import annotations

import struct

import pytest

import lazydcm
from lazydcm.model import _dictionary
from lazydcm.model.vr import VR, resolve_vr
from tests.model._implicit import implicit, part10

PIXEL_DATA = 0x7FE00010
BITS_ALLOCATED = 0x00280100
PIXEL_REPRESENTATION = 0x00280103
LUT_DESCRIPTOR = 0x00283002
LUT_DATA = 0x00283006


def _ctx(**values):
    return lambda tag: values.get(f"{tag:08X}")


def _ambiguous_rows():
    rows = [(tag, row[0]) for tag, row in _dictionary.ELEMENTS.items() if " or " in row[0]]
    rows += [(base, vr) for _m, base, vr, *_ in _dictionary.MASKS if " or " in vr]
    return rows


@pytest.mark.parametrize(("tag", "vr"), _ambiguous_rows())
@pytest.mark.parametrize("implicit_vr", [False, True])
@pytest.mark.parametrize("rep", [None, 0, 1])
@pytest.mark.parametrize("bits", [None, 1, 8, 16])
def test_every_ambiguous_entry_resolves_to_one_of_its_options(tag, vr, implicit_vr, rep, bits):
    ctx = {PIXEL_REPRESENTATION: rep, BITS_ALLOCATED: bits, 0x54001004: bits}
    got = resolve_vr(tag, vr, ctx.get, implicit_vr=implicit_vr)
    assert got in vr.split(" or ")
    assert VR(got)
    if implicit_vr and "OB" in vr:
        assert got == "OW"  # PS3.5 A.1


def test_unambiguous_vr_is_returned_unchanged():
    assert resolve_vr(0x00100010, "PN", lambda t: 1 / 0) == "PN"


@pytest.mark.parametrize(
    ("bits", "undefined", "expected"),
    [(8, False, "OB"), (1, False, "OB"), (16, False, "OW"), (None, False, "OW"), (16, True, "OB")],
)
def test_pixel_data_in_explicit_context(bits, undefined, expected):
    got = resolve_vr(PIXEL_DATA, "OB or OW", {BITS_ALLOCATED: bits}.get, undefined_length=undefined)
    assert got == expected


@pytest.mark.parametrize("tag", [0x60003000, 0x60023000, 0x601E3000])
def test_overlay_data_is_ow(tag):
    assert resolve_vr(tag, "OB or OW", {BITS_ALLOCATED: 8}.get) == "OW"


@pytest.mark.parametrize(("bits", "expected"), [(8, "OB"), (16, "OW"), (None, "OW")])
def test_waveform_data_follows_waveform_bits_allocated(bits, expected):
    assert resolve_vr(0x54001010, "OB or OW", {0x54001004: bits}.get) == expected
    assert resolve_vr(0x54001010, "OB or OW", {0x54001004: bits}.get, implicit_vr=True) == "OW"


@pytest.mark.parametrize(
    "tag", [0x00281101, 0x00281102, 0x00281103, 0x00281111, 0x00281112, 0x00281113, 0x00283002]
)
def test_descriptors_are_us_whatever_pixel_representation(tag):
    assert resolve_vr(tag, "US or SS", {PIXEL_REPRESENTATION: 1}.get) == "US"


@pytest.mark.parametrize(("rep", "expected"), [(0, "US"), (1, "SS"), (None, "US"), ([1], "SS")])
def test_pixel_values_follow_pixel_representation(rep, expected):
    assert resolve_vr(0x00280106, "US or SS", {PIXEL_REPRESENTATION: rep}.get) == expected


@pytest.mark.parametrize(
    ("descriptor", "expected"), [([1, 0, 16], "US"), ([256, 0, 8], "OW"), (None, "OW")]
)
def test_lut_data_follows_the_descriptor(descriptor, expected):
    assert resolve_vr(LUT_DATA, "US or OW", {LUT_DESCRIPTOR: descriptor}.get) == expected


# -- through datasets read from implicit VR bytes ----------------------------------------------


def _read(*elements: bytes):
    return lazydcm.dcmread(part10(b"".join(elements)))


def test_implicit_8_bit_pixel_data_is_ow():
    ds = _read(implicit(BITS_ALLOCATED, struct.pack("<H", 8)), implicit(PIXEL_DATA, bytes(4)))
    assert ds["PixelData"].VR == "OW"


def test_implicit_overlay_data_is_ow():
    ds = _read(implicit(0x60000100, struct.pack("<H", 1)), implicit(0x60003000, bytes(8)))
    assert ds["OverlayData"].VR == "OW"


def test_implicit_lut_descriptor_reads_unsigned_entry_count():
    ds = _read(
        implicit(PIXEL_REPRESENTATION, struct.pack("<H", 1)),
        implicit(0x00281101, struct.pack("<3H", 62720, 0, 16)),
        implicit(LUT_DESCRIPTOR, struct.pack("<3H", 62720, 0, 16)),
    )
    assert ds["LUTDescriptor"].VR == "US"
    assert list(ds.LUTDescriptor) == [62720, 0, 16]
    assert list(ds.RedPaletteColorLookupTableDescriptor) == [62720, 0, 16]


@pytest.mark.parametrize(("rep", "expected_vr", "value"), [(0, "US", 65535), (1, "SS", -1)])
def test_implicit_smallest_pixel_value_follows_pixel_representation(rep, expected_vr, value):
    ds = _read(
        implicit(PIXEL_REPRESENTATION, struct.pack("<H", rep)),
        implicit(0x00280106, struct.pack("<H", 0xFFFF)),
    )
    assert (ds["SmallestImagePixelValue"].VR, ds.SmallestImagePixelValue) == (expected_vr, value)


def test_pixel_representation_of_the_enclosing_dataset_applies_in_items():
    item = implicit(0x00280106, struct.pack("<H", 0xFFFF))
    seq_item = struct.pack("<HHI", 0xFFFE, 0xE000, len(item)) + item
    seq = struct.pack("<HHI", 0x5200, 0x9230, len(seq_item)) + seq_item
    ds = _read(implicit(PIXEL_REPRESENTATION, struct.pack("<H", 1)), seq)
    assert ds.PerFrameFunctionalGroupsSequence[0].SmallestImagePixelValue == -1


def test_new_pixel_data_in_code_follows_bits_allocated():
    ds = lazydcm.Dataset()
    ds.BitsAllocated = 8
    ds.PixelData = b"\0\1"
    assert ds["PixelData"].VR == "OB"
    ds2 = lazydcm.Dataset()
    ds2.BitsAllocated = 16
    ds2.PixelData = b"\0\1"
    assert ds2["PixelData"].VR == "OW"


def test_new_pixel_data_in_an_implicit_file_is_ow():
    ds = _read(implicit(BITS_ALLOCATED, struct.pack("<H", 8)))
    ds.PixelData = b"\0\1"
    assert ds["PixelData"].VR == "OW"

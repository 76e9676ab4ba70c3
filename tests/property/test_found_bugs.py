"""Bugs the properties found in lazydcm, as minimal regression tests.

While a bug is open its test is ``xfail(strict=True)`` (with the exception it raises), so the
suite stays green and the fix shows up as a strict XPASS; once fixed, the marker goes.
"""

from __future__ import annotations

import contextlib

import pytest
from _property_support import read

from lazydcm import Dataset, InvalidDicomError, Sequence
from lazydcm._strategies._encoder import (
    EXPLICIT_LE,
    Layout,
    encode_dataset,
    encode_file,
    encode_meta,
)
from lazydcm._strategies._spec import DatasetSpec
from lazydcm._strategies._spec import ElementSpec as E
from lazydcm.model.charset import CharsetWarning
from lazydcm.model.save import to_bytes


def test_sequence_set_through_value_inherits_charset():
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.add_new(0x00081140, "SQ", [])
    item = Dataset()
    item.PatientName = "Zoë^Ådne"
    ds[0x00081140].value = Sequence([item])  # via the value setter, not ds[tag] = DataElement
    back = read(to_bytes(ds))
    assert back.ReferencedImageSequence[0].PatientName == "Zoë^Ådne"  # was 'Zo\ufffd^\ufffddne'


def test_encapsulated_pixel_data_in_a_native_syntax():
    def item(data: bytes) -> bytes:
        return b"\xfe\xff\x00\xe0" + len(data).to_bytes(4, "little") + data

    image = [
        E(0x00280002, "US", 1),
        E(0x00280004, "CS", "MONOCHROME2"),
        E(0x00280010, "US", 1),
        E(0x00280011, "US", 1),
        E(0x00280100, "US", 8),
        E(0x00280101, "US", 8),
        E(0x00280102, "US", 7),
        E(0x00280103, "US", 0),
    ]
    pixels = E(0x7FE00010, "OB", item(b"") + item(b"\x00\x01"), True, True)  # encapsulated
    meta = DatasetSpec((E(0x00020001, "OB", b"\x00\x01"), E(0x00020010, "UI", EXPLICIT_LE)))
    ds = read(encode_file(DatasetSpec((*image, pixels)), meta, EXPLICIT_LE))
    with pytest.raises(InvalidDicomError):  # was MissingCodecError
        ds.pixel_array  # noqa: B018


def _file(body_elements, *, body_layout: Layout, transfer_syntax: str = EXPLICIT_LE) -> bytes:
    meta = encode_meta(
        DatasetSpec((E(0x00020001, "OB", b"\x00\x01"), E(0x00020010, "UI", transfer_syntax)))
    )
    return b"\0" * 128 + b"DICM" + meta + encode_dataset(DatasetSpec(body_elements), body_layout)


def test_specific_character_set_with_a_text_vr():
    # explicit VR LE; (0008,0005) stored with VR LO instead of CS (a corrupted VR)
    data = _file(
        [E(0x00080005, "LO", "ISO_IR 100"), E(0x00100010, "PN", "A^B")],
        body_layout=Layout(False, True),
    )
    ds = read(data)
    with contextlib.suppress(InvalidDicomError):  # either reads or raises the one error
        ds.decode()  # was RecursionError


def test_unmodified_file_with_sniffed_layout_writes_back():
    # (0002,0010) says Explicit VR Little Endian; the dataset is written in implicit VR
    data = _file([E(0x00100010, "PN", "A^B")], body_layout=Layout(True, True))
    ds = read(data)
    assert ds.PatientName == "A^B"
    assert to_bytes(ds) == data  # was re-encoded in explicit VR


def test_specific_character_set_with_a_number_vr():
    # explicit VR LE: (0008,0005) US, length 2, value 1 (a corrupted VR), then (0010,0010) PN
    charset_as_us = b"\x08\x00\x05\x00US\x02\x00\x01\x00"
    meta = encode_meta(
        DatasetSpec((E(0x00020001, "OB", b"\x00\x01"), E(0x00020010, "UI", EXPLICIT_LE)))
    )
    name = encode_dataset(DatasetSpec((E(0x00100010, "PN", "A^B"),)), Layout(False, True))
    ds = read(b"\0" * 128 + b"DICM" + meta + charset_as_us + name)
    with contextlib.suppress(InvalidDicomError):  # either reads or raises the one error
        ds.decode()  # was TypeError: 'int' object is not iterable


def test_specific_character_set_stored_as_a_sequence():
    """(0008,0005) stored with VR SQ (a corrupted VR; found by the 100,000-example mutation
    run), holding an item with a text element: resolving the charset printed the sequence,
    whose item text needed the same charset - endless recursion (RecursionError). Now an
    unknown term (default repertoire, with a CharsetWarning)."""
    item = encode_dataset(DatasetSpec((E(0x00100010, "PN", "A^B"),)), Layout(False, True))
    item = b"\xfe\xff\x00\xe0" + len(item).to_bytes(4, "little") + item
    charset_as_sq = b"\x08\x00\x05\x00SQ\x00\x00" + len(item).to_bytes(4, "little") + item
    meta = encode_meta(
        DatasetSpec((E(0x00020001, "OB", b"\x00\x01"), E(0x00020010, "UI", EXPLICIT_LE)))
    )
    name = encode_dataset(DatasetSpec((E(0x00100010, "PN", "C^D"),)), Layout(False, True))
    ds = read(b"\0" * 128 + b"DICM" + meta + charset_as_sq + name)
    with pytest.warns(CharsetWarning, match="unknown Specific Character Set term"):
        text = str(ds)
    assert "A^B" in text and "C^D" in text
    assert ds.PatientName == "C^D"


def test_bits_allocated_with_a_text_vr():
    # explicit VR LE: (0028,0100) stored as UI '8' (a corrupted VR); Pixel Data stored as UN,
    # so its VR is resolved from the dictionary's "OB or OW" with Bits Allocated
    data = _file(
        [E(0x00280100, "UI", "8"), E(0x7FE00010, "UN", b"\x00\x01")],
        body_layout=Layout(False, True),
    )
    ds = read(data)
    with contextlib.suppress(InvalidDicomError):  # either reads or raises the one error
        ds.decode()  # was TypeError: '<=' not supported between 'UID' and 'int'


def test_edit_inside_a_un_sequence_keeps_its_items_implicit():
    # explicit VR LE file; (0009,1010) UN of undefined length holding one item whose content
    # is implicit VR little endian (PS3.5 6.2.2), as real files carry private sequences
    item_body = encode_dataset(DatasetSpec((E(0x00100020, "LO", "ID1"),)), Layout(True, True))
    un_sequence = (
        b"\x09\x00\x10\x10"
        b"UN\x00\x00"
        b"\xff\xff\xff\xff"  # (0009,1010) UN undefined
        b"\xfe\xff\x00\xe0"
        b"\xff\xff\xff\xff"
        + item_body  # item, undefined length
        + b"\xfe\xff\x0d\xe0\x00\x00\x00\x00"  # item delimiter
        + b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"
    )  # sequence delimiter
    creator = encode_dataset(DatasetSpec((E(0x00090010, "LO", "ACME"),)), Layout(False, True))
    meta = encode_meta(
        DatasetSpec((E(0x00020001, "OB", b"\x00\x01"), E(0x00020010, "UI", EXPLICIT_LE)))
    )
    ds = read(b"\0" * 128 + b"DICM" + meta + creator + un_sequence)
    ds[0x00091010].value[0].PatientID = "NEWID"
    back = read(to_bytes(ds))
    assert back[0x00091010].value[0].PatientID == "NEWID"  # was garbage: items re-encoded explicit

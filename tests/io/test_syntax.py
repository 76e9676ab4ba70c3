"""Tests for lazydcm.io.syntax: transfer syntax UID -> byte layout."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import attrs
import pytest

from lazydcm.io.syntax import (
    DEFLATED_LE,
    DEFLATED_LE_LAYOUT,
    ENCAPSULATED_LAYOUT,
    EXPLICIT_BE,
    EXPLICIT_BE_LAYOUT,
    EXPLICIT_LE,
    EXPLICIT_LE_LAYOUT,
    IMPLICIT_LE,
    IMPLICIT_LE_LAYOUT,
    ByteLayout,
    layout_for,
)

REPO = Path(__file__).resolve().parents[2]
UID_REGISTRY = REPO / ".." / "shared" / "dicom-standard" / "fo-dicom" / "DICOMDictionary.xml"


def test_the_four_native_syntaxes():
    assert IMPLICIT_LE == "1.2.840.10008.1.2"
    assert EXPLICIT_LE == "1.2.840.10008.1.2.1"
    assert EXPLICIT_BE == "1.2.840.10008.1.2.2"
    assert DEFLATED_LE == "1.2.840.10008.1.2.1.99"
    assert layout_for(IMPLICIT_LE) == ByteLayout(implicit_vr=True, little_endian=True)
    assert layout_for(EXPLICIT_LE) == ByteLayout(implicit_vr=False, little_endian=True)
    assert layout_for(EXPLICIT_BE) == ByteLayout(implicit_vr=False, little_endian=False)
    assert layout_for(DEFLATED_LE) == ByteLayout(
        implicit_vr=False, little_endian=True, deflated=True
    )
    assert layout_for(IMPLICIT_LE) is IMPLICIT_LE_LAYOUT
    assert layout_for(EXPLICIT_LE) is EXPLICIT_LE_LAYOUT
    assert layout_for(EXPLICIT_BE) is EXPLICIT_BE_LAYOUT
    assert layout_for(DEFLATED_LE) is DEFLATED_LE_LAYOUT


@pytest.mark.parametrize("pad", ["\0", " ", "\0\0", " \0"])
def test_padding_from_the_meta_value_is_stripped(pad):
    # (0002,0010) is a UI value: padded to even length with a NUL (PS3.5 6.2), sometimes a space.
    assert layout_for(IMPLICIT_LE + pad) is IMPLICIT_LE_LAYOUT
    assert layout_for(EXPLICIT_BE + pad) is EXPLICIT_BE_LAYOUT


@pytest.mark.parametrize(
    "uid",
    [
        "1.2.840.10008.1.2.4.50",  # JPEG baseline
        "1.2.840.10008.1.2.4.70",  # JPEG lossless SV1
        "1.2.840.10008.1.2.4.90",  # JPEG 2000 lossless
        "1.2.840.10008.1.2.5",  # RLE
        "1.2.840.10008.1.2.8.1",  # Deflated Image Frame Compression: frames, not the dataset
        "1.2.3.4.5.6.7",  # unknown to everyone
        "",
    ],
)
def test_everything_else_is_explicit_le_encapsulated(uid):
    assert layout_for(uid) == ENCAPSULATED_LAYOUT
    assert (
        ByteLayout(implicit_vr=False, little_endian=True, encapsulated=True) == ENCAPSULATED_LAYOUT
    )


def test_layouts_are_frozen():
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        EXPLICIT_LE_LAYOUT.implicit_vr = True  # type: ignore[misc]


def _registry_transfer_syntaxes() -> list[tuple[str, str, str]]:
    if not UID_REGISTRY.is_file():
        return []
    root = ET.parse(UID_REGISTRY).getroot()
    return [
        (u.get("uid"), u.get("keyword"), (u.text or ""))
        for u in root.iter("uid")
        if u.get("type") == "Transfer Syntax"
    ]


def test_every_registered_transfer_syntax_against_its_registry_name():
    """Derive each syntax's layout from its PS3.6 name alone, independently of the code."""
    rows = _registry_transfer_syntaxes()
    if not rows:
        message = f"UID registry not found at {UID_REGISTRY}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    assert len(rows) > 50
    for uid, keyword, name in rows:
        layout = layout_for(uid)
        assert layout.implicit_vr == ("Implicit VR" in name), (uid, name)
        assert layout.little_endian == ("Big Endian" not in name), (uid, name)
        # "Deflate" names a deflated dataset except for Deflated Image Frame Compression.
        deflated = "Deflate" in keyword and "ImageFrame" not in keyword
        assert layout.deflated == deflated, (uid, name)
        native = "VR" in name and "Encapsulated" not in name
        referenced = keyword.startswith("JPIP")
        if native or referenced:
            assert not layout.encapsulated, (uid, name)

"""pydicom's ``uid`` module as a face over :mod:`lazydcm.model.uid`.

``from lazydcm.uid import UID, generate_uid, ExplicitVRLittleEndian, CTImageStorage`` works as
``from pydicom.uid import ...`` does. Every named UID of the registry (PS3.6 Annex A: transfer
syntaxes, SOP classes, well-known instances, ...) is a module constant named by its registry
keyword; the constants are made at import from the generated table
(:data:`lazydcm.model._dictionary.UIDS`), never typed by hand.

The transfer syntax groupings that pydicom documents (``UncompressedTransferSyntaxes``,
``JPEGTransferSyntaxes``, ...) are derived from the registry by keyword family and, for the
uncompressed ones, from the byte layout (:func:`lazydcm.io.syntax.layout_for`).
"""

from __future__ import annotations

from lazydcm.io.syntax import layout_for
from lazydcm.model import _dictionary
from lazydcm.model.uid import (
    IMPLEMENTATION_CLASS_UID,
    IMPLEMENTATION_VERSION_NAME,
    LAZYDCM_ROOT_UID,
    TRANSFER_SYNTAXES,
    UID,
    generate_uid,
)

_TS = "Transfer Syntax"


def _named() -> dict[str, UID]:
    named: dict[str, UID] = {}
    for uid, (_name, keyword, _type, _retired) in _dictionary.UIDS.items():
        if keyword and keyword.isidentifier() and keyword not in named:
            named[keyword] = UID(uid)
    return named


_NAMED = _named()
globals().update(_NAMED)


def _family(*prefixes: str) -> list[UID]:
    """Non-retired transfer syntaxes whose keyword starts with one of ``prefixes`` and not
    with a longer family name (JPEG-LS, JPEG 2000 and JPEG XL are not JPEG here)."""
    others = ("JPEGLS", "JPEG2000", "JPEGXL", "JPIP")
    out = []
    for uid in TRANSFER_SYNTAXES:
        _name, keyword, _type, retired = _dictionary.UIDS[uid]
        if retired or not keyword.startswith(prefixes):
            continue
        if "JPEG" in prefixes and keyword.startswith(others):
            continue
        out.append(uid)
    return out


def _uncompressed() -> list[UID]:
    out = []
    for uid in TRANSFER_SYNTAXES:
        keyword, retired = _dictionary.UIDS[uid][1], _dictionary.UIDS[uid][3]
        if retired and uid != _NAMED["ExplicitVRBigEndian"]:
            continue
        if keyword.startswith("JPIP"):  # PS3.5 A.6: pixel data is referenced, not carried
            continue
        try:
            layout = layout_for(uid)
        except (KeyError, ValueError):
            continue
        if not layout.encapsulated:
            out.append(uid)
    return out


#: Native (not encapsulated) syntaxes: implicit/explicit little endian, deflated, big endian.
UncompressedTransferSyntaxes: list[UID] = _uncompressed()
#: JPEG (ISO/IEC 10918-1) syntaxes in force.
JPEGTransferSyntaxes: list[UID] = _family("JPEG")
#: JPEG-LS (ISO/IEC 14495-1) syntaxes.
JPEGLSTransferSyntaxes: list[UID] = _family("JPEGLS")
#: JPEG 2000 (ISO/IEC 15444-1/-2) and High-Throughput JPEG 2000 syntaxes.
JPEG2000TransferSyntaxes: list[UID] = _family("JPEG2000", "HTJ2K")
#: High-Throughput JPEG 2000 syntaxes alone.
HTJ2KTransferSyntaxes: list[UID] = _family("HTJ2K")
#: JPEG XL syntaxes.
JPEGXLTransferSyntaxes: list[UID] = _family("JPEGXL")
#: MPEG-2, MPEG-4 AVC/H.264 and HEVC/H.265 syntaxes.
MPEGTransferSyntaxes: list[UID] = _family("MPEG", "HEVC")
#: RLE Lossless.
RLETransferSyntaxes: list[UID] = _family("RLE")
#: Private syntaxes: lazydcm has no run-time registration (no global state), so this is empty.
PrivateTransferSyntaxes: list[UID] = []
#: Every transfer syntax in force, plus Explicit VR Big Endian (retired, still read).
AllTransferSyntaxes: list[UID] = [
    uid
    for uid in TRANSFER_SYNTAXES
    if not _dictionary.UIDS[uid][3] or uid == _NAMED["ExplicitVRBigEndian"]
]

#: pydicom spells these two constants with the lazydcm names.
PYDICOM_ROOT_UID = LAZYDCM_ROOT_UID
PYDICOM_IMPLEMENTATION_UID = IMPLEMENTATION_CLASS_UID

__all__ = [
    "UID",
    "generate_uid",
    "LAZYDCM_ROOT_UID",
    "IMPLEMENTATION_CLASS_UID",
    "IMPLEMENTATION_VERSION_NAME",
    "PYDICOM_ROOT_UID",
    "PYDICOM_IMPLEMENTATION_UID",
    "AllTransferSyntaxes",
    "UncompressedTransferSyntaxes",
    "JPEGTransferSyntaxes",
    "JPEGLSTransferSyntaxes",
    "JPEG2000TransferSyntaxes",
    "HTJ2KTransferSyntaxes",
    "JPEGXLTransferSyntaxes",
    "MPEGTransferSyntaxes",
    "RLETransferSyntaxes",
    "PrivateTransferSyntaxes",
    *sorted(_NAMED),
]

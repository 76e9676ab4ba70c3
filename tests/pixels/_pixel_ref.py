"""Helpers for the pixel tests: pydicom (the reference reader) datasets and their raw pixel bytes.

pydicom is used only here, in tests, to build reference datasets and to compute the arrays
lazydcm's pixel functions must match.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset

from lazydcm.io.encaps import frame_ranges, parse_fragments
from lazydcm.pixels.encapsulated import decode_frames
from lazydcm.pixels.native import native_array
from lazydcm.pixels.spec import PixelSpec

KINDS = {"PixelData": "int", "FloatPixelData": "float", "DoubleFloatPixelData": "double"}
SEQ_DELIMITER = b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"
EXPLICIT_LE = "1.2.840.10008.1.2.1"
EXPLICIT_BE = "1.2.840.10008.1.2.2"
NATIVE = {"1.2.840.10008.1.2", EXPLICIT_LE, EXPLICIT_BE, "1.2.840.10008.1.2.1.99"}


def pixel_keyword(ds: Any) -> str:
    for keyword in KINDS:
        if keyword in ds:
            return keyword
    raise KeyError("no pixel data element")


def transfer_syntax(ds: Any) -> str:
    return str(ds.file_meta.TransferSyntaxUID)


def spec_of(ds: Any) -> PixelSpec:
    """A PixelSpec from a pydicom dataset (pydicom supports ``get(keyword)``)."""
    keyword = pixel_keyword(ds)
    return PixelSpec.from_dataset(
        ds,
        little_endian=transfer_syntax(ds) != EXPLICIT_BE,
        kind=KINDS[keyword],
        pixel_vr=ds[keyword].VR,
    )


def raw_value(ds: Any) -> bytes:
    """The pixel element's value bytes as the scanner would see them (encapsulated values get
    their sequence delimiter back: pydicom's value stops before it)."""
    value = ds[pixel_keyword(ds)].value
    if transfer_syntax(ds) in NATIVE:
        return value
    return value + SEQ_DELIMITER


def lazydcm_array(ds: Any, **kwargs: Any) -> np.ndarray:
    """Decode ``ds``'s pixels with lazydcm's pure functions, from its raw value bytes."""
    spec = spec_of(ds)
    raw = raw_value(ds)
    if transfer_syntax(ds) in NATIVE:
        return native_array(raw, spec, **kwargs)
    parsed = parse_fragments(raw, 0, len(raw))
    eot = ds.get("ExtendedOffsetTable", None)
    offsets = np.frombuffer(eot, "<u8").tolist() if eot else None
    lengths = ds.get("ExtendedOffsetTableLengths", None)
    lengths = np.frombuffer(lengths, "<u8").tolist() if lengths else None
    ranges = frame_ranges(parsed, spec.frames, eot_offsets=offsets, eot_lengths=lengths, buf=raw)
    return decode_frames(raw, ranges, spec, transfer_syntax(ds), **kwargs)


def reference_array(ds: Any) -> np.ndarray:
    """pydicom's ``pixel_array`` (warnings silenced), in native byte order."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arr = ds.pixel_array
    return arr.astype(arr.dtype.newbyteorder("="), copy=False)


def make_dataset(spec: PixelSpec, pixel_bytes: bytes, tsuid: str, **attributes: Any) -> Dataset:
    """An in-memory pydicom dataset with the Image Pixel Module of ``spec``."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = tsuid
    ds.Rows, ds.Columns = spec.rows, spec.columns
    ds.SamplesPerPixel = spec.samples_per_pixel
    ds.PhotometricInterpretation = spec.photometric or "MONOCHROME2"
    if spec.samples_per_pixel > 1:
        ds.PlanarConfiguration = spec.planar_configuration
    if spec.frames > 1:
        ds.NumberOfFrames = spec.frames
    ds.BitsAllocated = spec.bits_allocated
    ds.BitsStored = spec.bits_stored
    ds.HighBit = spec.high_bit
    ds.PixelRepresentation = spec.pixel_representation
    ds.PixelData = pixel_bytes
    ds["PixelData"].VR = spec.pixel_vr or ("OB" if spec.bits_allocated <= 8 else "OW")
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    return ds


def encapsulate(frames: list[bytes], *, with_bot: bool = True) -> bytes:
    """Encapsulated pixel data bytes (BOT item, one fragment per frame, delimiter)."""
    return pydicom.encaps.encapsulate(frames, has_bot=with_bot) + SEQ_DELIMITER

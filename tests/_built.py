"""Small Part 10 files built in test code with lazydcm itself (no files copied into the repo)."""

from __future__ import annotations

import struct

import numpy as np

import lazydcm
from lazydcm.model.uid import generate_uid

RLE_LOSSLESS = "1.2.840.10008.1.2.5"


def _image(frames: int, rows: int, cols: int) -> lazydcm.Dataset:
    ds = lazydcm.Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = generate_uid()
    ds.PatientName = "Remote^Test"
    ds.PatientID = "R-1"
    ds.Modality = "OT"
    ds.Rows = rows
    ds.Columns = cols
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    ds.NumberOfFrames = frames
    item = lazydcm.Dataset()
    item.CodeValue = "121311"
    item.CodingSchemeDesignator = "DCM"
    item.CodeMeaning = "Localizer"
    ds.DerivationCodeSequence = lazydcm.Sequence([item])
    return ds


def pixels(frames: int, rows: int, cols: int) -> np.ndarray:
    """The pixel values of :func:`native_file` (frame k holds values starting at k * 1000)."""
    base = np.arange(rows * cols, dtype=np.uint16).reshape(rows, cols)
    return np.stack([(base + 1000 * k).astype(np.uint16) for k in range(frames)])


def native_file(path, frames: int = 8, rows: int = 64, cols: int = 64):
    """Write an explicit VR little endian multi-frame native file; return its path."""
    ds = _image(frames, rows, cols)
    ds.PixelData = pixels(frames, rows, cols).tobytes()
    lazydcm.dcmwrite(path, ds)
    return path


def encapsulated_file(path, frames: int = 6, fragment: int = 3000, *, bot: bool = True):
    """Write an RLE-syntax file whose frame k is one fragment of ``fragment`` bytes of value
    ``k + 1`` (the bytes are never decoded here: tests use ``frame_bytes``); with or without a
    Basic Offset Table. Returns the path."""
    ds = _image(frames, 8, 8)
    offsets = [k * (fragment + 8) for k in range(frames)] if bot else []
    value = struct.pack("<HHI", 0xFFFE, 0xE000, 4 * len(offsets))
    value += struct.pack(f"<{len(offsets)}I", *offsets)
    for k in range(frames):
        value += struct.pack("<HHI", 0xFFFE, 0xE000, fragment) + bytes([k + 1]) * fragment
    value += struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)
    ds.file_meta = lazydcm.Dataset()
    ds.file_meta.TransferSyntaxUID = RLE_LOSSLESS
    lazydcm.dcmwrite(path, ds)
    # Pixel Data last, by hand: OB, undefined length (PS3.5 A.4)
    with open(path, "ab") as f:
        f.write(struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OB", 0, 0xFFFFFFFF) + value)
    return path

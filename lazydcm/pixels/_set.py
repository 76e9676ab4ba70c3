"""pydicom 3's ``set_pixel_data``: a numpy array becomes a dataset's native Pixel Data.

The Image Pixel module attributes that describe the array are set from its shape and dtype
(PS3.3 C.7.6.3): Samples per Pixel from the Photometric Interpretation (1 for MONOCHROME1,
MONOCHROME2 and PALETTE COLOR, 3 for RGB and YBR_FULL; C.7.6.3.1.2), Planar Configuration 0
(colour-by-pixel, C.7.6.3.1.3) only when there are 3 samples, Number of Frames only for more
than one frame, Rows/Columns, Bits Allocated from the item size, Bits Stored/High Bit from
``bits_stored`` and Pixel Representation from the sign of the dtype (C.7.6.3.1.4).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["set_pixel_data"]

_SAMPLES = {"MONOCHROME1": 1, "MONOCHROME2": 1, "PALETTE COLOR": 1, "RGB": 3, "YBR_FULL": 3}
_EXPLICIT_LE = "1.2.840.10008.1.2.1"


def set_pixel_data(
    ds: Any,
    arr: np.ndarray,
    photometric_interpretation: str,
    bits_stored: int,
    *,
    generate_instance_uid: bool = True,
) -> None:
    """Set ``ds``'s Pixel Data (7FE0,0010) from ``arr`` and the attributes that describe it.

    ``arr``: ``(rows, columns)`` or ``(frames, rows, columns)`` for one sample per pixel,
    ``(rows, columns, 3)`` or ``(frames, rows, columns, 3)`` for three; dtype ``uint8``,
    ``int8``, ``uint16`` or ``int16`` (pydicom's set); every value must fit in
    ``bits_stored`` bits (1 to the dtype's bit width). The bytes are written little endian
    (OB for 8 bits allocated, else OW), with a ``\\0`` pad byte after an odd number of bytes
    (PS3.5 7.1.1, 8.1.1). When the file meta has no Transfer Syntax UID, or an
    encapsulated one, it becomes Explicit VR Little Endian; with ``generate_instance_uid``
    the SOP Instance UID (and the meta's Media Storage SOP Instance UID, when present) is a
    new UID. The array is copied into the dataset; ``ds`` is changed in place.

    Raises ``ValueError`` for an unsupported photometric interpretation, shape, dtype or
    ``bits_stored``, values that do not fit, or a dataset whose transfer syntax is big
    endian (pydicom's function takes little endian datasets only).
    """
    from lazydcm.model.filemeta import FileMetaDataset
    from lazydcm.model.uid import UID, generate_uid

    photometric = str(photometric_interpretation).strip().upper()
    if photometric not in _SAMPLES:
        raise ValueError(
            f"unsupported Photometric Interpretation {photometric_interpretation!r} "
            f"(one of {', '.join(_SAMPLES)}; PS3.3 C.7.6.3.1.2)"
        )
    samples = _SAMPLES[photometric]
    arr = np.asarray(arr)
    if arr.dtype.kind not in "ui" or arr.dtype.itemsize not in (1, 2):
        raise ValueError(f"unsupported dtype {arr.dtype} (8 or 16-bit integers, as pydicom)")
    frame_ndim = 2 if samples == 1 else 3
    if arr.ndim not in (frame_ndim, frame_ndim + 1) or (samples == 3 and arr.shape[-1] != 3):
        expected = "(rows, columns)" if samples == 1 else "(rows, columns, 3)"
        raise ValueError(f"an array of shape {arr.shape} is not {expected} or frames of it")
    if 0 in arr.shape:
        raise ValueError(f"an array of shape {arr.shape} has no pixels")
    bits_allocated = arr.dtype.itemsize * 8
    if not 1 <= int(bits_stored) <= bits_allocated:
        raise ValueError(f"bits_stored {bits_stored} is not in 1..{bits_allocated}")
    bits_stored = int(bits_stored)
    signed = arr.dtype.kind == "i"
    low, high = (
        (-(1 << (bits_stored - 1)), (1 << (bits_stored - 1)) - 1)
        if signed
        else (
            0,
            (1 << bits_stored) - 1,
        )
    )
    if int(arr.min()) < low or int(arr.max()) > high:
        raise ValueError(
            f"the array's values ({arr.min()}..{arr.max()}) do not fit in {bits_stored} "
            f"bits {'signed' if signed else 'unsigned'} ({low}..{high})"
        )
    meta = getattr(ds, "file_meta", None)
    if meta is None:
        ds.file_meta = meta = FileMetaDataset()
    syntax = meta.get("TransferSyntaxUID")
    if syntax and not UID(str(syntax)).is_encapsulated and not UID(str(syntax)).is_little_endian:
        raise ValueError(f"the dataset's transfer syntax {syntax} is big endian")
    if not syntax or UID(str(syntax)).is_encapsulated:
        meta.TransferSyntaxUID = _EXPLICIT_LE

    frames = arr.shape[0] if arr.ndim == frame_ndim + 1 else 1
    rows, columns = arr.shape[arr.ndim - frame_ndim :][:2]
    ds.SamplesPerPixel = samples
    ds.PhotometricInterpretation = photometric
    if samples > 1:
        ds.PlanarConfiguration = 0
    elif "PlanarConfiguration" in ds:
        del ds.PlanarConfiguration
    if frames > 1:
        ds.NumberOfFrames = frames
    elif "NumberOfFrames" in ds:
        del ds.NumberOfFrames
    ds.Rows, ds.Columns = int(rows), int(columns)
    ds.BitsAllocated = bits_allocated
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = int(signed)
    data = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
    if len(data) % 2:
        data += b"\0"
    ds.add_new(0x7FE00010, "OB" if bits_allocated == 8 else "OW", data)
    if generate_instance_uid:
        uid = generate_uid()
        ds.SOPInstanceUID = uid
        if "MediaStorageSOPInstanceUID" in meta:
            meta.MediaStorageSOPInstanceUID = uid

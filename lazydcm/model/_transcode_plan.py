"""Dataset-level transcoding: ``compress``, ``decompress`` and the pixel part
of ``save_as(transfer_syntax=...)`` when the pixel encoding changes.

The pixel work is :func:`lazydcm.pixels.transcode.transcode_pixels` (one frame at a time into
a temporary file); this module applies its result to a dataset. ``save_as`` works on a shallow
copy (``Dataset.copy``) whose Pixel Data is the open temporary file, so the writer streams it
(``Stream`` segment) and the caller's dataset is left as it was. ``compress``/``decompress``
change the dataset in place as pydicom 3 documents, holding the new Pixel Data in memory.

pixels/ is imported on use (as ``Dataset.pixel_array`` does): model/ does not depend on it at
import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from lazydcm.io.syntax import EXPLICIT_LE, layout_for
from lazydcm.model.element import DataElement

if TYPE_CHECKING:
    from lazydcm.model.dataset import Dataset

__all__ = [
    "embedded_overlays",
    "needs_transcode",
    "transcoded_copy",
    "compress",
    "decompress",
]

_PIXEL_DATA = 0x7FE00010
_TS = 0x00020010
_SOP_INSTANCE = 0x00080018
_MEDIA_INSTANCE = 0x00020003
_LOSSY = 0x00282110


def needs_transcode(original_ts: str | None, target_ts: str) -> bool:
    """True when writing ``original_ts`` pixel data as ``target_ts`` changes the pixel encoding
    (native <-> encapsulated, or one encapsulated syntax to another). Native to native (byte
    order, VR encoding) is the element encoder's job."""
    if not original_ts or original_ts == target_ts:
        return False
    before = layout_for(original_ts).encapsulated
    after = layout_for(target_ts).encapsulated
    return before or after


def _apply(ds: Dataset, result: Any, *, in_memory: bool) -> None:
    for tag, change in result.attributes.items():
        if change is None:
            if tag in ds:
                del ds[tag]
        else:
            ds.add(DataElement(tag, change[0], change[1]))
    if in_memory:
        value: Any = result.read()
        result.file.close()
    else:
        result.file.seek(result.start)
        value = result.file  # streamed by the writer; the value runs to the file's end
    ds.add(DataElement(_PIXEL_DATA, result.vr, value))


def _set_syntax(ds: Dataset, uid: str) -> None:
    from lazydcm.model.dataset import Dataset as _Dataset

    meta = getattr(ds, "file_meta", None)
    if meta is None:
        ds.file_meta = _Dataset()
        meta = ds.file_meta  # the setter may convert it (FileMetaDataset)
    meta.add(DataElement(_TS, "UI", uid))
    layout = layout_for(uid)
    if ds.index is None:  # built in code: declare the encoding (pydicom's write flow)
        ds.is_little_endian = layout.little_endian
        ds.is_implicit_VR = layout.implicit_vr


def embedded_overlays(ds: Dataset) -> dict[int, tuple[str, Any]]:
    """The overlays held in the unused high bits of native Pixel Data (retired, PS3.3
    C.9.2.1.3) as Overlay Data elements: ``{tag: (VR, value)}`` for (60xx,3000) - one bit
    per pixel, frames in order, packed least significant bit first and padded to even length
    (PS3.5 8.1.2) -, Overlay Bits Allocated 1 and Overlay Bit Position 0. Encapsulated pixel
    data cannot carry such overlays and decoding masks them off with the bits above Bits
    Stored, so a transcode to an encapsulated syntax moves them here (as GDCM does) instead of
    dropping them. Empty for encapsulated or absent Pixel Data.

    Raises ``InvalidDicomError`` for an embedded overlay whose attributes contradict the image.
    """
    from lazydcm.pixels.access import is_encapsulated
    from lazydcm.pixels.overlay import overlay_array

    if _PIXEL_DATA not in ds or is_encapsulated(ds):
        return {}
    moved: dict[int, tuple[str, Any]] = {}
    for group in range(0x6000, 0x6020, 2):
        base = group << 16
        if (base | 0x3000) in ds or (base | 0x0010) not in ds or (base | 0x0100) not in ds:
            continue
        if ds[base | 0x0100].value in (None, "", 1):
            continue
        try:
            bits = overlay_array(ds, group)
        except AttributeError:  # not an embedded overlay after all
            continue
        packed = np.packbits(np.asarray(bits, np.uint8).reshape(-1), bitorder="little")
        data = packed.tobytes() + b"\0" * (packed.size % 2)
        moved[base | 0x3000] = ("OW", data)
        moved[base | 0x0100] = ("US", 1)
        moved[base | 0x0102] = ("US", 0)
    return moved


def _add_all(ds: Dataset, elements: dict[int, tuple[str, Any]]) -> None:
    for tag, (vr, value) in elements.items():
        ds.add(DataElement(tag, vr, value))


def transcoded_copy(
    ds: Dataset, target_ts: str, *, progress: Any = None, **options: Any
) -> Dataset:
    """A shallow copy of ``ds`` whose pixel data is encoded for ``target_ts`` (in a temporary
    file streamed at write time) and whose encoding attributes match it. ``ds`` is unchanged.

    A lossy target also gives the copy a new SOP Instance UID (and Media Storage SOP Instance
    UID): PS3.3 C.7.6.1.1.5 - a lossy compressed version of a DICOM image "shall receive a new
    SOP Instance UID". ``options["generate_instance_uid"]`` (default: lossy targets only)
    forces it on or off; the other options go to the encoder.

    Raises as :func:`lazydcm.pixels.transcode.transcode_pixels`.
    """
    from lazydcm.model.uid import generate_uid
    from lazydcm.pixels.transcode import transcode_pixels

    new_uid = options.pop("generate_instance_uid", None)
    overlays = embedded_overlays(ds)
    result = transcode_pixels(ds, target_ts, progress=progress, **options)
    dup = ds.copy()
    _apply(dup, result, in_memory=False)
    _add_all(dup, overlays)
    if new_uid is None:
        new_uid = _LOSSY in result.attributes  # set (appended) only by a lossy encoding
    if new_uid and _SOP_INSTANCE in dup:
        meta = getattr(dup, "file_meta", None)
        if meta is not None:  # the copy shares the caller's meta: edit a copy of it
            dup.file_meta = meta.copy()
        _new_instance_uid(dup, generate_uid())
    return dup


def compress(
    ds: Dataset,
    transfer_syntax_uid: str,
    arr: np.ndarray | None = None,
    *,
    encoding_plugin: str | None = None,
    generate_instance_uid: bool = True,
    progress: Any = None,
    **encoder_options: Any,
) -> Dataset:
    """pydicom 3's ``Dataset.compress``: encode the pixel data (or ``arr``, described by the
    dataset's Image Pixel attributes) for ``transfer_syntax_uid`` and update ``ds`` in place -
    Pixel Data (encapsulated, OB), Transfer Syntax UID, Extended Offset Table when the offsets
    pass 32 bits, Photometric/Planar Configuration/lossy attributes (PS3.5 8.2, A.4) and, with
    ``generate_instance_uid``, a new SOP Instance UID. Returns ``ds``.

    Raises ``ValueError`` for a native or unsupported target, ``MissingCodecError`` naming the
    extra to install.
    """
    from lazydcm.model.uid import generate_uid
    from lazydcm.pixels.transcode import transcode_pixels

    uid = str(transfer_syntax_uid).strip("\0 ")
    if not layout_for(uid).encapsulated:
        raise ValueError(f"compress() needs a compressed transfer syntax, not {uid}")
    overlays = embedded_overlays(ds) if arr is None else {}
    result = transcode_pixels(
        ds, uid, arr=arr, encoding_plugin=encoding_plugin, progress=progress, **encoder_options
    )
    _apply(ds, result, in_memory=True)
    _add_all(ds, overlays)
    _set_syntax(ds, uid)
    if generate_instance_uid:
        _new_instance_uid(ds, generate_uid())
    return ds


def _new_instance_uid(ds: Dataset, uid: str) -> None:
    ds.add(DataElement(_SOP_INSTANCE, "UI", uid))
    meta = getattr(ds, "file_meta", None)
    if meta is not None and _MEDIA_INSTANCE in meta:
        meta.add(DataElement(_MEDIA_INSTANCE, "UI", uid))


def decompress(
    ds: Dataset,
    *,
    as_rgb: bool = True,
    generate_instance_uid: bool = True,
    progress: Any = None,
) -> Dataset:
    """pydicom 3's ``Dataset.decompress``: decode every frame and store native pixel data in
    place, Transfer Syntax Explicit VR Little Endian, Photometric RGB for YBR data with
    ``as_rgb``, Planar Configuration 0, no Extended Offset Table; Lossy Image Compression is
    kept (the data stays lossy). A native dataset is left as it is. Returns ``ds``.

    Raises ``MissingCodecError`` (no decoder) or ``InvalidDicomError`` (bad data).
    """
    from lazydcm.model.uid import generate_uid
    from lazydcm.pixels.access import is_encapsulated
    from lazydcm.pixels.transcode import transcode_pixels

    if _PIXEL_DATA not in ds or not is_encapsulated(ds):
        return ds
    result = transcode_pixels(ds, EXPLICIT_LE, as_rgb=as_rgb, progress=progress)
    _apply(ds, result, in_memory=True)
    _set_syntax(ds, EXPLICIT_LE)
    if generate_instance_uid:
        _new_instance_uid(ds, generate_uid())
    return ds

"""Display images: pixel arrays to 8-bit grayscale or RGB, and PNG files.

:func:`to_display` runs the standard display pipeline (PS3.4 N.2) for grayscale images -
Modality LUT, VOI LUT or window (or the data's min..max when the dataset has none),
Presentation LUT / MONOCHROME1 inversion - and maps colour images (RGB, YBR, PALETTE COLOR) to
8-bit RGB. :func:`save_png` writes the result with Pillow (the ``render`` extra).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from lazydcm.pixels.lut import (
    apply_modality_lut,
    apply_palette,
    apply_presentation,
    apply_voi_lut,
    apply_windowing,
    convert_color_space,
)

__all__ = ["to_display", "save_png"]

_CONVERTED_BY_DEFAULT = ("YBR_FULL", "YBR_FULL_422", "YBR_ICT", "YBR_RCT")


def _int(ds: Any, keyword: str, default: int) -> int:
    value = ds.get(keyword, None)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(value[0])
        except (TypeError, ValueError, IndexError):
            return default


def _text(ds: Any, keyword: str) -> str:
    value = ds.get(keyword, None)
    return str(value).strip(" \0").upper() if value is not None else ""


def _to_uint8(values: np.ndarray) -> np.ndarray:
    out = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=255.0, neginf=0.0)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _scale_to_8bit(arr: np.ndarray, bits: int) -> np.ndarray:
    if arr.dtype == np.uint8 and bits <= 8:
        return arr
    if np.issubdtype(arr.dtype, np.floating):
        return _min_max(arr)
    top = float(2 ** min(bits, 8 * arr.dtype.itemsize) - 1)
    return _to_uint8(np.asarray(arr, dtype=np.float64) * (255.0 / top))


def _min_max(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.zeros(values.shape, dtype=np.uint8)
    lo, hi = float(finite.min()), float(finite.max())
    if hi <= lo:
        return np.zeros(values.shape, dtype=np.uint8)
    return _to_uint8((values - lo) * (255.0 / (hi - lo)))


def to_display(
    arr: np.ndarray,
    ds: Any,
    *,
    frame: int | None = None,
    window: tuple[float, float] | None = None,
    photometric: str | None = None,
    little_endian: bool = True,
) -> np.ndarray:
    """Map a pixel array to an 8-bit image for display.

    Args:
        arr: the pixel array (all frames, or one frame) as ``pixel_array`` returns it.
        ds: the dataset (``get(keyword, default)``) with the Image Pixel, Modality LUT, VOI LUT
            and Presentation LUT attributes.
        frame: pick this frame of a multi-frame ``arr``.
        window: ``(center, width)`` overriding the dataset's VOI for grayscale images.
        photometric: the colour space of ``arr``; default the dataset's, except YBR_FULL,
            YBR_FULL_422, YBR_ICT and YBR_RCT, which pixel arrays are already converted to RGB.
        little_endian: byte order of OW LUT data given as bytes.

    Returns:
        ``uint8``: ``(rows, columns)`` for grayscale, ``(rows, columns, 3)`` for colour (with a
        leading frame axis when ``arr`` has several frames and no ``frame`` is given). Grayscale
        images without a window are scaled from their minimum to their maximum (over all the
        frames given); MONOCHROME1 and Presentation LUT Shape INVERSE come out inverted.

    Raises:
        IndexError: ``frame`` out of range.
        InvalidDicomError: malformed LUT or window attributes.
    """
    arr = np.asarray(arr)
    samples = _int(ds, "SamplesPerPixel", 1)
    multi = arr.ndim == (3 if samples == 1 else 4)
    if frame is not None:
        if multi:
            arr = arr[frame]
        elif frame not in (0, -1):
            raise IndexError(f"frame {frame} out of range for a single-frame array")
    stored = _text(ds, "PhotometricInterpretation")
    if photometric is None:
        photometric = "RGB" if stored in _CONVERTED_BY_DEFAULT else stored
    photometric = photometric.strip().upper()
    bits = _int(ds, "BitsStored", 8 * arr.dtype.itemsize)

    if samples == 1 and photometric == "PALETTE COLOR":
        rgb = apply_palette(arr, ds, little_endian=little_endian)[..., :3]
        return rgb if rgb.dtype == np.uint8 else _scale_to_8bit(rgb, 16)
    if samples > 1:
        if photometric in ("YBR_FULL", "YBR_FULL_422"):
            arr = convert_color_space(arr, photometric, "RGB")
        return _scale_to_8bit(arr[..., :3], bits)

    values = apply_modality_lut(arr, ds, little_endian=little_endian)
    if window is not None:
        function = _text(ds, "VOILUTFunction") or "LINEAR"
        display = apply_windowing(values, float(window[0]), float(window[1]), function=function)
    else:
        windowed = apply_voi_lut(values, ds, out_range=(0.0, 255.0), little_endian=little_endian)
        display = _min_max(values) if windowed is values else windowed
    plut = ds.get("PresentationLUTSequence", None)
    if plut:
        mapped = apply_presentation(display, ds, in_range=(0.0, 255.0), little_endian=little_endian)
        descriptor = plut[0].get("LUTDescriptor", None)
        lut_bits = int(descriptor[2]) if descriptor is not None else 8
        return _to_uint8(np.asarray(mapped, dtype=np.float64) * (255.0 / (2**lut_bits - 1)))
    return _to_uint8(apply_presentation(display, ds, in_range=(0.0, 255.0)))


def save_png(arr8: np.ndarray, path: str | os.PathLike[str]) -> None:
    """Write an 8-bit image from :func:`to_display` (one frame) as a PNG file.

    Raises:
        ImportError: Pillow is not installed (``pip install 'lazydcm[render]'``).
        ValueError: ``arr8`` is not ``uint8`` of shape (rows, cols), (rows, cols, 3) or
            (rows, cols, 4).
    """
    try:
        from PIL import Image
    except ImportError as exc:
        raise ImportError("saving PNG images needs Pillow: pip install 'lazydcm[render]'") from exc
    arr8 = np.asarray(arr8)
    if arr8.dtype != np.uint8:
        raise ValueError(f"save_png needs a uint8 array, got {arr8.dtype}")
    if not (arr8.ndim == 2 or (arr8.ndim == 3 and arr8.shape[-1] in (3, 4))):
        raise ValueError(
            f"save_png writes one frame, shape (rows, cols[, 3 or 4]); got {arr8.shape}"
        )
    Image.fromarray(np.ascontiguousarray(arr8)).save(os.fspath(path), format="PNG")

"""pydicom's ``pixels`` functions with pydicom's signatures, over lazydcm's pixel code.

``pixel_array(src, index=None)`` and ``iter_pixels(src)`` open a path, bytes or file object
lazily (or take a dataset) and return frames through :mod:`lazydcm.pixels.access` — a native
frame is read from the mapping alone. ``apply_windowing(arr, ds, index=0)`` is pydicom's
dataset form; lazydcm's own ``(arr, center, width)`` form is still accepted.
"""

from __future__ import annotations

from collections.abc import Iterator
from numbers import Real
from typing import Any

import numpy as np

from lazydcm.pixels import lut

__all__ = ["apply_windowing", "iter_pixels", "pixel_array"]


def _open(src: Any) -> tuple[Any, bool]:
    """``(dataset, opened_here)`` for a dataset, path, bytes or binary file object."""
    from lazydcm.model.dataset import Dataset
    from lazydcm.model.filedataset import dcmread

    if isinstance(src, Dataset):
        return src, False
    return dcmread(src), True


def pixel_array(src: Any, *, index: int | None = None, **_options: Any) -> np.ndarray:
    """The pixel data of ``src`` (a path, bytes, binary file object or dataset) as a numpy
    array: all frames (``index=None``; shape as ``Dataset.pixel_array``) or frame ``index``.

    An array returned for a source opened here is a copy (the file is closed afterwards);
    for a dataset it is what ``ds.pixel_array``/``ds.frame(i)`` give (views live as long as
    the dataset's file stays open). Raises ``InvalidDicomError`` for malformed pixel data,
    ``IndexError`` for a frame past the last, ``MissingCodecError`` when no codec decodes
    the syntax."""
    ds, opened = _open(src)
    try:
        arr = ds.pixel_array if index is None else ds.frame(index)
        return np.array(arr) if opened else arr
    finally:
        if opened:
            ds.close()


def iter_pixels(src: Any, *, indices: Any = None, **_options: Any) -> Iterator[np.ndarray]:
    """Each frame of ``src`` in turn (only the frames in ``indices`` when given), one at a
    time: memory stays at about one frame. Frames yielded for a source opened here are copies
    (the file is closed when the iteration ends)."""
    ds, opened = _open(src)
    try:
        if indices is None:
            for frame in ds.iter_frames():
                yield np.array(frame) if opened else frame
        else:
            for i in indices:
                frame = ds.frame(i)
                yield np.array(frame) if opened else frame
    finally:
        if opened:
            ds.close()


def apply_windowing(arr: np.ndarray, ds: Any, index: Any = 0, **kwargs: Any) -> np.ndarray:
    """Apply the ``index``-th window of ``ds`` (Window Center/Width, VOI LUT Function, PS3.3
    C.11.2.1.2) to ``arr`` (values after the Modality LUT); ``arr`` is returned unchanged when
    ``ds`` has no window. Called as ``apply_windowing(arr, center, width, ...)`` it is
    :func:`lazydcm.pixels.lut.apply_windowing`. Raises as ``lut.apply_voi_lut``."""
    if isinstance(ds, Real) and isinstance(index, Real):
        return lut.apply_windowing(arr, float(ds), float(index), **kwargs)
    if not (ds.get("WindowCenter", None) and ds.get("WindowWidth", None)):
        return arr
    return lut.apply_voi_lut(arr, ds, int(index), prefer_lut=False, **kwargs)

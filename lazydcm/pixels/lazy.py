"""``PixelArray``: native pixel data as a numpy-compatible array that reads only what is used.

``Dataset.pixel_array`` of native (uncompressed) pixel data returns a :class:`PixelArray`.
Creating one costs O(1) in the size of the data: it checks the buffer's length and maps nothing
new, reads no pixel byte. Work happens for the frames an operation touches:

* ``arr[k]``, ``arr[a:b]``, ``arr[k, r, c]``, ``arr[[i, j]]`` (an int, slice or list of ints on the
  frame axis) read and correct only those frames and return a ``numpy.ndarray``;
* everything else - ``np.asarray(arr)``, ufuncs and operators (``arr < 300``), numpy functions
  (``np.mean(arr)``), ndarray methods and attributes (``arr.sum()``, ``arr.tobytes()``,
  ``arr.flags``), other indexing (``arr[mask]``, ``arr[..., 0]``) - uses the whole array, made
  once and kept.

Values equal pydicom 3's ``pixel_array``: with Bits Stored < Bits Allocated the unused high bits
are cleared (unsigned) or sign-extended (signed), per frame, on first touch (PS3.5 8.1.1 leaves
their content undefined; :mod:`lazydcm.pixels.native`).

Two layouts of the stored bytes:

* **in place** (native byte order, Bits Allocated 8/16/32/64, no colour conversion): every
  result is a view of one writable buffer - for a file, a private copy-on-write mapping of the
  pixel value (``Source.cow_view``). A frame whose stored samples need bit correction is
  corrected in that buffer on first touch, so only its pages become private memory; clean
  frames stay file pages. Edits through any view (``arr[3][:] = 0``, ``arr[arr < 300] = 0``)
  are seen by every other view and never reach the file.
* **converted** (big endian, Bits Allocated 1, native YBR_FULL_422, YBR_FULL -> RGB): a frame is
  converted into a new array each time it is indexed before the whole array is made; once it
  is made (by any whole-array operation), indexing views it, and edits stick.

Lifetime: the buffer lives as long as the ``PixelArray`` or any array taken from it; closing the
dataset does not invalidate them (the copy-on-write mapping is their own).

``isinstance(arr, numpy.ndarray)`` is False; ``np.asarray(arr)`` gives the ndarray (a view, no
copy, for the in-place layout).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

from lazydcm.io.advice import prefetch, random_access, sequential_access
from lazydcm.pixels.native import (
    check_buffer,
    correct_in_place,
    native_array,
    needs_bit_correction,
    needs_copy,
    shape_frames,
    stored_samples,
)
from lazydcm.pixels.spec import PixelSpec

__all__ = ["PixelArray"]

_AHEAD = 32 << 20  # bytes of frames asked for at once when many frames are used in turn


class PixelArray(NDArrayOperatorsMixin):
    """All frames of native pixel data, read lazily (see the module docstring).

    Attributes (O(1), nothing read): ``shape`` (:attr:`PixelSpec.shape`: ``(frames, rows,
    cols[, samples])``, no frame axis for one frame), ``dtype`` (:attr:`PixelSpec.array_dtype`,
    native byte order), ``ndim``, ``size``, ``itemsize``, ``nbytes``, ``spec``; ``len(arr)``.
    Every other ndarray attribute and method is that of the whole array.

    Args:
        buffer: the pixel element's whole value (writable for writable results), e.g. a
            ``Source.cow_view``; kept, never copied in the in-place layout.
        spec: its layout.

    Raises:
        InvalidDicomError: ``buffer`` is shorter than ``spec`` needs (at construction).
    """

    __slots__ = ("spec", "_view", "_samples", "_stored", "_checked", "_whole", "_reason")
    __hash__ = None  # type: ignore[assignment]  # mutable, like ndarray

    def __init__(self, buffer: Any, spec: PixelSpec) -> None:
        self.spec = spec
        self._view = check_buffer(buffer, spec)
        random_access(self._view)  # read what is touched, not megabytes around it
        self._reason = needs_copy(spec)
        self._whole: np.ndarray | None = None
        if self._reason:
            self._samples = self._stored = None
            self._checked = None
        else:
            self._samples = stored_samples(self._view, spec)
            self._stored = shape_frames(self._samples, spec)
            self._checked = bytearray(spec.frames)  # 1 once a frame's bits are corrected

    # -- O(1) facts ---------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.spec.shape

    @property
    def dtype(self) -> np.dtype:
        return self.spec.array_dtype

    @property
    def ndim(self) -> int:
        return len(self.spec.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.spec.shape))

    @property
    def itemsize(self) -> int:
        return self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.size * self.itemsize

    @property
    def is_view(self) -> bool:
        """True when results are views of the stored bytes (the in-place layout)."""
        return not self._reason

    def __len__(self) -> int:
        return self.spec.shape[0]

    # -- frames ---------------------------------------------------------------------------------
    def _ready(self, frames: Any, *, ahead: bool = True) -> None:
        """Correct the unused bits of these frames (in-place layout), once each. With ``ahead``
        the pages of the frames still to check are asked for ahead of use - only theirs, at
        most ``_AHEAD`` bytes at a time."""
        checked, size = self._checked, self.spec.frame_nbytes
        todo = [k for k in frames if not checked[k]]
        if not needs_bit_correction(self.spec) and len(todo) * size > _AHEAD:
            ahead = False  # nothing is read here; the caller reads what it uses, on faults
        step = max(1, _AHEAD // size)
        lo = hi = -1  # frames lo..hi-1 have been asked for
        for i, k in enumerate(todo):
            if (
                ahead and not lo <= k < hi
            ):  # ask for the run of consecutive frames from here, <= step
                run = 1
                while run < step and i + run < len(todo) and todo[i + run] == k + run:
                    run += 1
                prefetch(self._view, k * size, run * size)
                lo, hi = k, k + run
            correct_in_place(self._samples[k], self.spec)
            checked[k] = 1

    def _frames_of(self, key: Any) -> range | list[int] | None:
        """The frames an index touches when it selects on the frame axis, else None."""
        first = key[0] if isinstance(key, tuple) and key else key
        if isinstance(key, tuple) and not key:
            return None
        n = self.spec.frames
        if isinstance(first, slice):
            return range(*first.indices(n))
        if isinstance(first, (list, np.ndarray)) and np.asarray(first).dtype.kind in "iu":
            picked = np.asarray(first).reshape(-1)
            if picked.size and (picked.min() < -n or picked.max() >= n):
                return None  # numpy raises the IndexError
            return sorted({int(i) % n for i in picked})
        if isinstance(first, (bool, np.bool_)):
            return None  # numpy reads a bool index as a mask, not as frame 0 or 1
        try:
            k = operator.index(first)
        except TypeError:
            return None
        return [k % n] if -n <= k < n else None

    def frame(self, index: int) -> np.ndarray:
        """Frame ``index`` (negative from the end) as an ndarray of :attr:`PixelSpec.frame_shape`:
        a view (in-place layout) or a converted copy. Raises IndexError out of range."""
        n = self.spec.frames
        k = operator.index(index)
        if not -n <= k < n:
            raise IndexError(f"frame {index} out of range for {n} frame(s)")
        k %= n
        if self._whole is not None:
            return self._whole if n == 1 else self._whole[k]
        if self._reason:
            first_byte = (
                k * self.spec.samples_per_frame // 8
                if self.spec.bits_allocated == 1
                else (k * self.spec.frame_nbytes)
            )
            prefetch(self._view, first_byte & ~1, self.spec.frame_nbytes + 2)
            return native_array(self._view, self.spec, frame=k)
        self._ready((k,))
        return self._stored[k]

    def _array(self) -> np.ndarray:
        """The whole array, made once: a view (in-place layout, every frame corrected) or a
        converted copy."""
        if self._whole is None:
            sequential_access(self._view)  # one pass over everything: kernel read-ahead
            if self._reason:
                self._whole = native_array(self._view, self.spec)
            else:
                self._ready(range(self.spec.frames), ahead=False)
                self._whole = self._stored[0] if self.spec.frames == 1 else self._stored
        return self._whole

    def _target(self, key: Any) -> np.ndarray | None:
        """The array to index with ``key`` without making the whole array, or None."""
        if self._whole is not None:
            return self._whole
        if self.spec.frames == 1:
            return None
        frames = self._frames_of(key)
        if frames is None or self._reason:
            return None
        self._ready(frames)
        return self._stored

    def __getitem__(self, key: Any) -> Any:
        target = self._target(key)
        if target is not None:
            return target[key]
        if self._reason and self.spec.frames > 1 and self._whole is None:
            first = key[0] if isinstance(key, tuple) and key else key
            rest = key[1:] if isinstance(key, tuple) else ()
            try:
                k = operator.index(first)
            except TypeError:
                k = None
            if k is not None and not isinstance(first, (bool, np.bool_)):
                return self.frame(k)[rest] if rest else self.frame(k)
            if isinstance(first, slice):  # converted frames of the slice, in its order
                picked = range(*first.indices(self.spec.frames))
                stacked = np.empty((len(picked), *self.spec.frame_shape), self.dtype)
                for i, k in enumerate(picked):
                    stacked[i] = self.frame(k)
                return stacked[(slice(None), *rest)]
        return self._array()[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(value, PixelArray):
            value = value._array()
        target = self._target(key)
        (target if target is not None else self._array())[key] = value

    def __iter__(self) -> Iterator[np.ndarray]:
        if self.spec.frames > 1 and self._whole is None:
            return (self.frame(k) for k in range(self.spec.frames))
        return iter(self._array())

    # -- the numpy protocols: whole-array operations ------------------------------------------
    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        arr = self._array()
        if dtype is not None and np.dtype(dtype) != arr.dtype:
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        inputs = tuple(_unwrap(x) for x in inputs)
        if "out" in kwargs:
            kwargs["out"] = tuple(_unwrap(x) for x in kwargs["out"])
        return getattr(ufunc, method)(*inputs, **kwargs)

    def __array_function__(self, func: Callable, types: Any, args: Any, kwargs: Any) -> Any:
        return func(*_unwrap_all(args), **{k: _unwrap_all(v) for k, v in kwargs.items()})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in PixelArray.__slots__ or not hasattr(np.ndarray, name):
            raise AttributeError(f"'PixelArray' object has no attribute {name!r}")  # nothing read
        return getattr(self._array(), name)

    def __bool__(self) -> bool:
        return bool(self._array())

    def __contains__(self, value: Any) -> bool:
        return value in self._array()

    def __int__(self) -> int:
        return int(self._array())

    def __float__(self) -> float:
        return float(self._array())

    def __index__(self) -> int:
        return operator.index(self._array())

    def __copy__(self) -> np.ndarray:
        return self._array().copy()

    def __deepcopy__(self, memo: Any) -> np.ndarray:
        return self._array().copy()

    def __reduce__(self) -> Any:
        return self._array().copy().__reduce__()  # pickles as an ndarray

    def __repr__(self) -> str:
        return repr(self._array()).replace("array(", "PixelArray(", 1)

    def __str__(self) -> str:
        return str(self._array())


def _unwrap(x: Any) -> Any:
    return x._array() if isinstance(x, PixelArray) else x


def _unwrap_all(x: Any) -> Any:
    if isinstance(x, PixelArray):
        return x._array()
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap_all(v) for v in x)
    return x

"""The pixel face of ``Dataset``: ``pixel_array``, ``frame``, ``iter_frames``, ``frame_bytes`` and
``to_image``, implemented in ``lazydcm.pixels.access`` and imported on first use (model/ does
not depend on pixels/ at import time: the one upward seam of DESIGN.md, kept to this mixin).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["DatasetPixels"]


class DatasetPixels:
    """Mixin of :class:`lazydcm.model.dataset.Dataset` (uses its ``_pixel_cache`` and
    ``_decode_lock``)."""

    __slots__ = ()

    # -- pixels (implemented in lazydcm.pixels; imported on use) --------------------------
    @property
    def pixel_array(self) -> Any:
        """All frames as an array (frames, rows, cols[, samples]); the frame axis is dropped
        for a single frame. For native syntaxes a numpy-compatible ``PixelArray`` made in O(1)
        that reads frames as they are used, over a copy-on-write mapping (edits in place never
        reach the file); cached until Pixel Data or an image attribute changes. See
        ``lazydcm.pixels.access.pixel_array`` and ``lazydcm.pixels.lazy``."""
        if self._pixel_cache is None:
            from lazydcm.pixels.access import pixel_array

            with self._decode_lock():
                if self._pixel_cache is None:
                    object.__setattr__(self, "_pixel_cache", pixel_array(self))
        return self._pixel_cache

    def frame(self, index: int) -> Any:
        """Frame ``index`` as a numpy array (a view over the mapping when possible)."""
        from lazydcm.pixels.access import frame

        return frame(self, index)

    def iter_frames(self) -> Iterator[Any]:
        """Each frame in turn (views when possible; compressed frames decoded one at a time)."""
        from lazydcm.pixels.access import iter_frames

        return iter_frames(self)

    def frame_bytes(self, index: int) -> bytes:
        """The compressed bytes of frame ``index`` of encapsulated pixel data."""
        from lazydcm.pixels.access import frame_bytes

        return frame_bytes(self, index)

    def to_image(self, *, frame: int | None = None, window: Any = None) -> Any:
        """Frame (default: the first) through the display pipeline as an 8-bit numpy image."""
        from lazydcm.pixels.access import to_image

        return to_image(self, frame=frame, window=window)

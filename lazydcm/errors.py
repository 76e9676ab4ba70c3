"""The errors lazydcm raises.

Bad input bytes raise :class:`InvalidDicomError` (a :class:`ValueError`) and nothing else; it
carries the byte ``offset`` and the ``tag`` where they are known, and its message names both::

    InvalidDicomError: element (0028,0010) at offset 0x1F4: value length 4294967280 runs past
    end of file (size 2048)

A user's own mistake (assigning a value the VR cannot hold) is a :class:`ValueError` or
:class:`TypeError` raised at assignment time, never an ``InvalidDicomError``.
"""

from __future__ import annotations

__all__ = [
    "InvalidDicomError",
    "NotDicomError",
    "TruncatedDicomError",
    "InvalidValueError",
    "SourceClosedError",
    "UnsupportedFeatureError",
    "SourceChangedError",
]


def _where(offset: int | None, tag: int | None) -> str:
    parts = []
    if tag is not None:
        parts.append(f"element ({tag >> 16:04X},{tag & 0xFFFF:04X})")
    if offset is not None:
        parts.append(f"at offset 0x{offset:X}")
    return " ".join(parts)


class InvalidDicomError(ValueError):
    """The bytes are not a valid DICOM stream.

    Attributes:
        reason: what is wrong, without the location.
        offset: byte offset in the source where the problem was found, or None.
        tag: the tag (an int) of the element concerned, or None.
    """

    def __init__(self, reason: str, *, offset: int | None = None, tag: int | None = None):
        self.reason = reason
        self.offset = offset
        self.tag = tag
        where = _where(offset, tag)
        super().__init__(f"{where}: {reason}" if where else reason)

    def __reduce__(self):  # keep offset/tag across pickling (multiprocessing, dask)
        return (_rebuild, (type(self), self.reason, self.offset, self.tag))


def _rebuild(cls, reason, offset, tag):
    return cls(reason, offset=offset, tag=tag)


class NotDicomError(InvalidDicomError):
    """The source does not look like DICOM at all (no ``DICM`` marker and not forced)."""


class TruncatedDicomError(InvalidDicomError):
    """A header or value runs past the end of the available bytes."""


class InvalidValueError(InvalidDicomError):
    """An element's value bytes cannot be decoded under its VR (or character set)."""


class SourceClosedError(ValueError):
    """A value that needs the file's bytes was touched after the file was closed."""


class UnsupportedFeatureError(NotImplementedError):
    """A pydicom feature lazydcm does not provide yet (the message names it and what to use)."""
class SourceChangedError(ValueError):
    """A pickled or copied dataset handle reopened its file (or URL) and found different bytes
    from those it was made over (another size, modification time or ETag): nothing is read from
    the changed object. The message names the file and what changed."""

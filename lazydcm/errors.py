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
    "RemoteReadError",
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


class RemoteReadError(OSError):
    """Bytes of a ranged source (a URL, an fsspec file, a file object read by range) could not
    be read as asked: the request failed (connection reset, HTTP 416 or another error status),
    or the reply was shorter than the range. Not an ``InvalidDicomError``: the object may be
    fine and a later read may succeed.

    Attributes:
        url: the URL or name of the object (None when unknown).
        offset: the first byte of the range asked for.
        length: the number of bytes asked for.
        tag: the element whose value was being read, when known (else None).
        reason: what went wrong.
    """

    def __init__(self, reason: str, *, url: str | None = None, offset: int | None = None,
                 length: int | None = None, tag: int | None = None):  # fmt: skip
        self.reason = reason
        self.url = url
        self.offset = offset
        self.length = length
        self.tag = tag
        where = "" if tag is None else f"element ({tag >> 16:04X},{tag & 0xFFFF:04X}): "
        if offset is None:  # a whole-object check (a pickled handle, a frame index)
            super().__init__(f"{url + ': ' if url else ''}{where}{reason}")
        else:
            super().__init__(
                f"{url or 'the source'}: {where}{length} bytes at offset 0x{offset:X}: {reason}"
            )

    def for_tag(self, tag: int) -> RemoteReadError:
        """The same error naming the element whose value was being read."""
        return type(self)(self.reason, url=self.url, offset=self.offset, length=self.length,
                          tag=tag)  # fmt: skip

    def __reduce__(self):
        return (_rebuild_remote, (type(self), self.reason, self.url, self.offset, self.length,
                                  self.tag))  # fmt: skip


def _rebuild_remote(cls, reason, url, offset, length, tag=None):
    return cls(reason, url=url, offset=offset, length=length, tag=tag)


class SourceChangedError(RemoteReadError):
    """The object changed since it was opened, pickled, copied or indexed (its ETag/version,
    modification time or size differs, or a frame index no longer matches): its bytes are no
    longer those the index was built from, so nothing more is read from it. The message names
    the file or URL and what changed. An ``OSError`` (the file may be fine: reopen it)."""

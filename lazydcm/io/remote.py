"""fsspec URLs and files as ranged sources (``dcmread("s3://bucket/key")``, ``https://``,
``gs://``, ``az://``, ``memory://``, ``file://``).

fsspec is an optional dependency (``pip install 'lazydcm[remote]'``: fsspec, s3fs, gcsfs,
adlfs, aiohttp); it is imported only when a URL or an fsspec file is read, and its absence then
raises :class:`MissingRemoteSupportError` naming the extra. Local paths never import it.

Every range is one ``fs.cat_file(path, start, end)`` call. What each protocol guarantees:

- HTTP(S): the object's ETag, when the server sends one, is sent back as ``If-Match`` on every
  range request, so a changed object answers 412 and raises
  :class:`~lazydcm.errors.SourceChangedError` instead of returning other bytes (RFC 9110
  13.1.1). A connection reset or a truncated body is retried twice: a GET of a range is safe
  and idempotent (RFC 9110 9.2.1-9.2.2) and If-Match makes the retry read the same object.
  416 (range not satisfiable), other error statuses and a reply of the wrong length raise
  :class:`~lazydcm.errors.RemoteReadError` naming the URL, offset and length.
- S3, GCS, Azure, memory, local: the version (ETag / generation / mtime) is recorded at open;
  the filesystem's own retry policy applies; a reply of the wrong length raises RemoteReadError,
  a vanished object SourceChangedError. A change that keeps the size is detected only where the
  filesystem checks versions itself (e.g. ``s3fs`` with ``version_aware=True``).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from lazydcm.errors import RemoteReadError, SourceChangedError
from lazydcm.io.writer import Copy, Emit, coalesce

__all__ = [
    "FsspecReader",
    "MissingRemoteSupportError",
    "is_url",
    "open_url",
    "write_plan_to_url",
]

_RETRIES = 2
_WRITE_CHUNK = 8 << 20  # bytes of a Copy fetched and written at a time
# fsspec protocols known to honour autocommit=False (others, e.g. memory, ignore it)
_DEFERRED_COMMIT = ("file", "local", "s3", "s3a")


class MissingRemoteSupportError(ImportError):
    """fsspec (or the protocol's package) is not installed: ``pip install 'lazydcm[remote]'``."""


def is_url(value: Any) -> bool:
    """True for a string of the form ``protocol://...`` (a drive letter is not a protocol)."""
    if not isinstance(value, str):
        return False
    scheme, sep, _ = value.partition("://")
    return bool(sep) and len(scheme) > 1 and scheme.replace("+", "").replace("-", "").isalnum()


def _fsspec():
    try:
        import fsspec
    except ImportError as exc:
        raise MissingRemoteSupportError(
            "reading a URL or fsspec file needs fsspec: pip install 'lazydcm[remote]'"
        ) from exc
    return fsspec


def _version(info: dict) -> Any:
    for key in ("ETag", "etag", "VersionId", "generation", "version_id", "LastModified",
                "last_modified", "mtime", "Last-Modified", "created"):  # fmt: skip
        value = info.get(key)
        if value is not None:
            return value if isinstance(value, (str, int, float)) else str(value)
    return None


def _transient(exc: BaseException) -> bool:
    """A connection-level failure where retrying the same range is safe."""
    if isinstance(exc, (ConnectionError, asyncio.TimeoutError, TimeoutError)):
        return True
    try:
        import aiohttp
    except ImportError:  # pragma: no cover - aiohttp comes with the remote extra
        return False
    return isinstance(exc, (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError))


class FsspecReader:
    """Byte ranges of one object of an fsspec filesystem (see the module docstring for what
    each protocol guarantees). ``base`` skips a prefix (an fsspec file's position)."""

    def __init__(self, fs: Any, path: str, *, base: int = 0, url: str | None = None,
                 storage_options: dict | None = None):  # fmt: skip
        self.fs = fs
        self.path = path
        self.base = base
        self.url = url or fs.unstrip_protocol(path)
        self.storage_options = storage_options
        try:
            info = fs.info(path)
        except FileNotFoundError:
            raise
        except Exception as exc:
            raise RemoteReadError(f"cannot stat the object: {exc!r}", url=self.url, offset=0,
                                  length=0) from exc  # fmt: skip
        if info.get("type", "file") == "directory":
            raise IsADirectoryError(self.url)
        self.size = max(0, int(info["size"]) - base)
        self.version = _version(info)
        protocols = fs.protocol if isinstance(fs.protocol, (tuple, list)) else (fs.protocol,)
        self._http = any(p in ("http", "https") for p in protocols)
        etag = info.get("ETag") or info.get("etag")
        self._headers = {"If-Match": etag} if self._http and etag else None

    def read_range(self, start: int, stop: int) -> bytes:
        """Exactly the bytes ``[start, stop)`` (fewer only if the object is shorter).

        Raises RemoteReadError / SourceChangedError as described in the module docstring.
        """
        kwargs = {"headers": dict(self._headers)} if self._headers else {}
        for attempt in range(_RETRIES + 1):
            try:
                data = self.fs.cat_file(
                    self.path, start=self.base + start, end=self.base + stop, **kwargs
                )
            except FileNotFoundError as exc:
                raise SourceChangedError("the object is gone (not found)", url=self.url,
                                         offset=start, length=stop - start) from exc  # fmt: skip
            except Exception as exc:  # fsspec surfaces each protocol's own errors
                status = getattr(exc, "status", None) or getattr(exc, "code", None)
                if status == 412:
                    raise SourceChangedError(
                        f"the object changed since it was opened (ETag was {self.version!r})",
                        url=self.url, offset=start, length=stop - start,
                    ) from exc  # fmt: skip
                if status == 416:
                    raise RemoteReadError(
                        "416 Range Not Satisfiable: the object is shorter than when opened",
                        url=self.url, offset=start, length=stop - start,
                    ) from exc  # fmt: skip
                if _transient(exc) and attempt < _RETRIES:
                    continue
                raise RemoteReadError(f"request failed: {exc!r}", url=self.url, offset=start,
                                      length=stop - start) from exc  # fmt: skip
            if len(data) < stop - start and attempt < _RETRIES and self._http:
                continue  # a body cut short: the same ranged GET again (If-Match guards it)
            return bytes(data)
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        pass


def open_url(url: str, *, storage_options: dict | None = None, block_size: int | None = None,
             readahead: int | None = None):  # fmt: skip
    """Open an fsspec URL as a :class:`~lazydcm.io.ranged.RangedSource` (one ``info``
    request; no bytes are fetched until scanned).

    Raises:
        MissingRemoteSupportError: fsspec or the protocol's package is missing.
        FileNotFoundError: no such object.
        RemoteReadError: the object cannot be inspected.
    """
    from lazydcm.io.ranged import DEFAULT_BLOCK_SIZE, DEFAULT_READAHEAD, RangedSource

    fsspec = _fsspec()
    try:
        fs, path = fsspec.core.url_to_fs(url, **(storage_options or {}))
    except ImportError as exc:
        raise MissingRemoteSupportError(
            f"reading {url.partition('://')[0]}:// URLs needs its fsspec package ({exc}); "
            "pip install 'lazydcm[remote]'"
        ) from exc
    except ValueError as exc:
        if "Protocol not known" in str(exc):
            raise MissingRemoteSupportError(str(exc)) from exc
        raise
    reader = FsspecReader(fs, path, url=url, storage_options=storage_options)
    return RangedSource.from_reader(
        reader,
        block_size=DEFAULT_BLOCK_SIZE if block_size is None else block_size,
        readahead=DEFAULT_READAHEAD if readahead is None else readahead,
        url=url,
        storage_options=storage_options,
    )


def _url_fs(url: str, storage_options: dict | None):
    fsspec = _fsspec()
    try:
        return fsspec.core.url_to_fs(url, **(storage_options or {}))
    except ImportError as exc:
        raise MissingRemoteSupportError(
            f"writing {url.partition('://')[0]}:// URLs needs its fsspec package ({exc}); "
            "pip install 'lazydcm[remote]'"
        ) from exc


def _stream(source: Any, plan: list, f: Any) -> int:
    """Write the plan's bytes to ``f``: Emit data as is, each Copy fetched (``ensure``) and
    written in chunks of at most 8 MiB. Returns the byte count."""
    written = 0
    for seg in plan:
        if isinstance(seg, Emit):
            f.write(bytes(seg.data))
            written += len(seg.data)
            continue
        for start in range(seg.start, seg.stop, _WRITE_CHUNK):
            stop = min(start + _WRITE_CHUNK, seg.stop)
            source.ensure(start, stop - start)
            f.write(bytes(source.buffer[start:stop]))
            written += stop - start
    return written


def write_plan_to_url(source: Any, segments: Any, url: str, *,
                      storage_options: dict | None = None) -> int:  # fmt: skip
    """Stream a write plan (``Copy`` ranges of ``source``, ``Emit`` bytes) to an fsspec URL
    without building the file in memory; return the number of bytes written.

    Copy ranges are read from the source 8 MiB at a time (a ranged source fetches just those
    blocks). Nothing appears at ``url`` unless the whole write succeeded:

    - local ``file://`` and S3 (``s3://``), whose files honour deferred commit (``fs.open(path,
      "wb", autocommit=False)``: a local temporary file renamed by ``commit``; an S3 upload
      completed only by ``commit`` and aborted by ``discard``), commit after the last byte and
      discard on any error;
    - otherwise the bytes go to a temporary key ``<path>.lazydcm-<random>.tmp`` that is moved
      to ``path`` (``fs.mv``: a rename where the store has one, else copy + delete, so a reader
      may briefly see neither) and removed on error.

    Raises:
        ValueError: a Copy runs past the source (checked before anything is written).
        MissingRemoteSupportError: fsspec or the protocol's package is missing.
        RemoteReadError: reading a Copy range from a ranged source failed.
        NotImplementedError: the protocol's filesystem cannot write (e.g. ``http://``).
        OSError (and the filesystem's own errors): the destination refused the write.
    """
    import uuid

    plan = coalesce(segments)
    size = None if source is None else int(source.size)
    for seg in plan:
        if isinstance(seg, Copy) and (size is None or seg.stop > size):
            raise ValueError(f"plan copies bytes [{seg.start}, {seg.stop}) past its source")
    fs, path = _url_fs(url, storage_options)
    protocols = fs.protocol if isinstance(fs.protocol, (tuple, list)) else (fs.protocol,)
    if any(p in _DEFERRED_COMMIT for p in protocols):
        f = fs.open(path, "wb", autocommit=False)
        try:
            written = _stream(source, plan, f)
            f.close()
            f.commit()
        except BaseException:
            with contextlib.suppress(Exception):
                f.close()  # S3: uploads nothing visible; local: closes the temporary file
            f.discard()
            raise
        return written
    temp = f"{path}.lazydcm-{uuid.uuid4().hex}.tmp"
    try:
        out = fs.open(temp, "wb")
    except NotImplementedError as exc:  # fsspec's HTTP filesystem, for one, only reads
        raise NotImplementedError(
            f"cannot write {url}: fsspec's {type(fs).__name__} does not write files"
        ) from exc
    try:
        with out:
            written = _stream(source, plan, out)
        fs.mv(temp, path)
    except BaseException:
        with contextlib.suppress(Exception):
            if fs.exists(temp):
                fs.rm(temp)
        raise
    return written

"""The archive-level frame index: where every frame of a file lies, recorded once.

``lazydcm index --frames`` records per file the offset of Pixel Data's value (the header
length: everything before it is the header) and the byte range ``(offset, length)`` of every
frame, as :class:`FrameIndex` fields. ``dcmread(path, frame_index=...)`` and
``lazydcm.dask.frames(path, frame_index=...)`` use it so that ``frame(k)`` of encapsulated
pixel data reads only frame k's bytes: its item headers are read from inside its own range, and
no other fragment (nor the Basic Offset Table) is looked at.

Ranges are offsets in the DICOM stream (the file, for a file read from its start):

* native pixel data: frame k is ``value_offset + k * frame_nbytes`` for ``frame_nbytes``
  (PS3.5 8.1.1: frames are contiguous, no padding between them); 1-bit and YBR 4:2:2 data,
  whose frames need not start on a byte boundary or be viewed directly, have no ranges;
* encapsulated pixel data (PS3.5 A.4): from the first byte of the item header of the frame's
  first fragment to the last byte of its last fragment (as trimmed by the Extended Offset
  Table's lengths when there is one); the frames are found as
  :func:`lazydcm.io.encaps.frame_ranges` finds them (EOT, else BOT, else a fragment scan).

Deflated files have no index: their offsets are in the inflated copy, not the file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from lazydcm.errors import InvalidDicomError, SourceChangedError

__all__ = ["FrameIndex", "FRAME_COLUMNS", "frame_index_of", "IndexedFrameRanges"]

#: The columns ``lazydcm index --frames`` adds (name, kind): kind ``int64`` or ``int64list``.
FRAME_COLUMNS = (
    ("PixelDataOffset", "int64"),
    ("FrameOffsets", "int64list"),
    ("FrameLengths", "int64list"),
)
_PIXEL_DATA = 0x7FE00010
_ITEM = 0xFFFEE000


def _ints(values: Any) -> tuple[int, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        return tuple(int(v) for v in values.split())
    return tuple(int(v) for v in values)


@attrs.frozen
class FrameIndex:
    """Where the frames of one file are (see the module docstring).

    Attributes:
        size: the size in bytes of the file the index was made from (checked on use).
        header_length: the offset of Pixel Data's value (for encapsulated data, of the Basic
            Offset Table item); checked against the file's own element on use.
        offsets, lengths: the byte range of each frame (empty when frames have no byte
            range of their own: 1-bit or YBR 4:2:2 native data).
        path: the file the index was made from (informational; not checked).
    """

    size: int = attrs.field(converter=int)
    header_length: int = attrs.field(converter=int)
    offsets: tuple[int, ...] = attrs.field(default=(), converter=_ints)
    lengths: tuple[int, ...] = attrs.field(default=(), converter=_ints)
    path: str | None = None

    def __attrs_post_init__(self) -> None:
        if len(self.offsets) != len(self.lengths):
            raise ValueError(
                f"a frame index needs as many lengths as offsets ({len(self.lengths)} lengths,"
                f" {len(self.offsets)} offsets)"
            )

    # -- rows --------------------------------------------------------------------------------
    def row_values(self) -> dict[str, Any]:
        """The values of :data:`FRAME_COLUMNS` for an index row (lists of ints)."""
        return {
            "PixelDataOffset": self.header_length,
            "FrameOffsets": list(self.offsets),
            "FrameLengths": list(self.lengths),
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> FrameIndex:
        """The index of one row of ``lazydcm index --frames`` output (a dict; list columns as
        lists, or as space-separated text as CSV stores them).

        Raises:
            ValueError: the row has no frame columns (not indexed with ``--frames``, or the
                file has no pixel data / could not be read).
        """
        offset = row.get("PixelDataOffset")
        if offset is None or offset == "" or row.get("size") in (None, ""):
            raise ValueError(
                f"{row.get('path')!r} has no frame index in this table (indexed without"
                " --frames, no pixel data, or unreadable)"
            )
        return cls(
            size=row["size"],
            header_length=offset,
            offsets=row.get("FrameOffsets"),
            lengths=row.get("FrameLengths"),
            path=row.get("path"),
        )

    @classmethod
    def load(cls, table: Any, path: str | os.PathLike[str]) -> FrameIndex:
        """The index of ``path`` from a table written by ``lazydcm index --frames``:
        ``table`` is a ``.parquet``/``.csv`` file name, a ``pyarrow.Table`` or a pandas
        DataFrame. ``path`` is matched against the ``path`` column as written (then by
        absolute path).

        Raises:
            KeyError: no row for ``path``. ValueError: as :meth:`from_row`.
        """
        rows = _rows(table)
        wanted = os.fspath(path)
        absolute = os.path.abspath(wanted)
        for row in rows:
            if row.get("path") == wanted:
                return cls.from_row(row)
        for row in rows:
            if row.get("path") and os.path.abspath(row["path"]) == absolute:
                return cls.from_row(row)
        raise KeyError(f"{wanted} is not in the frame index table")

    def pixel_end_hint(self) -> tuple[int, int] | None:
        """``(header_length, where the Sequence Delimitation Item should be)`` for encapsulated
        data: the end of the last frame's range (PS3.5 A.4: the delimiter follows the last
        fragment), or None without frame ranges. Opening a ranged source checks the 8 bytes
        there instead of walking every item header, and walks when they are not a delimiter
        (the last frame trimmed by the Extended Offset Table, fragments after the last frame).
        """
        if not self.offsets:
            return None
        return self.header_length, self.offsets[-1] + self.lengths[-1]

    # -- checks ------------------------------------------------------------------------------
    def check_size(self, size: int, where: str) -> None:
        """Raise :class:`SourceChangedError` unless the file still has the indexed size."""
        if size != self.size:
            raise SourceChangedError(
                f"{where}: the frame index was made for a file of {self.size} bytes, the file"
                f" has {size} bytes (changed since it was indexed, or the wrong index)"
            )

    def check_pixels(self, value_offset: int, frames: int, where: str) -> None:
        """Raise :class:`SourceChangedError` unless Pixel Data's value starts where the index
        says and the index has ``frames`` ranges."""
        if value_offset != self.header_length or len(self.offsets) != frames:
            raise SourceChangedError(
                f"{where}: the frame index puts Pixel Data's value at {self.header_length:#x}"
                f" with {len(self.offsets)} frame(s); the file has it at {value_offset:#x}"
                f" with {frames} frame(s) (changed since it was indexed, or the wrong index)"
            )


def _rows(table: Any) -> list[dict[str, Any]]:
    if isinstance(table, (str, os.PathLike)):
        name = os.fspath(table)
        if name.lower().endswith(".csv"):
            import csv

            with open(name, newline="", encoding="utf-8") as fh:
                return list(csv.DictReader(fh))
        import pyarrow.parquet as pq

        return pq.read_table(name).to_pylist()
    if hasattr(table, "to_pylist"):  # pyarrow.Table
        return table.to_pylist()
    if hasattr(table, "to_dict"):  # pandas.DataFrame
        return table.to_dict("records")
    raise TypeError(
        f"a frame index table is a file name, pyarrow Table or DataFrame, not {table!r}"
    )


def frame_index_of(ds: Any) -> FrameIndex:
    """The frame index of a dataset read from a file, made the scan-based way (offset tables,
    else a fragment scan): what ``lazydcm index --frames`` records.

    Raises:
        ValueError: no file-backed, unmodified pixel data, or a deflated file.
        InvalidDicomError: the pixel data or image attributes are malformed.
    """
    from lazydcm.pixels import access

    elem, _ = access._pixel_element(ds)
    rec = elem.record
    if rec is None or elem.is_modified:
        raise ValueError("a frame index describes pixel data as read from a file")
    if ds.source is not ds.file_source:
        raise ValueError("a deflated file has no frame index (its offsets are not the file's)")
    spec = access.pixel_spec(ds)
    value_offset = int(rec.value_offset)
    offsets: list[int] = []
    lengths: list[int] = []
    if access.is_encapsulated(ds):
        _, ranges = access._frame_ranges(ds, elem, spec, use_index=False)
        for fragments in ranges:
            start = fragments[0][0] - 8
            last_offset, last_length = fragments[-1]
            offsets.append(start)
            lengths.append(last_offset + last_length - start)
    elif spec.bits_allocated != 1 and not spec.is_ybr_422:
        step = spec.frame_nbytes
        offsets = [value_offset + k * step for k in range(spec.frames)]
        lengths = [step] * spec.frames
    return FrameIndex(
        size=ds.file_source.size,
        header_length=value_offset,
        offsets=offsets,
        lengths=lengths,
        path=ds.filename,
    )


class IndexedFrameRanges(Sequence):
    """The fragments of each frame, from a :class:`FrameIndex`: ``ranges[k]`` reads only the
    item headers inside frame k's range (on each access), as
    :func:`lazydcm.io.encaps.frame_ranges` would list them: ``[(value offset, length), ...]``.
    """

    def __init__(self, source: Any, index: FrameIndex) -> None:
        self._source = source
        self._index = index

    def __len__(self) -> int:
        return len(self._index.offsets)

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice):
            return [self[i] for i in range(len(self))[k]]
        start, length = self._index.offsets[k], self._index.lengths[k]
        view = self._source.view(start, length)  # frame k's bytes only
        out: list[tuple[int, int]] = []
        pos = 0
        while pos < length:
            if pos + 8 > length:
                break
            tag = int.from_bytes(view[pos : pos + 2], "little") << 16 | int.from_bytes(
                view[pos + 2 : pos + 4], "little"
            )
            item_length = int.from_bytes(view[pos + 4 : pos + 8], "little")
            if tag != _ITEM:
                raise InvalidDicomError(
                    f"the frame index puts frame {k} at {start:#x}, but there is no item header"
                    f" at {start + pos:#x} (found ({tag >> 16:04X},{tag & 0xFFFF:04X})): a wrong"
                    " or stale frame index",
                    offset=start + pos,
                    tag=_PIXEL_DATA,
                )
            # the last fragment may be trimmed by the Extended Offset Table's lengths
            take = min(item_length, length - pos - 8)
            out.append((start + pos + 8, take))
            pos += 8 + item_length
        if not out:
            raise InvalidDicomError(
                f"the frame index gives frame {k} no fragment at {start:#x}",
                offset=start,
                tag=_PIXEL_DATA,
            )
        return out

"""``edit``: change a few attributes of a file on disk, in place when the new values fit.

When every change re-encodes to exactly the stored length (text values may be padded with
trailing spaces, which PS3.5 6.2 makes insignificant for these VRs) the file is patched where it
lies — a few bytes written and fsynced, whatever the file's size. Otherwise the file is rewritten
through the copy-through writer (temp file, fsync, atomic rename).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import attrs

from lazydcm.io.writer import patch_in_place
from lazydcm.model.dataset import Dataset, to_tag
from lazydcm.model.filedataset import FileDataset, ReadOptions, dcmread
from lazydcm.model.save import _read_ts
from lazydcm.model.tag import Tag
from lazydcm.model.values import encode_value
from lazydcm.model.writecheck import check_write

__all__ = ["EditReport", "edit", "apply_changes", "same_length_patches"]

# PS3.5 6.2: trailing spaces are insignificant for these VRs, so a shorter value may be padded.
_SPACE_PADDABLE = frozenset(
    {"AE", "CS", "DS", "IS", "LO", "LT", "PN", "SH", "ST", "UC", "UT", "UR"}
)


@attrs.frozen
class EditReport:
    """What ``edit`` did.

    Attributes:
        path: the file edited (or read, when ``output`` was given).
        output: where the result was written.
        strategy: ``"in-place"`` (bytes patched), ``"rewrite"`` (copy-through write) or
            ``"unchanged"`` (nothing to do).
        changed: the tags set or deleted.
        bytes_written: bytes patched or written.
    """

    path: str
    output: str
    strategy: str
    changed: tuple[Tag, ...]
    bytes_written: int


def apply_changes(ds: Dataset, changes: Mapping[Any, Any]) -> list[Tag]:
    """Apply ``keyword/tag -> value`` changes (``None`` deletes; deleting an absent element is
    not an error). Returns the tags concerned. Raises ValueError/TypeError for a bad value.

    Group 0002 keys (``TransferSyntaxUID``, ...) go to ``ds.file_meta`` (PS3.10 7.1: they are
    the File Meta Information, not dataset elements); a new Transfer Syntax UID makes the save
    re-encode the dataset in that syntax (``lazydcm.model.save.file_plan``)."""
    done = []
    for key, value in changes.items():
        tag = to_tag(key)
        target = ds
        if tag >> 16 == 0x0002:
            if ds.file_meta is None:
                ds.file_meta = Dataset()
            target = ds.file_meta
        if value is None:
            if tag in target:
                del target[tag]
        else:
            target[tag] = value
        done.append(tag)
    return done


def same_length_patches(ds: FileDataset) -> list[tuple[int, bytes]] | None:
    """Byte patches realising the dataset's edits in place, or None when that is impossible
    (an element added, deleted, resized, inside a sequence, in the meta group, deflated...) or
    not safe from a kill (the changed bytes span more than one 4 KiB page); several edits come
    back as one patch."""
    if ds.layout.deflated or (ds.file_meta is not None and ds.file_meta.is_dirty()):
        return None
    for elem in ds._cache.values():
        if elem.changed_in_place() or (
            elem.VR == "SQ" and elem.is_decoded and elem.value.is_dirty()
        ):
            return None
    patches = []
    for tag, elem in ds._edits.items():
        if elem is None or elem.VR == "SQ":
            return None
        pos = ds.index.find(tag)
        if pos < 0:
            return None
        rec = ds.index.record(pos)
        if rec.undefined_length:
            return None
        data = encode_value(
            elem.VR, elem.value, little_endian=ds.layout.little_endian, charset=ds._get_charset()
        )
        data = bytes(data)
        if len(data) < rec.length and elem.VR in _SPACE_PADDABLE:
            data = data + b" " * (rec.length - len(data))
        if len(data) != rec.length:
            return None
        patches.append((int(rec.value_offset), data))
    return _one_page_write(ds, patches)


#: In-place edits are made by one ``pwrite`` inside one page: the kernel copies a page into the
#: page cache as a whole, so a process killed during the call leaves the old or the new bytes
#: (a longer write may stop at a page boundary when the writer is killed).
_PAGE = 4096


def _one_page_write(
    ds: FileDataset, patches: list[tuple[int, bytes]]
) -> list[tuple[int, bytes]] | None:
    """The patches merged into one (the unchanged bytes between them copied from the file), or
    None — the file is then rewritten, atomically — when they do not all lie in one 4 KiB
    page: a killed in-place edit must leave the original or the edited file, never some
    patches of several (issue 10, kind 10)."""
    if not patches:
        return patches
    start = min(offset for offset, _ in patches)
    stop = max(offset + len(data) for offset, data in patches)
    if start // _PAGE != (stop - 1) // _PAGE:
        return None
    if len(patches) == 1:
        return patches
    span = bytearray(ds.file_source.view(start, stop - start))
    for offset, data in patches:
        span[offset - start : offset - start + len(data)] = data
    return [(start, bytes(span))]


def edit(
    path: str | os.PathLike,
    changes: Mapping[Any, Any],
    *,
    output: str | os.PathLike | None = None,
    allow_in_place: bool = True,
    read_options: ReadOptions | None = None,
    fsync: bool = True,
) -> EditReport:
    """Change attributes of the file at ``path``.

    ``changes`` maps keyword or tag to a new value (``None`` deletes). With no ``output`` the
    file itself is changed: patched in place when every change keeps its encoded length, else
    rewritten atomically. With ``output`` the result goes there and ``path`` is left as it is.
    ``read_options`` are passed to ``dcmread`` (e.g. ``on_truncation="raise"`` to refuse files
    cut short). ``fsync=False`` skips flushing to disk (faster; the rename stays atomic, but a
    power loss may lose the change).

    Raises:
        InvalidDicomError: ``path`` is not valid DICOM.
        ValueError / TypeError: a value the element's VR cannot hold (nothing is written).
    """
    src = os.fspath(path)
    dest = os.fspath(output) if output is not None else src
    ds = dcmread(src, options=read_options)
    try:
        tags = apply_changes(ds, changes)
        meta_changed = ds.file_meta is not None and ds.file_meta.is_dirty()
        if not ds.is_dirty() and not meta_changed and dest == src:
            return EditReport(src, dest, "unchanged", tuple(tags), 0)
        patches = same_length_patches(ds) if (allow_in_place and dest == src) else None
        if patches is not None:
            # the same checks as a rewrite: a patch must not make the file invalid either
            read_ts = _read_ts(ds)
            check_write(ds, read_ts=read_ts, ts=read_ts or "", target=ds.layout)
            size = ds.file_source.size
            ds.close()
            patch_in_place(src, patches, expected_size=size, fsync=fsync)
            return EditReport(src, dest, "in-place", tuple(tags), sum(len(p) for _, p in patches))
        written = ds.save_as(dest, fsync=fsync)
        return EditReport(src, dest, "rewrite", tuple(tags), written or 0)
    finally:
        ds.close()

"""Helpers shared by the property tests: reading quietly, rebuilding datasets in code, the byte
ranges an edit may change, and the check that bytes changed only there."""

from __future__ import annotations

import warnings
import zlib
from typing import Any

import lazydcm
from lazydcm import DataElement, Dataset, Sequence
from lazydcm._strategies._edits import Edit
from lazydcm._strategies._encoder import WORD_SIZE, swap_words

Ranges = list[tuple[int, int]]


def read(data: bytes, *, force: bool = False, **options: Any) -> Any:
    """``lazydcm.dcmread`` with lazydcm's warnings (truncation, charsets) silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lazydcm.dcmread(data, force=force, **options)


def rebuild(ds: Any) -> Dataset:
    """A copy of ``ds`` built in code from its decoded values (public API only).

    lazydcm decodes OW/OF/OL/OD/OV values as the bytes stored, so words read from a big-endian
    file are big-endian; bytes given to a dataset built in code are taken as little-endian
    words (lazydcm.model.values, module docstring). The copy swaps them to keep the values."""
    out = Dataset()
    big_endian = ds.is_little_endian is False
    for elem in ds:
        value = elem.value
        if elem.VR == "SQ":
            value = Sequence([rebuild(item) for item in value])
        elif big_endian and elem.VR in WORD_SIZE and isinstance(value, bytes):
            value = swap_words(value, WORD_SIZE[elem.VR])
        out.add(DataElement(elem.tag, elem.VR, value))
    return out


def without_group_lengths(view: dict[int, Any]) -> dict[int, Any]:
    """A top-level view without its (gggg,0000) group lengths."""
    return {tag: value for tag, value in view.items() if tag & 0xFFFF}


def assert_group_lengths_agree(ds: Any) -> None:
    """Each (gggg,0000) of ``ds`` (read from a file) holds the byte count of the rest of its
    group as the scan records measure it (PS3.5 7.2)."""
    sizes: dict[int, int] = {}
    for record in ds.index.file_order():
        if int(record.tag) & 0xFFFF:
            group = int(record.tag) >> 16
            sizes[group] = sizes.get(group, 0) + int(record.end) - int(record.header_offset)
    for tag in ds.tags():
        if tag & 0xFFFF == 0:
            assert ds[tag].value == sizes.get(tag >> 16, 0), f"group length {tag!r}"


# -- where an edit may change bytes -----------------------------------------------------------


def _element_range(elem: Any) -> Ranges:
    if elem.record is None:
        return []
    return [(elem.header_offset, int(elem.record.end))]


def _length_field(elem: Any) -> Ranges:
    """The 32-bit length field of a defined-length sequence (the last 4 header bytes, PS3.5
    7.1.2/7.1.3); nothing for undefined length, whose header never changes."""
    if elem.record is None or elem.is_undefined_length:
        return []
    return [(elem.value_offset - 4, elem.value_offset)]


def _item_length_field(item: Any) -> Ranges:
    record = item.item_record
    if record is None or record.undefined_length:
        return []
    return [(record.header_offset + 4, record.header_offset + 8)]


def _group_length(node: Any, tag: int) -> Ranges:
    """The value of (gggg,0000) of ``tag``'s group in ``node``, which lazydcm recomputes."""
    group_tag = (tag >> 16) << 16
    if group_tag == tag or group_tag not in node:
        return []
    elem = node[group_tag]
    if elem.record is None:
        return []
    return [(elem.value_offset, elem.value_offset + elem.length)]


def _insertion_point(node: Any, tag: int) -> Ranges:
    """Where a new element ``tag`` goes: before the first element (in file order) with a
    larger tag, else after the last one."""
    index = node.index
    if index is None:
        return []
    records = list(index.file_order())
    for record in records:
        if int(record.tag) > tag:
            return [(int(record.header_offset), int(record.header_offset))]
    if node.item_record is not None:
        end = int(index.stop)
    else:
        end = max((int(r.end) for r in records), default=int(index.start))
    return [(end, end)]


def allowed_ranges(ds: Any, edit: Edit) -> Ranges:
    """Byte ranges of ``ds``'s source that ``edit`` may change (empty ranges mark insertion
    points): the element or item itself, and the length fields and group lengths of its
    ancestors. Call before applying the edit."""
    ranges: Ranges = []
    node = ds
    for seq_tag, index in edit.path:
        elem = node[seq_tag]
        ranges += _length_field(elem) + _group_length(node, seq_tag)
        node = elem.value[index]
        ranges += _item_length_field(node)
    if edit.kind in ("set", "delete"):
        ranges += _element_range(node[edit.tag]) + _group_length(node, edit.tag)
    elif edit.kind == "add":
        ranges += _insertion_point(node, edit.tag) + _group_length(node, edit.tag)
    else:
        elem = node[edit.tag]
        ranges += _length_field(elem) + _group_length(node, edit.tag)
        record = elem.record
        if edit.kind == "append_item" and record is not None:
            end = int(record.end) - (8 if elem.is_undefined_length else 0)
            ranges.append((end, end))
        elif edit.kind == "delete_item":
            slot = elem.value.slots[edit.index]
            if slot.record is not None:
                ranges.append((int(slot.record.header_offset), int(slot.record.end)))
    return ranges


def comparable(data: bytes, dataset_offset: int, deflated: bool) -> bytes:
    """The bytes element offsets refer to: for a deflated file, head + inflated dataset."""
    if not deflated:
        return data
    return data[:dataset_offset] + zlib.decompress(data[dataset_offset:], -15)


def kept_segments(size: int, allowed: Ranges) -> Ranges:
    """The complement of ``allowed`` in ``[0, size)``, split at empty (insertion) ranges."""
    kept: Ranges = []
    pos = 0
    for start, stop in sorted(allowed):
        if start > pos:
            kept.append((pos, start))
        pos = max(pos, stop)
    kept.append((pos, size))
    return [(a, b) for a, b in kept if b > a]


def assert_changed_only_in(src: bytes, dst: bytes, allowed: Ranges) -> None:
    """``dst`` must be ``src`` with only the ``allowed`` ranges replaced (by anything; empty
    ranges are insertion points): the kept segments of ``src`` appear in ``dst`` in order,
    the first at the start and the last at the end unless an allowed range touches that end.
    (Taking the earliest match for each middle segment is optimal, so a failure means no
    such embedding exists.)"""
    if not allowed:
        assert dst == src, "no edits, but the bytes changed"
        return
    kept = kept_segments(len(src), allowed)
    free_start = any(start == 0 for start, _stop in allowed)
    free_end = any(stop >= len(src) for _start, stop in allowed)
    cur = 0
    for number, (start, stop) in enumerate(kept):
        chunk = src[start:stop]
        if number == 0 and start == 0 and not free_start:
            found = 0 if dst.startswith(chunk) else -1
        elif number == len(kept) - 1 and stop == len(src) and not free_end:
            found = len(dst) - len(chunk) if dst.endswith(chunk) else -1
            if found < cur:
                found = -1
        else:
            found = dst.find(chunk, cur)
        assert found >= 0, (
            f"source bytes [{start:#x}, {stop:#x}) outside every edited range are not in the "
            f"output where they should be (searching from {cur:#x}); allowed: "
            f"{[(hex(a), hex(b)) for a, b in sorted(allowed)]}"
        )
        cur = found + len(chunk)

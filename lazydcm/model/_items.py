"""Indexing the items of a sequence read from a file, with the real world's variations.

``Dataset._sequence_for`` hands the scanning here: which byte layout an item is in (the items
of a UN value may be explicit VR although PS3.5 6.2.2 says implicit), what happens to a
sequence that a file cut short, and how the scanner's tolerated deviations inside an item are
reported (``docs/deviations.md``). Returns numbers and contexts only; the caller makes the
``Dataset``.
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

from lazydcm.errors import InvalidDicomError, TruncatedDicomError
from lazydcm.io.header import VRS
from lazydcm.io.index import ElementIndex
from lazydcm.io.scanner import Item, scan_dataset, scan_items
from lazydcm.model._deviations import report

__all__ = ["index_item", "sequence_items"]


def _mode(options: Any, name: str) -> str:
    return "warn" if options is None else getattr(options, name)


def sequence_items(
    buf, value_offset: int, length: int, *, implicit_vr: bool, little_endian: bool,
    cut: Exception | None, where: str, options: Any = None, un_value: bool = False,
    owner: int | None = None, source_little_endian: bool = True,
) -> list[Item]:  # fmt: skip
    """The items of a sequence value at ``value_offset`` (``length`` may be undefined).

    ``cut`` is the file's truncation error when this value is the element the file was cut
    short in: the items that end within the bytes are returned, then the item cut short (its
    elements up to the cut; see :func:`index_item`), with a warning naming the error, as
    ``options.on_truncation`` (``ReadOptions``; None means the defaults) says: ``"raise"``
    raises ``cut``.
    ``un_value``: the value is stored as UN; when its items do not walk in implicit VR little
    endian (PS3.5 6.2.2) but do in explicit VR in the byte order of the file
    (``source_little_endian``; then little endian), that is used (see :func:`index_item`).
    ``owner``: the sequence's tag, named by errors that name no tag.

    Raises:
        InvalidDicomError: malformed item structure; ``cut`` in the strict reading.
    """
    if cut is None:
        try:
            return scan_items(
                buf, value_offset, length, implicit_vr=implicit_vr, little_endian=little_endian
            )
        except InvalidDicomError as exc:
            if un_value:
                # explicit VR items inside UN (see index_item): an undefined-length item's
                # content must be walked in its own layout to find its delimiter
                for little in _explicit_orders(source_little_endian):
                    with contextlib.suppress(InvalidDicomError):
                        return scan_items(
                            buf, value_offset, length, implicit_vr=False, little_endian=little
                        )
            if exc.tag is None and owner is not None:  # name the sequence
                raise type(exc)(exc.reason, offset=exc.offset, tag=owner) from None
            raise
    mode = _mode(options, "on_truncation")
    if mode == "raise":
        raise cut
    items = scan_items(
        buf, value_offset, length, implicit_vr=implicit_vr, little_endian=little_endian,
        partial=True,
    )  # fmt: skip
    if mode == "warn":
        warnings.warn(
            f"{where}: the sequence is cut short ({cut}); {len(items)} item(s) are read, the"
            " last one up to the cut",
            stacklevel=4,
        )
    return items


def _scan(
    buf, item: Item, implicit_vr: bool, little_endian: bool, keep_truncated: bool = False
) -> ElementIndex:
    stop = int(item.end) - (8 if item.undefined_length else 0)
    return scan_dataset(
        buf,
        int(item.value_offset),
        stop,
        implicit_vr=implicit_vr,
        little_endian=little_endian,
        stop_at_item_delimiter=bool(item.undefined_length),
        keep_truncated=keep_truncated,
    )


def _explicit_orders(source_little_endian: bool) -> tuple[bool, ...]:
    """Byte orders to try for explicit VR items inside UN: the file's own first (a big endian
    file's writer copied its explicit VR Big Endian items), then little endian."""
    return (True,) if source_little_endian else (False, True)


def _looks_explicit(buf, item: Item) -> bool:
    """True when the item's first element header has two VR letters at bytes 4-5."""
    start = int(item.value_offset)
    return start + 6 <= int(item.content_end) and bytes(buf[start + 4 : start + 6]) in VRS


def index_item(
    buf, item: Item, *, implicit_vr: bool, little_endian: bool, un_value: bool,
    options: Any, where: str, source_little_endian: bool = True,
) -> tuple[ElementIndex, bool, bool]:  # fmt: skip
    """Index one item's content; return ``(index, implicit_vr, little_endian)`` as used.

    ``un_value``: the item belongs to a value stored with VR UN. PS3.5 6.2.2 makes such items
    Implicit VR Little Endian, and they are scanned so first. Some devices turned an explicit
    VR SQ into UN but kept the explicit encoding of its items. Detection: when the implicit
    reading fails (an explicit header read as implicit takes its VR letters and 16-bit length
    as a 32-bit length, which runs past the item), and bytes 4-5 of the item's first element
    are a known VR, the item is scanned as explicit VR in the file's byte order
    (``source_little_endian``), then as Explicit VR Little Endian; the first scan that
    succeeds gives the item's layout. Otherwise the implicit reading's error is raised. A conformant
    item never reaches the second scan.

    Deviations the scanner tolerated inside the item are reported per
    ``options.on_deviation`` (``ReadOptions``; None means the defaults).

    Raises:
        InvalidDicomError: the item's content is malformed under every candidate layout.
    """
    try:
        index = _scan(buf, item, implicit_vr, little_endian)
    except InvalidDicomError as first:
        found = None
        if un_value and _looks_explicit(buf, item):
            for little in _explicit_orders(source_little_endian):
                with contextlib.suppress(InvalidDicomError):
                    found = _scan(buf, item, False, little)
                    implicit_vr, little_endian = False, little
                    break
        if found is None:
            if not isinstance(first, TruncatedDicomError):
                raise
            # the item a file was cut short in (it reaches the end of the bytes): indexed up
            # to the cut, its last element raises when read, as at the top level
            found = _scan(buf, item, implicit_vr, little_endian, keep_truncated=True)
        index = found
    if index.truncation is not None:  # the item a file was cut short in
        mode = _mode(options, "on_truncation")
        if mode == "raise":
            raise index.truncation
        if mode == "warn":
            warnings.warn(f"{where}: cut short: {index.truncation}", stacklevel=4)
    report(index.deviations, _mode(options, "on_deviation"), where, stacklevel=4)
    return index, implicit_vr, little_endian

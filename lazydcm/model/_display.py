"""Showing and walking a dataset whatever state its elements are in.

``str(ds)``, ``repr``, ``formatted_lines``, ``walk``, ``iterall`` and the ``lazydcm dump``
command never fail because one element cannot be decoded (issue 10 kind 5): that element (or
that item of a sequence) shows its error inline — offset, tag, reason — and everything else is
shown. Decoding on purpose (``ds.decode()``, ``elem.value``) still raises.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lazydcm.model.dataset import Dataset
    from lazydcm.model.element import DataElement

__all__ = ["invalid_text", "element_lines", "formatted_lines", "readable_items"]


def invalid_text(exc: BaseException) -> str:
    """``<invalid: ...>`` for an error met while showing a value. An InvalidDicomError's text
    names its offset and tag; any other exception (a bug, not bad bytes) shows its type."""
    from lazydcm.errors import InvalidDicomError

    if isinstance(exc, InvalidDicomError):
        return f"<invalid: {exc}>"
    return f"<invalid: {type(exc).__name__}: {exc}>"


def _sequence_lines(elem: DataElement, pad: str, indent: int) -> Iterator[str]:
    head = f"{pad}{elem.tag!r}  {elem.name}"
    try:
        seq = elem.value
        count = len(seq)
    except Exception as exc:  # noqa: BLE001 - shown inline, the rest goes on
        yield f"{head}  {invalid_text(exc)}"
        return
    yield f"{head}  {count} item(s) ----"
    for k in range(count):
        try:
            item = seq[k]
        except Exception as exc:  # noqa: BLE001 - shown inline, the next item goes on
            yield f"{pad}   item {k + 1}: {invalid_text(exc)}"
        else:
            yield from formatted_lines(item, indent + 1)
        yield f"{pad}   ---------"


def element_lines(elem: DataElement, indent: int = 0) -> Iterator[str]:
    """The dump form of one element (a sequence with its items, indented ``indent`` levels);
    what cannot be read is one ``<invalid: ...>`` line."""
    pad = "   " * indent
    if elem.VR == "SQ":
        yield from _sequence_lines(elem, pad, indent)
    else:
        yield pad + str(elem)  # DataElement.repval shows its own error


def formatted_lines(ds: Dataset, indent: int = 0) -> Iterator[str]:
    """The dump form of ``ds``: one line per element, items indented; an element or item that
    cannot be read is one ``<invalid: ...>`` line. Never decodes pixel data."""
    for elem in ds:
        yield from element_lines(elem, indent)


def readable_items(elem: DataElement, *, strict: bool) -> Iterator[Any]:
    """The items of SQ ``elem`` in order. With ``strict`` an unreadable item raises; without,
    the walk warns (naming offset, tag and reason) and leaves out the items it cannot read."""
    try:
        seq = elem.value
        count = len(seq)
    except Exception as exc:
        if strict:
            raise
        warnings.warn(f"{elem.tag!r}: items not walked: {invalid_text(exc)}", stacklevel=4)
        return
    for k in range(count):
        try:
            item = seq[k]
        except Exception as exc:
            if strict:
                raise
            warnings.warn(
                f"{elem.tag!r} item {k + 1}: not walked: {invalid_text(exc)}", stacklevel=4
            )
            continue
        yield item

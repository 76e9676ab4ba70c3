"""Plain views of datasets, for comparing what was generated with what a reader gives back.

A view is a ``dict`` mapping each tag (an ``int``) to ``(VR, value)`` where the value is built
only of ``None``, ``str``, ``int``, ``float``, ``bytes`` and lists, a sequence being a list of
item views. Person names, DS/IS, dates and UIDs become their text; tags become ints; words of
OW/OF/OL/OD/OV become little-endian bytes whatever the file's byte order.

:func:`spec_view` says what a reader should see when a spec is written in a given layout
(implicit VR loses the VR of private elements, which then read as UN bytes);
:func:`dataset_view` says what a lazydcm ``Dataset`` holds. The items of a sequence the encoder
wrote as UN of undefined length are an :class:`UNItems` list, which compares like any list but
remembers that those items are implicit VR little endian (for :func:`view_in_layout`).
"""

from __future__ import annotations

from typing import Any

from lazydcm._strategies._charsets import DEFAULT, CharsetInfo, charset_for_terms
from lazydcm._strategies._encoder import (
    IMPLICIT_ITEMS,
    WORD_SIZE,
    Layout,
    charset_of,
    encode_value,
    group_lengths,
    sequence_value,
    swap_words,
)
from lazydcm._strategies._spec import (
    DatasetSpec,
    ElementSpec,
    is_group_length,
    is_private,
    is_private_creator,
)

__all__ = [
    "plain_value",
    "spec_view",
    "dataset_view",
    "view_in_layout",
    "UNItems",
    "PIXEL_DATA_IMPLICIT_VR",
]

View = dict[int, tuple[str, Any]]

_PIXEL_DATA = 0x7FE00010
#: The VR a view gives Pixel Data read in implicit VR: PS3.6 says "OB or OW" and PS3.5 A.1
#: says OW, while readers differ (pydicom: OW; lazydcm: OB for 8 bits); the views leave it
#: unresolved and compare the bytes.
PIXEL_DATA_IMPLICIT_VR = "OB or OW"


class UNItems(list):
    """The item views of a sequence stored as UN of undefined length (``ElementSpec.as_un``).

    A plain list for comparisons; its type records that the items are encoded in implicit VR
    little endian whatever the file's transfer syntax (PS3.5 6.2.2: "In the case of Undefined
    Length Sequences, the Value shall remain in Implicit VR form"), so that
    :func:`view_in_layout` knows how items added to it are written."""


def _plain_item(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if hasattr(value, "original_string") or isinstance(value, str):
        return str(value)  # DS/IS text, UID, DA/TM/DT, AS, str
    if isinstance(value, int):
        return int(value)  # int, Tag, numpy ints
    if isinstance(value, float):
        return float(value)
    if hasattr(value, "text"):
        return str(value.text)  # PersonName
    return value


def plain_value(vr: str, value: Any, little_endian: bool = True) -> Any:
    """``value`` (a canonical spec value or a decoded lazydcm value) as plain data; binary
    words stored big endian (``little_endian`` False) are swapped to little endian."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        if not data:
            return None  # an empty binary value reads as None (pydicom's convention)
        if not little_endian and vr in WORD_SIZE:
            data = swap_words(data, WORD_SIZE[vr])
        return data
    if isinstance(value, (list, tuple)):
        return [_plain_item(v) if not (vr == "IS" and type(v) is int) else str(v) for v in value]
    if vr in ("DS", "IS") and (value is None or value == ""):
        return None  # an empty DS/IS reads as None (pydicom's convention)
    if vr == "IS" and type(value) is int:
        return str(value)
    return _plain_item(value)


def spec_view(
    spec: DatasetSpec,
    layout: Layout,
    *,
    charset: CharsetInfo | None = None,
    sq_undefined: bool | None = None,
) -> View:
    """The view a reader should give of ``spec`` written in ``layout``.

    ``sq_undefined``: True when the writer wrote every sequence as SQ of undefined length (as
    lazydcm does for sequences it encodes itself); None takes each spec's own length style
    (and UN encoding, see ``ElementSpec.as_un``).
    It matters for private sequences in implicit VR: one of undefined length reads as SQ,
    one of defined length as UN bytes.
    """
    charset = charset_of(spec, charset or DEFAULT)
    lengths = (
        group_lengths(spec, layout, charset)
        if any(is_group_length(e.tag) for e in spec.elements)
        else {}
    )
    view: View = {}
    for elem in spec.elements:
        view[elem.tag] = _element_view(elem, layout, charset, sq_undefined, lengths)
    return view


def _element_view(
    elem: ElementSpec,
    layout: Layout,
    charset: CharsetInfo,
    sq_undefined: bool | None,
    lengths: dict[int, int],
) -> tuple[str, Any]:
    tag = elem.tag
    if is_group_length(tag):
        return "UL", lengths[tag >> 16]
    undefined = elem.undefined_length if sq_undefined is None else sq_undefined
    implicit_private = layout.implicit_vr and is_private(tag) and not is_private_creator(tag)
    if elem.vr == "SQ":
        if implicit_private and not undefined:
            return "UN", sequence_value(elem, layout, charset) or None
        # a UN sequence's items are implicit VR LE, when the strategies' encoder wrote it
        as_un = elem.as_un and sq_undefined is None and not layout.implicit_vr
        items_layout = IMPLICIT_ITEMS if as_un else layout
        items = [
            spec_view(item, items_layout, charset=charset, sq_undefined=sq_undefined)
            for item in elem.value
        ]
        return "SQ", UNItems(items) if as_un else items
    if implicit_private and elem.vr != "UN":
        return "UN", encode_value(elem.vr, elem.value, True, charset) or None  # implicit: LE
    if layout.implicit_vr and tag == _PIXEL_DATA:
        return PIXEL_DATA_IMPLICIT_VR, plain_value(elem.vr, elem.value)
    return elem.vr, plain_value(elem.vr, elem.value)


def view_in_layout(
    view: View,
    layout: Layout,
    charset: CharsetInfo | None = None,
    *,
    same_layout: bool = True,
) -> View:
    """What a view becomes when lazydcm re-encodes the dataset in ``layout``: in implicit VR,
    private elements lose their VR (UN bytes, little endian); sequences, which lazydcm writes
    with undefined length, stay sequences.

    A sequence stored as UN of undefined length (an :class:`UNItems` value) that lazydcm writes
    in the layout it was read in (``same_layout``) keeps its UN header, and its items, old and
    new, are implicit VR little endian (PS3.5 6.2.2): in them, private elements lose their VR
    whatever ``layout`` is. Written in another layout it is re-encoded as an SQ in ``layout``."""
    charset = charset or _view_charset(view)
    out: View = {}
    for tag, (vr, value) in view.items():
        if vr == "SQ" and same_layout and isinstance(value, UNItems):
            out[tag] = (vr, UNItems(view_in_layout(i, IMPLICIT_ITEMS, charset) for i in value))
        elif vr == "SQ":
            out[tag] = (
                vr,
                [view_in_layout(i, layout, charset, same_layout=same_layout) for i in value],
            )
        elif layout.implicit_vr and is_private(tag) and not is_private_creator(tag) and vr != "UN":
            out[tag] = ("UN", encode_value(vr, value, True, charset) or None)
        elif tag == _PIXEL_DATA and (layout.implicit_vr or vr == PIXEL_DATA_IMPLICIT_VR):
            # from implicit VR lazydcm may write OB or OW; into implicit VR it is unresolved
            out[tag] = (PIXEL_DATA_IMPLICIT_VR, value)
        else:
            out[tag] = (vr, value)
    return out


def _view_charset(view: View) -> CharsetInfo:
    entry = view.get(0x00080005)
    if entry is None:
        return DEFAULT
    found = charset_for_terms(entry[1])
    return found if found is not None else DEFAULT


def dataset_view(ds: Any, *, skip: frozenset[int] = frozenset()) -> View:
    """The view of a lazydcm ``Dataset`` (decoding every value, items included); tags in
    ``skip`` are left out at the top level."""
    little = ds.is_little_endian is not False
    implicit = bool(ds.is_implicit_VR)
    view: View = {}
    for elem in ds:
        tag = int(elem.tag)
        if tag in skip:
            continue
        if elem.VR == "SQ":
            view[tag] = ("SQ", [dataset_view(item) for item in elem.value])
        else:
            vr = PIXEL_DATA_IMPLICIT_VR if implicit and tag == _PIXEL_DATA else elem.VR
            view[tag] = (vr, plain_value(elem.VR, elem.value, little))
    return view

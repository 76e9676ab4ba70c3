"""Strategies for dataset specs, file meta groups and whole encoded files.

Standard tags come from the data dictionary (facts of PS3.6), restricted to those a reader can
type without context: one VR (no "US or SS"), not retired, outside the command, file meta and
directory groups, not group lengths, not Specific Character Set (the charset is chosen per
dataset) and not the attributes that describe pixel data (pixel data is added, consistently, by
:func:`pixel_elements`).
"""

from __future__ import annotations

import functools
from typing import Any

import attrs
from hypothesis import strategies as st

from lazydcm._strategies._charsets import CHARSETS, DEFAULT, CharsetInfo
from lazydcm._strategies._encoder import (
    DEFLATED_LE,
    ENCAPSULATED_SYNTAXES,
    NATIVE_SYNTAXES,
    Layout,
    encode_file,
    group_lengths,
    layout_of,
)
from lazydcm._strategies._spec import DatasetSpec, ElementSpec
from lazydcm._strategies._values import VRS, element_values, rarely, single_values

__all__ = [
    "EncodedFile",
    "standard_tags",
    "item_specs",
    "dataset_specs",
    "meta_specs",
    "pixel_elements",
    "file_specs",
    "syntaxes",
    "charsets",
    "PROTECTED",
]

#: Image Pixel module attributes that must agree with Pixel Data (PS3.3 C.7.6.3), never drawn
#: as ordinary elements: Samples per Pixel ... Pixel Representation, Number of Frames.
_PIXEL_DESCRIPTION = frozenset(
    {
        0x00280002,
        0x00280004,
        0x00280006,
        0x00280008,
        0x00280009,
        0x00280010,
        0x00280011,
        0x00280100,
        0x00280101,
        0x00280102,
        0x00280103,
    }
)
_SPECIFIC_CHARSET = 0x00080005
_SOP_CLASS = 0x00080016
_SOP_INSTANCE = 0x00080018

#: Tags the strategies never draw as ordinary elements, and ``edits`` never set or delete.
PROTECTED = _PIXEL_DESCRIPTION | {_SPECIFIC_CHARSET}


@functools.cache
def _pools() -> dict[str, tuple[tuple[int, str], ...]]:
    """Standard tags by VR: ``{vr: ((tag, vm), ...)}``."""
    from lazydcm.model._dictionary import ELEMENTS

    pools: dict[str, list[tuple[int, str]]] = {}
    for tag, (vr, vm, _name, _keyword, retired) in ELEMENTS.items():
        group = tag >> 16
        if (
            retired
            or " or " in vr
            or vr in ("UN", "NONE")
            or group in (0x0000, 0x0002, 0x0004)
            or group >= 0x7FE0
            or tag & 0xFFFF == 0
            or tag in PROTECTED
        ):
            continue
        low = int(vm.split(" or ")[0].split("-")[0])
        if low > 8:
            continue
        pools.setdefault(vr, []).append((tag, vm))
    return {vr: tuple(sorted(entries)) for vr, entries in pools.items()}


def standard_tags(*, sq: bool | None = True) -> st.SearchStrategy[tuple[int, str, str]]:
    """``(tag, vr, vm)`` of standard elements: a VR first (so rare VRs are drawn as often as
    common ones), then one of its tags. ``sq``: True allows sequences, False excludes them,
    None gives only sequences."""
    per_vr = _tag_strategies()
    names = ["SQ"] if sq is None else sorted(vr for vr in per_vr if sq or vr != "SQ")
    return st.sampled_from(names).flatmap(per_vr.__getitem__)


@functools.cache
def _tag_strategies() -> dict[str, st.SearchStrategy[tuple[int, str, str]]]:
    return {
        vr: st.sampled_from([(tag, vr, vm) for tag, vm in entries])
        for vr, entries in _pools().items()
    }


def _private_groups() -> st.SearchStrategy[int]:
    # PS3.5 7.8.1: odd groups, but not 0001, 0003, 0005, 0007 or FFFF.
    return st.integers(4, 0x7FFE).map(lambda n: 2 * n + 1)


_CREATOR = st.tuples(
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_. ", max_size=24),
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
).map("".join)


def charsets(charset: Any = None) -> st.SearchStrategy[CharsetInfo]:
    """A :class:`CharsetInfo`: the one named (label of ``CHARSETS``, or a CharsetInfo), or any."""
    if isinstance(charset, CharsetInfo):
        return st.just(charset)
    if isinstance(charset, str):
        if charset not in CHARSETS:
            raise ValueError(f"unknown charset {charset!r}; choose from {sorted(CHARSETS)}")
        return st.just(CHARSETS[charset])
    return rarely(st.just(DEFAULT), st.sampled_from(list(CHARSETS.values())), 2)


def _length_style(undefined_lengths: bool | None) -> st.SearchStrategy[bool]:
    return st.booleans() if undefined_lengths is None else st.just(bool(undefined_lengths))


def _draw_element(
    draw: Any,
    tag: int,
    vr: str,
    vm: str | None,
    charset: CharsetInfo,
    depth: int,
    options: dict[str, Any],
) -> ElementSpec:
    if vr == "SQ":
        count = draw(st.integers(0, 3))
        items = [_draw_dataset(draw, charset, depth + 1, options) for _ in range(count)]
        undefined = draw(_length_style(options["undefined_lengths"]))
        # a private sequence may be written as UN (PS3.5 6.2.2), always of undefined length;
        # not when defined lengths were asked for
        as_un = (
            bool(tag & 0x10000)
            and options["undefined_lengths"] is not False
            and options.get("un_sequences", True)
            and draw(st.booleans())
        )
        return ElementSpec(tag, "SQ", tuple(items), undefined or as_un, as_un=as_un)
    return ElementSpec(tag, vr, draw(element_values(vr, charset, vm)))


def _draw_private_block(
    draw: Any,
    charset: CharsetInfo,
    depth: int,
    options: dict[str, Any],
    taken: dict[int, ElementSpec],
) -> list[ElementSpec]:
    """One private block: its creator (gggg,00xx) LO and one to three elements (gggg,xxyy)
    (PS3.5 7.8.1); ``[]`` when the drawn slot or creator is already taken in ``taken``."""
    group = draw(_private_groups())
    slot = draw(st.integers(0x10, 0xFF))
    creator = draw(_CREATOR)
    creator_tag = (group << 16) | slot
    used = {
        str(e.value) for t, e in taken.items() if t >> 16 == group and 0x10 <= t & 0xFFFF <= 0xFF
    }
    if creator_tag in taken or creator in used:
        return []
    out = [ElementSpec(creator_tag, "LO", creator)]
    vr_choices = _PRIVATE_VRS if depth < options["max_depth"] else _PRIVATE_VRS_NO_SQ
    offsets = draw(st.sets(st.integers(0, 0xFF), min_size=1, max_size=3))
    for offset in sorted(offsets):
        vr = draw(vr_choices)
        tag = (group << 16) | (slot << 8) | offset
        out.append(_draw_element(draw, tag, vr, None, charset, depth, options))
    return out


_PRIVATE_VRS = st.sampled_from(VRS)
_PRIVATE_VRS_NO_SQ = st.sampled_from([vr for vr in VRS if vr != "SQ"])


def _draw_dataset(
    draw: Any, charset: CharsetInfo, depth: int, options: dict[str, Any]
) -> DatasetSpec:
    elements: dict[int, ElementSpec] = {}
    if depth == 0 and charset.terms:
        terms = list(charset.terms)
        elements[_SPECIFIC_CHARSET] = ElementSpec(
            _SPECIFIC_CHARSET, "CS", terms if len(terms) > 1 else terms[0]
        )
    for _ in range(draw(st.integers(0, options["max_elements"]))):
        nested = depth < options["max_depth"] and draw(st.integers(0, 3)) == 0
        tag, vr, vm = draw(standard_tags(sq=None if nested else False))
        if tag not in elements:
            elements[tag] = _draw_element(draw, tag, vr, vm, charset, depth, options)
    if options["private"]:
        for _ in range(draw(st.integers(0, 2))):
            block = _draw_private_block(draw, charset, depth, options, elements)
            if not any(e.tag in elements for e in block):
                elements.update((e.tag, e) for e in block)
    if options["group_lengths"] and depth == 0:
        for group in sorted({t >> 16 for t in elements if not (t >> 16) & 1}):
            if draw(st.booleans()):
                elements[group << 16] = ElementSpec(group << 16, "UL", None)
    undefined = draw(_length_style(options["undefined_lengths"])) if depth else False
    return DatasetSpec(tuple(elements.values()), undefined)


@st.composite
def dataset_specs(
    draw: Any,
    *,
    max_depth: int = 2,
    max_elements: int = 6,
    private: bool = True,
    charset: Any = None,
    undefined_lengths: bool | None = None,
    group_lengths: bool = False,
    un_sequences: bool = True,
) -> DatasetSpec:
    """A top-level :class:`DatasetSpec`: a character set is drawn (unless ``charset`` names
    one) and carried in (0008,0005); items inherit it. Sequences nest up to ``max_depth``
    levels of items; ``undefined_lengths`` fixes the length style of sequences and items
    (None: either); ``group_lengths`` may add (gggg,0000) elements to the top level;
    ``un_sequences`` lets private sequences be written as UN (``ElementSpec.as_un``)."""
    options = {
        "max_depth": max_depth,
        "max_elements": max_elements,
        "private": private,
        "undefined_lengths": undefined_lengths,
        "group_lengths": group_lengths,
        "un_sequences": un_sequences,
    }
    return _draw_dataset(draw, draw(charsets(charset)), 0, options)


@st.composite
def item_specs(
    draw: Any,
    charset: CharsetInfo,
    *,
    max_depth: int = 1,
    max_elements: int = 4,
    private: bool = True,
    undefined_lengths: bool | None = None,
) -> DatasetSpec:
    """An item :class:`DatasetSpec` (no (0008,0005); its text uses ``charset``)."""
    options = {
        "max_depth": max_depth,
        "max_elements": max_elements,
        "private": private,
        "undefined_lengths": undefined_lengths,
        "group_lengths": False,
    }
    return _draw_dataset(draw, charset, 1, {**options, "max_depth": max_depth + 1})


def syntaxes(
    *, native: bool = True, encapsulated: bool = True, deflated: bool = True
) -> st.SearchStrategy[str]:
    """Transfer syntax UIDs: the native ones (implicit/explicit VR little endian, explicit big
    endian, and deflated if ``deflated``) and the encapsulated ones (PS3.5 A.4)."""
    choices: list[st.SearchStrategy[str]] = []
    if native:
        choices.append(
            st.sampled_from([ts for ts in NATIVE_SYNTAXES if deflated or ts != DEFLATED_LE])
        )
    if encapsulated:
        choices.append(st.sampled_from(ENCAPSULATED_SYNTAXES))
    if not choices:
        raise ValueError("no transfer syntax left to choose from")
    return st.one_of(choices)  # native and encapsulated equally often


_SOP_CLASSES = (
    "1.2.840.10008.5.1.4.1.1.2",
    "1.2.840.10008.5.1.4.1.1.4",
    "1.2.840.10008.5.1.4.1.1.7",
    "1.2.840.10008.5.1.4.1.1.481.5",
)


@st.composite
def meta_specs(
    draw: Any, transfer_syntax: str, sop_class: str | None = None, sop_instance: str | None = None
) -> DatasetSpec:
    """A file meta group (PS3.10 7.1) without its group length."""
    uid = single_values("UI")
    elements = [
        ElementSpec(0x00020001, "OB", b"\x00\x01"),
        ElementSpec(0x00020002, "UI", sop_class or draw(st.sampled_from(_SOP_CLASSES))),
        ElementSpec(0x00020003, "UI", sop_instance or draw(uid)),
        ElementSpec(0x00020010, "UI", transfer_syntax),
        ElementSpec(0x00020012, "UI", draw(uid)),
    ]
    if draw(st.booleans()):
        elements.append(
            ElementSpec(
                0x00020013,
                "SH",
                draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", min_size=1, max_size=16)),
            )
        )
    if draw(st.booleans()):
        elements.append(ElementSpec(0x00020016, "AE", draw(single_values("AE"))))
    return DatasetSpec(tuple(elements))


@st.composite
def _fragment_stream(draw: Any) -> bytes:
    """An encapsulated item stream (PS3.5 A.4): a Basic Offset Table item (empty, or one
    offset per fragment) and 1-3 fragment items of opaque, even-length bytes."""
    fragments = draw(
        st.lists(
            st.binary(min_size=1, max_size=40).map(lambda b: b if len(b) % 2 == 0 else b + b"\0"),
            min_size=1,
            max_size=3,
        )
    )
    offsets, position = [], 0
    for fragment in fragments:
        offsets.append(position)
        position += 8 + len(fragment)
    table = b"".join(o.to_bytes(4, "little") for o in offsets) if draw(st.booleans()) else b""

    def item(data: bytes) -> bytes:
        return b"\xfe\xff\x00\xe0" + len(data).to_bytes(4, "little") + data

    return item(table) + b"".join(item(f) for f in fragments)


@st.composite
def pixel_elements(draw: Any, layout: Layout) -> list[ElementSpec]:
    """Consistent Image Pixel attributes and Pixel Data: a small monochrome image, native
    (OB for 8 bits, OW for 16) or, for an encapsulated layout, opaque fragments."""
    rows, cols = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    bits = draw(st.sampled_from([8, 16]))
    signed = draw(st.integers(0, 1))
    elements = [
        ElementSpec(0x00280002, "US", 1),
        ElementSpec(0x00280004, "CS", "MONOCHROME2"),
        ElementSpec(0x00280010, "US", rows),
        ElementSpec(0x00280011, "US", cols),
        ElementSpec(0x00280100, "US", bits),
        ElementSpec(0x00280101, "US", bits),
        ElementSpec(0x00280102, "US", bits - 1),
        ElementSpec(0x00280103, "US", signed),
    ]
    if layout.encapsulated:
        elements.append(ElementSpec(0x7FE00010, "OB", draw(_fragment_stream()), True, True))
        return elements
    size = rows * cols * bits // 8
    data = draw(st.binary(min_size=size, max_size=size))
    if len(data) % 2:
        data += b"\0"  # PS3.5 8.1.1: padded to even length
    elements.append(ElementSpec(0x7FE00010, "OB" if bits == 8 else "OW", data))
    return elements


@attrs.frozen
class EncodedFile:
    """A generated Part 10 file and what it holds.

    Attributes:
        data: the file's bytes, written by the strategies' own encoder.
        dataset: the dataset's :class:`DatasetSpec`.
        meta: the file meta group's :class:`DatasetSpec` (without (0002,0000)).
        transfer_syntax: the transfer syntax UID.
        preamble: False when the bytes start with the meta group (no preamble, no ``DICM``:
            readers need ``force``).
    """

    data: bytes = attrs.field(repr=lambda data: f"<{len(data)} bytes>")
    dataset: DatasetSpec
    meta: DatasetSpec
    transfer_syntax: str
    preamble: bool

    @property
    def layout(self) -> Layout:
        return layout_of(self.transfer_syntax)

    def to_dataset(self) -> Any:
        """A lazydcm ``Dataset`` built in code with the same elements, ``file_meta`` set."""
        from lazydcm._strategies._encoder import charset_of

        ds_groups = group_lengths(self.dataset, self.layout, charset_of(self.dataset))
        ds = self.dataset.to_dataset(ds_groups)
        ds.file_meta = self.meta.to_dataset()
        return ds


@st.composite
def file_specs(
    draw: Any,
    *,
    transfer_syntax: Any = None,
    preamble: bool | None = None,
    max_depth: int = 2,
    max_elements: int = 6,
    private: bool = True,
    charset: Any = None,
    undefined_lengths: bool | None = None,
    group_lengths: bool | None = None,
    pixel_data: bool | None = None,
    un_sequences: bool = True,
) -> EncodedFile:
    """An :class:`EncodedFile` (see ``lazydcm.strategies.encoded_files``)."""
    if transfer_syntax is None:
        transfer_syntax = syntaxes()
    ts = (
        draw(transfer_syntax) if isinstance(transfer_syntax, st.SearchStrategy) else transfer_syntax
    )
    layout = layout_of(ts)
    with_lengths = draw(st.booleans()) if group_lengths is None else group_lengths
    spec = draw(
        dataset_specs(
            max_depth=max_depth,
            max_elements=max_elements,
            private=private,
            charset=charset,
            undefined_lengths=undefined_lengths,
            group_lengths=with_lengths,
            un_sequences=un_sequences,
        )
    )
    sop_class = draw(st.sampled_from(_SOP_CLASSES))
    sop_instance = draw(single_values("UI"))
    elements = {e.tag: e for e in spec.elements}
    elements.setdefault(_SOP_CLASS, ElementSpec(_SOP_CLASS, "UI", sop_class))
    elements.setdefault(_SOP_INSTANCE, ElementSpec(_SOP_INSTANCE, "UI", sop_instance))
    with_pixels = (draw(st.booleans()) if pixel_data is None else pixel_data) or layout.encapsulated
    if with_pixels:
        elements.update((e.tag, e) for e in draw(pixel_elements(layout)))
        if with_lengths and 0x00280000 not in elements and draw(st.booleans()):
            elements[0x00280000] = ElementSpec(0x00280000, "UL", None)
    spec = DatasetSpec(tuple(elements.values()))
    meta = draw(meta_specs(ts, str(elements[_SOP_CLASS].value), str(elements[_SOP_INSTANCE].value)))
    has_preamble = draw(st.booleans()) if preamble is None else preamble
    data = encode_file(spec, meta, ts, preamble=b"\0" * 128 if has_preamble else None)
    return EncodedFile(data, spec, meta, ts, has_preamble)

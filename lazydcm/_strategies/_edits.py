"""Edit operations: what ``edits(ds)`` draws, applied to lazydcm datasets and to specs alike.

An :class:`Edit` names its target by a path of ``(sequence tag, item index)`` steps from the top
level, then a tag. Kinds: ``set`` (new value, same VR, of an existing element), ``add`` (an
element that is absent), ``delete``, ``append_item`` (a new item at the end of a sequence) and
``delete_item``. A list of edits is drawn against a skeleton of the dataset (tags, VRs and the
shape of its sequences) that each drawn edit updates, so every edit in the list is valid after
the ones before it.
"""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import strategies as st

from lazydcm._strategies._charsets import DEFAULT, CharsetInfo, charset_for_terms
from lazydcm._strategies._datasets import PROTECTED, item_specs, standard_tags
from lazydcm._strategies._encoder import WORD_SIZE, swap_words
from lazydcm._strategies._spec import (
    DatasetSpec,
    ElementSpec,
    is_group_length,
    is_private,
    is_private_creator,
)
from lazydcm._strategies._values import VRS, element_values

__all__ = ["Edit", "edit_lists", "apply_edits", "skeleton", "KINDS"]

KINDS = ("set", "add", "delete", "append_item", "delete_item")
Path = tuple[tuple[int, int], ...]


def _vm_of(tag: int) -> str | None:
    from lazydcm.model import dictionary

    return None if is_private(tag) else dictionary.vm_for(tag)


def _protected(tag: int) -> bool:
    """Tags ``edits`` never changes: group lengths, private creators, Specific Character Set,
    the pixel description and anything in group 7FE0 (pixel data)."""
    return (
        is_group_length(tag) or is_private_creator(tag) or tag in PROTECTED or tag >> 16 == 0x7FE0
    )


@attrs.frozen
class Edit:
    """One change to a dataset.

    Attributes:
        kind: one of ``"set"``, ``"add"``, ``"delete"``, ``"append_item"``, ``"delete_item"``.
        path: ``(sequence tag, item index)`` steps from the top level to the dataset changed.
        tag: the element set, added or deleted, or the sequence an item is appended to or
            deleted from.
        vr: the VR of a set or added element.
        value: the new value, in the form a user assigns: for SQ a tuple of item
            :class:`DatasetSpec`; for ``append_item`` one :class:`DatasetSpec` (fresh
            ``Dataset`` objects are built from specs each time the edit is applied).
        index: the item deleted by ``delete_item``.
        how: which API applies it: ``"value"`` (``ds[tag].value = v``; for an add,
            ``ds[tag] = DataElement(...)``), ``"element"`` (``ds[tag] = DataElement(...)``),
            ``"keyword"`` (``ds.Keyword = v``/``del ds.Keyword``; like ``"element"``/``del
            ds[tag]`` for tags without a keyword) or ``"add_new"`` (``ds.add_new(...)``).
    """

    kind: str
    path: Path
    tag: int
    vr: str | None = None
    value: Any = None
    index: int | None = None
    how: str = "value"

    # -- lazydcm datasets ---------------------------------------------------------------
    def target(self, ds: Any) -> Any:
        """The dataset ``path`` leads to in ``ds``."""
        for seq_tag, index in self.path:
            ds = ds[seq_tag].value[index]
        return ds

    def _lazydcm_value(self) -> Any:
        if self.vr == "SQ":
            from lazydcm.model.sequence import Sequence

            return Sequence([item.to_dataset() for item in self.value])
        return self.value

    def apply(self, ds: Any) -> None:
        """Apply this edit to a lazydcm ``Dataset`` through its public API."""
        from lazydcm.model import dictionary
        from lazydcm.model.element import DataElement

        node = self.target(ds)
        keyword = dictionary.keyword_for(self.tag)
        if self.kind in ("set", "add"):
            value = self._lazydcm_value()
            if self.how == "keyword" and keyword:
                setattr(node, keyword, value)
            elif self.how in ("element", "keyword") or (self.kind == "add" and self.how == "value"):
                node[self.tag] = DataElement(self.tag, self.vr, value)
            elif self.how == "add_new":
                node.add_new(self.tag, self.vr, value)
            else:
                node[self.tag].value = value
        elif self.kind == "delete":
            if self.how == "keyword" and keyword:
                delattr(node, keyword)
            else:
                del node[self.tag]
        elif self.kind == "append_item":
            node[self.tag].value.append(self.value.to_dataset())
        elif self.kind == "delete_item":
            del node[self.tag].value[self.index]
        else:  # pragma: no cover - attrs validators would be heavier than this check
            raise ValueError(f"unknown edit kind {self.kind!r}")

    # -- specs ----------------------------------------------------------------------------
    def apply_to_spec(self, spec: DatasetSpec, *, little_endian: bool = True) -> DatasetSpec:
        """This edit applied to a :class:`DatasetSpec` (a new spec). Words of OW/OF/OL/OD/OV
        values given for a big-endian dataset (``little_endian`` False) are stored swapped
        into the spec's little-endian form. New sequences, and those in new items, get
        undefined length, as lazydcm writes them."""
        return _update(spec, self.path, lambda node: self._change(node, little_endian))

    def _change(self, node: DatasetSpec, little_endian: bool) -> DatasetSpec:
        if self.kind in ("set", "add"):
            value = self.value
            if self.vr == "SQ":
                items = tuple(_as_written(item) for item in value)
                return node.with_element(ElementSpec(self.tag, "SQ", items, True))
            if isinstance(value, bytes) and not little_endian and self.vr in WORD_SIZE:
                value = swap_words(value, WORD_SIZE[self.vr])
            return node.with_element(ElementSpec(self.tag, self.vr, value))
        if self.kind == "delete":
            return node.without(self.tag)
        seq = node.get(self.tag)
        assert seq is not None and seq.vr == "SQ"
        items = list(seq.value)
        if self.kind == "append_item":
            items.append(_as_written(self.value))
        else:
            del items[self.index]
        return node.with_element(attrs.evolve(seq, value=tuple(items)))


def _as_written(spec: DatasetSpec) -> DatasetSpec:
    """``spec`` as lazydcm writes a dataset built in code: every sequence in it is an SQ of
    undefined length (which decides how a private sequence reads back in implicit VR)."""
    elements = tuple(
        attrs.evolve(
            e, value=tuple(_as_written(i) for i in e.value), undefined_length=True, as_un=False
        )
        if e.vr == "SQ"
        else e
        for e in spec.elements
    )
    return attrs.evolve(spec, elements=elements)


def _update(spec: DatasetSpec, path: Path, change: Any) -> DatasetSpec:
    if not path:
        return change(spec)
    (seq_tag, index), rest = path[0], path[1:]
    seq = spec.get(seq_tag)
    assert seq is not None and seq.vr == "SQ", (hex(seq_tag), seq)
    items = list(seq.value)
    items[index] = _update(items[index], rest, change)
    return spec.with_element(attrs.evolve(seq, value=tuple(items)))


def skeleton(ds: Any) -> DatasetSpec:
    """The shape of a lazydcm ``Dataset``: its tags and VRs, and its sequences' items, with
    no values (``None``)."""
    elements = []
    for elem in ds:
        if elem.VR == "SQ":
            items = tuple(skeleton(item) for item in elem.value)
            elements.append(ElementSpec(int(elem.tag), "SQ", items))
        else:
            elements.append(ElementSpec(int(elem.tag), elem.VR, None))
    return DatasetSpec(tuple(elements))


def _nodes(spec: DatasetSpec, path: Path = ()) -> list[tuple[Path, DatasetSpec]]:
    out = [(path, spec)]
    for elem in spec.elements:
        if elem.vr == "SQ":
            for index, item in enumerate(elem.value):
                out.extend(_nodes(item, (*path, (elem.tag, index))))
    return out


def _new_private(draw: Any, node: DatasetSpec) -> list[tuple[int, str]]:
    """(tag, VR) of a private element to add: in an existing block when there is one with a
    free offset, else a creator and an element of a new block."""
    creators = [e.tag for e in node.elements if is_private_creator(e.tag)]
    if creators and draw(st.booleans()):
        creator = draw(st.sampled_from(creators))
        group, slot = creator >> 16, creator & 0xFF
        free = [o for o in range(0x100) if node.get((group << 16) | (slot << 8) | o) is None]
        if free:
            offset = draw(st.sampled_from(free))
            return [((group << 16) | (slot << 8) | offset, draw(st.sampled_from(VRS)))]
    group = 2 * draw(st.integers(4, 0x7FFE)) + 1
    slot = draw(st.integers(0x10, 0xFF))
    if node.get((group << 16) | slot) is not None or any(
        e.tag >> 16 == group and (e.tag >> 8) & 0xFF == slot for e in node.elements
    ):
        return []
    vr = draw(st.sampled_from(VRS))
    return [((group << 16) | slot, "LO"), ((group << 16) | (slot << 8) | 0x10, vr)]


_CREATOR_NAME = (
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ", min_size=1, max_size=20)
    .map(lambda s: "EDIT " + s.strip(" "))
    .map(str.rstrip)
)


@st.composite
def edit_lists(draw: Any, ds: Any, *, max_edits: int = 4, min_edits: int = 1) -> list[Edit]:
    """A list of valid edits for lazydcm dataset ``ds`` (see :func:`lazydcm.strategies.edits`)."""
    shape = skeleton(ds)
    charset = charset_for_terms(_charset_value(ds)) or DEFAULT
    edits: list[Edit] = []
    for _ in range(draw(st.integers(min_edits, max_edits))):
        path, node = draw(st.sampled_from(_nodes(shape)))
        editable = [e for e in node.elements if not _protected(e.tag)]
        sequences = [e for e in node.elements if e.vr == "SQ"]
        kinds = ["add"]
        if editable:
            kinds += ["set", "delete"]
        if sequences:
            kinds.append("append_item")
            if any(e.value for e in sequences):
                kinds.append("delete_item")
        kind = draw(st.sampled_from(kinds))
        batch: list[Edit] = []
        if kind in ("set", "delete"):
            elem = draw(st.sampled_from(editable))
            how = draw(
                st.sampled_from(
                    ["value", "element", "keyword"] if kind == "set" else ["value", "keyword"]
                )
            )
            if kind == "delete":
                batch.append(Edit("delete", path, elem.tag, how=how))
            else:
                value = _draw_value(draw, elem.tag, elem.vr, charset, len(path))
                batch.append(Edit("set", path, elem.tag, elem.vr, value, how=how))
        elif kind == "add":
            batch.extend(_draw_add(draw, path, node, charset))
        elif kind == "append_item":
            seq = draw(st.sampled_from(sequences))
            item = draw(item_specs(charset, max_depth=0 if len(path) else 1))
            batch.append(Edit("append_item", path, seq.tag, "SQ", item))
        else:
            seq = draw(st.sampled_from([e for e in sequences if e.value]))
            index = draw(st.integers(0, len(seq.value) - 1))
            batch.append(Edit("delete_item", path, seq.tag, index=index))
        for edit in batch:
            shape = edit.apply_to_spec(shape)
        edits.extend(batch)
    return edits


def _charset_value(ds: Any) -> Any:
    try:
        return ds.get("SpecificCharacterSet")
    except Exception:  # noqa: BLE001 - an undecodable (0008,0005): fall back to ASCII
        return None


def _draw_value(draw: Any, tag: int, vr: str, charset: CharsetInfo, depth: int) -> Any:
    if vr == "SQ":
        items = draw(st.lists(item_specs(charset, max_depth=0 if depth else 1), max_size=2))
        return tuple(items)
    return draw(element_values(vr, charset, _vm_of(tag)))


def _draw_add(draw: Any, path: Path, node: DatasetSpec, charset: CharsetInfo) -> list[Edit]:
    if draw(st.booleans()):
        tag, vr, _vm = draw(standard_tags(sq=len(path) < 2))
        if node.get(tag) is not None:
            return []
        how = draw(st.sampled_from(["value", "add_new", "keyword"]))
        return [Edit("add", path, tag, vr, _draw_value(draw, tag, vr, charset, len(path)), how=how)]
    out = []
    for tag, vr in _new_private(draw, node):
        value = (
            draw(_CREATOR_NAME)
            if is_private_creator(tag)
            else _draw_value(draw, tag, vr, charset, len(path))
        )
        out.append(Edit("add", path, tag, vr, value, how="add_new"))
    return out


def apply_edits(ds: Any, edits: list[Edit]) -> None:
    """Apply each edit of ``edits`` to lazydcm dataset ``ds``, in order."""
    for edit in edits:
        edit.apply(ds)

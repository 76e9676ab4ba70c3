"""Plain descriptions of datasets: what the strategies draw, before any bytes exist.

A :class:`DatasetSpec` is a sorted tuple of :class:`ElementSpec` (tag, VR, value); a sequence's
value is a tuple of item ``DatasetSpec``. Values are *canonical*: exactly what a reader gives
back after an encode/decode round trip (no insignificant padding spaces, even-length bytes, words
of OW/OF/OL/OD/OV in little-endian order). From one spec the strategies build both the bytes
(with the independent encoder of :mod:`._encoder`) and a lazydcm ``Dataset`` (through the public
API), so the two can be compared.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from lazydcm.model.dataset import Dataset

__all__ = ["ElementSpec", "DatasetSpec", "is_private", "is_private_creator", "is_group_length"]


def is_private(tag: int) -> bool:
    """True for a tag in an odd group (PS3.5 7.8.1)."""
    return bool((tag >> 16) & 1)


def is_private_creator(tag: int) -> bool:
    """True for (gggg,0010)-(gggg,00FF) of an odd group (PS3.5 7.8.1)."""
    return is_private(tag) and 0x0010 <= (tag & 0xFFFF) <= 0x00FF


def is_group_length(tag: int) -> bool:
    """True for a (gggg,0000) group length tag (PS3.5 7.2)."""
    return tag & 0xFFFF == 0


@attrs.frozen
class ElementSpec:
    """One element to generate.

    Attributes:
        tag: the tag as an int.
        vr: the two-letter VR.
        value: the canonical value: ``str``/``int``/``float``/``bytes``, a ``list`` of those for
            several values, ``""``/``None``/``b""`` when empty, a tuple of :class:`DatasetSpec`
            for SQ, and ``None`` for a group length (the encoder computes it).
        undefined_length: for SQ, whether the encoder writes it with undefined length.
        encapsulated: for Pixel Data, the value is an encapsulated item stream (Basic Offset
            Table item + fragment items, without the sequence delimiter), always written with
            undefined length.
        as_un: for SQ, in explicit VR syntaxes the sequence is written as UN of undefined
            length whose items are implicit VR little endian (PS3.5 6.2.2), as real files carry
            private sequences; readers read it as a sequence.
    """

    tag: int
    vr: str
    value: Any
    undefined_length: bool = False
    encapsulated: bool = False
    as_un: bool = False


@attrs.frozen
class DatasetSpec:
    """A dataset (or a sequence item) to generate: elements sorted by tag, tags unique.

    Attributes:
        elements: the elements in ascending tag order.
        undefined_length: as an item of a sequence, whether the encoder writes the item with
            undefined length (followed by an Item Delimitation Item).
    """

    elements: tuple[ElementSpec, ...] = attrs.field(
        converter=lambda elements: tuple(sorted(elements, key=lambda e: e.tag))
    )
    undefined_length: bool = False

    def __attrs_post_init__(self) -> None:
        tags = [e.tag for e in self.elements]
        if len(set(tags)) != len(tags):
            raise ValueError(f"duplicate tags in a DatasetSpec: {tags}")

    def get(self, tag: int) -> ElementSpec | None:
        """The element with ``tag``, or None."""
        for elem in self.elements:
            if elem.tag == tag:
                return elem
        return None

    def tags(self) -> list[int]:
        """The tags, ascending."""
        return [e.tag for e in self.elements]

    def with_element(self, elem: ElementSpec) -> DatasetSpec:
        """A copy with ``elem`` added or replacing the element of the same tag."""
        rest = [e for e in self.elements if e.tag != elem.tag]
        return attrs.evolve(self, elements=(*rest, elem))

    def without(self, tag: int) -> DatasetSpec:
        """A copy without the element ``tag`` (unchanged if absent)."""
        return attrs.evolve(self, elements=tuple(e for e in self.elements if e.tag != tag))

    def to_dataset(self, group_lengths: dict[int, int] | None = None) -> Dataset:
        """A lazydcm ``Dataset`` built in code with the same elements and values.

        ``group_lengths`` gives the values of (gggg,0000) elements by group (see
        :func:`lazydcm._strategies._encoder.group_lengths`); without it they are 0 (lazydcm
        recomputes group lengths when it writes).
        """
        from lazydcm.model.dataset import Dataset
        from lazydcm.model.element import DataElement
        from lazydcm.model.sequence import Sequence

        ds = Dataset()
        for elem in self.elements:
            if elem.vr == "SQ":
                items = [item.to_dataset() for item in elem.value]
                ds.add(DataElement(elem.tag, "SQ", Sequence(items)))
            elif is_group_length(elem.tag):
                value = (group_lengths or {}).get(elem.tag >> 16, 0)
                ds.add(DataElement(elem.tag, "UL", value))
            else:
                ds.add(DataElement(elem.tag, elem.vr, elem.value))
        return ds

    def count(self) -> int:
        """Number of elements, nested ones included."""
        total = 0
        for elem in self.elements:
            total += 1
            if elem.vr == "SQ":
                total += sum(item.count() for item in elem.value)
        return total

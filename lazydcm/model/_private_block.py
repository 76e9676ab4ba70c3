"""``PrivateBlock``: the elements of one private block of a dataset (PS3.5 7.8.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lazydcm.model.tag import Tag

if TYPE_CHECKING:
    from lazydcm.model.dataset import Dataset
    from lazydcm.model.element import DataElement

__all__ = ["PrivateBlock"]


class PrivateBlock:
    """The elements of one private block: ``block[0x01]`` is element ``(gggg,xx01)``."""

    def __init__(self, dataset: Dataset, group: int, slot: int, creator: str) -> None:
        self.dataset = dataset
        self.group = group
        self.slot = slot
        self.private_creator = creator

    def get_tag(self, offset: int) -> Tag:
        if not 0 <= offset <= 0xFF:
            raise ValueError("a private element offset is 0x00..0xFF")
        return Tag((self.group << 16) | (self.slot << 8) | offset)

    def __getitem__(self, offset: int) -> DataElement:
        return self.dataset[self.get_tag(offset)]

    def __contains__(self, offset: int) -> bool:
        return self.get_tag(offset) in self.dataset

    def __delitem__(self, offset: int) -> None:
        del self.dataset[self.get_tag(offset)]

    def add_new(self, offset: int, VR: str | None, value: Any) -> None:
        """Add element (gggg,xx``offset``); ``VR`` None takes it from the private dictionary by
        this block's creator (UN when the creator's dictionary does not know it)."""
        self.dataset.add_new(self.get_tag(offset), VR, value)

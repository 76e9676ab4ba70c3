"""``FileMetaDataset``: the File Meta Information group (0002,eeee) of a Part 10 file.

PS3.10 7.1: the group holds only group 0002 elements and is always encoded explicit VR little
endian, whatever the dataset's transfer syntax. Adding an element of another group raises
``ValueError`` at once.
"""

from __future__ import annotations

from typing import Any

from lazydcm.model.dataset import Dataset
from lazydcm.model.element import DataElement

__all__ = ["FileMetaDataset"]


class FileMetaDataset(Dataset):
    """A ``Dataset`` restricted to group 0002 (PS3.10 7.1).

    ``FileMetaDataset()`` is empty; ``FileMetaDataset(ds)`` copies the elements of a dataset
    (or a dict of elements), which must all be in group 0002 (else ``ValueError``).
    """

    def __init__(self, elements: Any = None) -> None:
        if isinstance(elements, Dataset):
            elements = [DataElement(e.tag, e.VR, e.value) for e in elements]
        super().__init__(elements)

    @property
    def is_little_endian(self) -> bool:
        """Always True: the meta group is little endian (PS3.10 7.1)."""
        return True

    @property
    def is_implicit_VR(self) -> bool:  # noqa: N802 - pydicom's spelling
        """Always False: the meta group is explicit VR (PS3.10 7.1)."""
        return False

    def _store(self, elem: DataElement) -> None:
        if elem.tag.group != 0x0002:
            raise ValueError(
                f"only group 0002 elements belong in the file meta, not {elem.tag!r} (PS3.10 7.1)"
            )
        super()._store(elem)

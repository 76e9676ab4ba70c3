"""``Sequence``: the value of an SQ element, a list of item ``Dataset`` objects.

A sequence read from a file is lazy twice over: ``len()`` walks only the item headers (once), and
item *k* is indexed into a ``Dataset`` the first time it is touched. A sequence built in code is a
plain list of datasets. Inserting, removing or replacing items marks the sequence structurally
modified; editing inside an item is tracked by the item itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, MutableSequence
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from lazydcm.io.scanner import Item
    from lazydcm.model.dataset import Dataset

__all__ = ["Sequence"]


class _Slot:
    """One position of a sequence: the item's scan record (None for an item added in code) and
    its dataset (None until first touched)."""

    __slots__ = ("record", "dataset")

    def __init__(self, record: Item | None, dataset: Dataset | None) -> None:
        self.record = record
        self.dataset = dataset


def _check_item(value: Any) -> Dataset:
    from lazydcm.model.dataset import Dataset

    if not isinstance(value, Dataset):
        raise TypeError(f"a Sequence holds Dataset items, not {type(value).__name__}")
    return value


class Sequence(MutableSequence):
    """A list of ``Dataset`` items (the value of an SQ element).

    ``Sequence([ds1, ds2])`` builds one in code. Items of a sequence read from a file are
    ``Dataset`` objects backed by the same mapping as their parent; they live as long as the
    file stays open.
    """

    def __init__(self, items: Iterable[Dataset] = ()) -> None:
        self._slots: list[_Slot] | None = [_Slot(None, _check_item(ds)) for ds in items]
        self._records: list[Item] | None = None
        self._scan: Callable[[], list[Item]] | None = None
        self._make_item: Callable[[Item], Dataset] | None = None
        self._parent: Dataset | None = None
        self._lock: threading.Lock | None = None  # lazy sequences only: first-use indexing
        self.is_modified = False

    @classmethod
    def _from_source(
        cls, scan: Callable[[], list[Item]], make_item: Callable[[Item], Dataset]
    ) -> Sequence:
        """A lazy sequence: ``scan()`` lists the item records when first needed and
        ``make_item(record)`` indexes one item into a Dataset."""
        seq = cls()
        seq._slots = None
        seq._scan = scan
        seq._make_item = make_item
        seq._lock = threading.Lock()
        return seq

    def _attach(self, parent: Dataset) -> None:
        """Remember the dataset holding this sequence (for character set inheritance)."""
        self._parent = parent
        if self._slots is not None:
            for slot in self._slots:
                if slot.dataset is not None:
                    slot.dataset._parent = parent

    # -- slots -----------------------------------------------------------------------------
    # Threads: the item list and each item dataset are made once, under ``_lock``, and
    # published fully formed (double-checked), so every thread sees the same item objects.
    def _item_records(self) -> list[Item]:
        if self._records is None:
            assert self._scan is not None and self._lock is not None
            with self._lock:
                if self._records is None:
                    self._records = self._scan()
        return self._records

    @property
    def slots(self) -> list[_Slot]:
        """The item positions (walking the item headers on first use)."""
        if self._slots is None:
            records = self._item_records()
            with self._lock:  # type: ignore[union-attr]
                if self._slots is None:
                    self._slots = [_Slot(rec, None) for rec in records]
        return self._slots

    def _dataset_at(self, slot: _Slot) -> Dataset:
        if slot.dataset is None:
            assert self._make_item is not None and slot.record is not None
            with self._lock:  # type: ignore[union-attr]
                if slot.dataset is None:
                    item = self._make_item(slot.record)
                    item._parent = self._parent
                    slot.dataset = item
        return slot.dataset

    def loaded_items(self) -> list[Dataset | None]:
        """Item datasets already materialised (None where an item was never touched)."""
        return [slot.dataset for slot in self.slots]

    # -- MutableSequence -------------------------------------------------------------------
    def __len__(self) -> int:
        if self._slots is None:  # only the item headers are needed to count
            return len(self._item_records())
        return len(self._slots)

    @overload
    def __getitem__(self, index: int) -> Dataset: ...
    @overload
    def __getitem__(self, index: slice) -> list[Dataset]: ...

    def __getitem__(self, index: int | slice) -> Dataset | list[Dataset]:
        if isinstance(index, slice):
            return [self._dataset_at(slot) for slot in self.slots[index]]
        return self._dataset_at(self.slots[index])

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            new = [_Slot(None, _check_item(v)) for v in value]
            self.slots[index] = new
            for slot in new:
                slot.dataset._parent = self._parent  # type: ignore[union-attr]
        else:
            ds = _check_item(value)
            ds._parent = self._parent
            self.slots[index] = _Slot(None, ds)
        self.is_modified = True

    def __delitem__(self, index: int | slice) -> None:
        del self.slots[index]
        self.is_modified = True

    def insert(self, index: int, value: Dataset) -> None:
        ds = _check_item(value)
        ds._parent = self._parent
        self.slots.insert(index, _Slot(None, ds))
        self.is_modified = True

    def __iter__(self):
        for slot in self.slots:
            yield self._dataset_at(slot)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Sequence, list)):
            return len(self) == len(other) and all(
                a == b for a, b in zip(self, other, strict=False)
            )
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce_ex__(self, protocol: Any) -> tuple:
        """Pickle/deepcopy by value: the items (each pickled as a Dataset) and is_modified."""
        from lazydcm.model._pickle import reduce_sequence

        return reduce_sequence(self)

    def is_dirty(self) -> bool:
        """True if items were added, removed or replaced, or any touched item was edited."""
        if self.is_modified:
            return True
        if self._slots is None:
            return False
        return any(slot.dataset is not None and slot.dataset.is_dirty() for slot in self._slots)

    def __repr__(self) -> str:
        try:
            return f"<Sequence, length {len(self)}>"
        except Exception as exc:  # noqa: BLE001 - shown, not raised (issue 10 kind 5)
            from lazydcm.model._display import invalid_text

            return f"<Sequence {invalid_text(exc)}>"

    def __str__(self) -> str:
        from lazydcm.model._display import invalid_text

        try:
            count = len(self)
        except Exception as exc:  # noqa: BLE001 - shown, not raised
            return f"[{invalid_text(exc)}]"
        parts = []
        for k in range(count):
            try:
                parts.append(str(self[k]))
            except Exception as exc:  # noqa: BLE001 - shown, not raised
                parts.append(invalid_text(exc))
        return "[" + ", ".join(parts) + "]"

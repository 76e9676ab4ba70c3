"""Datasets that travel: pickling and deep copies of ``Dataset``, ``FileDataset``, ``Sequence``
and ``DataElement``.

* A ``FileDataset`` read from a path (or, through a remote source, a URL) pickles as a
  :class:`Handle`: the locator, the source's ``storage_options``, the ``ReadOptions``, the size
  and version (``st_mtime_ns``, or an ETag for remote sources) of the bytes it was read from,
  and the **edit overlay** (elements set, added or deleted, elements changed in place, and the
  same inside sequence items that were edited). No value bytes travel.
* Unpickling gives a *pending* ``FileDataset``: nothing is opened or read until an attribute
  that needs the file is first used (``filename`` is known without opening). The first use
  opens the source through the public read path, checks size and version against the handle,
  raises :class:`~lazydcm.errors.SourceChangedError` (naming the file and what changed) before
  scanning a single byte of a changed file, and applies the overlay.
* A ``FileDataset`` read from bytes or from a file object without a locator pickles its
  stream's bytes (by value) with the same overlay; a ``Dataset`` built in code, an item
  dataset pickled on its own, a ``Sequence`` and a ``DataElement`` pickle by value (their
  values decoded).

``copy.deepcopy`` uses the same reductions, so a deep copy of a file-backed dataset is a new
pending dataset over the same path: independent (its own mapping, cache and edits) and as lazy
as a freshly unpickled one.
"""

from __future__ import annotations

import threading
from typing import Any

import attrs

from lazydcm.errors import SourceChangedError
from lazydcm.io.remote import is_url
from lazydcm.model.element import DataElement
from lazydcm.model.sequence import Sequence, _Slot
from lazydcm.model.tag import Tag

__all__ = ["Handle", "Overlay", "reduce_dataset", "reduce_element", "reduce_sequence"]

#: The ``__dict__`` key of a dataset unpickled from a handle and not opened yet.
PENDING = "_travel_pending"
_UNSET_SLOTS = ("_owner", "_record", "_snapshot")


@attrs.frozen(eq=False)
class Overlay:
    """The edits of one dataset, relative to its file.

    Attributes:
        edits: ``(tag, DataElement | None)`` pairs: an element set or added (by value), or
            None for a tag deleted.
        items: ``(tag, slots, restructured)`` for a sequence read from the file whose items
            were edited: ``slots`` lists ``(file_item_index, Overlay | None)`` for every item
            in order, or ``(None, Dataset)`` for an item added in code (by value);
            ``restructured`` says items were inserted, removed or replaced (untouched file
            items still travel as indices, so they are copied byte for byte when written).
    """

    edits: tuple[tuple[int, DataElement | None], ...] = ()
    items: tuple[tuple[int, tuple[tuple[int | None, Any], ...], bool], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.edits or self.items)


@attrs.frozen(eq=False)
class Handle:
    """What a pickled file-backed ``FileDataset`` carries (see the module docstring).

    Attributes:
        locator: the path or URL to reopen, or the stream's own bytes when it has none.
        storage_options: the remote source's options (None for local files and bytes).
        options: the ``ReadOptions`` it was read with.
        size, version: of the bytes as first read (``Source.size``/``Source.version``);
            version None is not checked.
        overlay: the edit overlay.
        file_meta: ``(True, dataset_or_None)`` when the file meta group was replaced or edited
            (carried by value), else None.
        frame_index: the ``FrameIndex`` given to ``dcmread``, or None.
    """

    locator: str | bytes
    storage_options: dict | None
    options: Any
    size: int
    version: Any
    overlay: Overlay
    file_meta: tuple[bool, Any] | None = None
    frame_index: Any = None


class _Pending:
    """The handle of an unpickled dataset and the lock that makes its one reopening atomic."""

    __slots__ = ("handle", "lock")

    def __init__(self, handle: Handle) -> None:
        self.handle = handle
        self.lock = threading.Lock()


# -- overlay ---------------------------------------------------------------------------------


def capture_overlay(ds: Any) -> Overlay:
    """The edit overlay of ``ds`` relative to its index (a copy: later edits do not change it)."""
    edits = dict(ds._edits)
    items: list[tuple[int, tuple[tuple[int | None, Any], ...], bool]] = []
    for tag, elem in list(ds._cache.items()):
        if tag in edits or not elem.is_decoded:
            continue
        value = elem._value
        if isinstance(value, Sequence):
            if value._slots is None or not value.is_dirty():
                continue
            if value._records is None:  # not a sequence read from the file: by value
                edits[tag] = elem
                continue
            position = {rec: k for k, rec in enumerate(value._records)}
            slots: list[tuple[int | None, Any]] = []
            for slot in value._slots:
                if slot.record is None:
                    slots.append((None, slot.dataset))
                else:
                    sub = None if slot.dataset is None else capture_overlay(slot.dataset)
                    slots.append((position[slot.record], sub or None))
            items.append((tag, tuple(slots), value.is_modified))
        elif elem.changed_in_place():
            edits[tag] = elem
    return Overlay(tuple(sorted(edits.items())), tuple(items))


def apply_overlay(ds: Any, overlay: Overlay, owner: Any) -> None:
    """Apply ``overlay`` to the freshly read ``ds``; edited elements are owned by ``owner``
    (the dataset ``ds``'s state is about to be moved into)."""
    for tag, elem in overlay.edits:
        ds._cache.pop(tag, None)
        if elem is None:
            ds._edits[tag] = None
        else:
            elem._owner = owner
            elem.is_modified = True
            if isinstance(elem._value, Sequence):
                elem._value._attach(owner)
            ds._edits[tag] = elem
        ds._after_edit(tag)
    for tag, slots, restructured in overlay.items:
        elem = ds._element(tag)
        if elem is None or not isinstance(elem.value, Sequence):
            raise KeyError(tag)
        seq = elem.value
        file_slots = seq.slots
        if restructured:
            new = []
            for position, what in slots:
                if position is None:
                    new.append(_Slot(None, what))
                    what._parent = seq._parent
                elif position >= len(file_slots):
                    raise KeyError(tag)
                else:
                    new.append(file_slots[position])
            seq._slots = new
            seq.is_modified = True
        for position, sub in slots:
            if position is not None and sub is not None:
                if position >= len(file_slots):
                    raise KeyError(tag)
                item = seq._dataset_at(file_slots[position])
                apply_overlay(item, sub, item)


# -- reductions ------------------------------------------------------------------------------


def reduce_dataset(ds: Any) -> tuple:
    """``__reduce_ex__`` of ``Dataset`` and ``FileDataset``."""
    from lazydcm.model.filedataset import FileDataset

    pending = ds.__dict__.get(PENDING)
    if pending is not None:  # never opened here: pass the handle on untouched
        return (_open_handle, (type(ds), pending.handle, ds.__dict__.get("filename")))
    if isinstance(ds, FileDataset):
        return (_open_handle, (type(ds), _handle_for(ds), ds.filename))
    extra = {k: v for k, v in ds.__dict__.items() if not k.startswith("_")}
    return (_rebuild_dataset, (type(ds), list(ds), ds.__dict__.get("_file_meta"), extra))


def _handle_for(ds: Any) -> Handle:
    source = ds._file_source
    url = getattr(source, "url", None)
    if url is not None and not is_url(url):  # a file object's name: not where its bytes are
        url = None
    locator: str | bytes | None = url
    if (
        locator is None
        and source.path is not None
        and source.base == 0
        and source.version is not None
    ):
        locator = source.path  # a mapped file (a spooled stream has no version: by value)
    version = source.version
    storage_options = getattr(source, "storage_options", None) if url is not None else None
    if locator is None:  # bytes, a stream or a file object: the bytes are the value
        source.ensure(0, source.size)  # read by range: fetch what was never read
        locator, version = bytes(source.buffer), None
    meta = None
    if not ds.__dict__.get("_meta_pending", True):
        current = ds.__dict__.get("_file_meta")
        if current is None or current._index is not ds._head.meta or current.is_dirty():
            meta = (True, current)
    return Handle(
        locator=locator,
        storage_options=storage_options,
        options=ds._options,
        size=source.size,
        version=version,
        overlay=capture_overlay(ds),
        file_meta=meta,
        frame_index=ds.__dict__.get("_frame_index"),
    )


def _open_handle(cls: type, handle: Handle, filename: Any) -> Any:
    ds = cls.__new__(cls)
    ds.__dict__.update({PENDING: _Pending(handle), "filename": filename})
    return ds


def _rebuild_dataset(cls: type, elements: list, file_meta: Any, extra: dict) -> Any:
    from lazydcm.model.dataset import Dataset

    ds = cls.__new__(cls)
    Dataset.__init__(ds)
    for elem in elements:
        elem._owner = ds
        if isinstance(elem._value, Sequence):
            elem._value._attach(ds)
        ds._edits[int(elem.tag)] = elem
    if file_meta is not None:
        object.__setattr__(ds, "_file_meta", file_meta)
    ds.__dict__.update(extra)
    return ds


def reduce_element(elem: DataElement) -> tuple:
    """``__reduce_ex__`` of ``DataElement``: tag, VR and the decoded value (no offsets)."""
    state = {}
    for cls in type(elem).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if name in _UNSET_SLOTS or name in state or name == "__weakref__":
                continue
            if name == "_value":
                state[name] = elem.value
            elif hasattr(elem, name):
                state[name] = getattr(elem, name)
    state["tag"] = int(elem.tag)
    return (_rebuild_element, (type(elem), state))


def _rebuild_element(cls: type, state: dict) -> DataElement:
    elem = DataElement.__new__(cls)
    elem._owner = None
    elem._record = None
    elem._snapshot = _unset()
    for name, value in state.items():
        setattr(elem, name, value)
    elem.tag = Tag(state["tag"])
    elem.is_modified = True
    return elem


def _unset() -> Any:
    from lazydcm.model import element

    return element._UNSET


def reduce_sequence(seq: Sequence) -> tuple:
    """``__reduce_ex__`` of ``Sequence``: its items (by value) and ``is_modified``."""
    return (_rebuild_sequence, (type(seq), list(seq), seq.is_modified))


def _rebuild_sequence(cls: type, items: list, modified: bool) -> Sequence:
    seq = cls(items)
    seq.is_modified = modified
    return seq


# -- reopening -------------------------------------------------------------------------------

MISSING: Any = object()


def reopened_attribute(ds: Any, name: str) -> Any:
    """For ``Dataset.__getattr__``: attribute ``name`` of an unpickled dataset, reopening it
    first; ``MISSING`` when the dataset is not pending and has no such entry."""
    state = ds.__dict__
    if PENDING in state:
        materialize(ds)
        return getattr(ds, name)
    # another thread may have published the reopened state since this lookup began
    return state.get(name, MISSING)


def materialize(ds: Any) -> None:
    """Open the source of an unpickled ``ds`` (once, under its lock) and move the read state
    into it, with the overlay applied; a no-op when another thread has done it.

    Raises:
        SourceChangedError: the file's size or version differs from the handle's.
        OSError, InvalidDicomError: as ``dcmread`` raises them.
    """
    pending = ds.__dict__.get(PENDING)
    if pending is None:
        return
    with pending.lock:
        if PENDING not in ds.__dict__:
            return
        fresh = _reopen(pending.handle, type(ds))
        try:
            handle = pending.handle
            fresh.__dict__["filename"] = ds.__dict__.get("filename", fresh.filename)
            if handle.frame_index is not None:
                fresh.__dict__["_frame_index"] = handle.frame_index
            apply_overlay(fresh, _copied(handle.overlay), ds)
            if handle.file_meta is not None:
                fresh.__dict__.update(_file_meta=handle.file_meta[1], _meta_pending=False)
            _adopt(fresh, ds)
        except KeyError as exc:
            fresh.close()
            raise SourceChangedError(
                f"{_where(pending.handle)}: the pickled edits name an item of {Tag(exc.args[0])!r}"
                " that the reopened file does not have"
            ) from None
        except BaseException:
            fresh.close()
            raise
        # What was set on the pending dataset itself (file_meta, attributes) wins; the rest is
        # published in one step: other threads see all of it or none.
        mine = ds.__dict__
        state = {k: v for k, v in fresh.__dict__.items() if k not in mine or k == "filename"}
        mine.update(state)
        del ds.__dict__[PENDING]


def _copied(overlay: Overlay) -> Overlay:
    # Several pending copies may share one handle (deepcopy of a pending dataset): each gets
    # its own element objects.
    import copy

    return copy.deepcopy(overlay) if overlay else overlay


def _adopt(fresh: Any, ds: Any) -> None:
    """Point what ``fresh`` made during the overlay at ``ds`` (which takes over its state)."""
    import weakref

    for elem in list(fresh._cache.values()) + [e for e in fresh._edits.values() if e]:
        owner = elem._owner
        if type(owner) is weakref.ReferenceType:
            elem._owner = weakref.ref(ds)
        elif owner is fresh:
            elem._owner = ds
        if elem.is_decoded and isinstance(elem._value, Sequence):
            elem._value._attach(ds)


def _where(handle: Handle) -> str:
    if isinstance(handle.locator, bytes):
        return f"the pickled stream ({len(handle.locator)} bytes)"
    return repr(handle.locator)


def _reopen(handle: Handle, cls: type) -> Any:
    from lazydcm.io.source import Source
    from lazydcm.model.filedataset import dcmread

    if isinstance(handle.locator, bytes):
        fresh = cls._open(Source.from_bytes(handle.locator), handle.options)
    elif "://" in handle.locator:  # a remote source: the read path checks its ETag itself
        kwargs = (
            {} if handle.storage_options is None else {"storage_options": handle.storage_options}
        )
        fresh = dcmread(
            handle.locator, options=handle.options, frame_index=handle.frame_index, **kwargs
        )
        try:
            _check(handle, fresh._file_source)
        except BaseException:
            fresh.close()
            raise
    else:
        source = Source.open(handle.locator)
        try:
            _check(handle, source)  # before a byte of it is scanned
            fresh = cls._open(source, handle.options)
        except BaseException:
            source.close()
            raise
    if cls is not type(fresh):
        object.__setattr__(fresh, "__class__", cls)
    return fresh


def _check(handle: Handle, source: Any) -> None:
    changed = []
    if source.size != handle.size:
        changed.append(f"size {handle.size} -> {source.size} bytes")
    if handle.version is not None and source.version != handle.version:
        changed.append(f"version (mtime ns or ETag) {handle.version!r} -> {source.version!r}")
    if changed:
        raise SourceChangedError(
            f"{_where(handle)} changed since this dataset was pickled or copied: "
            + ", ".join(changed)
            + "; nothing was read from it"
        )

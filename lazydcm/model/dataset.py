"""``Dataset``: a mapping of tags to ``DataElement`` built on a lazy index plus an edit overlay.

A dataset read from a file is three separate things (STYLE.md 6):

* the **index** — the scanner's read-only records (tag, VR as stored, offsets, length);
* the **cache** — ``DataElement`` objects made from records on first access, each decoding its
  value once when ``.value`` is first read;
* the **edits** — elements set or added in code, and tags deleted (``None``).

Nothing is decoded until asked. Item datasets of a sequence are indexed when first touched.
Everything backed by the file (records, undecoded values, pixel views) lives as long as the file
stays open; touching an undecoded value after ``close()`` raises ``SourceClosedError``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import attrs

from lazydcm.errors import InvalidDicomError, RemoteReadError
from lazydcm.io.header import UNDEFINED_LENGTH
from lazydcm.model import _display, dictionary
from lazydcm.model._dataset_compat import DatasetCompat
from lazydcm.model._dataset_pixels import DatasetPixels
from lazydcm.model._pickle import MISSING as _MISSING
from lazydcm.model._pickle import reduce_dataset
from lazydcm.model._pickle import reopened_attribute as _reopened_attribute
from lazydcm.model._private import attached_vr, private_vr, vr_for_new
from lazydcm.model._private_block import PrivateBlock
from lazydcm.model.charset import Charset
from lazydcm.model.element import DataElement
from lazydcm.model.sequence import Sequence
from lazydcm.model.tag import Tag, tag_repr
from lazydcm.model.values import decode_value, decoder_for
from lazydcm.model.vr import CHARSET_VRS, VR, resolve_vr

if TYPE_CHECKING:
    from lazydcm.io.index import ElementIndex, Record
    from lazydcm.io.scanner import Item
    from lazydcm.io.source import Source

__all__ = ["Dataset", "Context", "to_tag"]

_tag_for_keyword = dictionary.tag_for_keyword
_SPECIFIC_CHARSET = 0x00080005
_PIXEL_TAGS = frozenset({0x7FE00008, 0x7FE00009, 0x7FE00010})
#: Explicit VR bytes that are taken as read (UN and unknown codes go through _vr_for_record).
_EXPLICIT_VRS = {vr.value.encode("ascii"): vr.value for vr in VR if vr.value != "UN"}
_CHARSET_VRS = frozenset(CHARSET_VRS)
_WORD_VRS = frozenset({"OB", "OW", "OF", "OD", "OL", "OV"})  # bytes in the dataset's order


@attrs.frozen
class Context:
    """How the bytes of one dataset region are encoded, and where they live.

    ``source`` is the mapped file (or bytes); ``implicit_vr``/``little_endian`` are the region's
    byte layout (items of an undefined-length UN element are implicit VR little endian, PS3.5
    6.2.2, whatever the file's syntax).
    """

    source: Source
    implicit_vr: bool
    little_endian: bool
    options: Any = None  # the ReadOptions of dcmread, for sequence items read later


def to_tag(key: Any) -> Tag:
    """Turn a keyword, an int, a ``(group, element)`` tuple or a ``Tag`` into a ``Tag``.

    Raises ``KeyError`` for an unknown keyword (so ``ds["NoSuchKeyword"]`` behaves like a
    missing key), ``TypeError`` for anything else.
    """
    if isinstance(key, Tag):
        return key
    if isinstance(key, str):
        found = dictionary.tag_for_keyword(key)
        if found is not None:
            return Tag(found)
        try:
            return Tag(key)
        except ValueError:
            raise KeyError(key) from None
    return Tag(key)


class Dataset(DatasetPixels, DatasetCompat):
    """A DICOM dataset with the familiar pydicom-style API.

    ``Dataset()`` builds an empty one in code. Access by keyword (``ds.PatientName``), by tag
    (``ds[0x10, 0x10]``, ``ds[0x00100010]``, ``ds[Tag(...)]``, ``ds["PatientName"]`` give the
    ``DataElement``), ``"PatientName" in ds``, ``del ds.PatientName``, ``len``, iteration over
    elements in tag order, ``dir(filter)``, ``data_element(keyword)``, ``get``.
    """

    def __init__(self, elements: Any = None) -> None:
        self.__dict__.update(
            _ctx=None,
            _index=None,
            _cache={},
            _edits={},
            _parent=None,
            _charset=None,
            _pixel_cache=None,
            _file_meta=None,
            _item_record=None,
        )
        if elements:
            items = elements.values() if isinstance(elements, dict) else elements
            for elem in items:
                self.add(elem)

    # -- construction from an index ------------------------------------------------------
    @classmethod
    def _from_index(
        cls,
        ctx: Context,
        index: ElementIndex,
        *,
        parent: Dataset | None = None,
        item: Item | None = None,
    ) -> Dataset:
        ds = cls.__new__(cls)
        ds.__dict__.update(
            _ctx=ctx,
            _index=index,
            _cache={},
            _edits={},
            _parent=parent,
            _charset=None,
            _pixel_cache=None,
            _file_meta=None,
            _item_record=item,
        )
        return ds

    # -- facts about the encoding ---------------------------------------------------------
    @property
    def is_little_endian(self) -> bool | None:
        """Byte order of the bytes this dataset was read from; for one built in code, the
        value set by the user (pydicom's write flow), else None."""
        if self._ctx is None:
            return self.__dict__.get("_declared_little_endian")
        return self._ctx.little_endian

    @is_little_endian.setter
    def is_little_endian(self, value: bool | None) -> None:
        # Declares the encoding save_as uses when no transfer syntax is given (see
        # lazydcm.model._write_compat); the bytes of a dataset read from a file stay as read.
        object.__setattr__(self, "_declared_little_endian", None if value is None else bool(value))

    @property
    def is_implicit_VR(self) -> bool | None:  # noqa: N802 - pydicom's spelling
        """Whether this dataset was read as implicit VR; for one built in code, the value set
        by the user, else None."""
        if self._ctx is None:
            return self.__dict__.get("_declared_implicit_vr")
        return self._ctx.implicit_vr

    @is_implicit_VR.setter
    def is_implicit_VR(self, value: bool | None) -> None:  # noqa: N802
        object.__setattr__(self, "_declared_implicit_vr", None if value is None else bool(value))

    @property
    def index(self) -> ElementIndex | None:
        """The read-only scan index of this dataset's elements (None when built in code)."""
        return self._index

    @property
    def item_record(self) -> Item | None:
        """For an item of a sequence read from a file: its item record (offsets), else None."""
        return self._item_record

    @property
    def file_meta(self) -> Dataset:
        """The file meta group (a ``FileMetaDataset``). As in pydicom, a dataset without one
        has no such attribute: ``hasattr(Dataset(), "file_meta")`` is False (AttributeError);
        use ``getattr(ds, "file_meta", None)``."""
        meta = self._file_meta
        if meta is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute 'file_meta'")
        return meta

    @file_meta.setter
    def file_meta(self, value: Dataset | None) -> None:
        if value is not None and not isinstance(value, Dataset):
            raise TypeError("file_meta must be a Dataset")
        if type(value) is Dataset and value.index is None:  # pydicom: becomes FileMetaDataset
            from lazydcm.model.filemeta import FileMetaDataset

            value = FileMetaDataset(value)
        object.__setattr__(self, "_file_meta", value)

    @file_meta.deleter
    def file_meta(self) -> None:
        if self._file_meta is None:
            raise AttributeError("file_meta")
        object.__setattr__(self, "_file_meta", None)

    # -- element lookup -------------------------------------------------------------------
    def _record(self, tag: int) -> Record | None:
        if self._index is None:
            return None
        pos = self._index.find(tag)
        return None if pos < 0 else self._index.record(pos)

    def _element(self, tag: int) -> DataElement | None:
        # The hot path of every access: edits, then the decoded cache, then the index.
        edits = self._edits
        if edits and tag in edits:
            return edits[tag]
        elem = self._cache.get(tag)
        if elem is not None:
            return elem
        index = self._index
        if index is None:
            return None
        pos = index.find(tag)
        if pos < 0:
            return None
        rec = index.record(pos)
        vr = _EXPLICIT_VRS.get(rec.vr) if not self._ctx.implicit_vr else None
        elem = DataElement._from_record(tag, vr or self._vr_for_record(rec), rec, self)
        return self._cache.setdefault(tag, elem)  # atomic: racing threads share one element

    def _lookup_value(self, tag: int) -> Any:
        """Value of ``tag`` here or in an enclosing dataset (None if absent or undecodable)."""
        ds: Dataset | None = self
        while ds is not None:
            elem = ds._element(tag)
            if elem is not None:
                try:
                    return elem.value
                except InvalidDicomError:
                    return None
            ds = ds._parent
        return None

    def _vr_for_record(self, rec: Record) -> str:
        tag = int(rec.tag)
        stored = rec.vr
        if stored and not self._ctx.implicit_vr:
            vr = stored.decode("ascii")
            if vr != "UN":
                return vr
            if rec.undefined_length:  # PS3.5 6.2.2: UN of undefined length holds SQ items
                return "SQ"
            if tag & 0x10000:  # private: the creator's dictionary, if known
                return private_vr(self, tag, implicit_vr=False)
            known = dictionary.vr_for(tag)
            if known == "UN" or known == "NONE":
                return "UN"
            return resolve_vr(tag, known, self._lookup_value)
        # implicit VR: the dictionary says (PS3.5 A.1)
        if (tag & 0xFFFF) == 0:
            return "UL"  # group length, PS3.5 7.2 (private groups too)
        if tag & 0x10000:
            if 0x0010 <= (tag & 0xFFFF) <= 0x00FF:
                return "LO"  # private creator, PS3.5 7.8.1
            return "SQ" if rec.undefined_length else private_vr(self, tag, implicit_vr=True)
        vr = dictionary.vr_for(tag)
        vr = vr if vr != "UN" else attached_vr(self, tag)  # DataDictionary.attach additions
        if vr in ("UN", "NONE"):  # NONE: a stray item tag at dataset level, kept as bytes
            return "SQ" if rec.undefined_length and vr == "UN" else "UN"
        return resolve_vr(
            tag, vr, self._lookup_value, implicit_vr=True, undefined_length=rec.undefined_length
        )

    def _decode_lock(self) -> threading.RLock:
        """The lock that serialises first decodes and first-use caches of this dataset (made
        on first use; re-entrant: a decode may read (0008,0005) of the same dataset)."""
        lock = self.__dict__.get("_lock")
        if lock is None:
            lock = self.__dict__.setdefault("_lock", threading.RLock())
        return lock

    def _decode_element(self, elem: DataElement) -> Any:
        """Decode a file-backed element's value (called once by ``DataElement.value``)."""
        rec = elem.record
        ctx = self._ctx
        assert rec is not None and ctx is not None
        vr = elem.VR
        if vr == "SQ":  # a sequence cut short gives its items up to the cut
            return self._sequence_for(elem, rec)
        if self._index.truncation is not None:
            self._check_truncated(rec)
        source = ctx.source
        try:  # a ranged source fetches here; its errors then name the element
            if rec.undefined_length:  # encapsulated pixel data: items up to the delimiter
                return bytes(source.view(rec.value_offset, rec.end - 8 - rec.value_offset))
            raw = source.view(rec.value_offset, rec.length)
        except RemoteReadError as exc:
            raise exc.for_tag(rec.tag) from exc
        # (0008,0005) itself is never decoded with a charset (it names the charset; a file
        # that stores it with a text VR would otherwise recurse).
        charset = (
            self._get_charset() if vr in _CHARSET_VRS and rec.tag != _SPECIFIC_CHARSET else None
        )
        little = ctx.little_endian
        if rec.vr == b"UN" and vr != "UN" and not ctx.implicit_vr:
            little = True  # PS3.5 6.2.2: UN values are the implicit VR little endian encoding
        decoder = decoder_for(vr)
        if decoder is not None:  # the common case, without decode_value's keyword call
            return decoder(raw, little, charset, rec.tag, rec.value_offset)
        return decode_value(
            vr, raw, little_endian=little, charset=charset, tag=rec.tag, offset=rec.value_offset
        )

    def _check_truncated(self, rec: Record) -> None:
        """Raise the scanner's error for the element a file was cut short in."""
        index = self._index
        if index is not None and index.truncation is not None and int(rec.end) >= index.stop:
            raise index.truncation

    def _sequence_for(self, elem: DataElement, rec: Record) -> Sequence:
        from lazydcm.model._items import index_item, sequence_items

        ctx = self._ctx
        assert ctx is not None
        un_value = rec.vr == b"UN"
        # PS3.5 6.2.2: the items of a UN value are implicit VR little endian (see index_item
        # for the explicit-VR items some devices write there)
        item_ctx = Context(ctx.source, True, True, ctx.options) if un_value else ctx
        # a ranged source fetches the sequence's bytes (no-op for mapped files)
        ctx.source.ensure(int(rec.value_offset), int(rec.end) - int(rec.value_offset))
        buf = ctx.source.buffer
        length = UNDEFINED_LENGTH if rec.undefined_length else int(rec.length)
        index = self._index
        cut = index.truncation if index is not None and int(rec.end) >= index.stop else None
        where = f"{tag_repr(int(rec.tag))} at offset 0x{int(rec.header_offset):X}"

        def scan() -> list[Item]:
            return sequence_items(
                buf, int(rec.value_offset), length, implicit_vr=item_ctx.implicit_vr,
                little_endian=item_ctx.little_endian, cut=cut, where=where, options=ctx.options,
                un_value=un_value, owner=int(rec.tag), source_little_endian=ctx.little_endian,
            )  # fmt: skip

        def make_item(item: Item) -> Dataset:
            found, implicit, little = index_item(
                buf, item, implicit_vr=item_ctx.implicit_vr,
                little_endian=item_ctx.little_endian, un_value=un_value,
                options=ctx.options, where=f"item at offset 0x{item.header_offset:X}",
                source_little_endian=ctx.little_endian,
            )  # fmt: skip
            own_ctx = item_ctx
            if (implicit, little) != (item_ctx.implicit_vr, item_ctx.little_endian):
                own_ctx = Context(ctx.source, implicit, little, ctx.options)
            return Dataset._from_index(own_ctx, found, parent=self, item=item)

        seq = Sequence._from_source(scan, make_item)
        seq._attach(self)
        return seq

    def _stored_charset(self) -> Charset | None:
        """The charset named by an untouched (0008,0005) stored as CS (or implicit), read
        straight from its bytes (the common case, without making an element); else None."""
        if self._index is None or self._index.truncation is not None:
            return None
        if _SPECIFIC_CHARSET in self._cache or (self._edits and _SPECIFIC_CHARSET in self._edits):
            return None
        rec = self._record(_SPECIFIC_CHARSET)
        if rec is None or rec.undefined_length or rec.vr not in (b"CS", None):
            return None
        return Charset.from_specific_character_set(
            bytes(self._ctx.source.view(rec.value_offset, rec.length))
        )

    def _get_charset(self) -> Charset:
        if self._charset is None:
            charset = self._stored_charset()
            if charset is not None:
                object.__setattr__(self, "_charset", charset)
                return charset
            elem = self._element(_SPECIFIC_CHARSET)
            if elem is not None:
                terms = elem.value
                if isinstance(terms, (list, tuple)):
                    terms = [str(t) for t in terms]
                elif isinstance(terms, Sequence):
                    # a corrupted VR SQ: an unknown term, warned. Never str() the items: their
                    # text would need this very charset (endless recursion).
                    terms = f"<sequence of {len(terms)} item(s)>"
                elif terms is not None and not isinstance(terms, str):
                    terms = str(terms)  # a corrupted VR (e.g. US): an unknown term, warned
                charset = Charset.from_specific_character_set(terms)
            elif self._parent is not None:
                charset = self._parent._get_charset()
            else:
                charset = Charset.from_specific_character_set(None)
            object.__setattr__(self, "_charset", charset)
        return self._charset

    # -- edits ----------------------------------------------------------------------------
    def _element_edited(self, elem: DataElement) -> None:
        """Called by a DataElement whose value was set: move it to the edits."""
        tag = int(elem.tag)
        if isinstance(elem._value, Sequence):
            elem._value._attach(self)  # items inherit this dataset's charset
        self._cache.pop(tag, None)
        self._edits[tag] = elem
        self._after_edit(tag)

    def _after_edit(self, tag: int) -> None:
        if tag == _SPECIFIC_CHARSET:
            object.__setattr__(self, "_charset", None)
        if tag in _PIXEL_TAGS or (tag >> 16) == 0x0028:
            object.__setattr__(self, "_pixel_cache", None)

    def _vr_for_new(self, tag: Tag) -> str:
        existing = self._element(tag)
        if existing is not None:
            return existing.VR
        if tag.is_private_creator:
            return "LO"
        if (tag & 0xFFFF) == 0:
            return "UL"
        vr = private_vr(self, tag, implicit_vr=False) if tag.is_private else dictionary.vr_for(tag)
        if vr in ("UN", "NONE"):
            raise KeyError(
                f"{tag!r} is not in the DICOM dictionary: give its VR with "
                f"ds.add_new({tag!r}, VR, value)"
            )
        return resolve_vr(tag, vr, self._lookup_value, implicit_vr=self.is_implicit_VR is True)

    def set_value(self, key: Any, value: Any) -> None:
        """Set the value of element ``key`` (creating it with its dictionary VR if absent).

        Raises ``ValueError``/``TypeError`` at once if the VR cannot hold the value.
        """
        tag = to_tag(key)
        if isinstance(value, DataElement):
            self[tag] = value
            return
        vr = self._vr_for_new(tag)
        if isinstance(value, (bytes, bytearray)) and vr in _CHARSET_VRS:  # as pydicom: decode
            value = self._get_charset().decode(bytes(value), vr)  # with the dataset's charset
        order = getattr(getattr(value, "dtype", None), "byteorder", "|")
        if order != "|" and vr in _WORD_VRS:  # an array's values, in the dataset's byte order
            little = self.is_little_endian is not False  # as the writer reads them (plan.py)
            value = value.astype(value.dtype.newbyteorder("<" if little else ">")).tobytes()
        self._store(DataElement(tag, vr, value))

    def _store(self, elem: DataElement) -> None:
        tag = int(elem.tag)
        if tag & 0x10000 and tag & 0xFFFF >= 0x1000 and elem.validate and not self._element(tag):
            creator = (tag & 0xFFFF0000) | ((tag >> 8) & 0xFF)
            if self._element(creator) is None:  # PS3.5 7.8.1: a block needs its creator
                raise ValueError(
                    f"private element {Tag(tag)!r} needs its private creator {Tag(creator)!r}: "
                    "reserve the block with ds.private_block(group, creator, create=True)"
                )
        elem._owner = self
        elem.is_modified = True
        if isinstance(elem._value, Sequence):
            elem._value._attach(self)
        self._cache.pop(tag, None)
        self._edits[tag] = elem
        self._after_edit(tag)

    def add(self, elem: DataElement) -> None:
        """Add (or replace) an element built in code."""
        if not isinstance(elem, DataElement):
            raise TypeError("Dataset.add takes a DataElement")
        self._store(elem)

    def add_new(self, tag: Any, VR: str | None, value: Any, *, validate: bool = True) -> None:
        """Add (or replace) element ``tag`` with ``VR`` (None: the dictionary's or the private
        creator's, else UN) and ``value``; ``validate=False`` as for ``DataElement``."""
        tag = to_tag(tag)
        self._store(DataElement(tag, VR or vr_for_new(self, tag), value, validate=validate))

    def __setitem__(self, key: Any, value: Any) -> None:
        tag = to_tag(key)
        if isinstance(value, DataElement):
            if value.tag != tag:
                raise ValueError(f"element tag {value.tag!r} does not match key {tag!r}")
            self._store(value)
        else:
            self.set_value(tag, value)

    def __delitem__(self, key: Any) -> None:
        tag = int(to_tag(key))
        if self._element(tag) is None:
            raise KeyError(Tag(tag))
        self._cache.pop(tag, None)
        if self._record(tag) is not None:
            self._edits[tag] = None
        else:
            self._edits.pop(tag, None)
        self._after_edit(tag)

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_"):
            tag = dictionary.tag_for_keyword(name)
            if tag is not None:
                self.set_value(tag, value)
                return
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        tag = dictionary.tag_for_keyword(name)
        if tag is not None:
            try:
                del self[tag]
            except KeyError:
                raise AttributeError(name) from None
            return
        object.__delattr__(self, name)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: DICOM keywords live here.
        if name.startswith("_"):
            if not name.startswith("__"):
                found = _reopened_attribute(self, name)  # unpickled, opened on first use
                if found is not _MISSING:
                    return found
            raise AttributeError(name)
        tag = _tag_for_keyword(name)
        if tag is not None:
            elem = self._element(tag)
            if elem is not None:
                return elem.value
        found = _reopened_attribute(self, name)
        if found is not _MISSING:
            return found
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # -- mapping --------------------------------------------------------------------------
    def __getitem__(self, key: Any) -> DataElement:
        if type(key) is slice:
            return self._slice(key)  # pydicom: ds[tag1:tag2] is a Dataset
        tag = to_tag(key)
        elem = self._element(int(tag))
        if elem is None:
            raise KeyError(tag)
        return elem

    def get(self, key: Any, default: Any = None) -> Any:
        """For a keyword, the element's value; for a tag, the ``DataElement``; else ``default``."""
        if isinstance(key, str):
            tag = _tag_for_keyword(key)
            if tag is not None:
                elem = self._element(tag)
                return default if elem is None else elem.value
        try:
            tag = to_tag(key)
        except (KeyError, TypeError, ValueError):
            return default
        elem = self._element(int(tag))
        return default if elem is None else elem

    def __contains__(self, key: Any) -> bool:
        try:
            tag = to_tag(key)
        except (KeyError, TypeError, ValueError):
            return False
        return self._element(int(tag)) is not None

    def tags(self) -> list[Tag]:
        """The tags present, in ascending order (edits applied)."""
        present: set[int] = set()
        if self._index is not None:
            present.update(int(t) for t in self._index.tags)
        for tag, elem in self._edits.items():
            if elem is None:
                present.discard(tag)
            else:
                present.add(tag)
        return [Tag(t) for t in sorted(present)]

    def keys(self) -> list[Tag]:
        return self.tags()

    def values(self) -> list[DataElement]:
        return list(self)

    def items(self) -> list[tuple[Tag, DataElement]]:
        return [(elem.tag, elem) for elem in self]

    def __iter__(self) -> Iterator[DataElement]:
        for tag in self.tags():
            elem = self._element(tag)
            if elem is not None:
                yield elem

    def __len__(self) -> int:
        return len(self.tags())

    def __bool__(self) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Dataset):
            return NotImplemented
        if self.tags() != other.tags():
            return False
        return all(a == b for a, b in zip(self, other, strict=False))

    __hash__ = None  # type: ignore[assignment]

    def dir(self, *filters: str) -> list[str]:
        """Sorted keywords of the elements present whose keyword contains any of ``filters``
        (case-insensitive); all keywords when no filter is given."""
        keywords = [kw for kw in (dictionary.keyword_for(t) for t in self.tags()) if kw]
        if filters:
            wanted = [f.lower() for f in filters]
            keywords = [kw for kw in keywords if any(w in kw.lower() for w in wanted)]
        return sorted(keywords)

    def data_element(self, keyword: str) -> DataElement | None:
        """The ``DataElement`` for ``keyword``, or None if absent or not a keyword."""
        tag = dictionary.tag_for_keyword(keyword)
        return None if tag is None else self._element(tag)

    def pop(self, key: Any, *default: Any) -> Any:
        try:
            elem = self[key]
        except KeyError:
            if default:
                return default[0]
            raise
        del self[key]
        return elem

    def update(self, other: Any) -> None:
        """Set each keyword/tag → value (or DataElement) of a mapping or a Dataset."""
        pairs = other.items()
        for key, value in pairs:
            self[key] = value

    # -- traversal ------------------------------------------------------------------------
    def iterall(self) -> Iterator[DataElement]:
        """Every element, depth first: each element then the elements of its items. Items that
        cannot be read are left out with a warning (offset, tag, reason)."""
        yield from self._iterall(strict=False)

    def _iterall(self, *, strict: bool) -> Iterator[DataElement]:
        for elem in self:
            yield elem
            if elem.VR == "SQ":
                for item in _display.readable_items(elem, strict=strict):
                    yield from item._iterall(strict=strict)

    def walk(
        self, callback: Callable[[Dataset, DataElement], None], recursive: bool = True
    ) -> None:
        """Call ``callback(dataset, element)`` for every element (into items if ``recursive``).
        Items that cannot be read are not walked, with a warning naming offset, tag and reason;
        errors raised by ``callback`` propagate."""
        for tag in self.tags():
            elem = self._element(tag)
            if elem is None:
                continue
            callback(self, elem)
            if recursive and tag in self and elem.VR == "SQ":
                for item in _display.readable_items(elem, strict=False):
                    item.walk(callback, recursive)

    def decode(self) -> Dataset:
        """Decode every value recursively (the eager view); returns ``self``."""
        for elem in self._iterall(strict=True):
            if elem.tag not in _PIXEL_TAGS:
                elem.value  # noqa: B018 - decoding is the point
        return self

    def is_dirty(self) -> bool:
        """True if anything in this dataset or its touched items was changed."""
        if self._edits:
            return True
        for elem in self._cache.values():
            if elem.changed_in_place():
                return True
            if elem.VR == "SQ" and elem.is_decoded and elem.value.is_dirty():
                return True
        return False

    # -- private blocks -------------------------------------------------------------------
    def private_creators(self, group: int) -> list[str]:
        """The private creator strings reserved in odd ``group``."""
        out = []
        for tag in self.tags():
            if tag.group == group and tag.is_private_creator:
                out.append(str(self[tag].value))
        return out

    def private_block(self, group: int, private_creator: str, create: bool = False) -> PrivateBlock:
        """The block of odd ``group`` reserved by ``private_creator`` (PS3.5 7.8.1).

        With ``create=True`` a free creator slot is reserved when none exists; otherwise a
        missing creator raises ``KeyError``.
        """
        if group % 2 == 0:
            raise ValueError(f"group {group:#06x} is not private (odd)")
        free = None
        for elem_no in range(0x10, 0x100):
            tag = (group << 16) | elem_no
            elem = self._element(tag)
            if elem is None:
                if free is None:
                    free = elem_no
                continue
            if str(elem.value).strip() == private_creator:
                return PrivateBlock(self, group, elem_no, private_creator)
        if not create:
            raise KeyError(f"no private creator {private_creator!r} in group {group:#06x}")
        if free is None:
            raise ValueError(f"group {group:#06x} has no free private creator slot")
        self.add_new((group << 16) | free, "LO", private_creator)
        return PrivateBlock(self, group, free, private_creator)

    def remove_private_tags(self) -> None:
        """Delete every private element (odd group)."""
        for tag in self.tags():
            if tag.is_private:
                del self[tag]

    # -- copying --------------------------------------------------------------------------
    def copy(self) -> Dataset:
        """A shallow copy: shares the file mapping and decoded values, with its own edits.

        As pydicom documents ``Dataset.copy`` (a shallow copy), the items of a sequence edited
        in ``self`` (items added, removed or edited) are the same objects in the copy; an
        unedited sequence is decoded afresh from the file, so its items are not shared.
        """
        self._edits  # noqa: B018 - opens an unpickled dataset first
        dup = type(self).__new__(type(self))
        for name, value in self.__dict__.items():
            object.__setattr__(dup, name, value)
        object.__setattr__(dup, "_cache", {})
        object.__setattr__(dup, "_edits", {})
        for tag, elem in self._edits.items():
            if elem is None:
                dup._edits[tag] = None
            else:
                dup._store(DataElement(elem.tag, elem.VR, elem.value))
        for elem in self._cache.values():
            if not elem.is_decoded:
                continue
            nested = isinstance(elem.value, Sequence) and elem.value.is_dirty()
            if nested or elem.changed_in_place():
                # an edited item is shared, as in pydicom's shallow copy, not re-read from file
                dup._store(DataElement(elem.tag, elem.VR, elem.value))
        return dup

    __copy__ = copy

    def __reduce_ex__(self, protocol: Any) -> tuple:
        """Pickle, deepcopy: see ``lazydcm.model._pickle`` (a file handle, else by value)."""
        return reduce_dataset(self)

    # -- display --------------------------------------------------------------------------
    def __str__(self) -> str:
        lines = []
        meta = getattr(self, "file_meta", None)
        if meta is not None:
            lines.append("Dataset.file_meta -------------------------------")
            lines.extend(meta.formatted_lines())
            lines.append("-------------------------------------------------")
        lines.extend(self.formatted_lines())
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    # -- writing --------------------------------------------------------------------------
    def save_as(
        self,
        filename: Any,
        *,
        transfer_syntax: str | None = None,
        enforce_file_format: bool = False,
        **options: Any,
    ) -> int:
        """Write this dataset as a DICOM Part 10 file (see ``lazydcm.model.plan``).

        Unchanged byte ranges are copied from the source file; the destination is replaced
        atomically (a failed or interrupted write leaves any existing file untouched).
        ``transfer_syntax`` re-encodes into another uncompressed syntax; ``enforce_file_format``
        adds a preamble and meta group to a file read without them. Returns bytes written.
        """
        from lazydcm.model._write_compat import save_compat

        return save_compat(
            self,
            filename,
            transfer_syntax=transfer_syntax,
            enforce_file_format=enforce_file_format,
            **options,
        )

"""``DataElement``: one element of a dataset — tag, VR, VM and a value decoded on first access.

An element read from a file keeps its scan record (offsets and length, public and read-only) and
asks its owning dataset to decode the value the first time ``.value`` is read; the decoded value is
cached on the element. An element built in code (``DataElement(tag, VR, value)``) has no record.

Setting ``.value`` checks the value against the VR at once (``ValueError``/``TypeError``) and
records the edit with the owning dataset, so the writer emits it.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from lazydcm.model import dictionary
from lazydcm.model.tag import Tag, tag_repr
from lazydcm.model.values import MultiValue, PersonName, coerce_unchecked, coerce_value
from lazydcm.model.vr import resolve_vr

if TYPE_CHECKING:
    from lazydcm.io.index import Record

__all__ = ["DataElement", "EMPTY_VALUES"]

_UNSET: Any = object()
_new_element = object.__new__
_weak = weakref.ref
_WeakRef = weakref.ReferenceType
_new_tag = int.__new__

#: How many characters of a value the dump form shows before eliding it.
_MAX_REPR = 100

#: VRs whose values are bytes-like and summarised, not printed, in the dump form.
_BINARY_VRS = frozenset({"OB", "OD", "OF", "OL", "OV", "OW", "UN", "OB or OW", "US or OW"})

EMPTY_VALUES = (None, "", b"")

#: VRs whose value may be an open binary file, written by streaming it (pydicom 3's buffered
#: values): the binary VRs of PS3.5 Table 6.2-1.
_BUFFER_VRS = frozenset({"OB", "OD", "OF", "OL", "OV", "OW", "UN", "OB or OW"})


def is_buffer(value: Any) -> bool:
    """True for an open, readable, seekable binary file object (not bytes-like)."""
    if isinstance(value, (bytes, bytearray, memoryview, str)):
        return False
    try:
        return (
            callable(getattr(value, "read", None))
            and value.seekable()
            and not value.closed
            and (not hasattr(value, "readable") or value.readable())
        )
    except (AttributeError, ValueError, OSError):
        return False


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (str, bytes, bytearray, memoryview, list, tuple, PersonName)):
        return len(value) == 0
    return False


class DataElement:
    """One data element.

    Attributes:
        tag: the element's :class:`Tag`.
        VR: the value representation as a two-letter ``str`` (``"PN"``, ``"SQ"``, ...).
        header_offset, value_offset, length: where the element was found in its source (byte
            offsets and the value length as stored), or ``None`` for an element made in code.
            They describe the file as read; edits do not change them.

    ``DataElement(tag, VR, value)`` builds an element in code; the value is checked against the
    VR immediately (``ValueError``/``TypeError`` if the VR cannot hold it).

    Lifetime: an element read from a file keeps its dataset (and so the mapping) alive until its
    value is decoded, so ``dcmread(path)[tag].value`` works; once decoded it holds the dataset
    weakly (only to report edits), so a dataset nobody holds is freed at once.
    """

    __slots__ = (
        "tag",
        "VR",
        "_value",
        "_record",
        "_owner",
        "_snapshot",
        "is_modified",
        "_undefined",
        "_lax",
    )

    #: pydicom's display switch; lazydcm's dump always shows the VR (read-only here).
    showVR = True  # noqa: N815 - pydicom's spelling

    def __init__(
        self,
        tag: Any,
        VR: str | None,
        value: Any = None,
        *,
        validate: bool = True,
        _record: Record | None = None,
        _owner: Any = None,
        _raw: bool = False,
        is_undefined_length: bool = False,
    ) -> None:
        self._undefined = bool(is_undefined_length)
        self.tag = Tag(tag)
        # VR None: the dictionary's (an ambiguous one by its default rule), UN when unknown
        self.VR = str(VR) if VR is not None else _dictionary_vr(self.tag)
        self._lax = not validate
        self._record = _record
        self._owner = _owner
        self._snapshot: Any = _UNSET
        self.is_modified = _record is None
        if _record is not None and _raw:
            self._value = _UNSET
        else:
            self._value = self._convert(value)

    # -- construction helpers -------------------------------------------------------------
    @classmethod
    def _from_record(cls, tag: int, vr: str, record: Record, owner: Any) -> DataElement:
        """An element backed by a scan record; ``owner`` decodes its value on first access.

        The hot path of reading: the tag is a scanned 32-bit int, so it skips the checks of
        ``Tag()`` and of ``__init__``."""
        elem = _new_element(cls)
        elem.tag = _new_tag(Tag, tag)
        elem.VR = vr
        elem._value = _UNSET
        elem._record = record
        elem._owner = owner
        elem._snapshot = _UNSET
        elem.is_modified = False
        return elem

    def _convert(self, value: Any) -> Any:
        if self.VR == "SQ":
            from lazydcm.model.sequence import Sequence

            if isinstance(value, Sequence):
                return value
            return Sequence(value if value is not None else [])
        if self.VR in _BUFFER_VRS and is_buffer(value):
            return value  # streamed by the writer; never read into memory here
        if getattr(self, "_lax", False):
            return coerce_unchecked(self.VR, value)
        return coerce_value(self.VR, value)

    @property
    def validate(self) -> bool:
        """False for an element built with ``validate=False``: its values skip the VR's rules
        (see :func:`~lazydcm.model.values.coerce_unchecked`), and it may be a private element
        without a private creator."""
        return not getattr(self, "_lax", False)

    # -- value -----------------------------------------------------------------------------
    @property
    def value(self) -> Any:
        """The decoded value (decoded once, on first access, from the mapped file).

        Raises:
            InvalidDicomError: the stored bytes cannot be decoded under the VR.
            SourceClosedError: the element was never decoded and its file has been closed.
        """
        if self._value is _UNSET:
            owner = self._owner
            if type(owner) is _WeakRef:  # another thread decoded it meanwhile (set below)
                return self._value
            # Threads: one decode per element, published once (docs/internals.md).
            with owner._decode_lock():
                if self._value is not _UNSET:
                    return self._value
                value = owner._decode_element(self)
                if isinstance(value, (MultiValue, list, bytearray)):
                    snapshot = list(value) if not isinstance(value, bytearray) else bytes(value)
                    self._snapshot = snapshot
                self._value = value
                # Decoded: the dataset is needed only to be told of edits, so hold it weakly.
                # The dataset caches this element, and a strong reference both ways would be a
                # cycle that keeps every opened dataset (and its mapping) alive until the
                # garbage collector runs; weakly, dropping a dataset frees it at once.
                self._owner = _weak(owner)
        return self._value

    @value.setter
    def value(self, new: Any) -> None:
        self._value = self._convert(new)
        self._mark_modified()

    def _mark_modified(self) -> None:
        self.is_modified = True
        owner = self._owner
        if type(owner) is _WeakRef:
            owner = owner()  # None once the dataset is gone: nobody to tell
        if owner is not None:
            owner._element_edited(self)

    @property
    def private_creator(self) -> str | None:
        """pydicom's ``private_creator``: for a private data element (gggg,xxee) in a dataset,
        the value of the creator (gggg,00xx) that reserves its block (PS3.5 7.8.1); None for
        any other element, an element in no dataset, or once its dataset is gone."""
        tag = self.tag
        if not tag.is_private or tag.element < 0x1000:
            return None
        owner = self._owner
        if type(owner) is _WeakRef:
            owner = owner()
        creator = None if owner is None else owner._element(int(tag.private_creator))
        return None if creator is None else str(creator.value)

    @property
    def is_decoded(self) -> bool:
        """True once the value has been decoded (or was set in code)."""
        return self._value is not _UNSET

    def changed_in_place(self) -> bool:
        """True if a decoded mutable value (a list, ``MultiValue`` or ``bytearray``) was mutated
        in place since it was decoded — an edit the setter could not see."""
        if self._snapshot is _UNSET or self._value is _UNSET:
            return False
        current = self._value
        if isinstance(current, bytearray):
            return bytes(current) != self._snapshot
        return list(current) != self._snapshot

    # -- facts -----------------------------------------------------------------------------
    @property
    def VM(self) -> int:
        """Value multiplicity: 0 for an empty value, the number of values otherwise (1 for a
        sequence, bytes, or a single value)."""
        if self.VR == "SQ":
            return 1
        value = self.value
        if _is_empty(value):
            return 0
        if isinstance(value, (MultiValue, list, tuple)):
            return len(value)
        return 1

    @property
    def keyword(self) -> str:
        """The dictionary keyword, or ``""`` for private and unknown tags."""
        return dictionary.keyword_for(self.tag)

    @property
    def name(self) -> str:
        """The dictionary name (``"Patient's Name"``); for a private data element the private
        dictionary's name in brackets (``"[CSAImageHeaderType]"``) when its dataset's creator
        is known, else a description ("Private tag data", "Unknown")."""
        tag = self.tag
        if tag & 0x10000 and tag & 0xFFFF >= 0x1000:
            owner = self._owner
            if type(owner) is _WeakRef:
                owner = owner()
            if owner is not None:
                from lazydcm.model._private import private_name

                name = private_name(owner, tag)
                if name is not None:
                    return name
        return dictionary.name_for(tag)

    @property
    def is_private(self) -> bool:
        return self.tag.is_private

    @property
    def is_retired(self) -> bool:
        entry = dictionary.entry_for(self.tag)
        return bool(entry and entry.retired)

    @property
    def header_offset(self) -> int | None:
        return None if self._record is None else int(self._record.header_offset)

    @property
    def value_offset(self) -> int | None:
        return None if self._record is None else int(self._record.value_offset)

    @property
    def length(self) -> int | None:
        """The value length as stored in the file (``0xFFFFFFFF`` for undefined), or None."""
        return None if self._record is None else int(self._record.length)

    @property
    def is_undefined_length(self) -> bool:
        """True when the element was read with an undefined length, or was made with
        ``is_undefined_length=True`` (pydicom's flag; a sequence built in code is written with
        undefined length either way, PS3.5 7.5)."""
        if self._record is not None:
            return bool(self._record.undefined_length)
        return self._undefined

    @is_undefined_length.setter
    def is_undefined_length(self, value: bool) -> None:
        self._undefined = bool(value)

    @property
    def is_buffered(self) -> bool:
        """True when the value is an open binary file (written by streaming it)."""
        return self._value is not _UNSET and is_buffer(self._value)

    @property
    def is_empty(self) -> bool:
        """True when the element has no value: VM 0, or a sequence without items."""
        if self.VR == "SQ":
            return len(self.value) == 0
        return self.VM == 0

    @property
    def record(self) -> Record | None:
        """The read-only scan record this element came from, or None."""
        return self._record

    def __reduce_ex__(self, protocol: Any) -> tuple:
        """Pickle/deepcopy by value: tag, VR and the decoded value (offsets are not kept)."""
        from lazydcm.model._pickle import reduce_element

        return reduce_element(self)

    def __getitem__(self, key: Any) -> Any:
        """Index into the value (an item of a sequence, a value of a multi-valued element)."""
        return self.value[key]

    # -- comparison and display ------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DataElement):
            return NotImplemented
        return self.tag == other.tag and self.VR == other.VR and self.value == other.value

    __hash__ = None  # type: ignore[assignment]  # mutable

    @property
    def repval(self) -> str:
        """The value as shown in the dump form: quoted strings, UID names, summaries of binary
        data (never decoding a large binary value). A value that cannot be decoded shows as
        ``<invalid: ...>`` (offset, tag, reason) instead of raising."""
        try:
            return self._repval()
        except Exception as exc:  # noqa: BLE001 - shown inline (issue 10 kind 5)
            from lazydcm.model._display import invalid_text

            return invalid_text(exc)

    def _repval(self) -> str:
        if self.VR == "SQ":
            return f"<Sequence, length {len(self.value)}>"
        if self.VR in _BINARY_VRS and self._record is not None and self._value is _UNSET:
            length = self._record.length
            if self._record.undefined_length:
                return "<encapsulated data>"
            if length > 32:
                return f"<{length} bytes>"
        value = self.value
        if isinstance(value, (bytes, bytearray, memoryview)):
            if len(value) > 32:
                return f"<{len(value)} bytes>"
            return repr(bytes(value))
        if self.VR == "UI" and isinstance(value, str):
            name = getattr(value, "name", "")
            text = name or str(value)
        elif isinstance(value, MultiValue):
            text = "[" + ", ".join(_show(v) for v in value) + "]"
        else:
            text = _show(value)
        if len(text) > _MAX_REPR:
            text = text[: _MAX_REPR - 3] + "..."
        return text

    def __str__(self) -> str:
        return f"{tag_repr(self.tag)} {self.name[:35]:<35} {self.VR}: {self.repval}"

    def __repr__(self) -> str:
        return str(self)


def _dictionary_vr(tag: int) -> str:
    vr = dictionary.vr_for(tag)
    if vr == "NONE" or (tag >> 16 & 1 and tag & 0xFFFF >= 0x1000):
        return "UN"  # item tags; private data (its creator is in a dataset: use ds.add_new)
    return resolve_vr(tag, vr, lambda _tag: None)


def _show(value: Any) -> str:
    if value is None:
        return ""
    original = getattr(value, "original_string", None)
    if isinstance(original, str):  # DS / IS keep the text they were stored as
        return repr(original)
    if isinstance(value, (int, float)):  # includes Tag, whose repr is (gggg,eeee)
        return repr(value)
    return repr(str(value))

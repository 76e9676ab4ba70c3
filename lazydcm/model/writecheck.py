"""The checks every write passes before its first byte: a file lazydcm writes is readable.

:func:`check_write` is called by ``lazydcm.model.save.file_plan`` once the target syntax is
known and before any segment is planned, so a refused write raises ``ValueError`` while the
destination is still untouched. It checks the invariants a Part 10 file must satisfy and that
edits can break (each names the rule it follows):

* **preamble** (PS3.10 7.1): ``ds.preamble`` is None (128 zero bytes are written) or exactly
  128 bytes.
* **group 0002 only in the meta group** (PS3.10 7.1, PS3.5 7.1): an element of group 0002 set
  on the dataset itself (``ds.TransferSyntaxUID = ...``) is refused, with a message saying to
  set it on ``ds.file_meta``, and so is one set inside a sequence item; a changed
  ``ds.file_meta`` holds group 0002 elements only. (Group 0002 elements that were already in
  the body of the file read are copied as they were.)
* **pixel data encoding matches the syntax** (PS3.5 A.4, 8.2): where the target syntax has
  encapsulated pixel data, Pixel Data is a sequence of items (stored so, or assigned as bytes
  made of complete items: Basic Offset Table item, then fragments); where it is native, Pixel
  Data is not stored encapsulated, and an assigned value has the length Rows × Columns ×
  Samples per Pixel × Number of Frames × Bits Allocated / 8 (rounded up, plus one pad byte
  when odd; PS3.5 8.1.1). Pixel data that was not reassigned is written as stored when the
  syntax is the one it was read in (whatever the file held); in another syntax it is copied
  when both are native and transcoded frame by frame by ``file_plan`` before this check when
  the encoding changes (``model/_transcode_plan.py``), so what remains here is refused.
  Native pixel data copied as stored must still fit when an image attribute that sizes it
  (Rows, Columns, Samples per Pixel, Number of Frames, Bits Allocated) was changed.
* **a file cut short is not written cut short**: once anything changed, the element a
  truncated file was cut in must be deleted, assigned again or (a sequence) edited inside.
* **text copied as stored keeps its meaning** (PS3.5 6.1.2.3): a changed Specific Character
  Set (0008,0005) is refused while a text element (SH, LO, ST, LT, UT, UC, PN) copied as
  stored, here or in an item inheriting the charset, holds non-ASCII bytes or ISO 2022
  escapes; text assigned again is encoded in the new charset.

The body's byte layout always follows the transfer syntax written in the meta group: that is
``file_plan``'s rule (the syntax is the ``transfer_syntax`` argument, else the one in
``ds.file_meta``; when it differs from the syntax the file was read in, every element is
re-encoded), so there is nothing left to check for it here.
"""

from __future__ import annotations

from typing import Any

from lazydcm.io.syntax import ByteLayout
from lazydcm.model.charset import Charset
from lazydcm.model.dataset import Dataset
from lazydcm.model.element import is_buffer
from lazydcm.model.uid import UID
from lazydcm.model.vr import CHARSET_VRS

__all__ = ["check_write", "checked_preamble", "fragment_problem"]

_PIXEL_DATA = 0x7FE00010
_PREAMBLE_LENGTH = 128
_SEQ_DELIM_LE = b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"  # (FFFE,E0DD), length 0
_SPECIFIC_CHARSET = 0x00080005
#: Rows, Columns, Samples per Pixel, Number of Frames, Bits Allocated: the size of native
#: Pixel Data follows from them (PS3.5 8.1.1)
_IMAGE_ATTRIBUTES = (0x00280010, 0x00280011, 0x00280002, 0x00280008, 0x00280100)
_ITEM_LE = b"\xfe\xff\x00\xe0"  # (FFFE,E000), little endian: PS3.5 A.4 is always little endian


def _name(uid: str | None) -> str:
    if not uid:
        return "an unknown syntax"
    return UID(uid).name or uid


def _tag(tag: int) -> str:
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


def checked_preamble(ds: Dataset) -> bytes | None:
    """``ds.preamble`` as bytes, or None when unset. ``ValueError`` unless it is None or 128
    bytes (PS3.10 7.1); ``TypeError`` for a value that is not bytes-like."""
    preamble = ds.__dict__.get("preamble")
    if preamble is None:
        return None
    if not isinstance(preamble, (bytes, bytearray, memoryview)):
        raise TypeError(f"the preamble must be 128 bytes or None, not {type(preamble).__name__}")
    preamble = bytes(preamble)
    if len(preamble) != _PREAMBLE_LENGTH:
        raise ValueError(
            f"the preamble must be 128 bytes or None, not {len(preamble)} bytes (PS3.10 7.1)"
        )
    return preamble


def fragment_problem(data: Any) -> str | None:
    """Why ``data`` is not the value of encapsulated Pixel Data, or None if it is.

    The value is a sequence of complete items, each an (FFFE,E000) tag, a 32-bit little-endian
    length and that many bytes, the first being the Basic Offset Table (PS3.5 A.4); the
    Sequence Delimitation Item is the writer's to add (one given at the end is accepted and
    written once). Reads only the item headers.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        return f"a {type(data).__name__}, not bytes"
    view = memoryview(data).cast("B")
    size = len(view)
    pos = 0
    if size == 0:
        return "it is empty (at least the Basic Offset Table item is needed)"
    while pos < size:
        if size - pos < 8:
            return f"{size - pos} stray bytes at offset {pos}, too few for an item header"
        if bytes(view[pos : pos + 8]) == _SEQ_DELIM_LE and pos + 8 == size:
            return None  # a trailing Sequence Delimitation Item: the writer writes exactly one
        if bytes(view[pos : pos + 4]) != _ITEM_LE:
            tag = int.from_bytes(view[pos : pos + 2], "little") << 16
            tag |= int.from_bytes(view[pos + 2 : pos + 4], "little")
            return f"offset {pos} holds {_tag(tag)} where an item tag (FFFE,E000) belongs"
        length = int.from_bytes(view[pos + 4 : pos + 8], "little")
        if length == 0xFFFFFFFF or pos + 8 + length > size:
            return f"the item at offset {pos} has length {length}, past the end ({size} bytes)"
        pos += 8 + length
    return None


def _native_length_problem(ds: Dataset, value: Any) -> str | None:
    """Why an assigned native Pixel Data value does not fit the image attributes (PS3.5
    8.1.1), or None (also when the attributes needed to tell are missing)."""
    try:
        rows, cols = int(ds.Rows), int(ds.Columns)
        bits = int(ds.BitsAllocated)
        samples = int(ds.get("SamplesPerPixel", 1) or 1)
        frames = int(ds.get("NumberOfFrames", 1) or 1)
    except (AttributeError, TypeError, ValueError):
        return None
    expected = (rows * cols * samples * frames * bits + 7) // 8
    if is_buffer(value):  # an open binary file: the bytes from its position to its end
        position = value.tell()
        actual = value.seek(0, 2) - position
        value.seek(position)
    else:
        actual = value.nbytes if hasattr(value, "nbytes") else len(value)
    if actual in (expected, expected + expected % 2):
        return None
    return (
        f"it holds {actual} bytes but Rows {rows} × Columns {cols} × Samples {samples} × "
        f"Frames {frames} × {bits} bits needs {expected}"
    )


def _check_changed_image_attributes(ds: Dataset, stored: int, ts: str) -> None:
    """Refuse a changed image attribute that no longer fits the native Pixel Data copied as
    stored (PS3.5 8.1.1; PS3.3 C.7.6.3). Files whose attributes were not edited are copied as
    they are, whatever they held."""
    edited = [
        tag
        for tag in _IMAGE_ATTRIBUTES
        if tag in ds._edits
        or (tag in ds._cache and ds._cache[tag].is_decoded and ds._cache[tag].changed_in_place())
    ]
    if not edited:
        return
    # the stored length stands in for the value: only its size matters
    problem = _native_length_problem(ds, _Sized(stored))
    if problem is not None:
        raise ValueError(
            f"Pixel Data (7FE0,0010) in native {_name(ts)} is copied as stored, but "
            f"{', '.join(_tag(t) for t in edited)} changed: {problem}. Assign Pixel Data "
            "that fits the new attributes, or keep them"
        )


class _Sized:
    """A stand-in value of ``nbytes`` bytes for :func:`_native_length_problem`."""

    def __init__(self, nbytes: int) -> None:
        self.nbytes = nbytes


def _nested_group_2(ds: Dataset) -> int | None:
    """A group 0002 tag set inside a changed or new sequence item of ``ds``, or None."""
    items: list[Dataset] = []
    for elem in ds._edits.values():
        if elem is not None and elem.VR == "SQ":
            items.extend(elem.value)
    for elem in ds._cache.values():
        if elem.VR == "SQ" and elem.is_decoded and elem.value.is_dirty():
            items.extend(item for item in elem.value if item.is_dirty())
    for item in items:
        for tag, elem in item._edits.items():
            if elem is not None and tag >> 16 == 0x0002:
                return tag
        found = _nested_group_2(item)
        if found is not None:
            return found
    return None


def _check_meta_groups(ds: Dataset) -> None:
    for tag, elem in ds._edits.items():
        if elem is not None and tag >> 16 == 0x0002:
            raise ValueError(
                f"element {_tag(tag)} belongs to the File Meta Information (group 0002, PS3.10 "
                f"7.1), which is not part of the dataset: set it on ds.file_meta instead "
                f"(ds.file_meta.{elem.keyword or 'add_new(...)'}), and delete it from the dataset"
            )
    nested = _nested_group_2(ds)
    if nested is not None:
        raise ValueError(
            f"element {_tag(nested)} was set in a sequence item: group 0002 elements belong to "
            "the File Meta Information only (PS3.10 7.1), never to a dataset or item"
        )
    meta = getattr(ds, "file_meta", None)  # a dataset built in code may have none
    if meta is None or (meta.index is not None and not meta.is_dirty()):
        return  # no meta, or the one read, copied as it was
    for elem in meta:
        if int(elem.tag) >> 16 != 0x0002:
            raise ValueError(
                f"ds.file_meta holds element {_tag(int(elem.tag))}: the File Meta Information "
                "has group 0002 elements only (PS3.10 7.1); move it to the dataset"
            )


def _check_pixels(ds: Dataset, read_ts: str | None, ts: str, target: ByteLayout) -> None:
    if _PIXEL_DATA not in ds:
        return
    assigned = ds._edits.get(_PIXEL_DATA)
    if assigned is None:
        cached = ds._cache.get(_PIXEL_DATA)
        if cached is not None and cached.changed_in_place():
            assigned = cached
    if assigned is None:  # as stored in the file read: copied, never transcoded
        record = ds._record(_PIXEL_DATA)
        stored_encapsulated = bool(record is not None and record.undefined_length)
        if not stored_encapsulated and record is not None:
            _check_changed_image_attributes(ds, int(record.length), ts)
        if read_ts is not None and ts == read_ts:
            return  # written as it was read (a no-op save of any file stays byte-identical)
        if stored_encapsulated == target.encapsulated and not stored_encapsulated:
            return
        raise ValueError(
            f"cannot write the pixel data of {_name(read_ts)} as {_name(ts)}: it would be "
            "copied, not transcoded. Assign Pixel Data (7FE0,0010) encoded for "
            f"{_name(ts)} first (native bytes, or encapsulated items, PS3.5 A.4), or keep the "
            "syntax"
        )
    value = assigned.value
    if target.encapsulated:
        if is_buffer(value):  # items in an open file (a transcoder's output): streamed as is
            return
        problem = fragment_problem(value)
        if problem is not None:
            raise ValueError(
                f"Pixel Data (7FE0,0010) cannot be written in {_name(ts)}, whose pixel data is "
                f"encapsulated (PS3.5 A.4): the value assigned is not a sequence of items "
                f"({problem}). Encapsulate the frames (Basic Offset Table item, then fragments), "
                "or set a native transfer syntax in ds.file_meta"
            )
        return
    problem = _native_length_problem(ds, value)
    if problem is not None:
        hint = (
            " — it looks like encapsulated items; set the matching compressed syntax in "
            "ds.file_meta, or assign native pixel bytes"
            if fragment_problem(value) is None
            else ": set the image attributes to match before saving"
        )
        raise ValueError(f"Pixel Data (7FE0,0010) in native {_name(ts)}: {problem}{hint}")


def _copied(ds: Dataset, tag: int) -> bool:
    """Whether element ``tag`` of ``ds`` (read from a file) is written as its stored bytes."""
    if tag in ds._edits:
        return False
    elem = ds._cache.get(tag)
    return elem is None or not elem.is_decoded or not elem.changed_in_place()


def _stale_text(ds: Dataset) -> int | None:
    """A text element of ``ds`` (or of an item inheriting its charset) copied as stored whose
    bytes are not plain ASCII, so that they may mean something else under a changed charset;
    or None."""
    index = ds.index
    if index is None or ds._ctx is None:
        return None
    for rec in index.file_order():
        tag = int(rec.tag)
        if not _copied(ds, tag) and tag not in ds._cache:
            continue
        elem = ds._element(tag)
        if elem is None:
            continue
        if elem.VR == "SQ":
            if not elem.is_decoded and not _copied(ds, tag):
                continue
            for item in elem.value:
                if _SPECIFIC_CHARSET not in item:  # an item with its own charset keeps it
                    found = _stale_text(item)
                    if found is not None:
                        return found
            continue
        if elem.VR not in CHARSET_VRS or rec.undefined_length or not _copied(ds, tag):
            continue
        raw = bytes(ds._ctx.source.view(rec.value_offset, rec.length))
        if not raw.isascii() or b"\x1b" in raw:  # 8-bit, or ISO 2022 escapes (PS3.5 6.1.2.5)
            return tag
    return None


def _check_charset(ds: Dataset) -> None:
    """Refuse a changed Specific Character Set (0008,0005) while text copied as stored is
    encoded in the old one (PS3.5 6.1.2.3: text is read with the charset the dataset names,
    so those bytes would be misread)."""
    if ds.index is None or _copied(ds, _SPECIFIC_CHARSET):
        return
    rec = ds._record(_SPECIFIC_CHARSET)
    stored = bytes(ds._ctx.source.view(rec.value_offset, rec.length)) if rec is not None else None
    old = Charset.from_specific_character_set(stored)
    if old == ds._get_charset():
        return
    tag = _stale_text(ds)
    if tag is not None:
        raise ValueError(
            f"Specific Character Set (0008,0005) changed from {list(old.terms)} to "
            f"{list(ds._get_charset().terms)}, but {_tag(tag)} is copied as stored with "
            "non-ASCII bytes in the old character set, which would be misread (PS3.5 "
            "6.1.2.3). Read the text values before changing it and assign them again "
            "(they are then encoded in the new one), or keep the character set"
        )


def _check_truncation(ds: Dataset, read_ts: str | None, ts: str) -> None:
    """Refuse a changed dataset of a file cut short whose cut element would be copied as
    stored: its bytes end where the file did, so the file written would be cut short too. A
    no-op save (same syntax, nothing changed) writes the same bytes back (docs/deviations.md);
    a cut element assigned, deleted or (a sequence) edited inside is written whole."""
    index = ds.index
    if index is None or index.truncation is None:
        return
    meta = getattr(ds, "file_meta", None)
    changed = ds.is_dirty() or (meta is not None and meta.is_dirty()) or ts != read_ts
    if not changed:
        return
    for rec in index.file_order():
        tag = int(rec.tag)
        if int(rec.end) < index.stop or not _copied(ds, tag):
            continue
        elem = ds._cache.get(tag)
        if elem is not None and elem.VR == "SQ" and elem.is_decoded and elem.value.is_dirty():
            continue
        raise ValueError(
            f"the file read was cut short in {_tag(tag)} ({index.truncation}); a changed "
            "dataset would be written cut short too. Delete that element (del ds[tag]) or "
            "assign it a whole value before saving, or save without changes"
        )


def check_write(ds: Dataset, *, read_ts: str | None, ts: str, target: ByteLayout) -> None:
    """Refuse, with ``ValueError`` naming the element and the rule, a write of ``ds`` in
    transfer syntax ``ts`` (byte layout ``target``) that would produce an unreadable or invalid
    file; ``read_ts`` is the syntax the dataset's bytes were read in (None: built in code).
    Reads no pixel bytes (only item headers of an assigned encapsulated value). See the module
    docstring for the invariants."""
    checked_preamble(ds)
    _check_meta_groups(ds)
    _check_pixels(ds, read_ts, ts, target)
    _check_charset(ds)
    _check_truncation(ds, read_ts, ts)

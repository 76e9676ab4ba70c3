"""The write plan: turn a dataset (index + cache + edits) into ``Copy``/``Emit`` segments.

Rules (DESIGN.md, "the life of a write"):

* an untouched element, item or run of them is one ``Copy`` of its source bytes;
* a changed or added element is an ``Emit`` of its new encoding, in tag order;
* a defined-length sequence or item that contains a change gets a new header with its
  recomputed length; its untouched children stay ``Copy`` (recursively); undefined-length
  containers keep their own header and delimiter bytes;
* a group length element (gggg,0000) of a group that changed is recomputed (or dropped with
  ``drop_group_lengths``); (0002,0000) is always recomputed when the meta group is written anew;
* when the byte layout changes (implicit/explicit, endianness) every element is re-encoded;
  native pixel data of the same byte order is still copied.

Copy offsets refer to the dataset's source buffer (``FileDataset.source``). Encoding errors
(a value too long for its VR's length field, ...) raise ``ValueError`` while planning, before any
byte is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import numpy as np

from lazydcm.io.encaps import items_only
from lazydcm.io.header import (
    ITEM,
    ITEM_DELIM,
    LONG_LENGTH_VRS,
    SEQ_DELIM,
    UNDEFINED_LENGTH,
    encode_element_header,
    encode_item_header,
)
from lazydcm.io.syntax import ByteLayout
from lazydcm.io.writer import Copy, Emit, Segment, Stream, coalesce
from lazydcm.model.dataset import Dataset
from lazydcm.model.element import DataElement, is_buffer
from lazydcm.model.sequence import Sequence
from lazydcm.model.values import encode_value

__all__ = ["Planner", "segments_size", "element_bytes"]

_PIXEL_DATA = 0x7FE00010
_UN_ITEMS = ByteLayout(implicit_vr=True, little_endian=True)
# Word size of the binary VRs that change with byte order (PS3.5 7.3).
_SWAP_SIZE = {"OW": 2, "OF": 4, "OL": 4, "OD": 8, "OV": 8}


def segments_size(segments: list[Segment]) -> int:
    """Number of bytes a list of segments produces."""
    total = 0
    for seg in segments:
        total += seg.nbytes
    return total


def _item_tag_bytes(tag: int, length: int, little: bool) -> bytes:
    return encode_item_header(tag, length, little_endian=little)


@attrs.define
class Planner:
    """Plans the dataset part of a file.

    Attributes:
        layout: the byte layout to write (implicit/explicit VR, byte order).
        same_layout: the source was read with this same layout, so unchanged bytes may be copied.
        encapsulated: the target syntax has encapsulated pixel data.
        drop_group_lengths: leave out (gggg,0000) elements instead of recomputing them.
    """

    layout: ByteLayout
    same_layout: bool
    encapsulated: bool = False
    drop_group_lengths: bool = False

    # -- datasets -------------------------------------------------------------------------
    def dataset(
        self, ds: Dataset, *, trailing_stop: int | None = None, whole: bool = True
    ) -> list[Segment]:
        """Segments for the elements of ``ds`` (no item header). ``trailing_stop``: for the
        top-level dataset, the end of the source, so bytes after the last element are kept.
        ``whole=False``: the index shows only some of the elements in its byte range (a
        partial read), so the range is never copied as one piece."""
        index = ds.index
        # an item a file was cut short in, written inside a re-encoded sequence: its elements
        # are written, the one cut short is left out (its value is not in the file)
        cut_item = index is not None and index.truncation is not None and trailing_stop is None
        if self.same_layout and index is not None and whole and not ds.is_dirty() and not cut_item:
            stop = trailing_stop if trailing_stop is not None else index.stop
            return [Copy(index.start, stop)] if stop > index.start else []
        parts = list(self._element_parts(ds))
        if cut_item:
            cut = [int(r.tag) for r in index.file_order() if int(r.end) >= index.stop]
            parts = [(tag, segs) for tag, segs in parts if tag not in cut]
        segments = self._with_group_lengths(ds, parts)
        if self.same_layout and index is not None and trailing_stop is not None:
            last = max((int(r.end) for r in index.file_order()), default=index.start)
            # a file cut inside an element header: those bytes are no element, and a changed
            # dataset is written without them (a no-op save copies the file whole, above)
            cut_header = index.truncation is not None and last < index.stop
            if trailing_stop > last and not cut_header:
                segments.append(Copy(last, trailing_stop))
        return segments

    def _element_parts(self, ds: Dataset) -> Iterator[tuple[int, list[Segment]]]:
        """(tag, segments) per element, in output order."""
        index = ds.index
        edits = ds._edits
        added = sorted(
            t for t, e in edits.items() if e is not None and (index is None or index.find(t) < 0)
        )
        pos = 0
        if self.same_layout and index is not None:
            for rec in index.file_order():
                tag = int(rec.tag)
                while pos < len(added) and added[pos] < tag:
                    yield added[pos], self.encode(ds, edits[added[pos]])
                    pos += 1
                if tag in edits:
                    elem = edits[tag]
                    if elem is not None:
                        yield tag, self.encode(ds, elem)
                    continue
                elem = ds._cache.get(tag)
                if elem is None or not elem.is_decoded:
                    yield tag, [Copy(int(rec.header_offset), int(rec.end))]
                elif elem.VR == "SQ" and elem.value.is_dirty():
                    yield tag, self.sequence(ds, elem)
                elif elem.changed_in_place():
                    yield tag, self.encode(ds, elem)
                else:
                    yield tag, [Copy(int(rec.header_offset), int(rec.end))]
            while pos < len(added):
                yield added[pos], self.encode(ds, edits[added[pos]])
                pos += 1
            return
        for elem in ds:  # built in code, or a different layout: encode everything
            yield int(elem.tag), self.encode(ds, elem)

    def _with_group_lengths(
        self, ds: Dataset, parts: list[tuple[int, list[Segment]]]
    ) -> list[Segment]:
        has_lengths = any(tag & 0xFFFF == 0 for tag, _ in parts)
        if not has_lengths:
            return [seg for _, segs in parts for seg in segs]
        sizes: dict[int, int] = {}
        for tag, segs in parts:
            if tag & 0xFFFF:
                sizes[tag >> 16] = sizes.get(tag >> 16, 0) + segments_size(segs)
        out: list[Segment] = []
        for tag, segs in parts:
            if tag & 0xFFFF == 0:
                if self.drop_group_lengths:
                    continue
                value = int(sizes.get(tag >> 16, 0)).to_bytes(
                    4, "little" if self.layout.little_endian else "big"
                )
                out.append(Emit(self._header(tag, "UL", 4) + value))
                continue
            out.extend(segs)
        return out

    # -- sequences ------------------------------------------------------------------------
    def sequence(self, ds: Dataset, elem: DataElement) -> list[Segment]:
        """A source-backed sequence with changes inside: untouched items copied."""
        rec = elem.record
        seq: Sequence = elem.value
        if rec is None or not self.same_layout:
            return self.encode(ds, elem)
        # PS3.5 6.2.2: the items of a UN sequence are implicit VR little endian, whatever the
        # file's syntax; edits inside them are encoded so.
        items = self if rec.vr != b"UN" else attrs.evolve(self, layout=_UN_ITEMS)
        body: list[Segment] = []
        for slot in seq.slots:
            item = slot.dataset
            if item is None and rec.vr == b"UN" and slot.record is not None:
                # a copied item must be in the layout the edited ones are written in: an
                # explicit VR item (read so, see model/_items.py) is encoded afresh too
                item = seq._dataset_at(slot)
            body.extend(items._item(ds, slot.record, item))
        index = ds.index
        if index is not None and index.truncation is not None and int(rec.end) >= index.stop:
            return self.encode(ds, elem)  # cut short: no delimiter to copy; written whole
        if rec.undefined_length:
            head = [Copy(int(rec.header_offset), int(rec.value_offset))]
            tail = [Copy(int(rec.end) - 8, int(rec.end))]
            return head + body + tail
        header = self._header(int(elem.tag), "SQ", segments_size(body), stored_vr=rec.vr)
        return [Emit(header)] + body

    def _item(self, parent: Dataset, record: Any, item: Dataset | None) -> list[Segment]:
        little = self.layout.little_endian
        ctx = item._ctx if item is not None else None
        other_layout = ctx is not None and (ctx.implicit_vr, ctx.little_endian) != (
            self.layout.implicit_vr,
            little,
        )  # an item read in another layout (explicit VR inside UN)
        if record is not None and (item is None or not (item.is_dirty() or other_layout)):
            return [Copy(int(record.header_offset), int(record.end))]
        assert item is not None
        if record is None:
            body = self.dataset(item)
            return [Emit(_item_tag_bytes(ITEM, segments_size(body), little))] + body
        if other_layout:  # encoded afresh, with its own item header and delimiter
            body = attrs.evolve(self, same_layout=False).dataset(item)
            return [Emit(_item_tag_bytes(ITEM, segments_size(body), little))] + body
        body = self.dataset(item)
        if record.undefined_length:
            return (
                [Copy(int(record.header_offset), int(record.value_offset))]
                + body
                + [Copy(int(record.end) - 8, int(record.end))]
            )
        return [Emit(_item_tag_bytes(ITEM, segments_size(body), little))] + body

    # -- fresh encoding -------------------------------------------------------------------
    def _header(self, tag: int, vr: str, length: int, *, stored_vr: Any = None) -> bytes:
        vr_bytes = None if self.layout.implicit_vr else vr.encode("ascii")
        if vr_bytes is not None and stored_vr:
            vr_bytes = stored_vr
        if vr_bytes is not None and vr_bytes not in LONG_LENGTH_VRS and length > 0xFFFF:
            raise ValueError(
                f"element ({tag >> 16:04X},{tag & 0xFFFF:04X}) {vr}: a value of {length} bytes "
                f"does not fit the 16-bit length field of VR {vr} (PS3.5 7.1.2)"
            )
        return encode_element_header(
            tag,
            vr_bytes,
            length,
            implicit_vr=self.layout.implicit_vr,
            little_endian=self.layout.little_endian,
        )

    def encode(self, ds: Dataset, elem: DataElement) -> list[Segment]:
        """Segments encoding ``elem`` afresh under this planner's layout."""
        tag = int(elem.tag)
        vr = elem.VR
        little = self.layout.little_endian
        if vr == "SQ":
            body: list[Segment] = []
            for item in elem.value:
                item_body = self.dataset(item)
                body.append(Emit(_item_tag_bytes(ITEM, UNDEFINED_LENGTH, little)))
                body.extend(item_body)
                body.append(Emit(_item_tag_bytes(ITEM_DELIM, 0, little)))
            body.append(Emit(_item_tag_bytes(SEQ_DELIM, 0, little)))
            return [Emit(self._header(tag, "SQ", UNDEFINED_LENGTH))] + body
        rec = elem.record
        # Pixel data (or any large binary value) not edited: copy it when the bytes are the same.
        if rec is not None and not elem.is_modified and not elem.is_decoded and ds._ctx is not None:
            copied = self._copy_binary(ds, elem)
            if copied is not None:
                return copied
        value = elem.value
        if (
            tag == _PIXEL_DATA
            and self.encapsulated
            and isinstance(value, (bytes, bytearray, memoryview))
        ):
            data = bytes(items_only(value))  # PS3.5 7.5.2: the one delimiter is ours
            if len(data) % 2:
                data += b"\0"
            return [  # PS3.5 A.4: encapsulated Pixel Data is OB of undefined length
                Emit(self._header(tag, "OB", UNDEFINED_LENGTH)),
                Emit(data),
                Emit(_item_tag_bytes(SEQ_DELIM, 0, little)),
            ]
        if tag == _PIXEL_DATA and self.encapsulated and is_buffer(value):
            # encapsulated items in an open file (a transcode's output): streamed as they are
            stream = self._buffered(tag, "OB", value)[1:]
            return [
                Emit(self._header(tag, "OB", UNDEFINED_LENGTH)),
                *stream,
                Emit(_item_tag_bytes(SEQ_DELIM, 0, little)),
            ]
        if is_buffer(value):  # an open binary file: streamed at write time, never loaded
            return self._buffered(tag, vr, value)
        if tag == _PIXEL_DATA and vr == "OB" and not self.encapsulated:
            bits = ds._lookup_value(0x00280100)
            if isinstance(bits, int) and bits > 8:
                vr = "OW"  # PS3.5 A.2, A.3: native Pixel Data of more than 8 bits is OW
        if isinstance(value, np.ndarray):
            return self._array(tag, vr, value)
        if isinstance(value, (bytes, bytearray, memoryview)) and vr in _SWAP_SIZE:
            data = self._swapped(bytes(value), vr, ds, tag)
        else:
            data = encode_value(vr, value, little_endian=little, charset=ds._get_charset())
        return [Emit(self._header(tag, vr, len(data)) + bytes(data))]

    def _swapped(self, data: bytes, vr: str, ds: Dataset, tag: int) -> bytes:
        """Binary words stored in the source's byte order, written in the target's.

        Pixel Data words are Bits Allocated wide (32-bit pixels swap as 4 bytes even in OW);
        8-bit pixels in OW swap as 16-bit words (PS3.5 8.1.1, 7.3)."""
        source_little = ds.is_little_endian if ds.is_little_endian is not None else True
        if source_little == self.layout.little_endian or vr not in _SWAP_SIZE:
            return data if len(data) % 2 == 0 else data + b"\0"
        size = _SWAP_SIZE[vr]
        if tag == _PIXEL_DATA:
            bits = ds._lookup_value(0x00280100)
            if isinstance(bits, int) and bits in (32, 64):
                size = bits // 8
        usable = len(data) - len(data) % size
        arr = np.frombuffer(data, dtype=f"u{size}", count=usable // size).byteswap()
        return arr.tobytes() + data[usable:]

    def _copy_binary(self, ds: Dataset, elem: DataElement) -> list[Segment] | None:
        rec = elem.record
        vr = elem.VR
        if vr not in ("OB", "OW", "OF", "OD", "OL", "OV", "UN") or rec.undefined_length:
            return None
        source_little = ds._ctx.little_endian
        if vr != "OB" and vr != "UN" and source_little != self.layout.little_endian:
            return None
        if int(rec.length) % 2:
            return None
        header = self._header(int(elem.tag), vr, int(rec.length))
        return [Emit(header), Copy(int(rec.value_offset), int(rec.value_offset) + int(rec.length))]

    def _buffered(self, tag: int, vr: str, reader: Any) -> list[Segment]:
        """A value given as an open binary file: its bytes from the current position to the
        end, copied in blocks by the writer; padded to even length (PS3.5 7.1.1)."""
        start = reader.tell()
        end = reader.seek(0, 2)
        reader.seek(start)
        length = max(0, end - start)
        segs: list[Segment] = [
            Emit(self._header(tag, vr, length + length % 2)),
            Stream(reader, start, length),
        ]
        if length % 2:
            segs.append(Emit(b"\0"))
        return segs

    def _array(self, tag: int, vr: str, arr: np.ndarray) -> list[Segment]:
        want = "<" if self.layout.little_endian else ">"
        if arr.dtype.byteorder not in ("=", "|", want) or (
            arr.dtype.byteorder == "=" and want != ("<" if np.little_endian else ">")
        ):
            arr = arr.astype(arr.dtype.newbyteorder(want))
        arr = np.ascontiguousarray(arr)
        data = memoryview(arr).cast("B")
        segs: list[Segment] = [Emit(self._header(tag, vr, len(data) + len(data) % 2)), Emit(data)]
        if len(data) % 2:
            segs.append(Emit(b"\0"))
        return segs


def element_bytes(planner: Planner, ds: Dataset, elem: DataElement) -> bytes:
    """The complete encoding of one element (header + value) as bytes."""
    out = bytearray()
    for seg in planner.encode(ds, elem):
        if isinstance(seg, Copy):
            ds._ctx.source.ensure(seg.start, seg.stop - seg.start)  # a ranged source fetches
            out += ds._ctx.source.buffer[seg.start : seg.stop]
        elif isinstance(seg, Stream):
            for block in seg.blocks():
                out += block
        else:
            out += seg.data
    return bytes(out)


def finish(segments: list[Segment]) -> list[Segment]:
    """Merge adjacent copies and small emits."""
    return coalesce(segments)

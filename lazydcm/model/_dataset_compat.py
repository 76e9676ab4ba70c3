"""The pydicom-compatible parts of ``Dataset`` that the core does not need (a mixin).

:class:`DatasetCompat` is a base class of :class:`lazydcm.model.dataset.Dataset`; it holds the
methods that pydicom's documentation promises on a dataset and that are written in terms of
the core mapping API (``tags()``, ``_element``, ``__delitem__``, ``add_new``, ...): slicing,
``clear``/``popitem``/``setdefault``, group and private-block helpers, the formatted dump,
file meta helpers, JSON, ``update_raw_element`` and the pixel features that wait for codecs.
None of them runs on the read path; each touches only the elements it is asked about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from lazydcm.model.tag import Tag

if TYPE_CHECKING:
    from lazydcm.model.dataset import Dataset, PrivateBlock
    from lazydcm.model.element import DataElement

__all__ = ["DatasetCompat", "validate_file_meta"]

#: The dump formats, ``%``-style over a mapping of an element's attributes (pydicom's form).
DEFAULT_ELEMENT_FORMAT = "%(tag)s %(name)-35.35s %(VR)s: %(repval)s"
DEFAULT_SEQUENCE_FORMAT = "%(tag)s %(name)-35.35s %(VR)s: <Sequence, length %(len)s>"

_GROUP_LENGTH_MASK = 0xFFFF


def _fields(elem: DataElement) -> dict[str, Any]:
    """The attributes an ``element_format`` may name (read lazily only where cheap)."""
    fields = {
        "tag": elem.tag,
        "name": elem.name,
        "keyword": elem.keyword,
        "VR": elem.VR,
        "repval": elem.repval,
        "description": elem.name,
        "is_private": elem.is_private,
        "is_retired": elem.is_retired,
    }
    if elem.VR == "SQ":
        fields["len"] = len(elem.value)
    else:
        fields["value"] = elem.value
        fields["VM"] = elem.VM
    return fields


class DatasetCompat:
    """pydicom API methods of ``Dataset`` built on its core mapping methods."""

    __slots__ = ()

    # -- tab completion and slicing ----------------------------------------------------------
    def __dir__(self) -> list[str]:
        """Attributes and methods plus the keyword of every element present (tab completion)."""
        return sorted(set(object.__dir__(self)) | set(self.dir()))

    def _slice(self: Dataset, key: slice) -> Dataset:
        """A new ``Dataset`` of the elements with ``start <= tag < stop`` (tags, ints or
        ``(group, element)`` tuples; either end may be omitted). ``step`` takes every n-th
        element. The elements are shared, not copied (as pydicom's slices)."""
        from lazydcm.model.dataset import Dataset, to_tag

        start = None if key.start is None else int(to_tag(key.start))
        stop = None if key.stop is None else int(to_tag(key.stop))
        chosen = [
            t for t in self.tags() if (start is None or t >= start) and (stop is None or t < stop)
        ][:: key.step or 1]
        out = Dataset()
        for tag in chosen:
            elem = self._element(tag)
            out._edits[int(tag)] = elem  # shared: the slice is a view of these elements
        return out

    # -- dict methods with pydicom's meaning ---------------------------------------------------
    def clear(self: Dataset) -> None:
        """Delete every element (the file's bytes are untouched; saving writes no elements)."""
        for tag in self.tags():
            del self[tag]

    def popitem(self: Dataset) -> tuple[Tag, DataElement]:
        """Remove and return ``(tag, element)`` of the element with the highest tag.

        Raises ``KeyError`` when the dataset is empty."""
        tags = self.tags()
        if not tags:
            raise KeyError("popitem(): dataset is empty")
        tag = tags[-1]
        elem = self[tag]
        del self[tag]
        return tag, elem

    def setdefault(self: Dataset, key: Any, default: Any = None) -> DataElement:
        """The element ``key``; when absent, first add ``default`` — a ``DataElement`` (its tag
        must be ``key``) or a value for the dictionary VR of ``key``. Raises ``KeyError`` for a
        tag outside the dictionary given a plain value (give a ``DataElement``)."""
        from lazydcm.model.dataset import to_tag
        from lazydcm.model.element import DataElement

        tag = to_tag(key)
        if tag in self:
            return self[tag]
        if isinstance(default, DataElement):
            self[tag] = default
        else:
            self.set_value(tag, default)
        return self[tag]

    # -- groups and private blocks -------------------------------------------------------------
    def group_dataset(self: Dataset, group: int) -> Dataset:
        """A new ``Dataset`` of the elements of ``group`` (shared, as :meth:`_slice`)."""
        return self._slice(slice(group << 16, (group + 1) << 16))

    def get_private_item(
        self: Dataset, group: int, element_offset: int, private_creator: str
    ) -> DataElement:
        """The element at ``element_offset`` (0x00-0xFF) of the block that ``private_creator``
        reserves in odd ``group`` (PS3.5 7.8.1). Raises ``ValueError`` for an even group or an
        offset out of range, ``KeyError`` when the creator or the element is absent."""
        if not 0 <= element_offset <= 0xFF:
            raise ValueError("a private element offset is 0x00..0xFF")
        return self.private_block(group, private_creator)[element_offset]

    def add_new_private(
        self: Dataset,
        private_creator: str,
        group: int,
        element_offset: int,
        value: Any,
        vr: str | None = None,
    ) -> None:
        """Add ``value`` at ``element_offset`` of ``private_creator``'s block in odd ``group``,
        reserving the block when needed (PS3.5 7.8.1). Without ``vr`` it comes from the private
        dictionary (DCMTK's ``private.dic``) by creator and element byte; ``UN`` when the
        creator's entries do not know it."""
        block: PrivateBlock = self.private_block(group, private_creator, create=True)
        block.add_new(element_offset, vr, value)

    # -- traversal and display -----------------------------------------------------------------
    def elements(self: Dataset) -> Iterator[DataElement]:
        """The top-level elements in tag order (values are decoded only when read)."""
        return iter(self)

    def top(self: Dataset) -> str:
        """The dump form of the top-level elements only (sequences shown by their length)."""
        return "\n".join(
            DEFAULT_SEQUENCE_FORMAT % _fields(e) if e.VR == "SQ" else str(e) for e in self
        )

    def formatted_lines(
        self: Dataset,
        element_format: str | int | None = None,
        sequence_element_format: str | None = None,
        indent_format: str | None = None,
        *,
        indent: int = 0,
    ) -> Iterator[str]:
        """The dump form, one line per element, items indented; pixel data is never decoded.

        With ``element_format`` (and ``sequence_element_format`` for sequences) each line is
        that ``%``-format string (``"%(tag)s %(VR)s"``, as pydicom's) over the element's
        ``tag``, ``name``, ``keyword``, ``VR``,
        ``VM``, ``value``, ``repval``, ``description`` (and ``len`` for a sequence), and
        the items' lines follow their sequence's without indentation (pydicom's output;
        ``indent_format`` is accepted and, as in pydicom, unused). Without a format the lines
        are lazydcm's ``str(element)``, items indented by three spaces per level. An int as first argument is the nesting level (the older
        lazydcm call ``formatted_lines(indent)``).
        """
        from lazydcm.errors import InvalidDicomError

        if isinstance(element_format, int):
            indent, element_format = element_format, None
        formatted = element_format is not None or sequence_element_format is not None
        if formatted:  # one given: the other is the default (pydicom's defaults)
            element_format = element_format or DEFAULT_ELEMENT_FORMAT
            sequence_element_format = sequence_element_format or DEFAULT_SEQUENCE_FORMAT
        if not formatted:  # lazydcm's form; what cannot be read is one <invalid: ...> line
            from lazydcm.model import _display

            yield from _display.formatted_lines(self, indent)
            return
        pad = ""
        for elem in self:
            if elem.VR == "SQ":
                try:
                    seq = elem.value
                    count = len(seq)
                except InvalidDicomError as exc:
                    yield f"{pad}{elem.tag!r}  {elem.name}  <invalid: {exc.reason}>"
                    continue
                if sequence_element_format is not None:
                    yield pad + sequence_element_format % _fields(elem)
                else:
                    yield f"{pad}{elem.tag!r}  {elem.name}  {count} item(s) ----"
                for item in seq:
                    yield from item.formatted_lines(
                        element_format,
                        sequence_element_format,
                        indent_format,
                        indent=indent + 1,
                    )
                    if sequence_element_format is None:
                        yield f"{pad}   ---------"
            elif element_format is not None:
                yield pad + element_format % _fields(elem)
            else:
                yield pad + str(elem)

    # -- file meta ----------------------------------------------------------------------------
    def ensure_file_meta(self: Dataset) -> None:
        """Give the dataset an empty ``FileMetaDataset`` as ``file_meta`` if it has none."""
        from lazydcm.model.filemeta import FileMetaDataset

        if getattr(self, "file_meta", None) is None:
            self.file_meta = FileMetaDataset()

    def validate_file_meta(self: Dataset, enforce_standard: bool = True) -> None:
        """:func:`validate_file_meta` on this dataset's ``file_meta`` (made if absent)."""
        self.ensure_file_meta()
        validate_file_meta(self.file_meta, enforce_standard)

    # -- JSON (PS3.18 F) -------------------------------------------------------------------------
    def to_json_dict(
        self: Dataset,
        bulk_data_threshold: int = 1024,
        bulk_data_element_handler: Callable[[DataElement], str] | None = None,
        suppress_invalid_tags: bool = False,
    ) -> dict[str, Any]:
        """The DICOM JSON Model object (``lazydcm.json.to_json_dict``): binary values longer
        than ``bulk_data_threshold`` go through ``bulk_data_element_handler(element)`` -> URI.
        With ``suppress_invalid_tags`` an element whose bytes cannot be decoded is left out
        instead of raising ``InvalidDicomError``."""
        from lazydcm import json as dicom_json

        if not suppress_invalid_tags:
            return dicom_json.to_json_dict(
                self,
                bulk_data_threshold=bulk_data_threshold,
                bulk_data_uri=bulk_data_element_handler,
            )
        from lazydcm.errors import InvalidDicomError
        from lazydcm.model.dataset import Dataset

        good = Dataset()
        for elem in self:
            try:
                dicom_json.to_json_dict(
                    _single(elem),
                    bulk_data_threshold=bulk_data_threshold,
                    bulk_data_uri=bulk_data_element_handler,
                )
            except InvalidDicomError:
                continue
            good._edits[int(elem.tag)] = elem
        good.__dict__["_charset"] = self._get_charset()
        return dicom_json.to_json_dict(
            good, bulk_data_threshold=bulk_data_threshold, bulk_data_uri=bulk_data_element_handler
        )

    def to_json(
        self: Dataset,
        bulk_data_threshold: int = 1024,
        bulk_data_element_handler: Callable[[DataElement], str] | None = None,
        dump_handler: Callable[[dict[str, Any]], str] | None = None,
        suppress_invalid_tags: bool = False,
    ) -> str:
        """:meth:`to_json_dict` as text (``dump_handler(dict)`` -> str when given)."""
        import json

        obj = self.to_json_dict(
            bulk_data_threshold, bulk_data_element_handler, suppress_invalid_tags
        )
        if dump_handler is not None:
            return dump_handler(obj)
        return json.dumps(obj, allow_nan=False, ensure_ascii=False)

    @classmethod
    def from_json(
        cls,
        json_dataset: str | bytes | dict[str, Any],
        bulk_data_uri_handler: Callable[..., bytes] | None = None,
    ) -> Dataset:
        """A ``Dataset`` from DICOM JSON text or an already parsed object.

        ``bulk_data_uri_handler`` takes ``(uri)`` or pydicom's ``(tag, vr, uri)`` and returns
        the bytes of a ``BulkDataURI``. Raises ``ValueError``/``TypeError`` as
        ``lazydcm.json.from_json_dict``."""
        import json

        from lazydcm import json as dicom_json

        obj = json.loads(json_dataset) if isinstance(json_dataset, (str, bytes)) else json_dataset
        if isinstance(obj, dict):  # tag order, so private creators come before their blocks
            obj = dict(sorted(obj.items()))
        if bulk_data_uri_handler is None:
            return dicom_json.from_json_dict(obj)
        handler = bulk_data_uri_handler
        import inspect

        try:
            takes_three = len(inspect.signature(handler).parameters) >= 3
        except (TypeError, ValueError):
            takes_three = False
        if takes_three:
            uris = _bulk_uris(obj)

            def reader(uri: str) -> bytes:
                tag, vr = uris.get(uri, ("", ""))
                return handler(tag, vr, uri)
        else:
            reader = handler
        return dicom_json.from_json_dict(obj, bulk_data_reader=reader)

    # -- raw elements -------------------------------------------------------------------------
    def update_raw_element(
        self: Dataset, tag: Any, *, vr: str | None = None, value: bytes | None = None
    ) -> None:
        """Change the VR and/or the stored bytes of an element whose value has not been decoded
        yet; the element is then decoded under the new VR/bytes and becomes an edit (written
        afresh). ``value`` is the encoded value, in the dataset's byte order.

        Raises ``KeyError`` when absent, ``ValueError`` when neither is given, when the value
        was already decoded (or set in code), or when the bytes cannot be decoded under the VR.
        """
        from lazydcm.model.dataset import to_tag
        from lazydcm.model.element import DataElement
        from lazydcm.model.values import decode_value

        if vr is None and value is None:
            raise ValueError("update_raw_element needs vr= or value=")
        tag = to_tag(tag)
        elem = self[tag]
        if elem.is_decoded or elem.record is None:
            raise ValueError(f"{tag!r} is already decoded: set its value instead")
        new_vr = vr or elem.VR
        if value is None:
            probe = DataElement._from_record(int(tag), new_vr, elem.record, self)
            decoded = probe.value
        else:
            ctx = self._ctx
            decoded = decode_value(
                new_vr,
                memoryview(bytes(value)),
                little_endian=ctx.little_endian,
                charset=self._get_charset(),
                tag=int(tag),
                offset=elem.value_offset,
            )
        self.add(DataElement(tag, new_vr, decoded))

    # -- pixel encoding (lazydcm.model._transcode_plan) -----------------------------------
    def decompress(
        self, *, as_rgb: bool = True, generate_instance_uid: bool = True, progress: Any = None
    ) -> Dataset:
        """Decode compressed pixel data into native Explicit VR Little Endian, in place
        (pydicom 3); see :func:`lazydcm.model._transcode_plan.decompress`. Returns self."""
        from lazydcm.model._transcode_plan import decompress

        return decompress(
            self, as_rgb=as_rgb, generate_instance_uid=generate_instance_uid, progress=progress
        )

    def compress(
        self,
        transfer_syntax_uid: str,
        arr: Any = None,
        *,
        encoding_plugin: str | None = None,
        generate_instance_uid: bool = True,
        progress: Any = None,
        **encoder_options: Any,
    ) -> Dataset:
        """Encode the pixel data for a compressed syntax, in place (pydicom 3); see
        :func:`lazydcm.model._transcode_plan.compress`. Returns self."""
        from lazydcm.model._transcode_plan import compress

        return compress(
            self,
            transfer_syntax_uid,
            arr,
            encoding_plugin=encoding_plugin,
            generate_instance_uid=generate_instance_uid,
            progress=progress,
            **encoder_options,
        )

    def set_pixel_data(
        self,
        arr: Any,
        photometric_interpretation: str,
        bits_stored: int,
        *,
        generate_instance_uid: bool = True,
    ) -> None:
        """pydicom 3's ``Dataset.set_pixel_data``: native Pixel Data and the Image Pixel
        attributes from an array; see :func:`lazydcm.pixels.set_pixel_data` (arguments, shapes,
        dtypes, what is raised)."""
        from lazydcm.pixels._set import set_pixel_data

        set_pixel_data(
            self,
            arr,
            photometric_interpretation,
            bits_stored,
            generate_instance_uid=generate_instance_uid,
        )

    def overlay_array(self, group: int) -> Any:
        """Overlay plane(s) of group ``group`` as ``uint8`` 0/1, ``(rows, cols)`` or
        ``(frames, rows, cols)`` (PS3.3 C.9); see :func:`lazydcm.pixels.overlay.overlay_array`."""
        from lazydcm.pixels.overlay import overlay_array

        return overlay_array(self, group)

    def waveform_array(self, index: int) -> Any:
        """Multiplex group ``index`` of the Waveform Sequence, ``(samples, channels)`` float64
        with channel sensitivity applied (PS3.3 C.10.9); see
        :func:`lazydcm.pixels.waveform.multiplex_array`."""
        from lazydcm.pixels.waveform import multiplex_array

        return multiplex_array(self, index)


def _single(elem: DataElement) -> Dataset:
    from lazydcm.model.dataset import Dataset

    ds = Dataset()
    ds._edits[int(elem.tag)] = elem
    return ds


def _bulk_uris(obj: Any, found: dict[str, tuple[str, str]] | None = None) -> dict:
    """Every ``BulkDataURI`` of a DICOM JSON object, with the key and VR that hold it."""
    found = {} if found is None else found
    if isinstance(obj, dict):
        for key, attr in obj.items():
            if not isinstance(attr, dict):
                continue
            if "BulkDataURI" in attr:
                found[attr["BulkDataURI"]] = (key, attr.get("vr", ""))
            for item in attr.get("Value", []) if attr.get("vr") == "SQ" else []:
                _bulk_uris(item, found)
    return found


def validate_file_meta(file_meta: Dataset, enforce_standard: bool = True) -> None:
    """Check a file meta group (PS3.10 7.1) before writing.

    Every element must be in group 0002 (else ``ValueError``). With ``enforce_standard`` the
    File Meta Information Version (0002,0001) is set to ``b"\\x00\\x01"`` and lazydcm's
    Implementation Class UID / Version Name are filled in when absent, and Media Storage SOP
    Class UID, Media Storage SOP Instance UID and Transfer Syntax UID (Type 1) must be present
    and not empty (else ``AttributeError``). The group length (0002,0000) is recomputed on
    write, never checked here.
    """
    from lazydcm.model.uid import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME

    for tag in file_meta.tags():
        if tag.group != 0x0002:
            raise ValueError(f"file meta may hold only group 0002 elements, not {tag!r}")
    if not enforce_standard:
        return
    file_meta.add_new(0x00020001, "OB", b"\x00\x01")
    if "ImplementationClassUID" not in file_meta:
        file_meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
        file_meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
    missing = [
        kw
        for kw in ("MediaStorageSOPClassUID", "MediaStorageSOPInstanceUID", "TransferSyntaxUID")
        if not file_meta.get(kw)
    ]
    if missing:
        raise AttributeError(
            "file meta is missing the Type 1 element(s) " + ", ".join(missing) + " (PS3.10 7.1)"
        )

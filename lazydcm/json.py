"""The DICOM JSON Model (PS3.18 Annex F.2): datasets to and from JSON objects.

``to_json_dict(ds)`` gives the object for a dataset: one member per element keyed by the tag's
eight upper-case hex digits, in ascending order, each ``{"vr": ..., "Value": [...]}`` or
``{"vr": ..., "InlineBinary": "<base64>"}`` or ``{"vr": ..., "BulkDataURI": "<uri>"}``, with no
``Value`` at all for an empty element (F.2.5). ``from_json_dict(obj)`` builds a ``Dataset`` back.

Choices made within what F.2.3 allows:

* DS and IS values are JSON numbers (F.2.3 also allows strings); a DS whose text is not a finite
  number is kept as its string. UV/SV values beyond +/-2**53 are strings, as F.2.3 permits.
* FL/FD values that are not finite (JSON has no NaN) are the strings ``"NaN"``, ``"Infinity"``,
  ``"-Infinity"``; ``from_json_dict`` reads them back.
* Binary values (OB, OD, OF, OL, OV, OW, UN) are base64 of the little endian encoding
  (F.2.7 applies the PS3.5 byte ordering rules): words read from a big endian file are swapped.
* A binary value longer than ``bulk_data_threshold`` bytes, and Pixel Data / Float Pixel Data /
  Double Float Pixel Data always, become a ``BulkDataURI`` when a ``bulk_data_uri`` function is
  given, so the value is never read. :func:`file_bulk_data_uris` makes the URIs the
  ``lazydcm`` command uses: ``file:///abs/path.dcm?offset=N&length=M`` — the value bytes as stored in the
  file (in the file's byte order; for encapsulated pixel data, the items without the sequence
  delimiter). :func:`read_file_bulk_data` reads such a URI back.
* Group length elements (gggg,0000) are left out (F.2.2).

Errors: ``to_json_dict`` raises :class:`~lazydcm.errors.InvalidDicomError` (with offset and
tag) for an element whose bytes cannot be decoded, unless ``on_error`` is given (then it is
told, and the element is written as UN); ``from_json_dict`` raises ``ValueError`` for
an object that is not DICOM JSON, and ``ValueError``/``TypeError`` for a value its VR cannot
hold (the same assignment-time check as ``ds.X = value``).
"""

from __future__ import annotations

import base64
import json as _json
import math
import os
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from lazydcm.errors import InvalidDicomError
from lazydcm.model.dataset import Dataset
from lazydcm.model.element import DataElement
from lazydcm.model.sequence import Sequence
from lazydcm.model.tag import Tag
from lazydcm.model.vr import _FACTS, BINARY_VRS

__all__ = [
    "to_json_dict",
    "to_json",
    "from_json_dict",
    "from_json",
    "file_bulk_data_uri",
    "file_bulk_data_uris",
    "read_file_bulk_data",
    "inline_binary",
    "PIXEL_TAGS",
]

#: Float Pixel Data, Double Float Pixel Data, Pixel Data: always bulk data when URIs are made.
PIXEL_TAGS = frozenset({0x7FE00008, 0x7FE00009, 0x7FE00010})

# PS3.18 Table F.2.3-1: the VRs whose JSON values are numbers.
_INT_VRS = frozenset({"IS", "SL", "SS", "SV", "UL", "US", "UV"})
_FLOAT_VRS = frozenset({"DS", "FL", "FD"})
_BIG_INT_VRS = frozenset({"SV", "UV"})
_SAFE_INT = 2**53  # F.2.3: 64-bit values beyond what a JSON number holds exactly go as strings
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}

BulkDataURI = Callable[[DataElement], "str | None"]
OnError = Callable[[DataElement, Exception], None]


# -- to JSON ------------------------------------------------------------------------------------


def to_json_dict(
    ds: Dataset,
    *,
    bulk_data_threshold: int | None = 1024,
    bulk_data_uri: BulkDataURI | None = None,
    on_error: OnError | None = None,
) -> dict[str, Any]:
    """The DICOM JSON Model object of ``ds`` (a ``dict`` ready for ``json.dumps``).

    ``bulk_data_uri(element)`` returns a URI for a binary element to be sent as ``BulkDataURI``
    (or None to inline it); it is asked for the pixel data elements and for binary values
    longer than ``bulk_data_threshold`` bytes (None: no limit). Without it every binary value
    is inlined (which reads it). The file meta group is not included (it is not part of the
    dataset).

    ``on_error(element, error)``, when given, is called for an element (at any depth) whose
    bytes cannot be decoded, instead of raising; that element is written as ``UN`` with its
    stored bytes inline (PS3.18 F.2.7) when they are at most ``bulk_data_threshold`` bytes
    and can be read, else with no value; the other elements are written as usual.

    Raises:
        InvalidDicomError: an element's bytes cannot be decoded (names offset and tag), when
            there is no ``on_error``.
    """
    out: dict[str, Any] = {}
    for elem in ds:
        tag = int(elem.tag)
        if tag & 0xFFFF == 0:  # PS3.18 F.2.2: no group length attributes
            continue
        try:
            attr = _attribute(elem, ds, bulk_data_threshold, bulk_data_uri, on_error)
        except InvalidDicomError as exc:
            if on_error is None:
                raise
            on_error(elem, exc)
            attr = _stored_as_un(elem, ds, bulk_data_threshold)
        out[f"{tag:08X}"] = attr
    return out


def _stored_as_un(elem: DataElement, ds: Dataset, threshold: int | None) -> dict[str, Any]:
    """An undecodable element as UN: its stored bytes inline when small and readable."""
    attr: dict[str, Any] = {"vr": "UN"}
    rec = elem.record
    ctx = ds._ctx
    if rec is None or ctx is None:
        return attr
    end = int(rec.end) - (8 if rec.undefined_length else 0)
    size = min(end, ctx.source.size) - int(rec.value_offset)
    if size <= 0 or (threshold is not None and size > threshold):
        return attr
    try:
        data = bytes(ctx.source.view(int(rec.value_offset), size))
    except ValueError:  # the source is closed (SourceClosedError) or the range is gone
        return attr
    attr["InlineBinary"] = base64.b64encode(data).decode("ascii")
    return attr


def to_json(ds: Dataset, *, indent: int | None = None, **options: Any) -> str:
    """``to_json_dict(ds, **options)`` as JSON text (strict JSON: no NaN literals)."""
    return _json.dumps(
        to_json_dict(ds, **options), indent=indent, allow_nan=False, ensure_ascii=False
    )


def _attribute(
    elem: DataElement,
    ds: Dataset,
    threshold: int | None,
    uri_for: BulkDataURI | None,
    on_error: OnError | None = None,
) -> dict[str, Any]:
    vr = elem.VR
    if vr in BINARY_VRS:
        return _binary(elem, ds, threshold, uri_for)
    attr: dict[str, Any] = {"vr": vr}
    if vr == "SQ":
        items = [
            to_json_dict(
                item, bulk_data_threshold=threshold, bulk_data_uri=uri_for, on_error=on_error
            )
            for item in elem.value
        ]
        if items:
            attr["Value"] = items
        return attr
    value = elem.value
    values = list(value) if isinstance(value, list) else [value]
    if len(values) == 1 and _is_empty(values[0]):
        return attr  # PS3.18 F.2.5: an empty element has no Value
    attr["Value"] = [None if _is_empty(v) else _json_value(vr, v) for v in values]
    return attr


def _is_empty(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and value == "")
        or (hasattr(value, "text") and value.text == "")
    )


def _json_value(vr: str, value: Any) -> Any:
    if vr == "PN":
        groups = str(value).split("=")
        names = ("Alphabetic", "Ideographic", "Phonetic")
        return {
            name: text for name, text in zip(names, groups, strict=False) if text
        }  # F.2.2: non-empty only
    if vr == "AT":
        return f"{int(value):08X}"  # F.2.3: eight upper-case hex digits
    if vr in _INT_VRS:
        number = int(value)
        if vr in _BIG_INT_VRS and abs(number) >= _SAFE_INT:
            return str(number)
        return number
    if vr in _FLOAT_VRS:
        number = float(value)
        if math.isfinite(number):
            return number
        if vr == "DS":
            return str(getattr(value, "original_string", value)).strip()
        return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")
    return str(value)


def _binary(
    elem: DataElement, ds: Dataset, threshold: int | None, uri_for: BulkDataURI | None
) -> dict[str, Any]:
    attr: dict[str, Any] = {"vr": elem.VR}
    size = elem.length if (elem.record is not None and not elem.is_decoded) else None
    if uri_for is not None and (
        int(elem.tag) in PIXEL_TAGS
        or elem.is_undefined_length
        or (threshold is not None and size is not None and size > threshold)
        or (threshold is not None and elem.is_decoded and _nbytes(elem.value) > threshold)
    ):
        uri = uri_for(elem)
        if uri is not None:
            attr["BulkDataURI"] = uri
            return attr
    inline = inline_binary(elem, little_endian=ds.is_little_endian is not False)
    if inline:
        attr["InlineBinary"] = inline
    return attr


def inline_binary(elem: DataElement, *, little_endian: bool = True) -> str:
    """The base64 ``InlineBinary`` text of a binary element's value (``""`` when empty), in
    little endian order: OD/OF/OL/OV/OW words read from a big endian dataset
    (``little_endian=False``) are swapped (F.2.7: the PS3.5 byte ordering rules apply).

    Raises:
        InvalidDicomError: the value's bytes cannot be read.
    """
    data = elem.value
    if data is None or len(data) == 0:
        return ""
    data = bytes(data)
    word = _FACTS[elem.VR].fixed_size if elem.VR in _FACTS else None
    if not little_endian and word and word > 1 and not elem.is_modified:
        data = _swap(data, word)
    return base64.b64encode(data).decode("ascii")


def _nbytes(value: Any) -> int:
    return 0 if value is None else len(value)


def _swap(data: bytes, word: int) -> bytes:
    import numpy as np

    usable = len(data) - len(data) % word
    swapped = np.frombuffer(data[:usable], dtype=f"u{word}").byteswap().tobytes()
    return swapped + data[usable:]


def file_bulk_data_uris(ds: Dataset) -> BulkDataURI | None:
    """A ``bulk_data_uri`` function for a dataset read from a file: :func:`file_bulk_data_uri`
    with the file's path; None when the dataset has no file or a deflated one (its values are
    not at offsets of the file on disk)."""
    path = getattr(ds, "filename", None)
    layout = getattr(ds, "layout", None)
    if not path or layout is None or layout.deflated:
        return None
    return lambda elem: file_bulk_data_uri(elem, path)


def file_bulk_data_uri(elem: DataElement, path: str | os.PathLike[str]) -> str | None:
    """``file:///abs/path?offset=N&length=M`` for a file-backed element of the file at
    ``path`` (not deflated: offsets are into the file as stored); None for an element made or
    changed in code."""
    record = elem.record
    if record is None or elem.is_modified:
        return None
    offset = int(record.value_offset)
    # undefined length (encapsulated pixel data): the items, without the sequence delimiter
    length = int(record.end) - 8 - offset if elem.is_undefined_length else int(record.length)
    uri = urllib.parse.urljoin("file:", urllib.request.pathname2url(os.path.abspath(path)))
    return f"{uri}?offset={offset}&length={length}"


def read_file_bulk_data(uri: str) -> bytes:
    """The bytes a :func:`file_bulk_data_uri` URI names.

    Raises ``ValueError`` for another kind of URI, ``OSError`` if the file cannot be read.
    """
    parts = urllib.parse.urlsplit(uri)
    query = urllib.parse.parse_qs(parts.query)
    if parts.scheme != "file" or "offset" not in query or "length" not in query:
        raise ValueError(f"not a lazydcm file bulk data URI: {uri!r}")
    offset, length = int(query["offset"][0]), int(query["length"][0])
    with open(urllib.request.url2pathname(parts.path), "rb") as fh:
        fh.seek(offset)
        data = fh.read(length)
    if len(data) != length:
        raise ValueError(f"{uri!r}: the file ends before offset {offset} + {length}")
    return data


# -- from JSON ----------------------------------------------------------------------------------


def from_json(text: str | bytes, **options: Any) -> Dataset:
    """Parse DICOM JSON text (one object) into a ``Dataset``; see :func:`from_json_dict`."""
    return from_json_dict(_json.loads(text), **options)


def from_json_dict(
    obj: dict[str, Any],
    *,
    bulk_data_reader: Callable[[str], bytes] | None = read_file_bulk_data,
) -> Dataset:
    """A ``Dataset`` (built in code, all values checked) from a DICOM JSON Model object.

    ``bulk_data_reader(uri)`` returns the bytes of a ``BulkDataURI`` (default: lazydcm's own
    ``file:`` URIs); with None a bulk data reference raises ``ValueError``. Binary values are
    taken as little endian (F.2.7).

    Raises:
        ValueError: not a DICOM JSON object (bad key, missing ``vr``, values of the wrong JSON
            type) or a value its VR cannot hold.
        TypeError: a value of a type its VR cannot hold.
    """
    if not isinstance(obj, dict):
        raise ValueError(f"a DICOM JSON dataset is an object, not {type(obj).__name__}")
    ds = Dataset()
    for key, attr in obj.items():
        if not (isinstance(key, str) and len(key) == 8):
            raise ValueError(f"DICOM JSON keys are eight hex digits, not {key!r}")
        try:
            tag = Tag(int(key, 16))
        except ValueError:
            raise ValueError(f"DICOM JSON keys are eight hex digits, not {key!r}") from None
        if not isinstance(attr, dict) or not isinstance(attr.get("vr"), str):
            raise ValueError(f"{key}: an attribute is an object with a 'vr' string")
        ds.add(DataElement(tag, attr["vr"], _element_value(key, attr, bulk_data_reader)))
    return ds


def _element_value(key: str, attr: dict[str, Any], reader: Callable[[str], bytes] | None) -> Any:
    vr = attr["vr"]
    if vr not in _FACTS and vr != "SQ":
        raise ValueError(f"{key}: unknown VR {vr!r}")
    if "BulkDataURI" in attr:
        if reader is None:
            raise ValueError(f"{key}: a BulkDataURI needs a bulk_data_reader")
        data = reader(attr["BulkDataURI"])
        if vr in BINARY_VRS:
            return data
        from lazydcm.model.values import decode_value

        return decode_value(vr, data, little_endian=True, charset=None)
    if "InlineBinary" in attr:
        if vr not in BINARY_VRS:
            raise ValueError(f"{key}: InlineBinary is only for OB, OD, OF, OL, OV, OW, UN")
        return base64.b64decode(attr["InlineBinary"], validate=True)
    if "Value" not in attr:
        return (
            Sequence([]) if vr == "SQ" else ("" if _FACTS.get(vr, _FACTS["UN"]).is_text else None)
        )
    values = attr["Value"]
    if not isinstance(values, list):
        raise ValueError(f"{key}: 'Value' is an array")
    if vr == "SQ":
        return Sequence([from_json_dict(item, bulk_data_reader=reader) for item in values])
    if vr in BINARY_VRS:
        raise ValueError(f"{key}: a {vr} value is InlineBinary or BulkDataURI, not 'Value'")
    items = [_from_json_value(key, vr, v) for v in values]
    if len(items) == 1:
        return items[0]
    return items


def _from_json_value(key: str, vr: str, value: Any) -> Any:
    if value is None:
        return "" if _FACTS[vr].is_text or vr == "PN" else None
    if vr == "PN":
        if not isinstance(value, dict):
            raise ValueError(f"{key}: a PN value is an object of component groups")
        groups = [value.get(name, "") for name in ("Alphabetic", "Ideographic", "Phonetic")]
        while groups and not groups[-1]:
            groups.pop()
        return "=".join(groups)
    if vr == "AT":
        if not isinstance(value, str):
            raise ValueError(f"{key}: an AT value is eight hex digits")
        return Tag(int(value, 16))
    if vr in ("FL", "FD") and isinstance(value, str) and value in _NON_FINITE:
        return _NON_FINITE[value]
    if vr in _INT_VRS:
        if isinstance(value, str):  # F.2.3: IS, SV, UV may come as strings
            value = value.strip()
            return value if vr == "IS" else int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value
    if vr == "DS":
        return value if isinstance(value, str) else float(value)
    if vr in ("FL", "FD"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{key}: a {vr} value is a number")
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"{key}: a {vr} value is a string, not {type(value).__name__}")
    return value

"""Value objects and the VR codecs: bytes <-> Python values, and the assignment-time check.

Value classes (``PersonName``, ``DA``, ``TM``, ``DT``, ``DS``, ``IS``, ``AS``, ``MultiValue``;
``UID`` and ``Tag`` live in their own modules) are immutable except ``MultiValue``, a ``list``
that coerces what is put in it. What each VR decodes to:

=====================  ===========================================================
AE CS SH LO ST LT UT   ``str`` (AE, CS: leading and trailing spaces removed, PS3.5 6.2)
UC UR
PN                     :class:`PersonName`
DA TM DT               :class:`DA`, :class:`TM`, :class:`DT` (``str`` subclasses)
DS IS                  :class:`DS` (``float``), :class:`IS` (``int``), keeping their text
AS                     :class:`AS` (``str`` subclass)
UI                     :class:`~lazydcm.model.uid.UID`
AT                     :class:`~lazydcm.model.tag.Tag`
US SS UL SL UV SV      ``int``
FL FD                  ``float``
OB OD OF OL OV OW UN   ``bytes``: a copy of the value as stored. OW/OF/OD/OL/OV are *not*
                       byte-swapped for big endian; words stay in the stored order (the
                       pixel layer and the write planner swap where needed). Pixel Data is
                       not decoded here: the dataset layer gives views over the mapping.
=====================  ===========================================================

An element with several values decodes to a :class:`MultiValue` of those classes; an empty
value decodes to :func:`empty_value_for_VR` — pydicom's convention: ``""`` for the text VRs,
``PersonName("")`` for PN, ``None`` for DS, IS, AT, the binary numbers and the bulk binary VRs
(an empty SQ is an empty ``Sequence``, made by the dataset layer). Assigning ``None`` (or
``""``) gives the same empty value. A VR
that is not one of the 34 (a garbled explicit VR) is read as UN (``bytes``), as PS3.5 6.2.2
suggests for unknown VRs.

Decisions on reading text (PS3.5 6.2):

* trailing SPACE and NUL are padding and removed from every text value (NUL padding is a common
  non-conformance outside UI);
* leading spaces are removed where they are not significant or not allowed (AE, AS, CS, DA, DT,
  TM, UI), kept in SH, LO, UC and PN (as pydicom does) and in LT, ST, UT (significant). DS and IS
  keep the exact text of each value in ``original_string`` and compare as numbers;
* DS or IS text that is not a number raises :class:`~lazydcm.errors.InvalidValueError`; IS
  accepts decimals with an integral value (``"1.0"``) since real files carry them;
* text a character set cannot decode is read with U+FFFD replacements and a
  :class:`~lazydcm.model.charset.CharsetWarning`, never an error.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from lazydcm.errors import InvalidValueError
from lazydcm.model._coerce import coerce_item
from lazydcm.model._datetime import DA, DT, TM
from lazydcm.model._numbers import DS, IS
from lazydcm.model._text import AS, PersonName
from lazydcm.model.charset import Charset
from lazydcm.model.tag import Tag
from lazydcm.model.uid import UID
from lazydcm.model.vr import _FACTS, BINARY_VRS, CHARSET_VRS, TEXT_VRS

__all__ = [
    "AS",
    "DA",
    "DS",
    "DT",
    "IS",
    "TM",
    "MultiValue",
    "PersonName",
    "coerce_unchecked",
    "coerce_value",
    "decode_value",
    "decoder_for",
    "empty_value_for_VR",
    "encode_value",
]

_MAX_SHORT_LENGTH = 0xFFFE  # 16-bit explicit VR length, kept even (PS3.5 7.1.2)
_MAX_LONG_LENGTH = 0xFFFFFFFE  # 32-bit length; 0xFFFFFFFF means undefined length


class MultiValue(list):
    """The values of an element with VM > 1: a ``list`` whose items are coerced to the VR's value
    class on insert (``append``, ``insert``, ``extend``, ``+=``, item and slice assignment), so
    ``ds.PixelSpacing[0] = "0.5"`` stores ``DS("0.5")`` and a bad item raises ``ValueError`` /
    ``TypeError`` as :func:`coerce_value` does. Compares equal to a plain list of equal items.

    ``str()`` and ``repr()`` give the list form, text quoted: ``['ORIGINAL', 'PRIMARY']``,
    ``[0.5, 0.5]``.
    """

    __slots__ = ("vr", "_strict")

    def __init__(self, vr: str, values: Iterable[Any] = (), *, strict: bool = True) -> None:
        self.vr = str(vr)
        self._strict = strict
        list.__init__(self, (self._coerce(v) for v in values))

    @classmethod
    def _trusted(cls, vr: str, items: Iterable[Any], strict: bool = True) -> MultiValue:
        """Wrap items that are already of the VR's value class (no coercion)."""
        self = cls.__new__(cls)
        self.vr = vr
        self._strict = strict
        list.__init__(self, items)
        return self

    def _coerce(self, value: Any) -> Any:
        if self.vr in TEXT_VRS and (value is None or (isinstance(value, str) and value == "")):
            # an empty value among others (PS3.5 6.4): as the decoder gives it
            return _EMPTY_PN if self.vr == "PN" else ""
        return coerce_item(self.vr, value, self._strict)

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            list.__setitem__(self, index, [self._coerce(v) for v in value])
        else:
            list.__setitem__(self, index, self._coerce(value))

    def append(self, value: Any) -> None:
        list.append(self, self._coerce(value))

    def insert(self, index: Any, value: Any) -> None:
        list.insert(self, index, self._coerce(value))

    def extend(self, values: Iterable[Any]) -> None:
        list.extend(self, [self._coerce(v) for v in values])

    def __iadd__(self, values: Iterable[Any]) -> MultiValue:  # type: ignore[override, misc]
        self.extend(values)
        return self

    def copy(self) -> MultiValue:  # type: ignore[override]
        return MultiValue._trusted(self.vr, self, self._strict)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore_multivalue, (self.vr, list(self), self._strict))

    def __str__(self) -> str:
        return "[" + ", ".join(_item_repr(v) for v in self) + "]"

    __repr__ = __str__


#: Text VRs whose empty value is None, not "" (pydicom's convention: they hold numbers).
_NONE_WHEN_EMPTY = frozenset({"DS", "IS"})
_EMPTY_PN = PersonName._from_decoded("")


def empty_value_for_VR(vr: str) -> Any:
    """The value of an empty element (length 0) of ``vr``, as pydicom documents it ("an empty
    string as value for text VRs and None for non-text (binary) VRs"): ``""`` for AE, AS, CS,
    DA, DT, LO, LT, SH, ST, TM, UC, UI, UR, UT; ``PersonName("")`` for PN; ``None`` for DS and
    IS (numbers in text), AT, FL, FD, SL, SS, SV, UL, US, UV, the bulk binary VRs OB, OD, OF,
    OL, OV, OW, UN (and an unknown VR) and SQ (the element layer makes an empty ``Sequence``
    for SQ). An ambiguous VR gives its first option's empty value."""
    vr = vr.split(" or ")[0]
    if vr == "PN":
        return _EMPTY_PN
    if vr in TEXT_VRS and vr not in _NONE_WHEN_EMPTY:
        return ""
    return None


def _restore_multivalue(vr: str, items: list[Any], strict: bool) -> MultiValue:
    return MultiValue._trusted(vr, items, strict)


def _item_repr(value: Any) -> str:
    if isinstance(value, (DS, IS)):
        return str(value)
    if isinstance(value, (str, PersonName)):
        return repr(str(value))
    return repr(value)


# -- decoding ------------------------------------------------------------------------------------

_Decoder = Callable[[Any, bool, "Charset | None", "int | None", "int | None"], Any]


def _strip_both(text: str, tag: int | None, offset: int | None) -> str:
    return text.strip(" ")


def _strip_trailing(text: str, tag: int | None, offset: int | None) -> str:
    return text.rstrip(" ")


def _keep(text: str, tag: int | None, offset: int | None) -> str:
    return text


# The item makers below build value objects from decoded text directly (``str.__new__``,
# ``PersonName._from_decoded``): the text was just split on the delimiters, so the checks of the
# public constructors hold already, and this is the hot path of reading.
_new_str = str.__new__


def _wrap(cls: type) -> Callable[[str, Any, Any], Any]:
    def make(text: str, tag: int | None, offset: int | None) -> Any:
        text = text.strip(" ")
        return _new_str(cls, text) if text else ""

    return make


def _pn_item(text: str, tag: int | None, offset: int | None) -> Any:
    text = text.rstrip(" ")
    return PersonName._from_decoded(text) if text else _EMPTY_PN


def _ui_item(text: str, tag: int | None, offset: int | None) -> Any:
    text = text.strip(" \0")
    return _new_str(UID, text) if text else ""


def _number_string(cls: Any) -> Callable[[str, Any, Any], Any]:
    # DS and IS keep the value's text as stored (leading spaces included) so that it
    # re-encodes byte for byte; an empty value stays "".
    def make(text: str, tag: int | None, offset: int | None) -> Any:
        if not text.strip(" "):
            return ""
        try:
            return cls.from_str(text)
        except InvalidValueError as exc:
            raise InvalidValueError(exc.reason, tag=tag, offset=offset) from None

    return make


def _text_decoder(vr: str, make_item: Callable[[str, Any, Any], Any]) -> _Decoder:
    multi = _FACTS[vr].allows_multi
    uses_charset = vr in CHARSET_VRS

    empty = empty_value_for_VR(vr)
    blank_is_str = vr in _NONE_WHEN_EMPTY

    def decode(raw: Any, little_endian: bool, charset: Charset | None, tag: Any, offset: Any):
        data = bytes(raw).rstrip(b" \0")  # PS3.5 6.2: trailing SPACE (NUL for UI) padding
        if not data:  # as pydicom: a DS/IS of padding only is "", of length 0 is None
            return "" if blank_is_str and len(raw) else empty
        if uses_charset and charset is not None:
            codec = charset.codec
            try:
                text = data.decode(codec) if codec is not None else charset.decode(data, vr)
            except UnicodeDecodeError:
                text = charset.decode(data, vr)  # replaces and warns
        else:
            text = data.decode("latin_1")  # default repertoire, read leniently (see charset)
        if multi and "\\" in text:
            return MultiValue._trusted(vr, [make_item(p, tag, offset) for p in text.split("\\")])
        return make_item(text, tag, offset)

    return decode


# struct format character, numpy kind code and size of the binary number VRs (PS3.5 6.2).
_NUMBER_FORMATS: dict[str, tuple[str, str, int]] = {
    "US": ("H", "u2", 2),
    "SS": ("h", "i2", 2),
    "UL": ("I", "u4", 4),
    "SL": ("i", "i4", 4),
    "UV": ("Q", "u8", 8),
    "SV": ("q", "i8", 8),
    "FL": ("f", "f4", 4),
    "FD": ("d", "f8", 8),
}


def _bad_length(vr: str, length: int, size: int, tag: Any, offset: Any) -> InvalidValueError:
    return InvalidValueError(
        f"{vr} value length {length} is not a multiple of {size} bytes", tag=tag, offset=offset
    )


def _number_decoder(vr: str) -> _Decoder:
    fmt, kind, size = _NUMBER_FORMATS[vr]
    one = {True: struct.Struct("<" + fmt).unpack, False: struct.Struct(">" + fmt).unpack}
    dtypes = {True: np.dtype("<" + kind), False: np.dtype(">" + kind)}

    def decode(raw: Any, little_endian: bool, charset: Any, tag: Any, offset: Any):
        length = len(raw)
        if length == size:
            return one[little_endian](raw)[0]
        if length == 0:
            return None
        if length % size:
            raise _bad_length(vr, length, size, tag, offset)
        return MultiValue._trusted(vr, np.frombuffer(raw, dtypes[little_endian]).tolist())

    return decode


_AT_ONE = {True: struct.Struct("<HH").unpack, False: struct.Struct(">HH").unpack}
_AT_DTYPE = {True: np.dtype("<u2"), False: np.dtype(">u2")}


def _decode_at(raw: Any, little_endian: bool, charset: Any, tag: Any, offset: Any):
    # PS3.5 6.2 AT: the group then the element number, each a 16-bit unsigned integer.
    length = len(raw)
    if length == 4:
        group, element = _AT_ONE[little_endian](raw)
        return Tag((group << 16) | element)
    if length == 0:
        return None
    if length % 4:
        raise _bad_length("AT", length, 4, tag, offset)
    words = np.frombuffer(raw, _AT_DTYPE[little_endian]).tolist()
    return MultiValue._trusted(
        "AT", [Tag((g << 16) | e) for g, e in zip(words[::2], words[1::2], strict=True)]
    )


def _decode_bytes(raw: Any, little_endian: bool, charset: Any, tag: Any, offset: Any):
    return bytes(raw) if len(raw) else None  # empty: None (empty_value_for_VR)


_DECODERS: dict[str, _Decoder] = {
    "AE": _text_decoder("AE", _strip_both),
    "AS": _text_decoder("AS", _wrap(AS)),
    "CS": _text_decoder("CS", _strip_both),
    "DA": _text_decoder("DA", _wrap(DA)),
    "DS": _text_decoder("DS", _number_string(DS)),
    "DT": _text_decoder("DT", _wrap(DT)),
    "IS": _text_decoder("IS", _number_string(IS)),
    "LO": _text_decoder("LO", _strip_trailing),
    "LT": _text_decoder("LT", _keep),
    "PN": _text_decoder("PN", _pn_item),
    "SH": _text_decoder("SH", _strip_trailing),
    "ST": _text_decoder("ST", _keep),
    "TM": _text_decoder("TM", _wrap(TM)),
    "UC": _text_decoder("UC", _strip_trailing),
    "UI": _text_decoder("UI", _ui_item),
    "UR": _text_decoder("UR", _keep),
    "UT": _text_decoder("UT", _keep),
    "AT": _decode_at,
    **{vr: _number_decoder(vr) for vr in _NUMBER_FORMATS},
    **{vr: _decode_bytes for vr in BINARY_VRS},
}


def decoder_for(vr: str) -> _Decoder | None:
    """The function :func:`decode_value` uses for ``vr``, called positionally as
    ``decoder(raw, little_endian, charset, tag, offset)`` with a one-byte-format ``raw``; None
    for SQ, an unresolved ambiguous VR or an unknown VR (use :func:`decode_value` for those).
    For hot loops that decode many values of known VRs."""
    return _DECODERS.get(vr)


def decode_value(
    vr: str,
    raw: bytes | bytearray | memoryview,
    *,
    little_endian: bool,
    charset: Charset | None = None,
    tag: int | None = None,
    offset: int | None = None,
) -> Any:
    """Decode one element's value bytes (the whole value field, padding included).

    ``charset`` decodes SH, LO, UC, ST, LT, UT and PN (None: the default repertoire); other text
    VRs are ISO-IR 6, read leniently as ISO 8859-1. ``tag`` and ``offset`` (of the value) only
    label errors. The result never refers to ``raw``: it stays valid after the source closes.

    Returns the value as described in the module docstring.

    Raises:
        InvalidValueError: a binary number or AT value whose length is not a multiple of the
            value size, or a DS/IS value that is not a number (with ``tag``/``offset``).
        ValueError: ``vr`` is SQ (sequences are read by the dataset layer) or an unresolved
            ambiguous VR such as ``"US or SS"``.
    """
    if type(raw) is memoryview and raw.itemsize != 1:
        raw = raw.cast("B")
    decoder = _DECODERS.get(vr)
    if decoder is None:
        if vr == "SQ" or " or " in vr:
            raise ValueError(f"decode_value cannot decode VR {vr!r}; resolve it first")
        return bytes(raw) if len(raw) else None  # an unknown VR is handled as UN
    return decoder(raw, little_endian, charset, tag, offset)


# -- encoding ------------------------------------------------------------------------------------


def _item_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (DS, IS)):
        return value.original_string
    if isinstance(value, PersonName):
        return value.text
    return str(value)


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _encode_text(vr: str, value: Any, charset: Charset | None) -> bytes:
    text = "\\".join(_item_text(v) for v in _items(value))
    if vr in CHARSET_VRS and charset is not None:
        return charset.encode(text, vr)
    try:
        return text.encode("latin_1")
    except UnicodeEncodeError as exc:
        ch = text[exc.start]
        raise ValueError(
            f"{vr} value {text[:40]!r}: character {ch!r} is outside the default repertoire"
        ) from None


def _encode_number(vr: str, value: Any, little_endian: bool) -> bytes:
    fmt = _NUMBER_FORMATS[vr][0]
    items = _items(value)
    try:
        return struct.pack(f"{'<' if little_endian else '>'}{len(items)}{fmt}", *items)
    except struct.error as exc:  # only reachable for values that bypassed coerce_value
        raise ValueError(f"{vr} values {items[:8]!r} cannot be encoded: {exc}") from None


def _encode_at(value: Any, little_endian: bool) -> bytes:
    words = []
    for tag in _items(value):
        words += (tag >> 16, tag & 0xFFFF)
    return struct.pack(f"{'<' if little_endian else '>'}{len(words)}H", *words)


def encode_value(
    vr: str, value: Any, *, little_endian: bool, charset: Charset | None = None
) -> bytes:
    """Encode a value (anything :func:`coerce_value` accepts) as the bytes of a value field,
    padded to even length with the VR's padding byte (PS3.5 7.1.1: SPACE for text, NUL for UI
    and binary VRs). ``decode_value(vr, encode_value(vr, v, ...), ...) == v`` for every value
    class.

    Raises:
        ValueError: the value cannot be encoded under ``vr`` (too long for the length field,
            a character outside ``charset``, a number out of range, SQ or ambiguous ``vr``).
        TypeError: a type ``vr`` cannot hold.
    """
    if vr == "SQ" or " or " in vr:
        raise ValueError(f"encode_value cannot encode VR {vr!r}; resolve it first")
    facts = _FACTS.get(vr)
    if facts is None or facts.is_binary:  # UN, an unknown VR, and the bulk binary VRs
        value = _coerce_binary(vr, value)
        data = bytes(value) if value is not None else b""
    elif isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)  # a raw value (DataElement(..., validate=False)), written as is
    elif vr in TEXT_VRS and _is_plain_text(value) and not _coerces(vr, value):
        data = _encode_text(vr, value, charset)  # unchecked text (validate=False)
    else:
        value = coerce_value(vr, value, strict=False)
        if value is None or (isinstance(value, list) and not value):
            return b""
        if vr in TEXT_VRS:
            data = _encode_text(vr, value, charset)
        elif vr == "AT":
            data = _encode_at(value, little_endian)
        else:
            data = _encode_number(vr, value, little_endian)
    if len(data) & 1:
        data += facts.padding if facts is not None else b"\0"
    if facts is not None and not facts.long_length and len(data) > _MAX_SHORT_LENGTH:
        # a multi-byte character set can make text longer in bytes than coerce_value counted
        raise ValueError(
            f"{vr} value encodes to {len(data)} bytes; an explicit VR {vr} element holds at "
            f"most {_MAX_SHORT_LENGTH} (PS3.5 7.1.2)"
        )
    return data


# -- assignment ----------------------------------------------------------------------------------


def _is_plain_text(value: Any) -> bool:
    if isinstance(value, list):
        return all(type(v) is str for v in value)
    return type(value) is str


def _coerces(vr: str, value: Any) -> bool:
    try:
        coerce_value(vr, value, strict=False)
    except (TypeError, ValueError):
        return False
    return True


def coerce_unchecked(vr: str, value: Any) -> Any:
    """The assignment for ``DataElement(..., validate=False)``: any value the writer can put
    in a parseable file, valid for ``vr`` or not.

    ``bytes``/``bytearray``/``memoryview`` are kept as the raw value field of any VR (written
    verbatim, padded to even length); text (a ``str`` or list of ``str``) for a text VR is kept
    as given when the lenient check (``strict=False``) refuses it (a DS of letters, a 70-char
    CS, a backslash in LT ...); anything else goes through ``coerce_value(strict=False)``.
    Raises ``TypeError``/``ValueError`` only for what no encoding can hold (a number out of a
    binary VR's range: give its bytes instead; a single value longer than its length field).
    """
    if isinstance(value, (bytes, bytearray, memoryview)) and vr in TEXT_VRS | {"AT"} | set(
        _NUMBER_FORMATS
    ):
        return bytes(value)
    try:
        return coerce_value(vr, value, strict=False)
    except (TypeError, ValueError):
        if (
            vr in TEXT_VRS
            and isinstance(value, (str, list, tuple))
            and _is_plain_text(list(value) if isinstance(value, tuple) else value)
        ):
            return list(value) if isinstance(value, tuple) else value
        raise


def _coerce_binary(vr: str, value: Any) -> bytes | bytearray | None:
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        result = value
    elif isinstance(value, str) and vr == "UN":  # pydicom accepts text for UN: its bytes
        try:
            result = value.encode("latin_1")
        except UnicodeEncodeError:
            result = value.encode("utf-8")
    elif isinstance(value, np.ndarray):  # its values, little endian (a dataset built in code;
        # Dataset.set_value stores them in the byte order of a dataset read from a file)
        result = value.astype(value.dtype.newbyteorder("<")).tobytes()
    elif isinstance(value, memoryview):
        result = value.tobytes()
    else:
        raise TypeError(f"{vr} values are bytes, not {type(value).__name__}")
    if len(result) > _MAX_LONG_LENGTH:
        raise ValueError(f"{vr} value of {len(result)} bytes exceeds the 32-bit length field")
    return result


def _is_tag_pair(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 0xFFFF for v in value)
    )


def _check_total_length(vr: str, value: Any) -> None:
    facts = _FACTS[vr]
    items = _items(value)
    if facts.fixed_size is not None:
        size = facts.fixed_size * len(items)
    else:
        size = sum(len(_item_text(v)) for v in items) + len(items) - 1
    limit = _MAX_LONG_LENGTH if facts.long_length else _MAX_SHORT_LENGTH
    if size > limit:
        raise ValueError(
            f"{vr} value of {size} bytes does not fit the "
            f"{'32' if facts.long_length else '16'}-bit length field of an explicit VR "
            f"{vr} element (at most {limit} bytes, PS3.5 7.1.2)"
        )


def coerce_value(vr: str, value: Any, *, strict: bool = True) -> Any:
    """Return ``value`` converted to what ``vr`` holds (the check behind ``ds.X = value``).

    Accepts ``None`` (empty value), a single value, or a list/tuple (a ``str`` with backslashes
    is split for multi-valued text VRs; a one-item list gives that item; a tuple of two ints is
    one tag for AT). Items become the value classes of the module docstring; binary VRs take
    ``bytes``/``bytearray`` (kept), ``memoryview`` or numpy arrays (copied to ``bytes``, in
    their own byte order). An ambiguous VR (``"US or SS"``) takes the first VR that accepts
    the value.

    With ``strict`` (the default) PS3.5 6.2 limits are enforced: value length, character
    repertoire and format of AE, AS, CS, DA, DS, DT, IS, PN, TM, UI, UR, control characters in
    text. Always enforced: types, ranges of binary numbers, a backslash inside a value, the
    16-bit length of an explicit VR element (e.g. 70000 bytes of US), single value for
    LT/ST/UT/UR.

    Raises:
        ValueError: a value ``vr`` cannot hold; the message names the VR and the reason.
        TypeError: a type ``vr`` cannot hold (also: SQ, which the element layer handles).
    """
    if " or " in vr:
        errors: list[Exception] = []
        for option in vr.split(" or "):
            try:
                return coerce_value(option.strip(), value, strict=strict)
            except (TypeError, ValueError) as exc:
                errors.append(exc)
        raise errors[0]
    facts = _FACTS.get(vr)
    if vr == "SQ":
        raise TypeError("SQ values are Sequences of Datasets; coerce_value does not build them")
    if facts is None or facts.is_binary:
        result = _coerce_binary(vr, value)
        return result if result else None  # empty: None (empty_value_for_VR)
    if value is None or (isinstance(value, str) and value == ""):
        return empty_value_for_VR(vr)
    if isinstance(value, np.ndarray) or (isinstance(value, np.generic) and vr not in TEXT_VRS):
        value = value.tolist()
    if isinstance(value, str) and "\\" in value and facts.allows_multi and vr in TEXT_VRS:
        value = value.split("\\")
    if isinstance(value, (list, tuple)) and not (vr == "AT" and _is_tag_pair(value)):
        if len(value) > 1 and not facts.allows_multi:
            raise ValueError(f"{vr} holds a single value (PS3.5 6.2), not {len(value)}")
        result: Any = MultiValue(vr, value, strict=strict)
        if len(result) == 1:
            result = result[0]
    else:
        result = coerce_item(vr, value, strict)
    _check_total_length(vr, result)
    return result

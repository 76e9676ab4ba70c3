"""An independent DICOM encoder for generated datasets: spec in, Part 10 bytes out.

It shares no code with lazydcm's writer (only ``struct``, ``zlib`` and the character set table
of :mod:`._charsets`), so tests that read its output with lazydcm, or compare lazydcm's output
with it, are not checking lazydcm against itself. It writes what the strategies generate and
nothing more: the four native transfer syntaxes and encapsulated ones (explicit VR little endian,
PS3.5 A.4), defined or undefined lengths for sequences and items as the spec says, group lengths
when the spec has (gggg,0000) elements, and the file meta group.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

import attrs

from lazydcm._strategies._charsets import DEFAULT, CharsetInfo, charset_for_terms, encode_text
from lazydcm._strategies._spec import DatasetSpec, ElementSpec, is_group_length

__all__ = [
    "Layout",
    "IMPLICIT_LE",
    "EXPLICIT_LE",
    "EXPLICIT_BE",
    "DEFLATED_LE",
    "NATIVE_SYNTAXES",
    "ENCAPSULATED_SYNTAXES",
    "layout_of",
    "charset_of",
    "encode_value",
    "encode_element",
    "encode_dataset",
    "encode_meta",
    "encode_file",
    "group_lengths",
    "swap_words",
    "WORD_SIZE",
    "item_stream",
    "IMPLICIT_ITEMS",
]

IMPLICIT_LE = "1.2.840.10008.1.2"  # PS3.5 A.1
EXPLICIT_LE = "1.2.840.10008.1.2.1"  # PS3.5 A.2
EXPLICIT_BE = "1.2.840.10008.1.2.2"  # PS3.5 A.3 (retired)
DEFLATED_LE = "1.2.840.10008.1.2.1.99"  # PS3.5 A.5
NATIVE_SYNTAXES = (IMPLICIT_LE, EXPLICIT_LE, EXPLICIT_BE, DEFLATED_LE)
#: Encapsulated syntaxes (PS3.5 A.4): JPEG baseline/extended/lossless, JPEG-LS, JPEG 2000,
#: RLE, HTJ2K; all explicit VR little endian.
ENCAPSULATED_SYNTAXES = (
    "1.2.840.10008.1.2.4.50",
    "1.2.840.10008.1.2.4.51",
    "1.2.840.10008.1.2.4.57",
    "1.2.840.10008.1.2.4.70",
    "1.2.840.10008.1.2.4.80",
    "1.2.840.10008.1.2.4.81",
    "1.2.840.10008.1.2.4.90",
    "1.2.840.10008.1.2.4.91",
    "1.2.840.10008.1.2.5",
    "1.2.840.10008.1.2.4.201",
    "1.2.840.10008.1.2.4.203",
)

_ITEM = (0xFFFE, 0xE000)
_ITEM_DELIM = (0xFFFE, 0xE00D)
_SEQ_DELIM = (0xFFFE, 0xE0DD)
_UNDEFINED = 0xFFFFFFFF
# PS3.5 7.1.2: VRs with 2 reserved bytes and a 32-bit length in explicit VR.
_LONG = frozenset(["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"])
_TEXT = frozenset(
    [
        "AE",
        "AS",
        "CS",
        "DA",
        "DS",
        "DT",
        "IS",
        "LO",
        "LT",
        "PN",
        "SH",
        "ST",
        "TM",
        "UC",
        "UI",
        "UR",
        "UT",
    ]
)
_NUMBERS = {"US": "H", "SS": "h", "UL": "I", "SL": "i", "UV": "Q", "SV": "q", "FL": "f", "FD": "d"}
#: Word size of the binary VRs whose bytes follow the byte order (PS3.5 7.3).
WORD_SIZE = {"OW": 2, "OF": 4, "OL": 4, "OD": 8, "OV": 8}


@attrs.frozen
class Layout:
    """How a dataset is encoded: VR implicit or explicit, byte order, deflated."""

    implicit_vr: bool
    little_endian: bool
    deflated: bool = False
    encapsulated: bool = False


#: The layout of the items of a UN sequence of undefined length (PS3.5 6.2.2).
IMPLICIT_ITEMS = Layout(True, True)


def layout_of(transfer_syntax: str) -> Layout:
    """The :class:`Layout` of a transfer syntax UID (PS3.5 A.1-A.5; any other UID is explicit
    VR little endian with encapsulated pixel data, A.4)."""
    if transfer_syntax == IMPLICIT_LE:
        return Layout(True, True)
    if transfer_syntax == EXPLICIT_BE:
        return Layout(False, False)
    if transfer_syntax == DEFLATED_LE:
        return Layout(False, True, deflated=True)
    if transfer_syntax == EXPLICIT_LE:
        return Layout(False, True)
    return Layout(False, True, encapsulated=True)


def charset_of(spec: DatasetSpec, inherited: CharsetInfo = DEFAULT) -> CharsetInfo:
    """The character set of ``spec``: its own (0008,0005), else ``inherited``."""
    elem = spec.get(0x00080005)
    if elem is None:
        return inherited
    found = charset_for_terms(elem.value)
    if found is None:
        raise ValueError(f"the strategies cannot encode Specific Character Set {elem.value!r}")
    return found


def swap_words(data: bytes, size: int) -> bytes:
    """``data`` with the byte order of every ``size``-byte word reversed."""
    return b"".join(data[i : i + size][::-1] for i in range(0, len(data), size))


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (str, bytes, list, tuple)) and len(value) == 0)


def encode_value(vr: str, value: Any, little_endian: bool, charset: CharsetInfo) -> bytes:
    """The value field of a non-SQ element, padded to even length (PS3.5 7.1.1: SPACE for
    text, NUL for UI and binary VRs)."""
    if _is_empty(value):
        return b""
    if vr in _TEXT:
        text = "\\".join("" if v is None else str(v) for v in _items(value))
        data = encode_text(text, vr, charset)
        pad = b"\0" if vr == "UI" else b" "
    elif vr in _NUMBERS:
        fmt = ("<" if little_endian else ">") + _NUMBERS[vr]
        data = b"".join(struct.pack(fmt, v) for v in _items(value))
        pad = b"\0"
    elif vr == "AT":
        fmt = "<HH" if little_endian else ">HH"
        data = b"".join(struct.pack(fmt, v >> 16, v & 0xFFFF) for v in _items(value))
        pad = b"\0"
    else:  # OB OD OF OL OV OW UN: canonical values are little-endian words
        data = bytes(value)
        if not little_endian and vr in WORD_SIZE:
            data = swap_words(data, WORD_SIZE[vr])
        pad = b"\0"
    return data + pad if len(data) % 2 else data


def _tag(group: int, element: int, little_endian: bool) -> bytes:
    return struct.pack("<HH" if little_endian else ">HH", group, element)


def _u32(value: int, little_endian: bool) -> bytes:
    return struct.pack("<I" if little_endian else ">I", value)


def _header(tag: int, vr: str, length: int, layout: Layout) -> bytes:
    """PS3.5 7.1.2/7.1.3: tag, then (explicit) VR and a 16- or 32-bit length, or (implicit)
    a 32-bit length."""
    little = layout.little_endian
    head = _tag(tag >> 16, tag & 0xFFFF, little)
    if layout.implicit_vr:
        return head + _u32(length, little)
    if vr in _LONG:
        return head + vr.encode("ascii") + b"\0\0" + _u32(length, little)
    if length > 0xFFFF:
        raise ValueError(
            f"({tag >> 16:04X},{tag & 0xFFFF:04X}) {vr}: {length} bytes do not fit a 16-bit length"
        )
    return head + vr.encode("ascii") + struct.pack("<H" if little else ">H", length)


def _delimiter(which: tuple[int, int], length: int, little_endian: bool) -> bytes:
    # PS3.5 7.5: items and delimiters are tag + 32-bit length, never a VR.
    return _tag(*which, little_endian) + _u32(length, little_endian)


def item_stream(spec: DatasetSpec, layout: Layout, charset: CharsetInfo) -> bytes:
    """One item of a sequence: header, the item's elements, and an Item Delimitation Item if
    the item has undefined length (PS3.5 7.5.1)."""
    body = encode_dataset(spec, layout, charset, top_level=False)
    little = layout.little_endian
    if spec.undefined_length:
        return _delimiter(_ITEM, _UNDEFINED, little) + body + _delimiter(_ITEM_DELIM, 0, little)
    return _delimiter(_ITEM, len(body), little) + body


def sequence_value(elem: ElementSpec, layout: Layout, charset: CharsetInfo) -> bytes:
    """The bytes of an SQ element's value: its items (no delimiter)."""
    return b"".join(item_stream(item, layout, charset) for item in elem.value)


def encode_element(
    elem: ElementSpec, layout: Layout, charset: CharsetInfo, group_length: int | None = None
) -> bytes:
    """Header and value of one element (``group_length`` is the value of a (gggg,0000))."""
    little = layout.little_endian
    if elem.vr == "SQ" and elem.as_un and not layout.implicit_vr:
        # PS3.5 6.2.2: UN of undefined length; the value is in implicit VR little endian
        body = sequence_value(elem, IMPLICIT_ITEMS, charset)
        return _header(elem.tag, "UN", _UNDEFINED, layout) + body + _delimiter(_SEQ_DELIM, 0, True)
    if elem.vr == "SQ":
        body = sequence_value(elem, layout, charset)
        if elem.undefined_length:
            return (
                _header(elem.tag, "SQ", _UNDEFINED, layout)
                + body
                + _delimiter(_SEQ_DELIM, 0, little)
            )
        return _header(elem.tag, "SQ", len(body), layout) + body
    if elem.encapsulated:  # PS3.5 A.4: undefined length, items, sequence delimiter
        return (
            _header(elem.tag, elem.vr, _UNDEFINED, layout)
            + bytes(elem.value)
            + _delimiter(_SEQ_DELIM, 0, little)
        )
    if is_group_length(elem.tag):
        value = _u32(group_length or 0, little)
    else:
        value = encode_value(elem.vr, elem.value, little, charset)
    return _header(elem.tag, elem.vr, len(value), layout) + value


def group_lengths(spec: DatasetSpec, layout: Layout, charset: CharsetInfo) -> dict[int, int]:
    """The (gggg,0000) value of each group of ``spec`` that has one: the bytes of the group's
    other elements as encoded (PS3.5 7.2)."""
    wanted = {e.tag >> 16 for e in spec.elements if is_group_length(e.tag)}
    sizes = dict.fromkeys(wanted, 0)
    for elem in spec.elements:
        group = elem.tag >> 16
        if group in wanted and not is_group_length(elem.tag):
            sizes[group] += len(encode_element(elem, layout, charset))
    return sizes


def encode_dataset(
    spec: DatasetSpec, layout: Layout, charset: CharsetInfo | None = None, *, top_level: bool = True
) -> bytes:
    """The elements of ``spec`` in tag order (not deflated; see :func:`encode_file`).

    ``charset`` is the inherited character set (the dataset's own (0008,0005) wins)."""
    charset = charset_of(spec, charset or DEFAULT)
    lengths = group_lengths(spec, layout, charset)
    return b"".join(
        encode_element(e, layout, charset, lengths.get(e.tag >> 16)) for e in spec.elements
    )


_META = Layout(False, True)  # PS3.10 7.1: the meta group is explicit VR little endian


def encode_meta(meta: DatasetSpec) -> bytes:
    """The file meta group: (0002,0000) group length, then ``meta``'s elements."""
    body = b"".join(encode_element(e, _META, DEFAULT) for e in meta.elements if e.tag != 0x00020000)
    return _header(0x00020000, "UL", 4, _META) + _u32(len(body), True) + body


def encode_file(
    dataset: DatasetSpec,
    meta: DatasetSpec,
    transfer_syntax: str,
    *,
    preamble: bytes | None = b"\0" * 128,
) -> bytes:
    """A complete file: the 128-byte ``preamble`` and ``DICM`` (PS3.10 7.1; with ``preamble``
    None the bytes start with the meta group), the meta group, and the dataset in
    ``transfer_syntax`` (raw deflate for the deflated syntax, PS3.5 A.5, padded to even
    length)."""
    layout = layout_of(transfer_syntax)
    body = encode_dataset(dataset, layout)
    if layout.deflated:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        body = packer.compress(body) + packer.flush()
        if len(body) % 2:
            body += b"\0"
    head = b"" if preamble is None else bytes(preamble) + b"DICM"
    return head + encode_meta(meta) + body

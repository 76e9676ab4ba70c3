"""Element and item headers: decode and encode the bytes in front of every value.

Contract (sans-IO): every reader here is a pure function of ``(buf, offset)`` where ``buf`` is
any object supporting the buffer protocol (``bytes``, ``mmap``, ``memoryview``). It either returns
the decoded header or raises :class:`~lazydcm.errors.InvalidDicomError` (the subclass
:class:`~lazydcm.errors.TruncatedDicomError` when the header runs past the end of ``buf``); the
exception's ``offset`` is the header's offset and its ``tag`` is the tag when it could be read.
Nothing else escapes on bad bytes. No reader looks at a value, only at the header.

The three header forms (PS3.5 7.1):

- implicit VR (7.1.3): tag (4) + 32-bit length (4) = 8 bytes;
- explicit VR, short (7.1.2): tag (4) + VR (2) + 16-bit length (2) = 8 bytes;
- explicit VR, long (7.1.2, the VRs of :data:`LONG_LENGTH_VRS`): tag (4) + VR (2) + reserved
  (2) + 32-bit length (4) = 12 bytes.

Items and delimiters (group FFFE) never carry a VR, whatever the syntax (PS3.5 7.5): they are
always tag + 32-bit length, in the dataset's byte order.

Explicit VR that is not a VR: an explicit-syntax header whose two VR bytes are not one of the 34
VRs of PS3.5 6.2 raises ``InvalidDicomError`` here. Whether to fall back to reading such an
element as implicit VR is a policy of the scanner (see :mod:`lazydcm.io.scanner`), not of this
module, which only decodes.
"""

from __future__ import annotations

import struct

import attrs

from lazydcm.errors import InvalidDicomError, TruncatedDicomError

__all__ = [
    "ITEM",
    "ITEM_DELIM",
    "SEQ_DELIM",
    "UNDEFINED_LENGTH",
    "VRS",
    "LONG_LENGTH_VRS",
    "ElementHeader",
    "read_element_header",
    "read_item_header",
    "read_header_fields",
    "read_tag",
    "encode_element_header",
    "encode_item_header",
]

ITEM = 0xFFFEE000  # PS3.5 7.5: Item
ITEM_DELIM = 0xFFFEE00D  # PS3.5 7.5: Item Delimitation Item
SEQ_DELIM = 0xFFFEE0DD  # PS3.5 7.5: Sequence Delimitation Item
UNDEFINED_LENGTH = 0xFFFFFFFF  # PS3.5 7.1.1: Undefined Length

_DELIMITER_GROUP = 0xFFFE

# PS3.5 6.2 Table 6.2-1: the 34 VRs.
VRS: frozenset[bytes] = frozenset(
    b"AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR "
    b"US UT UV".split()
)
# PS3.5 7.1.2: every VR except the 21 with a 16-bit length has 2 reserved bytes + 32-bit length.
LONG_LENGTH_VRS: frozenset[bytes] = frozenset(b"OB OD OF OL OV OW SQ SV UC UN UR UT UV".split())

_TAG_LE = struct.Struct("<HH")
_TAG_BE = struct.Struct(">HH")
_IMPLICIT_LE = struct.Struct("<HHL")  # tag, 32-bit length (also items in LE)
_IMPLICIT_BE = struct.Struct(">HHL")  # items and delimiters in explicit BE
_EXPLICIT_LE = struct.Struct("<HH2sH")  # tag, VR, 16-bit length
_EXPLICIT_BE = struct.Struct(">HH2sH")
_LONG_LE = struct.Struct("<L")
_LONG_BE = struct.Struct(">L")
_EXPLICIT_LONG_LE = struct.Struct("<HH2s2xL")  # for encoding
_EXPLICIT_LONG_BE = struct.Struct(">HH2s2xL")


@attrs.frozen(slots=True)
class ElementHeader:
    """A decoded element (or item/delimiter) header.

    Attributes:
        tag: the tag as ``(group << 16) | element``.
        vr: the two VR bytes for explicit-VR elements; None for implicit VR and for items and
            delimiters.
        header_offset: offset of the first byte of the header.
        value_offset: offset of the first byte of the value (just past the header).
        length: the value length as written (``UNDEFINED_LENGTH`` kept as is).
    """

    tag: int
    vr: bytes | None
    header_offset: int
    value_offset: int
    length: int

    @property
    def undefined_length(self) -> bool:
        """True when the length is the undefined-length marker 0xFFFFFFFF."""
        return self.length == UNDEFINED_LENGTH


def _truncated(offset: int, need: int, size: int, tag: int | None = None) -> TruncatedDicomError:
    return TruncatedDicomError(
        f"header needs {need} bytes but only {max(size - offset, 0)} remain (size {size})",
        offset=offset,
        tag=tag,
    )


def read_tag(buf, offset: int, *, little_endian: bool) -> int:
    """Return the 32-bit tag at ``offset``.

    Raises:
        TruncatedDicomError: fewer than 4 bytes remain.
    """
    size = len(buf)
    if offset < 0 or offset + 4 > size:
        raise _truncated(offset, 4, size)
    group, elem = (_TAG_LE if little_endian else _TAG_BE).unpack_from(buf, offset)
    return (group << 16) | elem


def read_header_fields(
    buf, offset: int, implicit_vr: bool, little_endian: bool
) -> tuple[int, bytes | None, int, int]:
    """Decode the header at ``offset`` and return ``(tag, vr, value_offset, length)``.

    The fast path behind :func:`read_element_header` (no object is built); the scanner calls it
    once per element. Arguments and errors are those of :func:`read_element_header`.
    """
    size = len(buf)
    if offset < 0 or offset + 8 > size:
        tag = None
        if offset >= 0 and offset + 4 <= size:
            tag = read_tag(buf, offset, little_endian=little_endian)
        raise _truncated(offset, 8, size, tag)
    if implicit_vr:
        group, elem, length = (_IMPLICIT_LE if little_endian else _IMPLICIT_BE).unpack_from(
            buf, offset
        )
        return (group << 16) | elem, None, offset + 8, length
    group, elem, vr, length = (_EXPLICIT_LE if little_endian else _EXPLICIT_BE).unpack_from(
        buf, offset
    )
    if group == _DELIMITER_GROUP:
        # PS3.5 7.5: items and delimiters have no VR, even in explicit-VR syntaxes.
        (length,) = (_LONG_LE if little_endian else _LONG_BE).unpack_from(buf, offset + 4)
        return (group << 16) | elem, None, offset + 8, length
    if vr in LONG_LENGTH_VRS:
        # PS3.5 7.1.2: 2 reserved bytes, then a 32-bit length.
        if offset + 12 > size:
            raise _truncated(offset, 12, size, (group << 16) | elem)
        (length,) = (_LONG_LE if little_endian else _LONG_BE).unpack_from(buf, offset + 8)
        return (group << 16) | elem, vr, offset + 12, length
    if vr not in VRS:
        raise InvalidDicomError(
            f"explicit VR {bytes(vr)!r} is not a DICOM VR", offset=offset, tag=(group << 16) | elem
        )
    return (group << 16) | elem, vr, offset + 8, length


def read_element_header(
    buf, offset: int, *, implicit_vr: bool, little_endian: bool
) -> ElementHeader:
    """Decode the element, item or delimiter header at ``offset``.

    Args:
        buf: the bytes (any buffer).
        offset: where the header starts.
        implicit_vr: True for implicit-VR syntax (PS3.5 7.1.3).
        little_endian: byte order of the tag and length.

    Returns:
        The :class:`ElementHeader`; ``vr`` is None for implicit VR and for group FFFE tags.

    Raises:
        TruncatedDicomError: the header runs past the end of ``buf``.
        InvalidDicomError: explicit VR bytes that are not a DICOM VR.
    """
    tag, vr, value_offset, length = read_header_fields(buf, offset, implicit_vr, little_endian)
    return ElementHeader(tag, None if vr is None else bytes(vr), offset, value_offset, length)


def read_item_header(buf, offset: int, *, little_endian: bool) -> ElementHeader:
    """Decode an item or delimiter header: tag + 32-bit length, no VR (PS3.5 7.5).

    Returns the :class:`ElementHeader` (``vr`` None, ``value_offset`` = ``offset + 8``) whatever
    the tag is; checking that it is one of :data:`ITEM`, :data:`ITEM_DELIM`, :data:`SEQ_DELIM`
    is the caller's business.

    Raises:
        TruncatedDicomError: fewer than 8 bytes remain.
    """
    size = len(buf)
    if offset < 0 or offset + 8 > size:
        tag = None
        if offset >= 0 and offset + 4 <= size:
            tag = read_tag(buf, offset, little_endian=little_endian)
        raise _truncated(offset, 8, size, tag)
    group, elem, length = (_IMPLICIT_LE if little_endian else _IMPLICIT_BE).unpack_from(buf, offset)
    return ElementHeader((group << 16) | elem, None, offset, offset + 8, length)


def _check_tag_and_length(tag: int, length: int, limit: int) -> None:
    if not 0 <= tag <= 0xFFFFFFFF:
        raise ValueError(f"tag {tag:#x} is outside 0..0xFFFFFFFF")
    if not 0 <= length <= limit:
        raise ValueError(f"length {length} is outside 0..{limit:#x}")


def encode_element_header(
    tag: int, vr: bytes | None, length: int, *, implicit_vr: bool, little_endian: bool
) -> bytes:
    """Return the header bytes for an element (the inverse of :func:`read_element_header`).

    For implicit VR, or a group FFFE tag, ``vr`` is ignored and the header is tag + 32-bit length.
    For explicit VR the VR decides between the short (8-byte) and long (12-byte) forms.
    ``length`` may be :data:`UNDEFINED_LENGTH` where the form has a 32-bit length.

    Raises:
        ValueError: an unknown VR in explicit syntax, or a tag/length that does not fit the form.
    """
    if implicit_vr or (tag >> 16) == _DELIMITER_GROUP:
        _check_tag_and_length(tag, length, 0xFFFFFFFF)
        return (_IMPLICIT_LE if little_endian else _IMPLICIT_BE).pack(
            tag >> 16, tag & 0xFFFF, length
        )
    if vr is None or bytes(vr) not in VRS:
        raise ValueError(f"explicit VR syntax needs a DICOM VR, got {vr!r}")
    vr = bytes(vr)
    if vr in LONG_LENGTH_VRS:
        _check_tag_and_length(tag, length, 0xFFFFFFFF)
        packer = _EXPLICIT_LONG_LE if little_endian else _EXPLICIT_LONG_BE
        return packer.pack(tag >> 16, tag & 0xFFFF, vr, length)
    # PS3.5 7.1.2: a 16-bit length; these VRs can never be of undefined length.
    _check_tag_and_length(tag, length, 0xFFFF)
    return (_EXPLICIT_LE if little_endian else _EXPLICIT_BE).pack(
        tag >> 16, tag & 0xFFFF, vr, length
    )


def encode_item_header(tag: int, length: int, *, little_endian: bool) -> bytes:
    """Return the 8-byte header of an item or delimiter: tag + 32-bit length (PS3.5 7.5).

    Raises:
        ValueError: ``tag`` is not a group FFFE tag, or ``length`` does not fit 32 bits.
    """
    if (tag >> 16) != _DELIMITER_GROUP:
        raise ValueError(f"item/delimiter tags are in group FFFE, got {tag:#010x}")
    _check_tag_and_length(tag, length, 0xFFFFFFFF)
    return (_IMPLICIT_LE if little_endian else _IMPLICIT_BE).pack(tag >> 16, tag & 0xFFFF, length)

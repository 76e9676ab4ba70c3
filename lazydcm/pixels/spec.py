"""``PixelSpec``: what the Image Pixel Module says about a pixel data element's layout.

A :class:`PixelSpec` is a frozen value built either by hand or from any dataset-like object with a
pydicom-style ``get(keyword, default)`` (:meth:`PixelSpec.from_dataset`). It answers the size and
shape questions every pixel path needs (bytes per frame, numpy dtype, array shape) and nothing
else: it never touches pixel bytes.

Invalid values raise :class:`~lazydcm.errors.InvalidDicomError` naming the tag of the offending
element, e.g. ``element (0028,0010): Rows is missing``.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import attrs
import numpy as np

from lazydcm.errors import InvalidDicomError

__all__ = [
    "PixelSpec",
    "PIXEL_DATA",
    "FLOAT_PIXEL_DATA",
    "DOUBLE_FLOAT_PIXEL_DATA",
    "PIXEL_TAGS",
]

PIXEL_DATA = 0x7FE00010  # Pixel Data
FLOAT_PIXEL_DATA = 0x7FE00008  # Float Pixel Data
DOUBLE_FLOAT_PIXEL_DATA = 0x7FE00009  # Double Float Pixel Data

#: The pixel element tag for each ``PixelSpec.kind``.
PIXEL_TAGS = {"int": PIXEL_DATA, "float": FLOAT_PIXEL_DATA, "double": DOUBLE_FLOAT_PIXEL_DATA}

# Image Pixel Module attributes read by from_dataset (PS3.3 C.7.6.3), keyword -> tag.
_TAGS = {
    "SamplesPerPixel": 0x00280002,
    "PhotometricInterpretation": 0x00280004,
    "PlanarConfiguration": 0x00280006,
    "NumberOfFrames": 0x00280008,
    "Rows": 0x00280010,
    "Columns": 0x00280011,
    "BitsAllocated": 0x00280100,
    "BitsStored": 0x00280101,
    "HighBit": 0x00280102,
    "PixelRepresentation": 0x00280103,
}

_KIND_BITS = {"float": 32, "double": 64}  # PS3.3 C.7.6.3.1: OF is 32-bit, OD is 64-bit


def _bad(keyword: str, reason: str) -> InvalidDicomError:
    return InvalidDicomError(f"{keyword} {reason}", tag=_TAGS[keyword])


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (str, bytes)):
        return value.strip(b" \0" if isinstance(value, bytes) else " \0") in ("", b"")
    try:
        return len(value) == 0
    except TypeError:
        return False


def _single(keyword: str, value: Any) -> Any:
    """Unwrap a one-element list-like; reject multi-valued elements."""
    if not isinstance(value, (list, tuple)):  # MultiValue is a list; a PersonName is not
        return value
    count = len(value)
    if count != 1:
        raise _bad(keyword, f"has {count} values, expected 1")
    return value[0]


def _to_int(keyword: str, value: Any) -> int:
    value = _single(keyword, value)
    if isinstance(value, bool):
        raise _bad(keyword, f"must be an integer, got {value!r}")
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if isinstance(value, str):
        text = value.strip(" \0")
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise _bad(keyword, f"is not an integer: {value!r}") from None
            if not number.is_integer():
                raise _bad(keyword, f"is not an integer: {value!r}") from None
            return int(number)
    try:
        return operator.index(value)
    except TypeError:
        pass
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _bad(keyword, f"is not an integer: {value!r}") from None
    if not number.is_integer():
        raise _bad(keyword, f"is not an integer: {value!r}")
    return int(number)


def _get_int(ds: Any, keyword: str, default: int | None) -> int:
    value = ds.get(keyword, None)
    if _is_missing(value):
        if default is None:
            raise _bad(keyword, "is missing (needed to interpret the pixel data)")
        return default
    return _to_int(keyword, value)


def _get_str(ds: Any, keyword: str, default: str) -> str:
    value = ds.get(keyword, None)
    if _is_missing(value):
        return default
    value = _single(keyword, value)
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return str(value).strip(" \0").upper()


@attrs.frozen(kw_only=True)
class PixelSpec:
    """The layout of one pixel data element (PS3.3 C.7.6.3, PS3.5 8.1.1).

    Attributes:
        rows, columns: image size in pixels.
        frames: Number of Frames (1 for single-frame images).
        samples_per_pixel: 1 for monochrome and palette, 3 for colour.
        bits_allocated: bits per sample in the native encoding: 1 or 8/16/32/64.
        bits_stored: significant bits of each sample (<= bits_allocated).
        high_bit: most significant bit of a stored sample (normally ``bits_stored - 1``).
        pixel_representation: 0 unsigned, 1 two's complement signed.
        planar_configuration: 0 colour-by-pixel (R1G1B1R2...), 1 colour-by-plane (R1R2...G1...).
        photometric: Photometric Interpretation, upper-case, e.g. ``"MONOCHROME2"``, ``""`` if absent.
        little_endian: byte order of native pixel data (False only for Explicit VR Big Endian).
        kind: ``"int"`` for Pixel Data (7FE0,0010), ``"float"`` for Float Pixel Data (7FE0,0008),
            ``"double"`` for Double Float Pixel Data (7FE0,0009).
        pixel_vr: the VR the pixel element was encoded with (``"OB"``/``"OW"``) or None if
            unknown; it matters only for 8-bit Explicit VR Big Endian data, which is stored
            byte-swapped in 16-bit words when the VR is OW.

    Construction validates the values and raises :class:`InvalidDicomError` (tag = the offending
    Image Pixel Module element) for impossible ones.
    """

    rows: int
    columns: int
    frames: int = 1
    samples_per_pixel: int = 1
    bits_allocated: int = 8
    bits_stored: int = attrs.field(
        default=attrs.Factory(lambda self: self.bits_allocated, takes_self=True)
    )
    high_bit: int = attrs.field(
        default=attrs.Factory(lambda self: self.bits_stored - 1, takes_self=True)
    )
    pixel_representation: int = 0
    planar_configuration: int = 0
    photometric: str = "MONOCHROME2"
    little_endian: bool = True
    kind: str = "int"
    pixel_vr: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.kind not in PIXEL_TAGS:
            raise ValueError(f"kind must be 'int', 'float' or 'double', not {self.kind!r}")
        for keyword, value in (("Rows", self.rows), ("Columns", self.columns)):
            if not 0 < value <= 0xFFFF:
                raise _bad(keyword, f"is {value}; it must be 1..65535")
        if self.frames < 1:
            raise _bad("NumberOfFrames", f"is {self.frames}; it must be at least 1")
        if not 1 <= self.samples_per_pixel <= 4:
            raise _bad("SamplesPerPixel", f"is {self.samples_per_pixel}; it must be 1..4")
        if self.kind == "int":
            # PS3.5 8.1.1: Bits Allocated is 1 or a multiple of 8
            if self.bits_allocated not in (1, 8, 16, 32, 64):
                raise _bad(
                    "BitsAllocated",
                    f"is {self.bits_allocated}; lazydcm reads 1, 8, 16, 32 or 64",
                )
            if not 1 <= self.bits_stored <= self.bits_allocated:
                raise _bad(
                    "BitsStored",
                    f"is {self.bits_stored}; it must be 1..{self.bits_allocated} (Bits Allocated)",
                )
        elif self.bits_allocated != _KIND_BITS[self.kind]:
            raise _bad(
                "BitsAllocated",
                f"is {self.bits_allocated}; {self.kind} pixel data needs {_KIND_BITS[self.kind]}",
            )
        if self.pixel_representation not in (0, 1):
            raise _bad("PixelRepresentation", f"is {self.pixel_representation}; it must be 0 or 1")
        if self.planar_configuration not in (0, 1):
            raise _bad("PlanarConfiguration", f"is {self.planar_configuration}; it must be 0 or 1")

    @classmethod
    def from_dataset(
        cls,
        ds: Any,
        *,
        little_endian: bool = True,
        kind: str = "int",
        pixel_vr: str | None = None,
    ) -> PixelSpec:
        """Build a spec from the Image Pixel Module of ``ds``.

        ``ds`` is anything with ``get(keyword, default)`` returning decoded values (a lazydcm or
        pydicom ``Dataset``, or a plain ``dict``). Values may be ints, int-like objects (``IS``),
        numeric strings, or one-element lists. Rows, Columns and Bits Allocated are required
        (Bits Allocated defaults to 32/64 for float/double pixel data); Samples per Pixel
        defaults to 1, Bits Stored to Bits Allocated, High Bit to Bits Stored - 1, Pixel
        Representation and Planar Configuration to 0; a missing, empty or zero Number of Frames
        means 1.

        Raises:
            InvalidDicomError: a required value is missing, multi-valued, not an integer or out
                of range; its ``tag`` is the offending element's.
        """
        if kind not in PIXEL_TAGS:
            raise ValueError(f"kind must be 'int', 'float' or 'double', not {kind!r}")
        rows = _get_int(ds, "Rows", None)
        columns = _get_int(ds, "Columns", None)
        bits_allocated = _get_int(ds, "BitsAllocated", _KIND_BITS.get(kind))
        samples = _get_int(ds, "SamplesPerPixel", 1)
        frames = _get_int(ds, "NumberOfFrames", 1) or 1
        if kind == "int":
            bits_stored = _get_int(ds, "BitsStored", bits_allocated)
            high_bit = _get_int(ds, "HighBit", bits_stored - 1)
            representation = _get_int(ds, "PixelRepresentation", 0)
        else:  # Float/Double Float Pixel Data have no Bits Stored / Pixel Representation
            bits_stored, high_bit, representation = bits_allocated, bits_allocated - 1, 0
        planar = _get_int(ds, "PlanarConfiguration", 0) if samples > 1 else 0
        photometric = _get_str(ds, "PhotometricInterpretation", "")
        return cls(
            rows=rows,
            columns=columns,
            frames=frames,
            samples_per_pixel=samples,
            bits_allocated=bits_allocated,
            bits_stored=bits_stored,
            high_bit=high_bit,
            pixel_representation=representation,
            planar_configuration=planar,
            photometric=photometric,
            little_endian=little_endian,
            kind=kind,
            pixel_vr=pixel_vr,
        )

    # -- derived facts -----------------------------------------------------------------------

    @property
    def tag(self) -> int:
        """The pixel element's tag: (7FE0,0010), (7FE0,0008) or (7FE0,0009)."""
        return PIXEL_TAGS[self.kind]

    @property
    def is_ybr_422(self) -> bool:
        """True for 3-sample YBR_FULL_422, whose *native* encoding is subsampled."""
        return self.photometric == "YBR_FULL_422" and self.samples_per_pixel == 3

    def check_native_422(self) -> None:
        """Raise :class:`InvalidDicomError` (tag Columns) when *native* YBR_FULL_422 has an odd
        number of columns: its encoding pairs horizontally adjacent pixels (PS3.3
        C.7.6.3.1.2). Encapsulated YBR_FULL_422 (JPEG's 4:2:2 subsampling) has no such rule;
        its codec pads the last pair."""
        if self.is_ybr_422 and self.columns % 2:
            raise _bad("Columns", f"is {self.columns}; native YBR_FULL_422 needs an even number")

    @property
    def samples_per_frame(self) -> int:
        """Rows x Columns x Samples per Pixel."""
        return self.rows * self.columns * self.samples_per_pixel

    @property
    def frame_nbytes(self) -> int:
        """Bytes of one frame in the native (uncompressed) encoding.

        For Bits Allocated 1 this is the bytes needed to hold one frame's bits,
        ``ceil(rows*cols*samples/8)``; consecutive native 1-bit frames are packed without byte
        alignment (PS3.5 8.1.1), so use :attr:`expected_nbytes` for the whole element. Native
        YBR_FULL_422 stores two luma and one Cb/Cr pair per two pixels (PS3.3 C.7.6.3.1.2), i.e.
        two thirds of the full-resolution size.
        """
        if self.bits_allocated == 1:
            return math.ceil(self.samples_per_frame / 8)
        nbytes = self.samples_per_frame * (self.bits_allocated // 8)
        if self.is_ybr_422:
            return nbytes // 3 * 2
        return nbytes

    @property
    def expected_nbytes(self) -> int:
        """Bytes of native pixel data the element must hold (without trailing padding)."""
        if self.bits_allocated == 1:
            return math.ceil(self.frames * self.samples_per_frame / 8)
        return self.frames * self.frame_nbytes

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype of one stored sample, in the stored byte order.

        Bits Allocated 1 gives ``uint8`` (one unpacked 0/1 value per sample); signed per Pixel
        Representation; ``float32``/``float64`` for float/double pixel data.
        """
        order = "<" if self.little_endian else ">"
        if self.kind != "int":
            return np.dtype(f"{order}f{self.bits_allocated // 8}")
        if self.bits_allocated == 1:
            return np.dtype(np.uint8)
        code = "i" if self.pixel_representation else "u"
        return np.dtype(f"{order}{code}{self.bits_allocated // 8}")

    @property
    def array_dtype(self) -> np.dtype:
        """:attr:`dtype` in the machine's native byte order: the dtype of returned arrays."""
        return self.dtype.newbyteorder("=")

    @property
    def frame_shape(self) -> tuple[int, ...]:
        """``(rows, columns)``, or ``(rows, columns, samples)`` for more than one sample."""
        if self.samples_per_pixel == 1:
            return (self.rows, self.columns)
        return (self.rows, self.columns, self.samples_per_pixel)

    @property
    def shape(self) -> tuple[int, ...]:
        """The array shape: :attr:`frame_shape`, with a leading frame axis when frames > 1."""
        if self.frames == 1:
            return self.frame_shape
        return (self.frames, *self.frame_shape)

    def describe(self) -> str:
        """A short human-readable summary used in error messages."""
        return (
            f"{self.frames} frame(s) of {self.rows}x{self.columns}x{self.samples_per_pixel}, "
            f"{self.bits_allocated} bits allocated"
            + (f", {self.photometric}" if self.photometric else "")
        )

"""Grayscale and colour transforms of the DICOM display pipeline, as pure numpy functions.

The order is the standard's (PS3.3 C.11, PS3.4 N.2): stored values -> Modality LUT (rescale or a
LUT) -> VOI LUT (window or a LUT) -> Presentation LUT (identity or inverse) -> display. Colour
images may instead go through a Palette Color LUT (PS3.3 C.7.6.3.1.5/6, C.7.9) or a colour space
conversion (PS3.3 C.7.6.3.1.2).

``ds`` arguments are any object with a pydicom-style ``get(keyword, default)`` returning decoded
values (a lazydcm or pydicom ``Dataset``, or a ``dict``); sequences are lists of such objects.
LUT data may be ``bytes`` (OW, decoded with ``little_endian``) or a list of ints (US). Each
function returns a new array unless it has nothing to do, in which case it returns ``arr`` itself.
Invalid LUT attributes raise :class:`~lazydcm.errors.InvalidDicomError` naming the element.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from lazydcm.errors import InvalidDicomError

__all__ = [
    "apply_modality_lut",
    "apply_voi_lut",
    "apply_windowing",
    "voi_output_range",
    "apply_presentation",
    "apply_palette",
    "expand_segmented_lut",
    "convert_color_space",
]

_WINDOW_CENTER = 0x00281050
_WINDOW_WIDTH = 0x00281051
_VOI_LUT_FUNCTION = 0x00281056
_LUT_DESCRIPTOR = 0x00283002
_LUT_DATA = 0x00283006
_PRESENTATION_LUT_SHAPE = 0x20500020
_PALETTE_DESCRIPTOR = {
    "Red": 0x00281101,
    "Green": 0x00281102,
    "Blue": 0x00281103,
    "Alpha": 0x00281104,
}
_PALETTE_DATA = {"Red": 0x00281201, "Green": 0x00281202, "Blue": 0x00281203, "Alpha": 0x00281204}
_SEGMENTED_DATA = {"Red": 0x00281221, "Green": 0x00281222, "Blue": 0x00281223, "Alpha": 0x00281224}


# -- value helpers ----------------------------------------------------------------------------


def _present(value: Any) -> bool:
    """False for None and empty values (``""``, ``b""``, ``[]``); True otherwise."""
    if value is None:
        return False
    try:
        return len(value) > 0
    except TypeError:  # a number
        return True


def _values(value: Any) -> list[Any]:
    """A list of the values of a possibly multi-valued element."""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if isinstance(value, str):
        return value.split("\\")
    try:
        return list(value)
    except TypeError:
        return [value]


def _float(value: Any, tag: int, name: str) -> float:
    try:
        return float(str(value).strip(" \0")) if isinstance(value, (str, bytes)) else float(value)
    except (TypeError, ValueError):
        raise InvalidDicomError(f"{name} {value!r} is not a number", tag=tag) from None


def _text(ds: Any, keyword: str) -> str:
    value = ds.get(keyword, None)
    if not _present(value):
        return ""
    if not isinstance(value, (str, bytes)):
        value = _values(value)[0]
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return str(value).strip(" \0").upper()


def _descriptor(raw: Any, tag: int, *, signed_first: bool = False) -> tuple[int, int, int]:
    """(entries, first mapped value, bits per entry) of a LUT Descriptor (PS3.3 C.11.1.1)."""
    if isinstance(raw, (bytes, bytearray)) and len(raw) == 6:
        raw = np.frombuffer(raw, dtype="<u2").tolist()
    values = _values(raw)
    if len(values) != 3:
        raise InvalidDicomError(f"LUT descriptor has {len(values)} values, expected 3", tag=tag)
    try:
        entries, first, bits = (int(v) for v in values)
    except (TypeError, ValueError):
        raise InvalidDicomError(f"LUT descriptor {values!r} is not 3 integers", tag=tag) from None
    entries = entries or 65536  # PS3.3 C.11.1.1: 0 means 2^16 entries
    if signed_first and first >= 0x8000:
        first -= 0x10000  # an SS value read as US: the input range is signed
    if not 0 < entries <= 65536 or not 1 <= bits <= 16:
        raise InvalidDicomError(f"LUT descriptor {values!r} is out of range", tag=tag)
    return entries, first, bits


def _lut_data(
    raw: Any, entries: int, bits: int, tag: int, *, little_endian: bool, packed8: bool
) -> np.ndarray:
    """LUT entries from OW bytes or a list of US values.

    ``packed8``: 8-bit entries may be packed one per byte (Palette Color LUT Data, PS3.3
    C.7.6.3.1.6); otherwise each entry is a 16-bit word (LUT Data, PS3.3 C.11.1.1).
    """
    if isinstance(raw, (bytes, bytearray, memoryview)):
        raw = bytes(raw)
        if len(raw) >= 2 * entries:
            data = np.frombuffer(raw, dtype="<u2" if little_endian else ">u2", count=entries)
        elif (packed8 or bits <= 8) and len(raw) >= entries:
            data = np.frombuffer(raw, dtype=np.uint8, count=entries)
        else:
            raise InvalidDicomError(
                f"LUT data is {len(raw)} bytes, too short for {entries} entries", tag=tag
            )
    else:
        try:
            data = np.asarray(_values(raw), dtype=np.int64)
        except (TypeError, ValueError):
            raise InvalidDicomError("LUT data is not a list of integers", tag=tag) from None
        if data.size < entries:
            raise InvalidDicomError(
                f"LUT data has {data.size} entries, the descriptor says {entries}", tag=tag
            )
        data = data[:entries].astype(np.uint16)
    data = data.astype(data.dtype.newbyteorder("="), copy=False)
    if bits <= 8 and (data.size == 0 or int(data.max()) < 256):
        return data.astype(np.uint8)
    return data.astype(np.uint16)


def _lookup(arr: np.ndarray, lut: np.ndarray, first: int) -> np.ndarray:
    """Map ``arr`` through ``lut``: below ``first`` -> lut[0], past the end -> lut[-1]."""
    index = np.clip(np.asarray(arr, dtype=np.float64) - first, 0, lut.size - 1)
    return lut[index.astype(np.intp)]


def _first_item(ds: Any, keyword: str, index: int = 0) -> Any | None:
    seq = ds.get(keyword, None)
    if not _present(seq):
        return None
    items = list(seq)
    if not -len(items) <= index < len(items):
        raise IndexError(f"{keyword} has {len(items)} item(s), no item {index}")
    return items[index]


# -- Modality LUT ------------------------------------------------------------------------------


def apply_modality_lut(arr: np.ndarray, ds: Any, *, little_endian: bool = True) -> np.ndarray:
    """Apply the Modality LUT (PS3.3 C.11.1): a Modality LUT Sequence or Rescale Slope/Intercept.

    Returns ``float64`` values ``arr * slope + intercept`` for rescale, the LUT's ``uint8`` /
    ``uint16`` values for a LUT (inputs below the first mapped value take the first entry, inputs
    past the end the last), or ``arr`` unchanged when the dataset has neither.
    """
    item = _first_item(ds, "ModalityLUTSequence")
    if item is not None:
        signed = _int_or(ds.get("PixelRepresentation", 0), 0) == 1
        entries, first, bits = _descriptor(
            item.get("LUTDescriptor", None), _LUT_DESCRIPTOR, signed_first=signed
        )
        lut = _lut_data(
            item.get("LUTData", None),
            entries,
            bits,
            _LUT_DATA,
            little_endian=little_endian,
            packed8=False,
        )
        return _lookup(arr, lut, first)
    slope, intercept = ds.get("RescaleSlope", None), ds.get("RescaleIntercept", None)
    if not (_present(slope) or _present(intercept)):
        return arr
    slope = _float(_values(slope)[0], 0x00281053, "Rescale Slope") if _present(slope) else 1.0
    intercept = (
        _float(_values(intercept)[0], 0x00281052, "Rescale Intercept")
        if _present(intercept)
        else 0.0
    )
    out = np.asarray(arr, dtype=np.float64) * slope
    out += intercept
    return out


def _int_or(value: Any, default: int) -> int:
    try:
        return int(_values(value)[0]) if _present(value) else default
    except (TypeError, ValueError, IndexError):
        return default


# -- VOI LUT -----------------------------------------------------------------------------------


def voi_output_range(ds: Any) -> tuple[float, float] | None:
    """The output range pydicom's windowing uses when none is given, or None if unknown.

    The range of the stored values (from Bits Stored and Pixel Representation, or the Modality
    LUT's bit depth) carried through Rescale Slope/Intercept.
    """
    item = _first_item(ds, "ModalityLUTSequence")
    if item is not None:
        _, _, bits = _descriptor(item.get("LUTDescriptor", None), _LUT_DESCRIPTOR)
        lo, hi = 0.0, float(2**bits - 1)
    else:
        stored = _int_or(ds.get("BitsStored", None), 0)
        if stored <= 0:
            return None
        if _int_or(ds.get("PixelRepresentation", 0), 0) == 1:
            lo, hi = float(-(2 ** (stored - 1))), float(2 ** (stored - 1) - 1)
        else:
            lo, hi = 0.0, float(2**stored - 1)
    slope, intercept = ds.get("RescaleSlope", None), ds.get("RescaleIntercept", None)
    if _present(slope) and _present(intercept):
        s = _float(_values(slope)[0], 0x00281053, "Rescale Slope")
        i = _float(_values(intercept)[0], 0x00281052, "Rescale Intercept")
        lo, hi = lo * s + i, hi * s + i
    return lo, hi


def apply_windowing(
    arr: np.ndarray,
    center: float,
    width: float,
    *,
    function: str = "LINEAR",
    out_range: tuple[float, float] = (0.0, 255.0),
) -> np.ndarray:
    """Window ``arr`` into ``out_range`` (PS3.3 C.11.2.1.2 LINEAR, C.11.2.1.3 LINEAR_EXACT/SIGMOID).

    Returns ``float64``. Raises :class:`InvalidDicomError` for a width the function does not
    allow (<= 0, or LINEAR's exact 0..1 exclusive is taken as LINEAR_EXACT with a warning, since
    the standard's >= 1 rule is broken by real float images) or an unknown function.
    """
    lo, hi = float(out_range[0]), float(out_range[1])
    span = hi - lo
    x = np.asarray(arr, dtype=np.float64)
    function = function.strip().upper() or "LINEAR"
    if function == "SIGMOID":
        if width <= 0:
            raise InvalidDicomError(
                f"Window Width {width} must be > 0 for SIGMOID", tag=_WINDOW_WIDTH
            )
        with np.errstate(over="ignore"):  # exp overflow -> 0, the correct limit
            return span / (1 + np.exp(-4 * (x - center) / width)) + lo
    if function == "LINEAR" and 0 < width < 1:
        # PS3.3 C.11.2.1.2.1 requires width >= 1 for LINEAR; real files with float data
        # (e.g. dose maps) use smaller ones, which only the exact ramp can honour.
        warnings.warn(
            f"Window Width {width} is below 1, which LINEAR does not allow; using LINEAR_EXACT",
            stacklevel=2,
        )
        function = "LINEAR_EXACT"
    if function == "LINEAR":
        # PS3.3 C.11.2.1.2.1: c - 0.5 and w - 1 centre the window on integer input values
        if width < 1:
            raise InvalidDicomError(
                f"Window Width {width} must be >= 1 for LINEAR", tag=_WINDOW_WIDTH
            )
        center, width = center - 0.5, width - 1
    elif function == "LINEAR_EXACT":
        if width <= 0:
            raise InvalidDicomError(
                f"Window Width {width} must be > 0 for LINEAR_EXACT", tag=_WINDOW_WIDTH
            )
    else:
        raise InvalidDicomError(f"unknown VOI LUT Function {function!r}", tag=_VOI_LUT_FUNCTION)
    if width == 0:  # LINEAR with width 1: a step at the centre
        return np.where(x <= center, lo, hi)
    out = ((x - center) / width + 0.5) * span + lo
    out[x <= center - width / 2] = lo
    out[x > center + width / 2] = hi
    return out


def apply_voi_lut(
    arr: np.ndarray,
    ds: Any,
    index: int = 0,
    *,
    prefer_lut: bool = True,
    out_range: tuple[float, float] | None = None,
    little_endian: bool = True,
) -> np.ndarray:
    """Apply the VOI LUT Module (PS3.3 C.11.2): a VOI LUT Sequence item or a window.

    Args:
        arr: values after the Modality LUT.
        index: which of several windows / VOI LUT items to use.
        prefer_lut: when both are present, use the VOI LUT Sequence (True) or the window.
        out_range: output range. Windows default to :func:`voi_output_range` (pydicom's choice);
            a LUT's values are returned as stored (``uint8``/``uint16``) unless ``out_range`` is
            given, in which case they are scaled from ``0..2**bits-1`` into it (``float64``).

    Returns ``arr`` unchanged when the dataset has neither a window nor a VOI LUT.

    Raises:
        InvalidDicomError: malformed window values, descriptor or LUT data.
        IndexError: ``index`` names no window / item.
    """
    item = (
        _first_item(ds, "VOILUTSequence", index)
        if _present(ds.get("VOILUTSequence", None))
        else None
    )
    has_lut = (
        item is not None
        and _present(item.get("LUTDescriptor", None))
        and _present(item.get("LUTData", None))
    )
    centers, widths = ds.get("WindowCenter", None), ds.get("WindowWidth", None)
    has_window = _present(centers) and _present(widths)
    if has_lut and (prefer_lut or not has_window):
        entries, first, bits = _descriptor(item.get("LUTDescriptor"), _LUT_DESCRIPTOR)
        lut = _lut_data(
            item.get("LUTData"),
            entries,
            bits,
            _LUT_DATA,
            little_endian=little_endian,
            packed8=False,
        )
        out = _lookup(arr, lut, first)
        if out_range is None:
            return out
        lo, hi = out_range
        return out.astype(np.float64) * ((hi - lo) / (2**bits - 1)) + lo
    if not has_window:
        return arr
    center_values, width_values = _values(centers), _values(widths)
    if not (-len(center_values) <= index < len(center_values)):
        raise IndexError(f"Window Center has {len(center_values)} value(s), no value {index}")
    center = _float(center_values[index], _WINDOW_CENTER, "Window Center")
    width = _float(width_values[min(index, len(width_values) - 1)], _WINDOW_WIDTH, "Window Width")
    if out_range is None:
        out_range = voi_output_range(ds)
        if out_range is None:
            finite = np.asarray(arr)
            out_range = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    return apply_windowing(
        arr, center, width, function=_text(ds, "VOILUTFunction") or "LINEAR", out_range=out_range
    )


# -- Presentation LUT --------------------------------------------------------------------------


def apply_presentation(
    arr: np.ndarray,
    ds: Any,
    *,
    in_range: tuple[float, float] | None = None,
    little_endian: bool = True,
) -> np.ndarray:
    """Apply the Presentation LUT (PS3.3 C.11.4/C.11.6): a LUT, INVERSE, or MONOCHROME1.

    ``in_range`` is the range of ``arr`` (the VOI output range; default ``arr``'s min..max).
    A Presentation LUT Sequence maps that range linearly onto the LUT's entries and returns its
    values. Otherwise the image is inverted within the range (``lo + hi - arr``) when the
    Presentation LUT Shape is INVERSE, or when there is no shape and the Photometric
    Interpretation is MONOCHROME1 (minimum is white, PS3.3 C.7.6.3.1.2); IDENTITY and plain
    MONOCHROME2 return ``arr`` unchanged. Integer inputs keep their dtype.
    """
    item = _first_item(ds, "PresentationLUTSequence")
    arr = np.asarray(arr)
    lo, hi = in_range if in_range is not None else _data_range(arr)
    if item is not None:
        entries, _, bits = _descriptor(item.get("LUTDescriptor", None), _LUT_DESCRIPTOR)
        lut = _lut_data(
            item.get("LUTData", None),
            entries,
            bits,
            _LUT_DATA,
            little_endian=little_endian,
            packed8=False,
        )
        scale = (entries - 1) / (hi - lo) if hi > lo else 0.0
        index = np.rint((np.asarray(arr, dtype=np.float64) - lo) * scale)
        return lut[np.clip(index, 0, entries - 1).astype(np.intp)]
    shape = _text(ds, "PresentationLUTShape")
    if shape not in ("", "IDENTITY", "INVERSE"):
        raise InvalidDicomError(
            f"unknown Presentation LUT Shape {shape!r}", tag=_PRESENTATION_LUT_SHAPE
        )
    invert = shape == "INVERSE" or (
        not shape and _text(ds, "PhotometricInterpretation") == "MONOCHROME1"
    )
    if not invert:
        return arr
    if np.issubdtype(arr.dtype, np.integer):
        return (np.int64(lo + hi) - arr.astype(np.int64)).astype(arr.dtype)
    return (lo + hi) - arr


def _data_range(arr: np.ndarray) -> tuple[float, float]:
    if arr.size == 0:
        return 0.0, 0.0
    return float(arr.min()), float(arr.max())


# -- Palette Color LUT -------------------------------------------------------------------------


def expand_segmented_lut(
    data: Any, entries: int, *, bits: int = 16, little_endian: bool = True, tag: int | None = None
) -> np.ndarray:
    """Expand Segmented Palette Color LUT Data (PS3.3 C.7.9.2) to ``entries`` values.

    ``data`` is the OW bytes (read as 8-bit words when ``bits`` is 8, as the PS3.6 Annex B
    well-known palettes are, else 16-bit words) or a list of word values. Segments: discrete
    (opcode 0: length, values), linear (1: length, end value - a straight line from the
    previous segment's last value), indirect (2: count, 32-bit byte offset as low word then high
    word - re-expand ``count`` segments from that offset; they may not be indirect).

    Raises :class:`InvalidDicomError` for a malformed table or one that does not expand to
    exactly ``entries`` values (more are truncated).
    """
    word = 1 if bits <= 8 else 2
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        dtype = np.uint8 if word == 1 else ("<u2" if little_endian else ">u2")
        words = np.frombuffer(raw[: len(raw) // word * word], dtype=dtype).astype(np.int64)
    else:
        words = np.asarray(_values(data), dtype=np.int64)
    out: list[np.ndarray] = []
    produced = 0

    def expand(pos: int, max_segments: int | None, allow_indirect: bool) -> None:
        nonlocal produced
        done = 0
        while pos + 1 < len(words) and produced < entries:
            if max_segments is not None and done >= max_segments:
                return
            opcode, length = int(words[pos]), int(words[pos + 1])
            if opcode == 0:  # C.7.9.2.1 discrete
                values = words[pos + 2 : pos + 2 + length]
                if len(values) < length:
                    raise InvalidDicomError(
                        "segmented LUT: discrete segment runs past the data", tag=tag
                    )
                out.append(values)
                produced += length
                pos += 2 + length
            elif opcode == 1:  # C.7.9.2.2 linear, from the previous end point
                if not out:
                    raise InvalidDicomError(
                        "segmented LUT: a linear segment cannot come first (C.7.9.2.2)", tag=tag
                    )
                if pos + 2 >= len(words):
                    raise InvalidDicomError(
                        "segmented LUT: linear segment runs past the data", tag=tag
                    )
                start = float(out[-1][-1]) if len(out[-1]) else 0.0
                end = float(words[pos + 2])
                if length:
                    steps = np.arange(1, length + 1, dtype=np.float64)
                    out.append(np.rint(start + (end - start) * steps / length).astype(np.int64))
                    produced += length
                pos += 3
            elif opcode == 2:  # C.7.9.2.3 indirect
                if not allow_indirect:
                    raise InvalidDicomError(
                        "segmented LUT: an indirect segment copies another", tag=tag
                    )
                if word == 1:
                    if pos + 6 > len(words):
                        raise InvalidDicomError(
                            "segmented LUT: truncated indirect segment", tag=tag
                        )
                    b = [int(v) for v in words[pos + 2 : pos + 6]]
                    byte_offset = (b[0] | b[1] << 8) | (b[2] | b[3] << 8) << 16
                    pos += 6
                else:
                    if pos + 4 > len(words):
                        raise InvalidDicomError(
                            "segmented LUT: truncated indirect segment", tag=tag
                        )
                    byte_offset = int(words[pos + 2]) | int(words[pos + 3]) << 16
                    pos += 4
                if not out or byte_offset % word or byte_offset // word >= len(words):
                    raise InvalidDicomError(
                        f"segmented LUT: bad indirect offset {byte_offset}", tag=tag
                    )
                expand(byte_offset // word, length, False)
            else:
                raise InvalidDicomError(f"segmented LUT: unknown segment opcode {opcode}", tag=tag)
            done += 1

    expand(0, None, True)
    lut = np.concatenate(out) if out else np.zeros(0, dtype=np.int64)
    if lut.size < entries:
        raise InvalidDicomError(
            f"segmented LUT expands to {lut.size} entries, the descriptor says {entries}",
            tag=tag,
        )
    return lut[:entries]


def apply_palette(arr: np.ndarray, ds: Any, *, little_endian: bool = True) -> np.ndarray:
    """Map PALETTE COLOR indices to RGB (or RGBA with an Alpha LUT) (PS3.3 C.7.6.3.1.5/6, C.7.9).

    Uses the Red/Green/Blue Palette Color LUT Descriptor and Data, or the Segmented data. Returns
    an array of shape ``arr.shape + (3,)`` (or ``(4,)``) of ``uint8`` for tables packed one byte
    per entry and ``uint16`` for 16-bit entries (as pydicom does).

    Raises:
        InvalidDicomError: missing or malformed descriptors or data (names the element).
    """
    signed = _int_or(ds.get("PixelRepresentation", 0), 0) == 1
    channels = ["Red", "Green", "Blue"]
    if _present(ds.get("AlphaPaletteColorLookupTableDescriptor", None)):
        channels.append("Alpha")
    luts: list[np.ndarray] = []
    firsts: list[int] = []
    for name in channels:
        tag = _PALETTE_DESCRIPTOR[name]
        raw = ds.get(f"{name}PaletteColorLookupTableDescriptor", None)
        if not _present(raw):
            raise InvalidDicomError(
                f"{name} Palette Color Lookup Table Descriptor is missing", tag=tag
            )
        entries, first, bits = _descriptor(raw, tag, signed_first=signed)
        data = ds.get(f"{name}PaletteColorLookupTableData", None)
        if _present(data):
            lut = _palette_data(data, entries, bits, _PALETTE_DATA[name], little_endian)
        else:
            segmented = ds.get(f"Segmented{name}PaletteColorLookupTableData", None)
            if not _present(segmented):
                raise InvalidDicomError(
                    f"{name} Palette Color Lookup Table Data is missing", tag=_PALETTE_DATA[name]
                )
            lut = expand_segmented_lut(
                segmented,
                entries,
                bits=bits,
                little_endian=little_endian,
                tag=_SEGMENTED_DATA[name],
            )
            lut = lut.astype(np.uint8 if bits <= 8 else np.uint16)
        luts.append(lut)
        firsts.append(first)
    dtype = np.uint16 if any(lut.dtype.itemsize > 1 for lut in luts) else np.uint8
    out = np.empty((*np.shape(arr), len(luts)), dtype=dtype)
    for i, (lut, first) in enumerate(zip(luts, firsts, strict=True)):
        out[..., i] = _lookup(arr, lut, first)
    return out


def _palette_data(raw: Any, entries: int, bits: int, tag: int, little_endian: bool) -> np.ndarray:
    if isinstance(raw, (bytes, bytearray, memoryview)):
        raw = bytes(raw)
        # PS3.3 C.7.6.3.1.6: 8-bit entries are packed as bytes; some writers use 16-bit words
        width = len(raw) // entries if entries else 0
        if width not in (1, 2) or (width == 1 and bits > 8):
            raise InvalidDicomError(
                f"palette data is {len(raw)} bytes, which does not fit {entries} entries of "
                f"{bits} bits",
                tag=tag,
            )
        dtype = np.uint8 if width == 1 else ("<u2" if little_endian else ">u2")
        return np.frombuffer(raw, dtype=dtype, count=entries).astype(
            np.dtype(dtype).newbyteorder("=")
        )
    return _lut_data(raw, entries, bits, tag, little_endian=little_endian, packed8=True).astype(
        np.uint8 if bits <= 8 else np.uint16
    )


# -- colour spaces -----------------------------------------------------------------------------

# ITU-T T.871 / PS3.3 C.7.6.3.1.2 YCbCr (full range) <-> RGB, as row-vector matrices.
_YBR_TO_RGB = np.array(
    [
        [1.0, 1.0, 1.0],
        [0.0, -0.114 * 1.772 / 0.587, 1.772],
        [1.402, -0.299 * 1.402 / 0.587, 0.0],
    ],
    dtype=np.float32,
)
_RGB_TO_YBR = np.array(
    [
        [0.299, -0.299 / 1.772, 0.5],
        [0.587, -0.587 / 1.772, -0.587 / 1.402],
        [0.114, 0.5, -0.114 / 1.402],
    ],
    dtype=np.float32,
)
_YBR_NAMES = ("YBR_FULL", "YBR_FULL_422")


def convert_color_space(arr: np.ndarray, current: str, desired: str) -> np.ndarray:
    """Convert 3-sample pixels between RGB and YBR_FULL / YBR_FULL_422 (PS3.3 C.7.6.3.1.2).

    ``arr`` has the samples on its last axis and an unsigned integer dtype (8-bit in practice;
    for wider types the chroma offset is half the type's range). YBR_FULL_422 here means its
    full-resolution samples (subsampling is undone before). Results are rounded to nearest and
    clipped to the type's range - the same arithmetic (float32) as pydicom, so results match it.
    Returns ``arr`` itself when the spaces are equal (counting the two YBR_FULL names as one).

    Raises:
        ValueError: an unsupported pair of colour spaces or an array without 3 samples.
    """
    cur, want = current.strip().upper(), desired.strip().upper()
    cur = "YBR_FULL" if cur in _YBR_NAMES else cur
    want = "YBR_FULL" if want in _YBR_NAMES else want
    if cur == want:
        return arr
    if (cur, want) not in (("YBR_FULL", "RGB"), ("RGB", "YBR_FULL")):
        raise ValueError(f"cannot convert colour space {current!r} to {desired!r}")
    if arr.shape[-1:] != (3,):
        raise ValueError(
            f"colour conversion needs 3 samples on the last axis, got shape {arr.shape}"
        )
    dtype = arr.dtype
    if not np.issubdtype(dtype, np.unsignedinteger):
        raise ValueError(f"colour conversion needs unsigned integer samples, got {dtype}")
    top = float(np.iinfo(dtype).max)
    middle = np.float32((top + 1) / 2)
    work = arr.astype(np.float32)
    if cur == "YBR_FULL":
        work[..., 1:] -= middle
        work = np.matmul(work, _YBR_TO_RGB)
    else:
        work = np.matmul(work, _RGB_TO_YBR)
        work[..., 1:] += middle
    work += np.float32(0.5)
    np.floor(work, out=work)
    np.clip(work, 0, top, out=work)
    return work.astype(dtype)

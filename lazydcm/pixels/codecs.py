"""Decoders for one encapsulated frame, chosen by transfer syntax.

RLE Lossless (PS3.5 A.4.2), Deflated Image Frame Compression (A.4.13) and Encapsulated
Uncompressed (A.4.11) are decoded by lazydcm itself. JPEG, JPEG-LS, JPEG 2000 / HTJ2K and JPEG XL
need an optional plugin, imported on first use and tried in this order:

========================  ============================================================
family                    plugins
========================  ============================================================
JPEG (.50 .51 .53 .55     ``pylibjpeg-libjpeg``, ``imagecodecs``, ``Pillow`` (8-bit only)
.57 .70)
JPEG-LS (.80 .81)         ``pylibjpeg-libjpeg``, ``imagecodecs``
JPEG 2000, HTJ2K (.90     ``pylibjpeg-openjpeg``, ``imagecodecs``, ``Pillow`` (8-bit
.91 .201 .202 .203)       unsigned only)
JPEG XL (.110-.112)       ``imagecodecs``
========================  ============================================================

The first plugin of each family is the one pydicom uses, so results are identical to pydicom's;
the fallbacks give identical results for lossless data, and may differ by one in a few lossy JPEG
samples (another IDCT). When none is importable :class:`MissingCodecError` says what to install. When every importable
plugin fails on the data the frame is bad: :class:`~lazydcm.errors.InvalidDicomError`.

The output matches pydicom 3's ``pixel_array`` by default: dtype from Bits Allocated and Pixel
Representation, JPEG 2000 / JPEG-LS sign and precision corrections, unused high bits corrected
for the other syntaxes, and YBR_FULL / YBR_FULL_422 converted to RGB (``as_rgb``).
"""

from __future__ import annotations

import importlib
import io
import struct
import warnings
import zlib
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np

from lazydcm.errors import InvalidDicomError
from lazydcm.pixels.lut import convert_color_space
from lazydcm.pixels.native import correct_unused_bits, keep_low_bits, native_array
from lazydcm.pixels.rle import rle_decode_frame
from lazydcm.pixels.spec import PIXEL_DATA, PixelSpec

__all__ = [
    "MissingCodecError",
    "TransferSyntaxInfo",
    "TRANSFER_SYNTAXES",
    "decode_frame",
    "decode_frame_raw",
    "result_photometric",
    "plugins_for",
    "available_plugins",
]


class MissingCodecError(RuntimeError):
    """No installed plugin can decode this transfer syntax (the message says what to install)."""


@attrs.frozen
class TransferSyntaxInfo:
    """What lazydcm knows about decoding an encapsulated transfer syntax."""

    name: str
    family: str  # "jpeg", "jpegls", "j2k", "jxl", "rle", "deflate", "raw"


_J = "1.2.840.10008.1.2.4."
TRANSFER_SYNTAXES: dict[str, TransferSyntaxInfo] = {
    _J + "50": TransferSyntaxInfo("JPEG Baseline (Process 1)", "jpeg"),
    _J + "51": TransferSyntaxInfo("JPEG Extended (Process 2 & 4)", "jpeg"),
    _J + "53": TransferSyntaxInfo(
        "JPEG Spectral Selection, Non-Hierarchical (Process 6 & 8)", "jpeg"
    ),
    _J + "55": TransferSyntaxInfo(
        "JPEG Full Progression, Non-Hierarchical (Process 10 & 12)", "jpeg"
    ),
    _J + "57": TransferSyntaxInfo("JPEG Lossless, Non-Hierarchical (Process 14)", "jpeg"),
    _J + "70": TransferSyntaxInfo("JPEG Lossless, First-Order Prediction (Process 14 SV1)", "jpeg"),
    _J + "80": TransferSyntaxInfo("JPEG-LS Lossless", "jpegls"),
    _J + "81": TransferSyntaxInfo("JPEG-LS Near-Lossless", "jpegls"),
    _J + "90": TransferSyntaxInfo("JPEG 2000 (Lossless Only)", "j2k"),
    _J + "91": TransferSyntaxInfo("JPEG 2000", "j2k"),
    _J + "201": TransferSyntaxInfo("HTJ2K (Lossless Only)", "j2k"),
    _J + "202": TransferSyntaxInfo("HTJ2K with RPCL Options (Lossless Only)", "j2k"),
    _J + "203": TransferSyntaxInfo("HTJ2K", "j2k"),
    _J + "110": TransferSyntaxInfo("JPEG XL Lossless", "jxl"),
    _J + "111": TransferSyntaxInfo("JPEG XL JPEG Recompression", "jxl"),
    _J + "112": TransferSyntaxInfo("JPEG XL", "jxl"),
    "1.2.840.10008.1.2.5": TransferSyntaxInfo("RLE Lossless", "rle"),
    "1.2.840.10008.1.2.8.1": TransferSyntaxInfo("Deflated Image Frame Compression", "deflate"),
    "1.2.840.10008.1.2.1.98": TransferSyntaxInfo(
        "Encapsulated Uncompressed Explicit VR Little Endian", "raw"
    ),
}

_YBR = ("YBR_FULL", "YBR_FULL_422")
# Start-of-frame markers (ISO 10918-1 B.1.1.3; FFF7 is JPEG-LS SOF55, ISO 14495-1)
_SOF_MARKERS = frozenset(
    {*range(0xC0, 0xC4), *range(0xC5, 0xC8), *range(0xC9, 0xCC), *range(0xCD, 0xD0), 0xF7}
)

# -- codestream headers ------------------------------------------------------------------------


def _jpeg_header(data: bytes) -> dict[str, Any]:
    """Precision, component ids and JFIF presence from the markers before the first scan."""
    info: dict[str, Any] = {"jfif": False}
    pos = 2 if data[:2] == b"\xff\xd8" else 0
    end = len(data)
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack_from(">H", data, pos + 2)
        body = data[pos + 4 : pos + 2 + length]
        if marker == 0xE0 and body.startswith(b"JFIF"):
            info["jfif"] = True
        elif marker in _SOF_MARKERS:
            if len(body) >= 6:
                info["precision"] = body[0]
                count = body[5]
                info["ids"] = [body[6 + 3 * i] for i in range(count) if 6 + 3 * i < len(body)]
        elif marker == 0xDA:  # start of scan: the headers are over
            break
        pos += 2 + length
    return info


def _j2k_siz(data: bytes) -> tuple[int, bool] | None:
    """(precision, signed) of the first component from a JPEG 2000 SIZ marker segment."""
    at = data.find(b"\xff\x4f\xff\x51")  # SOC then SIZ (ISO 15444-1 A.5.1)
    ssiz = at + 4 + 38  # Lsiz, Rsiz, 8 x 32-bit sizes, Csiz, then Ssiz of component 0
    if at < 0 or ssiz >= len(data):
        return None
    return (data[ssiz] & 0x7F) + 1, bool(data[ssiz] & 0x80)


def _jpeg_colour(info: dict[str, Any], spec: PixelSpec) -> str:
    """The colour space a 3-component JPEG's samples are in before any transform (as pydicom)."""
    photometric = spec.photometric
    if spec.samples_per_pixel != 3:
        return photometric
    if info.get("ids") in ([82, 71, 66], [114, 103, 98]):  # component ids "RGB" / "rgb"
        if photometric != "RGB":
            warnings.warn(
                f"Photometric Interpretation is {photometric!r} but the JPEG component ids say RGB",
                stacklevel=4,
            )
        return "RGB"
    if "YBR" in photometric:
        return photometric
    if info.get("jfif"):
        warnings.warn(
            f"Photometric Interpretation is {photometric!r} but the JPEG has a JFIF marker, "
            f"so its samples are YCbCr",
            stacklevel=4,
        )
        return "YBR_FULL"
    return photometric


# -- plugins: each returns (array, colour space of its samples) --------------------------------

Plugin = Callable[[bytes, PixelSpec, str], tuple[np.ndarray, str]]


def _module(name: str) -> Any:
    return importlib.import_module(name)


def _libjpeg(data: bytes, spec: PixelSpec, colour: str) -> tuple[np.ndarray, str]:
    return _module("libjpeg").decode(data, 0), colour  # 0: no colour transform


def _imagecodecs_jpeg(data: bytes, spec: PixelSpec, colour: str) -> tuple[np.ndarray, str]:
    codecs = _module("imagecodecs")
    if spec.samples_per_pixel == 3:
        space = "YCBCR" if colour in _YBR else "RGB"  # ask for no conversion
        try:
            return codecs.jpeg8_decode(data, colorspace=space, outcolorspace=space), colour
        except Exception:
            pass
    else:
        try:
            return codecs.jpeg8_decode(data), colour
        except Exception:
            pass
    return codecs.ljpeg_decode(data), colour


def _pillow(data: bytes, spec: PixelSpec, colour: str) -> tuple[np.ndarray, str]:
    siz = _j2k_siz(data)
    if siz is not None and (siz[0] > 8 or siz[1]):
        # Pillow rescales deeper JPEG 2000 samples to 16 bits and offsets signed ones
        raise ValueError(f"Pillow only decodes 8-bit unsigned JPEG 2000 as stored, not {siz}")
    image_module = _module("PIL.Image")
    with image_module.open(io.BytesIO(data)) as image:
        if image.format == "JPEG" and colour in _YBR:
            image.draft("YCbCr", image.size)  # keep the stored YCbCr samples
        image.load()
        mode = image.mode
        arr = np.asarray(image)
    if mode == "YCbCr":
        return arr, colour
    if mode == "RGB" and image.format == "JPEG" and colour in _YBR:
        return arr, "RGB"
    return arr, colour


def _libjpeg_ls(data: bytes, spec: PixelSpec, colour: str) -> tuple[np.ndarray, str]:
    return _module("libjpeg").decode(data, 0), colour


def _imagecodecs_ls(data: bytes, spec: PixelSpec, colour: str) -> tuple[np.ndarray, str]:
    return _module("imagecodecs").jpegls_decode(data), colour


def _openjpeg(data: bytes, spec: PixelSpec, colour: str) -> tuple[np.ndarray, str]:
    return _module("openjpeg").decode(data), colour


def _imagecodecs_j2k(data: bytes, spec: PixelSpec, colour: str) -> tuple[np.ndarray, str]:
    codecs = _module("imagecodecs")
    try:
        return codecs.jpeg2k_decode(data), colour
    except Exception:
        if not hasattr(codecs, "htj2k_decode"):
            raise
        return codecs.htj2k_decode(data), colour


def _imagecodecs_jxl(data: bytes, spec: PixelSpec, colour: str) -> tuple[np.ndarray, str]:
    arr = _module("imagecodecs").jpegxl_decode(data)
    # JPEG XL decoders output RGB (PS3.5 A.4.x: .111 keeps the JPEG's YBR_FULL_422 label)
    return arr, "RGB" if spec.samples_per_pixel == 3 else colour


_PLUGINS: dict[str, list[tuple[str, str, Plugin]]] = {
    # family: [(plugin name, module that must import, function)]
    "jpeg": [
        ("pylibjpeg-libjpeg", "libjpeg", _libjpeg),
        ("imagecodecs", "imagecodecs", _imagecodecs_jpeg),
        ("pillow", "PIL.Image", _pillow),
    ],
    "jpegls": [
        ("pylibjpeg-libjpeg", "libjpeg", _libjpeg_ls),
        ("imagecodecs", "imagecodecs", _imagecodecs_ls),
    ],
    "j2k": [
        ("pylibjpeg-openjpeg", "openjpeg", _openjpeg),
        ("imagecodecs", "imagecodecs", _imagecodecs_j2k),
        ("pillow", "PIL.Image", _pillow),
    ],
    "jxl": [("imagecodecs", "imagecodecs", _imagecodecs_jxl)],
}

_INSTALL_HINT = {
    "jpeg": "pip install 'lazydcm[codecs]' (pylibjpeg + pylibjpeg-libjpeg), or imagecodecs, or Pillow",
    "jpegls": "pip install 'lazydcm[codecs]' (pylibjpeg + pylibjpeg-libjpeg), or imagecodecs",
    "j2k": "pip install 'lazydcm[codecs]' (pylibjpeg + pylibjpeg-openjpeg), or imagecodecs, or Pillow",
    "jxl": "pip install imagecodecs",
}


def plugins_for(transfer_syntax_uid: str) -> list[str]:
    """Names of the plugins that can decode this syntax, in the order they are tried ([] when
    lazydcm decodes it itself)."""
    info = _info(transfer_syntax_uid)
    return [name for name, _, _ in _PLUGINS.get(info.family, [])]


def available_plugins(transfer_syntax_uid: str) -> list[str]:
    """The subset of :func:`plugins_for` that can be imported here (imports them)."""
    return [
        name
        for name, module, _ in _PLUGINS.get(_info(transfer_syntax_uid).family, [])
        if _importable(module)
    ]


def _importable(module: str) -> bool:
    try:
        _module(module)
    except ImportError:
        return False
    return True


def _info(transfer_syntax_uid: str) -> TransferSyntaxInfo:
    uid = transfer_syntax_uid.rstrip("\0 ")
    info = TRANSFER_SYNTAXES.get(uid)
    if info is None:
        raise MissingCodecError(
            f"lazydcm cannot decode pixel data in transfer syntax {uid} (no decoder for it)"
        )
    return info


# -- decoding ----------------------------------------------------------------------------------


def _bad(reason: str) -> InvalidDicomError:
    return InvalidDicomError(reason, tag=PIXEL_DATA)


def _inflate(data: bytes, spec: PixelSpec) -> bytes:
    # PS3.5 A.4.13: each frame is a raw deflate stream (RFC 1951), maybe with one pad byte.
    # The output is capped at one frame so a hostile stream cannot blow up memory.
    size = spec.frame_nbytes
    for wbits in (-15, 15):
        inflater = zlib.decompressobj(wbits)
        try:
            out = inflater.decompress(data, size)
        except zlib.error:
            continue
        if len(out) < size:
            raise _bad(f"deflated frame inflates to {len(out)} bytes, expected {size}")
        return out
    raise _bad("deflated frame is not a valid deflate stream")


def _run_plugins(
    family: str, data: bytes, spec: PixelSpec, colour: str, uid: str, plugin: str | None
) -> tuple[np.ndarray, str]:
    candidates = [c for c in _PLUGINS[family] if plugin is None or c[0] == plugin]
    if plugin is not None and not candidates:
        raise ValueError(f"{plugin!r} is not a plugin for {uid}; choose from {plugins_for(uid)}")
    failures: list[str] = []
    tried = False
    for name, module, function in candidates:
        if not _importable(module):
            continue
        tried = True
        try:
            return function(data, spec, colour)
        except Exception as exc:  # a plugin's own error type: try the next one
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
    info = TRANSFER_SYNTAXES[uid]
    if not tried:
        wanted = plugin or " / ".join(name for name, _, _ in _PLUGINS[family])
        raise MissingCodecError(
            f"decoding {info.name} ({uid}) needs {wanted}, which is not installed: "
            f"{_INSTALL_HINT[family]}"
        )
    raise _bad(f"cannot decode {info.name} frame: " + "; ".join(failures))


def _conform(arr: np.ndarray, spec: PixelSpec, who: str) -> np.ndarray:
    """Check the decoded shape and cast to the spec's dtype (a new, writable array)."""
    arr = np.asarray(arr)
    if arr.ndim == 3 and arr.shape[-1] == 1 and spec.samples_per_pixel == 1:
        arr = arr[..., 0]
    if arr.shape != spec.frame_shape:
        raise _bad(
            f"{who} decoded a frame of shape {arr.shape}, but Rows/Columns/Samples per Pixel "
            f"say {spec.frame_shape}"
        )
    return arr.astype(spec.array_dtype, copy=True)


def decode_frame_raw(
    data: bytes | bytearray | memoryview,
    spec: PixelSpec,
    transfer_syntax_uid: str,
    *,
    correct_bits: bool = True,
    plugin: str | None = None,
) -> tuple[np.ndarray, str]:
    """Decode one frame without any colour conversion.

    Returns ``(array, photometric)``: a new array of shape :attr:`PixelSpec.frame_shape` and
    dtype :attr:`PixelSpec.array_dtype`, and the colour space its samples are in (the dataset's
    Photometric Interpretation, except RGB for JPEG 2000 YBR_ICT/YBR_RCT - the codec undoes the
    component transform -, JPEG XL colour, JPEG streams whose markers say otherwise).

    Args:
        correct_bits: apply pydicom's corrections (JPEG 2000 signedness, JPEG-LS sign,
            unused high bits for the other syntaxes).
        plugin: use only this plugin (a name from :func:`plugins_for`).

    Raises:
        MissingCodecError: no decoder for the syntax is installed (or lazydcm has none).
        InvalidDicomError: the frame data cannot be decoded or has the wrong size.
    """
    uid = transfer_syntax_uid.rstrip("\0 ")
    info = _info(uid)
    data = bytes(data)
    single = attrs.evolve(spec, frames=1, little_endian=True)
    if info.family in ("deflate", "raw"):
        raw = _inflate(data, single) if info.family == "deflate" else data
        arr = native_array(raw, single, correct_bits=correct_bits, as_rgb=False)
        return np.array(arr, copy=True), spec.photometric
    if info.family == "rle":
        arr = rle_decode_frame(data, single)
        return (correct_unused_bits(arr, spec) if correct_bits else arr), spec.photometric

    photometric = spec.photometric
    header: dict[str, Any] = {}
    if info.family in ("jpeg", "jpegls"):
        header = _jpeg_header(data)
        if info.family == "jpeg":
            photometric = _jpeg_colour(header, spec)
    elif info.family == "j2k" and photometric in ("YBR_ICT", "YBR_RCT"):
        photometric = "RGB"  # the decoder applies the inverse component transform
    decoded, photometric = _run_plugins(info.family, data, spec, photometric, uid, plugin)
    arr = _conform(decoded, spec, plugin or info.family)
    if correct_bits and spec.kind == "int" and spec.bits_allocated > 1:
        if info.family == "j2k":
            siz = _j2k_siz(data)
            precision, signed = siz if siz else (spec.bits_stored, bool(spec.pixel_representation))
            if spec.photometric in ("MONOCHROME1", "MONOCHROME2") and signed != bool(
                spec.pixel_representation
            ):
                keep_low_bits(arr, precision)
        elif info.family == "jpegls":
            if spec.pixel_representation == 1:  # JPEG-LS cannot store signed samples
                keep_low_bits(arr, int(header.get("precision") or spec.bits_stored))
        else:
            correct_unused_bits(arr, spec)
    return arr, photometric


def decode_frame(
    data: bytes | bytearray | memoryview,
    spec: PixelSpec,
    transfer_syntax_uid: str,
    *,
    as_rgb: bool = True,
    correct_bits: bool = True,
    plugin: str | None = None,
) -> np.ndarray:
    """Decode one encapsulated frame to an array shaped (rows, columns[, samples]).

    The dtype is :attr:`PixelSpec.array_dtype` (signed per Pixel Representation). With
    ``as_rgb`` (the default, like pydicom) YBR_FULL / YBR_FULL_422 samples are converted to RGB;
    see :func:`decode_frame_raw` for the other arguments and :func:`result_photometric` for the
    colour space of the result.

    Raises:
        MissingCodecError: no decoder for the syntax is installed (or lazydcm has none).
        InvalidDicomError: the frame data cannot be decoded or has the wrong size.
    """
    arr, photometric = decode_frame_raw(
        data, spec, transfer_syntax_uid, correct_bits=correct_bits, plugin=plugin
    )
    if as_rgb and spec.samples_per_pixel == 3 and photometric in _YBR:
        arr = convert_color_space(arr, photometric, "RGB")
    return arr


def result_photometric(
    spec: PixelSpec, transfer_syntax_uid: str | None, *, as_rgb: bool = True
) -> str:
    """The colour space of arrays from :func:`decode_frame` / ``native_array`` for this spec.

    ``transfer_syntax_uid`` None means native data. (A JPEG whose markers contradict the
    dataset's Photometric Interpretation is decoded per its markers; this function cannot see
    them and answers from the dataset.)
    """
    photometric = spec.photometric
    if spec.samples_per_pixel != 3:
        return photometric
    family = None
    if transfer_syntax_uid is not None:
        info = TRANSFER_SYNTAXES.get(transfer_syntax_uid.rstrip("\0 "))
        family = info.family if info else None
    if family == "j2k" and photometric in ("YBR_ICT", "YBR_RCT"):
        return "RGB"
    if family == "jxl":
        return "RGB"
    if as_rgb and photometric in _YBR:
        return "RGB"
    return photometric

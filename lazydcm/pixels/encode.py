"""Encoding one frame for an encapsulated transfer syntax: the encoder registry.

:func:`encode_frame` turns one decoded frame (shape :attr:`PixelSpec.frame_shape`, samples last)
into the bytes of one frame of the target syntax. RLE Lossless is lazydcm's own encoder
(:mod:`lazydcm.pixels.rle_encode`); every other codec goes through ``imagecodecs`` (one library,
released several times a year with wheels for every platform, wrapping the reference C
libraries: CharLS for JPEG-LS, OpenJPEG for JPEG 2000, OpenJPH for HTJ2K, libjpeg-turbo for
JPEG baseline, libjxl for JPEG XL), installed by the ``codecs`` extra. JPEG 2000 can also use
``pylibjpeg-openjpeg`` (plugin ``"pylibjpeg"``, the same OpenJPEG under pydicom's own plugin
package). A codec that is not installed raises :class:`MissingCodecError` naming the extra.

Which attribute values a target needs (PS3.5 8.2: Planar Configuration 0, JPEG baseline
colour as YBR_FULL_422, the lossy flags) is decided by :func:`target_attributes`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np

from lazydcm.pixels.codecs import MissingCodecError
from lazydcm.pixels.rle_encode import encode_rle_frame
from lazydcm.pixels.spec import PixelSpec

__all__ = [
    "ENCODERS",
    "EncoderInfo",
    "MissingCodecError",
    "encode_frame",
    "can_encode",
    "encoder_plugins",
]

RLE_LOSSLESS = "1.2.840.10008.1.2.5"
JPEG_BASELINE = "1.2.840.10008.1.2.4.50"
JPEG_LS_LOSSLESS = "1.2.840.10008.1.2.4.80"
JPEG_LS_NEAR = "1.2.840.10008.1.2.4.81"
J2K_LOSSLESS = "1.2.840.10008.1.2.4.90"
J2K = "1.2.840.10008.1.2.4.91"
HTJ2K_LOSSLESS = "1.2.840.10008.1.2.4.201"
HTJ2K = "1.2.840.10008.1.2.4.203"
JPEGXL_LOSSLESS = "1.2.840.10008.1.2.4.110"
JPEGXL = "1.2.840.10008.1.2.4.112"

_EXTRA = "pip install 'lazydcm[codecs]'"


@attrs.frozen
class EncoderInfo:
    """What lazydcm can encode for one transfer syntax.

    Attributes:
        name: the syntax's name (PS3.6 Table A-1).
        lossy: True when the encoding may lose information (sets Lossy Image Compression).
        method: the Lossy Image Compression Method defined term (PS3.3 C.7.6.1.1.5.1).
        plugins: plugin names in order of preference.
        bits: Bits Allocated values the codec accepts.
    """

    name: str
    lossy: bool
    method: str
    plugins: tuple[str, ...]
    bits: tuple[int, ...]


ENCODERS: dict[str, EncoderInfo] = {
    RLE_LOSSLESS: EncoderInfo("RLE Lossless", False, "", ("lazydcm",), (1, 8, 16, 32, 64)),
    JPEG_BASELINE: EncoderInfo(
        "JPEG Baseline (Process 1)", True, "ISO_10918_1", ("imagecodecs",), (8,)
    ),
    JPEG_LS_LOSSLESS: EncoderInfo("JPEG-LS Lossless", False, "", ("imagecodecs",), (8, 16)),
    JPEG_LS_NEAR: EncoderInfo(
        "JPEG-LS Near-Lossless", True, "ISO_14495_1", ("imagecodecs",), (8, 16)
    ),
    J2K_LOSSLESS: EncoderInfo(
        "JPEG 2000 Lossless", False, "", ("imagecodecs", "pylibjpeg"), (8, 16, 32)
    ),
    # lossy JPEG 2000 by compression ratio (pydicom's j2k_cr, default 20) needs pylibjpeg:
    # imagecodecs' encoder only targets a PSNR (j2k_psnr)
    J2K: EncoderInfo("JPEG 2000", True, "ISO_15444_1", ("pylibjpeg", "imagecodecs"), (8, 16, 32)),
    HTJ2K_LOSSLESS: EncoderInfo("HTJ2K Lossless", False, "", ("imagecodecs",), (8, 16)),
    JPEGXL_LOSSLESS: EncoderInfo("JPEG XL Lossless", False, "", ("imagecodecs",), (8, 16)),
    JPEGXL: EncoderInfo("JPEG XL", True, "ISO_18181_1", ("imagecodecs",), (8, 16)),
}

_MODULES = {"imagecodecs": "imagecodecs", "pylibjpeg": "openjpeg", "lazydcm": None}


def _importable(plugin: str) -> bool:
    module = _MODULES[plugin]
    if module is None:
        return True
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def encoder_plugins(transfer_syntax_uid: str) -> list[str]:
    """The installed plugins that can encode ``transfer_syntax_uid`` (may be empty)."""
    info = ENCODERS.get(str(transfer_syntax_uid))
    return [p for p in info.plugins if _importable(p)] if info else []


def can_encode(transfer_syntax_uid: str) -> bool:
    """True when some installed plugin encodes ``transfer_syntax_uid``."""
    return bool(encoder_plugins(transfer_syntax_uid))


def _as_ints(arr: np.ndarray, spec: PixelSpec) -> np.ndarray:
    """Samples in the smallest native integer type of Bits Allocated (codecs take these)."""
    arr = np.asarray(arr)
    want = spec.array_dtype
    if arr.dtype != want:
        arr = arr.astype(want)
    return np.ascontiguousarray(arr)


def _imagecodecs(uid: str, arr: np.ndarray, spec: PixelSpec, options: dict[str, Any]) -> bytes:
    ic = importlib.import_module("imagecodecs")
    arr = _as_ints(arr, spec)
    if spec.pixel_representation and uid in (JPEG_BASELINE, JPEGXL):
        raise ValueError(f"{ENCODERS[uid].name} does not encode signed samples (PS3.5 8.2)")
    if spec.pixel_representation and uid not in (J2K_LOSSLESS, J2K, HTJ2K_LOSSLESS):
        # JPEG-LS / JPEG / JPEG XL code unsigned samples; signed data is stored as its bits
        arr = arr.view(arr.dtype.str.replace("i", "u"))
    if uid == JPEG_LS_LOSSLESS:
        return bytes(ic.jpegls_encode(arr, level=0))
    if uid == JPEG_LS_NEAR:
        return bytes(ic.jpegls_encode(arr, level=int(options.get("jls_error", 2))))
    if uid in (J2K_LOSSLESS, J2K):
        lossless = uid == J2K_LOSSLESS
        level = None
        if not lossless:
            # imagecodecs' ``level`` is OpenJPEG's fixed quality: a PSNR in dB, one layer
            if "j2k_psnr" not in options or "j2k_cr" in options:
                raise ValueError(
                    "imagecodecs encodes lossy JPEG 2000 to a PSNR only: pass j2k_psnr=[dB], "
                    "or use encoding_plugin='pylibjpeg' for compression ratios (j2k_cr)"
                )
            level = float(list(options["j2k_psnr"])[-1])
        return bytes(
            ic.jpeg2k_encode(
                arr,
                level=level,
                codecformat="J2K",
                reversible=lossless,
                bitspersample=spec.bits_stored,
                mct=bool(options.get("use_mct", False)),
            )
        )
    if uid == HTJ2K_LOSSLESS:
        return bytes(ic.htj2k_encode(arr, level=0, reversible=True))
    if uid == JPEG_BASELINE:
        if spec.samples_per_pixel == 3:  # stored as YCbCr 4:2:2 (PS3.5 8.2.1: YBR_FULL_422)
            source = "YCbCr" if spec.photometric.startswith("YBR") else "RGB"
            colour: dict[str, Any] = {
                "colorspace": source,
                "outcolorspace": "YCbCr",
                "subsampling": "422",
            }
        else:
            colour = {}
        return bytes(ic.jpeg8_encode(arr, level=int(options.get("quality", 90)), **colour))
    if uid in (JPEGXL_LOSSLESS, JPEGXL):
        if uid == JPEGXL_LOSSLESS:
            return bytes(
                ic.jpegxl_encode(
                    arr, lossless=True, effort=int(options.get("effort", 3)), usecontainer=False
                )
            )
        return bytes(
            ic.jpegxl_encode(arr, level=int(options.get("quality", 90)), usecontainer=False)
        )
    raise MissingCodecError(f"imagecodecs has no encoder for {uid}")


def _pylibjpeg(uid: str, arr: np.ndarray, spec: PixelSpec, options: dict[str, Any]) -> bytes:
    openjpeg = importlib.import_module("openjpeg")
    arr = _as_ints(arr, spec)
    kwargs: dict[str, Any] = {"bits_stored": spec.bits_stored, "codec_format": 0}
    if uid == J2K:  # one of pydicom's j2k_cr (default [20]) or j2k_psnr, per quality layer
        if "j2k_psnr" in options and "j2k_cr" in options:
            raise ValueError("pass j2k_cr or j2k_psnr, not both")
        if "j2k_psnr" in options:
            kwargs["signal_to_noise_ratios"] = [float(v) for v in options["j2k_psnr"]]
        else:
            kwargs["compression_ratios"] = [float(v) for v in options.get("j2k_cr", [20])]
    # 1 = sRGB; no multiple component transform unless asked (Photometric stays as given)
    kwargs["photometric_interpretation"] = 0 if spec.samples_per_pixel == 1 else 1
    kwargs["use_mct"] = bool(options.get("use_mct", False))
    return bytes(openjpeg.encode(arr, **kwargs))


_PLUGINS: dict[str, Callable[[str, np.ndarray, PixelSpec, dict[str, Any]], bytes]] = {
    "imagecodecs": _imagecodecs,
    "pylibjpeg": _pylibjpeg,
}


def encode_frame(
    arr: np.ndarray,
    spec: PixelSpec,
    transfer_syntax_uid: str,
    *,
    plugin: str | None = None,
    **options: Any,
) -> bytes:
    """Encode one frame for ``transfer_syntax_uid``.

    Args:
        arr: the frame, shape ``spec.frame_shape`` (samples last), integer samples.
        spec: the layout the frame has (and the encoded frame will declare).
        transfer_syntax_uid: an encapsulated syntax in :data:`ENCODERS`.
        plugin: a plugin name from :attr:`EncoderInfo.plugins`; default the first installed.
        options: codec options (``jls_error``, ``j2k_cr``, ``j2k_psnr``, ``quality``, ``effort``,
            ``use_mct``).

    Returns the frame's bytes (not yet padded to even length).

    Raises:
        ValueError: a syntax lazydcm cannot encode, or a layout the codec does not take
            (including PALETTE COLOR for a lossy syntax, PS3.5 8.2).
        MissingCodecError: the codec's library is not installed (the message names the extra).
    """
    uid = str(transfer_syntax_uid).strip("\0 ")
    info = ENCODERS.get(uid)
    if info is None:
        raise ValueError(f"lazydcm cannot encode pixel data as transfer syntax {uid}")
    if spec.bits_allocated not in info.bits:
        raise ValueError(
            f"{info.name} cannot encode Bits Allocated {spec.bits_allocated} "
            f"(accepted: {', '.join(map(str, info.bits))}; PS3.5 8.2)"
        )
    if spec.kind != "int":
        raise ValueError(f"{info.name} encodes integer Pixel Data, not {spec.kind} pixel data")
    if spec.photometric == "PALETTE COLOR" and (info.lossy or uid == JPEGXL_LOSSLESS):
        # PS3.5 8.2 (Tables 8.2.1-1 to 8.2.15-1): palette indices only in lossless syntaxes,
        # and JPEG XL's table has no PALETTE COLOR at all
        raise ValueError(
            f"{info.name} cannot hold PALETTE COLOR indices: they may only be encoded "
            "losslessly, and not as JPEG XL (PS3.5 8.2)"
        )
    if plugin is not None and plugin not in info.plugins:
        raise ValueError(
            f"no encoding plugin {plugin!r} for {info.name}: use one of {info.plugins}"
        )
    candidates = [plugin] if plugin else list(info.plugins)
    installed = [p for p in candidates if _importable(p)]
    if not installed:
        raise MissingCodecError(
            f"encoding {info.name} needs {' or '.join(_MODULES[p] or p for p in candidates)}: "
            f"{_EXTRA}"
        )
    chosen = installed[0]
    if chosen == "lazydcm":
        return encode_rle_frame(arr, spec)
    if np.asarray(arr).shape != spec.frame_shape:
        raise ValueError(
            f"array shape {np.asarray(arr).shape} is not the frame shape {spec.frame_shape}"
        )
    return _PLUGINS[chosen](uid, arr, spec, options)

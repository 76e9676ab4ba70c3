"""Transcoding pixel data one frame at a time: native <-> encapsulated <-> encapsulated.

:func:`transcode_pixels` decodes the dataset's frames one by one (a view over the mapping for
native data, one frame's fragments for encapsulated data), encodes each for the target syntax
and writes it at once to a binary file (by default an anonymous temporary file), so memory
holds a few frames whatever the file's size. The result says where the encoded value lies in
that file and which attributes the new encoding needs (PS3.5 8.2, A.4; PS3.3 C.7.6.1.1.5):

* encapsulated targets: a Basic Offset Table item (filled when every frame offset fits 32
  bits, else empty with an Extended Offset Table, PS3.5 A.4 / PS3.3 C.7.6.3.1.8), one fragment
  item per frame, each of even length; Pixel Data VR OB; Planar Configuration 0 (PS3.5 8.2);
* native targets: the frames' samples in the target byte order, OW when Bits Allocated > 8;
* Photometric Interpretation of the decoded samples (YBR to RGB with ``as_rgb``, JPEG baseline
  colour as YBR_FULL_422, J2K with ``use_mct`` as YBR_RCT / YBR_ICT);
* Lossy Image Compression "01" for lossy targets, with the ratio and method *appended* to
  Lossy Image Compression Ratio / Method (PS3.3 C.7.6.1.1.5: the history is kept).

The caller (``Dataset.compress``/``decompress``/``save_as``) applies the attributes and streams
the value from the file (the writer's ``Stream`` segment).
"""

from __future__ import annotations

import struct
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any

import attrs
import numpy as np

from lazydcm.io.encapsulate import itemize_fragment
from lazydcm.io.syntax import layout_for
from lazydcm.pixels.codecs import decode_frame, result_photometric
from lazydcm.pixels.encode import (
    ENCODERS,
    HTJ2K_LOSSLESS,
    J2K,
    J2K_LOSSLESS,
    JPEG_BASELINE,
    encode_frame,
)
from lazydcm.pixels.spec import PixelSpec

__all__ = ["Transcoded", "transcode_pixels", "decoded_frames", "Progress"]

Progress = Callable[[int, int], None]

PHOTOMETRIC = 0x00280004
PLANAR = 0x00280006
LOSSY = 0x00282110
LOSSY_RATIO = 0x00282112
LOSSY_METHOD = 0x00282114
EOT, EOT_LENGTHS = 0x7FE00001, 0x7FE00002
PIXEL_DATA = 0x7FE00010
_ITEM_HEADER = b"\xfe\xff\x00\xe0"  # (FFFE,E000) little endian (PS3.5 7.5, A.4)


@attrs.frozen
class Transcoded:
    """The encoded Pixel Data value and the attributes it needs.

    Attributes:
        file: the binary file holding the value (the caller closes it).
        start: offset of the value in ``file``.
        length: value length in bytes (even).
        encapsulated: True for items (undefined length), False for a native value.
        vr: the Pixel Data VR ("OB" or "OW").
        attributes: ``{tag: (vr, value)}`` to set, or ``{tag: None}`` to delete.
        frames: number of frames written.
    """

    file: IO[bytes]
    start: int
    length: int
    encapsulated: bool
    vr: str
    attributes: dict[int, tuple[str, Any] | None]
    frames: int

    def read(self) -> bytes:
        """The whole value as bytes (for in-memory datasets; loads ``length`` bytes)."""
        self.file.seek(self.start)
        return self.file.read(self.length)


def _source_syntax(ds: Any) -> str | None:
    from lazydcm.pixels.access import _transfer_syntax, is_encapsulated

    return _transfer_syntax(ds) if is_encapsulated(ds) else None


def decoded_frames(ds: Any, *, as_rgb: bool = True) -> tuple[PixelSpec, Iterator[np.ndarray]]:
    """The spec of the decoded frames and an iterator yielding them one at a time.

    Each frame has shape ``spec.frame_shape`` (samples last) and dtype ``spec.array_dtype``;
    native frames are views over the mapping (valid while the dataset's source is open),
    encapsulated ones are decoded per frame. The spec's photometric is the decoded colour
    space and its planar configuration 0.

    Raises as ``Dataset.pixel_array`` (InvalidDicomError, MissingCodecError, AttributeError).
    """
    from lazydcm.pixels.access import _frame_ranges, _pixel_element, frame, pixel_spec

    spec = pixel_spec(ds)
    src_ts = _source_syntax(ds)
    # native frames come as pixel_array gives them (YBR converted to RGB, like pydicom)
    photometric = result_photometric(spec, src_ts, as_rgb=as_rgb or src_ts is None)
    if photometric == "YBR_FULL_422":
        # decoded YCbCr 4:2:2 comes back upsampled, one Cb/Cr per pixel: stored natively that is
        # YBR_FULL (YBR_FULL_422 native data holds one Cb/Cr per two pixels, PS3.3 C.7.6.3.1.2)
        photometric = "YBR_FULL"
    out = attrs.evolve(spec, photometric=photometric, planar_configuration=0, little_endian=True)

    def frames() -> Iterator[np.ndarray]:
        if src_ts is None:
            for k in range(spec.frames):
                yield frame(ds, k)
            return
        elem, _ = _pixel_element(ds)
        buf, ranges = _frame_ranges(ds, elem, spec)
        from lazydcm.pixels.encapsulated import frame_bytes

        for k in range(spec.frames):
            yield decode_frame(frame_bytes(buf, ranges[k]), spec, src_ts, as_rgb=as_rgb)

    return out, frames()


def _target_photometric(spec: PixelSpec, uid: str, options: dict[str, Any]) -> str:
    if spec.samples_per_pixel != 3:
        return spec.photometric
    if uid == JPEG_BASELINE:
        return "YBR_FULL_422"  # PS3.5 8.2.1: JPEG baseline colour is YCbCr 4:2:2
    if uid in (J2K_LOSSLESS, J2K, HTJ2K_LOSSLESS) and options.get("use_mct"):
        return "YBR_RCT" if uid != J2K else "YBR_ICT"  # PS3.5 8.2.4
    return spec.photometric


def _lossy_history(ds: Any, ratio: float, method: str) -> dict[int, tuple[str, Any]]:
    """Lossy Image Compression "01" with ratio and method appended (PS3.3 C.7.6.1.1.5)."""

    def values(tag: int) -> list[Any]:
        if tag not in ds:
            return []
        value = ds[tag].value
        if value is None or value == "":
            return []
        return list(value) if isinstance(value, (list, tuple)) else [value]

    ratios = [str(v) for v in values(LOSSY_RATIO)] + [f"{ratio:.4g}"[:16]]
    methods = [str(v) for v in values(LOSSY_METHOD)] + [method]
    return {
        LOSSY: ("CS", "01"),
        LOSSY_RATIO: ("DS", ratios if len(ratios) > 1 else ratios[0]),
        LOSSY_METHOD: ("CS", methods if len(methods) > 1 else methods[0]),
    }


def _native_bytes(arr: np.ndarray, spec: PixelSpec, little: bool) -> bytes:
    if spec.bits_allocated == 1:
        return np.packbits(np.asarray(arr, dtype=np.uint8).reshape(-1), bitorder="little").tobytes()
    dtype = spec.array_dtype.newbyteorder("<" if little else ">")
    return np.ascontiguousarray(arr, dtype=dtype).tobytes()


def transcode_pixels(
    ds: Any,
    transfer_syntax_uid: str,
    *,
    arr: np.ndarray | None = None,
    as_rgb: bool = True,
    encoding_plugin: str | None = None,
    progress: Progress | None = None,
    out: IO[bytes] | None = None,
    max_bot_offset: int = 0xFFFFFFFF,
    fragment_size: int | None = None,
    **encoder_options: Any,
) -> Transcoded:
    """Encode the dataset's pixel data (or ``arr``) for ``transfer_syntax_uid``, frame by frame.

    Args:
        ds: the dataset (its Image Pixel attributes describe the source frames).
        transfer_syntax_uid: a native syntax or one in :data:`lazydcm.pixels.encode.ENCODERS`.
        arr: frames to encode instead of the dataset's (shape ``(frames,) + frame_shape`` or
            ``frame_shape`` for one frame), described by the dataset's attributes.
        as_rgb: convert YBR source data to RGB on decoding (pydicom's ``decompress``).
        encoding_plugin: the encoder plugin to use (see ``encode.ENCODERS``).
        progress: called with ``(frames_done, frames_total)`` after each frame.
        out: the binary file to write to (default an anonymous temporary file).
        max_bot_offset: the largest frame offset a Basic Offset Table may hold (the 32-bit
            limit of PS3.5 A.4; lower only to exercise the Extended Offset Table).
        fragment_size: split each encoded frame into fragments of at most this many bytes
            (even, >= 2); default one fragment per frame. The Extended Offset Table needs one
            fragment per frame (PS3.3 C.7.6.3.1.8), so split frames past 32-bit offsets
            raise ``ValueError``.
        encoder_options: passed to the codec (``jls_error``, ``j2k_cr``, ``use_mct``, ...).

    Returns a :class:`Transcoded`; peak memory is a few frames.

    Raises:
        ValueError: a target lazydcm cannot encode or a layout the codec does not accept.
        MissingCodecError: a decoder or encoder is not installed (names the extra).
        InvalidDicomError: the source pixel data is malformed.
    """
    uid = str(transfer_syntax_uid).strip("\0 ")
    layout = layout_for(uid)
    if arr is not None:
        # ``arr`` replaces the pixel data: the Image Pixel attributes describe it (PS3.3 C.7.6.3)
        spec = attrs.evolve(PixelSpec.from_dataset(ds), planar_configuration=0, little_endian=True)
        data = np.asarray(arr)
        if data.shape == spec.frame_shape:
            data = data[None]
        if data.shape[1:] != spec.frame_shape or data.shape[0] != spec.frames:
            raise ValueError(
                f"arr has shape {np.asarray(arr).shape}; the dataset describes {spec.frames} "
                f"frame(s) of {spec.frame_shape}"
            )
        frames: Iterator[np.ndarray] = iter(data)
    else:
        spec, frames = decoded_frames(ds, as_rgb=as_rgb)
    if layout.encapsulated and uid not in ENCODERS:
        raise ValueError(f"lazydcm cannot encode pixel data as transfer syntax {uid}")
    file = out if out is not None else tempfile.TemporaryFile()  # noqa: SIM115 - returned open
    base = file.tell()
    total = spec.frames
    attributes: dict[int, tuple[str, Any] | None] = {}
    if spec.samples_per_pixel > 1:
        attributes[PLANAR] = ("US", 0)  # PS3.5 8.2 (encapsulated); interleaved when native
    raw_size = 0
    if not layout.encapsulated:
        if spec.bits_allocated == 1 and (spec.rows * spec.columns * spec.samples_per_pixel) % 8:
            raise ValueError("1-bit frames that do not end on a byte boundary cannot be streamed")
        for k, one in enumerate(frames):
            file.write(_native_bytes(one, spec, layout.little_endian))
            if progress is not None:
                progress(k + 1, total)
        length = file.tell() - base
        if length % 2:
            file.write(b"\0")
            length += 1
        attributes[PHOTOMETRIC] = ("CS", spec.photometric)
        attributes[EOT] = None
        attributes[EOT_LENGTHS] = None
        vr = "OW" if spec.bits_allocated > 8 else "OB"
        return Transcoded(file, base, length, False, vr, attributes, total)

    info = ENCODERS[uid]
    target_ph = _target_photometric(spec, uid, encoder_options)
    if fragment_size is not None and (fragment_size < 2 or fragment_size % 2):
        raise ValueError(f"fragment_size {fragment_size} must be an even number >= 2")
    reserve = 8 + 4 * total
    file.write(b"\0" * reserve)
    offsets: list[int] = []
    lengths: list[int] = []
    position = 0
    for k, one in enumerate(frames):
        raw_size += spec.frame_nbytes
        encoded = encode_frame(one, spec, uid, plugin=encoding_plugin, **encoder_options)
        offsets.append(position)
        frame_start = position
        view = memoryview(encoded)
        step = fragment_size or len(view)
        for first in range(0, max(1, len(view)), max(1, step)):
            piece = view[first : first + step]
            # the item written in pieces (no copy of the frame): tag, even length, value, pad
            padded = len(piece) + len(piece) % 2
            file.write(_ITEM_HEADER + padded.to_bytes(4, "little"))
            file.write(piece)
            if len(piece) % 2:
                file.write(b"\0")  # PS3.5 A.4: fragments of even length
            position += 8 + padded
        lengths.append(position - frame_start - 8)
        if progress is not None:
            progress(k + 1, total)
    end = file.tell()
    if not offsets or offsets[-1] <= max_bot_offset:
        start = base
        table = struct.pack(f"<{len(offsets)}I", *offsets)
        attributes[EOT] = None
        attributes[EOT_LENGTHS] = None
    elif fragment_size:
        raise ValueError(
            "frame offsets pass 32 bits, so an Extended Offset Table is needed, and it allows "
            "only one fragment per frame (PS3.3 C.7.6.3.1.8): drop fragment_size"
        )
    else:  # PS3.5 A.4: offsets past 32 bits -> empty BOT + Extended Offset Table
        start = base + reserve - 8
        table = b""
        attributes[EOT] = ("OV", struct.pack(f"<{len(offsets)}Q", *offsets))
        attributes[EOT_LENGTHS] = ("OV", struct.pack(f"<{len(lengths)}Q", *lengths))
    file.seek(start)
    file.write(itemize_fragment(table))
    file.seek(end)
    attributes[PHOTOMETRIC] = ("CS", target_ph)
    if info.lossy:
        ratio = raw_size / max(1, sum(lengths))
        attributes.update(_lossy_history(ds, ratio, info.method))
    return Transcoded(file, start, end - start, True, "OB", attributes, total)

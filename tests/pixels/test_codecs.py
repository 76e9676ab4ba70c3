"""pixels/codecs.py: per-syntax frame decoding, plugin choice, pydicom parity and errors."""

from __future__ import annotations

import io
import sys
import warnings
import zlib

import attrs
import imagecodecs
import numpy as np
import pytest
from _pixel_ref import encapsulate, make_dataset, reference_array
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from lazydcm.errors import InvalidDicomError
from lazydcm.pixels.codecs import (
    MissingCodecError,
    available_plugins,
    decode_frame,
    decode_frame_raw,
    plugins_for,
    result_photometric,
)
from lazydcm.pixels.spec import PixelSpec

JPEG_BASELINE = "1.2.840.10008.1.2.4.50"
JPEG_LOSSLESS_SV1 = "1.2.840.10008.1.2.4.70"
JPEG_LS = "1.2.840.10008.1.2.4.80"
J2K_LOSSLESS = "1.2.840.10008.1.2.4.90"
HTJ2K_LOSSLESS = "1.2.840.10008.1.2.4.201"
JPEG_XL_LOSSLESS = "1.2.840.10008.1.2.4.110"
DEFLATED_FRAMES = "1.2.840.10008.1.2.8.1"
ENCAPSULATED_UNCOMPRESSED = "1.2.840.10008.1.2.1.98"
RLE = "1.2.840.10008.1.2.5"

RNG = np.random.default_rng(2024)


def smooth_rgb(rows: int = 32, cols: int = 48) -> np.ndarray:
    y, x = np.mgrid[0:rows, 0:cols]
    return np.stack([x * 5 % 256, y * 7 % 256, (x + y) * 3 % 256], axis=-1).astype(np.uint8)


def pillow_jpeg(rgb: np.ndarray, subsampling: int = 2) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, "JPEG", quality=90, subsampling=subsampling)
    return out.getvalue()  # JFIF, YCbCr components


def reference(spec: PixelSpec, frame: bytes, tsuid: str, **attrs) -> np.ndarray:
    ds = make_dataset(spec, encapsulate([frame])[:-8], tsuid, **attrs)
    return reference_array(ds)


def rgb_spec(photometric: str, rows: int = 32, cols: int = 48) -> PixelSpec:
    return PixelSpec(rows=rows, columns=cols, samples_per_pixel=3, photometric=photometric)


# -- JPEG colour handling ----------------------------------------------------------------------


@pytest.mark.parametrize("photometric", ["YBR_FULL_422", "YBR_FULL"])
def test_jpeg_baseline_ybr_is_rgb_like_pydicom(photometric):
    data = pillow_jpeg(smooth_rgb())
    spec = rgb_spec(photometric)
    arr = decode_frame(data, spec, JPEG_BASELINE)
    expected = reference(spec, data, JPEG_BASELINE)
    assert arr.dtype == np.uint8 and np.array_equal(arr, expected)
    ybr, photometric_out = decode_frame_raw(data, spec, JPEG_BASELINE)
    assert photometric_out == photometric
    assert not np.array_equal(ybr, arr)  # without conversion the samples stay YCbCr
    assert np.array_equal(decode_frame(data, spec, JPEG_BASELINE, as_rgb=False), ybr)


def test_jpeg_labelled_rgb_with_jfif_is_converted_like_pydicom():
    data = pillow_jpeg(smooth_rgb())
    spec = rgb_spec("RGB")
    with pytest.warns(UserWarning, match="JFIF"):
        arr = decode_frame(data, spec, JPEG_BASELINE)
    assert np.array_equal(arr, reference(spec, data, JPEG_BASELINE))
    # the result is close to the original RGB (lossy), not to its YCbCr samples
    assert np.abs(arr.astype(int) - smooth_rgb().astype(int)).mean() < 8


def test_jpeg_with_rgb_component_ids_is_not_converted():
    rgb = smooth_rgb()
    data = imagecodecs.jpeg8_encode(rgb, level=95, colorspace="RGB", outcolorspace="RGB")
    spec = rgb_spec("YBR_FULL_422")
    with pytest.warns(UserWarning, match="component ids"):
        arr = decode_frame(data, spec, JPEG_BASELINE)
    assert np.array_equal(arr, reference(spec, data, JPEG_BASELINE))
    assert np.abs(arr.astype(int) - rgb.astype(int)).mean() < 8


@pytest.mark.parametrize("plugin", ["pylibjpeg-libjpeg", "imagecodecs", "pillow"])
def test_every_jpeg_plugin_keeps_ycbcr_samples(plugin):
    data = pillow_jpeg(smooth_rgb(), subsampling=0)  # 4:4:4: no upsampling differences
    spec = rgb_spec("YBR_FULL")
    raw, photometric = decode_frame_raw(data, spec, JPEG_BASELINE, plugin=plugin)
    baseline, _ = decode_frame_raw(data, spec, JPEG_BASELINE, plugin="pylibjpeg-libjpeg")
    assert photometric == "YBR_FULL"
    assert np.abs(raw.astype(int) - baseline.astype(int)).max() <= 2  # IDCT rounding only


def test_lossless_jpeg_plugins_agree():
    arr = (np.arange(40 * 30, dtype=np.uint16).reshape(40, 30) * 3) % 4096
    data = imagecodecs.ljpeg_encode(arr, bitspersample=12)
    spec = PixelSpec(rows=40, columns=30, bits_allocated=16, bits_stored=12)
    for plugin in available_plugins(JPEG_LOSSLESS_SV1)[:2]:
        assert np.array_equal(decode_frame(data, spec, JPEG_LOSSLESS_SV1, plugin=plugin), arr)


# -- sign and precision corrections ------------------------------------------------------------


def test_j2k_unsigned_codestream_for_signed_data_is_sign_corrected_like_pydicom():
    from openjpeg.utils import encode_array

    signed = RNG.integers(-2048, 2048, (64, 64)).astype(np.int16)
    stored = (signed.astype(np.int32) & 0x0FFF).astype(np.uint16)  # 12-bit two's complement
    data = encode_array(stored, bits_stored=12, photometric_interpretation=2)
    spec = PixelSpec(rows=64, columns=64, bits_allocated=16, bits_stored=12, pixel_representation=1)
    arr = decode_frame(data, spec, J2K_LOSSLESS)
    assert arr.dtype == np.dtype("=i2") and np.array_equal(arr, signed)
    assert np.array_equal(arr, reference(spec, data, J2K_LOSSLESS))


def test_j2k_signed_codestream_for_unsigned_data_is_masked_like_pydicom():
    from openjpeg.utils import encode_array

    signed = RNG.integers(-2048, 2048, (64, 64)).astype(np.int16)
    data = encode_array(signed, bits_stored=12, photometric_interpretation=2)
    spec = PixelSpec(rows=64, columns=64, bits_allocated=16, bits_stored=12)
    arr = decode_frame(data, spec, J2K_LOSSLESS)
    assert arr.dtype == np.dtype("=u2") and arr.max() < 4096
    assert np.array_equal(arr, reference(spec, data, J2K_LOSSLESS))


def test_jpeg_ls_signed_data_is_sign_extended_like_pydicom():
    # JPEG-LS cannot store signed samples: an 8-bit precision codestream of two's complement
    # values in 16 bits allocated decodes to 0..255 and must be sign-extended from bit 7.
    signed = RNG.integers(-128, 128, (20, 24)).astype(np.int8)
    data = imagecodecs.jpegls_encode(signed.view(np.uint8))
    spec = PixelSpec(rows=20, columns=24, bits_allocated=16, bits_stored=8, pixel_representation=1)
    for plugin in available_plugins(JPEG_LS):
        arr = decode_frame(data, spec, JPEG_LS, plugin=plugin)
        assert arr.dtype == np.dtype("=i2") and np.array_equal(arr, signed)
    assert np.array_equal(arr, reference(spec, data, JPEG_LS))
    unsigned = attrs.evolve(spec, pixel_representation=0)
    assert np.array_equal(decode_frame(data, unsigned, JPEG_LS), signed.view(np.uint8))


def test_unused_bits_of_jpeg_are_corrected_and_optional():
    values = np.full((8, 8), 0x0FFB, dtype=np.uint16)  # -5 in 12 bits
    data = imagecodecs.ljpeg_encode(values, bitspersample=16)
    spec = PixelSpec(rows=8, columns=8, bits_allocated=16, bits_stored=12, pixel_representation=1)
    assert (decode_frame(data, spec, JPEG_LOSSLESS_SV1) == -5).all()
    assert (decode_frame(data, spec, JPEG_LOSSLESS_SV1, correct_bits=False) == 0x0FFB).all()


# -- JPEG 2000 colour, JPEG XL -----------------------------------------------------------------


def test_j2k_ybr_rct_comes_out_rgb():
    from openjpeg.utils import encode_array

    rgb = smooth_rgb(64, 64)
    data = encode_array(rgb, photometric_interpretation=1, use_mct=True)
    spec = rgb_spec("YBR_RCT", 64, 64)
    arr, photometric = decode_frame_raw(data, spec, J2K_LOSSLESS)
    assert photometric == "RGB" and np.array_equal(arr, rgb)
    assert result_photometric(spec, J2K_LOSSLESS) == "RGB"


def test_jpeg_xl_lossless():
    rgb = smooth_rgb(20, 30)
    data = imagecodecs.jpegxl_encode(rgb, lossless=True)
    assert np.array_equal(decode_frame(data, rgb_spec("RGB", 20, 30), JPEG_XL_LOSSLESS), rgb)
    gray = RNG.integers(0, 65535, (10, 12)).astype(np.uint16)
    data = imagecodecs.jpegxl_encode(gray, lossless=True)
    spec = PixelSpec(rows=10, columns=12, bits_allocated=16)
    assert np.array_equal(decode_frame(data, spec, JPEG_XL_LOSSLESS), gray)


# -- lazydcm's own decoders --------------------------------------------------------------------


def test_deflated_frames():
    values = RNG.integers(-30000, 30000, (6, 5)).astype("<i2")
    spec = PixelSpec(rows=6, columns=5, bits_allocated=16, pixel_representation=1)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)  # PS3.5 A.4.13: raw RFC 1951
    data = compressor.compress(values.tobytes()) + compressor.flush()
    arr = decode_frame(data + b"\0" * (len(data) % 2), spec, DEFLATED_FRAMES)
    assert arr.dtype == np.dtype("=i2") and np.array_equal(arr, values)
    assert arr.flags.writeable
    assert np.array_equal(
        decode_frame(zlib.compress(values.tobytes()), spec, DEFLATED_FRAMES), values
    )


def test_deflated_one_bit_frame():
    bits = RNG.integers(0, 2, (5, 7)).astype(np.uint8)
    data = zlib.compress(np.packbits(bits, bitorder="little").tobytes(), wbits=-15)
    spec = PixelSpec(rows=5, columns=7, bits_allocated=1)
    assert np.array_equal(decode_frame(data, spec, DEFLATED_FRAMES), bits)


def test_deflated_errors_and_size_cap():
    spec = PixelSpec(rows=4, columns=4, bits_allocated=8)
    short = zlib.compress(bytes(10), wbits=-15)
    with pytest.raises(InvalidDicomError, match="inflates to 10 bytes"):
        decode_frame(short, spec, DEFLATED_FRAMES)
    with pytest.raises(InvalidDicomError, match="not a valid deflate"):
        decode_frame(b"\xff\xff\xff\xff", spec, DEFLATED_FRAMES)
    bomb = zlib.compress(bytes(50_000_000), wbits=-15)  # 50 MB of zeros in ~50 kB
    assert decode_frame(bomb, spec, DEFLATED_FRAMES).shape == (4, 4)  # inflates 16 bytes only


def test_encapsulated_uncompressed():
    values = RNG.integers(0, 255, (3, 4, 3)).astype(np.uint8)
    spec = PixelSpec(rows=3, columns=4, samples_per_pixel=3, photometric="RGB")
    assert np.array_equal(decode_frame(values.tobytes(), spec, ENCAPSULATED_UNCOMPRESSED), values)
    with pytest.raises(InvalidDicomError):
        decode_frame(values.tobytes()[:-1], spec, ENCAPSULATED_UNCOMPRESSED)


def test_rle_frames_need_no_plugin_and_convert_ybr(monkeypatch):
    from lazydcm.pixels.rle import rle_encode_frame

    ybr = np.stack([np.full((4, 4), 76), np.full((4, 4), 85), np.full((4, 4), 255)], -1)
    spec = rgb_spec("YBR_FULL", 4, 4)
    data = rle_encode_frame(ybr.astype(np.uint8), spec)
    for name in ("pylibjpeg", "rle", "libjpeg", "openjpeg", "imagecodecs", "PIL", "PIL.Image"):
        monkeypatch.setitem(sys.modules, name, None)
    assert (decode_frame(data, spec, RLE) == [254, 0, 0]).all()
    assert (decode_frame(data, spec, RLE, as_rgb=False) == [76, 85, 255]).all()


# -- plugins and errors ------------------------------------------------------------------------


def test_plugin_order():
    assert plugins_for(JPEG_BASELINE) == ["pylibjpeg-libjpeg", "imagecodecs", "pillow"]
    assert plugins_for(J2K_LOSSLESS)[0] == "pylibjpeg-openjpeg"
    assert plugins_for(JPEG_XL_LOSSLESS) == ["imagecodecs"]
    assert plugins_for(RLE) == [] and plugins_for(DEFLATED_FRAMES) == []


def test_missing_codec_names_syntax_and_extra(monkeypatch):
    data = pillow_jpeg(smooth_rgb())
    for name in ("libjpeg", "imagecodecs", "PIL", "PIL.Image"):
        monkeypatch.setitem(sys.modules, name, None)
    assert available_plugins(JPEG_BASELINE) == []
    with pytest.raises(MissingCodecError, match=r"1\.2\.840\.10008\.1\.2\.4\.50") as info:
        decode_frame(data, rgb_spec("YBR_FULL_422"), JPEG_BASELINE)
    assert "lazydcm[codecs]" in str(info.value) and isinstance(info.value, RuntimeError)
    with pytest.raises(MissingCodecError, match="imagecodecs"):
        decode_frame(b"", rgb_spec("RGB"), JPEG_XL_LOSSLESS)


def test_falls_back_to_the_next_plugin(monkeypatch):
    monkeypatch.setitem(sys.modules, "libjpeg", None)
    data = pillow_jpeg(smooth_rgb(), subsampling=0)
    spec = rgb_spec("YBR_FULL")
    assert available_plugins(JPEG_BASELINE) == ["imagecodecs", "pillow"]
    arr = decode_frame(data, spec, JPEG_BASELINE)
    assert np.abs(arr.astype(int) - smooth_rgb().astype(int)).mean() < 8


def test_unknown_transfer_syntax():
    with pytest.raises(MissingCodecError, match="1.2.3.4"):
        decode_frame(b"", PixelSpec(rows=1, columns=1), "1.2.3.4")
    with pytest.raises(MissingCodecError, match="MPEG|no decoder"):
        decode_frame(b"", PixelSpec(rows=1, columns=1), "1.2.840.10008.1.2.4.100")


def test_unknown_plugin_name():
    with pytest.raises(ValueError, match="not a plugin"):
        decode_frame(b"", PixelSpec(rows=1, columns=1), JPEG_BASELINE, plugin="nope")


@pytest.mark.parametrize(
    "tsuid", [JPEG_BASELINE, JPEG_LS, J2K_LOSSLESS, HTJ2K_LOSSLESS, JPEG_XL_LOSSLESS]
)
def test_garbage_is_invalid_dicom(tsuid):
    spec = PixelSpec(rows=8, columns=8)
    for data in (b"", b"\xff\xd8\xff\xe0garbage", bytes(range(256))):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(InvalidDicomError) as info:
                decode_frame(data, spec, tsuid)
        assert info.value.tag == 0x7FE00010


def test_truncated_jpeg_is_invalid_dicom():
    data = pillow_jpeg(smooth_rgb())
    spec = rgb_spec("YBR_FULL_422")
    for cut in (0, 2, 20, 200, len(data) // 2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                arr = decode_frame(data[:cut], spec, JPEG_BASELINE)
            except InvalidDicomError:
                continue
        assert arr.shape == spec.frame_shape  # some decoders fill a cut-off scan with grey


def test_wrong_dimensions_are_invalid_dicom():
    data = pillow_jpeg(smooth_rgb(32, 48))
    with pytest.raises(InvalidDicomError, match=r"\(32, 48, 3\)"):
        decode_frame(data, rgb_spec("YBR_FULL_422", 48, 32), JPEG_BASELINE)


def test_result_photometric():
    assert result_photometric(rgb_spec("YBR_FULL_422"), JPEG_BASELINE) == "RGB"
    assert (
        result_photometric(rgb_spec("YBR_FULL_422"), JPEG_BASELINE, as_rgb=False) == "YBR_FULL_422"
    )
    assert result_photometric(rgb_spec("YBR_FULL"), None) == "RGB"
    assert result_photometric(rgb_spec("YBR_ICT"), "1.2.840.10008.1.2.4.91") == "RGB"
    assert result_photometric(rgb_spec("YBR_FULL_422"), "1.2.840.10008.1.2.4.111") == "RGB"
    assert (
        result_photometric(PixelSpec(rows=1, columns=1, photometric="MONOCHROME1"), RLE)
        == "MONOCHROME1"
    )


@given(st.binary(max_size=300))
def test_arbitrary_deflate_bytes_raise_only_invalid_dicom(data):
    spec = PixelSpec(rows=4, columns=5, bits_allocated=16)
    for frame in (data, zlib.compress(data, wbits=-15)):
        try:
            arr = decode_frame(frame, spec, DEFLATED_FRAMES)
        except InvalidDicomError:
            continue
        assert arr.shape == (4, 5)

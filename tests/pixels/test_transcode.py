"""Transcoding: save_as(transfer_syntax=...), compress, decompress, set_pixel_data.

Every written file is read back by lazydcm, pydicom and - where the brief names them - DCMTK
(dcmdrle, dcmdjpls, dcmdump) and GDCM (gdcmconv --raw), and must give the source's pixels.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pydicom
import pytest
from _corpus import corpus_file

import lazydcm
from lazydcm.pixels import encode as encode_mod
from lazydcm.pixels.codecs import MissingCodecError

RLE = "1.2.840.10008.1.2.5"
JLS = "1.2.840.10008.1.2.4.80"
JLS_NEAR = "1.2.840.10008.1.2.4.81"
J2K_LOSSLESS = "1.2.840.10008.1.2.4.90"
EXPLICIT_LE = "1.2.840.10008.1.2.1"
EXPLICIT_BE = "1.2.840.10008.1.2.2"

RTDOSE = "pydicom-3.0.2/test_files/rtdose.dcm"  # 15 frames, 32-bit, implicit VR
YBR = "pydicom-3.0.2/test_files/SC_ybr_full_422_uncompressed.dcm"  # native YBR 4:2:2
CT = "cornerstone3D/CTImage.dcm"  # 512 x 512 16-bit


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is required (DCMTK / GDCM are installed by .ci/run)"
    return path


def _native_via(tool: list[str], src, tmp_path) -> np.ndarray:
    out = tmp_path / f"out-{tool[0]}.dcm"
    subprocess.run([_tool(tool[0]), *tool[1:], str(src), str(out)], check=True)
    return pydicom.dcmread(out).pixel_array


@pytest.mark.parametrize("name", [RTDOSE, YBR])
def test_save_as_rle_is_decoded_alike_by_lazydcm_pydicom_dcmtk_and_gdcm(corpus, tmp_path, name):
    ds = lazydcm.dcmread(corpus / name)
    expected = np.array(ds.pixel_array)
    seen = []
    out = tmp_path / "rle.dcm"
    ds.save_as(out, transfer_syntax=RLE, progress=lambda done, total: seen.append((done, total)))
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    assert seen == [(k + 1, frames) for k in range(frames)]
    back = lazydcm.dcmread(out)
    assert back.file_meta.TransferSyntaxUID == RLE
    assert back[0x7FE00010].VR == "OB"
    np.testing.assert_array_equal(back.pixel_array, expected)
    np.testing.assert_array_equal(pydicom.dcmread(out).pixel_array, expected)
    np.testing.assert_array_equal(_native_via(["dcmdrle"], out, tmp_path), expected)
    np.testing.assert_array_equal(_native_via(["gdcmconv", "--raw"], out, tmp_path), expected)
    # the dataset that was saved is unchanged
    assert ds.file_meta.TransferSyntaxUID != RLE
    np.testing.assert_array_equal(ds.pixel_array, expected)


def test_basic_offset_table_holds_every_frame(corpus, tmp_path):
    ds = lazydcm.dcmread(corpus / RTDOSE)
    out = tmp_path / "rle.dcm"
    ds.save_as(out, transfer_syntax=RLE)
    ref = pydicom.dcmread(out)
    data = ref.PixelData
    assert data[:8] == b"\xfe\xff\x00\xe0" + (15 * 4).to_bytes(4, "little")
    offsets = np.frombuffer(data[8 : 8 + 60], "<u4")
    frames = list(pydicom.encaps.generate_frames(data, number_of_frames=15))
    # each offset points at the item of its frame (PS3.5 A.4), counted from the first item
    body = data[8 + 60 :]
    for offset, frame in zip(offsets, frames, strict=True):
        length = int.from_bytes(body[offset + 4 : offset + 8], "little")
        assert body[offset : offset + 4] == b"\xfe\xff\x00\xe0"
        assert body[offset + 8 : offset + 8 + length].startswith(frame[:64])
    assert "ExtendedOffsetTable" not in ref


def test_extended_offset_table_when_the_bot_cannot_hold_the_offsets(corpus, tmp_path):
    ds = lazydcm.dcmread(corpus / RTDOSE)
    expected = np.array(ds.pixel_array)
    ds.compress(RLE, max_bot_offset=0)  # every offset past the first "exceeds" the BOT
    assert len(ds.ExtendedOffsetTable) == 15 * 8
    assert len(ds.ExtendedOffsetTableLengths) == 15 * 8
    out = tmp_path / "eot.dcm"
    ds.save_as(out)
    ref = pydicom.dcmread(out)
    assert ref.PixelData[:8] == b"\xfe\xff\x00\xe0\x00\x00\x00\x00"  # empty BOT
    np.testing.assert_array_equal(ref.pixel_array, expected)
    np.testing.assert_array_equal(lazydcm.dcmread(out).pixel_array, expected)


def test_lossless_codecs_round_trip_through_dcmtk(corpus, tmp_path):
    ds = lazydcm.dcmread(corpus / CT)
    expected = np.array(ds.pixel_array)
    jls = tmp_path / "jls.dcm"
    ds.save_as(jls, transfer_syntax=JLS)
    np.testing.assert_array_equal(_native_via(["dcmdjpls"], jls, tmp_path), expected)
    j2k = tmp_path / "j2k.dcm"
    lazydcm.dcmread(jls).save_as(j2k, transfer_syntax=J2K_LOSSLESS)  # encapsulated -> encapsulated
    np.testing.assert_array_equal(pydicom.dcmread(j2k).pixel_array, expected)
    np.testing.assert_array_equal(_native_via(["gdcmconv", "--raw"], j2k, tmp_path), expected)
    native = tmp_path / "be.dcm"
    lazydcm.dcmread(j2k).save_as(native, transfer_syntax=EXPLICIT_BE)  # and back, big endian
    back = pydicom.dcmread(native)
    assert back.file_meta.TransferSyntaxUID == EXPLICIT_BE
    np.testing.assert_array_equal(back.pixel_array, expected)


def test_compress_then_decompress_in_place(corpus, tmp_path):
    ds = lazydcm.dcmread(corpus / CT)
    expected = np.array(ds.pixel_array)
    old_uid = ds.SOPInstanceUID
    assert ds.compress(JLS) is ds
    assert ds.file_meta.TransferSyntaxUID == JLS
    assert ds.SOPInstanceUID != old_uid
    np.testing.assert_array_equal(ds.pixel_array, expected)
    ds.decompress()
    assert ds.file_meta.TransferSyntaxUID == EXPLICIT_LE
    np.testing.assert_array_equal(ds.pixel_array, expected)
    out = tmp_path / "dec.dcm"
    ds.save_as(out)
    ref = pydicom.dcmread(out)
    assert ref.file_meta.TransferSyntaxUID == EXPLICIT_LE
    np.testing.assert_array_equal(ref.pixel_array, expected)
    dump = subprocess.run([_tool("dcmdump"), str(out)], capture_output=True, text=True, check=True)
    assert "(7fe0,0010) OW" in dump.stdout and "E:" not in dump.stderr


@pytest.mark.parametrize(
    "name",
    [
        "pydicom-3.0.2/test_files/rtdose_rle.dcm",
        "dcm4che/YBR_FULL-RLE.dcm",
        "fo-dicom/VL5_J2KI.dcm",
    ],
)
def test_decompressing_corpus_files_gives_pydicoms_pixels(corpus, tmp_path, name):
    ds = lazydcm.dcmread(corpus / name)
    expected = pydicom.dcmread(corpus / name).pixel_array
    ds.decompress()
    out = tmp_path / "dec.dcm"
    ds.save_as(out)
    ref = pydicom.dcmread(out)
    np.testing.assert_array_equal(ref.pixel_array, expected)
    if ds.SamplesPerPixel == 3:
        assert ref.PhotometricInterpretation == "RGB" and ref.PlanarConfiguration == 0
    subprocess.run([_tool("dcmdump"), str(out)], capture_output=True, check=True)


def test_lossy_compression_appends_ratio_and_method(corpus):
    ds = lazydcm.dcmread(corpus / CT)
    ds.LossyImageCompression = "01"
    ds.LossyImageCompressionRatio = "4.5"
    ds.LossyImageCompressionMethod = "ISO_10918_1"
    ds.compress(JLS_NEAR, jls_error=1)
    assert ds.LossyImageCompression == "01"
    assert list(ds.LossyImageCompressionMethod) == ["ISO_10918_1", "ISO_14495_1"]
    ratios = [float(r) for r in ds.LossyImageCompressionRatio]
    assert ratios[0] == 4.5 and ratios[1] > 1
    diff = np.abs(ds.pixel_array.astype(int) - lazydcm.dcmread(corpus / CT).pixel_array)
    assert diff.max() <= 1


def test_missing_codec_names_the_extra(corpus, monkeypatch):
    monkeypatch.setattr(encode_mod, "_importable", lambda plugin: plugin == "lazydcm")
    ds = lazydcm.dcmread(corpus / CT)
    with pytest.raises(MissingCodecError, match=r"lazydcm\[codecs\]"):
        ds.compress(JLS)
    ds.compress(RLE)  # our own encoder needs nothing
    assert ds.file_meta.TransferSyntaxUID == RLE


def test_unknown_target_is_a_value_error(corpus, tmp_path):
    ds = lazydcm.dcmread(corpus / CT)
    with pytest.raises(ValueError, match="cannot encode"):
        ds.save_as(tmp_path / "x.dcm", transfer_syntax="1.2.840.10008.1.2.4.100")  # MPEG2
    assert not (tmp_path / "x.dcm").exists()


def test_set_pixel_data_sets_the_image_pixel_module(tmp_path):
    ds = lazydcm.Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    arr = np.arange(2 * 5 * 6 * 3, dtype=np.uint8).reshape(2, 5, 6, 3)
    ds.set_pixel_data(arr, "RGB", 8)
    assert (ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.NumberOfFrames) == (5, 6, 3, 2)
    assert (ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation) == (8, 8, 7, 0)
    assert ds.PlanarConfiguration == 0 and ds.file_meta.TransferSyntaxUID == EXPLICIT_LE
    np.testing.assert_array_equal(ds.pixel_array, arr)
    signed = np.array([[-3, 4], [100, -2000]], dtype=np.int16)
    ds.set_pixel_data(signed, "MONOCHROME2", 12)
    assert "NumberOfFrames" not in ds and "PlanarConfiguration" not in ds
    assert (ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation) == (16, 12, 11, 1)
    np.testing.assert_array_equal(ds.pixel_array, signed)
    ds.compress(RLE)
    out = tmp_path / "made.dcm"
    ds.save_as(out, enforce_file_format=True)
    np.testing.assert_array_equal(pydicom.dcmread(out).pixel_array, signed)
    with pytest.raises(ValueError):
        ds.set_pixel_data(signed.astype(np.float32), "MONOCHROME2", 12)
    with pytest.raises(ValueError):
        ds.set_pixel_data(signed, "MONOCHROME2", 17)


def test_compress_an_array_into_a_dataset_without_pixel_data(tmp_path):
    arr = np.arange(3 * 4 * 5, dtype=np.uint16).reshape(3, 4, 5) * 97
    ds = lazydcm.Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.Rows, ds.Columns, ds.NumberOfFrames = 4, 5, 3
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.compress(RLE, arr)
    np.testing.assert_array_equal(ds.pixel_array, arr)
    with pytest.raises(ValueError, match="frame"):
        ds.compress(RLE, arr[:2])
    out = tmp_path / "arr.dcm"
    ds.save_as(out, enforce_file_format=True)
    np.testing.assert_array_equal(pydicom.dcmread(out).pixel_array, arr)


def test_encapsulated_to_deflated_explicit_little_endian(corpus, tmp_path):
    ds = lazydcm.dcmread(corpus / "pydicom-3.0.2/test_files/rtdose_rle.dcm")
    expected = np.array(ds.pixel_array)
    out = tmp_path / "deflated.dcm"
    ds.save_as(out, transfer_syntax="1.2.840.10008.1.2.1.99")
    ref = pydicom.dcmread(out)
    assert ref.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1.99"
    np.testing.assert_array_equal(ref.pixel_array, expected)
    np.testing.assert_array_equal(lazydcm.dcmread(out).pixel_array, expected)


def test_frames_split_into_fragments_of_a_given_size(corpus, tmp_path):
    ds = lazydcm.dcmread(corpus / RTDOSE)
    expected = np.array(ds.pixel_array)
    out = tmp_path / "split.dcm"
    ds.save_as(out, transfer_syntax=RLE, encoder_options={"fragment_size": 64})
    ref = pydicom.dcmread(out)
    fragments = list(pydicom.encaps.generate_fragments(ref.PixelData))
    assert len(fragments) > 15 + 1 and all(len(f) <= 64 for f in fragments[1:])
    np.testing.assert_array_equal(ref.pixel_array, expected)
    np.testing.assert_array_equal(lazydcm.dcmread(out).pixel_array, expected)
    with pytest.raises(ValueError, match="fragment"):
        ds.compress(RLE, fragment_size=64, max_bot_offset=0)
    with pytest.raises(ValueError, match="even"):
        ds.compress(RLE, fragment_size=7)


@pytest.mark.parametrize(
    "name, manual_pixels",
    [("pydicom-3.0.2/test_files/rtdose_rle.dcm", True), ("cornerstone3D/CTImage.dcm", False)],
)
def test_syntax_set_in_the_meta_is_the_syntax_written(corpus, tmp_path, name, manual_pixels):
    # issue 10 section 8: manual decompress over an RLE file, and a new meta syntax over
    # implicit VR bytes, must both give files DCMTK and pydicom read
    ds = lazydcm.dcmread(corpus / name)
    expected = np.array(ds.pixel_array)
    ds.file_meta.TransferSyntaxUID = EXPLICIT_LE
    if manual_pixels:
        ds.PixelData = expected.tobytes()
    out = tmp_path / "out.dcm"
    ds.save_as(out)
    dump = subprocess.run([_tool("dcmdump"), "-q", str(out)], capture_output=True, text=True)
    assert dump.returncode == 0 and not dump.stderr, dump.stderr
    ref = pydicom.dcmread(out)
    assert ref.file_meta.TransferSyntaxUID == EXPLICIT_LE and not ref.is_implicit_VR
    np.testing.assert_array_equal(ref.pixel_array, expected)


def test_meta_syntax_change_transcodes_pixel_data_still_as_read(corpus, tmp_path):
    expected = pydicom.dcmread(corpus / RTDOSE).pixel_array
    ds = lazydcm.dcmread(corpus / RTDOSE)
    ds.file_meta.TransferSyntaxUID = RLE  # pixel data still native: encoded on save
    ds.save_as(tmp_path / "rle.dcm")
    np.testing.assert_array_equal(pydicom.dcmread(tmp_path / "rle.dcm").pixel_array, expected)
    ds = lazydcm.dcmread(tmp_path / "rle.dcm")
    ds.file_meta.TransferSyntaxUID = J2K_LOSSLESS  # still RLE bytes: refused, nothing written
    with pytest.raises(ValueError, match="still encoded as read"):
        ds.save_as(tmp_path / "bad.dcm")
    assert not (tmp_path / "bad.dcm").exists()


def test_j2k_colour_transform_when_asked_sets_ybr_rct(tmp_path):
    rng = np.random.default_rng(3)
    arr = rng.integers(0, 256, size=(12, 10, 3), dtype=np.uint8)
    made = []
    for _ in range(2):
        ds = lazydcm.Dataset()
        ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
        ds.set_pixel_data(arr, "RGB", 8)
        made.append(ds)
    plain, ds = made
    plain.compress(J2K_LOSSLESS)
    assert plain.PhotometricInterpretation == "RGB"
    ds.compress(J2K_LOSSLESS, use_mct=True)
    assert ds.PhotometricInterpretation == "YBR_RCT" and ds.PlanarConfiguration == 0
    out = tmp_path / "rct.dcm"
    ds.save_as(out, enforce_file_format=True)
    np.testing.assert_array_equal(pydicom.dcmread(out).pixel_array, arr)
    np.testing.assert_array_equal(lazydcm.dcmread(out).pixel_array, arr)


def test_save_as_a_lossy_syntax_gives_a_new_sop_instance_uid(corpus, tmp_path):
    # PS3.3 C.7.6.1.1.5: a lossy compressed version of a DICOM image gets a new SOP Instance UID
    ds = lazydcm.dcmread(corpus / CT)
    uid, media = ds.SOPInstanceUID, ds.file_meta.MediaStorageSOPInstanceUID
    ds.save_as(tmp_path / "near.dcm", transfer_syntax=JLS_NEAR, encoder_options={"jls_error": 2})
    ds.save_as(tmp_path / "lossless.dcm", transfer_syntax=JLS)
    ds.save_as(
        tmp_path / "kept.dcm",
        transfer_syntax=JLS_NEAR,
        encoder_options={"jls_error": 2, "generate_instance_uid": False},
    )
    near = pydicom.dcmread(tmp_path / "near.dcm")
    assert near.LossyImageCompression == "01"
    assert near.SOPInstanceUID != uid
    assert near.file_meta.MediaStorageSOPInstanceUID == near.SOPInstanceUID
    for name in ("lossless.dcm", "kept.dcm"):
        same = pydicom.dcmread(tmp_path / name)
        assert same.SOPInstanceUID == uid == same.file_meta.MediaStorageSOPInstanceUID
    # the caller's dataset and its meta are left as they were
    assert (ds.SOPInstanceUID, ds.file_meta.MediaStorageSOPInstanceUID) == (uid, media)
    assert "LossyImageCompression" not in ds


def test_lossy_jpeg2000_meets_the_compression_ratio_asked(corpus):
    # j2k_cr is a compression ratio (pydicom's meaning); imagecodecs' level is a PSNR, so a
    # ratio of 20 given to it as level once produced ~3000:1 and errors the size of the range
    J2K = "1.2.840.10008.1.2.4.91"
    source = lazydcm.dcmread(corpus / CT).pixel_array.astype(np.int64)
    span = int(source.max() - source.min())
    for options in ({}, {"j2k_cr": [10]}):
        ds = lazydcm.dcmread(corpus / CT)
        ds.compress(J2K, **options)
        asked = options.get("j2k_cr", [20])[0]
        assert 0.7 * asked < float(ds.LossyImageCompressionRatio) < 1.3 * asked
        assert np.abs(ds.pixel_array.astype(np.int64) - source).max() < 0.05 * span
    ds = lazydcm.dcmread(corpus / CT)
    with pytest.raises(ValueError, match="j2k_psnr"):
        ds.compress(J2K, encoding_plugin="imagecodecs", j2k_cr=[20])
    ds.compress(J2K, encoding_plugin="imagecodecs", j2k_psnr=[80])
    assert np.abs(ds.pixel_array.astype(np.int64) - source).max() < 0.05 * span


@pytest.mark.parametrize(
    "uid",
    ["1.2.840.10008.1.2.4.50", JLS_NEAR, "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.110"],
)
def test_palette_colour_is_refused_by_lossy_syntaxes(corpus, tmp_path, uid):
    # PS3.5 8.2's tables allow PALETTE COLOR only with lossless syntaxes (lossy coding of
    # indices changes the colours), and JPEG XL's table (8.2.15-1) not at all
    ds = lazydcm.dcmread(corpus / "cornerstone3D/no-pixel-spacing.dcm")
    assert ds.PhotometricInterpretation == "PALETTE COLOR"
    with pytest.raises(ValueError, match="PALETTE COLOR"):
        ds.save_as(tmp_path / "lossy.dcm", transfer_syntax=uid)
    assert not (tmp_path / "lossy.dcm").exists()
    with pytest.raises(ValueError, match="PALETTE COLOR"):
        ds.compress(uid)
    assert ds.file_meta.TransferSyntaxUID == RLE  # left as it was
    ds.save_as(tmp_path / "lossless.dcm", transfer_syntax=JLS)
    np.testing.assert_array_equal(
        pydicom.dcmread(tmp_path / "lossless.dcm").pixel_array, ds.pixel_array
    )


def test_decompress_keeping_ybr_writes_full_resolution_ybr_full(corpus, tmp_path):
    # decoded JPEG YCbCr 4:2:2 is upsampled: stored natively it is YBR_FULL, not YBR_FULL_422
    # (whose native layout holds one Cb/Cr per two pixels, PS3.3 C.7.6.3.1.2)
    ds = lazydcm.dcmread(corpus / "pydicom-data-git/HTJ2KLossless_08_RGB.dcm")
    ds.compress("1.2.840.10008.1.2.4.50")
    assert ds.PhotometricInterpretation == "YBR_FULL_422"
    rgb = np.array(ds.pixel_array).astype(np.int64)
    ds.decompress(as_rgb=False)
    assert ds.PhotometricInterpretation == "YBR_FULL"
    assert len(ds.PixelData) == ds.Rows * ds.Columns * 3
    ds.save_as(tmp_path / "ybr.dcm")
    ref = pydicom.dcmread(tmp_path / "ybr.dcm")
    assert ref.PhotometricInterpretation == "YBR_FULL"
    assert np.abs(ref.pixel_array.astype(np.int64) - rgb).max() <= 2  # pydicom converts to RGB


def _embedded_overlay_file(path):
    """CT_small as 12-bit unsigned data with a retired overlay in bit 12 of Pixel Data."""
    ds = pydicom.dcmread(corpus_file("pydicom-3.0.2/test_files/CT_small.dcm"))
    values = (np.abs(np.frombuffer(ds.PixelData, "<i2")) % 4096).astype("<u2")
    values[::7] |= 1 << 12
    ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 12, 11, 0
    ds.PixelData = values.tobytes()
    for elem, vr, value in (
        (0x0010, "US", ds.Rows),
        (0x0011, "US", ds.Columns),
        (0x0040, "CS", "G"),
        (0x0050, "SS", [1, 1]),
        (0x0100, "US", 16),  # embedded: Overlay Bits Allocated is the pixel cell's
        (0x0102, "US", 12),
    ):
        ds.add_new(0x60000000 | elem, vr, value)
    ds.save_as(path)
    return (values.reshape(ds.Rows, ds.Columns) >> 12) & 1


@pytest.mark.parametrize("how", ["save_as", "compress"])
def test_embedded_overlay_moves_to_overlay_data_when_encapsulating(tmp_path, how):
    # encapsulated pixel data cannot keep an overlay in its high bits (decoding masks them off
    # with the bits above Bits Stored): it becomes Overlay Data (60xx,3000), not lost
    src = tmp_path / "embedded.dcm"
    expected = _embedded_overlay_file(src)
    assert expected.any()
    ds = lazydcm.dcmread(src)
    np.testing.assert_array_equal(ds.overlay_array(0x6000), expected)
    out = tmp_path / "rle.dcm"
    if how == "save_as":
        ds.save_as(out, transfer_syntax=RLE)
        assert ds[0x60000100].value == 16  # the source dataset is left as it was
    else:
        ds.compress(RLE)
        ds.save_as(out)
    ref = pydicom.dcmread(out)
    assert (ref[0x60000100].value, ref[0x60000102].value) == (1, 0)
    np.testing.assert_array_equal(ref.overlay_array(0x6000), expected)
    np.testing.assert_array_equal(lazydcm.dcmread(out).overlay_array(0x6000), expected)

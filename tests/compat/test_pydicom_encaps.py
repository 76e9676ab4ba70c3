"""pydicom API page "pydicom.encaps" through ``lazydcm.encaps``: encapsulating frames and
reading fragments/frames back; differential against pydicom 3."""

from __future__ import annotations

import pydicom.encaps as pe
import pytest

import lazydcm.encaps as le
from lazydcm.errors import InvalidDicomError

FRAMES = [b"\xff\xd8\xffabc\xff\xd9", b"\xff\xd8\xffxyzw\xff\xd9", b"\xff\xd8\xff12\xff\xd9"]


@pytest.mark.parametrize("has_bot", [True, False])
def test_encapsulate_one_fragment_per_frame_is_byte_identical_to_pydicom(has_bot):
    assert le.encapsulate(FRAMES, 1, has_bot) == pe.encapsulate(FRAMES, 1, has_bot)


def test_encapsulate_extended_is_byte_identical_to_pydicom():
    assert le.encapsulate_extended(FRAMES) == pe.encapsulate_extended(FRAMES)


@pytest.mark.parametrize("per_frame", [1, 2])
@pytest.mark.parametrize("has_bot", [True, False])
def test_frames_read_back_as_pydicom_reads_them(per_frame, has_bot):
    ours = le.encapsulate(FRAMES, per_frame, has_bot)
    theirs = pe.encapsulate(FRAMES, per_frame, has_bot)
    got = list(le.generate_frames(ours, number_of_frames=3))
    assert got == list(pe.generate_frames(theirs, number_of_frames=3))
    assert [f[: len(src)] for f, src in zip(got, FRAMES, strict=True)] == FRAMES
    assert le.parse_basic_offsets(ours) == pe.parse_basic_offsets(theirs)


def test_fragments_after_the_offset_table_match_pydicom():
    buf = le.encapsulate(FRAMES, 1, True)
    after_bot = buf[8 + 4 * len(FRAMES) :]
    assert le.parse_fragments(after_bot) == pe.parse_fragments(after_bot)
    assert list(le.generate_fragments(after_bot)) == list(pe.generate_fragments(after_bot))


def test_extended_offsets_as_bytes_or_lists_and_get_frame():
    items, offsets, lengths = le.encapsulate_extended(FRAMES)
    by_bytes = list(le.generate_frames(items, extended_offsets=(offsets, lengths)))
    assert by_bytes == list(pe.generate_frames(items, extended_offsets=(offsets, lengths)))
    assert le.get_frame(items, 2, extended_offsets=(offsets, lengths)) == by_bytes[2]
    with pytest.raises(IndexError):
        le.get_frame(items, 3, extended_offsets=(offsets, lengths))


@pytest.mark.parametrize("length, parts", [(100, 2), (100, 3), (9, 2), (13, 4)])
def test_fragment_frame_pieces_are_even_and_rejoin(length, parts):
    frame = bytes(range(length))
    pieces = list(le.fragment_frame(frame, parts))
    assert len(pieces) == parts and all(len(p) % 2 == 0 for p in pieces)
    assert b"".join(pieces)[:length] == frame
    assert b"".join(le.itemize_frame(frame, parts)).count(b"\xfe\xff\x00\xe0") == parts


def test_fragment_frame_refuses_too_many_pieces():
    with pytest.raises(ValueError):
        list(le.fragment_frame(b"abcd", 3))


def test_malformed_items_raise_invalid_dicom_error():
    with pytest.raises(InvalidDicomError):
        le.parse_basic_offsets(b"\x00" * 16)


def test_pixel_data_of_an_encapsulated_file_works_with_the_face(tmp_path):
    import lazydcm
    from lazydcm.dataset import Dataset

    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = "1.2.3"
    ds.Rows, ds.Columns, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 2, 2, 8, 8, 7
    ds.SamplesPerPixel, ds.PixelRepresentation = 1, 0
    ds.PhotometricInterpretation, ds.NumberOfFrames = "MONOCHROME2", 3
    ds.PixelData = le.encapsulate(FRAMES)
    ds.save_as(tmp_path / "e.dcm", transfer_syntax="1.2.840.10008.1.2.4.50")
    back = lazydcm.dcmread(tmp_path / "e.dcm")
    frames = list(le.generate_frames(back.PixelData, number_of_frames=3))
    assert [f[: len(src)] for f, src in zip(frames, FRAMES, strict=True)] == FRAMES

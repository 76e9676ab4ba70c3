"""Tests for lazydcm.io.source: mapping, views, copy-on-write, closing, inflating."""

from __future__ import annotations

import gc
import io
import mmap
import os
import zlib

import numpy as np
import pytest
from _corpus import corpus_file

from lazydcm.errors import InvalidDicomError, SourceClosedError, TruncatedDicomError
from lazydcm.io.scanner import scan_dataset, scan_preamble_and_meta
from lazydcm.io.source import DEFAULT_INFLATE_CAP, Source

GRAN = mmap.ALLOCATIONGRANULARITY
CONTENT = bytes(range(256)) * (3 * GRAN // 256 + 7)  # a few pages, not page-aligned in size


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "data.bin"
    p.write_bytes(CONTENT)
    return p


def _sources(path):
    """One Source of each kind over CONTENT (the file-like one keeps its file open)."""
    f = open(path, "rb")  # noqa: SIM115 - closed below
    out = {
        "open": Source.open(path),
        "bytes": Source.from_bytes(CONTENT),
        "fileobj": Source.from_fileobj(f),
        "bytesio": Source.from_fileobj(io.BytesIO(CONTENT)),
    }
    f.close()  # the Source holds its own descriptor
    return out


KINDS = ["open", "bytes", "fileobj", "bytesio"]


@pytest.mark.parametrize("kind", KINDS)
def test_size_buffer_view(path, kind):
    source = _sources(path)[kind]
    with source:
        assert source.size == len(CONTENT)
        assert bytes(source.buffer) == CONTENT
        assert source.buffer.readonly
        assert bytes(source.view(5, 10)) == CONTENT[5:15]
        assert bytes(source.view(len(CONTENT), 0)) == b""
        assert source.view(0, 4).readonly
        for offset, length in [(-1, 2), (0, len(CONTENT) + 1), (len(CONTENT), 1), (3, -1)]:
            with pytest.raises(TruncatedDicomError):
                source.view(offset, length)
    assert source.closed


def test_attributes_per_kind(path):
    sources = _sources(path)
    assert sources["open"].path == str(path) and sources["open"].fileno() is not None
    assert sources["fileobj"].path == str(path) and sources["fileobj"].fileno() is not None
    assert sources["bytes"].path is None and sources["bytes"].fileno() is None
    assert sources["bytesio"].path is None and sources["bytesio"].fileno() is None
    assert all(s.base == 0 for s in sources.values())
    for s in sources.values():
        s.close()


@pytest.mark.parametrize("position", [1, GRAN - 1, GRAN, GRAN + 17])
def test_from_fileobj_starts_at_the_current_position(path, position):
    with open(path, "rb") as f:
        f.seek(position)
        source = Source.from_fileobj(f)
    with source:
        assert source.base == position
        assert source.size == len(CONTENT) - position
        assert bytes(source.view(0, 8)) == CONTENT[position : position + 8]
        cow = source.cow_view(3, 100)
        assert bytes(cow) == CONTENT[position + 3 : position + 103]


def test_from_fileobj_reads_non_seekable_streams():
    class Stream(io.RawIOBase):
        def __init__(self, data):
            self._data = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, b):
            return self._data.readinto(b)

    source = Source.from_fileobj(io.BufferedReader(Stream(CONTENT)))
    assert bytes(source.buffer) == CONTENT
    # spooled to a temporary file: its descriptor (if any) holds exactly the buffer's bytes
    fd = source.fileno()
    assert fd is None or os.pread(fd, len(CONTENT) + 1, 0) == CONTENT


def test_from_fileobj_reads_a_pipe_instead_of_mapping_it():
    r, w = os.pipe()
    os.write(w, CONTENT[:4096])
    os.close(w)
    with os.fdopen(r, "rb") as f:
        source = Source.from_fileobj(f)
    assert bytes(source.buffer) == CONTENT[:4096]
    fd = source.fileno()
    assert fd is None or os.pread(fd, 4097, 0) == CONTENT[:4096]


def test_from_fileobj_rejects_text_streams():
    with pytest.raises(TypeError):
        Source.from_fileobj(io.StringIO("DICM"))


def test_empty_file(tmp_path):
    p = tmp_path / "empty.dcm"
    p.write_bytes(b"")
    with Source.open(p) as source:
        assert source.size == 0 and bytes(source.buffer) == b""
        assert bytes(source.cow_view(0, 0)) == b""
    with open(p, "rb") as f, Source.from_fileobj(f) as source:
        assert source.size == 0


def test_missing_file_is_an_os_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        Source.open(tmp_path / "nope.dcm")


def test_from_bytes_copies_writable_buffers_only():
    data = bytearray(b"abcdef")
    source = Source.from_bytes(data)
    data[0] = ord("z")
    assert bytes(source.buffer) == b"abcdef"  # the caller's later edit does not show
    frozen = b"abcdef"
    assert Source.from_bytes(frozen).buffer.obj is frozen  # no copy of bytes
    grid = np.arange(6, dtype=np.uint8).reshape(2, 3)
    assert bytes(Source.from_bytes(grid).buffer) == bytes(range(6))
    assert bytes(Source.from_bytes(memoryview(b"0123456789")[::2]).buffer) == b"02468"


@pytest.mark.parametrize("kind", KINDS)
def test_cow_view_is_writable_and_private(path, kind):
    source = _sources(path)[kind]
    offset = GRAN + 5  # not page-aligned
    cow = source.cow_view(offset, 300)
    assert not cow.readonly and bytes(cow) == CONTENT[offset : offset + 300]
    cow[0:4] = b"\xde\xad\xbe\xef"
    assert bytes(cow[:4]) == b"\xde\xad\xbe\xef"
    assert bytes(source.view(offset, 4)) == CONTENT[offset : offset + 4]
    assert bytes(source.cow_view(offset, 4)) == CONTENT[offset : offset + 4]
    source.close()
    assert path.read_bytes() == CONTENT  # nothing reached the file
    assert bytes(cow[:4]) == b"\xde\xad\xbe\xef"  # and the view outlives the source
    array = np.frombuffer(cow, dtype=np.uint8)
    array[10] = 1  # numpy can write through it (the seed's in-place pixel edits)
    assert cow[10] == 1


def test_cow_view_bounds_and_closed(path):
    source = Source.open(path)
    with pytest.raises(TruncatedDicomError):
        source.cow_view(len(CONTENT) - 1, 2)
    source.close()
    with pytest.raises(SourceClosedError):
        source.cow_view(0, 1)


@pytest.mark.parametrize("kind", KINDS)
def test_close_while_viewed_keeps_views_valid(path, kind):
    source = _sources(path)[kind]
    view = source.view(100, 50)
    whole = source.buffer
    array = np.frombuffer(source.view(0, 256), dtype=np.uint8)
    source.close()
    source.close()  # idempotent
    assert source.closed
    # Views handed out before close still read the right bytes (memory was not unmapped).
    assert bytes(view) == CONTENT[100:150]
    assert bytes(whole[:4]) == CONTENT[:4]
    assert array.tolist() == list(range(256))
    for call in (lambda: source.view(0, 1), lambda: source.buffer, source.fileno):
        with pytest.raises(SourceClosedError):
            call()
    del view, whole, array
    gc.collect()


def _mapped(path) -> int:
    """How many mappings of ``path`` this process has (Linux /proc)."""
    maps = "/proc/self/maps"
    if not os.path.exists(maps):
        pytest.skip("needs /proc/self/maps")
    with open(maps) as f:
        return sum(1 for line in f if line.rstrip().endswith(str(path)))


def test_mapping_is_released_at_close_or_with_the_last_view(path):
    source = Source.open(path)
    assert _mapped(path) == 1
    source.close()
    assert _mapped(path) == 0  # nothing referenced it: unmapped at once

    source = Source.open(path)
    view = source.view(0, 10)
    array = np.frombuffer(source.buffer, dtype=np.uint8)
    source.close()
    assert _mapped(path) == 1  # still referenced: kept
    del view
    gc.collect()
    assert _mapped(path) == 1 and array[3] == 3
    del array
    gc.collect()
    assert _mapped(path) == 0  # the last view is gone: unmapped


def test_close_releases_the_file_descriptor(path):
    source = Source.open(path)
    fd = source.fileno()
    os.fstat(fd)
    source.close()
    with pytest.raises(OSError):
        os.fstat(fd)


def test_close_of_fileobj_source_keeps_callers_file_open(path):
    with open(path, "rb") as f:
        source = Source.from_fileobj(f)
        source.close()
        assert not f.closed and f.read(4) == CONTENT[:4]


def test_context_manager_and_repr(path):
    with Source.open(path) as source:
        assert "data.bin" in repr(source)
    assert "closed" in repr(source)


# ----------------------------------------------------------------------------- inflate

HEAD = b"P" * 128 + b"DICM" + b"meta"  # stands in for preamble + meta (136 bytes)
DATASET = bytes(range(256)) * 40


def _raw_deflate(data, level=6):
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def test_inflated_joins_head_and_dataset():
    source = Source.from_bytes(HEAD + _raw_deflate(DATASET) + b"\0")  # PS3.5 A.5 NUL pad
    out = source.inflated(len(HEAD))
    assert bytes(out.buffer) == HEAD + DATASET
    assert out.size == len(HEAD) + len(DATASET)
    assert out.path is None and out.fileno() is None
    assert out.buffer.readonly


def test_inflated_from_a_mapped_file(tmp_path):
    p = tmp_path / "deflated.dcm"
    p.write_bytes(HEAD + _raw_deflate(DATASET))
    with Source.open(p) as source:
        out = source.inflated(len(HEAD))
    assert bytes(out.view(len(HEAD), 16)) == DATASET[:16]


def test_inflated_accepts_a_zlib_wrapped_stream():
    source = Source.from_bytes(HEAD + zlib.compress(DATASET))
    assert bytes(source.inflated(len(HEAD)).buffer) == HEAD + DATASET


def test_inflated_empty_dataset():
    assert bytes(Source.from_bytes(HEAD).inflated(len(HEAD)).buffer) == HEAD


def test_deflate_bomb_is_refused_at_the_cap():
    bomb = _raw_deflate(bytes(10 * 1024 * 1024), level=9)  # 10 MiB of zeros, ~10 kB
    source = Source.from_bytes(HEAD + bomb)
    with pytest.raises(InvalidDicomError, match="deflate bomb") as info:
        source.inflated(len(HEAD), cap=1024 * 1024)
    assert info.value.offset == len(HEAD)
    assert source.inflated(len(HEAD), cap=10 * 1024 * 1024).size == len(HEAD) + 10 * 1024 * 1024


def test_default_cap_refuses_a_bomb():
    # 65 MiB of zeros deflates to ~65 kB: 64 x that is far below the 64 MiB floor.
    size = DEFAULT_INFLATE_CAP + (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    bomb = b"".join(c.compress(chunk) for _ in range(size >> 20)) + c.flush()
    with pytest.raises(InvalidDicomError, match="deflate bomb"):
        Source.from_bytes(HEAD + bomb).inflated(len(HEAD))


@pytest.mark.parametrize(
    "tail",
    [
        b"\xff\xff\xff\xff" * 4,  # not a deflate stream at all
        _raw_deflate(DATASET)[:50] + b"\xff" * 20,  # corrupted in the middle
    ],
)
def test_corrupt_deflate_stream(tail):
    with pytest.raises(InvalidDicomError) as info:
        Source.from_bytes(HEAD + tail).inflated(len(HEAD))
    assert info.value.offset == len(HEAD)


def test_truncated_deflate_stream_at_every_offset():
    stream = _raw_deflate(DATASET)
    for cut in range(1, len(stream)):
        with pytest.raises(InvalidDicomError):
            Source.from_bytes(HEAD + stream[:cut]).inflated(len(HEAD))


def test_inflated_after_close_and_out_of_range():
    source = Source.from_bytes(HEAD)
    with pytest.raises(TruncatedDicomError):
        source.inflated(len(HEAD) + 1)
    source.close()
    with pytest.raises(SourceClosedError):
        source.inflated(len(HEAD))


def test_corpus_deflated_file_matches_pydicom():
    pydicom = pytest.importorskip("pydicom")
    path = corpus_file(
        "cornerstone3D/"
        "CTImage.dcm_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm"
    )
    with Source.open(path) as source:
        head = scan_preamble_and_meta(source.buffer)
        assert head.layout.deflated
        inflated = source.inflated(head.dataset_offset)
    index = scan_dataset(inflated.buffer, head.dataset_offset, inflated.size,
                         implicit_vr=False, little_endian=True)  # fmt: skip
    ds = pydicom.dcmread(path)
    assert index.tags.tolist() == list(map(int, ds.keys()))
    rows = index.record(index.find(0x00280010))
    assert int.from_bytes(inflated.view(rows.value_offset, 2), "little") == ds.Rows

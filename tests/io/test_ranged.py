"""File objects read through their own methods (#10.9) and the ranged/spooled sources."""

from __future__ import annotations

import bz2
import gzip
import io
import os
import subprocess
import sys
import threading

import numpy as np
import pytest
from _built import encapsulated_file, native_file, pixels

import lazydcm
from lazydcm.errors import NotDicomError, RemoteReadError
from lazydcm.io.ranged import FileObjectReader, RangedSource
from lazydcm.io.source import Source
from lazydcm.model.filedataset import ReadOptions

FRAMES, ROWS, COLS = 8, 64, 64
FRAME_BYTES = ROWS * COLS * 2


@pytest.fixture(scope="module")
def native(tmp_path_factory):
    return native_file(tmp_path_factory.mktemp("ranged") / "native.dcm", FRAMES, ROWS, COLS)


class CountingFile(io.RawIOBase):
    """A seekable file object that is not a plain file, counting the bytes read through it."""

    def __init__(self, data: bytes):
        self._data = data
        self._pos = 0
        self.bytes_read = 0
        self.reads = 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, pos, whence=0):
        self._pos = {0: pos, 1: self._pos + pos, 2: len(self._data) + pos}[whence]
        return self._pos

    def tell(self):
        return self._pos

    def readinto(self, b):
        chunk = self._data[self._pos : self._pos + len(b)]
        b[: len(chunk)] = chunk
        self._pos += len(chunk)
        self.bytes_read += len(chunk)
        self.reads += 1
        return len(chunk)


class LyingFileno(io.RawIOBase):
    """Reads one file's bytes but reports another (regular) file's descriptor."""

    def __init__(self, data: bytes, other):
        self._inner = io.BytesIO(data)
        self._other = other

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, *a):
        return self._inner.seek(*a)

    def tell(self):
        return self._inner.tell()

    def readinto(self, b):
        return self._inner.readinto(b)

    def fileno(self):
        return self._other.fileno()


def _check(ds, path):
    ref = lazydcm.dcmread(path)
    assert ds.PatientName == "Remote^Test"
    assert ds.DerivationCodeSequence[0].CodeMeaning == "Localizer"
    assert list(ds.index.file_order()) == list(ref.index.file_order())
    assert np.array_equal(ds.pixel_array, pixels(FRAMES, ROWS, COLS))


def test_gzip_and_bz2_are_read_through_their_own_read(native, tmp_path):
    data = native.read_bytes()
    for opener, name in ((gzip.open, "x.dcm.gz"), (bz2.open, "x.dcm.bz2")):
        target = tmp_path / name
        with opener(target, "wb") as f:
            f.write(data)
        with opener(target, "rb") as f:
            ds = lazydcm.dcmread(f)
            _check(ds, native)
            assert type(ds.file_source) is Source  # spooled once, mapped


def test_bytesio_and_a_fileno_that_lies(native, tmp_path):
    data = native.read_bytes()
    _check(lazydcm.dcmread(io.BytesIO(data)), native)
    decoy = tmp_path / "decoy.bin"
    decoy.write_bytes(b"\0" * len(data))  # mapping this would give NotDicomError
    with open(decoy, "rb") as other:
        ds = lazydcm.dcmread(LyingFileno(data, other))
        _check(ds, native)


def test_positioned_plain_file_is_mapped_from_its_position(native, tmp_path):
    target = tmp_path / "prefixed.bin"
    target.write_bytes(b"junk" * 1000 + native.read_bytes())
    with open(target, "rb") as f:
        f.seek(4000)
        ds = lazydcm.dcmread(f)
        assert ds.file_source.fileno() is not None and ds.file_source.base == 4000
        _check(ds, native)
    # a positioned non-plain object reads from its position too
    obj = CountingFile(target.read_bytes())
    obj.seek(4000)
    _check(lazydcm.dcmread(obj), native)


def test_non_seekable_pipe_is_spooled(native):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import sys; sys.stdout.buffer.write(open({str(native)!r}, 'rb').read())",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        ds = lazydcm.dcmread(proc.stdout)
        _check(ds, native)
    finally:
        proc.stdout.close()
        proc.wait()


def test_not_dicom_through_a_file_object_is_not_dicom():
    with pytest.raises(NotDicomError):
        lazydcm.dcmread(CountingFile(b"\1" * 5000))


def test_seekable_object_reads_only_what_the_header_needs(native):
    data = native.read_bytes()
    obj = CountingFile(data)
    ds = lazydcm.dcmread(obj, options=ReadOptions(block_size=4096, readahead=0))
    assert isinstance(ds.file_source, RangedSource)
    assert ds.file_source.stats == {"requests": 1, "bytes": 4096}  # the header fits one block
    assert obj.bytes_read == 4096
    assert ds.PatientID == "R-1"
    before = ds.file_source.stats["bytes"]
    frame = ds.frame(5)
    assert np.array_equal(frame, pixels(FRAMES, ROWS, COLS)[5])
    assert ds.file_source.stats["bytes"] - before == FRAME_BYTES  # exactly that frame


def test_header_larger_than_a_block_grows_by_doubling(native):
    obj = CountingFile(native.read_bytes())
    ds = lazydcm.dcmread(obj, options=ReadOptions(block_size=512, readahead=0))
    header = ds.index.record(ds.index.find(0x7FE00010)).value_offset
    stats = ds.file_source.stats
    assert stats["bytes"] < header + 2048 and stats["requests"] <= 4
    assert ds.DerivationCodeSequence[0].CodeValue == "121311"


def test_encapsulated_frame_reads_item_headers_and_that_fragment_only(tmp_path):
    for bot in (True, False):
        path = encapsulated_file(tmp_path / f"enc{bot}.dcm", frames=6, fragment=20000, bot=bot)
        obj = CountingFile(path.read_bytes())
        ds = lazydcm.dcmread(obj, options=ReadOptions(block_size=1024, readahead=0))
        opened = ds.file_source.stats["bytes"]
        # header + BOT + one block per fragment header (fragments are larger than blocks)
        assert opened <= 2048 + 7 * 2048
        assert ds.frame_bytes(3) == bytes([4]) * 20000
        extra = ds.file_source.stats["bytes"] - opened
        assert extra <= 20000 + 2048  # that fragment's blocks (some came with its header)
        # no other fragment's content was fetched: the middle of each is still missing
        pixel = ds.index.record(ds.index.find(0x7FE00010))
        first = pixel.value_offset + 8 + (4 * 6 if bot else 0)
        for k in (0, 1, 2, 4, 5):
            middle = first + k * 20008 + 8 + 10000
            assert ds.file_source.missing(middle, 1) == middle


def test_ranged_source_counts_and_caches_blocks(native):
    obj = CountingFile(native.read_bytes())
    src = RangedSource.from_reader(FileObjectReader(obj), block_size=1024, readahead=0)
    assert bytes(src.view(1000, 100)) == native.read_bytes()[1000:1100]
    assert src.stats == {"requests": 1, "bytes": 2048}  # blocks 0 and 1 in one request
    src.view(1500, 10)
    assert src.stats["requests"] == 1  # cached
    assert src.missing(0, 2048) is None and src.missing(0, 4096) == 2048
    cow = src.cow_view(3000, 4)
    cow[:] = b"abcd"
    assert bytes(src.view(3000, 4)) == native.read_bytes()[3000:3004]
    src.close()


def test_short_read_raises_remote_read_error(native):
    data = native.read_bytes()
    obj = CountingFile(data)
    src = RangedSource.from_reader(FileObjectReader(obj), block_size=1024, readahead=0)
    obj._data = data[:1500]  # the object shrank after it was opened
    with pytest.raises(RemoteReadError, match="offset 0x0") as info:
        src.view(0, 2000)
    assert info.value.offset == 0 and info.value.length == 2048


def test_threads_share_one_ranged_source(native):
    obj = CountingFile(native.read_bytes())
    ds = lazydcm.dcmread(obj, options=ReadOptions(block_size=1024, readahead=0))
    opened = dict(ds.file_source.stats)
    expected = pixels(FRAMES, ROWS, COLS)
    errors = []

    def work(k):
        try:
            assert np.array_equal(ds.frame(k), expected[k])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k % FRAMES,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    # each frame read fetched exactly its bytes (frames go to the array, not the block cache)
    assert ds.file_source.stats == {
        "requests": opened["requests"] + 16,
        "bytes": opened["bytes"] + 16 * FRAME_BYTES,
    }


def test_file_url_reads_through_fsspec(native):
    url = "file://" + os.fspath(native)
    ds = lazydcm.dcmread(url)
    assert ds.filename == url and ds.file_source.url == url
    assert ds.file_source.version is not None and ds.file_source.storage_options is None
    _check(ds, native)


def test_memory_url(native):
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    fs.pipe("/lazydcm-test/native.dcm", native.read_bytes())
    try:
        ds = lazydcm.dcmread("memory://lazydcm-test/native.dcm")
        _check(ds, native)
        with fs.open("/lazydcm-test/native.dcm", "rb") as f:  # an fsspec file object
            _check(lazydcm.dcmread(f), native)
    finally:
        fs.rm("/lazydcm-test", recursive=True)


def test_missing_fsspec_names_the_extra(monkeypatch, native):
    monkeypatch.setitem(sys.modules, "fsspec", None)
    from lazydcm.io.remote import MissingRemoteSupportError

    with pytest.raises(MissingRemoteSupportError, match=r"lazydcm\[remote\]"):
        lazydcm.dcmread("s3://bucket/key.dcm")
    assert lazydcm.dcmread(native).PatientID == "R-1"  # local reading needs none of it


def test_closed_file_object_is_a_remote_read_error(native):
    f = open(native, "rb")  # noqa: SIM115 - closed below, on purpose, before the frame read
    obj = io.BufferedReader(CountingFile(f.read()))
    f.close()
    ds = lazydcm.dcmread(obj, options=ReadOptions(block_size=1024, readahead=0))
    obj.close()
    with pytest.raises(RemoteReadError, match="file object failed") as info:
        ds.frame(1)
    assert info.value.tag == 0x7FE00010

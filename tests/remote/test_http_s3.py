"""Reading over real servers: nginx (HTTP ranges, counted from its access log) and moto (S3)."""

from __future__ import annotations

import os

import numpy as np
import pytest
from _built import encapsulated_file, native_file, pixels

import lazydcm
from lazydcm.errors import SourceChangedError
from lazydcm.io.ranged import DEFAULT_BLOCK_SIZE

pytest.importorskip("fsspec")
pytest.importorskip("aiohttp")

FRAMES, ROWS, COLS = 16, 256, 256
FRAME_BYTES = ROWS * COLS * 2  # 128 KiB


@pytest.fixture(scope="module")
def served(nginx):
    path = native_file(nginx.root / "native.dcm", FRAMES, ROWS, COLS)
    return path, f"{nginx.url}/native.dcm"


def _gets(nginx, name):
    return [r for r in nginx.requests(name) if r[0] == "GET"]


def test_header_is_one_ranged_get_of_one_block(nginx, served):
    path, url = served
    nginx.clear_log()
    ds = lazydcm.dcmread(url)
    assert ds.PatientName == "Remote^Test" and ds.filename == url
    assert ds.DerivationCodeSequence[0].CodeMeaning == "Localizer"
    gets = _gets(nginx, "native.dcm")
    assert [(status, sent) for _, status, sent, _ in gets] == [(206, DEFAULT_BLOCK_SIZE)]
    assert gets[0][3] == f"bytes=0-{DEFAULT_BLOCK_SIZE - 1}"
    ref = lazydcm.dcmread(path)
    assert list(ds.index.file_order()) == list(ref.index.file_order())
    assert ds.file_source.version  # the ETag nginx sent
    ds.close()


def test_one_native_frame_moves_that_frame(nginx, served):
    _, url = served
    ds = lazydcm.dcmread(url)
    nginx.clear_log()
    arr = ds.frame(9)
    assert np.array_equal(arr, pixels(FRAMES, ROWS, COLS)[9])
    gets = _gets(nginx, "native.dcm")
    assert [(status, sent) for _, status, sent, _ in gets] == [(206, FRAME_BYTES)]
    start = ds.index.record(ds.index.find(0x7FE00010)).value_offset + 9 * FRAME_BYTES
    assert gets[0][3] == f"bytes={start}-{start + FRAME_BYTES - 1}"  # exactly that frame
    arr[0, 0] = 1  # the array owns its memory: writing it changes nothing else
    assert ds.frame(9)[0, 0] == pixels(FRAMES, ROWS, COLS)[9][0, 0]


def test_all_frames_equal_the_local_file(nginx, served):
    path, url = served
    ds = lazydcm.dcmread(url)
    assert np.array_equal(ds.pixel_array, lazydcm.dcmread(path).pixel_array)


def test_encapsulated_frame_over_http_reads_its_fragment(nginx):
    path = encapsulated_file(nginx.root / "enc.dcm", frames=8, fragment=200_000, bot=True)
    nginx.clear_log()
    ds = lazydcm.dcmread(f"{nginx.url}/enc.dcm")
    opened = sum(sent for _, _, sent, _ in _gets(nginx, "enc.dcm"))
    # the header block, then one block per fragment header (fragments are bigger than blocks)
    assert opened <= (1 + 9) * DEFAULT_BLOCK_SIZE
    nginx.clear_log()
    assert ds.frame_bytes(5) == bytes([6]) * 200_000
    moved = sum(sent for _, _, sent, _ in _gets(nginx, "enc.dcm"))
    assert moved <= 200_000 + DEFAULT_BLOCK_SIZE
    assert os.path.getsize(path) > 8 * 200_000


def test_changed_object_fails_loudly(nginx, tmp_path):
    path = native_file(nginx.root / "changing.dcm", FRAMES, ROWS, COLS)
    url = f"{nginx.url}/changing.dcm"
    ds = lazydcm.dcmread(url)
    other = native_file(tmp_path / "other.dcm", FRAMES + 1, ROWS, COLS)
    os.replace(other, path)  # a new object under the same URL (new size/mtime: new ETag)
    with pytest.raises(SourceChangedError, match="changing.dcm") as info:
        ds.frame(3)
    assert info.value.offset > 0


def test_s3_header_and_frame(moto_s3, tmp_path):
    s3fs = pytest.importorskip("s3fs")
    path = native_file(tmp_path / "s3.dcm", FRAMES, ROWS, COLS)
    fs = s3fs.S3FileSystem(**moto_s3)
    fs.put_file(str(path), "lazydcm/s3.dcm")
    url = "s3://lazydcm/s3.dcm"
    ds = lazydcm.dcmread(url, storage_options=moto_s3)
    assert ds.file_source.stats == {"requests": 1, "bytes": DEFAULT_BLOCK_SIZE}
    assert ds.filename == url and ds.file_source.storage_options == moto_s3
    assert ds.PatientID == "R-1" and ds.file_source.version
    assert np.array_equal(ds.frame(12), pixels(FRAMES, ROWS, COLS)[12])
    assert ds.file_source.stats == {"requests": 2, "bytes": DEFAULT_BLOCK_SIZE + FRAME_BYTES}

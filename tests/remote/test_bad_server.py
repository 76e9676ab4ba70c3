"""A misbehaving HTTP server: short replies, 416, a changed object, connection resets."""

from __future__ import annotations

import numpy as np
import pytest
from _built import native_file, pixels

import lazydcm
from lazydcm.errors import RemoteReadError, SourceChangedError

pytest.importorskip("fsspec")
pytest.importorskip("aiohttp")

FRAMES, ROWS, COLS = 4, 128, 128


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return native_file(tmp_path_factory.mktemp("bad") / "f.dcm", FRAMES, ROWS, COLS).read_bytes()


def test_well_behaved_baseline(misbehaving, data):
    server = misbehaving(data)
    ds = lazydcm.dcmread(server.url + "/f.dcm")
    assert np.array_equal(ds.frame(2), pixels(FRAMES, ROWS, COLS)[2])


def test_short_reply_names_url_and_offset(misbehaving, data):
    server = misbehaving(data)
    ds = lazydcm.dcmread(server.url + "/f.dcm")
    server.fault = "short"
    with pytest.raises(
        RemoteReadError, match=r"/f\.dcm: element \(7FE0,0010\): .* at offset 0x"
    ) as info:
        ds.frame(2)
    assert info.value.url == server.url + "/f.dcm" and info.value.offset > 0
    assert info.value.tag == 0x7FE00010
    assert "got" in info.value.reason
    assert len(server.gets) == 1 + 3  # the header, then the frame's GET tried three times


def test_short_reply_of_the_header(misbehaving, data):
    server = misbehaving(data)
    server.fault = "short"
    with pytest.raises(RemoteReadError, match="offset 0x0"):
        lazydcm.dcmread(server.url + "/f.dcm")


def test_416_is_a_remote_read_error(misbehaving, data):
    server = misbehaving(data)
    ds = lazydcm.dcmread(server.url + "/f.dcm")
    server.fault = "416"
    with pytest.raises(RemoteReadError, match="416") as info:
        ds.frame(1)
    assert not isinstance(info.value, SourceChangedError)
    assert len(server.gets) == 2  # not retried


def test_changed_etag_is_source_changed(misbehaving, data):
    server = misbehaving(data)
    server.fault = "etag"  # the ETag changes after the header's GET
    ds = lazydcm.dcmread(server.url + "/f.dcm")
    assert ds.file_source.version == '"v1"'
    with pytest.raises(SourceChangedError, match="changed") as info:
        ds.frame(3)
    assert info.value.offset > 0


def test_one_reset_is_retried_safely(misbehaving, data):
    server = misbehaving(data)
    ds = lazydcm.dcmread(server.url + "/f.dcm")
    server.fault, server.resets = "reset", 1
    assert np.array_equal(ds.frame(1), pixels(FRAMES, ROWS, COLS)[1])
    assert len(server.gets) == 1 + 2


def test_resets_every_time_give_up_with_the_offset(misbehaving, data):
    server = misbehaving(data)
    ds = lazydcm.dcmread(server.url + "/f.dcm")
    server.fault = "reset"
    with pytest.raises(RemoteReadError, match="request failed") as info:
        ds.frame(1)
    assert info.value.offset > 0 and info.value.url.endswith("/f.dcm")
    assert len(server.gets) == 1 + 3


def test_value_read_error_names_the_element(misbehaving, data):
    server = misbehaving(data)
    ds = lazydcm.dcmread(
        server.url + "/f.dcm",
        options=lazydcm.model.filedataset.ReadOptions(block_size=512, readahead=0),
    )
    server.fault = "short"
    with pytest.raises(RemoteReadError, match=r"element \(7FE0,0010\)") as info:
        _ = ds.PixelData
    assert info.value.tag == 0x7FE00010

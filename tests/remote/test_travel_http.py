"""Datasets read from URLs that travel (nginx on 127.0.0.1): pickled handles reopened in spawned
processes, threads sharing one ranged source, and ``lazydcm.dask`` collections built from URLs
computed on a ``distributed.LocalCluster`` (2 worker processes, loopback only)."""

from __future__ import annotations

import multiprocessing
import struct
import threading
import warnings

import numpy as np
import pytest
from _built import _image, native_file, pixels

import lazydcm
from lazydcm.io.encapsulate import encapsulate
from lazydcm.pixels.frameindex import frame_index_of
from lazydcm.pixels.rle import rle_encode_frame
from lazydcm.pixels.spec import PixelSpec

pytest.importorskip("fsspec")
pytest.importorskip("aiohttp")

FRAMES, ROWS, COLS = 12, 64, 64


def _rle_file(path, rows=ROWS, cols=COLS):
    """An RLE Lossless file of ``pixels(FRAMES, rows, cols)`` without an offset table."""
    spec = PixelSpec(rows=rows, columns=cols, frames=FRAMES, bits_allocated=16)
    frames = [rle_encode_frame(f, spec) for f in pixels(FRAMES, rows, cols)]
    ds = _image(FRAMES, rows, cols)
    ds.file_meta = lazydcm.Dataset()
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.5"
    lazydcm.dcmwrite(path, ds)
    with open(path, "ab") as f:  # Pixel Data last: OB, undefined length (PS3.5 A.4)
        f.write(struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OB", 0, 0xFFFFFFFF))
        f.write(encapsulate(frames, has_bot=False))  # the items, then the delimiter
        f.write(struct.pack("<HHI", 0xFFFE, 0xE0DD, 0))
    return path


@pytest.fixture(scope="module")
def urls(nginx):
    native_file(nginx.root / "travel_native.dcm", FRAMES, ROWS, COLS)
    path = _rle_file(nginx.root / "travel_rle.dcm")
    with lazydcm.dcmread(path) as local:
        index = frame_index_of(local)
    return f"{nginx.url}/travel_native.dcm", f"{nginx.url}/travel_rle.dcm", index


def _summary(ds):
    return str(ds.PatientName), ds.filename, int(ds.frame(7).astype(np.int64).sum())


def test_url_datasets_reopen_in_spawned_processes(urls):
    native, rle, index = urls
    edited = lazydcm.dcmread(rle, frame_index=index)
    edited.PatientName = "Moved^Away"
    datasets = [lazydcm.dcmread(native), edited]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        got = pool.map(_summary, datasets)
    expected = int(pixels(FRAMES, ROWS, COLS)[7].astype(np.int64).sum())
    assert got == [("Remote^Test", native, expected), ("Moved^Away", rle, expected)]


@pytest.mark.parametrize("which", [0, 1])
def test_threads_share_one_url_dataset(urls, which):
    ds = lazydcm.dcmread(urls[which])
    expected = pixels(FRAMES, ROWS, COLS)
    results, errors = {}, []

    def read(start):
        try:
            for k in range(start, FRAMES, 4):
                results[k] = np.array_equal(ds.frame(k), expected[k])
            results[("name", start)] = ds.PatientName == "Remote^Test"
        except Exception as exc:  # reported below, with the thread's frame
            errors.append(exc)

    threads = [threading.Thread(target=read, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(results) == FRAMES + 4 and all(results.values())
    ds.close()


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # distributed's start-up chatter
        cluster = distributed.LocalCluster(
            n_workers=2,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            threads_per_worker=1,
        )
    with cluster, distributed.Client(cluster) as c:
        yield c


def test_dask_collections_from_urls_on_a_local_cluster(nginx, urls, client):
    import lazydcm.dask as lazydask

    native, rle, index = urls
    expected = pixels(FRAMES, ROWS, COLS)
    table = lazydask.read_headers([native, rle], files_per_partition=1).compute()
    assert list(table["path"]) == [native, rle]
    assert table["error"].isna().all() and list(table["NumberOfFrames"]) == [FRAMES, FRAMES]
    assert np.array_equal(lazydask.frames(native, frames_per_chunk=5).compute(), expected)
    array = lazydask.frames(rle, frames_per_chunk=4, frame_index=index)
    nginx.clear_log()
    assert np.array_equal(array[4:8].compute(), expected[4:8])
    gets = [r for r in nginx.requests("travel_rle.dcm") if r[0] == "GET"]
    assert len(gets) <= 2 + 4  # one task: header, delimiter check, its 4 frames (no walk)
    future = client.submit(_summary, lazydcm.dcmread(rle, frame_index=index))
    assert future.result() == ("Remote^Test", rle, int(expected[7].astype(np.int64).sum()))


def test_dask_frames_from_a_url_without_index_walk_the_items_once(nginx):
    import lazydcm.dask as lazydask

    rows = cols = 256  # RLE fragments of more than a block: the walk costs a block each
    path = _rle_file(nginx.root / "travel_rle_big.dcm", rows, cols)
    url = f"{nginx.url}/travel_rle_big.dcm"
    with lazydcm.dcmread(path) as local:
        index = frame_index_of(local)
    assert min(index.lengths) > 64 << 10
    array = lazydask.frames(url, frames_per_chunk=2)
    nginx.clear_log()
    assert np.array_equal(array[6:8].compute(scheduler="sync"), pixels(FRAMES, rows, cols)[6:8])
    gets = [r for r in nginx.requests("travel_rle_big.dcm") if r[0] == "GET"]
    assert len(gets) <= 2 + 2, gets  # header, delimiter check, its 2 frames (not every item)

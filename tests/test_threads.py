"""Many threads reading one dataset at once see what one thread sees, and share the objects made
on first use (docs/internals.md, "Threads")."""

from __future__ import annotations

import pickle
import random
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from _corpus import test_file

import lazydcm

THREADS = 16
FILES = [
    "rtplan.dcm",
    "test-SR.dcm",
    "nested_priv_SQ.dcm",
    "CT_small.dcm",
    "MR_small_RLE.dcm",
    "rtdose.dcm",
    "MR_small_bigendian.dcm",
]


@pytest.fixture(autouse=True)
def _switch_often():
    # Switch threads every microsecond so that first-use paths interleave.
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


def _walk(ds, order_seed=None):
    """(path, VR, repr of value) of every element, items included, in a seeded order."""
    out = []
    tags = list(ds.tags())
    if order_seed is not None:
        random.Random(order_seed).shuffle(tags)
    for tag in tags:
        elem = ds[tag]
        if elem.VR == "SQ":
            seq = elem.value
            out.append((int(tag), "SQ", len(seq)))
            for k in range(len(seq)):
                out.extend((int(tag), k, *row) for row in _walk(seq[k], order_seed))
        elif int(tag) in (0x7FE00010, 0x7FE00008, 0x7FE00009):
            out.append((int(tag), elem.VR, "pixels"))
        else:
            out.append((int(tag), elem.VR, repr(elem.value)))
    return sorted(out, key=repr)


def _summary(ds, seed):
    rows = _walk(ds, seed)
    meta = _walk(ds.file_meta, seed)
    pixels = None
    if "PixelData" in ds and "Rows" in ds:
        arr = ds.pixel_array
        count = int(ds.get("NumberOfFrames", 1) or 1)
        frames = [np.asarray(ds.frame(k)).tobytes() for k in range(count)]
        pixels = (arr.shape, str(arr.dtype), arr.tobytes(), frames)
    return rows, meta, pixels


@pytest.fixture(scope="module")
def pool():
    # Threads that already run (a pool reused across rounds) race far more often than
    # freshly started ones: without the locks, about a third of the rounds of
    # test_threads_share_first_use_objects saw two objects where there should be one.
    with ThreadPoolExecutor(THREADS) as executor:
        yield executor


def _hammer(pool, ds, job):
    barrier = threading.Barrier(THREADS)

    def run(seed):
        barrier.wait()
        return job(ds, seed)

    return list(pool.map(run, range(THREADS)))


@pytest.mark.parametrize("name", FILES)
def test_threads_read_what_one_thread_reads(pool, name):
    path = test_file(name)
    expected = _summary(lazydcm.dcmread(path), None)
    for _ in range(5):
        with lazydcm.dcmread(path) as ds:
            results = _hammer(pool, ds, _summary)
        for got in results:
            assert got == expected


@pytest.mark.parametrize("name", ["rtplan.dcm", "CT_small.dcm", "MR_small_RLE.dcm"])
def test_threads_share_first_use_objects(pool, name):
    def grab(ds, seed):
        seqs = [e for e in ds if e.VR == "SQ"]
        items = [e.value[0] for e in seqs if len(e.value)]
        pixel = ds.pixel_array if "Rows" in ds else None
        return ds.file_meta, ds["SOPInstanceUID"], items, pixel, ds.SOPInstanceUID

    for _ in range(100):
        results = _hammer(pool, lazydcm.dcmread(test_file(name)), grab)
        first = results[0]
        for got in results[1:]:
            assert got[0] is first[0]  # one file_meta
            assert got[1] is first[1]  # one element per tag
            assert all(a is b for a, b in zip(got[2], first[2], strict=True))  # one item dataset
            assert got[3] is first[3]  # one pixel array
            assert got[4] is first[4]  # one decoded value


def test_threads_first_touch_of_an_unpickled_dataset(pool):
    path = test_file("rtplan.dcm")
    expected = _summary(lazydcm.dcmread(path), None)
    blob = pickle.dumps(lazydcm.dcmread(path))

    def touch(ds, seed):
        return ds.file_source, _summary(ds, seed)

    for _ in range(30):  # with 10 rounds, 2 of 5 runs caught the publication race (now fixed)
        ds = pickle.loads(blob)
        assert "_travel_pending" in ds.__dict__
        results = _hammer(pool, ds, touch)
        assert len({id(source) for source, _ in results}) == 1  # reopened once
        for _, got in results:
            assert got == expected

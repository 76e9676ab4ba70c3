"""The archive-level frame index (lazydcm.pixels.frameindex, ``lazydcm index --frames``)."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pytest
from _corpus import catalog, require_corpus, test_file

import lazydcm
import lazydcm.pixels.access as access
from lazydcm.errors import InvalidDicomError, SourceChangedError
from lazydcm.pixels.frameindex import FrameIndex, frame_index_of

ENCAPSULATED = sorted(row["path"] for row in catalog() if row["encapsulated"] == "y")


def _no_fragment_scan(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the fragment scan ran although a frame index was given")

    monkeypatch.setattr(access, "parse_fragments", refuse)


def test_the_corpus_has_encapsulated_files():
    require_corpus()
    assert len(ENCAPSULATED) >= 20


@pytest.mark.parametrize("name", ENCAPSULATED)
def test_indexed_frames_equal_scanned_frames(monkeypatch, name):
    path = require_corpus() / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tables the scan ignores with a warning
        scanned = lazydcm.dcmread(path)
        index = frame_index_of(scanned)
        count = len(index.offsets)
        expected = [scanned.frame_bytes(k) for k in range(count)]
    assert count == int(scanned.get("NumberOfFrames", 1) or 1)
    indexed = lazydcm.dcmread(path, frame_index=index)
    _no_fragment_scan(monkeypatch)
    for k in reversed(range(count)):  # any order: each frame on its own
        assert indexed.frame_bytes(k) == expected[k]
    assert indexed.frame_bytes(-1) == expected[-1]


def test_frame_reads_only_its_own_range(monkeypatch):
    # dcm4che/will-jxl.dcm: 27 frames, one fragment each; the item headers read are those
    # inside the frame's own range.
    path = require_corpus() / "dcm4che" / "will-jxl.dcm"
    index = frame_index_of(lazydcm.dcmread(path))
    ds = lazydcm.dcmread(path, frame_index=index)
    seen = []
    real_view = type(ds.source).view

    def spy(self, offset, length):
        seen.append((offset, length))
        return real_view(self, offset, length)

    monkeypatch.setattr(type(ds.source), "view", spy)
    _no_fragment_scan(monkeypatch)
    ds.frame_bytes(13)
    in_pixels = [v for v in seen if v[0] >= index.header_length]  # not header values
    assert set(in_pixels) == {(index.offsets[13], index.lengths[13])}  # no other range


def test_native_frames_with_an_index_are_the_same_views():
    path = test_file("rtdose.dcm")
    index = frame_index_of(lazydcm.dcmread(path))
    assert index.lengths == (400,) * 15
    assert index.offsets == tuple(index.header_length + 400 * k for k in range(15))
    plain = lazydcm.dcmread(path)
    ds = lazydcm.dcmread(path, frame_index=index)
    for k in range(15):
        np.testing.assert_array_equal(ds.frame(k), plain.frame(k))


def test_stale_index_fails_loudly(tmp_path):
    src = test_file("rtdose_rle.dcm")
    path = tmp_path / "f.dcm"
    shutil.copyfile(src, path)
    index = frame_index_of(lazydcm.dcmread(path))
    with open(path, "ab") as fh:
        fh.write(b"\0\0")  # size differs
    with pytest.raises(SourceChangedError, match="6816 bytes"):
        lazydcm.dcmread(path, frame_index=index)
    # same size, pixel data elsewhere: fails on first pixel access
    moved = FrameIndex(
        size=index.size + 2, header_length=index.header_length + 2, offsets=index.offsets,
        lengths=index.lengths,
    )  # fmt: skip
    ds = lazydcm.dcmread(path, frame_index=moved)
    with pytest.raises(SourceChangedError, match="Pixel Data"):
        ds.frame_bytes(0)
    # the right size and header but ranges that miss the item headers
    wrong = FrameIndex(
        size=index.size + 2, header_length=index.header_length,
        offsets=[o + 4 for o in index.offsets], lengths=index.lengths,
    )  # fmt: skip
    with pytest.raises(InvalidDicomError, match="no item header"):
        lazydcm.dcmread(path, frame_index=wrong).frame_bytes(3)
    with pytest.raises(ValueError, match="as many lengths"):
        FrameIndex(size=1, header_length=0, offsets=[1, 2], lengths=[1])


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "lazydcm", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_cli_index_frames_round_trips_through_the_table(tmp_path, suffix):
    names = ["rtdose_rle.dcm", "rtdose.dcm", "rtplan.dcm", "MR_small_jp2klossless.dcm"]
    for name in names:
        shutil.copyfile(test_file(name), tmp_path / name)
    table = tmp_path / f"index.{suffix}"
    result = _cli("index", "--frames", *(tmp_path / n for n in names), "-o", table, "-q")
    assert result.returncode == 0, result.stderr
    for name in names[:2] + names[3:]:
        path = tmp_path / name
        loaded = FrameIndex.load(table, path)
        made = frame_index_of(lazydcm.dcmread(path))
        assert (loaded.size, loaded.header_length, loaded.offsets, loaded.lengths) == (
            made.size, made.header_length, made.offsets, made.lengths,
        )  # fmt: skip
        ds = lazydcm.dcmread(path, frame_index=loaded)
        np.testing.assert_array_equal(ds.pixel_array, lazydcm.dcmread(path).pixel_array)
    with pytest.raises(ValueError, match="no frame index"):
        FrameIndex.load(table, tmp_path / "rtplan.dcm")
    with pytest.raises(KeyError):
        FrameIndex.load(table, tmp_path / "absent.dcm")


def test_frame_index_and_handles_pickle(tmp_path):
    path = tmp_path / "f.dcm"
    shutil.copyfile(test_file("rtdose_rle.dcm"), path)
    index = frame_index_of(lazydcm.dcmread(path))
    assert pickle.loads(pickle.dumps(index)) == index
    ds = pickle.loads(pickle.dumps(lazydcm.dcmread(path, frame_index=index)))
    assert ds.frame_bytes(4) == lazydcm.dcmread(path).frame_bytes(4)
    assert ds.__dict__["_frame_index"] == index

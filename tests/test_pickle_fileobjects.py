"""Pickle and deepcopy of datasets read from file objects that are not plain files: their bytes
travel by value, all of them (a file object read by range has fetched only what was read), and
a file object's ``name`` is never taken for a path to reopen."""

from __future__ import annotations

import copy
import gzip
import io
import pickle
import zipfile

import numpy as np
import pytest
from _built import native_file, pixels

import lazydcm
from lazydcm.io.ranged import RangedSource

FRAMES, ROWS, COLS = 8, 128, 128  # 256 KiB of pixel data: more than the first fetched block


class _Named(io.RawIOBase):
    """A seekable binary object over bytes, read through its own methods, with a ``name``."""

    def __init__(self, data: bytes, name: str):
        self._data, self._pos, self.name = data, 0, name

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=0):
        base = (0, self._pos, len(self._data))[whence]
        self._pos = base + offset
        return self._pos

    def tell(self):
        return self._pos

    def readinto(self, buffer):
        chunk = self._data[self._pos : self._pos + len(buffer)]
        buffer[: len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)


@pytest.fixture
def raw(tmp_path):
    return native_file(tmp_path / "n.dcm", FRAMES, ROWS, COLS).read_bytes()


def _opened(how, raw, tmp_path):
    if how == "ranged":
        return _Named(raw, "not-here.dcm")
    if how == "gzip":
        (tmp_path / "n.dcm.gz").write_bytes(gzip.compress(raw, 1))
        return gzip.open(tmp_path / "n.dcm.gz")
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as z:
        z.writestr("n.dcm", raw)
    return zipfile.ZipFile(tmp_path / "a.zip").open("n.dcm")  # seekable, named "n.dcm"


@pytest.mark.parametrize("how", ["ranged", "gzip", "zip"])
@pytest.mark.parametrize("travel", ["pickle", "deepcopy"])
def test_unread_bytes_travel_too(tmp_path, raw, how, travel, monkeypatch):
    monkeypatch.chdir(tmp_path)  # "n.dcm" exists here: a name taken for a path would open it
    ds = lazydcm.dcmread(_opened(how, raw, tmp_path))
    if how != "gzip":
        assert isinstance(ds.file_source, RangedSource)
        assert ds.file_source.stats["bytes"] < len(raw)  # the pixel data was never fetched
    ds.PatientName = "Trav^El"
    (tmp_path / "n.dcm").write_bytes(raw[:-2] + b"\xff\xff")  # same size, other bytes
    back = pickle.loads(pickle.dumps(ds)) if travel == "pickle" else copy.deepcopy(ds)
    assert back.PatientName == "Trav^El"
    assert np.array_equal(back.pixel_array, pixels(FRAMES, ROWS, COLS))

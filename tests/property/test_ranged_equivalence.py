"""A ranged source reads what a mapped one reads: for generated files (valid and mutated), reading
through a seekable non-plain file object in tiny blocks (so the planned scan steps over values,
grows, walks item chains) gives the same index, meta group and text, or an InvalidDicomError
exactly when the mapped read fails - and never reads a byte it did not fetch."""

from __future__ import annotations

import io
import warnings

from hypothesis import given
from hypothesis import strategies as st

import lazydcm
from lazydcm import InvalidDicomError
from lazydcm.io.ranged import RangedSource
from lazydcm.model.filedataset import ReadOptions
from lazydcm.strategies import dicom_files, mutated


class _Seekable(io.RawIOBase):
    """BytesIO's bytes behind a plain RawIOBase (so it is read by range, not copied)."""

    def __init__(self, data: bytes):
        self._inner = io.BytesIO(data)

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, *args):
        return self._inner.seek(*args)

    def tell(self):
        return self._inner.tell()

    def readinto(self, b):
        return self._inner.readinto(b)


def _outcome(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ds = make()
        except InvalidDicomError:
            return "invalid", None
        try:
            text = str(ds)
        except InvalidDicomError:
            text = "invalid"
        meta = ds.file_meta
        return (list(ds.index.file_order()), [tuple(r) for r in meta.index.file_order()]
                if meta is not None and meta.index is not None else None, text), ds  # fmt: skip


@given(
    data=st.one_of(dicom_files(max_elements=5), mutated(dicom_files(max_elements=4))),
    readahead=st.sampled_from([0, 1024]),
)
def test_ranged_read_equals_mapped_read(data, readahead):
    local, _ = _outcome(lambda: lazydcm.dcmread(data))
    options = ReadOptions(block_size=512, readahead=readahead)
    ranged, ds = _outcome(lambda: lazydcm.dcmread(_Seekable(data), options=options))
    assert ranged == local
    if ds is not None and isinstance(ds.file_source, RangedSource):
        assert ds.file_source.stats["bytes"] <= len(data) + 512

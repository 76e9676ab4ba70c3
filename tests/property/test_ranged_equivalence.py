"""A ranged source reads what a mapped one reads: for generated files (valid and mutated), reading
through a seekable non-plain file object in tiny blocks (so the planned scan steps over values,
grows, walks item chains) gives the same index, meta group and text, or an InvalidDicomError
exactly when the mapped read fails - and never reads a byte it did not fetch."""

from __future__ import annotations

import io
import warnings

from hypothesis import example, given
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


# CI, ci profile: a Sequence Delimitation Item of length 0x01000000 ending encapsulated Pixel
# Data was accepted by the ranged scan and refused by the mapped one (PS3.5 7.5.2)
@example(
    data=bytes.fromhex(
        "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
        "000000000000000000000000000000000000000000000000000000000000000000000000000000004449434d"
        "02000000554c04008e000000020001004f4200000200000000010200020055491a00312e322e3834302e3130"
        "3030382e352e312e342e312e312e32000200030055490400302e30000200100055491600312e322e3834302e"
        "31303030382e312e322e342e35300200120055490600302e302e300002001300534806003030303030200200"
        "160041451000303030303030303030303030303030300800160055491a00312e322e3834302e31303030382e"
        "352e312e342e312e312e32000800180055490400302e3000090010004c4f0400413041200900001053560000"
        "0800000000000000000000000900011041450200302028000000554c04005a00000028000200555302000100"
        "2800040043530c004d4f4e4f4348524f4d453220280010005553020001002800110055530200010028000001"
        "555302000800280001015553020008002800020155530200070028000301555302000000e07f10004f420000"
        "fffffffffeff00e000000000feff00e0020000000000feffdde000000001"
    ),
    readahead=0,
)
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

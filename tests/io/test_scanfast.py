"""The optional C inner loop gives exactly the records of the pure-Python scanner."""

from __future__ import annotations

import os
import warnings

import pytest
from _corpus import catalog, corpus_file

from lazydcm.errors import InvalidDicomError
from lazydcm.io import scanner
from lazydcm.io.source import Source


def _index_columns(index):
    return (
        list(index.tags),
        index.vrs.tobytes(),
        list(index.header_offsets),
        list(index.value_offsets),
        list(index.lengths),
        list(index.ends),
        index.start,
        index.stop,
        index.end,
    )


def _scan_file(path):
    with Source.open(path) as source:
        buf = source.buffer
        try:
            head = scanner.scan_preamble_and_meta(buf, force=True)
            if head.layout.deflated:
                return ("deflated", _index_columns(head.meta))
            index = scanner.scan_dataset(
                buf,
                head.dataset_offset,
                len(buf),
                implicit_vr=head.layout.implicit_vr,
                little_endian=head.layout.little_endian,
                keep_truncated=True,
            )
        except InvalidDicomError as exc:
            return ("error", type(exc).__name__, str(exc))
        return (_index_columns(head.meta), _index_columns(index))


def test_c_accelerator_is_built_under_ci():
    if os.environ.get("CI"):
        assert scanner._scan_plain is not None, "lazydcm.io._scanfast did not build"


@pytest.mark.parametrize("rel", sorted(row["path"] for row in catalog()))
def test_same_records_with_and_without_the_c_loop(rel, monkeypatch):
    if scanner._scan_plain is None:
        pytest.skip("the C accelerator is not built here; the Python scanner is the only one")
    path = corpus_file(rel)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fast = _scan_file(path)
        monkeypatch.setattr(scanner, "_scan_plain", None)
        slow = _scan_file(path)
    assert fast == slow


@pytest.mark.parametrize("stop_tag", [None, 0x00100010, 0x7FE00008])
def test_stop_tag_and_truncation_agree(stop_tag, monkeypatch):
    if scanner._scan_plain is None:
        pytest.skip("the C accelerator is not built here")
    data = (corpus_file("pydicom-3.0.2/test_files/CT_small.dcm")).read_bytes()
    for cut in (len(data), len(data) - 1, 400, 1000):
        results = []
        for plain in (scanner._scan_plain, None):
            monkeypatch.setattr(scanner, "_scan_plain", plain)
            try:
                index = scanner.scan_dataset(
                    data[:cut], 0x150, cut, implicit_vr=False, little_endian=True, stop_tag=stop_tag
                )
                results.append(_index_columns(index))
            except InvalidDicomError as exc:
                results.append(str(exc))
        assert results[0] == results[1]

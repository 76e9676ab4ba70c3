"""lazydcm.dask on a ``distributed.LocalCluster`` (2 worker processes, loopback only): the header
table equals the single-process ``lazydcm index``, batch edits, lazy frames, and the command's
``--scheduler``."""

from __future__ import annotations

import hashlib
import pickle
import shutil
import warnings

import distributed
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pydicom
import pytest
from _corpus import CORPUS, require_corpus, test_file

import lazydcm
import lazydcm.dask as lazydask
from lazydcm import archive

TAGS = ["PatientName", "StudyDate", "ImageType"]


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # distributed's start-up chatter
        cluster = distributed.LocalCluster(
            n_workers=2,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            threads_per_worker=1,
        )
    with cluster, distributed.Client(cluster) as client:
        yield client


def _run(*args):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "lazydcm", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture(scope="module")
def single_process_index(tmp_path_factory):
    require_corpus()
    out = tmp_path_factory.mktemp("dask") / "single.parquet"
    result = _run("index", CORPUS, "-o", out, "--tags", ",".join(TAGS), "-q")
    assert result.returncode == 1  # the corpus has unreadable files
    return out


def test_read_headers_on_a_cluster_equals_the_single_process_index(client, single_process_index):
    frame = lazydask.read_headers(CORPUS, TAGS, files_per_partition=24)
    assert frame.npartitions > 2
    computed = client.compute(frame, sync=True).reset_index(drop=True)
    expected = pq.read_table(single_process_index).to_pandas(types_mapper=pd.ArrowDtype)
    pd.testing.assert_frame_equal(computed, expected)
    assert computed["error"].notna().sum() > 5  # unreadable files are rows, not failures
    spec = archive.IndexSpec.from_tags(TAGS)
    rows = list(lazydask.frame_to_rows(computed, spec))
    assert rows == pq.read_table(single_process_index).to_pylist()


def test_scheduler_option_of_index(client, single_process_index, tmp_path):
    out = tmp_path / "cluster.parquet"
    result = _run(
        "index",
        CORPUS,
        "-o",
        out,
        "--tags",
        ",".join(TAGS),
        "-q",
        "--scheduler",
        client.scheduler.address,
    )
    assert result.returncode == 1
    assert pq.read_table(out).equals(pq.read_table(single_process_index))


def _tree(root):
    files = {
        "ct.dcm": "CT_small.dcm",
        "sub/mr.dcm": "MR_small_bigendian.dcm",
        "sub/rtplan.dcm": "rtplan.dcm",
        "sub/bad.dcm": "rtplan_truncated.dcm",
    }
    for name, source in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(test_file(source), root / name)
    return root


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_edit_bag_in_place(client, tmp_path):
    root = _tree(tmp_path / "tree")
    bad_before = _digest(root / "sub" / "bad.dcm")
    bag = lazydask.edit(
        [root],
        {"PatientID": "CLUSTER", "PatientBirthDate": None},
        in_place=True,
        files_per_partition=2,
    )
    reports = client.compute(bag, sync=True)
    by_name = {r.path.replace(str(root) + "/", ""): r for r in reports}
    assert sorted(by_name) == ["ct.dcm", "sub/bad.dcm", "sub/mr.dcm", "sub/rtplan.dcm"]
    assert by_name["sub/bad.dcm"].strategy == "failed"
    assert "element (300A,00B0) at offset 0x582" in by_name["sub/bad.dcm"].error
    assert _digest(root / "sub" / "bad.dcm") == bad_before
    for name in ("ct.dcm", "sub/mr.dcm", "sub/rtplan.dcm"):
        assert by_name[name].strategy in ("in-place", "rewrite") and by_name[name].ok
        ref = pydicom.dcmread(root / name)
        assert ref.PatientID == "CLUSTER" and "PatientBirthDate" not in ref


def test_edit_bag_to_an_output_directory_and_dry_run(client, tmp_path):
    root = _tree(tmp_path / "tree")
    digests = {p: _digest(p) for p in root.rglob("*") if p.is_file()}
    dry = client.compute(lazydask.edit(root, {"PatientName": "X^Y"}, dry_run=True), sync=True)
    # a shorter name fits its space (PN is padded with spaces, PS3.5 6.2)
    assert sorted((r.path.replace(str(root) + "/", ""), r.strategy) for r in dry) == [
        ("ct.dcm", "in-place"),
        ("sub/bad.dcm", "failed"),
        ("sub/mr.dcm", "in-place"),
        ("sub/rtplan.dcm", "in-place"),
    ]
    assert all(r.dry_run for r in dry)
    out = tmp_path / "out"
    reports = client.compute(lazydask.edit(root, {"PatientName": "X^Y"}, output_dir=out), sync=True)
    assert {p: _digest(p) for p in root.rglob("*") if p.is_file()} == digests
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.dcm")) == [
        "ct.dcm",
        "sub/mr.dcm",
        "sub/rtplan.dcm",
    ]
    assert sum(not r.ok for r in reports) == 1
    assert pydicom.dcmread(out / "sub" / "mr.dcm").PatientName == "X^Y"
    with pytest.raises(ValueError, match="output_dir=... or in_place=True"):
        lazydask.edit(root, {"PatientName": "X"})
    with pytest.raises(ValueError, match="not both"):
        lazydask.edit(root, {"PatientName": "X"}, in_place=True, output_dir=out)


def test_scheduler_option_of_edit(client, tmp_path):
    root = _tree(tmp_path / "tree")
    result = _run(
        "edit",
        root,
        "-r",
        "--in-place",
        "--set",
        "PatientID=VIA^SCHEDULER",
        "--scheduler",
        client.scheduler.address,
    )
    assert result.returncode == 1
    assert "sub/bad.dcm: TruncatedDicomError: element (300A,00B0)" in result.stderr
    assert result.stdout.strip().endswith("1 failed (1 TruncatedDicomError)")
    assert pydicom.dcmread(root / "ct.dcm").PatientID == "VIA^SCHEDULER"


@pytest.mark.parametrize(
    "name, per_chunk",
    [
        ("rtdose.dcm", 1),  # implicit VR, native
        ("rtdose_expb.dcm", 4),  # big endian
        ("rtdose_rle.dcm", 2),  # RLE: each task decodes its own frames
    ],
)
def test_frames_are_a_lazy_array_read_by_the_workers(client, name, per_chunk):
    path = test_file(name)
    array = lazydask.frames(path, frames_per_chunk=per_chunk)
    assert array.shape == (15, 10, 10)
    assert array.chunks[0] == tuple(
        [per_chunk] * (15 // per_chunk) + ([15 % per_chunk] if 15 % per_chunk else [])
    )
    graph = pickle.dumps(dict(array.__dask_graph__()))
    assert len(graph) < 20_000  # paths and slices only: no mapped bytes travel
    with lazydcm.dcmread(path) as ds:
        expected = np.array(ds.pixel_array)
    assert np.array_equal(client.compute(array, sync=True), expected)
    assert np.array_equal(client.compute(array[5:9, 2, ::3], sync=True), expected[5:9, 2, ::3])
    assert client.compute(array[7], sync=True).shape == (10, 10)


def test_frames_of_a_file_without_pixels():
    with pytest.raises(ValueError, match="no pixel data"):
        lazydask.frames(test_file("rtplan.dcm"))
    with pytest.raises(ValueError, match="frames_per_chunk"):
        lazydask.frames(test_file("rtdose.dcm"), frames_per_chunk=0)


# -- datasets and frame indexes on the cluster ---------------------------------------------


def _seen_by_worker(ds):
    """What a worker sees of a dataset it received pickled (module level: workers import it)."""
    pending = "_travel_pending" in ds.__dict__
    return (
        pending,
        str(ds.SOPInstanceUID),
        ds.PatientID,
        hashlib.sha1(np.ascontiguousarray(ds.pixel_array).tobytes()).hexdigest(),
    )


def _gather(client, futures):
    distributed.wait(futures, timeout=120)  # bounded: a hung cluster fails the test
    return client.gather(futures)


def _edit_on_worker(ds):
    ds.PatientName = "Edited^On^Worker"
    return ds


def test_cluster_maps_over_pickled_datasets(client, tmp_path):
    datasets = []
    for name in ("CT_small.dcm", "MR_small_RLE.dcm", "rtdose.dcm", "MR_small_bigendian.dcm"):
        shutil.copyfile(test_file(name), tmp_path / name)
        ds = lazydcm.dcmread(tmp_path / name)
        ds.PatientID = "sent-" + name
        datasets.append(ds)
    expected = [
        (True, str(ds.SOPInstanceUID), ds.PatientID,
         hashlib.sha1(np.ascontiguousarray(ds.pixel_array).tobytes()).hexdigest())
        for ds in datasets
    ]  # fmt: skip
    assert _gather(client, client.map(_seen_by_worker, datasets, pure=False)) == expected
    back = _gather(client, client.map(_edit_on_worker, datasets, pure=False))
    assert [str(ds.PatientName) for ds in back] == ["Edited^On^Worker"] * len(datasets)
    assert [ds.PatientID for ds in back] == [ds.PatientID for ds in datasets]


def test_cluster_computes_frames_with_a_frame_index(client, tmp_path):
    from lazydcm.pixels.frameindex import FrameIndex

    name = "rtdose_rle.dcm"
    shutil.copyfile(test_file(name), tmp_path / name)
    table = tmp_path / "index.parquet"
    result = _run("index", "--frames", tmp_path / name, "-o", table, "-q")
    assert result.returncode == 0, result.stderr
    index = FrameIndex.load(table, tmp_path / name)
    array = lazydask.frames(tmp_path / name, frames_per_chunk=3, frame_index=index)
    with lazydcm.dcmread(tmp_path / name) as ds:
        expected = np.array(ds.pixel_array)
    got = client.compute(array, sync=False).result(timeout=120)
    assert np.array_equal(got, expected)
    with open(tmp_path / name, "ab") as fh:
        fh.write(b"\0\0")  # the file changed since it was indexed: the tasks refuse it
    with pytest.raises(lazydcm.errors.SourceChangedError):
        client.compute(array[4], sync=False).result(timeout=120)

"""``lazydcm deid --scheduler`` on a ``distributed.LocalCluster`` (loopback only): the same
outputs as the local run, since the keyed mapping needs no coordination between workers."""

from __future__ import annotations

import shutil
import subprocess
import sys
import warnings

import distributed
import pytest
from _corpus import test_file

import lazydcm


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # distributed's start-up chatter
        cluster = distributed.LocalCluster(
            n_workers=2, processes=True, host="127.0.0.1", dashboard_address=None
        )
    with cluster, distributed.Client(cluster) as client:
        yield client


def _run(*args):
    return subprocess.run(
        [sys.executable, "-m", "lazydcm", "deid", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_scheduler_gives_the_same_files_as_local_processes(client, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("MR_small.dcm", "CT_small.dcm", "rtplan.dcm", "rtplan_truncated.dcm"):
        shutil.copy(test_file(name), src / name)
    key = tmp_path / "key"
    key.write_bytes(b"scheduler-key")
    local = _run(src, "-o", tmp_path / "local", "--key-file", key, "--jobs", "2", "-q")
    remote = _run(
        src, "-o", tmp_path / "remote", "--key-file", key, "-q",
        "--scheduler", client.scheduler.address,
    )  # fmt: skip
    for proc in (local, remote):
        assert proc.returncode == 1  # the truncated file, reported
        assert "rtplan_truncated.dcm: TruncatedDicomError" in proc.stderr
    for name in ("MR_small.dcm", "CT_small.dcm", "rtplan.dcm"):
        a = (tmp_path / "local" / name).read_bytes()
        assert a == (tmp_path / "remote" / name).read_bytes()
        with lazydcm.dcmread(tmp_path / "remote" / name) as ds:
            assert ds.PatientIdentityRemoved == "YES"


def test_dask_bag_runs_on_the_cluster(client, tmp_path):
    from lazydcm.deid import uid_for
    from lazydcm.deid.files import dask_bag

    jobs = [
        (str(test_file(name)), str(tmp_path / name)) for name in ("MR_small.dcm", "CT_small.dcm")
    ]
    results = client.compute(dask_bag(jobs, key=b"bag-key", fsync=False), sync=True)
    assert [r.ok for r in results] == [True, True]
    before, after = test_file("CT_small.dcm"), tmp_path / "CT_small.dcm"
    with lazydcm.dcmread(before) as before_ds, lazydcm.dcmread(after) as after_ds:
        assert after_ds.StudyInstanceUID == uid_for(before_ds.StudyInstanceUID, b"bag-key")

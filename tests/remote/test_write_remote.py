"""Writing to fsspec destinations: streamed plans, nothing visible unless the write succeeded."""

from __future__ import annotations

import pytest
from _built import native_file

import lazydcm
from lazydcm.errors import RemoteReadError
from lazydcm.model.save import to_bytes

fsspec = pytest.importorskip("fsspec")
pytest.importorskip("aiohttp")


@pytest.fixture
def local(tmp_path):
    return native_file(tmp_path / "src.dcm", 6, 128, 128)


def _expected(path, name="Edited^Name"):
    ds = lazydcm.dcmread(path)
    ds.PatientName = name
    return to_bytes(ds)


def test_save_as_memory_url_equals_a_local_save(local):
    ds = lazydcm.dcmread(local)
    ds.PatientName = "Edited^Name"
    url = "memory://lazydcm-write/out.dcm"
    try:
        written = ds.save_as(url)
        data = fsspec.filesystem("memory").cat_file("/lazydcm-write/out.dcm")
        assert written == len(data) and data == _expected(local)
        assert not [
            p for p in fsspec.filesystem("memory").ls("/lazydcm-write") if ".tmp" in p["name"]
        ]
    finally:
        fsspec.filesystem("memory").rm("/lazydcm-write", recursive=True)


def test_http_source_to_s3_destination(nginx, moto_s3, local):
    s3fs = pytest.importorskip("s3fs")
    (nginx.root / "w.dcm").write_bytes(local.read_bytes())
    ds = lazydcm.dcmread(f"{nginx.url}/w.dcm")
    ds.PatientName = "Edited^Name"
    nginx.clear_log()
    lazydcm.dcmwrite("s3://lazydcm/w.dcm", ds, storage_options=moto_s3)
    assert s3fs.S3FileSystem(**moto_s3).cat_file("lazydcm/w.dcm") == _expected(local)
    # the pixel data was copied from the source through ranged reads, not re-read whole
    gets = [r for r in nginx.requests("w.dcm") if r[0] == "GET"]
    assert sum(r[2] for r in gets) <= local.stat().st_size


def test_failed_read_leaves_no_object(misbehaving, moto_s3, local, tmp_path):
    s3fs = pytest.importorskip("s3fs")
    server = misbehaving(local.read_bytes())
    ds = lazydcm.dcmread(server.url + "/f.dcm")
    ds.PatientName = "Edited^Name"
    server.fault = "416"  # every later range fails: the pixel data cannot be copied
    targets = {
        "memory": "memory://lazydcm-fail/out.dcm",
        "file": (tmp_path / "out.dcm").as_uri(),
        "s3": "s3://lazydcm/fail.dcm",
    }
    for kind, url in targets.items():
        opts = moto_s3 if kind == "s3" else None
        with pytest.raises(RemoteReadError, match="416"):
            ds.save_as(url, storage_options=opts)
        fs, path = fsspec.core.url_to_fs(url, **(opts or {}))
        assert not fs.exists(path), kind
    assert [p.name for p in tmp_path.iterdir()] == ["src.dcm"]  # no temporary file left
    assert not [p for p in s3fs.S3FileSystem(**moto_s3).ls("lazydcm") if "fail" in p]
    mem = fsspec.filesystem("memory")
    assert not mem.exists("/lazydcm-fail") or mem.ls("/lazydcm-fail") == []


def test_local_save_of_a_remote_dataset_fetches_copies(misbehaving, local, tmp_path):
    server = misbehaving(local.read_bytes())
    ds = lazydcm.dcmread(server.url + "/f.dcm")
    ds.PatientName = "Edited^Name"
    out = tmp_path / "copy.dcm"
    ds.save_as(out)
    assert out.read_bytes() == _expected(local)


def test_http_destination_is_refused_with_the_url_and_nothing_sent(nginx, local):
    ds = lazydcm.dcmread(local)
    nginx.clear_log()
    with pytest.raises(NotImplementedError, match=f"cannot write {nginx.url}/out.dcm"):
        ds.save_as(f"{nginx.url}/out.dcm")
    assert [r for r in nginx.requests() if r[0] != "GET"] == []

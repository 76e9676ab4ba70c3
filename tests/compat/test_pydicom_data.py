"""pydicom API page "pydicom.data" for the sample files lazydcm ships (``lazydcm.data``)."""

from __future__ import annotations

from pathlib import Path

from lazydcm.data import DATA_ROOT, get_testdata_file, get_testdata_files
from lazydcm.dataset import FileDataset


def test_get_testdata_file_gives_the_path_or_the_dataset():
    path = get_testdata_file("rtplan.dcm")
    assert Path(path) == DATA_ROOT / "rtplan.dcm" and Path(path).exists()
    ds = get_testdata_file("rtplan.dcm", read=True)
    assert isinstance(ds, FileDataset) and ds.Modality == "RTPLAN"
    assert get_testdata_file("no_such_file.dcm") is None


def test_get_testdata_files_filters_by_pattern():
    everything = get_testdata_files()
    assert len(everything) >= 5
    assert [Path(p).name for p in get_testdata_files("ct_*")] == [
        "ct_implicit.dcm",
        "ct_slice.dcm",
    ]
    assert get_testdata_files("*.nothing") == []

"""``lazydcm.dask.convert_jobs``: a bag of per-file transcodes (run here on dask's synchronous
scheduler), failures reported in the bag, not raised."""

from __future__ import annotations

import numpy as np
import pydicom
from _corpus import test_file

from lazydcm import dask as lazydask


def test_convert_jobs_bag(tmp_path):
    jobs = [
        (test_file("CT_small.dcm"), tmp_path / "a" / "ct.dcm"),
        (test_file("rtdose.dcm"), tmp_path / "rtdose.dcm"),
        (tmp_path / "missing.dcm", tmp_path / "missing-out.dcm"),
    ]
    bag = lazydask.convert_jobs(jobs, "1.2.840.10008.1.2.5", files_per_partition=1, fsync=False)
    reports = bag.compute(scheduler="sync")
    assert [r.error is None for r in reports] == [True, True, False]
    assert "FileNotFoundError" in reports[2].error
    assert reports[1].frames == 15
    for source, out in jobs[:2]:
        written = pydicom.dcmread(out)
        assert written.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.5"
        np.testing.assert_array_equal(written.pixel_array, pydicom.dcmread(source).pixel_array)

"""``lazydcm edit --set TransferSyntaxUID=...``: a group 0002 key goes to the meta group and
the file is re-encoded in that syntax (issue 10, kind 8), with ``--dry-run`` telling so."""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pydicom
from _clirun import run
from _corpus import assert_dcmdump_clean, test_file

EXPLICIT_LE = "1.2.840.10008.1.2.1"


def _read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pydicom.dcmread(path)


def test_edit_sets_the_transfer_syntax_in_the_meta_group(tmp_path):
    path = tmp_path / "mr.dcm"
    shutil.copyfile(test_file("MR_small_implicit.dcm"), path)
    ref = _read(path)
    dry = run("edit", path, "--dry-run", "--set", f"TransferSyntaxUID={EXPLICIT_LE}")
    assert dry.returncode == 0, dry.stderr
    assert "(0002,0010) TransferSyntaxUID" in dry.stdout
    assert "1 rewritten" in dry.stdout
    assert _read(path).is_implicit_VR  # a dry run writes nothing
    result = run("edit", path, "--in-place", "--set", f"TransferSyntaxUID={EXPLICIT_LE}")
    assert result.returncode == 0, result.stderr
    back = _read(path)
    assert back.file_meta.TransferSyntaxUID == EXPLICIT_LE and not back.is_implicit_VR
    assert 0x00020010 not in back
    assert np.array_equal(back.pixel_array, ref.pixel_array)
    assert_dcmdump_clean(path)

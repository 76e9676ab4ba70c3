"""The README's examples that run on the shipped samples in ``data/`` run as written.

Each block is taken from README.md itself (not copied here), executed in a temporary
directory holding a copy of ``data/``, and the values its comments promise are checked, so a
README edit that breaks an example, or a code change that makes a comment false, fails here.
"""

from __future__ import annotations

import pickle
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import lazydcm

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _python_block(heading: str, index: int = 0) -> str:
    """The ``index``-th fenced python block of the README section titled ``heading``."""
    start = README.index(f"\n## {heading}\n")
    end = README.find("\n## ", start + 1)
    section = README[start : end if end != -1 else len(README)]
    return re.findall(r"```python\n(.*?)```", section, re.S)[index]


@pytest.fixture
def in_checkout_copy(tmp_path, monkeypatch):
    """A temporary working directory with ``data/`` copied in, as a checkout has it."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_api_tour_runs_on_the_samples_as_written(in_checkout_copy):
    code = _python_block("The API tour", 0)
    assert '"data/rtplan.dcm"' in code and '"data/ct_slice.dcm"' in code
    scope: dict = {}
    exec(compile(code, "README.md (The API tour)", "exec"), scope)

    ds = scope["ds"]
    assert "# Doe^Jane^Q^Dr" in code and ds.PatientName == "Doe^Jane^Q^Dr"
    assert ds.dir("setup") == ["PatientSetupSequence"]
    assert ds[0x300A, 0xB0][0][0x300A, 0xC2].value == "Field 1"
    assert "OperatorsName" not in ds
    saved = lazydcm.dcmread("rtplan2.dcm")
    assert saved.PatientSetupSequence[0].PatientPosition == "HFP"
    original = lazydcm.dcmread("data/ct_slice.dcm").pixel_array
    assert original.shape == (64, 64) and original.dtype == np.int16  # "64x64 int16"
    assert np.asarray(original).min() < 300  # so the edit below changes something
    edited = lazydcm.dcmread("ct_slice_edited.dcm").pixel_array
    expected = np.where(np.asarray(original) < 300, 0, np.asarray(original))
    assert np.array_equal(np.asarray(edited), expected)


def test_pickled_handle_sizes_are_as_the_readme_says(in_checkout_copy):
    """The "Datasets that travel" sizes: data/multiframe.dcm copied to big.dcm."""
    code = _python_block("Datasets that travel", 0)
    shutil.copy("data/multiframe.dcm", "big.dcm")
    scope: dict = {}
    exec(compile(code, "README.md (Datasets that travel)", "exec"), scope)
    assert str(scope["back"].PatientName) == "Anon^A"
    edited, unedited, two = map(
        int, re.search(r"# (\d+) bytes \((\d+) unedited; (\d+) after", code).groups()
    )
    assert len(scope["blob"]) == edited
    assert len(pickle.dumps(lazydcm.dcmread("big.dcm"))) == unedited
    ds = scope["ds"]
    ds.PatientID = "Anon"
    assert len(pickle.dumps(ds)) == two


def test_run_time_private_dictionary_lookups_as_described(tmp_path):
    """ "Values, VRs and dictionaries": a private entry added to a DataDictionary you own is
    found by private_dictionary_VR and attach(), not by dictionary_VR (public tags only)."""
    from lazydcm.datadict import (
        DataDictionary,
        add_private_dict_entries,
        dictionary_VR,
        private_dictionary_VR,
    )

    extra = DataDictionary()
    add_private_dict_entries("ACME 3.1", {0x00091001: ("DS", "1", "Acme Thing", "")}, extra)
    assert private_dictionary_VR(0x00091001, "ACME 3.1", dictionary=extra) == "DS"
    with pytest.raises(KeyError):
        dictionary_VR(0x00091001, dictionary=extra)
    ds = lazydcm.Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    ds.SOPInstanceUID = "1.2.3"
    ds.private_block(0x0009, "ACME 3.1", create=True).add_new(0x01, "DS", "1.5")
    ds.save_as(tmp_path / "acme.dcm", transfer_syntax="1.2.840.10008.1.2")  # implicit VR
    assert lazydcm.dcmread(tmp_path / "acme.dcm")[0x00091001].VR == "UN"
    attached = extra.attach(lazydcm.dcmread(tmp_path / "acme.dcm"))
    assert attached[0x00091001].VR == "DS" and attached[0x00091001].value == 1.5


def test_transcoding_example_runs_with_progress(in_checkout_copy, capsys):
    """ "Encoding and transcoding": save_as to RLE one frame at a time, reporting progress."""
    code = _python_block("Encoding and transcoding", 0)
    shutil.copy("data/multiframe.dcm", "big.dcm")
    exec(compile(code, "README.md (Encoding and transcoding)", "exec"), {})
    frames = int(lazydcm.dcmread("big.dcm").NumberOfFrames)
    assert capsys.readouterr().out.split("\n")[-2] == f"{frames} / {frames}"
    out = lazydcm.dcmread("big_rle.dcm")
    assert out.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.5"
    expected = np.asarray(lazydcm.dcmread("big.dcm").pixel_array)
    assert np.array_equal(np.asarray(out.pixel_array), expected)


def test_deidentification_example_runs_as_written(in_checkout_copy):
    code = _python_block("De-identification", 0)
    shutil.copy("data/ct_slice.dcm", "in.dcm")
    scope: dict = {}
    exec(compile(code, "README.md (De-identification)", "exec"), scope)
    assert "PatientName" in scope["report"].emptied
    for name in ("out.dcm", "out/in.dcm"):
        out = lazydcm.dcmread(name)
        assert out.PatientIdentityRemoved == "YES" and out.PatientName == ""
    # both ways give the same result for the same key
    assert lazydcm.dcmread("out.dcm").SOPInstanceUID == lazydcm.dcmread("out/in.dcm").SOPInstanceUID


def test_writing_example_runs_as_written(in_checkout_copy):
    """ "Writing" (under the API tour): plan, re-encode, the two edit strategies, from scratch."""
    code = _python_block("The API tour", 2)
    assert code.startswith("lazydcm.plan(ds)")
    shutil.copy("data/ct_slice.dcm", "big.dcm")
    ds = lazydcm.dcmread("data/ct_slice.dcm")
    ds.PatientName = "Doe^John"
    scope: dict = {"lazydcm": lazydcm, "ds": ds}
    exec(compile(code, "README.md (Writing)", "exec"), scope)
    assert lazydcm.dcmread("out.dcm").file_meta.TransferSyntaxUID == "1.2.840.10008.1.2"
    segments = lazydcm.plan(lazydcm.dcmread("big.dcm")).segments
    assert [type(s).__name__ for s in segments] == ["Copy"]
    edited = lazydcm.dcmread("big.dcm")
    assert edited.PatientName == "Doe^Jane" and edited.PatientID == "much-longer-id"
    new = lazydcm.dcmread("new.dcm")
    assert new.PatientName == "Scratch^Made" and new[0x00091001].value == "hello"
    assert new.private_block(0x0009, "ACME 1.0")[0x01].value == "hello"
    # the strategies the comments name
    shutil.copy("data/ct_slice.dcm", "again.dcm")
    assert lazydcm.edit("again.dcm", {"PatientName": "Doe^Jane"}).strategy == "in-place"
    longer = {"PatientID": "much-longer-id", "OtherPatientIDs": None}
    assert lazydcm.edit("again.dcm", longer).strategy == "rewrite"

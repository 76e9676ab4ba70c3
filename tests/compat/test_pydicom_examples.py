"""pydicom API page "pydicom.examples" through ``lazydcm.examples``: each name opens a new
dataset on every access, ``get_path`` gives the sample's path, and names without a sample
fail as the page's attribute/`get_path` contract says."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest

import lazydcm
from lazydcm import examples
from lazydcm.data import DATA_ROOT
from lazydcm.dataset import FileDataset


@pytest.mark.parametrize(
    ("name", "modality"),
    [
        ("ct", "CT"),
        ("ct_implicit", "CT"),
        ("mr", "MR"),
        ("rt_plan", "RTPLAN"),
        ("multiframe", "OT"),
    ],
)
def test_each_example_is_a_new_file_dataset(name, modality):
    first, second = getattr(examples, name), getattr(examples, name)
    assert isinstance(first, FileDataset) and first is not second and first == second
    path = examples.get_path(name)
    assert isinstance(path, Path) and path.parent == DATA_ROOT
    # the same file pydicom reads
    assert pydicom.dcmread(path).SOPInstanceUID == first.SOPInstanceUID
    if name != "multiframe":
        assert first.Modality == modality


def test_dataset_basics_tutorial_opening_lines():
    path = lazydcm.examples.get_path("ct")
    ds = lazydcm.dcmread(path)
    with open(path, "rb") as infile:
        assert lazydcm.dcmread(infile).PatientName == ds.PatientName


def test_names_without_a_sample():
    with pytest.raises(AttributeError, match="rt_dose"):
        examples.rt_dose  # noqa: B018
    with pytest.raises(ValueError, match="no example dataset 'waveform'"):
        examples.get_path("waveform")
    assert {"ct", "mr", "rt_plan", "get_path"} <= set(dir(examples))

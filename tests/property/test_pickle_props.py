"""Pickling and deep copies keep every edit: for any file and any edits, the dataset that comes
back (a handle reopened from a path, or the bytes of an in-memory one) writes the same bytes as
the original, and a deep copy does too, without either seeing the other's later edits."""

from __future__ import annotations

import copy
import os
import pickle
import tempfile
import warnings

from _property_support import read
from hypothesis import given
from hypothesis import strategies as st

import lazydcm
from lazydcm._strategies._datasets import file_specs
from lazydcm._strategies._edits import edit_lists
from lazydcm.model.save import to_bytes


def _edited(ds, data):
    for edit in data.draw(edit_lists(ds), label="edits"):
        edit.apply(ds)
    return ds


@given(encoded=file_specs(), data=st.data())
def test_pickled_and_copied_datasets_write_the_same_bytes(encoded, data):
    force = not encoded.preamble
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "f.dcm")
        with open(path, "wb") as fh:
            fh.write(encoded.data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from_path = _edited(lazydcm.dcmread(path, force=force), data)
        in_memory = _edited(read(encoded.data, force=force), data)
        for ds in (from_path, in_memory):
            expected = to_bytes(ds)
            back = pickle.loads(pickle.dumps(ds))
            assert to_bytes(back) == expected
            dup = copy.deepcopy(ds)
            assert to_bytes(dup) == expected
            _edited(dup, data)  # more edits to the copy leave the original as it was
            assert to_bytes(ds) == expected
        from_path.close()

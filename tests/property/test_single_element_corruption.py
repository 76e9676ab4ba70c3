"""Issue 10 kind 5 as a property: corrupt bytes inside any one element of a small file; if the
file still opens, ``str``/``repr``/iteration/``walk``/``iterall``/``lazydcm dump`` (text and
JSON) all work, and the elements before the corrupted one show exactly as before."""

from __future__ import annotations

import io
import warnings

from _odd_file import ELEMENTS, GOOD, exercise, spans
from hypothesis import given
from hypothesis import strategies as st

import lazydcm
from lazydcm.errors import InvalidDicomError
from lazydcm.model._display import element_lines

GOOD_DS = lazydcm.dcmread(io.BytesIO(GOOD))


@given(
    k=st.integers(0, len(ELEMENTS) - 1),
    where=st.floats(0, 1, exclude_max=True),
    patch=st.binary(min_size=1, max_size=6),
)
def test_any_single_element_corruption_leaves_str_and_dump_working(k, where, patch):
    start, stop = spans()[k]
    at = start + int(where * (stop - start))
    data = bytearray(GOOD)
    data[at : at + len(patch)] = patch[: len(data) - at]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ds = lazydcm.dcmread(io.BytesIO(bytes(data)))
        except InvalidDicomError:
            return  # refused at open (the top-level structure broke): allowed, and named
    lines = exercise(ds).splitlines()
    for elem in GOOD_DS:  # file order is tag order here
        if elem.header_offset >= start:
            break
        shown = list(element_lines(elem))
        first = lines.index(shown[0])
        assert lines[first : first + len(shown)] == shown

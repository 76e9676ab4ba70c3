"""De-identification properties over generated datasets (``lazydcm.strategies.deid_datasets``):
a marker planted in every text value, every private element and every nested item.

Each example is written to a file, read back lazily, de-identified under the Basic Profile (or
with Retain UIDs), saved by copy-through and read again; the checks walk input and output by
attribute path with a walker of their own.
"""

from __future__ import annotations

import datetime
import io
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import lazydcm
from lazydcm import strategies as lst
from lazydcm.deid import Profile, action_for, deidentify, keyed

KEY = b"property-test-key"


def _leaves(ds, prefix=()):
    """(path, tag, VR, value) of every non-sequence element, at every depth."""
    for elem in ds:
        tag = int(elem.tag)
        path = (*prefix, tag)
        if elem.VR == "SQ":
            for number, item in enumerate(elem.value):
                yield from _leaves(item, (*path, number))
        else:
            yield path, tag, elem.VR, elem.value


def _text(value) -> str:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    if isinstance(value, str):
        return value
    try:
        return "\\".join(str(v) for v in value)
    except TypeError:
        return str(value)


def _round_trip(ds, profile):
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.dcm", Path(tmp) / "out.dcm"
        ds.save_as(src, fsync=False)
        with lazydcm.dcmread(src) as before:
            original = list(_leaves(before))
            report = deidentify(before, profile, KEY)
            before.save_as(dst, fsync=False)
        with lazydcm.dcmread(dst) as after:
            result = {path: (tag, vr, value) for path, tag, vr, value in _leaves(after)}
    return original, result, report


def _ancestors_kept(path, profile) -> bool:
    """True when every sequence on ``path`` is one the profile keeps (K or unlisted)."""
    sequences = [t for t in path[:-1] if t > 0xFFFF]  # item numbers are small ints
    return all(not (t >> 16) & 1 and action_for(t, profile) in ("K", "?") for t in sequences)


@given(ds=lst.deid_datasets())
def test_no_marker_survives_where_the_table_removes_it(ds):
    profile = Profile()
    _, result, _ = _round_trip(ds, profile)
    for path, (tag, _vr, value) in result.items():
        if lst.DEID_MARKER not in _text(value):
            continue
        # a marker may only survive in a standard attribute the profile keeps (K) or does not
        # list, never in a private one or one the table says to remove, empty or replace
        assert not (tag >> 16) & 1, f"private {path} kept the marker"
        assert action_for(tag, profile) in ("K", "?"), f"{path} kept {value!r}"


@given(ds=lst.deid_datasets(), retain_uids=st.booleans())
def test_kept_attributes_survive_unchanged_and_uids_are_replaced(ds, retain_uids):
    profile = Profile(retain_uids=retain_uids)
    original, result, report = _round_trip(ds, profile)
    mapping = dict(report.uids)
    for path, tag, _vr, value in original:
        if (tag >> 16) & 1 or not _ancestors_kept(path, profile):
            continue
        if path[0] in _SET_BY_DEIDENTIFIER:  # replaced whole, whatever the file held
            continue
        action = action_for(tag, profile)
        if action == "K":
            assert path in result, f"K attribute {path} was lost"
            assert _text(result[path][2]) == _text(value)
        elif action == "U" and value:
            new = result[path][2]
            assert new != value and new == mapping[str(value)]
            assert new.startswith("2.25.") and len(new) <= 64
        elif action == "X":
            assert path not in result


# PS3.15 E.1.1 and E.3: the de-identifier sets these itself (Patient Identity Removed,
# De-identification Method and its Code Sequence, Longitudinal Temporal Information Modified),
# so what a generated dataset planted there is replaced, not kept.
_SET_BY_DEIDENTIFIER = {0x00120062, 0x00120063, 0x00120064, 0x00280303}


@given(ds=lst.deid_datasets(max_depth=1))
def test_the_same_key_maps_uids_the_same_way_in_every_file(ds):
    # in memory: three independent reads of one encoded file, as separate workers would see it
    buffer = io.BytesIO()
    ds.save_as(buffer)

    def read():
        return lazydcm.dcmread(io.BytesIO(buffer.getvalue()))

    first = deidentify(read(), Profile(), KEY)
    second = deidentify(read(), Profile(), KEY)
    assert first.uids == second.uids and first.replaced == second.replaced
    other = deidentify(read(), Profile(), b"another key")
    assert all(new != dict(other.uids)[old] for old, new in first.uids)


@given(
    day=st.dates(min_value=datetime.date(1900, 1, 1)),
    days=st.integers(1, 3652),
    time=st.sampled_from(["", "10", "1010", "101010.123456"]),
    offset=st.sampled_from(["", "+0100", "-0500"]),
)
def test_date_shifts_move_whole_days_and_keep_the_rest(day, days, time, offset):
    expected = day - datetime.timedelta(days=days)
    if expected.year < 1:
        return
    text = day.strftime("%Y%m%d")
    assert keyed.shift_da(text, days) == expected.strftime("%Y%m%d")
    moved = keyed.shift_dt(text + time + offset, days)
    assert moved == f"{expected.year:04d}{expected:%m%d}" + time + offset
    assert keyed.shift_da(f"{text}-{text}", days) == f"{expected:%Y%m%d}-{expected:%Y%m%d}"

"""Lazy equals eager: touching elements in any order (items in any order, some never), or a full
recursive decode, gives the values of a fresh read decoded in tag order - and the values the
independent encoder wrote."""

from __future__ import annotations

from typing import Any

from _property_support import read
from hypothesis import given
from hypothesis import strategies as st

from lazydcm._strategies._datasets import file_specs
from lazydcm._strategies._views import dataset_view, plain_value, spec_view


def touch(ds: Any, data: st.DataObject, seen: dict[tuple, Any], path: tuple = ()) -> None:
    """Touch a random subset of ``ds``'s elements in random order (recursing into sequence
    items, also in random order), recording each value as first seen."""
    little = ds.is_little_endian is not False
    for tag in data.draw(st.permutations(ds.tags())):
        how = data.draw(st.sampled_from(["skip", "value", "repr", "contains", "get"]))
        if how == "skip":
            continue
        if how == "contains":
            assert tag in ds
            continue
        elem = ds[tag] if how != "get" else ds.get(tag)
        if how == "repr":
            repr(elem)
        if elem.VR == "SQ":
            seq = elem.value
            count = len(seq)
            seen[(*path, int(tag))] = count
            for index in data.draw(st.permutations(range(count))):
                if data.draw(st.booleans()):
                    touch(seq[index], data, seen, (*path, int(tag), index))
        else:
            seen[(*path, int(tag))] = plain_value(elem.VR, elem.value, little)


def lookup(view: dict, path: tuple) -> Any:
    """The value at ``path`` (tag, index, tag, ..., tag) of a view; item counts for SQ."""
    tag, rest = path[0], path[1:]
    vr, value = view[tag]
    if not rest:
        return len(value) if vr == "SQ" else value
    return lookup(value[rest[0]], rest[1:])


@given(encoded=file_specs(), data=st.data())
def test_touching_in_any_order_equals_decoding_in_tag_order(encoded, data):
    force = not encoded.preamble
    lazy = read(encoded.data, force=force)
    seen: dict[tuple, Any] = {}
    touch(lazy, data, seen)
    eager = read(encoded.data, force=force).decode()
    eager_view = dataset_view(eager)
    for path, value in seen.items():
        assert lookup(eager_view, path) == value, path
    assert dataset_view(lazy) == eager_view  # the rest, touched now in tag order
    assert eager_view == spec_view(encoded.dataset, encoded.layout)


@given(encoded=file_specs(), data=st.data())
def test_partial_touch_then_full_decode(encoded, data):
    force = not encoded.preamble
    ds = read(encoded.data, force=force)
    touch(ds, data, {})
    ds.decode()
    str(ds)
    assert dataset_view(ds) == spec_view(encoded.dataset, encoded.layout)


@given(encoded=file_specs(), data=st.data())
def test_specific_tags_see_the_same_values(encoded, data):
    tags = encoded.dataset.tags()
    chosen = data.draw(st.lists(st.sampled_from(tags), unique=True)) if tags else []
    some = read(encoded.data, force=not encoded.preamble, specific_tags=chosen)
    full = spec_view(encoded.dataset, encoded.layout)
    # ReadOptions: only the chosen tags are visible, plus Specific Character Set
    wanted = set(chosen) | {0x00080005}
    assert dataset_view(some) == {tag: v for tag, v in full.items() if tag in wanted}

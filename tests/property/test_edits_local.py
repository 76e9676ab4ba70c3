"""Edits are local: after any ``edits(ds)`` on a file the independent encoder wrote, the saved
file holds the values of a from-scratch encode of the edited dataset, and its bytes differ from
the source only inside the edited elements and items and their ancestors' length fields (and
recomputed group lengths)."""

from __future__ import annotations

from _property_support import (
    allowed_ranges,
    assert_changed_only_in,
    assert_group_lengths_agree,
    comparable,
    read,
    without_group_lengths,
)
from hypothesis import given
from hypothesis import strategies as st

from lazydcm._strategies._datasets import file_specs
from lazydcm._strategies._edits import edit_lists
from lazydcm._strategies._encoder import encode_file
from lazydcm._strategies._views import dataset_view, spec_view
from lazydcm.model.save import to_bytes


def edit_and_save(encoded, data, **edit_options):
    """Read ``encoded``, draw and apply edits; return (source, output, allowed ranges, edited
    spec, the dataset)."""
    ds = read(encoded.data, force=not encoded.preamble)
    edits = data.draw(edit_lists(ds, **edit_options), label="edits")
    spec, allowed = encoded.dataset, []
    for edit in edits:
        allowed += allowed_ranges(ds, edit)  # from the records, before the edit
        little = edit.target(ds).is_little_endian is not False
        spec = edit.apply_to_spec(spec, little_endian=little)
        edit.apply(ds)
    return ds, to_bytes(ds), allowed, spec


@given(encoded=file_specs(), data=st.data())
def test_edits_touch_only_their_bytes(encoded, data):
    ds, written, allowed, spec = edit_and_save(encoded, data)
    offset, deflated = ds.dataset_offset, encoded.layout.deflated
    assert_changed_only_in(
        comparable(encoded.data, offset, deflated), comparable(written, offset, deflated), allowed
    )


@given(encoded=file_specs(), data=st.data())
def test_edited_file_equals_a_fresh_encode_in_values(encoded, data):
    _ds, written, _allowed, spec = edit_and_save(encoded, data)
    force = not encoded.preamble
    back = read(written, force=force)
    # group length values depend on how lazydcm chose to write new items (defined or
    # undefined length), so they are checked against the records, not the spec
    view = without_group_lengths(dataset_view(back))
    assert view == without_group_lengths(spec_view(spec, encoded.layout))
    assert_group_lengths_agree(back)
    fresh = encode_file(
        spec,
        encoded.meta,
        encoded.transfer_syntax,
        preamble=b"\0" * 128 if encoded.preamble else None,
    )
    assert without_group_lengths(dataset_view(read(fresh, force=force))) == view
    assert to_bytes(back) == written  # and the edited file writes back as it is


@given(encoded=file_specs(max_depth=3, undefined_lengths=False), data=st.data())
def test_deep_edits_in_defined_length_sequences(encoded, data):
    """Every ancestor has a defined length here, so every edit inside items rewrites length
    fields all the way up."""
    ds, written, allowed, spec = edit_and_save(encoded, data, max_edits=6)
    offset, deflated = ds.dataset_offset, encoded.layout.deflated
    assert_changed_only_in(
        comparable(encoded.data, offset, deflated), comparable(written, offset, deflated), allowed
    )
    back = read(written, force=not encoded.preamble)
    assert without_group_lengths(dataset_view(back)) == without_group_lengths(
        spec_view(spec, encoded.layout)
    )
    assert_group_lengths_agree(back)

"""Round trips: for any dataset and transfer syntax, write -> read gives equal values, and
write -> read -> write gives identical bytes.

Expected values come from the strategies' specs (``spec_view``), never from lazydcm; files read
here were written either by lazydcm (datasets built in code) or by the strategies' independent
encoder (``encoded_files``).
"""

from __future__ import annotations

import zlib

from _property_support import (
    assert_group_lengths_agree,
    read,
    rebuild,
    without_group_lengths,
)
from hypothesis import given
from hypothesis import strategies as st

from lazydcm._strategies._datasets import dataset_specs, file_specs, syntaxes
from lazydcm._strategies._encoder import layout_of
from lazydcm._strategies._views import (
    PIXEL_DATA_IMPLICIT_VR,
    dataset_view,
    spec_view,
    view_in_layout,
)
from lazydcm.model.save import to_bytes

PIXEL_DATA = 0x7FE00010
META_DEFAULTS = frozenset({0x00020000, 0x00020001, 0x00020010, 0x00020012, 0x00020013})


@given(spec=dataset_specs(), ts=syntaxes())
def test_dataset_built_in_code_round_trips(spec, ts):
    layout = layout_of(ts)
    written = to_bytes(spec.to_dataset(), transfer_syntax=ts)
    back = read(written)
    # lazydcm writes every sequence it encodes with undefined length (matters for private
    # sequences in implicit VR, which then read as SQ rather than UN bytes)
    assert dataset_view(back) == spec_view(spec, layout, sq_undefined=True)
    assert str(back.file_meta.TransferSyntaxUID) == ts
    assert to_bytes(back) == written  # unmodified: copied
    back.decode()
    assert to_bytes(back) == written  # decoded, still unmodified
    again = rebuild(back)
    again.file_meta = rebuild(back.file_meta)
    assert to_bytes(again, transfer_syntax=ts) == written  # re-encoding is deterministic


@given(encoded=file_specs())
def test_file_from_independent_encoder_reads_and_writes_back(encoded):
    back = read(encoded.data, force=not encoded.preamble)
    assert dataset_view(back) == spec_view(encoded.dataset, encoded.layout)
    assert dataset_view(back.file_meta, skip=frozenset({0x00020000})) == spec_view(
        encoded.meta, layout_of("1.2.840.10008.1.2.1")
    )
    assert to_bytes(back) == encoded.data
    back.decode()
    str(back)
    assert to_bytes(back) == encoded.data


@given(encoded=file_specs(undefined_lengths=True, preamble=True, un_sequences=False))
def test_writer_matches_independent_encoder(encoded):
    """A dataset built in code and written by lazydcm gives the independent encoder's bytes
    when the encoder, like lazydcm, writes sequences (as SQ) and items with undefined length."""
    written = to_bytes(encoded.to_dataset(), transfer_syntax=encoded.transfer_syntax)
    if encoded.layout.deflated:  # compression levels differ: compare what was deflated
        offset = read(encoded.data).dataset_offset
        assert written[:offset] == encoded.data[:offset]
        assert zlib.decompress(written[offset:], -15) == zlib.decompress(encoded.data[offset:], -15)
    else:
        assert written == encoded.data


@given(encoded=file_specs(), data=st.data())
def test_transcoding_keeps_values(encoded, data):
    if encoded.layout.encapsulated:  # lazydcm copies pixel data but never transcodes it
        target = encoded.transfer_syntax
    else:
        target = data.draw(syntaxes(encapsulated=False), label="target")
    back = read(encoded.data, force=not encoded.preamble)
    view = dataset_view(back)
    written = to_bytes(back, transfer_syntax=target)
    again = read(written, force=True)  # the same syntax copies the head: maybe no preamble
    # group lengths change with the layout; check them against the records instead
    got = without_group_lengths(dataset_view(again))
    if encoded.layout.implicit_vr and PIXEL_DATA in got:  # read as OB or OW: either is written
        got[PIXEL_DATA] = (PIXEL_DATA_IMPLICIT_VR, got[PIXEL_DATA][1])
    assert got == without_group_lengths(view_in_layout(view, layout_of(target)))
    assert_group_lengths_agree(again)
    assert to_bytes(again) == written
    expected_meta = spec_view(encoded.meta, layout_of("1.2.840.10008.1.2.1"))
    assert dataset_view(again.file_meta, skip=META_DEFAULTS) == {
        tag: value for tag, value in expected_meta.items() if tag not in META_DEFAULTS
    }

"""Issue #10 kind 1: the pixel functions give the same result whatever state Pixel Data is in.

The matrix: transfer syntax (implicit / explicit little endian, explicit big endian, RLE
Lossless) x element state (untouched in the file; value read; the same value assigned; equal
bytes assigned; the value set through the element; encapsulated items assigned with and without
a trailing Sequence Delimitation Item; another element edited; saved and reopened; new pixel
values assigned). For each, ``pixel_array``, ``frame(k)``, ``iter_frames``, ``frame_bytes(k)``
(encapsulated) and ``to_image`` equal those of the untouched file, whose ``pixel_array`` equals
pydicom's; after new pixel values are assigned they equal pydicom's reading of a file holding
those values.
"""

from __future__ import annotations

import io
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pydicom
from _pixel_files import (
    EXPLICIT_BE,
    EXPLICIT_LE,
    IMPLICIT_LE,
    RLE,
    SEQ_DELIMITER,
    image_file,
    items,
)
from hypothesis import given
from hypothesis import strategies as st

import lazydcm
from lazydcm.pixels.rle import rle_encode_frame
from lazydcm.pixels.spec import PixelSpec

_DIR = tempfile.TemporaryDirectory(prefix="lazydcm-states-")
SYNTAXES = [IMPLICIT_LE, EXPLICIT_LE, EXPLICIT_BE, RLE]
STATES = [
    "untouched",
    "value read",
    "same value assigned",
    "equal bytes assigned",
    "set through the element",
    "items assigned",
    "items + delimiter assigned",
    "other edit",
    "pixel_array, then other edit",
    "saved and reopened",
    "assigned, saved and reopened",
]


def _stored(values: np.ndarray, layout: dict, spec: PixelSpec) -> bytes:
    """The Pixel Data value for ``values`` (frames, rows, cols[, samples]) in ``layout``."""
    if layout["syntax"] == RLE:
        frames = [rle_encode_frame(values[k], spec) for k in range(spec.frames)]
        return items(frames)
    order = ">" if layout["syntax"] == EXPLICIT_BE else "<"
    dtype = np.dtype(f"{order}{'i' if layout['signed'] else 'u'}{spec.bits_allocated // 8}")
    if spec.samples_per_pixel == 3 and layout["planar"] == 1:
        values = np.moveaxis(values, -1, 1)
    return np.ascontiguousarray(values.astype(dtype)).tobytes()


@st.composite
def cases(draw):
    syntax = draw(st.sampled_from(SYNTAXES))
    bits = draw(st.sampled_from([8, 16]))
    samples = draw(st.sampled_from([1, 3]))
    layout = dict(
        syntax=syntax,
        rows=draw(st.integers(1, 4)),
        columns=draw(st.integers(1, 4)),
        frames=draw(st.integers(1, 3)),
        samples=samples,
        bits_allocated=bits,
        bits_stored=draw(st.integers(2, bits)),
        signed=draw(st.booleans()),
        planar=draw(st.integers(0, 1)) if samples == 3 and syntax != RLE else 0,
        pixel_vr="OW" if bits > 8 else draw(st.sampled_from(["OB", "OW"])),
    )
    spec = PixelSpec(
        rows=layout["rows"],
        columns=layout["columns"],
        frames=layout["frames"],
        samples_per_pixel=samples,
        bits_allocated=bits,
        pixel_representation=int(layout["signed"]),
    )
    shape = (spec.frames, *spec.frame_shape)
    info = np.iinfo(spec.dtype)

    def pixels():
        flat = st.lists(
            st.integers(int(info.min), int(info.max)),
            min_size=int(np.prod(shape)),
            max_size=int(np.prod(shape)),
        )
        return np.array(draw(flat), dtype=spec.array_dtype).reshape(shape)

    return layout, spec, pixels(), pixels(), draw(st.sampled_from(STATES))


def _reference(data: bytes) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pydicom.dcmread(io.BytesIO(data)).pixel_array


def _results(ds, encapsulated: bool) -> dict:
    n = int(ds.get("NumberOfFrames", 1) or 1)
    out = {
        "pixel_array": np.array(ds.pixel_array),
        "frames": [np.array(ds.frame(k)) for k in range(n)],
        "negative frames": [np.array(ds.frame(k - n)) for k in range(n)],
        "iter_frames": [np.array(f) for f in ds.iter_frames()],
        "to_image": [ds.to_image(frame=k) for k in range(n)],
    }
    if encapsulated:
        out["frame_bytes"] = [ds.frame_bytes(k) for k in range(n)]
    return out


def _assert_same(got: dict, want: dict, context) -> None:
    assert got.keys() == want.keys()
    for key in want:
        a, b = got[key], want[key]
        if isinstance(b, list):
            assert len(a) == len(b), (key, context)
            for x, y in zip(a, b, strict=True):
                assert np.array_equal(x, y) if isinstance(y, np.ndarray) else x == y, (key, context)
        else:
            assert a.dtype == b.dtype and np.array_equal(a, b), (key, context)


def _put_state(path: Path, state: str, value: bytes, encapsulated: bool):
    ds = lazydcm.dcmread(path)
    if state == "value read":
        ds.PixelData  # noqa: B018 - reading the value is the state
    elif state == "same value assigned":
        ds.PixelData = ds.PixelData
    elif state == "equal bytes assigned":
        ds.PixelData = bytes(bytearray(ds.PixelData))
    elif state == "set through the element":
        ds[0x7FE00010].value = bytes(bytearray(ds.PixelData))
    elif state == "items assigned":
        ds.PixelData = value  # items built in code (native: the same bytes anew)
    elif state == "items + delimiter assigned":
        ds.PixelData = value + SEQ_DELIMITER if encapsulated else value
    elif state == "other edit":
        ds.PatientName = "Edited^Name"
        ds.Rows = int(ds.Rows)
    elif state == "pixel_array, then other edit":
        ds.pixel_array  # noqa: B018
        ds.PatientName = "Edited^Name"
    elif state in ("saved and reopened", "assigned, saved and reopened"):
        if state.startswith("assigned"):
            ds.PixelData = value + SEQ_DELIMITER if encapsulated else bytes(value)
        out = path.with_name("saved.dcm")
        ds.save_as(out)
        ds.close()
        ds = lazydcm.dcmread(out)
    return ds


@given(cases())
def test_pixel_functions_ignore_the_element_state(case):
    layout, spec, values, other, state = case
    encapsulated = layout["syntax"] == RLE
    value = _stored(values, layout, spec)
    data = image_file(pixel_value=value, encapsulated=encapsulated, **layout)
    path = Path(_DIR.name) / "states.dcm"
    path.write_bytes(data)
    with lazydcm.dcmread(path) as ds:
        want = _results(ds, encapsulated)
    assert np.array_equal(want["pixel_array"], _reference(data)), layout
    ds = _put_state(path, state, value, encapsulated)
    _assert_same(_results(ds, encapsulated), want, (state, layout))

    # new pixel values assigned: the functions follow the new bytes
    other_value = _stored(other, layout, spec)
    ds.PixelData = other_value
    other_data = image_file(pixel_value=other_value, encapsulated=encapsulated, **layout)
    assert np.array_equal(np.array(ds.pixel_array), _reference(other_data)), (state, layout)
    n = spec.frames
    expected = _reference(other_data)
    for k in range(n):
        assert np.array_equal(ds.frame(k), expected if n == 1 else expected[k]), (state, layout)
    ds.close()

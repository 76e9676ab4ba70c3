"""decode(encode(x)) == x for every lossless codec lazydcm encodes, over the native layouts
each accepts (PS3.5 8.2: monochrome 8/16-bit signed or unsigned with any Bits Stored the
codec takes, and 8-bit three-sample colour). Decoding goes through ``lazydcm.pixels.codecs``,
whose plugins are independent of the encoders."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from lazydcm.pixels.codecs import decode_frame
from lazydcm.pixels.encode import (
    HTJ2K_LOSSLESS,
    J2K_LOSSLESS,
    JPEG_LS_LOSSLESS,
    JPEGXL_LOSSLESS,
    RLE_LOSSLESS,
    encode_frame,
)
from lazydcm.pixels.spec import PixelSpec

# codec -> lowest Bits Stored it takes (JPEG-LS: 2, PS3.5 8.2.3)
_LOSSLESS = {
    RLE_LOSSLESS: 1,
    JPEG_LS_LOSSLESS: 2,
    J2K_LOSSLESS: 1,
    HTJ2K_LOSSLESS: 1,
    JPEGXL_LOSSLESS: 1,
}


@st.composite
def cases(draw):
    uid = draw(st.sampled_from(sorted(_LOSSLESS)))
    colour = draw(st.booleans())
    bits = 8 if colour else draw(st.sampled_from([8, 16]))
    stored = draw(st.integers(max(_LOSSLESS[uid], 2), bits))
    signed = 0 if colour or uid == JPEGXL_LOSSLESS else draw(st.integers(0, 1))
    spec = PixelSpec(
        rows=draw(st.integers(1, 24)),
        columns=draw(st.integers(1, 24)),
        samples_per_pixel=3 if colour else 1,
        bits_allocated=bits,
        bits_stored=stored,
        pixel_representation=signed,
        photometric="RGB" if colour else "MONOCHROME2",
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    low, high = (-(2 ** (stored - 1)), 2 ** (stored - 1)) if signed else (0, 2**stored)
    values = rng.integers(low, high, size=spec.frame_shape)
    return uid, spec, values.astype(spec.array_dtype)


@given(cases())
def test_lossless_codecs_round_trip(case):
    uid, spec, arr = case
    data = encode_frame(arr, spec, uid)
    np.testing.assert_array_equal(decode_frame(data, spec, uid), arr)

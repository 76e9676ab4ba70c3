"""Malformed inputs: a valid file with a few mutations (see ``lazydcm.strategies.mutated``).

Besides blind byte changes, the mutations aim at the fields a DICOM reader trusts: length fields,
tags, VRs and item headers. They are found by a rough pattern search of the bytes (two VR letters
after a four-byte tag; the item and delimiter tags), which needs no parser and works on anything.
"""

from __future__ import annotations

import functools
import re
import struct
from typing import Any

from hypothesis import strategies as st

__all__ = ["MUTATIONS", "mutate_once", "mutations", "header_sites"]

MUTATIONS = ("flip", "byte", "truncate", "length", "tag", "vr", "insert", "delete", "duplicate")

_VRS = b"AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV"
_VR_PATTERN = re.compile(rb"(?=[\s\S]{4}(" + b"|".join(re.escape(v) for v in _VRS.split()) + rb"))")
_ITEM_PATTERN = re.compile(rb"(?=\xfe\xff[\x00\x0d\xdd]\xe0|\xff\xfe\xe0[\x00\x0d\xdd])")
_LONG_VRS = frozenset(b"OB OD OF OL OV OW SQ SV UC UN UR UT UV".split())

# Lengths that break readers: zero, odd, one short/long of a boundary, the 16- and 32-bit
# maxima, the undefined length marker, and sizes past any real file.
_LENGTHS_16 = (0, 1, 3, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF)
_LENGTHS_32 = (0, 1, 3, 7, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF, 0x0FFFFFFF)
_TAGS = (
    0xFFFEE000,
    0xFFFEE00D,
    0xFFFEE0DD,
    0x7FE00010,
    0x00020010,
    0x00080005,
    0x00000000,
    0xFFFFFFFF,
    0x00280010,
    0x00280100,
)
_BYTES = (0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF, 0x20, 0x5C, 0x1B)


@functools.lru_cache(maxsize=64)
def header_sites(data: bytes) -> tuple[tuple[tuple[int, int, int], ...], tuple[int, ...]]:
    """Where headers seem to be: ``((offset of the 2-byte VR, length offset, length width),
    ...)`` for explicit VR look-alikes and the offsets of item/delimiter tags."""
    explicit = []
    for match in _VR_PATTERN.finditer(data):
        vr_at = match.start() + 4
        if data[vr_at : vr_at + 2] in _LONG_VRS:
            explicit.append((vr_at, vr_at + 4, 4))
        else:
            explicit.append((vr_at, vr_at + 2, 2))
    items = tuple(m.start() for m in _ITEM_PATTERN.finditer(data))
    return tuple(explicit), items


def _pack(value: int, width: int, little: bool) -> bytes:
    fmt = {2: "H", 4: "I"}[width]
    return struct.pack(("<" if little else ">") + fmt, value)


def _positions(size: int, original: bytes) -> st.SearchStrategy[int]:
    """Offsets in ``[0, size)``: anywhere, or (as often) in or next to a header."""
    anywhere = st.integers(0, size - 1)
    explicit, items = header_sites(original)
    sites = [vr_at - 4 for vr_at, _a, _w in explicit] + list(items)
    if not sites:
        return anywhere
    near = st.tuples(st.sampled_from(sites), st.integers(0, 15)).map(
        lambda t: min(t[0] + t[1], size - 1)
    )
    return st.one_of(anywhere, near)


def mutate_once(draw: Any, data: bytearray, original: bytes) -> None:
    """Apply one drawn mutation to ``data`` in place (``original`` locates header sites)."""
    kind = draw(st.sampled_from(MUTATIONS))
    size = len(data)
    if size == 0:
        data += draw(st.binary(min_size=1, max_size=16))
        return
    position = _positions(size, original)
    if kind == "flip":
        at = draw(position)
        data[at] ^= 1 << draw(st.integers(0, 7))
    elif kind == "byte":
        at = draw(position)
        data[at] = draw(st.one_of(st.sampled_from(_BYTES), st.integers(0, 255)))
    elif kind == "truncate":
        del data[draw(position) :]
    elif kind == "insert":
        at = draw(position)
        data[at:at] = draw(st.binary(min_size=1, max_size=16))
    elif kind == "delete":
        at = draw(position)
        del data[at : at + draw(st.integers(1, 64))]
    elif kind == "duplicate":
        start = draw(position)
        chunk = bytes(data[start : start + draw(st.integers(1, 4096))])
        at = draw(position)
        data[at:at] = chunk
    else:
        _structural(draw, kind, data, original)


def _structural(draw: Any, kind: str, data: bytearray, original: bytes) -> None:
    explicit, items = header_sites(original)
    explicit = tuple(site for site in explicit if site[1] + site[2] <= len(data))
    items = tuple(at for at in items if at + 8 <= len(data))
    little = draw(st.booleans())
    if kind == "length" and (explicit or items):
        use_items = items and (not explicit or draw(st.booleans()))
        if use_items:
            at, width = draw(st.sampled_from(items)) + 4, 4
        else:
            _vr_at, at, width = draw(st.sampled_from(explicit))
        choices = _LENGTHS_16 if width == 2 else _LENGTHS_32
        current = int.from_bytes(original[at : at + width], "little" if little else "big")
        nearby = [
            v
            for v in (current - 2, current - 1, current + 1, current + 2, len(original))
            if 0 <= v < (1 << (8 * width))
        ]
        value = draw(
            st.one_of(
                st.sampled_from(choices + tuple(nearby)), st.integers(0, (1 << (8 * width)) - 1)
            )
        )
        data[at : at + width] = _pack(value, width, little)
    elif kind == "tag" and (explicit or items):
        sites = [vr_at - 4 for vr_at, _a, _w in explicit] + list(items)
        at = draw(st.sampled_from(sites))
        tag = draw(st.one_of(st.sampled_from(_TAGS), st.integers(0, 0xFFFFFFFF)))
        data[at : at + 4] = _pack(tag >> 16, 2, little) + _pack(tag & 0xFFFF, 2, little)
    elif kind == "vr" and explicit:
        vr_at, _a, _w = draw(st.sampled_from(explicit))
        data[vr_at : vr_at + 2] = draw(
            st.one_of(st.sampled_from(_VRS.split()), st.binary(min_size=2, max_size=2))
        )
    elif data:
        at = draw(st.integers(0, len(data) - 1))
        data[at] ^= 0xFF


@st.composite
def mutations(draw: Any, data: Any, max_mutations: int = 4) -> bytes:
    """``data`` (bytes, or a strategy of bytes) with 1 to ``max_mutations`` mutations."""
    original = draw(data) if isinstance(data, st.SearchStrategy) else bytes(data)
    out = bytearray(original)
    for _ in range(draw(st.integers(1, max_mutations))):
        mutate_once(draw, out, original)
        del out[2 * len(original) + 8192 :]  # keep the size bounded
    return bytes(out)

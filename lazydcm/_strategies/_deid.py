"""Datasets for de-identification tests: a planted marker in every text value.

Elements are drawn from the attributes PS3.15 Table E.1-1 lists (text, UID, date and sequence
VRs) and from standard attributes it does not list, plus private blocks; sequences nest items to
``max_depth``. Every text value and every private value carries ``marker``; UIDs are
``2.999.<n>`` and dates real dates, so a test can tell an original from a replacement.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

__all__ = ["deid_datasets", "MARKER"]

#: Upper-case letters only, so it is a valid value of every text VR (CS included).
MARKER = "QZXMARK"
_TEXT = {
    "AE": 16,
    "CS": 16,
    "LO": 64,
    "LT": 200,
    "PN": 64,
    "SH": 16,
    "ST": 200,
    "UC": 64,
    "UT": 200,
}
_DATES = {"DA", "DT", "TM"}


def _pools() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    from lazydcm.deid import _table
    from lazydcm.model import _dictionary

    listed, unlisted = [], []
    for tag, (vr, _vm, _name, keyword, _retired) in _dictionary.ELEMENTS.items():
        group = tag >> 16
        if not keyword or group in (0x0000, 0x0002, 0x0004, 0xFFFE) or tag & 0xFFFF == 0:
            continue
        if vr not in _TEXT and vr not in _DATES and vr not in ("UI", "SQ"):
            continue
        if tag in (0x00080005, 0x00080016, 0x00080018):
            continue  # charset and the SOP identity are set by the builder
        (listed if tag in _table.ACTIONS else unlisted).append((tag, vr))
    return sorted(listed), sorted(unlisted)


_POOLS: tuple[list[tuple[int, str]], list[tuple[int, str]]] | None = None


def _tag_pool() -> st.SearchStrategy[tuple[int, str]]:
    global _POOLS
    if _POOLS is None:
        _POOLS = _pools()
    listed, unlisted = _POOLS
    return st.one_of(st.sampled_from(listed), st.sampled_from(listed), st.sampled_from(unlisted))


@st.composite
def _value(draw: Any, vr: str, marker: str) -> Any:
    if vr in _TEXT:
        room = _TEXT[vr] - len(marker)
        before = draw(st.text("ABC 0123", max_size=min(room, 6)))
        return (before + marker).strip() or marker
    if vr == "UI":
        return f"2.999.{draw(st.integers(1, 10**12))}"
    if vr == "DA":
        return draw(st.sampled_from(["20200131", "19991231", "20240229"]))
    if vr == "TM":
        return draw(st.sampled_from(["101010", "235959.5", "0000"]))
    return draw(st.sampled_from(["20200131101010", "20200131101010.25+0100", "2020"]))


@st.composite
def _fill(draw: Any, ds: Any, marker: str, depth: int, max_depth: int) -> None:
    from lazydcm.model.dataset import Dataset
    from lazydcm.model.sequence import Sequence

    for tag, vr in draw(st.lists(_tag_pool(), max_size=8, unique_by=lambda e: e[0])):
        if vr == "SQ":
            if depth >= max_depth:
                continue
            items = []
            for _ in range(draw(st.integers(1, 2))):
                item = Dataset()
                draw(_fill(item, marker, depth + 1, max_depth))
                items.append(item)
            ds.add_new(tag, "SQ", Sequence(items))
        else:
            ds.add_new(tag, vr, draw(_value(vr, marker)))
    if draw(st.booleans()):
        group = draw(st.sampled_from([0x0009, 0x0019, 0x7053]))
        creator = draw(st.sampled_from(["ACME 1.0", "Philips PET Private Group"]))
        block = ds.private_block(group, f"{creator}", create=True)
        block.add_new(0x00, "LO", marker)
        block.add_new(0x01, "SH", marker)
        if depth < max_depth:
            item = Dataset()
            draw(_fill(item, marker, depth + 1, max_depth))
            block.add_new(0x02, "SQ", Sequence([item]))


@st.composite
def deid_datasets(draw: Any, *, marker: str = MARKER, max_depth: int = 2) -> Any:
    """A ``lazydcm.Dataset`` built in code (SOP Class/Instance UID set) with the marker planted
    in every text and private value, nested ``max_depth`` deep."""
    from lazydcm.model.dataset import Dataset

    ds = Dataset()
    ds.add_new(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.7")
    ds.add_new(0x00080018, "UI", f"2.999.{draw(st.integers(1, 10**12))}")
    draw(_fill(ds, marker, 0, max_depth))
    return ds

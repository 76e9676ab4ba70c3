"""A small file with one element of each kind, for corrupting one element at a time (issue 10
kind 5), and the display/walk calls that must never fail on it. Built with tests/_build.py."""

from __future__ import annotations

import json
import warnings

from _build import SEQ_DELIM, UNDEFINED, el, item, part10

from lazydcm._cli.inspect import dump_json, dump_text

CODE = el(0x00080100, b"SH", b"AB") + el(0x00080104, b"LO", b"Code name ")
OTHER = el(0x00080100, b"SH", b"CD")
SQ_DEFINED = el(0x00081115, b"SQ", item(el(0x00081150, b"UI", b"1.2.3\0")) + item(OTHER))
SQ_UNDEFINED = el(0x0040A730, b"SQ", item(CODE, undefined=True) + SEQ_DELIM, length=UNDEFINED)
ELEMENTS = [
    el(0x00080060, b"CS", b"MR"),
    SQ_DEFINED,
    el(0x00100010, b"PN", b"Doe^Jane"),
    el(0x00180050, b"DS", b"1.5 "),
    el(0x00280010, b"US", b"\x10\x00"),
    el(0x00280030, b"DS", b"0.5\\0.5 "),
    SQ_UNDEFINED,
    el(0x7FE00010, b"OB", b"\x01\x02\x03\x04"),
]
GOOD = part10(b"".join(ELEMENTS))
BODY_START = len(part10(b""))


def spans() -> list[tuple[int, int]]:
    """(start, stop) of each element's bytes in GOOD."""
    pos, out = BODY_START, []
    for e in ELEMENTS:
        out.append((pos, pos + len(e)))
        pos += len(e)
    return out


def exercise(ds) -> str:
    """Everything that must not fail on any readable dataset; returns the text dump."""
    text = str(ds)
    assert repr(ds) == text
    list(ds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        list(ds.iterall())
        ds.walk(lambda d, e: None)
        problems: list[str] = []
        json.loads(dump_json(ds, None, 1024, None, problems))
        assert dump_text(ds) == text
        for elem in ds:
            dump_text(ds, [int(elem.tag)])
    return text

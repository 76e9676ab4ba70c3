"""``lazydcm dump`` (text and --json) on a file with one element that cannot be decoded: the
element shows its error inline (offset, tag, reason), the rest is dumped, the exit code is 0.
Issue 10 kind 5; the file is built in test code."""

from __future__ import annotations

import json

from _build import BODY, el, item, part10
from _clirun import run

# (0008,1115) SQ of defined length whose content is no item: (0008,0010) where the item tag is
BROKEN_SQ = el(0x00081115, b"SQ", b"\x08\x00\x10\x00\x00\x00\x00\x00")
GOOD_SQ = el(0x0040A730, b"SQ", item(el(0x00080100, b"SH", b"AB")))


def _file(tmp_path):
    path = tmp_path / "odd.dcm"
    path.write_bytes(part10(BODY[:10] + BROKEN_SQ + BODY[10:] + GOOD_SQ))
    return path


def test_dump_text_shows_the_bad_sequence_inline(tmp_path):
    result = run("dump", _file(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    bad = [ln for ln in lines if ln.startswith("(0008,1115)")]
    assert len(bad) == 1 and "<invalid: element (0008,0010) at offset 0x" in bad[0]
    assert "(0010,0010) Patient's Name                      PN: 'Doe^Jane'" in lines
    assert "   (0008,0100) Code Value                          SH: 'AB'" in lines


def test_dump_json_writes_the_bad_sequence_as_un_and_says_why(tmp_path):
    result = run("dump", "--json", _file(tmp_path))
    assert result.returncode == 0, result.stderr
    obj = json.loads(result.stdout)
    assert obj["00081115"]["vr"] == "UN"
    assert obj["00100010"]["Value"] == [{"Alphabetic": "Doe^Jane"}]
    assert obj["0040A730"]["Value"][0]["00080100"]["Value"] == ["AB"]
    assert "written as UN" in result.stderr and "offset 0x" in result.stderr

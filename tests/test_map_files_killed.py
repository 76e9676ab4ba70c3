"""A process running ``lazydcm.archive.map_files`` with worker processes (``lazydcm edit -j N``,
``lazydcm index -j N``...) killed with SIGKILL leaves no worker behind (issue 10, kind 10):
before, the orphaned workers waited forever for work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
REPO = Path(__file__).resolve().parents[1]

CHILD = """
import os, sys, time
from lazydcm.archive import map_files

def slow(item):
    open(os.path.join(sys.argv[1], str(os.getpid())), "w").close()
    time.sleep(60)
    return item

if __name__ == "__main__":
    for _ in map_files(slow, list(range(8)), jobs=2, chunk_size=1):
        pass
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_workers_end_when_the_parent_is_killed(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    (tmp_path / "pids").mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, str(script), str(tmp_path / "pids")], env=env)
    try:
        deadline = time.monotonic() + 60
        while len(os.listdir(tmp_path / "pids")) < 2:
            assert time.monotonic() < deadline, "the workers never started"
            assert child.poll() is None, "the child ended early"
            time.sleep(0.05)
        workers = [int(name) for name in os.listdir(tmp_path / "pids")]
        assert all(_alive(pid) for pid in workers)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:  # do not leak them if the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left, f"workers {left} outlived their killed parent"

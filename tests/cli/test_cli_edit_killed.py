"""A ``lazydcm edit`` batch killed (SIGKILL) while it writes leaves every file whole (the
original or the edited version) and no temporary file behind — with anonymous temporaries
(``O_TMPFILE``) nothing is ever named; with named ones the next write to the directory reclaims
the dead writer's file (``lazydcm.io.writer``)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import warnings

import pydicom
import pytest
from _clirun import REPO, run_python
from _corpus import test_file

from lazydcm.io import writer
from lazydcm.io.writer import TEMP_SUFFIX

# The real CLI in a child whose writer, with "slow", pauses after its first bytes (so the kill
# lands mid-write) and, with "named", has its anonymous-temporary path switched off (as on a
# platform or filesystem without O_TMPFILE).
CHILD = """
import sys, time
from lazydcm.io import writer
if sys.argv[1] == "named":
    writer._open_anonymous = lambda directory: None
real_emit = writer._Copier.emit
def slow_emit(self, data):
    real_emit(self, data)
    print("writing", flush=True)
    time.sleep(60)
if sys.argv[2] == "slow":
    writer._Copier.emit = slow_emit
from lazydcm.cli import main
sys.exit(main(sys.argv[3:]))
"""

FILES = {"ct.dcm": "CT_small.dcm", "mr.dcm": "MR_small.dcm", "rt.dcm": "rtplan.dcm"}
NEW_NAME = "Killed^Mid Write^With A^Much^Longer Name"


def _temps(root):
    return sorted(p.name for p in root.iterdir() if p.name.endswith(TEMP_SUFFIX))


@pytest.mark.parametrize("mode", ["anonymous", "named"])
def test_killed_batch_edit_leaves_nothing_behind(tmp_path, mode):
    root = tmp_path / "tree"
    root.mkdir()
    for name, source in FILES.items():
        shutil.copyfile(test_file(source), root / name)
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            mode,
            "slow",
            "edit",
            str(root),
            "--recursive",
            "--in-place",
            "--jobs",
            "1",
            "--set",
            f"PatientName={NEW_NAME}",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "writing", child.stderr.read()
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    for name in FILES:  # each file is whole: the original, untouched
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert pydicom.dcmread(root / name).PatientName != NEW_NAME
    anonymous = mode == "anonymous" and writer._open_anonymous(str(root)) is not None
    if anonymous:
        assert _temps(root) == []
    else:
        assert len(_temps(root)) == 1  # the dead writer's, unlocked
    # the next batch (on the same platform) reclaims it and finishes the job
    result = run_python(
        CHILD,
        mode,
        "fast",
        "edit",
        root,
        "--recursive",
        "--in-place",
        "--set",
        f"PatientName={NEW_NAME}",
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert _temps(root) == []
    assert sorted(p.name for p in root.iterdir()) == sorted(FILES)
    for name in FILES:
        assert pydicom.dcmread(root / name).PatientName == NEW_NAME

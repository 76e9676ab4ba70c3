"""Run the ``lazydcm`` command in a real subprocess, as a user would (``python -m lazydcm``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run(
    *args: object, cwd: object = None, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m lazydcm ARGS...``; returns the completed process (text stdout/stderr)."""
    environ = dict(os.environ)
    environ.pop("COLUMNS", None)
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "lazydcm", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environ,
    )


def run_python(
    code: str, *args: object, cwd: object = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python -c CODE ARGS...`` (for runs that need a changed environment inside Python)."""
    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )

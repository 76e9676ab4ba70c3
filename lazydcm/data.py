"""pydicom's ``data`` module, for the sample files lazydcm ships in ``data/``.

``get_testdata_file(name)`` gives the path of one sample (``read=True``: the opened dataset);
``get_testdata_files(pattern)`` lists those matching a glob pattern. The samples live in the
source tree's ``data/`` directory (see ``data/README.md``); nothing is downloaded.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any

__all__ = ["DATA_ROOT", "get_testdata_file", "get_testdata_files"]

#: The directory of the sample files (``data/`` next to the package).
DATA_ROOT = Path(__file__).resolve().parent.parent / "data"


def _samples() -> list[Path]:
    if not DATA_ROOT.is_dir():
        return []
    return sorted(p for p in DATA_ROOT.iterdir() if p.suffix == ".dcm" or p.name == "DICOMDIR")


def get_testdata_files(pattern: str = "**/*") -> list[str]:
    """Paths (as ``str``) of the sample files whose name matches ``pattern`` (a glob; ``*``
    and ``**/*`` match all), sorted."""
    name_pattern = pattern.rsplit("/", 1)[-1]
    return [str(p) for p in _samples() if fnmatch.fnmatch(p.name, name_pattern)]


def get_testdata_file(name: str, read: bool = False) -> Any:
    """The path of sample ``name`` (e.g. ``"ct_slice.dcm"``), or None when there is no such
    sample; with ``read=True`` the sample opened with ``dcmread``."""
    for path in _samples():
        if path.name == name:
            if read:
                from lazydcm.model.filedataset import dcmread

                return dcmread(path)
            return str(path)
    return None

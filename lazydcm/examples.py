"""pydicom 3's ``examples`` module over the sample files lazydcm ships in ``data/``.

``from lazydcm import examples`` then ``examples.ct`` opens a sample as a new
:class:`~lazydcm.dataset.FileDataset` on every access (lazily, as ``dcmread`` does; the
dataset's mapping lives until it is closed or garbage-collected), and
``examples.get_path("ct")`` gives its path as a ``pathlib.Path``. The names are pydicom's
where a sample of that kind exists; the samples themselves are lazydcm's own (made by
``data/make_data.py``, see ``data/README.md``), so their values differ from pydicom's files.

- ``ct``: ``ct_slice.dcm``, CT Image Storage, Explicit VR Little Endian
- ``ct_implicit``: ``ct_implicit.dcm``, CT Image Storage, Implicit VR Little Endian
- ``mr``: ``mr_big_endian.dcm``, MR Image Storage, Explicit VR Big Endian
- ``rt_plan``: ``rtplan.dcm``, RT Plan Storage
- ``multiframe``: ``multiframe.dcm``, Multi-frame Grayscale Byte SC Image Storage

pydicom's other names (``rt_dose``, ``rt_ss``, ``overlay``, ``waveform``, ``rgb_color``,
``palette_color``, ``ybr_color``, ``jpeg2k``, ``dicomdir``) have no sample here: reading
them raises ``AttributeError`` and ``get_path`` raises ``ValueError``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lazydcm.data import DATA_ROOT

__all__ = ["get_path"]  # and, through __getattr__, the dataset names above

_FILES = {
    "ct": "ct_slice.dcm",
    "ct_implicit": "ct_implicit.dcm",
    "mr": "mr_big_endian.dcm",
    "rt_plan": "rtplan.dcm",
    "multiframe": "multiframe.dcm",
}


def get_path(name: str) -> Path:
    """The path of example ``name`` (one of the module's dataset names, e.g. ``"ct"``).

    Raises ``ValueError`` for a name with no sample, or when the sample file is missing
    (an installation without the source tree's ``data/`` directory).
    """
    try:
        path = DATA_ROOT / _FILES[name]
    except KeyError:
        raise ValueError(
            f"no example dataset {name!r}; the examples are {', '.join(sorted(_FILES))}"
        ) from None
    if not path.is_file():
        raise ValueError(f"example dataset {name!r} is not installed (looked for {path})")
    return path


def __getattr__(name: str) -> Any:
    """``examples.<name>``: the sample opened with ``dcmread`` (a new dataset each time)."""
    if name not in _FILES:
        raise AttributeError(f"module 'lazydcm.examples' has no attribute {name!r}")
    from lazydcm.model.filedataset import dcmread

    return dcmread(get_path(name))


def __dir__() -> list[str]:
    return sorted([*globals(), *_FILES])

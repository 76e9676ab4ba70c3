"""lazydcm: lazy, memory-mapped DICOM reading and copy-through writing.

The pydicom-style API — ``dcmread``/``read_file``, ``Dataset``, ``DataElement``, ``Tag``,
``Sequence``, ``pixel_array``, ``save_as``/``dcmwrite``/``write_file`` — over a one-pass offset
index of a memory-mapped file, with values decoded on first access and a writer that copies
every unchanged byte range.
"""

from __future__ import annotations

import os
from typing import Any

from lazydcm.errors import InvalidDicomError
from lazydcm.model.dataset import Dataset
from lazydcm.model.edit import EditReport, edit
from lazydcm.model.element import DataElement
from lazydcm.model.filedataset import FileDataset, ReadOptions, dcmread, read_file
from lazydcm.model.save import FilePlan, file_plan
from lazydcm.model.sequence import Sequence
from lazydcm.model.tag import Tag
from lazydcm.model.uid import UID

__version__ = "0.1.0"

__all__ = [
    "DataElement",
    "Dataset",
    "EditReport",
    "FileDataset",
    "FilePlan",
    "InvalidDicomError",
    "ReadOptions",
    "Sequence",
    "Tag",
    "UID",
    "__version__",
    "dcmread",
    "dcmwrite",
    "edit",
    "plan",
    "read_file",
    "write_file",
]


def dcmwrite(
    filename: str | os.PathLike | Any,
    dataset: Dataset,
    *,
    transfer_syntax: str | None = None,
    enforce_file_format: bool = False,
    **options: Any,
) -> int:
    """Write ``dataset`` to ``filename`` (path or binary file object); see ``Dataset.save_as``.

    Returns the number of bytes written.
    """
    return dataset.save_as(
        filename,
        transfer_syntax=transfer_syntax,
        enforce_file_format=enforce_file_format,
        **options,
    )


write_file = dcmwrite


def plan(dataset: Dataset, **options: Any) -> FilePlan:
    """What ``save_as`` would write: the ``Copy``/``Emit`` segments of the whole file."""
    return file_plan(dataset, **options)


# pydicom's modules are attributes of the package once imported (``import pydicom`` then
# ``pydicom.uid.ExplicitVRLittleEndian``); lazydcm's faces are imported on first attribute
# access instead (PEP 562), so ``import lazydcm`` and ``dcmread`` stay free of them.
_FACES = frozenset(
    [
        "data",
        "dataelem",
        "datadict",
        "dataset",
        "encaps",
        "examples",
        "filereader",
        "fileset",
        "filewriter",
        "pixels",
        "sequence",
        "tag",
        "uid",
        "valuerep",
    ]
)


def __getattr__(name: str) -> Any:
    """``lazydcm.<face>``: the face module, imported now; AttributeError for anything else."""
    if name in _FACES:
        import importlib

        try:
            return importlib.import_module(f"lazydcm.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"lazydcm.{name}":
                raise
    raise AttributeError(f"module 'lazydcm' has no attribute {name!r}")

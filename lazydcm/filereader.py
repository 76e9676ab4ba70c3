"""pydicom's ``filereader`` module as a face over :mod:`lazydcm.model.filedataset`.

``dcmread``/``read_file`` open lazily (nothing decoded until read); ``read_file_meta_info``
returns only the file meta group; ``read_dicomdir`` reads a DICOMDIR (PS3.10 8.6) and checks
that it is one.
"""

from __future__ import annotations

from typing import Any

from lazydcm.errors import InvalidDicomError
from lazydcm.model.filedataset import FileDataset, ReadOptions, dcmread, read_file
from lazydcm.model.filemeta import FileMetaDataset

__all__ = ["ReadOptions", "dcmread", "read_dicomdir", "read_file", "read_file_meta_info"]

#: PS3.4 Annex F / PS3.6 Annex A: the SOP class of a DICOMDIR.
_MEDIA_STORAGE_DIRECTORY = "1.2.840.10008.1.3.10"


def read_file_meta_info(filename: Any) -> FileMetaDataset:
    """The File Meta Information (group 0002, PS3.10 7.1) of a Part 10 file, as a
    ``FileMetaDataset`` whose values are decoded (so it outlives the file, which is closed).

    Raises ``InvalidDicomError`` (``NotDicomError`` without preamble and ``DICM``) and
    ``OSError`` as :func:`dcmread`.
    """
    ds = dcmread(filename)
    try:
        meta = FileMetaDataset(ds.file_meta)  # copies decoded values out of the mapping
    finally:
        ds.close()
    return meta


def read_dicomdir(filename: Any = "DICOMDIR") -> FileDataset:
    """Read a DICOMDIR file lazily and return its ``FileDataset``.

    Raises ``InvalidDicomError`` when the file's Media Storage SOP Class UID is not Media
    Storage Directory Storage (PS3.10 8.6), besides what :func:`dcmread` raises. For finding
    and adding instances, use :class:`lazydcm.fileset.FileSet`.
    """
    ds = dcmread(filename)
    sop = str(ds.file_meta.get("MediaStorageSOPClassUID") or "").strip("\0 ")
    if sop != _MEDIA_STORAGE_DIRECTORY:
        ds.close()
        raise InvalidDicomError(
            f"not a DICOMDIR: Media Storage SOP Class UID is {sop or 'missing'!s}, "
            f"not {_MEDIA_STORAGE_DIRECTORY} (PS3.10 8.6)",
            tag=0x00020002,
        )
    return ds

"""pydicom's ``dataset`` module as a face: the dataset classes of :mod:`lazydcm.model`.

``Dataset`` (a lazy index plus an edit overlay), ``FileDataset`` (a dataset read from, or bound
to, a Part 10 file), ``FileMetaDataset`` (group 0002 only, PS3.10 7.1), ``PrivateBlock`` and
:func:`validate_file_meta`. Nothing here is a second implementation.
"""

from lazydcm.model._dataset_compat import validate_file_meta
from lazydcm.model.dataset import Dataset, PrivateBlock
from lazydcm.model.filedataset import FileDataset
from lazydcm.model.filemeta import FileMetaDataset

__all__ = ["Dataset", "FileDataset", "FileMetaDataset", "PrivateBlock", "validate_file_meta"]

"""pydicom's ``filewriter`` module as a face: ``dcmwrite``/``write_file`` (the copy-through
writer, with pydicom's options translated by :mod:`lazydcm.model._write_compat`)."""

from lazydcm import dcmwrite, write_file

__all__ = ["dcmwrite", "write_file"]

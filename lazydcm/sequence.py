"""pydicom's ``sequence`` module as a face: :class:`lazydcm.model.sequence.Sequence`."""

from lazydcm.model.sequence import Sequence

__all__ = ["Sequence"]

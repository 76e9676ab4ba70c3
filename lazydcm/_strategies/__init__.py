"""Private parts of :mod:`lazydcm.strategies` (hypothesis strategies for DICOM round trips).

Everything here is independent of lazydcm's own readers and writers: the encoder in
:mod:`._encoder` writes DICOM bytes from plain descriptions (:mod:`._spec`) with nothing but
``struct``, ``zlib`` and Python's codecs, so that property tests comparing lazydcm against it
are not circular.
"""

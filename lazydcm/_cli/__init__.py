"""Private modules of the ``lazydcm`` command (see :mod:`lazydcm.cli`)."""

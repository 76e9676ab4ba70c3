"""``python -m lazydcm``: the ``lazydcm`` command (see :mod:`lazydcm.cli`)."""

from lazydcm.cli import main

raise SystemExit(main())

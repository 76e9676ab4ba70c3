"""What a read does with the deviations the scanner tolerated (``docs/deviations.md``).

The scanner (``lazydcm.io.scanner``) reads past bytes that carry no information — a lone Item
Delimitation Item, a stray Sequence Delimitation Item, NUL padding after the last element — and
notes each on the index it builds (``ElementIndex.deviations``, InvalidDicomError instances
naming offset and tag). The reader's options say what the user hears of them.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

__all__ = ["MODES", "report"]

#: ``ReadOptions.on_deviation`` values: warn once per dataset level, say nothing, or raise.
MODES = ("warn", "ignore", "raise")


def report(deviations: Sequence[Exception], mode: str, where: str, *, stacklevel: int) -> None:
    """Warn about, ignore, or raise the first of ``deviations`` (as ``mode`` says).

    Args:
        deviations: the index's ``deviations`` (file order).
        mode: one of :data:`MODES`.
        where: the file name or a description of the dataset level, for the warning.
        stacklevel: passed to :func:`warnings.warn` so the warning points at the user's call.

    Raises:
        InvalidDicomError: the first deviation, when ``mode`` is ``"raise"``.
    """
    if not deviations or mode == "ignore":
        return
    if mode == "raise":
        raise deviations[0]
    listed = "; ".join(str(d) for d in deviations[:3])
    more = f" (and {len(deviations) - 3} more)" if len(deviations) > 3 else ""
    warnings.warn(
        f"{where}: tolerated {listed}{more}; pass ReadOptions(on_deviation='raise') to refuse",
        stacklevel=stacklevel + 1,
    )

"""pydicom's ``save_as``/``dcmwrite`` options, translated to the copy-through writer's.

``save_compat(ds, dest, ...)`` accepts the keyword arguments pydicom documents and calls
:func:`lazydcm.model.save.save` — the one writer — with a transfer syntax and
``enforce_file_format``:

* ``write_like_original`` (pydicom 1.x/2.x, default True): False means
  ``enforce_file_format=True`` (preamble, ``DICM`` and a meta group are written).
* ``implicit_vr`` / ``little_endian`` (pydicom 3): the encoding of a dataset whose file meta
  names no transfer syntax; implicit VR big endian does not exist (PS3.5 A.1-A.3) and is a
  ``ValueError``, and so is a pair that contradicts the file meta's Transfer Syntax UID.
  Without them, a dataset built in code uses the ``is_implicit_VR``/``is_little_endian`` the
  user set (pydicom 1.x's write flow).
* ``overwrite`` (pydicom 3, default True): False raises ``FileExistsError`` when the
  destination path exists (checked just before writing).
"""

from __future__ import annotations

import os
from typing import Any

from lazydcm.io.syntax import EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE, layout_for

__all__ = ["save_compat", "syntax_for"]


def syntax_for(implicit_vr: bool, little_endian: bool) -> str:
    """The transfer syntax UID of an uncompressed encoding (PS3.5 A.1-A.3).

    Raises ``ValueError`` for implicit VR big endian, which the standard does not define."""
    if implicit_vr and not little_endian:
        raise ValueError("implicit VR big endian is not a DICOM transfer syntax (PS3.5 A.1)")
    if implicit_vr:
        return IMPLICIT_LE
    return EXPLICIT_LE if little_endian else EXPLICIT_BE


def _meta_syntax(ds: Any) -> str | None:
    meta = getattr(ds, "file_meta", None)
    if meta is None:
        return None
    value = meta.get("TransferSyntaxUID")
    return str(value).strip("\0 ") or None if value else None


def _choose_syntax(
    ds: Any,
    transfer_syntax: str | None,
    implicit_vr: bool | None,
    little_endian: bool | None,
) -> str | None:
    meta_ts = _meta_syntax(ds)
    if implicit_vr is not None or little_endian is not None:
        chosen = transfer_syntax or meta_ts
        if chosen is not None:
            layout = layout_for(chosen)
            if (implicit_vr is not None and implicit_vr != layout.implicit_vr) or (
                little_endian is not None and little_endian != layout.little_endian
            ):
                raise ValueError(
                    f"implicit_vr={implicit_vr}, little_endian={little_endian} contradict the "
                    f"transfer syntax {chosen}: change one or the other"
                )
            return transfer_syntax
        implicit = bool(implicit_vr) if implicit_vr is not None else False
        little = bool(little_endian) if little_endian is not None else True
        return syntax_for(implicit, little)
    if transfer_syntax is not None or meta_ts is not None or ds.index is not None:
        return transfer_syntax
    # Built in code, no syntax anywhere: the encoding the user declared (pydicom 1.x flow).
    declared_implicit, declared_little = ds.is_implicit_VR, ds.is_little_endian
    if declared_implicit is None and declared_little is None:
        return None
    return syntax_for(
        bool(declared_implicit),
        True if declared_little is None else bool(declared_little),
    )


def save_compat(
    ds: Any,
    dest: Any,
    *,
    transfer_syntax: str | None = None,
    enforce_file_format: bool = False,
    write_like_original: bool | None = None,
    implicit_vr: bool | None = None,
    little_endian: bool | None = None,
    overwrite: bool = True,
    **options: Any,
) -> int:
    """Write ``ds`` to ``dest`` through :func:`lazydcm.model.save.save` after translating
    pydicom's options (module docstring). Returns the number of bytes written.

    Raises ``ValueError`` for contradictory encoding options, ``FileExistsError`` when
    ``overwrite`` is False and ``dest`` exists, and whatever ``save`` raises."""
    from lazydcm.model.save import save

    if write_like_original is not None and not write_like_original:
        enforce_file_format = True
    ts = _choose_syntax(ds, transfer_syntax, implicit_vr, little_endian)
    if not overwrite and isinstance(dest, (str, os.PathLike)) and os.path.exists(dest):
        raise FileExistsError(f"{os.fspath(dest)!r} exists and overwrite=False")
    return save(ds, dest, transfer_syntax=ts, enforce_file_format=enforce_file_format, **options)

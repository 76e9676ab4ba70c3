"""De-identify files: one file (``deidentify_file``) and the picklable task the command and
``lazydcm.dask`` map over many (``DeidTask``)."""

from __future__ import annotations

import os
from typing import Any

import attrs

import lazydcm
from lazydcm.deid.engine import DeidReport, deidentify
from lazydcm.deid.profile import Profile
from lazydcm.model.filedataset import ReadOptions

__all__ = ["FileResult", "DeidTask", "deidentify_file", "dask_bag"]

#: A file cut short is refused (PS3.10 7), as ``lazydcm edit`` does.
_READ = ReadOptions(on_truncation="raise")
#: Media Storage Directory Storage (PS3.4 Annex I): a DICOMDIR
_DICOMDIR_CLASS = "1.2.840.10008.1.3.10"


@attrs.frozen
class FileResult:
    """One file of a de-identification run: ``path`` read, ``output`` written (None when it
    failed), ``report`` (None when it failed), ``bytes_written`` and ``error`` (the error class
    and message, naming offset and tag for bad DICOM; None when it worked)."""

    path: str
    output: str | None
    report: DeidReport | None = None
    bytes_written: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def deidentify_file(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    profile: Profile | None = None,
    key: bytes | str = b"",
    *,
    fsync: bool = True,
    overwrite: bool = False,
) -> FileResult:
    """Read ``src``, de-identify it (:func:`deidentify`) and write ``dst`` by copy-through:
    pixel data and every untouched range are copied from ``src``, only changed elements are
    encoded. ``dst`` is written to a temporary file and renamed (atomic); its directory is
    created. Raises ``FileExistsError`` when ``dst`` exists and ``overwrite`` is False (checked
    before anything is read), ``InvalidDicomError``/``OSError`` for unreadable input, and
    ``ValueError`` for a DICOMDIR: its directory records point at each other by byte offset
    (PS3.3 F.3.2.2), which replaced UIDs and removed elements would leave stale; build a new
    DICOMDIR over the de-identified files instead.
    """
    dst = os.fspath(dst)
    if not overwrite and os.path.lexists(dst):
        raise FileExistsError(f"{dst} exists: refusing to write over it")
    with lazydcm.dcmread(src, options=_READ) as ds:
        meta = getattr(ds, "file_meta", None)
        sop_class = None if meta is None else meta.get(0x00020002)
        if sop_class is not None and str(sop_class.value or "").strip("\0 ") == _DICOMDIR_CLASS:
            raise ValueError(
                "a DICOMDIR: its record offsets (PS3.3 F.3.2.2) would be stale after"
                " de-identification; build a new one over the de-identified files"
            )
        report = deidentify(ds, profile, key)
        parent = os.path.dirname(dst)
        if parent:
            os.makedirs(parent, exist_ok=True)
        written = ds.save_as(dst, fsync=fsync)
    return FileResult(os.fspath(src), dst, report, written)


@attrs.frozen
class DeidTask:
    """``deidentify_file`` as a picklable callable of ``(src, dst)`` that reports a failure in
    its :class:`FileResult` instead of raising (the rest of a batch goes on)."""

    profile: Profile
    key: bytes
    fsync: bool = True

    def __call__(self, job: tuple[str, str]) -> FileResult:
        src, dst = job
        try:
            return deidentify_file(src, dst, self.profile, self.key, fsync=self.fsync)
        except Exception as exc:  # noqa: BLE001 - reported per file; the write is atomic
            from lazydcm.archive import describe_error

            return FileResult(src, None, error=describe_error(exc))


def dask_bag(
    jobs: list[tuple[str, str]],
    profile: Profile | None = None,
    key: bytes | str = b"",
    *,
    fsync: bool = True,
    npartitions: int | None = None,
) -> Any:
    """A dask bag of :class:`FileResult`, one per ``(src, dst)`` job (``lazydcm[dask]``): compute
    it on any scheduler; workers need the files at the same paths. No state is shared between
    tasks: the keyed mapping gives every worker the same UIDs. Raises ``ImportError`` without
    dask."""
    import dask.bag as db

    from lazydcm.deid.keyed import as_key

    task = DeidTask(profile or Profile(), as_key(key), fsync)
    parts = npartitions or max(1, min(len(jobs), 64))
    return db.from_sequence(list(jobs), npartitions=parts).map(task)

"""A stand-in corpus made from the sample files that pydicom ships in its wheel.

A fresh clone has no ``../shared/corpus``; outside CI the corpus tests then run on the DICOM files
under ``pydicom/data/test_files`` and ``pydicom/data/palettes`` (pydicom is a test dependency).
They are copied, once per pydicom version, into a directory named ``corpus`` under the system's
temporary directory (never into the repository), laid out as in the shared corpus
(``pydicom-<version>/test_files/...``), with a ``CATALOG.tsv`` made the way the shared one was:
by reading each file with pydicom (without, then with ``force``) and decoding its pixel data.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
import warnings
from pathlib import Path

#: bump when the catalog's columns or rules change (a stale copy is then rebuilt)
_FORMAT = "2"
#: files of the wheel that are not DICOM but that tests use as such (a README, a gzip file)
_KEEP_NOT_DICOM = {"README.txt", "zipMR.gz"}
_COLUMNS = [
    "path", "size_bytes", "pydicom_readable", "read_error", "has_preamble",
    "transfer_syntax_uid", "pixel_array_decodes", "pixel_error", "specific_character_set",
]  # fmt: skip
_PIXEL_KEYWORDS = ("PixelData", "FloatPixelData", "DoubleFloatPixelData")


def wheel_data() -> Path:
    """pydicom's installed ``data`` directory (holds ``test_files`` and ``palettes``)."""
    import pydicom.data

    return Path(pydicom.data.__file__).resolve().parent


def _row(path: Path, rel: str) -> dict[str, str] | None:
    """The catalog row of one file, or None when pydicom cannot read it at all (not DICOM)."""
    import pydicom

    row = dict.fromkeys(_COLUMNS, "")
    row["path"], row["size_bytes"] = rel, str(path.stat().st_size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ds = pydicom.dcmread(path)
            row["pydicom_readable"] = "y"
        except Exception as exc:  # noqa: BLE001 - recorded, as in the shared catalog
            try:
                ds = pydicom.dcmread(path, force=True)
                list(ds)
                if len(ds) == 0:
                    return None
                row["pydicom_readable"] = "y(force)"
                row["read_error"] = f"without force: {type(exc).__name__}: {exc}"[:200]
            except Exception:  # noqa: BLE001 - not DICOM
                return None
        with path.open("rb") as fh:
            head = fh.read(132)
        row["has_preamble"] = "y" if head[128:132] == b"DICM" else "n"
        meta = getattr(ds, "file_meta", None)
        row["transfer_syntax_uid"] = str(meta.get("TransferSyntaxUID", "")) if meta else ""
        charset = ds.get("SpecificCharacterSet")
        if charset is not None:
            values = charset if isinstance(charset, list | tuple) else [charset]
            row["specific_character_set"] = "\\".join(str(v) for v in values)
        if any(k in ds for k in _PIXEL_KEYWORDS):
            try:
                ds.pixel_array  # noqa: B018 - decoding is the point
                row["pixel_array_decodes"] = "y"
            except Exception as exc:  # noqa: BLE001 - recorded
                row["pixel_array_decodes"] = "n"
                row["pixel_error"] = f"{type(exc).__name__}: {exc}"[:200]
    return row


def build(root: Path) -> None:
    """Copy the wheel's DICOM files under ``root`` and write ``root/CATALOG.tsv``."""
    import pydicom

    data = wheel_data()
    top = f"pydicom-{pydicom.__version__}"
    rows = []
    for sub in ("test_files", "palettes"):
        for path in sorted((data / sub).rglob("*")):
            if not path.is_file():
                continue
            rel = f"{top}/{sub}/{path.relative_to(data / sub).as_posix()}"
            # DICOM files end in .dcm or have no suffix (DICOMDIR trees); pydicom's force
            # would read text (READMEs, dumps, JSON, ICC profiles) as garbage elements
            dicom_name = path.suffix in (".dcm", "") and not path.name.startswith("README")
            row = _row(path, rel) if dicom_name else None
            if row is None and path.name not in _KEEP_NOT_DICOM:
                continue
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            if row is not None and path.name not in _KEEP_NOT_DICOM:
                rows.append(row)
    with (root / "CATALOG.tsv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, _COLUMNS, delimiter="\t")
        writer.writeheader()
        writer.writerows(rows)


def wheel_corpus() -> Path:
    """The stand-in corpus directory (named ``corpus``), built on first use."""
    import pydicom

    base = Path(tempfile.gettempdir()) / f"lazydcm-wheel-corpus-{pydicom.__version__}-{_FORMAT}"
    root = base / "corpus"
    if (root / "CATALOG.tsv").is_file():
        return root
    base.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=base)) / "corpus"
    staging.mkdir()
    build(staging)
    try:
        os.rename(staging, root)  # atomic: a concurrent build that won is kept
    except OSError:
        shutil.rmtree(staging.parent, ignore_errors=True)
    else:
        shutil.rmtree(staging.parent, ignore_errors=True)
    return root

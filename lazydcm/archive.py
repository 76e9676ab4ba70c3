"""Archive-scale work shared by the ``lazydcm`` command and :mod:`lazydcm.dask`.

Two jobs, each a pure per-file function plus a way to run it over many files:

* **index** — :func:`index_file` reads one file's header (never its pixel data) into one row
  of the table whose columns :class:`IndexSpec` fixes: ``path``, ``size``, ``error``, the
  transfer syntax, SOP Class/Instance, Patient/Study/Series identifiers, Modality, Rows,
  Columns, Number of Frames, then the caller's chosen tags. A file that cannot be read is a
  row with ``error`` set, never an exception.
* **edit** — :func:`edit_file` applies a tuple of :class:`Change` to one file with
  :func:`lazydcm.edit` (patched in place when the new values fit, else rewritten atomically)
  and returns a :class:`FileReport`; a failure is a report with ``error`` set, and the file is
  left as it was. ``dry_run`` says what would happen without writing.

:func:`find_files` expands files and directory trees; :func:`map_files` runs a per-file
function over a list of inputs with a process pool (fork context on Linux) and yields results
in input order. Everything passed to workers is picklable (paths, specs, changes); each worker
opens its files itself.
"""

from __future__ import annotations

import contextlib
import functools
import math
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

import attrs

import lazydcm
from lazydcm.errors import InvalidDicomError
from lazydcm.model import dictionary
from lazydcm.model.filedataset import ReadOptions
from lazydcm.model.tag import Tag, tag_repr

__all__ = [
    "Column",
    "IndexSpec",
    "FIXED_COLUMNS",
    "index_file",
    "index_files",
    "IndexTask",
    "EditTask",
    "ConvertTask",
    "ConvertReport",
    "require_pyarrow",
    "pool_context",
    "FoundFile",
    "find_files",
    "Change",
    "parse_set",
    "parse_delete",
    "parse_tag",
    "normalize_changes",
    "FileReport",
    "edit_file",
    "map_files",
    "describe_error",
    "open_checked",
    "value_text",
]

T = TypeVar("T")
R = TypeVar("R")


# -- errors -------------------------------------------------------------------------------------


def describe_error(exc: BaseException) -> str:
    """One line for a per-file failure: the error class and its message (which, for an
    :class:`InvalidDicomError`, names the element's tag and the byte offset)."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{type(exc).__name__}: {exc.strerror}"
    return f"{type(exc).__name__}: {exc}"


# -- reading ------------------------------------------------------------------------------------

#: Edits refuse a file cut short (PS3.10 7: not a whole file) and leave it as it is.
_REFUSE_TRUNCATED = ReadOptions(on_truncation="raise")
#: Scans report a file cut short in their results instead of warning (by ``force``).
_QUIET_TRUNCATED = {f: ReadOptions(force=f, on_truncation="ignore") for f in (False, True)}


def open_checked(path: str | os.PathLike[str], *, force: bool = False) -> tuple[Any, str | None]:
    """``lazydcm.dcmread(path)`` without the truncation warning: returns the dataset and, for
    a file cut short, the problem as :func:`describe_error` text (else None).

    Raises what ``dcmread`` raises (``InvalidDicomError``, ``OSError``).
    """
    ds = lazydcm.dcmread(path, options=_QUIET_TRUNCATED[bool(force)])
    truncation = ds.truncation
    return ds, None if truncation is None else describe_error(truncation)


# -- finding files ------------------------------------------------------------------------------


@attrs.frozen
class FoundFile:
    """One input file: ``path`` to open and ``relative``, its path below the argument it was
    found under (the file name for a file given directly), used to mirror trees on output."""

    path: str
    relative: str


def find_files(
    paths: Iterable[str | os.PathLike[str]], *, recursive: bool = True
) -> list[FoundFile]:
    """Expand ``paths``: files stay (missing ones too, to be reported by whoever opens them),
    directories give every regular file below them in sorted order (symlinked directories are
    not followed; FIFOs, sockets and devices are skipped).

    Raises:
        IsADirectoryError: a directory was given and ``recursive`` is False.
    """
    found: list[FoundFile] = []
    for raw in paths:
        path = os.fspath(raw)
        if not os.path.isdir(path):
            found.append(FoundFile(path, os.path.basename(path)))
            continue
        if not recursive:
            raise IsADirectoryError(f"{path} is a directory (use --recursive)")
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files):
                full = os.path.join(root, name)
                if os.path.isfile(full):
                    found.append(FoundFile(full, os.path.relpath(full, path)))
    return found


# -- the index ----------------------------------------------------------------------------------


@attrs.frozen
class Column:
    """A column of the index: ``name`` and ``kind`` (``"string"``, ``"int64"`` or
    ``"int64list"``, a list of ints: space-separated in CSV); ``tag`` is the element it comes
    from (None for ``path``, ``size``, ``error`` and the frame index columns)."""

    name: str
    kind: str
    tag: int | None = None


FIXED_COLUMNS: tuple[Column, ...] = (
    Column("path", "string"),
    Column("size", "int64"),
    Column("error", "string"),
    Column("TransferSyntaxUID", "string", 0x00020010),
    Column("SOPClassUID", "string", 0x00080016),
    Column("SOPInstanceUID", "string", 0x00080018),
    Column("PatientID", "string", 0x00100020),
    Column("StudyInstanceUID", "string", 0x0020000D),
    Column("SeriesInstanceUID", "string", 0x0020000E),
    Column("Modality", "string", 0x00080060),
    Column("Rows", "int64", 0x00280010),
    Column("Columns", "int64", 0x00280011),
    Column("NumberOfFrames", "int64", 0x00280008),
)
_FIXED_TAGS = {c.tag for c in FIXED_COLUMNS if c.tag is not None}


def parse_tag(text: str) -> Tag:
    """A tag from a keyword (``PatientName``) or hex (``00100010``, ``(0010,0010)``,
    ``0x00100010``). Raises ``ValueError`` naming the text when it is neither."""
    cleaned = text.strip()
    if cleaned.lower().startswith("0x"):
        cleaned = cleaned[2:]
    try:
        return Tag(cleaned)
    except (ValueError, TypeError):
        raise ValueError(
            f"{text!r} is neither a DICOM keyword nor a tag like 00100010 or (0010,0010)"
        ) from None


def _column_name(tag: int) -> str:
    return dictionary.keyword_for(tag) or f"{tag:08X}"


@attrs.frozen(cache_hash=True)
class IndexSpec:
    """Which columns an index has: :data:`FIXED_COLUMNS` then ``extra`` (string columns of
    chosen elements, named by keyword, or by eight hex digits for tags without one), then with
    ``frames`` the frame index (``PixelDataOffset``, ``FrameOffsets``, ``FrameLengths``: see
    :mod:`lazydcm.pixels.frameindex`)."""

    extra: tuple[Column, ...] = ()
    frames: bool = False

    @classmethod
    def from_tags(cls, tags: Iterable[str | int] = ()) -> IndexSpec:
        """A spec for the chosen ``tags`` (keywords, hex text or ints); tags already among
        the fixed columns and repeats are dropped. Raises ``ValueError`` for a bad name."""
        extra: list[Column] = []
        seen = set(_FIXED_TAGS)
        for item in tags:
            tag = int(parse_tag(item)) if isinstance(item, str) else int(Tag(item))
            if tag in seen:
                continue
            seen.add(tag)
            extra.append(Column(_column_name(tag), "string", tag))
        return cls(tuple(extra))

    @property
    def columns(self) -> tuple[Column, ...]:
        if self.frames:
            from lazydcm.pixels.frameindex import FRAME_COLUMNS

            return FIXED_COLUMNS + self.extra + tuple(Column(n, k) for n, k in FRAME_COLUMNS)
        return FIXED_COLUMNS + self.extra

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @functools.cached_property
    def element_columns(self) -> tuple[tuple[Column, Tag], ...]:
        """The columns read from dataset elements, with their tags (the meta group's
        TransferSyntaxUID is read separately)."""
        return tuple(
            (c, Tag(c.tag)) for c in self.columns if c.tag is not None and c.tag >> 16 != 0x0002
        )

    def arrow_schema(self) -> Any:
        """The pyarrow schema of the table (``ImportError`` naming ``lazydcm[parquet]`` when
        pyarrow is missing)."""
        pa = require_pyarrow()
        types = {"string": pa.string(), "int64": pa.int64(), "int64list": pa.list_(pa.int64())}
        return pa.schema([(c.name, types[c.kind]) for c in self.columns])

    def to_arrow(self, rows: Sequence[Mapping[str, Any]]) -> Any:
        """``rows`` (from :func:`index_file`) as a ``pyarrow.Table`` of this schema."""
        pa = require_pyarrow()
        schema = self.arrow_schema()
        arrays = [
            pa.array([row.get(c.name) for row in rows], type=schema.field(c.name).type)
            for c in self.columns
        ]
        return pa.Table.from_arrays(arrays, schema=schema)


def require_pyarrow() -> Any:
    """Import pyarrow or raise ``ImportError`` saying how to get it."""
    try:
        import pyarrow
    except ImportError as exc:
        raise ImportError("writing Parquet needs pyarrow: pip install 'lazydcm[parquet]'") from exc
    return pyarrow


def value_text(elem: Any, *, little_endian: bool = True) -> str:
    """An element's value as one string: text as decoded, numbers as stored (DS/IS keep their
    text), several values joined by backslashes, AT as eight hex digits, binary values as
    base64 of their little endian encoding (``little_endian``: the byte order of the dataset
    the element was read from), a sequence as the DICOM JSON array of its items; ``""`` when
    empty.

    Raises:
        InvalidDicomError: the value's bytes cannot be decoded.
    """
    vr = elem.VR
    if vr == "SQ":
        import json as _json

        from lazydcm.json import to_json_dict

        return _json.dumps([to_json_dict(item) for item in elem.value], allow_nan=False)
    if vr in _BINARY:
        from lazydcm.json import inline_binary

        return inline_binary(elem, little_endian=little_endian)
    value = elem.value
    if isinstance(value, list):
        return "\\".join(_one_text(v) for v in value)
    return _one_text(value)


_BINARY = frozenset({"OB", "OD", "OF", "OL", "OV", "OW", "UN"})


def _one_text(value: Any) -> str:
    if value is None:
        return ""
    original = getattr(value, "original_string", None)
    if isinstance(original, str):  # DS, IS, DA, TM, DT (a PersonName's is bytes or None)
        return original.strip()
    if isinstance(value, Tag):
        return f"{int(value):08X}"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    return str(value)


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    if value is None or value == "":
        return None
    return int(value)


def index_file(
    path: str | os.PathLike[str], spec: IndexSpec = IndexSpec(), *, force: bool = False
) -> dict[str, Any]:
    """One index row for the file at ``path`` (column name -> value, None where absent).

    Only the header is read: the file is mapped and indexed, and only the elements of the
    columns are decoded. A file that cannot be opened or parsed gives a row with ``path``,
    ``size`` (when known) and ``error`` (see :func:`describe_error`); a truncated file or an
    undecodable value fills what it can and sets ``error`` to the first problem. Never raises
    for a bad file. ``force`` reads files without the Part 10 header (no ``DICM``) too.
    """
    row: dict[str, Any] = dict.fromkeys(spec.names)
    row["path"] = os.fspath(path)
    try:
        # The whole file is scanned (pixel data is skipped by its length, not read) so that a
        # file cut short shows up in the error column.
        ds, truncation = open_checked(path, force=force)
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop an archive scan
        row["error"] = describe_error(exc)
        with contextlib.suppress(OSError):
            row["size"] = os.stat(path).st_size
        return row
    row["size"] = ds.file_source.size
    problems: list[str] = [] if truncation is None else [truncation]
    try:
        row["TransferSyntaxUID"] = ds.transfer_syntax_uid
        little = ds.is_little_endian is not False
        for column, tag in spec.element_columns:
            try:
                elem = ds.get(tag)
                if elem is None:
                    continue
                if column.kind == "int64":
                    row[column.name] = _int_or_none(elem.value)
                else:
                    row[column.name] = value_text(elem, little_endian=little)
            except (InvalidDicomError, ValueError, TypeError) as exc:
                problems.append(f"{column.name}: {describe_error(exc)}")
        if spec.frames:
            _add_frame_index(ds, row, problems)
    except Exception as exc:  # noqa: BLE001
        problems.append(describe_error(exc))
    finally:
        ds.close()
    if problems:
        row["error"] = problems[0]
    return row


def _add_frame_index(ds: Any, row: dict[str, Any], problems: list[str]) -> None:
    """Fill the frame index columns of ``row`` (left None without pixel data or for a
    deflated file, whose offsets are not the file's)."""
    from lazydcm.pixels.frameindex import frame_index_of

    if not any(t in ds for t in (0x7FE00010, 0x7FE00008, 0x7FE00009)):
        return
    if ds.source is not ds.file_source:
        return
    try:
        row.update(frame_index_of(ds).row_values())
    except (InvalidDicomError, ValueError) as exc:
        problems.append(f"frames: {describe_error(exc)}")


def index_files(
    paths: Sequence[str], spec: IndexSpec = IndexSpec(), *, jobs: int = 1, force: bool = False
) -> Iterator[dict[str, Any]]:
    """:func:`index_file` for each path, with ``jobs`` processes; rows in input order."""
    return map_files(IndexTask(spec, force), list(paths), jobs=jobs)


@attrs.frozen
class IndexTask:
    """``index_file(path, spec, force=force)`` as a picklable callable of ``path``."""

    spec: IndexSpec
    force: bool = False

    def __call__(self, path: str) -> dict[str, Any]:
        return index_file(path, self.spec, force=self.force)


# -- edits --------------------------------------------------------------------------------------


@attrs.frozen
class Change:
    """One edit: set ``tag`` to ``value`` (checked against ``vr`` when given, else the VR the
    element has in each file or the dictionary's), or delete it (``delete=True``)."""

    tag: Tag = attrs.field(converter=Tag)
    value: Any = None
    vr: str | None = None
    delete: bool = False

    def describe(self) -> str:
        name = dictionary.keyword_for(self.tag) or tag_repr(self.tag)
        return f"delete {name}" if self.delete else f"{name}={self.value!r}"

    def for_edit(self) -> Any:
        """The value to hand to :func:`lazydcm.edit` (None deletes; a fresh element when the VR
        was given explicitly)."""
        if self.delete:
            return None
        if self.vr is not None:
            return lazydcm.DataElement(self.tag, self.vr, self.value)
        return self.value


_INT_VRS = frozenset({"US", "SS", "UL", "SL", "UV", "SV"})
_FLOAT_VRS = frozenset({"FL", "FD"})


def _convert_text(vr: str, text: str, key: str) -> Any:
    """Command-line text to a value ``vr`` accepts (text VRs take the string itself)."""
    kind = vr.split(" or ")[0]
    if text == "":
        return ""  # an empty value (zero length) for any VR
    if kind in _INT_VRS or kind in _FLOAT_VRS:
        convert: Callable[[str], Any] = int if kind in _INT_VRS else float
        try:
            items = [convert(part.strip()) for part in text.split("\\")]
        except ValueError:
            what = "integers" if kind in _INT_VRS else "numbers"
            raise ValueError(f"{key}: {vr} holds {what}, not {text!r}") from None
        return items[0] if len(items) == 1 else items
    if kind == "AT":
        tags = [parse_tag(part) for part in text.split("\\")]
        return tags[0] if len(tags) == 1 else tags
    if kind in _BINARY or kind == "SQ":
        raise ValueError(f"{key}: a {vr} value cannot be given as text")
    return text


def parse_set(spec: str) -> Change:
    """``KEYWORD=VALUE`` (or ``TAG=VALUE``, or ``TAG:VR=VALUE`` for an element the dictionary
    does not know) as a :class:`Change`; the text is converted for the VR (numbers for US,
    FL, ...; ``\\`` separates several values) and checked now.

    Raises:
        ValueError: no ``=``, an unknown keyword, a private/unknown tag without a VR, or a
            value the VR cannot hold.
    """
    key, sep, text = spec.partition("=")
    if not sep:
        raise ValueError(f"--set {spec!r}: expected KEYWORD=VALUE")
    name, colon, given_vr = key.partition(":")
    tag = parse_tag(name)
    vr = given_vr.strip().upper() if colon else None
    dict_vr = vr or dictionary.vr_for(tag)
    if dict_vr in ("UN", "NONE") and vr is None:
        raise ValueError(
            f"--set {spec!r}: {tag_repr(tag)} is not in the DICOM dictionary; "
            f"give its VR as {name.strip()}:VR=VALUE (e.g. {name.strip()}:LO=...)"
        )
    value = _convert_text(dict_vr, text, f"--set {key}")
    try:  # the assignment-time check, now ("US or SS": either VR may take it)
        lazydcm.DataElement(tag, vr or dict_vr, value)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"--set {spec!r}: {exc}") from None
    return Change(tag, value, vr)


def parse_delete(name: str) -> Change:
    """``KEYWORD`` or a tag as a delete :class:`Change`. Raises ``ValueError`` for a bad name."""
    return Change(parse_tag(name), delete=True)


def normalize_changes(changes: Mapping[Any, Any] | Iterable[Change]) -> tuple[Change, ...]:
    """Changes as a tuple of :class:`Change`: from a mapping like :func:`lazydcm.edit` takes
    (keyword or tag -> value, None deletes) or from ``Change`` objects."""
    if isinstance(changes, Mapping):
        out = []
        for key, value in changes.items():
            tag = parse_tag(key) if isinstance(key, str) else Tag(key)
            out.append(Change(tag, delete=True) if value is None else Change(tag, value))
        return tuple(out)
    result = tuple(changes)
    for change in result:
        if not isinstance(change, Change):
            raise TypeError(f"changes are a mapping or Change objects, not {type(change).__name__}")
    return result


@attrs.frozen
class FileReport:
    """What happened to one file of a batch edit.

    Attributes:
        path: the file read.
        output: where the result went (``path`` itself when edited in place), or None.
        strategy: ``"in-place"`` (bytes patched), ``"rewrite"`` (copy-through write),
            ``"unchanged"`` or ``"failed"``; with ``dry_run`` what would be done.
        changed: the tags set or deleted, as ``(gggg,eeee)`` strings.
        bytes_written: bytes patched or written (planned, for a dry run).
        error: why it failed (see :func:`describe_error`), else None.
        dry_run: True when nothing was written.
        plan: for a dry run, one line per change (``(0010,0010) PatientName: 'A' -> 'B'``).
    """

    path: str
    output: str | None
    strategy: str
    changed: tuple[str, ...] = ()
    bytes_written: int = 0
    error: str | None = None
    dry_run: bool = False
    plan: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_dict(self) -> dict[str, Any]:
        """The report as a plain dict (for a DataFrame or JSON)."""
        out = attrs.asdict(self)
        out["changed"] = list(self.changed)
        out["plan"] = list(self.plan)
        return out


def edit_file(
    path: str,
    changes: tuple[Change, ...],
    output: str | None = None,
    *,
    dry_run: bool = False,
    fsync: bool = True,
) -> FileReport:
    """Apply ``changes`` to the file at ``path`` and say what happened; never raises for a bad
    file or value (the report carries the error and nothing is written).

    With ``output`` None the file itself is changed (patched in place when every change keeps
    its encoded length, else rewritten atomically); otherwise the result is written to
    ``output`` (its directory is created) and ``path`` is left alone. ``fsync=False`` skips
    flushing each written file to disk (still atomic: a crash may lose the edit, never the
    file), as :func:`lazydcm.edit` does.
    """
    path = os.fspath(path)
    try:
        if dry_run:
            ds, truncation = open_checked(path)
            try:
                if truncation is not None:  # PS3.10 7: not a whole file; leave it as it is
                    return FileReport(path, output, "failed", error=truncation, dry_run=True)
                return _dry_run(ds, path, changes, output)
            finally:
                ds.close()
        if output is not None and os.path.dirname(output):
            os.makedirs(os.path.dirname(output), exist_ok=True)
        report = lazydcm.edit(
            path,
            {c.tag: c.for_edit() for c in changes},
            output=output,
            read_options=_REFUSE_TRUNCATED,
            fsync=fsync,
        )
        return FileReport(
            path,
            report.output,
            report.strategy,
            tuple(tag_repr(t) for t in report.changed),
            report.bytes_written,
        )
    except Exception as exc:  # noqa: BLE001 - reported per file; lazydcm.edit writes atomically
        return FileReport(path, output, "failed", error=describe_error(exc), dry_run=dry_run)


def _dry_run(ds: Any, path: str, changes: tuple[Change, ...], output: str | None) -> FileReport:
    """What :func:`lazydcm.edit` would do, worked out on the open dataset ``ds`` (the same
    decisions: ``apply_changes`` then ``same_length_patches``), without writing."""
    from lazydcm.model.edit import apply_changes, same_length_patches

    def holder(tag: int) -> Any:  # group 0002 keys go to the meta group (apply_changes)
        return ds.file_meta if tag >> 16 == 0x0002 and ds.file_meta is not None else ds

    before = [holder(change.tag).get(change.tag) for change in changes]
    before_text = ["absent" if elem is None else elem.repval for elem in before]
    tags = apply_changes(ds, {c.tag: c.for_edit() for c in changes})
    lines = []
    for change, old, old_text in zip(changes, before, before_text, strict=True):
        name = dictionary.keyword_for(change.tag) or "(private or unknown)"
        if change.delete:
            after = "(stays absent)" if old is None else "deleted"
        else:
            after = holder(change.tag)[change.tag].repval
        lines.append(f"{tag_repr(change.tag)} {name}: {old_text} -> {after}")
    dest = output if output is not None else path
    in_place = dest == path
    meta_changed = ds.file_meta is not None and ds.file_meta.is_dirty()
    if in_place and not ds.is_dirty() and not meta_changed:
        strategy, size = "unchanged", 0
    else:
        patches = same_length_patches(ds) if in_place else None
        if patches is not None:
            strategy, size = "in-place", sum(len(data) for _, data in patches)
        else:
            strategy, size = "rewrite", lazydcm.plan(ds).size
    return FileReport(
        path,
        dest,
        strategy,
        tuple(tag_repr(t) for t in tags),
        size,
        dry_run=True,
        plan=tuple(lines),
    )


@attrs.frozen
class EditTask:
    """``edit_file(path, changes, output, dry_run=..., fsync=...)`` as a picklable callable of
    a ``(path, output)`` pair (output None: edit in place)."""

    changes: tuple[Change, ...]
    dry_run: bool = False
    fsync: bool = True

    def __call__(self, job: tuple[str, str | None]) -> FileReport:
        path, output = job
        return edit_file(path, self.changes, output, dry_run=self.dry_run, fsync=self.fsync)


# -- converting (lazydcm convert) ---------------------------------------------------------------


@attrs.frozen
class ConvertReport:
    """The outcome for one file: bytes written, or the error as one line."""

    path: str
    output: str
    bytes_written: int = 0
    frames: int = 0
    error: str | None = None


@attrs.frozen
class ConvertTask:
    """Write ``input`` as ``output`` in ``transfer_syntax``, transcoding pixel data one frame
    at a time (``Dataset.save_as``); picklable, for worker processes and Dask. A failure is
    returned in the report, never raised. ``encoder_options``: ``(name, value)`` pairs for the
    codec (``save_as(encoder_options=...)``, e.g. ``("jls_error", 2)``)."""

    transfer_syntax: str
    fsync: bool = True
    encoder_options: tuple[tuple[str, Any], ...] = ()

    def __call__(self, job: tuple[str, str]) -> ConvertReport:
        path, output = job
        try:
            ds, _ = open_checked(path)
            with ds:
                frames = int(ds.get("NumberOfFrames", 1) or 1) if "PixelData" in ds else 0
                os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
                written = ds.save_as(
                    output,
                    transfer_syntax=self.transfer_syntax,
                    fsync=self.fsync,
                    encoder_options=dict(self.encoder_options) or None,
                )
            return ConvertReport(path, output, int(written), frames)
        except Exception as exc:  # noqa: BLE001 - reported per file, the batch goes on
            return ConvertReport(path, output, error=describe_error(exc))


# -- running over many files --------------------------------------------------------------------


def _run_chunk(func: Callable[[T], R], chunk: list[T]) -> list[R]:
    return [func(item) for item in chunk]


def pool_context() -> Any:
    """The multiprocessing context for worker pools: fork on Linux (cheap start, nothing to
    re-import), the platform default elsewhere."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _die_with_parent(parent: int) -> None:
    """Worker initializer: end this worker when the process that started it dies (a killed
    ``lazydcm edit -j N`` left its workers waiting forever for work, each holding the files
    it had open). On Linux the kernel sends SIGKILL (``prctl(PR_SET_PDEATHSIG)``); elsewhere a
    daemon thread checks the parent once a second. A worker killed mid-write leaves nothing
    behind (``lazydcm.io.writer``: anonymous or reclaimed temporaries)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, int(signal.SIGKILL), 0, 0, 0) == 0:  # 1 = PR_SET_PDEATHSIG
            if os.getppid() != parent:  # died before the call: the signal never comes
                os._exit(1)
            return
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="lazydcm-parent-watch", daemon=True).start()


def map_files(
    func: Callable[[T], R], items: Sequence[T], *, jobs: int = 1, chunk_size: int | None = None
) -> Iterator[R]:
    """``func(item)`` for each item, in input order, with ``jobs`` worker processes.

    ``func`` and the items must pickle; ``func`` should report per-item failures in its result
    (an exception it raises propagates and stops the run). Items go to workers in chunks
    (default: small enough to spread the work and keep progress moving). Workers end when
    the calling process dies, even by SIGKILL.
    """
    items = list(items)
    if jobs <= 1 or len(items) <= 1:
        for item in items:
            yield func(item)
        return
    size = chunk_size or max(1, min(64, math.ceil(len(items) / (jobs * 8))))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=pool_context(),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        futures = [pool.submit(_run_chunk, func, chunk) for chunk in chunks]
        try:
            for future in futures:
                yield from future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise

"""``FileSet``: a DICOM File-set and its DICOMDIR (PS3.10 8, PS3.3 Annex F), pydicom's API.

A File-set is a directory tree of DICOM files described by one DICOMDIR file: a Basic Directory
IOD whose Directory Record Sequence (0004,1220) holds a tree of records — PATIENT, STUDY,
SERIES, then one leaf record (IMAGE, RT PLAN, SR DOCUMENT, ...) per file, whose Referenced File
ID (0004,1500) names the file by up to eight path components (PS3.10 8.2). Records point at each
other by byte offset: (0004,1400) the next record at the same level, (0004,1420) the first
record of the level below, and the root level starts at (0004,1200). Offsets count from the
first byte of the DICOMDIR file (PS3.3 F.3.2.1).

``FileSet(path)`` reads a DICOMDIR lazily (the records are the DICOMDIR's own mapped items);
iterate it or ``find(**keywords)`` for :class:`FileInstance` objects, ``instance.load()`` to open
a file. ``add(ds_or_path)`` stages an instance and ``remove(instance)`` stages a removal;
``write(path=None)`` copies added files into the File-set (``PT000000/ST000000/SE000000/
IM000000`` style File IDs), deletes removed ones and writes a new DICOMDIR with recomputed
offsets. A File-set made with ``FileSet()`` is new and needs ``write(path)``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lazydcm.errors import InvalidDicomError
from lazydcm.model.dataset import Dataset
from lazydcm.model.filedataset import FileDataset, dcmread
from lazydcm.model.filemeta import FileMetaDataset
from lazydcm.model.sequence import Sequence
from lazydcm.model.uid import UID, generate_uid

__all__ = ["FileInstance", "FileSet", "RECORD_TYPE_BY_MODALITY", "is_conformant_file_id"]

#: PS3.4 Annex F / PS3.6 Annex A: Media Storage Directory Storage, the DICOMDIR's SOP class.
MEDIA_STORAGE_DIRECTORY = "1.2.840.10008.1.3.10"
_EXPLICIT_LE = "1.2.840.10008.1.2.1"
_IMPLICIT_LE = "1.2.840.10008.1.2"
_NEXT = 0x00041400
_LOWER = 0x00041420
_IN_USE = 0x00041410

#: Leaf record type for the instances a File-set adds, by Modality (PS3.3 F.5); any other
#: modality is an IMAGE record.
RECORD_TYPE_BY_MODALITY = {
    "RTPLAN": "RT PLAN",
    "RTDOSE": "RT DOSE",
    "RTSTRUCT": "RT STRUCTURE SET",
    "RTRECORD": "RT TREAT RECORD",
    "SR": "SR DOCUMENT",
    "PR": "PRESENTATION",
    "KO": "KEY OBJECT DOC",
    "REG": "REGISTRATION",
    "SEG": "SEGMENTATION",
}

# The keys each level's record takes from the instance (PS3.3 F.5.1-F.5.3, F.5.18); Type 1
# keys missing from the instance are written empty.
_LEVEL_KEYS = {
    "PATIENT": ("SpecificCharacterSet", "PatientName", "PatientID"),
    "STUDY": (
        "SpecificCharacterSet",
        "StudyDate",
        "StudyTime",
        "StudyDescription",
        "StudyInstanceUID",
        "StudyID",
        "AccessionNumber",
    ),
    "SERIES": ("SpecificCharacterSet", "Modality", "SeriesInstanceUID", "SeriesNumber"),
    "LEAF": ("SpecificCharacterSet", "InstanceNumber"),
}
_LEVEL_ID = {"PATIENT": "PatientID", "STUDY": "StudyInstanceUID", "SERIES": "SeriesInstanceUID"}
_PREFIX = {"PATIENT": "PT", "STUDY": "ST", "SERIES": "SE", "LEAF": "IM"}


def is_conformant_file_id(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` (relative, ``/``-separated) is a conformant File ID: 1 to 8
    components of 1 to 8 characters from ``A-Z 0-9 _`` (PS3.10 8.2, PS3.12 F.3.4)."""
    parts = Path(path).parts
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
    return 0 < len(parts) <= 8 and all(0 < len(p) <= 8 and set(p) <= allowed for p in parts)


class _Node:
    """One directory record in the tree: its dataset, parent and children (in order)."""

    def __init__(self, record: Dataset, parent: _Node | None) -> None:
        self.record = record
        self.parent = parent
        self.children: list[_Node] = []

    @property
    def record_type(self) -> str:
        return str(self.record.get("DirectoryRecordType", "") or "").strip()

    def ancestors(self) -> list[_Node]:
        out, node = [], self.parent
        while node is not None:
            out.append(node)
            node = node.parent
        return out


class FileInstance:
    """One file of a File-set: its leaf directory record and, through the records above it,
    the patient/study/series keys.

    ``instance.PatientID`` (any keyword) is looked up in the leaf record, then in the records
    above it; ``SOPInstanceUID``, ``SOPClassUID`` and ``TransferSyntaxUID`` are the record's
    Referenced ... in File values. ``path`` is the file's path (for a staged addition, the
    source it will be copied from). ``load()`` opens the file with :func:`dcmread`.
    """

    _ALIASES = {
        "SOPInstanceUID": "ReferencedSOPInstanceUIDInFile",
        "SOPClassUID": "ReferencedSOPClassUIDInFile",
        "TransferSyntaxUID": "ReferencedTransferSyntaxUIDInFile",
    }

    def __init__(self, fileset: FileSet, node: _Node, source: Path | Dataset | None = None) -> None:
        self._fileset = fileset
        self._node = node
        self._source = source  # a staged addition: its file, or the dataset to write

    @property
    def node(self) -> _Node:
        return self._node

    @property
    def for_addition(self) -> bool:
        """True for an instance added since the File-set was last written."""
        return self._source is not None

    @property
    def for_removal(self) -> bool:
        """True for an instance whose removal is staged for the next ``write``."""
        return any(i.node is self._node for i in self._fileset._staged_removals)

    @property
    def is_staged(self) -> bool:
        """True when the instance is staged for addition or removal."""
        return self.for_addition or self.for_removal

    @property
    def file_id(self) -> tuple[str, ...]:
        """The Referenced File ID components (PS3.10 8.2)."""
        value = self._node.record.get("ReferencedFileID")
        if value is None:
            return ()
        return (str(value),) if isinstance(value, str) else tuple(str(v) for v in value)

    @property
    def FileID(self) -> str:  # noqa: N802 (pydicom's name)
        """The File ID as a ``/``-separated path relative to the File-set's root ("" for a
        staged addition, which gets its File ID when written)."""
        return "/".join(self.file_id)

    @property
    def path(self) -> str:
        """Where the file is: under the File-set's root, or (staged) its source path (for a
        staged dataset: the file it was read from, or "" for one built in code)."""
        if isinstance(self._source, Dataset):
            return str(getattr(self._source, "filename", None) or "")
        if self._source is not None:
            return str(self._source)
        return str(Path(self._fileset.path or ".").joinpath(*self.file_id))

    def load(self) -> Dataset:
        """The instance's file opened lazily with :func:`dcmread` (raises as ``dcmread``);
        for an addition staged as a dataset, that dataset itself."""
        if isinstance(self._source, Dataset):
            return self._source
        return dcmread(self.path)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        keyword = self._ALIASES.get(name, name)
        for node in [self._node, *self._node.ancestors()]:
            if keyword in node.record:
                return getattr(node.record, keyword)
        raise AttributeError(f"no {name} in the records of {self.path}")

    def __getitem__(self, key: Any) -> Any:
        """The ``DataElement`` for ``key`` (a keyword, or a tag in any form ``Tag`` takes),
        from the leaf record or the records above it; raises ``KeyError`` when none has it.
        The SOP Instance/Class and Transfer Syntax UIDs map to the record's Referenced ...
        in File elements."""
        if isinstance(key, str):
            key = self._ALIASES.get(key, key)
        for node in [self._node, *self._node.ancestors()]:
            if key in node.record:
                return node.record[key]
        raise KeyError(key)

    def __contains__(self, keyword: str) -> bool:
        try:
            getattr(self, keyword)
        except AttributeError:
            return False
        return True

    def __repr__(self) -> str:
        return f"<FileInstance {'/'.join(self.file_id) or self.path}>"


def _plain(ds: Dataset, skip: tuple[int, ...] = ()) -> Dataset:
    """A dataset built in code with ``ds``'s elements (items copied the same way), so that
    it is written afresh rather than copied from another file."""
    from lazydcm.model.element import DataElement

    out = Dataset()
    for elem in ds:
        if elem.tag in skip:
            continue
        value = Sequence([_plain(item) for item in elem.value]) if elem.VR == "SQ" else elem.value
        out.add(DataElement(elem.tag, elem.VR, value))
    return out


class FileSet:
    """A File-set read from a DICOMDIR (``FileSet(path_or_dataset)``) or new (``FileSet()``).

    Raises ``InvalidDicomError`` when the DICOMDIR is not one (PS3.10 8.6) or its offsets do
    not point at records of its Directory Record Sequence.
    """

    def __init__(self, ds: Any = None) -> None:
        self._roots: list[_Node] = []
        self._staged_removals: list[FileInstance] = []
        self._staged_additions: list[FileInstance] = []
        self._path: Path | None = None
        self._ds: Dataset | None = None
        self.ID: str | None = None
        self.UID: UID = generate_uid()
        #: File-set Descriptor File ID (0004,1141) and its Specific Character Set (0004,1142)
        #: (PS3.3 F.3.2.1); written into the DICOMDIR when set.
        self.descriptor_file_id: str | list[str] | None = None
        self.descriptor_character_set: str | None = None
        self._changed = ds is None
        if ds is None:
            return
        if not isinstance(ds, Dataset):
            ds = dcmread(ds)
        meta = getattr(ds, "file_meta", None)
        sop = str(meta.get("MediaStorageSOPClassUID") or "").strip("\0 ") if meta else ""
        if sop and sop != MEDIA_STORAGE_DIRECTORY:
            raise InvalidDicomError(
                f"not a DICOMDIR: Media Storage SOP Class UID {sop} (PS3.10 8.6)", tag=0x00020002
            )
        self._ds = ds
        filename = getattr(ds, "filename", None)
        self._path = Path(filename).resolve().parent if filename else None
        self.ID = str(ds.get("FileSetID", "") or "") or None
        descriptor = ds.get("FileSetDescriptorFileID")
        self.descriptor_file_id = (
            (list(descriptor) if not isinstance(descriptor, str) else descriptor)
            if descriptor
            else None
        )
        charset = ds.get("SpecificCharacterSetOfFileSetDescriptorFile")
        self.descriptor_character_set = str(charset) if charset else None
        if meta is not None and meta.get("MediaStorageSOPInstanceUID"):
            self.UID = UID(str(meta.MediaStorageSOPInstanceUID))
        self._read_tree(ds)

    # -- reading -----------------------------------------------------------------------------
    def _read_tree(self, ds: Dataset) -> None:
        records = ds.get("DirectoryRecordSequence") or []
        by_offset: dict[int, Dataset] = {}
        for item in records:
            item_record = item.item_record
            if item_record is not None:
                by_offset[int(item_record.header_offset)] = item
        first = ds.get("OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity")
        if by_offset and first:
            self._roots = self._chain(int(first), None, by_offset, set())
        else:  # built in code or no offsets: records in sequence order, one level
            self._roots = [_Node(item, None) for item in records]

    def _chain(
        self, offset: int, parent: _Node | None, by_offset: dict[int, Dataset], seen: set[int]
    ) -> list[_Node]:
        nodes = []
        while offset:
            if offset in seen:
                raise InvalidDicomError("directory record offsets form a loop", offset=offset)
            seen.add(offset)
            record = by_offset.get(offset)
            if record is None:
                raise InvalidDicomError(
                    "a directory record offset points at no record", offset=offset, tag=_NEXT
                )
            node = _Node(record, parent)
            if record.get("RecordInUseFlag", 0xFFFF) != 0:  # 0: inactive (retired flag)
                nodes.append(node)
                lower = record.get("OffsetOfReferencedLowerLevelDirectoryEntity") or 0
                node.children = self._chain(int(lower), node, by_offset, seen)
            offset = int(record.get("OffsetOfTheNextDirectoryRecord") or 0)
        return nodes

    # -- the File-set -------------------------------------------------------------------------
    @property
    def path(self) -> str | None:
        """The File-set's root directory (where its DICOMDIR is), or None before ``write``."""
        return None if self._path is None else str(self._path)

    @property
    def is_staged(self) -> bool:
        """True when the File-set is new or has additions or removals not yet written."""
        return bool(self._changed or self._staged_additions or self._staged_removals)

    def _nodes(self) -> Iterator[_Node]:
        stack = list(reversed(self._roots))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def __iter__(self) -> Iterator[FileInstance]:
        """Every instance (a record with a Referenced File ID), in DICOMDIR order."""
        removed = {id(i.node) for i in self._staged_removals}
        staged = {id(i.node): i for i in self._staged_additions}
        for node in self._nodes():
            if "ReferencedFileID" in node.record and id(node) not in removed:
                yield staged.get(id(node)) or FileInstance(self, node)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def find(self, load: bool = False, **kwargs: Any) -> list[FileInstance]:
        """Instances whose records (leaf or above) have every ``keyword=value`` given; with
        ``load=True`` the files themselves are opened and matched."""
        out = []
        for instance in self:
            source: Any = instance.load() if load else instance
            try:
                if all(getattr(source, k) == v for k, v in kwargs.items()):
                    out.append(instance)
            except AttributeError:
                continue
        return out

    def find_values(
        self,
        elements: str | list[str],
        instances: list[FileInstance] | None = None,
        load: bool = False,
    ) -> list[Any] | dict[str, list[Any]]:
        """The distinct values of ``elements`` (one keyword: a list; several: a dict of lists)
        over ``instances`` (default all), in first-seen order."""
        keywords = [elements] if isinstance(elements, str) else list(elements)
        found: dict[str, list[Any]] = {k: [] for k in keywords}
        for instance in instances if instances is not None else list(self):
            source: Any = instance.load() if load else instance
            for keyword in keywords:
                try:
                    value = getattr(source, keyword)
                except AttributeError:
                    continue
                if value not in found[keyword]:
                    found[keyword].append(value)
        return found[keywords[0]] if isinstance(elements, str) else found

    # -- changes --------------------------------------------------------------------------------
    def add(self, ds_or_path: Any) -> FileInstance:
        """Stage an instance (a path, or a ``Dataset``) for the next ``write``.

        A path is copied byte for byte by ``write``; a dataset (read from a file and perhaps
        edited, or built in code) is written there with ``save_as(enforce_file_format=True)``
        -- the copy-through writer, so the edits are kept. Its patient/study/series records
        are found by Patient ID, Study Instance UID and Series Instance UID, or made. Adding
        an instance whose removal is staged cancels the removal and returns it. Raises
        ``ValueError`` when the SOP Instance UID is already in the File-set."""
        source: Path | Dataset
        if isinstance(ds_or_path, Dataset):
            ds = source = ds_or_path
        else:
            source = Path(ds_or_path)
            ds = dcmread(source, stop_before_pixels=True)
        sop_uid = str(ds.SOPInstanceUID)
        for removed in self._staged_removals:
            if str(removed.node.record.get("ReferencedSOPInstanceUIDInFile", "")) == sop_uid:
                self._staged_removals.remove(removed)
                return removed
        if any(str(i.SOPInstanceUID) == sop_uid for i in self if "SOPInstanceUID" in i):
            raise ValueError(f"SOP Instance UID {sop_uid} is already in the File-set")
        parent: _Node | None = None
        siblings = self._roots
        for level in ("PATIENT", "STUDY", "SERIES"):
            key = _LEVEL_ID[level]
            wanted = str(ds.get(key, "") or "")
            match = next(
                (
                    n
                    for n in siblings
                    if n.record_type == level and str(n.record.get(key, "") or "") == wanted
                ),
                None,
            )
            if match is None:
                match = _Node(self._level_record(level, ds), parent)
                siblings.append(match)
            parent, siblings = match, match.children
        leaf = _Node(self._leaf_record(ds), parent)
        siblings.append(leaf)
        instance = FileInstance(self, leaf, source)
        self._staged_additions.append(instance)
        return instance

    @staticmethod
    def _level_record(level: str, ds: Dataset) -> Dataset:
        record = Dataset()
        record.DirectoryRecordType = level
        for keyword in _LEVEL_KEYS[level]:
            value = ds.get(keyword)
            if value is not None:
                setattr(record, keyword, value)
            elif keyword != "SpecificCharacterSet":
                setattr(record, keyword, None)
        return record

    @staticmethod
    def _leaf_record(ds: Dataset) -> Dataset:
        record = FileSet._level_record("LEAF", ds)
        modality = str(ds.get("Modality", "") or "").strip()
        record.DirectoryRecordType = RECORD_TYPE_BY_MODALITY.get(modality, "IMAGE")
        meta = getattr(ds, "file_meta", None)
        record.ReferencedFileID = None  # set when written
        record.ReferencedSOPClassUIDInFile = str(ds.SOPClassUID)
        record.ReferencedSOPInstanceUIDInFile = str(ds.SOPInstanceUID)
        syntax = meta.get("TransferSyntaxUID") if meta is not None else None
        record.ReferencedTransferSyntaxUIDInFile = str(syntax or _EXPLICIT_LE)
        return record

    def remove(self, instance: FileInstance | list[FileInstance]) -> None:
        """Stage the removal of ``instance`` or of each instance of a list (as ``find``
        returns; a file is deleted by ``write``). Raises ``ValueError`` for an instance of
        another File-set (then nothing of a list is staged)."""
        if isinstance(instance, (list, tuple)):
            if any(i._fileset is not self for i in instance):
                raise ValueError("an instance belongs to another File-set")
            for one in instance:
                self.remove(one)
            return
        if instance._fileset is not self:
            raise ValueError("the instance belongs to another File-set")
        if instance in self._staged_additions:
            self._staged_additions.remove(instance)
            self._detach(instance.node)
            return
        if not instance.for_removal:
            self._staged_removals.append(instance)

    def _detach(self, node: _Node) -> None:
        while node is not None:
            siblings = node.parent.children if node.parent is not None else self._roots
            siblings.remove(node)
            if node.parent is None or node.parent.children:
                return
            node = node.parent  # an empty series/study/patient goes too

    # -- writing --------------------------------------------------------------------------------
    def write(
        self,
        path: str | os.PathLike[str] | None = None,
        use_existing: bool = False,
        force_implicit: bool = False,
    ) -> None:
        """Apply the staged changes and write the DICOMDIR (in ``path``, a directory, or the
        File-set's own). Added files are copied under the root with new File IDs, removed
        files are deleted, and the DICOMDIR is written with recomputed offsets (atomically),
        in Explicit VR Little Endian (what the media profiles of PS3.11 require) or, with
        ``force_implicit``, Implicit VR Little Endian. Existing files always keep their File
        IDs, so ``use_existing`` (pydicom: do not move existing files) is accepted and changes
        nothing. Raises ``ValueError`` without a root, ``OSError``
        from the filesystem."""
        del use_existing  # existing files are never moved (docs/pydicom.md)
        root = Path(path).resolve() if path is not None else self._path
        if root is None:
            raise ValueError("a new File-set needs write(path)")
        root.mkdir(parents=True, exist_ok=True)
        moving = self._path is not None and root != self._path
        for instance in list(self._staged_removals):
            self._detach(instance.node)
            if not moving and Path(instance.path).exists():
                os.remove(instance.path)
        self._staged_removals.clear()
        if moving:  # existing files come along
            for instance in self:
                if not instance.is_staged:
                    target = root.joinpath(*instance.file_id)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(instance.path, target)
        for instance in list(self._staged_additions):
            file_id = self._new_file_id(instance.node, root)
            target = root.joinpath(*file_id)
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(instance._source, Dataset):
                instance._source.save_as(target, enforce_file_format=True)
            else:
                shutil.copyfile(instance._source, target)
            instance.node.record.ReferencedFileID = list(file_id)
            instance._source = None
        self._staged_additions.clear()
        self._path = root
        self._write_dicomdir(root / "DICOMDIR", _IMPLICIT_LE if force_implicit else _EXPLICIT_LE)
        self._changed = False

    def copy(self, path: str | os.PathLike[str], force_implicit: bool = False) -> FileSet:
        """A copy of the File-set in the directory ``path``, with the staged changes applied
        to the copy only: its instances' files are copied (existing File IDs kept, staged
        additions given new ones, staged removals left out) and its DICOMDIR written as
        ``write`` does; this File-set, its files and its DICOMDIR are not changed. The copy
        keeps the File-set ID, UID and descriptor. Raises ``ValueError`` when ``path`` is this
        File-set's own root, ``OSError`` from the filesystem."""
        root = Path(path).resolve()
        if self._path is not None and root == self._path:
            raise ValueError("copy() needs a directory other than the File-set's own root")
        clone = FileSet.__new__(FileSet)
        clone.__dict__.update(self.__dict__)
        nodes: dict[int, _Node] = {}

        def dup(node: _Node, parent: _Node | None) -> _Node:
            new = _Node(node.record, parent)
            nodes[id(node)] = new
            new.children = [dup(child, new) for child in node.children]
            return new

        clone._roots = [dup(node, None) for node in self._roots]
        clone._staged_removals = [
            FileInstance(clone, nodes[id(i.node)]) for i in self._staged_removals
        ]
        clone._staged_additions = []
        for instance in self._staged_additions:
            node = nodes[id(instance.node)]
            node.record = _plain(node.record)  # write() fills in its File ID: not in ours
            clone._staged_additions.append(FileInstance(clone, node, instance._source))
        clone.write(root, force_implicit=force_implicit)
        return clone

    def _new_file_id(self, leaf: _Node, root: Path) -> tuple[str, ...]:
        """``PTnnnnnn/STnnnnnn/SEnnnnnn/IMnnnnnn`` by position, free on disk (PS3.10 8.2:
        at most 8 components of at most 8 characters A-Z 0-9 _)."""
        parts = []
        chain = [*reversed(leaf.ancestors()), leaf]
        for depth, node in enumerate(chain):
            siblings = node.parent.children if node.parent is not None else self._roots
            prefix = _PREFIX[("PATIENT", "STUDY", "SERIES", "LEAF")[min(depth, 3)]]
            parts.append(f"{prefix}{siblings.index(node):06d}")
        candidate = tuple(parts)
        n = int(candidate[-1][2:])
        while root.joinpath(*candidate).exists():
            n += 1
            candidate = (*candidate[:-1], f"IM{n:06d}")
        return candidate

    def _dicomdir(self, syntax: str) -> tuple[FileDataset, list[_Node]]:
        ds = Dataset()
        ds.FileSetID = self.ID or ""
        if self.descriptor_file_id:
            ds.FileSetDescriptorFileID = self.descriptor_file_id
            if self.descriptor_character_set:
                ds.SpecificCharacterSetOfFileSetDescriptorFile = self.descriptor_character_set
        ds.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity = 0
        ds.OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity = 0
        ds.FileSetConsistencyFlag = 0
        order = list(self._nodes())
        items = []
        for node in order:
            item = _plain(node.record, skip=(_NEXT, _LOWER, _IN_USE))
            item[_NEXT] = 0
            item.add_new(_IN_USE, "US", 0xFFFF)
            item[_LOWER] = 0
            items.append(item)
        ds.DirectoryRecordSequence = Sequence(items)
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = MEDIA_STORAGE_DIRECTORY
        meta.MediaStorageSOPInstanceUID = self.UID
        meta.TransferSyntaxUID = syntax
        return FileDataset("DICOMDIR", ds, file_meta=meta, preamble=b"\0" * 128), order

    def _write_dicomdir(self, target: Path, syntax: str) -> None:
        from lazydcm.model.save import to_bytes

        ds, order = self._dicomdir(syntax)
        # The offsets are 4-byte UL values: filling them in keeps every length, so the item
        # offsets of a first encoding are those of the final one (PS3.3 F.3.2.1).
        placed = dcmread(to_bytes(ds, transfer_syntax=syntax))
        offsets = {
            id(node): int(item.item_record.header_offset)
            for node, item in zip(order, placed.DirectoryRecordSequence, strict=True)
        }
        items = list(ds.DirectoryRecordSequence)
        index = {id(node): i for i, node in enumerate(order)}

        def link(nodes: list[_Node]) -> None:
            for i, node in enumerate(nodes):
                item = items[index[id(node)]]
                item[_NEXT].value = offsets[id(nodes[i + 1])] if i + 1 < len(nodes) else 0
                item[_LOWER].value = offsets[id(node.children[0])] if node.children else 0
                link(node.children)

        link(self._roots)
        if self._roots:
            ds.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity = offsets[id(self._roots[0])]
            ds.OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity = offsets[id(self._roots[-1])]
        ds.save_as(target, transfer_syntax=syntax)

    def __str__(self) -> str:
        lines = [f"DICOM File-set  root: {self.path}  ID: {self.ID or ''}  UID: {self.UID}"]
        for node in self._nodes():
            depth = len(node.ancestors())
            record = node.record
            label = record.get("ReferencedFileID")
            label = "/".join(label) if isinstance(label, (list, tuple)) else (label or "")
            lines.append(f"{'  ' * depth}{node.record_type}: {label}".rstrip(": "))
        return "\n".join(lines)

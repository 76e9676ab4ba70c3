"""``deidentify``: apply a :class:`~lazydcm.deid.profile.Profile` to a dataset's edit overlay.

The walk visits every element of the dataset and of every sequence item at every depth, decides
one action per element (``profile.action_for`` and the private rule) and records the change as an
ordinary edit. Element values are decoded only where an action needs them (UIDs to map, dates to
shift, private creators to match); pixel data and every kept element are never read, so saving the
result copies them byte for byte from the source file.
"""

from __future__ import annotations

from typing import Any

import attrs

from lazydcm.deid import keyed
from lazydcm.deid.profile import Profile, action_for, is_safe_private, private_action
from lazydcm.model.dataset import Dataset
from lazydcm.model.dictionary import keyword_for, vr_for
from lazydcm.model.element import DataElement
from lazydcm.model.sequence import Sequence
from lazydcm.model.tag import tag_repr
from lazydcm.model.uid import UID

__all__ = ["DeidReport", "deidentify", "burned_in_reason"]

_TEXT_DUMMY = "ANONYMIZED"
#: D (and C outside dates and sequences): a dummy "consistent with the VR" (Table E.1-1a).
_DUMMY: dict[str, Any] = {
    **dict.fromkeys(("AE", "CS", "LO", "LT", "PN", "SH", "ST", "UC", "UT"), _TEXT_DUMMY),
    "AS": "000D",
    "DA": "19000101",
    "DT": "19000101000000",
    "TM": "000000",
    "DS": "0",
    "IS": "0",
    "UR": "urn:x-anonymized",
    **dict.fromkeys(("US", "SS", "UL", "SL", "FL", "FD", "SV", "UV", "AT"), 0),
    **dict.fromkeys(("OB", "OW", "OD", "OF", "OL", "OV", "UN"), b"\x00\x00"),
}
_DATE_VRS = frozenset({"DA", "DT", "TM"})
#: Binary VRs: lazydcm cannot clean inside them (overlay bitmaps, curve data), so C removes them.
_OPAQUE_VRS = frozenset({"OB", "OD", "OF", "OL", "OV", "OW", "UN"})
_PATIENT_ID = 0x00100020
_BURNED_IN = 0x00280301
_MODALITY = 0x00080060
_SOP_CLASS = 0x00080016
#: Modalities whose images commonly carry burned-in text (ultrasound, secondary capture, other,
#: documents, endoscopy, external-camera photography, slide microscopy labels).
BURNED_IN_MODALITIES = frozenset({"US", "IVUS", "SC", "OT", "DOC", "ES", "XC", "SM"})


@attrs.frozen
class DeidReport:
    """What :func:`deidentify` did to one dataset.

    Each tuple holds attribute paths such as ``"ReferencedImageSequence[0].ReferencedSOPInstanceUID"``
    (``"(0009,1001)"`` for an element without a keyword): ``removed`` (X), ``emptied`` (Z),
    ``replaced`` (D, U, C and shifted dates), ``kept`` (K from the table or an option: attributes
    the profile names and leaves unchanged), ``added`` (the method attributes of PS3.15 E.1.1).
    ``uids`` maps each original UID met to its replacement; ``date_shift_days`` is the shift of
    the Modified Dates option (None when not used); ``burned_in`` says why the pixels may carry
    identifying text (None when nothing suggests so) — pixel data is never changed.
    """

    removed: tuple[str, ...]
    emptied: tuple[str, ...]
    replaced: tuple[str, ...]
    kept: tuple[str, ...]
    added: tuple[str, ...]
    uids: tuple[tuple[str, str], ...]
    date_shift_days: int | None
    burned_in: str | None


class _Walk:
    def __init__(self, profile: Profile, key: bytes, shift: int | None) -> None:
        self.profile = profile
        self.key = key
        self.shift = shift
        self.removed: list[str] = []
        self.emptied: list[str] = []
        self.replaced: list[str] = []
        self.kept: list[str] = []
        self.uids: dict[str, str] = {}
        self.private = private_action(profile)
        self.actions: dict[int, str] = {}
        #: (group, creator) -> (block status, safe element bytes, element byte -> action), from
        #: the Private Data Element Characteristics Sequence (PS3.3 C.12.1.1.7)
        self.blocks: dict[tuple[int, str], tuple[str, frozenset[int], dict[int, str]]] = {}

    def read_characteristics(self, ds: Dataset) -> None:
        """Note what ``ds``'s Private Data Element Characteristics Sequence (0008,0300) says
        about its private blocks (PS3.15 E.3.10 lets it decide what Retain Safe Private keeps).
        Element numbers are taken by their low byte (the offset inside the block)."""
        if self.private == "X" or 0x00080300 not in ds:
            return
        for item in ds[0x00080300].value:
            group, creator = item.get(0x00080301), item.get(0x00080302)
            if group is None or creator is None or group.value is None:
                continue
            status = str(item.get("BlockIdentifyingInformationStatus") or "").strip().upper()
            safe = frozenset(int(v) & 0xFF for v in _many(item.get(0x00080304)))
            actions: dict[int, str] = {}
            for entry in _many(item.get(0x00080305)):
                action = str(entry.get("DeidentificationAction") or "").strip().upper()
                for number in _many(entry.get(0x00080306)):
                    if action in ("D", "Z", "X", "U"):
                        actions[int(number) & 0xFF] = action
            key = (int(group.value), str(creator.value or "").strip())
            self.blocks[key] = (status, safe, actions)

    # -- one dataset ---------------------------------------------------------------------
    def dataset(self, ds: Dataset, prefix: str) -> None:
        tags = [int(t) for t in ds.tags()]
        keep_creators: set[int] = set()
        creators: list[int] = []
        for tag in tags:
            if (tag >> 16) & 1:
                element = tag & 0xFFFF
                if 0x0010 <= element <= 0x00FF:
                    creators.append(tag)  # decided once its block is known
                    continue
                if self._private(ds, tag, prefix):
                    keep_creators.add((tag & 0xFFFF0000) | ((tag >> 8) & 0xFF))
                continue
            if tag & 0xFFFF == 0:  # group length: retired, and wrong once anything changes
                self._remove(ds, tag, prefix)
                continue
            action = self.actions.get(tag)
            if action is None:
                action = self.actions[tag] = action_for(tag, self.profile)
            if action in ("K", "?") and vr_for(tag) != "SQ":
                # kept as stored: no need to even look at the element (its bytes are copied)
                if action == "K":
                    self.kept.append(_path(prefix, tag))
                continue
            self._apply(ds, tag, action, prefix)
        for tag in creators:
            if tag in keep_creators:
                self.kept.append(_path(prefix, tag))
            else:
                self._remove(ds, tag, prefix)

    def _private(self, ds: Dataset, tag: int, prefix: str) -> bool:
        """Handle private ``tag``; True when it stays."""
        if self.private == "X" or tag & 0xFFFF < 0x1000:
            self._remove(ds, tag, prefix)
            return False
        creator_elem = ds.get((tag & 0xFFFF0000) | ((tag >> 8) & 0xFF))
        creator = "" if creator_elem is None else str(creator_elem.value or "")
        elem = ds[tag]
        status, safe, actions = self.blocks.get((tag >> 16, creator.strip()), ("", (), {}))
        if (
            status == "SAFE"
            or tag & 0xFF in safe
            or is_safe_private(tag >> 16, tag & 0xFF, creator)
        ):
            self._apply(ds, tag, "K", prefix)
            return True
        if tag & 0xFF in actions:  # the block's own Deidentification Action (0008,0307)
            action = actions[tag & 0xFF]
            self._apply(ds, tag, action, prefix)
            return action != "X"
        if elem.VR == "SQ":
            # PS3.15 E.3.10: a private sequence not known to be safe is parsed and each nested
            # attribute handled on its own merits
            self._items(elem, _path(prefix, tag))
            return True
        self._remove(ds, tag, prefix)
        return False

    # -- actions ---------------------------------------------------------------------------
    def _apply(self, ds: Dataset, tag: int, action: str, prefix: str) -> None:
        elem = ds[tag]
        vr = elem.VR
        path = _path(prefix, tag)
        if action == "X":
            self._remove(ds, tag, prefix)
        elif action in ("K", "?"):
            if vr == "SQ":
                self._items(elem, path)
            if action == "K":
                self.kept.append(path)
        elif action == "Z":
            if elem.length != 0 or elem.is_modified:  # an empty stored value stays as it is
                ds.add_new(tag, vr, Sequence() if vr == "SQ" else None)
            self.emptied.append(path)
        elif vr == "SQ" and action == "D":
            # a dummy "non-zero length value ... consistent with the VR" (Table E.1-1a): one
            # empty item; none of the original items survives (Content Sequence under the Basic
            # Profile, Institution Code Sequence ...), as for D on any other VR
            ds.add_new(tag, vr, Sequence([Dataset()]))
            self.replaced.append(path)
        elif vr == "SQ":  # C, U on a sequence: the profile applied to every item
            self._items(elem, path)
        elif vr == "UI" and action in ("U", "D", "C"):
            self._map_uids(ds, elem, path)
        elif action == "C" and vr in _DATE_VRS and self.shift is not None:
            self._shift(ds, elem, path)
        elif action == "C" and vr in _OPAQUE_VRS:
            self._remove(ds, tag, prefix)
        elif tag == _PATIENT_ID and action == "D":
            ds.add_new(tag, vr, keyed.pseudonym(str(elem.value or ""), self.key))
            self.replaced.append(path)
        else:
            ds.add_new(tag, vr, _DUMMY.get(vr, _TEXT_DUMMY))
            self.replaced.append(path)

    def _remove(self, ds: Dataset, tag: int, prefix: str) -> None:
        del ds[tag]
        self.removed.append(_path(prefix, tag))

    def _items(self, elem: DataElement, path: str) -> None:
        for number, item in enumerate(elem.value):
            self.dataset(item, f"{path}[{number}].")

    def _map_uids(self, ds: Dataset, elem: DataElement, path: str) -> None:
        value = elem.value
        values = [value] if isinstance(value, str) else list(value or [])
        mapped = []
        for uid in values:
            original = str(uid).rstrip(" \x00")
            new = self.uids.get(original)
            if new is None:
                new = self.uids[original] = keyed.uid_for(original, self.key)
            mapped.append(new)
        if not mapped:
            # an empty UID needs no mapping; U asks for a non-zero length value
            mapped = [keyed.uid_for("", self.key)]
        ds.add_new(int(elem.tag), "UI", mapped[0] if len(mapped) == 1 else mapped)
        self.replaced.append(path)

    def _shift(self, ds: Dataset, elem: DataElement, path: str) -> None:
        value = elem.value
        vr = elem.VR
        if vr == "TM":
            # whole-day shifts leave times of day as they are (PS3.15 E.3.6: fine temporal
            # relationships are preserved)
            self.kept.append(path)
            return
        values = [value] if isinstance(value, str) else list(value or [])
        shift = keyed.shift_da if vr == "DA" else keyed.shift_dt
        moved = [shift(str(v), self.shift) for v in values]  # type: ignore[arg-type]
        if any(m is None for m in moved):
            ds.add_new(int(elem.tag), vr, None)  # cannot be shifted: nothing of it stays
            self.emptied.append(path)
            return
        ds.add_new(int(elem.tag), vr, moved[0] if len(moved) == 1 else moved)
        self.replaced.append(path)


def _many(elem: DataElement | None) -> list[Any]:
    """The values of ``elem`` as a list (a sequence's items, a multi-valued element's values)."""
    if elem is None or elem.value is None:
        return []
    value = elem.value
    if isinstance(value, (str, bytes, int)):
        return [value]
    return list(value)


def _drop_unwritable_meta(meta: Dataset, walk: _Walk) -> None:
    # Changing the meta group makes the writer encode it afresh, which checks every value; a
    # value that cannot be encoded again (e.g. control characters in an AE title) is removed
    # rather than failing the file (only optional elements carry free text in group 0002).
    for elem in list(meta):
        tag = int(elem.tag)
        if tag in (0x00020000, 0x00020003) or elem.is_modified:
            continue
        try:
            DataElement(elem.tag, elem.VR, elem.value)
        except (TypeError, ValueError):
            walk._remove(meta, tag, "file_meta.")


def _path(prefix: str, tag: int) -> str:
    return prefix + (keyword_for(tag) or tag_repr(tag))


def burned_in_reason(ds: Dataset) -> str | None:
    """Why ``ds``'s pixels may carry burned-in identifying text, or None (PS3.15 E.1.1: the
    de-identifier must see to it; lazydcm only reports): Burned In Annotation (0028,0301) YES,
    a modality in ``BURNED_IN_MODALITIES``, or an Ultrasound or Secondary Capture SOP class."""
    flag = ds.get(_BURNED_IN)
    if flag is not None and str(flag.value or "").strip().upper() == "YES":
        return "Burned In Annotation (0028,0301) is YES"
    modality = ds.get(_MODALITY)
    text = "" if modality is None else str(modality.value or "").strip().upper()
    if text in BURNED_IN_MODALITIES:
        return f"Modality {text} often carries burned-in text"
    sop = ds.get(_SOP_CLASS)
    if sop is not None and sop.value:
        name = UID(str(sop.value)).name
        if "Ultrasound" in name or "Secondary Capture" in name:
            return f"SOP class {name} often carries burned-in text"
    return None


def _add_method(ds: Dataset, profile: Profile, added: list[str]) -> None:
    # PS3.15 E.1.1 and PS3.3 C.7.1.1: Patient Identity Removed, De-identification Method and
    # its code sequence (CID 7050)
    ds.add_new(0x00120062, "CS", "YES")
    text = profile.method_text()
    ds.add_new(0x00120063, "LO", text[0] if len(text) == 1 else list(text))
    items = []
    for value, scheme, meaning in profile.method_codes():
        item = Dataset()
        item.add_new(0x00080100, "SH", value)
        item.add_new(0x00080102, "SH", scheme)
        item.add_new(0x00080104, "LO", meaning)
        items.append(item)
    ds.add_new(0x00120064, "SQ", Sequence(items))
    added += ["PatientIdentityRemoved", "DeidentificationMethod"]
    added.append("DeidentificationMethodCodeSequence")
    # PS3.15 E.3.6: Longitudinal Temporal Information Modified
    if profile.retain_long_full_dates or profile.retain_long_modified_dates:
        word = "MODIFIED" if profile.retain_long_modified_dates else "UNMODIFIED"
        ds.add_new(0x00280303, "CS", word)
        added.append("LongitudinalTemporalInformationModified")


def deidentify(ds: Dataset, profile: Profile | None = None, key: bytes | str = b"") -> DeidReport:
    """De-identify ``ds`` in place under ``profile`` (default: the Basic Profile, PS3.15 E.1.1)
    and the secret ``key`` (bytes, or str taken as UTF-8) and return a :class:`DeidReport`.

    Every change is an edit of ``ds``'s overlay: ``ds.save_as(path)`` then writes the changed
    elements and copies everything else (pixel data included) from the source file, which must
    therefore stay open until the save (values decoded here are copies and outlive it). The file
    meta's Media Storage SOP Instance UID is mapped like the SOP Instance UID. The same key maps
    the same UID to the same replacement in every file and process (``keyed.uid_for``).
    Raises ``ValueError`` for an empty key, ``InvalidDicomError`` when an element the profile
    must read (a UID, a date, a private creator, a sequence) cannot be decoded.
    """
    profile = profile or Profile()
    raw_key = keyed.as_key(key)
    burned_in = burned_in_reason(ds)
    shift = None
    if profile.retain_long_modified_dates:
        patient = ds.get(_PATIENT_ID)
        shift = keyed.date_shift_days("" if patient is None else str(patient.value or ""), raw_key)
    walk = _Walk(profile, raw_key, shift)
    walk.read_characteristics(ds)
    walk.dataset(ds, "")
    meta = getattr(ds, "file_meta", None)  # a dataset built in code may have none
    if meta is not None and 0x00020003 in meta:
        walk._apply(meta, 0x00020003, action_for(0x00020003, profile), "file_meta.")
        _drop_unwritable_meta(meta, walk)
    added: list[str] = []
    _add_method(ds, profile, added)
    return DeidReport(
        removed=tuple(walk.removed),
        emptied=tuple(walk.emptied),
        replaced=tuple(walk.replaced),
        kept=tuple(walk.kept),
        added=tuple(added),
        uids=tuple(walk.uids.items()),
        date_shift_days=shift,
        burned_in=burned_in,
    )

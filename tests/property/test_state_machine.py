"""A state machine that opens a file, edits it (set/add/delete, nested), saves it (to a new
path, over itself, in place with ``lazydcm.edit``), reopens it, and compares every state with a
plain dict model.

The model is a dict ``{tag: (VR, value)}`` (a sequence's value is a list of item dicts) of plain
Python values, updated by the rules below with dict operations only - it knows nothing of
lazydcm's index, overlay or writer. Expected values of new elements are the canonical values
the strategies drew; the only lazydcm facts the model uses are the documented byte-order rule for
OW-like bytes (those of a dataset read from a big-endian file are big-endian words) and that a
sequence read as UN of undefined length is saved in the same syntax as it was stored, its items
(added ones too) in implicit VR little endian (PS3.5 6.2.2; ``view_in_layout``).
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import tempfile
from typing import Any

from _property_support import (
    assert_group_lengths_agree,
    read,
    without_group_lengths,
)
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
)

import lazydcm
from lazydcm._strategies._charsets import DEFAULT, charset_for_terms
from lazydcm._strategies._datasets import PROTECTED, file_specs, standard_tags, syntaxes
from lazydcm._strategies._edits import edit_lists
from lazydcm._strategies._encoder import Layout, encode_value
from lazydcm._strategies._values import element_values
from lazydcm._strategies._views import dataset_view, plain_value, spec_view, view_in_layout
from lazydcm.model import dictionary

Model = dict[int, tuple[str, Any]]
_EXPLICIT = Layout(False, True)
# PS3.5 6.2: trailing spaces are padding for these VRs, so lazydcm.edit may pad a shorter
# value to the stored length and patch it in place.
_SPACE_PADDED = frozenset(["AE", "CS", "DS", "IS", "LO", "LT", "PN", "SH", "ST", "UC", "UT", "UR"])


def _node(model: Model, path: tuple) -> Model:
    for seq_tag, index in path:
        model = model[seq_tag][1][index]
    return model


def _editable(tag: int) -> bool:
    return (
        tag & 0xFFFF != 0
        and tag not in PROTECTED
        and tag >> 16 != 0x7FE0
        and not ((tag >> 16) & 1 and 0x10 <= tag & 0xFFFF <= 0xFF)
    )


_SAME_LENGTH_TEXT = {
    "AE": "X",
    "CS": "X",
    "LO": "X",
    "SH": "X",
    "UC": "X",
    "LT": "X",
    "ST": "X",
    "UT": "X",
    "PN": "X",
    "UI": "1",
    "DS": "1",
    "IS": "0",
}
_FIXED_SIZE_NUMBERS = {
    "US": 7,
    "SS": -7,
    "UL": 7,
    "SL": -7,
    "UV": 7,
    "SV": -7,
    "FL": 0.5,
    "FD": 0.25,
    "AT": 0x00100010,
}


def _same_length_value(vr: str, old: Any) -> Any:
    """A new value of ``vr`` as long as ``old`` once encoded (another single number, or a
    string of one repeated valid character), or None when there is no obvious one."""
    if vr in _FIXED_SIZE_NUMBERS and isinstance(old, (int, float)):
        return _FIXED_SIZE_NUMBERS[vr]
    if vr in _SAME_LENGTH_TEXT and isinstance(old, str) and old:
        if vr == "DS" and len(old) > 16 or vr == "IS" and len(old) > 12:
            return None
        if vr == "PN":  # keep the component and group delimiters (64 characters per group)
            return re.sub(r"[^^=]", "X", old)
        return _SAME_LENGTH_TEXT[vr] * len(old)
    return None


class EditSaveReopen(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.mkdtemp(prefix="lazydcm-sm-")
        self.count = 0
        self.ds: Any = None

    def teardown(self) -> None:
        if self.ds is not None:
            self.ds.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _new_path(self) -> str:
        self.count += 1
        return os.path.join(self.dir, f"f{self.count}.dcm")

    # -- comparisons -------------------------------------------------------------------
    def _check_file(self) -> None:
        back = read(self.path, force=self.force)
        try:
            assert without_group_lengths(dataset_view(back)) == without_group_lengths(self.saved)
            assert_group_lengths_agree(back)
        finally:
            back.close()

    @invariant()
    def open_dataset_matches_pending_model(self) -> None:
        if self.ds is not None:
            assert without_group_lengths(dataset_view(self.ds)) == without_group_lengths(
                self.pending
            )

    # -- rules ---------------------------------------------------------------------------
    # files with a preamble: lazydcm.edit reads without ``force``
    @initialize(encoded=file_specs(transfer_syntax=syntaxes(), max_elements=5, preamble=True))
    def create(self, encoded) -> None:
        self.path = self._new_path()
        with open(self.path, "wb") as fh:
            fh.write(encoded.data)
        self.layout = encoded.layout
        self.force = not encoded.preamble
        self.saved = spec_view(encoded.dataset, self.layout)
        self.pending = copy.deepcopy(self.saved)
        charset = charset_for_terms(self.saved.get(0x00080005, ("CS", None))[1])
        self.charset = charset if charset is not None else DEFAULT

    # Rules that need an open dataset open the file first, and lazydcm.edit closes it first,
    # so that every rule can always run (preconditions would make hypothesis retry draws).
    def _ensure_open(self) -> None:
        if self.ds is None:
            self.ds = read(self.path, force=self.force)
            self.pending = copy.deepcopy(self.saved)

    @rule()
    def close(self) -> None:
        if self.ds is not None:
            self.ds.close()
        self.ds = None
        self.pending = copy.deepcopy(self.saved)  # unsaved edits are gone

    @rule(data=st.data())
    def edit(self, data) -> None:
        self._ensure_open()
        edits = data.draw(edit_lists(self.ds, max_edits=3))
        for edit in edits:
            little = edit.target(self.ds).is_little_endian is not False
            node = _node(self.pending, edit.path)
            if edit.kind in ("set", "add"):
                if edit.vr == "SQ":
                    node[edit.tag] = ("SQ", [self._item(item) for item in edit.value])
                else:
                    node[edit.tag] = (edit.vr, plain_value(edit.vr, edit.value, little))
            elif edit.kind == "delete":
                del node[edit.tag]
            elif edit.kind == "append_item":
                node[edit.tag][1].append(self._item(edit.value))
            else:
                del node[edit.tag][1][edit.index]
            edit.apply(self.ds)

    def _item(self, spec) -> Model:
        """The view of an item built in code from ``spec`` (``DatasetSpec.to_dataset``): every
        element keeps the VR it was given. ``spec``'s length styles and ``as_un`` say how the
        strategies' encoder would write it; nothing encodes it here (``sq_undefined=True``:
        lazydcm writes the sequences of a dataset built in code as SQ of undefined length)."""
        return spec_view(spec, _EXPLICIT, charset=self.charset, sq_undefined=True)

    @rule()
    def save_to_new_path(self) -> None:
        self._ensure_open()
        self.path = self._new_path()
        self.ds.save_as(self.path)
        self.saved = view_in_layout(self.pending, self.layout, self.charset)
        self._check_file()

    @rule()
    def save_over_the_open_file(self) -> None:
        self._ensure_open()
        self.ds.save_as(self.path)  # possibly the very file self.ds maps
        self.saved = view_in_layout(self.pending, self.layout, self.charset)
        self._check_file()

    @rule()
    def reopen(self) -> None:
        self.close()
        self._ensure_open()

    @rule(data=st.data())
    def edit_in_place(self, data) -> None:
        """``lazydcm.edit`` on the closed file: top-level sets, adds and deletes, or (half the
        time) only sets that keep each value's encoded length, which must patch in place."""
        self.close()
        model = self.saved
        editable = [t for t, (vr, _v) in model.items() if _editable(t) and vr != "SQ"]
        changes: dict[Any, Any] = {}
        expected = copy.deepcopy(model)
        fits = True
        same_length_only = data.draw(st.booleans(), label="same length only")
        for _ in range(data.draw(st.integers(1, 3))):
            if same_length_only:
                candidates = [
                    t
                    for t in editable
                    if t not in changes and _same_length_value(*model[t]) is not None
                ]
                if not candidates:
                    break
                tag = data.draw(st.sampled_from(candidates))
                vr, old = model[tag]
                value = _same_length_value(vr, old)
            elif editable and data.draw(st.booleans()):
                tag = data.draw(st.sampled_from(editable))
                vr, old = model[tag]
                if data.draw(st.integers(0, 4)) == 0:
                    changes[tag], fits = None, False
                    expected.pop(tag, None)
                    continue  # a later change of the same tag replaces this one
                vm = None if (tag >> 16) & 1 else dictionary.vm_for(tag)
                value = data.draw(element_values(vr, self.charset, vm))
            else:
                tag, vr, vm = data.draw(standard_tags(sq=False))
                if tag in model or tag in changes:
                    continue
                value = data.draw(element_values(vr, self.charset, vm))
                fits = False
            if value is None:
                continue  # None means "delete" to lazydcm.edit
            changes[tag] = value
            expected[tag] = (vr, plain_value(vr, value, self.layout.little_endian))
            if tag in model:
                fits = fits and self._same_length(vr, model[tag][1], value)
        if not changes:
            return
        # one change per tag (the last), keyed by keyword where there is one
        changes = {dictionary.keyword_for(tag) or tag: value for tag, value in changes.items()}
        size = os.path.getsize(self.path)
        report = lazydcm.edit(self.path, changes)
        event(f"lazydcm.edit: {report.strategy}")
        assert report.strategy in ("in-place", "rewrite", "unchanged")
        if fits and not self.layout.deflated:
            assert report.strategy == "in-place", report
        if report.strategy == "in-place":
            assert os.path.getsize(self.path) == size
        self.saved = expected
        self._check_file()

    def _same_length(self, vr: str, old: Any, new: Any) -> bool:
        """Whether ``new`` encodes to the stored length of ``old`` (or shorter, for VRs padded
        with spaces), by the strategies' own encoder."""
        little = self.layout.little_endian
        if vr == "UN":
            return False  # private, read without its VR: no claim either way
        old_size = len(encode_value(vr, old, little, self.charset))
        new_size = len(encode_value(vr, new, little, self.charset))
        return new_size == old_size or (vr in _SPACE_PADDED and new_size < old_size)


EditSaveReopen.TestCase.settings = settings(settings(), stateful_step_count=12)
TestEditSaveReopen = EditSaveReopen.TestCase

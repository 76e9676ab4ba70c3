"""A state machine that opens a file, edits it (set/add/delete, nested), saves it (to a new
path, over itself, in place with ``lazydcm.edit``), reopens it, and compares every state with a
plain dict model. The edits include those that could make a written file invalid (issue 10,
kind 8): the transfer syntax changed through ``file_meta`` (the dataset is re-encoded), Pixel
Data replaced across encapsulated and native syntaxes, the preamble replaced, and a group 0002
keyword set on the dataset; every file written is also read by pydicom, and a write that would
be invalid must raise ``ValueError`` and leave the file as it was.

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
import hashlib
import os
import re
import shutil
import tempfile
import warnings
from typing import Any

import pydicom
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
from lazydcm._strategies._datasets import (
    PROTECTED,
    _fragment_stream,
    file_specs,
    standard_tags,
    syntaxes,
)
from lazydcm._strategies._edits import edit_lists
from lazydcm._strategies._encoder import (
    ENCAPSULATED_SYNTAXES,
    NATIVE_SYNTAXES,
    Layout,
    encode_value,
    layout_of,
)
from lazydcm._strategies._values import element_values
from lazydcm._strategies._views import (
    PIXEL_DATA_IMPLICIT_VR,
    dataset_view,
    plain_value,
    spec_view,
    view_in_layout,
)
from lazydcm.model import dictionary

Model = dict[int, tuple[str, Any]]
_PIXEL_DATA = 0x7FE00010
_ZEROS = b"\0" * 128
_EXPLICIT = Layout(False, True)
# PS3.5 6.2: trailing spaces are padding for these VRs, so lazydcm.edit may pad a shorter
# value to the stored length and patch it in place.
_SPACE_PADDED = frozenset(["AE", "CS", "DS", "IS", "LO", "LT", "PN", "SH", "ST", "UC", "UT", "UR"])


def _pydicom_read(path: str) -> Any:
    """pydicom's dataset of ``path``, every value decoded (warnings silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(path)
        for elem in ds.iterall():
            _ = elem.value
        return ds


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

    def _reset_pending_file_state(self) -> None:
        """What an open dataset would write besides its elements: syntax and preamble (as the
        file has them until changed), and whether Pixel Data was assigned."""
        self.read_layout = self.layout  # the layout the open dataset's bytes are in
        self.read_ts = self.ts
        self.pending_ts = self.ts
        self.pending_preamble = self.preamble
        self.pixels_assigned = False

    # -- comparisons -------------------------------------------------------------------
    def _check_file(self) -> None:
        back = read(self.path, force=self.force)
        try:
            view = dataset_view(back)
            expected_vr = self.saved.get(_PIXEL_DATA, ("",))[0]
            written_vr = view.get(_PIXEL_DATA, ("",))[0]
            if expected_vr == PIXEL_DATA_IMPLICIT_VR and written_vr in ("OB", "OW"):
                # Re-encoded from implicit VR, Pixel Data may be written OB or OW (PS3.5 A.2);
                # either is right, and from now on the file's choice is the model's.
                view[_PIXEL_DATA] = (expected_vr, view[_PIXEL_DATA][1])
            assert without_group_lengths(view) == without_group_lengths(self.saved)
            if expected_vr != written_vr and expected_vr == PIXEL_DATA_IMPLICIT_VR:
                self.saved[_PIXEL_DATA] = (written_vr, self.saved[_PIXEL_DATA][1])
            assert_group_lengths_agree(back)
            assert back.transfer_syntax_uid == self.ts
        finally:
            back.close()
        with open(self.path, "rb") as fh:
            assert fh.read(128) == self.preamble
        if self.pydicom_reads:  # a file pydicom reads stays readable by pydicom
            ref = _pydicom_read(self.path)
            assert ref.file_meta.TransferSyntaxUID == self.ts

    def _saved_view(self) -> Model:
        """The model of the file the open dataset writes: ``pending`` in the pending syntax's
        layout (re-encoded when it is not the layout the dataset was read in)."""
        layout = layout_of(self.pending_ts)
        same = (layout.implicit_vr, layout.little_endian) == (
            self.read_layout.implicit_vr,
            self.read_layout.little_endian,
        )
        saved = view_in_layout(self.pending, layout, self.charset, same_layout=same)
        if layout.encapsulated and _PIXEL_DATA in saved and self.pixels_assigned:
            saved[_PIXEL_DATA] = ("OB", self.pixel_stream)  # PS3.5 A.4: OB, items as given
        elif self.pixels_assigned and saved.get(_PIXEL_DATA, ("",))[0] == "OB":
            bits = self.pending.get(0x00280100, ("US", None))[1]
            if isinstance(bits, int) and bits > 8:  # PS3.5 A.2, A.3: more than 8 bits is OW
                saved[_PIXEL_DATA] = ("OW", saved[_PIXEL_DATA][1])
        return saved

    def _saved(self) -> None:
        self.saved = self._saved_view()
        self.ts = self.pending_ts
        self.layout = layout_of(self.ts)
        self.preamble = self.pending_preamble
        self._check_file()

    def _refused(self, match: str) -> None:
        """Saving the open dataset (over the file, and to a new path) raises ValueError
        matching ``match``; the file is unchanged and nothing else is written."""
        with open(self.path, "rb") as fh:
            before = hashlib.sha256(fh.read()).hexdigest()
        new = self._new_path()
        for dest in (self.path, new):
            try:
                self.ds.save_as(dest)
            except ValueError as exc:
                assert re.search(match, str(exc)), exc
            else:
                raise AssertionError(f"save_as({dest}) should have been refused ({match})")
        with open(self.path, "rb") as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == before
        assert not os.path.exists(new)
        assert not [n for n in os.listdir(self.dir) if n.endswith(".lazydcm-tmp")]

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
        try:  # some generated files are beyond pydicom (UN sequences in big endian, ...)
            _pydicom_read(self.path)
            self.pydicom_reads = True
        except Exception:
            self.pydicom_reads = False
        event(f"pydicom reads the generated file: {self.pydicom_reads}")
        self.ts = encoded.transfer_syntax  # the file's syntax
        self.preamble = _ZEROS  # the file's preamble (the strategies' encoder writes zeros)
        self._reset_pending_file_state()
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
            self._reset_pending_file_state()

    @rule()
    def close(self) -> None:
        if self.ds is not None:
            self.ds.close()
        self.ds = None
        self.pending = copy.deepcopy(self.saved)  # unsaved edits are gone
        self._reset_pending_file_state()

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
        self._saved()

    @rule()
    def save_over_the_open_file(self) -> None:
        self._ensure_open()
        self.ds.save_as(self.path)  # possibly the very file self.ds maps
        self._saved()

    # -- edits that could make an invalid file (issue 10, kind 8) -------------------------
    @rule(ts=st.sampled_from(NATIVE_SYNTAXES), over=st.booleans())
    def save_in_a_syntax_set_in_file_meta(self, ts, over) -> None:
        """``ds.file_meta.TransferSyntaxUID = ts`` then ``save_as``: written in ``ts``."""
        self._ensure_open()
        if _PIXEL_DATA in self.pending and layout_of(self.pending_ts).encapsulated:
            if self.pixels_assigned:
                return  # assigned fragments: whether they fit a native syntax is not modelled
            self.ds.file_meta.TransferSyntaxUID = ts
            self._refused("still encoded as read")  # compressed pixel data, native syntax
            self.ds.file_meta.TransferSyntaxUID = self.pending_ts
            return
        self.ds.file_meta.TransferSyntaxUID = ts
        event(f"syntax via file_meta: {'same' if ts == self.read_ts else 'changed'}")
        self.pending_ts = ts
        if not over:
            self.path = self._new_path()
        self.ds.save_as(self.path)
        self._saved()

    @rule(data=st.data())
    def replace_pixels_across_encodings(self, data) -> None:
        """The manual decompress (encapsulated -> native bytes in a native syntax) or compress
        (native -> fragments in an encapsulated syntax), refused while the two disagree."""
        self._ensure_open()
        if _PIXEL_DATA not in self.pending:
            return
        rows, cols, bits = (
            self.pending.get(t, ("US", None))[1] for t in (0x00280010, 0x00280011, 0x00280100)
        )
        if not all(isinstance(v, int) for v in (rows, cols, bits)):
            return
        vr = self.pending[_PIXEL_DATA][0]
        little = self.read_layout.little_endian
        if layout_of(self.pending_ts).encapsulated:
            ts = data.draw(st.sampled_from(NATIVE_SYNTAXES), label="native syntax")
            self.ds.file_meta.TransferSyntaxUID = ts
            if not self.pixels_assigned:
                self._refused("still encoded as read")
            size = (rows * cols * bits + 7) // 8
            value = data.draw(st.binary(min_size=size, max_size=size), label="native pixels")
            value += b"\0" * (len(value) % 2)
        else:
            ts = data.draw(st.sampled_from(ENCAPSULATED_SYNTAXES), label="encapsulated syntax")
            self.ds.file_meta.TransferSyntaxUID = ts
            # (untouched native pixel data would now be encoded frame by frame on save)
            self.ds.PixelData = b"\1\2" * (rows * cols)  # native bytes: not items
            self._refused("not a sequence of items")
            value = data.draw(_fragment_stream(), label="fragments")
            self.pixel_stream = value
        self.ds.PixelData = value
        event(f"pixels replaced, now {'encapsulated' if layout_of(ts).encapsulated else 'native'}")
        self.pixels_assigned = True
        self.pending_ts = ts
        self.pending[_PIXEL_DATA] = (vr, plain_value(vr, value, little))
        self.path = self._new_path()
        self.ds.save_as(self.path)
        self._saved()

    @rule(
        preamble=st.one_of(
            st.just(_ZEROS),
            st.binary(min_size=128, max_size=128),
            st.binary(max_size=140).filter(lambda b: len(b) != 128),
        )
    )
    def set_preamble(self, preamble) -> None:
        """``ds.preamble = ...``: written by the next save; a wrong length is refused."""
        self._ensure_open()
        self.ds.preamble = preamble
        if len(preamble) != 128:
            self._refused("preamble must be 128 bytes")
            self.ds.preamble = self.pending_preamble
            return
        self.pending_preamble = preamble

    @rule(key=st.sampled_from(["TransferSyntaxUID", "ImplementationVersionName", 0x00020003]))
    def meta_keyword_on_the_dataset(self, key) -> None:
        """A group 0002 element set on the dataset is refused on save (it belongs in
        ``file_meta``); deleted again, the dataset saves as before."""
        self._ensure_open()
        self.ds[key] = "1.2.3" if key != "ImplementationVersionName" else "X"
        self._refused(r"group 0002.*ds\.file_meta")
        del self.ds[key]

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
        if fits and not self.layout.deflated and size <= 4096:
            # in place when the changed bytes lie in one 4 KiB page (a kill then leaves the
            # old or the new file); in a file of one page they always do
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

"""Hypothesis strategies for DICOM: tags, VRs, values, datasets, whole files, edits, bad bytes.

Install with the ``strategies`` extra (``pip install lazydcm[strategies]``); this module
imports `hypothesis <https://hypothesis.readthedocs.io>`_.

Every strategy draws *valid* DICOM (PS3.5, PS3.10) unless it says otherwise, and values are
*canonical*: what a reader gives back after writing them, so that ``==`` works after a round
trip (no insignificant padding spaces, even-length byte strings, OW/OF/OD/OL/OV bytes as
little-endian words). Whole files are written by a small encoder of this module's own
(:func:`dicom_files`) that shares no code with lazydcm's writer, so they are fair test input for
lazydcm too. A round-trip test of your own code looks like this::

    from hypothesis import given
    import lazydcm
    from lazydcm import strategies as lst

    @given(ds=lst.datasets(private=False), ts=lst.transfer_syntaxes(encapsulated=False))
    def test_my_anonymizer_keeps_the_study(tmp_path_factory, ds, ts):
        path = tmp_path_factory.mktemp("rt") / "in.dcm"
        ds.StudyInstanceUID = "1.2.3.4"
        ds.save_as(path, transfer_syntax=ts)
        out = my_anonymizer(lazydcm.dcmread(path))       # your code under test
        assert out.StudyInstanceUID == "1.2.3.4"

    @given(data=lst.mutated(lst.dicom_files()))
    def test_my_reader_rejects_bad_files_cleanly(data):
        try:
            my_reader(data)
        except lazydcm.InvalidDicomError:
            pass                                         # the one documented failure

Strategies: :func:`tags`, :func:`vrs`, :func:`values`, :func:`data_elements`, :func:`datasets`,
:func:`file_meta`, :func:`transfer_syntaxes`, :func:`dicom_files` (and :func:`encoded_files`,
which also gives the spec the bytes were made from), :func:`edits` (with :class:`Edit` and
:func:`apply_edits`) and :func:`mutated`.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from lazydcm._strategies._charsets import CHARSETS, DEFAULT, CharsetInfo, charset_for_terms
from lazydcm._strategies._datasets import (
    EncodedFile,
    dataset_specs,
    file_specs,
    item_specs,
    meta_specs,
    standard_tags,
    syntaxes,
)
from lazydcm._strategies._deid import MARKER as DEID_MARKER
from lazydcm._strategies._deid import deid_datasets
from lazydcm._strategies._edits import Edit, apply_edits, edit_lists
from lazydcm._strategies._encoder import ENCAPSULATED_SYNTAXES, NATIVE_SYNTAXES
from lazydcm._strategies._mutate import MUTATIONS, mutations
from lazydcm._strategies._spec import DatasetSpec, ElementSpec
from lazydcm._strategies._values import VRS, element_values
from lazydcm.model.tag import Tag

__all__ = [
    "CHARSETS",
    "DEID_MARKER",
    "DatasetSpec",
    "Edit",
    "ElementSpec",
    "EncodedFile",
    "MUTATIONS",
    "ENCAPSULATED_SYNTAXES",
    "NATIVE_SYNTAXES",
    "apply_edits",
    "data_elements",
    "datasets",
    "deid_datasets",
    "dicom_files",
    "edits",
    "encoded_files",
    "file_meta",
    "mutated",
    "tags",
    "transfer_syntaxes",
    "values",
    "vrs",
]


def _charset(charset: Any) -> CharsetInfo:
    """A CharsetInfo from a label of CHARSETS, a Specific Character Set value, or None."""
    if charset is None:
        return DEFAULT
    if isinstance(charset, CharsetInfo):
        return charset
    if isinstance(charset, str) and charset in CHARSETS:
        return CHARSETS[charset]
    found = charset_for_terms(charset)
    if found is None:
        raise InvalidArgument(
            f"charset={charset!r}: give a label of lazydcm.strategies.CHARSETS "
            f"({', '.join(sorted(CHARSETS))}) or one of their Specific Character Set values"
        )
    return found


def tags(*, standard: bool = True, private: bool = True) -> st.SearchStrategy[Tag]:
    """Tags of data elements: standard ones from the dictionary (one VR, not retired, outside
    the command, file meta and directory groups) and private ones (odd groups, PS3.5 7.8.1:
    creators (gggg,0010-00FF) and block elements (gggg,xxyy)), as ``lazydcm.Tag``."""
    if not (standard or private):
        raise InvalidArgument("tags() needs standard=True or private=True")
    choices = []
    if standard:
        choices.append(standard_tags().map(lambda entry: Tag(entry[0])))
    if private:
        group = st.integers(4, 0x7FFE).map(lambda n: 2 * n + 1)
        element = st.one_of(st.integers(0x10, 0xFF), st.integers(0x1000, 0xFFFF))
        choices.append(st.tuples(group, element).map(lambda ge: Tag(ge[0], ge[1])))
    return st.one_of(choices)


def vrs(*, sq: bool = True) -> st.SearchStrategy[str]:
    """The 34 VRs of PS3.5 Table 6.2-1 as two-letter strings (without SQ if ``sq`` is False)."""
    return st.sampled_from([vr for vr in VRS if sq or vr != "SQ"])


def values(
    vr: str, *, charset: Any = None, vm: str | None = None, empty: bool = True
) -> st.SearchStrategy[Any]:
    """Canonical, valid values of ``vr`` (any VR but SQ), as a user assigns them.

    Text VRs give ``str`` (a ``list`` of ``str`` for several values), including edge lengths
    (exactly the VR's maximum) and, for SH LO UC ST LT UT PN, characters of ``charset`` (a
    label of :data:`CHARSETS` such as ``"utf8"`` or ``"jis_x_0208"``, or its Specific Character
    Set value; None: the default repertoire). Binary numbers give ``int``/``float`` (FL values
    are exact float32), AT gives ``int`` tags, OB/OW/... give ``bytes`` of whole words.
    ``vm`` is a PS3.6 value multiplicity (``"1"``, ``"1-n"``, ``"2-2n"``...) limiting the
    number of values; ``empty`` allows the empty value (``""``, ``None`` or ``b""``).

    Every value passes ``ds.X = value`` and reads back equal after a write in any syntax.
    """
    if vr == "SQ":
        raise InvalidArgument("values('SQ'): sequences hold datasets; use datasets()")
    if vr not in VRS:
        raise InvalidArgument(f"values({vr!r}): not one of the 34 VRs of PS3.5 Table 6.2-1")
    return element_values(vr, _charset(charset), vm, empty=empty)


@st.composite
def data_elements(
    draw: Any, *, private: bool = True, charset: Any = None, max_depth: int = 1
) -> Any:
    """``lazydcm.DataElement`` objects: a standard tag with its dictionary VR and a value of
    its VM, or (with ``private``) a private creator or block element of any VR. Sequences
    hold up to ``max_depth`` levels of items (0: no SQ elements). A block element
    (gggg,xxyy) needs its creator (gggg,00xx) in the dataset first (PS3.5 7.8.1), e.g.
    ``ds.add_new((tag.group << 16) | (tag.element >> 8), "LO", "MY CREATOR")``."""
    from lazydcm.model.element import DataElement

    info = _charset(charset)
    spec = draw(
        item_specs(info, max_depth=max_depth, max_elements=3, private=private).filter(
            lambda s: bool(s.elements)
        )
    )
    elem = draw(st.sampled_from(spec.elements))
    if elem.vr == "SQ":
        from lazydcm.model.sequence import Sequence

        return DataElement(elem.tag, "SQ", Sequence([item.to_dataset() for item in elem.value]))
    return DataElement(elem.tag, elem.vr, elem.value)


@st.composite
def datasets(
    draw: Any,
    *,
    max_depth: int = 2,
    max_elements: int = 6,
    private: bool = True,
    charset: Any = None,
    from_file: bool = False,
    undefined_lengths: bool | None = None,
) -> Any:
    """``lazydcm.Dataset`` objects with standard and private elements, sequences nested up to
    ``max_depth`` item levels, private blocks with their creators (PS3.5 7.8.1), and a
    Specific Character Set (0008,0005) drawn among :data:`CHARSETS` unless ``charset`` names
    one (then all text uses it).

    With ``from_file`` the dataset is a lazy ``FileDataset`` read by ``lazydcm.dcmread`` from
    bytes this module wrote in an uncompressed transfer syntax, with sequences and items of
    ``undefined_lengths`` (True: undefined, False: defined, None: a mix of both); otherwise it
    is built in code, and ``undefined_lengths`` must be None (lazydcm decides when it writes).
    """
    if undefined_lengths is not None and not from_file:
        raise InvalidArgument("undefined_lengths applies to datasets(from_file=True)")
    if from_file:
        import lazydcm

        encoded = draw(
            encoded_files(
                max_depth=max_depth,
                max_elements=max_elements,
                private=private,
                charset=charset,
                transfer_syntax=transfer_syntaxes(encapsulated=False),
                undefined_lengths=undefined_lengths,
                preamble=True,
            )
        )
        return lazydcm.dcmread(encoded.data)
    spec = draw(
        dataset_specs(
            max_depth=max_depth,
            max_elements=max_elements,
            private=private,
            charset=None if charset is None else _charset(charset),
        )
    )
    return spec.to_dataset()


@st.composite
def file_meta(draw: Any, *, transfer_syntax: Any = None) -> Any:
    """A file meta group (PS3.10 7.1) as a ``lazydcm.Dataset``: File Meta Information Version,
    Media Storage SOP Class/Instance UID, Transfer Syntax UID (``transfer_syntax``: a UID or a
    strategy; default :func:`transfer_syntaxes`), Implementation Class UID and sometimes
    Implementation Version Name and Source AE Title. Set it as ``ds.file_meta``."""
    ts = transfer_syntax if transfer_syntax is not None else transfer_syntaxes()
    uid = draw(ts) if isinstance(ts, st.SearchStrategy) else str(ts)
    return draw(meta_specs(uid)).to_dataset()


def transfer_syntaxes(
    *, native: bool = True, encapsulated: bool = True, deflated: bool = True
) -> st.SearchStrategy[str]:
    """Transfer syntax UIDs: the uncompressed ones (Implicit VR Little Endian, Explicit VR
    Little and Big Endian, and Deflated Explicit VR Little Endian if ``deflated``) and, if
    ``encapsulated``, JPEG, JPEG-LS, JPEG 2000, HTJ2K and RLE (PS3.5 A.4), whose files from
    :func:`dicom_files` carry encapsulated pixel data of opaque fragments."""
    if not (native or encapsulated):
        raise InvalidArgument("transfer_syntaxes() needs native=True or encapsulated=True")
    return syntaxes(native=native, encapsulated=encapsulated, deflated=deflated)


def encoded_files(
    *,
    transfer_syntax: Any = None,
    preamble: bool | None = None,
    max_depth: int = 2,
    max_elements: int = 6,
    private: bool = True,
    charset: Any = None,
    undefined_lengths: bool | None = None,
    group_lengths: bool | None = None,
    pixel_data: bool | None = None,
) -> st.SearchStrategy[EncodedFile]:
    """:class:`EncodedFile` objects: the bytes of :func:`dicom_files` together with the
    :class:`DatasetSpec` of their dataset and meta group and the transfer syntax, so a test can
    compare what a reader gives with what was written (``EncodedFile.to_dataset()`` builds the
    same dataset in code). Arguments are those of :func:`dicom_files`."""
    if charset is not None:
        charset = _charset(charset)
    return file_specs(
        transfer_syntax=transfer_syntax,
        preamble=preamble,
        max_depth=max_depth,
        max_elements=max_elements,
        private=private,
        charset=charset,
        undefined_lengths=undefined_lengths,
        group_lengths=group_lengths,
        pixel_data=pixel_data,
    )


def dicom_files(
    *,
    transfer_syntax: Any = None,
    preamble: bool | None = None,
    max_depth: int = 2,
    max_elements: int = 6,
    private: bool = True,
    charset: Any = None,
    undefined_lengths: bool | None = None,
    group_lengths: bool | None = None,
    pixel_data: bool | None = None,
) -> st.SearchStrategy[bytes]:
    """Complete DICOM files as ``bytes``, written by this module's own encoder.

    Each has the file meta group (PS3.10 7.1) and a dataset with SOP Class/Instance UIDs,
    standard and private elements, nested sequences whose sequences and items have defined
    or undefined length (``undefined_lengths``: True, False, or None for both), sometimes
    group lengths (gggg,0000) (``group_lengths``), and sometimes a small native image
    (``pixel_data``); files of an encapsulated ``transfer_syntax`` (a UID or a strategy;
    default :func:`transfer_syntaxes`) always carry encapsulated pixel data with a Basic
    Offset Table and opaque fragments. ``preamble`` True gives the 128-byte preamble and
    ``DICM``; False starts with the meta group (readers need ``force``); None draws both.
    """
    return encoded_files(
        transfer_syntax=transfer_syntax,
        preamble=preamble,
        max_depth=max_depth,
        max_elements=max_elements,
        private=private,
        charset=charset,
        undefined_lengths=undefined_lengths,
        group_lengths=group_lengths,
        pixel_data=pixel_data,
    ).map(lambda encoded: encoded.data)


def edits(ds: Any, *, max_edits: int = 4, min_edits: int = 1) -> st.SearchStrategy[list[Edit]]:
    """Lists of :class:`Edit` valid for lazydcm dataset ``ds``, in order: set (a new value of
    the element's VR, through ``.value``, ``ds[tag] = DataElement`` or ``ds.Keyword``), add
    (a standard element, or a private one in an existing or new block with its creator),
    delete, and append or delete a sequence item, at the top level or inside items. Group
    lengths, private creators, Specific Character Set and the pixel data attributes are left
    alone. Apply them with :func:`apply_edits` (or ``Edit.apply``); ``ds`` itself is only
    read while drawing::

        from lazydcm.model.save import to_bytes

        @given(st.data())
        def test_edit_save_reopen_save(data):
            ds = data.draw(datasets(from_file=True))
            apply_edits(ds, data.draw(edits(ds)))
            written = to_bytes(ds)
            assert to_bytes(lazydcm.dcmread(written)) == written
    """
    if max_edits < min_edits or min_edits < 0:
        raise InvalidArgument(
            f"edits(): need 0 <= min_edits <= max_edits, got {min_edits}, {max_edits}"
        )
    return edit_lists(ds, max_edits=max_edits, min_edits=min_edits)


def mutated(file_bytes: Any, *, max_mutations: int = 4) -> st.SearchStrategy[bytes]:
    """Malformed variants of ``file_bytes`` (bytes, or a strategy of bytes such as
    :func:`dicom_files`): 1 to ``max_mutations`` of bit flips, byte changes, truncation,
    corrupted length fields (zero, odd, 0xFFFF, 0xFFFFFFFF, off by one...), corrupted tags
    and VRs, inserted or deleted bytes and duplicated chunks (see :data:`MUTATIONS`). Length
    fields, tags and VRs are found by pattern, so any bytes can be mutated; the result is at
    most about twice the input size."""
    if max_mutations < 1:
        raise InvalidArgument("mutated(): max_mutations must be at least 1")
    return mutations(file_bytes, max_mutations)

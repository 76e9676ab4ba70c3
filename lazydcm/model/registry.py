"""``DataDictionary``: run-time additions to the data dictionaries, as an explicit object.

pydicom extends its dictionaries by mutating module globals (``add_dict_entries``); lazydcm keeps
no global mutable state, so additions live in a ``DataDictionary`` the caller creates and passes
where it should apply (:mod:`lazydcm.datadict` functions take it as ``dictionary=``;
:meth:`DataDictionary.attach` makes a dataset read from a file use its private entries). Entries
added here are consulted before the standard's (PS3.6) and DCMTK's private dictionary.
"""

from __future__ import annotations

from typing import Any

from lazydcm.model import dictionary
from lazydcm.model.dictionary import DictEntry

__all__ = ["DataDictionary"]

_PrivateKey = tuple[str, int, int]


def _int_tag(tag: Any) -> int:
    from lazydcm.model.tag import Tag

    return int(Tag(tag))


class DataDictionary:
    """Extra public and private dictionary entries, owned by the caller (not global).

    Lookups (:meth:`entry_for`, :meth:`private_entry_for`, :meth:`tag_for_keyword`) try the
    entries added here first, then the built-in dictionaries. A ``DataDictionary()`` with no
    additions behaves exactly like the built-in dictionaries.
    """

    def __init__(self) -> None:
        self._public: dict[int, tuple[str, str, str, str, bool]] = {}
        self._keywords: dict[str, int] = {}
        self._private: dict[_PrivateKey, tuple[str, str, str]] = {}

    # -- additions (pydicom's datadict.add_* signatures, as methods) ---------------------------
    def add_dict_entry(
        self,
        tag: Any,
        VR: str,
        keyword: str,
        description: str,
        VM: str = "1",
        is_retired: str = "",
    ) -> None:
        """Add (or replace) one public element. Raises ``ValueError`` for a private tag (use
        :meth:`add_private_dict_entry`)."""
        number = _int_tag(tag)
        if number >> 16 & 1:
            raise ValueError(f"{number:08X} is private: use add_private_dict_entry")
        self._public[number] = (VR, VM, description, keyword, bool(is_retired))
        if keyword:
            self._keywords[keyword] = number

    def add_dict_entries(self, new_entries: dict[int, tuple[Any, ...]]) -> None:
        """Add public elements: ``{tag: (VR, VM, description, is_retired, keyword)}`` (the
        tuple order of pydicom's ``DicomDictionary``)."""
        for tag, (vr, vm, description, is_retired, keyword) in new_entries.items():
            self.add_dict_entry(tag, vr, keyword, description, vm, is_retired)

    def add_private_dict_entry(
        self, private_creator: str, tag: Any, VR: str, description: str, VM: str = "1"
    ) -> None:
        """Add (or replace) one private element of ``private_creator``. Only the low byte of
        the element number matters (the block byte is whatever the creator reserved, PS3.5
        7.8.1). Raises ``ValueError`` for a tag of an even (standard) group."""
        number = _int_tag(tag)
        group = number >> 16
        if not group & 1:
            raise ValueError(f"{number:08X} is not a private tag (odd group)")
        self._private[(private_creator.strip(" \0"), group, number & 0xFF)] = (VR, VM, description)

    def add_private_dict_entries(
        self, private_creator: str, new_entries: dict[int, tuple[Any, ...]]
    ) -> None:
        """Add private elements of one creator: ``{tag: (VR, VM, description, is_retired)}``."""
        for tag, entry in new_entries.items():
            vr, vm, description = entry[:3]
            self.add_private_dict_entry(private_creator, tag, vr, description, vm)

    # -- lookups ---------------------------------------------------------------------------------
    def entry_for(self, tag: Any) -> DictEntry | None:
        """The entry of a standard (or added) element, or None."""
        number = _int_tag(tag)
        row = self._public.get(number)
        if row is not None:
            return DictEntry(number, *row)
        return dictionary.entry_for(number)

    def private_entry_for(self, tag: Any, private_creator: str) -> DictEntry | None:
        """The entry of private element ``tag`` reserved by ``private_creator``, or None."""
        return dictionary.private_entry_for(_int_tag(tag), private_creator, self._private)

    def tag_for_keyword(self, keyword: str) -> int | None:
        """The tag of ``keyword`` (added keywords first), or None."""
        found = self._keywords.get(keyword)
        return found if found is not None else dictionary.tag_for_keyword(keyword)

    @property
    def private_rows(self) -> dict[_PrivateKey, tuple[str, str, str]]:
        """The added private rows ``(creator, group, element byte) -> (VR, VM, name)``."""
        return dict(self._private)

    def attach(self, dataset: Any) -> Any:
        """Make ``dataset`` (and its sequence items) use this dictionary's additions for
        elements it has not looked at yet: private entries for VR and name of private
        elements, public entries for the VR of standard-group tags the built-in dictionary
        does not know (in implicit VR). Returns ``dataset``."""
        dataset.__dict__["_private_extra"] = self._private
        dataset.__dict__["_dictionary_extra"] = self
        return dataset

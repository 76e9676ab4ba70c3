"""``PersonName`` and ``AS``: the structured string values.

``PersonName`` (PS3.5 6.2 PN) keeps the decoded text as stored (``"Yamada^Tarou=山田^太郎"``)
and reads its component groups (split on ``=``: alphabetic, ideographic, phonetic) and the five
components of a group (split on ``^``: family name, given name, middle name, prefix, suffix) on
access. It compares equal to another ``PersonName`` or a ``str`` with the same text.

``AS`` (PS3.5 6.2 AS) is the stored ``str`` (``"045Y"``) with :attr:`AS.value` and
:attr:`AS.unit` parsed on access.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import attrs

__all__ = ["PersonName", "AS", "pn_problem", "is_valid_as"]

_COMPONENT_NAMES = ("family_name", "given_name", "middle_name", "name_prefix", "name_suffix")
_PN_MAX_GROUP_CHARS = 64  # PS3.5 Table 6.2-1: 64 chars maximum per component group
_PN_BAD_CONTROL = re.compile(r"[\x00-\x1a\x1c-\x1f]")  # control characters other than ESC


def _no_backslash(instance: Any, attribute: Any, value: str) -> None:
    if "\\" in value:
        raise ValueError(
            f"a person name cannot contain a backslash (the value delimiter): {value!r}"
        )


def pn_problem(text: str) -> str | None:
    """Why ``text`` is not a PS3.5 6.2 PN value, or None when it is one."""
    groups = text.split("=")
    if len(groups) > 3:
        return f"{len(groups)} component groups (at most 3, delimited by '=')"
    for group in groups:
        if len(group) > _PN_MAX_GROUP_CHARS:
            return f"a component group of {len(group)} characters (at most {_PN_MAX_GROUP_CHARS})"
        if group.count("^") > 4:
            return f"{group.count('^') + 1} components in {group!r} (at most 5, delimited by '^')"
    if _PN_BAD_CONTROL.search(text):
        return "control characters (only ESC is allowed, for escape sequences)"
    return None


def _join(parts: Sequence[str], delimiter: str) -> str:
    return delimiter.join(parts).rstrip(delimiter)


def _decode_pn(raw: bytes, encodings: Any) -> str:
    """PN bytes as text: ``encodings`` is a Specific Character Set value (DICOM terms such as
    "ISO_IR 100" or a list of them) or Python codec names; None is the default repertoire."""
    import warnings

    from lazydcm.model.charset import Charset, CharsetWarning

    if isinstance(encodings, str):
        encodings = [encodings]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", CharsetWarning)
            charset = Charset.from_specific_character_set(list(encodings) if encodings else None)
    except (ValueError, LookupError, CharsetWarning):
        return raw.decode(encodings[0], errors="replace")  # a Python codec name, as pydicom
    return charset.decode(raw, "PN")


@attrs.frozen(eq=False, repr=False, init=False)
class PersonName:
    """A Person Name value (PS3.5 6.2.1).

    ``PersonName(value, encodings=None)`` takes a ``str``, another ``PersonName`` or the value's
    ``bytes`` (decoded with ``encodings``: Specific Character Set terms or Python codec names,
    default ISO-IR 6); ``ValueError`` if the text contains a backslash (the value delimiter),
    ``TypeError`` for other types. Trailing spaces of bytes are padding and dropped.

    Attributes:
        text: the decoded value as stored (trailing padding removed), e.g. ``"Last^First"``.
        original_string: the bytes it was made from, or None when made from text.
    """

    text: str
    original_string: bytes | None

    def __init__(
        self, value: Any = "", encodings: Any = None, original_string: bytes | None = None
    ) -> None:
        if isinstance(value, PersonName):
            text, original_string = value.text, original_string or value.original_string
        elif isinstance(value, (bytes, bytearray, memoryview)):
            original_string = bytes(value)
            text = _decode_pn(original_string, encodings).rstrip(" ")
        elif isinstance(value, str):
            text = value
        else:
            raise TypeError(f"a PersonName is made from str or bytes, not {type(value).__name__}")
        _no_backslash(self, None, text)
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "original_string", original_string)

    @classmethod
    def from_str(cls, text: str) -> PersonName:
        """Wrap decoded PN text. Raises ``ValueError`` if it contains a backslash."""
        return cls(text)

    @classmethod
    def _from_decoded(cls, text: str) -> PersonName:
        # For text already split on backslashes by the decoder: skips the validators.
        self = object.__new__(cls)
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "original_string", None)
        return self

    @classmethod
    def from_bytes(cls, raw: bytes, charset: Any = None) -> PersonName:
        """Decode one PN value's bytes (without padding) with a
        :class:`~lazydcm.model.charset.Charset` (None: the default repertoire)."""
        if charset is None:
            from lazydcm.model.charset import Charset

            charset = Charset.from_specific_character_set(None)
        return cls(charset.decode(raw, "PN").rstrip(" "), original_string=bytes(raw))

    @classmethod
    def from_components(
        cls,
        family_name: str = "",
        given_name: str = "",
        middle_name: str = "",
        name_prefix: str = "",
        name_suffix: str = "",
        *,
        ideographic: str | Sequence[str] = "",
        phonetic: str | Sequence[str] = "",
    ) -> PersonName:
        """Build a name from its alphabetic components and, optionally, the ideographic and
        phonetic groups (each a ready ``"A^B"`` string or a sequence of components).
        Trailing empty components and groups are omitted (PS3.5 6.2).

        Raises ``ValueError`` if a component contains ``^``, ``=`` or ``\\``.
        """
        groups = [(family_name, given_name, middle_name, name_prefix, name_suffix)]
        for extra in (ideographic, phonetic):
            groups.append((extra,) if isinstance(extra, str) else tuple(extra))
        texts = []
        for index, components in enumerate(groups):
            for component in components:
                bad = "=\\" if index and len(components) == 1 else "^=\\"
                if any(ch in component for ch in bad):
                    raise ValueError(f"a name component cannot contain {bad!r}: {component!r}")
            texts.append(_join(components, "^"))
        return cls(_join(texts, "="))

    # -- groups and components ----------------------------------------------------------------

    @property
    def components(self) -> tuple[str, ...]:
        """The component groups present, in order (``"A^B=C"`` -> ``("A^B", "C")``)."""
        return tuple(self.text.split("="))

    def _group(self, index: int) -> str:
        groups = self.text.split("=")
        return groups[index] if index < len(groups) else ""

    @property
    def alphabetic(self) -> str:
        """The first (alphabetic) component group, or ``""``."""
        return self._group(0)

    @property
    def ideographic(self) -> str:
        """The second (ideographic) component group, or ``""``."""
        return self._group(1)

    @property
    def phonetic(self) -> str:
        """The third (phonetic) component group, or ``""``."""
        return self._group(2)

    def _component(self, index: int) -> str:
        parts = self.alphabetic.split("^")
        return parts[index] if index < len(parts) else ""

    @property
    def family_name(self) -> str:
        """Component 1 of the alphabetic group (family name complex)."""
        return self._component(0)

    @property
    def given_name(self) -> str:
        """Component 2 of the alphabetic group (given name complex)."""
        return self._component(1)

    @property
    def middle_name(self) -> str:
        """Component 3 of the alphabetic group."""
        return self._component(2)

    @property
    def name_prefix(self) -> str:
        """Component 4 of the alphabetic group."""
        return self._component(3)

    @property
    def name_suffix(self) -> str:
        """Component 5 of the alphabetic group."""
        return self._component(4)

    @classmethod
    def from_named_components(
        cls,
        family_name: str = "",
        given_name: str = "",
        middle_name: str = "",
        name_prefix: str = "",
        name_suffix: str = "",
        family_name_ideographic: str = "",
        given_name_ideographic: str = "",
        middle_name_ideographic: str = "",
        name_prefix_ideographic: str = "",
        name_suffix_ideographic: str = "",
        family_name_phonetic: str = "",
        given_name_phonetic: str = "",
        middle_name_phonetic: str = "",
        name_prefix_phonetic: str = "",
        name_suffix_phonetic: str = "",
        encodings: Any = None,
    ) -> PersonName:
        """pydicom's keyword constructor: the five components of each of the three groups
        (PS3.5 6.2.1.1); ``encodings`` is accepted for compatibility (text is encoded when the
        element is written, with the dataset's character set). ``ValueError`` as
        :meth:`from_components`."""
        return cls.from_components(
            family_name,
            given_name,
            middle_name,
            name_prefix,
            name_suffix,
            ideographic=(
                family_name_ideographic,
                given_name_ideographic,
                middle_name_ideographic,
                name_prefix_ideographic,
                name_suffix_ideographic,
            ),
            phonetic=(
                family_name_phonetic,
                given_name_phonetic,
                middle_name_phonetic,
                name_prefix_phonetic,
                name_suffix_phonetic,
            ),
        )

    @classmethod
    def from_named_components_veterinary(
        cls,
        responsible_party_name: str = "",
        patient_name: str = "",
        responsible_party_name_ideographic: str = "",
        patient_name_ideographic: str = "",
        responsible_party_name_phonetic: str = "",
        patient_name_phonetic: str = "",
        encodings: Any = None,
    ) -> PersonName:
        """A veterinary patient's name: responsible party (family name component) and the
        patient's name (given name component), PS3.5 6.2.1.1."""
        return cls.from_named_components(
            family_name=responsible_party_name,
            given_name=patient_name,
            family_name_ideographic=responsible_party_name_ideographic,
            given_name_ideographic=patient_name_ideographic,
            family_name_phonetic=responsible_party_name_phonetic,
            given_name_phonetic=patient_name_phonetic,
        )

    def family_comma_given(self) -> str:
        """``"Family, Given"`` of the alphabetic group."""
        return f"{self.family_name}, {self.given_name}"

    def encode(self, encodings: Any = None) -> bytes:
        """The value as bytes in ``encodings`` (Specific Character Set terms; None: ISO-IR 6).
        Raises ``ValueError`` for a character the character set cannot encode."""
        from lazydcm.model.charset import Charset

        if isinstance(encodings, str):
            encodings = [encodings]
        charset = Charset.from_specific_character_set(list(encodings) if encodings else None)
        return charset.encode(self.text, "PN")

    def formatted(self, template: str) -> str:
        """``template % components``, with the keys ``family_name``, ``given_name``,
        ``middle_name``, ``name_prefix`` and ``name_suffix`` (alphabetic group)."""
        return template % {name: self._component(i) for i, name in enumerate(_COMPONENT_NAMES)}

    # -- str-like behaviour ---------------------------------------------------------------------

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return repr(self.text)  # pydicom 3: the text, quoted

    def _key(self) -> str:
        # PS3.5 6.2.1: trailing empty component groups ("=") may be omitted, so "A^B=" and
        # "A^B" are the same name.
        return self.text.rstrip("=")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PersonName):
            return self._key() == other._key()
        if isinstance(other, str):
            return self._key() == other.rstrip("=")
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash(self._key())

    def __iter__(self) -> Any:
        """The characters of the text (pydicom iterates a name like a ``str``)."""
        return iter(self.text)

    def __bool__(self) -> bool:
        return bool(self.text)

    def __len__(self) -> int:
        return len(self.text)

    def __contains__(self, item: str) -> bool:
        return item in self.text


_AS_PATTERN = re.compile(r"(\d{3})([DWMY])\Z")


def is_valid_as(text: str) -> bool:
    """True for a PS3.5 6.2 AS value: three digits and one of ``D W M Y``."""
    return _AS_PATTERN.match(text) is not None


class AS(str):
    """An Age String value (``"045Y"``): the stored ``str`` with :attr:`value` and :attr:`unit`."""

    __slots__ = ()

    @classmethod
    def from_str(cls, text: str) -> AS:
        """Wrap stored text (any text: validity is reported by :attr:`value`)."""
        return cls(text)

    @classmethod
    def from_age(cls, value: int, unit: str) -> AS:
        """Format an age: ``AS.from_age(45, "Y") == "045Y"``. ``ValueError`` unless
        0 <= value <= 999 and unit is one of ``D W M Y``."""
        if unit not in ("D", "W", "M", "Y") or not 0 <= int(value) <= 999:
            raise ValueError(f"an AS holds 0-999 days/weeks/months/years, not {value!r}{unit!r}")
        return cls(f"{int(value):03d}{unit}")

    @property
    def value(self) -> int | None:
        """The number of units, or None if the text is not a valid age string."""
        found = _AS_PATTERN.match(self.strip(" "))
        return int(found[1]) if found else None

    @property
    def unit(self) -> str | None:
        """``"D"``, ``"W"``, ``"M"`` or ``"Y"``, or None if the text is not a valid age string."""
        found = _AS_PATTERN.match(self.strip(" "))
        return found[2] if found else None

    def __repr__(self) -> str:
        return f"AS({str.__repr__(self)})"

"""Character sets for generated text: which characters to draw, and how to encode them.

An independent, deliberately small encoder (Python's codecs plus the ISO 2022 escape rules of
PS3.5 6.1.2.5), used to write generated files without lazydcm's own ``Charset``. Only a
well-defined subset of the Specific Character Set terms lazydcm supports is offered here: each
one's alphabet holds only characters whose encoding is unambiguous, so that every reader
(lazydcm, pydicom, DCMTK) decodes the bytes to the same text.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable

import attrs

__all__ = [
    "CHARSET_VRS",
    "CharsetInfo",
    "CHARSETS",
    "DEFAULT",
    "PRINTABLE_ASCII",
    "charset_for_terms",
    "encode_text",
]

#: VRs whose text Specific Character Set (0008,0005) applies to (PS3.5 6.1.2.3).
CHARSET_VRS = frozenset({"SH", "LO", "UC", "ST", "LT", "UT", "PN"})
#: The default repertoire's graphic characters (ISO-IR 6, PS3.5 6.1.2.1).
PRINTABLE_ASCII = "".join(chr(c) for c in range(0x20, 0x7F))

_CONTROLS = "\r\n\t\x0c"  # PS3.5 6.1.2.5.3: Value 1's sets are active again after these
_ESC_ASCII = b"\x1b(B"  # ISO 2022: designate ASCII to G0


@attrs.frozen
class _Iso2022Set:
    """One extra code set of an ISO 2022 Specific Character Set (Value 1 empty: ASCII, no G1).

    ``register`` 0 (G0, bytes 0x21-0x7E) or 1 (G1, bytes 0xA1-0xFE); ``to_bytes(ch)`` gives
    the character's bytes in that set.
    """

    escape: bytes
    register: int
    to_bytes: Callable[[str], bytes]


def _jis_x_0208(ch: str) -> bytes:
    data = ch.encode("euc_jp")
    return bytes((data[0] & 0x7F, data[1] & 0x7F))  # EUC row/cell moved from GR to GL


def _iso2022(text: str, vr: str, code_set: _Iso2022Set) -> bytes:
    """Encode ``text`` with ASCII as Value 1 and one extra set (PS3.5 6.1.2.5.3): the set is
    designated before its first character, and after every delimiter (``\\``, and ``^ =`` in
    PN, and CR LF FF TAB) it has to be designated again; a G0 set is replaced by ASCII before
    delimiters, ASCII characters and the end of the value."""
    if vr == "PN":
        delimiters = "\\^=" + _CONTROLS
    elif vr in ("LT", "ST", "UT"):
        delimiters = _CONTROLS
    else:
        delimiters = "\\" + _CONTROLS
    out = bytearray()
    designated = False
    for ch in text:
        if ord(ch) < 0x80:
            if designated and (code_set.register == 0 or ch in delimiters):
                if code_set.register == 0:
                    out += _ESC_ASCII
                designated = False
            out += ch.encode("ascii")
            continue
        if not designated:
            out += code_set.escape
            designated = True
        out += code_set.to_bytes(ch)
    if designated and code_set.register == 0:
        out += _ESC_ASCII
    return bytes(out)


@attrs.frozen
class CharsetInfo:
    """A Specific Character Set the strategies can write.

    Attributes:
        terms: the (0008,0005) values (``()`` for the default repertoire: no element).
        name: a short label.
        codec: the Python codec for a set without code extensions, or None.
        iso2022: the extra ISO 2022 set when the terms use code extensions.
        extra_source: a function returning the non-ASCII characters of the alphabet.
    """

    terms: tuple[str, ...]
    name: str
    codec: str | None = None
    iso2022: _Iso2022Set | None = None
    extra_source: Callable[[], tuple[str, ...]] = attrs.field(default=tuple, eq=False, repr=False)

    @functools.cached_property
    def extra(self) -> tuple[str, ...]:
        """Non-ASCII characters that encode and decode unambiguously in this set."""
        return self.extra_source()

    def encode(self, text: str, vr: str) -> bytes:
        """The bytes of ``text`` (all values and delimiters, unpadded) in this set for a VR
        of :data:`CHARSET_VRS`. Raises ``UnicodeEncodeError`` for characters outside it."""
        if self.iso2022 is not None:
            return _iso2022(text, vr, self.iso2022)
        return text.encode(self.codec or "ascii")


def _single_byte(codec: str) -> Callable[[], tuple[str, ...]]:
    def chars() -> tuple[str, ...]:
        out = []
        for b in range(0xA0, 0x100):  # the G1 (GR) half; 0x80-0x9F are C1 controls
            try:
                ch = bytes((b,)).decode(codec)
            except UnicodeDecodeError:
                continue
            if unicodedata.category(ch)[0] in "LNPS":
                out.append(ch)
        return tuple(out)

    return chars


def _double_byte(check: Callable[[str], bool], codec: str) -> Callable[[], tuple[str, ...]]:
    """Letters of a 94x94 set read through an EUC-style ``codec`` that ``check`` accepts."""

    def chars() -> tuple[str, ...]:
        out = []
        for first in range(0xB0, 0xF5):
            for second in range(0xA1, 0xFF):
                try:
                    ch = bytes((first, second)).decode(codec)
                except UnicodeDecodeError:
                    continue
                if len(ch) == 1 and unicodedata.category(ch).startswith("L") and check(ch):
                    out.append(ch)
        return tuple(out)

    return chars


def _jis_ok(ch: str) -> bool:
    try:
        data = ch.encode("iso2022_jp")
    except UnicodeEncodeError:
        return False
    return data.startswith(b"\x1b$B") and len(data) == 8


def _two_bytes(codec: str) -> Callable[[str], bool]:
    def check(ch: str) -> bool:
        try:
            return len(ch.encode(codec)) == 2
        except UnicodeEncodeError:
            return False

    return check


def _jis_x_0212(ch: str) -> bytes:
    data = ch.encode("euc_jp")  # EUC-JP code set 3: SS3 (0x8F), then the two bytes in GR
    return bytes((data[1] & 0x7F, data[2] & 0x7F))


def _jis_x_0212_letters() -> tuple[str, ...]:
    out = []
    for first in range(0xB0, 0xEE):  # the kanji rows of JIS X 0212
        for second in range(0xA1, 0xFF):
            try:
                ch = bytes((0x8F, first, second)).decode("euc_jp")
            except UnicodeDecodeError:
                continue
            if len(ch) == 1 and unicodedata.category(ch).startswith("L"):
                out.append(ch)
    return tuple(out)


def _half_width_katakana() -> tuple[str, ...]:
    return tuple(chr(c) for c in range(0xFF61, 0xFFA0))  # JIS X 0201 GR: 0xA1-0xDF


def _unicode_sample() -> tuple[str, ...]:
    ranges = [
        (0xA1, 0x17F),
        (0x391, 0x3C9),
        (0x410, 0x44F),
        (0x5D0, 0x5EA),
        (0x627, 0x64A),
        (0x3041, 0x3096),
        (0x4E00, 0x4E80),
        (0xAC00, 0xAC40),
        (0x1F600, 0x1F640),
    ]
    out = []
    for low, high in ranges:
        out.extend(
            ch for ch in map(chr, range(low, high + 1)) if unicodedata.category(ch)[0] in "LNPS"
        )
    return tuple(out)


DEFAULT = CharsetInfo((), "default", codec="ascii")

#: The character sets offered, by label. The ISO 2022 ones have an empty Value 1 (ASCII).
CHARSETS: dict[str, CharsetInfo] = {
    info.name: info
    for info in (
        DEFAULT,
        CharsetInfo(("ISO_IR 100",), "latin1", "latin_1", extra_source=_single_byte("latin_1")),
        CharsetInfo(("ISO_IR 101",), "latin2", "iso8859_2", extra_source=_single_byte("iso8859_2")),
        CharsetInfo(
            ("ISO_IR 144",), "cyrillic", "iso8859_5", extra_source=_single_byte("iso8859_5")
        ),
        CharsetInfo(("ISO_IR 126",), "greek", "iso8859_7", extra_source=_single_byte("iso8859_7")),
        CharsetInfo(("ISO_IR 148",), "latin5", "iso8859_9", extra_source=_single_byte("iso8859_9")),
        CharsetInfo(("ISO_IR 109",), "latin3", "iso8859_3", extra_source=_single_byte("iso8859_3")),
        CharsetInfo(("ISO_IR 110",), "latin4", "iso8859_4", extra_source=_single_byte("iso8859_4")),
        CharsetInfo(("ISO_IR 127",), "arabic", "iso8859_6", extra_source=_single_byte("iso8859_6")),
        CharsetInfo(("ISO_IR 138",), "hebrew", "iso8859_8", extra_source=_single_byte("iso8859_8")),
        CharsetInfo(
            ("ISO_IR 203",), "latin9", "iso8859_15", extra_source=_single_byte("iso8859_15")
        ),
        CharsetInfo(("ISO_IR 166",), "thai", "iso8859_11", extra_source=_single_byte("iso8859_11")),
        CharsetInfo(("ISO_IR 192",), "utf8", "utf_8", extra_source=_unicode_sample),
        CharsetInfo(("GBK",), "gbk", "gbk", extra_source=_double_byte(_two_bytes("gbk"), "gb2312")),
        CharsetInfo(
            ("GB18030",),
            "gb18030",
            "gb18030",
            extra_source=_double_byte(_two_bytes("gb18030"), "gb2312"),
        ),
        CharsetInfo(("ISO_IR 13",), "jis_x_0201", "shift_jis", extra_source=_half_width_katakana),
        CharsetInfo(
            ("ISO 2022 IR 100",), "latin1_2022", "latin_1", extra_source=_single_byte("latin_1")
        ),
        CharsetInfo(
            ("ISO 2022 IR 144",),
            "cyrillic_2022",
            "iso8859_5",
            extra_source=_single_byte("iso8859_5"),
        ),
        CharsetInfo(
            ("", "ISO 2022 IR 159"),
            "jis_x_0212",
            iso2022=_Iso2022Set(b"\x1b$(D", 0, _jis_x_0212),
            extra_source=_jis_x_0212_letters,
        ),
        CharsetInfo(
            ("", "ISO 2022 IR 87"),
            "jis_x_0208",
            iso2022=_Iso2022Set(b"\x1b$B", 0, _jis_x_0208),
            extra_source=_double_byte(_jis_ok, "euc_jp"),
        ),
        CharsetInfo(
            ("", "ISO 2022 IR 149"),
            "ks_x_1001",
            iso2022=_Iso2022Set(b"\x1b$)C", 1, lambda ch: ch.encode("euc_kr")),
            extra_source=_double_byte(_two_bytes("euc_kr"), "euc_kr"),
        ),
        CharsetInfo(
            ("", "ISO 2022 IR 58"),
            "gb2312",
            iso2022=_Iso2022Set(b"\x1b$)A", 1, lambda ch: ch.encode("gb2312")),
            extra_source=_double_byte(_two_bytes("gb2312"), "gb2312"),
        ),
    )
}


def charset_for_terms(terms: object) -> CharsetInfo | None:
    """The :class:`CharsetInfo` whose terms are ``terms`` (a (0008,0005) value as a str, list
    or None), or None when it is not one of :data:`CHARSETS`."""
    if terms is None or terms == "":
        return DEFAULT
    if isinstance(terms, str):
        items = terms.split("\\")
    else:
        try:
            items = [str(t) for t in terms]  # type: ignore[attr-defined]
        except TypeError:
            return None
    key = tuple(t.strip(" ") for t in items)
    for info in CHARSETS.values():
        if info.terms == key:
            return info
    return None


def encode_text(text: str, vr: str, charset: CharsetInfo) -> bytes:
    """The bytes of the text of a value (unpadded): ``charset`` for :data:`CHARSET_VRS`,
    ASCII for every other text VR (their repertoire is the default one, PS3.5 6.1.2.2)."""
    if vr in CHARSET_VRS:
        return charset.encode(text, vr)
    return text.encode("ascii")

"""``Charset``: Specific Character Set (0008,0005) and the text codecs it selects.

Supported Defined Terms (PS3.3 C.12.1.1.2):

* no value, or an empty Value 1: the default repertoire ISO-IR 6. It is read and written as
  ISO 8859-1, a superset, so 8-bit text in files that forgot to declare a character set still
  survives a round trip;
* single-byte, without code extensions (Table C.12-2): ``ISO_IR 100`` ``101`` ``109`` ``110``
  ``144`` ``127`` ``126`` ``138`` ``148`` ``203`` ``13`` ``166``;
* multi-byte, without code extensions (Table C.12-5): ``ISO_IR 192`` (UTF-8), ``GB18030``,
  ``GBK``;
* with ISO/IEC 2022 code extensions (Tables C.12-3 and C.12-4): ``ISO 2022 IR 6`` ``100``
  ``101`` ``109`` ``110`` ``144`` ``127`` ``126`` ``138`` ``148`` ``203`` ``13`` ``166`` and the
  multi-byte ``ISO 2022 IR 87`` and ``159`` (Japanese, G0), ``149`` (Korean, G1) and ``58``
  (Chinese, G1).

ISO 2022 text is decoded one escape-delimited run at a time (PS3.5 6.1.2.5): Value 1's sets (or
ISO-IR 6) are designated at the start of a value, and designated again after a single-byte value
delimiter ``\\``, after the PN delimiters ``^`` and ``=``, and after the control characters CR, LF,
FF and TAB. A byte 05/12 inside a two-byte character is not a delimiter, so callers split the
*decoded* text on ``"\\"``, never the bytes. Encoding picks, character by character, the first set
named by the Specific Character Set that can encode it, inserts its escape sequence, and
re-designates Value 1's sets before every delimiter and at the end of the text, as the examples of
PS3.5 Annexes H, I and K do.

Leniency, by design (a reader must not crash on real-world files): a misspelled term
(``ISO-IR 100``, ``ISO_IR_100``, ``UTF-8``...) is matched loosely, an unknown term falls back to
the default repertoire, bytes a codec cannot decode are replaced with U+FFFD, and unknown escape
sequences are dropped; each of these emits a :class:`CharsetWarning`. Encoding is strict: text the
character set cannot represent raises ``ValueError`` (or is replaced with ``?`` on request).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable

import attrs

__all__ = ["Charset", "CharsetWarning"]


class CharsetWarning(UserWarning):
    """A character set problem that was worked around while reading (see the module docstring)."""


@attrs.frozen
class _CodeSet:
    """One graphic character set that ISO 2022 escape sequences can designate.

    ``register`` is 0 for G0 (invoked in GL, bytes 0x21-0x7E) and 1 for G1 (invoked in GR, bytes
    0xA0-0xFF). ``kind`` says how its bytes map to text: ``"ascii"`` (GL single bytes),
    ``"gr"`` (single-byte GR set read through an ASCII-compatible 8-bit ``codec``),
    ``"dbcs"`` (two-byte GR set read through an EUC-style ``codec``), ``"jis0208"`` and
    ``"jis0212"`` (two-byte GL sets, read by moving the bytes to EUC-JP), ``"katakana7"``
    (JIS X 0201 katakana designated to G0, read by moving the bytes to GR).
    """

    name: str
    register: int
    escape: bytes
    kind: str
    codec: str


_ASCII = _CodeSet("ISO-IR 6", 0, b"\x1b(B", "ascii", "latin_1")
# ISO-IR 14 (JIS X 0201 romaji) differs from ASCII only at 05/12 (YEN SIGN) and 07/14 (OVERLINE);
# 05/12 is the value delimiter whatever glyph it has (PS3.5 6.1.2.3), so it is read as ASCII.
_ROMAJI = _CodeSet("ISO-IR 14", 0, b"\x1b(J", "ascii", "latin_1")
_KATAKANA = _CodeSet("ISO-IR 13", 1, b"\x1b)I", "gr", "shift_jis")
_KATAKANA_G0 = _CodeSet("ISO-IR 13", 0, b"\x1b(I", "katakana7", "shift_jis")
_JIS_X_0208 = _CodeSet("ISO-IR 87", 0, b"\x1b$B", "jis0208", "euc_jp")
_JIS_X_0212 = _CodeSet("ISO-IR 159", 0, b"\x1b$(D", "jis0212", "euc_jp")
_KS_X_1001 = _CodeSet("ISO-IR 149", 1, b"\x1b$)C", "dbcs", "euc_kr")
_GB_2312 = _CodeSet("ISO-IR 58", 1, b"\x1b$)A", "dbcs", "gb2312")


def _gr(number: int, final: bytes, codec: str) -> _CodeSet:
    # G1-DESIGNATE 96-SET is ESC 02/13 F (ISO/IEC 2022); F is the set's registered final byte.
    return _CodeSet(f"ISO-IR {number}", 1, b"\x1b-" + final, "gr", codec)


# ISO-IR number -> (96-character G1 set, Python codec for ASCII + that set), PS3.3 Table C.12-3.
_LATIN_SETS = {
    100: _gr(100, b"A", "latin_1"),
    101: _gr(101, b"B", "iso8859_2"),
    109: _gr(109, b"C", "iso8859_3"),
    110: _gr(110, b"D", "iso8859_4"),
    144: _gr(144, b"L", "iso8859_5"),
    127: _gr(127, b"G", "iso8859_6"),
    126: _gr(126, b"F", "iso8859_7"),
    138: _gr(138, b"H", "iso8859_8"),
    148: _gr(148, b"M", "iso8859_9"),
    203: _gr(203, b"b", "iso8859_15"),
    166: _gr(166, b"T", "iso8859_11"),  # TIS 620-2533 (ISO 8859-11 adds only NBSP at A0)
}

# PS3.3 Tables C.12-2 and C.12-5: terms without code extensions -> one Python codec.
_PLAIN_TERMS: dict[str, str] = {
    **{f"ISO_IR {n}": s.codec for n, s in _LATIN_SETS.items()},
    "ISO_IR 13": "shift_jis",  # JIS X 0201: romaji in GL, half-width katakana in GR
    "ISO_IR 192": "utf_8",
    "GB18030": "gb18030",
    "GBK": "gbk",
}

# PS3.3 Tables C.12-3 and C.12-4: terms with code extensions -> the sets each one designates.
_EXTENDED_TERMS: dict[str, tuple[_CodeSet, ...]] = {
    "ISO 2022 IR 6": (_ASCII,),
    **{f"ISO 2022 IR {n}": (_ASCII, s) for n, s in _LATIN_SETS.items()},
    "ISO 2022 IR 13": (_ROMAJI, _KATAKANA),
    "ISO 2022 IR 87": (_JIS_X_0208,),
    "ISO 2022 IR 159": (_JIS_X_0212,),
    "ISO 2022 IR 149": (_KS_X_1001,),
    "ISO 2022 IR 58": (_GB_2312,),
}

# Character sets that do not allow code extensions (PS3.5 6.1.2.4 and 6.1.2.5.4).
_NO_EXTENSIONS = frozenset({"ISO_IR 192", "GB18030", "GBK"})

# Escape sequences understood when decoding: the designations above, plus ESC $ @ (JIS C
# 6226-1978, read as JIS X 0208), ESC $ ( B (the long form of ESC $ B) and ESC ( I.
_ESCAPES: dict[bytes, _CodeSet] = {s.escape: s for sets in _EXTENDED_TERMS.values() for s in sets}
_ESCAPES.update(
    {b"\x1b(J": _ROMAJI, b"\x1b$@": _JIS_X_0208, b"\x1b$(B": _JIS_X_0208, b"\x1b(I": _KATAKANA_G0}
)


def _loose(term: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", term.upper())


# Loose spelling -> Defined Term, for misspelled values ("ISO-IR 100", "iso_ir_100", "UTF-8").
_LOOSE_TERMS: dict[str, str] = {_loose(t): t for t in (*_PLAIN_TERMS, *_EXTENDED_TERMS)}
_LOOSE_TERMS.update({"UTF8": "ISO_IR 192", "ISOIR6": "", "ISO646": "", "ASCII": ""})

# Delimiters after which Value 1's sets are active again (PS3.5 6.1.2.5.3), by VR.
_CONTROLS = rb"\r\n\t\x0c"
_DELIMS_PN = re.compile(rb"[\\^=" + _CONTROLS + rb"]")
_DELIMS_MULTI = re.compile(rb"[\\" + _CONTROLS + rb"]")
_DELIMS_TEXT = re.compile(rb"[" + _CONTROLS + rb"]")
_DELIM_RE_BY_VR = {"PN": _DELIMS_PN, "LT": _DELIMS_TEXT, "ST": _DELIMS_TEXT, "UT": _DELIMS_TEXT}
_DELIM_CHARS_BY_VR = {
    "PN": "\\^=\r\n\t\x0c",
    "LT": "\r\n\t\x0c",
    "ST": "\r\n\t\x0c",
    "UT": "\r\n\t\x0c",
}
_DELIM_CHARS_MULTI = "\\\r\n\t\x0c"
_CONTROL_BYTES = re.compile(rb"[\x00-\x1f]")
_RUNS = re.compile(rb"[\x00-\x7f]+|[\x80-\xff]+")
_GL_TO_GR = bytes(b | 0x80 if 0x21 <= b <= 0x7E else b for b in range(256))
_SJIS_DOUBLE_BYTE = re.compile(rb"[\x80-\xa0\xe0-\xff]")


def _decode_with(data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        warnings.warn(
            f"bytes {data[exc.start : exc.end]!r} are not valid {codec}; replaced with U+FFFD",
            CharsetWarning,
            stacklevel=4,
        )
        return data.decode(codec, "replace")


def _decode_gl(run: bytes, g0: _CodeSet) -> str:
    """Decode bytes 0x00-0x7F under a G0 set that is not ASCII-like."""
    if g0.kind == "jis0208":
        return _decode_with(run.translate(_GL_TO_GR), "euc_jp")
    if g0.kind == "jis0212":
        # EUC-JP code set 3 is JIS X 0212: SS3 (0x8F) then the two bytes moved to GR.
        out = bytearray()
        i, n = 0, len(run)
        while i < n:
            c = run[i]
            if 0x21 <= c <= 0x7E and i + 1 < n:
                out += bytes((0x8F, c | 0x80, run[i + 1] | 0x80))
                i += 2
            else:
                out.append(c)
                i += 1
        return _decode_with(bytes(out), "euc_jp")
    return _decode_with(run.translate(_GL_TO_GR), g0.codec)  # katakana7


def _decode_state(data: bytes, g0: _CodeSet, g1: _CodeSet | None) -> str:
    """Decode bytes that contain no escape and no state change under designations (g0, g1)."""
    if g0.kind == "ascii":
        # Every G1 codec here reads GL as ASCII, so one call decodes GL and GR together. With
        # no G1 set, GR bytes are read as ISO 8859-1 (the lenient default, see module doc).
        return _decode_with(data, g1.codec if g1 is not None else "latin_1")
    parts = []
    for run in _RUNS.findall(data):
        if run[0] < 0x80:
            parts.append(_decode_gl(run, g0))
        else:
            parts.append(_decode_with(run, g1.codec if g1 is not None else "latin_1"))
    return "".join(parts)


def _encode_char(code_set: _CodeSet, ch: str) -> bytes | None:
    """The bytes of one non-ASCII character in ``code_set``, or None if it has none."""
    kind = code_set.kind
    if kind == "ascii" or kind == "katakana7":
        return None
    try:
        data = ch.encode(code_set.codec)
    except UnicodeEncodeError:
        return None
    if kind == "gr":
        if len(data) != 1:
            return None
        if code_set is _KATAKANA:
            return data if 0xA1 <= data[0] <= 0xDF else None
        return data if data[0] >= 0xA0 else None
    if kind == "dbcs":
        return data if len(data) == 2 and data[0] >= 0xA1 and data[1] >= 0xA1 else None
    if kind == "jis0208":
        if len(data) == 2 and data[0] >= 0xA1 and data[1] >= 0xA1:
            return bytes((data[0] & 0x7F, data[1] & 0x7F))
        return None
    # jis0212: EUC-JP code set 3
    if len(data) == 3 and data[0] == 0x8F:
        return bytes((data[1] & 0x7F, data[2] & 0x7F))
    return None


def _terms_of(values: str | Iterable[str] | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, (bytes, bytearray, memoryview)):
        values = bytes(values).decode("latin_1")
    items = values.split("\\") if isinstance(values, str) else [str(v) for v in values]
    terms = [t.strip(" \0") for t in items]
    while terms and not terms[-1]:
        terms.pop()
    return terms


def _defined_term(term: str, *, warn: bool = True) -> str | None:
    """Return the Defined Term ``term`` means ("" for the default repertoire), or None."""
    if term in _PLAIN_TERMS or term in _EXTENDED_TERMS or term == "":
        return term
    found = _LOOSE_TERMS.get(_loose(term))
    if found is None:
        if warn:
            warnings.warn(
                f"unknown Specific Character Set term {term!r}; "
                "reading it as the default repertoire (ISO-IR 6, leniently ISO 8859-1)",
                CharsetWarning,
                stacklevel=4,
            )
        return None
    if warn and found != "":
        warnings.warn(
            f"Specific Character Set term {term!r} is not a Defined Term; read as {found!r}",
            CharsetWarning,
            stacklevel=4,
        )
    return found


@attrs.frozen
class Charset:
    """The character set(s) named by a Specific Character Set (0008,0005) value.

    Build one with :meth:`from_specific_character_set` (instances are cached and shared). Two
    charsets are equal when they name the same Defined Terms.

    Attributes:
        terms: the Defined Terms in effect, in value order (``""`` for an empty Value 1);
            ``()`` for the default repertoire.
        codec: the Python codec for a character set without code extensions, or None when ISO
            2022 code extensions are in use.
    """

    terms: tuple[str, ...]
    codec: str | None = attrs.field(eq=False)
    _code_sets: tuple[_CodeSet, ...] = attrs.field(eq=False, repr=False)
    _initial: tuple[_CodeSet, _CodeSet | None] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_specific_character_set(cls, values: str | bytes | Iterable[str] | None) -> Charset:
        """Return the charset for a Specific Character Set value.

        ``values`` is the decoded element value: None or ``""`` (absent: default repertoire),
        a ``str`` (backslashes separate values) or a sequence of ``str``; or the value's stored
        bytes (read as ISO-IR 6, padding stripped). Never raises: a
        misspelled term is matched loosely, an unknown one falls back to the default repertoire
        (PS3.5 6.1.2.3: implementations meet character sets unknown to them), each with a
        :class:`CharsetWarning` (once per distinct value: charsets are cached).
        """
        terms = _terms_of(values)
        key = tuple(terms)
        cached = _CACHE.get(key)
        if cached is not None:
            return cached
        charset = cls._build(terms)
        if len(_CACHE) >= _CACHE_LIMIT:  # bounded: values come from untrusted files
            _CACHE.clear()
        _CACHE[key] = charset
        return charset

    @classmethod
    def _build(cls, terms: list[str]) -> Charset:
        if not terms:
            return cls((), "latin_1", (), (_ASCII, None))
        if len(terms) == 1:
            term = _defined_term(terms[0])
            if not term:  # unknown, or a spelling of the default
                return cls((), "latin_1", (), (_ASCII, None))
            if term in _PLAIN_TERMS:
                return cls((term,), _PLAIN_TERMS[term], (), (_ASCII, None))
            sets = _EXTENDED_TERMS[term]
            return cls((term,), None, sets, _initial_state(sets))
        first = _defined_term(terms[0])
        if first in _NO_EXTENSIONS:
            warnings.warn(
                f"{first} does not allow code extensions (PS3.5 6.1.2.4); "
                f"ignoring the other values of {terms!r}",
                CharsetWarning,
                stacklevel=3,
            )
            return cls((first,), _PLAIN_TERMS[first], (), (_ASCII, None))
        names: list[str] = []
        sets: list[_CodeSet] = []
        value1_sets: tuple[_CodeSet, ...] = (_ASCII,)
        for position, raw in enumerate(terms):
            term = first if position == 0 else _defined_term(raw)
            if term is None:
                continue
            if term in _NO_EXTENSIONS:
                warnings.warn(
                    f"{term} cannot take part in code extensions (PS3.5 6.1.2.4); ignored",
                    CharsetWarning,
                    stacklevel=3,
                )
                continue
            if term in _PLAIN_TERMS:  # "ISO_IR 100" as a value of a multi-valued set
                extended = term.replace("ISO_IR", "ISO 2022 IR")
                warnings.warn(
                    f"{term!r} in a multi-valued Specific Character Set; read as {extended!r}",
                    CharsetWarning,
                    stacklevel=3,
                )
                term = extended
            term_sets = _EXTENDED_TERMS[term] if term else (_ASCII,)
            if position == 0:
                value1_sets = term_sets
            names.append(term)
            sets.extend(s for s in term_sets if s not in sets)
        if not any(names):
            return cls((), "latin_1", (), (_ASCII, None))
        return cls(tuple(names), None, tuple(sets), _initial_state(value1_sets))

    # -- facts ------------------------------------------------------------------------------

    @property
    def uses_code_extensions(self) -> bool:
        """True when text is decoded and encoded with ISO 2022 escape sequences."""
        return self.codec is None

    @property
    def is_default(self) -> bool:
        """True for the default repertoire (no Specific Character Set)."""
        return not self.terms

    # -- decoding ---------------------------------------------------------------------------

    def decode(self, raw: bytes | bytearray | memoryview, vr: str = "LO") -> str:
        """Return the text of a value's bytes (all its values, delimiters included).

        ``vr`` decides which delimiters make Value 1's sets active again in ISO 2022 text (PN:
        ``\\ ^ =``; LT, ST, UT: none but control characters; others: ``\\``). Padding is not
        stripped here. Never raises for bad bytes: they are replaced with U+FFFD and a
        :class:`CharsetWarning` is emitted.
        """
        data = bytes(raw)
        if self.codec is not None:
            return _decode_with(data, self.codec)
        g0, g1 = self._initial
        if b"\x1b" not in data:
            return _decode_state(data, g0, g1)
        return self._decode_escaped(data, _DELIM_RE_BY_VR.get(vr, _DELIMS_MULTI))

    def _decode_escaped(self, data: bytes, delims: re.Pattern[bytes]) -> str:
        initial_g0, initial_g1 = self._initial
        g0, g1 = initial_g0, initial_g1
        out: list[str] = []
        pos, n = 0, len(data)
        while True:
            esc = data.find(b"\x1b", pos)
            stop = n if esc < 0 else esc
            while pos < stop:
                if g0 is initial_g0 and g1 is initial_g1:
                    out.append(_decode_state(data[pos:stop], g0, g1))
                    pos = stop
                    break
                # A multi-byte G0 set may hold the delimiter bytes inside its characters, so
                # only control characters end it; otherwise the VR's delimiters do.
                finder = _CONTROL_BYTES if g0.kind != "ascii" else delims
                found = finder.search(data, pos, stop)
                cut = stop if found is None else found.start()
                if cut > pos:
                    out.append(_decode_state(data[pos:cut], g0, g1))
                pos = cut
                if found is not None:  # PS3.5 6.1.2.5.3: Value 1's sets are active again
                    g0, g1 = initial_g0, initial_g1
            if esc < 0:
                return "".join(out)
            end = esc + 1
            while end < n and 0x20 <= data[end] <= 0x2F:  # intermediate bytes
                end += 1
            code_set = None
            if end < n and 0x30 <= data[end] <= 0x7E:  # final byte
                end += 1
                code_set = _ESCAPES.get(data[esc:end])
            if code_set is None:
                warnings.warn(
                    f"unknown or truncated escape sequence {data[esc:end]!r} at byte {esc} "
                    f"of a value in Specific Character Set {self.terms!r}; dropped",
                    CharsetWarning,
                    stacklevel=3,
                )
            elif code_set.register == 0:
                g0 = code_set
            else:
                g1 = code_set
            pos = end

    # -- encoding ---------------------------------------------------------------------------

    def encode(self, text: str, vr: str = "LO", *, errors: str = "strict") -> bytes:
        """Return the bytes of ``text`` (all values, delimiters included; not padded).

        ``errors="strict"`` raises ``ValueError`` naming the first character the character set
        cannot represent; ``errors="replace"`` writes ``?`` for it instead.
        """
        if errors not in ("strict", "replace"):
            raise ValueError(f"errors must be 'strict' or 'replace', not {errors!r}")
        if self.codec is not None:
            return self._encode_plain(text, errors)
        if text.isascii():
            return text.encode("ascii")  # Value 1's G0 (ASCII or romaji) holds every char
        return self._encode_escaped(text, _DELIM_CHARS_BY_VR.get(vr, _DELIM_CHARS_MULTI), errors)

    def _unencodable(self, text: str, ch: str) -> ValueError:
        where = f"Specific Character Set {self.terms!r}" if self.terms else "the default repertoire"
        return ValueError(
            f"character {ch!r} (U+{ord(ch):04X}) in {text[:40]!r} cannot be encoded in {where}"
        )

    def _encode_plain(self, text: str, errors: str) -> bytes:
        codec = self.codec
        assert codec is not None
        try:
            data = text.encode(codec)
        except UnicodeEncodeError as exc:
            if errors == "strict":
                raise self._unencodable(text, text[exc.start]) from None
            data = text.encode(codec, "replace")
        if codec == "shift_jis" and _SJIS_DOUBLE_BYTE.search(data):
            # ISO_IR 13 is JIS X 0201 only: romaji and half-width katakana, one byte each.
            parts = []
            for ch in text:
                one = ch.encode(codec, "replace")
                if _SJIS_DOUBLE_BYTE.search(one):
                    if errors == "strict":
                        raise self._unencodable(text, ch)
                    one = b"?"
                parts.append(one)
            data = b"".join(parts)
        return data

    def _encode_escaped(self, text: str, delims: str, errors: str) -> bytes:
        initial_g0, initial_g1 = self._initial
        g0, g1 = initial_g0, initial_g1
        out = bytearray()
        for ch in text:
            if ch in delims:
                # PS3.5 6.1.2.5.3: Value 1's sets must be active before a delimiter.
                if g0 is not initial_g0:
                    out += initial_g0.escape
                    g0 = initial_g0
                if g1 is not initial_g1:
                    if initial_g1 is not None:
                        out += initial_g1.escape
                    g1 = initial_g1
                out.append(ord(ch))
                continue
            if ch < "\x80":
                if g0.kind != "ascii":
                    g0 = initial_g0 if initial_g0.kind == "ascii" else _ASCII
                    out += g0.escape
                out.append(ord(ch))
                continue
            data = None
            for active in (g1, g0):
                if active is not None:
                    data = _encode_char(active, ch)
                    if data is not None:
                        break
            if data is None:
                for code_set in self._code_sets:
                    data = _encode_char(code_set, ch)
                    if data is not None:
                        out += code_set.escape
                        if code_set.register == 0:
                            g0 = code_set
                        else:
                            g1 = code_set
                        break
            if data is None:
                if errors == "strict":
                    raise self._unencodable(text, ch)
                if g0.kind != "ascii":
                    g0 = initial_g0 if initial_g0.kind == "ascii" else _ASCII
                    out += g0.escape
                data = b"?"
            out += data
        if g0 is not initial_g0:
            out += initial_g0.escape
        if g1 is not initial_g1 and initial_g1 is not None:
            out += initial_g1.escape
        return bytes(out)


def _initial_state(value1_sets: tuple[_CodeSet, ...]) -> tuple[_CodeSet, _CodeSet | None]:
    """G0 and G1 at the start of every value: Value 1's sets (PS3.5 6.1.2.5.3). A multi-byte
    G0 set as Value 1 is not allowed there; ASCII stands in for it."""
    g0 = next((s for s in value1_sets if s.register == 0 and s.kind == "ascii"), _ASCII)
    g1 = next((s for s in value1_sets if s.register == 1), None)
    return g0, g1


_CACHE: dict[tuple[str, ...], Charset] = {}
_CACHE_LIMIT = 256

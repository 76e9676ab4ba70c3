"""Assignment-time checks for single values: one coercer per VR (``coerce_item``).

A coercer turns one Python value into the value class of its VR (``"1.5"`` -> ``DS``,
``date`` -> ``DA``, ``(0x10, 0x10)`` -> ``Tag``...) and raises ``TypeError`` for a type the VR
cannot hold or ``ValueError`` (message naming the VR and the reason) for a value it cannot hold.
With ``strict=True`` (the default of :func:`lazydcm.model.values.coerce_value`) the character
repertoire, format and length limits of PS3.5 Table 6.2-1 are checked; with ``strict=False`` only
what encoding needs: the type, no backslash inside one value of a multi-valued VR, numbers in
the range of their binary type.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from lazydcm.model._datetime import DA, DT, TM, is_valid_da, is_valid_dt, is_valid_tm
from lazydcm.model._numbers import DS, IS
from lazydcm.model._text import AS, PersonName, is_valid_as, pn_problem
from lazydcm.model.tag import Tag
from lazydcm.model.uid import UID
from lazydcm.model.vr import _FACTS

__all__ = ["coerce_item", "INT_RANGES"]

#: Inclusive ranges of the binary integer VRs (PS3.5 Table 6.2-1).
INT_RANGES: dict[str, tuple[int, int]] = {
    "US": (0, 2**16 - 1),
    "SS": (-(2**15), 2**15 - 1),
    "UL": (0, 2**32 - 1),
    "SL": (-(2**31), 2**31 - 1),
    "UV": (0, 2**64 - 1),
    "SV": (-(2**63), 2**63 - 1),
}
_IS_RANGE = (-(2**31), 2**31 - 1)  # PS3.5 6.2 IS
_FLOAT32_MAX = 3.4028234663852886e38

# Character repertoires of PS3.5 Table 6.2-1 (checked when strict).
_CS_CHARS = re.compile(r"[A-Z0-9 _]*\Z")
_UI_CHARS = re.compile(r"[0-9.]*\Z")
_IS_STRICT = re.compile(r" *[+-]?[0-9]+ *\Z")
_NO_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # AE: no control characters at all
_STRING_CONTROL = re.compile(r"[\x00-\x1a\x1c-\x1f]")  # SH LO UC: only ESC
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")  # LT ST UT: TAB LF FF CR ESC
# UR (PS3.5 6.2, RFC 3986 section 2): unreserved, reserved and "%"; trailing spaces only.
_UR_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]* *\Z")


def _fail(vr: str, value: Any, reason: str) -> ValueError:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return ValueError(f"{vr} value {shown} {reason}")


#: VRs where an int is taken as its decimal text (pydicom's coercion for SH, LO, ...); not for
#: PN, dates, times, AS, UI, UR, where a number is almost surely a mistake.
_INT_AS_TEXT = frozenset({"AE", "CS", "SH", "LO", "UC", "ST", "LT", "UT"})


def _need_str(vr: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and vr in _INT_AS_TEXT:
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        # encoded text: the default repertoire here; Dataset.set_value decodes with the
        # dataset's Specific Character Set before it gets here (PS3.5 6.1.2.3)
        return bytes(value).decode("latin_1")
    raise TypeError(f"{vr} values are str, not {type(value).__name__} ({value!r})")


def _check_text(vr: str, text: str, strict: bool) -> None:
    facts = _FACTS[vr]
    if facts.allows_multi and "\\" in text:
        raise _fail(vr, text, "contains a backslash, the delimiter between values (PS3.5 6.4)")
    if not strict:
        return
    limit = facts.max_length
    if limit is not None and vr != "PN":
        size = len(text) if facts.max_length_in_chars else len(text.encode("utf-8"))
        if size > limit:
            unit = "characters" if facts.max_length_in_chars else "bytes"
            raise _fail(vr, text, f"is {size} {unit} long; {vr} allows at most {limit}")


def _text(vr: str, control: re.Pattern[str] | None) -> Callable[[Any, bool], Any]:
    def coerce(value: Any, strict: bool) -> str:
        text = _need_str(vr, value)
        _check_text(vr, text, strict)
        if strict and control is not None and control.search(text):
            raise _fail(vr, text, "contains control characters not allowed in " + vr)
        return text

    return coerce


def _ae(value: Any, strict: bool) -> str:
    text = _need_str("AE", value)
    _check_text("AE", text, strict)
    if strict:
        if _NO_CONTROL.search(text):
            raise _fail("AE", text, "contains control characters (PS3.5 6.2 AE)")
        if text and not text.strip(" "):
            raise _fail("AE", text, "consists solely of spaces (PS3.5 6.2 AE)")
    return text


def _cs(value: Any, strict: bool) -> str:
    text = _need_str("CS", value)
    _check_text("CS", text, strict)
    if strict and not _CS_CHARS.match(text) and text != '""':
        raise _fail("CS", text, "may hold only A-Z, 0-9, space and '_' (PS3.5 6.2 CS)")
    return text


def _ur(value: Any, strict: bool) -> str:
    text = _need_str("UR", value)
    if strict and not _UR_CHARS.match(text):
        raise _fail("UR", text, "is not a URI: leading spaces or characters outside RFC 3986")
    return text


def _ui(value: Any, strict: bool) -> UID:
    text = _need_str("UI", value)
    _check_text("UI", text, strict)
    uid = UID(text)
    if strict and not _UI_CHARS.match(uid):
        raise _fail("UI", text, "may hold only digits and '.' (PS3.5 6.2 UI)")
    return uid


def _pn(value: Any, strict: bool) -> PersonName:
    if isinstance(value, PersonName):
        name = value
    else:
        text = _need_str("PN", value)
        if "\\" in text:
            raise _fail("PN", text, "contains a backslash, the delimiter between values")
        name = PersonName(text)
    if strict:
        problem = pn_problem(name.text)
        if problem is not None:
            raise _fail("PN", name.text, f"has {problem} (PS3.5 6.2 PN)")
    return name


def _date_like(vr: str, cls: type, checker: Callable[[str], bool], kinds: tuple[type, ...]):
    def coerce(value: Any, strict: bool) -> Any:
        result = cls(value) if isinstance(value, kinds) else cls(_need_str(vr, value))
        _check_text(vr, result, False)
        if strict and result and not checker(result):
            raise _fail(vr, str(result), f"is not a valid {vr} (PS3.5 6.2)")
        return result

    return coerce


def _as(value: Any, strict: bool) -> AS:
    text = _need_str("AS", value)
    _check_text("AS", text, False)
    if strict and text and not is_valid_as(text):
        raise _fail("AS", text, "is not nnnD, nnnW, nnnM or nnnY (PS3.5 6.2 AS)")
    return AS(text)


def _ds(value: Any, strict: bool) -> DS | str:
    if isinstance(value, DS):
        result = value
    elif isinstance(value, str):
        if not value.strip(" "):
            return value
        _check_text("DS", value, False)
        try:
            result = DS.from_str(value)
        except ValueError:
            raise _fail("DS", value, "is not a decimal string (PS3.5 6.2 DS)") from None
    elif isinstance(value, bool):
        raise TypeError("DS values are numbers or str, not bool")
    elif isinstance(value, (int, float, Decimal)) or _is_number(value):
        try:
            result = DS.from_float(value)
        except ValueError as exc:
            raise _fail("DS", value, str(exc)) from None
    else:
        raise TypeError(f"DS values are numbers or str, not {type(value).__name__}")
    if strict and len(result.original_string) > 16:
        raise _fail("DS", result.original_string, "is longer than 16 bytes (PS3.5 6.2 DS)")
    return result


def _is(value: Any, strict: bool) -> IS | str:
    if isinstance(value, str):
        if not value.strip(" "):
            return value
        _check_text("IS", value, False)
        if strict and not _IS_STRICT.match(value):
            raise _fail("IS", value, "is not an integer string (PS3.5 6.2 IS)")
        try:
            result = IS.from_str(value)
        except ValueError:
            raise _fail("IS", value, "is not an integer string (PS3.5 6.2 IS)") from None
    elif isinstance(value, bool):
        raise TypeError("IS values are ints or str, not bool")
    else:
        try:
            result = IS(value.item() if hasattr(value, "item") else value)
        except TypeError:
            raise TypeError(f"IS values are ints or str, not {type(value).__name__}") from None
        except ValueError as exc:
            raise _fail("IS", value, str(exc)) from None
    if strict:
        low, high = _IS_RANGE
        if not low <= result <= high:
            raise _fail("IS", value, f"is outside the IS range {low}..{high} (PS3.5 6.2)")
        if len(result.original_string) > 12:
            raise _fail("IS", value, "is longer than 12 bytes (PS3.5 6.2 IS)")
    return result


def _is_number(value: Any) -> bool:
    # numpy scalars and other number types without importing numpy here
    return hasattr(value, "__float__") and not isinstance(value, (str, bytes))


def _integer(vr: str) -> Callable[[Any, bool], int]:
    low, high = INT_RANGES[vr]

    def coerce(value: Any, strict: bool) -> int:
        if isinstance(value, bool):
            raise TypeError(f"{vr} values are ints, not bool")
        if isinstance(value, int):
            number = int(value)
        elif hasattr(value, "__index__"):
            number = value.__index__()
        elif isinstance(value, (float, Decimal)) or _is_number(value):
            number_f = float(value)
            if not (math.isfinite(number_f) and number_f == int(number_f)):
                raise _fail(vr, value, f"is not an integer; {vr} holds integers")
            number = int(number_f)
        else:
            raise TypeError(f"{vr} values are ints, not {type(value).__name__} ({value!r})")
        if not low <= number <= high:
            raise _fail(vr, value, f"is out of range {low}..{high} for {vr}")
        return number

    return coerce


def _floating(vr: str) -> Callable[[Any, bool], float]:
    def coerce(value: Any, strict: bool) -> float:
        if isinstance(value, bool) or not (isinstance(value, (int, float)) or _is_number(value)):
            raise TypeError(f"{vr} values are numbers, not {type(value).__name__} ({value!r})")
        number = float(value)
        if vr == "FL" and math.isfinite(number) and abs(number) > _FLOAT32_MAX:
            raise _fail(vr, value, "overflows a 32-bit float (FL)")
        return number

    return coerce


def _at(value: Any, strict: bool) -> Tag:
    if isinstance(value, bool):
        raise TypeError("AT values are tags, not bool")
    if hasattr(value, "__index__") and not isinstance(value, int):
        value = value.__index__()
    return Tag(value)


_COERCERS: dict[str, Callable[[Any, bool], Any]] = {
    "AE": _ae,
    "AS": _as,
    "AT": _at,
    "CS": _cs,
    "DA": _date_like("DA", DA, is_valid_da, (_dt.date,)),
    "DS": _ds,
    "DT": _date_like("DT", DT, is_valid_dt, (_dt.date,)),
    "FL": _floating("FL"),
    "FD": _floating("FD"),
    "IS": _is,
    "LO": _text("LO", _STRING_CONTROL),
    "LT": _text("LT", _TEXT_CONTROL),
    "PN": _pn,
    "SH": _text("SH", _STRING_CONTROL),
    "ST": _text("ST", _TEXT_CONTROL),
    "TM": _date_like("TM", TM, is_valid_tm, (_dt.time, _dt.datetime)),
    "UC": _text("UC", _STRING_CONTROL),
    "UI": _ui,
    "UR": _ur,
    "UT": _text("UT", _TEXT_CONTROL),
    **{vr: _integer(vr) for vr in INT_RANGES},
}


def coerce_item(vr: str, value: Any, strict: bool = True) -> Any:
    """Return one value of ``vr`` as its value class.

    Raises ``TypeError`` for a type the VR cannot hold and ``ValueError`` for a value it cannot
    hold (see the module docstring for what ``strict`` adds). ``KeyError`` for a VR without
    single-value coercion (binary VRs, SQ): the caller handles those.
    """
    return _COERCERS[vr](value, strict)

"""``DS`` and ``IS``: decimal and integer strings that remember the text they were stored as.

Both are numbers (``DS`` a ``float``, ``IS`` an ``int``) so arithmetic and comparisons work as
on plain numbers, and both keep ``original_string``, the exact text of the value as stored (or as
formatted when made from a number), so an unchanged value re-encodes byte for byte. ``str()``
gives that text without its insignificant leading/trailing spaces (PS3.5 6.2). Instances are
immutable; arithmetic returns plain ``float``/``int``.

Named constructors:

* ``DS.from_str(text)`` accepts the DS grammar of PS3.5 6.2 (fixed or floating point, ``E`` or
  ``e`` exponent, optional sign, leading/trailing spaces); anything else raises
  :class:`~lazydcm.errors.InvalidValueError`.
* ``DS.from_float(x)`` formats ``x`` in at most 16 characters (the DS limit), rounding to fewer
  significant digits when needed; the DS then equals the formatted number, so encoding and
  decoding it again gives the same value. ``ValueError`` for NaN and infinities, which a decimal
  string cannot hold.
* ``IS.from_str(text)`` accepts ``[+-]digits`` with leading/trailing spaces and, leniently for
  reading real files, a decimal string with an integral value (``"1.0"``, ``"1e2"``); a
  non-integral or non-numeric text raises :class:`~lazydcm.errors.InvalidValueError`. The range
  -2**31..2**31-1 is checked at assignment (``coerce_value``), not here.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from lazydcm.errors import InvalidValueError

__all__ = ["DS", "DSdecimal", "DSfloat", "IS", "format_ds"]

# PS3.5 6.2 DS: "0"-"9", "+", "-", "E", "e", "." and SPACE; a fixed point number or an ANSI
# X3.9 floating point number, padded with leading or trailing spaces, no embedded spaces.
_DS_PATTERN = re.compile(r" *[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)? *\Z")
# PS3.5 6.2 IS: "0"-"9" with an optional leading "+" or "-", padded with spaces.
_IS_PATTERN = re.compile(r" *[+-]?[0-9]+ *\Z")
_EXPONENT = re.compile(r"e([+-]?)0*(\d)")
_DS_MAX_CHARS = 16
_new_float = float.__new__
_new_int = int.__new__
_set = object.__setattr__


def _compact_exponent(text: str) -> str:
    # "1e+16" -> "1e16", "1e-05" -> "1e-5": the sign "+" and leading zeros are optional.
    return _EXPONENT.sub(lambda m: "e" + ("-" if m.group(1) == "-" else "") + m.group(2), text)


def format_ds(value: float) -> str:
    """Return ``value`` as a DS string of at most 16 characters (PS3.5 6.2).

    The shortest text that reads back as the same float is used when it fits; otherwise the
    number is rounded to as many significant digits as fit. Raises ``ValueError`` for NaN and
    infinities.
    """
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"a DS cannot hold {x!r} (PS3.5 6.2: a decimal string)")
    text = repr(x)
    if text.endswith(".0"):
        text = text[:-2]
    text = _compact_exponent(text)
    if len(text) <= _DS_MAX_CHARS:
        return text
    for digits in range(15, 0, -1):
        text = _compact_exponent(f"{x:.{digits}g}")
        if len(text) <= _DS_MAX_CHARS:
            if math.isinf(float(text)):  # rounded past the largest float: step back one unit
                mantissa, _, exponent = text.partition("e")
                leading = Decimal(mantissa)
                unit = Decimal((0, (1,), leading.as_tuple().exponent)).copy_sign(leading)
                text = f"{leading - unit}e{exponent}"
            return text
    raise ValueError(f"{x!r} cannot be written in {_DS_MAX_CHARS} characters")  # pragma: no cover


class DS(float):
    """A Decimal String value: a ``float`` that keeps ``original_string``.

    ``DS(x)`` dispatches on the argument: ``str`` to :meth:`from_str`, numbers to
    :meth:`from_float`, a ``DS`` is returned as is.
    """

    __slots__ = ("original_string",)
    original_string: str

    def __new__(cls, value: Any = 0.0) -> DS:
        if isinstance(value, DS):
            return value
        if value is None:
            return None  # type: ignore[return-value]  # pydicom: DS(None) is None
        if isinstance(value, str):
            if not value.strip(" "):
                return value  # type: ignore[return-value]  # a blank DS stays that text
            return cls.from_str(value)
        if isinstance(value, bool):
            raise TypeError("a DS is made from a number or str, not bool")
        if isinstance(value, (int, float, Decimal)) or hasattr(value, "__float__"):
            return cls.from_float(value)
        raise TypeError(f"a DS is made from a number or str, not {type(value).__name__}")

    @classmethod
    def from_str(cls, text: str) -> DS:
        """Parse DS text, keeping it as ``original_string``.

        Raises:
            InvalidValueError: ``text`` is not a decimal string.
        """
        if _DS_PATTERN.match(text) is None:
            raise InvalidValueError(f"{text!r} is not a decimal string (PS3.5 6.2 DS)")
        self = _new_float(cls, float(text))
        _set(self, "original_string", text)
        return self

    @classmethod
    def from_float(cls, value: float | int | Decimal) -> DS:
        """Format a number in at most 16 characters; ``ValueError`` for NaN/infinity."""
        text = format_ds(value)
        return cls._make(float(text), text)

    @classmethod
    def _make(cls, number: float, text: str) -> DS:
        self = float.__new__(cls, number)
        object.__setattr__(self, "original_string", text)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"DS values are immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"DS values are immutable (cannot delete {name!r})")

    def __reduce__(self) -> tuple[Any, ...]:
        return (DS.from_str, (self.original_string,))

    def __str__(self) -> str:
        return self.original_string.strip(" ")

    def __repr__(self) -> str:
        return repr(str(self))  # pydicom 3: the text, quoted ('1.50')

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):  # pydicom 3: a DS equals its text
            return str(self) == other.strip(" ")
        return float.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = float.__hash__

    def __format__(self, spec: str) -> str:
        return str(self) if not spec else float.__format__(self, spec)


class IS(int):
    """An Integer String value: an ``int`` that keeps ``original_string``.

    ``IS(x)`` dispatches on the argument: ``str`` to :meth:`from_str`, ``int`` (and floats with
    an integral value) to :meth:`from_int`; an ``IS`` is returned as is.
    """

    original_string: str

    def __new__(cls, value: Any = 0) -> IS:
        if isinstance(value, IS):
            return value
        if value is None:
            return None  # type: ignore[return-value]  # pydicom: IS(None) is None
        if isinstance(value, str):
            if not value.strip(" "):
                return value  # type: ignore[return-value]  # a blank IS stays that text
            return cls.from_str(value)
        if isinstance(value, bool):
            raise TypeError("an IS is made from an int or str, not bool")
        if isinstance(value, float | Decimal):
            if not (math.isfinite(value) and value == int(value)):
                raise ValueError(f"an IS cannot hold the non-integral value {value!r}")
            value = int(value)
        if hasattr(value, "__index__"):
            number = value.__index__()
            return cls._make(number, str(number))
        raise TypeError(f"an IS is made from an int or str, not {type(value).__name__}")

    @classmethod
    def from_str(cls, text: str) -> IS:
        """Parse IS text, keeping it as ``original_string``.

        Raises:
            InvalidValueError: ``text`` is neither an integer string nor, leniently, a decimal
                string with an integral value.
        """
        if _IS_PATTERN.match(text) is not None:
            self = _new_int(cls, int(text))
            _set(self, "original_string", text)
            return self
        if _DS_PATTERN.match(text) is not None:
            number = float(text)
            if math.isfinite(number) and number == int(number):
                return cls._make(int(number), text)
        raise InvalidValueError(f"{text!r} is not an integer string (PS3.5 6.2 IS)")

    @classmethod
    def from_int(cls, value: int) -> IS:
        """Make an IS of an ``int``; its text is the plain decimal form."""
        number = int(value)
        return cls._make(number, str(number))

    @classmethod
    def _make(cls, number: int, text: str) -> IS:
        self = int.__new__(cls, number)
        object.__setattr__(self, "original_string", text)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"IS values are immutable (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"IS values are immutable (cannot delete {name!r})")

    def __reduce__(self) -> tuple[Any, ...]:
        return (IS.from_str, (self.original_string,))

    def __str__(self) -> str:
        return self.original_string.strip(" ")

    def __repr__(self) -> str:
        return repr(str(int(self)))  # pydicom 3: the number as quoted text ('3' for "003")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):  # pydicom 3: an IS equals its text
            return str(self) == other.strip(" ")
        return int.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = int.__hash__

    def __format__(self, spec: str) -> str:
        return str(self) if not spec else int.__format__(self, spec)


#: pydicom's name for the float-based DS.
DSfloat = DS


class DSdecimal(Decimal):
    """A DS value as a ``decimal.Decimal`` that keeps ``original_string`` (pydicom's DSdecimal).

    ``DSdecimal(x)``: ``None`` gives None and a blank ``str`` gives itself (as ``DS``); ``str``
    is parsed by the DS grammar (``InvalidValueError`` otherwise) and kept; a number is formatted
    in at most 16 characters (:func:`format_ds`). Compares equal to its text, like ``DS``.
    """

    original_string: str

    def __new__(cls, value: Any = "0") -> DSdecimal:
        if value is None:
            return None  # type: ignore[return-value]
        if isinstance(value, DSdecimal):
            return value
        if isinstance(value, str):
            if not value.strip(" "):
                return value  # type: ignore[return-value]
            if _DS_PATTERN.match(value) is None:
                raise InvalidValueError(f"{value!r} is not a decimal string (PS3.5 6.2 DS)")
            text = value
        elif isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            raise TypeError(f"a DS is made from a number or str, not {type(value).__name__}")
        else:
            text = format_ds(value)
        self = Decimal.__new__(cls, text.strip(" "))
        self.original_string = text
        return self

    def __str__(self) -> str:
        return self.original_string.strip(" ")

    def __repr__(self) -> str:
        return repr(str(self))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return str(self) == other.strip(" ")
        return Decimal.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = Decimal.__hash__

    def __reduce__(self) -> tuple[Any, ...]:
        return (DSdecimal, (self.original_string,))

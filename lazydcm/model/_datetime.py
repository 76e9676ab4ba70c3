"""``DA``, ``TM`` and ``DT``: date and time strings that also behave as ``datetime`` values.

Each is a ``str`` holding the stored text, so ``ds.StudyDate == "20240131"``, every string
method and an exact round trip keep working; the ``date``/``time``/``datetime`` property parses
it on access and gives None when the text is not a valid (or not a single) value. They are also
usable as ``datetime.date``/``time``/``datetime`` (as pydicom's DA/TM/DT are): ``.year``,
``.hour``, ``.isoformat()`` and the other attributes of the parsed value, comparisons with
``datetime`` values, ``+``/``-`` with ``timedelta`` (see ``_Temporal``). ``isinstance(x,
datetime.date)`` is False: a value that does not parse (ranges of query keys, damaged files)
stays readable text instead of failing. Parsing is lenient where real files
are: partial precision (``"1953"``, ``"1010"``), 1 to 6 fractional digits (more are cut to 6),
UTC offsets, surrounding spaces, and the old ACR-NEMA forms ``YYYY.MM.DD`` and ``HH:MM:SS.frac``
that PS3.5 6.2 names but no longer allows. A leap second (``SS`` = 60) reads as 59.999999 s,
since ``datetime`` cannot represent it.

``is_valid_da``/``is_valid_tm``/``is_valid_dt`` are the strict PS3.5 6.2 checks used at
assignment; they also accept the range-matching forms (``"20240101-20240131"``) of query keys.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

__all__ = ["DA", "TM", "DT", "is_valid_da", "is_valid_tm", "is_valid_dt"]

_DA = re.compile(r"(\d{4})(\d{2})(\d{2})\Z")
_DA_ACR_NEMA = re.compile(r"(\d{4})\.(\d{2})\.(\d{2})\Z")
_TM = re.compile(r"(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d+))?)?)?\Z")
_TM_ACR_NEMA = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\Z")
_DT = re.compile(
    r"(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.(\d+))?)?)?)?)?)?"
    r"(?:([+-])(\d{2})(\d{2}))?\Z"
)


def _micro(fraction: str | None) -> int:
    if not fraction:
        return 0
    return int(fraction[:6].ljust(6, "0"))


def _time_parts(hour: str, minute: str | None, second: str | None, fraction: str | None):
    h, m, s, us = int(hour), int(minute or 0), int(second or 0), _micro(fraction)
    if s == 60:  # leap second (PS3.5 6.2): datetime has no 60th second
        s, us = 59, 999999
    return h, m, s, us


def _parse_date(text: str) -> _dt.date | None:
    found = _DA.match(text) or _DA_ACR_NEMA.match(text)
    if found is None:
        return None
    try:
        return _dt.date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def _parse_time(text: str) -> _dt.time | None:
    found = _TM.match(text) or _TM_ACR_NEMA.match(text)
    if found is None:
        return None
    try:
        return _dt.time(*_time_parts(found[1], found[2], found[3], found[4]))
    except ValueError:
        return None


def _parse_offset(sign: str | None, hours: str | None, minutes: str | None):
    if sign is None:
        return None
    delta = _dt.timedelta(hours=int(hours), minutes=int(minutes))
    return _dt.timezone(-delta if sign == "-" else delta)


def _parse_datetime(text: str) -> _dt.datetime | None:
    found = _DT.match(text)
    if found is None:
        return None
    year, month, day, hour, minute, second, fraction, sign, oh, om = found.groups()
    try:
        tz = _parse_offset(sign, oh, om)
        h, m, s, us = _time_parts(hour or "0", minute, second, fraction)
        return _dt.datetime(int(year), int(month or 1), int(day or 1), h, m, s, us, tzinfo=tz)
    except ValueError:
        return None


def _strict_date(text: str) -> bool:
    return _DA.match(text) is not None and _parse_date(text) is not None


def _strict_time(text: str) -> bool:
    found = _TM.match(text)
    if found is None or (found[4] is not None and len(found[4]) > 6):
        return False
    h, m, s = int(found[1]), int(found[2] or 0), int(found[3] or 0)
    return h < 24 and m < 60 and s <= 60


def _strict_datetime(text: str) -> bool:
    found = _DT.match(text)
    if found is None:
        return False
    year, month, day, hour, minute, second, fraction, sign, oh, om = found.groups()
    if fraction is not None and len(fraction) > 6:
        return False
    if sign is not None:
        # PS3.5 6.2: the offset ranges from -1200 to +1400; "-0000" is not allowed.
        offset = int(oh) * 60 + int(om)
        if (
            int(om) >= 60
            or (sign == "-" and not 0 < offset <= 720)
            or (sign == "+" and offset > 840)
        ):
            return False
    if hour is not None and not _strict_time(hour + (minute or "") + (second or "")):
        return False
    return _parse_datetime(text) is not None


def _valid_or_range(text: str, check, max_single: int) -> bool:
    if text == '""':  # a query's empty value matching key (Table 6.2-1)
        return True
    if "-" in text[1:] or text.startswith("-"):
        # Range matching (PS3.4 C.2.2.2.5): "a-b", "-b" or "a-"; DT uses "-" in offsets too,
        # so try each split point.
        for i, ch in enumerate(text):
            if ch != "-":
                continue
            left, right = text[:i], text[i + 1 :]
            if (
                (left or right)
                and all(not p or check(p) for p in (left, right))
                and len(left) <= max_single
                and len(right) <= max_single
            ):
                return True
    return check(text)


def is_valid_da(text: str) -> bool:
    """True for a PS3.5 6.2 DA value ``YYYYMMDD`` (a real calendar date) or a DA range."""
    return _valid_or_range(text, _strict_date, 8)


def is_valid_tm(text: str) -> bool:
    """True for a PS3.5 6.2 TM value ``HH[MM[SS[.F{1,6}]]]`` (trailing spaces allowed) or a
    TM range."""
    return _valid_or_range(text.rstrip(" "), _strict_time, 13)


def is_valid_dt(text: str) -> bool:
    """True for a PS3.5 6.2 DT value ``YYYY[MM[DD[HH[MM[SS[.F{1,6}]]]]]][&ZZXX]`` (trailing
    spaces allowed) or a DT range."""
    return _valid_or_range(text.rstrip(" "), _strict_datetime, 26)


_DATE_ATTRS = frozenset(
    [
        "year",
        "month",
        "day",
        "weekday",
        "isoweekday",
        "isoformat",
        "isocalendar",
        "toordinal",
        "timetuple",
        "strftime",
        "replace",
        "ctime",
    ]
)
_TIME_ATTRS = frozenset(
    [
        "hour",
        "minute",
        "second",
        "microsecond",
        "tzinfo",
        "fold",
        "isoformat",
        "strftime",
        "replace",
        "utcoffset",
        "dst",
        "tzname",
    ]
)
_DATETIME_ATTRS = (
    _DATE_ATTRS
    | _TIME_ATTRS
    | frozenset(["date", "time", "timetz", "timestamp", "astimezone", "utctimetuple"])
)


class _Temporal(str):
    """What DA, TM and DT share: a ``str`` of the stored text that also behaves as the
    ``datetime`` value it parses to. Attributes of that value (``.year``, ``.hour``,
    ``.isoformat()``, ...) are read from it (``AttributeError`` when the text does not parse);
    ``==``/``<``/... with a ``datetime`` value compare the parsed value, with text the text;
    ``+``/``-`` with a ``timedelta`` (and ``-`` with a value of the same kind) compute on the
    parsed value. ``original_string`` is the text; ``repr`` is the text in double quotes, as
    pydicom 3 shows these values."""

    __slots__ = ()
    _attrs: frozenset[str] = frozenset()
    _kind: type = object

    def _parsed(self) -> Any:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    @property
    def original_string(self) -> str:
        """The text as stored."""
        return str.__str__(self)

    def __getattr__(self, name: str) -> Any:
        if name in type(self)._attrs:
            value = self._parsed()
            if value is not None:
                return getattr(value, name)
            raise AttributeError(
                f"{name!r}: {str.__repr__(self)} is not a valid {type(self).__name__}"
            )
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _compare(self, other: Any, op: Any, text_op: Any) -> Any:
        if isinstance(other, self._kind) and not isinstance(other, _Temporal):
            mine = self._parsed()
            if mine is None:
                return NotImplemented if op is not _eq else False
            try:
                return op(mine, other)
            except TypeError:  # naive vs aware
                return NotImplemented if op is not _eq else False
        return text_op(self, other)

    def __eq__(self, other: object) -> bool:
        return self._compare(other, _eq, str.__eq__)

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __lt__(self, other: Any) -> bool:
        return self._compare(other, lambda a, b: a < b, str.__lt__)

    def __le__(self, other: Any) -> bool:
        return self._compare(other, lambda a, b: a <= b, str.__le__)

    def __gt__(self, other: Any) -> bool:
        return self._compare(other, lambda a, b: a > b, str.__gt__)

    def __ge__(self, other: Any) -> bool:
        return self._compare(other, lambda a, b: a >= b, str.__ge__)

    __hash__ = str.__hash__

    def __add__(self, other: Any) -> Any:
        if isinstance(other, _dt.timedelta):
            return self._require() + other
        return str.__add__(self, other)

    def __sub__(self, other: Any) -> Any:
        if isinstance(other, _Temporal):
            other = other._require()
        return self._require() - other

    def __rsub__(self, other: Any) -> Any:
        return other - self._require()

    def _require(self) -> Any:
        value = self._parsed()
        if value is None:
            raise ValueError(f"{str.__repr__(self)} is not a valid {type(self).__name__}")
        return value

    def __repr__(self) -> str:
        return f'"{str.__str__(self)}"'


def _eq(a: Any, b: Any) -> bool:
    return a == b


class DA(_Temporal):
    """A DA (date) value: the stored ``str``, with :attr:`date` parsed on access.

    ``DA(x)`` takes a ``str`` (kept as is) or a ``datetime.date`` (formatted ``YYYYMMDD``).
    """

    __slots__ = ()

    def __new__(cls, value: Any = "") -> DA:
        if isinstance(value, _dt.date):
            if isinstance(value, _dt.datetime):
                value = value.date()
            return str.__new__(cls, f"{value.year:04d}{value.month:02d}{value.day:02d}")
        if not isinstance(value, str):
            raise TypeError(f"a DA is made from str or datetime.date, not {type(value).__name__}")
        return str.__new__(cls, value)

    @classmethod
    def from_str(cls, text: str) -> DA:
        """Wrap stored text (any text: validity is reported by :attr:`date`)."""
        return cls(text)

    @classmethod
    def from_date(cls, value: _dt.date) -> DA:
        """Format a ``datetime.date`` as ``YYYYMMDD``."""
        return cls(value)

    @property
    def date(self) -> _dt.date | None:
        """The date, or None if the text is not one valid date (ACR-NEMA ``YYYY.MM.DD`` too)."""
        return _parse_date(self.strip(" "))

    _attrs = _DATE_ATTRS
    _kind = _dt.date

    def _parsed(self) -> Any:
        return self.date


class TM(_Temporal):
    """A TM (time) value: the stored ``str``, with :attr:`time` parsed on access.

    ``TM(x)`` takes a ``str`` (kept as is) or a ``datetime.time`` (formatted ``HHMMSS`` plus
    ``.FFFFFF`` when it has microseconds; a time zone is dropped, TM has none).
    """

    __slots__ = ()

    def __new__(cls, value: Any = "") -> TM:
        if isinstance(value, _dt.datetime):
            value = value.time()
        if isinstance(value, _dt.time):
            text = f"{value.hour:02d}{value.minute:02d}{value.second:02d}"
            if value.microsecond:
                text += f".{value.microsecond:06d}"
            return str.__new__(cls, text)
        if not isinstance(value, str):
            raise TypeError(f"a TM is made from str or datetime.time, not {type(value).__name__}")
        return str.__new__(cls, value)

    @classmethod
    def from_str(cls, text: str) -> TM:
        """Wrap stored text (any text: validity is reported by :attr:`time`)."""
        return cls(text)

    @classmethod
    def from_time(cls, value: _dt.time) -> TM:
        """Format a ``datetime.time``."""
        return cls(value)

    @property
    def time(self) -> _dt.time | None:
        """The time (missing minutes/seconds read as 0), or None if the text is not one valid
        time (ACR-NEMA ``HH:MM:SS.frac`` too)."""
        return _parse_time(self.strip(" "))

    _attrs = _TIME_ATTRS
    _kind = _dt.time

    def _parsed(self) -> Any:
        return self.time

    def __sub__(self, other: Any) -> Any:
        raise TypeError("TM values do not subtract (datetime.time has no arithmetic)")


class DT(_Temporal):
    """A DT (date time) value: the stored ``str``, with :attr:`datetime` parsed on access.

    ``DT(x)`` takes a ``str`` (kept as is) or a ``datetime.datetime`` (formatted
    ``YYYYMMDDHHMMSS``, plus ``.FFFFFF`` when it has microseconds and ``&ZZXX`` when it is
    aware) or a ``datetime.date`` (``YYYYMMDD``).
    """

    __slots__ = ()

    def __new__(cls, value: Any = "") -> DT:
        if isinstance(value, _dt.datetime):
            text = (
                f"{value.year:04d}{value.month:02d}{value.day:02d}"
                f"{value.hour:02d}{value.minute:02d}{value.second:02d}"
            )
            if value.microsecond:
                text += f".{value.microsecond:06d}"
            offset = value.utcoffset()
            if offset is not None:
                minutes = round(offset.total_seconds() / 60)
                sign = "-" if minutes < 0 else "+"
                text += f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
            return str.__new__(cls, text)
        if isinstance(value, _dt.date):
            return str.__new__(cls, f"{value.year:04d}{value.month:02d}{value.day:02d}")
        if not isinstance(value, str):
            raise TypeError(f"a DT is made from str or datetime, not {type(value).__name__}")
        return str.__new__(cls, value)

    @classmethod
    def from_str(cls, text: str) -> DT:
        """Wrap stored text (any text: validity is reported by :attr:`datetime`)."""
        return cls(text)

    @classmethod
    def from_datetime(cls, value: _dt.datetime) -> DT:
        """Format a ``datetime.datetime``."""
        return cls(value)

    @property
    def datetime(self) -> _dt.datetime | None:
        """The date and time (missing components read as their minimum; aware when the text
        has a UTC offset), or None if the text is not one valid date time."""
        return _parse_datetime(self.strip(" "))

    _attrs = _DATETIME_ATTRS
    _kind = _dt.datetime

    def _parsed(self) -> Any:
        return self.datetime

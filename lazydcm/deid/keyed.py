"""Keyed, coordination-free replacements: UIDs (action U) and the per-patient date shift of the
Retain Longitudinal Temporal Information with Modified Dates option (PS3.15 E.3.6).

Both are pure functions of the user's key and the original value, so every worker on every machine
replaces the same UID the same way and shifts one patient's dates by the same number of days
without sharing state. Neither can be undone without the key (HMAC-SHA256, RFC 2104).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import re

__all__ = [
    "as_key",
    "uid_for",
    "pseudonym",
    "date_shift_days",
    "shift_da",
    "shift_dt",
    "MAX_SHIFT_DAYS",
]

#: Dates move back by 1 to MAX_SHIFT_DAYS days (about ten years).
MAX_SHIFT_DAYS = 3652

_UID_PAD = " \x00"


def as_key(key: bytes | str) -> bytes:
    """The key as bytes (str is UTF-8 encoded). Raises ``ValueError`` for an empty key."""
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if not raw:
        raise ValueError("the de-identification key is empty")
    return raw


def _mac(key: bytes, purpose: bytes, value: str) -> bytes:
    return hmac.new(key, purpose + b"\x00" + value.encode("utf-8"), hashlib.sha256).digest()


def uid_for(uid: str, key: bytes) -> str:
    """The replacement of ``uid`` under ``key``: ``2.25.`` and the decimal value of the first
    128 bits of HMAC-SHA256(key, uid) — a UUID-derived UID as PS3.5 B.2 defines, at most
    44 characters (<= 64, PS3.5 9.1). Trailing NUL/space padding of ``uid`` is ignored.
    """
    digest = _mac(key, b"uid", uid.rstrip(_UID_PAD))
    return f"2.25.{int.from_bytes(digest[:16], 'big')}"


def pseudonym(value: str, key: bytes) -> str:
    """A stable stand-in for an identifier (used for Patient ID, so that instances of one patient
    stay together, PS3.15 E.1.1): ``"ANON"`` and 16 hex digits of HMAC-SHA256(key, value)."""
    return "ANON" + _mac(key, b"id", value.strip()).hex()[:16].upper()


def date_shift_days(patient: str, key: bytes) -> int:
    """Days (1 .. ``MAX_SHIFT_DAYS``) by which every date of ``patient`` (the original Patient
    ID, "" when absent) moves back, derived from HMAC-SHA256(key, patient)."""
    digest = _mac(key, b"date-shift", patient.strip())
    return 1 + int.from_bytes(digest[:8], "big") % MAX_SHIFT_DAYS


_DA = re.compile(r"(\d{4})\.?(\d{2})\.?(\d{2})\Z")
# a UTC offset is "&ZZXX" with ZZ 00-14 and XX 00-59 (PS3.5 6.2, DT): anything else after a
# hyphen is the end of a range ("2020-2021" is two years, not 2020 at offset -2021)
_DT = re.compile(
    r"(\d{4})(\d{2})?(\d{2})?((?:\d{2}){0,3}(?:\.\d{1,6})?)?([+-](?:0\d|1[0-4])[0-5]\d)?\Z"
)


def _shift_date(year: int, month: int, day: int, days: int) -> _dt.date | None:
    try:
        return _dt.date(year, month, day) - _dt.timedelta(days=days)
    except (ValueError, OverflowError):
        return None


def _shift_one_da(text: str, days: int) -> str | None:
    found = _DA.match(text.strip())
    if found is None:
        return None
    moved = _shift_date(int(found[1]), int(found[2]), int(found[3]), days)
    return None if moved is None else moved.strftime("%Y%m%d")


def _shift_one_dt(text: str, days: int) -> str | None:
    found = _DT.match(text.strip())
    if found is None or (found[3] and not found[2]):
        return None
    year, month, day = int(found[1]), int(found[2] or 1), int(found[3] or 1)
    moved = _shift_date(year, month, day, days)
    if moved is None or moved.year < 1:
        return None
    # keep the stored precision: a year-only or year-month value stays so
    out = f"{moved.year:04d}"
    if found[2]:
        out += f"{moved.month:02d}"
    if found[3]:
        out += f"{moved.day:02d}"
    return out + (found[4] or "") + (found[5] or "")


def _shift_range(text: str, days: int, one) -> str | None:
    single = one(text, days)
    if single is not None:
        return single
    # a range "A-B", "-B" or "A-" (PS3.4 C.2.2.2.5); a DT end may carry a "-ZZXX" offset, so try
    # every hyphen as the separator
    for at in [i for i, ch in enumerate(text) if ch == "-"]:
        left, right = text[:at].strip(), text[at + 1 :].strip()
        if not left and not right:
            continue
        new_left = one(left, days) if left else ""
        new_right = one(right, days) if right else ""
        if new_left is not None and new_right is not None:
            return f"{new_left}-{new_right}"
    return None


def shift_da(text: str, days: int) -> str | None:
    """``text`` (a DA value or range, PS3.5 6.2) moved back ``days`` days, or None when it is not
    a date this can parse (the caller then empties it)."""
    return _shift_range(text, days, _shift_one_da)


def shift_dt(text: str, days: int) -> str | None:
    """``text`` (a DT value or range) moved back ``days`` whole days; the time of day, fraction
    and UTC offset are kept as stored, as is the precision (``"2020"`` stays a year). None when
    it cannot be parsed."""
    return _shift_range(text, days, _shift_one_dt)

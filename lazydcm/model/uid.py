"""``UID``: a DICOM unique identifier as a ``str`` that knows its registry entry.

Registry facts (name, keyword, type, retired) come from the generated UID table in
:mod:`lazydcm.model._dictionary` (PS3.6 Annex A); the byte layout of a transfer syntax comes from
:func:`lazydcm.io.syntax.layout_for`, the one place that decides it.

New UIDs are made under the ``2.25`` arc (PS3.5 B.2): ``2.25.`` followed by the decimal value of
a UUID (ISO/IEC 9834-8), so no registered organisation root is needed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from lazydcm.io.syntax import ByteLayout, layout_for
from lazydcm.model import _dictionary

__all__ = [
    "UID",
    "generate_uid",
    "LAZYDCM_ROOT_UID",
    "IMPLEMENTATION_CLASS_UID",
    "IMPLEMENTATION_VERSION_NAME",
    "TRANSFER_SYNTAXES",
    "ImplicitVRLittleEndian",
    "ExplicitVRLittleEndian",
    "ExplicitVRBigEndian",
    "DeflatedExplicitVRLittleEndian",
    "RLELossless",
    "JPEGBaseline8Bit",
    "JPEGExtended12Bit",
    "JPEGLossless",
    "JPEGLosslessSV1",
    "JPEGLSLossless",
    "JPEGLSNearLossless",
    "JPEG2000Lossless",
    "JPEG2000",
    "HTJ2KLossless",
    "HTJ2KLosslessRPCL",
    "HTJ2K",
]

_UIDS: dict[str, tuple[str, str, str, bool]] = _dictionary.UIDS
_TRANSFER_SYNTAX = "Transfer Syntax"

# PS3.5 9.1: components are digits, no leading zero unless the component is "0", separated by
# "."; at most 64 characters in all.
_UID_PATTERN = re.compile(r"(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))*")
_MAX_LENGTH = 64


class UID(str):
    """A UID string with registry and transfer-syntax properties.

    ``UID("1.2.840.10008.1.2.1")`` behaves as that ``str``; trailing NUL and space padding (as
    read from a UI value, PS3.5 6.2) is removed. Any text is accepted: :attr:`is_valid` says
    whether it follows PS3.5 9.1. Raises ``TypeError`` for a non-``str`` argument.
    """

    __slots__ = ()

    def __new__(cls, value: str) -> UID:
        if isinstance(value, UID):
            return value
        if not isinstance(value, str):
            raise TypeError(f"a UID is made from str, not {type(value).__name__}")
        return super().__new__(cls, value.rstrip("\0 "))

    def __repr__(self) -> str:
        return f"UID({str.__repr__(self)})"

    @property
    def name(self) -> str:
        """The registry name ("Explicit VR Little Endian"), or "" for an unregistered UID."""
        entry = _UIDS.get(self)
        return entry[0] if entry else ""

    @property
    def keyword(self) -> str:
        """The registry keyword ("ExplicitVRLittleEndian"), or ""."""
        entry = _UIDS.get(self)
        return entry[1] if entry else ""

    @property
    def type(self) -> str:
        """The registry type ("Transfer Syntax", "SOP Class", ...), or ""."""
        entry = _UIDS.get(self)
        return entry[2] if entry else ""

    @property
    def is_retired(self) -> bool:
        """True when the registry lists the UID as retired; False for unregistered UIDs."""
        entry = _UIDS.get(self)
        return entry[3] if entry else False

    @property
    def is_transfer_syntax(self) -> bool:
        """True for a transfer syntax of the registry."""
        entry = _UIDS.get(self)
        return entry is not None and entry[2] == _TRANSFER_SYNTAX

    @property
    def is_valid(self) -> bool:
        """True when the UID follows PS3.5 9.1: at most 64 characters, digit components
        without leading zeros, separated by single dots."""
        return len(self) <= _MAX_LENGTH and _UID_PATTERN.fullmatch(self) is not None

    def _layout(self) -> ByteLayout:
        if not self.is_transfer_syntax:
            raise ValueError(f"{str(self)!r} is not a transfer syntax of the UID registry")
        return layout_for(self)

    @property
    def is_implicit_VR(self) -> bool:  # noqa: N802 - pydicom's spelling
        """True for an implicit VR transfer syntax. Raises ``ValueError`` when the UID is not
        a registered transfer syntax."""
        return self._layout().implicit_vr

    @property
    def is_little_endian(self) -> bool:
        """True for a little endian transfer syntax. Raises ``ValueError`` as
        :attr:`is_implicit_VR`."""
        return self._layout().little_endian

    @property
    def is_deflated(self) -> bool:
        """True when the dataset is deflated (PS3.5 A.5). Raises ``ValueError`` as
        :attr:`is_implicit_VR`."""
        return self._layout().deflated

    @property
    def is_encapsulated(self) -> bool:
        """True when pixel data is encapsulated (PS3.5 A.4). Raises ``ValueError`` as
        :attr:`is_implicit_VR`."""
        return self._layout().encapsulated

    @property
    def is_compressed(self) -> bool:
        """Same as :attr:`is_encapsulated` (true also for Encapsulated Uncompressed, whose
        frames need the encapsulated reader all the same)."""
        return self._layout().encapsulated


def _registered(keyword: str) -> UID:
    for uid, (_name, kw, _type, _retired) in _UIDS.items():
        if kw == keyword:
            return UID(uid)
    raise RuntimeError(f"{keyword} missing from the generated UID table")  # generator bug


ImplicitVRLittleEndian = _registered("ImplicitVRLittleEndian")
ExplicitVRLittleEndian = _registered("ExplicitVRLittleEndian")
ExplicitVRBigEndian = _registered("ExplicitVRBigEndian")
DeflatedExplicitVRLittleEndian = _registered("DeflatedExplicitVRLittleEndian")
RLELossless = _registered("RLELossless")
JPEGBaseline8Bit = _registered("JPEGBaseline8Bit")
JPEGExtended12Bit = _registered("JPEGExtended12Bit")
JPEGLossless = _registered("JPEGLossless")
JPEGLosslessSV1 = _registered("JPEGLosslessSV1")
JPEGLSLossless = _registered("JPEGLSLossless")
JPEGLSNearLossless = _registered("JPEGLSNearLossless")
JPEG2000Lossless = _registered("JPEG2000Lossless")
JPEG2000 = _registered("JPEG2000")
HTJ2KLossless = _registered("HTJ2KLossless")
HTJ2KLosslessRPCL = _registered("HTJ2KLosslessRPCL")
HTJ2K = _registered("HTJ2K")

#: Every transfer syntax of the registry, in registry (UID) order.
TRANSFER_SYNTAXES: tuple[UID, ...] = tuple(
    UID(uid) for uid, entry in _UIDS.items() if entry[2] == _TRANSFER_SYNTAX
)

#: The default prefix of :func:`generate_uid`: the UUID-derived arc of PS3.5 B.2.
LAZYDCM_ROOT_UID = "2.25."

# The name-space for lazydcm's name-based UUIDs (RFC 4122 4.3), itself a fixed random UUID.
_NAMESPACE = uuid.UUID("b5f4c646-e392-4358-a979-d418596f6a8e")


def _uuid_int(entropy_srcs: Iterable[object] | None) -> int:
    if entropy_srcs is None:
        return uuid.uuid4().int
    return uuid.uuid5(_NAMESPACE, "\x1f".join(str(s) for s in entropy_srcs)).int


def generate_uid(prefix: str | None = None, entropy_srcs: Iterable[object] | None = None) -> UID:
    """Return a new UID.

    With no ``prefix`` the UID is ``2.25.`` and the decimal value of a UUID (PS3.5 B.2): a random
    one (UUID4), or with ``entropy_srcs`` a name-based one (UUID5) made from the ``str()`` of
    each source, so the same sources always give the same UID. With a ``prefix`` (a valid UID
    root ending in ".") the same number is appended and cut to fit 64 characters.

    Raises ``ValueError`` when ``prefix`` does not end in "." or is not a valid UID root with
    room for at least one more digit.
    """
    if prefix is None:
        prefix = LAZYDCM_ROOT_UID
    if not prefix.endswith(".") or _UID_PATTERN.fullmatch(prefix[:-1]) is None:
        raise ValueError(f"UID prefix {prefix!r} must be a valid UID followed by '.'")
    room = _MAX_LENGTH - len(prefix)
    if room < 1:
        raise ValueError(f"UID prefix {prefix!r} leaves no room under 64 characters")
    return UID(prefix + str(_uuid_int(entropy_srcs))[:room])


#: lazydcm's Implementation Class UID (PS3.7 D.3.3.2), the same in every release.
IMPLEMENTATION_CLASS_UID = generate_uid(entropy_srcs=["lazydcm"])
#: lazydcm's Implementation Version Name (an SH of at most 16 characters).
IMPLEMENTATION_VERSION_NAME = "LAZYDCM_010"

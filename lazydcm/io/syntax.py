"""Transfer-syntax byte layouts: how a dataset's bytes are laid out on the wire.

A transfer syntax decides three things the byte readers care about (PS3.5 10): whether VRs are
written (explicit) or implied by the dictionary (implicit), the byte order, and whether the dataset
after the meta group is deflated. Whether pixel data is encapsulated matters to the pixel layer.

Only four transfer syntaxes are "native" and differ in layout (PS3.5 A.1-A.3, A.5); every other
one - JPEG, JPEG-LS, JPEG 2000, RLE, MPEG, HTJ2K, ... - is Explicit VR Little Endian with
encapsulated pixel data (PS3.5 A.4), with a handful of exceptions listed in ``_OTHER`` (the JPIP
syntaxes, whose pixel data is referenced rather than encapsulated and two of which deflate the
dataset, and the retired Papyrus 3 implicit VR syntax).
"""

from __future__ import annotations

import attrs

__all__ = [
    "ByteLayout",
    "layout_for",
    "IMPLICIT_LE",
    "EXPLICIT_LE",
    "EXPLICIT_BE",
    "DEFLATED_LE",
    "IMPLICIT_LE_LAYOUT",
    "EXPLICIT_LE_LAYOUT",
    "EXPLICIT_BE_LAYOUT",
    "DEFLATED_LE_LAYOUT",
    "ENCAPSULATED_LAYOUT",
]

IMPLICIT_LE = "1.2.840.10008.1.2"  # PS3.5 A.1 Implicit VR Little Endian
EXPLICIT_LE = "1.2.840.10008.1.2.1"  # PS3.5 A.2 Explicit VR Little Endian
EXPLICIT_BE = "1.2.840.10008.1.2.2"  # PS3.5 A.3 Explicit VR Big Endian (retired)
DEFLATED_LE = "1.2.840.10008.1.2.1.99"  # PS3.5 A.5 Deflated Explicit VR Little Endian


@attrs.frozen(slots=True)
class ByteLayout:
    """How a dataset is encoded.

    Attributes:
        implicit_vr: True when element headers carry no VR (PS3.5 7.1.3).
        little_endian: byte order of tags, lengths and binary values.
        deflated: True when the dataset after the meta group is a raw deflate stream.
        encapsulated: True when (7FE0,0010) is expected to be encapsulated (PS3.5 A.4).
    """

    implicit_vr: bool
    little_endian: bool
    deflated: bool = False
    encapsulated: bool = False


IMPLICIT_LE_LAYOUT = ByteLayout(implicit_vr=True, little_endian=True)
EXPLICIT_LE_LAYOUT = ByteLayout(implicit_vr=False, little_endian=True)
EXPLICIT_BE_LAYOUT = ByteLayout(implicit_vr=False, little_endian=False)
DEFLATED_LE_LAYOUT = ByteLayout(implicit_vr=False, little_endian=True, deflated=True)
ENCAPSULATED_LAYOUT = ByteLayout(implicit_vr=False, little_endian=True, encapsulated=True)

_NATIVE = {
    IMPLICIT_LE: IMPLICIT_LE_LAYOUT,
    EXPLICIT_LE: EXPLICIT_LE_LAYOUT,
    EXPLICIT_BE: EXPLICIT_BE_LAYOUT,
    DEFLATED_LE: DEFLATED_LE_LAYOUT,
}

# Layouts of other transfer syntaxes that are not "explicit VR little endian, encapsulated":
# - JPIP Referenced Deflate (PS3.5 A.7) and JPIP HTJ2K Referenced Deflate deflate the whole
#   dataset like A.5; JPIP Referenced (A.6) and JPIP HTJ2K Referenced are plain explicit VR
#   little endian. All four reference their pixel data by URL, so none is encapsulated.
# - Papyrus 3 Implicit VR Little Endian (1.2.840.10008.1.20, retired; PS3.6 Table A-1).
# The Deflated Image Frame Compression syntax (1.2.840.10008.1.2.8.1) deflates frames only, so
# it is an ordinary encapsulated syntax and needs no entry here.
_OTHER = {
    "1.2.840.10008.1.2.4.94": EXPLICIT_LE_LAYOUT,
    "1.2.840.10008.1.2.4.95": DEFLATED_LE_LAYOUT,
    "1.2.840.10008.1.2.4.204": EXPLICIT_LE_LAYOUT,
    "1.2.840.10008.1.2.4.205": DEFLATED_LE_LAYOUT,
    "1.2.840.10008.1.20": IMPLICIT_LE_LAYOUT,
}


def layout_for(uid: str) -> ByteLayout:
    """Return the :class:`ByteLayout` of the transfer syntax ``uid``.

    Trailing NUL and space padding (as read from (0002,0010)) is stripped first. Any UID other
    than the four native syntaxes and the few exceptions in ``_OTHER`` is Explicit VR Little
    Endian with encapsulated pixel data (PS3.5 A.4), including UIDs this library has never heard
    of. Never raises.
    """
    uid = uid.rstrip("\0 ")
    layout = _NATIVE.get(uid)
    if layout is not None:
        return layout
    return _OTHER.get(uid, ENCAPSULATED_LAYOUT)

"""The de-identification profile: PS3.15 E.1 Basic Profile plus the options of E.3, as one frozen
object, and the rule that turns Table E.1-1 into one action per attribute.

Resolution of an attribute's action (PS3.15 E.1.1 and Table E.1-1a):

1. The Basic Profile column gives the action; "A requirement for an Option, when implemented,
   overrides any requirement for the underlying Profile" (E.1.1), so the column of an enabled
   option, where it is not empty, replaces it. In the 2026c table two enabled options never
   disagree on an attribute except the two Retain Longitudinal options, which E.3.6 makes mutually
   exclusive (the profile refuses both).
2. A combined code (``Z/D``, ``X/Z``, ``X/D``, ``X/Z/D``, ``X/Z/U*``) chooses between its
   alternatives by the attribute's type in the IOD. lazydcm does not carry the PS3.3 module tables,
   so ``combined`` says which way to go for an attribute present in the file:

   * ``"conformant"`` (default): the last alternative, the one that keeps the instance valid
     whatever the attribute's type is (Type 1 needs D, Type 2 at least Z): ``Z/D``, ``X/D`` and
     ``X/Z/D`` become D (a dummy value: no original content survives), ``X/Z`` becomes Z (empty)
     and ``X/Z/U*`` keeps the sequence with every UID inside it replaced (the whole profile is
     applied to its items).
   * ``"remove"``: the first alternative, X (or Z for ``Z/D``) — the most information removed, at
     the risk of dropping a Type 1 or Type 2 attribute of the IOD.

3. Attributes not in Table E.1-1 (standard ones of any group, incl. repeating groups other than the
   listed 50xx/60xx rows) are kept (K), and sequences among them have the profile applied to every
   item. The table is the minimum the standard requires (E.1.1 note 5); ``unlisted="remove"``
   removes unlisted standard attributes instead (keeping the few an instance cannot do without:
   see ``ESSENTIAL``).
4. C ("clean") is carried out as: a date, time or datetime under Retain Longitudinal Temporal
   Information with Modified Dates is shifted (``keyed``); a sequence has the profile applied to
   every item; other text is replaced by a dummy (lazydcm cannot tell which words identify); a
   binary value (overlay bitmaps, curve data under Clean Graphics) is removed, since lazydcm
   cannot clean inside it. D uses a dummy "consistent with the VR" (``ANONYMIZED``, ``19000101``,
   ``0`` ..., for a sequence one empty item) except Patient ID, which gets a keyed pseudonym so one patient's instances stay
   together (E.1.1 asks for consistency above the instance level); D or C on a UID is U.
5. Every private attribute (odd group, including private creators) follows the table's row
   "(gggg,eeee) where gggg is odd": removed (X), unless Retain Safe Private is enabled (E.3.10),
   which keeps an element known to be safe — listed in Table E.3.10-1 for its private creator, in
   a block whose Block Identifying Information Status (0008,0303) is SAFE, or listed in its
   block's Nonidentifying Private Elements (0008,0304) — applies the block's own
   Deidentification Action (0008,0307) where the Private Data Element Characteristics Sequence
   (0008,0300) gives one, applies the profile inside any other private sequence, and removes the
   rest; a creator element stays when its block keeps an element.
"""

from __future__ import annotations

from typing import Literal

import attrs

from lazydcm.deid import _table

__all__ = ["Profile", "OPTION_NAMES", "ESSENTIAL", "action_for"]

#: The options of PS3.15 E.3 that change Table E.1-1, in column order, and the two pixel options
#: (recorded in the method codes only: lazydcm does not change pixel data).
OPTION_NAMES: tuple[str, ...] = _table.OPTIONS

#: Attributes kept by ``unlisted="remove"``: SOP common, pixel description and the meta group.
ESSENTIAL: frozenset[int] = frozenset(
    {
        0x00080005,  # Specific Character Set
        0x00080008,  # Image Type
        0x00080016,  # SOP Class UID
        0x00080060,  # Modality
        0x00200013,  # Instance Number
    }
)

_ALIASES = {name.replace("_", ""): name for name in OPTION_NAMES}


def _option_key(text: str) -> str:
    """'retain-uids', 'Retain UIDs Option', 'RetainUIDs' -> 'retain_uids'."""
    key = "".join(ch for ch in text.lower() if ch.isalnum())
    key = key.removesuffix("option")
    key = key.replace("longitudinaltemporalinformation", "long")
    key = key.replace("withfulldates", "fulldates")
    return key.replace("withmodifieddates", "modifieddates")


def _check_dates(instance: Profile, attribute: attrs.Attribute, value: bool) -> None:
    if value and instance.retain_long_full_dates:
        # PS3.15 E.3.6: the two Retain Longitudinal Temporal Information options are exclusive
        raise ValueError(
            "retain_long_full_dates and retain_long_modified_dates are mutually exclusive "
            "(PS3.15 E.3.6)"
        )


@attrs.frozen(kw_only=True)
class Profile:
    """PS3.15 Annex E: the Basic Application Level Confidentiality Profile and its options.

    Each boolean is one option of PS3.15 E.3 (names as ``OPTION_NAMES``). ``combined`` and
    ``unlisted`` are lazydcm's documented choices where the table leaves one (module docstring).
    Build from option names with :meth:`from_names`. Raises ``ValueError`` for both
    Retain Longitudinal options at once (E.3.6).
    """

    retain_safe_private: bool = False
    retain_uids: bool = False
    retain_device_identity: bool = False
    retain_institution_identity: bool = False
    retain_patient_characteristics: bool = False
    retain_long_full_dates: bool = False
    retain_long_modified_dates: bool = attrs.field(default=False, validator=_check_dates)
    clean_descriptors: bool = False
    clean_structured_content: bool = False
    clean_graphics: bool = False
    combined: Literal["conformant", "remove"] = attrs.field(
        default="conformant", validator=attrs.validators.in_(("conformant", "remove"))
    )
    unlisted: Literal["keep", "remove"] = attrs.field(
        default="keep", validator=attrs.validators.in_(("keep", "remove"))
    )

    @classmethod
    def from_names(cls, names: tuple[str, ...] | list[str] = (), **kwargs: object) -> Profile:
        """A profile with the named options enabled.

        Names are matched loosely: ``retain_uids``, ``retain-uids``, ``RetainUIDs`` and
        ``"Retain UIDs Option"`` are one option. Raises ``ValueError`` naming an unknown option.
        """
        flags: dict[str, object] = {}
        for name in names:
            key = _option_key(name)
            option = _ALIASES.get(key)
            if option is None:
                known = ", ".join(n.replace("_", "-") for n in OPTION_NAMES)
                raise ValueError(f"unknown de-identification option {name!r} (known: {known})")
            flags[option] = True
        flags.update(kwargs)
        return cls(**flags)  # type: ignore[arg-type]

    @property
    def enabled(self) -> tuple[str, ...]:
        """Names of the enabled options, in Table E.1-1 column order."""
        return tuple(name for name in OPTION_NAMES if getattr(self, name))

    def method_codes(self) -> tuple[tuple[str, str, str], ...]:
        """CID 7050 codes (value, scheme, meaning) for the profile and its enabled options."""
        return (_table.METHOD_CODES["basic"],) + tuple(
            _table.METHOD_CODES[name] for name in self.enabled
        )

    def method_text(self) -> tuple[str, ...]:
        """Values for De-identification Method (0012,0063): LO, one per profile and option."""
        return tuple(meaning[:64] for _, _, meaning in self.method_codes())


def _resolve(code: str, combined: str) -> str:
    if "/" not in code:
        return code
    choices = code.rstrip("*").split("/")
    return choices[-1] if combined == "conformant" else choices[0]


def _pick(basic: str, options: tuple[str, ...], profile: Profile) -> str:
    action = basic
    for name, option_action in zip(OPTION_NAMES, options, strict=True):
        if option_action and getattr(profile, name):
            action = option_action
    return action


def _masked(tag: int) -> tuple | None:
    for mask, value, *rest in _table.MASKED_ACTIONS:
        if tag & mask == value:
            return rest
    return None


def action_for(tag: int, profile: Profile) -> str:
    """The single action (D, Z, X, K, C or U) the profile takes on standard attribute ``tag``.

    ``"?"`` means the tag is not in Table E.1-1 (the caller applies ``profile.unlisted``).
    Private tags (odd group) are decided by the caller (they need the private creator).
    """
    row = _table.ACTIONS.get(tag)
    if row is None:
        masked = _masked(tag) if (tag >> 24) in (0x50, 0x60) else None
        if masked is None:
            return "?"
        _, _, _, _, basic, options = masked
    else:
        _, _, _, basic, options = row
    return _resolve(_pick(basic, options, profile), profile.combined)


def private_action(profile: Profile) -> str:
    """The action of the table's private-attributes row under ``profile`` (X, or C = keep safe)."""
    _, _, _, basic, options = _table.PRIVATE_ACTIONS
    return _pick(basic, options, profile)


def is_safe_private(group: int, element: int, creator: str) -> bool:
    """True when private ``(group, xxEE)`` of ``creator`` is in Table E.3.10-1."""
    return (group, element & 0xFF, creator.strip()) in _table.SAFE_PRIVATE

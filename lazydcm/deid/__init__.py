"""De-identification by PS3.15 Annex E (the Basic Application Level Confidentiality Profile and its
options) as copy-through edits.

``deidentify(ds, profile, key)`` edits a dataset's overlay and returns a ``DeidReport``;
``deidentify_file(src, dst, profile, key)`` reads, de-identifies and writes one file, copying pixel
data and every untouched byte range. ``Profile`` names the options; the action table is generated
from PS3.15 by ``tools/gen_deid.py`` (``lazydcm/deid/_table.py``). See ``profile`` for how each
combined action code is resolved and what happens to attributes the table does not list.
"""

from lazydcm.deid._table import EDITION
from lazydcm.deid.engine import DeidReport, burned_in_reason, deidentify
from lazydcm.deid.files import FileResult, deidentify_file
from lazydcm.deid.keyed import date_shift_days, uid_for
from lazydcm.deid.profile import OPTION_NAMES, Profile, action_for

__all__ = [
    "EDITION",
    "OPTION_NAMES",
    "DeidReport",
    "FileResult",
    "Profile",
    "action_for",
    "burned_in_reason",
    "date_shift_days",
    "deidentify",
    "deidentify_file",
    "uid_for",
]

"""Shared test configuration: hypothesis profiles and the corpus location.

Hypothesis profiles (select with ``LAZYDCM_HYPOTHESIS_PROFILE``):
``default`` — fast, random, for every run; ``ci`` — longer and derandomized, for CI's bounded
fuzz stage;
``nightly`` — long runs by hand (e.g. the 100,000-example bad-input run).
"""

from __future__ import annotations

import os

import pytest
from _corpus import CORPUS, require_corpus
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
# derandomize: CI explores the same 600 examples of every property on every run (with the
# hypothesis version pinned in the ``test`` extra), so main stays green or red for a reason, not
# by luck; the random search runs in the default and nightly profiles.
settings.register_profile(
    "ci",
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    database=None,
    print_blob=True,
)
settings.register_profile(
    "nightly", max_examples=100_000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("LAZYDCM_HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def corpus():
    """Path of the shared corpus (fails under CI when missing)."""
    return require_corpus()


@pytest.fixture(scope="session")
def corpus_path():
    return CORPUS

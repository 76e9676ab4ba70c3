"""Bad input: for arbitrary bytes and for mutated files, reading and touching every value either
succeeds or raises ``InvalidDicomError`` - no other exception, no hang, no allocation beyond a
small multiple of the input.

"Touching every value": ``ds.decode()`` (every element, items included), the meta group,
``str(ds)``, every element's repr, and ``ds.pixel_array`` when there is pixel data and the pixel
access layer is installed (where a missing optional codec may raise ``MissingCodecError``,
its one documented other error). An input that reads cleanly must also write back unchanged.

The long run: ``LAZYDCM_HYPOTHESIS_PROFILE=nightly python -m pytest tests/property/test_bad_input.py``.
"""

from __future__ import annotations

import collections
import functools
import gc
import importlib.util
import os
import signal
import time
import tracemalloc
import warnings
import zlib
from typing import Any

import pytest
from _corpus import CORPUS, corpus_paths, require_corpus
from hypothesis import event, given
from hypothesis import strategies as st

import lazydcm
from lazydcm import InvalidDicomError
from lazydcm._strategies._datasets import file_specs
from lazydcm._strategies._encoder import DEFLATED_LE, encode_meta
from lazydcm._strategies._spec import DatasetSpec, ElementSpec
from lazydcm.io.syntax import layout_for
from lazydcm.model.save import to_bytes
from lazydcm.strategies import mutated

PIXELS_READY = importlib.util.find_spec("lazydcm.pixels.access") is not None
_PIXEL_TAGS = (0x7FE00010, 0x7FE00008, 0x7FE00009)
_HANG_SECONDS = 30  # a hard stop: a hang becomes a failure instead of a stuck run
_SLOW_SECONDS = 10.0  # per input; inputs here are at most a few hundred KiB
_CONSTANT = 16 << 20  # bytes of allocation allowed whatever the input size
_MAX_CORPUS_FILE = 256 << 10  # mutate corpus files up to this size (most of the corpus)


# Long runs: with LAZYDCM_FUZZ_PROGRESS=FILE, every 1,000 inputs checked append a line with the
# running count and outcomes to FILE (a run stopped by a time limit still says how far it got).
_PROGRESS_FILE = os.environ.get("LAZYDCM_FUZZ_PROGRESS")
_PROGRESS: collections.Counter[str] = collections.Counter()


def _progress(outcome: str) -> None:
    if not _PROGRESS_FILE:
        return
    _PROGRESS[outcome] += 1
    total = sum(_PROGRESS.values())
    if total % 1000 == 0:
        with open(_PROGRESS_FILE, "a", encoding="utf-8") as f:
            f.write(
                f"{time.strftime('%H:%M:%S')} {os.getpid()} {total} inputs: {dict(_PROGRESS)}\n"
            )


class Hang(Exception):
    """Raised by the alarm when one input takes longer than ``_HANG_SECONDS``."""


def _alarm(signum: int, frame: Any) -> None:
    raise Hang(f"no result after {_HANG_SECONDS} s")


def _inflated_size(data: bytes) -> int:
    """What a deflated dataset in ``data`` inflates to, when ``data`` names the deflated syntax
    (0 otherwise). The dataset is taken to start where (0002,0000) says the meta group ends;
    when that does not inflate, lazydcm's documented cap (64 x the size) is allowed."""
    if DEFLATED_LE.encode() not in data[:4096]:
        return 0
    cap = max(64 << 20, 64 * len(data))
    try:
        start = 144 + int.from_bytes(data[140:144], "little")  # preamble, DICM, (0002,0000)
        return len(zlib.decompressobj(-15).decompress(data[start:], cap))
    except (zlib.error, ValueError):
        return 64 * len(data)


def _missing_codec_allowed(ds: Any) -> str | None:
    """Why MissingCodecError is legitimate for ``ds`` (an event label), or None.

    It is documented for compressed pixel data whose decoder is not installed; lazydcm also
    raises it for a transfer syntax it has no decoder for at all (an unknown or private UID,
    which is not proof of bad bytes). Under a native transfer syntax encapsulated pixel data
    is bad input: InvalidDicomError."""
    from lazydcm.pixels.codecs import TRANSFER_SYNTAXES, available_plugins, plugins_for

    meta = ds.file_meta
    ts = ""
    if meta is not None and 0x00020010 in meta:
        ts = str(meta[0x00020010].value or "").strip("\0 ")
    if ts in TRANSFER_SYNTAXES:
        if plugins_for(ts) and not available_plugins(ts):
            return "pixel_array: MissingCodecError (codec not installed)"
        return None
    if ts and layout_for(ts).encapsulated:
        return "pixel_array: MissingCodecError (no decoder for this transfer syntax)"
    return None


def touch_everything(data: bytes, force: bool) -> None:
    """Read ``data`` and touch every value; nothing but InvalidDicomError may escape."""
    ds = lazydcm.dcmread(data, force=force)
    try:
        ds.decode()
        if ds.file_meta is not None:
            ds.file_meta.decode()
        str(ds)
        for elem in ds.iterall():
            repr(elem)
        ds.dir()
        if PIXELS_READY and any(tag in ds for tag in _PIXEL_TAGS):
            from lazydcm.pixels.codecs import MissingCodecError

            try:
                import numpy as np

                np.asarray(ds.pixel_array)  # decoding is the point (native: every frame read)
            except InvalidDicomError as exc:
                event(f"pixel_array: {type(exc).__name__}")
            except MissingCodecError:
                reason = _missing_codec_allowed(ds)
                if reason is None:
                    raise
                event(reason)
        if not ds.layout.deflated:
            assert to_bytes(ds) == data, "an unmodified dataset must write back unchanged"
    finally:
        ds.close()


def _timed_touch(data: bytes, force: bool) -> tuple[str, float, int]:
    """:func:`touch_everything` under the hang alarm, with the garbage collector paused (a
    long run's heap is hypothesis's, and collecting it is not the input's time): returns the
    outcome, the seconds taken and the peak traced allocation."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, _HANG_SECONDS)
    collecting = gc.isenabled()
    gc.disable()
    tracemalloc.start()
    start = time.perf_counter()
    outcome = "read"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            touch_everything(data, force)
    except InvalidDicomError as exc:
        outcome = type(exc).__name__
        assert str(exc), "InvalidDicomError without a message"
    finally:
        elapsed = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        if collecting:
            gc.enable()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return outcome, elapsed, peak


def check(data: bytes, force: bool) -> None:
    """Run :func:`touch_everything` under a hang alarm, a time limit and a memory limit.

    An input over the time limit is timed once more and fails only if it is slow again: a slow
    input is slow every time, a machine busy with something else is not (a 100k run once saw
    12 s for an input that takes 10 ms)."""
    outcome, elapsed, peak = _timed_touch(data, force)
    if elapsed >= _SLOW_SECONDS:
        elapsed = min(elapsed, _timed_touch(data, force)[1])
    event(outcome)
    _progress(outcome)
    assert elapsed < _SLOW_SECONDS, f"{elapsed:.1f} s for {len(data)} bytes"
    limit = 4 * (len(data) + _inflated_size(data)) + _CONSTANT
    assert peak <= limit, f"peak allocation {peak} bytes for {len(data)} bytes of input"


# -- arbitrary bytes ---------------------------------------------------------------------


@given(data=st.binary(max_size=4096), force=st.booleans())
def test_arbitrary_bytes(data, force):
    check(data, force)


def _head(transfer_syntax: str) -> bytes:
    meta = DatasetSpec(
        (ElementSpec(0x00020001, "OB", b"\x00\x01"), ElementSpec(0x00020010, "UI", transfer_syntax))
    )
    return b"\0" * 128 + b"DICM" + encode_meta(meta)


@given(
    ts=st.sampled_from(
        [
            "1.2.840.10008.1.2",
            "1.2.840.10008.1.2.1",
            "1.2.840.10008.1.2.2",
            "1.2.840.10008.1.2.1.99",
            "1.2.840.10008.1.2.4.50",
        ]
    ),
    body=st.binary(max_size=4096),
)
def test_arbitrary_bytes_after_a_valid_head(ts, body):
    check(_head(ts) + body, False)


# -- mutated files -----------------------------------------------------------------------


@functools.cache
def _corpus_files() -> tuple[str, ...]:
    return tuple(
        p
        for p in corpus_paths()
        if (CORPUS / p).is_file() and (CORPUS / p).stat().st_size <= _MAX_CORPUS_FILE
    )


@functools.cache
def _corpus_bytes(path: str) -> bytes:
    return (CORPUS / path).read_bytes()


@pytest.fixture(scope="module")
def corpus_files():
    require_corpus()
    files = _corpus_files()
    assert len(files) > 100, f"only {len(files)} corpus files of at most 256 KiB"
    return files


@given(data=st.data())
def test_mutated_corpus_files(corpus_files, data):
    path = data.draw(st.sampled_from(corpus_files), label="file")
    original = _corpus_bytes(path)
    bad = data.draw(mutated(original), label="mutated")
    check(bad, data.draw(st.booleans(), label="force"))


@given(encoded=file_specs(), data=st.data())
def test_mutated_generated_files(encoded, data):
    bad = data.draw(mutated(encoded.data), label="mutated")
    check(bad, not encoded.preamble or data.draw(st.booleans(), label="force"))

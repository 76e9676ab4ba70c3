"""Waveform multiplex groups (PS3.3 C.10.9 Waveform Module) as numpy arrays.

Each item of the Waveform Sequence (5400,0100) is a multiplex group: Number of Waveform
Channels (003A,0005) channels of Number of Waveform Samples (003A,0010) samples, interleaved
in Waveform Data (5400,1010) - all channels of sample 0, then of sample 1, ... (C.10.9.1.5) -
each Waveform Bits Allocated (5400,1004) wide and read per Waveform Sample Interpretation
(5400,1006, C.10.9.1.5.1). The mu-law (MB) and A-law (AB) codes are returned as their 8-bit
codes (not expanded).

With ``as_raw=False`` (``Dataset.waveform_array``, as pydicom documents it) each channel whose
Channel Definition item has Channel Sensitivity (003A,0210) becomes
``(raw + Channel Baseline) * Channel Sensitivity * Channel Sensitivity Correction Factor``
(C.10.9.1.4.3; baseline 0 and factor 1 when absent) as ``float64``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lazydcm.errors import InvalidDicomError

__all__ = ["multiplex_array"]

_WAVEFORM_SEQUENCE = 0x54000100
_WAVEFORM_DATA = 0x54001010

#: Waveform Sample Interpretation -> numpy kind and width in bytes (PS3.3 C.10.9.1.5.1)
_INTERPRETATION = {
    "SB": ("i", 1),
    "UB": ("u", 1),
    "MB": ("u", 1),
    "AB": ("u", 1),
    "SS": ("i", 2),
    "US": ("u", 2),
    "SL": ("i", 4),
    "UL": ("u", 4),
    "SV": ("i", 8),
    "UV": ("u", 8),
}


def _number(item: Any, keyword: str, default: float | None) -> float | None:
    value = item.get(keyword)
    if value in (None, ""):
        return default
    return float(value)


def multiplex_array(ds: Any, index: int, *, as_raw: bool = False) -> np.ndarray:
    """The samples of multiplex group ``index`` of the Waveform Sequence.

    Returns a new array, shape ``(samples, channels)``: the stored integers (``as_raw``) or
    ``float64`` with sensitivity, baseline and correction applied (see module docstring).

    Raises:
        AttributeError: no Waveform Sequence.
        IndexError: ``index`` outside the sequence.
        InvalidDicomError: missing/invalid channel counts, bits allocated or interpretation,
            or Waveform Data too short for channels x samples.
    """
    if _WAVEFORM_SEQUENCE not in ds:
        raise AttributeError("the dataset has no Waveform Sequence (5400,0100)")
    item = ds[_WAVEFORM_SEQUENCE].value[index]
    try:
        channels = int(item.NumberOfWaveformChannels)
        samples = int(item.NumberOfWaveformSamples)
        bits = int(item.WaveformBitsAllocated)
        interpretation = str(item.WaveformSampleInterpretation).strip()
    except (AttributeError, TypeError, ValueError) as exc:
        raise InvalidDicomError(f"multiplex group {index}: {exc}", tag=_WAVEFORM_SEQUENCE) from None
    if interpretation not in _INTERPRETATION or _INTERPRETATION[interpretation][1] * 8 != bits:
        raise InvalidDicomError(
            f"multiplex group {index}: Waveform Sample Interpretation {interpretation!r} with "
            f"Waveform Bits Allocated {bits} is not a layout of PS3.3 C.10.9.1.5.1",
            tag=0x54001006,
        )
    kind, size = _INTERPRETATION[interpretation]
    order = "<" if ds.is_little_endian is not False else ">"
    data = bytes(item[_WAVEFORM_DATA].value)
    need = channels * samples * size
    if len(data) < need:
        raise InvalidDicomError(
            f"Waveform Data holds {len(data)} bytes; {samples} samples x {channels} channels "
            f"x {size} bytes need {need}",
            tag=_WAVEFORM_DATA,
        )
    raw = np.frombuffer(data, dtype=f"{order}{kind}{size}", count=channels * samples)
    arr = raw.reshape(samples, channels).astype(f"={kind}{size}")
    if as_raw:
        return arr
    out = arr.astype(np.float64)
    definitions = item.get("ChannelDefinitionSequence") or []
    for ch, definition in enumerate(list(definitions)[:channels]):
        sensitivity = _number(definition, "ChannelSensitivity", None)
        if sensitivity is None:
            continue
        baseline = _number(definition, "ChannelBaseline", 0.0) or 0.0
        correction = _number(definition, "ChannelSensitivityCorrectionFactor", 1.0)
        out[:, ch] = (out[:, ch] + baseline) * sensitivity * correction
    return out

"""Loudness of raw signed 16-bit samples: what `audio render-all` prints and the tests check."""
from __future__ import annotations

import math
import sys
from array import array
from dataclasses import dataclass

FULL = 32768.0


@dataclass(frozen=True)
class Levels:
    seconds: float
    peak_db: float  # dBFS of the loudest sample; -inf for silence
    rms_db: float  # dBFS of the average power
    clipped: int  # samples at full scale


def _db(value: float) -> float:
    return 20 * math.log10(value / FULL) if value > 0 else -math.inf


def levels(samples: bytes, rate: int, channels: int) -> Levels:
    data = array("h")
    data.frombytes(samples[: len(samples) // 2 * 2])
    if sys.byteorder == "big":
        data.byteswap()
    if not data:
        return Levels(0.0, -math.inf, -math.inf, 0)
    peak = max(max(data), -min(data))
    power = math.fsum(x * x for x in data) / len(data)
    clipped = data.count(32767) + data.count(-32768)
    return Levels(len(data) / channels / rate, _db(peak), _db(math.sqrt(power)), clipped)

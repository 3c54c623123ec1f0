"""Loudness of rendered cues, with numpy: ITU-R BS.1770 integrated and short-term loudness (K-weighted,
gated), true peak (4x oversampled) and sample peak. The synthesizer masters every cue with these; the
tests check them against pyloudnorm, the reference implementation, and `audio render-all` prints them.

Signals are float arrays shaped (channels, samples), full scale 1.0.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

FULL = 32768.0
BLOCK, STEP = 0.4, 0.1  # gating blocks: 400 ms, 75 % overlap
SHORT_TERM = 3.0  # seconds
ABSOLUTE_GATE = -70.0


@dataclass(frozen=True)
class Levels:
    seconds: float
    peak_db: float  # dBFS of the loudest sample; -inf for silence
    true_peak_db: float  # dBTP: the loudest point between samples too
    loudness: float  # LUFS, integrated
    clipped: int  # samples at full scale


def from_pcm(samples: bytes, channels: int) -> np.ndarray:
    """Signed 16-bit interleaved samples -> floats shaped (channels, n)."""
    data = np.frombuffer(samples[: len(samples) // (2 * channels) * 2 * channels], dtype="<i2")
    return data.reshape(-1, channels).T.astype(np.float64) / FULL


def fast_length(n: int) -> int:
    """The smallest 2^a 3^b 5^c >= n: numpy's FFT is quick at these sizes."""
    n = int(n)
    best = 1 << max(0, (n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            p = p35
            while p < n:
                p *= 2
            best = min(best, p)
            p35 *= 3
        p5 *= 5
    return best


def _biquad_gain(b: tuple[float, float, float], a: tuple[float, float, float], cos1: np.ndarray,
                 cos2: np.ndarray) -> np.ndarray:
    """|H| of a biquad, given cos(w) and cos(2w) at the angular frequencies w (radians per sample)."""
    def power(c: tuple[float, float, float]) -> np.ndarray:
        return c[0] ** 2 + c[1] ** 2 + c[2] ** 2 + 2 * (c[0] * c[1] + c[1] * c[2]) * cos1 + 2 * c[0] * c[2] * cos2
    return np.sqrt(np.maximum(power(b), 0.0) / power(a))  # rounding can take a zero just below it


def k_weighting(freqs: np.ndarray, rate: int) -> np.ndarray:
    """The K filter's gain: BS.1770's high shelf (+4 dB above ~1.5 kHz) and high-pass (38 Hz), designed for any
    rate as pyloudnorm does. Its phase changes a block's energy by far less than 0.01 LU, so it is left out."""
    cos1 = np.cos(2 * np.pi * freqs / rate)
    cos2 = 2 * cos1 * cos1 - 1
    gain, q, fc = 4.0, 1 / math.sqrt(2), 1500.0
    big_a = 10 ** (gain / 40)
    w0 = 2 * math.pi * fc / rate
    alpha, cos = math.sin(w0) / (2 * q), math.cos(w0)
    root = 2 * math.sqrt(big_a) * alpha
    shelf = _biquad_gain((big_a * ((big_a + 1) + (big_a - 1) * cos + root), -2 * big_a * ((big_a - 1) + (big_a + 1) * cos),
                          big_a * ((big_a + 1) + (big_a - 1) * cos - root)),
                         ((big_a + 1) - (big_a - 1) * cos + root, 2 * ((big_a - 1) - (big_a + 1) * cos),
                          (big_a + 1) - (big_a - 1) * cos - root), cos1, cos2)
    w0 = 2 * math.pi * 38.0 / rate
    alpha, cos = math.sin(w0) / (2 * 0.5), math.cos(w0)
    high_pass = _biquad_gain(((1 + cos) / 2, -(1 + cos), (1 + cos) / 2), (1 + alpha, -2 * cos, 1 - alpha), cos1, cos2)
    return shelf * high_pass


def k_weighted(x: np.ndarray, rate: int) -> np.ndarray:
    n = x.shape[-1]
    size = fast_length(n + rate // 5)  # room for the filters' ringing, so nothing wraps round
    spectrum = np.fft.rfft(x.astype(np.float32), size)  # single precision: 0.001 LU, twice as fast
    spectrum *= k_weighting(np.fft.rfftfreq(size, 1 / rate), rate).astype(np.float32)
    return np.fft.irfft(spectrum, size)[..., :n]


def _block_power(weighted: np.ndarray, rate: int, block: float, step: float) -> np.ndarray:
    """Mean square of each block, summed over channels (both weighted 1.0 for stereo)."""
    length, hop = int(block * rate), int(step * rate)
    n = weighted.shape[-1]
    if n < length:  # a cue shorter than a block is measured as if followed by silence
        weighted = np.pad(weighted, ((0, 0), (0, length - n)))
        n = length
    energy = np.concatenate([np.zeros(1), np.cumsum(np.sum(weighted * weighted, axis=0, dtype=np.float64))])
    starts = np.arange(0, n - length + 1, hop)
    return (energy[starts + length] - energy[starts]) / length


def _lufs(power: np.ndarray | float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return -0.691 + 10 * np.log10(power)


def integrated(x: np.ndarray, rate: int) -> float:
    """Integrated loudness, LUFS: 400 ms blocks, absolute gate at -70, relative gate 10 LU below."""
    return gated(k_weighted(x, rate), rate)


def gated(weighted: np.ndarray, rate: int) -> float:
    """Integrated loudness of a signal already K-weighted."""
    power = _block_power(weighted, rate, BLOCK, STEP)
    power = power[_lufs(power) > ABSOLUTE_GATE]
    if not len(power):
        return -math.inf
    power = power[_lufs(power) > _lufs(power.mean()) - 10]
    return float(_lufs(power.mean()))


def short_term(x: np.ndarray, rate: int, hop: float = STEP) -> np.ndarray:
    """Short-term loudness (3 s windows), one value every `hop` seconds, LUFS."""
    return _lufs(_block_power(k_weighted(x, rate), rate, SHORT_TERM, hop))


TAPS = 32  # taps of the interpolating filter for each point between samples (BS.1770's own has 12)


def _between_kernels(oversample: int) -> np.ndarray:
    """Windowed-sinc filters giving the signal at 1/oversample steps between two samples: (oversample - 1, TAPS)."""
    offsets = np.arange(1, oversample)[:, None] / oversample
    k = np.arange(-TAPS // 2 + 1, TAPS // 2 + 1)[None, :] - offsets  # sample positions relative to the point
    window = 0.5 + 0.5 * np.cos(np.pi * k / (TAPS // 2 + 1))  # Hann, over the span
    return np.sinc(k) * window


def true_peak(x: np.ndarray, oversample: int = 4, below: float | None = None) -> float:
    """dBTP: the peak of the signal with the points between samples too (4x oversampled), as BS.1770 describes.
    Only where a sample comes within 6 dB of the peak can a point between samples beat it, so only those gaps are
    interpolated. Asked only whether it stays `below` a ceiling, it skips the gaps 6 dB under that ceiling (and
    may answer with the sample peak)."""
    x = np.atleast_2d(x)
    n = x.shape[-1]
    if not n or not np.any(x):
        return -math.inf
    loudest = np.max(np.abs(x), axis=0)
    peak = float(loudest.max())
    threshold = max(peak, 10 ** (below / 20) if below is not None else 0.0) / 2
    starts = np.flatnonzero(np.maximum(loudest[:-1], loudest[1:]) >= threshold)  # gaps between i and i + 1
    if len(starts):
        padded = np.pad(x, ((0, 0), (TAPS, TAPS)))
        neighbours = starts[:, None] + np.arange(-TAPS // 2 + 1, TAPS // 2 + 1)[None, :] + TAPS
        between = padded[:, neighbours] @ _between_kernels(oversample).T  # (channels, gaps, points)
        peak = max(peak, float(np.max(np.abs(between))))
    return 20 * math.log10(peak)


def levels(samples: bytes, rate: int, channels: int) -> Levels:
    x = from_pcm(samples, channels)
    if not x.size:
        return Levels(0.0, -math.inf, -math.inf, -math.inf, 0)
    peak = float(np.max(np.abs(x)))
    clipped = int(np.count_nonzero(np.abs(x) >= 32767 / FULL))
    return Levels(x.shape[-1] / rate, 20 * math.log10(peak) if peak else -math.inf, true_peak(x),
                  integrated(x, rate), clipped)

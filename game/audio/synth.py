"""Recipe -> audio: band-limited synthesis on numpy arrays, mastered to a loudness; pydub carries the result
(sample format, channels, rate) to the cache, the mixer and WAV files.

Every sound is a single-precision array shaped (channels, samples) at 44.1 kHz, mono until something makes
it wide (noise, pan, a room), with a single oscillator at amplitude 1 (so layers have room to add up).
Oscillators are read from one-cycle tables that hold only the partials below 20 kHz, so nothing aliases;
filters are Butterworth responses applied in the frequency domain.
Inside a looping cue every pitch, tremolo and noise is periodic in the loop's length, so what runs on past the
loop's end is what its start was, and the crossfade joins like with like. The finished cue is scaled to its
channel's loudness (BS.1770) with its true peak held under -1 dBTP by a look-ahead limiter.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np

from ..story.recipe import TRUE_PEAK, Envelope, Loop, Recipe, RecipeError, Sound, natural_seconds
from . import levels

# pydub warns at import when ffmpeg is missing; the game never needs ffmpeg, so players never see it
warnings.filterwarnings("ignore", message="Couldn't find ffmpeg or avconv", category=RuntimeWarning)
warnings.filterwarnings("ignore", message="'audioop' is deprecated", category=DeprecationWarning)  # pydub's

from pydub import AudioSegment  # noqa: E402

RATE = 44100
TOP = 20000.0  # highest partial an oscillator keeps
TABLE = 8192  # samples in one cycle of a wave table: interpolation images stay below -70 dB
HEADROOM = 10 ** (30 / 20)  # a mix may add up to 30 dB over one full-scale oscillator before it is refused
PAD = RATE // 2  # room for a filter's ringing, so nothing wraps round the FFT
DC_CUT = 20.0  # Hz: every cue loses its DC and infrasound
BROWN_CUT = 40.0  # Hz: brown noise is deep, not subsonic
LIMIT_AHEAD = 0.005  # seconds the limiter looks ahead


def _n(seconds: float) -> int:
    return int(round(seconds * RATE))


Response = Callable[[np.ndarray], np.ndarray]  # a function of frequency in Hz


def _silence(n: int, channels: int = 1) -> np.ndarray:
    return np.zeros((channels, max(0, n)), dtype=np.float32)  # 24 bits of precision: plenty for sound


def _layer(canvas: np.ndarray, layer: np.ndarray, at: int) -> np.ndarray:
    """The layer added into the canvas from sample `at` on (a mono canvas becomes stereo for a stereo layer)."""
    if layer.shape[0] > canvas.shape[0]:
        canvas = np.repeat(canvas, layer.shape[0], axis=0)
    end = min(canvas.shape[-1], at + layer.shape[-1])
    canvas[:, at:end] += layer[:, :end - at]
    return canvas


# ---------------------------------------------------------------- filters

def _butterworth(freqs: np.ndarray, low_pass: float | None, high_pass: float | None, order: int) -> np.ndarray:
    """The response of analog Butterworth filters: causal like a real filter (nothing rings before an onset),
    flat in the pass band, `order` x 6 dB an octave beyond the cut-off."""
    poles = np.exp(1j * np.pi * (2 * np.arange(1, order + 1) + order - 1) / (2 * order))
    response = np.ones(len(freqs), dtype=complex)
    if low_pass:
        s = 1j * freqs / low_pass
        for pole in poles:
            response /= s - pole
    if high_pass:
        s = 1j * np.maximum(freqs, 1e-9) / high_pass
        for pole in poles:
            response /= 1 / s - pole
    return response


def _butterworth_gain(freqs: np.ndarray, low_pass: float | None, high_pass: float | None,
                      order: int) -> np.ndarray:
    """The magnitude of _butterworth's response, for sounds whose phases do not matter (noise, one cycle of a
    wave): cheaper to compute."""
    gain = np.ones(len(freqs))
    if low_pass:
        gain /= np.sqrt(1 + (freqs / low_pass) ** (2 * order))
    if high_pass:
        gain /= np.sqrt(1 + (high_pass / np.maximum(freqs, 1e-9)) ** (2 * order))
    return gain


def _shape(x: np.ndarray, response: Response, circular: bool = False) -> np.ndarray:
    """x through a filter given by its frequency response; `circular` treats x as one period. Single precision
    (24 bits) is plenty for sound, and twice as fast."""
    n = x.shape[-1]
    if not n:
        return x
    size = n if circular else levels.fast_length(n + min(n, PAD))
    spectrum = np.fft.rfft(x.astype(np.float32), size)
    spectrum *= response(np.fft.rfftfreq(size, 1 / RATE)).astype(np.complex64)
    return np.fft.irfft(spectrum, size)[..., :n]


# ---------------------------------------------------------------- sources

_PARTIALS: dict[str, Response] = {  # amplitude of sine partial k of each wave
    "sine": lambda k: (k == 1).astype(float),
    "triangle": lambda k: np.where(k % 2 == 1, 8 / np.pi ** 2 * (-1.0) ** ((k - 1) // 2) / k ** 2, 0.0),
    "square": lambda k: np.where(k % 2 == 1, 4 / (np.pi * k), 0.0),
    "sawtooth": lambda k: 2 / np.pi * (-1.0) ** (k + 1) / k,
}


def _filters(sound: Sound, phase: bool = True) -> Response | None:
    """The sound's filters as a response; without `phase`, only its magnitude."""
    if not (sound.low_pass or sound.high_pass):
        return None
    response = _butterworth if phase else _butterworth_gain
    return lambda f: response(f, sound.low_pass, sound.high_pass, sound.slope // 6)


def _table(wave: str, harmonics: tuple[float, ...], hz: float, response: Response | None) -> np.ndarray:
    """One cycle of the wave (and its copies at the harmonics' multiples of the pitch) holding only partials below
    TOP and Nyquist, each through the sound's filters, plus the first sample again at the end for interpolation."""
    spectrum = np.zeros(TABLE // 2 + 1, dtype=complex)
    for multiple, db in enumerate((0.0,) + harmonics, 1):
        count = min(TABLE // 2 // multiple, int(min(TOP, 0.45 * RATE) / (hz * multiple)))
        if count >= 1:
            k = np.arange(1, count + 1)
            spectrum[k * multiple] += -0.5j * TABLE * _PARTIALS[wave](k) * 10 ** (db / 20)  # sines, in irfft's terms
    if response is not None:
        spectrum *= response(np.arange(TABLE // 2 + 1) * hz)
    cycle = np.fft.irfft(spectrum, TABLE)
    return np.append(cycle, cycle[0]).astype(np.float32)


def _hz(hz: float, period: float | None) -> float:
    """Inside a loop, a pitch is nudged to a whole number of cycles per loop (by at most 1/(2 x loop) Hz: under
    1.5 cents for a loop of 10 s or more at 60 Hz and up), so it carries on through the seam in phase."""
    return max(1, round(hz * period)) / period if period else hz


class _Builder:
    """Renders one recipe; remembers wave tables and notes so a melody computes each pitch once."""

    def __init__(self, period: float | None) -> None:
        self.period = period
        self.tables: dict[tuple, np.ndarray] = {}
        self.pianos: dict[tuple, np.ndarray] = {}
        self.piano_seconds: dict[float, float] = {}

    def render(self, sound: Sound) -> np.ndarray:
        x = getattr(self, "_" + sound.kind)(sound)
        if sound.kind in ("mix", "sequence", "notes") and sound.length is not None:
            x = _fit(x, _n(sound.length))
        response = _filters(sound)
        if response is not None and sound.kind in ("mix", "sequence"):  # the sources filter their partials
            x = _shape(x, response)
        if sound.tremolo:
            speed, depth = sound.tremolo
            if self.period:  # whole cycles per loop
                speed = max(1, round(speed * self.period)) / self.period
            x = x * _slowly(x.shape[-1], lambda t: -depth * (1 - np.sin(2 * np.pi * speed * t)) / 2)  # from the middle
        if sound.contour:
            times, gains = zip(*sound.contour)
            x = x * _slowly(x.shape[-1], lambda t: np.interp(t, times, gains))
        if sound.echo:
            x = _echo(x, *sound.echo)
        if sound.reverb:
            x = _reverb(x, *sound.reverb)
        if sound.repeat > 1:
            x = np.tile(x, sound.repeat)
        if sound.fade_in:
            x = _fade(x, _n(sound.fade_in), rising=True)
        if sound.fade_out:
            x = _fade(x, _n(sound.fade_out), rising=False)
        if sound.gain:
            x = x * 10 ** (sound.gain / 20)
        if sound.pan:
            angle = (sound.pan + 1) * math.pi / 4  # equal power, unity in the middle
            x = x * (math.sqrt(2) * np.array([[math.cos(angle)], [math.sin(angle)]]))
        if x.size and np.max(np.abs(x)) > HEADROOM:
            raise RecipeError(f"a {sound.kind} adds up past full scale (it would clip): lower some layers' gain")
        return x

    # -------------------------------------------------------- pitched

    def _oscillator(self, sound: Sound, hz: float, n: int) -> np.ndarray:
        hz = _hz(hz, self.period)
        key = (sound.wave, sound.harmonics, hz, sound.low_pass, sound.high_pass, sound.slope)
        table = self.tables.get(key)
        if table is None:
            table = self.tables[key] = _table(sound.wave, sound.harmonics, hz, _filters(sound, phase=False))
        phase = np.arange(n) * (hz / RATE)
        phase -= np.floor(phase)
        phase *= TABLE
        index = phase.astype(np.intp)
        phase -= index  # now the fraction between two table entries
        below = table[index]
        return below + phase.astype(np.float32) * (table[index + 1] - below)

    def _voice(self, sound: Sound, pitches: tuple[float, ...], hold: float, gain: float = 0.0) -> np.ndarray:
        """Pitches held for `hold` seconds, then released: oscillators, partials and envelope."""
        n = _n(hold + sound.envelope.release)
        if sound.wave == "piano":
            mono = sum(self._piano(sound, hz, n) for hz in pitches)
        else:
            mono = np.zeros(n)
            detunes = (0.0, sound.detune) if sound.detune else (0.0,)
            for hz in pitches:
                for cents in detunes:
                    mono += self._oscillator(sound, hz * 2 ** (cents / 1200), n)
        return (mono * _envelope(n, sound.envelope) * 10 ** (gain / 20))[None, :]

    def _tone(self, sound: Sound) -> np.ndarray:
        return self._voice(sound, sound.pitches, (sound.length or 0) - sound.envelope.release)

    _chord = _tone

    def _notes(self, sound: Sound) -> np.ndarray:
        canvas = _silence(_n(natural_seconds(sound)))
        beat, t = 60.0 / sound.tempo, 0.0
        played: dict[tuple, np.ndarray] = {}
        if sound.wave == "piano":  # each string rings as long as its longest note needs
            for note in sound.notes:
                for hz in note.pitches:
                    self.piano_seconds[hz] = max(self.piano_seconds.get(hz, 0.0),
                                                 note.beats * beat + sound.envelope.release)
        for note in sound.notes:
            if note.pitches:
                key = (note.pitches, note.beats, note.gain)
                if key not in played:
                    played[key] = self._voice(sound, note.pitches, note.beats * beat, note.gain)
                canvas = _layer(canvas, played[key], _n(t))
            t += note.beats * beat
        return canvas

    def _piano(self, sound: Sound, hz: float, n: int) -> np.ndarray:
        """A struck string: slightly stretched partials (inharmonicity), each decaying exponentially, the
        higher ones faster, in two stages (the prompt sound, then the long after-sound); and the hammer's
        felt thump. Rendered once per pitch, as long as its longest note; notes take the start of it."""
        length = max(n, _n(self.piano_seconds.get(hz, 0.0)))
        key = (hz, sound.low_pass, sound.high_pass, sound.slope)
        ring = self.pianos.get(key)
        if ring is None or ring.shape[-1] < length:
            ring = self.pianos[key] = _piano_string(hz, length, _filters(sound, phase=False))
        return ring[:n]

    # -------------------------------------------------------- noise, silence, layers

    def _noise(self, sound: Sound) -> np.ndarray:
        """Noise made in the frequency domain with its filters' shape, each channel its own (a wide, decorrelated
        bed); inside a loop it repeats with the loop, so the seam joins the same noise."""
        n = _n(sound.length or 0)
        size = max(1, min(n, _n(self.period)) if self.period else n)
        bins = size // 2 + 1
        if sound.low_pass:  # 80 dB down: nothing of it is left to hear, so no noise is made there
            bins = min(bins, int(sound.low_pass * 10 ** (4 / (sound.slope // 6)) * size / RATE) + 2)
        freqs = np.arange(bins) * (RATE / size)
        shape = np.full(bins, np.sqrt(size / 6))  # flat, it has the level of uniform noise at full scale
        if sound.noise == "brown":  # -6 dB an octave from a gentle high-pass up, and the level of the old bed
            brown = _butterworth_gain(freqs, None, BROWN_CUT, 3) * BROWN_CUT / np.maximum(freqs, BROWN_CUT)
            shape *= brown * (0.5 * math.sqrt(3) / max(float(np.sqrt(np.mean(brown * brown))), 1e-12))
        response = _filters(sound, phase=False)
        if response is not None:
            shape *= response(freqs)
        shape[0] = 0.0
        used = int(np.flatnonzero(shape > shape.max() * 1e-5)[-1]) + 1  # above that it is filtered away (-100 dB)
        rng = np.random.default_rng(sound.seed)
        spectrum = np.zeros((2, size // 2 + 1), dtype=np.complex64)
        spectrum[:, :used].real = rng.standard_normal((2, used), dtype=np.float32)
        spectrum[:, :used].imag = rng.standard_normal((2, used), dtype=np.float32)
        spectrum[:, :used] *= shape[:used].astype(np.float32)
        x = np.fft.irfft(spectrum, size)
        x = np.tile(x, (1, -(-n // size)))[:, :n]
        return x * _envelope(n, sound.envelope)

    def _silence(self, sound: Sound) -> np.ndarray:
        return _silence(_n(sound.length or 0))

    def _mix(self, sound: Sound) -> np.ndarray:
        layers = [self.render(child) for child in sound.children]
        canvas = _silence(_n(natural_seconds(sound)), max(layer.shape[0] for layer in layers))
        for child, layer in zip(sound.children, layers):
            canvas = _layer(canvas, layer, _n(child.at))
        return canvas

    def _sequence(self, sound: Sound) -> np.ndarray:
        parts = [self.render(child) for child in sound.children]
        channels = max(part.shape[0] for part in parts)
        return np.concatenate([np.broadcast_to(part, (channels, part.shape[-1])) for part in parts], axis=1)


def _piano_string(hz: float, n: int, response: Response | None) -> np.ndarray:
    rng = np.random.default_rng(int(hz * 100))
    stretch = 0.0004 * math.sqrt(hz / 261.63)  # inharmonicity B: partial k sounds at k f sqrt(1 + B k^2)
    size = (261.63 / hz) ** 0.5  # low strings ring longer
    coarse = np.arange(-(-n // SLOW_STEP) + 1) * (SLOW_STEP / RATE)  # the decays change slowly
    samples = np.arange(n, dtype=np.float64)
    out = np.zeros(n, dtype=np.float32)
    for k in range(1, 25):
        f = k * hz * math.sqrt(1 + stretch * k * k)
        if f > min(10000.0, 0.45 * RATE):
            break
        amplitude = k ** -1.1 / math.sqrt(1 + (f / 2800) ** 2)
        if response is not None:
            amplitude *= float(response(np.array([f]))[0])
        prompt, after = 0.5 * size / (1 + 0.35 * (k - 1)), 3.0 * size / (1 + 0.6 * (k - 1))
        audible = min(n, int(after * math.log(amplitude * 1e4) * RATE) + 1) if amplitude > 1e-4 else 0
        if audible <= 0:
            continue
        t = coarse[:-(-audible // SLOW_STEP) + 1]
        decay = amplitude * (0.7 * np.exp(-t / prompt) + 0.3 * np.exp(-t / after))
        if hz >= 130:  # two or three strings a note, a fraction of a cent apart: each partial slowly beats
            decay *= 1 + 0.2 * np.cos(2 * np.pi * (UNISON * k * hz) * t)
        cycles = samples[:audible] * (f / RATE)
        cycles += rng.uniform()
        cycles -= np.floor(cycles)  # wrapped in double precision, so single precision is exact enough
        cycles *= 2 * np.pi
        wave = np.sin(cycles.astype(np.float32))
        wave *= _joined(decay, audible)
        out[:audible] += wave
    hammer = min(n, _n(0.03))  # felt on the string: a short knock, brighter for higher notes
    knock = rng.uniform(-1, 1, hammer) * np.exp(-np.arange(hammer) / (0.003 * RATE))
    felt = (lambda f: _butterworth(f, min(6000.0, 8 * hz), 200.0, 2)) if response is None else \
        (lambda f: _butterworth(f, min(6000.0, 8 * hz), 200.0, 2) * response(f))  # the string's filter
    out[:hammer] += 0.25 * _shape(knock[None, :], felt)[0]
    attack = min(n, _n(0.002))
    out[:attack] *= np.linspace(0, 1, attack, endpoint=False)
    return out


SLOW_STEP = 32  # samples (0.7 ms) between values of a gain that changes slowly (tremolo, contour, decays)
UNISON = 0.0004  # a piano note's strings differ by this fraction of their pitch (0.7 cents)


def _joined(points: np.ndarray, n: int) -> np.ndarray:
    """n samples of a gain given every SLOW_STEP samples (ceil(n / SLOW_STEP) + 1 points), joined by straight
    lines: held steps would modulate the sound at 1.4 kHz, faint tones beside every partial."""
    points = points.astype(np.float32)
    steps = len(points) - 1
    ramp = np.tile(np.arange(SLOW_STEP, dtype=np.float32) / SLOW_STEP, steps)
    return (np.repeat(points[:-1], SLOW_STEP) + np.repeat(np.diff(points), SLOW_STEP) * ramp)[:n]


def _slowly(n: int, decibels: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """A gain curve from dB as a function of seconds, computed every SLOW_STEP samples."""
    return _joined(10 ** (decibels(np.arange(-(-n // SLOW_STEP) + 1) * (SLOW_STEP / RATE)) / 20), n)


def _envelope(n: int, env: Envelope) -> np.ndarray:
    """Attack (linear rise), decay to the sustain level (exponential: straight in dB), release (linear fall)."""
    curve = np.ones(n)
    attack = min(_n(env.attack), n)
    if attack:
        curve[:attack] = np.arange(attack) / attack
    if env.sustain:
        decay = max(1, min(_n(env.decay), n - attack))
        curve[attack:attack + decay] = 10 ** (env.sustain / 20 * np.arange(decay) / decay)
        curve[attack + decay:] = 10 ** (env.sustain / 20)
    release = min(_n(env.release), n)
    if release:
        curve[n - release:] *= np.linspace(1, 0, release)
    return curve


def _fade(x: np.ndarray, n: int, rising: bool) -> np.ndarray:
    n = min(n, x.shape[-1])
    x = x.copy()
    if n:
        ramp = np.arange(n) / n
        if rising:
            x[:, :n] *= ramp
        else:
            x[:, x.shape[-1] - n:] *= ramp[::-1]
    return x


def _fit(x: np.ndarray, n: int) -> np.ndarray:
    return x[:, :n] if x.shape[-1] >= n else np.concatenate([x, _silence(n - x.shape[-1], x.shape[0])], axis=1)


def _echo(x: np.ndarray, delay: float, feedback: float, count: int) -> np.ndarray:
    step = _n(delay)
    out = np.concatenate([x, _silence(step * count, x.shape[0])], axis=1)
    for k in range(1, count + 1):
        out[:, step * k:step * k + x.shape[-1]] += x * 10 ** (feedback * k / 20)
    return out


def _reverb(x: np.ndarray, seconds: float, mix: float) -> np.ndarray:
    """A small room: convolution with decaying noise, each channel its own (so the room is wide), darker as it
    dies away; `seconds` is the time to fall 60 dB, and is added to the sound."""
    n, tail = x.shape[-1], _n(seconds)
    t = np.arange(tail) / RATE
    rng = np.random.default_rng(7)
    response = rng.standard_normal((2, tail)) * np.exp(-6.91 * t / seconds)
    response = _shape(response, lambda f: _butterworth(f, 5000.0, 120.0, 1))
    response[:, :_n(0.008)] = 0.0  # the first reflections arrive a few milliseconds late
    response /= np.sqrt(np.sum(response * response, axis=1, keepdims=True))
    size = levels.fast_length(n + tail)
    wet = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(response, size), size)[:, :n + tail]
    return np.concatenate([x, _silence(tail, x.shape[0])], axis=1) + wet * 10 ** (mix / 20)


def _loop(x: np.ndarray, loop: Loop) -> np.ndarray:
    """The loop's body; with a crossfade, the sound just after the end blends into its start. The fade keeps
    the power steady whatever the two parts have in common: equal-power for unrelated sound, and for sound
    that carries on alike through the seam (a held chord, looped noise), a plain sum that stays as it was."""
    start, end, fade = _n(loop.start), _n(loop.end), _n(loop.crossfade)
    body = x[:, start:end].copy()
    if fade:
        head, tail = body[:, :fade], x[:, end:end + fade]
        power = float(np.sqrt(np.sum(head * head) * np.sum(tail * tail)))
        alike = min(1.0, max(0.0, float(np.sum(head * tail)) / power)) if power else 0.0
        t = (np.arange(fade) + 0.5) / fade
        rise, fall = np.sin(t * np.pi / 2), np.cos(t * np.pi / 2)
        norm = 1 / np.sqrt(rise * rise + fall * fall + 2 * alike * rise * fall)
        body[:, :fade] = head * rise * norm + tail * fall * norm
    return body


# ---------------------------------------------------------------- mastering

def _limit(x: np.ndarray, ceiling: float, circular: bool) -> np.ndarray:
    """A look-ahead limiter: the gain each sample needs, held over the look-ahead window and smoothed with a box
    of the same width, so every peak is under the ceiling and the gain never jumps."""
    width = _n(LIMIT_AHEAD)
    need = np.minimum(1.0, ceiling / np.maximum(np.max(np.abs(x), axis=0), 1e-12))
    if need.min() >= 1.0:
        return x
    pad = 2 * width
    need = np.concatenate([need[-pad:], need, need[:pad]]) if circular else np.pad(need, pad, constant_values=1.0)
    windows = np.lib.stride_tricks.sliding_window_view(need, 2 * width + 1)
    held = np.pad(windows.min(axis=1), width, constant_values=1.0)
    smooth = np.convolve(held, np.ones(width + 1) / (width + 1), mode="same")
    return x * smooth[pad:pad + x.shape[-1]]


def master(x: np.ndarray, loudness: float, circular: bool = False,
           weighted: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """The cue at `loudness` LUFS (integrated) with its true peak at most TRUE_PEAK dBTP, and the gain that took it
    there (before any limiting). `weighted`, when given, is x already K-weighted (it saves the meter an FFT)."""
    if not x.size or not np.any(x):
        raise RecipeError("the recipe renders only silence")
    gain = 1 / float(np.max(np.abs(x)))  # a very quiet mix is still a sound, not what the meter's -70 LUFS gate drops
    x = x * gain
    both = 10 * math.log10(2) if x.shape[0] == 1 else 0.0  # a mono cue plays on both channels: 3 dB louder
    most = TRUE_PEAK - 0.1  # a margin, as meters that oversample differently disagree by a few hundredths
    ceiling = most - 0.3  # sample peaks a little lower: the points between samples rise above them
    for _ in range(8):
        measured = (levels.integrated(x, RATE) if weighted is None else levels.gated(weighted * gain, RATE)) + both
        weighted = None  # x may be limited below: measured afresh from then on
        if not math.isfinite(measured):
            raise RecipeError("the recipe renders only silence")
        x = x * 10 ** ((loudness - measured) / 20)  # loudness follows gain exactly: no need to measure again
        gain *= 10 ** ((loudness - measured) / 20)
        if levels.true_peak(x, below=most) <= most:
            break
        limited = _limit(x, 10 ** (ceiling / 20), circular)
        if levels.true_peak(limited, below=most) > most:
            ceiling -= 0.3
        x = limited
    return x, gain


def _without_dc(x: np.ndarray, circular: bool) -> tuple[np.ndarray, np.ndarray]:
    """x without its DC and infrasound (a 20 Hz high-pass), and the same K-weighted for the loudness meter: one
    forward FFT for both."""
    n = x.shape[-1]
    size = n if circular else levels.fast_length(n + min(n, PAD))
    freqs = np.fft.rfftfreq(size, 1 / RATE)
    spectrum = np.fft.rfft(x.astype(np.float32), size)
    spectrum *= _butterworth(freqs, None, DC_CUT, 2).astype(np.complex64)
    clean = np.fft.irfft(spectrum, size)[..., :n]
    spectrum *= levels.k_weighting(freqs, RATE).astype(np.float32)
    return clean, np.fft.irfft(spectrum, size)[..., :n]


def _one_shot(x: np.ndarray, gain: float) -> np.ndarray:
    """A scattered one-shot at its bed's gain (so the recipe's balance holds), under the true-peak ceiling."""
    x = _shape(x, lambda f: _butterworth(f, None, DC_CUT, 2)) * gain
    most = TRUE_PEAK - 0.1
    if levels.true_peak(x, below=most) > most:
        x = x * (10 ** (most / 20) / 10 ** (levels.true_peak(x) / 20))
    return x


def _segment(x: np.ndarray, rate: int, channels: int) -> AudioSegment:
    pcm = np.clip(np.round(np.broadcast_to(x, (2, x.shape[-1])).T * 32767), -32768, 32767).astype("<i2")
    seg = AudioSegment(data=pcm.tobytes(), sample_width=2, frame_rate=RATE, channels=2)
    if rate != RATE:
        seg = seg.set_frame_rate(rate)
    return seg.set_channels(channels) if channels != 2 else seg


def render_parts(recipe: Recipe, rate: int = RATE, channels: int = 2) -> list[AudioSegment]:
    """The cue as 16-bit audio at `rate` with `channels`, mastered to the recipe's loudness, then its scattered
    one-shots. Raises RecipeError when a mix adds up past the headroom or the cue comes out silent."""
    period = recipe.seconds if recipe.looping else None
    x = _Builder(period).render(recipe.sound)
    if recipe.loop:
        x = _loop(x, recipe.loop)
    x, weighted = _without_dc(x, circular=recipe.looping)  # a loop's end leads to its start
    x, gain = master(x, recipe.loudness, circular=recipe.looping, weighted=weighted)
    one_shots = _Builder(None)
    return [_segment(x, rate, channels)] + [_segment(_one_shot(one_shots.render(sound), gain), rate, channels)
                                            for sound in recipe.scatter]


def render(recipe: Recipe, rate: int = RATE, channels: int = 2) -> AudioSegment:
    """The cue (without its scattered one-shots) as 16-bit audio at `rate` with `channels`."""
    return render_parts(recipe, rate, channels)[0]


def pcm(recipe: Recipe, rate: int = RATE, channels: int = 2) -> bytes:
    """Raw signed 16-bit interleaved samples: what pygame.mixer.Sound(buffer=...) takes."""
    return render(recipe, rate, channels).raw_data


def pcm_parts(recipe: Recipe, rate: int = RATE, channels: int = 2) -> list[bytes]:
    """The cue's samples, then each scattered one-shot's."""
    return [part.raw_data for part in render_parts(recipe, rate, channels)]

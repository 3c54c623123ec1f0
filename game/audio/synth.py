"""Recipe -> audio with pydub (no ffmpeg: generators, gain, fades, overlay, filters only).

Sounds are built as 32-bit mono or stereo segments, each source generated at REF_DB so layers have
room to add up, then the whole cue is normalised to the recipe's level and turned into 16-bit samples.
"""
from __future__ import annotations

import math
import random
import sys
import warnings
from array import array
from collections.abc import Callable
from itertools import accumulate

from ..story.recipe import Envelope, Loop, Recipe, RecipeError, Sound, natural_seconds

# pydub warns at import when ffmpeg is missing; the game never needs ffmpeg, so players never see it
warnings.filterwarnings("ignore", message="Couldn't find ffmpeg or avconv", category=RuntimeWarning)
warnings.filterwarnings("ignore", message="'audioop' is deprecated", category=DeprecationWarning)  # pydub's

from pydub import AudioSegment  # noqa: E402
from pydub.generators import Sawtooth, SignalGenerator, Sine, Square, Triangle  # noqa: E402

RATE = 44100
RATES = (11025, 22050, 44100)
WIDTH = 4  # bytes per sample while building: 32-bit keeps quiet layers exact
REF_DB = -30.0  # level each oscillator or noise is generated at: ~30 dB of room for layers to add up
FULL_SCALE = 2 ** 31 - 1
GAIN_STEP_MS = 5  # resolution of tremolo and contour
WAVES: dict[str, Callable[..., SignalGenerator]] = {"sine": Sine, "triangle": Triangle, "square": Square,
                                                   "sawtooth": Sawtooth}


def _noise(colour: str, seed: int, ms: int, rate: int) -> AudioSegment:
    """Seeded noise at REF_DB, so a recipe always renders the same samples (pydub's WhiteNoise draws from the
    global random generator, one Python call per sample)."""
    frames = int(rate * ms / 1000)
    rng = random.Random(seed)
    white = array("i", rng.randbytes(frames * WIDTH))
    if colour == "brown":  # a leaky integral of white noise: deep and soft
        leak, scale = 0.997, 0.01  # peaks stay far inside 32 bits
        samples = array("i", map(int, accumulate(white, lambda level, x: level * leak + x * scale)))
        seg = _segment(samples, rate)
        return seg.apply_gain(REF_DB - seg.max_dBFS + 6)  # its peaks stand well above its average
    return _segment(white, rate).apply_gain(REF_DB)


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def _segment(samples: array, rate: int) -> AudioSegment:
    if sys.byteorder == "big":  # WAV and pygame want little-endian samples
        samples.byteswap()
    return AudioSegment(data=samples.tobytes(),
                        metadata={"channels": 1, "sample_width": WIDTH, "frame_rate": rate, "frame_width": WIDTH})


def silence(ms: int, rate: int = RATE) -> AudioSegment:
    return AudioSegment(data=b"\0" * (WIDTH * int(rate * ms / 1000)),
                        metadata={"channels": 1, "sample_width": WIDTH, "frame_rate": rate, "frame_width": WIDTH})


def _rate_for(sound: Sound, limit: int) -> int:
    """A layer whose highs are filtered away is built at a lower sample rate (4x fewer samples at 11 kHz)."""
    if sound.low_pass is None:
        return limit
    return min(limit, next(rate for rate in RATES if rate >= 8 * sound.low_pass or rate == RATE))


class _Builder:
    """Renders one recipe; remembers oscillators so a melody or a chord progression generates each pitch once."""

    def __init__(self) -> None:
        self.oscillators: dict[tuple, AudioSegment] = {}

    def render(self, sound: Sound, limit: int = RATE) -> AudioSegment:
        rate = _rate_for(sound, limit)
        seg = getattr(self, "_" + sound.kind)(sound, rate)
        if sound.kind in ("mix", "sequence", "notes") and sound.length is not None:
            seg = _fit(seg, _ms(sound.length))
        for _ in range(sound.slope // 6):
            if sound.high_pass:
                seg = seg.high_pass_filter(sound.high_pass)
            if sound.low_pass:
                seg = seg.low_pass_filter(sound.low_pass)
        if sound.tremolo:
            speed, depth = sound.tremolo
            seg = _gain_curve(seg, lambda t: -depth * (1 - math.cos(2 * math.pi * speed * t)) / 2)
        if sound.contour:
            seg = _gain_curve(seg, lambda t: _interpolate(sound.contour, t))
        if sound.echo:
            seg = _echo(seg, *sound.echo)
        if sound.repeat > 1:
            seg = seg * sound.repeat
        if sound.fade_in:
            seg = seg.fade_in(min(_ms(sound.fade_in), len(seg)))
        if sound.fade_out:
            seg = seg.fade_out(min(_ms(sound.fade_out), len(seg)))
        if sound.gain:
            seg = seg.apply_gain(sound.gain)
        if sound.pan:
            seg = seg.pan(sound.pan)
        if seg.max >= FULL_SCALE - 1:
            raise RecipeError(f"a {sound.kind} adds up past full scale (it would clip): lower some layers' gain")
        return seg

    # -------------------------------------------------------- sources

    def _oscillator(self, wave: str, hz: float, db: float, ms: int, rate: int) -> AudioSegment:
        """A wave at `rate`. A low sine is generated at a lower rate and resampled (C speed): it has nothing
        above its own frequency to lose, and the resampling images lie far above it and 30 dB down."""
        key = (wave, hz, db, rate)
        seg = self.oscillators.get(key)
        if seg is None or len(seg) < ms:
            own = next(r for r in RATES if r >= rate or hz <= 0.15 * r) if wave == "sine" else rate
            generator = WAVES[wave](hz, sample_rate=own, bit_depth=WIDTH * 8)
            seg = self.oscillators[key] = generator.to_audio_segment(duration=ms, volume=db).set_frame_rate(rate)
        return seg[:ms]

    def _voice(self, sound: Sound, pitches: tuple[float, ...], hold: float, rate: int,
               gain: float = 0.0) -> AudioSegment:
        """Pitches held for `hold` seconds, then released: the oscillators, partials and envelope."""
        ms = _ms(hold + sound.envelope.release)
        seg = silence(ms, rate)
        detunes = (0.0, sound.detune) if sound.detune else (0.0,)
        for hz in pitches:
            for partial, db in enumerate((0.0,) + sound.harmonics, 1):
                for cents in detunes:
                    f = hz * partial * 2 ** (cents / 1200)
                    if f < rate * 0.45:
                        seg = seg.overlay(self._oscillator(sound.wave, f, REF_DB + db + gain, ms, rate))
        return _envelope(seg, sound.envelope)

    def _tone(self, sound: Sound, rate: int) -> AudioSegment:
        return self._voice(sound, sound.pitches, (sound.length or 0) - sound.envelope.release, rate)

    _chord = _tone

    def _notes(self, sound: Sound, rate: int) -> AudioSegment:
        canvas = silence(_ms(natural_seconds(sound)), rate)
        beat, t = 60.0 / sound.tempo, 0.0
        played: dict[tuple, AudioSegment] = {}
        for note in sound.notes:
            if note.pitches:
                key = (note.pitches, note.beats, note.gain)
                if key not in played:
                    played[key] = self._voice(sound, note.pitches, note.beats * beat, rate, note.gain)
                canvas = canvas.overlay(played[key], position=_ms(t))
            t += note.beats * beat
        return canvas

    def _noise(self, sound: Sound, rate: int) -> AudioSegment:
        return _envelope(_noise(sound.noise, sound.seed, _ms(sound.length or 0), rate), sound.envelope)

    def _silence(self, sound: Sound, rate: int) -> AudioSegment:
        return silence(_ms(sound.length or 0), rate)

    def _mix(self, sound: Sound, rate: int) -> AudioSegment:
        canvas = silence(_ms(natural_seconds(sound)), rate)
        for child in sound.children:
            canvas = canvas.overlay(self.render(child, rate), position=_ms(child.at))
        return canvas

    def _sequence(self, sound: Sound, rate: int) -> AudioSegment:
        seg = silence(0, rate)
        for child in sound.children:
            seg += self.render(child, rate)
        return seg


def _envelope(seg: AudioSegment, env: Envelope) -> AudioSegment:
    attack, decay, release = _ms(env.attack), _ms(env.decay), _ms(env.release)
    if attack:
        seg = seg.fade_in(min(attack, len(seg)))
    if env.sustain:
        start = min(attack, len(seg))
        seg = seg.fade(to_gain=env.sustain, start=start, duration=max(1, min(decay, len(seg) - start)))
    if release:
        seg = seg.fade_out(min(release, len(seg)))
    return seg


def _fit(seg: AudioSegment, ms: int) -> AudioSegment:
    return seg[:ms] if len(seg) >= ms else seg + silence(ms - len(seg), seg.frame_rate)


def _interpolate(points: tuple[tuple[float, float], ...], t: float) -> float:
    if t <= points[0][0]:
        return points[0][1]
    for (t0, g0), (t1, g1) in zip(points, points[1:]):
        if t <= t1:
            return g0 + (g1 - g0) * (t - t0) / (t1 - t0)
    return points[-1][1]


def _gain_curve(seg: AudioSegment, gain_at: Callable[[float], float]) -> AudioSegment:
    """A gain that changes over time (dB as a function of seconds), in small steps."""
    parts = [seg[i:i + GAIN_STEP_MS].apply_gain(gain_at((i + GAIN_STEP_MS / 2) / 1000))._data
             for i in range(0, len(seg), GAIN_STEP_MS)]
    return seg._spawn(data=b"".join(parts))


def _echo(seg: AudioSegment, delay: float, feedback: float, count: int) -> AudioSegment:
    out = seg + silence(_ms(delay * count), seg.frame_rate)
    for k in range(1, count + 1):
        out = out.overlay(seg.apply_gain(feedback * k), position=_ms(delay * k))
    return out


def _loop(seg: AudioSegment, loop: Loop) -> AudioSegment:
    """The loop's body; with a crossfade, the sound just after the end blends into its start, so it repeats
    without a seam."""
    start, end, fade = _ms(loop.start), _ms(loop.end), _ms(loop.crossfade)
    body = seg[start:end]
    if fade:
        tail = seg[end:end + fade]
        body = body[:fade].fade_in(fade).overlay(tail.fade_out(fade)) + body[fade:]
    return body


def render(recipe: Recipe, rate: int = RATE, channels: int = 2) -> AudioSegment:
    """The cue as 16-bit audio at `rate` with `channels`, its peak at the recipe's level.
    Raises RecipeError when the sound clips while being built or comes out silent."""
    seg = _Builder().render(recipe.sound)
    if recipe.loop:
        seg = _loop(seg, recipe.loop)
    seg = seg.set_frame_rate(rate)
    if seg.max == 0:
        raise RecipeError("the recipe renders only silence")
    seg = seg.apply_gain(recipe.level - seg.max_dBFS)
    return seg.set_sample_width(2).set_channels(channels)


def pcm(recipe: Recipe, rate: int = RATE, channels: int = 2) -> bytes:
    """Raw signed 16-bit interleaved samples: what pygame.mixer.Sound(buffer=...) takes."""
    return render(recipe, rate, channels).raw_data

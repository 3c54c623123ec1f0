"""The cue recipe language: YAML data -> a checked Recipe that game.audio renders (docs/audio.md).

Pure Python, like the rest of the story core: this module only reads and checks recipes, so the
validator can report every mistake at its file:line without loading any audio library. Positions come
from the loader's located mappings and lists; plain data falls back to the cue's own line.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .diagnostics import Diagnostic, did_you_mean
from .model import Cue, Story, Where

SOURCES = ("tone", "chord", "notes", "noise", "silence", "mix", "sequence")
WAVES = ("sine", "triangle", "square", "sawtooth", "piano")
NOISES = ("white", "brown")
PITCHED = ("tone", "chord", "notes")
ENVELOPED = ("tone", "chord", "notes", "noise")
MAX_SECONDS = 120.0  # rendered length of one cue: bounds memory (10 MB of stereo 16-bit at 44.1 kHz)
MAX_DEPTH = 8
# Integrated loudness (ITU-R BS.1770) each channel is mastered to, so no cue jumps out of its channel.
LOUDNESS = {"music": -18.0, "ambience": -26.0, "sfx": -18.0, "voice": -20.0}  # LUFS
TRUE_PEAK = -1.0  # dBTP ceiling of every rendered cue

_NOTE_NAMES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
PITCH = re.compile(r"([A-G])([#b]?)(-?\d)$")
_TOKEN = re.compile(r"(?P<pitch>r|[^:@\s]+)(?::(?P<beats>[^@\s]+))?(?:@(?P<gain>[^\s]+))?$")
_NUMBER = re.compile(r"\d+(\.\d+)?(/\d+)?$")


@dataclass(frozen=True)
class Envelope:
    attack: float = 0.005  # seconds from silence to full level
    decay: float = 0.0  # seconds from full level down to the sustain level
    sustain: float = 0.0  # dB, held until the release
    release: float = 0.02  # seconds down to silence; short defaults avoid clicks


@dataclass(frozen=True)
class Note:
    pitches: tuple[float, ...]  # Hz; empty for a rest
    beats: float
    gain: float = 0.0  # dB


@dataclass(frozen=True)
class Sound:
    kind: str  # one of SOURCES
    length: float | None = None  # seconds: the source's length, or a trim/pad for notes, mix and sequence
    pitches: tuple[float, ...] = ()  # tone, chord
    notes: tuple[Note, ...] = ()
    tempo: float = 90.0
    wave: str = "sine"
    harmonics: tuple[float, ...] = ()  # dB of partials 2, 3, ... relative to the fundamental
    detune: float = 0.0  # cents: a second voice this far above, for a chorus
    noise: str = "white"
    seed: int = 1
    envelope: Envelope = Envelope()
    children: tuple[Sound, ...] = ()
    at: float = 0.0  # start inside a mix, seconds
    gain: float = 0.0
    pan: float = 0.0
    fade_in: float = 0.0
    fade_out: float = 0.0
    low_pass: float | None = None
    high_pass: float | None = None
    slope: int = 12  # dB per octave of both filters
    tremolo: tuple[float, float] | None = None  # (rate Hz, depth dB)
    contour: tuple[tuple[float, float], ...] = ()  # (seconds, dB) points, straight lines between
    echo: tuple[float, float, int] | None = None  # (delay s, feedback dB, count)
    reverb: tuple[float, float] | None = None  # (decay time s, wet level dB)
    repeat: int = 1


@dataclass(frozen=True)
class Loop:
    start: float
    end: float
    crossfade: float


@dataclass(frozen=True)
class Recipe:
    sound: Sound
    loudness: float = LOUDNESS["sfx"]  # integrated loudness of the rendered cue, LUFS
    loop: Loop | None = None
    looping: bool = False  # the cue repeats: its loop section, or the whole sound when it has no loop points
    scatter: tuple[Sound, ...] = ()  # one-shots the mixer plays over the loop at random times
    scatter_every: tuple[float, float] = (0.0, 0.0)  # seconds between them: at least, at most

    @property
    def seconds(self) -> float:
        """Length of the rendered cue (one cycle of the loop for looping cues)."""
        return self.loop.end - self.loop.start if self.loop else seconds(self.sound)


class RecipeError(ValueError):
    """A recipe that cannot be rendered; str() lists the problems."""


def frequency(name: str) -> float | None:
    """'A4' -> 440.0, 'C#5', 'Bb3' ...; None when it is not a note name."""
    match = PITCH.match(name)
    if not match:
        return None
    letter, accidental, octave = match.groups()
    midi = 12 * (int(octave) + 1) + _NOTE_NAMES[letter] + {"#": 1, "b": -1, "": 0}[accidental]
    return 440.0 * 2 ** ((midi - 69) / 12)


# ---------------------------------------------------------------- lengths

def beat_seconds(sound: Sound) -> float:
    return 60.0 / sound.tempo


def natural_seconds(sound: Sound) -> float:
    """Length before echo and repeat."""
    if sound.kind in ("mix", "sequence", "notes") and sound.length is not None:
        return sound.length
    if sound.kind == "notes":
        beat, t, end = beat_seconds(sound), 0.0, 0.0
        for note in sound.notes:
            if note.pitches:
                end = max(end, t + note.beats * beat + sound.envelope.release)
            t += note.beats * beat
        return max(t, end)
    if sound.kind == "mix":
        return max((child.at + seconds(child) for child in sound.children), default=0.0)
    if sound.kind == "sequence":
        return sum(seconds(child) for child in sound.children)
    return sound.length or 0.0


def seconds(sound: Sound) -> float:
    """Length of a sound as rendered, in seconds (ms precision is what the renderer keeps)."""
    total = natural_seconds(sound)
    if sound.echo:
        total += sound.echo[0] * sound.echo[2]
    if sound.reverb:
        total += sound.reverb[0]
    return total * sound.repeat


# ---------------------------------------------------------------- reading

Problem = tuple[Where, str]


class _Reader:
    """Reads one recipe, collecting problems with the best position the data offers."""

    def __init__(self, fallback: Where):
        self.fallback = fallback
        self.problems: list[Problem] = []
        self.noise_count = 0
        self.notes_read: dict[str, Note | str] = {}  # a melody repeats its notes: each token is read once

    def report(self, where: Where, message: str) -> None:
        self.problems.append((where, message))

    @staticmethod
    def where_of(container: Any, key: Any, default: Where) -> Where:
        if isinstance(container, dict):
            return getattr(container, "value_at", {}).get(key, getattr(container, "where", default))
        if isinstance(container, list):
            at = getattr(container, "item_at", [])
            return at[key] if isinstance(key, int) and key < len(at) else getattr(container, "where", default)
        return default

    @staticmethod
    def key_where(container: Any, key: Any, default: Where) -> Where:
        return getattr(container, "key_at", {}).get(key, default)

    def number(self, data: dict, key: str, where: Where, low: float, high: float, unit: str = "") -> float | None:
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.report(self.where_of(data, key, where), f"'{key}' is a number{f' ({unit})' if unit else ''}, not {value!r}")
            return None
        if not low <= value <= high:
            self.report(self.where_of(data, key, where),
                        f"'{key}' is {value}; it must be between {low:g} and {high:g}{f' {unit}' if unit else ''}")
            return None
        return float(value)

    def pitch(self, value: Any, at: Where, what: str) -> float | None:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if 20 <= value <= 20000:
                return float(value)
            self.report(at, f"{what} {value} Hz is outside 20-20000 Hz")
            return None
        hz = frequency(value) if isinstance(value, str) else None
        if hz is None or not 20 <= hz <= 20000:
            self.report(at, f"{what} '{value}' is not a pitch: write a note like A4, C#5 or Bb3, or a number of Hz")
            return None
        return hz

    def table(self, data: Any, where: Where, what: str, keys: dict[str, tuple[float, float, str]],
              required: tuple[str, ...] = ()) -> dict[str, float] | None:
        """A small mapping of numbers, e.g. an envelope."""
        if not isinstance(data, dict):
            self.report(where, f"{what} is a mapping of {', '.join(keys)}")
            return None
        values: dict[str, float] = {}
        for key in data:
            if key not in keys:
                self.report(self.key_where(data, key, where),
                            f"unknown field '{key}' in {what}{did_you_mean(str(key), keys)}; known: {', '.join(keys)}")
                continue
            number = self.number(data, key, where, *keys[key])
            if number is not None:
                values[key] = number
        for key in required:
            if key not in data:
                self.report(getattr(data, "where", where), f"{what} is missing '{key}'")
        return values

    # -------------------------------------------------------- sounds

    def sound(self, data: Any, where: Where, depth: int, in_mix: bool, root: bool) -> Sound | None:
        """One sound, or None after reporting why not."""
        if not isinstance(data, dict):
            self.report(where, "a sound is a mapping with one of " + ", ".join(SOURCES)
                        + (" (to layer sounds, use 'mix: [...]')" if isinstance(data, list) else ""))
            return None
        where = getattr(data, "where", where)
        if depth > MAX_DEPTH:
            self.report(where, f"sounds are nested more than {MAX_DEPTH} deep")
            return None
        kinds = [key for key in data if key in SOURCES]
        if not kinds:
            self.report(where, "a sound needs one of " + ", ".join(SOURCES))
            return None
        if len(kinds) > 1:
            self.report(self.key_where(data, kinds[1], where),
                        f"a sound has one source, but this one has both '{kinds[0]}' and '{kinds[1]}'"
                        " (to layer them, use 'mix: [...]')")
            return None
        kind = kinds[0]
        before = len(self.problems)
        args: dict[str, Any] = {"kind": kind}
        for key in data:
            if key in SOURCES:
                continue
            if key not in _COMMON and key not in _SPECIFIC and key not in _ROOT_ONLY:
                self.report(self.key_where(data, key, where), f"unknown field '{key}' in a {kind}"
                            f"{did_you_mean(str(key), [*_COMMON, *_SPECIFIC, *_ROOT_ONLY])}")
            elif key in _ROOT_ONLY:
                if not root:
                    self.report(self.key_where(data, key, where),
                                f"'{key}' belongs at the top of the recipe, not inside a {kind}")
            elif key in _SPECIFIC and kind not in _SPECIFIC[key][0]:
                self.report(self.key_where(data, key, where),
                            f"'{key}' does not apply to {kind} (only to {', '.join(_SPECIFIC[key][0])})")
            elif key == "at" and not in_mix:
                self.report(self.key_where(data, key, where), "'at' places a layer inside a mix; here there is no mix")
            else:
                read = _SPECIFIC[key][1] if key in _SPECIFIC else _COMMON[key]
                value = read(self, data, key, where)
                if value is not None:
                    args[key] = value
        self._source(kind, data, where, depth, args)
        if kind in ("tone", "chord", "noise") and "length" not in data:
            self.report(where, f"a {kind} needs 'length' (seconds)")
        if len(self.problems) > before:
            return None
        if kind == "noise":
            self.noise_count += 1
            args.setdefault("seed", self.noise_count)  # layers of noise differ unless told otherwise
        sound = Sound(**args)
        if sound.wave == "piano" and sound.harmonics:
            self.report(self.key_where(data, "harmonics", where),
                        "'harmonics' does not apply to wave: piano (it makes its own partials)")
            return None
        env = sound.envelope
        if kind in ("tone", "chord", "noise") and env.attack + env.release > (sound.length or 0) + 1e-9:
            self.report(self.where_of(data, "envelope", where), f"attack + release ({env.attack + env.release:g} s)"
                                                                f" is longer than the sound ({sound.length:g} s)")
            return None
        return sound

    def _source(self, kind: str, data: dict, where: Where, depth: int, args: dict[str, Any]) -> None:
        """Reads the source's own value into args; problems are reported."""
        value, at = data[kind], self.where_of(data, kind, where)
        if kind == "tone":
            args["pitches"] = (self.pitch(value, at, "tone"),)
        elif kind == "chord":
            if not isinstance(value, list) or not value:
                self.report(at, "a chord is a list of pitches, e.g. [C4, E4, G4]")
                return
            args["pitches"] = tuple(self.pitch(v, self.where_of(value, i, at), "chord note")
                                    for i, v in enumerate(value))
        elif kind == "notes":
            args["notes"] = self.notes(value, at)
        elif kind == "noise":
            if value not in NOISES:
                self.report(at, f"noise is {' or '.join(NOISES)}, not {value!r}{did_you_mean(str(value), NOISES)}")
            args["noise"] = value
        elif kind == "silence":
            args["length"] = self.number(data, kind, where, 0.001, MAX_SECONDS, "seconds")
        elif not isinstance(value, list) or not value:  # mix, sequence
            self.report(at, f"'{kind}' is a list of sounds ('- tone: ...' lines)")
        else:
            args["children"] = tuple(self.sound(v, self.where_of(value, i, at), depth + 1, kind == "mix", False)
                                     for i, v in enumerate(value))

    def notes(self, value: Any, at: Where) -> tuple[Note, ...] | None:
        if not isinstance(value, str) or not value.split():
            self.report(at, "notes are a text of tokens like 'C5:1 E5:0.5 G4+C5:2 r:1'")
            return None
        found: list[Note] = []
        before = len(self.problems)
        for index, token in enumerate(value.split(), 1):
            if token == "|":  # a bar line, for the reader's eye
                continue
            note = self.note(token, index, at)
            if note is not None:
                found.append(note)
        if len(self.problems) > before:
            return None
        if not any(n.pitches for n in found):
            self.report(at, "notes has no note to play, only rests")
            return None
        return tuple(found)

    def note(self, token: str, index: int, at: Where) -> Note | None:
        found = self.notes_read.get(token)
        if found is None:
            found = self.notes_read[token] = _note(token)
        if isinstance(found, str):
            self.report(at, f"note {index} '{token}'{found}")
            return None
        return found


def _note(token: str) -> Note | str:
    """A token of a 'notes' text, or what is wrong with it."""
    match = _TOKEN.match(token)
    if not match:
        return " is not PITCH[:BEATS][@DB], e.g. 'E5:0.5@-6' or 'r:1'"
    pitches: list[float] = []
    if match["pitch"] != "r":
        for name in match["pitch"].split("+"):
            hz = frequency(name)
            if hz is None or not 20 <= hz <= 20000:
                return f": '{name}' is not a pitch (write A4, C#5, Bb3; r rests)"
            pitches.append(hz)
    beats_text = match["beats"] or "1"
    beats = 0.0
    if _NUMBER.match(beats_text):
        top, _, bottom = beats_text.partition("/")
        beats = float(top) / float(bottom or 1) if float(bottom or 1) else 0.0
    if not 0 < beats <= 64:
        return f": beats '{beats_text}' is not a number of beats like 1, 0.5 or 1/3 (at most 64)"
    gain = 0.0
    if match["gain"] is not None:
        try:
            gain = float(match["gain"])
        except ValueError:
            gain = math.nan
        if not -60 <= gain <= 12:
            return f": '@{match['gain']}' is not a gain in dB from -60 to 12"
    return Note(tuple(pitches), beats, gain)


def _number(low: float, high: float, unit: str = "") -> Callable[[_Reader, dict, str, Where], float | None]:
    return lambda r, data, key, where: r.number(data, key, where, low, high, unit)


def _read_wave(r: _Reader, data: dict, key: str, where: Where) -> str | None:
    value = data[key]
    if value not in WAVES:
        r.report(r.where_of(data, key, where), f"wave is one of {', '.join(WAVES)}, not {value!r}"
                                                f"{did_you_mean(str(value), WAVES)}")
        return None
    return value


def _read_harmonics(r: _Reader, data: dict, key: str, where: Where) -> tuple[float, ...] | None:
    value, at = data[key], r.where_of(data, key, where)
    if not isinstance(value, list) or not 1 <= len(value) <= 16 or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and -90 <= v <= 0 for v in value):
        r.report(at, "harmonics is a list of 1 to 16 levels in dB (-90 to 0) for partials 2, 3, ...")
        return None
    return tuple(float(v) for v in value)


def _read_envelope(r: _Reader, data: dict, key: str, where: Where) -> Envelope | None:
    values = r.table(data[key], r.where_of(data, key, where), "an envelope",
                     {"attack": (0.0, 30.0, "seconds"), "decay": (0.0, 60.0, "seconds"),
                      "sustain": (-90.0, 0.0, "dB"), "release": (0.0, 30.0, "seconds")})
    return None if values is None else Envelope(**values)


def _read_tremolo(r: _Reader, data: dict, key: str, where: Where) -> tuple[float, float] | None:
    values = r.table(data[key], r.where_of(data, key, where), "a tremolo",
                     {"rate": (0.01, 40.0, "Hz"), "depth": (0.0, 60.0, "dB")}, ("rate", "depth"))
    return (values["rate"], values["depth"]) if values and len(values) == 2 else None


def _read_echo(r: _Reader, data: dict, key: str, where: Where) -> tuple[float, float, int] | None:
    values = r.table(data[key], r.where_of(data, key, where), "an echo",
                     {"delay": (0.01, 5.0, "seconds"), "feedback": (-60.0, -0.5, "dB"), "count": (1, 16, "")},
                     ("delay", "feedback", "count"))
    if not values or len(values) < 3:
        return None
    if values["count"] != int(values["count"]):
        r.report(r.where_of(data, key, where), "echo 'count' is a whole number")
        return None
    return values["delay"], values["feedback"], int(values["count"])


def _read_reverb(r: _Reader, data: dict, key: str, where: Where) -> tuple[float, float] | None:
    values = r.table(data[key], r.where_of(data, key, where), "a reverb",
                     {"time": (0.1, 10.0, "seconds"), "mix": (-60.0, 0.0, "dB")}, ("time", "mix"))
    return (values["time"], values["mix"]) if values and len(values) == 2 else None


def _read_contour(r: _Reader, data: dict, key: str, where: Where) -> tuple[tuple[float, float], ...] | None:
    value, at = data[key], r.where_of(data, key, where)
    points: list[tuple[float, float]] = []
    if isinstance(value, list) and len(value) >= 2:
        for i, point in enumerate(value):
            ok = isinstance(point, list) and len(point) == 2 and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in point)
            if not ok or not 0 <= point[0] <= MAX_SECONDS or not -90 <= point[1] <= 12:
                r.report(r.where_of(value, i, at), f"contour point {i + 1} is not [seconds, dB] "
                                                   "with dB between -90 and 12")
                return None
            if points and point[0] <= points[-1][0]:
                r.report(r.where_of(value, i, at), f"contour point {i + 1} is not later than the one before")
                return None
            points.append((float(point[0]), float(point[1])))
        return tuple(points)
    r.report(at, "contour is a list of at least two [seconds, dB] points, e.g. [[0, -30], [4, 0]]")
    return None


def _read_repeat(r: _Reader, data: dict, key: str, where: Where) -> int | None:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 64:
        r.report(r.where_of(data, key, where), f"'repeat' is a whole number from 1 to 64, not {value!r}")
        return None
    return value


def _read_slope(r: _Reader, data: dict, key: str, where: Where) -> int | None:
    value = data[key]
    if value not in (6, 12, 18, 24) or isinstance(value, bool):
        r.report(r.where_of(data, key, where), f"'slope' is 6, 12, 18 or 24 (dB per octave), not {value!r}")
        return None
    return value


def _read_seed(r: _Reader, data: dict, key: str, where: Where) -> int | None:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2 ** 31:
        r.report(r.where_of(data, key, where), f"'seed' is a whole number, not {value!r}")
        return None
    return value


_Read = Callable[[_Reader, dict, str, Where], Any]
_COMMON: dict[str, _Read] = {
    "length": _number(0.001, MAX_SECONDS, "seconds"),
    "at": _number(0.0, MAX_SECONDS, "seconds"),
    "gain": _number(-60.0, 24.0, "dB"),
    "pan": _number(-1.0, 1.0),
    "fade_in": _number(0.0, MAX_SECONDS, "seconds"),
    "fade_out": _number(0.0, MAX_SECONDS, "seconds"),
    "low_pass": _number(20.0, 20000.0, "Hz"),
    "high_pass": _number(20.0, 20000.0, "Hz"),
    "slope": _read_slope,
    "tremolo": _read_tremolo,
    "contour": _read_contour,
    "echo": _read_echo,
    "reverb": _read_reverb,
    "repeat": _read_repeat,
}
# field -> (sources it applies to, reader)
_SPECIFIC: dict[str, tuple[tuple[str, ...], _Read]] = {
    "wave": (PITCHED, _read_wave),
    "harmonics": (PITCHED, _read_harmonics),
    "detune": (PITCHED, _number(-100.0, 100.0, "cents")),
    "envelope": (ENVELOPED, _read_envelope),
    "tempo": (("notes",), _number(20.0, 400.0, "beats per minute")),
    "seed": (("noise",), _read_seed),
}
_ROOT_ONLY = ("loudness", "level", "loop", "scatter")  # read by parse_recipe
MAX_SCATTER = 16


def parse_recipe(data: Any, where: Where, looping: bool = True,
                 channel: str = "sfx") -> tuple[Recipe | None, list[Problem]]:
    """A recipe and no problems, or None and the problems that prevent rendering it. The cue's channel gives
    the loudness it is mastered to, unless the recipe says otherwise."""
    r = _Reader(where)
    if not isinstance(data, dict):
        r.report(where, "a recipe is a mapping: one sound (tone, chord, notes, noise, mix, sequence ...)"
                        " plus optional loudness and loop")
        return None, r.problems
    where = getattr(data, "where", where)
    sound = r.sound(data, where, 0, False, True)
    loudness, loop = LOUDNESS.get(channel, LOUDNESS["sfx"]), None
    if "loudness" in data:
        loudness = r.number(data, "loudness", where, -40.0, -10.0, "LUFS") or loudness
    if "level" in data:  # the peak level of the first recipe language: refuse it rather than guess
        r.report(r.key_where(data, "level", where),
                 f"'level' (a peak in dBFS) is gone: cues are mastered to their channel's loudness "
                 f"({', '.join(f'{c} {v:g}' for c, v in LOUDNESS.items())} LUFS); delete it, or use "
                 "'loudness: LUFS' for a cue that must stand out")
    if sound is not None and not r.problems:
        total = seconds(sound)
        if total > MAX_SECONDS:
            r.report(where, f"the sound lasts {total:.1f} s; a cue may last at most {MAX_SECONDS:g} s")
        elif total < 0.01:
            r.report(where, f"the sound lasts {total * 1000:.1f} ms; a cue lasts at least 10 ms")
    if "loop" in data:
        at = r.where_of(data, "loop", where)
        if not looping:
            r.report(r.key_where(data, "loop", at), "loop points need 'loop: true' on the cue")
        values = r.table(data["loop"], at, "the loop", {"start": (0.0, MAX_SECONDS, "seconds"),
                                                         "end": (0.0, MAX_SECONDS, "seconds"),
                                                         "crossfade": (0.0, 30.0, "seconds")})
        if values is not None and sound is not None and not r.problems:
            total = seconds(sound)
            crossfade = values.get("crossfade", 0.0)
            start, end = values.get("start", 0.0), values.get("end", total - crossfade)
            if end - start < 0.05:
                r.report(at, f"the loop runs from {start:g} s to {end:g} s: its end must come after its start")
            elif end + crossfade > total + 0.0005:
                r.report(at, f"loop end + crossfade ({end + crossfade:g} s) is past the end of the sound "
                             f"({total:g} s)")
            elif crossfade > end - start:
                r.report(at, f"the crossfade ({crossfade:g} s) is longer than the loop ({end - start:g} s)")
            else:
                loop = Loop(start, end, crossfade)
    scatter, every = _scatter(r, data, where, looping)
    if sound is None or r.problems:
        return None, r.problems
    return Recipe(sound, loudness, loop, looping, scatter, every), []


def _scatter(r: _Reader, data: dict, where: Where, looping: bool) -> tuple[tuple[Sound, ...], tuple[float, float]]:
    """`scatter: {every: [min, max], sounds: [...]}`: one-shots over a looping bed, at random times."""
    if "scatter" not in data:
        return (), (0.0, 0.0)
    value, at = data["scatter"], r.where_of(data, "scatter", where)
    if not looping:
        r.report(r.key_where(data, "scatter", at), "scatter plays one-shots over a loop: it needs 'loop: true' on the cue")
        return (), (0.0, 0.0)
    if not isinstance(value, dict) or set(value) != {"every", "sounds"}:
        r.report(at, "scatter is {every: [least, most seconds between them], sounds: [a sound, ...]}")
        return (), (0.0, 0.0)
    every, every_at = value["every"], r.where_of(value, "every", at)
    if not (isinstance(every, list) and len(every) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and 0.5 <= v <= 600 for v in every)
            and every[0] <= every[1]):
        r.report(every_at, "scatter 'every' is [least, most] seconds between one-shots, from 0.5 to 600, e.g. [6, 20]")
        every = [0.0, 0.0]
    sounds, sounds_at = value["sounds"], r.where_of(value, "sounds", at)
    if not isinstance(sounds, list) or not 1 <= len(sounds) <= MAX_SCATTER:
        r.report(sounds_at, f"scatter 'sounds' is a list of 1 to {MAX_SCATTER} sounds ('- tone: ...' lines)")
        return (), (0.0, 0.0)
    found = tuple(r.sound(v, r.where_of(sounds, i, sounds_at), 1, False, False) for i, v in enumerate(sounds))
    for i, sound in enumerate(found):
        if sound is not None and seconds(sound) > 30:
            r.report(r.where_of(sounds, i, sounds_at), f"a scattered one-shot lasts {seconds(sound):.1f} s; at most 30")
    return tuple(s for s in found if s is not None), (float(every[0]), float(every[1]))


def recipe_of(cue: Cue) -> Recipe:
    """The cue's recipe, or RecipeError saying why it cannot be rendered."""
    if cue.recipe is None:
        raise RecipeError(f"cue '{cue.name}' has no recipe")
    recipe, problems = parse_recipe(cue.recipe, cue.where, cue.loop, cue.channel)
    if recipe is None:
        raise RecipeError("; ".join(f"{where}: {message}" for where, message in problems))
    return recipe


def check_recipes(story: Story) -> list[Diagnostic]:
    """E026 for every problem in a cue's recipe, at its line. A cue without a recipe is silent (captions only)."""
    found = []
    for cue in story.cues.values():
        if cue.recipe is None:
            continue
        _, problems = parse_recipe(cue.recipe, cue.where, cue.loop, cue.channel)
        found += [Diagnostic("E026", where.file, where.line, where.col, f"cue '{cue.name}': {message}",
                             "see docs/audio.md for the recipe language") for where, message in problems]
    return found

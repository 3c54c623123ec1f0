"""Every cue of the shipped catalogue, measured as a listener would hear it: loudness per channel and true peak
(with pyloudnorm, the reference BS.1770 meter), loop seams, DC and infrasound, small speakers, stereo width,
aliasing, and a piano that rings like one. The catalogue is synthesized once per run (conftest.py)."""
from __future__ import annotations

import math

import numpy as np
import pyloudnorm
import pytest
from scipy import signal

from game.story.model import Where
from game.story.recipe import LOUDNESS, TRUE_PEAK, parse_recipe, recipe_of

from .conftest import RATE, shipped_story

pytestmark = pytest.mark.slow  # the first test to ask synthesizes the whole catalogue (a few seconds)

SHIPPED = shipped_story()
NAMES = sorted(SHIPPED.cues)
LOOPS = sorted(name for name, cue in SHIPPED.cues.items() if cue.loop)
METER = pyloudnorm.Meter(RATE)


def loudness(x: np.ndarray) -> float:
    """Integrated loudness by pyloudnorm; a cue shorter than one 400 ms block is measured followed by silence."""
    if x.shape[-1] < RATE // 2:
        x = np.pad(x, ((0, 0), (0, RATE // 2 - x.shape[-1])))
    return METER.integrated_loudness(x.T)


def spectrum_db(part: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    windowed = part * signal.windows.blackmanharris(len(part))
    power = np.abs(np.fft.rfft(windowed)) ** 2
    return np.fft.rfftfreq(len(part), 1 / RATE), 10 * np.log10(power / power.max() + 1e-30)


# ---------------------------------------------------------------- length, loudness, peaks

def test_cues_come_out_as_the_mixer_plays_them():
    from game.audio.synth import render
    seg = render(recipe_of(SHIPPED.cues["os_boot"]))
    assert (seg.frame_rate, seg.channels, seg.sample_width) == (44100, 2, 2)
    assert render(recipe_of(SHIPPED.cues["os_boot"]), 22050, 1).frame_rate == 22050  # a device that wants less


@pytest.mark.parametrize("name", NAMES)
def test_cue_renders_audible_sound_of_its_length(name, shipped_renders):
    cue = shipped_renders[name]
    seconds = cue.x.shape[-1] / RATE
    assert abs(seconds - cue.recipe.seconds) < 0.02, f"{name}: {seconds:.3f} s, expected {cue.recipe.seconds:.3f}"
    assert 0.01 < cue.recipe.seconds <= 60
    assert np.count_nonzero(np.abs(cue.x) >= 32767 / 32768) == 0, f"{name} clips"


def test_each_channel_is_mastered_to_its_loudness(shipped_renders):
    """Every cue within 1 LU of its channel's target, so nothing jumps out of its channel (the catalogue
    spread 26 dB when cues were scaled to a peak)."""
    found = {name: loudness(cue.x) for name, cue in shipped_renders.items()}
    off = {name: round(value, 2) for name, value in found.items()
           if abs(value - LOUDNESS[SHIPPED.cues[name].channel]) > 1.0}
    assert off == {}, f"LUFS off their channel's target {LOUDNESS}: {off}"


def test_the_synthesizer_measures_as_the_reference_meters_do(shipped_renders):
    from game.audio.levels import integrated, true_peak
    for name in ("rain", "piano_piece", "outage_error", "heartbeat", "owl"):
        x = shipped_renders[name].x
        assert integrated(x, RATE) == pytest.approx(loudness(x), abs=0.05), name
        assert true_peak(x) == pytest.approx(_true_peak(x), abs=0.05), name


def _true_peak(x: np.ndarray) -> float:
    """dBTP by 4x polyphase oversampling (scipy), around every sample within 7 dB of the ceiling (a peak between
    samples rises at most a few dB above its neighbours)."""
    near = np.flatnonzero(np.max(np.abs(x), axis=0) > 10 ** ((TRUE_PEAK - 7) / 20))
    peak = float(np.max(np.abs(x)))
    for start in np.unique(near // 4096):
        part = x[:, max(0, start * 4096 - 128):start * 4096 + 4096 + 128]
        peak = max(peak, float(np.max(np.abs(signal.resample_poly(part, 4, 1, axis=1)))))
    return 20 * math.log10(peak)


def test_no_cue_peaks_above_the_true_peak_ceiling(shipped_renders):
    """Peaks between samples too (4x oversampled, as BS.1770 measures true peak)."""
    peaks = {name: _true_peak(cue.x) for name, cue in shipped_renders.items()}
    assert {name: round(p, 2) for name, p in peaks.items() if p > TRUE_PEAK} == {}


def test_scattered_one_shots_stand_out_from_their_bed_but_stay_under_the_ceiling(shipped_renders):
    beds = [cue for cue in shipped_renders.values() if cue.shots]
    assert beds, "no bed scatters one-shots"
    for cue in beds:
        bed = loudness(cue.x)
        for shot in cue.shots:
            assert _true_peak(shot) <= TRUE_PEAK
            assert bed - 20 < loudness(shot) < bed + 6, cue.cue.name  # heard, a long way off


# ---------------------------------------------------------------- low end

@pytest.mark.parametrize("name", NAMES)
def test_no_dc_and_no_infrasound(name, shipped_renders):
    x = shipped_renders[name].x
    assert np.max(np.abs(x.mean(axis=1))) < 1e-3, f"{name} has a DC offset"
    power = np.abs(np.fft.rfft(x, axis=1)) ** 2
    freqs = np.fft.rfftfreq(x.shape[-1], 1 / RATE)
    below = power[:, freqs < 30].sum() / power.sum()
    assert below < 0.02, f"{name}: {below:.1%} of its energy is below 30 Hz (a speaker cannot play it)"


def _through_small_speakers(x: np.ndarray) -> np.ndarray:
    return signal.sosfilt(signal.butter(4, 180, "highpass", fs=RATE, output="sos"), x, axis=1)


def test_heartbeat_is_heard_on_laptop_speakers(shipped_renders):
    """Its caption says loud: a 100-300 Hz thump and a click carry it through a 180 Hz high-pass."""
    x = shipped_renders["heartbeat"].x
    assert loudness(_through_small_speakers(x)) > loudness(x) - 6


@pytest.mark.parametrize("name", [n for n in NAMES if SHIPPED.cues[n].channel == "ambience"])
def test_beds_are_heard_on_laptop_speakers_and_are_wide(name, shipped_renders):
    x = shipped_renders[name].x
    assert loudness(_through_small_speakers(x)) > loudness(x) - 10, name
    correlation = np.corrcoef(x)[0, 1]
    assert correlation < 0.6, f"{name}: left and right correlate {correlation:.2f} (a mono bed)"


# ---------------------------------------------------------------- loops

def _short_term(x: np.ndarray, centre: int) -> float:
    half = int(1.5 * RATE)
    return METER.integrated_loudness(x[:, centre - half:centre + half].T)


@pytest.mark.parametrize("name", LOOPS)
def test_loop_seam_is_as_loud_as_the_loop(name, shipped_renders):
    """Played three times in a row, the short-term loudness (3 s) across the seam is within 1.5 dB of the
    loop's median short-term loudness: no breath, no bump every cycle."""
    x = shipped_renders[name].x
    n = x.shape[-1]
    three = np.concatenate([x, x, x], axis=1)
    step = RATE // 2
    median = float(np.median([_short_term(three, centre) for centre in range(n, 2 * n, step)]))
    seam = _short_term(three, n)
    assert abs(seam - median) <= 1.5, f"{name}: the seam is {seam - median:+.1f} dB from the loop's median"


@pytest.mark.parametrize("name", LOOPS)
def test_loop_joins_without_a_click(name, shipped_renders):
    """The last sample of a loop leads into the first as smoothly as any two neighbours inside it."""
    for channel in shipped_renders[name].x:
        steps = np.sort(np.abs(np.diff(channel)))
        assert abs(channel[0] - channel[-1]) <= steps[int(len(steps) * 0.999)], name


# ---------------------------------------------------------------- aliasing

W = Where("cues.yaml", 1, 1)


def _render(data: dict) -> np.ndarray:
    from game.audio.levels import from_pcm
    from game.audio.synth import pcm
    recipe, problems = parse_recipe(data, W, looping=False)
    assert problems == []
    return from_pcm(pcm(recipe), 2)[0]


def _worst_inharmonic(part: np.ndarray, f0: float, width: float = 25.0) -> float:
    """dB (relative to the strongest partial) of the loudest component that is not a harmonic of f0."""
    freqs, db = spectrum_db(part)
    nearest = np.abs(freqs - np.round(freqs / f0) * f0)
    return float(db[(nearest > width) & (freqs > width)].max())


@pytest.mark.parametrize("wave", ["square", "sawtooth", "triangle"])
@pytest.mark.parametrize("pitch", ["A2", "E6", "C8"])
def test_oscillators_do_not_alias(wave, pitch):
    from game.story.recipe import frequency
    x = _render({"tone": pitch, "length": 1.0, "wave": wave})
    assert _worst_inharmonic(x[RATE // 4:3 * RATE // 4], frequency(pitch)) < -60


def test_tremolo_adds_no_tones():
    """A tremolo only swings the level: nothing appears beside the tone but its slow sidebands."""
    x = _render({"tone": 1000, "length": 2, "tremolo": {"rate": 3, "depth": 6}})
    freqs, db = spectrum_db(x[RATE // 2:3 * RATE // 2])
    assert db[(np.abs(freqs - 1000) > 60) & (freqs > 30)].max() < -60


def test_effects_are_free_of_aliasing(shipped_renders):
    """outage_error's square wave once had products at 60, 600 and 720 Hz (-36 dB); video_game's an undertone."""
    error = shipped_renders["outage_error"].x[0]
    assert _worst_inharmonic(error[int(0.03 * RATE):int(0.26 * RATE)], 330.0) < -60
    bleeps = shipped_renders["video_game"].x[0]  # its last note, C7, once the decay has settled
    assert _worst_inharmonic(bleeps[int(0.88 * RATE):int(1.12 * RATE)], 2093.0) < -60


@pytest.mark.parametrize("name, above", [("os_boot", 9000), ("piano_piece", 12000)])
def test_nothing_sounds_above_the_highest_partial(name, above, shipped_renders):
    """os_boot's partials end at 4 kHz and the piano's at 10 kHz: faint tones at 9-22 kHz were aliases."""
    freqs, db = spectrum_db(shipped_renders[name].x[0])
    assert db[freqs > above].max() < -60


# ---------------------------------------------------------------- the piano

def _partial_level(x: np.ndarray, at: float, hz: float, span: float = 0.2) -> tuple[float, float]:
    """(frequency, dB) of the strongest component within 3 % of hz, in a window of `span` s starting at `at`."""
    part = x[int(at * RATE):int((at + span) * RATE)]
    windowed = part * signal.windows.blackmanharris(len(part))
    size = 1 << 20  # zero-padded: fine frequency steps
    power = np.abs(np.fft.rfft(windowed, size)) ** 2
    freqs = np.fft.rfftfreq(size, 1 / RATE)
    near = (freqs > hz * 0.97) & (freqs < hz * 1.03)
    best = np.argmax(np.where(near, power, 0))
    return float(freqs[best]), 10 * math.log10(power[best] + 1e-30)


def test_a_piano_note_rings_like_a_piano():
    c4 = 261.63
    x = _render({"notes": "C4:7", "tempo": 60, "wave": "piano", "envelope": {"attack": 0.002, "release": 0.3}})
    # many partials, slightly stretched (a stiff string), not a fixed set of exact harmonics
    partials = [_partial_level(x, 0.05, k * c4) for k in range(1, 13)]
    loudest = max(level for _, level in partials)
    assert sum(level > loudest - 45 for _, level in partials) >= 10
    assert partials[9][0] / (10 * partials[0][0]) > 1.001
    # each partial dies away exponentially (straight in dB, no held floor), the higher ones faster
    fundamental = [_partial_level(x, t, c4)[1] for t in (0.5, 2.0, 3.5, 5.0)]
    sixth = [_partial_level(x, t, 6 * c4)[1] for t in (0.5, 2.0)]
    assert fundamental[0] > fundamental[1] > fundamental[2] > fundamental[3]
    assert fundamental[2] - fundamental[3] > 3  # still falling late in the note, not held
    assert (sixth[0] - sixth[1]) > 1.5 * (fundamental[0] - fundamental[1]) > 0
    # the hammer and the bright top partials: a knock at the start that is gone a moment later
    def air(start: float) -> float:
        part = x[int(start * RATE):int((start + 0.02) * RATE)] * np.hanning(int(0.02 * RATE))
        freqs, power = np.fft.rfftfreq(len(part), 1 / RATE), np.abs(np.fft.rfft(part)) ** 2
        return power[(freqs > 3000) & (freqs < 8000)].sum() / power.sum()
    assert air(0.0) > 10 * air(0.5)


def test_piano_piece_is_a_melody_in_several_voices_on_a_piano_in_a_room():
    recipe = recipe_of(SHIPPED.cues["piano_piece"]).sound
    voices = [layer for layer in recipe.children if layer.kind == "notes"]
    assert len(voices) >= 3 and all(voice.wave == "piano" for voice in voices)
    melody = voices[0].notes
    assert len({n.pitches for n in melody if n.pitches}) >= 6 and len(melody) >= 24
    assert recipe.reverb is not None


def test_reverb_leaves_a_wide_tail(shipped_renders):
    """After the piano piece's last chord is released, the room still sounds, differently in each ear."""
    cue = shipped_renders["piano_piece"]
    room = cue.recipe.sound.reverb[0]  # the room's tail follows the last release
    tail = cue.x[:, -int(room * RATE):-int((room - 0.4) * RATE)]
    assert 20 * math.log10(np.sqrt(np.mean(tail ** 2))) > -65  # well above the 16-bit floor (-96)
    assert np.corrcoef(tail)[0, 1] < 0.9

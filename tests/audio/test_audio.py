"""Audio cues: every shipped recipe renders real sound; the mixer plays it, crossfades, ducks and recovers; a
failing mixer plays silently; the second start comes from the cache; the 'audio' command."""
from __future__ import annotations

import logging
import math
import os
import subprocess
import sys
import time
import wave

import pytest

from game.cli import main
from game.story.loader import load_story
from game.story.model import Where
from game.story.recipe import parse_recipe, recipe_of
from tests.paths import FIXTURES, ROOT, STORY

AUDIO_FIXTURE = os.path.join(FIXTURES, "audio")


def _story(path):
    story, diagnostics = load_story(path)
    assert story is not None, [d.format() for d in diagnostics]
    return story


SHIPPED = _story(STORY)


@pytest.fixture
def fixture_story():
    return _story(AUDIO_FIXTURE)


# ---------------------------------------------------------------- the shipped catalogue

def test_every_shipped_cue_has_a_valid_recipe():
    from game.story.recipe import check_recipes
    assert [d.format() for d in check_recipes(SHIPPED)] == []
    assert [name for name, cue in SHIPPED.cues.items() if cue.recipe is None] == []


# ---------------------------------------------------------------- the recipe language

W = Where("cues.yaml", 7, 3)


def problems(data, looping=True):
    return [message for _, message in parse_recipe(data, W, looping)[1]]


def test_recipe_mistakes_are_named_plainly():
    assert problems({"tone": "A4", "length": 1, "wav": "sine"}) == ["unknown field 'wav' in a tone (did you mean 'wave'?)"]
    assert "'H5' is not a pitch" in problems({"notes": "C5 H5:2", "tempo": 90})[0]
    assert "'x' is not a number of beats" in problems({"notes": "C5:x"})[0]
    assert problems({"tone": 440}) == ["a tone needs 'length' (seconds)"]
    assert "both 'tone' and 'noise'" in problems({"tone": 440, "noise": "white", "length": 1})[0]
    assert "'wave' does not apply to noise" in problems({"noise": "white", "length": 1, "wave": "sine"})[0]
    assert "past the end of the sound" in problems({"noise": "white", "length": 4,
                                                    "loop": {"start": 0, "end": 3.5, "crossfade": 1}})[0]
    assert problems({"tone": 440, "length": 1, "loop": {"end": 0.5}}, looping=False) == [
        "loop points need 'loop: true' on the cue"]
    assert "'at' places a layer inside a mix" in problems({"sequence": [{"tone": 440, "length": 1, "at": 1}]})[0]
    assert "at most 120 s" in problems({"tone": 440, "length": 100, "repeat": 2})[0]
    assert "'level' (a peak in dBFS) is gone" in problems({"tone": 440, "length": 1, "level": -6})[0]
    shot = {"tone": 880, "length": 0.1}
    assert problems({"tone": 440, "length": 1, "scatter": {"every": [1, 2], "sounds": [shot]}}, looping=False) == [
        "scatter plays one-shots over a loop: it needs 'loop: true' on the cue"]
    assert "'every' is [least, most]" in problems({"tone": 440, "length": 1,
                                                   "scatter": {"every": [5, 2], "sounds": [shot]}})[0]
    assert "unknown field 'lenght'" in problems({"tone": 440, "length": 1, "scatter": {
        "every": [1, 2], "sounds": [{"tone": 880, "lenght": 0.1}]}})[0]
    assert problems({"tone": 440, "length": 1, "wave": "piano", "harmonics": [-6]}) == [
        "'harmonics' does not apply to wave: piano (it makes its own partials)"]
    assert "'time' is 20; it must be between 0.1 and 10" in problems(
        {"tone": 440, "length": 1, "reverb": {"time": 20, "mix": -10}})[0]


def test_each_channel_has_its_loudness_unless_the_recipe_says_otherwise():
    from game.story.recipe import LOUDNESS
    assert parse_recipe({"tone": 440, "length": 1}, W, channel="ambience")[0].loudness == LOUDNESS["ambience"]
    assert parse_recipe({"tone": 440, "length": 1, "loudness": -22}, W, channel="music")[0].loudness == -22


def test_recipe_lengths_follow_the_documented_rules():
    def seconds(data):
        recipe, found = parse_recipe(data, W)
        assert found == []
        return recipe.seconds
    assert seconds({"notes": "C5:1 D5:0.5 r:1/2", "tempo": 120}) == pytest.approx(1.0)
    assert seconds({"notes": "C5:1", "tempo": 60, "envelope": {"release": 0.5}}) == pytest.approx(1.5)
    assert seconds({"mix": [{"tone": 440, "length": 1, "at": 2}, {"noise": "white", "length": 1.5}]}) == 3
    assert seconds({"sequence": [{"tone": 440, "length": 1}, {"silence": 0.5}], "repeat": 3}) == 4.5
    assert seconds({"tone": 440, "length": 1, "echo": {"delay": 0.25, "feedback": -6, "count": 2}}) == 1.5
    assert seconds({"noise": "white", "length": 5, "loop": {"start": 1, "end": 4, "crossfade": 1}}) == 3
    assert seconds({"tone": 440, "length": 1, "reverb": {"time": 1.5, "mix": -12}}) == 2.5


def test_a_quiet_recipe_is_mastered_like_any_other_and_silence_is_refused():
    from game.audio.levels import levels
    from game.audio.synth import pcm
    from game.story.recipe import RecipeError
    quiet, _ = parse_recipe({"mix": [{"tone": 440, "length": 1, "gain": -60}, {"noise": "white", "length": 1,
                                                                                "gain": -60}]}, W, looping=False)
    assert levels(pcm(quiet), 44100, 2).loudness == pytest.approx(-18.0, abs=0.1)  # sfx, the default channel
    silent, _ = parse_recipe({"silence": 1}, W, looping=False)
    with pytest.raises(RecipeError, match="renders only silence"):
        pcm(silent)


def test_recipe_errors_point_at_their_line(tmp_path):
    from game.story.validate import load_and_validate
    story = tmp_path / "s"
    story.mkdir()
    for name in ("story.yaml", "chapter.yaml"):
        (story / name).write_text(open(os.path.join(AUDIO_FIXTURE, name)).read())
    text = open(os.path.join(AUDIO_FIXTURE, "cues.yaml")).read().replace("tempo: 200", "tempo: 2000")
    (story / "cues.yaml").write_text(text)
    line = text.splitlines().index("      tempo: 2000") + 1
    result = load_and_validate(str(story))
    [diag] = [d for d in result.diagnostics if d.code == "E026"]
    assert (diag.line, diag.col) == (line, 14) and "'tempo' is 2000" in diag.message


# ---------------------------------------------------------------- the cache

def test_second_start_comes_from_the_cache(fixture_story, monkeypatch):
    from game.audio import synth
    from game.audio.bank import SoundBank
    first = SoundBank(fixture_story, 44100, 2)
    rendered = {name: first.parts(name) for name in fixture_story.cues}
    assert first.stats.synthesized == len(fixture_story.cues) and first.stats.from_cache == 0

    monkeypatch.setattr(synth, "pcm_parts", lambda *a: pytest.fail("synthesized again"))
    second = SoundBank(fixture_story, 44100, 2)
    assert {name: second.parts(name) for name in fixture_story.cues} == rendered  # the hum's one-shots too
    assert second.stats.from_cache == len(fixture_story.cues) and second.stats.synthesized == 0


def test_cache_follows_the_recipe_not_the_name(fixture_story, tmp_path):
    from dataclasses import replace

    from game.audio.bank import SoundBank
    from game.audio.cache import DiskCache
    cache = DiskCache(str(tmp_path / "c"))
    SoundBank(fixture_story, 44100, 2, cache).get("chime")
    changed = dict(fixture_story.cues)
    changed["chime"] = replace(changed["chime"], recipe={**changed["chime"].recipe, "loudness": -24})
    bank = SoundBank(replace(fixture_story, cues=changed), 44100, 2, cache)
    bank.get("chime")
    assert bank.stats.synthesized == 1
    # a damaged file is rendered again, not trusted
    for name in os.listdir(cache.folder):
        with open(os.path.join(cache.folder, name), "r+b") as handle:
            handle.truncate(100)
    bank = SoundBank(fixture_story, 44100, 2, cache)
    assert len(bank.get("chime")) > 1000 and bank.stats.synthesized == 1


def _finish_in_background(bank, seconds=60.0):
    bank.start()
    deadline = time.monotonic() + seconds
    while bank.busy() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not bank.busy(), "background synthesis did not finish"
    done = bank.take()
    bank.close()
    return done


def test_the_game_synthesizes_in_another_process_and_gets_the_same_sound(fixture_story, tmp_path, monkeypatch):
    from game.audio import synth
    from game.audio.bank import SoundBank
    from game.audio.cache import DiskCache
    here = {name: SoundBank(fixture_story, 44100, 2, DiskCache(str(tmp_path / "here"))).parts(name)
            for name in fixture_story.cues}
    calls = []
    monkeypatch.setattr(synth, "pcm_parts", lambda *a: calls.append(a) or [])  # the window's process must not synthesize
    bank = SoundBank(fixture_story, 44100, 2, DiskCache(str(tmp_path / "there")))
    assert _finish_in_background(bank) == here
    assert not calls and bank.stats.synthesized == len(here)
    # and the next start reads them from the cache: a file a part
    assert len(os.listdir(tmp_path / "there")) == sum(len(parts) for parts in here.values())


def test_without_a_synthesis_process_the_game_synthesizes_in_its_thread(fixture_story, tmp_path, monkeypatch, caplog):
    from game.audio import bank as bank_module
    from game.audio.cache import DiskCache

    def no_processes():
        raise OSError("no processes in this sandbox")
    monkeypatch.setattr(bank_module, "Renderer", no_processes)
    bank = bank_module.SoundBank(fixture_story, 44100, 2, DiskCache(str(tmp_path / "c")))
    with caplog.at_level(logging.INFO, logger="her.audio"):
        done = _finish_in_background(bank)
    assert set(done) == set(fixture_story.cues) and all(len(parts[0]) > 1000 for parts in done.values())
    assert [r.getMessage() for r in caplog.records if "process" in r.getMessage()] == \
        ["audio: cannot start a synthesis process (no processes in this sandbox); synthesizing in the game"]


def test_quitting_while_synthesis_is_under_way_is_quiet(tmp_path):
    script = (
        "import sys, time\n"
        "from game.audio.bank import SoundBank\n"
        "from game.audio.cache import DiskCache\n"
        "from game.story.loader import load_story\n"
        f"story, _ = load_story({STORY!r})\n"
        f"SoundBank(story, 44100, 2, DiskCache({str(tmp_path)!r})).start()\n"
        "time.sleep(1.0)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr == ""


def test_a_first_launch_synthesizes_cues_in_the_order_the_player_meets_them():
    from game.audio.bank import in_story_order
    order = in_story_order(SHIPPED, SHIPPED.cues)
    first = list(SHIPPED.nodes[SHIPPED.start].cues)
    assert first and order[:len(first)] == first and sorted(order) == sorted(SHIPPED.cues)


def test_cache_lives_where_the_environment_says(tmp_path, monkeypatch):
    from game.audio.cache import cache_dir
    monkeypatch.setenv("HER_CACHE_DIR", str(tmp_path))
    assert cache_dir() == os.path.join(str(tmp_path), "audio")
    monkeypatch.delenv("HER_CACHE_DIR")
    assert cache_dir().endswith(os.path.join("her", "audio"))


def test_open_audio_uses_the_cache_on_the_second_start(fixture_story):
    for start in range(2):
        audio = _open(fixture_story)
        _settle(audio)
        stats = audio.bank.stats
        audio.shutdown()
        if start == 0:
            assert stats.synthesized == len(fixture_story.cues)
    assert stats.synthesized == 0 and stats.from_cache == len(fixture_story.cues)


# ---------------------------------------------------------------- the mixer (dummy driver)

def _open(story, settings=None):
    from game.audio import open_audio
    from game.audio.mixer import PygameAudio
    audio = open_audio(story, settings or {})
    assert isinstance(audio, PygameAudio)
    return audio


def _settle(audio, timeout=30.0):
    """Until synthesis is done and every cue asked for has started."""
    end = time.monotonic() + timeout
    while audio.loading() and time.monotonic() < end:
        time.sleep(0.01)
        audio.update(0.0)
    assert not audio.loading()


def _steps(audio, seconds, dt=0.05):
    for _ in range(int(seconds / dt)):
        audio.update(dt)


def _volume(audio, name):
    [track] = [t for t in audio.tracks if t.cue.name == name and t.target > 0 and t.pan is None]
    return track.channel.get_volume()


@pytest.fixture
def mixer(fixture_story):
    audio = _open(fixture_story, {"volume": {"master": 1.0, "music": 1.0, "ambience": 0.5}})
    yield audio
    audio.shutdown()


def test_opening_never_waits_for_synthesis(fixture_story, monkeypatch):
    from game.audio import bank
    monkeypatch.setattr(bank.SoundBank, "_synthesize_elsewhere", lambda self, recipe: time.sleep(2) or [b"\0\0\0\0" * 100])
    began = time.perf_counter()
    audio = _open(fixture_story)
    assert audio.enter_node(["hum"], []) == ["[a low hum]"]
    audio.update(0.016)
    assert time.perf_counter() - began < 1.0
    audio.shutdown()


def test_captions_once_per_start_and_loops_carry_on(mixer):
    assert mixer.enter_node(["hum", "chime"], []) == ["[a low hum]", "[a chime]"]
    _settle(mixer)
    [hum] = [t for t in mixer.tracks if t.cue.name == "hum" and t.pan is None]
    assert mixer.enter_node(["hum", "tune_a"], []) == ["[tune A]"]  # the hum carries on, unrestarted
    assert hum in mixer.tracks and hum.channel.get_busy()
    _settle(mixer)
    _steps(mixer, 2.5)
    assert _volume(mixer, "hum") == pytest.approx(0.5, abs=0.01)  # ambience slider
    assert _volume(mixer, "tune_a") == pytest.approx(1.0, abs=0.01)


def test_a_bed_scatters_its_one_shots_at_random_times_and_places(mixer):
    """The traffic's recipe scatters two short sounds every 1 to 2 s: never in a pattern the ear can learn."""
    import random
    mixer.rng = random.Random(7)
    mixer.enter_node(["traffic"], [])
    _settle(mixer)
    starts, places, seen = [], set(), set()
    for _ in range(400):  # 20 s on the audio clock
        mixer.update(0.05)
        for track in mixer.tracks:
            if track.pan is not None and id(track) not in seen:
                seen.add(id(track))
                starts.append(track.since)
                places.add(round(track.pan, 2))
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert len(starts) >= 9 and all(0.94 <= gap <= 2.06 for gap in gaps)  # the recipe's 1-2 s, give or take a step
    assert len({round(gap, 1) for gap in gaps}) > 3 and len(places) > 3
    assert mixer.playing() == ["traffic"]  # they are the bed's, not cues of their own
    mixer.enter_node([], ["ambience"])
    _steps(mixer, 2.0)
    assert mixer.tracks == []  # and they fade with it


def test_music_crossfades(mixer):
    mixer.enter_node(["tune_a"], [])
    _settle(mixer)
    _steps(mixer, 2.5)
    mixer.enter_node(["tune_b"], [])
    _settle(mixer)
    _steps(mixer, 1.0)
    old = [t for t in mixer.tracks if t.cue.name == "tune_a"]
    assert old and 0.2 < old[0].level < 0.8  # halfway: both are heard
    assert 0.2 < _volume(mixer, "tune_b") < 0.8
    # equal power: the two unrelated tracks together are as loud as one (linear gains would dip 3 dB halfway)
    assert old[0].channel.get_volume() ** 2 + _volume(mixer, "tune_b") ** 2 == pytest.approx(1.0, abs=0.05)
    _steps(mixer, 1.5)
    assert [t.cue.name for t in mixer.tracks] == ["tune_b"]


def test_music_ducks_under_a_voice_and_always_recovers(mixer):
    mixer.enter_node(["tune_a"], [])
    _settle(mixer)
    _steps(mixer, 2.5)
    mixer.enter_node(["breath"], [])
    _settle(mixer)
    _steps(mixer, 0.5)
    assert _volume(mixer, "tune_a") == pytest.approx(0.35, abs=0.02)
    mixer.enter_node([], ["voice"])
    _steps(mixer, 1.5)
    assert _volume(mixer, "tune_a") == pytest.approx(1.0, abs=0.01)


def test_stop_fades_channels_out(mixer):
    mixer.enter_node(["hum", "tune_a"], [])
    _settle(mixer)
    mixer.enter_node([], ["music", "ambience"])
    _steps(mixer, 2.5)
    assert mixer.tracks == []
    assert mixer.enter_node(["hum"], []) == ["[a low hum]"]  # stopped, so it starts (and is captioned) again


def test_volume_and_pause(mixer):
    mixer.enter_node(["tune_a"], [])
    _settle(mixer)
    _steps(mixer, 2.5)
    mixer.set_volume("music", 0.4)
    assert _volume(mixer, "tune_a") == pytest.approx(0.4, abs=0.01)
    mixer.set_volume("master", 0.5)
    assert _volume(mixer, "tune_a") == pytest.approx(0.2, abs=0.01)
    with pytest.raises(ValueError, match="no volume channel 'musik'"):
        mixer.set_volume("musik", 1.0)
    mixer.enter_node(["tune_b"], [])
    _settle(mixer)
    mixer.pause()
    level = [t.level for t in mixer.tracks]
    _steps(mixer, 1.0)
    assert [t.level for t in mixer.tracks] == level  # a paused game's fades wait
    mixer.resume()
    _steps(mixer, 1.0)
    assert [t.level for t in mixer.tracks] != level


def test_silent_and_real_players_caption_alike(fixture_story):
    from game.audio import NullAudio
    nodes = [(["hum", "chime"], []), (["hum", "tune_a"], []), (["tune_b"], []), (["breath"], []),
             ([], ["music", "ambience", "voice"]), (["hum", "chime"], [])]
    real, silent = _open(fixture_story), NullAudio(fixture_story)
    try:
        for cues, stop in nodes:
            assert real.enter_node(cues, stop) == silent.enter_node(cues, stop)
    finally:
        real.shutdown()


# ---------------------------------------------------------------- failures: silence, one line, no exception

def test_no_mixer_plays_silently_with_one_log_line(fixture_story, monkeypatch, caplog):
    import pygame

    from game.audio import NullAudio, open_audio

    def broken(*args, **kwargs):
        raise pygame.error("No available audio device")
    monkeypatch.setattr(pygame.mixer, "init", broken)
    monkeypatch.setattr(pygame.mixer, "get_init", lambda: None)
    with caplog.at_level(logging.WARNING, logger="her.audio"):
        audio = open_audio(fixture_story, {})
        assert isinstance(audio, NullAudio)
        assert audio.enter_node(["hum", "chime"], []) == ["[a low hum]", "[a chime]"]
        for call in (lambda: audio.update(0.1), audio.pause, audio.resume, lambda: audio.set_volume("sfx", 0.3),
                     audio.shutdown):
            call()
    assert [r.getMessage() for r in caplog.records] == [
        "audio: no sound (No available audio device); playing silently"]


NO_CARD_RUN = """
import logging, sys
logging.basicConfig(format="%(message)s")
from game.story.loader import load_story
from game.audio import open_audio
story, _ = load_story({fixture!r})
audio = open_audio(story, {{}})
print(type(audio).__name__)
audio.shutdown()
"""


def test_a_missing_sound_card_costs_the_player_one_line_not_alsa_noise(tmp_path):
    env = dict(os.environ, SDL_AUDIODRIVER="alsa", ALSA_CARD="no_such_card_here", HER_CACHE_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", NO_CARD_RUN.format(fixture=AUDIO_FIXTURE)],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "ALSA lib" not in result.stderr
    if result.stdout.strip() == "NullAudio":
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("audio: no sound ("), result.stderr


def test_mixer_failing_later_turns_silent(fixture_story, monkeypatch, caplog):
    import pygame
    audio = _open(fixture_story)

    def broken(*args, **kwargs):
        raise pygame.error("device lost")
    monkeypatch.setattr(pygame.mixer, "Sound", broken)
    with caplog.at_level(logging.WARNING, logger="her.audio"):
        assert audio.enter_node(["hum"], []) == ["[a low hum]"]
        _settle(audio)
        assert audio.enter_node(["chime"], []) == ["[a chime]"]
        audio.update(0.1)
        audio.pause()
        audio.shutdown()
    assert [r.getMessage() for r in caplog.records] == ["audio: the mixer failed (device lost); playing silently"]


def test_a_recipe_that_clips_is_silent_with_a_log_line(fixture_story, caplog):
    from dataclasses import replace
    cues = dict(fixture_story.cues)
    cues["chime"] = replace(cues["chime"], recipe={"mix": [{"tone": 440, "length": 0.5, "gain": 24}] * 3})
    audio = _open(replace(fixture_story, cues=cues))
    with caplog.at_level(logging.WARNING, logger="her.audio"):
        assert audio.enter_node(["chime"], []) == ["[a chime]"]
        _settle(audio)
    audio.shutdown()
    assert any("cue 'chime' cannot be synthesized" in r.getMessage() and "clip" in r.getMessage()
               for r in caplog.records)


# ---------------------------------------------------------------- real output, captured by SDL's disk driver

DISK_RUN = """
import sys, time
from game.story.loader import load_story
from game.audio import open_audio
story, _ = load_story({fixture!r})
audio = open_audio(story, {{}})
assert type(audio).__name__ == "PygameAudio", audio
while audio.loading():
    time.sleep(0.01)
    audio.update(0.01)
time.sleep(0.5)
last = time.monotonic()
def run(seconds):
    global last
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(0.01)
        now = time.monotonic()
        audio.update(now - last)
        last = now
print(audio.enter_node(["hum", "chime"], []))
run(1.5)
print(audio.enter_node(["tune_a"], []))
run(2.1)
for tune in ["tune_b", "tune_a", "tune_b", "tune_a", "tune_b"]:  # a fast reader, or skip mode
    audio.enter_node([tune], [])
    run(0.3)
audio.enter_node([], ["music", "ambience"])
run(2.5)
audio.shutdown()
"""


def test_disk_driver_captures_real_sound_and_nothing_is_cut_off(tmp_path, fixture_story):
    """Captured through SDL's disk driver: a bed, an effect, music, then five music changes 0.3 s apart (tracks
    still fading when the next one comes) and a stop. A track cut off while it sounds is the largest sample step
    of such a capture (3.6 times the music's own largest step, before the mixer grew its pools instead of
    stopping the oldest track); here no step is even twice the largest of the cues' own."""
    from array import array

    import numpy as np

    from game.audio.synth import pcm
    out = tmp_path / "out.raw"
    env = dict(os.environ, SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(out), HER_CACHE_DIR=str(tmp_path / "c"))
    result = subprocess.run([sys.executable, "-c", DISK_RUN.format(fixture=AUDIO_FIXTURE)],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["['[a low hum]', '[a chime]']", "['[tune A]']"]
    samples = array("h", out.read_bytes())

    def rms(start, end):  # dBFS of the left channel between two times in seconds
        part = samples[int(start * 44100) * 2:int(end * 44100) * 2:2]
        power = sum(x * x for x in part) / max(1, len(part))
        return 20 * math.log10(math.sqrt(power) / 32768) if power else -math.inf

    total = len(samples) / 2 / 44100
    assert total > 5.0
    assert rms(0, 0.3) == -math.inf  # nothing before the first node
    loud = [rms(t / 10, t / 10 + 0.1) for t in range(int(total * 10))]
    assert sum(level > -40 for level in loud) >= 15  # well over a second and a half of real sound
    assert max(loud) > -25
    assert rms(total - 0.3, total) < -60  # stopped and faded out
    captured = np.frombuffer(out.read_bytes(), dtype="<i2").reshape(-1, 2).T.astype(float)
    first = int(np.flatnonzero(np.abs(captured).max(axis=0))[0])  # the first node: the chime, at once
    changes = captured[:, first + 3 * 44100:]  # the chime is long over; tune_a has been playing 1.5 s
    own = max(np.abs(np.diff(np.frombuffer(pcm(recipe_of(fixture_story.cues[name])), dtype="<i2")
                             .reshape(-1, 2).T.astype(float), axis=1)).max() for name in ("tune_a", "tune_b", "hum"))
    steps = np.abs(np.diff(changes, axis=1))
    assert steps.max() <= 2 * own, f"a step of {steps.max():.0f} where the music's own steps reach {own:.0f}"


# ---------------------------------------------------------------- the command line

def test_audio_command_lists_exports_and_renders(fixture_story, tmp_path, capsys):
    assert main(["audio", "list", "--story", AUDIO_FIXTURE]) == 0
    out = capsys.readouterr().out
    assert "hum" in out and "[breathing]" in out and "loop" in out
    wav = tmp_path / "chime.wav"
    assert main(["audio", "export", "chime", "--out", str(wav), "--story", AUDIO_FIXTURE]) == 0
    with wave.open(str(wav)) as handle:
        assert (handle.getnchannels(), handle.getsampwidth(), handle.getframerate()) == (2, 2, 44100)
    if os.name == "posix":  # readable like any file the author makes, not private like a temporary file
        mask = os.umask(0)
        os.umask(mask)
        assert wav.stat().st_mode & 0o777 == 0o666 & ~mask
        assert abs(handle.getnframes() / 44100 - recipe_of(fixture_story.cues["chime"]).seconds) < 0.02
    assert main(["audio", "render-all", "--out", str(tmp_path / "all"), "--story", AUDIO_FIXTURE]) == 0
    assert sorted(os.listdir(tmp_path / "all")) == sorted(f"{name}.wav" for name in fixture_story.cues)
    out = capsys.readouterr().out
    assert "from the cache" in out  # chime was rendered by the export just before
    rows = {line.split()[0]: line.split() for line in out.splitlines()[1:] if line.split()[0] in fixture_story.cues}
    from game.story.recipe import LOUDNESS
    assert {name: (row[2], row[3]) for name, row in rows.items()} == {  # the loudness table: target and measured
        name: (f"{LOUDNESS[cue.channel]:.1f}",) * 2 for name, cue in fixture_story.cues.items()}


def test_audio_command_errors(tmp_path, capsys):
    assert main(["audio", "export", "chim", "--out", str(tmp_path / "x.wav"), "--story", AUDIO_FIXTURE]) == 2
    assert "no cue 'chim' in " in capsys.readouterr().err
    assert main(["audio", "play", "tune", "--story", AUDIO_FIXTURE]) == 2
    assert "(did you mean 'tune_" in capsys.readouterr().err
    assert main(["audio", "export", "chime", "--out", str(tmp_path / "no" / "x.wav"), "--story", AUDIO_FIXTURE]) == 2
    assert main(["audio", "list", "--story", os.path.join(FIXTURES, "bad", "E026_bad_recipe")]) == 1
    assert "E026" in capsys.readouterr().err


def test_audio_play_through_the_dummy_device(capsys):
    assert main(["audio", "play", "chime", "--seconds", "0.2", "--story", AUDIO_FIXTURE]) == 0
    assert "[a chime]" in capsys.readouterr().out


def test_audio_modules_load_neither_pygame_nor_pydub_nor_numpy_until_needed():
    code = ("import sys, game.audio, game.cli.audio; "
            "print('pygame' in sys.modules, 'pydub' in sys.modules, 'numpy' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "False False False", result.stdout + result.stderr
    assert "ffmpeg" not in result.stderr


def test_synthesis_never_shows_the_ffmpeg_warning():
    code = "import warnings; warnings.simplefilter('always'); import game.audio.synth; print('ok')"
    result = subprocess.run([sys.executable, "-W", "always", "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.stdout.strip() == "ok" and "ffmpeg" not in result.stderr, result.stderr


def test_what_sounds_after_a_loaded_path(fixture_story):
    from game.audio import sounding_after
    assert sounding_after(fixture_story, ["street"]) == ["hum"]
    assert sounding_after(fixture_story, ["street", "song", "other_song"]) == ["tune_b", "hum"]
    assert sounding_after(fixture_story, ["street", "song", "other_song", "breath", "quiet"]) == []

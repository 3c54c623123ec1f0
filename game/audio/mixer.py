"""Cues on pygame.mixer channels: crossfaded music, looping ambience, effects, voice-like cues that duck the
music. Every fade runs in update(dt), so pausing freezes it and tests can step it. Fades are equal-power (two
unrelated tracks crossing keep the level steady), and nothing is ever cut off while it sounds: when a channel's
pool is full, the pool grows by a channel, and fading tracks give theirs back when they reach silence.

Any pygame error after opening turns the player silent (one log line) instead of reaching the game.
"""
from __future__ import annotations

import contextlib
import functools
import logging
import math
import os
import random
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ..story.model import Cue, Story
from ..story.recipe import recipe_of
from .bank import SoundBank
from .cache import DiskCache
from .deck import Deck
from .null import NullAudio, check_channel, read_volumes

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
import pygame  # noqa: E402

log = logging.getLogger("her.audio")

POOL = {"music": 2, "ambience": 4, "sfx": 4, "voice": 2}  # pygame channels reserved per cue channel at the start
FADE_IN = {"music": 2.0, "ambience": 1.5, "sfx": 0.0, "voice": 0.0}  # seconds
FADE_OUT = {"music": 2.0, "ambience": 1.5, "sfx": 0.15, "voice": 0.15}  # music: the crossfade
DUCK = 0.35  # music gain while a voice-like cue sounds (about -9 dB)
DUCK_DOWN, DUCK_UP = 0.25, 1.2  # seconds to duck and to recover
LATE = 1.5  # seconds after which a one-shot that is still being synthesized is no longer worth playing

T = TypeVar("T")


@contextlib.contextmanager
def quiet_native_stderr():
    """Keeps what native libraries write to file descriptor 2 (ALSA's "ALSA lib conf.c:..." lines when there
    is no sound card) away from the player while the mixer starts; the caller reports a failure in one line.
    Python's own sys.stderr is flushed first, so nothing of the game's is lost."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no fd 2 at all (a windowed build): nothing to hide
        yield
        return
    try:
        with tempfile.TemporaryFile() as sink:
            os.dup2(sink.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def start_mixer(frequency: int, channels: int) -> None:
    """pygame.mixer.init for signed 16-bit samples, quietly; raises pygame.error when there is no device."""
    with quiet_native_stderr():
        pygame.mixer.init(frequency=frequency, size=-16, channels=channels, buffer=1024)


@dataclass
class _Track:
    cue: Cue
    since: float  # audio clock when it was asked for
    level: float  # fade position, 0..1
    target: float
    fade: float  # seconds for a full 0..1 change; 0 = at once
    channel: Any = None  # pygame.mixer.Channel once playing
    pan: float | None = None  # a scattered one-shot of its cue's bed, at this place from -1 (left) to 1 (right)
    next_shot: float | None = None  # a bed with one-shots: when the next is due on the audio clock


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Runs the method; if pygame fails, the player goes silent and the silent player answers instead."""

    @functools.wraps(method)
    def run(self: PygameAudio, *args: Any) -> T:
        if self.failed is not None:
            return getattr(self.failed, method.__name__)(*args)
        try:
            return method(self, *args)
        except (pygame.error, OSError, MemoryError) as err:
            self._fail(err)
            return getattr(self.failed, method.__name__)(*args)

    return run


class PygameAudio:
    def __init__(self, story: Story, settings: dict[str, Any], owns_mixer: bool, cache: DiskCache | None = None):
        frequency, _, channels = pygame.mixer.get_init()
        self.story = story
        self.volumes = read_volumes(settings)
        self.deck = Deck(story)
        self.bank = SoundBank(story, frequency, channels, cache)
        self.sounds: dict[str, Any] = {}  # cue name -> pygame.mixer.Sound
        self.shots: dict[str, tuple[list[Any], tuple[float, float]]] = {}  # a bed's one-shots, seconds between
        self.rng = random.Random()
        self.unplayable: set[str] = {name for name, cue in story.cues.items() if cue.recipe is None}
        self.tracks: list[_Track] = []
        self.clock = 0.0
        self.duck = 1.0
        self.paused = False
        self.failed: NullAudio | None = None
        self.owns_mixer = owns_mixer
        total = sum(POOL.values())
        pygame.mixer.set_num_channels(max(total, pygame.mixer.get_num_channels()))
        pygame.mixer.set_reserved(total)  # Sound.play() elsewhere never takes a cue's channel
        numbers = iter(range(total))
        self.pools = {kind: [pygame.mixer.Channel(next(numbers)) for _ in range(size)] for kind, size in POOL.items()}
        self.bank.start()

    @classmethod
    def open(cls, story: Story, settings: dict[str, Any], cache: DiskCache | None = None) -> PygameAudio:
        """Raises pygame.error when there is no usable device."""
        owns = not pygame.mixer.get_init()
        if owns:
            start_mixer(44100, 2)
        init = pygame.mixer.get_init()
        if not init:
            raise pygame.error("the mixer did not start")
        if init[1] != -16:  # the game's samples are signed 16-bit
            pygame.mixer.quit()
            start_mixer(init[0], init[2])
            owns = True
        return cls(story, settings, owns, cache)

    # -------------------------------------------------------- the interface

    @_guarded
    def enter_node(self, cues: Sequence[str], stop: Sequence[str]) -> list[str]:
        """Stops the node's `stop` channels, starts its cues; returns the captions of the cues started."""
        change = self.deck.enter(cues, stop)
        for cue in change.stopped:
            self._stop(cue)
        for cue in change.started:
            fade = FADE_IN[cue.channel]
            track = _Track(cue, self.clock, 0.0 if fade else 1.0, 1.0, fade)
            self.tracks.append(track)
            if cue.name in self.sounds:
                self._play(track)
            else:
                self.bank.want(cue.name)
        self._settle()
        self._apply_volumes()
        return change.captions

    def set_volume(self, channel: str, volume: float) -> None:
        check_channel(channel)
        self.volumes[channel] = min(1.0, max(0.0, float(volume)))
        if self.failed is not None:
            self.failed.set_volume(channel, volume)
        else:
            self._apply_volumes_guarded()

    @_guarded
    def pause(self) -> None:
        if not self.paused:
            self.paused = True
            pygame.mixer.pause()

    @_guarded
    def resume(self) -> None:
        if self.paused:
            self.paused = False
            pygame.mixer.unpause()

    @_guarded
    def update(self, dt: float) -> None:
        """Advances fades and ducking by dt seconds; starts cues whose synthesis has finished."""
        if self.paused:
            return
        self.clock += max(0.0, dt)
        for name, parts in self.bank.take().items():
            if parts is None:
                self.unplayable.add(name)
            else:
                self.sounds[name] = pygame.mixer.Sound(buffer=parts[0])
                if parts[1:]:
                    every = recipe_of(self.story.cues[name]).scatter_every
                    self.shots[name] = ([pygame.mixer.Sound(buffer=part) for part in parts[1:]], every)
        self._settle()
        for track in list(self.tracks):
            if track.channel is None:
                continue
            step = dt / track.fade if track.fade else 1.0
            track.level = min(track.target, track.level + step) if track.level < track.target \
                else max(track.target, track.level - step)
            if track.target == 0.0 and track.level == 0.0:
                track.channel.stop()
                self.tracks.remove(track)
            elif not track.channel.get_busy():  # a one-shot finished
                self.tracks.remove(track)
                if track.pan is None:  # (a scattered one is not its cue: the bed goes on)
                    self.deck.ended(track.cue)
        self._scatter()
        voice = any(t.cue.channel == "voice" and t.channel is not None and t.target > 0 for t in self.tracks)
        goal = DUCK if voice else 1.0
        speed = (1.0 - DUCK) / (DUCK_DOWN if goal < self.duck else DUCK_UP)
        self.duck = max(goal, self.duck - speed * dt) if goal < self.duck else min(goal, self.duck + speed * dt)
        self._apply_volumes()

    def playing(self) -> list[str]:
        """Names of the cues sounding now (loops and music until they stop, effects until they end)."""
        return [cue.name for cue in self.deck.playing()]

    def loading(self) -> bool:
        """Whether cues are still being synthesized (or waiting to start)."""
        if self.failed is not None:
            return False
        return self.bank.busy() or any(t.channel is None for t in self.tracks)

    def shutdown(self) -> None:
        self.bank.close()
        if self.failed is None:
            self.failed = NullAudio(self.story)
            try:
                pygame.mixer.stop()
                pygame.mixer.set_reserved(0)
                if self.owns_mixer:
                    pygame.mixer.quit()
            except pygame.error:
                pass
        self.tracks.clear()

    # -------------------------------------------------------- inside

    def _fail(self, err: BaseException) -> None:
        log.warning("audio: the mixer failed (%s); playing silently", err)
        silent = NullAudio(self.story)
        silent.deck = self.deck
        silent.volumes = self.volumes
        self.failed = silent
        self.bank.close()
        try:
            pygame.mixer.stop()
        except pygame.error:
            pass

    def _settle(self) -> None:
        """Starts tracks whose sound is ready; drops those that will never play or come too late."""
        for track in list(self.tracks):
            if track.channel is not None:
                continue
            cue = track.cue
            late = not cue.loop and cue.channel in ("sfx", "voice") and self.clock - track.since > LATE
            if cue.name in self.sounds and not late:
                self._play(track)
            elif late or cue.name in self.unplayable:
                self.tracks.remove(track)
                if not cue.loop:
                    self.deck.ended(cue)

    def _play(self, track: _Track) -> None:
        channel = self._free_channel(track.cue.channel)
        channel.set_volume(0.0)
        channel.play(self.sounds[track.cue.name], loops=-1 if track.cue.loop else 0)
        track.channel = channel

    def _free_channel(self, kind: str) -> Any:
        used = {id(t.channel) for t in self.tracks if t.channel is not None}
        pool = self.pools[kind]
        for channel in pool:
            if id(channel) not in used:
                return channel
        # all taken (music changing faster than its crossfade): a channel more, rather than cut one off mid-sound
        index = pygame.mixer.get_num_channels()
        pygame.mixer.set_num_channels(index + 1)
        pygame.mixer.set_reserved(index + 1)
        pool.append(pygame.mixer.Channel(index))
        return pool[-1]

    def _scatter(self) -> None:
        """Each sounding bed with one-shots plays one of them, at random, at a random place, every so often."""
        for track in list(self.tracks):
            if track.pan is not None or track.channel is None or track.target == 0 or track.cue.name not in self.shots:
                continue
            shots, (least, most) = self.shots[track.cue.name]
            if track.next_shot is None:
                track.next_shot = self.clock + self.rng.uniform(least, most)
            elif self.clock >= track.next_shot:
                shot = _Track(track.cue, self.clock, track.level, track.target, track.fade,
                              pan=self.rng.uniform(-0.8, 0.8))
                shot.channel = self._free_channel(track.cue.channel)
                shot.channel.set_volume(0.0)
                shot.channel.play(self.rng.choice(shots))
                self.tracks.append(shot)
                track.next_shot = self.clock + self.rng.uniform(least, most)

    def _stop(self, cue: Cue) -> None:
        for track in list(self.tracks):
            if track.cue is cue and track.target > 0:
                if track.channel is None:
                    self.tracks.remove(track)
                else:
                    track.target, track.fade = 0.0, FADE_OUT[cue.channel]

    def _apply_volumes_guarded(self) -> None:
        try:
            self._apply_volumes()
        except pygame.error as err:
            self._fail(err)

    def _apply_volumes(self) -> None:
        master = self.volumes["master"]
        for track in self.tracks:
            if track.channel is not None:
                # equal power: a track at fade position p has gain sin(p·π/2), so one fading in and one fading out
                # sum to a steady power (linear gains dip 3 dB halfway)
                volume = master * self.volumes[track.cue.channel] * math.sin(track.level * math.pi / 2)
                if track.cue.channel == "music":
                    volume *= self.duck
                if track.pan is None:
                    track.channel.set_volume(volume)
                else:  # equal power across the two speakers
                    angle = (track.pan + 1) * math.pi / 4
                    track.channel.set_volume(volume * min(1.0, math.sqrt(2) * math.cos(angle)),
                                             volume * min(1.0, math.sqrt(2) * math.sin(angle)))


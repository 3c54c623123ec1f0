"""Audio cues: recipes from the cue catalogue synthesized with numpy (cached on disk), played on pygame's
mixer; a silent player with the same interface when there is no device. See docs/audio.md.

    audio = open_audio(story, settings)   # never raises; never waits for synthesis
    captions = audio.enter_node(node.cues, node.stop)
    audio.update(dt); audio.set_volume("music", 0.5); audio.pause(); audio.resume(); audio.shutdown()
    audio.enter_node(sounding_after(story, engine.sounding_path), CHANNELS)   # after loading a save

Importing this package loads neither pygame nor pydub nor numpy.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from ..story.model import Story
from .deck import sounding_after
from .null import VOLUME_CHANNELS, NullAudio

__all__ = ["Audio", "NullAudio", "VOLUME_CHANNELS", "open_audio", "sounding_after"]

log = logging.getLogger("her.audio")


class Audio(Protocol):
    def enter_node(self, cues: Sequence[str], stop: Sequence[str]) -> list[str]: ...
    def set_volume(self, channel: str, volume: float) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def update(self, dt: float) -> None: ...
    def loading(self) -> bool: ...
    def playing(self) -> list[str]: ...
    def shutdown(self) -> None: ...


def open_audio(story: Story, settings: dict[str, Any] | None = None) -> Audio:
    """The mixer, or NullAudio (with one log line) when pygame's mixer cannot start."""
    try:
        from .mixer import PygameAudio
        return PygameAudio.open(story, settings or {})
    except Exception as err:  # noqa: BLE001 - no device, no driver, a broken install: the game plays silently
        log.warning("audio: no sound (%s); playing silently", str(err) or type(err).__name__)
        return NullAudio(story, settings)

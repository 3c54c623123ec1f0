"""The silent player: same interface as the mixer, used when there is no sound device or it fails."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..story.model import CHANNELS, Story
from .deck import Deck

VOLUME_CHANNELS = ("master",) + CHANNELS


def read_volumes(settings: dict[str, Any] | None) -> dict[str, float]:
    """settings['volume'][channel] (as in game.ui.settings.Settings.to_dict()), clamped; 1.0 when missing."""
    given = (settings or {}).get("volume")
    given = given if isinstance(given, dict) else {}
    volumes = {}
    for channel in VOLUME_CHANNELS:
        value = given.get(channel, 1.0)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        volumes[channel] = min(1.0, max(0.0, float(value))) if ok else 1.0
    return volumes


def check_channel(channel: str) -> None:
    if channel not in VOLUME_CHANNELS:
        raise ValueError(f"no volume channel '{channel}'; the channels are {', '.join(VOLUME_CHANNELS)}")


class NullAudio:
    """Plays nothing, but keeps track of what would be sounding, so captions match the real mixer's."""

    def __init__(self, story: Story, settings: dict[str, Any] | None = None):
        self.deck = Deck(story)
        self.volumes = read_volumes(settings)

    def enter_node(self, cues: Sequence[str], stop: Sequence[str]) -> list[str]:
        """Captions of the cues started."""
        change = self.deck.enter(cues, stop)
        for cue in change.started:
            if not cue.loop:  # nothing sounds, so a one-shot is over at once
                self.deck.ended(cue)
        return change.captions

    def set_volume(self, channel: str, volume: float) -> None:
        check_channel(channel)
        self.volumes[channel] = min(1.0, max(0.0, float(volume)))

    def pause(self) -> None:
        pass

    def resume(self) -> None:
        pass

    def update(self, dt: float) -> None:
        pass

    def playing(self) -> list[str]:
        """Names of the cues sounding now (loops and music until they stop, effects until they end)."""
        return [cue.name for cue in self.deck.playing()]

    def loading(self) -> bool:
        """Whether cues are still being synthesized."""
        return False

    def shutdown(self) -> None:
        pass

"""What is sounding, channel by channel: the rules of starting and stopping cues, shared by the real mixer
and the silent one so captions come out the same with or without a sound device."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..story.model import CHANNELS, Cue, Story

log = logging.getLogger("her.audio")


@dataclass
class Change:
    started: list[Cue] = field(default_factory=list)
    stopped: list[Cue] = field(default_factory=list)

    @property
    def captions(self) -> list[str]:
        return [cue.caption for cue in self.started if cue.caption]


class Deck:
    """Cues sounding per channel, oldest first. One music track at a time; the others layer."""

    def __init__(self, story: Story):
        self.story = story
        self.sounding: dict[str, list[Cue]] = {channel: [] for channel in CHANNELS}
        self._unknown: set[str] = set()

    def enter(self, cues: Sequence[str], stop: Sequence[str]) -> Change:
        """Entering a node: its `stop` channels fall silent, then its cues start. A loop or a music track that is
        still sounding carries on (no restart, no second caption); an effect named again plays again."""
        change = Change()
        for channel in stop:
            change.stopped += self.sounding.get(channel, [])
            if channel in self.sounding:
                self.sounding[channel] = []
        for name in cues:
            cue = self.story.cues.get(name)
            if cue is None:
                if name not in self._unknown:  # the validator reports these; at play time, say it once
                    self._unknown.add(name)
                    log.warning("audio: no cue '%s' in the catalogue", name)
                continue
            playing = self.sounding[cue.channel]
            if (cue.loop or cue.channel == "music") and cue in playing:
                continue
            if cue.channel == "music":
                change.stopped += playing
                playing.clear()
            playing.append(cue)
            change.started.append(cue)
        return change

    def ended(self, cue: Cue) -> None:
        """A one-shot finished (or the mixer dropped a cue)."""
        playing = self.sounding[cue.channel]
        if cue in playing:
            playing.remove(cue)

    def playing(self) -> list[Cue]:
        return [cue for channel in CHANNELS for cue in self.sounding[channel]]


def sounding_after(story: Story, path: Sequence[str]) -> list[str]:
    """The loops and music still sounding after entering these nodes in order (Engine.sounding_path): what to start
    after loading a save, e.g. audio.enter_node(sounding_after(story, engine.sounding_path), CHANNELS)."""
    deck = Deck(story)
    for node_id in path:
        node = story.nodes.get(node_id)
        if node is not None:
            for cue in deck.enter(node.cues, node.stop).started:
                if not cue.loop and cue.channel != "music":
                    deck.ended(cue)
    return [cue.name for cue in deck.playing()]

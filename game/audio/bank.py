"""Rendered samples for every cue of a story: from the disk cache, else synthesized.

A background thread works through the catalogue (cues the game asks for first), so synthesis never
holds up a frame; `get` does the same work at once for the command line and benchmarks.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from ..story.model import Cue, Story
from ..story.recipe import RecipeError, recipe_of
from .cache import DiskCache, recipe_key

log = logging.getLogger("her.audio")


@dataclass
class Stats:
    from_cache: int = 0
    synthesized: int = 0
    failed: int = 0
    synth_seconds: float = 0.0


class SoundBank:
    def __init__(self, story: Story, rate: int, channels: int, cache: DiskCache | None = None):
        self.cues: dict[str, Cue] = {name: cue for name, cue in story.cues.items() if cue.recipe is not None}
        self.rate, self.channels = rate, channels
        self.cache = cache or DiskCache()
        self.stats = Stats()
        self._todo = list(self.cues)
        self._done: dict[str, bytes | None] = {}  # finished by the worker, not yet taken
        self._working: str | None = None
        self._closed = False
        self._lock = threading.Condition()
        self._thread: threading.Thread | None = None

    # -------------------------------------------------------- now, in this thread

    def get(self, name: str) -> bytes:
        """The cue's samples. Raises KeyError for an unknown cue or one without a recipe, RecipeError when it
        cannot be rendered."""
        cue = self.cues[name]
        key = recipe_key(cue.recipe, self.rate, self.channels)
        samples = self.cache.load(key, self.rate, self.channels)
        if samples is not None:
            self.stats.from_cache += 1
            return samples
        from . import synth  # pydub only when something must actually be synthesized

        began = time.perf_counter()
        samples = synth.pcm(recipe_of(cue), self.rate, self.channels)
        self.stats.synth_seconds += time.perf_counter() - began
        self.stats.synthesized += 1
        problem = self.cache.store(key, samples, self.rate, self.channels)
        if problem:
            log.warning("audio: %s; sounds will be synthesized again next time", problem)
        return samples

    # -------------------------------------------------------- in the background

    def start(self) -> None:
        if self._thread is None and self._todo:
            self._thread = threading.Thread(target=self._work, name="her-audio-synth", daemon=True)
            self._thread.start()

    def want(self, name: str) -> None:
        """Render this cue next."""
        with self._lock:
            if name in self._todo:
                self._todo.remove(name)
                self._todo.insert(0, name)

    def pending(self, name: str) -> bool:
        with self._lock:
            return name in self._todo or name == self._working

    def busy(self) -> bool:
        with self._lock:
            return bool(self._todo) or self._working is not None

    def take(self) -> dict[str, bytes | None]:
        """Cues finished since the last call: name -> samples, or None for one that failed."""
        with self._lock:
            done, self._done = self._done, {}
        return done

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._todo.clear()
        if self._thread is not None:
            self._thread.join(timeout=0.1)  # a render in progress finishes on its own; the thread is a daemon

    def _work(self) -> None:
        while True:
            with self._lock:
                if self._closed or not self._todo:
                    self._working = None
                    return
                name = self._working = self._todo.pop(0)
            samples: bytes | None = None
            try:
                samples = self.get(name)
            except RecipeError as err:
                self.stats.failed += 1
                log.warning("audio: cue '%s' cannot be synthesized (%s); it stays silent", name, err)
            except Exception as err:  # noqa: BLE001 - anything else (a missing audioop, no memory): silence, not a crash
                self.stats.failed += 1
                log.warning("audio: synthesis failed (%s: %s); cues stay silent", type(err).__name__, err)
                with self._lock:
                    for other in self._todo:
                        self._done[other] = None
                    self._todo.clear()
            with self._lock:
                self._done[name] = samples
                self._working = None

"""Rendered samples for every cue of a story: from the disk cache, else synthesized.

In the game a background thread works through the catalogue (cues the game asks for first, then in the order
a player meets them) and hands the synthesis to a child process: seconds of array work, which in a thread of
the game would compete with the window's frames for the GIL, and a process runs on the other core. Where no process can be started
the thread synthesizes itself. `get` does the work at once, here, for the command line and benchmarks.
"""
from __future__ import annotations

import atexit
import logging
import multiprocessing
import multiprocessing.util  # registers the exit hook that ends child processes, before ours below
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..story.model import Cue, Story, successors
from ..story.recipe import Recipe, RecipeError, recipe_of
from .cache import DiskCache, recipe_key

log = logging.getLogger("her.audio")
_exiting = False


def _note_exit() -> None:
    global _exiting
    _exiting = True


atexit.register(_note_exit)  # runs before multiprocessing ends the child: its end is then no surprise


@dataclass
class Stats:
    from_cache: int = 0
    synthesized: int = 0
    failed: int = 0
    synth_seconds: float = 0.0


def _render_forever(conn) -> None:
    """The child process: (recipe, rate, channels) in, the cue's parts or a reason out, until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the game; the child ends with it
    from . import synth
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        recipe, rate, channels = job
        reply: tuple[str, list[bytes] | str]
        try:
            reply = ("ok", synth.pcm_parts(recipe, rate, channels))
        except RecipeError as err:
            reply = ("recipe", str(err))
        except Exception as err:  # noqa: BLE001 - reported to the game, which plays the cue silently
            reply = ("error", f"{type(err).__name__}: {err}")
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return


def in_story_order(story: Story, names: Iterable[str]) -> list[str]:
    """Cues in the order a player meets them (breadth first from the start node), then any the story never
    names: on a first launch the first scene's sounds are synthesized first, while the title screen shows."""
    names = list(names)
    order: dict[str, int] = {}
    unplaced = set(names)
    seen, queue = {story.start}, deque([story.start])
    while queue and unplaced:  # every cue placed: the rest of a big story need not be read (nor built)
        node = story.nodes.get(queue.popleft())
        if node is None:
            continue
        for name in node.cues:
            order.setdefault(name, len(order))
            unplaced.discard(name)
        for target in successors(node):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return sorted(names, key=lambda name: order.get(name, len(order)))


class RendererGone(Exception):
    """The synthesis process stopped or could not be reached."""


class Renderer:
    """A child process that synthesizes recipes, one at a time."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")  # fork would copy SDL's threads and state
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_render_forever, args=(child,), name="her-audio-synth", daemon=True)
        self.process.start()
        child.close()

    def render(self, recipe: Recipe, rate: int, channels: int, closed: Callable[[], bool]) -> list[bytes] | None:
        """The cue's parts, or None when `closed()` turns true first. Raises RecipeError or RendererGone."""
        try:
            self.conn.send((recipe, rate, channels))
            while not self.conn.poll(0.1):
                if closed():
                    return None
                if not self.process.is_alive():
                    raise RendererGone(f"exit code {self.process.exitcode}")
            kind, value = self.conn.recv()
        except (EOFError, OSError) as err:
            raise RendererGone(str(err) or type(err).__name__) from err
        if kind == "recipe":
            raise RecipeError(value)
        if kind == "error":
            raise RuntimeError(value)
        return value

    def close(self) -> None:
        try:
            self.conn.send(None)
        except (EOFError, OSError):
            pass
        self.conn.close()
        self.process.join(timeout=0.2)
        if self.process.is_alive():
            self.process.terminate()  # a long render is abandoned, not waited for


class SoundBank:
    def __init__(self, story: Story, rate: int, channels: int, cache: DiskCache | None = None):
        self.cues: dict[str, Cue] = {name: cue for name, cue in story.cues.items() if cue.recipe is not None}
        self.rate, self.channels = rate, channels
        self.cache = cache or DiskCache()
        self.stats = Stats()
        self._todo = in_story_order(story, self.cues)
        self._done: dict[str, list[bytes] | None] = {}  # finished by the worker, not yet taken
        self._working: str | None = None
        self._closed = False
        self._lock = threading.Condition()
        self._thread: threading.Thread | None = None
        self._renderer: Renderer | None = None
        self._renderer_failed = False

    # -------------------------------------------------------- now, in this thread

    def get(self, name: str) -> bytes:
        """The cue's samples. Raises KeyError for an unknown cue or one without a recipe, RecipeError when it
        cannot be rendered."""
        return self.parts(name)[0]

    def parts(self, name: str) -> list[bytes]:
        """The cue's samples, then its scattered one-shots'. Raises like get()."""
        parts = self._fetch(name, self._synthesize_here)
        assert parts is not None  # only a closed bank gives up on a render
        return parts

    def _fetch(self, name: str, synthesize: Callable[[Recipe], list[bytes] | None]) -> list[bytes] | None:
        cue = self.cues[name]
        recipe = recipe_of(cue)
        key = recipe_key(cue, self.rate, self.channels)
        keys = [key] + [f"{key}-{i}" for i in range(1, 1 + len(recipe.scatter))]  # one file a part
        cached = [self.cache.load(k, self.rate, self.channels) for k in keys]
        if all(part is not None for part in cached):
            self.stats.from_cache += 1
            return [part for part in cached if part is not None]
        began = time.perf_counter()
        parts = synthesize(recipe)
        if parts is None:
            return None
        self.stats.synth_seconds += time.perf_counter() - began
        self.stats.synthesized += 1
        for k, part in zip(keys, parts):
            problem = self.cache.store(k, part, self.rate, self.channels)
            if problem:
                log.warning("audio: %s; sounds will be synthesized again next time", problem)
        return parts

    def _stopping(self) -> bool:
        return self._closed or _exiting

    def _synthesize_here(self, recipe: Recipe) -> list[bytes]:
        from . import synth  # numpy and pydub only when something must actually be synthesized
        return synth.pcm_parts(recipe, self.rate, self.channels)

    def _synthesize_elsewhere(self, recipe: Recipe) -> list[bytes] | None:
        if self._renderer is None and not self._renderer_failed:
            try:
                self._renderer = Renderer()
            except Exception as err:  # noqa: BLE001 - no processes here (a sandbox, a frozen build): use the thread
                self._renderer_failed = True
                log.info("audio: cannot start a synthesis process (%s); synthesizing in the game", err)
        if self._renderer is not None:
            try:
                return self._renderer.render(recipe, self.rate, self.channels, self._stopping)
            except RendererGone as err:
                if self._stopping():
                    return None
                self._renderer, self._renderer_failed = None, True
                log.warning("audio: the synthesis process stopped (%s); synthesizing in the game", err)
        return self._synthesize_here(recipe)

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

    def take(self) -> dict[str, list[bytes] | None]:
        """Cues finished since the last call: name -> its parts (samples, then scattered one-shots), or None for
        one that failed."""
        with self._lock:
            done, self._done = self._done, {}
        return done

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._todo.clear()
        if self._thread is not None:
            self._thread.join(timeout=0.3)  # the worker notices within 0.1 s; it is a daemon either way

    def _work(self) -> None:
        try:
            self._work_through_todo()
        finally:
            if self._renderer is not None:
                self._renderer.close()
                self._renderer = None

    def _work_through_todo(self) -> None:
        while True:
            with self._lock:
                if self._closed or not self._todo:
                    self._working = None
                    return
                name = self._working = self._todo.pop(0)
            samples: list[bytes] | None = None
            try:
                samples = self._fetch(name, self._synthesize_elsewhere)
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

"""Replay files (a seed and the choice numbers of a playthrough) and playing them in the engine.

Text mode, the window, soak and explore all read and write this one format.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..story.model import Choice, Story
from .engine import Engine
from .storage import DamagedFile, read_json

REPLAY_FORMAT = 1


class ReplayError(Exception):
    """A replay file that cannot be read or does not fit the story: the message names the file."""


@dataclass
class Replay:
    story: str
    seed: int
    choices: list[int]

    def to_dict(self) -> dict[str, Any]:
        return {"format": REPLAY_FORMAT, "story": self.story, "seed": self.seed, "choices": self.choices}


def read_replay_data(path: str) -> dict[str, Any]:
    """The JSON object of a replay file (with whatever a tool recorded beside the replay). Raises ReplayError."""
    try:
        data = read_json(path)
    except DamagedFile as err:
        raise ReplayError(f"{path}: not a JSON replay file: {err}") from None
    except OSError as err:
        raise ReplayError(f"{path}: cannot read replay file: {err.strerror}") from None
    if not isinstance(data, dict):
        raise ReplayError(f"{path}: a replay file is a JSON object with format, story, seed and choices")
    return data


def read_replay(path: str) -> Replay:
    data = read_replay_data(path)
    if data.get("format") != REPLAY_FORMAT:
        raise ReplayError(f"{path}: replay format {data.get('format')!r} is not supported (expected {REPLAY_FORMAT})")
    choices = data.get("choices")
    if not isinstance(choices, list) or not all(isinstance(c, int) and not isinstance(c, bool) and c >= 1
                                                for c in choices):
        raise ReplayError(f"{path}: 'choices' must be a list of choice numbers (1, 2, ...)")
    seed = data.get("seed")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ReplayError(f"{path}: 'seed' must be a whole number")
    return Replay(str(data.get("story", "")), seed, list(choices))


def write_replay(path: str, replay: Replay) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(replay.to_dict(), handle, indent=1)
        handle.write("\n")


def check_story(replay: Replay, story: Story, path: str) -> None:
    """A replay recorded on another story would play nonsense: refuse it by name."""
    if replay.story and replay.story != story.id:
        raise ReplayError(f"{path}: this replay is for story '{replay.story}', not '{story.id}'")


@dataclass
class Played:
    engine: Engine
    left: list[int]  # choice numbers not used (the story ended or stopped before them)
    path: list[str]  # node ids entered
    taken: list[tuple[str, int]]  # (node id, position in its choices) of every choice taken, fallbacks included


def play_replay(story: Story, seed: int, choices: list[int]) -> Played:
    """Play choice numbers without a front-end, as text mode does. Raises EngineError when one does not fit."""
    engine = Engine(story, seed=seed)
    pending = list(choices)
    taken: list[tuple[str, int]] = []
    while not engine.is_over:
        node = engine.node
        if engine.can_continue:
            continuation = engine.continuation()
            if continuation is not None and continuation[1] is not None:
                taken.append((node.id, _position(node.choices, continuation[1])))
            engine.proceed()
            continue
        if not pending:
            break
        number = pending.pop(0)
        views = engine.choices()
        if 1 <= number <= len(views):
            taken.append((node.id, _position(node.choices, views[number - 1].choice)))
        engine.choose(number)
    return Played(engine, pending, list(engine.state.path), taken)


def _position(choices: tuple[Choice, ...], choice: Choice) -> int:
    return next(i for i, c in enumerate(choices) if c is choice)

"""Starting a game: new, from a save, at a node (--start), with variables set (--set), or from a replay.

One sequence for text mode, the window, soak and explore, so `--start x --set y=1` means the same
everywhere. Every problem is a LaunchError whose message names what to fix.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..story.diagnostics import did_you_mean, excerpt
from ..story.model import Story, Value
from .engine import Engine, EngineError
from .replay import Replay, ReplayError, check_story, read_replay
from .saves import SaveError, SaveStore


class LaunchError(Exception):
    """Bad launch options or an unusable save or replay: the front-end prints it (usage error, exit 2)."""


@dataclass
class Launch:
    """What the front-end needs to begin: the engine, and where it came from."""
    engine: Engine
    replay: Replay | None = None  # choices still to play, when started from a replay file
    play_time: float = 0.0  # seconds already played, for a loaded save
    notes: list[str] = field(default_factory=list)  # things the player should know (a save carried over)
    loaded: bool = False
    # a replay or a warp (--start, --set) plays on throwaway state: it never writes the autosave or progress
    throwaway: bool = False


@dataclass
class LaunchOptions:
    start: str | None = None
    seed: int | None = None
    load: str | None = None
    replay: str | None = None  # path of a replay file
    assignments: Sequence[str] = ()  # 'name=value' for --set

    @property
    def any(self) -> bool:
        """Did the player ask for anything beyond a fresh game from the beginning?"""
        return bool(self.start or self.load or self.replay or self.assignments or self.seed is not None)


def parse_assignment(story: Story, text: str) -> tuple[str, Value]:
    """'name=value' for --set, typed by the variable's declaration."""
    name, sep, raw = text.partition("=")
    name, raw = name.strip(), raw.strip()
    if not sep or not name:
        raise LaunchError(f"--set expects name=value, got '{text}'")
    var = story.variables.get(name)
    if var is None:
        raise LaunchError(f"--set: no variable '{name}'{did_you_mean(name, story.variables)}")
    if var.type == "bool":
        if raw.lower() not in ("true", "false"):
            raise LaunchError(f"--set: '{name}' is true or false, not '{excerpt(raw, 40)}'")
        return name, raw.lower() == "true"
    if var.type == "int":
        try:
            return name, int(raw)
        except ValueError:
            raise LaunchError(f"--set: '{name}' is a whole number, not '{excerpt(raw, 40)}'") from None
    return name, raw.strip("'\"")


def launch(story: Story, saves: SaveStore, options: LaunchOptions) -> Launch:
    """The game the options ask for. Raises LaunchError."""
    try:
        if options.replay:
            replay = read_replay(options.replay)
            check_story(replay, story, options.replay)
            started = Launch(Engine(story, seed=replay.seed, start=options.start), replay=replay)
        elif options.load:
            loaded = saves.load(options.load)
            started = Launch(Engine(story, loaded.state), play_time=loaded.info.play_time, notes=list(loaded.notes),
                             loaded=True)
        else:
            started = Launch(Engine(story, seed=options.seed, start=options.start))
        for assignment in options.assignments:
            name, value = parse_assignment(story, assignment)
            started.engine.set_variable(name, value)
    except (ReplayError, SaveError, EngineError) as err:
        raise LaunchError(str(err)) from None
    started.throwaway = bool(options.replay or options.start or options.assignments)
    return started

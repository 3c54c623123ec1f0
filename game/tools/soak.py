"""Soak test: seeded random playthroughs mixing saves, loads and rollbacks, checking the engine's
invariants after every action. Any problem becomes a replay file that reproduces it.

Invariants checked at every step:
- the state survives a JSON round trip, and an engine built from the copy shows the same lines and choices;
- choices() agrees with the explorer's model of the rules (numbering, enabled, what proceed() follows),
  never offers a once-only choice again and never lists a choice whose condition is false as enabled;
- rollback restores the earlier state exactly; a save loads back to the same state;
- the player is never stuck on a node that is not an ending.
"""
from __future__ import annotations

import json
import os
import random
import tempfile
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..explore import CompiledStory
from ..runtime.engine import ROLLBACK_LIMIT, Engine
from ..runtime.replay import Replay
from ..runtime.saves import SaveStore
from ..runtime.state import GameState
from ..runtime.storage import write_json_atomic
from ..story import expr
from ..story.model import Choice, Story

SLOTS = ("1", "2", "quick")
ROLLBACK, SAVE, LOAD = 0.06, 0.02, 0.02  # how often a step is one of these instead of playing on (a save fsyncs)


class Found(Exception):
    """An invariant failed or the engine crashed: kind is crash | invariant | disagreement | stuck."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class Problem:
    walk: int
    seed: int
    kind: str
    message: str
    node: str
    choices: list[int]  # the effective choices: a plain replay of them reaches the same place
    actions: list[list]  # every action of the walk, to reproduce it exactly (soak --replay)
    file: str | None = None

    def replay_data(self, story_id: str) -> dict[str, Any]:
        data = Replay(story_id, self.seed, self.choices).to_dict()
        data["soak"] = {"walk": self.walk, "kind": self.kind, "message": self.message, "node": self.node,
                        "actions": self.actions}
        return data


@dataclass
class SoakResult:
    walks: int = 0
    steps: int = 0
    endings: Counter = field(default_factory=Counter)
    unfinished: int = 0  # walks that hit the step limit (long loops), not a failure
    problems: list[Problem] = field(default_factory=list)


def _shown(views: list) -> list[tuple[int, str, bool, str]]:
    return [(v.number, v.text, v.enabled, v.reason) for v in views]


class Run:
    """One playthrough under test. `act` performs an action and checks everything afterwards."""

    def __init__(self, story: Story, model: CompiledStory, seed: int, folder: str):
        self.story = story
        self.model = model
        self.seed = seed
        self.saves = SaveStore(folder, story)
        self.saved: dict[str, dict] = {}
        self.actions: list[list] = []
        self.pending: tuple[int, int] | None = None  # (choice number, log length) while choose() runs
        self.enabled: list[int] = []  # what check() saw last, for choosing the next action
        self.can_continue = False
        self.menu: tuple[list, Any] | None = None  # the explorer's menu for the state check() saw last
        self.engine = self._guard(lambda: Engine(story, seed=seed))
        self.snapshots: list[dict] = [self.engine.state.to_dict()]
        self.check()

    @staticmethod
    def _guard(call: Callable[[], Any]) -> Any:
        try:
            return call()
        except Found:
            raise
        except Exception as err:  # the engine crashed: that is what we are looking for
            frame = traceback.extract_tb(err.__traceback__)[-1]
            where = f"{os.path.relpath(frame.filename)}:{frame.lineno}"
            raise Found("crash", f"{type(err).__name__}: {err} (at {where})") from None

    # ------------------------------------------------------------ the invariants

    def check(self) -> dict[str, Any]:
        """Check every invariant of the current state; returns the state as data."""
        engine, state = self.engine, self.engine.state
        data = state.to_dict()
        back = GameState.from_dict(json.loads(json.dumps(data)))
        if back.to_dict() != data:
            raise Found("invariant", "the state changes when written to JSON and read back")
        copy = self._guard(lambda: Engine(self.story, back))
        views = self._guard(engine.choices)
        can_continue = self._guard(lambda: engine.can_continue)
        if _shown(self._guard(copy.choices)) != _shown(views) or copy.lines != engine.lines \
                or self._guard(lambda: copy.can_continue) != can_continue:
            raise Found("invariant", "an engine restored from the JSON state shows something else")
        self.menu = None
        if engine.is_over:
            return data
        node = engine.node
        expected, follow = self.menu = self.model.concrete_menu(
            state.node, state.variables, state.visits, state.once_taken, state.seed, state.steps, state.stack)
        shown = [(v.choice, v.enabled) for v in views]
        if [(id(c), ok) for c, ok in expected] != [(id(c), ok) for c, ok in shown]:
            raise Found("disagreement", f"at '{node.id}' the engine offers {_describe(shown)}, "
                                        f"the explorer's rules say {_describe(expected)}")
        if (follow is not None) != can_continue:
            raise Found("disagreement", f"at '{node.id}' can_continue is {can_continue}, the explorer's "
                                        f"rules say {'it can' if follow is not None else 'it cannot'}")
        for choice, enabled in shown:
            if enabled and choice.once and choice.id in state.once_taken:
                raise Found("invariant", f"once-only choice '{choice.text}' at '{node.id}' is offered again")
            if choice.condition is not None and not expr.uses_chance(choice.condition.ast):
                holds = bool(expr.evaluate(choice.condition.ast, _StateContext(state)))
                if enabled and not holds:
                    raise Found("invariant", f"choice '{choice.text}' at '{node.id}' is enabled but "
                                             f"'{choice.condition.source}' is false")
                if not enabled and holds:
                    raise Found("invariant", f"choice '{choice.text}' at '{node.id}' is disabled but "
                                             f"'{choice.condition.source}' holds")
        if not can_continue and not any(v.enabled for v in views):
            raise Found("stuck", "no choice is available and nothing follows")
        self.enabled = [v.number for v in views if v.enabled]
        self.can_continue = can_continue
        return data

    # ------------------------------------------------------------ actions

    def act(self, action: list) -> None:
        self.actions.append(action)
        kind = action[0]
        if kind == "play":
            self._play(int(action[1]))
        elif kind == "rollback":
            self._rollback(int(action[1]))
        elif kind == "save":
            self._save(str(action[1]))
        elif kind == "load":
            self._load(str(action[1]))
        else:
            raise ValueError(f"unknown soak action {action!r}")
        data = self.check()
        if kind == "play":  # the state after a step is the one a later rollback must restore
            self.snapshots.append(data)
            del self.snapshots[:-ROLLBACK_LIMIT - 1]

    def _play(self, number: int) -> None:
        """number 0: proceed(); otherwise choose(number)."""
        engine, state = self.engine, self.engine.state
        expected, follow = self.menu or self.model.concrete_menu(  # check() saw this very state last
            state.node, state.variables, state.visits, state.once_taken, state.seed, state.steps, state.stack)
        if number == 0:
            target = follow.destination if isinstance(follow, Choice) else follow
            self._guard(engine.proceed)
        else:
            target = expected[number - 1][0].destination if 0 < number <= len(expected) else None
            self.pending = (number, len(state.choice_log))
            self._guard(lambda: engine.choose(number))
            self.pending = None
        if engine.state.node != target:
            raise Found("disagreement", f"went to '{engine.state.node}', the explorer's rules say '{target}'")

    def _rollback(self, steps: int) -> None:
        for _ in range(steps):
            if not self.engine.can_rollback:
                return
            self._guard(self.engine.rollback)
            self.snapshots.pop()
            if self.engine.state.to_dict() != self.snapshots[-1]:
                raise Found("invariant", "rollback did not restore the earlier state exactly")

    def _save(self, slot: str) -> None:
        self._guard(lambda: self.saves.save(slot, self.engine))
        loaded = self._guard(lambda: self.saves.load(slot))
        if loaded.state.to_dict() != self.engine.state.to_dict():
            raise Found("invariant", f"save slot {slot} loads back a different state")
        self.saved[slot] = self.engine.state.to_dict()

    def _load(self, slot: str) -> None:
        loaded = self._guard(lambda: self.saves.load(slot))
        if loaded.state.to_dict() != self.saved.get(slot):
            raise Found("invariant", f"save slot {slot} loads a state it was not saved with")
        self.engine = self._guard(lambda: Engine(self.story, loaded.state))
        self.snapshots = [self.engine.state.to_dict()]

    # ------------------------------------------------------------ choosing at random

    def random_action(self, rng: random.Random) -> list:
        roll = rng.random()
        if roll < ROLLBACK and self.engine.can_rollback:
            return ["rollback", rng.randint(1, 3)]
        if roll < ROLLBACK + SAVE:
            return ["save", rng.choice(SLOTS)]
        if roll < ROLLBACK + SAVE + LOAD and self.saved:
            return ["load", rng.choice(sorted(self.saved))]
        if self.can_continue:
            return ["play", 0]
        return ["play", rng.choice(self.enabled)]


class _StateContext:
    def __init__(self, state: GameState):
        self.state = state

    def var(self, name: str):
        return self.state.variables[name]

    def visits(self, node: str) -> int:
        return self.state.visits.get(node, 0)

    def chance(self, percent: int) -> bool:
        raise AssertionError("chance() is only evaluated through the engine")


# action kind -> what its argument is; a soak replay's actions are checked against this before a run
ACTIONS: dict[str, tuple[type, int]] = {"play": (int, 0), "rollback": (int, 1), "save": (str, 0), "load": (str, 0)}
MAX_ACTION_NUMBER = 1000


def actions_problem(actions: Any) -> str:
    """Why a recorded list of actions is not one a soak could have written ('' when it is)."""
    if not isinstance(actions, list):
        return "'actions' is not a list"
    for number, action in enumerate(actions, 1):
        ok = isinstance(action, list) and len(action) == 2 and isinstance(action[0], str) and action[0] in ACTIONS
        if ok:
            kind, low = ACTIONS[action[0]]
            value = action[1]
            if kind is str:
                ok = isinstance(value, str)
            else:
                ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= MAX_ACTION_NUMBER
        if not ok:
            shown = repr(action)
            return f"action {number} ({shown[:40] + '...' if len(shown) > 40 else shown}) is not " \
                   "['play', N], ['rollback', N], ['save', SLOT] or ['load', SLOT]"
    return ""


def _describe(views: list[tuple[Choice, bool]]) -> str:
    return "[" + ", ".join(f"{i}. {c.text or '(silent)'}{'' if ok else ' (disabled)'}"
                           for i, (c, ok) in enumerate(views, 1)) + "]"


def _scratch_root() -> str | None:
    """Where the soak's throwaway save slots go: memory (/dev/shm) where there is one, so the fsync of
    every save is cheap; else the usual temporary folder. The saves are read back, never kept."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def walk_seed(seed: int, walk: int) -> int:
    return random.Random(f"soak:{seed}:{walk}").randrange(2 ** 31)


def soak(story: Story, walks: int, seed: int, max_steps: int = 2000, folder: str | None = None,
         on_problem: Callable[[Problem], None] | None = None) -> SoakResult:
    """Play `walks` seeded random playthroughs; problems are returned (and passed to on_problem)."""
    model = CompiledStory(story)
    result = SoakResult()
    with tempfile.TemporaryDirectory(prefix="her-soak-", dir=_scratch_root()) as scratch:
        for walk in range(walks):
            rng = random.Random(f"soak-actions:{seed}:{walk}")
            engine_seed = walk_seed(seed, walk)
            run: Run | None = None
            try:
                run = Run(story, model, engine_seed, folder or os.path.join(scratch, str(walk)))
                for _ in range(max_steps):
                    if run.engine.is_over:
                        break
                    run.act(run.random_action(rng))
                    result.steps += 1
                if run.engine.is_over:
                    result.endings[run.engine.state.ending] += 1
                else:
                    result.unfinished += 1
            except Found as found:
                problem = _problem(walk, engine_seed, found, run)
                result.problems.append(problem)
                if on_problem:
                    on_problem(problem)
            result.walks += 1
    return result


def _problem(walk: int, seed: int, found: Found, run: Run | None) -> Problem:
    if run is None:  # the very first node failed
        return Problem(walk, seed, found.kind, found.message, "", [], [])
    choices = list(run.engine.state.choice_log)
    if run.pending is not None and len(choices) == run.pending[1]:
        choices.append(run.pending[0])  # the choice that crashed before the engine logged it
    return Problem(walk, seed, found.kind, found.message, run.engine.state.node, choices, list(run.actions))


def reproduce(story: Story, seed: int, actions: list[list]) -> Problem | None:
    """Run a recorded walk again; the problem it ends with, or None when it now passes."""
    with tempfile.TemporaryDirectory(prefix="her-soak-") as scratch:
        run: Run | None = None
        try:
            run = Run(story, CompiledStory(story), seed, scratch)
            for action in actions:
                run.act(action)
        except Found as found:
            return _problem(0, seed, found, run)
    return None


def write_problem(problem: Problem, story_id: str, folder: str) -> str:
    path = os.path.join(folder, f"soak_{problem.seed}_{problem.kind}.json")
    write_json_atomic(path, problem.replay_data(story_id))
    problem.file = path
    return path


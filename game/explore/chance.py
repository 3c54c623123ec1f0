"""chance() explored both ways: roll ranges, tapes of outcomes, seeds that meet them."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..story.functions import chance_roll

DEFAULT_SEED_TRIES = 50_000


@dataclass(frozen=True)
class Requirement:
    """The engine's roll for chance() call `call` under `tag` at step `steps` must be in [low, high)."""
    steps: int
    tag: str
    call: int
    low: int
    high: int

    def met_by(self, seed: int) -> bool:
        return self.low <= chance_roll(seed, self.steps, self.tag, self.call) < self.high

    def to_dict(self) -> dict[str, Any]:
        return {"steps": self.steps, "tag": self.tag, "call": self.call, "low": self.low, "high": self.high}


def find_seed(requirements: list[Requirement], tries: int = DEFAULT_SEED_TRIES) -> int | None:
    """The smallest seed in [0, tries) whose rolls meet every requirement; None if there is none."""
    if not requirements:
        return 0
    ordered = sorted(requirements, key=lambda r: r.high - r.low)  # the rarest roll rejects fastest
    for seed in range(tries):
        if all(r.met_by(seed) for r in ordered):
            return seed
    return None


def no_chance(percent: int) -> bool:
    raise AssertionError("chance() in an expression compiled as chance-free")


def nothing() -> None:
    pass


def outcomes(run: Callable[[Callable[[int], bool], Callable[[], None]], Any]) -> Iterator[tuple[Any, tuple]]:
    """Run `run(chance, restart)` under every distinct sequence of chance() results.

    Yields (result, tape); tape[i] is the roll range [low, high) call i + 1 needed. `restart` makes
    the next call read the tape from its start again: the engine evaluates silent fallbacks with a
    fresh context of the same tag and step, so its calls see the same rolls as choices() saw.
    """
    stack: list[tuple] = [()]
    while stack:
        tape = list(stack.pop())
        pos = 0

        def chance(percent: int) -> bool:
            nonlocal pos
            i = pos
            pos += 1
            if i == len(tape):
                tape.append((0, 100))
            low, high = tape[i]
            if high <= percent:
                return True
            if low >= percent:
                return False
            stack.append(tuple(tape[:i]) + ((percent, high),) + tuple(tape[i + 1:]))
            tape[i] = (low, percent)
            return True

        def restart() -> None:
            nonlocal pos
            pos = 0

        result = run(chance, restart)
        yield result, tuple(tape)


def tape_probability(tape: tuple) -> float:
    p = 1.0
    for low, high in tape:
        p *= (high - low) / 100
    return p


def tape_needs(tag: str, offset: int, tape: tuple) -> tuple:
    """(step offset, tag, call, low, high) for every call whose roll is constrained."""
    if not tape:
        return ()
    return tuple((offset, tag, i + 1, low, high) for i, (low, high) in enumerate(tape) if (low, high) != (0, 100))


def merge_outcome(groups: dict[tuple, list], signature: tuple, value: Any, needs: tuple, p: float) -> None:
    """Collect chance outcomes that end the same way: their probabilities add up."""
    group = groups.get(signature)
    if group is None:
        groups[signature] = [value, needs, p, p]
    else:
        group[2] += p
        if p > group[3]:
            group[1], group[3] = needs, p


def merged_outcomes(groups: dict[tuple, list]) -> Iterator[tuple[Any, tuple, float]]:
    """(value, roll needs, probability) per group. A group every roll leads to needs nothing; otherwise
    the needs of its likeliest outcome are sufficient (if stricter than necessary)."""
    for value, needs, total, _ in groups.values():
        if total >= 1 - 1e-9:
            yield value, (), 1.0
        else:
            yield value, needs, total


class EngineRolls:
    """chance() as the engine decides it for one (seed, step, tag): for checking the model against it."""

    def __init__(self, seed: int, steps: int, tag: str):
        self.seed, self.steps, self.tag, self.calls = seed, steps, tag, 0

    def __call__(self, percent: int) -> bool:
        self.calls += 1
        return chance_roll(self.seed, self.steps, self.tag, self.calls) < percent

    def restart(self) -> None:
        self.calls = 0

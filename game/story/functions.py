"""The expression language's functions, declared once: name, parameters, result, how the engine
evaluates a call, how the explorer compiles it, and the line docs/format.md shows for it.

The parser, the type checker, the evaluator and the explorer all read this table, so a function added
here is known everywhere (a test checks each is documented and compiled).
"""
from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

Value = bool | int | str
Compiled = Callable[[list, Callable[[int], bool]], Value]  # (slot values, chance) -> value, in the explorer


class Context(Protocol):
    """What evaluating an expression may ask of the game state."""
    def var(self, name: str) -> Value: ...
    def visits(self, node: str) -> int: ...
    def chance(self, percent: int) -> bool: ...


@dataclass(frozen=True)
class Function:
    name: str
    params: tuple[str, ...]  # 'int' (any int expression) or 'node' (a node id, written bare)
    result: str  # 'int' | 'bool'
    evaluate: Callable[[Context, Sequence], Value]  # args: ints, or node ids for 'node' params
    # args: compiled closures, or node ids for 'node' params; visit_slot(node id) -> slot index
    compile: Callable[[Sequence, Callable[[str], int]], Compiled]
    doc: str  # the meaning, as docs/format.md states it
    example: str
    arg_names: tuple[str, ...] = ()  # how the docs name the parameters (default a, b, ...; node for a node)

    @property
    def signature(self) -> str:
        """How docs/format.md writes a call: `visits(node)`, `min(a, b)`."""
        letters = iter("abcdefgh")
        names = self.arg_names or tuple("node" if p == "node" else next(letters) for p in self.params)
        return f"{self.name}({', '.join(names)})"

    def doc_row(self) -> str:
        """This function's row in the expression table of docs/format.md."""
        return f"| `{self.signature}` | {self.result}: {self.doc}; e.g. `{self.example}` |"


def chance_roll(seed: int, steps: int, tag: str, call: int) -> int:
    """The roll behind chance(): true when roll < percent. The engine rolls it and the explorer
    predicts it, both through this one function."""
    return random.Random(f"{seed}:{steps}:{tag}:{call}").randrange(100)


def _visits(args: Sequence, visit_slot: Callable[[str], int]) -> Compiled:
    slot = visit_slot(args[0])
    return lambda vals, ch: vals[slot]


def _seen(args: Sequence, visit_slot: Callable[[str], int]) -> Compiled:
    slot = visit_slot(args[0])
    return lambda vals, ch: vals[slot] > 0


def _chance(args: Sequence, visit_slot: Callable[[str], int]) -> Compiled:
    percent = args[0]
    return lambda vals, ch: ch(int(percent(vals, ch)))


def _min(args: Sequence, visit_slot: Callable[[str], int]) -> Compiled:
    a, b = args
    return lambda vals, ch: min(a(vals, ch), b(vals, ch))


def _max(args: Sequence, visit_slot: Callable[[str], int]) -> Compiled:
    a, b = args
    return lambda vals, ch: max(a(vals, ch), b(vals, ch))


FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    Function("visits", ("node",), "int", lambda ctx, args: ctx.visits(args[0]), _visits,
             "how many times the player has entered `node` in this playthrough", "visits(ch04_mail) >= 2"),
    Function("seen", ("node",), "bool", lambda ctx, args: ctx.visits(args[0]) > 0, _seen,
             "`visits(node) > 0`", "seen(ch04_mail)"),
    Function("chance", ("int",), "bool", lambda ctx, args: ctx.chance(int(args[0])), _chance,
             "true with probability `p` percent (0–100), decided by the playthrough's seed, so a replay with "
             "the same seed decides the same way", "chance(30)", ("p",)),
    Function("min", ("int", "int"), "int", lambda ctx, args: min(args[0], args[1]), _min,
             "the smaller of two numbers", "min(trust, 5)"),
    Function("max", ("int", "int"), "int", lambda ctx, args: max(args[0], args[1]), _max,
             "the larger of two numbers", "max(trust - 1, 0)"),
)}

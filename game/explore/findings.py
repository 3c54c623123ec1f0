"""What an exploration reports: witnesses, endings, soft-locks, traps, dead choices, unreached nodes."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .chance import Requirement
from .text import DeadText


@dataclass
class Witness:
    """A way to get somewhere: the visible choice numbers a replay types, and what it needs of chance()."""
    choices: list[int]
    path: list[str]  # node ids entered, the start first
    taken: list[tuple[str, int]]  # (node id, choice position) of every choice taken, silent fallbacks included
    requirements: list[Requirement]
    probability: float
    seed: int | None = None  # a seed whose rolls follow this path; None when the search found none
    shortest: bool = True  # False when the search gave up proving it shortest
    final: tuple = field(default=(), repr=False)  # the (merged) state it ends in

    @property
    def needs_chance(self) -> bool:
        return bool(self.requirements)

    def to_dict(self) -> dict[str, Any]:
        return {"choices": self.choices, "path": self.path, "seed": self.seed, "probability": self.probability,
                "needs_chance": self.needs_chance, "shortest": self.shortest, "requirements": [r.to_dict() for r in self.requirements]}


@dataclass
class EndingReach:
    id: str
    title: str
    reachable: bool | None  # None: not found before the state limit
    witness: Witness | None
    paths: int  # 0, 1, or 2 for "more than one"
    nodes: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "reachable": self.reachable, "witness": self.witness.choices if self.witness else None,
                "seed": self.witness.seed if self.witness else None,
                "detail": self.witness.to_dict() if self.witness else None,
                "single_path": self.paths == 1, "nodes": self.nodes}


@dataclass
class SoftLock:
    node: str
    where: str
    witness: Witness
    shown: list[str]  # the disabled choices shown there, if any

    def to_dict(self) -> dict[str, Any]:
        return {"node": self.node, "where": self.where, "witness": self.witness.choices, "seed": self.witness.seed,
                "path": self.witness.path, "shown": self.shown, "detail": self.witness.to_dict()}


@dataclass
class Trap:
    nodes: list[str]
    entry: str
    where: str
    witness: Witness

    def to_dict(self) -> dict[str, Any]:
        return {"nodes": self.nodes, "entry": self.entry, "where": self.where, "witness": self.witness.choices,
                "seed": self.witness.seed, "path": self.witness.path, "detail": self.witness.to_dict()}


@dataclass
class DeadChoice:
    node: str
    position: int
    id: str
    text: str
    condition: str
    where: str
    reason: str  # "never true" | "never offered"

    def to_dict(self) -> dict[str, Any]:
        return {"node": self.node, "position": self.position, "id": self.id, "text": self.text,
                "condition": self.condition, "where": self.where, "reason": self.reason}


@dataclass
class UnreachedNode:
    node: str
    where: str
    linked: bool  # reachable by links alone: only state keeps the player out

    def to_dict(self) -> dict[str, Any]:
        return {"node": self.node, "where": self.where, "linked": self.linked}


@dataclass
class VariableUse:
    name: str
    where: str
    reads: int
    sets: int
    finding: str | None  # "never read" | "read but never set" | None

    def to_dict(self) -> dict[str, Any]:
        return {"where": self.where, "reads": self.reads, "sets": self.sets, "finding": self.finding}


@dataclass
class Exploration:
    story: str
    endings: dict[str, EndingReach]
    softlocks: list[SoftLock]
    traps: list[Trap]
    dead_choices: list[DeadChoice]
    unreached_nodes: list[UnreachedNode]
    variables: dict[str, VariableUse]
    states: int
    complete: bool
    max_states: int
    stopped: str = ""  # why it is incomplete
    dead_text: list[DeadText] = field(default_factory=list)  # text no reachable state shows
    text_unjudged: list[str] = field(default_factory=list)  # nodes whose text had too many states to judge
    text_judged: bool = False  # dead_text was looked for (explore --text, and the exploration finished)

    @property
    def problems(self) -> bool:
        """What makes `explore` exit 1: an ending not shown reachable, or a soft-lock."""
        return bool(self.softlocks) or any(e.reachable is not True for e in self.endings.values())

    def to_dict(self) -> dict[str, Any]:
        """Exactly the issue's keys; single paths are each ending's "single_path", and the reason an
        incomplete exploration stopped is in the text report."""
        return {
            "endings": {k: v.to_dict() for k, v in self.endings.items()},
            "softlocks": [s.to_dict() for s in self.softlocks],
            "traps": [t.to_dict() for t in self.traps],
            "dead_choices": [d.to_dict() for d in self.dead_choices],
            "unreached_nodes": [u.to_dict() for u in self.unreached_nodes],
            "variables": {k: v.to_dict() for k, v in self.variables.items()},
            "states": self.states, "complete": self.complete,
        } | ({"dead_text": [d.to_dict() for d in self.dead_text]} if self.text_judged else {})

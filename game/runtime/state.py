"""GameState: everything that changes during a playthrough, as plain data."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..story.model import Story, Value

STATE_VERSION = 1


@dataclass
class GameState:
    node: str
    variables: dict[str, Value]
    seed: int
    visits: dict[str, int] = field(default_factory=dict)
    once_taken: set[str] = field(default_factory=set)
    steps: int = 0
    choice_log: list[int] = field(default_factory=list)  # visible choice numbers, 1-based
    path: list[str] = field(default_factory=list)  # node ids in the order they were entered
    scene: dict[str, str | None] = field(default_factory=dict)
    ending: str | None = None
    # format 2: the taken choice's echo, shown first on this node: [speaker, text, [[run, style], ...]]
    echo: list[list[Any]] = field(default_factory=list)
    # format 2: the variables as this node's text began, when effects between its passages changed them since
    text_vars: dict[str, Value] | None = None
    # format 2: where each called scene comes back to, innermost last
    stack: list[str] = field(default_factory=list)

    @classmethod
    def new(cls, story: Story, seed: int) -> GameState:
        return cls(node=story.start, variables={n: v.default for n, v in story.variables.items()}, seed=seed)

    def seen(self, node: str) -> bool:
        return self.visits.get(node, 0) > 0

    def copy(self) -> GameState:
        # every value inside is immutable, so copying the containers is a full copy (and far faster than deepcopy)
        return GameState(node=self.node, variables=dict(self.variables), seed=self.seed, visits=dict(self.visits),
                         once_taken=set(self.once_taken), steps=self.steps, choice_log=list(self.choice_log),
                         path=list(self.path), scene=dict(self.scene), ending=self.ending, echo=list(self.echo),
                         text_vars=dict(self.text_vars) if self.text_vars is not None else None,
                         stack=list(self.stack))

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION, "node": self.node, "variables": dict(self.variables), "seed": self.seed,
            "visits": dict(self.visits), "once_taken": sorted(self.once_taken), "steps": self.steps,
            "choice_log": list(self.choice_log), "path": list(self.path), "scene": dict(self.scene),
            "ending": self.ending, "echo": [list(e) for e in self.echo], "text_vars": self.text_vars,
            "stack": list(self.stack),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GameState:
        """Raises ValueError with a readable message when the data is not a state."""
        try:
            state = cls(
                node=str(data["node"]), variables=dict(data["variables"]), seed=int(data["seed"]),
                visits={str(k): int(v) for k, v in dict(data.get("visits", {})).items()},
                once_taken={str(x) for x in data.get("once_taken", [])}, steps=int(data.get("steps", 0)),
                choice_log=[int(x) for x in data.get("choice_log", [])],
                path=[str(x) for x in data.get("path", [])],
                scene={str(k): (None if v is None else str(v)) for k, v in dict(data.get("scene", {})).items()},
                ending=None if data.get("ending") is None else str(data["ending"]),
                echo=[_echo_line(e) for e in data.get("echo") or []],
                text_vars=None if data.get("text_vars") is None else dict(data["text_vars"]),
                stack=[_node_id(x) for x in data.get("stack") or []],
            )
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise ValueError(f"the saved game state is incomplete ({err.__class__.__name__}: {err})") from None
        for name, value in list(state.variables.items()) + list((state.text_vars or {}).items()):
            if not isinstance(value, (bool, int, str)):
                raise ValueError(f"variable '{name}' holds {type(value).__name__}, not bool, int or str")
        return state


def _node_id(data: Any) -> str:
    if not isinstance(data, str):
        raise ValueError(f"the call stack holds {type(data).__name__}, not a node id")
    return data


def _echo_line(data: Any) -> list[Any]:
    speaker, text, runs = data
    return [str(speaker), str(text), [[str(t), str(s)] for t, s in runs]]

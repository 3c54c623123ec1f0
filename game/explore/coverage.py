"""Coverage of nodes and choices by playthroughs, and the size of the tracked abstraction."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..story.model import Story
from .compiled import CompiledStory
from .observations import Observations


@dataclass
class Coverage:
    nodes: int
    choices: int
    covered_nodes: set[str]
    covered_choices: set[tuple[str, int]]

    def to_dict(self) -> dict[str, Any]:
        return {"nodes": len(self.covered_nodes), "of_nodes": self.nodes,
                "choices": len(self.covered_choices), "of_choices": self.choices}


def coverage(story: Story, runs: list[tuple[list[str], list[tuple[str, int]]]]) -> Coverage:
    """Nodes and choices covered by playthroughs, each given as (node ids entered, (node, position) taken)."""
    nodes: set[str] = set()
    choices: set[tuple[str, int]] = set()
    for path, taken in runs:
        nodes |= {n for n in path if n in story.nodes}
        choices |= {t for t in taken if t[0] in story.nodes}
    return Coverage(len(story.nodes), sum(len(n.choices) for n in story.nodes.values()), nodes, choices)


def tracked_summary(story: Story) -> dict[str, Any]:
    """How small the abstraction keeps states: per node, how many slots are tracked (for reports and benches)."""
    model = CompiledStory(story)
    obs = Observations(model)
    sizes = [len(a) for a in obs.at]
    return {"slots": len(model.slots), "max_tracked": max(sizes, default=0),
            "mean_tracked": round(sum(sizes) / len(sizes), 2) if sizes else 0.0}

"""What the player can read: text no reachable state shows (dead text), and the distinct renderings of
a node's text (variants), from the states the search reached with the text's reads kept apart.

Judged per node on the projection of its reachable states onto the slots its text reads: a passage
whose condition never holds, a branch of woven text never taken, a variation option never reached
(sequences, cycles and once-only go by the node's visits; a shuffle can show any option). Nodes with
effects between their passages are left out: their earlier passages read values the node's state no
longer holds.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..story import expr, weave
from ..story.model import Node, Passage, Value
from ..story.textpos import locate
from .compiled import CompiledStory
from .diagrams import DD

MAX_PROJECTED = 50_000  # distinct text-relevant states of one node judged before giving up on it


@dataclass(frozen=True)
class DeadText:
    node: str
    where: str
    kind: str  # "passage" | "branch" | "option"
    text: str  # the words that never show, shortened

    def to_dict(self) -> dict[str, Any]:
        return {"node": self.node, "where": self.where, "kind": self.kind, "text": self.text}


class _Projected:
    """An expression context over one projected state."""

    def __init__(self, model: CompiledStory, levels: dict[int, int], values: tuple):
        self.m, self.levels, self.values = model, levels, values

    def var(self, name: str) -> Value:
        return self.values[self.levels[self.m.var_slot[name]]]

    def visits(self, node: str) -> int:
        slot = self.m.visit_slot.get(node)
        return int(self.values[self.levels[slot]]) if slot is not None and slot in self.levels else 0

    def chance(self, percent: int) -> bool:
        raise _Undecided


class _Undecided(Exception):
    """chance() in text: either way is possible, nothing in it is judged dead."""


def dead_text(model: CompiledStory, dd: DD, reached: list[int]) -> tuple[list[DeadText], list[str]]:
    """(dead text, ids of nodes too varied to judge)."""
    shown_in: dict[str, set[tuple]] = {}  # a scene called from several places: shown in any of them counts
    skipped: list[str] = []
    for cnode in model.nodes:
        node = cnode.node
        if not reached[cnode.idx] or not model.text_reads[cnode.idx] or any(p.effects for p in node.passages) \
                or node.id in skipped:
            continue
        shown = _shown_parts(model, dd, reached[cnode.idx], cnode.idx, node)
        if shown is None:
            skipped.append(node.id)
            continue
        shown_in.setdefault(node.id, set()).update(shown)
    found: list[DeadText] = []
    for node_id, shown in shown_in.items():
        if node_id not in skipped:
            found += _never_shown(model.story.nodes[node_id], shown)
    return found, skipped


def _shown_parts(model: CompiledStory, dd: DD, states: int, n: int, node: Node) -> set[tuple] | None:
    slots = sorted({s for ast in model.text_reads[n] for s in model._facts(ast)})
    projected = dd.project(states, tuple(slots))
    if len(projected) > MAX_PROJECTED:
        return None
    levels = {slot: i for i, slot in enumerate(slots)}
    shown: set[tuple] = set()
    for values in projected:
        ctx = _Projected(model, levels, values)
        visits = ctx.visits(node.id) or 1
        for i, passage in enumerate(node.passages):
            try:
                if passage.condition is not None and not expr.evaluate(passage.condition.ast, ctx):
                    continue
            except _Undecided:
                pass
            shown.add((i,))
            if passage.woven is not None:
                _trace(passage.woven.segments, (i,), ctx, visits, shown)
    return shown


def _trace(segments: weave.Segments, at: tuple, ctx: _Projected, visits: int, shown: set[tuple]) -> None:
    for k, seg in enumerate(segments):
        if isinstance(seg, weave.Cond):
            for b, branch in enumerate(seg.branches):
                try:
                    holds = branch.condition is None or bool(expr.evaluate(branch.condition, ctx))
                except _Undecided:
                    holds = None  # could go either way: this branch shows, and the later ones may too
                if holds is not False:
                    shown.add(at + (k, b))
                    _trace(branch.body, at + (k, b), ctx, visits, shown)
                if holds:
                    break
        elif isinstance(seg, weave.Vary):
            options = range(len(seg.options)) if seg.kind == "shuffle" else [weave.pick(seg, visits, "")]
            for o in options:
                if o is not None:
                    shown.add(at + (k, o))
                    _trace(seg.options[o], at + (k, o), ctx, visits, shown)


def _never_shown(node: Node, shown: set[tuple]) -> Iterator[DeadText]:
    for i, passage in enumerate(node.passages):
        if passage.effects:
            continue
        if (i,) not in shown:
            yield DeadText(node.id, str(passage.where), "passage", _excerpt(passage.text))
        elif passage.woven is not None:
            yield from _dead_parts(node, passage, passage.woven.segments, (i,), shown)


def _dead_parts(node: Node, passage: Passage, segments: weave.Segments, at: tuple, shown: set[tuple]
                ) -> Iterator[DeadText]:
    anchor = passage.value_at or passage.where
    for k, seg in enumerate(segments):
        if isinstance(seg, weave.Cond):
            parts = [(branch.pos, branch.body, "branch", branch.source) for branch in seg.branches]
        elif isinstance(seg, weave.Vary):
            parts = [(pos, option, "option", "") for pos, option in zip(seg.option_pos, seg.options)]
        else:
            continue
        for b, (pos, body, kind, source) in enumerate(parts):
            if at + (k, b) in shown:
                yield from _dead_parts(node, passage, body, at + (k, b), shown)
            else:
                words = _excerpt(_words(body)) or "(nothing)"
                label = f"{source} => {words}" if kind == "branch" and source != words else words
                yield DeadText(node.id, str(locate(anchor, passage.text, pos)), kind, label)


def _words(segments: weave.Segments) -> str:
    out = []
    for seg in segments:
        if isinstance(seg, weave.Lit):
            out.append(seg.text)
        elif isinstance(seg, weave.Interp):
            out.append("{" + seg.source + "}")
        elif isinstance(seg, (weave.Cond, weave.Vary)):
            out.append("{...}")
    return "".join(out).strip()


def _excerpt(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"

"""Every distinct way a node's text can read, each with a witness: a playthrough that produces it.

For continuity review: an author reads each version of a scene the way a player would get it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..story import expr, weave
from ..story.model import NARRATION, Node, Story
from .chance import DEFAULT_SEED_TRIES, find_seed
from .compiled import CompiledStory
from .diagrams import headroom
from .findings import Witness
from .search import DEFAULT_MAX_STATES, FORWARD_SHARE, Budget, OutOfBudget, Search
from .text import MAX_PROJECTED, _Projected, _Undecided

_LABEL = "\x00variant:"


@dataclass
class Variant:
    lines: list[str]  # "Speaker: text" or narration, as the player reads them
    states: int  # projected text states that read this way
    witness: Witness | None = None
    shuffled: bool = False  # a shuffle in it reads differently by seed


@dataclass
class Variants:
    node: str
    complete: bool
    variants: list[Variant] = field(default_factory=list)
    note: str = ""


def variants(story: Story, node_id: str, max_states: int = DEFAULT_MAX_STATES,
             seed_tries: int = DEFAULT_SEED_TRIES, budget: Budget | None = None) -> Variants:
    model = CompiledStory(story, observe_text={node_id}, shown_exactly=node_id)  # other nodes' text reads no matter here
    with headroom(len(model.slots)):
        return _variants(story, model, node_id, max_states, seed_tries, budget or Budget())


def _variants(story: Story, model: CompiledStory, node_id: str, max_states: int, seed_tries: int, budget: Budget
              ) -> Variants:
    places = [k for k, inst in enumerate(model.instances) if inst.node.id == node_id]  # each call of a scene
    search = Search(model, max_states, budget)
    search.share = FORWARD_SHARE
    search.run()
    search.share = 1.0
    found = Variants(node_id, search.complete)
    if search.stopped:
        found.note = f"stopped because {search.stopped}"
    places = [k for k in places if search.reached[k]]
    if not places:
        found.note = "no reachable state gets to this node" if search.complete else "not reached within the limit"
        return found
    slots = sorted({s for ast in model.text_reads[places[0]] for s in model._facts(ast)})
    projected = list(dict.fromkeys(values for k in places for values in search.dd.project(search.reached[k], tuple(slots))))
    if len(projected) > MAX_PROJECTED:
        found.note = f"more than {MAX_PROJECTED:,} text states: too many to list"
        return found
    levels = {slot: i for i, slot in enumerate(slots)}
    node = model.story.nodes[node_id]
    groups: dict[tuple[str, ...], list[tuple]] = {}
    shuffled: set[tuple[str, ...]] = set()
    for values in projected:
        ctx = _Projected(model, levels, values)
        lines, has_shuffle = _reading(story, node, ctx)
        groups.setdefault(lines, []).append(values)
        if has_shuffle:
            shuffled.add(lines)
    dd = search.dd
    for k, (lines, members) in enumerate(groups.items()):
        targets = {}
        for n in places:
            subset = 0
            for values in members:
                subset = dd.union(subset, dd.restrict(search.reached[n], {slot: {values[levels[slot]]}
                                                                           for slot in slots}))
            if subset:
                targets[n] = (subset, f"{_LABEL}{k}")
        witness = None
        try:
            search.run_backward(targets)
            ways = [w for n, (subset, label) in targets.items() if (w := search.witness(n, label, subset)) is not None]
            witness = _seeded(min(ways, key=lambda w: len(w.path)) if ways else None, seed_tries)
        except OutOfBudget as out:  # the reading is known; the way there is not
            found.complete = False
            found.note = f"{found.note}; {out}" if found.note else f"stopped because {out}"
        found.variants.append(Variant(list(lines), len(members), witness, lines in shuffled))
    return found


def _seeded(w: Witness | None, tries: int) -> Witness | None:
    if w is not None:
        w.seed = find_seed(w.requirements, tries)
    return w


def _reading(story: Story, node: Node, ctx: _Projected) -> tuple[tuple[str, ...], bool]:
    """The node's lines in one projected state (a shuffle shows its first option: noted)."""
    lines = []
    has_shuffle = False
    visits = ctx.visits(node.id) or 1
    words = {name: dict(var.words) for name, var in story.variables.items() if var.words}
    for i, passage in enumerate(node.passages):
        if passage.effects:
            continue
        try:
            if passage.condition is not None and not expr.evaluate(passage.condition.ast, ctx):
                continue
        except _Undecided:
            pass
        if passage.woven is not None:
            has_shuffle |= any(isinstance(s, weave.Vary) and s.kind == "shuffle"
                               for s in weave.walk(passage.woven.segments))
            try:
                text = weave.plain_text(weave.render(passage.woven, weave.Reading(ctx, visits, f"0:{i}", words)))
            except _Undecided:
                text = passage.text + "  [depends on chance()]"
        else:
            text = passage.text
        if not text.strip():
            continue  # the engine shows no line for it either
        name = story.speaker_name(passage.speaker) if passage.speaker != NARRATION else ""
        lines.append(f"{name}: {text}" if name else text)
    return tuple(lines), has_shuffle


__all__ = ["Variant", "Variants", "variants"]

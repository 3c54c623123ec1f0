"""The search: sets of states node by node, the backward labelling pass, witnesses, and explore()."""
from __future__ import annotations

import heapq
import math
import multiprocessing
import os
import sys
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from ..story import expr
from ..story.model import Story
from ..story.validate import reachable as link_reachable
from ..story.validate import reads as validate_reads
from .chance import (
    DEFAULT_SEED_TRIES,
    Requirement,
    find_seed,
    merge_outcome,
    merged_outcomes,
    no_chance,
    nothing,
    outcomes,
    tape_needs,
    tape_probability,
)
from .compiled import CChoice, CNode, CompiledStory, text_reads
from .diagrams import DD, STUCK, TRAP, UNKNOWN, headroom
from .findings import DeadChoice, EndingReach, Exploration, SoftLock, Trap, UnreachedNode, VariableUse, Witness
from .observations import Observations
from .text import dead_text

DEFAULT_MAX_STATES = 10 ** 12  # states are counted after merging, and explored as sets
MAX_ROUNDS = 500  # passes over one loop of nodes before its growth counts as endless (bounded loops settle in tens)
# a story whose numbers grow every loop has more states than any limit on their count can catch in time
# (67 million merged states of the shipped story take 6 s; two doubling counters ate 23 GB in 4 minutes):
# time and memory stop a search too, and what it did not finish is reported as unknown
DEFAULT_MAX_SECONDS = 120.0
DEFAULT_MAX_MEGABYTES = 2048


def _resident_megabytes() -> float:
    """Memory the process holds now (Linux), else the most it ever held."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    except (OSError, ValueError, IndexError, AttributeError):
        import resource
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2 ** 20 if sys.platform == "darwin" else peak / 2 ** 10


class OutOfBudget(Exception):
    """The search used up its time or memory; the message says which."""


class Budget:
    """How long, and how much more memory than at its start, an exploration may take."""

    MEMORY_EVERY = 64  # calls of check() between looks at the memory (reading it costs ~10 µs, the clock ~0.1)

    def __init__(self, seconds: float | None = DEFAULT_MAX_SECONDS, megabytes: float | None = DEFAULT_MAX_MEGABYTES):
        self.seconds, self.megabytes = seconds, megabytes
        self.started = time.monotonic()
        self.base = _resident_megabytes() if megabytes is not None else 0.0
        self.calls = 0

    def check(self, share: float = 1.0) -> None:
        """Raise OutOfBudget once `share` of the time, or of the memory, is used."""
        self.calls += 1
        if self.seconds is not None and time.monotonic() - self.started > self.seconds * share:
            raise OutOfBudget(f"it reached the time limit ({self.seconds * share:g} s of --max-seconds {self.seconds:g})")
        if self.megabytes is not None and self.calls % self.MEMORY_EVERY == 0 and \
                _resident_megabytes() - self.base > self.megabytes * share:
            raise OutOfBudget(f"it reached the memory limit ({self.megabytes * share:,.0f} MB of --max-memory "
                              f"{self.megabytes:,.0f})")


class SlotTable(dict):
    """One slot's old value -> new value under a transition, each computed the first time it is asked for."""

    def __init__(self, compute: Callable[[int, Any], Any], slot: int):
        super().__init__()
        self.compute, self.slot = compute, slot

    def __missing__(self, value: Any) -> Any:
        found = self[value] = self.compute(self.slot, value)
        return found


State = tuple  # one state: ((slot, value), ...) for the slots that differ from their defaults, by slot


class Fixed(dict):
    """Slot values where only the slots a rule reads are fixed; every other slot reads as its default.

    Building a full vector per menu and action would cost the story's whole slot count each time."""

    def __init__(self, defaults: tuple, items: Any = ()):
        super().__init__(items)
        self.defaults = defaults

    def __missing__(self, slot: int) -> Any:
        return self.defaults[slot]

    def copy(self) -> Fixed:
        return Fixed(self.defaults, self)


@dataclass
class Transition:
    """One way out of a set of states: a choice number (0: continue) under one outcome of chance()."""
    number: int
    choice: CChoice | None
    target: int
    needs: tuple  # roll needs: (step offset, tag, call, low, high)
    prob: float
    tables: dict[int, SlotTable]  # slot -> (old value -> new value), for the slots it may change


def _replay(tape: tuple) -> Callable[[int], bool]:
    """chance() following a recorded tape (every call's outcome is already decided by its range)."""
    pos = 0

    def chance(percent: int) -> bool:
        nonlocal pos
        low, high = tape[pos]
        pos += 1
        return high <= percent
    return chance


class Search:
    """Breadth-first over sets of states, one decision diagram per node and layer."""

    def __init__(self, model: CompiledStory, max_states: int, budget: Budget | None = None):
        self.m = model
        self.max_states = max_states
        self.budget = budget or Budget(None, None)
        self.share = 1.0  # of the budget this phase may use: the forward search leaves some to the rest
        self.obs = Observations(model)
        self.L = len(model.slots)
        self.canon_ops = [self.obs.canonicalizer(n) for n in range(len(model.nodes))]
        self.canon = [{slot: (rep, const) for slot, rep, const in ops} for ops in self.canon_ops]
        self.dd = DD(model.defaults)
        n = len(model.nodes)
        self.reached = [0] * n
        self.unexpanded = [0] * n
        self.order: list[list[int]] = []
        self.start: list[tuple[State, Transition]] = []
        self.stuck: dict[int, int] = {}
        self.states = 0
        self.complete = True
        self.stopped = ""  # why the search is incomplete
        nc = len(model.choices)
        self.cond_true = bytearray(nc)
        self.cond_seen = bytearray(nc)
        self.offered = bytearray(nc)
        self.menu_cache: dict[tuple, list] = {}
        self.parts_cache: dict[tuple[int, int], list] = {}
        self.trans_cache: dict[tuple, list[Transition]] = {}
        self.static_cache: dict[tuple[int, int], tuple[tuple[int, ...], frozenset[int]]] = {}
        self.labels: list[int] = [0] * n

    def release(self) -> None:
        """Break the cycles between the search and its memos (a transition's slot tables call back into
        it), so its memory goes back as soon as the caller lets go, without a collection over the heap."""
        self.trans_cache.clear()
        self.parts_cache.clear()

    # -- the rules, concretely

    def _after_choice(self, c: CChoice | None, vec: Fixed, ch: Callable[[int], bool]) -> None:
        if c is not None:
            if c.once is not None:
                vec[c.once] = True
            for e in c.effects:
                e(vec, ch)

    def _enter(self, t: int, vec: Fixed, ch: Callable[[int], bool]) -> None:
        cnode = self.m.nodes[t]
        if cnode.visit is not None:
            vec[cnode.visit] += 1
        for e in cnode.effects:
            e(vec, ch)

    def _canonical(self, t: int, vec: Fixed) -> State:
        """The representative of a state entering t, as the slots that differ from their defaults."""
        for slot, rep, const in self.canon_ops[t]:
            vec[slot] = const if rep is None else rep(vec[slot])
        defaults = self.m.defaults
        return tuple(sorted((slot, v) for slot, v in vec.items() if v != defaults[slot]))

    def _vals(self, state: State) -> Fixed:
        return Fixed(self.m.defaults, state)

    def _tapes(self, run: Callable[[Callable[[int], bool]], None], has_chance: bool) -> list[tuple]:
        if not has_chance:
            return [()]
        return [tape for _, tape in outcomes(lambda ch, restart: run(ch))]

    def _menus(self, cnode: CNode, vals: Fixed) -> list:
        """[(views, follow, roll needs, probability)]: the menus chance() can make, identical ones merged."""
        key = (cnode.idx,) + tuple(vals[s] for s in cnode.menu_slots)
        cached = self.menu_cache.get(key)
        if cached is not None:
            return cached
        if not cnode.menu_chance:
            raw = [(self.m.menu(cnode, vals, no_chance, nothing), ())]
        else:
            raw = list(outcomes(lambda ch, restart: self.m.menu(cnode, vals, ch, restart)))
        groups: dict[tuple, list] = {}
        for (views, follow, evaluated), tape in raw:
            for c, ok in evaluated:
                self.cond_seen[c.gidx] = 1
                if ok:
                    self.cond_true[c.gidx] = 1
            signature = (tuple((c.gidx, ok) for c, ok in views),
                         follow.gidx if isinstance(follow, CChoice) else ("next", follow))
            merge_outcome(groups, signature, (views, follow), tape_needs("c", 0, tape), tape_probability(tape))
        result = [(views, follow, needs, p) for (views, follow), needs, p in merged_outcomes(groups)]
        self.menu_cache[key] = result
        return result

    @staticmethod
    def _actions(views: list, follow: CChoice | int | None) -> list[tuple[int, CChoice | None, int]]:
        if isinstance(follow, CChoice):
            return [(0, follow, follow.target)]
        if follow is not None:
            return [(0, None, follow)]
        return [(number, c, c.target) for number, (c, ok) in enumerate(views, 1) if ok]

    def _static(self, c: CChoice | None, t: int) -> tuple[tuple[int, ...], frozenset[int]]:
        """(slots the action's effects read, slots it may change) for taking c (or `next`) into t."""
        key = (c.gidx if c else -1, t)
        found = self.static_cache.get(key)
        if found is None:
            statements = [e.statement for e in (c.choice.effects if c else ())]
            statements += [e.statement for e in self.m.nodes[t].node.effects]
            reads: set[int] = set()
            touched = {self.m.var_slot[st.var] for st in statements}
            for st in statements:
                if st.value is not None:
                    reads |= self.m._facts(st.value)
            if c is not None and c.once is not None:
                touched.add(c.once)
            if self.m.nodes[t].visit is not None:
                touched.add(self.m.nodes[t].visit)  # type: ignore[arg-type]
            touched |= set(self.canon[t])
            found = self.static_cache[key] = (tuple(sorted(reads)), frozenset(touched))
        return found

    def _transitions(self, n: int, base: Fixed, number: int, c: CChoice | None, t: int,
                     menu_needs: tuple, menu_prob: float) -> list[Transition]:
        """The action under every outcome of its effects' chance() calls; `base` fixes every slot they read."""
        reads, touched = self._static(c, t)
        key = (n, number, c.gidx if c else -1, t, menu_needs) + tuple(base[s] for s in reads) + \
            tuple(base[s] for s in self.m.nodes[n].menu_slots)
        found = self.trans_cache.get(key)
        if found is not None:
            return found
        tnode = self.m.nodes[t]
        found = []
        tapes_e = self._tapes(lambda ch: self._after_choice(c, base.copy(), ch), c is not None and c.chance_in_effects)
        for tape_e in tapes_e:
            v1 = base.copy()
            self._after_choice(c, v1, _replay(tape_e))
            tapes_n = self._tapes(lambda ch: self._enter(t, v1.copy(), ch), tnode.effects_chance)
            for tape_n in tapes_n:
                compute = self._slot_function(base, c, t, tape_e, tape_n)
                tables = {slot: SlotTable(compute, slot) for slot in touched}
                needs = menu_needs + tape_needs("e", 0, tape_e) + tape_needs("n", 1, tape_n)
                prob = menu_prob * tape_probability(tape_e) * tape_probability(tape_n)
                found.append(Transition(number, c, t, needs, prob, tables))
        self.trans_cache[key] = found
        return found

    def _slot_function(self, base: Fixed, c: CChoice | None, t: int, tape_e: tuple, tape_n: tuple
                       ) -> Callable[[int, Any], Any]:
        """The new value of one slot from its old value (the action reads no other slot but `base`'s)."""
        canon = self.canon[t]

        def compute(level: int, value: Any) -> Any:
            vec = base.copy()
            vec[level] = value
            self._after_choice(c, vec, _replay(tape_e))
            self._enter(t, vec, _replay(tape_n))
            found = vec[level]
            op = canon.get(level)
            if op is not None:
                found = op[1] if op[0] is None else op[0](found)
            return found
        return compute

    def _parts(self, n: int, states: int) -> list[tuple[Transition | None, int, tuple, float, list[str]]]:
        """Split a set of states at node n by what the menu and the effects read:
        [(transition, part, ...)] for every way out, and (None, part, roll needs, p, shown) where stuck."""
        key = (n, states)
        found = self.parts_cache.get(key)
        if found is not None:
            return found
        dd = self.dd
        cnode = self.m.nodes[n]
        found = []
        if cnode.ending is None and states:
            mslots = cnode.menu_slots
            for t in dd.project(states, mslots):
                self.budget.check(self.share)
                part = dd.restrict(states, {s: {x} for s, x in zip(mslots, t)})
                base = Fixed(self.m.defaults, zip(mslots, t))
                for views, follow, menu_needs, menu_prob in self._menus(cnode, base):
                    actions = self._actions(views, follow)
                    if not actions:
                        found.append((None, part, menu_needs, menu_prob, [c.choice.text for c, _ in views]))
                        continue
                    for number, c, target in actions:
                        if target < 0:
                            continue
                        if c is not None and number:
                            self.offered[c.gidx] = 1
                        reads = [s for s in self._static(c, target)[0] if s not in mslots]
                        for r in dd.project(part, tuple(reads)):
                            self.budget.check(self.share)
                            sub = dd.restrict(part, {s: {x} for s, x in zip(reads, r)})
                            full = base.copy()
                            full.update(zip(reads, r))
                            for tr in self._transitions(n, full, number, c, target, menu_needs, menu_prob):
                                found.append((tr, sub, (), 1.0, []))
        self.parts_cache[key] = found
        return found

    # -- forward

    def run(self) -> None:
        """Every reachable state, node by node in topological order; loops are iterated until stable."""
        m, dd = self.m, self.dd
        start = m.start
        if start < 0:
            return
        pending = [0] * len(m.nodes)
        base = Fixed(m.defaults)
        for tape in self._tapes(lambda ch: self._enter(start, base.copy(), ch), m.nodes[start].effects_chance):
            vec = base.copy()
            self._enter(start, vec, _replay(tape))
            state = self._canonical(start, vec)
            point = dd.point(state)
            self.start.append((state, Transition(0, None, start, tape_needs("n", 1, tape), tape_probability(tape), {})))
            pending[start] = dd.union(pending[start], point)
        self.reached[start] = pending[start]
        self.states = dd.count(pending[start])
        self.order = self.m.order
        for comp in self.order:
            dd.forget()
            busy = True
            rounds = 0
            while busy:
                busy = False
                rounds += 1
                if rounds > MAX_ROUNDS:  # e.g. a counter without bounds growing in a loop
                    self.complete = False
                    self.stopped = self.stopped or ("new states keep appearing in the loop through " +
                                                    ", ".join(repr(m.nodes[k].node.id) for k in comp[:3]))
                    for node in comp:
                        self.unexpanded[node] = dd.union(self.unexpanded[node], pending[node])
                        pending[node] = 0
                    break
                for node in comp:
                    states = pending[node]
                    if not states:
                        continue
                    if self.states > self.max_states:
                        self.complete = False
                        self.stopped = self.stopped or f"more than {self.max_states:,} states"
                        self.unexpanded[node] = dd.union(self.unexpanded[node], states)
                        pending[node] = 0
                        continue
                    pending[node] = 0
                    into: dict[int, int] = {}
                    try:
                        self.budget.check(self.share)
                        for tr, part, _needs, _p, _shown in self._parts(node, states):
                            if tr is None:
                                self.stuck[node] = dd.union(self.stuck.get(node, 0), part)
                                continue
                            self.budget.check(self.share)
                            image = dd.image(part, tr)
                            into[tr.target] = dd.union(into.get(tr.target, 0), image)
                    except OutOfBudget as out:
                        self._give_up(str(out), pending, node, states)
                        return
                    for target, incoming in into.items():
                        new = dd.diff(incoming, self.reached[target])
                        if new:
                            self.reached[target] = dd.union(self.reached[target], new)
                            pending[target] = dd.union(pending[target], new)
                            self.states += dd.count(new)
                            busy = busy or target in comp

    def _give_up(self, why: str, pending: list[int], node: int, states: int) -> None:
        """Stop the forward search: every state reached but not yet expanded is left unknown."""
        self.complete = False
        self.stopped = self.stopped or why
        self.unexpanded[node] = self.dd.union(self.unexpanded[node], states)
        for n, waiting in enumerate(pending):
            if waiting:
                self.unexpanded[n] = self.dd.union(self.unexpanded[n], waiting)
                pending[n] = 0

    # -- backward: from which states can each ending (or a dead end) still be reached?

    def run_backward(self, extra: dict[int, tuple[int, str]] | None = None) -> None:
        """Label every state with what it can still reach: ending ids, "stuck at <node>", unexplored.

        `extra` adds labels for chosen sets: node -> (states, label)."""
        dd = self.dd
        nodes = self.m.nodes
        init = [0] * len(nodes)
        for n, cnode in enumerate(nodes):
            if cnode.ending is not None and self.reached[n]:
                init[n] = dd.labelled(self.reached[n], cnode.ending)
            if n in self.stuck:
                init[n] = dd.union(init[n], dd.labelled(self.stuck[n], STUCK + cnode.node.id))
            if self.unexpanded[n]:
                init[n] = dd.union(init[n], dd.labelled(self.unexpanded[n], UNKNOWN))
            if extra and n in extra:
                init[n] = dd.union(init[n], dd.labelled(extra[n][0], extra[n][1]))
        outs: list[list] = []
        for n in range(len(nodes)):
            expanded = dd.diff(self.reached[n], self.unexpanded[n])
            outs.append([(tr, part) for tr, part, _, _, _ in self._parts(n, expanded) if tr is not None])
        labels = list(init)
        for comp in reversed(self.order):  # successors first; a loop of nodes is iterated on what is new
            members = set(comp)
            delta: dict[int, int] = {}
            for n in comp:
                acc = init[n]
                for tr, part in outs[n]:
                    self.budget.check(self.share)
                    if tr.target not in members and labels[tr.target]:
                        acc = dd.union(acc, dd.pull_back(part, tr, labels[tr.target]))
                labels[n] = acc
                if acc:
                    delta[n] = acc
            rounds = 0
            while delta:
                rounds += 1
                if rounds > MAX_ROUNDS:  # give up on precision, not on soundness: "may still end"
                    for n in comp:
                        rest = dd.diff(dd.diff(self.reached[n], self.unexpanded[n]), dd.unlabelled(labels[n]))
                        labels[n] = dd.union(labels[n], dd.labelled(rest, UNKNOWN))
                    break
                fresh: dict[int, int] = {}
                for n in comp:
                    acc = 0
                    for tr, part in outs[n]:
                        self.budget.check(self.share)
                        if tr.target in delta:
                            acc = dd.union(acc, dd.pull_back(part, tr, delta[tr.target]))
                    new = dd.diff(acc, labels[n])
                    if new:
                        labels[n] = dd.union(labels[n], new)
                        fresh[n] = new
                delta = fresh
        self.labels = labels

    def trapped(self, n: int) -> int:
        """States at n from which neither an ending nor a dead end nor the unexplored can be reached."""
        expanded = self.dd.diff(self.reached[n], self.unexpanded[n])
        return self.dd.diff(expanded, self.dd.unlabelled(self.labels[n]))

    def can_reach(self, n: int, vec: State, label: str) -> bool:
        return self.dd.has(self.labels[n], label, vec)

    # -- single states: witnesses and counting paths

    def moves(self, n: int, state: State) -> list[tuple[Transition, int, State]]:
        """(transition, target, next state) for every way on from one state, chance outcomes merged."""
        groups: dict[tuple, list] = {}
        vec = self._vals(state)
        for views, follow, menu_needs, menu_prob in self._menus(self.m.nodes[n], vec):
            for number, c, t in self._actions(views, follow):
                if t < 0:
                    continue
                tnode = self.m.nodes[t]
                for tape_e in self._tapes(lambda ch: self._after_choice(c, vec.copy(), ch),
                                          c is not None and c.chance_in_effects):
                    v1 = vec.copy()
                    self._after_choice(c, v1, _replay(tape_e))
                    for tape_n in self._tapes(lambda ch: self._enter(t, v1.copy(), ch), tnode.effects_chance):
                        v2 = v1.copy()
                        self._enter(t, v2, _replay(tape_n))
                        after = self._canonical(t, v2)
                        needs = menu_needs + tape_needs("e", 0, tape_e) + tape_needs("n", 1, tape_n)
                        p = menu_prob * tape_probability(tape_e) * tape_probability(tape_n)
                        merge_outcome(groups, (number, t, after), (number, c, t, after), needs, p)
        return [(Transition(number, c, t, needs, p, {}), t, after)
                for (number, c, t, after), needs, p in merged_outcomes(groups)]

    def stuck_needs(self, n: int, state: State) -> tuple | None:
        """Roll needs of a menu with no way on at this state, None when every menu has one."""
        for views, follow, needs, _ in self._menus(self.m.nodes[n], self._vals(state)):
            if not self._actions(views, follow):
                return needs
        return None

    def stuck_views(self, n: int, state: State) -> list[str]:
        """The (disabled) choices shown where the player is stuck."""
        for views, follow, _, _ in self._menus(self.m.nodes[n], self._vals(state)):
            if not self._actions(views, follow):
                return [c.choice.text for c, _ in views]
        return []

    def _distances(self, target: int) -> list[int]:
        """Links from every node to `target` (breadth-first over the node graph backwards); -1: none."""
        preds: list[list[int]] = [[] for _ in self.m.nodes]
        for cn in self.m.nodes:
            for t in [c.target for c in cn.choices] + ([cn.next] if cn.next is not None else []):
                if t >= 0:
                    preds[t].append(cn.idx)
        dist = [-1] * len(self.m.nodes)
        dist[target] = 0
        queue = [target]
        for n in queue:
            for p in preds[n]:
                if dist[p] < 0:
                    dist[p] = dist[n] + 1
                    queue.append(p)
        return dist

    def witness(self, target: int, label: str, within: int | None = None, limit: int = 2_000) -> Witness | None:
        """A shortest path to a state at node `target` (in `within`, if given).

        A* over single states with the link distance to the target as the (admissible) estimate,
        never entering a state the backward pass says cannot reach `label`. When that takes more
        than `limit` expansions, a symbolic pass finds the states that reach the target along
        links that each shorten the distance; if the start is one of them, a path of exactly the
        link distance exists and is walked. Failing both, the first path a greedy search finds is
        used (Witness.shortest is then False).
        """
        dist = self._distances(target)
        found = self._search(target, label, within, dist, False, limit)
        shortest = True
        if found is None:
            found = self._tight_walk(target, within, dist)
        if found is None:
            found = self._search(target, label, within, dist, True, 0)
            shortest = False
        if found is None:
            return None
        chain, vec = found
        extra = self.stuck_needs(target, vec) if label.startswith(STUCK) else ()
        witness = self._to_witness(chain, extra or ())
        witness.shortest = shortest
        witness.final = vec
        return witness

    def _search(self, target: int, label: str, within: int | None, dist: list[int], greedy: bool, limit: int
                ) -> tuple[list[Transition], tuple] | None:
        dd = self.dd
        heap: list[tuple] = []
        best: dict[tuple, tuple[int, float]] = {}
        parent: dict[tuple, tuple] = {}
        counter = 0
        for vec, tr in self.start:
            key = (self.m.start, tuple(vec))
            if dist[self.m.start] >= 0 and self.can_reach(self.m.start, vec, label) and key not in best:
                best[key] = (0, -tr.prob)
                parent[key] = (None, tr)
                heapq.heappush(heap, (dist[self.m.start], -tr.prob, 0, counter, key))
                counter += 1
        expanded = 0
        while heap:
            _, negative_p, negative_g, _, key = heapq.heappop(heap)
            g = -negative_g
            if best[key] != (g, negative_p):
                continue  # superseded
            node, vec = key
            if node == target and (within is None or dd.contains(within, vec)):
                chain = []
                while key is not None:
                    key, tr = parent[key]
                    chain.append(tr)
                chain.reverse()
                return chain, vec
            expanded += 1
            if not greedy and expanded > limit:
                return None
            self.budget.check(self.share)
            for tr, t, after in self.moves(node, vec):
                key2 = (t, after)
                rank = (g + 1, negative_p * tr.prob)  # shorter first, then likelier
                if dist[t] < 0 or best.get(key2, (g + 2, 0.0)) <= rank or not self.can_reach(t, after, label):
                    continue
                best[key2] = rank
                parent[key2] = (key, tr)
                f = dist[t] if greedy else g + 1 + dist[t]
                heapq.heappush(heap, (f, rank[1], -(g + 1), counter, key2))  # likeliest, then deepest
                counter += 1
        return None

    def _tight_walk(self, target: int, within: int | None, dist: list[int]
                    ) -> tuple[list[Transition], tuple] | None:
        """A path of exactly the link distance, if one exists (see witness)."""
        dd = self.dd
        good: dict[int, int] = {target: within if within is not None else self.reached[target]}
        by_distance = sorted((d, n) for n, d in enumerate(dist) if d > 0 and self.reached[n])
        for d, n in by_distance:
            expanded = dd.diff(self.reached[n], self.unexpanded[n])
            acc = 0
            for tr, part, _, _, _ in self._parts(n, expanded):
                if tr is not None and dist[tr.target] == d - 1 and good.get(tr.target):
                    acc = dd.union(acc, dd.pull_back(part, tr, good[tr.target]))
            if acc:
                good[n] = acc
        start = [(vec, tr) for vec, tr in self.start if dd.contains(good.get(self.m.start, 0), vec)]
        if not start:
            return None
        vec, first = max(start, key=lambda s: s[1].prob)
        node, state, chain = self.m.start, tuple(vec), [first]
        while node != target:
            options = [(tr, t, after) for tr, t, after in self.moves(node, state)
                       if dist[t] == dist[node] - 1 and dd.contains(good.get(t, 0), after)]
            tr, node, state = max(options, key=lambda o: o[0].prob)
            chain.append(tr)
        return chain, state

    def _to_witness(self, chain: list[Transition], extra: tuple) -> Witness:
        choices, path, taken, requirements = [], [], [], []
        prob = 1.0
        for i, tr in enumerate(chain):
            # the transition leaves the state at step i (the start is entered at step 1)
            requirements += [Requirement(i + off, tag, call, lo, hi) for off, tag, call, lo, hi in tr.needs]
            prob *= tr.prob
            if tr.number:
                choices.append(tr.number)
            if tr.choice is not None:
                taken.append((self.m.nodes[tr.choice.node].node.id, tr.choice.position))
            path.append(self.m.nodes[tr.target].node.id)
        requirements += [Requirement(len(chain) + off, tag, call, lo, hi) for off, tag, call, lo, hi in extra]
        prob *= math.prod((hi - lo) / 100 for _, _, _, lo, hi in extra)
        return Witness(choices, path, taken, requirements, prob)

    def count_paths(self, ending: str) -> int:
        """Distinct ways (choice, state) into `ending`: 0, 1, or 2 meaning "more than one"."""
        starts = [tuple(vec) for vec, _ in self.start if self.can_reach(self.m.start, vec, ending)]
        if len(starts) != 1:
            return min(2, len(starts))
        node, vec = self.m.start, starts[0]
        seen = set()
        while self.m.nodes[node].ending != ending:
            ways = [(t, after) for _, t, after in self.moves(node, vec) if self.can_reach(t, after, ending)]
            if len(ways) != 1:
                return min(2, len(ways))
            node, vec = ways[0]
            if (node, vec) in seen:
                return 2
            seen.add((node, vec))
        return 1


def variable_uses(story: Story) -> dict[str, VariableUse]:
    reads = {name: 0 for name in story.variables}
    sets = {name: 0 for name in story.variables}
    for node in story.nodes.values():
        statements = list(node.effects) + [e for c in node.choices for e in c.effects]
        for ast in validate_reads(node):
            for name in expr.variables_read(ast):
                if name in reads:
                    reads[name] += 1
        for e in statements:
            if e.statement.var in sets:
                sets[e.statement.var] += 1
    found = {}
    for name, var in story.variables.items():
        finding = "never read" if not reads[name] else "read but never set" if not sets[name] else None
        found[name] = VariableUse(name, str(var.where), reads[name], sets[name], finding)
    return found


FORWARD_SHARE = 0.5  # of the budget, for the forward search; labelling and witnesses cost about as much again


def explore(story: Story, max_states: int = DEFAULT_MAX_STATES, seed_tries: int = DEFAULT_SEED_TRIES,
            text: bool = False, budget: Budget | None = None) -> Exploration:
    """Explore every state the player can reach (up to max_states, within the budget: by default
    DEFAULT_MAX_SECONDS and DEFAULT_MAX_MEGABYTES) and report what was found; with `text`, also the text
    no reachable state shows (judged afterwards, a few nodes at a time: see judge_text). A search stopped
    early says why in Exploration.stopped; what it did not reach is unknown, never reported unreachable."""
    model = CompiledStory(story)
    budget = budget or Budget()
    with headroom(len(model.slots)):
        found = _explore(story, model, max_states, seed_tries, budget)
    if text and found.complete:
        found.dead_text, found.text_unjudged = judge_text(story, model, max_states, budget)
        found.text_judged = True
    return found


TEXT_BATCH_WEIGHT = 1.5  # facts only text reads that one search of text may add, in whole-story spans (see judge_text)
TEXT_ATTEMPT = 6.0  # a search of text may take this many times the plain search before it is split in two


def judge_text(story: Story, plain: CompiledStory, max_states: int, budget: Budget) -> tuple[list, list[str]]:
    """Text no reachable state shows, and the nodes that could not be judged within the budget.

    Keeping every node's text reads apart at once multiplies the states by every fact any text reads (on
    the shipped story it does not finish in 2 GB). A node's text needs its facts kept only up to that node,
    so nodes are judged in batches whose text adds few facts the flow does not already keep; a batch that
    takes too long is split in two, and a node that cannot be judged alone is reported as such."""
    obs = Observations(plain)
    # per node, the facts its text reads that the plain search does not keep there, each weighed by how much
    # of the story it must be kept across (from where it first changes to the node): a fact set in ch01 and
    # read in ch14 splits the states of the whole story in two, one set and read in a scene almost nothing
    weights: dict[str, dict[int, float]] = {}
    span = max(1, len(plain.order))
    for k, inst in enumerate(plain.instances):
        reads = text_reads(inst.node)
        if reads:
            mine = weights.setdefault(inst.node.id, {})
            for slot in {s for ast in reads for s in plain._facts(ast)}:
                if slot not in obs.at[k]:
                    mine[slot] = max(mine.get(slot, 0.0), max(0, plain.position[k] - plain.first_change[slot]) / span)
    order = sorted(weights, key=lambda n: plain.position[plain.node_index[n]])
    batches: list[list[str]] = []
    kept: dict[int, float] = {}
    for node_id in order:
        joined = dict(kept)
        for slot, weight in weights[node_id].items():
            joined[slot] = max(joined.get(slot, 0.0), weight)
        if batches and sum(joined.values()) <= TEXT_BATCH_WEIGHT:
            batches[-1].append(node_id)
            kept = joined
        else:
            batches.append([node_id])
            kept = dict(weights[node_id])
    plain_seconds = max(0.5, time.monotonic() - budget.started)  # what the plain search and findings took
    dead: list = []
    unjudged: list[str] = []
    queue = deque(batches)
    workers = min(_cores(), len(queue)) if "fork" in multiprocessing.get_all_start_methods() else 1

    def attempt_seconds() -> float | None:
        """The time a batch may take: a few plain searches, within what is left of the budget."""
        if budget.seconds is None:
            return TEXT_ATTEMPT * plain_seconds
        return min(budget.seconds - (time.monotonic() - budget.started), TEXT_ATTEMPT * plain_seconds)

    def settle(batch: list[str], judged: tuple[list, list[str]] | None) -> None:
        if judged is not None:
            dead.extend(judged[0])
            unjudged.extend(judged[1])
        elif len(batch) > 1:  # too slow together: each half alone adds fewer facts
            queue.extendleft([batch[len(batch) // 2:], batch[:len(batch) // 2]])
        else:
            unjudged.extend(batch)

    global _TEXT_JOB
    _TEXT_JOB = (story, max_states, budget.megabytes)
    if workers <= 1:
        while queue:
            batch, seconds = queue.popleft(), attempt_seconds()
            if seconds is not None and seconds <= 0:
                unjudged.extend(batch)
                continue
            settle(batch, _judge_batch(batch, seconds))
    else:  # batches are independent searches: one per core, each in a process the operating system cleans up
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            running: dict[Future, list[str]] = {}
            while queue or running:
                while queue and len(running) < workers:
                    batch, seconds = queue.popleft(), attempt_seconds()
                    if seconds is not None and seconds <= 0:
                        unjudged.extend(batch)
                        continue
                    running[pool.submit(_judge_batch, batch, seconds)] = batch
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    batch = running.pop(future)
                    try:
                        judged = future.result()
                    except Exception:  # noqa: BLE001 - a worker that died (memory) judged nothing
                        judged = None
                    settle(batch, judged)
    _TEXT_JOB = None
    rank = plain.node_index
    return sorted(dead, key=lambda d: rank[d.node]), sorted(unjudged, key=lambda n: rank[n])


_TEXT_JOB: tuple[Story, int, float | None] | None = None  # what the batches search: inherited by forked workers


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _judge_batch(batch: list[str], seconds: float | None) -> tuple[list, list[str]] | None:
    """Dead text of a batch of nodes, with their text's facts kept apart; None when the search ran out."""
    assert _TEXT_JOB is not None
    story, max_states, megabytes = _TEXT_JOB
    model = CompiledStory(story, observe_text=batch)
    with headroom(len(model.slots)):
        search = Search(model, max_states, Budget(seconds, megabytes))
        try:
            search.run()
        except OutOfBudget:
            search.complete = False
        judged = dead_text(model, search.dd, search.reached) if search.complete else None
    search.release()
    return judged


def _explore(story: Story, model: CompiledStory, max_states: int, seed_tries: int, budget: Budget) -> Exploration:
    search = Search(model, max_states, budget)
    search.share = FORWARD_SHARE
    search.run()
    search.share = 1.0
    try:
        return _findings(story, model, search, max_states, seed_tries)
    except OutOfBudget as out:
        return _unfinished(story, search, max_states, str(out))


def _unfinished(story: Story, search: Search, max_states: int, why: str) -> Exploration:
    """What is known when the budget ran out after the forward search: which nodes were reached, no more."""
    nodes = search.m.nodes
    reached = {nodes[n].node.id for n in range(len(nodes)) if search.reached[n]}
    endings = {e.id: EndingReach(e.id, e.title, None, None, 0,
                                 [c.node.id for c in nodes if c.ending == e.id]) for e in story.endings.values()}
    stopped = search.stopped or why
    if search.stopped:
        stopped += f"; then {why} while looking for paths"
    linked = link_reachable(story)
    unreached = [UnreachedNode(node.id, str(node.where), node.id in linked)
                 for node in story.nodes.values() if node.id not in reached]
    return Exploration(story.id, endings, [], [], [], unreached, variable_uses(story), search.states, False,
                       max_states, stopped)


def _findings(story: Story, model: CompiledStory, search: Search, max_states: int, seed_tries: int) -> Exploration:
    search.run_backward()
    nodes = model.nodes

    def finish(w: Witness | None) -> Witness:
        assert w is not None
        w.seed = find_seed(w.requirements, seed_tries)
        return w

    endings = {}
    for ending in story.endings.values():
        ending_nodes = [n for n, cnode in enumerate(nodes) if cnode.ending == ending.id]
        names = list(dict.fromkeys(nodes[n].node.id for n in ending_nodes))
        hit = [n for n in ending_nodes if search.reached[n]]
        if hit:
            best = min((w for n in hit if (w := search.witness(n, ending.id)) is not None),
                       key=lambda w: (len(w.path), -w.probability))
            paths = search.count_paths(ending.id) if search.complete else 2
            endings[ending.id] = EndingReach(ending.id, ending.title, True, finish(best), paths, names)
        else:
            endings[ending.id] = EndingReach(ending.id, ending.title, False if search.complete else None, None, 0, names)

    softlocks: dict[str, SoftLock] = {}  # a node stuck inside several calls of its scene is reported once
    for n in sorted(search.stuck):
        node = nodes[n].node
        witness = finish(search.witness(n, STUCK + node.id, search.stuck[n]))
        lock = SoftLock(node.id, str(node.where), witness, search.stuck_views(n, witness.final))
        if node.id not in softlocks or len(witness.path) < len(softlocks[node.id].witness.path):
            softlocks[node.id] = lock

    traps = _traps(search, finish)

    reached = {nodes[n].node.id for n in range(len(nodes)) if search.reached[n]}
    dead = []
    for c in model.choices:
        if not search.cond_seen[c.gidx]:
            continue
        node = nodes[c.node].node
        where = str(c.choice.where)
        condition = c.choice.condition.source if c.choice.condition else ""
        if c.choice.condition is not None and not search.cond_true[c.gidx]:
            dead.append(DeadChoice(node.id, c.position, c.choice.id, c.choice.text, condition, where, "never true"))
        elif not c.silent and not search.offered[c.gidx]:
            dead.append(DeadChoice(node.id, c.position, c.choice.id, c.choice.text, condition, where, "never offered"))

    linked = link_reachable(story)
    unreached = [UnreachedNode(node.id, str(node.where), node.id in linked)
                 for node in story.nodes.values() if node.id not in reached]
    locks = sorted(softlocks.values(), key=lambda s: len(s.witness.path))
    return Exploration(story.id, endings, locks, traps, dead, unreached, variable_uses(story),
                       search.states, search.complete, max_states, search.stopped)


def _traps(search: Search, finish: Callable[[Witness | None], Witness]) -> list[Trap]:
    """Groups of linked nodes holding states from which nothing ends: the player loops forever."""
    nodes = search.m.nodes
    trapped = {n: states for n in range(len(nodes)) if (states := search.trapped(n))}
    if not trapped:
        return []
    linked: dict[int, set[int]] = {n: set() for n in trapped}
    for n in trapped:
        cnode = nodes[n]
        for t in [c.target for c in cnode.choices] + ([cnode.next] if cnode.next is not None else []):
            if t in trapped:
                linked[n].add(t)
                linked[t].add(n)
    groups: list[list[int]] = []
    seen: set[int] = set()
    for n in sorted(trapped):
        if n in seen:
            continue
        group, stack = [], [n]
        seen.add(n)
        while stack:
            k = stack.pop()
            group.append(k)
            for j in linked[k]:
                if j not in seen:
                    seen.add(j)
                    stack.append(j)
        groups.append(sorted(group))
    # label the trapped states so the witness search can head for them
    search.run_backward({k: (trapped[k], TRAP + nodes[g[0]].node.id) for g in groups for k in g})
    found = []
    for group in groups:
        entry = group[0]
        witnesses = [w for k in group if (w := search.witness(k, TRAP + nodes[entry].node.id, trapped[k])) is not None]
        if not witnesses:
            continue
        best = min(witnesses, key=lambda w: len(w.path))
        node = nodes[search.m.node_index[best.path[-1]]].node
        found.append(Trap(list(dict.fromkeys(nodes[k].node.id for k in group)), node.id, str(node.where), finish(best)))
    return found

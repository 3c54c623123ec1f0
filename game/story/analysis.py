"""State-space exploration: can every ending be reached, and where can a player get stuck?

Pure: no I/O, no runtime import. The explorer mirrors game.runtime.engine rule for rule (choice
numbering with shown-disabled choices, once-only choices, fallbacks, silent fallbacks followed like
`next`, effects applied in order and clamped, chance() seeded per step and call), so every witness
it gives replays in the engine; tests/test_explore.py replays them, and `soak` compares the two at
every step of its random walks.

A state is the node plus only what a later condition can still tell apart. A backward dataflow pass
(_Observations) computes, at every node, which variables, visit counts and once-only flags are read
later and which of their values a later comparison can distinguish: `x >= 6` after `x += 1`
distinguishes values below 5 from the rest ("a cut at 5"). Effects map cuts exactly (`+= c` shifts
them, clamping never moves them, `=` drops them), so values between the same cuts behave alike on
every future path and merge into one representative; a variable used in arithmetic with another is
kept exactly.

The search (_Search) works on sets of such states, as decision diagrams, node by node in
topological order (a loop of nodes is iterated on what is new until nothing is). A backward pass
then labels every state with the endings (and dead ends) it can still reach: traps are the states
with no label, and witnesses are found by A* over single states, pruned by those labels.

chance() is explored both ways. The engine rolls randrange(100) from the seed, the step, a tag
("c" choice conditions, "e" choice effects, "n" node effects) and the call number; each call splits
the range of that roll, so a path records the roll ranges it needs, and a seed that takes it is
found by checking rolls without running the engine.
"""
from __future__ import annotations

import bisect
import heapq
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from . import expr
from .model import Choice, Node, Story, Value
from .validate import reachable as link_reachable

DEFAULT_MAX_STATES = 10 ** 12  # states are counted after merging, and explored as sets
MAX_ROUNDS = 500  # passes over one loop of nodes before its growth counts as endless (bounded loops settle in tens)
DEFAULT_SEED_TRIES = 50_000
_WIDEN = 64  # an unbounded int with more cuts than this is tracked exactly
_OTHER = "\x00other"  # representative of every str value no later comparison names


class _Everything:
    """Every value of a fact may matter later: track it exactly."""

    def __repr__(self) -> str:
        return "ALL"


ALL = _Everything()
Obs = Any  # frozenset of cut points / named strings, or ALL


# ---------------------------------------------------------------- chance, as the engine rolls it

def chance_roll(seed: int, steps: int, tag: str, call: int) -> int:
    """The roll behind the engine's chance(): it is true when roll < percent.

    Must stay identical to runtime.engine._Context.chance (tests replay witnesses to check it).
    """
    return random.Random(f"{seed}:{steps}:{tag}:{call}").randrange(100)


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


def _no_chance(percent: int) -> bool:
    raise AssertionError("chance() in an expression compiled as chance-free")


def _nothing() -> None:
    pass


def _outcomes(run: Callable[[Callable[[int], bool], Callable[[], None]], Any]) -> Iterator[tuple[Any, tuple]]:
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


def _tape_probability(tape: tuple) -> float:
    p = 1.0
    for low, high in tape:
        p *= (high - low) / 100
    return p


def _tape_needs(tag: str, offset: int, tape: tuple) -> tuple:
    """(step offset, tag, call, low, high) for every call whose roll is constrained."""
    if not tape:
        return ()
    return tuple((offset, tag, i + 1, low, high) for i, (low, high) in enumerate(tape) if (low, high) != (0, 100))


def _merge(groups: dict[tuple, list], signature: tuple, value: Any, needs: tuple, p: float) -> None:
    """Collect chance outcomes that end the same way: their probabilities add up."""
    group = groups.get(signature)
    if group is None:
        groups[signature] = [value, needs, p, p]
    else:
        group[2] += p
        if p > group[3]:
            group[1], group[3] = needs, p


def _merged(groups: dict[tuple, list]) -> Iterator[tuple[Any, tuple, float]]:
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


# ---------------------------------------------------------------- the compiled story

@dataclass(frozen=True)
class Slot:
    """One fact of a state: a variable, the visit count of a node, or a once-only choice's flag."""
    kind: str  # int | str | bool | visits | once
    name: str
    default: Value
    low: int | None = None
    high: int | None = None


@dataclass
class CChoice:
    node: int
    position: int  # index in Node.choices
    gidx: int  # index over every choice of the story
    choice: Choice
    target: int
    cond: Callable | None
    effects: tuple[Callable, ...]
    once: int | None  # slot of the once flag
    fallback: bool
    silent: bool  # a fallback without text: followed like `next`
    show: bool
    chance_in_effects: bool


@dataclass
class CNode:
    idx: int
    node: Node
    next: int | None
    choices: tuple[CChoice, ...]
    effects: tuple[Callable, ...]
    ending: str | None
    visit: int | None
    menu_chance: bool
    effects_chance: bool
    menu_slots: tuple[int, ...] = ()


def _is_chance_free(ast: expr.Ast | None) -> bool:
    return ast is None or not expr.uses_chance(ast)


def _constant(ast: expr.Ast) -> Value | None:
    """The value of an expression without variables, visits or chance; None otherwise."""
    for n in expr.walk(ast):
        if isinstance(n, (expr.Var, expr.NodeRef)) or (isinstance(n, expr.Call) and n.name == "chance"):
            return None
    return expr.evaluate(ast, _NoContext())


class _NoContext:
    def var(self, name: str) -> Value:
        raise AssertionError(name)

    def visits(self, node: str) -> int:
        raise AssertionError(node)

    def chance(self, percent: int) -> bool:
        raise AssertionError(percent)


_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!="}


def _cuts_for(op: str, k: int) -> tuple[int, ...]:
    """Cut points (values below a cut vs the rest) that decide `x op k`."""
    if op in (">=", "<"):
        return (k,)
    if op in (">", "<="):
        return (k + 1,)
    return (k, k + 1)  # == and !=


def _value_bounds(story: Story) -> dict[str, tuple[int | None, int | None]]:
    """Bounds every value of each int variable stays within: its clamps, or, for a side without a
    clamp, the extreme default or assigned constant when no effect can move it further that way
    (a counter that only grows never goes below its start)."""
    up: dict[str, bool] = {}
    down: dict[str, bool] = {}
    constants: dict[str, list[int]] = {name: [var.default] for name, var in story.variables.items()  # type: ignore[misc]
                                       if var.type == "int"}
    for node in story.nodes.values():
        for e in list(node.effects) + [e for c in node.choices for e in c.effects]:
            st = e.statement
            if st.var not in constants or st.value is None:
                continue
            k = _constant(st.value)
            if st.op == "=":
                if isinstance(k, int):
                    constants[st.var].append(k)
                else:
                    up[st.var] = down[st.var] = True
            elif not isinstance(k, int):
                up[st.var] = down[st.var] = True
            else:
                step = k if st.op == "+=" else -k
                up[st.var] = up.get(st.var, False) or step > 0
                down[st.var] = down.get(st.var, False) or step < 0
    found = {}
    for name, values in constants.items():
        var = story.variables[name]
        low = min(var.min, min(values)) if var.min is not None else None if down.get(name) else min(values)
        high = max(var.max, max(values)) if var.max is not None else None if up.get(name) else max(values)
        found[name] = (low, high)
    return found


def _links(node: Node) -> list[str]:
    return ([node.next] if node.next else []) + [c.target for c in node.choices]


def components(succ: list[list[int]]) -> list[list[int]]:
    """Strongly connected groups of a graph, in topological order (iterative Tarjan)."""
    index = [-1] * len(succ)
    low = [0] * len(succ)
    on = [False] * len(succ)
    stack: list[int] = []
    comps: list[list[int]] = []
    counter = 0
    for root in range(len(succ)):
        if index[root] >= 0:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on[v] = True
            recurse = False
            while i < len(succ[v]):
                w = succ[v][i]
                i += 1
                if index[w] < 0:
                    work.append((v, i))
                    work.append((w, 0))
                    recurse = True
                    break
                if on[w]:
                    low[v] = min(low[v], index[w])
            if recurse:
                continue
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on[w] = False
                    comp.append(w)
                    if w == v:
                        break
                comps.append(sorted(comp))
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
    comps.reverse()
    return comps


class Model:
    """The story compiled for fast simulation: a state is a tuple of slot values."""

    def __init__(self, story: Story):
        self.story = story
        self.node_index = {node_id: i for i, node_id in enumerate(story.nodes)}
        self.order = components([[self.node_index[t] for t in _links(node) if t in self.node_index]
                                 for node in story.nodes.values()])
        position = {n: i for i, comp in enumerate(self.order) for n in comp}
        # candidate slots with the topological position of the last node that can change them
        candidates: dict[tuple[str, str], tuple[Slot, int]] = {}
        bounds = _value_bounds(story)
        for name, var in story.variables.items():
            candidates[("var", name)] = (Slot(var.type, name, var.default, *bounds.get(name, (None, None))), -1)
        for ast in self._flow_asts():
            for node_id in sorted(expr.nodes_read(ast)):
                if node_id in story.nodes:
                    candidates[("visits", node_id)] = (Slot("visits", node_id, 0, 0, None),
                                                       position[self.node_index[node_id]])
        for node_id, node in story.nodes.items():
            here = position[self.node_index[node_id]]
            for e in list(node.effects) + [e for c in node.choices for e in c.effects]:
                slot, last = candidates[("var", e.statement.var)]
                candidates[("var", e.statement.var)] = (slot, max(last, here))
            for choice in node.choices:
                if choice.once:
                    last = candidates.get(("once", choice.id), (None, -1))[1]
                    candidates[("once", choice.id)] = (Slot("once", choice.id, False), max(last, here))
        # Decision diagrams stay smallest when facts that settle early sit on top (measured on the
        # shipped story: 3x fewer diagram nodes than declaration order).
        ranked = sorted(enumerate(candidates.items()), key=lambda item: (item[1][1][1], item[0]))
        self.slots: list[Slot] = []
        self.var_slot: dict[str, int] = {}
        self.visit_slot: dict[str, int] = {}
        self.once_slot: dict[str, int] = {}
        for _, ((kind, name), (slot, _)) in ranked:
            {"var": self.var_slot, "visits": self.visit_slot, "once": self.once_slot}[kind][name] = len(self.slots)
            self.slots.append(slot)
        self.defaults: tuple[Value, ...] = tuple(s.default for s in self.slots)
        self.nodes: list[CNode] = []
        self.choices: list[CChoice] = []
        for i, node in enumerate(story.nodes.values()):
            cchoices = []
            for position, choice in enumerate(node.choices):
                cchoice = CChoice(
                    node=i, position=position, gidx=len(self.choices), choice=choice,
                    target=self.node_index.get(choice.target, -1),
                    cond=self._compile(choice.condition.ast) if choice.condition else None,
                    effects=tuple(self._compile_statement(e.statement) for e in choice.effects),
                    once=self.once_slot.get(choice.id) if choice.once else None, fallback=choice.fallback,
                    silent=choice.fallback and not choice.text, show=choice.show_unavailable,
                    chance_in_effects=not all(_is_chance_free(e.statement.value) for e in choice.effects))
                cchoices.append(cchoice)
                self.choices.append(cchoice)
            self.nodes.append(CNode(
                idx=i, node=node, next=self.node_index.get(node.next, -1) if node.next else None,
                choices=tuple(cchoices), effects=tuple(self._compile_statement(e.statement) for e in node.effects),
                ending=node.ending, visit=self.visit_slot.get(node.id),
                menu_chance=not all(_is_chance_free(c.condition.ast if c.condition else None) for c in node.choices),
                effects_chance=not all(_is_chance_free(e.statement.value) for e in node.effects)))
        for cnode in self.nodes:
            read: set[int] = set()
            for c in cnode.choices:
                if c.choice.condition:
                    read |= self._facts(c.choice.condition.ast)
                if c.once is not None:
                    read.add(c.once)
            cnode.menu_slots = tuple(sorted(read))
        self.start = self.node_index.get(story.start, -1)

    def _flow_asts(self) -> Iterator[expr.Ast]:
        """Every expression that can change where the player goes (passage conditions cannot)."""
        for node in self.story.nodes.values():
            for e in node.effects:
                if e.statement.value is not None:
                    yield e.statement.value
            for c in node.choices:
                if c.condition:
                    yield c.condition.ast
                for e in c.effects:
                    if e.statement.value is not None:
                        yield e.statement.value

    def _facts(self, ast: expr.Ast) -> set[int]:
        found = {self.var_slot[v] for v in expr.variables_read(ast) if v in self.var_slot}
        found |= {self.visit_slot[n] for n in expr.nodes_read(ast) if n in self.visit_slot}
        return found

    # ------------------------------------------------------------ compiling expressions to closures

    def _compile(self, node: expr.Ast) -> Callable[[list, Callable[[int], bool]], Value]:
        """A closure computing exactly what expr.evaluate computes, reading slot values."""
        if isinstance(node, expr.Lit):
            value = node.value
            return lambda vals, ch: value
        if isinstance(node, expr.Var):
            slot = self.var_slot[node.name]
            return lambda vals, ch: vals[slot]
        if isinstance(node, expr.Unary):
            inner = self._compile(node.operand)
            if node.op == "-":
                return lambda vals, ch: -inner(vals, ch)
            return lambda vals, ch: not inner(vals, ch)
        if isinstance(node, expr.Call):
            if node.name in ("visits", "seen"):
                slot = self.visit_slot[node.args[0].node]  # type: ignore[union-attr]
                if node.name == "visits":
                    return lambda vals, ch: vals[slot]
                return lambda vals, ch: vals[slot] > 0
            args = [self._compile(a) for a in node.args]
            if node.name == "chance":
                percent = args[0]
                return lambda vals, ch: ch(int(percent(vals, ch)))
            a, b = args
            if node.name == "min":
                return lambda vals, ch: min(a(vals, ch), b(vals, ch))
            return lambda vals, ch: max(a(vals, ch), b(vals, ch))
        assert isinstance(node, expr.Binary)
        left, right = self._compile(node.left), self._compile(node.right)
        if node.op == "and":
            return lambda vals, ch: bool(left(vals, ch)) and bool(right(vals, ch))
        if node.op == "or":
            return lambda vals, ch: bool(left(vals, ch)) or bool(right(vals, ch))
        op = expr._BINARY[node.op]  # the evaluator's own operator table: same arithmetic
        return lambda vals, ch: op(left(vals, ch), right(vals, ch))

    def _compile_statement(self, st: expr.Statement) -> Callable[[list, Callable[[int], bool]], None]:
        slot = self.var_slot[st.var]
        clamp = self.story.variables[st.var].clamp
        if st.op == "toggle":
            def toggle(vals: list, ch: Callable) -> None:
                vals[slot] = not vals[slot]
            return toggle
        assert st.value is not None
        value = self._compile(st.value)
        if st.op == "=":
            def assign(vals: list, ch: Callable) -> None:
                vals[slot] = clamp(value(vals, ch))
            return assign
        sign = 1 if st.op == "+=" else -1

        def add(vals: list, ch: Callable) -> None:
            vals[slot] = clamp(vals[slot] + sign * value(vals, ch))
        return add

    # ------------------------------------------------------------ the rules of play

    def menu(self, cnode: CNode, vals: list | tuple, ch: Callable[[int], bool], restart: Callable[[], None]
             ) -> tuple[list[tuple[CChoice, bool]], CChoice | int | None, list[tuple[CChoice, bool]]]:
        """(views, follow, evaluated) as Engine.choices() and Engine.proceed() see them.

        views: (choice, enabled) numbered from 1; follow: the node index of `next`, the silent
        fallback proceed() takes, or None; evaluated: (choice, condition held) for every choice
        whose condition was looked at.
        """
        if cnode.next is not None:
            return [], cnode.next, []
        regular: list[tuple[CChoice, bool]] = []
        fallbacks: list[CChoice] = []
        evaluated: list[tuple[CChoice, bool]] = []
        for c in cnode.choices:
            if c.once is not None and vals[c.once]:
                continue
            ok = c.cond is None or bool(c.cond(vals, ch))
            evaluated.append((c, ok))
            if c.fallback:
                if ok:
                    fallbacks.append(c)
                continue
            if ok or c.show:
                regular.append((c, ok))
        follow: CChoice | None = None
        if not any(ok for _, ok in regular):
            regular = [(c, ok) for c, ok in regular if not ok] + [(c, True) for c in fallbacks if not c.silent]
            if cnode.choices and not any(ok for _, ok in regular):
                restart()  # the engine's second look uses a fresh context: same rolls again
                for c in cnode.choices:
                    if c.silent and not (c.once is not None and vals[c.once]) and (c.cond is None or c.cond(vals, ch)):
                        follow = c
                        break
        return regular, follow, evaluated

    def vals_of(self, variables: dict[str, Value], visits: dict[str, int], once_taken: set[str]) -> list:
        """Slot values of a concrete game state."""
        vals: list[Value] = []
        for s in self.slots:
            if s.kind == "visits":
                vals.append(visits.get(s.name, 0))
            elif s.kind == "once":
                vals.append(s.name in once_taken)
            else:
                vals.append(variables[s.name])
        return vals

    def concrete_menu(self, node_id: str, variables: dict[str, Value], visits: dict[str, int],
                      once_taken: set[str], seed: int, steps: int
                      ) -> tuple[list[tuple[Choice, bool]], Choice | str | None]:
        """What the engine must offer in a concrete state: ([(choice, enabled)], what proceed() follows)."""
        cnode = self.nodes[self.node_index[node_id]]
        rolls = EngineRolls(seed, steps, "c")
        views, follow, _ = self.menu(cnode, self.vals_of(variables, visits, once_taken), rolls, rolls.restart)
        if isinstance(follow, CChoice):
            follow_out: Choice | str | None = follow.choice
        elif isinstance(follow, int):
            follow_out = self.nodes[follow].node.id
        else:
            follow_out = None
        return [(c.choice, ok) for c, ok in views], follow_out


# ---------------------------------------------------------------- which values a later condition can tell apart

def _join(a: Obs | None, b: Obs | None) -> Obs | None:
    if a is None:
        return b
    if b is None or a is b:
        return a
    if a is ALL or b is ALL:
        return ALL
    return a | b


class _Observations:
    """The backward pass: for every node, what of each slot a later condition can distinguish."""

    def __init__(self, model: Model):
        self.m = model
        self.menu_reads: list[dict[int, Obs]] = []
        for cnode in model.nodes:
            reads: dict[int, Obs] = {}
            for c in cnode.choices:
                if c.choice.condition:
                    self._observe(c.choice.condition.ast, reads)
                if c.once is not None:
                    reads[c.once] = ALL
            self.menu_reads.append(reads)
        self.at: list[dict[int, Obs]] = [dict(r) for r in self.menu_reads]
        self._solve()

    # -- facts read by an expression

    def _clip(self, slot: int, cuts: set[int]) -> Obs | None:
        s = self.m.slots[slot]
        kept = frozenset(c for c in cuts if (s.low is None or c > s.low) and (s.high is None or c <= s.high))
        if not kept:
            return None
        if (s.low is None or s.high is None) and len(kept) > _WIDEN:
            return ALL
        return kept

    def _add(self, out: dict[int, Obs], slot: int, obs: Obs | None) -> None:
        joined = _join(out.get(slot), obs)
        if joined is not None:
            out[slot] = joined

    def _everything_in(self, ast: expr.Ast, out: dict[int, Obs]) -> None:
        for slot in self.m._facts(ast):
            out[slot] = ALL

    def _fact(self, ast: expr.Ast) -> int | None:
        if isinstance(ast, expr.Var):
            return self.m.var_slot.get(ast.name)
        if isinstance(ast, expr.Call) and ast.name == "visits":
            return self.m.visit_slot.get(ast.args[0].node)  # type: ignore[union-attr]
        return None

    def _observe(self, ast: expr.Ast, out: dict[int, Obs]) -> None:
        """Add what deciding the bool `ast` needs to know of each slot."""
        if isinstance(ast, expr.Binary) and ast.op in ("and", "or"):
            self._observe(ast.left, out)
            self._observe(ast.right, out)
            return
        if isinstance(ast, expr.Unary) and ast.op == "not":
            self._observe(ast.operand, out)
            return
        if isinstance(ast, expr.Call) and ast.name == "seen":
            self._add(out, self.m.visit_slot[ast.args[0].node], frozenset({1}))  # type: ignore[union-attr]
            return
        if isinstance(ast, expr.Binary) and ast.op in _FLIP:
            for side, other, op in ((ast.left, ast.right, ast.op), (ast.right, ast.left, _FLIP[ast.op])):
                slot = self._fact(side)
                if slot is None:
                    if isinstance(side, expr.Call) and side.name == "seen" and _constant(other) is not None:
                        self._observe(side, out)
                        return
                    continue
                k = _constant(other)
                if k is None:
                    continue
                kind = self.m.slots[slot].kind
                if kind in ("int", "visits") and isinstance(k, int) and not isinstance(k, bool):
                    self._add(out, slot, self._clip(slot, set(_cuts_for(op, k))))
                    return
                if kind == "str" and isinstance(k, str):
                    self._add(out, slot, frozenset({k}))
                    return
        self._everything_in(ast, out)

    # -- transfer backwards through effects

    def _shift(self, slot: int, obs: Obs, delta: int) -> Obs | None:
        if obs is ALL:
            return ALL
        return self._clip(slot, {c + delta for c in obs})

    def _statement_back(self, st: expr.Statement, after: dict[int, Obs]) -> dict[int, Obs]:
        slot = self.m.var_slot[st.var]
        obs = after.get(slot)
        if obs is None:
            return after  # the value it writes is never looked at
        before = dict(after)
        if st.op == "toggle":
            return before
        assert st.value is not None
        k = _constant(st.value)
        if st.op == "=":
            del before[slot]
            if k is not None:
                return before
            source = self._fact(st.value)
            if source is not None and self.m.slots[source].kind == self.m.slots[slot].kind:
                self._add(before, source, obs if obs is ALL or self.m.slots[slot].kind != "int"
                          else self._clip(source, set(obs)))
            elif source is not None and self.m.slots[source].kind == "visits" and obs is not ALL:
                self._add(before, source, self._clip(source, set(obs)))
            else:
                self._everything_in(st.value, before)
            return before
        if isinstance(k, int) and not isinstance(k, bool):
            shifted = self._shift(slot, obs, -k if st.op == "+=" else k)
            if shifted is None:
                del before[slot]
            else:
                before[slot] = shifted
            return before
        before[slot] = ALL
        self._everything_in(st.value, before)
        return before

    def _effects_back(self, statements: tuple[expr.Statement, ...], after: dict[int, Obs]) -> dict[int, Obs]:
        for st in reversed(statements):
            after = self._statement_back(st, after)
        return after

    def _entry(self, t: int) -> dict[int, Obs]:
        """What must be known just before entering node t."""
        cnode = self.m.nodes[t]
        before = self._effects_back(tuple(e.statement for e in cnode.node.effects), self.at[t])
        if cnode.visit is not None and cnode.visit in before:
            before = dict(before)
            shifted = self._shift(cnode.visit, before[cnode.visit], -1)
            if shifted is None:
                del before[cnode.visit]
            else:
                before[cnode.visit] = shifted
        return before

    def _through(self, c: CChoice, entry: dict[int, Obs]) -> dict[int, Obs]:
        before = self._effects_back(tuple(e.statement for e in c.choice.effects), entry)
        if c.once is not None and c.once in before:
            before = dict(before)
            del before[c.once]  # taking it sets the flag
        return before

    def _solve(self) -> None:
        m = self.m
        preds: list[set[int]] = [set() for _ in m.nodes]
        for cnode in m.nodes:
            for t in ([cnode.next] if cnode.next is not None else []) + [c.target for c in cnode.choices]:
                if t >= 0:
                    preds[t].add(cnode.idx)
        entry = [self._entry(t) for t in range(len(m.nodes))]
        work = list(range(len(m.nodes)))
        queued = set(work)
        while work:
            n = work.pop()
            queued.discard(n)
            cnode = m.nodes[n]
            new = dict(self.menu_reads[n])
            if cnode.next is not None and cnode.next >= 0:
                for slot, obs in entry[cnode.next].items():
                    self._add(new, slot, obs)
            for c in cnode.choices:
                if c.target >= 0:
                    for slot, obs in self._through(c, entry[c.target]).items():
                        self._add(new, slot, obs)
            if new != self.at[n]:
                self.at[n] = new
                entry[n] = self._entry(n)
                for p in preds[n]:
                    if p not in queued:
                        queued.add(p)
                        work.append(p)

    # -- representatives

    def canonicalizer(self, n: int) -> list[tuple[int, Callable[[Value], Value] | None, Value]]:
        """(slot, representative function or None for a constant, constant) for every slot not kept as is."""
        ops: list[tuple[int, Callable[[Value], Value] | None, Value]] = []
        at = self.at[n]
        for slot, s in enumerate(self.m.slots):
            obs = at.get(slot)
            if obs is None:
                ops.append((slot, None, s.default))
            elif obs is ALL or s.kind in ("bool", "once"):
                continue
            elif s.kind == "str":
                named = frozenset(obs)
                ops.append((slot, lambda v, named=named: v if v in named else _OTHER, None))
            else:
                cuts = sorted(obs)
                ops.append((slot, _interval_representative(cuts, s.low, s.high), None))
        return ops


def _interval_representative(cuts: list[int], low: int | None, high: int | None) -> Callable[[Value], Value]:
    floor = low if low is not None else cuts[0] - 1

    def representative(v: Value) -> Value:
        if (low is not None and v < low) or (high is not None and v > high):  # type: ignore[operator]
            return v  # outside the declared range (a default may be): keep it exact
        i = bisect.bisect_right(cuts, v)  # type: ignore[arg-type]
        return cuts[i - 1] if i else floor

    if low is not None and high is not None and high - low <= 256:
        table = {v: representative(v) for v in range(low, high + 1)}
        return lambda v: table.get(v, v)  # type: ignore[arg-type]
    return representative


# ---------------------------------------------------------------- findings

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
        }


# ---------------------------------------------------------------- sets of states: decision diagrams

_TERMINAL = 1 << 30
_LABEL = -1  # the level of labels in labelled sets
_STUCK = "\x00stuck:"  # labels of the backward pass besides ending ids
_UNKNOWN = "\x00unexplored"
_TRAP = "\x00trap:"


class _DD:
    """Multi-valued decision diagrams: sets of slot-value vectors, one level per slot.

    A node tests its level's slot and has a child per value; 1 is the full set below the last
    level, 0 the empty set. Nodes are hash-consed, so equal sets have equal ids and every operation
    can be memoised on ids. A labelled set (of the backward pass) is a node on a level above the
    slots whose children are the sets of states carrying each label.
    """

    def __init__(self) -> None:
        self.level: list[int] = [_TERMINAL, _TERMINAL]
        self.kids: list[tuple[tuple[Any, int], ...]] = [(), ()]
        self.unique: dict[tuple, int] = {}
        self._union: dict[tuple[int, int], int] = {}
        self._inter: dict[tuple[int, int], int] = {}
        self._diff: dict[tuple[int, int], int] = {}
        self._count: dict[int, int] = {0: 0, 1: 1}
        self._exists: dict[int, int] = {}

    def mk(self, level: int, pairs: list[tuple[Any, int]]) -> int:
        """The node for `pairs` (value, child), sorted by value, children not empty."""
        if not pairs:
            return 0
        key = (level, tuple(pairs))
        node = self.unique.get(key)
        if node is None:
            node = len(self.level)
            self.level.append(level)
            self.kids.append(key[1])
            self.unique[key] = node
        return node

    def point(self, vec: list | tuple) -> int:
        node = 1
        for level in range(len(vec) - 1, -1, -1):
            node = self.mk(level, [(vec[level], node)])
        return node

    def union(self, a: int, b: int) -> int:
        if a == 0 or a == b:
            return b
        if b == 0:
            return a
        if a == 1 or b == 1:
            return 1
        key = (a, b) if a < b else (b, a)
        found = self._union.get(key)
        if found is not None:
            return found
        merged = dict(self.kids[a])
        for v, c in self.kids[b]:
            e = merged.get(v)
            merged[v] = c if e is None else self.union(e, c)
        found = self._union[key] = self.mk(self.level[a], sorted(merged.items()))
        return found

    def intersect(self, a: int, b: int) -> int:
        if a == 0 or b == 0:
            return 0
        if a == b or b == 1:
            return a
        if a == 1:
            return b
        key = (a, b) if a < b else (b, a)
        found = self._inter.get(key)
        if found is not None:
            return found
        other = dict(self.kids[b])
        pairs = []
        for v, c in self.kids[a]:
            e = other.get(v)
            if e is not None:
                r = self.intersect(c, e)
                if r:
                    pairs.append((v, r))
        found = self._inter[key] = self.mk(self.level[a], pairs)
        return found

    def diff(self, a: int, b: int) -> int:
        if a == 0 or a == b:
            return 0
        if b == 0:
            return a
        if a == 1:
            return 0
        key = (a, b)
        found = self._diff.get(key)
        if found is not None:
            return found
        other = dict(self.kids[b])
        pairs = []
        for v, c in self.kids[a]:
            e = other.get(v)
            r = c if e is None else self.diff(c, e)
            if r:
                pairs.append((v, r))
        found = self._diff[key] = self.mk(self.level[a], pairs)
        return found

    def restrict(self, a: int, box: dict[int, set | frozenset]) -> int:
        """The members of `a` whose slot values are in box[level] for every level in box."""
        if not box or a <= 1:
            return a
        last = max(box)
        memo: dict[int, int] = {}
        level, kids, mk = self.level, self.kids, self.mk

        def rec(n: int) -> int:
            if n <= 1 or level[n] > last:
                return n
            found = memo.get(n)
            if found is None:
                allowed = box.get(level[n])
                pairs = []
                for v, c in kids[n]:
                    if allowed is None or v in allowed:
                        r = rec(c)
                        if r:
                            pairs.append((v, r))
                found = memo[n] = mk(level[n], pairs)
            return found
        return rec(a)

    def image(self, a: int, tr: _Transition) -> int:
        """{f(v) : v in a} for a transition acting on each slot's value separately."""
        memo: dict[int, int] = {}
        level, kids, mk, union = self.level, self.kids, self.mk, self.union
        tables, last = tr.tables, tr.last

        def rec(n: int) -> int:
            if n <= 1 or level[n] > last:
                return n
            found = memo.get(n)
            if found is None:
                lvl = level[n]
                table = tables[lvl]
                merged: dict[Any, int] = {}
                for v, c in kids[n]:
                    r = rec(c)
                    w = v if table is None else table[v]
                    e = merged.get(w)
                    merged[w] = r if e is None else union(e, r)
                found = memo[n] = mk(lvl, sorted(merged.items()))
            return found
        return rec(a)

    def pull_back(self, a: int, tr: _Transition, g: int) -> int:
        """{v in a : f(v) in g}; for a labelled g, the same for each label's set."""
        memo: dict[tuple[int, int], int] = {}
        level, kids, mk = self.level, self.kids, self.mk
        tables = tr.tables

        def rec(n: int, m: int) -> int:
            if n == 1:
                return m
            key = (n, m)
            found = memo.get(key)
            if found is None:
                lvl = level[n]
                table = tables[lvl]
                other = dict(kids[m])
                pairs = []
                for v, c in kids[n]:
                    w = v if table is None else table[v]
                    e = other.get(w)
                    if e is not None:
                        r = rec(c, e)
                        if r:
                            pairs.append((v, r))
                found = memo[key] = mk(lvl, pairs)
            return found

        if not a or not g:
            return 0
        if level[g] == _LABEL:
            return mk(_LABEL, [(label, r) for label, states in kids[g] if (r := rec(a, states))])
        return rec(a, g)

    def labelled(self, a: int, label: str) -> int:
        """{label: a}: a labelled set is a node on a level above the slots, one child set per label."""
        return self.mk(_LABEL, [(label, a)]) if a else 0

    def unlabelled(self, g: int) -> int:
        """The states of a labelled set, whatever their label."""
        found = self._exists.get(g)
        if found is None:
            found = 0
            for _, states in self.kids[g]:
                found = self.union(found, states)
            self._exists[g] = found
        return found

    def has(self, g: int, label: str, vec: list | tuple) -> bool:
        for value, states in self.kids[g]:
            if value == label:
                return self.contains(states, vec)
        return False

    def project(self, a: int, levels: tuple[int, ...]) -> list[tuple]:
        """The distinct value tuples `a` has at `levels` (sorted)."""
        if not levels:
            return [()] if a else []
        wanted = set(levels)
        last = max(levels)
        memo: dict[int, set[tuple]] = {}

        def rec(n: int) -> set[tuple]:
            if n == 1 or self.level[n] > last:
                return {()}
            found = memo.get(n)
            if found is None:
                found = set()
                keep = self.level[n] in wanted
                for v, c in self.kids[n]:
                    for rest in rec(c):
                        found.add((v,) + rest if keep else rest)
                memo[n] = found
            return found
        return sorted(rec(a)) if a else []

    def count(self, a: int) -> int:
        found = self._count.get(a)
        if found is None:
            found = self._count[a] = sum(self.count(c) for _, c in self.kids[a])
        return found

    def pick(self, a: int) -> list:
        vec = []
        while a > 1:
            v, a = self.kids[a][0]
            vec.append(v)
        return vec

    def contains(self, a: int, vec: list | tuple) -> bool:
        kids = self.kids
        for v in vec:
            if a <= 1:
                break
            for value, child in kids[a]:
                if value == v:
                    a = child
                    break
            else:
                return False
        return a == 1


# ---------------------------------------------------------------- the search

class _SlotTable(dict):
    """One slot's old value -> new value under a transition, each computed the first time it is asked for."""

    def __init__(self, compute: Callable[[int, Any], Any], slot: int):
        super().__init__()
        self.compute, self.slot = compute, slot

    def __missing__(self, value: Any) -> Any:
        found = self[value] = self.compute(self.slot, value)
        return found


@dataclass
class _Transition:
    """One way out of a set of states: a choice number (0: continue) under one outcome of chance()."""
    number: int
    choice: CChoice | None
    target: int
    needs: tuple  # roll needs: (step offset, tag, call, low, high)
    prob: float
    tables: list[_SlotTable | None]  # per slot: old value -> new value; None: unchanged
    last: int  # the deepest slot it may change


def _replay(tape: tuple) -> Callable[[int], bool]:
    """chance() following a recorded tape (every call's outcome is already decided by its range)."""
    pos = 0

    def chance(percent: int) -> bool:
        nonlocal pos
        low, high = tape[pos]
        pos += 1
        return high <= percent
    return chance


class _Search:
    """Breadth-first over sets of states, one decision diagram per node and layer."""

    def __init__(self, model: Model, max_states: int):
        self.m = model
        self.max_states = max_states
        self.obs = _Observations(model)
        self.L = len(model.slots)
        self.canon_ops = [self.obs.canonicalizer(n) for n in range(len(model.nodes))]
        self.canon = [{slot: (rep, const) for slot, rep, const in ops} for ops in self.canon_ops]
        self.dd = _DD()
        n = len(model.nodes)
        self.reached = [0] * n
        self.unexpanded = [0] * n
        self.order: list[list[int]] = []
        self.start: list[tuple[list, _Transition]] = []
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
        self.trans_cache: dict[tuple, list[_Transition]] = {}
        self.static_cache: dict[tuple[int, int], tuple[tuple[int, ...], frozenset[int]]] = {}
        self.labels: list[int] = [0] * n

    # -- the rules, concretely

    def _after_choice(self, c: CChoice | None, vec: list, ch: Callable[[int], bool]) -> None:
        if c is not None:
            if c.once is not None:
                vec[c.once] = True
            for e in c.effects:
                e(vec, ch)

    def _enter(self, t: int, vec: list, ch: Callable[[int], bool]) -> None:
        cnode = self.m.nodes[t]
        if cnode.visit is not None:
            vec[cnode.visit] += 1
        for e in cnode.effects:
            e(vec, ch)

    def _canonical(self, t: int, vec: list) -> list:
        for slot, rep, const in self.canon_ops[t]:
            vec[slot] = const if rep is None else rep(vec[slot])
        return vec

    def _tapes(self, run: Callable[[Callable[[int], bool]], None], has_chance: bool) -> list[tuple]:
        if not has_chance:
            return [()]
        return [tape for _, tape in _outcomes(lambda ch, restart: run(ch))]

    def _menus(self, cnode: CNode, vals: list | tuple) -> list:
        """[(views, follow, roll needs, probability)]: the menus chance() can make, identical ones merged."""
        key = (cnode.idx,) + tuple(vals[s] for s in cnode.menu_slots)
        cached = self.menu_cache.get(key)
        if cached is not None:
            return cached
        if not cnode.menu_chance:
            raw = [(self.m.menu(cnode, vals, _no_chance, _nothing), ())]
        else:
            raw = list(_outcomes(lambda ch, restart: self.m.menu(cnode, vals, ch, restart)))
        groups: dict[tuple, list] = {}
        for (views, follow, evaluated), tape in raw:
            for c, ok in evaluated:
                self.cond_seen[c.gidx] = 1
                if ok:
                    self.cond_true[c.gidx] = 1
            signature = (tuple((c.gidx, ok) for c, ok in views),
                         follow.gidx if isinstance(follow, CChoice) else ("next", follow))
            _merge(groups, signature, (views, follow), _tape_needs("c", 0, tape), _tape_probability(tape))
        result = [(views, follow, needs, p) for (views, follow), needs, p in _merged(groups)]
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

    def _transitions(self, n: int, base: list, number: int, c: CChoice | None, t: int,
                     menu_needs: tuple, menu_prob: float) -> list[_Transition]:
        """The action under every outcome of its effects' chance() calls; `base` fixes every slot they read."""
        reads, touched = self._static(c, t)
        key = (n, number, c.gidx if c else -1, t, menu_needs) + tuple(base[s] for s in reads) + \
            tuple(base[s] for s in self.m.nodes[n].menu_slots)
        found = self.trans_cache.get(key)
        if found is not None:
            return found
        tnode = self.m.nodes[t]
        last = max(touched) if touched else -1
        found = []
        tapes_e = self._tapes(lambda ch: self._after_choice(c, list(base), ch), c is not None and c.chance_in_effects)
        for tape_e in tapes_e:
            v1 = list(base)
            self._after_choice(c, v1, _replay(tape_e))
            tapes_n = self._tapes(lambda ch: self._enter(t, list(v1), ch), tnode.effects_chance)
            for tape_n in tapes_n:
                compute = self._slot_function(base, c, t, tape_e, tape_n)
                tables = [_SlotTable(compute, slot) if slot in touched else None for slot in range(self.L)]
                needs = menu_needs + _tape_needs("e", 0, tape_e) + _tape_needs("n", 1, tape_n)
                prob = menu_prob * _tape_probability(tape_e) * _tape_probability(tape_n)
                found.append(_Transition(number, c, t, needs, prob, tables, last))
        self.trans_cache[key] = found
        return found

    def _slot_function(self, base: list, c: CChoice | None, t: int, tape_e: tuple, tape_n: tuple
                       ) -> Callable[[int, Any], Any]:
        """The new value of one slot from its old value (the action reads no other slot but `base`'s)."""
        canon = self.canon[t]

        def compute(level: int, value: Any) -> Any:
            vec = list(base)
            vec[level] = value
            self._after_choice(c, vec, _replay(tape_e))
            self._enter(t, vec, _replay(tape_n))
            found = vec[level]
            op = canon.get(level)
            if op is not None:
                found = op[1] if op[0] is None else op[0](found)
            return found
        return compute

    def _parts(self, n: int, states: int) -> list[tuple[_Transition | None, int, tuple, float, list[str]]]:
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
                part = dd.restrict(states, {s: {x} for s, x in zip(mslots, t)})
                base = list(self.m.defaults)
                for s, x in zip(mslots, t):
                    base[s] = x
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
                            sub = dd.restrict(part, {s: {x} for s, x in zip(reads, r)})
                            full = list(base)
                            for s, x in zip(reads, r):
                                full[s] = x
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
        base = list(m.defaults)
        for tape in self._tapes(lambda ch: self._enter(start, list(base), ch), m.nodes[start].effects_chance):
            vec = list(base)
            self._enter(start, vec, _replay(tape))
            point = dd.point(self._canonical(start, vec))
            tr = _Transition(0, None, start, _tape_needs("n", 1, tape), _tape_probability(tape), [], -1)
            self.start.append((vec, tr))
            pending[start] = dd.union(pending[start], point)
        self.reached[start] = pending[start]
        self.states = dd.count(pending[start])
        self.order = self.m.order
        for comp in self.order:
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
                    for tr, part, _needs, _p, _shown in self._parts(node, states):
                        if tr is None:
                            self.stuck[node] = dd.union(self.stuck.get(node, 0), part)
                            continue
                        image = dd.image(part, tr)
                        into[tr.target] = dd.union(into.get(tr.target, 0), image)
                    for target, incoming in into.items():
                        new = dd.diff(incoming, self.reached[target])
                        if new:
                            self.reached[target] = dd.union(self.reached[target], new)
                            pending[target] = dd.union(pending[target], new)
                            self.states += dd.count(new)
                            busy = busy or target in comp

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
                init[n] = dd.union(init[n], dd.labelled(self.stuck[n], _STUCK + cnode.node.id))
            if self.unexpanded[n]:
                init[n] = dd.union(init[n], dd.labelled(self.unexpanded[n], _UNKNOWN))
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
                        labels[n] = dd.union(labels[n], dd.labelled(rest, _UNKNOWN))
                    break
                fresh: dict[int, int] = {}
                for n in comp:
                    acc = 0
                    for tr, part in outs[n]:
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

    def can_reach(self, n: int, vec: list, label: str) -> bool:
        return self.dd.has(self.labels[n], label, vec)

    # -- single states: witnesses and counting paths

    def moves(self, n: int, vec: list | tuple) -> list[tuple[_Transition, int, tuple]]:
        """(transition, target, next state) for every way on from one state, chance outcomes merged."""
        groups: dict[tuple, list] = {}
        for views, follow, menu_needs, menu_prob in self._menus(self.m.nodes[n], vec):
            for number, c, t in self._actions(views, follow):
                if t < 0:
                    continue
                tnode = self.m.nodes[t]
                for tape_e in self._tapes(lambda ch: self._after_choice(c, list(vec), ch),
                                          c is not None and c.chance_in_effects):
                    v1 = list(vec)
                    self._after_choice(c, v1, _replay(tape_e))
                    for tape_n in self._tapes(lambda ch: self._enter(t, list(v1), ch), tnode.effects_chance):
                        v2 = list(v1)
                        self._enter(t, v2, _replay(tape_n))
                        after = tuple(self._canonical(t, v2))
                        needs = menu_needs + _tape_needs("e", 0, tape_e) + _tape_needs("n", 1, tape_n)
                        p = menu_prob * _tape_probability(tape_e) * _tape_probability(tape_n)
                        _merge(groups, (number, t, after), (number, c, t, after), needs, p)
        return [(_Transition(number, c, t, needs, p, [], -1), t, after)
                for (number, c, t, after), needs, p in _merged(groups)]

    def stuck_needs(self, n: int, vec: list | tuple) -> tuple | None:
        """Roll needs of a menu with no way on at this state, None when every menu has one."""
        for views, follow, needs, _ in self._menus(self.m.nodes[n], vec):
            if not self._actions(views, follow):
                return needs
        return None

    def stuck_views(self, n: int, vec: list | tuple) -> list[str]:
        """The (disabled) choices shown where the player is stuck."""
        for views, follow, _, _ in self._menus(self.m.nodes[n], vec):
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
        extra = self.stuck_needs(target, vec) if label.startswith(_STUCK) else ()
        witness = self._to_witness(chain, extra or ())
        witness.shortest = shortest
        witness.final = vec
        return witness

    def _search(self, target: int, label: str, within: int | None, dist: list[int], greedy: bool, limit: int
                ) -> tuple[list[_Transition], tuple] | None:
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
                    ) -> tuple[list[_Transition], tuple] | None:
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

    def _to_witness(self, chain: list[_Transition], extra: tuple) -> Witness:
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
        asts = [p.condition.ast for p in node.passages if p.condition]
        asts += [c.condition.ast for c in node.choices if c.condition]
        statements = list(node.effects) + [e for c in node.choices for e in c.effects]
        asts += [e.statement.value for e in statements if e.statement.value is not None]
        for ast in asts:
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


def explore(story: Story, max_states: int = DEFAULT_MAX_STATES, seed_tries: int = DEFAULT_SEED_TRIES) -> Exploration:
    """Explore every state the player can reach (up to max_states) and report what was found."""
    model = Model(story)
    search = _Search(model, max_states)
    search.run()
    search.run_backward()
    nodes = model.nodes

    def finish(w: Witness | None) -> Witness:
        assert w is not None
        w.seed = find_seed(w.requirements, seed_tries)
        return w

    endings = {}
    for ending in story.endings.values():
        ending_nodes = [n for n, cnode in enumerate(nodes) if cnode.ending == ending.id]
        names = [nodes[n].node.id for n in ending_nodes]
        hit = [n for n in ending_nodes if search.reached[n]]
        if hit:
            best = min((w for n in hit if (w := search.witness(n, ending.id)) is not None),
                       key=lambda w: (len(w.path), -w.probability))
            paths = search.count_paths(ending.id) if search.complete else 2
            endings[ending.id] = EndingReach(ending.id, ending.title, True, finish(best), paths, names)
        else:
            endings[ending.id] = EndingReach(ending.id, ending.title, False if search.complete else None, None, 0, names)

    softlocks = []
    for n in sorted(search.stuck):
        node = nodes[n].node
        witness = finish(search.witness(n, _STUCK + node.id, search.stuck[n]))
        softlocks.append(SoftLock(node.id, str(node.where), witness, search.stuck_views(n, witness.final)))
    softlocks.sort(key=lambda s: len(s.witness.path))

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
    return Exploration(story.id, endings, softlocks, traps, dead, unreached, variable_uses(story),
                       search.states, search.complete, max_states, search.stopped)


def _traps(search: _Search, finish: Callable[[Witness | None], Witness]) -> list[Trap]:
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
    search.run_backward({k: (trapped[k], _TRAP + nodes[g[0]].node.id) for g in groups for k in g})
    found = []
    for group in groups:
        entry = group[0]
        witnesses = [w for k in group if (w := search.witness(k, _TRAP + nodes[entry].node.id, trapped[k])) is not None]
        if not witnesses:
            continue
        best = min(witnesses, key=lambda w: len(w.path))
        node = nodes[search.m.node_index[best.path[-1]]].node
        found.append(Trap([nodes[k].node.id for k in group], node.id, str(node.where), finish(best)))
    return found


# ---------------------------------------------------------------- coverage

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
    model = Model(story)
    obs = _Observations(model)
    sizes = [len(a) for a in obs.at]
    return {"slots": len(model.slots), "max_tracked": max(sizes, default=0),
            "mean_tracked": round(sum(sizes) / len(sizes), 2) if sizes else 0.0}

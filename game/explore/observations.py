"""Which values a later condition can tell apart: the backward dataflow pass that merges states."""
from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any

from ..story import expr
from ..story.model import Value
from .compiled import FLIP, CChoice, CompiledStory, constant, cuts_for

WIDEN = 64  # an unbounded int with more cuts than this is tracked exactly
OTHER = "\x00other"  # representative of every str value no later comparison names


class Everything:
    """Every value of a fact may matter later: track it exactly."""

    def __repr__(self) -> str:
        return "ALL"


ALL = Everything()
Obs = Any  # frozenset of cut points / named strings, or ALL



def _join(a: Obs | None, b: Obs | None) -> Obs | None:
    if a is None:
        return b
    if b is None or a is b:
        return a
    if a is ALL or b is ALL:
        return ALL
    return a | b


class Observations:
    """The backward pass: for every node, what of each slot a later condition can distinguish."""

    def __init__(self, model: CompiledStory):
        self.m = model
        self.menu_reads: list[dict[int, Obs]] = []
        for cnode in model.nodes:
            reads: dict[int, Obs] = {}
            for c in cnode.choices:
                if c.choice.condition:
                    self._observe(c.choice.condition.ast, reads)
                if c.once is not None:
                    reads[c.once] = ALL
            for ast in model.text_reads[cnode.idx]:
                self._observe(ast, reads)
            self.menu_reads.append(self._varying(cnode.idx, reads))
        self.at: list[dict[int, Obs]] = [dict(r) for r in self.menu_reads]
        self._solve()

    # -- facts read by an expression

    def _clip(self, slot: int, cuts: set[int]) -> Obs | None:
        s = self.m.slots[slot]
        kept = frozenset(c for c in cuts if (s.low is None or c > s.low) and (s.high is None or c <= s.high))
        if not kept:
            return None
        if (s.low is None or s.high is None) and len(kept) > WIDEN:
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
        if isinstance(ast, expr.Binary) and ast.op in FLIP:
            for side, other, op in ((ast.left, ast.right, ast.op), (ast.right, ast.left, FLIP[ast.op])):
                slot = self._fact(side)
                if slot is None:
                    if isinstance(side, expr.Call) and side.name == "seen" and constant(other) is not None:
                        self._observe(side, out)
                        return
                    continue
                k = constant(other)
                if k is None:
                    continue
                kind = self.m.slots[slot].kind
                if kind in ("int", "visits") and isinstance(k, int) and not isinstance(k, bool):
                    self._add(out, slot, self._clip(slot, set(cuts_for(op, k))))
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
        k = constant(st.value)
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

    def _varying(self, n: int, obs: dict[int, Obs]) -> dict[int, Obs]:
        """Only the slots that may differ from their defaults at node n: the rest hold one value there.

        Without this, whatever is read late (a once-only flag, a visit count) would be carried back
        to the start, so every node would track a share of every slot of the story."""
        here, first = self.m.position[n], self.m.first_change
        if all(first[slot] <= here for slot in obs):
            return obs
        return {slot: o for slot, o in obs.items() if first[slot] <= here}

    def _solve(self) -> None:
        m = self.m
        self.preds = preds = [set[int]() for _ in m.nodes]
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
            new = self._varying(n, new)
            if new != self.at[n]:
                self.at[n] = new
                entry[n] = self._entry(n)
                for p in preds[n]:
                    if p not in queued:
                        queued.add(p)
                        work.append(p)

    # -- representatives

    def _arriving(self, n: int) -> set[int]:
        """The slots whose values may need merging on entering n: the ones a node before it kept at
        another precision, and what the way in and n's own effects write. Every other slot is at its
        default already, or at a value already merged exactly as n would merge it."""
        m = self.m
        cnode = m.nodes[n]
        found = {m.var_slot[e.statement.var] for e in cnode.node.effects}
        if cnode.visit is not None:
            found.add(cnode.visit)
        at = self.at[n]
        for p in self.preds[n]:
            found |= {slot for slot, obs in self.at[p].items() if at.get(slot) != obs}
            for c in m.nodes[p].choices:
                if c.target == n:
                    found |= {m.var_slot[e.statement.var] for e in c.choice.effects}
                    if c.once is not None:
                        found.add(c.once)
        if n == m.start or not self.preds[n]:  # entered from the defaults
            found |= set(at)
        else:
            kept_everywhere = set.intersection(*(set(self.at[p]) for p in self.preds[n]))
            found |= set(at) - kept_everywhere
        return found

    def canonicalizer(self, n: int) -> list[tuple[int, Callable[[Value], Value] | None, Value]]:
        """(slot, representative function or None for a constant, constant) for every slot not kept as is."""
        ops: list[tuple[int, Callable[[Value], Value] | None, Value]] = []
        at = self.at[n]
        for slot in sorted(self._arriving(n)):
            s = self.m.slots[slot]
            obs = at.get(slot)
            if obs is None:
                ops.append((slot, None, s.default))
            elif obs is ALL or s.kind in ("bool", "once"):
                continue
            elif s.kind == "str":
                ops.append((slot, _named_representative(frozenset(obs)), s.default))
            else:
                cuts = sorted(obs)
                ops.append((slot, _interval_representative(cuts, s.low, s.high), s.default))
        return ops


def _named_representative(named: frozenset) -> Callable[[Value], Value]:
    """Strings no later comparison names all behave alike: one stands for them."""
    return lambda v: v if v in named else OTHER


def _interval_representative(cuts: list[int], low: int | None, high: int | None) -> Callable[[Value], Value]:
    floor = low if low is not None else cuts[0] - 1

    def representative(v: Value) -> Value:
        if (low is not None and v < low) or (high is not None and v > high):  # type: ignore[operator]
            return v  # outside the declared range (a default may be): keep it exact
        i = bisect.bisect_right(cuts, v)
        return cuts[i - 1] if i else floor

    if low is not None and high is not None and high - low <= 256:
        table = {v: representative(v) for v in range(low, high + 1)}
        return lambda v: table.get(v, v)  # type: ignore[arg-type]
    return representative

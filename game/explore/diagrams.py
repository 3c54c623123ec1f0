"""Sets of states as decision diagrams over the compiled story's slots."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .search import Transition


_TERMINAL = 1 << 30
_LABEL = -1  # the level of labels in labelled sets
STUCK = "\x00stuck:"  # labels of the backward pass besides ending ids
UNKNOWN = "\x00unexplored"
TRAP = "\x00trap:"


class DD:
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

    def image(self, a: int, tr: Transition) -> int:
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

    def pull_back(self, a: int, tr: Transition, g: int) -> int:
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

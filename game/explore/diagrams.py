"""Sets of states as decision diagrams over the compiled story's slots."""
from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .search import Transition


_TERMINAL = 1 << 30
_LABEL = -1  # the level of labels in labelled sets
STUCK = "\x00stuck:"  # labels of the backward pass besides ending ids
UNKNOWN = "\x00unexplored"
TRAP = "\x00trap:"


def _spent(*args: Any) -> Any:
    """Put in place of an operation's inner recursive function once it is done: the function refers to
    itself through its closure, a cycle only the garbage collector would free (with its memo), and the
    explorer runs with the collector off."""
    raise AssertionError("a finished operation was called again")


@contextmanager
def headroom(levels: int) -> Iterator[None]:
    """Recursion room for operations on sets over `levels` slots, and no cyclic garbage collection.

    The operations below recurse one Python frame per level a set holds away from its default (an
    image ends in a union: two frames a level). Since Python 3.11, a Python function calling a Python
    function uses no C stack, so a higher limit is safe, and a story's size never hits a wall.
    The search makes millions of small tuples that are never part of a cycle: the collector would
    rescan all of them (and the story) again and again as they grow (explore 1.7x faster without it);
    the few cycles made meanwhile are collected afterwards."""
    old = sys.getrecursionlimit()
    collecting = gc.isenabled()
    sys.setrecursionlimit(max(old, old + 3 * levels))
    gc.disable()
    try:
        yield
    finally:
        sys.setrecursionlimit(old)
        if collecting:
            gc.enable()


class DD:
    """Multi-valued decision diagrams: sets of slot-value vectors, one level per slot.

    A node tests its level's slot and has a child per value; 0 is the empty set. A level that a
    path skips holds its slot's default there (a node allowing only the default is never made),
    and 1 is "every remaining slot at its default". So a set costs diagram nodes only for the slots
    that differ from their defaults somewhere in it, not for every slot of the story, and every
    operation walks only those levels: with a state merged down to what a later condition reads,
    that is a handful per node however long the story is. Nodes are hash-consed, so equal sets have
    equal ids and every operation can be memoised on ids. A labelled set (of the backward pass) is a
    node on a level above the slots whose children are the sets of states carrying each label.

    Recursion goes one level per slot a set holds away from its default, never one per slot of the
    story; count() and the walks over whole sets are iterative.
    """

    def __init__(self, defaults: list | tuple = ()) -> None:
        self.defaults = tuple(defaults)
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
        if level >= 0 and len(pairs) == 1 and pairs[0][0] == self.defaults[level]:
            return pairs[0][1]  # only the default: the level is skipped
        key = (level, tuple(pairs))
        node = self.unique.get(key)
        if node is None:
            node = len(self.level)
            self.level.append(level)
            self.kids.append(key[1])
            self.unique[key] = node
        return node

    def forget(self, above: int = 200_000) -> None:
        """Drop the memos of union, intersection and difference once they hold more than `above`
        entries: a search moving on through a long story rarely asks about old sets again, and the
        memos would otherwise hold every pair it ever combined."""
        for memo in (self._union, self._inter, self._diff):
            if len(memo) > above:
                memo.clear()

    def _at(self, n: int, lvl: int) -> tuple[tuple[Any, int], ...]:
        """n's (value, child) pairs at level lvl <= level[n]: a skipped level holds the default."""
        if self.level[n] == lvl:
            return self.kids[n]
        return ((self.defaults[lvl], n),)

    def point(self, state: tuple) -> int:
        """The set of one state, given as its ((slot, value), ...) away from the defaults, by slot."""
        node = 1
        for level, value in reversed(state):
            node = self.mk(level, [(value, node)])
        return node

    def union(self, a: int, b: int) -> int:
        if a == 0 or a == b:
            return b
        if b == 0:
            return a
        key = (a, b) if a < b else (b, a)
        found = self._union.get(key)
        if found is not None:
            return found
        lvl = min(self.level[a], self.level[b])
        merged = dict(self._at(a, lvl))
        for v, c in self._at(b, lvl):
            e = merged.get(v)
            merged[v] = c if e is None else self.union(e, c)
        found = self._union[key] = self.mk(lvl, sorted(merged.items()))
        return found

    def intersect(self, a: int, b: int) -> int:
        if a == 0 or b == 0:
            return 0
        if a == b:
            return a
        key = (a, b) if a < b else (b, a)
        found = self._inter.get(key)
        if found is not None:
            return found
        lvl = min(self.level[a], self.level[b])
        other = dict(self._at(b, lvl))
        pairs = []
        for v, c in self._at(a, lvl):
            e = other.get(v)
            if e is not None:
                r = self.intersect(c, e)
                if r:
                    pairs.append((v, r))
        found = self._inter[key] = self.mk(lvl, pairs)
        return found

    def diff(self, a: int, b: int) -> int:
        if a == 0 or a == b:
            return 0
        if b == 0:
            return a
        key = (a, b)
        found = self._diff.get(key)
        if found is not None:
            return found
        lvl = min(self.level[a], self.level[b])
        other = dict(self._at(b, lvl))
        pairs = []
        for v, c in self._at(a, lvl):
            e = other.get(v)
            r = c if e is None else self.diff(c, e)
            if r:
                pairs.append((v, r))
        found = self._diff[key] = self.mk(lvl, pairs)
        return found

    def restrict(self, a: int, box: dict[int, set | frozenset]) -> int:
        """The members of `a` whose slot values are in box[level] for every level in box."""
        if not box or a == 0:
            return a
        levels = sorted(box)
        memo: dict[tuple[int, int], int] = {}
        level, kids, mk, defaults = self.level, self.kids, self.mk, self.defaults

        def rec(n: int, i: int) -> int:
            # levels[i:] still to check; every level above n's (from levels[i] on) holds its default
            while i < len(levels) and levels[i] < level[n]:
                if defaults[levels[i]] not in box[levels[i]]:
                    return 0
                i += 1
            if i == len(levels):
                return n
            key = (n, i)
            found = memo.get(key)
            if found is None:
                lvl = level[n]
                allowed = box[lvl] if lvl == levels[i] else None
                nxt = i + 1 if allowed is not None else i
                pairs = []
                for v, c in kids[n]:
                    if allowed is None or v in allowed:
                        r = rec(c, nxt)
                        if r:
                            pairs.append((v, r))
                found = memo[key] = mk(lvl, pairs)
            return found
        try:
            return rec(a, 0)
        finally:
            rec = _spent  # type: ignore[assignment]  # see _spent

    def image(self, a: int, tr: Transition) -> int:
        """{f(v) : v in a} for a transition acting on each slot's value separately."""
        tables = tr.tables
        levels = sorted(tables)
        memo: dict[tuple[int, int], int] = {}
        level, kids, mk, union, defaults = self.level, self.kids, self.mk, self.union, self.defaults

        def rec(n: int, i: int) -> int:
            if i == len(levels) or n == 0:
                return n
            key = (n, i)
            found = memo.get(key)
            if found is None:
                lvl = level[n]
                if levels[i] < lvl:  # a skipped level the transition may move off its default
                    t = levels[i]
                    found = mk(t, [(tables[t][defaults[t]], rec(n, i + 1))])
                else:
                    table = tables[lvl] if levels[i] == lvl else None
                    nxt = i + 1 if table is not None else i
                    merged: dict[Any, int] = {}
                    for v, c in kids[n]:
                        r = rec(c, nxt)
                        w = v if table is None else table[v]
                        e = merged.get(w)
                        merged[w] = r if e is None else union(e, r)
                    found = mk(lvl, sorted(merged.items()))
                memo[key] = found
            return found
        try:
            return rec(a, 0)
        finally:
            rec = _spent  # type: ignore[assignment]  # see _spent

    def pull_back(self, a: int, tr: Transition, g: int) -> int:
        """{v in a : f(v) in g}; for a labelled g, the same for each label's set."""
        tables = tr.tables
        levels = sorted(tables)
        memo: dict[tuple[int, int, int], int] = {}
        level, mk, at, intersect = self.level, self.mk, self._at, self.intersect

        def rec(n: int, m: int, i: int) -> int:
            if i == len(levels):
                return intersect(n, m)  # the rest of the way f changes nothing
            if n == 0 or m == 0:
                return 0
            key = (n, m, i)
            found = memo.get(key)
            if found is None:
                lvl = min(level[n], level[m], levels[i])
                table = tables[lvl] if levels[i] == lvl else None
                nxt = i + 1 if table is not None else i
                other = dict(at(m, lvl))
                pairs = []
                for v, c in at(n, lvl):
                    w = v if table is None else table[v]
                    e = other.get(w)
                    if e is not None:
                        r = rec(c, e, nxt)
                        if r:
                            pairs.append((v, r))
                found = memo[key] = mk(lvl, pairs)
            return found

        if not a or not g:
            return 0
        try:
            if level[g] == _LABEL:
                return mk(_LABEL, [(label, r) for label, states in self.kids[g] if (r := rec(a, states, 0))])
            return rec(a, g, 0)
        finally:
            rec = _spent  # type: ignore[assignment]  # see _spent

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

    def has(self, g: int, label: str, vec: tuple) -> bool:
        for value, states in self.kids[g]:
            if value == label:
                return self.contains(states, vec)
        return False

    def project(self, a: int, levels: tuple[int, ...]) -> list[tuple]:
        """The distinct value tuples `a` has at `levels`, in level order (sorted)."""
        if not levels:
            return [()] if a else []
        if not a:
            return []
        wanted = sorted(set(levels))
        memo: dict[tuple[int, int], set[tuple]] = {}
        level, kids, defaults = self.level, self.kids, self.defaults

        def rec(n: int, i: int) -> set[tuple]:
            prefix: tuple = ()
            while i < len(wanted) and wanted[i] < level[n]:
                prefix += (defaults[wanted[i]],)
                i += 1
            if i == len(wanted):
                return {prefix}
            key = (n, i)
            found = memo.get(key)
            if found is None:
                keep = level[n] == wanted[i]
                found = set()
                for v, c in kids[n]:
                    for rest in rec(c, i + 1 if keep else i):
                        found.add((v,) + rest if keep else rest)
                memo[key] = found
            return {prefix + t for t in found} if prefix else found
        try:
            return sorted(rec(a, 0))
        finally:
            rec = _spent  # type: ignore[assignment]  # see _spent

    def count(self, a: int) -> int:
        """How many states `a` holds (iterative: a set may span any number of levels)."""
        counts = self._count
        if a in counts:
            return counts[a]
        stack = [a]
        kids = self.kids
        while stack:
            n = stack[-1]
            if n in counts:
                stack.pop()
                continue
            missing = [c for _, c in kids[n] if c not in counts]
            if missing:
                stack.extend(missing)
                continue
            counts[n] = sum(counts[c] for _, c in kids[n])
            stack.pop()
        return counts[a]

    def contains(self, a: int, state: tuple) -> bool:
        """Whether `a` holds a state given as its ((slot, value), ...) away from the defaults."""
        values = dict(state)
        level, kids, defaults = self.level, self.kids, self.defaults
        matched = 0
        while a > 1:
            lvl = level[a]
            v = values.get(lvl, defaults[lvl])
            for value, child in kids[a]:
                if value == v:
                    a = child
                    break
            else:
                return False
            matched += lvl in values
        return a == 1 and matched == len(values)

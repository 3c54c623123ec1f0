"""Woven text (story format 2): state inside the sentence.

    He {told_amy => tells Amy again | finally tells Amy} about the letters.   conditional, with else
    {openness >= 6 => opens up | openness >= 3 => hesitates | says nothing}  a chain
    Dear {addressee}, it has been {days} days.                              interpolation
    {The phone rings. | It rings again. | It keeps ringing.}               sequence (stops at the last)
    {&Monday|Tuesday|Wednesday}  {~heads|tails}  {!Only the first time.}   cycle, shuffle, once-only
    *italic*  **bold**  {{ and }} for literal braces, \\* for a literal asterisk

Parsed once at load into immutable segments (every position kept, so a mistake is reported at the
character inside the string); rendered by the engine against a state. Pure: no I/O.
"""
from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from . import expr
from .functions import Context, Value

MAX_DEPTH = 16  # nested braces
VARY_KINDS = {"&": "cycle", "~": "shuffle", "!": "once"}  # no marker: "sequence"


class WeaveError(Exception):
    """A mistake in woven text; `offset` is the 0-based index of the character in the string."""

    def __init__(self, code: str, message: str, offset: int, hint: str = ""):
        super().__init__(message)
        self.code, self.message, self.offset, self.hint = code, message, offset, hint


# ---------------------------------------------------------------- segments

@dataclass(frozen=True)
class Lit:
    text: str


@dataclass(frozen=True)
class Style:
    mark: str  # "i" or "b": toggles italic or bold
    pos: int


@dataclass(frozen=True)
class Interp:
    ast: expr.Ast
    source: str
    pos: int


@dataclass(frozen=True)
class Branch:
    condition: expr.Ast | None  # None: the else branch
    source: str
    pos: int  # where the condition (or the else text) starts
    body: Segments


@dataclass(frozen=True)
class Cond:
    branches: tuple[Branch, ...]
    pos: int


@dataclass(frozen=True)
class Vary:
    kind: str  # sequence | cycle | shuffle | once
    options: tuple[Segments, ...]
    option_pos: tuple[int, ...]
    pos: int
    index: int  # its number within the passage: keys the shuffle


Segment = Lit | Style | Interp | Cond | Vary
Segments = tuple[Segment, ...]


@dataclass(frozen=True)
class Woven:
    """A parsed string. `plain` is True when it has no construct at all (format 1 text is always plain)."""
    source: str
    segments: Segments

    @property
    def plain(self) -> bool:
        return all(isinstance(s, Lit) for s in self.segments)


# ---------------------------------------------------------------- parsing

_SPECIAL = re.compile(r"[\\{}*]")


def parse(source: str) -> Woven:
    """Parse woven text; raises WeaveError at the offending character."""
    if not _SPECIAL.search(source):
        return Woven(source, (Lit(source),) if source else ())  # most text: nothing to weave
    segments = _Parser(source).sequence(0, len(source), 0)
    _check_balanced(segments, 0)
    return Woven(source, segments)


class _Parser:
    def __init__(self, source: str):
        self.s = source
        self.vary_count = 0

    def sequence(self, i: int, end: int, depth: int) -> Segments:
        """The segments of s[i:end]."""
        s = self.s
        out: list[Segment] = []
        buf: list[str] = []

        def flush() -> None:
            if buf:
                out.append(Lit("".join(buf)))
                buf.clear()

        while i < end:
            special = _SPECIAL.search(s, i, end)
            if special is None:
                buf.append(s[i:end])
                break
            if special.start() > i:
                buf.append(s[i:special.start()])
                i = special.start()
            c = s[i]
            if c == "\\" and i + 1 < end and s[i + 1] in "\\*{}|":
                buf.append(s[i + 1])
                i += 2
            elif s.startswith("{{", i) and depth == 0:
                buf.append("{")
                i += 2
            elif s.startswith("}}", i) and depth == 0:
                buf.append("}")
                i += 2
            elif c == "{":
                flush()
                segment, i = self.braces(i, end, depth + 1)
                out.append(segment)
            elif c == "}":
                raise WeaveError("E027", "'}' closes nothing", i, "write '}}' for a literal brace")
            elif c == "*":
                flush()
                bold = s.startswith("**", i)
                out.append(Style("b" if bold else "i", i))
                i += 2 if bold else 1
            else:
                buf.append(c)
                i += 1
        flush()
        return tuple(out)

    def branch(self, a: int, b: int, depth: int) -> Segments:
        """A branch or option: spaces around '|' and '=>' are layout, not text."""
        return _strip(self.sequence(a, b, depth))

    def braces(self, start: int, limit: int, depth: int) -> tuple[Segment, int]:
        if depth > MAX_DEPTH:
            raise WeaveError("E027", f"braces nested more than {MAX_DEPTH} deep", start)
        end = _matching_brace(self.s, start, limit)
        if end < 0:
            raise WeaveError("E027", "'{' is never closed", start, "close it with '}', or write '{{' for a literal brace")
        body_start = start + 1
        body = self.s[body_start:end]
        if not body.strip():
            raise WeaveError("E027", "empty braces", start, "write '{{}}' for literal braces")
        marker = body.lstrip()[:1]
        if marker in VARY_KINDS:
            return self.variation(VARY_KINDS[marker], body_start + _lead(body) + 1, end, start, depth), end + 1
        if any(True for _ in _top_level(body, "=>")):
            return self.conditional(body_start, end, start, depth), end + 1
        if any(True for _ in _top_level(body, "|")):
            return self.variation("sequence", body_start, end, start, depth), end + 1
        source = body.strip()
        pos = body_start + _lead(body)
        return Interp(_expression(source, pos), source, pos), end + 1

    def _parts(self, a: int, end: int) -> list[tuple[int, int]]:
        """(start, end) of each '|'-separated part of s[a:end]."""
        cuts = [a] + [a + p + 1 for p in _top_level(self.s[a:end], "|")]
        return [(x, (y - 1) if y is not None else end) for x, y in zip(cuts, cuts[1:] + [None])]

    def conditional(self, a: int, end: int, start: int, depth: int) -> Cond:
        branches = []
        parts = self._parts(a, end)
        for n, (x, y) in enumerate(parts):
            part = self.s[x:y]
            arrow = next(iter(_top_level(part, "=>")), None)
            if arrow is None:
                if n != len(parts) - 1:
                    raise WeaveError("E027", "only the last branch may go without a condition", x + _lead(part),
                                     "write 'condition => text' for every branch but the last (the else)")
                branches.append(Branch(None, part.strip(), x + _lead(part), self.branch(x, y, depth)))
                continue
            source = part[:arrow].strip()
            if not source:
                raise WeaveError("E027", "a branch has '=>' but no condition before it", x + arrow)
            pos = x + _lead(part)
            branches.append(Branch(_expression(source, pos), source, pos, self.branch(x + arrow + 2, y, depth)))
        return Cond(tuple(branches), start)

    def variation(self, kind: str, a: int, end: int, start: int, depth: int) -> Vary:
        parts = self._parts(a, end)
        options = tuple(self.branch(x, y, depth) for x, y in parts)
        self.vary_count += 1
        return Vary(kind, options, tuple(x + _lead(self.s[x:y]) for x, y in parts), start, self.vary_count)


_BRACES = re.compile(r"\\.|[{}]", re.S)
_TOKENS = {token: re.compile(r"\\.|[{}]|" + re.escape(token), re.S) for token in ("=>", "|")}


def _matching_brace(s: str, start: int, limit: int) -> int:
    depth = 0
    for match in _BRACES.finditer(s, start, limit):
        c = match.group()
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return match.start()
    return -1


def _top_level(body: str, token: str) -> Iterator[int]:
    """Offsets of `token` in body outside nested braces (escapes skipped)."""
    depth = 0
    for match in _TOKENS[token].finditer(body):
        c = match.group()
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == token and depth == 0:
            yield match.start()


def _lead(part: str) -> int:
    return len(part) - len(part.lstrip())


def _strip(segments: Segments) -> Segments:
    """Spaces around '|' and '=>' are layout, not text: trim the ends of a branch."""
    items = list(segments)
    if items and isinstance(items[0], Lit):
        items[0] = Lit(items[0].text.lstrip())
    if items and isinstance(items[-1], Lit):
        items[-1] = Lit(items[-1].text.rstrip())
    return tuple(s for s in items if not (isinstance(s, Lit) and not s.text))


def _expression(source: str, pos: int) -> expr.Ast:
    try:
        return expr.parse(source)
    except expr.ExprError as err:
        raise WeaveError(err.code, f"{err.message} in '{source}'", pos + err.offset, err.hint) from None


def _check_balanced(segments: Segments, depth: int) -> None:
    """Every * or ** closes in the same branch it opens in."""
    open_at: dict[str, int] = {}
    for seg in segments:
        if isinstance(seg, Style):
            if seg.mark in open_at:
                del open_at[seg.mark]
            else:
                open_at[seg.mark] = seg.pos
        elif isinstance(seg, Cond):
            for branch in seg.branches:
                _check_balanced(branch.body, depth + 1)
        elif isinstance(seg, Vary):
            for option in seg.options:
                _check_balanced(option, depth + 1)
    for mark, pos in open_at.items():
        what = "'**' (bold)" if mark == "b" else "'*' (italic)"
        raise WeaveError("E027", f"{what} is opened here but not closed" + (" in the same branch" if depth else ""),
                         pos, "close it with the same mark; write '\\*' for a literal asterisk")


# ---------------------------------------------------------------- checking against the story

def walk(segments: Segments) -> Iterator[Segment]:
    for seg in segments:
        yield seg
        if isinstance(seg, Cond):
            for branch in seg.branches:
                yield from walk(branch.body)
        elif isinstance(seg, Vary):
            for option in seg.options:
                yield from walk(option)


def prose(woven: Woven) -> str:
    """Every word a reader can meet in the text, each branch and option included once (for word counts)."""
    return " ".join(seg.text for seg in walk(woven.segments) if isinstance(seg, Lit))


def expressions(woven: Woven) -> Iterator[tuple[expr.Ast, str, int]]:
    """(ast, source, position) of every condition and interpolation."""
    for seg in walk(woven.segments):
        if isinstance(seg, Interp):
            yield seg.ast, seg.source, seg.pos
        elif isinstance(seg, Cond):
            for branch in seg.branches:
                if branch.condition is not None:
                    yield branch.condition, branch.source, branch.pos


def check(woven: Woven, variables: Mapping[str, expr.Declared], node_ids: Callable[[str], str | None]) -> None:
    """Type-check every expression: conditions are bool, interpolations int or str. Raises WeaveError."""
    for seg in walk(woven.segments):
        if isinstance(seg, Interp):
            kind = _typed(seg.ast, seg.source, seg.pos, variables, node_ids)
            if kind not in ("int", "str"):
                raise WeaveError("E016", f"'{{{seg.source}}}' would show {expr._a(kind)}", seg.pos,
                                 "interpolate a number or a string; for true/false write {flag => yes | no}")
        elif isinstance(seg, Cond):
            for branch in seg.branches:
                if branch.condition is None:
                    continue
                kind = _typed(branch.condition, branch.source, branch.pos, variables, node_ids)
                if kind != "bool":
                    raise WeaveError("E016", f"condition '{branch.source}' is {expr._a(kind)}, not true/false",
                                     branch.pos, "compare it first, e.g. 'trust > 0'")


def _typed(ast: expr.Ast, source: str, pos: int, variables: Mapping[str, expr.Declared],
           node_ids: Callable[[str], str | None]) -> str:
    try:
        return expr.check(ast, variables, node_ids)
    except expr.ExprError as err:
        where = "" if source.isidentifier() else f" in '{source}'"
        raise WeaveError(err.code, err.message + where, pos + err.offset, err.hint) from None


def uses_chance(woven: Woven) -> bool:
    return any(expr.uses_chance(ast) for ast, _, _ in expressions(woven))


# ---------------------------------------------------------------- rendering

Run = tuple[str, str]  # (text, style: "" | "i" | "b" | "bi")


@dataclass
class Reading:
    """What rendering needs beyond the expression context: whose variation counters, and display words."""
    ctx: Context
    visits: int  # times the passage's node has been entered, this time included (>= 1)
    key: str  # seeds shuffles: the playthrough's seed and the passage's place
    words: Mapping[str, Mapping[str, str]]  # str variable -> value -> words to show


def render(woven: Woven, reading: Reading) -> tuple[Run, ...]:
    """The text a player sees now, as runs of one style each, spaces tidied where a branch was empty."""
    pieces: list[tuple[str, frozenset[str]]] = []
    style: set[str] = set()
    _render(woven.segments, reading, pieces, style)
    runs: list[list[str]] = []
    for text, marks in pieces:
        key = "".join(sorted(marks, reverse=True))  # "bi", "b", "i" or ""
        if runs and runs[-1][1] == key:
            runs[-1][0] += text
        else:
            runs.append([text, key])
    return _tidy(runs)


def _render(segments: Segments, reading: Reading, out: list[tuple[str, frozenset[str]]], style: set[str]) -> None:
    for seg in segments:
        if isinstance(seg, Lit):
            out.append((seg.text, frozenset(style)))
        elif isinstance(seg, Style):
            style.symmetric_difference_update({seg.mark})
        elif isinstance(seg, Interp):
            out.append((_show(seg, expr.evaluate(seg.ast, reading.ctx), reading), frozenset(style)))
        elif isinstance(seg, Cond):
            for branch in seg.branches:
                if branch.condition is None or expr.evaluate(branch.condition, reading.ctx):
                    _render(branch.body, reading, out, style)
                    break
        else:
            chosen = pick(seg, reading.visits, f"{reading.key}:{seg.index}")
            if chosen is not None:
                _render(seg.options[chosen], reading, out, style)


def pick(vary: Vary, visits: int, key: str) -> int | None:
    """Which option a variation shows on the given visit (1-based); None: nothing (once-only, used up)."""
    n, k = len(vary.options), max(1, visits) - 1
    if vary.kind == "sequence":
        return min(k, n - 1)
    if vary.kind == "cycle":
        return k % n
    if vary.kind == "once":
        return k if k < n else None
    order = list(range(n))  # shuffle: a fresh seeded order every n visits, so each option comes once per round
    random.Random(f"{key}:{k // n}").shuffle(order)
    return order[k % n]


def _show(seg: Interp, value: Value, reading: Reading) -> str:
    if isinstance(seg.ast, expr.Var) and isinstance(value, str):
        return reading.words.get(seg.ast.name, {}).get(value, value)
    return str(value)


_SPACES = re.compile(r"[ \t]{2,}")
_BEFORE_PUNCTUATION = re.compile(r" +([,.;:!?)])")


def _tidy(runs: list[list[str]]) -> tuple[Run, ...]:
    """An empty branch must not leave '  ' or ' ,' behind; the whole line has no outer spaces."""
    text = "".join(r[0] for r in runs)
    tidy = _BEFORE_PUNCTUATION.sub(r"\1", _SPACES.sub(" ", text)).strip()
    if tidy == text:
        return tuple((t, s) for t, s in runs if t)
    # re-cut the tidied text at the style boundaries of the original, mapped by a character walk
    out: list[list[str]] = []
    i = 0
    for text_run, style in runs:
        for c in text_run:
            if i < len(tidy) and c == tidy[i]:
                if out and out[-1][1] == style:
                    out[-1][0] += c
                else:
                    out.append([c, style])
                i += 1
    return tuple((t, s) for t, s in out if t)


def plain_text(runs: tuple[Run, ...]) -> str:
    return "".join(t for t, _ in runs)

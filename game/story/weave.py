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
from typing import NamedTuple

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
# Slotted, not frozen: a story builds tens of thousands of these at load, and a frozen dataclass takes
# a third longer to build. Nothing assigns to them after parsing; they hash by value like frozen ones.


@dataclass(slots=True, unsafe_hash=True)
class Lit:
    text: str


@dataclass(slots=True, unsafe_hash=True)
class Style:
    mark: str  # "i" or "b": toggles italic or bold
    pos: int


@dataclass(slots=True, unsafe_hash=True)
class Interp:
    ast: expr.Ast
    source: str
    pos: int


@dataclass(slots=True, unsafe_hash=True)
class Branch:
    condition: expr.Ast | None  # None: the else branch
    source: str
    pos: int  # where the condition (or the else text) starts
    body: Segments


@dataclass(slots=True, unsafe_hash=True)
class Cond:
    branches: tuple[Branch, ...]
    pos: int


@dataclass(slots=True, unsafe_hash=True)
class Vary:
    kind: str  # sequence | cycle | shuffle | once
    options: tuple[Segments, ...]
    option_pos: tuple[int, ...]
    pos: int
    index: int  # its number within the passage: keys the shuffle


Segment = Lit | Style | Interp | Cond | Vary
Segments = tuple[Segment, ...]


class Embedded(NamedTuple):
    """A condition or interpolation inside woven text."""
    ast: expr.Ast
    source: str
    pos: int
    condition: bool  # a branch's condition (true/false), else an interpolation (a number or text)


@dataclass(slots=True, unsafe_hash=True)
class Woven:
    """A parsed string."""
    source: str
    segments: Segments
    expressions: tuple[Embedded, ...] = ()  # every one in the text, in reading order: checks need no walk


# ---------------------------------------------------------------- parsing

_SPECIAL = re.compile(r"[\\{}*]")
# spelled as alternatives that each start with one literal character, so the regex engine skips ahead to
# the next of those characters instead of trying every alternative at every position (twice as fast)
_TOKEN = re.compile(r"\\.|\{|\}|\||\*|=>", re.S)
_ESCAPABLE = "\\*{}|"


def parse(source: str) -> Woven:
    """Parse woven text; raises WeaveError at the offending character."""
    if not _SPECIAL.search(source):
        return Woven(source, (Lit(source),) if source else ())  # most text: nothing to weave
    if "\\" not in source and "*" not in source:
        flat = _parse_flat(source)
        if flat is not None:
            return flat
    return _parse_full(source)


def _parse_full(source: str) -> Woven:
    parser = _Parser(source)
    segments = parser.sequence(0, len(source), 0, len(parser.tokens), 0)
    if parser.unbalanced is not None:  # reported after the whole text parses: a broken brace comes first
        raise parser.unbalanced
    return Woven(source, segments, tuple(parser.expressions))


_FLAT = re.compile(r"\{([^{}]*)\}")


def _parse_flat(s: str) -> Woven | None:
    """Text whose constructs are all one level deep, without escapes or emphasis (most woven text), read
    with string methods; the same segments as the full parser. None: leave it to the full parser, which
    also reports every mistake."""
    segments: list[Segment] = []
    found: list[Embedded] = []
    varied = 0
    i = 0
    for match in _FLAT.finditer(s):
        text = s[i:match.start()]
        if "{" in text or "}" in text:
            return None
        if text:
            segments.append(Lit(text))
        i = match.end()
        body, base = match.group(1), match.start() + 1
        lead = _lead(body)
        if lead == len(body):
            return None
        marker = body[lead]
        if marker in VARY_KINDS or "=>" not in body and "|" in body:
            skip = lead + 1 if marker in VARY_KINDS else 0
            options, option_pos = [], []
            x = base + skip
            for part in body[skip:].split("|"):
                words = part.strip()
                options.append((Lit(words),) if words else ())
                option_pos.append(x + _lead(part))
                x += len(part) + 1
            varied += 1
            segments.append(Vary(VARY_KINDS.get(marker, "sequence"), tuple(options), tuple(option_pos),
                                 match.start(), varied))
        elif "=>" in body:
            parts = body.split("|")
            branches = []
            x = base
            for n, part in enumerate(parts):
                pos = x + _lead(part)
                x += len(part) + 1
                arrow = part.find("=>")
                if arrow < 0:
                    if n != len(parts) - 1:
                        return None
                    words = part.strip()
                    branches.append(Branch(None, words, pos, (Lit(words),) if words else ()))
                    continue
                source = part[:arrow].strip()
                try:
                    ast = expr.parse(source)
                except expr.ExprError:
                    return None
                found.append(Embedded(ast, source, pos, True))
                words = part[arrow + 2:].strip()
                branches.append(Branch(ast, source, pos, (Lit(words),) if words else ()))
            segments.append(Cond(tuple(branches), match.start()))
        else:
            source, pos = body.strip(), base + lead
            try:
                ast = expr.parse(source)
            except expr.ExprError:
                return None
            found.append(Embedded(ast, source, pos, False))
            segments.append(Interp(ast, source, pos))
    text = s[i:]
    if "{" in text or "}" in text:
        return None
    if text:
        segments.append(Lit(text))
    return Woven(s, tuple(segments), tuple(found))


class _Parser:
    """Recursive descent over the text's special characters, tokenized once; a region of the text is
    its character range [a, b) and the range of its tokens [t, t_end)."""

    def __init__(self, source: str):
        self.s = source
        self.tokens = _tokens(source)
        self.vary_count = 0
        self.unbalanced: WeaveError | None = None  # the first '*' or '**' left open in its branch
        self.expressions: list[Embedded] = []

    def sequence(self, a: int, b: int, t: int, t_end: int, depth: int, trim: bool = False) -> Segments:
        """The segments of s[a:b]; `trim`: a branch or option, whose outer spaces are layout."""
        s, tokens = self.s, self.tokens
        if t == t_end:  # plain words: most branches and options
            text = s[a:b].strip() if trim else s[a:b]
            return (Lit(text),) if text else ()
        out: list[Segment] = []
        text = ""  # the literal text gathered since the last construct
        i = a  # s[a:i] is consumed
        opened: dict[str, int] = {}
        while t < t_end:
            p, token = tokens[t]
            t += 1
            if token == "{":
                if depth == 0 and t < t_end and tokens[t] == (p + 1, "{"):
                    text += s[i:p] + "{"
                    i, t = p + 2, t + 1
                    continue
                text += s[i:p]
                if text:
                    out.append(Lit(text))
                    text = ""
                segment, t, i = self.braces(p, t, t_end, depth + 1)
                out.append(segment)
            elif token == "}":
                if depth == 0 and t < t_end and tokens[t] == (p + 1, "}"):
                    text += s[i:p] + "}"
                    i, t = p + 2, t + 1
                    continue
                raise WeaveError("E027", "'}' closes nothing", p, "write '}}' for a literal brace")
            elif token == "*":
                text += s[i:p]
                if text:
                    out.append(Lit(text))
                    text = ""
                bold = t < t_end and tokens[t] == (p + 1, "*")
                mark = "b" if bold else "i"
                out.append(Style(mark, p))
                if opened.pop(mark, None) is None:
                    opened[mark] = p
                i, t = (p + 2, t + 1) if bold else (p + 1, t)
            elif token[0] == "\\" and token[1] in _ESCAPABLE:
                text += s[i:p] + token[1]
                i = p + 2
            # '|' and '=>' here are text; so is a backslash before an ordinary character
        text += s[i:b]
        if text:
            out.append(Lit(text))
        if opened and self.unbalanced is None:
            mark, pos = next(iter(opened.items()))
            what = "'**' (bold)" if mark == "b" else "'*' (italic)"
            self.unbalanced = WeaveError(
                "E027", f"{what} is opened here but not closed" + (" in the same branch" if depth else ""), pos,
                "close it with the same mark; write '\\*' for a literal asterisk")
        if trim and out:
            first = out[0]
            if isinstance(first, Lit):
                out[0] = Lit(first.text.lstrip())
            last = out[-1]  # the same segment as the first when there is one
            if isinstance(last, Lit):
                out[-1] = Lit(last.text.rstrip())
            return tuple(seg for seg in out if not isinstance(seg, Lit) or seg.text)
        return tuple(out)

    def braces(self, start: int, t: int, t_end: int, depth: int) -> tuple[Segment, int, int]:
        """The construct opened by the '{' at `start` (tokens from t on follow it): the segment, and the
        token and character just after its '}'."""
        if depth > MAX_DEPTH:
            raise WeaveError("E027", f"braces nested more than {MAX_DEPTH} deep", start)
        tokens = self.tokens
        level = 1
        bars: list[int] = []  # tokens of the body's own '|' and '=>', outside nested braces
        arrows: list[int] = []
        for u in range(t, t_end):
            token = tokens[u][1]
            if token == "{":
                level += 1
            elif token == "}":
                level -= 1
                if level == 0:
                    break
            elif level == 1:
                if token == "|":
                    bars.append(u)
                elif token == "=>":
                    arrows.append(u)
        else:
            raise WeaveError("E027", "'{' is never closed", start, "close it with '}', or write '{{' for a literal brace")
        s = self.s
        end = tokens[u][0]
        body = s[start + 1:end]
        lead = _lead(body)
        if lead == len(body):
            raise WeaveError("E027", "empty braces", start, "write '{{}}' for literal braces")
        marker = body[lead]
        if marker in VARY_KINDS:
            segment: Segment = self.variation(VARY_KINDS[marker], start + lead + 2, end, t, u, bars, start, depth)
        elif arrows:
            segment = self.conditional(start + 1, end, t, u, bars, arrows, start, depth)
        elif bars:
            segment = self.variation("sequence", start + 1, end, t, u, bars, start, depth)
        else:
            source, pos = body.strip(), start + 1 + lead
            ast = _expression(source, pos)
            self.expressions.append(Embedded(ast, source, pos, False))
            segment = Interp(ast, source, pos)
        return segment, u + 1, end + 1

    def _parts(self, a: int, b: int, t: int, t_end: int, bars: list[int]) -> list[tuple[int, int, int, int]]:
        """(a, b, t, t_end) of each '|'-separated part of a region."""
        parts = []
        for bar in bars:
            p = self.tokens[bar][0]
            parts.append((a, p, t, bar))
            a, t = p + 1, bar + 1
        parts.append((a, b, t, t_end))
        return parts

    def conditional(self, a: int, b: int, t: int, t_end: int, bars: list[int], arrows: list[int], start: int,
                    depth: int) -> Cond:
        s = self.s
        branches = []
        parts = self._parts(a, b, t, t_end, bars)
        arrows = arrows[:]  # each part's arrow is the first one left after the part's start
        for n, (x, y, tx, ty) in enumerate(parts):
            while arrows and arrows[0] < tx:
                arrows.pop(0)
            arrow = arrows[0] if arrows and arrows[0] < ty else None
            pos = x + _lead(s[x:y])
            if arrow is None:
                if n != len(parts) - 1:
                    raise WeaveError("E027", "only the last branch may go without a condition", pos,
                                     "write 'condition => text' for every branch but the last (the else)")
                branches.append(Branch(None, s[x:y].strip(), pos, self.sequence(x, y, tx, ty, depth, trim=True)))
                continue
            at = self.tokens[arrow][0]
            source = s[x:at].strip()
            if not source:
                raise WeaveError("E027", "a branch has '=>' but no condition before it", at)
            condition = _expression(source, pos)
            self.expressions.append(Embedded(condition, source, pos, True))
            branches.append(Branch(condition, source, pos, self.sequence(at + 2, y, arrow + 1, ty, depth, trim=True)))
        return Cond(tuple(branches), start)

    def variation(self, kind: str, a: int, b: int, t: int, t_end: int, bars: list[int], start: int,
                  depth: int) -> Vary:
        s = self.s
        parts = self._parts(a, b, t, t_end, bars)
        options = tuple(self.sequence(x, y, tx, ty, depth, trim=True) for x, y, tx, ty in parts)
        self.vary_count += 1  # counted as each closes: a nested variation is numbered before its parent
        return Vary(kind, options, tuple(x + _lead(s[x:y]) for x, y, _, _ in parts), start, self.vary_count)


def _tokens(s: str) -> list[tuple[int, str]]:
    """(position, token) of each character woven text gives a meaning to: '{', '}', '|', '*', '=>', and an
    escape (a backslash with the character after it)."""
    return [(match.start(), match.group()) for match in _TOKEN.finditer(s)]


def _lead(part: str) -> int:
    return len(part) - len(part.lstrip())


def _expression(source: str, pos: int) -> expr.Ast:
    try:
        return expr.parse(source)
    except expr.ExprError as err:
        raise WeaveError(err.code, f"{err.message} in '{source}'", pos + err.offset, err.hint) from None


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


def check(woven: Woven, variables: Mapping[str, expr.Declared], node_ids: Callable[[str], str | None],
          kinds: dict[int, str] | None = None) -> None:
    """Type-check every expression: conditions are bool, interpolations int or str. Raises WeaveError.
    `kinds`: the type of each expression already checked, by id (equal expressions share one parse)."""
    kinds = {} if kinds is None else kinds
    for ast, source, pos, condition in woven.expressions:
        kind = _typed(ast, source, pos, variables, node_ids, kinds)
        if condition and kind != "bool":
            raise WeaveError("E016", f"condition '{source}' is {expr._a(kind)}, not true/false", pos,
                             "compare it first, e.g. 'trust > 0'")
        if not condition and kind not in ("int", "str"):
            raise WeaveError("E016", f"'{{{source}}}' would show {expr._a(kind)}", pos,
                             "interpolate a number or a string; for true/false write {flag => yes | no}")


def _typed(ast: expr.Ast, source: str, pos: int, variables: Mapping[str, expr.Declared],
           node_ids: Callable[[str], str | None], kinds: dict[int, str]) -> str:
    kind = kinds.get(id(ast))
    if kind is not None:
        return kind
    try:
        kind = kinds[id(ast)] = expr.check(ast, variables, node_ids)
    except expr.ExprError as err:
        where = "" if source.isidentifier() else f" in '{source}'"
        raise WeaveError(err.code, err.message + where, pos + err.offset, err.hint) from None
    return kind


def uses_chance(woven: Woven) -> bool:
    return any(expr.uses_chance(e.ast) for e in woven.expressions)


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

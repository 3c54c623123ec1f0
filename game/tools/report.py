"""Report: how a story plays under uniform random choices, and how its prose reads, against issue 13's goals.

From seeded random playthroughs (uniform among the enabled choices at each menu; linear nodes proceed):
the ending distribution, the share of playthroughs that pin each int variable before chapter 12, and the
words shown per playthrough. From the story's text (every passage and choice once, each woven branch
included): simile and formula counts, with where each formula is used.

Walks run on the engine itself (no saves, no rollback) in a pool of processes, one per core.
"""
from __future__ import annotations

import multiprocessing
import os
import random
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..runtime.engine import Engine
from ..story import expr, weave
from ..story.model import Choice, Story, Value, Where
from ..story.textpos import locate
from ..story.validate import count_words, stats

PIN_BEFORE = "ch12"  # pins count in the chapters before this one
EARLY_BEFORE = "ch06"  # endings in the chapters before this one are early
MAX_STEPS = 5000  # a walk still going after this many steps is counted as unfinished (a loop)
CHUNK = 250  # walks per task handed to a worker
SIMILE_WORDS = 400  # similes are counted per this many words of prose

SIMILES: dict[str, re.Pattern[str]] = {
    # "like" as a verb is no simile: "would like a coffee", "I'd like an answer", "to like a place"
    "like a/an": re.compile(r"(?<!\bwould\s)(?<!\bcould\s)(?<!\bshould\s)(?<!\bmight\s)(?<![\'’]d\s)(?<!\bto\s)"
                            r"\blike\s+an?\b", re.IGNORECASE),
    "as if": re.compile(r"\bas\s+if\b", re.IGNORECASE),
}
FORMULAS: dict[str, re.Pattern[str]] = {
    "the way you/he": re.compile(r"\bthe\s+way\s+(?:you|he)\b", re.IGNORECASE),
    "which is worse": re.compile(r"\bwhich\s+is\s+worse\b", re.IGNORECASE),
    "its own kind of": re.compile(r"\bits\s+own\s+kind\s+of\b", re.IGNORECASE),
    "turns out to be": re.compile(r"\bturns\s+out\s+to\s+be\b", re.IGNORECASE),
    "for the first time": re.compile(r"\bfor\s+the\s+first\s+time\b", re.IGNORECASE),
    "for once": re.compile(r"\bfor\s+once\b", re.IGNORECASE),
}

# issue 13's goals
MIN_ENDINGS = 12
MIN_WORDS = 45_000
MIN_ENDING_SHARE = 2.0  # percent, every ending at least
MAX_ENDING_SHARE = 30.0  # percent, every ending below
MAX_EARLY_SHARE = 15.0  # percent, the early endings together at most
MAX_PIN_SHARE = 10.0  # percent of playthroughs that pin any number, at most
MAX_SIMILES = 1.0  # per SIMILE_WORDS words of prose, at most
MAX_FORMULA_USES = 2  # each formula in the whole game, at most

PIN_RULE = (f"pinned = before {PIN_BEFORE}, an effect was clamped at the variable's min or max, or the variable "
            "sat at a limit other than its starting value")
EARLY_RULE = f"early = endings in chapters before {EARLY_BEFORE}"


# ---------------------------------------------------------------- walking

def chapters_before(story: Story, chapter_id: str) -> frozenset[str]:
    """The chapters that come before `chapter_id` in the story's order; all of them when it has no such chapter."""
    order = list(story.chapters)
    return frozenset(order[:order.index(chapter_id)] if chapter_id in order else order)


class _PinWatch(Engine):
    """The engine, noting which bounded int variables get pinned while in the watched chapters. A walk never
    rolls back and never reads a menu, so steps keep no checkpoints and menus are not rendered."""

    def __init__(self, story: Story, seed: int, watched: frozenset[str]):
        self.watched = watched
        self.pinned: set[str] = set()
        super().__init__(story, seed=seed)

    def _checkpoint(self, choice_text: str, choice: Choice | None = None) -> None:
        pass

    def _menu_text(self, choice: Choice) -> str:
        return choice.text

    def _apply(self, effects: Iterable, ctx: Any, into: dict[str, Value] | None = None) -> None:
        if into is not None or self.story.nodes[self.state.node].chapter not in self.watched:
            super()._apply(effects, ctx, into)  # a passage's scratch copy replays effects already counted
            return
        variables = self.state.variables
        for effect in effects:
            statement = effect.statement
            var = self.story.variables[statement.var]
            value = expr.apply_statement(statement, ctx)
            kept = var.clamp(value)
            if var.type == "int" and (kept != value or kept != var.default and kept in (var.min, var.max)):
                self.pinned.add(var.name)
            variables[statement.var] = kept


@dataclass
class Walk:
    ending: str | None  # None: unfinished (stuck, or still going after MAX_STEPS)
    words: int  # words of every line shown
    pinned: frozenset[str]


def walk_seeds(seed: int, number: int) -> tuple[int, random.Random]:
    """The engine's seed (for chance()) and the chooser of walk `number` of a run with `seed`."""
    engine_seed = random.Random(f"report:{seed}:{number}").randrange(2 ** 31)
    return engine_seed, random.Random(f"report-choices:{seed}:{number}")


def walk(story: Story, seed: int, number: int, watched: frozenset[str]) -> Walk:
    engine_seed, chooser = walk_seeds(seed, number)
    engine = _PinWatch(story, engine_seed, watched)
    words = _words(engine)
    for _ in range(MAX_STEPS):
        if engine.is_over:
            break
        if engine.node.next:
            engine.proceed()
        else:
            enabled = [view.number for view in engine.choices() if view.enabled]
            if enabled:
                engine.choose(chooser.choice(enabled))
            elif engine.can_continue:  # a silent fallback
                engine.proceed()
            else:
                break  # stuck: explore and validate say why
        words += _words(engine)
    return Walk(engine.state.ending if engine.is_over else None, words, frozenset(engine.pinned))


_counted: dict[str, int] = {}  # line text -> words: most lines recur in walk after walk


def _words(engine: Engine) -> int:
    total = 0
    for line in engine.lines:
        words = _counted.get(line.text)
        if words is None:
            words = _counted[line.text] = count_words(line.text)
        total += words
    return total


@dataclass
class Tally:
    """What a batch of walks adds up to; batches from several workers merge."""
    walks: int = 0
    endings: Counter = field(default_factory=Counter)
    unfinished: int = 0
    words: list[int] = field(default_factory=list)  # per finished walk
    pinned: Counter = field(default_factory=Counter)  # variable -> walks that pinned it
    pinned_any: int = 0

    def add(self, one: Walk) -> None:
        self.walks += 1
        if one.ending is None:
            self.unfinished += 1
        else:
            self.endings[one.ending] += 1
            self.words.append(one.words)
        self.pinned.update(one.pinned)
        self.pinned_any += bool(one.pinned)

    def merge(self, other: Tally) -> None:
        self.walks += other.walks
        self.endings.update(other.endings)
        self.unfinished += other.unfinished
        self.words.extend(other.words)
        self.pinned.update(other.pinned)
        self.pinned_any += other.pinned_any


def _walks(story: Story, seed: int, numbers: range) -> Tally:
    watched = chapters_before(story, PIN_BEFORE)
    tally = Tally()
    for number in numbers:
        tally.add(walk(story, seed, number, watched))
    return tally


_worker_story: Story | None = None


def _init_worker(story: Story) -> None:
    global _worker_story
    _worker_story = story


def _work(task: tuple[int, int, int]) -> Tally:
    seed, start, stop = task
    assert _worker_story is not None
    return _walks(_worker_story, seed, range(start, stop))


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def pool_size(playthroughs: int, workers: int | None = None) -> int:
    """How many processes play that many walks: one per core, at most one per task."""
    return max(1, min(workers or cores(), -(-playthroughs // CHUNK)))


def play(story: Story, playthroughs: int, seed: int, workers: int | None = None) -> Tally:
    """`playthroughs` seeded random walks; the tally is the same whatever the number of workers."""
    workers = pool_size(playthroughs, workers)
    if workers == 1:
        return _walks(story, seed, range(playthroughs))
    tasks = [(seed, start, min(start + CHUNK, playthroughs)) for start in range(0, playthroughs, CHUNK)]
    # fork hands the loaded story to the workers without pickling it; elsewhere it is pickled once per worker
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    tally = Tally()
    with multiprocessing.get_context(method).Pool(workers, _init_worker, (story,)) as pool:
        for part in pool.imap_unordered(_work, tasks):
            tally.merge(part)
    return tally


# ---------------------------------------------------------------- the prose

@dataclass(frozen=True)
class Text:
    """One passage or choice of the story: its source (with woven constructs), what a reader can see of it,
    and where it is."""
    source: str
    prose: str
    where: Where

    def position(self, offset: int) -> Where:
        return locate(self.where, self.source, offset)


def _prose(source: str, woven: weave.Woven | None) -> str:
    return source if woven is None else weave.prose(woven)


def texts(story: Story) -> Iterator[Text]:
    """Every passage and choice of the story once, in file order."""
    for node in story.nodes.values():
        for passage in node.passages:
            if passage.text:
                yield Text(passage.text, _prose(passage.text, passage.woven), passage.value_at or passage.where)
        for choice in node.choices:
            if choice.text:
                shown = choice.echo.woven if choice.echo is not None else choice.woven  # the echo is the whole line
                yield Text(choice.text, _prose(choice.text, shown), choice.text_at or choice.where)


@dataclass
class Prose:
    words: int
    similes: dict[str, int]
    formulas: dict[str, list[Where]]  # formula -> where each use is

    @property
    def similes_per_400(self) -> float:
        return sum(self.similes.values()) * SIMILE_WORDS / self.words if self.words else 0.0


def prose(story: Story) -> Prose:
    similes = dict.fromkeys(SIMILES, 0)
    formulas: dict[str, list[Where]] = {name: [] for name in FORMULAS}
    for text in texts(story):
        for name, pattern in SIMILES.items():
            similes[name] += len(pattern.findall(text.prose))
        for name, pattern in FORMULAS.items():
            formulas[name].extend(text.position(found.start()) for found in pattern.finditer(text.source))
    return Prose(stats(story)["words"], similes, formulas)  # validate's count: one count of words


# ---------------------------------------------------------------- the report

@dataclass
class Goal:
    text: str
    value: str
    passed: bool


@dataclass
class Report:
    story: Story
    playthroughs: int
    seed: int
    tally: Tally
    prose: Prose
    ending_chapters: dict[str, str]  # ending -> the chapter of its (first) node
    early: tuple[str, ...]  # endings in chapters before EARLY_BEFORE
    bounded: tuple[str, ...]  # the int variables with a min or a max
    workers: int

    def share(self, count: int) -> float:
        return 100.0 * count / self.tally.walks if self.tally.walks else 0.0

    def ending_shares(self) -> dict[str, float]:
        return {name: self.share(self.tally.endings[name]) for name in self.story.endings}

    @property
    def early_share(self) -> float:
        return self.share(sum(self.tally.endings[name] for name in self.early))

    def pin_shares(self) -> dict[str, float]:
        return {name: self.share(self.tally.pinned[name]) for name in self.bounded}

    @property
    def pin_any_share(self) -> float:
        return self.share(self.tally.pinned_any)

    def words_shown(self) -> dict[str, float]:
        words = self.tally.words
        if not words:
            return {"mean": 0, "median": 0, "min": 0, "max": 0}
        return {"mean": statistics.fmean(words), "median": statistics.median(words), "min": min(words),
                "max": max(words)}

    def goals(self) -> list[Goal]:
        shares = self.ending_shares()
        lowest = min(shares.items(), key=lambda item: item[1], default=("", 0.0))
        highest = max(shares.items(), key=lambda item: item[1], default=("", 0.0))
        formula_max = max(((len(uses), name) for name, uses in self.prose.formulas.items()), default=(0, ""))
        return [
            Goal(f"at least {MIN_ENDINGS} endings", f"{len(self.story.endings)}", len(self.story.endings) >= MIN_ENDINGS),
            Goal(f"at least {MIN_WORDS:,} words of prose", f"{self.prose.words:,}", self.prose.words >= MIN_WORDS),
            Goal(f"every ending reached by at least {MIN_ENDING_SHARE:g} %", f"lowest {lowest[0]} {lowest[1]:.1f} %",
                 bool(shares) and lowest[1] >= MIN_ENDING_SHARE),
            Goal(f"no ending reached by {MAX_ENDING_SHARE:g} % or more", f"highest {highest[0]} {highest[1]:.1f} %",
                 highest[1] < MAX_ENDING_SHARE),
            Goal(f"early endings together at most {MAX_EARLY_SHARE:g} %", f"{self.early_share:.1f} %",
                 self.early_share <= MAX_EARLY_SHARE),
            Goal(f"at most {MAX_PIN_SHARE:g} % of playthroughs pin a number before {PIN_BEFORE}",
                 f"{self.pin_any_share:.1f} %", self.pin_any_share <= MAX_PIN_SHARE),
            Goal(f"at most {MAX_SIMILES:g} simile per {SIMILE_WORDS} words", f"{self.prose.similes_per_400:.2f}",
                 self.prose.similes_per_400 <= MAX_SIMILES),
            Goal(f"each formula at most {MAX_FORMULA_USES} times", f"most: '{formula_max[1]}' {formula_max[0]}",
                 formula_max[0] <= MAX_FORMULA_USES),
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "story": self.story.id, "playthroughs": self.playthroughs, "seed": self.seed,
            "endings": {name: {"chapter": self.ending_chapters.get(name, ""), "count": self.tally.endings[name],
                               "share": round(share, 2)} for name, share in self.ending_shares().items()},
            "unfinished": self.tally.unfinished,
            "early": {"rule": EARLY_RULE, "endings": list(self.early), "share": round(self.early_share, 2)},
            "pinned": {"rule": PIN_RULE, "variables": {k: round(v, 2) for k, v in self.pin_shares().items()},
                       "any": round(self.pin_any_share, 2)},
            "words_shown": {k: round(v, 1) for k, v in self.words_shown().items()},
            "prose": {"words": self.prose.words, "similes": self.prose.similes,
                      "similes_per_400_words": round(self.prose.similes_per_400, 3),
                      "formulas": {name: {"count": len(uses), "uses": [f"{w.file}:{w.line}" for w in uses]}
                                   for name, uses in self.prose.formulas.items()}},
            "goals": [{"goal": g.text, "value": g.value, "pass": g.passed} for g in self.goals()],
        }


def report(story: Story, playthroughs: int, seed: int, workers: int | None = None) -> Report:
    ending_chapters: dict[str, str] = {}
    for node in story.nodes.values():
        if node.ending and node.ending not in ending_chapters:
            ending_chapters[node.ending] = node.chapter
    before = chapters_before(story, EARLY_BEFORE)
    early = tuple(name for name in story.endings if ending_chapters.get(name) in before)
    bounded = tuple(name for name, var in story.variables.items()
                    if var.type == "int" and (var.min is not None or var.max is not None))
    workers = pool_size(playthroughs, workers)
    return Report(story, playthroughs, seed, play(story, playthroughs, seed, workers), prose(story),
                  ending_chapters, early, bounded, workers)

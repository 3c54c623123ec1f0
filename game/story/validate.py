"""Checks over a loaded Story: one function per check, each returning diagnostics."""
from __future__ import annotations

import gc
import itertools
import math
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from . import expr, weave
from .diagnostics import UNSAFE_CHARACTER, Diagnostic, did_you_mean, excerpt, sort_key
from .loader import bracket_offset, character_name, load_story
from .model import ID_PATTERN, NARRATION, Expr, Node, Story, Value, Where, successors
from .recipe import check_recipes
from .textpos import locate
from .weave import Woven

WORD = re.compile(r"[A-Za-z0-9’'-]+")


def _diag(code: str, where: Where, message: str, hint: str = "") -> Diagnostic:
    return Diagnostic(code, where.file, where.line, where.col, message, hint)


def check_start(story: Story) -> list[Diagnostic]:
    if story.start and story.start not in story.nodes:
        where = story.where.get("start", Where(story.manifest, 1, 1))
        return [_diag("E012", where, f"start node '{story.start}' does not exist{did_you_mean(story.start, story.nodes)}")]
    return []


def check_targets(story: Story) -> list[Diagnostic]:
    found = []
    for node in story.nodes.values():
        if node.next and node.next not in story.nodes:
            found.append(_diag("E012", node.next_where or node.where,
                               f"'next' goes to unknown node '{node.next}'{did_you_mean(node.next, story.nodes)}"))
        if node.call and node.call not in story.nodes:
            found.append(_diag("E012", node.call_where or node.where,
                               f"'call' names unknown node '{node.call}'{did_you_mean(node.call, story.nodes)}"))
        for choice in node.choices:
            if choice.target not in story.nodes:
                found.append(_diag("E012", choice.target_where,
                                   f"choice goes to unknown node '{choice.target}'{did_you_mean(choice.target, story.nodes)}"))
            if choice.call and choice.call not in story.nodes:
                found.append(_diag("E012", choice.call_where or choice.where,
                                   f"choice calls unknown node '{choice.call}'{did_you_mean(choice.call, story.nodes)}"))
    return found


@dataclass
class SceneFlow:
    """What a called scene (or the story from its start) plays before it returns."""
    nodes: set[str]
    calls: list[tuple[str, Where, str]]  # (calling node, where the call is written, the scene called)
    returns: list[str]  # its nodes with `return: true`


def scene_flow(story: Story, entry: str) -> SceneFlow:
    """Nodes reachable from `entry` by links, stepping over each call to where it comes back, up to
    the returns."""
    flow = SceneFlow(set(), [], [])
    queue = deque([entry])
    while queue:
        node_id = queue.popleft()
        if node_id in flow.nodes or node_id not in story.nodes:
            continue
        flow.nodes.add(node_id)
        node = story.nodes[node_id]
        if node.returns:
            flow.returns.append(node_id)
            continue
        if node.call:
            flow.calls.append((node_id, node.call_where or node.where, node.call))
        if node.next:
            queue.append(node.next)
        for choice in node.choices:
            if choice.call:
                flow.calls.append((node_id, choice.call_where or choice.where, choice.call))
            queue.append(choice.target)
    return flow


def check_calls(story: Story) -> list[Diagnostic]:
    """Reusable scenes: a `return` the story reaches without a call (E029), a scene that calls itself
    (E030: the call stack would grow without end), a called scene that never returns (W010)."""
    found: list[Diagnostic] = []
    if story.start in story.nodes:
        for node_id in scene_flow(story, story.start).returns:
            node = story.nodes[node_id]
            found.append(_diag("E029", node.where, f"node '{node_id}' returns from a called scene, but the story "
                               "reaches it without a call: there is nothing to return to",
                               "reach it only through a 'call:', or give it 'next:' instead of 'return: true'"))
    flows: dict[str, SceneFlow] = {}
    first_call: dict[str, tuple[str, Where]] = {}
    for node in story.nodes.values():
        calls = [(c.call, c.call_where or c.where) for c in node.choices if c.call]
        if node.call:
            calls.insert(0, (node.call, node.call_where or node.where))
        for scene, where in calls:
            if scene in story.nodes and scene not in flows:
                flows[scene] = scene_flow(story, scene)
                first_call[scene] = (node.id, where)
    for scene, flow in flows.items():
        if not flow.returns:
            caller, where = first_call[scene]
            found.append(_diag("W010", where, f"scene '{scene}' called from '{caller}' never reaches a node with "
                               "'return: true', so the call never comes back",
                               "end the scene with a node that has 'return: true', or go there with 'goto'/'next'"))
    # a scene that calls itself, directly or through others: depth-first over scene -> scenes it calls
    state: dict[str, int] = {}  # 1: on the current trail, 2: done
    for root in flows:
        if state.get(root):
            continue
        trail: list[str] = [root]
        work = [iter(flows[root].calls)]
        state[root] = 1
        while work:
            step = next(work[-1], None)
            if step is None:
                state[trail.pop()] = 2
                work.pop()
                continue
            _caller, where, scene = step
            if scene not in flows:
                continue
            if state.get(scene) == 1:
                ring = trail[trail.index(scene):] + [scene]
                found.append(_diag("E030", where, "scene '" + scene + "' calls itself: " + " -> ".join(ring),
                                   "a called scene cannot call itself, directly or through another scene; "
                                   "use 'goto'/'next' to go round again"))
            elif not state.get(scene):
                state[scene] = 1
                trail.append(scene)
                work.append(iter(flows[scene].calls))
    return found


def _node_problem(story: Story) -> Callable[[str], str | None]:
    return lambda name: None if name in story.nodes else did_you_mean(name, story.nodes)


def _check_condition(story: Story, condition: Expr) -> list[Diagnostic]:
    try:
        kind = expr.check(condition.ast, story.variables, _node_problem(story))
    except expr.ExprError as err:
        return [_diag(err.code, _at(condition.where, err.offset), f"{err.message} in '{excerpt(condition.source)}'", err.hint)]
    if kind != "bool":
        return [_diag("E016", condition.where, f"condition '{condition.source}' is {kind}, not true/false",
                      "compare it, e.g. 'trust > 0'" if kind == "int" else "")]
    return []


def _at(where: Where, offset: int) -> Where:
    return Where(where.file, where.line, where.col + offset)


def check_woven_text(story: Story) -> list[Diagnostic]:
    """Format 2: every condition and interpolation inside passages, choices and echoes type-checks."""
    found = []
    kinds: dict[int, str] = {}  # the type of each expression checked so far, by id: the loader shares equal ones
    node_problem = _node_problem(story)

    def check(woven: Woven | None, at: Where | None, text: str, echo: bool | None = None) -> None:
        """`echo`: the menu (False) or echo (True) cut from a choice `text` with [brackets]."""
        if woven is None or at is None or not woven.expressions:
            return
        try:
            weave.check(woven, story.variables, node_problem, kinds)
        except weave.WeaveError as err:
            offset = err.offset if echo is None else bracket_offset(text, echo, err.offset)
            found.append(_diag(err.code, locate(at, text, offset), err.message, err.hint))

    for node in story.nodes.values():
        for passage in node.passages:
            check(passage.woven, passage.value_at, passage.text)
        for choice in node.choices:
            check(choice.woven, choice.text_at, choice.text, echo=False)
            if choice.echo is not None and choice.echo.value_at is not None:  # an explicit 'echo:'
                check(choice.echo.woven, choice.echo.value_at, choice.echo.text)
            elif choice.echo is not None:  # the words around the choice's [brackets]
                check(choice.echo.woven, choice.text_at, choice.text, echo=True)
    return found


def check_expressions(story: Story) -> list[Diagnostic]:
    found = []
    passed: set[int] = set()  # ids of parsed expressions that checked clean: the loader shares equal ones
    node_problem = _node_problem(story)
    for node in story.nodes.values():
        conditions = [p.condition for p in node.passages if p.condition]
        conditions += [c.condition for c in node.choices if c.condition]
        for condition in conditions:
            if id(condition.ast) not in passed:
                problems = _check_condition(story, condition)
                found += problems
                if not problems:
                    passed.add(id(condition.ast))
        for effect in list(node.effects) + [e for c in node.choices for e in c.effects]:
            if id(effect.statement) in passed:
                continue
            try:
                expr.check_statement(effect.statement, story.variables, node_problem)
                passed.add(id(effect.statement))
            except expr.ExprError as err:
                found.append(_diag(err.code, _at(effect.where, err.offset - effect.statement.pos),
                                   f"{err.message} in effect '{excerpt(effect.statement.source)}'", err.hint))
    return found


def check_endings(story: Story) -> list[Diagnostic]:
    found = []
    used = set()
    for node in story.nodes.values():
        if node.ending is None:
            continue
        used.add(node.ending)
        if node.ending not in story.endings:
            found.append(_diag("E017", node.ending_where or node.where,
                               f"ending '{node.ending}' is not declared{did_you_mean(node.ending, story.endings)}",
                               "declare it under 'endings:' in story.yaml"))
    for ending in story.endings.values():
        if ending.id not in used:
            found.append(_diag("W003", ending.where, f"ending '{ending.id}' is declared but no node reaches it",
                               f"add 'ending: {ending.id}' to a node"))
    return found


def check_speakers(story: Story) -> list[Diagnostic]:
    found = []
    for node in story.nodes.values():
        for passage in node.passages:
            if passage.speaker != NARRATION and passage.speaker not in story.speakers \
                    and not ID_PATTERN.match(passage.speaker):
                found.append(_diag("E018", passage.where, f"'{passage.speaker}: ...' reads as a speaker and a line: "
                                   "the ': ' in this narration made YAML split it", "quote the whole line, or write "
                                   "it as a folded block ('- >-' with the text on the next line)"))
            elif passage.speaker != NARRATION and passage.speaker not in story.speakers:
                found.append(_diag("E018", passage.where, f"speaker '{passage.speaker}' is not declared"
                                   f"{did_you_mean(passage.speaker, story.speakers)}",
                                   "declare it under 'speakers:' in story.yaml"))
    return found


def check_cues(story: Story) -> list[Diagnostic]:
    found = []
    used = set()
    for node in story.nodes.values():
        for name in node.cues:
            used.add(name)
            if name not in story.cues:
                hint = "add it to the cue catalogue" if story.cue_file else "name a cue catalogue with 'cues:' in story.yaml"
                found.append(_diag("E019", node.where, f"cue '{name}' in node '{node.id}' is not in the cue catalogue"
                                   f"{did_you_mean(name, story.cues)}", hint))
    if story.title_music:
        used.add(story.title_music)
        where = story.where.get("title_music", Where(story.manifest, 0, 0))
        title = story.cues.get(story.title_music)
        if title is None:
            found.append(_diag("E019", where, f"title_music '{story.title_music}' is not in the cue catalogue"
                               f"{did_you_mean(story.title_music, story.cues)}", "name a music cue of the catalogue"))
        elif title.channel != "music":
            article = "an" if title.channel[0] in "aeiou" else "a"
            found.append(_diag("E022", where, f"title_music '{story.title_music}' is {article} {title.channel} cue",
                               "the title screen plays a music cue"))
    for cue in story.cues.values():
        if cue.name not in used:
            found.append(_diag("W006", cue.where, f"cue '{cue.name}' is never used by any node"))
        if not cue.caption.strip():
            found.append(_diag("W007", cue.where, f"cue '{cue.name}' has an empty caption, so a player who cannot hear it "
                               "never learns it sounded", "add caption: \"[what it sounds like]\""))
    return found


def reachable(story: Story) -> set[str]:
    """Nodes reachable from the start by links alone (conditions ignored)."""
    seen: set[str] = set()
    queue = deque([story.start] if story.start in story.nodes else [])
    while queue:
        node_id = queue.popleft()
        if node_id in seen:
            continue
        seen.add(node_id)
        queue.extend(t for t in successors(story.nodes[node_id]) if t in story.nodes and t not in seen)
    return seen


def check_reachability(story: Story) -> list[Diagnostic]:
    if story.start not in story.nodes:
        return []
    seen = reachable(story)
    return [_diag("W001", node.where, f"node '{node.id}' cannot be reached from the start",
                  "link to it with 'next' or a choice, or remove it")
            for node in story.nodes.values() if node.id not in seen]


def check_next_loops(story: Story) -> list[Diagnostic]:
    """Nodes joined only by 'next' in a ring: once entered, the story goes round them forever."""
    found = []
    done: set[str] = set()
    for first in story.nodes.values():
        trail: list[str] = []
        node_id: str | None = first.id
        while node_id is not None and node_id in story.nodes and node_id not in done and node_id not in trail:
            trail.append(node_id)
            node = story.nodes[node_id]
            node_id = node.next if not node.choices and not node.ending and not node.call else None
        if node_id in trail:
            ring = trail[trail.index(node_id):]
            node = story.nodes[ring[0]]
            found.append(_diag("E028", node.next_where or node.where,
                               "'next' goes round in a loop the player can never leave: "
                               + " -> ".join(ring + [ring[0]]),
                               "give one of these nodes choices or an ending, or point its 'next' out of the loop"))
        done.update(trail)
    return found


def _texts(story: Story) -> Iterator[tuple[str, Where]]:
    """Every piece of story text a player may see, with where it is written."""
    if story.title:
        yield story.title, story.where.get("title", Where(story.manifest, 1, 1))
    for chapter in story.chapters.values():
        yield chapter.title, chapter.where
    for node in story.nodes.values():
        yield node.title, node.where
        for passage in node.passages:
            yield passage.text, passage.where
        for choice in node.choices:
            yield choice.text, choice.where
            yield choice.reason, choice.where
    for ending in story.endings.values():
        yield ending.title, ending.where
        yield ending.description, ending.where
    for speaker in story.speakers.values():
        yield speaker.name, speaker.where
    for cue in story.cues.values():
        yield cue.caption, cue.where


def check_text_characters(story: Story) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if not UNSAFE_CHARACTER.search("\n".join(text for text, _ in _texts(story))):  # the usual case, in one search
        return found
    for text, where in _texts(story):
        bad = UNSAFE_CHARACTER.search(text) if text else None
        if bad:
            found.append(_diag("W008", where, f"text contains {character_name(bad.group())}, which a terminal "
                               "would act on or which reorders the text around it",
                               "delete it (an editor may show it as a small box, or not at all)"))
    return found


def check_guarded_choices(story: Story) -> list[Diagnostic]:
    """W002: a node whose choices can all be unavailable at once. Conditions that together cover every
    value of what they read (`teacup` / `not teacup`) are proven safe; the rest is left to explore."""
    found = []
    for node in story.nodes.values():
        if not node.choices or any(c.condition is None for c in node.choices):
            continue
        conditions = [c.condition.ast for c in node.choices if c.condition is not None]
        if _always_one_holds(story, conditions):
            continue
        only_fallbacks = all(c.fallback for c in node.choices)
        what = "every choice is a conditional fallback" if only_fallbacks else \
            "every choice has a condition and there is no fallback without one"
        found.append(_diag("W002", node.where, f"{what} at '{node.id}', and the conditions can all be false",
                           "the player could be stuck here: add a choice with 'fallback: true' and no 'if'"))
    return found


_MAX_CASES = 4096  # value combinations tried when proving that some condition always holds


def _always_one_holds(story: Story, conditions: list[expr.Ast]) -> bool:
    """True when, for every value of the variables and visits they read, one of the conditions holds.
    Only decided over finite domains (bools, str with values, bounded ints, seen()); anything else is
    not proven here (explore decides it on the reachable states)."""
    domains: dict[str, list[Value]] = {}
    nodes: set[str] = set()
    for ast in conditions:
        if expr.uses_chance(ast):
            return False
        for n in expr.walk(ast):
            if isinstance(n, expr.Call) and n.name not in ("seen", "visits", "min", "max"):
                return False
            if isinstance(n, expr.Call) and n.name == "visits":
                return False  # unbounded
        nodes |= expr.nodes_read(ast)
        for name in expr.variables_read(ast):
            var = story.variables.get(name)
            if var is None:
                return False
            if var.type == "bool":
                domains[name] = [False, True]
            elif var.type == "str" and var.values:
                domains[name] = list(var.values)
            elif var.type == "int" and var.min is not None and var.max is not None:
                domains[name] = list(range(var.min, var.max + 1))
            else:
                return False
    sizes = [len(d) for d in domains.values()] + [2] * len(nodes)
    if math.prod(sizes) > _MAX_CASES:
        return False
    names, seen_nodes = list(domains), sorted(nodes)
    for values in itertools.product(*(domains[n] for n in names), *([0, 1] for _ in seen_nodes)):
        context = _Fixed(dict(zip(names, values)), dict(zip(seen_nodes, values[len(names):])))
        if not any(expr.evaluate(ast, context) for ast in conditions):
            return False
    return True


class _Fixed:
    """An expression context of fixed values (no chance)."""

    def __init__(self, variables: dict[str, Value], visits: dict[str, Value]):
        self.variables, self.visit_counts = variables, visits

    def var(self, name: str) -> Value:
        return self.variables[name]

    def visits(self, node: str) -> int:
        return int(self.visit_counts.get(node, 0))

    def chance(self, percent: int) -> bool:
        raise AssertionError("conditions with chance() are not proven")


def check_choice_ids(story: Story) -> list[Diagnostic]:
    """Once-only bookkeeping goes by choice id: two choices with one id would share it by accident."""
    first: dict[str, tuple[str, Where]] = {}
    found = []
    for node in story.nodes.values():
        for choice in node.choices:
            if choice.id in first:
                other, where = first[choice.id]
                found.append(_diag("W009", choice.where, f"choice id '{choice.id}' is also used at {where} "
                                   f"(node '{other}'): taking one counts as taking the other for 'once'",
                                   "give each choice its own id, or leave 'id' out (it defaults to node#position)"))
            first.setdefault(choice.id, (node.id, choice.where))
    return found


def reads(node: Node) -> list[expr.Ast]:
    """Every expression of a node that reads the state: conditions, effects' values and woven text."""
    found = [p.condition.ast for p in node.passages if p.condition]
    found += [e.statement.value for e in node.effects if e.statement.value]
    for choice in node.choices:
        if choice.condition:
            found.append(choice.condition.ast)
        found += [e.statement.value for e in choice.effects if e.statement.value]
    for woven, _ in woven_texts(node):
        found += [e.ast for e in woven.expressions]
    return found


def check_variables_read(story: Story) -> list[Diagnostic]:
    read: set[str] = set()
    walked: set[int] = set()  # ids of expressions already walked: the loader shares equal ones
    for node in story.nodes.values():
        for ast in reads(node):
            if id(ast) not in walked:
                walked.add(id(ast))
                read |= expr.variables_read(ast)
    return [_diag("W005", var.where, f"variable '{var.name}' is never read by any condition or text",
                  "a variable that nothing reads changes nothing the player sees")
            for var in story.variables.values() if var.name not in read]


def woven_texts(node: Node) -> list[tuple[Woven, Where | None]]:
    """Every parsed format 2 text of a node, with where its text starts: passages, choices and their echoes."""
    found = [(p.woven, p.value_at) for p in node.passages if p.woven is not None]
    for choice in node.choices:
        if choice.woven is not None:
            found.append((choice.woven, choice.text_at))
        if choice.echo is not None and choice.echo.woven is not None:
            found.append((choice.echo.woven, choice.echo.value_at))
    return found


CHECKS = (check_start, check_targets, check_expressions, check_woven_text, check_endings, check_speakers, check_cues, check_recipes,
          check_reachability, check_next_loops, check_calls, check_guarded_choices, check_choice_ids, check_variables_read,
          check_text_characters)


# with a chapter file unread, these would blame nodes, endings, variables and cues for what the file holds
_NOT_WHEN_UNREAD = {"W001", "W003", "W005", "W006"}


def validate(story: Story) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for check in CHECKS:
        found += check(story)
    if "cues" in story.where and story.cue_file is None:  # named but unreadable or refused: reported once, there
        found = [d for d in found if d.code != "E019"]
    if story.unread:
        files = ", ".join(story.unread)
        found = [replace(d, hint=f"{files} could not be read: fix that first, the node may be in it")
                 if d.code == "E012" else d for d in found if d.code not in _NOT_WHEN_UNREAD]
    return found


@dataclass
class Result:
    story: Story | None
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return self.story is not None and not any(d.is_error for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]


def load_and_validate(paths: str | list[str]) -> Result:
    # The checks allocate much and free little as well: the collector would rescan the whole story over
    # and over (the checks of a 100k-node story: 7.9 s with it, 3.1 s without)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        story, diagnostics = load_story(paths)
        if story is not None:
            diagnostics = diagnostics + validate(story)
        unique = sorted(set(diagnostics), key=sort_key)
    finally:
        if was_enabled:
            gc.enable()
    return Result(story, unique)


def count_words(text: str) -> int:
    return len(WORD.findall(text))


def stats(story: Story) -> dict[str, int]:
    words = 0
    choices = 0
    for node in story.nodes.values():  # prose words: what a reader can meet, not the woven constructs' syntax
        words += sum(count_words(weave.prose(p.woven) if p.woven else p.text) for p in node.passages)
        words += sum(count_words(weave.prose(shown) if (shown := c.echo.woven if c.echo else c.woven) else c.text)
                     for c in node.choices)
        choices += len(node.choices)
    return {"files": len(story.files), "nodes": len(story.nodes), "choices": choices, "endings": len(story.endings),
            "variables": len(story.variables), "words": words}

"""The engine: every rule of play lives here once. Front-ends pull from it.

    engine = Engine(story, seed=7)
    engine.lines          # what the current node shows
    engine.choices()      # numbered choices (some may be shown disabled)
    engine.can_continue   # a linear node: call engine.proceed()
    engine.choose(2)      # take visible choice number 2
    engine.ending         # the Ending once one is reached
    engine.rollback()     # undo the last step; engine.roll_forward() redoes it
    engine.journal()      # history and rollback as plain data, for a save; restore_journal() reads it back
"""
from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..story import expr, weave
from ..story.diagnostics import excerpt
from ..story.functions import chance_roll
from ..story.model import Choice, Ending, Node, Scene, Story, Value, successors
from .state import GameState

ROLLBACK_LIMIT = 200
HISTORY_LIMIT = 1000
JOURNAL_ROLLBACK = 50  # steps of rollback a save keeps (each is a whole state; the history keeps every line)


class EngineError(Exception):
    """The front-end asked for something the rules don't allow."""


@dataclass(frozen=True)
class Line:
    speaker: str  # speaker id, or "narration"
    name: str  # display name, "" for narration
    colour: str
    text: str
    runs: tuple[tuple[str, str], ...] = ()  # format 2: the text in runs of one style ("", "i", "b", "bi")


@dataclass(frozen=True)
class ChoiceView:
    number: int  # 1-based, as the player sees it
    text: str
    enabled: bool
    reason: str
    choice: Choice


@dataclass(frozen=True)
class HistoryEntry:
    node: str
    lines: tuple[Line, ...]
    choice: str  # the text of the choice taken after it, "" when the player just continued


@dataclass(frozen=True)
class _Step:
    """What one step changed, to take it back without copying the playthrough: the state's small parts as
    they were before it; of the parts that only grow (path, choice log, visits, once-only choices), how far
    they went. A rollback state from a save is kept whole instead."""
    node: str
    variables: dict[str, Value]
    steps: int
    path_length: int
    log_length: int
    once_added: str | None  # the once-only choice this step took for the first time
    scene: dict[str, str | None]
    ending: str | None
    echo: list[list[Any]]  # replaced, never changed in place, by the step: kept as they were
    text_vars: dict[str, Value] | None
    stack: list[str]
    whole: GameState | None = None

    @classmethod
    def before(cls, state: GameState, choice: Choice | None) -> _Step:
        once = choice.id if choice is not None and choice.once and choice.id not in state.once_taken else None
        return cls(state.node, dict(state.variables), state.steps, len(state.path), len(state.choice_log), once,
                   dict(state.scene), state.ending, state.echo, state.text_vars, list(state.stack))

    @classmethod
    def kept_whole(cls, state: GameState) -> _Step:
        return cls(state.node, {}, 0, 0, 0, None, {}, None, [], None, [], whole=state)

    def undo(self, after: GameState) -> GameState:
        """The state before this step, from the state it led to (which is left as it is)."""
        if self.whole is not None:
            return self.whole.copy()
        visits = dict(after.visits)
        for node_id in after.path[self.path_length:]:  # every node entered adds one visit and one path entry
            if visits.get(node_id, 0) > 1:
                visits[node_id] -= 1
            else:
                visits.pop(node_id, None)
        once = set(after.once_taken)
        if self.once_added is not None:
            once.discard(self.once_added)
        return GameState(node=self.node, variables=dict(self.variables), seed=after.seed, visits=visits,
                         once_taken=once, steps=self.steps, choice_log=after.choice_log[:self.log_length],
                         path=after.path[:self.path_length], scene=dict(self.scene), ending=self.ending,
                         echo=self.echo, text_vars=self.text_vars, stack=list(self.stack))


class _Context:
    """Expression context over a state; chance() is seeded by the state, the step and the call."""

    def __init__(self, state: GameState, tag: str, variables: dict[str, Value] | None = None):
        self.state = state
        self.tag = tag
        self.calls = 0
        self.variables = state.variables if variables is None else variables  # a scratch copy while replaying

    def var(self, name: str) -> Value:
        return self.variables[name]

    def visits(self, node: str) -> int:
        return self.state.visits.get(node, 0)

    def chance(self, percent: int) -> bool:
        self.calls += 1
        return chance_roll(self.state.seed, self.state.steps, self.tag, self.calls) < percent


def history_data(entries: Iterable[HistoryEntry]) -> list[list[Any]]:
    """History entries as plain data (JSON-ready): a save's journal, and each line of the autosave's."""
    return [[entry.node, [[line.speaker, line.name, line.colour, line.text, [list(run) for run in line.runs]]
                          for line in entry.lines], entry.choice] for entry in entries]


class Engine:
    def __init__(self, story: Story, state: GameState | None = None, seed: int | None = None,
                 start: str | None = None):
        self.story = story
        # each step with the length the history had before it, counted from the very first entry
        self._undo: deque[tuple[_Step, int]] = deque(maxlen=ROLLBACK_LIMIT)
        self._redo: list[tuple[GameState, list[HistoryEntry], _Step]] = []  # what rollback undid, newest last
        self.history: list[HistoryEntry] = []
        self._dropped = 0  # history entries let go of past HISTORY_LIMIT
        self._views: list[ChoiceView] | None = None  # choices(), until the state changes
        self.entered_cues: tuple[str, ...] = ()
        self._words = {name: dict(var.words) for name, var in story.variables.items() if var.words}
        if state is None:
            state = GameState.new(story, seed if seed is not None else random.randrange(2**31))
            self.state = state
            if start is not None and start != story.start:
                self._require_node(start)
                self._set_scene_of_lead_in(start)
                self._enter(start)
            else:
                self._enter(story.start)
        else:
            self._require_node(state.node)
            self.state = state
            self._refresh()

    # ------------------------------------------------------------ reading

    @property
    def node(self) -> Node:
        return self.story.nodes[self.state.node]

    @property
    def lines(self) -> tuple[Line, ...]:
        return self._lines

    @property
    def scene(self) -> Scene:
        return Scene(**{k: v for k, v in self.state.scene.items() if k in ("location", "time", "mood", "weather")})

    @property
    def sounding_path(self) -> list[str]:
        """The path so far as the music and loops hear it: a stretch that began with a warp (--start, a
        scene replayed from the flowchart) is heard as if the story's shortest way there came first."""
        path = self.state.path
        if not path:
            return []
        begin = 0
        for i in range(len(path) - 1, 0, -1):
            before = self.story.nodes.get(path[i - 1])
            if before is None or (not before.returns and path[i] not in set(successors(before))):  # a return goes back
                begin = i
                break
        return list(self.story.lead_in(path[begin])) + path[begin:]

    @property
    def chapter_title(self) -> str:
        """The chapter the player is in: inside a called scene, still the one it was called from (a scene
        written in another chapter's file brings no banner of its own)."""
        chapter = self.story.chapter_of(self.state.stack[0] if self.state.stack else self.state.node)
        return chapter.title if chapter else ""

    @property
    def ending(self) -> Ending | None:
        return self.story.endings.get(self.node.ending) if self.node.ending else None

    @property
    def is_over(self) -> bool:
        return self.node.ending is not None

    def choices(self) -> list[ChoiceView]:
        """The numbered choices the player sees now (empty for linear and ending nodes)."""
        if self._views is None:  # a front-end asks several times a step; the state changes only through _refresh
            self._views = self._choices()
        return list(self._views)

    def _choices(self) -> list[ChoiceView]:
        node = self.node
        state = self.state
        ctx = _Context(state, "c")
        regular: list[ChoiceView] = []
        fallbacks: list[Choice] = []
        for choice in node.choices:
            if choice.once and choice.id in state.once_taken:
                continue
            ok = choice.condition is None or bool(expr.evaluate(choice.condition.ast, ctx))
            if choice.fallback:
                if ok:
                    fallbacks.append(choice)
                continue
            if ok or choice.show_unavailable:
                regular.append(ChoiceView(0, self._menu_text(choice), ok, "" if ok else choice.reason, choice))
        if not any(view.enabled for view in regular):
            regular = [v for v in regular if not v.enabled] + [ChoiceView(0, self._menu_text(c), True, "", c)
                                                                for c in fallbacks if c.text]
        return [ChoiceView(i, v.text, v.enabled, v.reason, v.choice) for i, v in enumerate(regular, 1)]

    @property
    def can_continue(self) -> bool:
        """True on a linear node (or one whose only way on is a silent fallback): call proceed()."""
        return self.continuation() is not None

    def continuation(self) -> tuple[str, Choice | None] | None:
        """Where proceed() goes: (node id, the silent fallback it takes or None), or None when it cannot."""
        node = self.node
        if node.returns:
            return (self.state.stack[-1], None) if self.state.stack else None
        if node.next:
            return node.call or node.next, None
        if node.choices and not any(v.enabled for v in self.choices()):
            ctx = _Context(self.state, "c")
            for choice in node.choices:
                if choice.fallback and not choice.text and not (choice.once and choice.id in self.state.once_taken) \
                        and (choice.condition is None or expr.evaluate(choice.condition.ast, ctx)):
                    return choice.destination, choice
        return None

    @property
    def is_stuck(self) -> bool:
        return not self.is_over and not self.can_continue and not any(v.enabled for v in self.choices())

    # ------------------------------------------------------------ acting

    def proceed(self) -> None:
        target = self.continuation()
        if target is None:
            raise EngineError(self._why_not_continue())
        node_id, choice = target
        node = self.node
        self._checkpoint("", choice)
        if node.returns:
            self.state.stack.pop()
        elif node.call:
            self.state.stack.append(node.next)  # type: ignore[arg-type]  # the loader requires `next` with `call`
        if choice is not None:
            self._take(choice)
        self._enter(node_id)

    def choose(self, number: int) -> None:
        views = self.choices()
        if self.is_over:
            raise EngineError(f"the story has ended ('{self.node.ending}'): there is nothing to choose")
        if not views:
            raise EngineError(f"node '{self.state.node}' offers no choices" +
                              (": call proceed() to continue" if self.can_continue else ""))
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= len(views):
            raise EngineError(f"choice {number!r} does not exist at node '{self.state.node}': "
                              f"pick 1 to {len(views)}")
        view = views[number - 1]
        if not view.enabled:
            raise EngineError(f"choice {number} ('{view.text}') is not available now"
                              + (f": {view.reason}" if view.reason else ""))
        self._checkpoint(view.text, view.choice)
        self.state.choice_log.append(number)
        echo = self._echo(view.choice)
        self._take(view.choice)
        self._enter(view.choice.destination, echo)

    def rollback(self) -> bool:
        """Undo the last step. Returns False when there is nothing to undo."""
        if not self._undo:
            return False
        step, history_length = self._undo.pop()
        keep = max(0, history_length - self._dropped)
        self._redo.append((self.state, self.history[keep:], step))
        self.state = step.undo(self.state)
        del self.history[keep:]
        self._refresh()
        return True

    @property
    def can_roll_forward(self) -> bool:
        return bool(self._redo)

    def roll_forward(self) -> bool:
        """Redo the step the last rollback undid, the same choice included. False when there is none."""
        if not self._redo:
            return False
        state, entries, step = self._redo.pop()
        self._undo.append((step, self._dropped + len(self.history)))
        self.history.extend(entries)
        self.state = state
        self._refresh()
        return True

    def taken_before(self) -> int | None:
        """After a rollback to a choice: the number of the choice taken here before, which roll_forward retakes."""
        if not self._redo:
            return None
        later = self._redo[-1][0].choice_log
        here = len(self.state.choice_log)
        return later[here] if len(later) > here else None

    def journal(self) -> dict[str, Any]:
        """The history and the last JOURNAL_ROLLBACK steps of rollback as plain data (JSON-ready), for a save."""
        rollback: list[list[Any]] = []
        state = now = self.state
        for step, length in list(self._undo)[-JOURNAL_ROLLBACK:][::-1]:
            state = step.undo(state)
            data = state.to_dict()
            for key in ("path", "choice_log"):  # an earlier state's is the start of today's: its length will do
                if data[key] == getattr(now, key)[:len(data[key])]:
                    data[key] = len(data[key])
            rollback.append([data, max(0, length - self._dropped)])
        return {"history": history_data(self.history), "rollback": rollback[::-1]}

    def restore_journal(self, journal: dict[str, Any]) -> None:
        """Take back a saved journal (history and rollback). Raises ValueError when it does not fit this story;
        the engine is then left as it was."""
        try:
            history = [HistoryEntry(str(node), tuple(Line(str(sp), str(name), str(colour), str(text),
                                                          tuple((str(t), str(s)) for t, s in runs))
                                                     for sp, name, colour, text, runs in lines), str(choice))
                       for node, lines, choice in journal.get("history", [])][-HISTORY_LIMIT:]
            undo = [(GameState.from_dict(self._whole(state)), int(length)) for state, length in journal.get("rollback", [])]
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"the saved history is damaged ({err})") from None
        for state, length in undo:
            if state.node not in self.story.nodes or not 0 <= length <= len(history):
                raise ValueError("the saved rollback does not fit this story")
        self.history = history
        self._dropped = 0
        self._undo = deque(((_Step.kept_whole(state), length) for state, length in undo), maxlen=ROLLBACK_LIMIT)
        self._redo = []

    def _whole(self, data: dict[str, Any]) -> dict[str, Any]:
        """A saved rollback state with its path and choice log written out (a save gives their lengths only,
        as the start of the current state's)."""
        data = dict(data)
        for key in ("path", "choice_log"):
            length = data.get(key)
            if isinstance(length, int) and not isinstance(length, bool):
                now = getattr(self.state, key)
                if not 0 <= length <= len(now):
                    raise ValueError(f"the saved rollback's {key} is longer than the game's")
                data[key] = now[:length]
        return data

    @property
    def can_rollback(self) -> bool:
        return bool(self._undo)

    def warp(self, node_id: str) -> None:
        """Jump to a node, keeping variables (for --start and authors' tools)."""
        self._require_node(node_id)
        self._checkpoint("")
        self._set_scene_of_lead_in(node_id)
        self._enter(node_id)

    def set_variable(self, name: str, value: Value) -> None:
        var = self.story.variables.get(name)
        if var is None:
            raise EngineError(f"no variable '{name}'")
        if type(value) is not {"bool": bool, "int": int, "str": str}[var.type]:
            raise EngineError(f"'{name}' is {var.type}, not {type(value).__name__}")
        if var.values and value not in var.values:
            raise EngineError(f"'{excerpt(str(value), 40)}' is not a value of '{name}' (allowed: {', '.join(var.values)})")
        self.state.variables[name] = var.clamp(value)
        self._refresh()

    # ------------------------------------------------------------ internals

    def _require_node(self, node_id: str) -> None:
        if node_id not in self.story.nodes:
            from ..story.diagnostics import did_you_mean
            raise EngineError(f"no node '{node_id}' in this story{did_you_mean(node_id, self.story.nodes)}")

    def _why_not_continue(self) -> str:
        if self.is_over:
            return f"the story has ended ('{self.node.ending}')"
        if self.choices():
            return f"node '{self.state.node}' is waiting for a choice: call choose(n)"
        if self.node.returns:
            return f"node '{self.state.node}' ends a called scene, but it was reached without a call: nothing to return to"
        return f"node '{self.state.node}' has no way forward"

    def _checkpoint(self, choice_text: str, choice: Choice | None = None) -> None:
        """Before a step (which may take `choice`): what rollback needs to undo it, and the history line."""
        self._redo.clear()  # a new step: what was rolled back is no longer ahead
        self._undo.append((_Step.before(self.state, choice), self._dropped + len(self.history)))
        self.history.append(HistoryEntry(self.state.node, self._lines, choice_text))
        excess = len(self.history) - HISTORY_LIMIT
        if excess > 0:
            del self.history[:excess]
            self._dropped += excess

    def _take(self, choice: Choice) -> None:
        if choice.call:
            self.state.stack.append(choice.target)
        if choice.once:
            self.state.once_taken.add(choice.id)
        self._apply(choice.effects, _Context(self.state, "e"))

    def _apply(self, effects: Iterable, ctx: _Context, into: dict[str, Value] | None = None) -> None:
        variables = self.state.variables if into is None else into
        for effect in effects:
            st = effect.statement
            value = expr.apply_statement(st, ctx)
            variables[st.var] = self.story.variables[st.var].clamp(value)

    def _set_scene_of_lead_in(self, node_id: str) -> None:
        """A warp lands in the scene the story's way there leaves, not the one the player left, and inside
        the called scenes that way enters (so their `return` has somewhere to go)."""
        self.state.scene.clear()
        way = list(self.story.lead_in(node_id))
        self.state.stack = []
        for passed, after in zip(way, way[1:] + [node_id]):
            node = self.story.nodes[passed]
            self._merge_scene(node.scene)
            calling = next((c for c in node.choices if c.call == after), None)
            if node.call == after:  # the shortest way never passes a `return`: it steps over calls it does not enter
                self.state.stack.append(node.next)  # type: ignore[arg-type]
            elif calling is not None:
                self.state.stack.append(calling.target)

    def _merge_scene(self, scene: Scene | None) -> None:
        """A node's scene changes only the fields it names; the rest carry over."""
        if scene is not None:
            self.state.scene.update({k: v for k, v in scene.to_dict().items() if v is not None})

    def _enter(self, node_id: str, echo: list[list[Any]] | None = None) -> None:
        state = self.state
        node = self.story.nodes[node_id]
        state.node = node_id
        state.steps += 1
        state.visits[node_id] = state.visits.get(node_id, 0) + 1
        state.path.append(node_id)
        state.echo = echo or []
        self._merge_scene(node.scene)
        between = sum(len(p.effects) for p in node.passages)  # the last ones: effects between passages
        ctx = _Context(state, "n")
        self._apply(node.effects[:len(node.effects) - between], ctx)
        state.text_vars = dict(state.variables) if between else None
        self._apply(node.effects[len(node.effects) - between:], ctx)
        if node.ending:
            state.ending = node.ending
        self.entered_cues = node.cues
        self._refresh()

    def _refresh(self) -> None:
        state = self.state
        self._views = None
        lines = [self._line(speaker, text, tuple((t, s) for t, s in runs)) for speaker, text, runs in state.echo]
        # each passage sees the variables of its moment: effects between passages apply as they are passed
        scratch = dict(state.variables)
        if state.text_vars is not None:  # only names the story still has (a reload may have changed them)
            scratch.update((k, v) for k, v in state.text_vars.items() if k in scratch)
        seen = _Context(state, "p", scratch)
        for index, passage in enumerate(self.node.passages):
            if passage.effects:
                self._apply(passage.effects, seen, seen.variables)
                continue
            if passage.condition is None or expr.evaluate(passage.condition.ast, seen):
                if passage.woven is None:
                    lines.append(self._line(passage.speaker, passage.text))
                else:
                    runs = self._render(passage.woven, seen, f"{state.node}:{index}")
                    text = weave.plain_text(runs)
                    if text.strip():  # woven text whose every branch is off says nothing: no empty line
                        lines.append(self._line(passage.speaker, text, runs))
        self._lines = tuple(lines)

    def _line(self, speaker_id: str, text: str, runs: tuple[tuple[str, str], ...] = ()) -> Line:
        speaker = self.story.speakers.get(speaker_id)
        return Line(speaker_id, self.story.speaker_name(speaker_id), speaker.colour if speaker else "#dddddd", text,
                    runs if any(style for _, style in runs) else ())

    def _render(self, woven: weave.Woven, ctx: _Context, key: str) -> tuple[tuple[str, str], ...]:
        state = self.state
        reading = weave.Reading(ctx, state.visits.get(state.node, 1), f"{state.seed}:{key}", self._words)
        return weave.render(woven, reading)

    def _menu_text(self, choice: Choice) -> str:
        if choice.woven is None:
            return choice.text
        return weave.plain_text(self._render(choice.woven, _Context(self.state, "t"), f"{choice.id}:menu"))

    def _echo(self, choice: Choice) -> list[list[Any]]:
        """The echo of a choice about to be taken, rendered with the values before its effects."""
        echo = choice.echo
        if echo is None or echo.woven is None:
            return []
        runs = self._render(echo.woven, _Context(self.state, "t"), f"{choice.id}:echo")
        return [[echo.speaker, weave.plain_text(runs), [list(r) for r in runs]]]

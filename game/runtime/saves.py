"""Save slots, autosave and quicksave: versioned JSON, written atomically, checked on load.

The autosave slot is a snapshot plus a journal: each autosave appends one line holding what changed
since the last one (the nodes entered, the choices made, the variables), so a choice costs the same on
the 10th step and the 10,000th. The snapshot is rewritten (atomically, as every slot is) when the
journal has grown to a few times the snapshot's size, which keeps the cost per choice constant on
average, or when the playthrough does not simply extend the last autosave (undo, load, a new game,
another game saving over the slot). A line carries the history lines added since the last one; the
rollback states kept in the snapshot precede the journal's choices, so a slot loaded with journal
lines starts its rollback afresh.
A journal line written before a SIGKILL is on disk (no fsync per choice: only a power cut can lose the
last lines, and then the slot loads at an earlier choice); a torn last line is ignored.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..story.diagnostics import excerpt
from ..story.model import Story
from .engine import HISTORY_LIMIT, Engine, history_data
from .state import GameState
from .storage import DamagedFile, read_json, remove_stale_temp_files, write_json_atomic

SAVE_FORMAT = 1
SAVE_KIND = "her-save"
AUTO = "auto"
QUICK = "quick"
NUMBERED_SLOTS = 99  # every name SLOT_NAME allows: the window shows them in pages
SLOT_NAME = re.compile(r"^(auto|quick|[1-9][0-9]?)$")

# format n -> function upgrading a save dict of format n to n + 1; walked in order on load
UPGRADERS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


class SaveError(Exception):
    """A save cannot be used; the message says why and what to do."""


class DamagedSave(SaveError):
    """A slot holds something the game would never write: loading it sets it aside."""


@dataclass
class SaveInfo:
    slot: str
    saved_at: str
    chapter: str
    node_title: str
    play_time: float
    story: str
    thumbnail: str | None = None
    problem: str = ""


@dataclass
class Loaded:
    state: GameState
    info: SaveInfo
    notes: list[str] = field(default_factory=list)
    line: int = 0  # the line of the node that was on screen
    journal: dict[str, Any] | None = None  # history and rollback (Engine.restore_journal), when they still fit


class SaveStore:
    def __init__(self, folder: str, story: Story):
        self.folder = os.path.join(folder, "saves", story.id)
        self.story = story
        self._journal: _Journal | None = None  # what the autosave slot holds, when this store wrote it
        remove_stale_temp_files(self.folder)

    def path(self, slot: str) -> str:
        slot = self._check_slot(slot)
        return os.path.join(self.folder, f"{slot}.json")

    @staticmethod
    def _check_slot(slot: str) -> str:
        slot = str(slot).strip().lower()
        if not SLOT_NAME.match(slot):
            raise SaveError(f"'{excerpt(slot, 40)}' is not a save slot: use 1 to 99, 'auto' or 'quick'")
        return slot

    def save(self, slot: str, engine: Engine, play_time: float = 0.0, thumbnail: str | None = None,
             line: int = 0) -> str:
        """line: which of the node's lines was on screen, so a load resumes there."""
        state = engine.state
        node = engine.node
        meta = {"saved_at": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
                "chapter": engine.chapter_title, "node_title": node.title or node.id,
                "play_time": round(play_time, 1), "thumbnail": thumbnail, "line": line}
        path = self.path(slot)
        if self._check_slot(slot) == AUTO:
            journal = self._journal
            history = journal.new_history(engine) if journal is not None else None
            if journal is not None and history is not None and journal.extends(state) and journal.owns(path) and \
                    journal.bytes < max(JOURNAL_MIN_BYTES, JOURNAL_GROWTH * journal.snapshot_bytes):
                journal.append(engine, meta, history)
                return path
            self._drop_journal()
        data = {
            "format": SAVE_FORMAT, "kind": SAVE_KIND, "story": self.story.id, "title": self.story.title,
            "fingerprint": self.story.fingerprint, **meta,
            "choice_log": list(state.choice_log), "state": state.to_dict(), "journal": engine.journal(),
        }
        if self._check_slot(slot) == AUTO:
            data[AUTO_JOURNAL] = token = secrets.token_hex(8)  # lines of an older journal name another token
            write_json_atomic(path, data)
            self._journal = _Journal(path, token, engine)
            return path
        write_json_atomic(path, data)
        return path

    def _read(self, slot: str) -> dict[str, Any]:
        path = self.path(slot)
        label = f"save slot '{slot}'"
        try:
            data = read_json(path)
        except FileNotFoundError:
            raise SaveError(f"{label} is empty") from None
        except DamagedFile as err:
            raise DamagedSave(f"{label} is damaged ({err}: {path}); other slots are untouched") from None
        except OSError as err:
            raise SaveError(f"{label} cannot be read: {err.strerror} ({path})") from None
        if not isinstance(data, dict) or data.get("kind") != SAVE_KIND:
            raise SaveError(f"{label} is not a save of this game ({path})")
        version = data.get("format")
        if not isinstance(version, int) or version < 1:
            raise DamagedSave(f"{label} has no valid format version ({path}); other slots are untouched")
        if version > SAVE_FORMAT:
            raise SaveError(f"{label} was made by a newer version of the game (save format {version}, "
                            f"this version reads up to {SAVE_FORMAT}): update the game to load it ({path})")
        while version < SAVE_FORMAT:
            data = UPGRADERS[version](data)
            version = data["format"]
        if data.get("story") != self.story.id:
            raise SaveError(f"{label} belongs to another story ('{data.get('story')}'), not '{self.story.id}' ({path})")
        if isinstance(data.get(AUTO_JOURNAL), str) and isinstance(data.get("state"), dict):
            _replay_journal(path + JOURNAL_SUFFIX, data)
        problem = save_problem(data)
        if problem:
            raise DamagedSave(f"{label} is damaged ({problem}: {path}); other slots are untouched")
        return data

    def info(self, slot: str) -> SaveInfo | None:
        """Summary for a slot list; None for an empty slot, SaveInfo.problem set for an unusable one."""
        if not os.path.exists(self.path(slot)):
            return None
        try:
            data = self._read(slot)
            self._state(slot, data)
        except SaveError as err:
            return SaveInfo(slot, "", "", "", 0.0, self.story.id, problem=str(err))
        return SaveInfo(slot, str(data.get("saved_at", "")), str(data.get("chapter", "")),
                        str(data.get("node_title", "")), float(data.get("play_time", 0) or 0), self.story.id,
                        data.get("thumbnail") if isinstance(data.get("thumbnail"), str) else None)

    def slots(self) -> list[SaveInfo]:
        found = []
        for slot in [AUTO, QUICK] + [str(n) for n in range(1, NUMBERED_SLOTS + 1)]:
            info = self.info(slot)
            if info is not None:
                found.append(info)
        return found

    def latest(self) -> SaveInfo | None:
        usable = [i for i in self.slots() if not i.problem]
        return max(usable, key=lambda i: i.saved_at, default=None)

    def load(self, slot: str) -> Loaded:
        try:
            data = self._read(slot)
            state = self._state(slot, data)
        except DamagedSave as err:
            raise DamagedSave(f"{err}; {self._set_aside(slot)}") from None
        # reconciled even when the fingerprint matches: a hand-edited save must not crash the engine
        notes = reconcile(self.story, state)
        info = SaveInfo(slot, str(data.get("saved_at", "")), str(data.get("chapter", "")),
                        str(data.get("node_title", "")), float(data.get("play_time", 0) or 0), self.story.id)
        same_story = data.get("fingerprint") == self.story.fingerprint and not notes
        line = data.get("line", 0)
        journal = data.get("journal")
        if isinstance(journal, dict) and not same_story:
            notes.append("The story has changed since this save: its history and rollback start afresh here.")
        return Loaded(state, info, notes, line if isinstance(line, int) and same_story else 0,
                      journal if isinstance(journal, dict) and same_story else None)

    def _state(self, slot: str, data: dict[str, Any]) -> GameState:
        try:
            return GameState.from_dict(data["state"])
        except (KeyError, TypeError, ValueError) as err:
            raise DamagedSave(f"save slot '{slot}' is damaged: {err} ({self.path(slot)})") from None

    def _set_aside(self, slot: str) -> str:
        """Move a damaged slot out of the way, keeping its bytes for whoever wants to look at them."""
        path = self.path(slot)
        aside = f"{path}.damaged"
        if os.path.lexists(aside):
            aside = f"{path}.{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}.damaged"
        try:
            os.replace(path, aside)
        except OSError as err:
            return f"it could not be set aside ({err.strerror})"
        return f"it was set aside as {aside} and the slot is free again"

    def _drop_journal(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def delete(self, slot: str) -> None:
        if self._check_slot(slot) == AUTO:
            self._drop_journal()
        for path in (self.path(slot), self.path(slot) + JOURNAL_SUFFIX):
            try:
                os.remove(path)
            except FileNotFoundError:
                pass


# ---------------------------------------------------------------- the autosave journal

JOURNAL_SUFFIX = ".journal"
AUTO_JOURNAL = "autosave_journal"  # the snapshot's token; its journal's lines carry the same
JOURNAL_MIN_BYTES = 64 * 1024  # journal written before the snapshot is rewritten, however short the playthrough
JOURNAL_GROWTH = 4  # ... and for a long one, this many times the snapshot's size: a snapshot every few hundred choices


class _Journal:
    """The autosave's journal as this store last wrote it, and the state it brought the slot to."""

    def __init__(self, snapshot: str, token: str, engine: Engine):
        self.path, self.token, self.lines, self.bytes = snapshot + JOURNAL_SUFFIX, token, 0, 0
        self.stamp = _stamp(snapshot)
        self.snapshot_bytes = self.stamp[2]
        self.handle = open(self.path, "w", encoding="utf-8")  # an older journal goes with its snapshot
        self._mark(engine)

    def close(self) -> None:
        self.handle.close()

    def __del__(self) -> None:
        self.handle.close()

    def owns(self, snapshot: str) -> bool:
        """Whether the slot still holds this store's snapshot (another game may have saved over it)."""
        try:
            return _stamp(snapshot) == self.stamp
        except OSError:
            return False

    def _mark(self, engine: Engine) -> None:
        state = engine.state
        self.state, self.path_obj, self.log_obj = state, state.path, state.choice_log
        self.path_len, self.log_len, self.once = len(state.path), len(state.choice_log), set(state.once_taken)
        self.last_entry = engine.history[-1] if engine.history else None

    def extends(self, state: GameState) -> bool:
        """Whether `state` is the one last saved, played on (undo and load replace the state object)."""
        return (state is self.state and state.path is self.path_obj and state.choice_log is self.log_obj
                and len(state.path) >= self.path_len and len(state.choice_log) >= self.log_len
                and self.once <= state.once_taken)

    def new_history(self, engine: Engine) -> list | None:
        """The history entries added since the last autosave; None when the history was rewound."""
        history = engine.history
        k = len(history)
        while k > 0 and history[k - 1] is not self.last_entry:
            k -= 1
        if k == 0 and self.last_entry is not None:
            return None
        return history[k:]

    def append(self, engine: Engine, meta: dict[str, Any], history: list) -> None:
        state = engine.state
        entered = state.path[self.path_len:]
        delta = {
            AUTO_JOURNAL: self.token, "seq": self.lines, **meta,
            "node": state.node, "steps": state.steps, "ending": state.ending, "variables": state.variables,
            "scene": state.scene, "echo": state.echo, "text_vars": state.text_vars, "stack": state.stack,
            "path": entered, "choice_log": state.choice_log[self.log_len:],
            "visits": {node: state.visits.get(node, 0) for node in set(entered)},
            "once_taken": sorted(state.once_taken - self.once) if len(state.once_taken) != len(self.once) else [],
            "history": history_data(history),
        }
        line = json.dumps(delta, ensure_ascii=False, separators=(",", ":")) + "\n"
        self.handle.write(line)
        self.handle.flush()  # in the operating system's hands: a SIGKILL cannot lose it
        self.lines += 1
        self.bytes += len(line)
        self._mark(engine)


def _stamp(path: str) -> tuple[int, int, int]:
    found = os.stat(path)
    return found.st_ino, found.st_mtime_ns, found.st_size


def _replay_journal(path: str, data: dict[str, Any]) -> None:
    """Fold the journal's lines for this snapshot into the save, up to the first one that is not whole
    (lines of another snapshot, from a second game writing the same slot, are passed over)."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().split("\n")
    except (OSError, UnicodeDecodeError):
        return
    state = data["state"]
    trail = [state.get(key, []) for key in ("path", "choice_log", "once_taken")] + [data.get("choice_log", [])]
    if not (all(isinstance(t, list) for t in trail) and isinstance(state.get("visits", {}), dict)):
        return  # not what the game writes: save_problem says so
    path_list, log_list, once_list, outer_log = trail
    visits = state.setdefault("visits", {})
    once = set(once_list)
    expected = 0
    for text in lines:
        try:
            delta = json.loads(text)
        except ValueError:
            break  # the torn last line of a killed process, or the end
        if not isinstance(delta, dict):
            break
        if delta.get(AUTO_JOURNAL) != data[AUTO_JOURNAL]:
            continue
        path_add, log_add, seen, taken = (delta.get(k) for k in ("path", "choice_log", "visits", "once_taken"))
        if delta.get("seq") != expected or not (isinstance(path_add, list) and isinstance(log_add, list)
                                                  and isinstance(seen, dict) and isinstance(taken, list)):
            break
        expected += 1
        for key in ("saved_at", "chapter", "node_title", "play_time", "thumbnail", "line"):
            data[key] = delta.get(key)
        engine_journal = data.get("journal")
        if isinstance(engine_journal, dict) and isinstance(engine_journal.get("history"), list) and \
                isinstance(delta.get("history"), list):
            engine_journal["history"].extend(delta["history"])
            del engine_journal["history"][:-HISTORY_LIMIT]
            engine_journal["rollback"] = []  # its states come before the journal's choices: rollback starts here
        for key in ("node", "steps", "ending", "variables", "scene", "echo", "text_vars", "stack"):
            state[key] = delta.get(key)
        path_list.extend(path_add)
        log_list.extend(log_add)
        outer_log.extend(log_add)
        visits.update(seen)
        once.update(str(x) for x in taken)
    state["path"], state["choice_log"], data["choice_log"] = path_list, log_list, outer_log
    state["once_taken"] = sorted(once)


# ---------------------------------------------------------------- what the engine writes

def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count(value: Any) -> bool:
    return _whole(value) and value >= 0


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _seconds(value: Any) -> bool:  # read_json has already refused NaN and infinities
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1e10


def _value(value: Any) -> bool:
    return isinstance(value, (bool, int, str))


def _optional(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: value is None or check(value)


def _list_of(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, list) and all(check(item) for item in value)


def _map_of(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, dict) and all(check(item) for item in value.values())


# field -> (required, check); keys of JSON objects are always text
SAVE_SCHEMA: dict[str, tuple[bool, Callable[[Any], bool]]] = {
    "title": (False, _text), "fingerprint": (False, _text), "saved_at": (False, _text), "chapter": (False, _text),
    "node_title": (False, _text), "play_time": (False, _seconds), "choice_log": (False, _list_of(_count)),
    "thumbnail": (False, _optional(_text)), "state": (True, lambda value: isinstance(value, dict)),
}
STATE_SCHEMA: dict[str, tuple[bool, Callable[[Any], bool]]] = {
    "node": (True, _text), "variables": (True, _map_of(_value)), "seed": (True, _whole),
    "visits": (False, _map_of(_count)), "once_taken": (False, _list_of(_text)), "steps": (False, _count),
    "choice_log": (False, _list_of(_count)), "path": (False, _list_of(_text)), "scene": (False, _map_of(_optional(_text))),
    "ending": (False, _optional(_text)), "stack": (False, _optional(_list_of(_text))),
}


def save_problem(data: dict[str, Any]) -> str:
    """What makes a save unlike anything the engine writes ('' when nothing does)."""
    for schema, record, where in ((SAVE_SCHEMA, data, ""), (STATE_SCHEMA, data.get("state"), "state.")):
        if not isinstance(record, dict):
            return f"'{where.rstrip('.')}' is missing"
        for key, (required, check) in schema.items():
            if key not in record:
                if required:
                    return f"'{where}{key}' is missing"
            elif not check(record[key]):
                return f"'{where}{key}' does not hold what the game writes there"
    return ""


def reconcile(story: Story, state: GameState) -> list[str]:
    """Fit a state from an earlier edit of the story to the story as it is now. Returns notes for the player."""
    notes = []
    if state.node not in story.nodes:
        earlier = next((n for n in reversed(state.path) if n in story.nodes), story.start)
        notes.append(f"The scene you were in ('{state.node}') is no longer in the story; "
                     f"resuming at '{earlier}'.")
        state.node = earlier
        state.ending = None
    dropped = sorted(set(state.variables) - set(story.variables))
    for name in dropped:
        del state.variables[name]
    if dropped:
        notes.append("Dropped variables the story no longer has: " + ", ".join(dropped) + ".")
    added = []
    for name, var in story.variables.items():
        value = state.variables.get(name)
        python_type = {"bool": bool, "int": int, "str": str}[var.type]
        if name not in state.variables:
            added.append(name)
            state.variables[name] = var.default
        elif value is None or type(value) is not python_type or (var.values and value not in var.values):
            notes.append(f"Variable '{name}' changed type; it starts again from its default.")
            state.variables[name] = var.default
        else:
            state.variables[name] = var.clamp(value)
    if added:
        notes.append("New variables start at their defaults: " + ", ".join(added) + ".")
    state.visits = {k: v for k, v in state.visits.items() if k in story.nodes}
    if any(node not in story.nodes for node in state.stack):
        notes.append("A scene you were in the middle of now returns somewhere the story no longer has; "
                     "it will not come back there.")
        state.stack = [node for node in state.stack if node in story.nodes]
    return notes


class PlayClock:
    """Play time that survives saving and loading."""

    def __init__(self, already: float = 0.0):
        self.base = already
        self.started = time.monotonic()

    def total(self) -> float:
        return self.base + time.monotonic() - self.started


def format_play_time(seconds: float) -> str:
    """Play time as a save slot shows it: '12m 05s', '2h 03m'."""
    minutes = int(seconds // 60)
    return f"{minutes // 60}h {minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m {int(seconds % 60):02d}s"

"""The autosave journal: a choice costs the same on the 10th step and the 10,000th, and the slot
always loads as the last autosave left it (torn lines, undo, other games, SIGKILL)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from game.runtime.engine import HISTORY_LIMIT, JOURNAL_ROLLBACK, Engine
from game.runtime.saves import AUTO, JOURNAL_GROWTH, JOURNAL_MIN_BYTES, JOURNAL_SUFFIX, SaveStore
from game.story.validate import load_and_validate

LOOP = """format: 1
id: loop
title: Loop
start: porch
chapters: [c.yaml]
variables:
  laps: {type: int, default: 0, min: 0, max: 1000000}
  rested: {type: bool, default: false}
endings:
  home: {title: Home}
"""
CHAPTER = """chapter: {id: c, title: Around the Block}
nodes:
  - id: porch
    text: [The porch light is on.]
    choices:
      - {text: Walk around the block., goto: corner, effects: [laps += 1]}
      - {text: Sit on the step once., goto: corner, once: true, effects: [rested = true]}
      - {text: Go in., goto: hall, if: laps >= 100000}
  - id: corner
    text: [The corner, again.]
    next: porch
  - id: hall
    text: [Inside.]
    ending: home
"""


@pytest.fixture
def loop_story(tmp_path):
    folder = tmp_path / "loop"
    folder.mkdir()
    (folder / "story.yaml").write_text(LOOP)
    (folder / "c.yaml").write_text(CHAPTER)
    result = load_and_validate(str(folder))
    assert result.ok, [d.format() for d in result.diagnostics]
    return result.story


def walk(engine: Engine, choices: int, store: SaveStore | None = None) -> None:
    for _ in range(choices):
        while engine.can_continue:
            engine.proceed()
        engine.choose(1)
        if store is not None:
            store.save(AUTO, engine, play_time=1.0)


def same_state(store: SaveStore, engine: Engine) -> None:
    loaded = store.load(AUTO).state
    assert loaded.to_dict() == engine.state.to_dict()


def test_each_autosave_appends_a_line_and_leaves_the_snapshot_alone(loop_story, tmp_path):
    store = SaveStore(str(tmp_path), loop_story)
    engine = Engine(loop_story, seed=3)
    walk(engine, 1, store)
    snapshot = Path(store.path(AUTO)).read_bytes()
    engine.proceed()
    engine.choose(2)  # the once-only choice: a flag and a variable change too
    store.save(AUTO, engine)
    walk(engine, 30, store)
    assert Path(store.path(AUTO)).read_bytes() == snapshot
    assert len(Path(store.path(AUTO) + JOURNAL_SUFFIX).read_text().splitlines()) == 31
    same_state(store, engine)
    assert store.info(AUTO).node_title == "corner" and store.load(AUTO).state.variables["rested"] is True
    loaded = store.load(AUTO)  # the history comes back whole; rollback starts afresh at the journal's end
    assert loaded.journal["history"] == engine.journal()["history"] and loaded.journal["rollback"] == []
    again = Engine(loop_story, loaded.state)
    again.restore_journal(loaded.journal)
    walk(again, 1)  # and it plays on from there


@pytest.mark.slow
def test_an_autosave_writes_as_much_at_choice_5000_as_at_choice_50(loop_story, tmp_path):
    store = SaveStore(str(tmp_path), loop_story)
    engine = Engine(loop_story, seed=3)
    journal = store.path(AUTO) + JOURNAL_SUFFIX
    written = []
    for _ in range(5000):
        before = os.path.getsize(journal) if os.path.exists(journal) else 0
        snapshot = os.stat(store.path(AUTO)).st_mtime_ns if os.path.exists(store.path(AUTO)) else 0
        walk(engine, 1, store)
        grew = os.path.getsize(journal) - before
        if os.stat(store.path(AUTO)).st_mtime_ns == snapshot:
            written.append(grew)
    assert len(written) > 4900  # snapshots are rare: the journal is compacted when as long as the path
    assert max(written[-100:]) <= max(written[:100]) + 8  # the laps counter gains a digit or two
    same_state(store, engine)


@pytest.mark.slow
def test_the_snapshot_is_rewritten_when_the_journal_outgrows_it(loop_story, tmp_path):
    store = SaveStore(str(tmp_path), loop_story)
    engine = Engine(loop_story, seed=3)
    walk(engine, 3000, store)
    journal = store.path(AUTO) + JOURNAL_SUFFIX
    assert len(Path(journal).read_text().splitlines()) < 3000
    limit = max(JOURNAL_MIN_BYTES, JOURNAL_GROWTH * os.path.getsize(store.path(AUTO)))
    assert os.path.getsize(journal) <= limit + 4096  # the line that crossed it
    same_state(store, engine)


def test_undo_and_a_new_game_start_a_new_snapshot(loop_story, tmp_path):
    store = SaveStore(str(tmp_path), loop_story)
    engine = Engine(loop_story, seed=3)
    walk(engine, 5, store)
    assert engine.rollback()
    store.save(AUTO, engine)
    assert Path(store.path(AUTO) + JOURNAL_SUFFIX).read_text() == ""
    same_state(store, engine)
    fresh = Engine(loop_story, seed=9)
    store.save(AUTO, fresh)
    same_state(store, fresh)
    store.delete(AUTO)
    assert not os.path.exists(store.path(AUTO) + JOURNAL_SUFFIX) and store.info(AUTO) is None


def test_a_torn_last_line_loads_the_autosave_before_it(loop_story, tmp_path):
    store = SaveStore(str(tmp_path), loop_story)
    engine = Engine(loop_story, seed=3)
    walk(engine, 3, store)
    expected = engine.state.to_dict()
    walk(engine, 1, store)
    journal = store.path(AUTO) + JOURNAL_SUFFIX
    whole = Path(journal).read_bytes()
    Path(journal).write_bytes(whole[:-9])  # the process died in the middle of the last line
    assert store.load(AUTO).state.to_dict() == expected
    other = SaveStore(str(tmp_path), loop_story)  # a second game writing the same slot wins
    second = Engine(loop_story, seed=5)
    walk(second, 2, other)
    walk(engine, 2, store)  # ... until this one writes a snapshot of its own (its journal no longer matches)
    same_state(store, engine)


def test_rollback_and_a_saved_journal_give_back_each_earlier_state_exactly_past_the_history_limit(loop_story):
    engine = Engine(loop_story, seed=3)
    before: list[dict] = []  # the state before each step
    while len(before) < HISTORY_LIMIT + 100:
        before.append(engine.state.to_dict())
        if engine.can_continue:
            engine.proceed()
        else:  # sit on the step (once-only) late in the game, else walk round again
            engine.choose(2 if len(before) > HISTORY_LIMIT + 80 and len(engine.choices()) == 2 else 1)
    end = engine.state.to_dict()
    assert "porch#2" in engine.state.once_taken and len(engine.history) == HISTORY_LIMIT
    saved = engine.journal()["rollback"]
    assert [{**state, "path": None, "choice_log": None} for state, _ in saved] == \
        [{**state, "path": None, "choice_log": None} for state in before[-JOURNAL_ROLLBACK:]]
    assert [(state["path"], state["choice_log"]) for state, _ in saved] == \
        [(len(state["path"]), len(state["choice_log"])) for state in before[-JOURNAL_ROLLBACK:]]  # as lengths
    for back in range(1, 121):
        assert engine.rollback()
        assert engine.state.to_dict() == before[-back] and len(engine.history) == HISTORY_LIMIT - back
    for _ in range(120):
        assert engine.roll_forward()
    assert engine.state.to_dict() == end and not engine.roll_forward()
    again = Engine(loop_story, engine.state.copy())
    again.restore_journal(engine.journal())
    for back in range(1, JOURNAL_ROLLBACK + 1):
        assert again.rollback() and again.state.to_dict() == before[-back]
    assert not again.rollback()


KILLED = """
import sys
from game.story.validate import load_and_validate
from game.runtime.engine import HISTORY_LIMIT, JOURNAL_ROLLBACK, Engine
from game.runtime.saves import AUTO, SaveStore
story = load_and_validate({story!r}).story
store = SaveStore({folder!r}, story)
engine = Engine(story, seed=1)
print("ready", flush=True)
while True:
    while engine.can_continue:
        engine.proceed()
    engine.choose(1)
    store.save(AUTO, engine)
"""


@pytest.mark.slow
def test_sigkill_while_autosaving_always_leaves_a_loadable_consistent_slot(loop_story, tmp_path):
    folder = str(tmp_path / "data")
    story_folder = str(tmp_path / "loop")
    store = SaveStore(folder, loop_story)
    for attempt in range(4):
        proc = subprocess.Popen([sys.executable, "-c", KILLED.format(story=story_folder, folder=folder)],
                                stdout=subprocess.PIPE)
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(0.3 + attempt * 0.2)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        state = store.load(AUTO).state
        laps = state.variables["laps"]
        assert laps > 0 and state.choice_log == [1] * laps and state.visits["corner"] == laps
        assert state.path == ["porch"] + ["corner", "porch"] * (laps - 1) + ["corner"] and state.node == "corner"
        Engine(loop_story, state).proceed()  # and it plays on


def test_a_save_after_tens_of_thousands_of_steps_still_loads_with_its_rollback(loop_story, tmp_path):
    """A save holds the last rollback states; each one's path is the start of the current path, so it is
    written as a length: the save grows with one copy of the path, not fifty (it outgrew the 4 MB a
    player file may have, and the slot was set aside as damaged)."""
    store = SaveStore(str(tmp_path), loop_story)
    engine = Engine(loop_story, seed=1)
    walk(engine, 40_000)
    store.save("1", engine)
    size = os.path.getsize(store.path("1"))
    assert size < 3 * len(json.dumps(engine.state.path))
    loaded = store.load("1")
    again = Engine(loop_story, loaded.state)
    again.restore_journal(loaded.journal)
    for _ in range(JOURNAL_ROLLBACK):
        assert again.rollback()
        assert engine.rollback() and again.state.to_dict() == engine.state.to_dict()

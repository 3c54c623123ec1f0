"""History and rollback travel with a save; rollback can be rolled forward again, the same choice retaken."""
from __future__ import annotations

import json

import pytest

from game.runtime.engine import Engine
from game.runtime.saves import SaveStore


def texts(engine: Engine) -> list[tuple[str, list[str], str]]:
    return [(e.node, [line.text for line in e.lines], e.choice) for e in engine.history]


def played(story) -> Engine:
    engine = Engine(story, seed=4)
    engine.choose(2)  # plug it in
    engine.choose(2)  # a loving mother
    return engine


def test_history_and_rollback_come_back_with_a_load(sample_story, tmp_path):
    store = SaveStore(str(tmp_path), sample_story)
    engine = played(sample_story)
    store.save("1", engine, line=1)
    loaded = store.load("1")
    assert loaded.line == 1 and loaded.journal is not None
    again = Engine(sample_story, loaded.state)
    again.restore_journal(loaded.journal)
    assert texts(again) == texts(engine) and len(texts(again)) == 2
    assert again.rollback() and engine.rollback()
    assert again.state.to_dict() == engine.state.to_dict()  # the same step back, after the load
    assert again.rollback() and again.state.node == "setup_box" and not again.rollback()


def test_a_save_from_another_version_of_the_story_loads_without_its_journal(sample_story, tmp_path):
    store = SaveStore(str(tmp_path), sample_story)
    store.save("1", played(sample_story), line=2)
    data = json.loads(open(store.path("1"), encoding="utf-8").read())
    data["fingerprint"] = "an older story"
    open(store.path("1"), "w", encoding="utf-8").write(json.dumps(data))
    loaded = store.load("1")
    assert loaded.state.node == "setup_cut_off" and loaded.journal is None and loaded.line == 0
    assert any("history and rollback start afresh" in note for note in loaded.notes)


@pytest.mark.parametrize("journal", [
    {"history": [["setup_box", [["narration", "", "#fff"]], ""]]},  # a line cut short
    {"rollback": [[{"node": "nowhere", "variables": {}, "seed": 1}, 0]]},
    {"history": "not a list of entries"},
])
def test_a_damaged_journal_is_refused_and_leaves_the_engine_as_it_was(sample_story, journal):
    engine = played(sample_story)
    before = texts(engine)
    with pytest.raises(ValueError):
        engine.restore_journal(journal)
    assert texts(engine) == before and engine.rollback()


def test_roll_forward_redoes_what_rollback_undid_and_a_new_choice_ends_it(sample_story):
    engine = played(sample_story)
    ahead = engine.state.to_dict()
    assert engine.rollback()
    assert engine.taken_before() == 2  # the choice taken here last time
    assert engine.roll_forward()
    assert engine.state.to_dict() == ahead and len(engine.history) == 2
    assert not engine.roll_forward()  # nothing further ahead
    assert engine.rollback()
    engine.choose(1)  # another way this time
    assert engine.taken_before() is None and not engine.can_roll_forward

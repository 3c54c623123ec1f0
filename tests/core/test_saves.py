"""Saves: slots, atomic writes that survive SIGKILL, damaged/foreign/newer files, edited stories."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from game.runtime.engine import Engine
from game.runtime.persist import PlayerData
from game.runtime.saves import AUTO, QUICK, SaveError, SaveStore
from game.runtime.storage import data_dir
from game.story.validate import load_and_validate
from tests.paths import SAMPLE


def test_data_dir_is_overridable(tmp_path, monkeypatch):
    assert data_dir(str(tmp_path / "x")) == str(tmp_path / "x")
    monkeypatch.setenv("HER_DATA_DIR", str(tmp_path / "env"))
    assert data_dir() == str(tmp_path / "env")


def test_save_and_load_slots(sample_story, tmp_path):
    store = SaveStore(str(tmp_path), sample_story)
    engine = Engine(sample_story, seed=4)
    engine.choose(2)
    store.save("3", engine, play_time=125.0)
    store.save(QUICK, engine)
    engine.choose(1)
    store.save(AUTO, engine)
    data = json.loads(open(store.path("3")).read())
    assert data["format"] == 1 and data["story"] == "sample" and data["fingerprint"] == sample_story.fingerprint
    assert data["chapter"] == "The Box on the Table" and data["node_title"] == "The setup voice"
    assert data["choice_log"] == [2] and data["play_time"] == 125.0 and "saved_at" in data
    loaded = store.load("3")
    assert loaded.state.node == "setup_voice" and loaded.notes == [] and loaded.info.play_time == 125.0
    assert [i.slot for i in store.slots()] == [AUTO, QUICK, "3"]
    assert store.latest().slot in (AUTO, QUICK, "3")
    with pytest.raises(SaveError, match="not a save slot"):
        store.save("../../etc", engine)
    with pytest.raises(SaveError, match="empty"):
        store.load("7")


def test_every_numbered_slot_counts_for_the_list_and_the_latest_save(sample_story, tmp_path):
    store = SaveStore(str(tmp_path), sample_story)
    engine = Engine(sample_story, seed=4)
    store.save("2", engine)
    time.sleep(1.1)  # saved_at has whole seconds
    engine.choose(2)
    store.save("57", engine)  # a slot on a later page of the window's save screen
    assert [i.slot for i in store.slots()] == ["2", "57"]
    assert store.latest().slot == "57"


@pytest.mark.parametrize("content, message", [
    (b'{"format": 1, "kind": "her-save", "story": "sam', "damaged"),
    (b"\x00\xff garbage", "damaged"),
    (b'{"hello": "world"}', "not a save of this game"),
    (b'{"format": 7, "kind": "her-save", "story": "sample", "state": {}}', "newer version"),
    (b'{"format": 1, "kind": "her-save", "story": "another", "state": {}}', "another story"),
    (b'{"format": 1, "kind": "her-save", "story": "sample", "state": {"node": 3}}', "damaged"),
])
def test_bad_save_files_give_a_clear_message_and_spare_other_slots(sample_story, tmp_path, content, message):
    store = SaveStore(str(tmp_path), sample_story)
    engine = Engine(sample_story, seed=4)
    store.save("1", engine)
    os.makedirs(store.folder, exist_ok=True)
    with open(store.path("2"), "wb") as handle:
        handle.write(content)
    assert store.info("2").problem
    with pytest.raises(SaveError, match=message):
        store.load("2")
    assert store.load("1").state.node == "setup_box"


def test_save_from_an_earlier_edit_of_the_story_still_loads(sample_story, tmp_path):
    store = SaveStore(str(tmp_path / "data"), sample_story)
    engine = Engine(sample_story, seed=4)
    engine.choose(2)
    engine.choose(1)
    engine.proceed()  # at setup_wait
    store.save("1", engine)
    edited = tmp_path / "edited"
    shutil.copytree(SAMPLE, edited)
    manifest = edited / "story.yaml"
    manifest.write_text(manifest.read_text().replace("  lamp_on:", "  courage:\n    type: int\n    default: 1\n"
                                                     "    description: New.\n  lamp_on:"))
    chapter = edited / "chapters" / "setup.yaml"
    text = chapter.read_text().replace("setup_wait", "setup_pause").replace("toggle lamp_on", "courage += 1")
    chapter.write_text(text.replace("  lamp_on:", ""))
    manifest.write_text(manifest.read_text().replace(
        "  lamp_on:\n    type: bool\n    default: false\n    description: Whether the reading lamp is on.\n", ""))
    text = chapter.read_text().replace("      - narration: The lamp throws a warm circle on the table.\n        if: lamp_on\n", "")
    chapter.write_text(text)
    result = load_and_validate(str(edited))
    assert result.ok, [d.format() for d in result.errors]
    loaded = SaveStore(str(tmp_path / "data"), result.story).load("1")
    notes = " ".join(loaded.notes)
    assert loaded.state.node == "setup_cut_off"  # the nearest earlier node the story still has
    assert "setup_wait" in notes and "lamp_on" in notes and "courage" in notes
    assert loaded.state.variables["courage"] == 1 and "lamp_on" not in loaded.state.variables
    Engine(result.story, loaded.state)  # and it plays


def test_hand_edited_save_with_the_same_fingerprint_is_fitted_not_crashed(sample_story, tmp_path):
    store = SaveStore(str(tmp_path / "data"), sample_story)
    store.save("1", Engine(sample_story, seed=4))
    with open(store.path("1"), encoding="utf-8") as handle:
        data = json.load(handle)
    data["state"]["node"] = "no_such_node"
    data["state"]["variables"] = {"openness": "lots"}
    with open(store.path("1"), "w", encoding="utf-8") as handle:
        json.dump(data, handle)
    loaded = store.load("1")
    assert "no_such_node" in " ".join(loaded.notes)
    assert loaded.state.variables == {"openness": 2, "mother": "unasked", "lamp_on": False}
    Engine(sample_story, loaded.state).choices()  # plays from there


SAVER = """
import sys
from game.story.validate import load_and_validate
from game.runtime.engine import Engine
from game.runtime.saves import SaveStore
story = load_and_validate({sample!r}).story
store = SaveStore({folder!r}, story)
engine = Engine(story, seed=1)
print("ready", flush=True)
i = 0
while True:
    engine.warp("setup_box" if i % 2 else "setup_voice")
    store.save("1", engine, play_time=i)
    i += 1
"""


@pytest.mark.slow
def test_sigkill_while_saving_never_leaves_a_broken_slot(sample_story, tmp_path):
    folder = str(tmp_path / "data")
    store = SaveStore(folder, sample_story)
    for attempt in range(5):
        proc = subprocess.Popen([sys.executable, "-c", SAVER.format(sample=SAMPLE, folder=folder)],
                                stdout=subprocess.PIPE)
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(0.05 + attempt * 0.03)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        loaded = store.load("1")
        assert loaded.state.node in ("setup_box", "setup_voice")


def test_player_data_survives_and_damage_is_set_aside(tmp_path):
    player = PlayerData.load(str(tmp_path), "sample")
    assert player.record_ending("hello") and not player.record_ending("hello")
    player.seen.add("setup_box")
    player.save()
    again = PlayerData.load(str(tmp_path), "sample")
    assert "hello" in again.endings and again.seen == {"setup_box"}
    with open(again.path, "w") as handle:
        handle.write("{not json")
    damaged = PlayerData.load(str(tmp_path), "sample")
    assert damaged.endings == {} and "set aside" in damaged.note and os.path.exists(again.path + ".damaged")

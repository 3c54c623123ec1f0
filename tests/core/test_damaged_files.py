"""Corrupt saves and player files, as a hostile tester made them: each is set aside with a message, the
rest keeps working. Every case here crashed (or hung) before; bit flips and truncation are in test_saves."""
from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.runtime.engine import Engine
from game.runtime.persist import PlayerData
from game.runtime.saves import SaveError, SaveStore
from game.runtime.storage import DamagedFile, read_json
from tests.core.deadline import deadline

DEEP = 100_000  # deeper than Python's recursion limit


def good_save(store: SaveStore, engine: Engine) -> str:
    store.save("1", engine, play_time=12.5)
    with open(store.path("1"), encoding="utf-8") as handle:
        return handle.read()


def edit(field: str, raw: str):
    """Replace the JSON value of `field` (a path like state.seed) with raw JSON text."""
    def change(text: str) -> str:
        data = json.loads(text)
        *parents, last = field.split(".")
        target = data
        for key in parents:
            target = target[key]
        target[last] = "@@"
        return json.dumps(data).replace('"@@"', raw)
    return change


SAVE_DAMAGE = {
    "play_time as text": edit("play_time", '"an hour"'),
    "NaN play_time": edit("play_time", "NaN"),
    "Infinity play_time": edit("play_time", "Infinity"),
    "overflowing play_time": edit("play_time", "1e999"),
    "NaN in visits": edit("state.visits", '{"setup_box": NaN}'),
    "Infinity steps": edit("state.steps", "Infinity"),
    "-Infinity seed": edit("state.seed", "-Infinity"),
    "NaN in the choice log": edit("choice_log", "[1, NaN]"),
    "NaN in the state's choice log": edit("state.choice_log", "[NaN]"),
    "5,000-digit seed": edit("state.seed", "9" * 5000),
    "huge seed": edit("state.seed", "9" * 40),
    "deeply nested save": lambda text: "[" * DEEP + "]" * DEEP,
    "deeply nested variable": edit("state.variables", '{"openness": ' + "[" * 500 + "]" * 500 + "}"),
    "lone surrogate in the chapter": edit("chapter", '"\\ud800"'),
    "lone surrogate in a variable": edit("state.variables", '{"mother": "\\udfff"}'),
    "list for visits": edit("state.visits", "[1, 2]"),
    "bool for steps": edit("state.steps", "true"),
}


@pytest.fixture
def store(sample_story, tmp_path):
    return SaveStore(str(tmp_path / "data"), sample_story)


@pytest.mark.parametrize("damage", sorted(SAVE_DAMAGE))
def test_a_damaged_save_is_reported_and_spares_the_others(sample_story, store, damage):
    engine = Engine(sample_story, seed=4)
    text = SAVE_DAMAGE[damage](good_save(store, engine))
    store.save("2", engine)
    with open(store.path("1"), "w", encoding="utf-8", errors="surrogatepass") as handle:
        handle.write(text)
    info = store.info("1")
    assert "damaged" in info.problem and info.play_time == 0.0
    assert [i.slot for i in store.slots() if not i.problem] == ["2"]  # what the title screen and slot list show
    with pytest.raises(SaveError, match=r"save slot '1' is damaged \(.+\); other slots are untouched; "
                                        r"it was set aside as .+1\.json\.damaged"):
        store.load("1")
    assert store.info("1") is None and os.path.exists(store.path("1") + ".damaged")
    assert store.load("2").state.node == "setup_box"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs and links")
@pytest.mark.parametrize("kind", ["fifo", "link to /dev/zero", "folder"])
def test_a_slot_that_is_no_file_neither_hangs_nor_eats_memory(sample_story, store, kind):
    engine = Engine(sample_story, seed=4)
    store.save("2", engine)
    path = store.path("1")
    {"fifo": os.mkfifo, "link to /dev/zero": lambda p: os.symlink("/dev/zero", p), "folder": os.mkdir}[kind](path)
    with deadline(10):
        assert store.info("1").problem
        with pytest.raises(SaveError, match="damaged"):
            store.load("1")
        assert store.load("2").state.node == "setup_box"


PLAYER_DAMAGE = {
    "deeply nested": "[" * DEEP + "]" * DEEP,
    "deeply nested settings": '{"settings": {"volume": ' + "[" * 800 + "]" * 800 + "}}",
    "NaN in settings": '{"settings": {"text_speed": NaN}}',
    "5,000-digit number": '{"endings": {}, "seen": [], "settings": {"font_scale": ' + "9" * 5000 + "}}",
    "lone surrogate": '{"seen": ["\\ud800"]}',
    "endings as a list": '{"endings": [1, 2]}',
}


@pytest.mark.parametrize("damage", sorted(PLAYER_DAMAGE))
def test_a_damaged_player_file_is_set_aside_and_play_goes_on(tmp_path, damage):
    path = tmp_path / "sample-player.json"
    path.write_text(PLAYER_DAMAGE[damage], encoding="utf-8")
    player = PlayerData.load(str(tmp_path), "sample")
    assert "set aside" in player.note and player.endings == {} and player.seen == set()
    assert os.path.exists(str(path) + ".damaged") and not path.exists()
    player.record_ending("hello")
    player.save()  # and the next launch reads it without a word
    again = PlayerData.load(str(tmp_path), "sample")
    assert again.note == "" and "hello" in again.endings


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs")
def test_a_fifo_as_the_player_file_does_not_hang_the_launch(tmp_path):
    os.mkfifo(tmp_path / "sample-player.json")
    with deadline(10):
        player = PlayerData.load(str(tmp_path), "sample")
    assert "set aside" in player.note


def test_a_counter_that_grows_every_loop_stays_saveable(tmp_path):
    from game.story.expr import INT_LIMIT
    from game.story.validate import load_and_validate
    (tmp_path / "story.yaml").write_text(
        "format: 1\nid: grow\ntitle: Grow\nstart: loop\nchapters: [c.yaml]\n"
        "variables:\n  n: {type: int, default: 2, description: Squares itself.}\nendings:\n  out: {title: Out}\n")
    (tmp_path / "c.yaml").write_text(
        "chapter: {id: c, title: C}\nnodes:\n  - id: loop\n    text: [Again.]\n    choices:\n"
        "      - text: Again.\n        goto: loop\n        effects: ['n = n * n']\n"
        "      - text: Out.\n        goto: done\n        if: n < 0\n  - id: done\n    text: [Done.]\n    ending: out\n")
    story = load_and_validate(str(tmp_path)).story
    engine = Engine(story, seed=1)
    for _ in range(40):  # 2 ** (2 ** 40) would have thousands of millions of digits
        engine.choose(1)
    assert engine.state.variables["n"] == INT_LIMIT
    store = SaveStore(str(tmp_path / "data"), story)
    store.save("auto", engine)
    assert store.load("auto").state.variables["n"] == INT_LIMIT


# ---------------------------------------------------------------- properties

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2 ** 70), 2 ** 70) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_any_bytes_read_as_json_or_as_damaged(tmp_path, data):
    path = tmp_path / "f.json"
    path.write_bytes(data)
    try:
        read_json(str(path))
    except DamagedFile as err:
        assert str(err)


STATE_FIELDS = ["node", "variables", "seed", "visits", "once_taken", "steps", "choice_log", "path", "scene", "ending"]


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(STATE_FIELDS + ["play_time", "choice_log@", "chapter", "thumbnail"]), json_values)
def test_a_save_that_loads_is_one_the_engine_can_play(sample_story, tmp_path, field, value):
    """Any value in any field: either a clear SaveError, or a state the engine plays without a crash."""
    store = SaveStore(str(tmp_path / "data"), sample_story)
    store.save("1", Engine(sample_story, seed=4))
    with open(store.path("1"), encoding="utf-8") as handle:
        data = json.load(handle)
    if field in STATE_FIELDS:
        data["state"][field] = value
    else:
        data[field.rstrip("@")] = value
    with open(store.path("1"), "w", encoding="utf-8") as handle:
        json.dump(data, handle, allow_nan=True)
    try:
        loaded = store.load("1")
    except SaveError as err:
        assert "save slot '1'" in str(err)
        return
    engine = Engine(sample_story, loaded.state)
    engine.choices()
    store.save("2", engine, loaded.info.play_time)  # and it saves back
    assert store.load("2").state.node == engine.state.node


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["endings", "seen", "settings", "format", "settings@volume", "settings@text_speed"]), json_values)
def test_any_player_file_value_is_used_or_set_aside(tmp_path, field, value):
    """The window reads its settings from the player file at every launch: nothing there may stop it."""
    from game.ui.settings import Settings
    data: dict = {"format": 1, "endings": {"hello": "2026-01-01"}, "seen": ["setup_box"], "settings": {}}
    if "@" in field:
        data["settings"][field.split("@")[1]] = value
    else:
        data[field] = value
    (tmp_path / "sample-player.json").write_text(json.dumps(data, allow_nan=True), encoding="utf-8")
    player = PlayerData.load(str(tmp_path), "sample")
    Settings.from_dict(player.settings)
    player.save()
    assert PlayerData.load(str(tmp_path), "sample").note == ""

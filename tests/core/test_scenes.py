"""Reusable scenes (format 2's tunnels): `call:` plays a scene and comes back, `return: true` ends it.

The fixture tests/fixtures/ok/scenes calls the beach memory (written once, in a file of its own) from a
choice in the morning and from a linear node in the evening, and the beach calls a smaller scene. The call
stack must survive everything a player does: saves mid-scene, the autosave, rollback, replays, warps."""
from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from game.explore import explore
from game.explore.variants import variants
from game.runtime.engine import Engine
from game.runtime.persist import PlayerData
from game.runtime.replay import play_replay
from game.runtime.saves import SaveStore
from game.runtime.state import GameState
from game.story.validate import load_and_validate
from game.text import TextGame
from game.tools.soak import soak
from tests.paths import FIXTURES, ROOT

SCENES = os.path.join(FIXTURES, "ok", "scenes")
BEACH, LAUGH = 1, 1  # "Think of the beach first" at the desk; "Remember her laughing" on the beach


@pytest.fixture(scope="module")
def story():
    result = load_and_validate(SCENES)
    assert result.ok and not result.warnings, [d.format() for d in result.diagnostics]
    return result.story


def walk(engine: Engine, *choices: int, to: str | None = None) -> Engine:
    """Take the choices in order, continuing through linear nodes before each; then continue to node `to`."""
    for number in choices:
        while engine.can_continue:
            engine.proceed()
        engine.choose(number)
    while to is not None and engine.state.node != to:
        engine.proceed()
    return engine


def text(engine: Engine) -> str:
    return " ".join(line.text for line in engine.lines)


def test_a_called_scene_plays_and_comes_back_to_where_it_was_called(story):
    engine = Engine(story, seed=3)
    engine.choose(BEACH)
    assert engine.state.node == "beach" and engine.state.stack == ["desk_after"]
    engine.choose(LAUGH)  # the beach calls a smaller scene of its own
    assert engine.state.node == "laugh" and engine.state.stack == ["desk_after", "beach_end"]
    engine.proceed()
    assert engine.state.node == "beach_end" and engine.state.stack == ["desk_after"]
    engine.proceed()
    assert engine.state.node == "desk_after" and engine.state.stack == []
    assert "sand in its sentences" in text(engine)
    engine.proceed()
    assert engine.state.node == "evening"
    engine.proceed()  # a linear node calls the same scene
    assert engine.state.node == "beach" and engine.state.stack == ["night"]
    assert text(engine).startswith("The beach again")  # the scene's variation counts its visits
    walk(engine, LAUGH, to="night")
    assert engine.state.variables["warmth"] == 2
    engine.choose(1)
    assert engine.ending is not None and engine.ending.id == "wrote"


def test_the_chapter_banner_stays_with_the_caller(story):
    engine = Engine(story, seed=3)
    engine.choose(BEACH)
    assert engine.node.chapter == "memories"
    assert engine.chapter_title == "The Desk"
    walk(engine, LAUGH, to="evening")
    assert engine.chapter_title == "The Night"
    engine.proceed()
    assert engine.state.node == "beach" and engine.chapter_title == "The Night"


def test_a_once_only_choice_inside_a_scene_is_gone_the_next_time_it_is_called(story):
    engine = walk(Engine(story, seed=1), BEACH, 2, to="evening")  # keep the photograph
    engine.proceed()
    assert [v.text for v in engine.choices()] == ["Remember her laughing", "Stay there until he falls asleep"]


def test_a_scene_can_end_the_game_without_returning(story):
    engine = walk(Engine(story, seed=1), BEACH, 3)
    assert engine.ending is not None and engine.ending.id == "slept" and engine.state.stack == ["desk_after"]


def test_rollback_and_roll_forward_take_the_stack_with_them(story):
    engine = Engine(story, seed=3)
    engine.choose(BEACH)
    engine.choose(LAUGH)
    engine.proceed()
    engine.proceed()
    assert engine.state.node == "desk_after" and engine.state.stack == []
    engine.rollback()
    assert engine.state.node == "beach_end" and engine.state.stack == ["desk_after"]
    engine.rollback()
    assert engine.state.node == "laugh" and engine.state.stack == ["desk_after", "beach_end"]
    engine.rollback()
    engine.rollback()
    assert engine.state.node == "desk" and engine.state.stack == []
    engine.roll_forward()
    assert engine.state.stack == ["desk_after"]
    walk(engine, LAUGH, to="evening")


def test_a_save_inside_a_nested_scene_loads_and_returns_the_same_way(story, tmp_path):
    engine = Engine(story, seed=3)
    engine.choose(BEACH)
    engine.choose(LAUGH)
    saves = SaveStore(str(tmp_path), story)
    saves.save("1", engine)
    loaded = saves.load("1")
    assert loaded.state.stack == ["desk_after", "beach_end"] and not loaded.notes
    again = Engine(story, loaded.state)
    again.proceed()
    again.proceed()
    assert again.state.node == "desk_after"
    assert GameState.from_dict(engine.state.to_dict()).stack == engine.state.stack


def test_the_autosave_journal_keeps_the_stack(story, tmp_path):
    engine = Engine(story, seed=3)
    saves = SaveStore(str(tmp_path), story)
    saves.save("auto", engine)  # the snapshot; what follows is appended to its journal
    engine.choose(BEACH)
    saves.save("auto", engine)
    engine.choose(LAUGH)
    saves.save("auto", engine)
    assert os.path.getsize(saves.path("auto") + ".journal") > 0
    loaded = SaveStore(str(tmp_path), story).load("auto")
    assert loaded.state.node == "laugh" and loaded.state.stack == ["desk_after", "beach_end"]


def test_a_save_whose_return_point_left_the_story_says_so(story, tmp_path):
    engine = Engine(story, seed=3)
    engine.choose(BEACH)
    data = engine.state.to_dict()
    data["stack"] = ["a_node_since_deleted"]
    from game.runtime.saves import reconcile
    state = GameState.from_dict(data)
    notes = reconcile(story, state)
    assert state.stack == [] and any("no longer has" in note for note in notes)
    with pytest.raises(ValueError, match="call stack"):
        GameState.from_dict({**data, "stack": [3]})


def test_a_warp_into_a_scene_lands_inside_the_calls_that_lead_there(story):
    engine = Engine(story, seed=2, start="laugh")
    assert engine.state.stack == ["desk_after", "beach_end"]
    engine.proceed()
    engine.proceed()
    assert engine.state.node == "desk_after"


def test_a_return_reached_without_a_call_is_stuck_with_a_clear_reason(story):
    engine = Engine(story, seed=2, start="beach_end")
    engine.state.stack.clear()
    assert engine.is_stuck
    with pytest.raises(Exception, match="nothing to return to"):
        engine.proceed()


def test_replays_reproduce_a_playthrough_through_scenes(story):
    engine = walk(Engine(story, seed=5), BEACH, LAUGH, LAUGH, 1)
    played = play_replay(story, 5, engine.state.choice_log)
    assert played.engine.state.ending == "wrote" and played.path == engine.state.path


def test_the_explorer_follows_each_call_back_to_its_own_caller(story):
    found = explore(story, text=True)
    assert found.complete and found.softlocks == [] and found.traps == [] and found.dead_choices == []
    assert found.unreached_nodes == [] and found.dead_text == []
    assert {k for k, e in found.endings.items() if e.reachable} == {"wrote", "slept", "shelved"}
    for key, reach in found.endings.items():
        played = play_replay(story, reach.witness.seed, reach.witness.choices)
        assert played.engine.state.ending == key and played.path == reach.witness.path
    # 'wrote' needs warmth 2: the beach remembered laughing from both callers, the shortest way
    assert found.endings["wrote"].witness.choices == [BEACH, LAUGH, LAUGH, 1]


def test_variants_of_a_scene_gather_every_place_it_is_called_from(story):
    found = variants(story, "beach")
    readings = {lines[0].split(":")[0] for lines in (v.lines for v in found.variants)}
    assert readings == {"The beach comes back whole", "The beach again"}
    for variant in found.variants:
        played = play_replay(story, variant.witness.seed, variant.witness.choices)
        assert played.engine.state.node == "beach"
        assert [line.text for line in played.engine.lines] == variant.lines


def test_soak_finds_the_engine_and_the_explorer_agreeing_inside_scenes(story):
    result = soak(story, walks=60, seed=4, max_steps=200)
    assert result.problems == [] and set(result.endings) == {"wrote", "slept", "shelved"}


def test_text_mode_shows_no_banner_for_the_scenes_file(story, tmp_path):
    out = io.StringIO()
    engine = Engine(story, seed=3)
    game = TextGame(story, engine, out, SaveStore(str(tmp_path), story), PlayerData.load(str(tmp_path), story.id))
    answers = iter(["1", "1", "1", "1"])
    game.play(lambda prompt: next(answers, None), interactive=False)
    shown = out.getvalue()
    assert "== The Desk ==" in shown and "== The Night ==" in shown and "Memories" not in shown
    assert shown.index("gull") < shown.index("sand in its sentences") < shown.index("== The Night ==")


@pytest.mark.slow
def test_text_mode_plays_scenes_from_piped_input():
    run = subprocess.run([sys.executable, "main.py", "text", "--story", SCENES, "--seed", "1"],
                         input="1\n1\n\n\n\n1\n\n1\n", capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "[ending: wrote]" in run.stdout and "Memories" not in run.stdout


def test_format_1_refuses_scenes(tmp_path):
    for name in os.listdir(SCENES):
        if name.endswith(".yaml"):
            (tmp_path / name).write_text(open(os.path.join(SCENES, name)).read().replace("format: 2", "format: 1"))
    os.makedirs(tmp_path / "chapters")
    for name in os.listdir(os.path.join(SCENES, "chapters")):
        source = open(os.path.join(SCENES, "chapters", name)).read()
        (tmp_path / "chapters" / name).write_text(source)
    result = load_and_validate(str(tmp_path))
    assert not result.ok
    assert any(d.code == "E009" and "'call'" in d.message and "format 2" in d.message for d in result.errors)
    assert any(d.code == "E009" and "'return'" in d.message for d in result.errors)


def test_coming_back_from_a_scene_is_heard_as_part_of_the_way_not_as_a_warp(story):
    engine = walk(Engine(story, seed=3), BEACH, LAUGH, to="desk_after")
    assert engine.sounding_path == engine.state.path  # music and loops carry on from the whole way here

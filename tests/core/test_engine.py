"""The runtime: the rules a player notices, through the pull API every front-end uses."""
from __future__ import annotations

import json

import pytest

from game.runtime.engine import ROLLBACK_LIMIT, Engine, EngineError
from game.runtime.state import GameState


def texts(engine):
    return [line.text for line in engine.lines]


def test_once_only_choice_disappears_after_use(sample_story):
    engine = Engine(sample_story, seed=1)
    first = [v.text for v in engine.choices()]
    assert first[0] == "Switch on the reading lamp first."
    engine.choose(1)
    assert engine.state.node == "setup_box" and engine.state.variables["lamp_on"] is True
    assert [v.text for v in engine.choices()] == first[1:]


def test_shown_disabled_choice_carries_its_reason_and_cannot_be_taken(sample_story):
    engine = Engine(sample_story, seed=1)
    engine.set_variable("openness", 4)
    leave = engine.choices()[2]
    assert not leave.enabled and leave.reason == "Something in him is too curious now."
    with pytest.raises(EngineError, match="not available"):
        engine.choose(3)
    with pytest.raises(EngineError, match="pick 1 to 3"):
        engine.choose(7)


def test_the_menu_follows_every_change_of_state_even_when_asked_for_twice(sample_story):
    engine = Engine(sample_story, seed=1)
    assert engine.choices() == engine.choices() and engine.choices()[2].enabled
    engine.choices().clear()  # what a front-end does with its list is its own business
    engine.set_variable("openness", 4)
    assert not engine.choices()[2].enabled
    engine.set_variable("openness", 1)
    assert engine.choices()[2].enabled
    engine.choose(1)
    assert [v.text for v in engine.choices()][0] != "Switch on the reading lamp first."
    engine.rollback()
    assert [v.text for v in engine.choices()][0] == "Switch on the reading lamp first."


def test_conditional_passages_follow_state(sample_story):
    engine = Engine(sample_story, seed=1)
    engine.choose(2)  # plug it in, lamp off
    assert not any("lamp" in t for t in texts(engine))
    engine.rollback()
    engine.choose(1)  # lamp on
    engine.choose(1)  # plug in
    assert any("lamp throws a warm circle" in t for t in texts(engine))


def test_effects_are_clamped_to_the_declared_range(sample_story):
    engine = Engine(sample_story, seed=1)
    engine.set_variable("openness", 99)
    assert engine.state.variables["openness"] == 5


def test_linear_nodes_continue_and_endings_end(sample_story):
    engine = Engine(sample_story, seed=1)
    engine.choose(2)
    engine.choose(1)  # distant mother
    assert engine.can_continue and engine.choices() == []
    assert any("moved on" in t for t in texts(engine))  # reads the effect of the earlier choice
    engine.proceed()
    assert engine.state.node == "setup_wait"
    with pytest.raises(EngineError, match="waiting for a choice|offers no choices|no way forward"):
        if not engine.can_continue:
            engine.proceed()


def play_to_hello(story, seed):
    engine = Engine(story, seed=seed)
    engine.choose(2)
    engine.choose(1)  # openness stays at 3: only chance opens the choice
    engine.proceed()
    if engine.can_continue:  # silent fallback taken: the chance failed
        engine.proceed()
        return engine, "fallback"
    engine.choose(1)
    return engine, "leaned"


def test_chance_is_deterministic_for_a_seed_and_varies_across_seeds(sample_story):
    story = sample_story
    outcomes = {seed: play_to_hello(story, seed)[1] for seed in range(40)}
    assert set(outcomes.values()) == {"fallback", "leaned"}
    for seed, outcome in list(outcomes.items())[:10]:
        assert play_to_hello(story, seed)[1] == outcome
    engine, _ = play_to_hello(story, 0)
    assert engine.is_over and engine.ending.id == "hello"


def test_visit_counts_and_seen_reach_the_text(sample_story):
    engine = Engine(sample_story, seed=1)
    engine.set_variable("openness", 3)
    engine.choose(2)
    engine.choose(2)  # openness 5
    engine.proceed()
    assert engine.state.visits["setup_wait"] == 1 and engine.state.seen("setup_wait")
    engine.choose(1)  # openness >= 3 makes the choice available regardless of chance
    assert "You leaned in" in " ".join(texts(engine))


def test_rollback_restores_everything_for_at_least_100_steps(sample_story):
    engine = Engine(sample_story, seed=5)
    start = json.dumps(engine.state.to_dict(), sort_keys=True)
    engine.choose(1)
    snapshots = [json.dumps(engine.state.to_dict(), sort_keys=True)]
    for _ in range(120):
        engine.warp("setup_box")
        snapshots.append(json.dumps(engine.state.to_dict(), sort_keys=True))
    for expected in reversed(snapshots[:-1][-100:]):
        assert engine.rollback()
        assert json.dumps(engine.state.to_dict(), sort_keys=True) == expected
    assert ROLLBACK_LIMIT >= 100
    engine2 = Engine(sample_story, seed=5)
    engine2.choose(1)
    engine2.rollback()
    assert json.dumps(engine2.state.to_dict(), sort_keys=True) == start
    assert not engine2.rollback()


def test_state_round_trips_through_json(sample_story):
    engine = Engine(sample_story, seed=9)
    engine.choose(1)
    engine.choose(2)
    data = json.loads(json.dumps(engine.state.to_dict()))
    restored = Engine(sample_story, GameState.from_dict(data))
    assert restored.state.to_dict() == engine.state.to_dict()
    assert texts(restored) == texts(engine)
    assert [v.text for v in restored.choices()] == [v.text for v in engine.choices()]


def test_misuse_fails_loudly(sample_story):
    with pytest.raises(EngineError, match="no node 'setup_bx'.*did you mean 'setup_box'"):
        Engine(sample_story, start="setup_bx")
    engine = Engine(sample_story, start="setup_unopened", seed=1)
    assert engine.is_over
    with pytest.raises(EngineError, match="ended"):
        engine.choose(1)
    with pytest.raises(EngineError, match="ended"):
        engine.proceed()
    with pytest.raises(EngineError, match="not a value"):
        engine.set_variable("mother", "absent")
    with pytest.raises(ValueError, match="incomplete"):
        GameState.from_dict({"node": "x"})


def test_history_records_passages_and_choices(sample_story):
    engine = Engine(sample_story, seed=1)
    engine.choose(2)
    engine.choose(1)
    assert [h.choice for h in engine.history] == ["Plug it in.", "Say she never quite listened."]
    assert engine.history[0].lines[0].text.startswith("The box is smaller")
    assert engine.state.choice_log == [2, 1]


def test_starting_at_a_node_puts_the_player_in_the_scene_and_sound_of_the_way_there(sample_story):
    # setup_wait has no scene or loop of its own: the apartment at night and the city come from setup_box.
    engine = Engine(sample_story, seed=1, start="setup_wait")
    assert engine.scene.location == "apartment" and engine.scene.time == "night"
    assert engine.sounding_path[0] == "setup_box" and engine.sounding_path[-1] == "setup_wait"
    assert engine.state.path == ["setup_wait"]  # nothing on the way was read
    played = Engine(sample_story, seed=1)
    assert played.sounding_path == ["setup_box"]


def test_a_warp_lands_in_the_scene_of_its_target_not_the_one_left(sample_story):
    engine = Engine(sample_story, seed=1, start="setup_unopened")
    assert engine.scene.mood == "melancholy"
    engine.warp("setup_wait")
    assert engine.scene.mood == "lonely"
    assert engine.sounding_path[0] == "setup_box" and "setup_unopened" not in engine.sounding_path

"""Soak: random walks with saves, loads and rollbacks; every problem leaves a replay that reproduces it."""
from __future__ import annotations

import json
import os

import pytest

from game.cli import main
from game.explore import CompiledStory
from game.runtime import engine as engine_module
from game.runtime.engine import Engine, EngineError
from game.runtime.replay import play_replay
from game.story.validate import load_and_validate
from game.tools.soak import soak
from tests.paths import FIXTURES, SAMPLE

SOFTLOCK = os.path.join(FIXTURES, "explore", "softlock_variable")


def load(path):
    result = load_and_validate(path)
    assert result.ok
    return result.story


def test_sample_soaks_clean_and_mixes_saves_loads_and_rollbacks(capsys, tmp_path):
    story = load(SAMPLE)
    result = soak(story, walks=60, seed=3)
    assert result.problems == [] and result.walks == 60
    assert set(result.endings) == {"hello", "unopened"}
    code = main(["soak", "--story", SAMPLE, "--walks", "20", "--seed", "3", "--out", str(tmp_path / "r")])
    out = capsys.readouterr().out
    assert code == 0 and "No problems found." in out and not (tmp_path / "r").exists()


def test_actions_include_saves_loads_and_rollbacks():
    import random
    import tempfile

    from game.tools.soak import Run
    story = load(SAMPLE)
    kinds = set()
    with tempfile.TemporaryDirectory() as folder:
        for walk in range(40):
            run = Run(story, CompiledStory(story), walk, folder)
            rng = random.Random(walk)
            while not run.engine.is_over:
                run.act(run.random_action(rng))
            kinds |= {a[0] for a in run.actions}
    assert kinds == {"play", "rollback", "save", "load"}


def test_a_soft_lock_is_reported_with_a_replay_that_gets_stuck_there(tmp_path, capsys):
    out_dir = tmp_path / "replays"
    code = main(["soak", "--story", SOFTLOCK, "--walks", "20", "--seed", "1", "--out", str(out_dir)])
    out = capsys.readouterr().out
    assert code == 1 and "stuck: walk" in out and "at 'gate'" in out
    files = sorted(out_dir.iterdir())
    assert files
    data = json.loads(files[0].read_text())
    assert data["format"] == 1 and data["story"] == "softlock_variable" and data["soak"]["kind"] == "stuck"
    played = play_replay(load(SOFTLOCK), data["seed"], data["choices"])
    assert played.left == [] and played.engine.state.node == "gate" and played.engine.is_stuck
    # the command it prints to reproduce names the story it soaked
    line = next(line for line in out.splitlines() if "reproduce:" in line)
    command = line.split("python main.py ")[1].split("(or:")[0].split()
    assert command[:3] == ["soak", "--story", SOFTLOCK]
    assert main(command) == 1 and "Reproduced: stuck at 'gate'" in capsys.readouterr().out


def test_an_engine_crash_is_written_as_a_replay_that_reproduces_it(monkeypatch, tmp_path, capsys):
    story = load(SAMPLE)
    real_enter = Engine._enter

    def broken_enter(self, node_id, *args):  # a planted engine bug: entering this node after the lamp crashes
        if node_id == "setup_cut_off" and self.state.variables["lamp_on"]:
            raise KeyError("planted bug")
        real_enter(self, node_id, *args)

    monkeypatch.setattr(Engine, "_enter", broken_enter)
    out_dir = tmp_path / "replays"
    code = main(["soak", "--story", SAMPLE, "--walks", "40", "--seed", "2", "--out", str(out_dir)])
    out = capsys.readouterr().out
    assert code == 1 and "crash: walk" in out and "KeyError: 'planted bug'" in out
    file = sorted(out_dir.iterdir())[0]
    data = json.loads(file.read_text())
    # the plain replay (seed + choices) reaches the crash in the engine on its own
    with pytest.raises(KeyError, match="planted bug"):
        play_replay(story, data["seed"], data["choices"])
    # and the recorded walk reproduces it exactly
    assert main(["soak", "--story", SAMPLE, "--replay", str(file)]) == 1
    assert "Reproduced: crash" in capsys.readouterr().out
    monkeypatch.setattr(Engine, "_enter", real_enter)
    assert main(["soak", "--story", SAMPLE, "--replay", str(file)]) == 0
    assert "now passes" in capsys.readouterr().out


def test_a_rollback_that_does_not_restore_exactly_is_caught(monkeypatch):
    real_rollback = Engine.rollback

    def sloppy_rollback(self):
        done = real_rollback(self)
        self.state.variables["openness"] = 5  # forgets to restore one variable
        return done

    monkeypatch.setattr(Engine, "rollback", sloppy_rollback)
    result = soak(load(SAMPLE), walks=40, seed=5)
    assert {p.kind for p in result.problems} == {"invariant"}
    assert any("rollback did not restore" in p.message for p in result.problems)


def test_choices_that_disagree_with_the_explorers_rules_are_caught(monkeypatch):
    real_choices = Engine.choices

    def reordered(self):  # a planted numbering bug: the last two choices swap numbers
        views = real_choices(self)
        if len(views) >= 2:
            views[-2:] = [views[-1].__class__(views[-2].number, views[-1].text, views[-1].enabled, views[-1].reason,
                                              views[-1].choice),
                          views[-2].__class__(views[-1].number, views[-2].text, views[-2].enabled, views[-2].reason,
                                              views[-2].choice)]
        return views

    monkeypatch.setattr(Engine, "choices", reordered)
    result = soak(load(SAMPLE), walks=5, seed=1)
    assert result.problems and result.problems[0].kind == "disagreement"


def test_soak_replay_rejects_files_that_are_not_soak_replays(tmp_path, capsys):
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps({"format": 1, "story": "sample", "seed": 1, "choices": [3]}))
    assert main(["soak", "--story", SAMPLE, "--replay", str(plain)]) == 2
    assert "not a soak replay" in capsys.readouterr().err
    assert main(["soak", "--story", SAMPLE, "--replay", str(tmp_path / "missing.json")]) == 2
    assert "cannot read replay file" in capsys.readouterr().err


def test_rollback_limit_is_respected_in_long_walks():
    """Walks longer than the engine's undo history keep checking rollbacks against the right states."""
    story = load(os.path.join(FIXTURES, "explore", "trap_cycle"))
    result = soak(story, walks=3, seed=0, max_steps=engine_module.ROLLBACK_LIMIT + 150)
    assert result.problems == []
    assert result.unfinished >= 1  # some walk wandered into the corridor and never got out


def test_engine_errors_are_crashes_too(monkeypatch):
    def refuse(self, number):
        raise EngineError("planted refusal")

    monkeypatch.setattr(Engine, "choose", refuse)
    result = soak(load(SAMPLE), walks=2, seed=0)
    assert result.problems[0].kind == "crash" and "planted refusal" in result.problems[0].message

"""The shipped story: clean, big enough, every ending reachable by a golden playthrough in text mode."""
from __future__ import annotations

import glob
import os
import subprocess
import sys

import pytest

from game.runtime.engine import Engine
from game.runtime.replay import read_replay
from game.story.validate import count_words, load_and_validate, stats
from tests.paths import PLAYTHROUGHS, ROOT, STORY


@pytest.fixture(scope="module")
def story():
    result = load_and_validate(STORY)
    assert result.story is not None
    return result


def test_shipped_story_has_no_errors_and_no_warnings(story):
    assert [d.format() for d in story.diagnostics] == []


def test_size(story):
    figures = stats(story.story)
    assert figures["words"] >= 30_000, figures
    assert figures["nodes"] >= 180, figures
    assert figures["endings"] >= 8, figures


def golden_files() -> list[str]:
    return sorted(glob.glob(os.path.join(PLAYTHROUGHS, "*.json")))


def test_every_ending_has_a_golden_playthrough(story):
    names = {os.path.splitext(os.path.basename(p))[0] for p in golden_files()}
    assert names == set(story.story.endings)


def replay_engine(story, path: str) -> tuple[Engine, int]:
    """Play a replay through the engine; returns the engine and the words the player was shown."""
    replay = read_replay(path)
    engine = Engine(story, seed=replay.seed)
    shown = sum(count_words(line.text) for line in engine.lines)
    pending = list(replay.choices)
    while not engine.is_over:
        if engine.can_continue:
            engine.proceed()
        else:
            shown += sum(count_words(v.text) for v in engine.choices())
            engine.choose(pending.pop(0))
        shown += sum(count_words(line.text) for line in engine.lines)
    assert not pending
    return engine, shown


@pytest.mark.parametrize("path", golden_files(), ids=lambda p: os.path.basename(p))
def test_golden_playthrough_reaches_its_ending_in_text_mode(path, tmp_path):
    ending = os.path.splitext(os.path.basename(path))[0]
    result = subprocess.run([sys.executable, "main.py", "text", "--replay", path], capture_output=True, text=True,
                            cwd=ROOT, env=dict(os.environ, HER_DATA_DIR=str(tmp_path)), timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"[ending: {ending}]"


def test_one_playthrough_shows_well_under_the_whole_story(story):
    total = stats(story.story)["words"]
    for path in golden_files():
        engine, shown = replay_engine(story.story, path)
        assert shown <= 0.6 * total, f"{os.path.basename(path)} shows {shown} of {total} words"


READING_PACE = 300  # words a minute: a steady pace for light fiction read on screen


def test_a_full_playthrough_reads_in_30_to_45_minutes(story):
    full_length = ("rooftop", "old_friends", "published", "alone_at_dawn", "first_goodbye", "factory_reset")
    for ending in full_length:
        _, shown = replay_engine(story.story, os.path.join(PLAYTHROUGHS, f"{ending}.json"))
        minutes = shown / READING_PACE
        assert 30 <= minutes <= 45, f"{ending}: {shown} words, {minutes:.0f} minutes at {READING_PACE} words a minute"


def test_every_choice_changes_the_path_or_the_state(story):
    """Two choices of a node that go to the same place must change different things, or one is a lie."""
    empty = []
    for node in story.story.nodes.values():
        outcomes = [(c.target, tuple("".join(e.statement.source.split()) for e in c.effects)) for c in node.choices]
        empty += [f"{node.id}: '{c.text}'" for c, outcome in zip(node.choices, outcomes) if outcomes.count(outcome) > 1]
    assert not empty, empty

"""The explorer always stops: on a story whose numbers grow every loop (two doubling counters once ate
23 GB in four minutes) the time and memory budgets end it with an honest partial report."""
from __future__ import annotations

import time

import pytest

from game.cli import main
from game.explore import Budget, explore
from game.story.validate import load_and_validate
from tests.core.deadline import deadline

RUNAWAY_MANIFEST = """\
format: 1
id: runaway
title: Runaway
start: loop
chapters: [c.yaml]
variables:
  n: {type: int, default: 2, description: Grows.}
  m: {type: int, default: 1, description: Grows too.}
  door: {type: bool, default: false, description: Never opens; only a finished search can tell.}
endings:
  out: {title: Out}
"""
RUNAWAY_CHAPTER = """\
chapter: {id: c, title: C}
nodes:
  - id: loop
    text: [Again.]
    choices:
      - text: Again.
        goto: loop
        effects: ['n = n * 3 + m', 'm = m + n']
      - text: Other.
        goto: loop
        effects: ['n = n + 1', 'm = m * 2 - n']
      - text: Out.
        goto: done
        if: door and n == m + 7
  - id: done
    text: [Done.]
    ending: out
"""


@pytest.fixture
def runaway(tmp_path):
    (tmp_path / "story.yaml").write_text(RUNAWAY_MANIFEST)
    (tmp_path / "c.yaml").write_text(RUNAWAY_CHAPTER)
    result = load_and_validate(str(tmp_path))
    assert result.ok, [d.format() for d in result.errors]
    return result.story


@pytest.mark.slow
def test_the_time_budget_stops_a_runaway_search_and_says_what_is_unknown(runaway):
    started = time.monotonic()
    with deadline(60):
        found = explore(runaway, budget=Budget(seconds=2, megabytes=None))
    assert time.monotonic() - started < 30  # 2 s asked; a wide margin for a busy machine
    assert not found.complete and "time limit" in found.stopped
    assert found.endings["out"].reachable is None  # unknown, not "unreachable"
    assert found.problems  # an unfinished exploration never passes as a clean bill


def test_the_memory_budget_stops_it_too(runaway):
    with deadline(60):
        found = explore(runaway, budget=Budget(seconds=None, megabytes=40))
    assert not found.complete and "memory limit" in found.stopped


def test_max_states_stops_it(runaway):
    with deadline(60):
        found = explore(runaway, max_states=500, budget=Budget(seconds=None, megabytes=None))
    assert not found.complete and "more than 500 states" in found.stopped


@pytest.mark.slow
def test_the_command_reports_an_incomplete_exploration(runaway, capsys):
    with deadline(60):
        code = main(["explore", "--story", runaway.root, "--max-seconds", "2"])
    out = capsys.readouterr().out
    assert code == 1 and "INCOMPLETE: stopped because it reached the time limit" in out
    assert "not reached within the limit" in out and "UNREACHABLE" not in out


def test_a_story_that_squares_a_number_every_loop_completes(tmp_path):
    (tmp_path / "story.yaml").write_text(RUNAWAY_MANIFEST)
    (tmp_path / "c.yaml").write_text(RUNAWAY_CHAPTER.replace("['n = n * 3 + m', 'm = m + n']", "['n = n * n']")
                                     .replace("['n = n + 1', 'm = m * 2 - n']", "['m = 1']"))
    story = load_and_validate(str(tmp_path)).story
    with deadline(60):
        found = explore(story, budget=Budget(seconds=30, megabytes=None))
    assert found.complete  # int variables without min/max stay within +-1,000,000,000
    assert found.endings["out"].reachable is False


@pytest.mark.slow
def test_variants_of_a_node_stop_within_the_budget_too(runaway):
    from game.explore.variants import variants
    with deadline(60):
        found = variants(runaway, "loop", budget=Budget(seconds=2, megabytes=None))
    assert not found.complete and "time limit" in found.note

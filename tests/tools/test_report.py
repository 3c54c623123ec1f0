"""report: the ending distribution, pinned numbers, words shown and the prose counts, on stories whose right
numbers are known by hand (tests/fixtures/report/halves explains its own)."""
from __future__ import annotations

import json
import os

import pytest

from game.cli import main
from game.story.validate import load_and_validate
from game.tools.report import SIMILES, report
from tests.paths import FIXTURES, STORY

HALVES = os.path.join(FIXTURES, "report", "halves")
SOFTLOCK = os.path.join(FIXTURES, "explore", "softlock_variable")


def load(path):
    result = load_and_validate(path)
    assert result.ok
    return result.story


def test_an_ending_on_one_of_two_first_choices_is_reached_half_the_time_and_counts_as_early():
    result = report(load(HALVES), 2000, seed=4)
    shares = result.ending_shares()
    assert abs(shares["gone"] - 50) < 4 and abs(shares["dawn"] - 50) < 4
    assert shares["never"] == 0 and result.tally.unfinished == 0
    assert result.early == ("gone",) and result.early_share == shares["gone"]


def test_pins_count_a_clamp_or_a_new_limit_before_ch12_only():
    result = report(load(HALVES), 2000, seed=4)
    pins = result.pin_shares()
    # Leave now clamps trust (1/2), Stay then Hold on brings it to its max (1/4); calm is clamped in ch12 only
    assert abs(pins["trust"] - 75) < 4
    assert pins["calm"] == 0
    assert result.pin_any_share == pins["trust"]


def test_words_shown_per_playthrough_are_the_lines_of_each_route():
    words = report(load(HALVES), 400, seed=1).words_shown()
    assert (words["min"], words["max"]) == (7, 28)  # 4 + 3 words, or 4 + 16 + 7 + 1
    assert 7 < words["mean"] < 28


def test_the_same_seed_gives_the_same_numbers_in_one_process_or_a_pool():
    story = load(HALVES)
    alone, pooled = report(story, 1000, seed=9, workers=1), report(story, 1000, seed=9, workers=2)
    assert pooled.workers == 2
    assert alone.tally.endings == pooled.tally.endings and alone.tally.pinned == pooled.tally.pinned
    assert sorted(alone.tally.words) == sorted(pooled.tally.words)
    assert report(story, 1000, seed=10, workers=1).tally.endings != alone.tally.endings


def test_similes_and_formulas_are_counted_in_every_woven_branch_with_where_they_are():
    prose = report(load(HALVES), 10, seed=0).prose
    assert prose.words == 45
    assert prose.similes == {"like a/an": 2, "as if": 2}  # one of each in plain text, one of each in a woven branch
    assert prose.similes_per_400 == pytest.approx(4 * 400 / 45)
    uses = prose.formulas["the way you/he"]
    assert [(os.path.basename(w.file), w.line) for w in uses] == [("ch12.yaml", 5)]
    assert all(not uses for name, uses in prose.formulas.items() if name != "the way you/he")


def test_a_walk_that_gets_stuck_is_counted_apart_from_the_endings():
    result = report(load(SOFTLOCK), 400, seed=2)
    assert 0 < result.tally.unfinished < 400
    assert result.tally.unfinished + result.tally.endings["through"] == 400


def test_the_command_lists_every_ending_states_its_rules_and_fails_the_check(capsys):
    assert main(["report", "--story", HALVES, "--playthroughs", "300", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "  never " in out and "0.0 %" in out and "unfinished" in out
    assert "endings in chapters before ch06" in out and "clamped at the variable's min or max" in out
    assert "FAIL  at least 12 endings: 3" in out and "ch12.yaml:5" in out
    assert main(["report", "--story", HALVES, "--playthroughs", "300", "--check"]) == 1
    capsys.readouterr()
    assert main(["report", "--story", HALVES, "--playthroughs", "300", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["endings"]) == {"gone", "dawn", "never"} and data["playthroughs"] == 300
    assert data["prose"]["formulas"]["the way you/he"]["count"] == 1
    assert [g["pass"] for g in data["goals"]].count(False) == 7


def test_a_bad_number_of_playthroughs_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--playthroughs", "0"])
    assert exit_info.value.code == 2 and "at least 1" in capsys.readouterr().err


@pytest.mark.slow
def test_the_shipped_story_report_lists_every_ending(capsys):
    assert main(["report", "--playthroughs", "500"]) == 0
    out = capsys.readouterr().out
    endings = load(STORY).endings
    for name in endings:
        assert f"  {name} " in out
    assert "Goals (issue 13):" in out


def test_like_as_a_verb_is_not_a_simile():
    pattern = SIMILES["like a/an"]
    verbs = "He would like a coffee. She'd like an answer. I’d like a word. Nobody wants to like a stranger."
    similes = "It feels like a dream. Like a ghost, he waits. The lamp looks like an owl."
    assert not pattern.findall(verbs)
    assert len(pattern.findall(similes)) == 3

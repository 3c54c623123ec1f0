"""What the player can read: explore --text finds text no reachable state shows, at its character,
and explore --variants lists each way a node reads with a replay the engine follows to it."""
from __future__ import annotations

import json
import os

from game.cli import main
from game.explore import explore
from game.explore.variants import variants
from game.runtime.replay import play_replay
from game.story.validate import load_and_validate
from tests.paths import FIXTURES, SAMPLE

DEAD = os.path.join(FIXTURES, "explore", "dead_text")
WOVEN = os.path.join(FIXTURES, "ok", "woven")


def load(path: str):
    result = load_and_validate(path)
    assert result.ok, [d.format() for d in result.errors]
    return result.story


def test_dead_passages_branches_and_options_are_found_where_they_are_written():
    found = explore(load(DEAD), text=True)
    where = {(d.kind, d.where.split(":", 1)[1], d.text) for d in found.dead_text}
    assert where == {
        ("option", "6:29", "The hall is darker."),  # the node is entered once: a sequence's later options
        ("option", "6:49", "The hall is darkest."),
        ("branch", "7:14", "courage >= 3 => runs"),  # courage is 1 when the text is read, never 3
        ("branch", "7:61", "crawls"),  # the else of a chain whose second branch always holds
        ("passage", "8:9", "The lamp is on."),
        ("branch", "10:11", "lamp => Light spills."),
    }


def test_live_text_is_not_reported_and_the_report_is_opt_in(capsys):
    assert explore(load(WOVEN), text=True).dead_text == []
    assert explore(load(SAMPLE), text=True).dead_text == []
    assert main(["explore", "--story", DEAD, "--json"]) == 0
    assert "dead_text" not in json.loads(capsys.readouterr().out)  # not looked for: not claimed absent
    assert main(["explore", "--story", DEAD, "--json", "--text"]) == 0
    assert len(json.loads(capsys.readouterr().out)["dead_text"]) == 6
    assert main(["explore", "--story", DEAD, "--text"]) == 0
    assert "chapter.yaml:8:9: warning: passage of 'hall' is never shown: The lamp is on." in capsys.readouterr().out


def test_every_variant_of_a_node_comes_with_a_replay_that_reads_it():
    story = load(WOVEN)
    found = variants(story, "desk_after")
    assert found.complete and len(found.variants) == 7  # nerve 2-5 on arrival, signed or not
    readings = set()
    for variant in found.variants:
        played = play_replay(story, variant.witness.seed, variant.witness.choices)
        assert played.engine.state.node == "desk_after" and not played.left
        texts = [line.text for line in played.engine.lines if line.speaker != "theodore" or "name" in line.text]
        readings.add(tuple(texts[-3:]))
    assert len(readings) == 7


def test_the_variants_command(capsys):
    assert main(["explore", "--story", WOVEN, "--variants", "sent"]) == 0
    out = capsys.readouterr().out
    assert "'sent' reads 2 ways." in out and "The letter goes. It goes as his." in out
    assert main(["explore", "--story", WOVEN, "--variants", "sent", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [v["lines"] for v in data["variants"]] == [["The letter goes."], ["The letter goes. It goes as his."]]
    assert all(v["replay"]["story"] == "woven" for v in data["variants"])
    assert main(["explore", "--story", WOVEN, "--variants", "sen"]) == 2
    assert "did you mean 'sent'" in capsys.readouterr().err


SCENES = os.path.join(FIXTURES, "ok", "scenes")


def test_judging_text_a_few_nodes_at_a_time_finds_what_judging_all_at_once_finds(monkeypatch):
    """explore --text judges nodes in batches (all at once does not fit in memory on the shipped story):
    a batch per node and one batch for the whole story must report the same text."""
    from game.explore import search
    for path in (DEAD, WOVEN, SCENES, SAMPLE):
        story = load(path)
        monkeypatch.setattr(search, "TEXT_BATCH_WEIGHT", 0.0)
        one_by_one = explore(story, text=True)
        monkeypatch.setattr(search, "TEXT_BATCH_WEIGHT", 1e9)
        together = explore(story, text=True)
        assert one_by_one.dead_text == together.dead_text and one_by_one.text_unjudged == together.text_unjudged == []
    assert len(one_by_one.dead_text) == 0 and len(explore(load(DEAD), text=True).dead_text) == 6


def test_text_that_could_not_be_judged_in_time_is_reported_as_unjudged_never_as_dead(monkeypatch):
    from game.explore import search
    monkeypatch.setattr(search, "TEXT_ATTEMPT", 0.0)  # every search of text runs out of time at once
    found = explore(load(DEAD), text=True)
    assert found.complete and found.text_judged
    assert found.dead_text == [] and found.text_unjudged == ["hall"]

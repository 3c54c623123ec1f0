"""The explorer at sizes far beyond the shipped story: no recursion limit, and a state abstraction
whose size follows what is live at a node, not how long the story is."""
from __future__ import annotations

import pytest

from game.explore import CompiledStory, explore, tracked_summary
from game.runtime.replay import play_replay
from game.story.validate import load_and_validate

MANIFEST = "format: 1\nid: long\ntitle: Long\nstart: a0\nchapters: [c.yaml]\nendings:\n  done: {title: Done}\n"


def _forks(folder, forks: int) -> None:
    """A road of forks: at each, a detour (remembered just after) or straight on, and a once-only
    choice; every fork adds a visit count and a once flag to the state's slots."""
    lines = ["chapter: {id: c, title: C}", "nodes:"]
    for k in range(forks):
        after = f"a{k + 1}" if k + 1 < forks else "end"
        lines += [f"  - id: a{k}", f"    text: [Fork {k}.]", "    choices:",
                  f"      - {{text: Take the detour., goto: x{k}}}",
                  f"      - {{text: Straight on., goto: b{k}}}",
                  f"      - {{text: Stop for a coffee., goto: b{k}, once: true}}",
                  f"  - id: x{k}", f"    text: [Detour {k}.]", f"    next: b{k}",
                  f"  - id: b{k}", f"    text: [After fork {k}.]", "    choices:",
                  f"      - {{text: Talk about the detour., goto: {after}, if: 'seen(x{k})', "
                  "unavailable: show, reason: There was none.}",
                  f"      - {{text: Drive on., goto: {after}}}"]
    lines += ["  - id: end", "    text: [Home.]", "    ending: done"]
    (folder / "story.yaml").write_text(MANIFEST)
    (folder / "c.yaml").write_text("\n".join(lines) + "\n")


def _remembered(folder, detours: int) -> None:
    """Every detour is taken, and every one is remembered only at the very end: all their visit
    counts are live at once through the middle of the story."""
    lines = ["chapter: {id: c, title: C}", "nodes:"]
    for k in range(detours):
        lines += [f"  - id: a{k}", f"    text: [Road {k}.]", f"    next: x{k}",
                  f"  - id: x{k}", f"    text: [Detour {k}.]", f"    next: {f'a{k + 1}' if k + 1 < detours else 'm0'}"]
    for k in range(detours):
        after = f"m{k + 1}" if k + 1 < detours else "end"
        lines += [f"  - id: m{k}", f"    text: [Memory {k}.]", "    choices:",
                  f"      - {{text: Remember detour {k}., goto: {after}, if: 'seen(x{k})'}}",
                  f"      - {{text: Forget it., goto: {after}, fallback: true}}"]
    lines += ["  - id: end", "    text: [Home.]", "    ending: done"]
    (folder / "story.yaml").write_text(MANIFEST)
    (folder / "c.yaml").write_text("\n".join(lines) + "\n")


def _load(folder):
    result = load_and_validate(str(folder))
    assert result.ok, [d.format() for d in result.diagnostics][:3]
    return result.story


@pytest.mark.slow
def test_a_story_with_more_than_a_thousand_slots_is_explored_completely(tmp_path):
    _forks(tmp_path, 600)
    story = _load(tmp_path)
    assert len(CompiledStory(story).slots) > 1000
    found = explore(story)
    assert found.complete and found.endings["done"].reachable
    assert found.dead_choices == [] and found.unreached_nodes == [] and not found.problems
    witness = found.endings["done"].witness
    played = play_replay(story, witness.seed, witness.choices)
    assert played.left == [] and played.engine.state.ending == "done" and played.path == witness.path


def test_the_state_tracked_at_a_node_does_not_grow_with_the_story(tmp_path):
    short, long = tmp_path / "short", tmp_path / "long"
    short.mkdir()
    long.mkdir()
    _forks(short, 20)
    _forks(long, 400)
    small, big = tracked_summary(_load(short)), tracked_summary(_load(long))
    assert big["slots"] > 15 * small["slots"]
    assert big["max_tracked"] == small["max_tracked"] <= 2  # a detour is remembered until the next fork


@pytest.mark.slow
def test_hundreds_of_facts_live_at_once_hit_no_recursion_limit(tmp_path):
    _remembered(tmp_path, 700)
    story = _load(tmp_path)
    found = explore(story)
    assert found.complete and found.endings["done"].reachable
    witness = found.endings["done"].witness
    assert witness.choices == [1] * 700  # every detour was taken, so every memory is offered
    played = play_replay(story, witness.seed, witness.choices)
    assert played.left == [] and played.engine.state.ending == "done"
    assert {(d.text, d.reason) for d in found.dead_choices} == {("Forget it.", "never offered")}

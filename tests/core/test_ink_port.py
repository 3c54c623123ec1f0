"""The ink port (tests/fixtures/ok/ink_port): an ink scene and its format 2 port. The constructs ink
authors use most (inline conditionals, sequences, interpolation, echo brackets, effects between
lines, emphasis, a tunnel called from two choices) need no duplicated paragraph, and the port reads as the ink does."""
from __future__ import annotations

import os
import re

from game.runtime.engine import Engine
from game.story.validate import load_and_validate
from tests.paths import FIXTURES

PORT = os.path.join(FIXTURES, "ok", "ink_port")


def sentences(path: str) -> list[str]:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", re.sub(r"\s+", " ", text)) if len(s.split()) >= 5]


def test_no_sentence_is_written_twice_in_the_port():
    words = sentences(os.path.join(PORT, "chapters", "port.yaml"))
    assert words and len(words) == len(set(words))


def test_the_port_reads_as_the_ink_scene_on_both_paths():
    result = load_and_validate(PORT)
    assert result.ok and not result.warnings, [d.format() for d in result.diagnostics]
    quiet = Engine(result.story, seed=1)
    assert [line.text for line in quiet.lines] == [
        "The elevator is out again. Amy is on the stairs with a laundry basket.",
        "He has written one letter today."]
    assert [v.text for v in quiet.choices()] == ["Tell her about the voice", "Say nothing."]
    quiet.choose(2)
    assert [line.text for line in quiet.lines] == [
        "Say nothing, and carry the basket up for her.", "On the fifth floor they stop to breathe."]
    quiet.proceed()  # the tunnel returns to where the choice said
    assert [line.text for line in quiet.lines] == ["Eleven floors, she says. She asks about his day."]
    assert quiet.lines[0].runs[0] == ("Eleven floors", "i")

    told = Engine(result.story, seed=1)
    told.choose(1)
    assert [(line.speaker, line.text) for line in told.lines] == [
        ("theodore", "There's someone I talk to. In my ear."),
        ("narration", "The elevator is still out. Amy is on the stairs, again, waiting for him."),
        ("narration", "He has written 2 letters today.")]
    assert [v.text for v in told.choices()] == ["Say nothing.", "Ask what she thinks."]  # once-only is gone
    told.choose(2)
    assert told.lines[-1].text == "On the fifth floor they stop to breathe, and she looks at him sideways."
    told.proceed()
    assert told.lines[-1].text == "Eleven floors, she says. She doesn't ask about the voice."

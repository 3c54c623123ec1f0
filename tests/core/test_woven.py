"""Story format 2: woven text in the engine, text mode, saves, replays and the explorer.

The fixture tests/fixtures/ok/woven uses every construct; format 1 stories are covered by the
golden playthroughs and the sample story, which must keep playing unchanged."""
from __future__ import annotations

import io
import os
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.explore import explore
from game.runtime.engine import Engine
from game.runtime.persist import PlayerData
from game.runtime.replay import play_replay
from game.runtime.saves import SaveStore
from game.runtime.state import GameState
from game.story import weave
from game.story.validate import load_and_validate
from game.text import TextGame
from game.text.terminal import _styled
from tests.paths import FIXTURES

WOVEN = os.path.join(FIXTURES, "ok", "woven")


@pytest.fixture(scope="module")
def story():
    result = load_and_validate(WOVEN)
    assert result.ok and not result.warnings, [d.format() for d in result.diagnostics]
    return result.story


def texts(engine: Engine) -> list[str]:
    return [line.text for line in engine.lines]


def test_variations_follow_the_visits_of_their_node(story):
    engine = Engine(story, seed=1)
    first = texts(engine)
    assert first[0].startswith("The cursor blinks at him. Dear whoever reads this, he has written")
    assert first[2] == "The radiator knocks. He notices he is hungry."  # cycle 1, once-only shown once
    engine.choose(1)  # write to Catherine
    engine.choose(1)  # once more from the top
    second = texts(engine)
    assert second[0].startswith("The cursor is still blinking. Dear Cat, he has written")  # sequence, words
    assert second[2] == "A car alarm gives up two floors down."  # cycle 2, once-only used up
    engine.choose(1)
    engine.choose(1)
    third = texts(engine)
    assert third[0].startswith("He has stopped pretending the cursor is the problem.")
    assert third[2] == "The radiator knocks."  # the cycle goes round
    engine.choose(1)
    engine.choose(1)
    assert texts(engine)[0].startswith("He has stopped pretending")  # a sequence stops at its last
    assert texts(engine)[2] == "A car alarm gives up two floors down."


def test_conditional_chains_read_the_state_and_emphasis_becomes_runs(story):
    engine = Engine(story, seed=1)
    assert texts(engine)[1] == "Start with something small. Start with the weather."  # nerve 1: the else
    engine.set_variable("nerve", 3)
    samantha = engine.lines[1]
    assert samantha.text == "You sound braver than you did an hour ago."
    assert ("braver", "i") in samantha.runs and samantha.runs[0] == ("You sound ", "")


def test_effects_between_passages_are_seen_by_the_passages_after_them(story):
    engine = Engine(story, seed=1)
    engine.choose(1)  # nerve 1 -> 2, then between the passages 2 -> 3
    lines = texts(engine)
    assert "It sounds like 2 out of five" in lines[1] and lines[2].endswith("it sounds like 3.")
    assert engine.state.variables["nerve"] == 3
    again = Engine(story, GameState.from_dict(engine.state.to_dict()))  # a load re-renders the same
    assert texts(again) == lines


def test_a_choice_echoes_its_words_and_the_menu_shows_its_own(story):
    engine = Engine(story, seed=1)
    menu = [v.text for v in engine.choices()]
    assert menu[0] == "Write to Catherine." and menu[1] == "Write to Amy"
    assert menu[2] == "Sign it with his own name"
    engine.choose(1)
    assert engine.lines[0].text == "Write to Catherine about the divorce papers, and mean it."
    engine.choose(1)
    engine.choose(2)  # the 'echo:' field, spoken by a speaker
    assert (engine.lines[0].speaker, engine.lines[0].text) == ("theodore", "Amy. I'll write to Amy.")
    assert [v.text for v in engine.choices()][1] == "Send it to Amy."
    engine.choose(1)
    assert [v.text for v in engine.choices()][1] == "Write to Amy again"  # menu text woven too
    assert engine.lines[0].speaker != "theodore"  # the echo lasts one node


def test_rollback_and_saves_keep_the_echo_and_the_text(story, tmp_path):
    engine = Engine(story, seed=4)
    engine.choose(2)
    shown = texts(engine)
    saves = SaveStore(str(tmp_path), story)
    saves.save("1", engine, 0.0)
    loaded = Engine(story, saves.load("1").state)
    assert texts(loaded) == shown and loaded.lines[0].speaker == "theodore"
    engine.choose(1)
    assert engine.rollback() and texts(engine) == shown


def test_literal_braces_and_asterisks(story):
    engine = Engine(story, seed=1)
    engine.choose(4)
    assert texts(engine) == ["The drawer closes on it with the sound drawers make. Literal braces stay {like this}, "
                             "and a star stays *."]


def test_shuffles_replay_identically_from_the_seed():
    woven = weave.parse("{~north|south|east|west}")

    class Ctx:
        def var(self, name):
            raise AssertionError(name)

        def visits(self, node):
            return 1

        def chance(self, percent):
            raise AssertionError(percent)

    def round_of(key: str) -> list[str]:
        return [weave.plain_text(weave.render(woven, weave.Reading(Ctx(), v, key, {}))) for v in range(1, 5)]

    assert round_of("7:desk:0") == round_of("7:desk:0")
    assert sorted(round_of("7:desk:0")) == ["east", "north", "south", "west"]  # each once per round
    assert len({tuple(round_of(f"{seed}:desk:0")) for seed in range(20)}) > 1  # and the seed matters


def test_replays_and_the_explorer_cover_woven_stories(story):
    found = explore(story)
    assert found.complete and {k for k, e in found.endings.items() if e.reachable} == {"sent", "kept"}
    for ending in found.endings.values():
        played = play_replay(story, ending.witness.seed, ending.witness.choices)
        assert played.engine.state.ending == ending.id and played.path == ending.witness.path


def test_text_mode_styles_emphasis_only_for_a_terminal(story, tmp_path, monkeypatch):
    runs = (("Theodore: ", ""), ("He says it ", ""), ("out loud", "i"), (" to ", ""), ("nobody", "b"), (".", ""))
    wrapped = "".join(t for t, _ in runs).replace("it out", "it\nout")
    assert _styled(wrapped, runs) == "Theodore: He says it\n\x1b[3mout loud\x1b[0m to \x1b[1mnobody\x1b[0m."

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    def shown(out: io.StringIO) -> str:
        engine = Engine(story, seed=1)
        engine.set_variable("nerve", 3)
        game = TextGame(story, engine, out, SaveStore(str(tmp_path), story), PlayerData.load(str(tmp_path), story.id))
        game.show_node()
        return out.getvalue()

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert "\x1b[3mbraver\x1b[0m" in shown(Terminal())
    assert "\x1b" not in shown(io.StringIO()) and "braver than" in shown(io.StringIO())  # a pipe or a file
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b" not in shown(Terminal())


@pytest.mark.parametrize("text, line, col, message", [
    ("      - He {told => x | y} went.\n", 8, 13, "variable 'told' is not declared"),
    ("      - >-\n        Long and folded,\n        then {nerve + true} here.\n", 10, 21, "'+' needs numbers"),
    ("      - It shows {signed}.\n", 8, 19, "would show true/false"),
    ("      - >-\n        A paragraph.\n\n        A second, then {nerve + true} here.\n", 11, 31, "'+' needs numbers"),
    ("      - |-\n        A poem\n\n        and {nerve + true}.\n", 11, 20, "'+' needs numbers"),
])
def test_type_errors_inside_woven_text_point_at_the_character(tmp_path, text, line, col, message):
    folder = tmp_path / "story"
    shutil.copytree(WOVEN, folder)
    chapter = folder / "chapters" / "letter.yaml"
    source = chapter.read_text()
    chapter.write_text(source.replace("    text:\n      - >-\n        {The cursor", "    text:\n" + text +
                                      "      - >-\n        {The cursor", 1))
    result = load_and_validate(str(folder))
    hits = [d for d in result.errors if message in d.message]
    assert hits, [d.format() for d in result.diagnostics]
    assert (hits[0].line, hits[0].col) == (line, col), hits[0].format()


def test_format_1_reads_braces_and_asterisks_as_plain_text(tmp_path):
    folder = tmp_path / "story"
    shutil.copytree(WOVEN, folder)
    manifest = folder / "story.yaml"
    manifest.write_text(manifest.read_text().replace("format: 2", "format: 1").replace(
        "    words: {nobody: whoever reads this, catherine: Cat, amy: Amy}\n", ""))
    chapter = folder / "chapters" / "letter.yaml"
    chapter.write_text(chapter.read_text().replace("      - effects: [nerve += 1]\n", ""))
    result = load_and_validate(str(folder))
    assert result.ok, [d.format() for d in result.errors]
    engine = Engine(result.story, seed=1)
    assert engine.lines[0].text.startswith("{The cursor blinks at him. | The cursor")


def test_a_state_from_before_a_reload_renders_with_the_storys_current_variables(story):
    engine = Engine(story, seed=1)
    engine.choose(1)  # desk_after: its text began with values of its own (effects between passages)
    data = engine.state.to_dict()
    data["text_vars"]["gone"] = 3  # a variable the re-read story no longer has
    del data["text_vars"]["nerve"]
    again = Engine(story, GameState.from_dict(data))
    assert len(again.lines) == len(engine.lines)


def test_a_passage_whose_woven_text_says_nothing_shows_no_line(tmp_path):
    folder = tmp_path / "story"
    shutil.copytree(WOVEN, folder)
    chapter = folder / "chapters" / "letter.yaml"
    source = chapter.read_text()
    first = "\n".join(source.split("\n")).index("    text:\n") + len("    text:\n")
    chapter.write_text(source[:first] + "      - \"{signed => He signed it.}\"\n" + source[first:])
    result = load_and_validate(str(folder))
    assert result.ok, [d.format() for d in result.errors]
    engine = Engine(result.story, seed=1)
    plain = Engine(load_and_validate(WOVEN).story, seed=1)
    assert [line.text for line in engine.lines] == [line.text for line in plain.lines]  # no empty line first
    assert all(line.text.strip() for line in engine.lines)


# pieces of woven text, so random strings hit real constructs, their mistakes, and the flat ones most prose has
_PIECES = ["{", "}", "|", "=>", " ", "a", "b c", "told", "not told", "trust > 2", "trust", "&", "~", "!", "=", ".",
           "{&a|b}", "{told => x | y}", "{trust}", "{trust > 2 => , slower | }", "{{", "}}", "*", "\\", "\\*", "\n"]


def _reading(parse, text: str):
    try:
        return parse(text)
    except weave.WeaveError as err:
        return (err.code, err.message, err.offset, err.hint)


@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=24).map("".join))
@settings(max_examples=3000, deadline=None)
def test_flat_reading_matches_the_full_parser(text):
    """Most woven text is read by string methods; whatever it returns, the full parser returns too, and
    what it declines (and every mistake) the full parser reads, so an author meets one parser."""
    flat = weave._parse_flat(text) if "\\" not in text and "*" not in text else None
    full = _reading(weave._parse_full, text)
    if flat is not None:
        assert flat == full
    assert _reading(weave.parse, text) == full


def test_expressions_are_listed_in_reading_order():
    woven = weave.parse("{a => {b} | {c => x | y}} and {d}")
    assert [(e.source, e.condition) for e in woven.expressions] == [("a", True), ("b", False), ("c", True), ("d", False)]


@pytest.mark.parametrize("choice, col", [
    ("Write to Catherine[.] about {nobody_here}, and mean it.", 44),  # in the echo, after the brackets
    ("Write to Catherine[ about {nobody_here}] now.", 42),  # in the menu, inside the brackets
    ('"[Write about {nobody_here}] to Catherine."', 30),  # quoted: a bare '[' would start a YAML list
])
def test_type_errors_in_bracketed_choices_point_at_the_character(tmp_path, choice, col):
    """The menu and the echo are cut from the choice's text: both are checked, and a mistake in either is
    placed in the text as written (a mistake left unchecked in the echo stopped the game when taken)."""
    folder = tmp_path / "story"
    shutil.copytree(WOVEN, folder)
    chapter = folder / "chapters" / "letter.yaml"
    source = chapter.read_text()
    written = "      - text: Write to Catherine[.] about the divorce papers, and mean it.\n"
    assert written in source
    chapter.write_text(source.replace(written, f"      - text: {choice}\n"))
    result = load_and_validate(str(folder))
    hits = [d for d in result.errors if "nobody_here" in d.message]
    assert [(d.line, d.col) for d in hits] == [(17, col)], [d.format() for d in result.diagnostics]

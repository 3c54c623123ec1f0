"""Every diagnostic code has a broken fixture that produces it at the right line."""
from __future__ import annotations

import json
import os
import re
import shutil

import pytest

from game.cli import main
from game.story.diagnostics import CODES, did_you_mean
from game.story.validate import load_and_validate
from tests.paths import FIXTURES, ROOT, SAMPLE

BAD = os.path.join(FIXTURES, "bad")
CASES = sorted(os.listdir(BAD))


def run_fixture(name: str):
    folder = os.path.join(BAD, name)
    paths = [folder]
    if os.path.isdir(os.path.join(folder, "addon")):
        paths.append(os.path.join(folder, "addon"))
    return load_and_validate(paths)


def expected(name: str) -> list[tuple[str, int, str]]:
    rows = []
    with open(os.path.join(BAD, name, "expected.txt")) as handle:
        for line in handle:
            file, number, code = re.match(r"(.+):(\d+): (\w+)", line.strip()).groups()
            rows.append((file, int(number), code))
    return rows


@pytest.mark.parametrize("name", CASES)
def test_broken_fixture_reports_its_code_at_its_line(name):
    result = run_fixture(name)
    for file, line, code in expected(name):
        want_file = os.path.join(BAD, name, file)
        hits = [d for d in result.diagnostics if d.code == code
                and os.path.abspath(d.file) == os.path.abspath(want_file)]
        assert hits, f"{name}: no {code} in {file}; got {[d.format() for d in result.diagnostics]}"
        assert any(d.line == line for d in hits), f"{name}: {code} at lines {[d.line for d in hits]}, expected {line}"


def test_every_code_has_a_fixture_and_documentation():
    covered = {name.split("_")[0] for name in CASES}
    assert covered == set(CODES), f"codes without fixture: {set(CODES) - covered}"
    with open(os.path.join(ROOT, "docs", "diagnostics.md"), encoding="utf-8") as handle:
        documented = re.findall(r"^## ([EW]\d{3})\b", handle.read(), re.M)
    assert sorted(documented) == sorted(CODES), "each code is documented exactly once"


def test_messages_name_the_fix():
    result = run_fixture("E012_unknown_target")
    [diag] = [d for d in result.diagnostics if d.code == "E012"]
    assert "did you mean 'a_end'" in diag.message
    result = run_fixture("E014_undeclared_variable")
    [diag] = [d for d in result.diagnostics if d.code == "E014"]
    assert "did you mean 'trust'" in diag.message


def test_validate_command_prints_compiler_lines_and_exit_codes(capsys):
    assert main(["validate", "--story", os.path.join(BAD, "E012_unknown_target")]) == 1
    out = capsys.readouterr().out
    assert re.search(r"chapter\.yaml:16:15: error\[E012\]: choice goes to unknown node 'a_ned'", out)
    assert out.strip().splitlines()[-1].startswith("1 error, 0 warnings")
    assert main(["validate", "--story", os.path.join(BAD, "W001_unreachable")]) == 0
    assert main(["validate", "--story", "/nonexistent/story"]) == 2


def test_validate_json(capsys):
    assert main(["validate", "--json", "--story", SAMPLE]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True and data["diagnostics"] == []
    assert data["stats"]["nodes"] == 6 and data["stats"]["endings"] == 2 and data["stats"]["words"] > 100
    assert set(data["stats"]) == {"files", "nodes", "choices", "endings", "variables", "words"}
    main(["validate", "--json", "--story", os.path.join(BAD, "E018_unknown_speaker")])
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False
    [diag] = data["diagnostics"]
    assert set(diag) == {"file", "line", "col", "severity", "code", "message", "hint"}
    assert (diag["code"], diag["line"], diag["severity"]) == ("E018", 9, "error")


def test_an_unreadable_chapter_does_not_bury_its_error_under_false_warnings():
    result = run_fixture("E001_yaml_syntax")
    assert [d.code for d in result.warnings] == []  # no 'never read', 'unreachable', 'no node reaches it'
    [start] = [d for d in result.errors if d.code == "E012"]
    assert "chapter.yaml could not be read" in start.hint


@pytest.mark.parametrize("line, code, col, words", [
    ("      - He says the thing he came to say: nothing at all.\n", "E018", 9, "the ': ' in this narration"),
    ('      - "Commander." He nods.\n', "E001", 9, "starts with a quoted phrase"),
    ("      - theodore: 'Fine.' he says.\n", "E001", 19, "starts with a quoted phrase"),
])
def test_the_commonest_prose_mistakes_get_a_message_about_yaml(tmp_path, line, code, col, words):
    """Narration with ': ' becomes a mapping; a line starting with a quote ends at the closing quote."""
    folder = tmp_path / "story"
    shutil.copytree(SAMPLE, folder)
    chapter = folder / "chapters" / "setup.yaml"
    text = chapter.read_text()
    anchor = text.index("    text:\n") + len("    text:\n")
    chapter.write_text(text[:anchor] + line + text[anchor:])
    result = load_and_validate(str(folder))
    number = text[:anchor].count("\n") + 1
    hits = [d for d in result.errors if d.code == code and words in d.message]
    assert hits and (hits[0].line, hits[0].col) == (number, col), [d.format() for d in result.diagnostics]


def test_did_you_mean_suggests_only_names_that_are_close():
    assert did_you_mean("opennes", ["openness", "mother"]) == " (did you mean 'openness'?)"
    assert did_you_mean("tune", ["tune_a", "chime"]) == " (did you mean 'tune_a'?)"
    assert did_you_mean("ch09_letter", ["ch04_mail", "ch09_lettre"]) == " (did you mean 'ch09_lettre'?)"
    assert did_you_mean("amy_told", ["any_told_x", "mother"]) == ""  # shares letters, not a typo of it
    assert did_you_mean("xyz", ["openness"]) == ""


@pytest.mark.parametrize("choices, warned", [
    (["{text: Tea., goto: a_end, if: teacup}", "{text: None., goto: a_end, if: not teacup}"], False),
    (["{text: Low., goto: a_end, if: trust <= 2}", "{text: High., goto: a_end, if: trust > 2}"], False),
    (["{text: Seen., goto: a_end, if: seen(a_end)}", "{text: Not yet., goto: a_end, if: not seen(a_end)}"], False),
    (["{text: Tea., goto: a_end, if: teacup}", "{text: Trust., goto: a_end, if: trust > 4}"], True),
    (["{text: Low., goto: a_end, if: count < 2}", "{text: High., goto: a_end, if: count > 2}"], True),
    (["{text: Tea., goto: a_end, if: teacup, fallback: true}",
      "{text: Trust., goto: a_end, if: trust > 4, fallback: true}"], True),  # only conditional fallbacks
    (["{text: Tea., goto: a_end, if: teacup}", "{text: Else., goto: a_end, fallback: true}"], False),
])
def test_guarded_choices_warn_only_when_the_conditions_can_all_fail(tmp_path, choices, warned):
    (tmp_path / "story.yaml").write_text(
        "format: 1\nid: g\ntitle: G\nstart: a_start\nchapters: [c.yaml]\nvariables:\n"
        "  teacup: {type: bool, default: false}\n  trust: {type: int, default: 0, min: 0, max: 5}\n"
        "  count: {type: int, default: 0}\nendings:\n  e: {title: E}\n")
    (tmp_path / "c.yaml").write_text(
        "chapter: {id: c, title: C}\nnodes:\n  - id: a_start\n    text: [x]\n    effects: [count += 1]\n"
        "    choices:\n" + "".join(f"      - {c}\n" for c in choices) +
        "  - id: a_end\n    text: [y]\n    ending: e\n")
    result = load_and_validate(str(tmp_path))
    assert result.ok, [d.format() for d in result.errors]
    assert any(d.code == "W002" for d in result.warnings) == warned, [d.format() for d in result.diagnostics]


def test_a_story_declares_its_own_scene_vocabulary(tmp_path):
    """A story that is not Her names its own places: no W004 for them, a suggestion for a typo of one."""
    (tmp_path / "story.yaml").write_text(
        "format: 2\nid: sea\ntitle: Sea\nstart: a\nchapters: [c.yaml]\n"
        "scenes:\n  location: [lighthouse, harbour]\n  mood: [eerie]\nendings:\n  e: {title: E}\n")
    (tmp_path / "c.yaml").write_text(
        "chapter: {id: c, title: C}\nnodes:\n"
        "  - id: a\n    scene: {location: lighthouse, mood: eerie, time: night}\n    text: [x]\n    next: b\n"
        "  - id: b\n    scene: {location: lighthous}\n    text: [y]\n    ending: e\n")
    result = load_and_validate(str(tmp_path))
    assert result.ok
    [warning] = [d for d in result.warnings if d.code == "W004"]
    assert warning.line == 8 and "did you mean 'lighthouse'" in warning.message


def test_an_add_on_declares_its_own_variables_and_may_not_take_the_storys(tmp_path):
    addon = tmp_path / "addon"
    addon.mkdir()
    (addon / "extra.yaml").write_text(
        "variables:\n  extra_shells: {type: int, default: 0, min: 0, max: 9}\n"
        "  openness: {type: int, default: 0}\n"
        "chapter: {id: extra, title: Extra}\nnodes:\n"
        "  - id: extra_start\n    text: [Shells.]\n    choices:\n"
        "      - {text: Pick one up., goto: extra_start, effects: [extra_shells += 1], if: extra_shells < 3}\n"
        "      - {text: Go back., goto: setup_box, fallback: true}\n"
        "extend:\n  - node: setup_box\n    choices:\n      - {text: To the beach., goto: extra_start}\n")
    result = load_and_validate([SAMPLE, str(addon)])
    [clash] = [d for d in result.errors]
    assert clash.code == "E025" and clash.line == 3 and "'openness'" in clash.message
    assert "extra_shells" in result.story.variables  # its own variable is declared and type-checks


@pytest.mark.parametrize("title_music, code, words", [
    ("nope", "E019", "title_music 'nope' is not in the cue catalogue"),
    ("city_ambience", "E022", "is an ambience cue"),
])
def test_title_music_names_a_music_cue_of_the_catalogue(tmp_path, title_music, code, words):
    folder = tmp_path / "story"
    shutil.copytree(SAMPLE, folder)
    manifest = folder / "story.yaml"
    manifest.write_text(manifest.read_text().replace("cues: cues.yaml\n", f"cues: cues.yaml\ntitle_music: {title_music}\n"))
    result = load_and_validate(str(folder))
    hits = [d for d in result.errors if d.code == code and words in d.message]
    assert hits and hits[0].file.endswith("story.yaml") and hits[0].line == 8, [d.format() for d in result.diagnostics]

"""Authors' tools: the JSON Schema, the new-branch scaffold, add-ons, and the messages for common mistakes."""
from __future__ import annotations

import glob
import os
import shutil

import jsonschema
import pytest
import yaml

from game.cli import main
from game.runtime.engine import Engine
from game.story.validate import load_and_validate
from game.tools.schema import build_schema, schema_text
from tests.paths import ROOT, SAMPLE

SCHEMA_FILE = os.path.join(ROOT, "docs", "story.schema.json")


def test_shipped_schema_is_current():
    with open(SCHEMA_FILE, encoding="utf-8") as handle:
        assert handle.read() == schema_text(), "run: python main.py schema --out docs/story.schema.json"


def test_schema_accepts_every_shipped_and_sample_file():
    validator = jsonschema.Draft202012Validator(build_schema())
    files = glob.glob(os.path.join(ROOT, "story", "**", "*.yaml"), recursive=True)
    files += glob.glob(os.path.join(SAMPLE, "**", "*.yaml"), recursive=True)
    files += glob.glob(os.path.join(ROOT, "tests", "fixtures", "ok", "woven", "**", "*.yaml"), recursive=True)
    assert len(files) >= 6
    for path in files:
        with open(path, encoding="utf-8") as handle:
            errors = [e.message for e in validator.iter_errors(yaml.safe_load(handle))]
        assert errors == [], path


@pytest.mark.parametrize("fixture", ["E009_unknown_field", "E008_wrong_type", "E010_missing_field"])
def test_schema_rejects_what_the_validator_rejects(fixture):
    validator = jsonschema.Draft202012Validator(build_schema())
    with open(os.path.join(ROOT, "tests", "fixtures", "bad", fixture, "chapter.yaml"), encoding="utf-8") as handle:
        assert list(validator.iter_errors(yaml.safe_load(handle)))


def test_new_branch_scaffold_validates_and_plays(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["new-branch", "beach_walk", "--from", "setup_voice", "--story", SAMPLE]) == 0
    assert "python main.py text" in capsys.readouterr().out
    branch = tmp_path / "branches" / "beach_walk"
    result = load_and_validate([SAMPLE, str(branch)])
    assert result.ok and result.warnings == [], [d.format() for d in result.diagnostics]
    engine = Engine(result.story, seed=1, start="setup_voice")
    assert engine.choices()[-1].text == "(new) Beach walk"
    engine.choose(len(engine.choices()))
    assert engine.state.node == "beach_walk_start"
    assert main(["new-branch", "beach_walk", "--from", "setup_voice", "--story", SAMPLE]) == 2
    assert main(["new-branch", "Bad-Name", "--story", SAMPLE]) == 2
    assert main(["new-branch", "x", "--from", "setup_hello", "--story", SAMPLE]) == 2  # an ending: no choices


def test_addon_conflicts_are_diagnosed(tmp_path):
    addon = tmp_path / "addon"
    addon.mkdir()
    (addon / "clash.yaml").write_text("chapter: {id: extra, title: Extra}\nnodes:\n  - id: setup_box\n"
                                      "    text: [Again.]\n    ending: hello\n")
    result = load_and_validate([SAMPLE, str(addon)])
    [clash] = [d for d in result.diagnostics if d.code == "E013"]
    assert clash.file.endswith("clash.yaml") and clash.line == 3 and "setup.yaml:5" in clash.message


def test_addon_files_may_extend_each_others_nodes_in_any_order(tmp_path):
    addon = tmp_path / "addon"
    addon.mkdir()
    # a.yaml is read first but extends a node that b.yaml defines
    (addon / "a.yaml").write_text("extend:\n  - node: extra_start\n    choices:\n"
                                  "      - text: Back to the box.\n        goto: setup_box\n")
    (addon / "b.yaml").write_text("chapter: {id: extra, title: Extra}\nnodes:\n  - id: extra_start\n"
                                  "    text: [Here.]\n    choices:\n      - text: On.\n        goto: setup_voice\n"
                                  "extend:\n  - node: setup_box\n    choices:\n      - text: Go.\n"
                                  "        goto: extra_start\n")
    result = load_and_validate([SAMPLE, str(addon)])
    assert result.ok, [d.format() for d in result.diagnostics]
    assert [c.target for c in result.story.nodes["extra_start"].choices] == ["setup_voice", "setup_box"]


def test_addon_choice_id_clash_and_stray_manifest_are_diagnosed(tmp_path):
    addon = tmp_path / "addon"
    addon.mkdir()
    (addon / "clash.yaml").write_text("extend:\n  - node: setup_box\n    choices:\n      - text: Again.\n"
                                      "        goto: setup_voice\n        id: setup_box#1\n")
    shutil.copy(os.path.join(SAMPLE, "story.yaml"), addon / "story.yaml")
    result = load_and_validate([SAMPLE, str(addon)])
    found = sorted((os.path.basename(d.file), d.line, d.code) for d in result.errors)
    assert found == [("clash.yaml", 4, "E025"), ("story.yaml", 2, "E025")], [d.format() for d in result.diagnostics]


# ------------------------------------------------------------ the most common author mistakes

def broken_sample(tmp_path, old: str, new: str):
    story = tmp_path / "story"
    shutil.copytree(SAMPLE, story)
    path = story / "chapters" / "setup.yaml"
    text = path.read_text()
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text)
    line = text[: text.index(new)].count("\n") + 1
    return load_and_validate(str(story)), line


@pytest.mark.parametrize("old, new, code, advice, line_offset", [
    ("        goto: setup_cut_off\n", "        goto: setup_cutoff\n", "E012", "did you mean 'setup_cut_off'", 0),
    ("        effects: [openness += 1]\n", "        effects: [opennes += 1]\n", "E014", "did you mean 'openness'", 0),
    ("        goto: setup_voice\n", "          goto: setup_voice\n", "E001", "indentation", 0),
    ("    title: The setup voice\n", "\ttitle: The setup voice\n", "E005", "spaces", 0),
    ("        goto: setup_voice\n", "        goto setup_voice\n", "E001", "colon", 0),
    ("  - id: setup_voice\n", "  - id setup_voice\n", "E001", "colon", 0),  # YAML complains a line later
    ("      - text: Plug it in.\n", "      - text: \"Plug it in.\n", "E001", "quote", 0),
])
def test_common_mistakes_name_the_line_and_the_fix(tmp_path, old, new, code, advice, line_offset):
    result, line = broken_sample(tmp_path, old, new)
    hits = [d for d in result.diagnostics if d.code == code]
    assert hits, [d.format() for d in result.diagnostics]
    assert hits[0].line == line + line_offset, hits[0].format()
    assert advice in (hits[0].message + " " + hits[0].hint), hits[0].format()


def test_text_mode_reload_keeps_the_place(tmp_path):
    import subprocess
    import sys
    story = tmp_path / "story"
    shutil.copytree(SAMPLE, story)
    chapter = story / "chapters" / "setup.yaml"
    script = (
        "import sys, io\n"
        "from game.cli import main\n"
        f"chapter = {str(chapter)!r}\n"
        "lines = iter(['2', 'RELOAD', '1'])\n"
        "def fake_input(prompt=''):\n"
        "    line = next(lines)\n"
        "    if line == 'RELOAD':\n"
        "        text = open(chapter).read().replace('Before we begin', 'First of all')\n"
        "        open(chapter, 'w').write(text)\n"
        "        return 'reload'\n"
        "    return line\n"
        "import builtins; builtins.input = fake_input\n"
        "sys.stdin.isatty = lambda: True\n"
        f"raise SystemExit(main(['text', '--story', {str(story)!r}, '--seed', '1']))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, HER_DATA_DIR=str(tmp_path / "data")))
    assert "Story reloaded." in result.stdout, result.stdout + result.stderr
    after = result.stdout.split("Story reloaded.")[1]
    assert "OS1: First of all, a few questions." in after

"""The loader: positions, hostile input, and fuzzing (always diagnostics, never exceptions)."""
from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.story.loader import Source, load_story
from game.story.validate import load_and_validate
from tests.paths import SAMPLE


def test_sample_story_loads_with_positions(sample_story):
    node = sample_story.nodes["setup_box"]
    assert node.where.file.endswith("setup.yaml") and node.where.line == 5
    third = node.choices[2]
    assert third.show_unavailable and third.reason and third.condition.source == "openness <= 2"
    assert third.target_where.line == node.choices[2].where.line + 1
    assert sample_story.nodes["setup_voice"].passages[1].condition is not None
    assert sample_story.variables["openness"].max == 5
    assert sample_story.cues["os_boot"].channel == "sfx"


def copy_sample(tmp_path):
    target = tmp_path / "story"
    shutil.copytree(SAMPLE, target)
    return target


def test_pyyaml_duplicate_keys_are_caught_not_silently_merged(tmp_path):
    story = copy_sample(tmp_path)
    path = story / "chapters" / "setup.yaml"
    text = path.read_text().replace("        goto: setup_voice\n", "        goto: setup_voice\n        goto: setup_box\n", 1)
    path.write_text(text)
    result = load_and_validate(str(story))
    [dup] = [d for d in result.diagnostics if d.code == "E002"]
    assert "goto" in dup.message and dup.line == text.splitlines().index("        goto: setup_voice") + 2


def test_a_story_folder_without_manifest_is_one_clear_error(tmp_path):
    story, diagnostics = load_story(str(tmp_path))
    assert story is None and [d.code for d in diagnostics] == ["E023"]
    assert "story.yaml" in diagnostics[0].message


def test_newer_format_is_refused_with_advice(tmp_path):
    story = copy_sample(tmp_path)
    manifest = story / "story.yaml"
    manifest.write_text(manifest.read_text().replace("format: 1", "format: 9"))
    loaded, diagnostics = load_story(str(story))
    assert loaded is None and diagnostics[0].code == "E022" and "newer version" in diagnostics[0].hint


def test_unknown_yaml_tags_are_rejected(tmp_path):
    src = Source(str(tmp_path / "x.yaml"), [])
    assert src.parse(b"a: !!python/object/apply:os.system ['echo hi']\n") is not None or src.diagnostics
    assert [d.code for d in src.diagnostics] == ["E001"]


def parse_bytes(data: bytes):
    src = Source("fuzz.yaml", [])
    src.parse(data)
    return src.diagnostics


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_arbitrary_bytes_give_diagnostics_not_exceptions(data):
    for diag in parse_bytes(data):
        assert diag.code.startswith("E") and diag.line >= 0


yaml_ish = st.lists(st.sampled_from(list("ab:- \n\t[]{}&*!|>'\"#,?1") + ["id", "nodes", "text", "goto", "\n  "]),
                    max_size=80).map("".join)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_ish)
def test_arbitrary_yaml_like_text_as_a_chapter_never_crashes(tmp_path_factory, text):
    story = tmp_path_factory.mktemp("fuzz")
    shutil.copy(os.path.join(SAMPLE, "story.yaml"), story / "story.yaml")
    shutil.copy(os.path.join(SAMPLE, "cues.yaml"), story / "cues.yaml")
    (story / "chapters").mkdir()
    (story / "chapters" / "fuzz.yaml").write_text(text, encoding="utf-8")
    result = load_and_validate(str(story))
    assert not result.ok
    assert all(d.file and d.code for d in result.diagnostics)


with open(os.path.join(SAMPLE, "story.yaml"), encoding="utf-8") as _handle:
    MANIFEST_LINES = _handle.read().splitlines()
manifest_ish = st.lists(st.sampled_from(MANIFEST_LINES + [
    "chapters: 5", "chapters: [chapters]", "format: 1.5", "format: '1'", "cues: chapters", "cues: [a]",
    "variables: [a]", "speakers: {x: 1}", "  x: {type: float}", "endings:", "start:", "- a"]), max_size=14).map("\n".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifest_ish)
def test_a_scrambled_manifest_never_crashes(tmp_path_factory, text):
    story = tmp_path_factory.mktemp("manifest")
    shutil.copytree(os.path.join(SAMPLE, "chapters"), story / "chapters")
    shutil.copy(os.path.join(SAMPLE, "cues.yaml"), story / "cues.yaml")
    (story / "story.yaml").write_text(text, encoding="utf-8")
    result = load_and_validate(str(story))
    assert all(d.file and d.code for d in result.diagnostics)


def test_a_manifest_without_chapters_says_so(tmp_path):
    (tmp_path / "story.yaml").write_text("format: 1\nid: s\ntitle: T\nstart: a\n", encoding="utf-8")
    result = load_and_validate(str(tmp_path))
    assert any(d.code == "E010" and "'chapters'" in d.message for d in result.errors), result.diagnostics

"""Story and add-on folders a hostile tester builds: links, FIFOs, devices. Each once hung or ate memory."""
from __future__ import annotations

import os
import shutil

import pytest

from game.story.loader import MAX_FILE_BYTES
from game.story.validate import load_and_validate
from tests.core.deadline import deadline
from tests.paths import SAMPLE

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs and links")


def addon_folder(tmp_path):
    addon = tmp_path / "addon"
    addon.mkdir()
    (addon / "extra.yaml").write_text(
        "chapter: {id: extra, title: Extra}\nnodes:\n  - id: extra_one\n    text: [More.]\n    ending: hello\n",
        encoding="utf-8")
    return addon


def codes_for(result, name):
    return [d for d in result.diagnostics if name in d.file]


def test_link_cycles_in_an_add_on_folder_are_walked_once(tmp_path):
    addon = addon_folder(tmp_path)
    os.symlink(addon, addon / "loop_a")
    os.symlink(addon, addon / "loop_b")
    with deadline(10):
        result = load_and_validate([SAMPLE, str(addon)])
    assert "extra_one" in result.story.nodes
    assert not any(d.code == "E013" for d in result.diagnostics), "each file is read once"


def test_a_fifo_named_like_a_chapter_is_refused_without_waiting(tmp_path):
    addon = addon_folder(tmp_path)
    os.mkfifo(addon / "x.yaml")
    with deadline(10):
        result = load_and_validate([SAMPLE, str(addon)])
    [problem] = codes_for(result, "x.yaml")
    assert problem.code == "E023" and "not a regular file" in problem.message


def test_a_link_to_an_endless_device_is_refused_before_reading(tmp_path):
    addon = addon_folder(tmp_path)
    os.symlink("/dev/zero", addon / "zero.yaml")
    with deadline(10):
        result = load_and_validate([SAMPLE, str(addon)])
    [problem] = codes_for(result, "zero.yaml")
    assert problem.code == "E023" and "not a regular file" in problem.message


def test_a_story_folder_given_as_a_fifo_manifest_is_refused(tmp_path):
    story = tmp_path / "story"
    shutil.copytree(SAMPLE, story)
    os.remove(story / "story.yaml")
    os.mkfifo(story / "story.yaml")
    with deadline(10):
        result = load_and_validate(str(story))
    assert result.story is None and [d.code for d in result.diagnostics] == ["E023"]


def test_the_size_limit_holds_before_the_file_is_read(tmp_path):
    addon = addon_folder(tmp_path)
    with open(addon / "huge.yaml", "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    result = load_and_validate([SAMPLE, str(addon)])
    [problem] = codes_for(result, "huge.yaml")
    assert problem.code == "E011"


def test_a_dated_title_is_text_and_an_impossible_date_does_not_crash(tmp_path):
    story = tmp_path / "story"
    shutil.copytree(SAMPLE, story)
    manifest = story / "story.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("title: Her — the box on the table",
                                                                     "title: 2024-13-45"), encoding="utf-8")
    result = load_and_validate(str(story))
    assert result.ok and result.story.title == "2024-13-45"


@pytest.mark.parametrize("manifest_edit, catalogue", [
    (("cues: cues.yaml", "cues: /etc/passwd"), None),
    (("cues: cues.yaml", "cues: missing.yaml"), None),
    (None, "cues: [unclosed\n"),
])
def test_an_unusable_cue_catalogue_is_one_error_not_one_per_cue(tmp_path, manifest_edit, catalogue):
    story = tmp_path / "story"
    shutil.copytree(SAMPLE, story)
    if manifest_edit:
        manifest = story / "story.yaml"
        manifest.write_text(manifest.read_text(encoding="utf-8").replace(*manifest_edit), encoding="utf-8")
    if catalogue:
        (story / "cues.yaml").write_text(catalogue, encoding="utf-8")
    result = load_and_validate(str(story))
    assert len(result.errors) == 1 and result.errors[0].code in ("E001", "E022", "E023"), \
        [d.format() for d in result.errors]

"""Shared test set-up: headless SDL, a throwaway data dir, paths to the stories."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from tests.paths import SAMPLE

SLOW_FOLDERS = ("ui", "audio")  # the window and the synthesizer: the quick tier (-m "not slow") skips them


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.parent.name in SLOW_FOLDERS and item.path.parent.parent.name == "tests":
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path, monkeypatch):
    """No test ever touches the real user data or cache folder."""
    monkeypatch.setenv("HER_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HER_CACHE_DIR", str(tmp_path / "cache"))
    yield


@pytest.fixture
def sample_story():
    from game.story.validate import load_and_validate
    result = load_and_validate(SAMPLE)
    assert result.ok, [d.format() for d in result.diagnostics]
    return result.story

"""Self-voicing (V): with a speech engine installed the lines and the focused item are read aloud; without one
the player is told what to install."""
from __future__ import annotations

import os
import time

import pygame
import pytest

from tests.ui.driver import key, make_app, new_game, step


def heard(path, words: str, seconds: float = 3.0) -> bool:
    """Whether the fake engine was asked to say these words (it runs in its own process)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if os.path.exists(path) and words in open(path, encoding="utf-8").read():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def fake_espeak(tmp_path, monkeypatch):
    """An espeak-ng on the PATH that writes down what it is asked to say."""
    folder = tmp_path / "bin"
    folder.mkdir()
    said = tmp_path / "said.txt"
    engine = folder / "espeak-ng"
    engine.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{said}"\n', encoding="utf-8")
    engine.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    return said


def test_v_reads_the_lines_and_the_focused_menu_item_aloud(fake_espeak):
    app = make_app()
    play = new_game(app)
    key(app, pygame.K_v)
    assert app.settings.self_voicing and heard(fake_espeak, "Self-voicing on.")
    play.complete()
    key(app, pygame.K_SPACE)
    beat = play.current
    assert heard(fake_espeak, f"{beat.line.name}: {beat.lines[0]}" if beat.line.name else beat.lines[0])
    key(app, pygame.K_ESCAPE)
    key(app, pygame.K_DOWN)
    key(app, pygame.K_DOWN)
    assert heard(fake_espeak, "Save")
    key(app, pygame.K_ESCAPE)
    key(app, pygame.K_v)
    assert not app.settings.self_voicing


def test_without_a_speech_engine_v_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing there
    app = make_app()
    new_game(app)
    key(app, pygame.K_v)
    step(app)
    assert not app.settings.self_voicing
    assert app.toast is not None and "espeak-ng" in app.toast.text


def test_self_voicing_reads_the_choices_with_the_last_line_and_names_each_screen(fake_espeak):
    from tests.ui.driver import read_to_end_of_node
    app = make_app()
    new_game(app)
    key(app, pygame.K_v)
    read_to_end_of_node(app)
    assert heard(fake_espeak, "Choices: 1, Switch on the reading lamp first. 2, Plug it in.")
    key(app, pygame.K_s)
    assert heard(fake_espeak, "Save")
    key(app, pygame.K_ESCAPE)
    key(app, pygame.K_ESCAPE)
    assert heard(fake_espeak, "Paused. Game menu.")

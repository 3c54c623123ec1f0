"""Story format 2 in the window: emphasis in real italic and bold faces, woven text as the engine renders it."""
from __future__ import annotations

import os

import pygame

from tests.paths import FIXTURES
from tests.ui.driver import choose, key, make_app, new_game, play_scene, read_to_end_of_node, step

WOVEN = os.path.join(FIXTURES, "ok", "woven")


def test_emphasis_is_drawn_in_the_italic_face(monkeypatch):
    app = make_app(WOVEN)
    play = new_game(app)
    play.engine.set_variable("nerve", 3)
    play.enter_node(restore=True)
    drawn: list[tuple[str, str]] = []
    real = app.theme.prose_in

    def recording(style: str):
        font = real(style)
        original = app.theme.render

        def render(f, text, colour):
            if f is font:
                drawn.append((style, text))
            return original(f, text, colour)
        monkeypatch.setattr(app.theme, "render", render)
        return font
    monkeypatch.setattr(app.theme, "prose_in", recording)
    for _ in range(6):
        key(app, pygame.K_SPACE)
        step(app, 0.5)
        if ("i", "braver") in drawn:
            break
    assert ("i", "braver") in drawn  # 'You sound *braver* than...' from Samantha
    assert any(style == "" and "You sound" in text for style, text in drawn)
    italic = app.theme.prose_in("i")
    assert italic is not app.theme.prose and italic.size("braver") != app.theme.prose.size("braver")


def test_the_bold_face_is_a_real_font_file():
    pygame.font.init()
    from game.ui.theme import ASSETS, FONT_FILES
    for kind in ("prose_bold", "prose_bold_italic", "prose_italic"):
        assert os.path.isfile(os.path.join(ASSETS, FONT_FILES[kind]))


SCENES = os.path.join(FIXTURES, "ok", "scenes")


def test_a_called_scene_in_the_window_keeps_the_callers_banner_and_survives_a_quickload():
    app = make_app(SCENES)
    new_game(app)
    play = play_scene(app)
    assert play.banner == "The Desk"
    choose(app, 1)  # think of the beach: a scene written in the 'Memories' file
    choose(app, 1)  # ... which calls a smaller scene of its own
    engine = app.session.engine
    assert engine.state.node == "laugh" and engine.state.stack == ["desk_after", "beach_end"]
    assert play.banner == "The Desk"  # no banner for the scenes' file
    key(app, pygame.K_F6)  # quicksave inside the nested scene
    read_to_end_of_node(app)
    key(app, pygame.K_SPACE)
    step(app, 0.5)
    assert app.session.engine.state.node == "beach_end"
    key(app, pygame.K_F9)  # quickload: back inside both calls
    engine = app.session.engine
    assert engine.state.node == "laugh" and engine.state.stack == ["desk_after", "beach_end"]
    for _ in range(12):
        if engine.state.node == "desk_after":
            break
        read_to_end_of_node(app)
        key(app, pygame.K_SPACE)
        step(app, 0.5)
        engine = app.session.engine
    assert engine.state.node == "desk_after"

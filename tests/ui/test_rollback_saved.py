"""A load puts the player back where they were: on the line that was on screen, with what was said before in
the history and rollback able to go back past the load; rolled back to a choice, the one taken is marked and
the wheel takes it again."""
from __future__ import annotations

import pygame

from tests.ui.driver import choose, key, make_app, new_game, pause, play_scene, wheel


def test_a_load_resumes_at_the_saved_line_with_history_and_rollback():
    app = make_app()
    new_game(app)
    choose(app, 2)  # plug it in: the setup voice, a node of several lines
    play = play_scene(app)
    play.complete()
    key(app, pygame.K_SPACE)
    assert play.beat >= 1
    line_on_screen = play.current.line.text
    app.quicksave()
    app.to_title()
    pause(app, 1.0)
    app.quickload()
    play = play_scene(app)
    assert play.current.line.text == line_on_screen and not play.revealing  # the saved line, shown whole
    said = [line.text for line, _ in play.history_lines()]
    assert any("box" in text.lower() for text in said[:2])  # the first node's words are in the history
    for _ in range(play.beat + 1):
        key(app, pygame.K_BACKSPACE)
    assert app.session.engine.state.node == "setup_box"  # rolled back past the load, to the choice


def test_rolled_back_to_a_choice_the_one_taken_is_marked_and_the_wheel_retakes_it():
    app = make_app()
    new_game(app)
    choose(app, 2)
    play = play_scene(app)
    for _ in range(10):
        if app.session.engine.state.node == "setup_box":
            break
        key(app, pygame.K_BACKSPACE)
    assert play.choosing and app.session.engine.taken_before() == 2
    app.draw()

    def letters_at_the_right(button) -> int:  # where "chosen before" goes; the choices' words end further left
        rect = button.rect
        right = pygame.Rect(rect.right - rect.width // 4, rect.y + 4, rect.width // 4 - 4, rect.height - 8)
        return pygame.mask.from_threshold(app.screen.subsurface(right), (244, 168, 140), (40, 40, 40, 255)).count()

    assert letters_at_the_right(play.choice_buttons[1]) > 20
    assert letters_at_the_right(play.choice_buttons[0]) == 0
    wheel(app, -1)
    assert app.session.engine.state.node == "setup_voice"

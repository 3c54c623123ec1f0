"""What must never happen to a player: an ending skipped by keys mashed through the story, an old save
loaded by a key held over from the game."""
from __future__ import annotations

import pygame
import pytest

from game.ui.scenes.play import PlayScene
from game.ui.scenes.title import TitleScene
from tests.ui.driver import choose, key, make_app, new_game, pause, play_scene, read_to_end_of_node, step


@pytest.fixture(autouse=True)
def _close_window():
    yield
    pygame.display.quit()


def press(app, k: int, down_only: bool = False) -> None:
    """A quick key press: a tenth of a second, as fast as a reader mashing Space."""
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0))
    if not down_only:
        pygame.event.post(pygame.event.Event(pygame.KEYUP, key=k, mod=0, unicode="", scancode=0))
    step(app)
    app.clock.advance(0.1)


def reach_ending(app) -> PlayScene:
    new_game(app)
    for number in (2, 2, 1):  # plug it in, a loving mother, lean closer
        choose(app, number)
        if app.session.engine.state.node == "setup_cut_off":
            read_to_end_of_node(app)
            key(app, pygame.K_SPACE)
    play = play_scene(app)
    for _ in range(20):
        if play.engine.is_over and play.at_last_beat and not play.revealing:
            break
        key(app, pygame.K_SPACE)
    return play


def test_mashing_space_neither_skips_the_ending_card_nor_loads_a_save():
    app = make_app()
    play = reach_ending(app)
    assert app.library.saves.latest() is not None  # there is an autosave a stray key could load
    press(app, pygame.K_SPACE)  # the last line read: on to the card
    assert play.ending_card
    for _ in range(8):  # the reader is still mashing
        press(app, pygame.K_SPACE)
    assert isinstance(app.top, PlayScene) and play.ending_card
    focused = play.ending_buttons[play.ending_focus]
    assert focused.label == "Title screen"  # drawn as focused: the reader sees what Enter does
    pause(app, 1.0)
    press(app, pygame.K_SPACE, down_only=True)  # a deliberate press takes them to the title ...
    assert isinstance(app.top, TitleScene) and app.session is None
    for _ in range(4):  # ... with Space still down (it repeats), then pressed again at once
        press(app, pygame.K_SPACE, down_only=True)
    pygame.event.post(pygame.event.Event(pygame.KEYUP, key=pygame.K_SPACE, mod=0, unicode="", scancode=0))
    press(app, pygame.K_RETURN)
    assert isinstance(app.top, TitleScene) and app.session is None  # no save loaded behind their back
    pause(app, 1.0)
    key(app, pygame.K_RETURN)  # a moment later, Enter does what the focused button says
    assert app.session is not None


def test_a_key_held_down_since_the_game_does_nothing_on_the_title_until_let_go():
    app = make_app()
    new_game(app)
    choose(app, 2)
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode="", scancode=0))
    step(app)
    app.to_title()
    pause(app, 3.0)
    press(app, pygame.K_RETURN, down_only=True)  # the key's own repeat, long after
    assert app.session is None
    pygame.event.post(pygame.event.Event(pygame.KEYUP, key=pygame.K_RETURN, mod=0, unicode="", scancode=0))
    step(app)
    press(app, pygame.K_RETURN)
    assert app.session is not None and app.session.engine.state.node == "setup_voice"

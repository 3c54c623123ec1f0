"""Menus, questions and help are read one at a time, on a ground that hides what is behind them."""
from __future__ import annotations

import pygame
import pytest

from game.ui.scenes.menu import GameMenu
from game.ui.scenes.overlays import HelpOverlay
from tests.ui.driver import key, make_app, new_game, read_to_end_of_node, step
from tests.ui.test_frames import differing_pixels


def test_help_over_the_game_menu_hides_the_menu():
    app = make_app()
    new_game(app)
    key(app, pygame.K_ESCAPE)
    assert isinstance(app.top, GameMenu)
    key(app, pygame.K_F1)
    assert isinstance(app.top, HelpOverlay)
    app.draw()
    both = app.screen.copy()
    menu = app.stack.pop(-2)
    app.draw()
    assert differing_pixels(both, app.screen) == 0  # nothing of the menu shows under the help
    app.stack.insert(-1, menu)
    key(app, pygame.K_F1)  # and the menu is back when the help goes
    assert app.top is menu


def test_the_help_panel_hides_the_words_behind_it():
    app = make_app()
    play = new_game(app)
    key(app, pygame.K_F1)
    help_rect = app.theme.centred(min(app.theme.w - app.theme.px(40), app.theme.px(1120)),
                                  min(app.theme.h - app.theme.px(40), app.theme.px(620)))
    inside = help_rect.inflate(-40, -40)
    app.draw()
    first = app.screen.subsurface(inside).copy()
    app.pop()
    read_to_end_of_node(app)  # other words in the text box, the choices up
    step(app, 4.0)
    assert play.choosing
    key(app, pygame.K_F1)
    app.draw()
    assert differing_pixels(first, app.screen.subsurface(inside)) == 0


def test_a_menu_over_the_game_does_not_redraw_the_game_for_every_mouse_move():
    app = make_app()
    play = new_game(app)
    play.complete()
    step(app, 4.0)
    key(app, pygame.K_ESCAPE)
    drawn = []
    original = play.draw
    play.draw = lambda surface: (drawn.append(1), original(surface))
    for y in range(200, 400, 10):  # the pointer wanders over the menu's buttons: a frame each
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=(640, y), rel=(0, 10), buttons=(0, 0, 0)))
        step(app)
    assert len(drawn) <= 1  # the game under the menu holds still: drawn once, then copied
    key(app, pygame.K_ESCAPE)
    assert app.top is play


@pytest.mark.parametrize("size", [(1920, 1080), (800, 600)])
def test_a_toast_never_covers_the_game_menu(size):
    from game.ui.app import Options
    app = make_app(options=Options(size=size))
    new_game(app)
    key(app, pygame.K_ESCAPE)
    menu = app.top
    app.notify("Quicksaved (F9 loads it).")
    app.draw()
    with_toast = app.screen.copy()
    app.notices.clear()
    app.draw()
    panel = menu.rect.inflate(4, 4)
    assert differing_pixels(with_toast.subsurface(panel), app.screen.subsurface(panel)) == 0

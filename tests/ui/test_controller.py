"""A game controller plays the whole game: read on, choose, roll back, open the menu and the help, whose
controller tab lists every button."""
from __future__ import annotations

import pygame

from game.ui.controller import BUTTONS
from tests.ui.driver import INPUT_PACE, make_app, step


def press(app, button: int) -> None:
    for kind in (pygame.CONTROLLERBUTTONDOWN, pygame.CONTROLLERBUTTONUP):
        pygame.event.post(pygame.event.Event(kind, button=button, instance_id=0))
    step(app)
    app.clock.advance(INPUT_PACE)


def test_a_controller_starts_reads_chooses_and_rolls_back():
    app = make_app()
    press(app, pygame.CONTROLLER_BUTTON_A)  # New game, focused on the title
    play = app.find("play")
    assert play is not None and app.session.engine.state.node == "setup_box"
    for _ in range(20):
        if play.choosing:
            break
        press(app, pygame.CONTROLLER_BUTTON_A)
    assert play.choosing
    press(app, pygame.CONTROLLER_BUTTON_DPAD_DOWN)
    press(app, pygame.CONTROLLER_BUTTON_DPAD_DOWN)
    press(app, pygame.CONTROLLER_BUTTON_A)  # the second choice: plug it in
    assert app.session.engine.state.node == "setup_voice"
    press(app, pygame.CONTROLLER_BUTTON_LEFTSHOULDER)
    for _ in range(10):
        if app.session.engine.state.node == "setup_box":
            break
        press(app, pygame.CONTROLLER_BUTTON_LEFTSHOULDER)
    assert app.session.engine.state.node == "setup_box"  # rolled back over the choice
    press(app, pygame.CONTROLLER_BUTTON_START)
    assert app.top.name == "menu"
    press(app, pygame.CONTROLLER_BUTTON_B)
    assert app.top is play


def test_the_stick_moves_the_focus_once_per_push():
    app = make_app()
    title = app.top
    before = title.focus
    for value in (5000, 25000, 30000, 26000):  # one push, held
        pygame.event.post(pygame.event.Event(pygame.CONTROLLERAXISMOTION, axis=pygame.CONTROLLER_AXIS_LEFTY,
                                             value=value, instance_id=0))
    step(app)
    assert title.focus != before
    moved = title.focus
    pygame.event.post(pygame.event.Event(pygame.CONTROLLERAXISMOTION, axis=pygame.CONTROLLER_AXIS_LEFTY,
                                         value=0, instance_id=0))
    pygame.event.post(pygame.event.Event(pygame.CONTROLLERAXISMOTION, axis=pygame.CONTROLLER_AXIS_LEFTY,
                                         value=25000, instance_id=0))
    step(app)
    assert title.focus != moved  # let go and pushed again: one more step


def test_the_help_has_a_controller_tab_listing_every_button():
    app = make_app()
    press(app, pygame.CONTROLLER_BUTTON_BACK)
    help_screen = app.top
    assert help_screen.name == "help" and help_screen.tab == 0
    press(app, pygame.CONTROLLER_BUTTON_RIGHTSHOULDER)
    assert help_screen.tab == 1
    listed = [name for _, rows in help_screen.pages() for name, _ in rows]
    assert listed == [name for _, name, _, _ in BUTTONS]
    app.draw()
    press(app, pygame.CONTROLLER_BUTTON_B)
    assert app.top.name == "title"

"""The endings gallery: a found ending can be lived again; a locked one says what it is and how to find it."""
from __future__ import annotations

import pygame

from game.ui.scenes.endings import EndingsScene
from game.ui.scenes.overlays import Confirm
from game.ui.scenes.play import PlayScene
from game.ui.session import SCENE
from tests.ui.driver import button_labelled, click, key, make_app, pause
from tests.ui.test_player_safety import reach_ending


def test_a_found_ending_replays_its_epilogue_from_the_gallery():
    app = make_app()
    reach_ending(app)
    key(app, pygame.K_SPACE)
    app.to_title()
    pause(app, 1.0)
    click(app, button_labelled(app.top, "Endings").rect.center)
    gallery = app.top
    assert isinstance(gallery, EndingsScene)
    found = next(b for b in gallery.buttons if b.label == "Hello")
    locked = next(b for b in gallery.buttons if b.label == "The Unopened Box")
    assert found.enabled and not locked.enabled  # a locked ending cannot be replayed
    click(app, found.rect.center)
    assert isinstance(app.top, Confirm)
    key(app, pygame.K_y)
    assert isinstance(app.top, PlayScene) and app.session.mode == SCENE
    assert app.session.engine.node.ending == "hello"  # the epilogue, from its first line


def test_a_locked_ending_shows_the_storys_hint_where_it_has_one():
    app = make_app()
    ending = app.story.endings["unopened"]
    object.__setattr__(ending, "hint", "Some boxes are better left closed.")  # as a story's `hint:` gives it
    click(app, button_labelled(app.top, "Endings").rect.center)
    gallery = app.top
    rect = next(r for e, r in gallery.cards if e.id == "unopened")
    app.draw()
    shown = app.screen.subsurface(rect).copy()
    object.__setattr__(ending, "hint", "")
    app.draw()
    assert pygame.image.tobytes(shown, "RGB") != pygame.image.tobytes(app.screen.subsurface(rect), "RGB")  # drawn

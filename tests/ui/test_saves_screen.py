"""Saving like a Ren'Py player: pages of slots turned from the keyboard, quick save and load in the quick menu,
and messages that never cover a slot."""
from __future__ import annotations

import pygame
import pytest

from game.ui.scenes.saves import SavesScene
from tests.ui.driver import choose, click, key, make_app, new_game, step
from tests.ui.test_frames import differing_pixels


def test_save_pages_turn_from_the_keyboard_and_keep_their_slots():
    app = make_app()
    new_game(app)
    choose(app, 2)
    key(app, pygame.K_s)
    saves = app.top
    assert isinstance(saves, SavesScene)
    assert saves.buttons[0].label == "1"
    key(app, pygame.K_PAGEDOWN)
    key(app, pygame.K_PAGEDOWN)
    assert [b.label for b in saves.buttons][:2] == ["25", "26"]  # page 3
    key(app, pygame.K_RIGHT)
    key(app, pygame.K_RETURN)
    assert app.library.saves.info("25") is not None
    key(app, pygame.K_ESCAPE)
    key(app, pygame.K_l)
    loads = app.top
    assert isinstance(loads, SavesScene) and loads.mode == "load"
    key(app, pygame.K_PAGEUP)  # from page 1 back to the autosave and quicksave
    assert [b.label for b in loads.buttons] == ["auto", "quick"]
    key(app, pygame.K_PAGEUP)
    assert loads.buttons[0].label == str(97)  # the last page: round the pages
    key(app, pygame.K_ESCAPE)


@pytest.mark.parametrize("size", [(1280, 720), (800, 600)])
def test_a_toast_on_the_save_screen_covers_no_slot(size):
    from game.ui.app import Options
    app = make_app(options=Options(size=size))
    new_game(app)
    choose(app, 2)
    key(app, pygame.K_s)
    saves = app.top
    click(app, saves.buttons[-1].rect.center)  # the last slot, bottom right, nearest the toast
    assert app.toast is not None and "Saved" in app.toast.text
    app.draw()
    with_toast = app.screen.copy()
    app.notices.clear()
    app.draw()
    for button in saves.buttons:
        rect = button.rect.inflate(4, 4)
        assert differing_pixels(with_toast.subsurface(rect), app.screen.subsurface(rect)) == 0, button.label


def test_quick_save_and_quick_load_from_the_quick_menu():
    app = make_app()
    play = new_game(app)
    choose(app, 2)
    node = app.session.engine.state.node
    click(app, next(b for b in play.quick_buttons if b.label == "Q.Save").rect.center)
    assert app.library.saves.info("quick") is not None
    choose(app, 1)
    assert app.session.engine.state.node != node
    play = app.top
    click(app, next(b for b in play.quick_buttons if b.label == "Q.Load").rect.center)
    step(app)
    assert app.session.engine.state.node == node


def test_a_saves_thumbnail_is_the_moment_with_its_text_box():
    from game.ui.painter import decode_thumbnail
    app = make_app()
    play = new_game(app)
    choose(app, 2)
    play = app.find("play")
    play.complete()
    app.draw()
    seen = pygame.transform.smoothscale(app.screen, (320, 180))
    key(app, pygame.K_s)  # the save screen covers the game; the picture is still of the game
    click(app, app.top.buttons[0].rect.center)
    thumb = decode_thumbnail(app.library.saves.info("1").thumbnail)
    assert thumb.get_size() == (320, 180)
    box = pygame.Rect(play.box.x // 4 + 4, play.box.y // 4 + 4, play.box.width // 4 - 8, play.box.height // 4 - 8)
    shown, saved = (pygame.transform.average_color(s, box)[:3] for s in (seen, thumb))
    assert max(abs(a - b) for a, b in zip(shown, saved)) < 12  # the text box is in the picture (JPEG is close)
    whole_shown, whole_saved = (pygame.transform.average_color(s)[:3] for s in (seen, thumb))
    assert max(abs(a - b) for a, b in zip(whole_shown, whole_saved)) < 12  # and not the save screen over it

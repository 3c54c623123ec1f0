"""What is on the screen when nothing moves any more is what the game means to show: every animation's
last frame is drawn, without waiting for the player to touch a key or the mouse."""
from __future__ import annotations

import pygame

from tests.ui.driver import make_app, new_game, step


def differing_pixels(a: pygame.Surface, b: pygame.Surface) -> int:
    diff = a.copy()
    diff.blit(b, (0, 0), special_flags=pygame.BLEND_RGB_SUB)
    other = b.copy()
    other.blit(a, (0, 0), special_flags=pygame.BLEND_RGB_SUB)
    diff.blit(other, (0, 0), special_flags=pygame.BLEND_RGB_ADD)
    mask = pygame.mask.from_threshold(diff, (0, 0, 0), (8, 8, 8, 255))
    return diff.get_width() * diff.get_height() - mask.count()


def shown_matches_a_fresh_frame(app) -> int:
    """How many pixels of what the window last showed differ from the frame the game would draw now."""
    shown = app.screen.copy()
    app.draw()
    return differing_pixels(shown, app.screen)


def test_the_typewriter_end_shows_the_mark_and_the_choices_without_any_input():
    app = make_app()
    play = new_game(app)
    step(app, 0.1)
    assert play.revealing
    # let the lines type themselves out (and the chapter title fade), touching nothing
    for _ in range(40):
        if play.at_last_beat:
            break
        step(app, 6.0)
        if not play.at_last_beat:
            play.advance()
    step(app, 6.0)
    assert play.choosing and not app.animating()
    assert shown_matches_a_fresh_frame(app) == 0


def test_the_chapter_banner_fades_out_completely():
    app = make_app()
    play = new_game(app)
    assert play.banner
    play.complete()
    step(app, 5.0, dt=0.07)  # the banner takes 3.2 s; nothing else moves once it has gone
    assert not app.animating()
    assert shown_matches_a_fresh_frame(app) == 0

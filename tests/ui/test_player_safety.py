"""What must never happen to a player: an ending skipped by keys mashed through the story, an old save
loaded by a key held over from the game."""
from __future__ import annotations

import pygame

from game.ui.scenes.overlays import ContentNote
from game.ui.scenes.play import PlayScene
from game.ui.scenes.title import TitleScene
from tests.paths import TOUR
from tests.ui.driver import (
    choose,
    key,
    make_app,
    new_game,
    pause,
    play_to_the_short_ending,
    step,
)


def press(app, k: int, down_only: bool = False) -> None:
    """A quick key press: a tenth of a second, as fast as a reader mashing Space."""
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0))
    if not down_only:
        pygame.event.post(pygame.event.Event(pygame.KEYUP, key=k, mod=0, unicode="", scancode=0))
    step(app)
    app.clock.advance(0.1)


def reach_ending(app) -> PlayScene:
    play = play_to_the_short_ending(app)
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


def test_however_long_space_is_mashed_the_ending_card_stays_until_a_pause():
    app = make_app()
    play = reach_ending(app)
    press(app, pygame.K_SPACE)
    assert play.ending_card
    for _ in range(40):  # four seconds of mashing, in a real window's rhythm
        press(app, pygame.K_SPACE)
        assert isinstance(app.top, PlayScene) and play.ending_card and app.session is not None
    pause(app, 1.0)
    press(app, pygame.K_RETURN)  # after a breath, Enter does what the focused button says
    assert isinstance(app.top, TitleScene)
    for _ in range(30):  # and mashing on at the title loads nothing, however long
        press(app, pygame.K_SPACE)
    assert app.session is None


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


def cell_colours(surface: pygame.Surface, grid: int = 3) -> list[tuple[int, int, int]]:
    """The average colour of each part of the frame (a 3 x 3 grid: each part a ninth, about the area WCAG
    2.3.1 counts as a flash)."""
    w, h = surface.get_size()
    return [tuple(pygame.transform.average_color(surface, (x * w // grid, y * h // grid, w // grid, h // grid))[:3])
            for y in range(grid) for x in range(grid)]


def test_the_outage_is_offered_with_reduced_motion_and_never_flashes():
    app = make_app(TOUR)
    play = new_game(app)
    app.session.engine.warp("tour_outage")
    step(app, 0.1)
    assert isinstance(app.top, ContentNote)  # asked before the first glitch, not after
    key(app, pygame.K_RIGHT)
    key(app, pygame.K_RETURN)  # keep the effect
    assert app.top is play and play.outage_active() and not app.settings.reduced_motion
    play.complete()
    step(app, 2.5, dt=1 / 60)  # past the "not found" screen: the tearing
    frames = []
    for _ in range(240):  # four seconds, frame by frame
        step(app, 1 / 60, dt=1 / 60)
        frames.append(cell_colours(app.screen))
    for cell in range(9):
        changes = []
        for i in range(1, len(frames)):
            before, after = frames[i - 1][cell], frames[i][cell]
            delta = [a - b for a, b in zip(after, before)]
            if max(abs(d) for d in delta) > 4:
                changes.append(i)
                assert not (delta[0] > 4 and delta[0] > 2 * max(delta[1], delta[2], 0)), \
                    f"frame {i}: part {cell} of the screen turns red"
        worst = max((sum(1 for j in changes if i <= j < i + 60) for i in range(len(frames))), default=0)
        assert worst <= 6, f"part {cell} of the screen changes {worst} times in a second (3 flashes at most)"
    assert any(frames[i] != frames[0] for i in range(len(frames)))  # the outage still shows it is failing


def test_answering_reduce_motion_holds_the_outage_still_and_is_asked_once():
    app = make_app(TOUR)
    play = new_game(app)
    app.session.engine.warp("tour_outage")
    step(app, 0.1)
    key(app, pygame.K_RETURN)  # Reduce motion: the focused answer
    assert app.settings.reduced_motion and app.settings.motion_note_seen
    play.complete()
    step(app, 3.0)
    drawn = len(app.frame_times)
    step(app, 2.0)
    assert len(app.frame_times) == drawn  # nothing moves
    app.session.engine.warp("tour_outage")
    step(app, 0.1)
    assert app.top is play  # not asked again


def test_a_game_started_in_the_outage_asks_before_it_shows():
    app = make_app(TOUR, session_mode="play", start="tour_outage")  # a load or --start, straight into it
    step(app, 0.1)
    assert isinstance(app.top, ContentNote)

"""The backlog reads cleanly: whole lines only, room at the top, and a scrollbar saying where you are."""
from __future__ import annotations

import pygame

from game.ui.app import Options
from game.ui.scenes.history import HistoryScene
from tests.ui.driver import key, long_story, make_app, new_game, play_scene, read_to_end_of_node, wheel


def long_read(tmp_path) -> HistoryScene:
    app = make_app(long_story(tmp_path / "long"), options=Options(size=(800, 600)))
    new_game(app)
    for _ in range(30):  # thirty scenes read: more than the backlog's view holds
        read_to_end_of_node(app)
        play = play_scene(app)
        key(app, pygame.K_1 if play.choosing else pygame.K_SPACE)
    key(app, pygame.K_b)
    assert isinstance(app.top, HistoryScene)
    return app.top


def test_history_shows_only_whole_lines_below_a_padded_top(tmp_path):
    history = long_read(tmp_path)
    panel = history.panel_rect()
    for scroll in (0, history.line_h // 2, history.line_h * 7 + 3):
        history.scroll = scroll
        for (_, _, _, _), y in history.visible_rows():
            assert y >= panel.y + history.theme.px(10)  # not against the panel's edge
            assert y + history.line_h <= panel.bottom  # no line cut at the bottom, none at the top


def test_history_scrollbar_follows_the_scroll(tmp_path):
    history = long_read(tmp_path)
    bar = history.scrollbar()
    assert bar is not None
    track, newest = bar
    assert newest.bottom == track.bottom  # at the newest line: the thumb at the bottom
    wheel(history.app, 1)
    wheel(history.app, 1)
    _, older = history.scrollbar()
    assert older.bottom < newest.bottom
    key(history.app, pygame.K_HOME)
    _, oldest = history.scrollbar()
    assert oldest.top == track.top
    history.app.draw()
    assert history.app.screen.get_at(oldest.center)[:3] == history.theme.palette.accent_soft

"""The flowchart zoomed out: cards still say which scene they are, the hovered one in full."""
from __future__ import annotations

import pygame
import pytest

from game.ui.scenes.flowchart import FlowchartScene
from tests.ui.driver import key, long_story, make_app, new_game, step


def bright_pixels(surface: pygame.Surface, rect: pygame.Rect) -> int:
    """Pixels light enough to be letters (the cards and the chart's ground are dark)."""
    area = surface.subsurface(rect.clip(surface.get_rect()))
    return pygame.mask.from_threshold(area, (250, 238, 226), (60, 60, 60, 255)).count()


def zoomed_out_chart(tmp_path, size=(1280, 720)):
    from game.ui.app import Options
    app = make_app(long_story(tmp_path / "long"), options=Options(size=size))
    new_game(app)
    app.library.player.seen.update(app.story.nodes)
    app.session.engine.warp("c2_n3")
    step(app)
    key(app, pygame.K_f)
    chart = app.top
    assert isinstance(chart, FlowchartScene)
    chart.set_zoom(0.4)
    app.draw()
    return app, chart


@pytest.mark.parametrize("size", [(1280, 720), (800, 600)])
def test_zoomed_out_cards_still_show_their_titles(tmp_path, size):
    app, chart = zoomed_out_chart(tmp_path, size)
    cards = [chart.node_rect(n) for n in ("c2_n2", "c2_n4", "c2_side")]
    for rect in cards:
        assert chart.area.contains(rect)
        assert bright_pixels(app.screen, rect) > 10, "a zoomed-out card is blank"


def test_hovering_a_zoomed_out_card_shows_its_whole_title(tmp_path):
    app, chart = zoomed_out_chart(tmp_path)
    rect = chart.node_rect("c2_n4")
    above = pygame.Rect(rect.x - 80, rect.y - 60, rect.width + 160, 58)
    before = bright_pixels(app.screen, above)
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=rect.center, rel=(0, 0), buttons=(0, 0, 0)))
    step(app)
    assert chart.hover == "c2_n4"
    assert bright_pixels(app.screen, above) > before + 30  # "Scene 2.4" in a label over the card


def test_the_tiled_chart_shows_what_a_fresh_drawing_would_after_drags_and_reads(tmp_path):
    from tests.ui.test_frames import differing_pixels
    app, chart = zoomed_out_chart(tmp_path)
    chart.set_zoom(1.0)
    app.draw()
    for dx in (-300, -300, 170, 45):  # drags over tile edges, the tiles painted once and reused
        chart.pan(dx, 0)
        app.draw()
        kept = app.screen.copy()
        chart.tiles.clear()
        app.draw()
        assert differing_pixels(kept, app.screen) == 0
    before = app.screen.copy()
    for node in ("c2_n5", "c2_n6", "c2_side"):  # what the player has read changes: the tiles follow
        app.library.player.seen.discard(node)
    app.session.engine.warp("c2_n2")  # and where they are
    app.draw()
    kept = app.screen.copy()
    assert differing_pixels(kept, before) > 0
    chart.tiles.clear()
    app.draw()
    assert differing_pixels(kept, app.screen) == 0

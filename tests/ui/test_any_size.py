"""Solid at any size: the art is never stretched, and a window dragged through many sizes does not keep a
picture for each of them."""
from __future__ import annotations

import pygame
import pytest

from game.ui import painter
from tests.ui.driver import click, key, make_app, new_game, step


def resident_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.mark.parametrize("size", [(1280, 720), (640, 900), (1600, 500), (800, 600), (1920, 1080)])
def test_the_art_keeps_its_shape_in_any_window(monkeypatch, size):
    def disc_canvas(*_scene) -> pygame.Surface:  # a round thing in the middle of the art
        canvas = pygame.Surface((painter.CW, painter.CH))
        canvas.fill((0, 0, 0))
        pygame.draw.circle(canvas, (255, 255, 255), (painter.CW // 2, painter.CH // 2), 60)
        return canvas

    monkeypatch.setattr(painter, "paint_canvas", disc_canvas)
    pygame.display.init()
    picture = painter.Painter().background({"location": "test"}, size)
    assert picture.get_size() == size
    white = pygame.mask.from_threshold(picture, (255, 255, 255), (60, 60, 60, 255))
    box = white.get_bounding_rects()[0]
    assert abs(box.width / box.height - 1) < 0.05, f"the disc is {box.width} x {box.height} at {size}"
    middle = pygame.Rect(0, 0, painter.CW * 3 // 4, painter.CH * 3 // 4)
    art = painter.art_rect(size)
    middle.center = (painter.CW // 2, painter.CH // 2)
    k = art.width / painter.CW
    shown = pygame.Rect(art.x + middle.x * k, art.y + middle.y * k, middle.width * k, middle.height * k)
    assert picture.get_rect().inflate(2, 2).contains(shown)  # no more than a quarter of the scene cut away


def test_dragging_the_window_through_many_sizes_keeps_memory_bounded():
    app = make_app()
    new_game(app)
    step(app, 0.5)
    sizes = [(700 + (i * 37) % 1200, 420 + (i * 53) % 640) for i in range(90)]  # one long drag-resize
    for size in sizes[:30]:  # the caches fill up to their bounds ...
        app.resize(size)
        step(app, 1 / 60)
    before = resident_mib()
    for size in sizes[30:]:  # ... and stay there: each new size pushes an old one out
        app.resize(size)
        step(app, 1 / 60)
    grown = resident_mib() - before
    assert grown < 30, f"memory grew by {grown:.0f} MiB over 60 more window sizes"


def font_sizes_used(app) -> set[int]:
    from game.ui.theme import Theme
    return {px for _, px in Theme._fonts} | {px for _, px in app.theme._used}


def visit_every_screen(app) -> set[int]:
    """Open each screen from the game menu and draw it; the sizes of every font drawn with."""
    from game.ui.theme import Theme
    Theme._fonts.clear()
    sizes: set[int] = set()
    app.draw()
    sizes |= font_sizes_used(app)
    play = new_game(app)
    step(app, 4.0)
    play.complete()
    app.draw()
    for label in ("Save", "Load", "History", "Flowchart", "Endings", "Settings", "Keys"):
        key(app, pygame.K_ESCAPE)
        click(app, next(b for b in app.top.buttons if b.label == label).rect.center)
        app.draw()
        sizes |= font_sizes_used(app)
        key(app, pygame.K_ESCAPE)
    return sizes


def test_no_words_smaller_than_12_px_in_the_smallest_window():
    from game.ui.app import MIN_SIZE, Options
    app = make_app(options=Options(size=MIN_SIZE))
    sizes = visit_every_screen(app)
    assert min(sizes) >= 12, f"fonts of {sorted(sizes)} px were drawn with"


def test_text_size_scales_the_interface_too():
    app = make_app()
    small = app.theme.ui.get_linesize(), app.theme.prose.get_linesize()
    app.settings.font_scale = 1.4
    app.settings_changed()
    large = app.theme.ui.get_linesize(), app.theme.prose.get_linesize()
    assert large[0] > small[0] * 1.1 and large[1] > small[1] * 1.3

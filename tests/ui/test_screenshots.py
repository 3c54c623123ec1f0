"""Screenshots of every screen, for people to look at (build/screenshots, or $HER_SCREENSHOTS).

The assertions check what a picture can show without a human: the image is the window's size,
and it is not blank (a screen that failed to draw would be one flat colour).
"""
from __future__ import annotations

import os
import random

import pygame
import pytest

from game.story.validate import load_and_validate
from game.ui.app import Options
from game.ui.scenes.flowchart import FlowchartScene
from game.ui.scenes.history import HistoryScene
from game.ui.scenes.saves import SavesScene
from game.ui.scenes.settings import SettingsScene
from tests.paths import ROOT, TOUR
from tests.ui.driver import (
    button_labelled,
    choose,
    click,
    key,
    long_choice_story,
    long_story,
    make_app,
    new_game,
    play_scene,
    read_to_end_of_node,
    shot,
    step,
)

FOLDER = os.environ.get("HER_SCREENSHOTS") or os.path.join(ROOT, "build", "screenshots")


def colours(path: str) -> int:
    image = pygame.image.load(path)
    small = pygame.transform.scale(image, (64, 36))
    return len({small.get_at((x, y))[:3] for x in range(64) for y in range(36)})


@pytest.mark.parametrize("size", [(1280, 720), (800, 600), (1920, 1080)], ids=["1280x720", "800x600", "1920x1080"])
def test_screenshots_of_every_screen(size):
    folder = os.path.join(FOLDER, f"{size[0]}x{size[1]}")
    taken = []
    app = make_app(options=Options(size=size))
    taken.append(shot(app, folder, "01_title"))
    new_game(app)
    step(app, 0.8)
    taken.append(shot(app, folder, "02_passage_typing"))
    read_to_end_of_node(app)
    step(app, 3.5)
    taken.append(shot(app, folder, "03_choice"))
    play = play_scene(app)
    app.session.engine.set_variable("openness", 3)
    play.layout()
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=play.choice_buttons[1].rect.center, rel=(0, 0),
                                         buttons=(0, 0, 0)))
    step(app)
    taken.append(shot(app, folder, "04_choice_disabled_and_hover"))
    key(app, pygame.K_2)
    read_to_end_of_node(app)
    key(app, pygame.K_s)
    click(app, app.top.buttons[0].rect.center)
    click(app, app.top.buttons[2].rect.center)
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=app.top.buttons[1].rect.center, rel=(0, 0),
                                         buttons=(0, 0, 0)))
    step(app)
    assert isinstance(app.top, SavesScene)
    taken.append(shot(app, folder, "05_saves"))
    key(app, pygame.K_ESCAPE)
    key(app, pygame.K_ESCAPE)
    taken.append(shot(app, folder, "06_game_menu"))
    click(app, button_labelled(app.top, "Settings").rect.center)
    assert isinstance(app.top, SettingsScene)
    taken.append(shot(app, folder, "07_settings"))
    key(app, pygame.K_ESCAPE)
    key(app, pygame.K_b)
    assert isinstance(app.top, HistoryScene)
    taken.append(shot(app, folder, "08_history"))
    key(app, pygame.K_ESCAPE)
    key(app, pygame.K_F1)
    taken.append(shot(app, folder, "09_help"))
    key(app, pygame.K_ESCAPE)
    key(app, pygame.K_2)
    read_to_end_of_node(app)
    key(app, pygame.K_SPACE)
    choose(app, 1)
    read_to_end_of_node(app)
    step(app, 1.0)
    taken.append(shot(app, folder, "10_samantha_speaks"))
    key(app, pygame.K_SPACE)
    taken.append(shot(app, folder, "11_ending"))
    click(app, play.ending_buttons[0].rect.center)
    taken.append(shot(app, folder, "12_endings"))
    key(app, pygame.K_ESCAPE)
    key(app, pygame.K_f)
    assert isinstance(app.top, FlowchartScene)
    click(app, app.top.node_rect("setup_voice").center)
    taken.append(shot(app, folder, "13_flowchart"))
    key(app, pygame.K_ESCAPE)
    app.settings.high_contrast = True
    app.settings_changed()
    key(app, pygame.K_BACKSPACE)
    key(app, pygame.K_BACKSPACE)
    taken.append(shot(app, folder, "14_high_contrast"))
    pygame.display.quit()

    app = make_app(TOUR, options=Options(size=size))
    app.settings.captions = True
    new_game(app)
    step(app, 0.6)
    taken.append(shot(app, folder, "15_office_morning"))
    read_to_end_of_node(app)
    key(app, pygame.K_SPACE)
    step(app, 3.0)
    taken.append(shot(app, folder, "16_owl_on_the_plaza_screen"))
    read_to_end_of_node(app)
    key(app, pygame.K_SPACE)
    read_to_end_of_node(app)
    step(app, 1.0)
    taken.append(shot(app, folder, "17_rain_street"))
    key(app, pygame.K_SPACE)
    taken.append(shot(app, folder, "18_content_note"))
    key(app, pygame.K_RIGHT)
    key(app, pygame.K_RETURN)  # keep the effect
    step(app, 0.5)
    taken.append(shot(app, folder, "18_os_not_found"))
    read_to_end_of_node(app)
    step(app, 2.0)
    taken.append(shot(app, folder, "19_outage_choices"))
    key(app, pygame.K_1)
    read_to_end_of_node(app)
    step(app, 3.5)
    taken.append(shot(app, folder, "20_rooftop_dawn"))
    pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, size=(900, 640), w=900, h=640))
    step(app)
    taken.append(shot(app, folder, "21_resized"))

    for path in taken:
        assert pygame.image.load(path).get_size() == (size if "resized" not in path else (900, 640))
        sparse = "os_not_found" in path or "content_note" in path  # black on purpose: a caption and a few words
        assert colours(path) > (2 if sparse else 12), f"{path} looks blank"


def test_screenshots_of_big_charts_small_windows_and_large_text(tmp_path):
    taken = []
    app = make_app(long_story(tmp_path / "long"))
    new_game(app)
    order = list(app.story.nodes)
    app.library.player.seen.update(order[:order.index("c2_n3") + 1])
    app.session.engine.warp("c2_n3")
    step(app, 0.1)
    key(app, pygame.K_f)
    taken.append(shot(app, FOLDER, "22_flowchart_long_story"))
    key(app, pygame.K_MINUS)
    key(app, pygame.K_MINUS)
    taken.append(shot(app, FOLDER, "23_flowchart_zoomed_out"))
    pygame.display.quit()

    app = make_app(long_choice_story(tmp_path / "choices"), options=Options(size=(800, 480)))
    app.settings.font_scale = 1.4
    app.settings_changed()
    new_game(app)
    read_to_end_of_node(app)
    step(app, 3.5)
    taken.append(shot(app, FOLDER, "24_long_choices_small_window_large_text"))
    key(app, pygame.K_s)
    click(app, app.top.buttons[0].rect.center)
    step(app, 2.5)
    taken.append(shot(app, FOLDER, "25_saves_small_window_large_text"))
    pygame.display.quit()

    shipped = os.path.join(ROOT, "story")
    if load_and_validate(shipped).ok:  # the real story is being written: picture it when it validates
        app = make_app(shipped)
        new_game(app)
        play = play_scene(app)
        rng = random.Random(3)
        for _ in range(12):
            read_to_end_of_node(app, 200)
            if play.ending_card:
                break
            if play.choosing:
                key(app, pygame.K_1 + rng.choice([i for i, b in enumerate(play.choice_buttons) if b.enabled]))
            else:
                key(app, pygame.K_SPACE)
        key(app, pygame.K_f)
        taken.append(shot(app, FOLDER, "26_flowchart_shipped_story"))
        pygame.display.quit()

    for path in taken:
        assert colours(path) > 12, f"{path} looks blank"

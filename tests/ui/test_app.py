"""The window game, driven headless: what a player does and what they should see happen."""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys

import pygame
import pytest

from game.runtime.persist import PlayerData
from game.ui.app import Options
from game.ui.scenes.endings import EndingsScene
from game.ui.scenes.flowchart import FlowchartScene, flow_layout
from game.ui.scenes.history import HistoryScene
from game.ui.scenes.menu import GameMenu
from game.ui.scenes.overlays import Confirm, ErrorOverlay, HelpOverlay
from game.ui.scenes.play import PlayScene
from game.ui.scenes.saves import SavesScene
from game.ui.scenes.settings import SettingsScene
from game.ui.scenes.title import TitleScene
from game.ui.session import PLAY, REPLAY
from tests.paths import ROOT, SAMPLE, STORY, TOUR
from tests.ui.driver import (
    button_labelled,
    choose,
    click,
    key,
    long_choice_story,
    long_story,
    make_app,
    new_game,
    pause,
    play_scene,
    play_to_the_short_ending,
    read_to_end_of_node,
    step,
    wheel,
)


def test_title_then_new_game_types_out_the_first_line():
    app = make_app()
    assert isinstance(app.top, TitleScene)
    assert not button_labelled(app.top, "Continue").enabled  # nothing saved yet
    play = new_game(app)
    assert app.session.engine.state.node == "setup_box"
    step(app, 0.3)
    assert 0 < play.shown < play.current.length  # the typewriter is part-way
    key(app, pygame.K_SPACE)
    assert play.shown == play.current.length  # Space shows the whole line
    key(app, pygame.K_SPACE)
    assert play.beat == 1 and play.current.line.name == "Theodore"


def test_enter_on_the_title_starts_a_game_then_continues_it():
    app = make_app()
    assert app.top.buttons[app.top.focus].label == "New game"  # highlighted: Enter does it
    key(app, pygame.K_RETURN)
    assert app.session is not None and app.session.engine.state.node == "setup_box"
    choose(app, 2)
    app.to_title()
    assert app.top.buttons[app.top.focus].label == "Continue"
    pause(app, 1.0)  # keys pressed in the first second after leaving a game are taken for mashing
    key(app, pygame.K_RETURN)
    assert app.session.engine.state.node == "setup_voice"


def test_choices_by_number_and_by_click_and_autosave():
    app = make_app()
    new_game(app)
    read_to_end_of_node(app)
    play = play_scene(app)
    assert play.choosing and [b.label for b in play.choice_buttons][:2] == ["Switch on the reading lamp first.",
                                                                             "Plug it in."]
    key(app, pygame.K_2)
    assert app.session.engine.state.node == "setup_voice"
    assert app.library.saves.info("auto") is not None  # autosaved at the choice
    assert app.library.saves.info("auto").thumbnail.startswith("data:image/jpeg;base64,")
    read_to_end_of_node(app)
    click(app, play.choice_buttons[1].rect.center)
    assert app.session.engine.state.node == "setup_cut_off"
    assert app.session.engine.state.variables["mother"] == "loving"


def test_disabled_choice_is_shown_with_its_reason_and_cannot_be_taken():
    app = make_app()
    new_game(app)
    app.session.engine.set_variable("openness", 3)
    play = play_scene(app)
    play.layout()
    read_to_end_of_node(app)
    third = play.choice_buttons[2]
    assert not third.enabled and third.hint == "Something in him is too curious now."
    key(app, pygame.K_3)
    assert app.session.engine.state.node == "setup_box"
    assert any("too curious" in n.text for n in app.notices)


def test_arrow_keys_and_enter_pick_a_choice():
    app = make_app()
    new_game(app)
    read_to_end_of_node(app)
    key(app, pygame.K_DOWN)
    key(app, pygame.K_DOWN)
    key(app, pygame.K_RETURN)
    assert app.session.engine.state.node == "setup_voice"


def test_save_then_load_from_the_screens():
    app = make_app()
    new_game(app)
    choose(app, 2)
    key(app, pygame.K_s)
    saves = app.top
    assert isinstance(saves, SavesScene) and saves.mode == "save"
    click(app, saves.buttons[0].rect.center)  # slot 1
    info = app.library.saves.info("1")
    assert info is not None and info.node_title == "The setup voice"
    click(app, saves.buttons[0].rect.center)  # slot 1 again: asks before replacing
    assert isinstance(app.top, Confirm)
    key(app, pygame.K_ESCAPE)
    key(app, pygame.K_ESCAPE)
    choose(app, 1)
    assert app.session.engine.state.node == "setup_cut_off"
    key(app, pygame.K_l)
    load = app.top
    assert isinstance(load, SavesScene) and load.mode == "load"
    click(app, load.buttons[0].rect.center)
    assert isinstance(app.top, PlayScene)
    assert app.session.engine.state.node == "setup_voice"


def test_quicksave_and_quickload_keys():
    app = make_app()
    new_game(app)
    read_to_end_of_node(app)
    key(app, pygame.K_F6)
    key(app, pygame.K_2)
    assert app.session.engine.state.node == "setup_voice"
    key(app, pygame.K_F9)
    assert app.session.engine.state.node == "setup_box"


def test_rollback_takes_back_lines_and_choices():
    app = make_app()
    new_game(app)
    choose(app, 2)
    play = play_scene(app)
    assert app.session.engine.state.node == "setup_voice"
    wheel(app, 1)  # back over the choice: the previous node's last line, choices offered again
    assert app.session.engine.state.node == "setup_box"
    assert play.choosing
    wheel(app, 1)
    assert play.beat == 0
    key(app, pygame.K_PAGEUP)
    assert app.session.engine.state.node == "setup_box" and play.beat == 0  # nothing further back
    assert any("far back" in n.text for n in app.notices)


def test_reaching_an_ending_records_it_and_shows_it_in_the_gallery():
    app = make_app()
    play = play_to_the_short_ending(app)
    for _ in range(20):
        if play.ending_card:
            break
        key(app, pygame.K_SPACE)
    assert play.ending_card and app.session.engine.ending.id == "hello"
    assert play.ending_new
    assert "hello" in PlayerData.load(app.library.folder, "sample").endings  # kept on disk
    click(app, play.ending_buttons[0].rect.center)
    assert isinstance(app.top, EndingsScene)
    key(app, pygame.K_ESCAPE)
    click(app, play.ending_buttons[1].rect.center)
    assert isinstance(app.top, TitleScene) and app.session is None


def test_skip_passes_only_text_read_before():
    app = make_app()
    play = new_game(app)
    key(app, pygame.K_TAB)  # never read: skip refuses
    assert not play.skipping
    choose(app, 2)
    key(app, pygame.K_ESCAPE)
    click(app, button_labelled(app.top, "Title screen").rect.center)
    play = new_game(app)  # a second playthrough: setup_box has been read
    key(app, pygame.K_TAB)
    assert play.skipping
    step(app, 1.0)
    assert play.choosing and not play.skipping  # skip stops at choices
    key(app, pygame.K_2)
    assert not play.session.seen_before  # setup_voice was never finished: skip must not pass it
    key(app, pygame.K_TAB)
    assert not play.skipping


def test_what_was_read_stays_skippable_after_the_game_is_closed_and_started_again():
    app = make_app()
    new_game(app)
    choose(app, 2)
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    step(app)
    pygame.display.quit()
    later = make_app()
    play = new_game(later)
    key(later, pygame.K_TAB)
    assert play.skipping
    step(later, 1.0)
    assert play.choosing  # skipped straight to the choices read last time


def test_auto_advance_moves_on_by_itself():
    app = make_app()
    play = new_game(app)
    key(app, pygame.K_a)
    assert app.settings.auto_forward
    step(app, 12.0)
    assert play.choosing  # it read both lines by itself and stopped at the choices
    assert app.session.engine.state.node == "setup_box"


def test_history_shows_what_was_said():
    app = make_app()
    new_game(app)
    choose(app, 2)
    key(app, pygame.K_b)
    history = app.top
    assert isinstance(history, HistoryScene)
    texts = [row[3] for row in history.rows]
    assert any("Plug it in." in t for t in texts)  # the choice taken
    assert any(row[1] == "Theodore" for row in history.rows)
    key(app, pygame.K_ESCAPE)
    assert isinstance(app.top, PlayScene)


def test_every_screen_opens_and_closes_from_the_title_and_in_game():
    app = make_app()
    title = app.top
    for label, kind in (("Endings", EndingsScene), ("Flowchart", FlowchartScene), ("Settings", SettingsScene)):
        click(app, button_labelled(title, label).rect.center)
        assert isinstance(app.top, kind)
        key(app, pygame.K_ESCAPE)
        assert app.top is title
    new_game(app)
    choose(app, 2)
    for label, kind in (("Save", SavesScene), ("Load", SavesScene), ("History", HistoryScene),
                        ("Flowchart", FlowchartScene), ("Endings", EndingsScene), ("Settings", SettingsScene),
                        ("Keys", HelpOverlay)):
        key(app, pygame.K_ESCAPE)
        menu = app.top
        assert isinstance(menu, GameMenu)
        click(app, button_labelled(menu, label).rect.center)
        assert isinstance(app.top, kind), label
        key(app, pygame.K_ESCAPE)
        assert isinstance(app.top, PlayScene), label
    key(app, pygame.K_F1)
    assert isinstance(app.top, HelpOverlay)
    key(app, pygame.K_F1)
    assert isinstance(app.top, PlayScene)


def test_resize_keeps_the_layout_inside_the_window():
    app = make_app()
    play = new_game(app)
    read_to_end_of_node(app)
    for size in ((800, 600), (1920, 1080), (1000, 400)):
        pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, size=size, w=size[0], h=size[1]))
        step(app)
        assert app.screen.get_size() == size
        window = app.screen.get_rect()
        assert window.contains(play.box)
        assert all(window.contains(b.rect) for b in play.choice_buttons)
        assert all(not b.rect.colliderect(play.box) for b in play.choice_buttons)
        assert all(window.contains(b.rect) for b in play.quick_buttons)
    key(app, pygame.K_2)  # still playable after all that
    assert app.session.engine.state.node == "setup_voice"


def test_fullscreen_keys_toggle_and_are_remembered():
    app = make_app()
    key(app, pygame.K_F11)
    assert app.settings.fullscreen
    assert app.screen.get_flags() & pygame.FULLSCREEN
    key(app, pygame.K_RETURN, mod=pygame.KMOD_ALT)
    assert not app.settings.fullscreen
    assert app.screen.get_size() == (1280, 720)
    assert PlayerData.load(app.library.folder, "sample").settings["fullscreen"] is False


def test_settings_change_at_once_and_persist():
    app = make_app()
    click(app, button_labelled(app.top, "Settings").rect.center)
    settings = app.top
    speed = next(c for c in settings.controls if c.label == "Text speed")
    index = settings.controls.index(speed)
    for _ in range(index + 1):
        key(app, pygame.K_DOWN)
    for _ in range(10):
        key(app, pygame.K_RIGHT)
    assert app.settings.text_speed == 0  # instant
    contrast = next(c for c in settings.controls if c.label == "High contrast")
    click(app, contrast.rect.center)
    assert app.settings.high_contrast and app.theme.palette.panel[3] == 255
    stored = PlayerData.load(app.library.folder, "sample").settings
    assert stored["text_speed"] == 0 and stored["high_contrast"] is True
    key(app, pygame.K_ESCAPE)
    play = new_game(app)
    assert play.shown == play.current.length  # instant text


def test_closing_the_window_autosaves():
    app = make_app()
    new_game(app)
    choose(app, 2)
    app.library.saves.delete("auto")
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    step(app)
    assert not app.running
    assert app.library.saves.load("auto").state.node == "setup_voice"


def test_continue_on_the_title_loads_the_latest_save():
    app = make_app()
    new_game(app)
    choose(app, 2)
    app.to_title()
    continue_button = button_labelled(app.top, "Continue")
    assert continue_button.enabled and "autosave" in continue_button.hint
    click(app, continue_button.rect.center)
    assert app.session.engine.state.node == "setup_voice"


def test_f12_saves_a_screenshot_in_the_data_folder():
    app = make_app()
    key(app, pygame.K_F12)
    folder = os.path.join(app.library.folder, "screenshots")
    files = os.listdir(folder)
    assert len(files) == 1 and files[0].endswith(".png")
    assert pygame.image.load(os.path.join(folder, files[0])).get_size() == (1280, 720)


def test_replay_plays_itself_and_stops_on_the_ending():
    app = make_app(session_mode=REPLAY, seed=1, options=Options(replay_choices=[2, 2, 1], fast=True))
    play = play_scene(app)
    for _ in range(200):
        if play.ending_card:
            break
        step(app, 0.05)
    assert play.ending_card and app.session.engine.ending.id == "hello"
    assert app.running  # it stays on the ending screen


def test_replay_at_reading_pace_shows_the_choice_before_taking_it():
    app = make_app(session_mode=REPLAY, seed=1, options=Options(replay_choices=[2]))
    play = play_scene(app)
    step(app, 1.0)
    assert app.session.engine.state.node == "setup_box"  # still reading
    for _ in range(400):
        if play.choosing and play.focus == 1:
            break
        step(app, 0.05)
    assert play.focus == 1  # the replay's choice is highlighted first
    step(app, 2.0)
    assert app.session.engine.state.node == "setup_voice"


def test_replay_that_does_not_fit_says_so_and_hands_over():
    app = make_app(session_mode=REPLAY, seed=1, options=Options(replay_choices=[7], fast=True))
    play = play_scene(app)
    step(app, 1.0)
    assert play.replay is None and app.session.mode == PLAY
    assert any("does not fit" in n.text for n in app.notices)


def test_flowchart_shows_read_nodes_and_replays_a_scene():
    app = make_app()
    new_game(app)
    choose(app, 2)
    key(app, pygame.K_f)
    chart = app.top
    assert isinstance(chart, FlowchartScene)
    seen, frontier = chart.visible()
    assert seen == {"setup_box", "setup_voice"}
    assert "setup_cut_off" in frontier and "setup_hello" not in frontier  # the rest is fog
    click(app, chart.node_rect("setup_box").center)
    assert chart.selected == "setup_box"
    key(app, pygame.K_RETURN)
    assert isinstance(app.top, Confirm)
    key(app, pygame.K_y)
    assert app.session.engine.state.node == "setup_box" and app.session.mode == "scene"
    assert not app.session.can_save


def open_flowchart_at(app, node_id: str, read: list[str]) -> FlowchartScene:
    app.library.player.seen.update(read)
    app.session.engine.warp(node_id)
    step(app)
    key(app, pygame.K_f)
    assert isinstance(app.top, FlowchartScene)
    return app.top


def test_flowchart_opens_with_all_of_a_small_story_in_view_over_the_whole_window():
    app = make_app()
    new_game(app)
    read = ["setup_box", "setup_voice", "setup_cut_off", "setup_wait", "setup_hello"]
    chart = open_flowchart_at(app, "setup_hello", read)
    seen, frontier = chart.visible()
    assert seen == set(read) and frontier == {"setup_unopened"}
    for node_id in seen | frontier:  # nothing cut off at an edge, the first scene included
        assert chart.chart_rect().contains(chart.node_rect(node_id)), node_id
    theme = app.theme
    assert chart.area.width >= theme.w - theme.px(100) and chart.area.height >= theme.h // 2


def test_flowchart_opens_centred_on_the_current_scene_with_its_neighbours_in_view(tmp_path):
    app = make_app(long_story(tmp_path / "long"))
    new_game(app)
    order = list(app.story.nodes)
    chart = open_flowchart_at(app, "c2_n3", order[:order.index("c2_n3") + 1])
    here, middle = chart.node_rect("c2_n3"), chart.chart_rect()
    assert abs(here.centerx - middle.centerx) <= 2 and abs(here.centery - middle.centery) <= 2
    assert chart.neighbours("c2_n3") == {"c2_n2", "c2_n4", "c2_side"}
    for node_id in chart.neighbours("c2_n3"):
        assert chart.chart_rect().contains(chart.node_rect(node_id)), node_id
    assert not chart.area.contains(chart.node_rect("c0_n0"))  # the story is far wider than the window

    in_view = lambda: sum(chart.area.contains(chart.node_rect(n)) for n in chart.visible()[0])  # noqa: E731
    close = in_view()
    for _ in range(4):
        key(app, pygame.K_MINUS)
    assert in_view() > 2 * close  # zoomed out: much more of the story at once
    assert chart.area.contains(chart.node_rect("c2_n3"))
    for _ in range(30):
        key(app, pygame.K_RIGHT)  # look further along: the view stops at the edge of what was read
    assert chart.chart_rect().contains(chart.node_rect("c2_n4"))  # never scrolls past the fog into nothing
    key(app, pygame.K_HOME)
    key(app, pygame.K_PAGEUP)
    assert chart.selected == "c1_n0" and chart.chart_rect().contains(chart.node_rect("c1_n0"))


def test_flowchart_layout_puts_every_node_in_its_own_place(sample_story):
    flow = flow_layout(sample_story)
    assert set(flow.pos) == set(sample_story.nodes)
    assert len(set(flow.pos.values())) == len(flow.pos)
    assert flow.pos["setup_box"][0] < flow.pos["setup_voice"][0] < flow.pos["setup_cut_off"][0]


def test_hot_reload_keeps_the_place_and_shows_errors_without_stopping(tmp_path):
    story = tmp_path / "story"
    shutil.copytree(SAMPLE, story)
    app = make_app(str(story))
    new_game(app)
    choose(app, 2)
    chapter = story / "chapters" / "setup.yaml"
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace("The room fills with a chime", "The room fills with a new chime"), encoding="utf-8")
    key(app, pygame.K_F5)
    assert app.session.engine.state.node == "setup_voice"
    assert "a new chime" in app.session.engine.lines[0].text
    assert any("reloaded" in n.text for n in app.notices)
    chapter.write_text(text.replace("goto: setup_cut_off", "goto: nowhere_at_all", 1), encoding="utf-8")
    key(app, pygame.K_F5)
    overlay = app.top
    assert isinstance(overlay, ErrorOverlay)
    assert any("setup.yaml:" in line and "E012" in line for line in overlay.lines)
    key(app, pygame.K_ESCAPE)
    read_to_end_of_node(app)
    key(app, pygame.K_1)  # the last good story still plays
    assert app.session.engine.state.node == "setup_cut_off"


def test_captions_show_the_sounds_when_turned_on():
    app = make_app(TOUR)
    app.settings.captions = True
    new_game(app)
    play = play_scene(app)
    read_to_end_of_node(app)
    key(app, pygame.K_SPACE)  # into the plaza: the owl cue
    assert app.session.engine.state.node == "tour_plaza"
    assert any(n.kind == "caption" and "wings" in n.text for n in app.notices)
    assert play.owl_active() and play.animating()


@pytest.mark.parametrize("size, text_scale", [((1280, 720), 1.0), ((1280, 720), 1.4), ((900, 560), 1.4),
                                               ((640, 360), 1.0), ((640, 360), 1.4)])
def test_save_cards_keep_their_words_inside_at_any_size_and_text_size(size, text_scale):
    app = make_app(options=Options(size=size))
    app.settings.font_scale = text_scale
    app.settings_changed()
    new_game(app)
    read_to_end_of_node(app)
    key(app, pygame.K_s)
    click(app, app.top.buttons[0].rect.center)
    screen = app.top
    assert isinstance(screen, SavesScene)
    for button in screen.buttons:
        thumb, lines = screen.card_parts(button)
        places = [place for *_, place in lines]
        assert all(button.rect.contains(place) for place in places), button.label
        assert all(not a.colliderect(b) for a, b in zip(places, places[1:])), button.label
        assert thumb is None or (button.rect.contains(thumb) and not any(thumb.colliderect(p) for p in places))
    others = [b.rect for b in screen.buttons[1:]]
    assert not any(screen.buttons[0].rect.colliderect(r) for r in others)
    words = [w for _, w, _, _ in screen.card_parts(screen.buttons[0])[1]]
    assert words[0] == "The Box on the Table" or "Slot 1" in words  # the chapter, or at least which slot it is
    if size == (1280, 720):
        assert any("0m 0" in w for w in words)  # when, and how long into the game


@pytest.mark.parametrize("size, text_scale", [((1280, 720), 1.0), ((1280, 720), 1.4), ((800, 480), 1.4),
                                               ((640, 360), 1.0)])
def test_long_choices_wrap_instead_of_being_cut(tmp_path, size, text_scale):
    app = make_app(long_choice_story(tmp_path / "story"), options=Options(size=size))
    app.settings.font_scale = text_scale
    app.settings_changed()
    play = new_game(app)
    read_to_end_of_node(app)
    assert play.choosing
    rects = [b.rect for b in play.choice_buttons]
    for button, lines in zip(play.choice_buttons, play.choice_lines):
        assert " ".join(lines) == button.label  # every word of every option can be read
    assert all(a.bottom <= b.top for a, b in zip(rects, rects[1:]))
    assert rects[0].top >= 0 and rects[-1].bottom <= play.box.top
    assert all(app.screen.get_rect().contains(r) for r in rects)


def region(app, rect: pygame.Rect) -> bytes:
    app.draw()
    return pygame.image.tobytes(app.screen.subsurface(rect), "RGB")


def toast_area(app) -> pygame.Rect:
    return pygame.Rect(app.theme.w // 2 - 300, 0, 600, 90)


def test_a_toast_replaces_the_one_before_and_goes_after_two_seconds_of_real_time():
    app = make_app()
    new_game(app)
    step(app, 4.0)  # the chapter title has faded; the sky above the text box is still
    quiet = region(app, toast_area(app))
    app.notify("Saved to slot 1.")
    app.notify("Saved to slot 3.")
    assert [n.text for n in app.notices if n.kind == "toast"] == ["Saved to slot 3."]
    assert region(app, toast_area(app)) != quiet
    pause(app, 1.5)  # real time passes, the game's clock does not (a slow frame, a stalled loop)
    step(app)
    assert app.toast is not None and region(app, toast_area(app)) != quiet
    pause(app, 0.6)
    step(app)
    assert app.toast is None and region(app, toast_area(app)) == quiet


def test_toasts_from_a_save_do_not_follow_the_player_back_into_the_story():
    app = make_app()
    play = new_game(app)
    read_to_end_of_node(app)
    key(app, pygame.K_s)
    click(app, app.top.buttons[0].rect.center)
    click(app, app.top.buttons[2].rect.center)
    assert [n.text for n in app.notices] == ["Saved to slot 3."]
    key(app, pygame.K_ESCAPE)
    assert app.top is play
    for _ in range(8):  # the player reads on
        key(app, pygame.K_DOWN)
    assert app.notices == []


def captions_on_screen(app) -> list[str]:
    return [n.text for n in app.captions]


def test_a_caption_fades_a_few_seconds_after_its_sound_starts():
    app = make_app(TOUR)
    app.settings.captions = True
    play = new_game(app)
    read_to_end_of_node(app)
    key(app, pygame.K_SPACE)  # the plaza: the owl's wings
    assert captions_on_screen(app) == ["[a great hush of wings]"]
    step(app, 3.0)
    assert captions_on_screen(app) == ["[a great hush of wings]"]
    step(app, 0.8)
    assert app.animating()  # fading out
    step(app, 0.4)
    assert captions_on_screen(app) == []
    assert app.session.engine.state.node == "tour_plaza" and play.owl_active()


def test_captions_go_when_the_scene_changes_and_never_pile_up():
    app = make_app(TOUR)
    app.settings.captions = True
    new_game(app)
    read_to_end_of_node(app)
    key(app, pygame.K_SPACE)
    read_to_end_of_node(app)
    key(app, pygame.K_SPACE)  # the plaza -> the rainy street
    assert captions_on_screen(app) == ["[rain on the windows]"]
    read_to_end_of_node(app)
    key(app, pygame.K_SPACE)  # -> the outage, in the subway
    assert captions_on_screen(app) == ["[a flat, repeating error tone]"]
    app.caption("[a flat, repeating error tone]", "outage_error")
    assert captions_on_screen(app) == ["[a flat, repeating error tone]"]  # the same sound again: one caption


def test_a_loop_caption_goes_when_the_loop_stops(tmp_path):
    story = tmp_path / "story"
    shutil.copytree(TOUR, story)
    chapter = story / "chapters" / "tour.yaml"
    text = chapter.read_text(encoding="utf-8")
    quiet = """  - id: tour_rain_stops
    title: The rain stops
    scene: {location: street, time: night, mood: melancholy, weather: rain}
    stop: [ambience]
    text:
      - And then, all at once, it stops.
    next: tour_outage
"""
    rain = "      - The rain turns the street into a long smear of lamps.\n"
    text = text.replace(rain + "    next: tour_outage\n", rain + "    next: tour_rain_stops\n" + quiet)
    chapter.write_text(text, encoding="utf-8")
    app = make_app(str(story))
    app.settings.captions = True
    new_game(app)
    app.session.engine.warp("tour_plaza")
    step(app)
    read_to_end_of_node(app)
    key(app, pygame.K_SPACE)
    assert app.session.engine.state.node == "tour_rain"
    assert captions_on_screen(app) == ["[rain on the windows]"]
    read_to_end_of_node(app)
    key(app, pygame.K_SPACE)  # same street, same rain on screen, but the sound has stopped
    assert app.session.engine.state.node == "tour_rain_stops"
    assert captions_on_screen(app) == []


def test_every_place_time_and_mood_a_story_may_name_has_its_own_drawing():
    from game.story.loader import load_story
    from game.story.model import SCENE_VOCABULARY
    from game.ui import painter
    assert set(SCENE_VOCABULARY["location"]) <= set(painter.LOCATIONS)  # no scene falls back to the apartment
    assert set(SCENE_VOCABULARY["time"]) <= set(painter.LIGHTS)
    assert set(SCENE_VOCABULARY["mood"]) <= set(painter.MOODS)
    story, _ = load_story(os.path.join(ROOT, "story"))
    used = {node.scene.location for node in story.nodes.values() if node.scene and node.scene.location}
    assert used <= set(painter.LOCATIONS) and len(used) >= 10
    pictures = {name: pygame.image.tobytes(painter.paint_canvas(name, "night", None, None), "RGB")
                for name in sorted(used)}
    assert len(set(pictures.values())) == len(pictures)  # each one a different picture


def test_samantha_brings_the_visualizer_and_the_outage_glitches():
    app = make_app(TOUR)
    play = new_game(app)
    key(app, pygame.K_SPACE)
    key(app, pygame.K_SPACE)
    assert play.current.line.speaker == "samantha" and play.visualizer_energy() > 0
    app.session.engine.warp("tour_outage")
    step(app, 0.1)
    key(app, pygame.K_RIGHT)
    key(app, pygame.K_RETURN)  # the content note before it: keep the effect
    assert play.outage_active()
    step(app, 5.0, dt=1 / 60)
    drawn = len(app.frame_times)
    step(app, 2.0, dt=1 / 60)  # 120 frames' time: the tearing moves on twice a second
    assert 3 <= len(app.frame_times) - drawn <= 5
    app.settings.reduced_motion = True
    step(app, 1.0)
    drawn = len(app.frame_times)
    step(app, 2.0)
    assert not play.animating() and len(app.frame_times) == drawn  # reduced motion: the glitch holds still


def test_the_outage_glitch_tears_the_screen_but_never_the_words_being_read():
    from game.ui import painter
    rng = random.Random(5)
    original = pygame.Surface((640, 360))
    for y in range(0, 360, 4):  # a patchwork, so a torn (shifted) slice shows
        for x in range(0, 640, 8):
            original.fill((rng.randrange(200), rng.randrange(200), rng.randrange(200)), (x, y, 8, 4))
    words = pygame.Rect(100, 250, 440, 60)
    original.fill((100, 220, 100), words.inflate(-40, -20))  # "the words": a green brighter than any background
    tinted = original  # the glitch itself never changes a colour: the tint is the background's
    torn_outside = 0
    for frame in range(40):
        surf = original.copy()
        painter.glitch(surf, frame / painter.GLITCH_FPS, keep=(words,))
        before = pygame.surfarray.array3d(tinted.subsurface(words)).astype(int)
        after = pygame.surfarray.array3d(surf.subsurface(words)).astype(int)
        assert (after == before).all(), f"frame {frame}: the words were torn"
        whole = pygame.surfarray.array3d(surf).astype(int) - pygame.surfarray.array3d(tinted).astype(int)
        torn_outside += bool(whole.any())
        pixels = pygame.surfarray.array3d(surf).astype(int)
        pixels[words.left:words.right, words.top:words.bottom] = 0
        assert not (pixels[..., 1] >= 219).any(), f"frame {frame}: the words were copied out beside themselves"
    assert torn_outside > 10  # and the rest of the screen does tear


def test_loop_idles_when_nothing_moves():
    app = make_app()
    play = new_game(app)
    read_to_end_of_node(app)
    step(app, 4.0)  # the chapter title fades out
    assert not app.animating() and not play.animating()
    drawn = len(app.frame_times)
    step(app, 2.0)
    assert len(app.frame_times) == drawn  # nothing changed, nothing drawn


def test_a_bug_in_the_window_keeps_the_place_and_shows_no_traceback(capsys):
    app = make_app()
    play = new_game(app)
    choose(app, 2)
    app.library.saves.delete("auto")

    def broken(surface):
        raise ZeroDivisionError("a bug")
    play.draw = broken
    app.dirty = True
    assert app.run() == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "the game stopped because of a bug" in err and "autosaved" in err
    assert app.library.saves.load("auto").state.node == "setup_voice"
    with open(os.path.join(app.library.folder, "crash.log"), encoding="utf-8") as log:
        assert "ZeroDivisionError: a bug" in log.read()


def test_cli_lists_play_without_importing_pygame():
    code = "import sys, game.cli; game.cli.build_parser(); print('pygame' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_no_display_says_to_use_text_mode(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    env["HER_DATA_DIR"] = str(tmp_path)
    out = subprocess.run([sys.executable, "main.py", "--story", SAMPLE], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2
    assert "python main.py text" in out.stderr
    assert "Traceback" not in out.stderr


def test_bad_start_options_fail_before_any_window(capsys):
    from game.cli import main
    assert main(["play", "--story", SAMPLE, "--load", "5"]) == 2
    assert "save slot '5' is empty" in capsys.readouterr().err
    assert main(["play", "--story", SAMPLE, "--start", "nowhere"]) == 2
    assert "no node 'nowhere'" in capsys.readouterr().err
    assert main(["play", "--story", SAMPLE, "--set", "nobody=1"]) == 2
    assert "no variable 'nobody'" in capsys.readouterr().err
    assert main(["play", "--story", SAMPLE, "--fast"]) == 2
    replay = os.path.join(os.environ["HER_DATA_DIR"], "bad.json")
    os.makedirs(os.path.dirname(replay), exist_ok=True)
    with open(replay, "w", encoding="utf-8") as handle:
        json.dump({"format": 1, "story": "sample", "seed": 1, "choices": ["x"]}, handle)
    assert main(["play", "--story", SAMPLE, "--replay", replay]) == 2
    assert "choice numbers" in capsys.readouterr().err


def test_loading_a_save_brings_back_the_sounds_of_the_path_so_far():
    app = make_app()
    new_game(app)
    assert "city_ambience" in app.audio.playing()  # the first scene's loop
    read_to_end_of_node(app)
    key(app, pygame.K_2)  # on to the setup voice, which starts only a chime
    key(app, pygame.K_F6)
    app.quit()
    later = make_app()  # a new start: nothing sounds until the save is loaded
    assert later.audio.playing() == []
    assert later.load_game("quick")
    step(later, 0.1)
    assert later.session.engine.state.node == "setup_voice"
    assert "city_ambience" in later.audio.playing()


def test_the_title_screen_is_quiet_after_leaving_a_game():
    app = make_app()
    new_game(app)
    assert "city_ambience" in app.audio.playing()
    app.to_title()
    step(app, 3.0)  # the loops fade out
    assert app.audio.playing() == []


@pytest.mark.parametrize("setting, paused", [(True, True), (False, False)])
def test_losing_focus_silences_the_game_only_when_the_setting_says_so(setting, paused):
    app = make_app()
    new_game(app)
    calls = []
    app.audio.pause = lambda: calls.append("pause")
    app.settings.pause_in_background = setting
    pygame.event.post(pygame.event.Event(pygame.WINDOWFOCUSLOST))
    step(app, 0.1)
    assert (calls == ["pause"]) is paused


def test_the_title_screen_plays_the_storys_theme_and_a_game_replaces_it():
    app = make_app(STORY)
    assert app.audio.playing() == ["piano_piece"]  # story.yaml: title_music
    new_game(app)
    step(app, 3.0)
    assert "piano_piece" not in app.audio.playing()
    app.to_title()
    step(app, 3.0)
    assert app.audio.playing() == ["piano_piece"]

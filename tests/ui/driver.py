"""Drives the window game headless (SDL dummy drivers): post events, step the loop, look at the scenes."""
from __future__ import annotations

import os
from pathlib import Path

import pygame

from game.runtime.persist import PlayerData
from game.runtime.saves import SaveStore
from game.story.validate import load_and_validate
from game.ui.app import App, Options
from game.ui.session import Library, Session
from tests.paths import SAMPLE

INPUT_PACE = 0.25  # seconds of real time a player's key press or click takes


class ManualClock:
    """The app's real-time clock (toasts live on it), moved by the driver: by each step's dt, and by
    INPUT_PACE for each key or click, so a burst of input takes the time a player's hands would."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def library(story_path: str = SAMPLE) -> Library:
    result = load_and_validate(story_path)
    assert result.ok, [d.format() for d in result.errors]
    folder = os.environ["HER_DATA_DIR"]
    story = result.story
    return Library(story, SaveStore(folder, story), PlayerData.load(folder, story.id), folder, [story_path])


def make_app(story_path: str = SAMPLE, session_mode: str | None = None, options: Options | None = None,
             **session_args) -> App:
    lib = library(story_path)
    session = Session.new(lib, mode=session_mode, **session_args) if session_mode else None
    app = App(lib, options or Options(), session, clock=ManualClock())
    app.step(0.0)
    return app


def step(app: App, seconds: float = 0.0, dt: float = 0.05) -> None:
    app.step(0.0)
    elapsed = 0.0
    while elapsed < seconds and app.running:
        app.clock.advance(dt)
        app.step(dt)
        elapsed += dt


def pause(app: App, seconds: float) -> None:
    """Real time passes (the player reads, looks away) without the loop turning."""
    app.clock.advance(seconds)


def key(app: App, k: int, mod: int = 0, seconds: float = 0.0) -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode="", scancode=0))
    pygame.event.post(pygame.event.Event(pygame.KEYUP, key=k, mod=mod, unicode="", scancode=0))
    step(app, seconds)
    app.clock.advance(INPUT_PACE)


def click(app: App, pos: tuple[int, int], button: int = 1, seconds: float = 0.0) -> None:
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=button))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=button))
    step(app, seconds)
    app.clock.advance(INPUT_PACE)


def wheel(app: App, y: int) -> None:
    pygame.event.post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=y, flipped=False, precise_x=0.0,
                                         precise_y=float(y)))
    step(app)
    app.clock.advance(INPUT_PACE)


def play_scene(app: App):
    return app.find("play")


def read_to_end_of_node(app: App, limit: int = 40) -> None:
    """Press Space until the node's last line is fully shown (choices, if any, are then on screen)."""
    play = play_scene(app)
    for _ in range(limit):
        if play.at_last_beat and not play.revealing:
            return
        key(app, pygame.K_SPACE)
    raise AssertionError("the node never finished showing its text")


def choose(app: App, number: int) -> None:
    """Read the node to its choices and take choice `number` by its key."""
    read_to_end_of_node(app)
    key(app, pygame.K_0 + number)


def button_labelled(scene, label: str):
    return next(b for b in scene.buttons if b.label == label)


def new_game(app: App):
    """From the title screen, New game: the play scene."""
    from game.ui.scenes.title import TitleScene
    title = app.top
    assert isinstance(title, TitleScene)
    click(app, button_labelled(title, "New game").rect.center)
    return play_scene(app)


def play_to_the_short_ending(app: App):
    """New game on the sample story and its shortest way to an ending (plug it in, a loving mother, lean
    closer), continuing past the cut-off node; returns the play scene, still revealing the last node."""
    new_game(app)
    for number in (2, 2, 1):
        choose(app, number)
        if app.session.engine.state.node == "setup_cut_off":
            read_to_end_of_node(app)
            key(app, pygame.K_SPACE)
    return play_scene(app)


def shot(app: App, folder: str, name: str) -> str:
    app.draw()
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{name}.png")
    pygame.image.save(app.screen, path)
    return path


# ------------------------------------------------------------ stories made for a test

def long_story(folder: Path, chapters: int = 5, length: int = 9) -> str:
    """A story long enough that its flowchart cannot fit in the window: chapters of nodes in a row, each
    with a fork in the middle."""
    (folder / "chapters").mkdir(parents=True)
    (folder / "story.yaml").write_text(
        "format: 1\nid: long\ntitle: Long\nstart: c0_n0\nchapters: [chapters/*.yaml]\n"
        "endings:\n  end: {title: The End, description: It ends.}\n", encoding="utf-8")
    for c in range(chapters):
        nodes = []
        for n in range(length):
            last = c == chapters - 1 and n == length - 1
            nxt = f"c{c}_n{n + 1}" if n + 1 < length else f"c{c + 1}_n0"
            node = f"  - id: c{c}_n{n}\n    title: Scene {c}.{n}\n    text: [Words.]\n"
            if last:
                node += "    ending: end\n"
            elif n == 3:
                node += (f"    choices:\n      - text: On.\n        goto: {nxt}\n"
                         f"      - text: Aside.\n        goto: c{c}_side\n")
            else:
                node += f"    next: {nxt}\n"
            nodes.append(node)
        nodes.append(f"  - id: c{c}_side\n    title: Aside {c}\n    text: [Words.]\n    next: c{c}_n5\n")
        (folder / "chapters" / f"c{c}.yaml").write_text(
            f"chapter:\n  id: c{c}\n  title: Chapter {c}\nnodes:\n" + "".join(nodes), encoding="utf-8")
    return str(folder)


LONG_CHOICES = [
    "Tell her the truth about Catherine, the papers on the table and the pen he never picked up.",
    "Keep it light and charming, the way he knows how, and ask about her sister's wedding instead.",
    "Plead an early morning at the office and leave before the dessert menus come round again.",
]


def long_choice_story(folder: Path) -> str:
    (folder / "chapters").mkdir(parents=True)
    (folder / "story.yaml").write_text(
        "format: 1\nid: long_choices\ntitle: Long\nstart: dinner\nchapters: [chapters/*.yaml]\n"
        "variables:\n  brave: {type: bool, default: false, description: Read by the last choice.}\n"
        "endings:\n  end: {title: The End, description: It ends.}\n", encoding="utf-8")
    choices = "".join(f"      - text: {text}\n        goto: after\n" for text in LONG_CHOICES[:2])
    choices += (f"      - text: {LONG_CHOICES[2]}\n        goto: after\n        if: brave\n"
                "        unavailable: show\n        reason: He is not brave enough for that tonight, not yet.\n")
    (folder / "chapters" / "one.yaml").write_text(
        "chapter:\n  id: one\n  title: One\nnodes:\n"
        "  - id: dinner\n    text: [The restaurant is warm.]\n    choices:\n" + choices +
        "  - id: after\n    text: [Later.]\n    ending: end\n", encoding="utf-8")
    return str(folder)

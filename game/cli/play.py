"""`play` (and plain `her` / `python main.py`): the window game.

Importing this module must not import pygame: the CLI imports it just to list its subcommands.
"""
from __future__ import annotations

import argparse
import os
import sys

from ..runtime.launch import LaunchError, launch
from ..runtime.persist import PlayerData
from ..runtime.saves import SaveStore
from ..runtime.storage import data_dir
from ..story.diagnostics import visible
from .common import EXIT_USAGE, UsageError, data_arg, launch_args, load_playable, story_arg, story_paths
from .text import launch_options

EXIT_NO_DISPLAY = 2


def add_arguments(p: argparse.ArgumentParser) -> None:
    story_arg(p)
    data_arg(p)
    launch_args(p)
    p.add_argument("--fast", action="store_true", help="with --replay: play as fast as possible")
    p.add_argument("--fullscreen", action="store_true", help="start in fullscreen (F11 toggles)")


def cmd_play(args: argparse.Namespace) -> int:
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from ..ui.session import PLAY, REPLAY, SCENE, Library, Session

    if args.fast and not args.replay:
        raise UsageError("--fast goes with --replay FILE")
    story = load_playable(args)
    folder = data_dir(args.data_dir)
    library = Library(story, SaveStore(folder, story), PlayerData.load(folder, story.id), folder,
                      list(story_paths(args)))
    session = None
    notes: list[str] = []
    replay_choices = None
    options = launch_options(args)
    if options.any:  # otherwise the title screen
        try:
            started = launch(story, library.saves, options)
        except LaunchError as err:
            print(f"error: {visible(str(err))}", file=sys.stderr)  # it may quote what was typed
            return EXIT_USAGE
        mode = REPLAY if started.replay else SCENE if started.throwaway else PLAY  # warps are never saved
        session = Session(library, started.engine, mode, started.play_time)
        notes = started.notes
        replay_choices = started.replay.choices if started.replay else None

    import pygame  # only now: listing subcommands must not pay for (or require) pygame

    from ..ui.app import App, NoDisplay, Options

    try:
        app = App(library, Options(fullscreen=args.fullscreen, fast=args.fast, replay_choices=replay_choices),
                  session, notes)
    except NoDisplay as err:
        print(f"error: cannot open a window: {err}.\n"
              f"To play without a display, use the terminal version: python main.py text", file=sys.stderr)
        return EXIT_NO_DISPLAY
    try:
        return app.run()
    finally:
        pygame.quit()


SUBCOMMANDS = {"play": ("play in a window (the default)", add_arguments, cmd_play)}

"""`python main.py play` (and plain `python main.py`): the window game.

Importing this module must not import pygame: the CLI imports it just to list its subcommands.
"""
from __future__ import annotations

import argparse
import os
import sys

from .. import cli

EXIT_NO_DISPLAY = 2


def add_arguments(p: argparse.ArgumentParser) -> None:
    cli._story_arg(p)
    cli._data_arg(p)
    cli._warp_args(p)
    p.add_argument("--seed", type=int, help="seed for chance() (default: random)")
    p.add_argument("--fast", action="store_true", help="with --replay: play as fast as possible")
    p.add_argument("--fullscreen", action="store_true", help="start in fullscreen (F11 toggles)")


def play(args: argparse.Namespace) -> int:
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    from ..runtime.engine import EngineError
    from ..runtime.persist import PlayerData
    from ..runtime.saves import SaveError, SaveStore
    from ..runtime.storage import data_dir
    from ..text import ReplayError, read_replay
    from .session import PLAY, REPLAY, Library, Session

    if args.fast and not args.replay:
        raise cli.UsageError("--fast goes with --replay FILE")
    story = cli.load_playable(args)
    folder = data_dir(args.data_dir)
    library = Library(story, SaveStore(folder, story), PlayerData.load(folder, story.id), folder,
                      list(cli.story_paths(args)))
    session = None
    notes: list[str] = []
    replay_choices = None
    try:
        if args.replay:
            replay = read_replay(args.replay)
            if replay.story and replay.story != story.id:
                raise cli.UsageError(f"{args.replay}: this replay is for story '{replay.story}', not '{story.id}'")
            session = Session.new(library, seed=replay.seed, start=args.start, mode=REPLAY)
            replay_choices = replay.choices
        elif args.load:
            session, notes = Session.load(library, args.load)
        elif args.start or args.set or args.seed is not None:
            session = Session.new(library, seed=args.seed, start=args.start, mode=PLAY)
        for assignment in args.set or []:
            if session is None:
                session = Session.new(library, seed=args.seed)
            name, value = cli.parse_assignment(story, assignment)
            session.engine.set_variable(name, value)
    except (ReplayError, SaveError, EngineError) as err:
        print(f"error: {err}", file=sys.stderr)
        return cli.EXIT_USAGE

    import pygame  # only now: listing subcommands must not pay for (or require) pygame

    from .app import App, NoDisplay, Options

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


SUBCOMMANDS = {"play": ("play in a window (the default)", add_arguments, play)}

"""`text`: play in the terminal."""
from __future__ import annotations

import argparse
import io
import sys

from ..runtime.launch import LaunchError, LaunchOptions, launch
from ..runtime.persist import PlayerData
from ..runtime.saves import SaveStore
from ..runtime.storage import data_dir
from ..story.cache import load_cached
from ..story.diagnostics import excerpt, visible
from ..story.model import Story
from ..text import TextGame
from .common import EXIT_OK, EXIT_USAGE, data_arg, launch_args, load_playable, story_arg, story_paths


def add_arguments(p: argparse.ArgumentParser) -> None:
    story_arg(p)
    data_arg(p)
    launch_args(p)


def launch_options(args: argparse.Namespace) -> LaunchOptions:
    return LaunchOptions(start=args.start, seed=args.seed, load=args.load, replay=args.replay,
                         assignments=args.set or ())


def cmd_text(args: argparse.Namespace) -> int:
    story = load_playable(args)
    folder = data_dir(args.data_dir)
    saves = SaveStore(folder, story)
    player = PlayerData.load(folder, story.id)
    try:
        started = launch(story, saves, launch_options(args))
    except LaunchError as err:
        print(f"error: {visible(str(err))}", file=sys.stderr)  # it may quote what was typed
        return EXIT_USAGE
    for note in started.notes:
        print(f"Note: {note}")

    def reload_story() -> tuple[Story | None, list[str]]:
        result = load_cached(story_paths(args))
        return (result.story if result.ok else None), [d.format() for d in result.errors]

    if player.note:
        print(f"Note: {player.note}")
    game = TextGame(story, started.engine, sys.stdout, saves, player, reload_story, keep_progress=not started.throwaway)
    if started.replay is not None:
        return game.replay(started.replay.choices)
    interactive = sys.stdin.isatty()
    if isinstance(sys.stdin, io.TextIOWrapper):  # bytes that are not text must not end the game (strict UTF-8 locales)
        sys.stdin.reconfigure(errors="replace")

    def read_line(prompt: str) -> str | None:
        try:
            if interactive:
                return input(prompt)
            sys.stdout.write(prompt)
            line = sys.stdin.readline()
            if not line:
                return None
            sys.stdout.write(visible(excerpt(line.rstrip("\r\n"), 100)) + "\n")  # the echo of piped input
            return line
        except EOFError:
            return None

    try:
        return game.play(read_line, interactive)
    except KeyboardInterrupt:
        print(f"\n{game.farewell()}")
        return EXIT_OK


SUBCOMMANDS = {"text": ("play in the terminal", add_arguments, cmd_text)}

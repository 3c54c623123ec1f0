"""What every subcommand shares: exit codes, the usage error, argument groups and loading the story."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from ..paths import SHIPPED_STORY
from ..story.cache import load_cached
from ..story.diagnostics import Diagnostic
from ..story.model import Story
from ..story.validate import Result, stats

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2

# name -> (help, function that adds arguments, handler)
Subcommand = tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]


class UsageError(Exception):
    """Bad arguments or unusable files: printed, exit 2."""


def story_paths(args: argparse.Namespace) -> list[str]:
    """--story folders (default: the shipped story); a missing one is a usage error (exit 2)."""
    paths: list[str] = args.story or [SHIPPED_STORY]
    for path in paths:
        if not os.path.exists(path):
            raise UsageError(f"no story at '{path}'")
    return paths


def print_diagnostics(diagnostics: Sequence[Diagnostic], out: TextIO | None = None) -> None:
    out = out or sys.stderr
    for diag in diagnostics:
        print(diag.format(), file=out)


def summary(result: Result) -> str:
    errors, warnings = len(result.errors), len(result.warnings)
    text = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    if result.story is not None:
        s = stats(result.story)
        text += (f" ({s['files']} files, {s['nodes']} nodes, {s['choices']} choices, {s['endings']} endings, "
                 f"{s['words']:,} words)")
    return text


def load_playable(args: argparse.Namespace) -> Story:
    """The story of --story (from the compiled-story cache when nothing changed); when it has errors they
    are printed and the command exits 1 (as validate)."""
    result = load_cached(story_paths(args))
    if not result.ok or result.story is None:
        print_diagnostics(result.errors)
        print(f"The story has errors; fix them and try again. ({summary(result)})", file=sys.stderr)
        raise SystemExit(EXIT_FOUND)
    return result.story


# ---------------------------------------------------------------- argument groups and types

def story_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--story", action="append", metavar="PATH",
                   help="story folder (default: the shipped story); repeat to add add-on folders")


def data_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", metavar="DIR", help="where saves and progress live (default: $HER_DATA_DIR or "
                                                     "the user data folder)")


def launch_args(p: argparse.ArgumentParser) -> None:
    """How a game begins: the options game.runtime.launch understands."""
    p.add_argument("--start", metavar="NODE", help="begin at this node instead of the story's start")
    p.add_argument("--set", action="append", metavar="VAR=VALUE", help="set a variable before play (repeatable)")
    p.add_argument("--load", metavar="SLOT", help="continue a saved game (1-99, auto, quick)")
    p.add_argument("--replay", metavar="FILE", help="play a replay file (JSON list of choice numbers)")
    p.add_argument("--seed", type=seed, help="seed for chance() (default: random)")


def positive(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    value = whole(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def whole(text: str) -> int:
    """argparse type: a whole number."""
    try:
        return int(text)
    except ValueError:
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{shown}'") from None


MAX_SEED = 2 ** 63 - 1  # saves and replays hold the seed; a larger one would not read back


def seed(text: str) -> int:
    """argparse type: a seed that a save can hold."""
    value = whole(text)
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"a seed is a whole number from 0 to {MAX_SEED:,}")
    return value

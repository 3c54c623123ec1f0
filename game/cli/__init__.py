"""Command line: the only place that turns diagnostics and errors into printed lines and exit codes.

One module per subcommand; each declares SUBCOMMANDS = {name: (help, add_arguments, handler)}.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from ..story.cache import StoryCacheDamaged
from ..story.diagnostics import visible
from .common import EXIT_FOUND, EXIT_OK, EXIT_USAGE, Subcommand, UsageError

# modules in the order `--help` lists their subcommands; the window and audio ones import pygame
# only when run, so listing them costs nothing
_MODULES = ("game.cli.play", "game.cli.text", "game.cli.validate", "game.cli.explore", "game.cli.graph",
            "game.cli.soak", "game.cli.report", "game.cli.authoring", "game.cli.audio")


def subcommands() -> dict[str, Subcommand]:
    commands: dict[str, Subcommand] = {}
    for module in _MODULES:
        commands.update(importlib.import_module(module).SUBCOMMANDS)
    return commands


def build_parser() -> argparse.ArgumentParser:
    prog = "her" if os.path.basename(sys.argv[0]) == "her" else "python main.py"
    parser = argparse.ArgumentParser(prog=prog, description="Her: an interactive fiction game. "
                                     "Without a subcommand, opens the window game (same as 'play').")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, add_args, handler) in subcommands().items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_args(p)
        p.set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["play"] + argv
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        result: int = args.handler(args)
        return result
    except UsageError as err:
        print(f"error: {visible(str(err))}", file=sys.stderr)  # it may quote what was typed
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except StoryCacheDamaged as err:  # saves are written as play goes: nothing is lost by stopping here
        print(f"error: {err}", file=sys.stderr)
        return EXIT_FOUND

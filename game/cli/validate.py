"""`validate`: check a story like a compiler; exit 0 clean, 1 errors, 2 usage."""
from __future__ import annotations

import argparse
import json
import sys

from ..story.validate import load_and_validate, stats
from .common import EXIT_FOUND, EXIT_OK, print_diagnostics, story_arg, story_paths, summary

_NO_STATS = {"files": 0, "nodes": 0, "choices": 0, "endings": 0, "variables": 0, "words": 0}


def add_arguments(p: argparse.ArgumentParser) -> None:
    story_arg(p)
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def cmd_validate(args: argparse.Namespace) -> int:
    result = load_and_validate(story_paths(args))
    if args.json:
        print(json.dumps({
            "ok": result.ok,
            "diagnostics": [d.to_dict() for d in result.diagnostics],
            "stats": stats(result.story) if result.story else _NO_STATS,
        }, indent=1))
    else:
        print_diagnostics(result.diagnostics, sys.stdout)
        print(summary(result))
    return EXIT_OK if result.ok else EXIT_FOUND


SUBCOMMANDS = {"validate": ("check the story like a compiler", add_arguments, cmd_validate)}

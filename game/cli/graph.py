"""`graph`: the story graph as Graphviz DOT or an interactive HTML page."""
from __future__ import annotations

import argparse
import os

from ..explore import DEFAULT_MAX_STATES, explore
from ..tools.graph import to_dot, to_html
from .common import EXIT_OK, UsageError, load_playable, positive, story_arg


def _args_graph(p: argparse.ArgumentParser) -> None:
    story_arg(p)
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.dot (Graphviz) or FILE.html (interactive)")
    p.add_argument("--max-states", type=positive, default=DEFAULT_MAX_STATES, metavar="N",
                   help="state limit for the exploration that marks unreachable nodes and dead choices")
    p.add_argument("--no-explore", action="store_true", help="draw the links only, without exploring the states")


def cmd_graph(args: argparse.Namespace) -> int:
    suffix = os.path.splitext(args.out)[1].lower()
    if suffix not in (".dot", ".gv", ".html", ".htm"):
        raise UsageError(f"--out: '{args.out}' should end in .dot or .html")
    story = load_playable(args)
    found = None if args.no_explore else explore(story, args.max_states)
    text = to_dot(story, found) if suffix in (".dot", ".gv") else to_html(story, found)
    try:
        folder = os.path.dirname(os.path.abspath(args.out))
        os.makedirs(folder, exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as err:
        raise UsageError(f"cannot write '{args.out}': {err.strerror}") from None
    marks = ""
    if found is not None and found.complete:
        marks = f" ({len(found.unreached_nodes)} unreached nodes, {len(found.dead_choices)} dead choices marked)"
    elif found is not None:
        marks = (f" (exploration INCOMPLETE: stopped because {found.stopped}; unreached nodes and dead choices "
                 "are unknown, so none is marked)")
    chapters = len(story.chapters)
    print(f"Wrote {args.out}: {len(story.nodes)} nodes in {chapters} chapter{'s' * (chapters != 1)}{marks}.")
    return EXIT_OK


SUBCOMMANDS = {"graph": ("write the story graph as DOT or interactive HTML", _args_graph, cmd_graph)}

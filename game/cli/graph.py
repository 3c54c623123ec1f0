"""`graph`: the story graph as Graphviz DOT or an interactive HTML page.

The links are drawn first, from the story alone, so a graph exists however big the state space is;
then an exploration within a budget adds what it proved (by default; `--explore` lifts the budget,
`--no-explore` skips it)."""
from __future__ import annotations

import argparse
import os

from ..explore import DEFAULT_MAX_STATES, Budget, Exploration, explore
from ..story.model import Story
from ..tools.graph import to_dot, to_html
from .common import EXIT_OK, UsageError, load_playable, positive, story_arg

GRAPH_BUDGET = 200_000  # states: the shipped story needs a few thousand; a far bigger one is cut short
GRAPH_SECONDS = 30.0  # and time: the graph is already written, the marks should not keep anyone waiting


def _args_graph(p: argparse.ArgumentParser) -> None:
    story_arg(p)
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.dot (Graphviz) or FILE.html (interactive)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--explore", dest="explore", action="store_true", default=None,
                     help="explore every state before marking (no budget unless --max-states is given)")
    how.add_argument("--no-explore", dest="explore", action="store_false",
                     help="draw the links only, without exploring the states")
    p.add_argument("--max-states", type=positive, default=None, metavar="N",
                   help=f"state budget of the exploration that marks unreachable nodes and dead choices "
                        f"(default {GRAPH_BUDGET:,} states within {GRAPH_SECONDS:g} s; with --explore, none)")


def _write(path: str, story: Story, found: Exploration | None, dot: bool) -> None:
    text = to_dot(story, found) if dot else to_html(story, found)
    try:
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        temporary = path + ".tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)  # a reader (or a refreshing browser) never sees half a graph
    except OSError as err:
        raise UsageError(f"cannot write '{path}': {err.strerror}") from None


def cmd_graph(args: argparse.Namespace) -> int:
    suffix = os.path.splitext(args.out)[1].lower()
    if suffix not in (".dot", ".gv", ".html", ".htm"):
        raise UsageError(f"--out: '{args.out}' should end in .dot or .html")
    if args.explore is False and args.max_states is not None:
        raise UsageError("--max-states: there is no exploration to limit with --no-explore")
    story = load_playable(args)
    dot = suffix in (".dot", ".gv")
    chapters = len(story.chapters)
    drawn = f"Wrote {args.out}: {len(story.nodes)} nodes in {chapters} chapter{'s' * (chapters != 1)}"
    _write(args.out, story, None, dot)
    if args.explore is False:
        print(f"{drawn} (links only: not explored).")
        return EXIT_OK
    states = args.max_states or (DEFAULT_MAX_STATES if args.explore else GRAPH_BUDGET)
    print(f"{drawn} (links); exploring{'' if args.explore else f' up to {states:,} states'} to mark it ...",
          flush=True)
    found = explore(story, states, budget=Budget(None, None) if args.explore else Budget(GRAPH_SECONDS))
    _write(args.out, story, found, dot)
    if found.complete:
        marks = f"{len(found.unreached_nodes)} unreached nodes, {len(found.dead_choices)} dead choices marked"
    else:
        proved = sum(1 for e in found.endings.values() if e.reachable)
        marks = (f"exploration INCOMPLETE: stopped because {found.stopped}; {proved} of {len(found.endings)} "
                 "endings proved reachable; unreached nodes and dead choices are unknown, so none is marked"
                 + ("" if args.explore else "; --explore explores every state"))
    print(f"{drawn} ({marks}).")
    return EXIT_OK


SUBCOMMANDS = {"graph": ("write the story graph as DOT or interactive HTML", _args_graph, cmd_graph)}

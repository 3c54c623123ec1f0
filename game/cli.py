"""Command line: the only place that turns diagnostics and errors into printed lines and exit codes."""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence

from .story.diagnostics import Diagnostic
from .story.model import Story
from .story.validate import Result, load_and_validate, stats

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_STORY = os.path.join(PROJECT_ROOT, "story")

EXIT_OK, EXIT_FOUND, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments or unusable files: printed, exit 2."""


def story_paths(args: argparse.Namespace) -> list[str]:
    """--story folders (default: the shipped story); a missing one is a usage error (exit 2)."""
    paths = args.story or [DEFAULT_STORY]
    for path in paths:
        if not os.path.exists(path):
            raise UsageError(f"no story at '{path}'")
    return paths


def print_diagnostics(diagnostics: Sequence[Diagnostic], out=None) -> None:
    out = out or sys.stderr
    for diag in diagnostics:
        print(diag.format(), file=out)


def summary(result: Result) -> str:
    errors, warnings = len(result.errors), len(result.warnings)
    text = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    if result.story is not None:
        s = stats(result.story)
        text += f" ({s['files']} files, {s['nodes']} nodes, {s['choices']} choices, {s['endings']} endings, {s['words']:,} words)"
    return text


def load_playable(args: argparse.Namespace) -> Story:
    """The story, or UsageError-free exit with diagnostics printed when it has errors."""
    result = load_and_validate(story_paths(args))
    if not result.ok:
        print_diagnostics(result.errors)
        print(f"The story has errors; fix them and try again. ({summary(result)})", file=sys.stderr)
        raise SystemExit(EXIT_FOUND)
    return result.story  # type: ignore[return-value]


def parse_assignment(story: Story, text: str) -> tuple[str, bool | int | str]:
    """'name=value' for --set, typed by the variable's declaration."""
    name, sep, raw = text.partition("=")
    name, raw = name.strip(), raw.strip()
    if not sep or not name:
        raise UsageError(f"--set expects name=value, got '{text}'")
    var = story.variables.get(name)
    if var is None:
        from .story.diagnostics import did_you_mean
        raise UsageError(f"--set: no variable '{name}'{did_you_mean(name, story.variables)}")
    if var.type == "bool":
        if raw.lower() not in ("true", "false"):
            raise UsageError(f"--set: '{name}' is true or false, not '{raw}'")
        return name, raw.lower() == "true"
    if var.type == "int":
        try:
            return name, int(raw)
        except ValueError:
            raise UsageError(f"--set: '{name}' is a whole number, not '{raw}'") from None
    return name, raw.strip("'\"")


# ---------------------------------------------------------------- subcommands

def cmd_validate(args: argparse.Namespace) -> int:
    result = load_and_validate(story_paths(args))
    if args.json:
        print(json.dumps({
            "ok": result.ok,
            "diagnostics": [d.to_dict() for d in result.diagnostics],
            "stats": stats(result.story) if result.story else {"files": 0, "nodes": 0, "choices": 0, "endings": 0,
                                                               "variables": 0, "words": 0},
        }, indent=1))
    else:
        print_diagnostics(result.diagnostics, sys.stdout)
        print(summary(result))
    return EXIT_OK if result.ok else EXIT_FOUND


def cmd_text(args: argparse.Namespace) -> int:
    from .runtime.engine import Engine, EngineError
    from .runtime.persist import PlayerData
    from .runtime.saves import SaveError, SaveStore
    from .runtime.storage import data_dir
    from .text import ReplayError, TextGame, read_replay

    story = load_playable(args)
    folder = data_dir(args.data_dir)
    saves = SaveStore(folder, story)
    player = PlayerData.load(folder, story.id)
    replay = None
    try:
        if args.replay:
            replay = read_replay(args.replay)
            if replay.story and replay.story != story.id:
                raise UsageError(f"{args.replay}: this replay is for story '{replay.story}', not '{story.id}'")
            engine = Engine(story, seed=replay.seed, start=args.start)
        elif args.load:
            loaded = saves.load(args.load)
            engine = Engine(story, loaded.state)
            for note in loaded.notes:
                print(f"Note: {note}")
        else:
            engine = Engine(story, seed=args.seed, start=args.start)
        for assignment in args.set or []:
            name, value = parse_assignment(story, assignment)
            engine.set_variable(name, value)
    except (ReplayError, SaveError, EngineError, UsageError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE

    def reload_story():
        result = load_and_validate(story_paths(args))
        return (result.story if result.ok else None), [d.format() for d in result.errors]

    if player.note:
        print(f"Note: {player.note}")
    game = TextGame(story, engine, sys.stdout, saves, player, reload_story)
    if replay is not None:
        return game.replay(replay.choices)
    interactive = sys.stdin.isatty()

    def read_line(prompt: str) -> str | None:
        try:
            if interactive:
                return input(prompt)
            sys.stdout.write(prompt)
            line = sys.stdin.readline()
            if not line:
                return None
            sys.stdout.write(line if line.endswith("\n") else line + "\n")
            return line
        except EOFError:
            return None

    try:
        return game.play(read_line, interactive)
    except KeyboardInterrupt:
        game.autosave()
        print("\nSaved to the autosave slot.")
        return EXIT_OK


# name -> (help, function that adds arguments, handler module:function)
Subcommand = tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]


def _story_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--story", action="append", metavar="PATH",
                   help="story folder (default: the shipped story); repeat to add add-on folders")


def _data_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", metavar="DIR", help="where saves and progress live (default: $HER_DATA_DIR or "
                                                     "the user data folder)")


def _warp_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--start", metavar="NODE", help="begin at this node instead of the story's start")
    p.add_argument("--set", action="append", metavar="VAR=VALUE", help="set a variable before play (repeatable)")
    p.add_argument("--load", metavar="SLOT", help="continue a saved game (1-99, auto, quick)")
    p.add_argument("--replay", metavar="FILE", help="play a replay file (JSON list of choice numbers)")


def _args_validate(p: argparse.ArgumentParser) -> None:
    _story_arg(p)
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def _args_text(p: argparse.ArgumentParser) -> None:
    _story_arg(p)
    _data_arg(p)
    _warp_args(p)
    p.add_argument("--seed", type=int, help="seed for chance() (default: random)")


def subcommands() -> dict[str, Subcommand]:
    commands: dict[str, Subcommand] = {
        "text": ("play in the terminal", _args_text, cmd_text),
        "validate": ("check the story like a compiler", _args_validate, cmd_validate),
    }
    for extra in _optional_subcommands():
        commands.update(extra)
    order = ["play", "text", "validate", "explore", "graph", "soak", "new-branch", "schema", "audio"]
    return dict(sorted(commands.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)))


def _optional_subcommands() -> list[dict[str, Subcommand]]:
    """Subcommands that live in their own modules (window, audio, analysis, authoring tools)."""
    found = []
    for module in ("game.ui.commands", "game.audio.commands", "game.analysis_commands", "game.authoring"):
        try:
            imported = __import__(module, fromlist=["SUBCOMMANDS"])
        except ImportError as err:
            if err.name and module.startswith(err.name):
                continue
            raise
        found.append(imported.SUBCOMMANDS)
    return found


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python main.py", description="Her: an interactive fiction game. "
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
        if "play" in subcommands():
            argv = ["play"] + argv
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.handler(args)
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK

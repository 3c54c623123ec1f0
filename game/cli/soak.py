"""`soak`: seeded random playthroughs with saves, loads and rollbacks, checking the engine at every step."""
from __future__ import annotations

import argparse
import json
import shlex
import sys
import time

from ..runtime.replay import ReplayError, check_story, read_replay, read_replay_data
from ..story.model import Story
from ..tools.soak import Problem, actions_problem, reproduce, soak, write_problem
from .common import EXIT_FOUND, EXIT_OK, UsageError, load_playable, positive, story_arg, whole


def _args_soak(p: argparse.ArgumentParser) -> None:
    story_arg(p)
    p.add_argument("--walks", type=positive, default=200, metavar="N", help="random playthroughs (default 200)")
    p.add_argument("--seed", type=whole, default=0, metavar="S", help="seed of the whole run (default 0)")
    p.add_argument("--max-steps", type=positive, default=2000, metavar="N", help="steps per walk at most (default 2000)")
    p.add_argument("--out", metavar="DIR", default="soak-replays",
                   help="where replay files of problems go (default ./soak-replays, made only when needed)")
    p.add_argument("--replay", metavar="FILE", help="re-run the walk recorded in a soak replay file")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def cmd_soak(args: argparse.Namespace) -> int:
    story = load_playable(args)
    if args.replay:
        return _soak_replay(story, args.replay)
    started = time.perf_counter()
    written: list[str] = []

    def keep(problem: Problem) -> None:
        try:
            written.append(write_problem(problem, story.id, args.out))
        except OSError as err:
            print(f"error: cannot write a replay file into '{args.out}': {err.strerror}", file=sys.stderr)

    result = soak(story, args.walks, args.seed, args.max_steps, on_problem=keep)
    seconds = time.perf_counter() - started
    rate = result.steps / seconds if seconds > 0 else 0.0
    if args.json:
        print(json.dumps({
            "walks": result.walks, "steps": result.steps, "steps_per_second": round(rate),
            "endings": dict(result.endings), "unfinished": result.unfinished,
            "problems": [{"walk": p.walk, "seed": p.seed, "kind": p.kind, "message": p.message, "node": p.node,
                          "choices": p.choices, "replay": p.file} for p in result.problems],
        }, indent=1))
    else:
        print(f"Soaked {result.walks} walks, {result.steps:,} steps in {seconds:.1f} s ({rate:,.0f} steps/s).")
        if result.endings:
            print("Endings: " + ", ".join(f"{k} {v}" for k, v in sorted(result.endings.items())))
        if result.unfinished:
            print(f"{result.unfinished} walk(s) reached --max-steps without an ending (long loops).")
        stories = "".join(f" --story {shlex.quote(path)}" for path in args.story or [])
        for p in result.problems:
            print(f"{p.kind}: walk {p.walk} (seed {p.seed}) at '{p.node}': {p.message}")
            if p.file:
                file = shlex.quote(p.file)
                print(f"  reproduce: python main.py soak{stories} --replay {file}   "
                      f"(or: python main.py text{stories} --replay {file})")
        if not result.problems:
            print("No problems found.")
    return EXIT_FOUND if result.problems else EXIT_OK


def _soak_replay(story: Story, path: str) -> int:
    try:
        replay = read_replay(path)
        recorded = read_replay_data(path).get("soak")
    except ReplayError as err:
        raise UsageError(str(err)) from None
    if not isinstance(recorded, dict) or not isinstance(recorded.get("actions"), list):
        raise UsageError(f"{path}: not a soak replay (no recorded actions); play it with 'text --replay'")
    damage = actions_problem(recorded["actions"])
    if damage:
        raise UsageError(f"{path}: the recorded actions are damaged: {damage}")
    try:
        check_story(replay, story, path)
    except ReplayError as err:
        raise UsageError(str(err)) from None
    try:
        problem = reproduce(story, replay.seed, recorded["actions"])
    except (ValueError, TypeError, IndexError) as err:
        raise UsageError(f"{path}: the recorded actions are damaged ({err})") from None
    if problem is None:
        print(f"The walk in {path} now passes: the problem ({recorded.get('kind')}: {recorded.get('message')}) "
              "is gone.")
        return EXIT_OK
    print(f"Reproduced: {problem.kind} at '{problem.node}': {problem.message}")
    return EXIT_FOUND


SUBCOMMANDS = {
    "soak": ("random playthroughs with saves, loads and rollbacks, checking the engine", _args_soak, cmd_soak),
}

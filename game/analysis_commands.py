"""Subcommands over the story's state space: explore, graph, soak (found by game.cli)."""
from __future__ import annotations

import argparse
import glob
import json
import os
import shlex
import sys
import time
from typing import Any

from .cli import EXIT_FOUND, EXIT_OK, PROJECT_ROOT, UsageError, _story_arg, load_playable
from .runtime.engine import Engine, EngineError
from .story.analysis import DEFAULT_MAX_STATES, DEFAULT_SEED_TRIES, Exploration, Model, Witness, coverage, explore
from .story.model import Choice, Story
from .text import Replay, ReplayError, read_replay, write_replay

PLAYTHROUGHS = os.path.join(PROJECT_ROOT, "story", "playthroughs")


def _load(args: argparse.Namespace) -> Story:
    """The story to work on; a missing folder is a usage error, a story with errors exits 1 (as validate)."""
    return load_playable(args)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None


# ---------------------------------------------------------------- playing witnesses in the engine

def play(story: Story, seed: int, choices: list[int], model: Model | None = None
         ) -> tuple[Engine, list[int], list[str], list[tuple[str, int]]]:
    """Play a replay like text mode does: (engine, choices left over, nodes entered, choices taken).

    Raises EngineError when a choice does not fit."""
    model = model or Model(story)
    engine = Engine(story, seed=seed)
    pending = list(choices)
    taken: list[tuple[str, int]] = []
    while not engine.is_over:
        node = engine.node
        if engine.can_continue:
            state = engine.state
            _, follow = model.concrete_menu(state.node, state.variables, state.visits, state.once_taken,
                                            state.seed, state.steps)
            if isinstance(follow, Choice):
                taken.append((node.id, _position(node.choices, follow)))
            engine.proceed()
            continue
        if not pending:
            break
        number = pending.pop(0)
        views = engine.choices()
        if 1 <= number <= len(views):
            taken.append((node.id, _position(node.choices, views[number - 1].choice)))
        engine.choose(number)
    return engine, pending, list(engine.state.path), taken


def _position(choices: tuple[Choice, ...], choice: Choice) -> int:
    return next(i for i, c in enumerate(choices) if c is choice)


def verify(story: Story, witness: Witness, model: Model, ending: str | None = None, stuck_at: str | None = None
           ) -> bool:
    """Does the engine, with the witness's seed, follow it (to `ending`, or stuck at `stuck_at`)?"""
    if witness.seed is None:
        return False
    try:
        engine, left, path, _ = play(story, witness.seed, witness.choices, model)
    except EngineError:
        return False
    if left or path != witness.path:
        return False
    if ending is not None:
        return engine.state.ending == ending
    if stuck_at is not None:
        return engine.state.node == stuck_at and engine.is_stuck
    return True


# ---------------------------------------------------------------- explore

def _args_explore(p: argparse.ArgumentParser) -> None:
    _story_arg(p)
    p.add_argument("--json", action="store_true", help="print everything as JSON")
    p.add_argument("--emit-replays", metavar="DIR", help="write each witness as a replay file into DIR")
    p.add_argument("--max-states", type=_positive, default=DEFAULT_MAX_STATES, metavar="N",
                   help="stop after this many states (counted after merging equivalent ones; "
                        f"default {DEFAULT_MAX_STATES:,})")
    p.add_argument("--seed-tries", type=_positive, default=DEFAULT_SEED_TRIES, metavar="N",
                   help="seeds to try for a witness that depends on chance() "
                        f"(default {DEFAULT_SEED_TRIES:,})")
    p.add_argument("--coverage", action="store_true",
                   help="count the nodes and choices the witnesses and the golden playthroughs cover")
    p.add_argument("--playthroughs", metavar="DIR", default=PLAYTHROUGHS,
                   help="golden playthroughs (replay files) for --coverage (default: the story's playthroughs folder)")


def cmd_explore(args: argparse.Namespace) -> int:
    story = _load(args)
    started = time.perf_counter()
    found = explore(story, args.max_states, args.seed_tries)
    seconds = time.perf_counter() - started
    model = Model(story)
    verified = _verify_all(story, found, model)
    data = found.to_dict()
    for key, reach in data["endings"].items():
        reach["verified"] = verified.get(("ending", key), False)
    for item in data["softlocks"]:
        item["verified"] = verified.get(("softlock", item["node"]), False)
    for item in data["traps"]:
        item["verified"] = verified.get(("trap", item["entry"]), False)
    written: list[str] = []
    if args.emit_replays:
        written = _emit(story, found, verified, args.emit_replays)
    report = None
    if args.coverage:
        report = _coverage(story, found, verified, model, args.playthroughs)
        data["coverage"] = report
    mismatches = [k for k, ok in verified.items() if not ok and _witness_of(found, k).seed is not None]
    if args.json:
        print(json.dumps(data, indent=1, ensure_ascii=False))
    else:
        _print_explore(story, found, verified, seconds, written, report, args.emit_replays)
    for kind, name in mismatches:
        print(f"internal error: the engine does not follow the {kind} witness for '{name}' "
              "(the explorer and the engine disagree; please report this)", file=sys.stderr)
    return EXIT_FOUND if found.problems or mismatches else EXIT_OK


def _witness_of(found: Exploration, key: tuple[str, str]) -> Witness:
    kind, name = key
    if kind == "ending":
        return found.endings[name].witness  # type: ignore[return-value]
    if kind == "softlock":
        return next(s.witness for s in found.softlocks if s.node == name)
    return next(t.witness for t in found.traps if t.entry == name)


def _verify_all(story: Story, found: Exploration, model: Model) -> dict[tuple[str, str], bool]:
    verified = {}
    for ending in found.endings.values():
        if ending.witness is not None:
            verified[("ending", ending.id)] = verify(story, ending.witness, model, ending=ending.id)
    for lock in found.softlocks:
        verified[("softlock", lock.node)] = verify(story, lock.witness, model, stuck_at=lock.node)
    for trap in found.traps:
        verified[("trap", trap.entry)] = verify(story, trap.witness, model)
    return verified


def _emit(story: Story, found: Exploration, verified: dict[tuple[str, str], bool], folder: str) -> list[str]:
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as err:
        raise UsageError(f"--emit-replays: cannot create '{folder}': {err.strerror}") from None
    written = []
    items = [(f"{e.id}.json", e.witness, ("ending", e.id)) for e in found.endings.values() if e.witness]
    items += [(f"softlock_{s.node}.json", s.witness, ("softlock", s.node)) for s in found.softlocks]
    items += [(f"trap_{t.entry}.json", t.witness, ("trap", t.entry)) for t in found.traps]
    for name, witness, key in items:
        if not verified.get(key) or witness.seed is None:
            continue
        path = os.path.join(folder, name)
        try:
            write_replay(path, Replay(story.id, witness.seed, witness.choices))
        except OSError as err:
            raise UsageError(f"--emit-replays: cannot write '{path}': {err.strerror}") from None
        written.append(path)
    return written


def _coverage(story: Story, found: Exploration, verified: dict[tuple[str, str], bool], model: Model,
              folder: str) -> dict[str, Any]:
    witness_runs = []
    for ending in found.endings.values():
        if ending.witness is not None and verified.get(("ending", ending.id)):
            _, _, path, taken = play(story, ending.witness.seed or 0, ending.witness.choices, model)
            witness_runs.append((path, taken))
    golden_runs, skipped = [], []
    files = sorted(glob.glob(os.path.join(folder, "*.json"))) if os.path.isdir(folder) else []
    for file in files:
        try:
            replay = read_replay(file)
            if replay.story and replay.story != story.id:
                continue
            _, _, path, taken = play(story, replay.seed, replay.choices, model)
        except ReplayError as err:
            skipped.append(str(err))
            continue
        except EngineError as err:
            skipped.append(f"{file}: does not fit this story: {err}")
            continue
        golden_runs.append((path, taken))
    by_witness = coverage(story, witness_runs)
    by_golden = coverage(story, golden_runs)
    both = coverage(story, witness_runs + golden_runs)
    return {"witnesses": by_witness.to_dict(), "playthroughs": by_golden.to_dict() | {"files": len(golden_runs)},
            "together": both.to_dict(), "skipped": skipped, "folder": folder}


def _print_explore(story: Story, found: Exploration, verified: dict[tuple[str, str], bool], seconds: float,
                   written: list[str], report: dict[str, Any] | None, folder: str | None) -> None:
    out = sys.stdout
    state = "complete" if found.complete else f"INCOMPLETE: stopped because {found.stopped}"
    print(f"Explored {found.states:,} state{'s' * (found.states != 1)} ({state}) in {seconds:.1f} s.", file=out)
    if not found.complete:
        print("  Endings, soft-locks and traps found below are proven; endings, nodes and choices not reached\n"
              "  within the limit are unknown, not unreachable.")
    reachable = sum(1 for e in found.endings.values() if e.reachable)
    print(f"\nEndings: {reachable} of {len(found.endings)} reachable", file=out)
    width = max((len(k) for k in found.endings), default=0)
    for ending in found.endings.values():
        w = ending.witness
        if w is None:
            status = "UNREACHABLE" if ending.reachable is False else "not reached within the limit"
            print(f"  {ending.id:<{width}}  {status}  ({', '.join(ending.nodes) or 'no node ends here'})")
            continue
        print(f"  {ending.id:<{width}}  {_witness_text(w, verified.get(('ending', ending.id), False))}")
    _section("Soft-locks (the player is stuck on a node that is not an ending)", [
        f"{s.where}: error: stuck at '{s.node}' after {_witness_text(s.witness, verified.get(('softlock', s.node), False))}"
        + f"\n      path: {' > '.join(s.witness.path)}"
        + (f"\n      shown, all disabled: {'; '.join(s.shown)}" if s.shown else "\n      no choice is shown")
        for s in found.softlocks])
    _section("Traps (loops the player can never leave)", [
        f"{t.where}: warning: no ending can be reached from {', '.join(repr(n) for n in t.nodes)}; entered after "
        f"{_witness_text(t.witness, verified.get(('trap', t.entry), False))}" for t in found.traps])
    if found.complete:
        _section("Dead choices", [
            f"{d.where}: warning: choice '{d.text or '(silent fallback)'}' at '{d.node}' "
            + (f"is never available: '{d.condition}' is false in every reachable state" if d.reason == "never true"
               else "is never offered: another choice is always available")
            for d in found.dead_choices])
        _section("Nodes no reachable state gets to", [
            f"{u.where}: warning: '{u.node}' " + ("is linked, but no reachable state gets there" if u.linked
                                                  else "has no links leading to it")
            for u in found.unreached_nodes])
    else:  # what was not seen within the limit is not proven dead or unreachable
        _section("Choices never available in the states explored (not proven dead)", [
            f"{d.where}: note: choice '{d.text or '(silent fallback)'}' at '{d.node}' "
            + (f"was not available: '{d.condition}' was false in every state explored" if d.reason == "never true"
               else "was not offered: another choice was always available")
            for d in found.dead_choices])
        _section("Nodes not reached within the limit (not proven unreachable)", [
            f"{u.where}: note: '{u.node}' " + ("was not reached" if u.linked else "has no links leading to it")
            for u in found.unreached_nodes])
    _section("Variables", [f"{v.where}: warning: variable '{v.name}' is {v.finding}"
                           for v in found.variables.values() if v.finding])
    single = [e.id for e in found.endings.values() if e.paths == 1]
    _section("Endings with a single path (info)", [f"'{e}' is reached by exactly one sequence of choices"
                                                   for e in single])
    if report is not None:
        print("\nCoverage:")
        for label, key in (("witnesses", "witnesses"), (f"golden playthroughs ({report['playthroughs']['files']} "
                                                         f"files)", "playthroughs"), ("together", "together")):
            c = report[key]
            print(f"  {label:<30} {_ratio(c['nodes'], c['of_nodes'])} nodes, {_ratio(c['choices'], c['of_choices'])} choices")
        for problem in report["skipped"]:
            print(f"  skipped: {problem}")
    if written:
        print(f"\nWrote {len(written)} replay file(s) to {folder}.")


def _ratio(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "0/0"


def _witness_text(w: Witness, ok: bool) -> str:
    steps = f"{len(w.choices)} choice{'s' * (len(w.choices) != 1)}"
    if w.needs_chance:
        luck = f"needs chance() rolls (p={w.probability:.3g})"
        seed = f"seed {w.seed}" if w.seed is not None else "no seed found"
        steps += f", {luck}, {seed}"
    elif w.seed:
        steps += f", seed {w.seed}"
    if not w.shortest:
        steps += ", not proven shortest"
    if w.seed is not None and not ok:
        steps += ", NOT CONFIRMED BY THE ENGINE"
    return f"{steps}: {' '.join(map(str, w.choices)) or '(no choices)'}"


def _section(title: str, lines: list[str]) -> None:
    print(f"\n{title}: {'none' if not lines else len(lines)}")
    for line in lines:
        print("  " + line)


# ---------------------------------------------------------------- graph

def _args_graph(p: argparse.ArgumentParser) -> None:
    _story_arg(p)
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.dot (Graphviz) or FILE.html (interactive)")
    p.add_argument("--max-states", type=_positive, default=DEFAULT_MAX_STATES, metavar="N",
                   help="state limit for the exploration that marks unreachable nodes and dead choices")
    p.add_argument("--no-explore", action="store_true", help="draw the links only, without exploring the states")


def cmd_graph(args: argparse.Namespace) -> int:
    from .graph_export import to_dot, to_html
    suffix = os.path.splitext(args.out)[1].lower()
    if suffix not in (".dot", ".gv", ".html", ".htm"):
        raise UsageError(f"--out: '{args.out}' should end in .dot or .html")
    story = _load(args)
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


# ---------------------------------------------------------------- soak

def _args_soak(p: argparse.ArgumentParser) -> None:
    _story_arg(p)
    p.add_argument("--walks", type=_positive, default=200, metavar="N", help="random playthroughs (default 200)")
    p.add_argument("--seed", type=_whole, default=0, metavar="S", help="seed of the whole run (default 0)")
    p.add_argument("--max-steps", type=_positive, default=2000, metavar="N", help="steps per walk at most (default 2000)")
    p.add_argument("--out", metavar="DIR", default="soak-replays",
                   help="where replay files of problems go (default ./soak-replays, made only when needed)")
    p.add_argument("--replay", metavar="FILE", help="re-run the walk recorded in a soak replay file")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def cmd_soak(args: argparse.Namespace) -> int:
    from .soak import reproduce, soak, write_problem
    story = _load(args)
    if args.replay:
        return _soak_replay(story, args.replay, reproduce)
    started = time.perf_counter()
    written: list[str] = []

    def keep(problem) -> None:
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


def _soak_replay(story: Story, path: str, reproduce) -> int:
    try:
        replay = read_replay(path)
        with open(path, encoding="utf-8") as handle:
            recorded = json.load(handle).get("soak")
    except ReplayError as err:
        raise UsageError(str(err)) from None
    if not isinstance(recorded, dict) or not isinstance(recorded.get("actions"), list):
        raise UsageError(f"{path}: not a soak replay (no recorded actions); play it with 'text --replay'")
    if replay.story and replay.story != story.id:
        raise UsageError(f"{path}: this replay is for story '{replay.story}', not '{story.id}'")
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
    "explore": ("explore every reachable state: endings, soft-locks, traps, dead choices", _args_explore, cmd_explore),
    "graph": ("write the story graph as DOT or interactive HTML", _args_graph, cmd_graph),
    "soak": ("random playthroughs with saves, loads and rollbacks, checking the engine", _args_soak, cmd_soak),
}

"""Subcommands over the story's state space: explore, graph, soak (found by game.cli)."""
from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import textwrap
import time
from typing import Any

from ..explore import (
    DEFAULT_MAX_MEGABYTES,
    DEFAULT_MAX_SECONDS,
    DEFAULT_MAX_STATES,
    DEFAULT_SEED_TRIES,
    Budget,
    Exploration,
    Witness,
    coverage,
    explore,
)
from ..explore.variants import Variant, variants
from ..runtime.engine import EngineError
from ..runtime.replay import Replay, ReplayError, play_replay, read_replay, write_replay
from ..story.diagnostics import did_you_mean
from ..story.model import Story
from .common import EXIT_FOUND, EXIT_OK, UsageError, load_playable, positive, story_arg, story_paths

PLAYTHROUGHS = "playthroughs"  # golden replays: a folder of the first --story


# ---------------------------------------------------------------- playing witnesses in the engine

def verify(story: Story, witness: Witness, ending: str | None = None, stuck_at: str | None = None) -> bool:
    """Does the engine, with the witness's seed, follow it (to `ending`, or stuck at `stuck_at`)?"""
    if witness.seed is None:
        return False
    try:
        played = play_replay(story, witness.seed, witness.choices)
    except EngineError:
        return False
    if played.left or played.path != witness.path:
        return False
    if ending is not None:
        return played.engine.state.ending == ending
    if stuck_at is not None:
        return played.engine.state.node == stuck_at and played.engine.is_stuck
    return True


# ---------------------------------------------------------------- explore

def _args_explore(p: argparse.ArgumentParser) -> None:
    story_arg(p)
    p.add_argument("--json", action="store_true", help="print everything as JSON")
    p.add_argument("--emit-replays", metavar="DIR", help="write each witness as a replay file into DIR")
    p.add_argument("--max-states", type=positive, default=DEFAULT_MAX_STATES, metavar="N",
                   help="stop after this many states (counted after merging equivalent ones; "
                        f"default {DEFAULT_MAX_STATES:,})")
    p.add_argument("--max-seconds", type=positive, default=DEFAULT_MAX_SECONDS, metavar="S",
                   help=f"stop after this many seconds, reporting what is unknown (default {DEFAULT_MAX_SECONDS:g})")
    p.add_argument("--max-memory", type=positive, default=DEFAULT_MAX_MEGABYTES, metavar="MB",
                   help=f"stop when the search holds this many more megabytes (default {DEFAULT_MAX_MEGABYTES:,})")
    p.add_argument("--seed-tries", type=positive, default=DEFAULT_SEED_TRIES, metavar="N",
                   help="seeds to try for a witness that depends on chance() "
                        f"(default {DEFAULT_SEED_TRIES:,})")
    p.add_argument("--coverage", action="store_true",
                   help="count the nodes and choices the witnesses and the golden playthroughs cover")
    p.add_argument("--playthroughs", metavar="DIR",
                   help="golden playthroughs (replay files) for --coverage (default: the story's playthroughs folder)")
    p.add_argument("--text", action="store_true",
                   help="also report text no reachable state shows: passages, woven branches, variation options "
                        "(searches again, a few nodes' text at a time: about a minute on the shipped story)")
    p.add_argument("--variants", metavar="NODE",
                   help="print every distinct way NODE's text can read, each with a replay that produces it")


def cmd_explore(args: argparse.Namespace) -> int:
    story = load_playable(args)
    if args.variants:
        return _print_variants(story, args)
    started = time.perf_counter()
    found = explore(story, args.max_states, args.seed_tries, text=args.text,
                    budget=Budget(args.max_seconds, args.max_memory))
    seconds = time.perf_counter() - started
    verified = _verify_all(story, found)
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
        report = _coverage(story, found, verified, _playthroughs_folder(args))
        data["coverage"] = report
    mismatches = [k for k, ok in verified.items() if not ok and _witness_of(found, k).seed is not None]
    if args.json:
        print(json.dumps(data, indent=1, ensure_ascii=False))
    else:
        _print_explore(story, found, verified, seconds, written, report, args.emit_replays, args.text)
    for kind, name in mismatches:
        print(f"internal error: the engine does not follow the {kind} witness for '{name}' "
              "(the explorer and the engine disagree; please report this)", file=sys.stderr)
    return EXIT_FOUND if found.problems or mismatches else EXIT_OK


def _print_variants(story: Story, args: argparse.Namespace) -> int:
    """Every distinct reading of a node, as the engine renders it at the end of each witness."""
    if args.variants not in story.nodes:
        raise UsageError(f"--variants: no node '{args.variants}'{did_you_mean(args.variants, story.nodes)}")
    found = variants(story, args.variants, args.max_states, args.seed_tries, Budget(args.max_seconds, args.max_memory))
    shown: list[tuple[list[str], Variant]] = []
    for variant in found.variants:
        lines = variant.lines
        if variant.witness is not None and variant.witness.seed is not None:
            played = play_replay(story, variant.witness.seed, variant.witness.choices)
            if played.engine.state.node == args.variants:
                lines = [f"{line.name}: {line.text}" if line.name else line.text for line in played.engine.lines]
        if all(lines != seen for seen, _ in shown):
            shown.append((lines, variant))
    if args.json:
        print(json.dumps({"node": found.node, "complete": found.complete, "note": found.note, "variants": [
            {"lines": lines, "replay": Replay(story.id, v.witness.seed, v.witness.choices).to_dict()
             if v.witness is not None and v.witness.seed is not None else None, "shuffled": v.shuffled}
            for lines, v in shown]}, indent=1, ensure_ascii=False))
        return EXIT_OK
    state = "" if found.complete else " (exploration INCOMPLETE: there may be more)"
    print(f"'{found.node}' reads {len(shown)} way{'s' * (len(shown) != 1)}{state}. {found.note}".rstrip())
    for k, (lines, variant) in enumerate(shown, 1):
        w = variant.witness
        how = (f"choices {' '.join(map(str, w.choices)) or '(none)'}, seed {w.seed}" if w is not None and
               w.seed is not None else "no replay found")
        print(f"\n--- {k} ({how}){'  [a shuffle: the order differs by seed]' if variant.shuffled else ''}")
        for line in lines:
            print(textwrap.fill(line, 100, subsequent_indent="    "))
    return EXIT_OK


def _witness_of(found: Exploration, key: tuple[str, str]) -> Witness:
    kind, name = key
    if kind == "ending":
        return found.endings[name].witness  # type: ignore[return-value]
    if kind == "softlock":
        return next(s.witness for s in found.softlocks if s.node == name)
    return next(t.witness for t in found.traps if t.entry == name)


def _verify_all(story: Story, found: Exploration) -> dict[tuple[str, str], bool]:
    verified = {}
    for ending in found.endings.values():
        if ending.witness is not None:
            verified[("ending", ending.id)] = verify(story, ending.witness, ending=ending.id)
    for lock in found.softlocks:
        verified[("softlock", lock.node)] = verify(story, lock.witness, stuck_at=lock.node)
    for trap in found.traps:
        verified[("trap", trap.entry)] = verify(story, trap.witness)
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


def _playthroughs_folder(args: argparse.Namespace) -> str:
    if args.playthroughs:
        return str(args.playthroughs)
    return os.path.join(story_paths(args)[0], PLAYTHROUGHS)


def _coverage(story: Story, found: Exploration, verified: dict[tuple[str, str], bool], folder: str) -> dict[str, Any]:
    witness_runs = []
    for ending in found.endings.values():
        if ending.witness is not None and verified.get(("ending", ending.id)):
            played = play_replay(story, ending.witness.seed or 0, ending.witness.choices)
            witness_runs.append((played.path, played.taken))
    golden_runs, skipped = [], []
    files = sorted(glob.glob(os.path.join(folder, "*.json"))) if os.path.isdir(folder) else []
    for file in files:
        try:
            replay = read_replay(file)
            if replay.story and replay.story != story.id:
                continue
            played = play_replay(story, replay.seed, replay.choices)
        except ReplayError as err:
            skipped.append(str(err))
            continue
        except EngineError as err:
            skipped.append(f"{file}: does not fit this story: {err}")
            continue
        golden_runs.append((played.path, played.taken))
    by_witness = coverage(story, witness_runs)
    by_golden = coverage(story, golden_runs)
    both = coverage(story, witness_runs + golden_runs)
    return {"witnesses": by_witness.to_dict(), "playthroughs": by_golden.to_dict() | {"files": len(golden_runs)},
            "together": both.to_dict(), "skipped": skipped, "folder": folder}


def _print_explore(story: Story, found: Exploration, verified: dict[tuple[str, str], bool], seconds: float,
                   written: list[str], report: dict[str, Any] | None, folder: str | None, text: bool = False) -> None:
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
        if text:
            _section("Text no reachable state shows", [
                f"{d.where}: warning: {d.kind} of '{d.node}' is never shown: {d.text}" for d in found.dead_text]
                + [f"note: the text of '{n}' could not be judged: too many states for the limits" for n in found.text_unjudged])
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


SUBCOMMANDS = {
    "explore": ("explore every reachable state: endings, soft-locks, traps, dead choices", _args_explore, cmd_explore),
}

"""`report`: the ending distribution, pinned numbers, words shown, similes and formulas, against issue 13's goals."""
from __future__ import annotations

import argparse
import json
import time

from ..tools.report import EARLY_RULE, PIN_RULE, SIMILE_WORDS, Report, report
from .common import EXIT_FOUND, EXIT_OK, load_playable, positive, seed, story_arg


def _args_report(p: argparse.ArgumentParser) -> None:
    story_arg(p)
    p.add_argument("--playthroughs", type=positive, default=10_000, metavar="N",
                   help="seeded random playthroughs (default 10,000)")
    p.add_argument("--seed", type=seed, default=0, metavar="S", help="seed of the whole run (default 0)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--check", action="store_true", help="exit 1 when any goal fails")


def cmd_report(args: argparse.Namespace) -> int:
    story = load_playable(args)
    started = time.perf_counter()
    result = report(story, args.playthroughs, args.seed)
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps(result.to_dict(), indent=1))
    else:
        print("\n".join(_lines(result, seconds)))
    failed = any(not goal.passed for goal in result.goals())
    return EXIT_FOUND if args.check and failed else EXIT_OK


def _lines(result: Report, seconds: float) -> list[str]:
    tally = result.tally
    out = [f"{result.story.title}: {tally.walks:,} random playthroughs (seed {result.seed}), uniform among the "
           f"enabled choices at each menu; {seconds:.1f} s in {result.workers} process(es).", "",
           "Endings (share of playthroughs):"]
    width = max([len(name) for name in result.story.endings] + [len("unfinished")]) + 2
    for name, share in sorted(result.ending_shares().items(), key=lambda item: (-item[1], item[0])):
        chapter = result.ending_chapters.get(name, "")
        out.append(f"  {name:<{width}}{chapter:<6}{share:5.1f} %  ({tally.endings[name]:,})")
    out.append(f"  {'unfinished':<{width}}{'':<6}{result.share(tally.unfinished):5.1f} %  ({tally.unfinished:,}; "
               "stuck or looping, counted apart)")
    out.append(f"Early endings ({EARLY_RULE}): {result.early_share:.1f} %"
               + (f" ({', '.join(result.early)})" if result.early else ""))
    out += ["", f"Numbers pinned ({PIN_RULE}):"]
    for name, share in result.pin_shares().items():
        var = result.story.variables[name]
        out.append(f"  {name:<12}{var.min}..{var.max}, starts {var.default}:".ljust(36) + f"{share:5.1f} %")
    out.append("  any of them:".ljust(36) + f"{result.pin_any_share:5.1f} %")
    words = result.words_shown()
    out += ["", "Words shown per playthrough (every line the player sees, finished playthroughs): "
            f"mean {words['mean']:,.0f}, median {words['median']:,.0f}, min {words['min']:,}, max {words['max']:,}",
            "", f"Prose: {result.prose.words:,} words (every passage and choice once, each woven branch included)"]
    similes = ", ".join(f"'{name}' {count}" for name, count in result.prose.similes.items())
    out.append(f"Similes: {similes}: {result.prose.similes_per_400:.2f} per {SIMILE_WORDS} words")
    out.append("Formulas:")
    for name, uses in result.prose.formulas.items():
        out.append(f"  '{name}' {len(uses)}" + (": " + ", ".join(f"{w.file}:{w.line}" for w in uses) if uses else ""))
    out += ["", "Goals (issue 13):"]
    for goal in result.goals():
        out.append(f"  {'PASS' if goal.passed else 'FAIL'}  {goal.text}: {goal.value}")
    return out


SUBCOMMANDS = {
    "report": ("ending distribution, pinned numbers, words shown, similes and formulas against the story's goals",
               _args_report, cmd_report),
}

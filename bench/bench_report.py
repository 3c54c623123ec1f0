"""Report benchmark: random playthroughs of the shipped story, measured side by side in one run:
a report walk (pins watched, no undo records, no menus rendered) against a plain engine walk, and the
report's pool of one process per core against one process; then what 10,000 playthroughs cost
(the goal: at most 60 s on this machine's two cores).

    python bench/bench_report.py [--walks 1000]
"""
from __future__ import annotations

import argparse
import time

from game.paths import SHIPPED_STORY
from game.runtime.engine import Engine
from game.story.cache import load_cached
from game.tools.report import PIN_BEFORE, chapters_before, cores, play, walk, walk_seeds


def plain_walk(story, seed: int, number: int) -> None:
    """The same walk on the engine as a front-end uses it."""
    engine_seed, chooser = walk_seeds(seed, number)
    engine = Engine(story, seed=engine_seed)
    while not engine.is_over:
        if engine.can_continue:
            engine.proceed()
        else:
            engine.choose(chooser.choice([v.number for v in engine.choices() if v.enabled]))


def timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--walks", type=int, default=1000)
    args = parser.parse_args()
    story = load_cached([SHIPPED_STORY]).story
    watched = chapters_before(story, PIN_BEFORE)
    numbers = range(args.walks)
    for n in range(50):  # warm up: the story's nodes built, the word counts of common lines known
        walk(story, 1, n, watched)
    plain = timed(lambda: [plain_walk(story, 0, n) for n in numbers])
    report_one = timed(lambda: [walk(story, 0, n, watched) for n in numbers])
    pooled = timed(lambda: play(story, args.walks, 0))
    alone = timed(lambda: play(story, args.walks, 0, workers=1))
    print(f"{args.walks} playthroughs of the shipped story, {cores()} core(s)")
    print(f"  plain engine walk     {args.walks / plain:7.1f} walks/s")
    print(f"  report walk           {args.walks / report_one:7.1f} walks/s   ({plain / report_one:.2f}x the plain walk)")
    print(f"  report, one process   {args.walks / alone:7.1f} walks/s")
    print(f"  report, pool          {args.walks / pooled:7.1f} walks/s   ({alone / pooled:.2f}x one process)")
    print(f"  10,000 playthroughs   {10_000 * pooled / args.walks:7.1f} s in the pool (goal: 60 s)")


if __name__ == "__main__":
    main()

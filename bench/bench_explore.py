"""Exploration benchmark: the whole state-space exploration of the shipped story, and random walks
(plain engine walks, and soak walks that check every invariant), each measured in one run side by side
with the plain graph reachability pass (game.story.validate.reachable) and printed as a ratio to it.

    python bench/bench_explore.py [--story story] [--repeat 3] [--walks 200]

Goals: exploring the whole shipped game in under 5 s; random walks at 5,000 steps/s or more.
"""
from __future__ import annotations

import argparse
import os
import random
import time

from game.explore import explore, tracked_summary
from game.runtime.engine import Engine
from game.story.validate import load_and_validate, reachable
from game.tools.soak import soak

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the checkout: stories to measure
STORY = os.path.join(ROOT, "story")
SAMPLE = os.path.join(ROOT, "tests", "fixtures", "ok", "sample")


def best_of(times: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(times):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def plain_walks(story, walks: int) -> tuple[int, float]:
    rng = random.Random(7)
    steps = 0
    start = time.perf_counter()
    for walk in range(walks):
        engine = Engine(story, seed=walk)
        for _ in range(5000):
            if engine.is_over:
                break
            if engine.can_continue:
                engine.proceed()
            else:
                engine.choose(rng.choice([v.number for v in engine.choices() if v.enabled]))
            steps += 1
    return steps, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--story", default=STORY)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--walks", type=int, default=200)
    args = parser.parse_args()
    result = load_and_validate(args.story)
    if not result.ok:
        print(f"{args.story} does not validate; measuring the sample story instead")
        result = load_and_validate(SAMPLE)
    story = result.story
    assert story is not None

    reach, _ = best_of(max(args.repeat, 20), lambda: reachable(story))
    seconds, found = best_of(args.repeat, lambda: explore(story))
    summary = tracked_summary(story)
    reachable_endings = sum(1 for e in found.endings.values() if e.reachable)
    print(f"story: {story.id}, {len(story.nodes)} nodes, {len(story.variables)} variables, "
          f"{len(story.endings)} endings ({reachable_endings} reachable)")
    print(f"state abstraction: {summary['slots']} slots, at most {summary['max_tracked']} tracked at a node "
          f"(mean {summary['mean_tracked']})")
    print(f"graph reachability pass:    {reach * 1000:9.2f} ms")
    print(f"explore (whole game):       {seconds * 1000:9.1f} ms   {found.states:,} states, "
          f"{'complete' if found.complete else 'INCOMPLETE'}")
    print(f"ratio explore / reachability: {seconds / reach:9.0f}x   (goal: explore under 5 s)")

    steps, elapsed = plain_walks(story, args.walks)
    rate = steps / elapsed
    print(f"random walks (engine):      {rate:9.0f} steps/s  ({steps:,} steps); "
          f"one step = {elapsed / steps / reach:.2f}x a reachability pass")
    start = time.perf_counter()
    soaked = soak(story, walks=max(1, args.walks // 4), seed=1)
    elapsed = time.perf_counter() - start
    rate = soaked.steps / elapsed
    print(f"soak walks (all checks):    {rate:9.0f} steps/s  ({soaked.steps:,} steps, {len(soaked.problems)} problems); "
          f"one step = {elapsed / max(1, soaked.steps) / reach:.2f}x a reachability pass   (goal >= 5,000 steps/s)")


if __name__ == "__main__":
    main()

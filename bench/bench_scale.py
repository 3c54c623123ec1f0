"""Scaling benchmark (issue 17): synthetic stories of growing size in the shipped format, each tool
measured on every size in one run, and the growth per doubling of story size printed beside it.

    python bench/bench_scale.py            # 1k, 10k, 100k nodes (explore at 100k takes many minutes)
    python bench/bench_scale.py --quick    # 1k, 2k, 4k nodes (explore on the two smaller): about half a minute
    python bench/bench_scale.py --sizes 1000 8000 --skip explore

Per size: a raw CSafeLoader parse with gc off (the floor), load + validate, a cold start (load, validate
and write the compiled-story cache), a warm start (from the cache: what play and text mode pay), a warm
start that then builds every node (what explore and graph pay), explore (its own process: time and
peak memory), graph (links only, and with its default budgeted exploration) and text-mode steps per
second without and with autosave (its own process, as a player runs it). Parse, validate, starts and
steps/s are CPU time, parse to starts the best of a few runs (the machine is shared: CPU time is what
the code costs, whoever else is running; steps/s by wall time are printed beside); the rest is wall
time. Goals: explore and every other column grow at most 2x per doubling; validate within 2x the raw
parse; a warm start of a 100k-node story within 3 s; text mode with autosave at 3,800 steps/s or more.
"""
from __future__ import annotations

import argparse
import gc
import io
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

from game.cli import main as her
from game.runtime.engine import Engine
from game.runtime.persist import PlayerData
from game.runtime.saves import SaveStore
from game.story.cache import load_cached
from game.story.validate import load_and_validate
from game.text import TextGame

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from storygen import write_story  # noqa: E402  (the generator lives beside the benchmarks)

COLUMNS = ["raw parse", "validate", "cold start", "warm start", "warm, all nodes", "explore", "explore MB",
           "graph links", "graph", "text steps/s", "autosave steps/s"]
EXPLORE_CHILD = """
import sys, time, resource
from game.story.cache import load_cached
from game.explore import Budget, explore
story = load_cached(sys.argv[1]).story
start = time.perf_counter()
found = explore(story, budget=Budget(None, None))
print(time.perf_counter() - start, found.states, found.complete)
"""


def seconds(fn, repeat: int = 1, clock=time.perf_counter) -> float:
    best = math.inf
    for _ in range(repeat):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return best


def cpu_seconds(fn, repeat: int) -> float:
    gc.collect()  # what an earlier measure left behind is not this one's to collect
    return seconds(fn, repeat, time.process_time)


def raw_parse(folder: str) -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        for root, _, files in os.walk(folder):
            for name in files:
                if name.endswith(".yaml"):
                    with open(os.path.join(root, name), "rb") as handle:
                        yaml.load(handle.read(), Loader=yaml.CSafeLoader)
    finally:
        if was:
            gc.enable()


def explore_in_child(folder: str, env: dict[str, str]) -> tuple[float, float, str]:
    """(seconds, peak MB, note) of explore in a process of its own, so its memory is its own."""
    child = subprocess.Popen([sys.executable, "-c", EXPLORE_CHILD, folder], stdout=subprocess.PIPE, env=env, text=True)
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        return math.nan, math.nan, "failed"
    took, states, complete = out.split()
    return float(took), usage.ru_maxrss / 1024, f"{int(states):,} states{'' if complete == 'True' else ' INCOMPLETE'}"


def text_rate(story, data: str, autosave: bool, steps: int = 4000) -> tuple[float, float]:
    """Steps per CPU second and per wall second piping choices through text mode (always the first available
    choice)."""
    out = io.StringIO()
    game = TextGame(story, Engine(story, seed=1), out, SaveStore(data, story), PlayerData(os.path.join(data, "p.json")))
    if not autosave:
        game.autosave = lambda after_choice=False: False  # type: ignore[method-assign]
    left = steps

    def read_line(_prompt: str) -> str | None:
        nonlocal left
        left -= 1
        if left <= 0 or game.engine.is_over:
            return None
        return str(next((v.number for v in game.engine.choices() if v.enabled), 1))

    start, cpu = time.perf_counter(), time.process_time()
    game.play(read_line, interactive=False)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    taken = steps - max(left, 0)
    return taken / cpu, taken / wall


def text_rates_in_child(folder: str, data: str, steps: int, env: dict[str, str]) -> list[float]:
    """Text mode as a player runs it: a process of its own that starts warm (not one holding every story this
    benchmark built). Steps/s by CPU and wall time, without autosave and with it."""
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--text-child", folder, data, str(steps)],
                         env=env, capture_output=True, text=True, check=True).stdout
    return [float(x) for x in out.split()]


def text_child(folder: str, data: str, steps: int) -> None:
    story = load_cached(folder).story
    print(*text_rate(story, data, False, steps), *text_rate(story, data, True, steps))


def growth(small: float, big: float, size_small: int, size_big: int) -> str:
    """How much a measure grows per doubling of story size."""
    if not (small > 0 and big > 0) or math.isnan(small) or math.isnan(big):
        return "-"
    return f"{(big / small) ** (1 / math.log2(size_big / size_small)):.2f}x"


def measure(size: int, work: str, skip: set[str], repeat: int, steps: int) -> dict[str, float]:
    folder = write_story(os.path.join(work, f"story{size}"), size)
    env = dict(os.environ, HER_CACHE_DIR=os.path.join(work, "cache"), HER_DATA_DIR=os.path.join(work, "data"))
    os.environ.update(HER_CACHE_DIR=env["HER_CACHE_DIR"], HER_DATA_DIR=env["HER_DATA_DIR"])
    row: dict[str, float] = {}
    row["raw parse"] = cpu_seconds(lambda: raw_parse(folder), repeat)
    result = None

    def validate() -> None:
        nonlocal result
        result = load_and_validate(folder)
    row["validate"] = cpu_seconds(validate, repeat)
    assert result is not None and result.ok, [d.format() for d in result.errors[:3]]
    cold = os.path.join(work, "cold")

    def cold_start() -> None:
        shutil.rmtree(cold, ignore_errors=True)  # an empty cache folder: nothing of this story is known
        load_cached(folder, cold)
    row["cold start"] = cpu_seconds(cold_start, repeat)
    row["warm start"] = cpu_seconds(lambda: load_cached(folder, cold), repeat)
    row["warm, all nodes"] = cpu_seconds(lambda: load_cached(folder, cold).story.nodes.values(), repeat)
    shutil.rmtree(cold, ignore_errors=True)
    load_cached(folder)  # explore, graph and text mode start warm, from the cache in HER_CACHE_DIR
    notes = []
    if "explore" not in skip:
        row["explore"], row["explore MB"], note = explore_in_child(folder, env)
        notes.append(f"explore: {note}")
    if "graph" not in skip:
        quiet = io.StringIO()
        stdout, sys.stdout = sys.stdout, quiet
        out = os.path.join(work, "g.html")
        try:  # the links alone (written first), then the default: links and a budgeted exploration
            row["graph links"] = seconds(lambda: her(["graph", "--story", folder, "--out", out, "--no-explore"]))
            if "graph budget" not in skip:
                row["graph"] = seconds(lambda: her(["graph", "--story", folder, "--out", out]))
        finally:
            sys.stdout = stdout
        if "graph" in row:
            notes.append("graph: " + ("complete" if "INCOMPLETE" not in quiet.getvalue() else "budget reached"))
    if "text" not in skip:
        plain, plain_wall, saving, saving_wall = text_rates_in_child(folder, tempfile.mkdtemp(dir=work), steps, env)
        row["text steps/s"], row["autosave steps/s"] = plain, saving
        notes.append(f"text steps/s by wall time: {plain_wall:,.0f}, with autosave {saving_wall:,.0f}")
    print(f"{size:>8,} nodes  " + "  ".join(f"{k} {_fmt(k, v)}" for k, v in row.items()) +
          (f"   ({'; '.join(notes)})" if notes else ""), flush=True)
    return row


def _fmt(column: str, value: float) -> str:
    if math.isnan(value):
        return "n/a"
    if column.endswith("steps/s") or column.endswith("MB"):
        return f"{value:,.0f}"
    return f"{value:.2f}s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="1,000, 2,000 and 4,000 nodes, best of 2; explore and graph's exploration on the two smaller")
    parser.add_argument("--sizes", type=int, nargs="+", help="node counts (default 1,000 10,000 100,000)")
    parser.add_argument("--skip", nargs="*", default=[], choices=["explore", "graph", "graph budget", "text"])
    parser.add_argument("--text-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.text_child:
        folder, data, steps = args.text_child
        return text_child(folder, data, int(steps))
    sizes = args.sizes or ([1000, 2000, 4000] if args.quick else [1000, 10_000, 100_000])
    repeat, steps = (2, 2000) if args.quick else (3, 4000)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for k, size in enumerate(sizes):
            # quick: the growth of explore and of graph's budgeted exploration from the two smaller sizes
            heavy = {"explore", "graph budget"} if args.quick and k == len(sizes) - 1 else set()
            rows.append(measure(size, work, set(args.skip) | heavy, repeat, steps))
    print("\ngrowth per doubling of story size (goal: <= 2x for time and memory; steps/s should not fall):")
    columns = [c for c in COLUMNS if c in rows[0]]
    print(f"{'':>20}" + "".join(f"{c:>17}" for c in columns))
    for (a, ra), (b, rb) in zip(zip(sizes, rows), zip(sizes[1:], rows[1:])):
        print(f"{a:>8,} -> {b:>8,}" + "".join(f"{growth(ra[c], rb[c], a, b) if c in rb else '-':>17}"
                                             for c in columns))
    last, size = rows[-1], f"{sizes[-1]:,} nodes"
    raw = last["raw parse"]
    print(f"\nat {size}, CPU seconds (best of {repeat}) side by side, and each as a multiple of the raw parse:")
    for column, goal in (("raw parse", ""), ("validate", "goal <= 2x"), ("cold start", "load, validate, write the cache"),
                         ("warm start", "play and text mode; goal: 100k nodes within 3 s"),
                         ("warm, all nodes", "explore and graph")):
        print(f"  {column:<16} {last[column]:>8.2f} s  {last[column] / raw:>6.2f}x   {goal}")
    if "autosave steps/s" in last:
        plain, saving = last["text steps/s"], last["autosave steps/s"]
        print(f"text mode at {size}, steps per CPU second: {plain:,.0f} without autosave, {saving:,.0f} with it "
              f"({saving / plain:.2f}x; goal with autosave >= 3,800; by wall time: see the row above)")


if __name__ == "__main__":
    main()

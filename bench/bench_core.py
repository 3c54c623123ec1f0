"""Core benchmark: load + validate the shipped story and a generated 10,000-node story (format 1, and
format 2 with woven text in every node) against a raw CSafeLoader parse of the same files, and
text-mode steps per second. Prints ratios measured side by side in one run.
Times are CPU seconds (the machine may be busy), and the raw parse runs with the garbage collector off,
as the loader does: the ratio is the loader's own work over the parse, not a difference in gc.

    python bench/bench_core.py [--nodes 10000]
"""
from __future__ import annotations

import argparse
import gc
import io
import os
import random
import tempfile
import time

import yaml

from game.runtime.engine import Engine
from game.runtime.persist import PlayerData
from game.runtime.saves import SaveStore
from game.story.loader import forget_memos
from game.story.validate import load_and_validate
from game.text import TextGame

NODES_PER_FILE = 500


def generate(folder: str, count: int, story_format: int = 1) -> list[str]:
    rng = random.Random(1)
    files = []
    with open(os.path.join(folder, "story.yaml"), "w") as handle:
        handle.write(f"format: {story_format}\nid: bench\ntitle: Bench\nstart: n0\nchapters: [c*.yaml]\n"
                     "variables:\n  trust: {type: int, default: 0, min: 0, max: 10, description: t}\n"
                     "  told: {type: bool, default: false, description: t}\n"
                     "speakers:\n  theodore: {name: Theodore, colour: '#e8866a'}\n"
                     "endings:\n  end: {title: The End}\n")
    for f in range(0, count, NODES_PER_FILE):
        path = os.path.join(folder, f"c{f // NODES_PER_FILE:03d}.yaml")
        files.append(path)
        lines = [f"chapter: {{id: c{f // NODES_PER_FILE}, title: Chapter {f // NODES_PER_FILE}}}", "nodes:"]
        for i in range(f, min(f + NODES_PER_FILE, count)):
            if story_format == 2:  # the same words, woven: a clause, a variation and a number change with state
                prose = ["        He walks along the water {trust > 2 => , slower now | }, thinking about {told =>",
                         "        the letter he told Amy about | letters he has written for strangers}, and",
                         "        {&the one|the other one} he has never written for himself ({trust} of ten)."]
            else:
                prose = ["        He walks along the water, thinking about letters he has written for",
                         "        strangers, and the one he has never written for himself."]
            lines += [f"  - id: n{i}", f"    title: Node {i}", "    text:", "      - >-", *prose,
                      "      - theodore: Maybe tomorrow.", "        if: trust > 2 and not told"]
            if i == count - 1:
                lines += ["    ending: end"]
            else:
                other = rng.randrange(count)
                lines += ["    choices:", "      - text: Keep walking.", f"        goto: n{i + 1}",
                          "        effects: [trust += 1]", "      - text: Turn back.", f"        goto: n{other}",
                          "        if: trust < 5", "        effects: [toggle told]"]
        with open(path, "w") as handle:
            handle.write("\n".join(lines) + "\n")
    return files


def side_by_side(times: int, *fns) -> list[float]:
    """The best CPU time of each function, run in turns so a busy moment hurts them alike."""
    results: list[list[float]] = [[] for _ in fns]
    for _ in range(times):
        for fn, found in zip(fns, results):
            start = time.process_time()
            fn()
            found.append(time.process_time() - start)
    return [min(found) for found in results]


def load_ratio(title: str, folder: str, files: list[str], times: int) -> None:
    """Load + validate against a raw CSafeLoader parse of the same files."""
    def raw_parse():
        gc.disable()
        try:
            for path in files:
                with open(path, "rb") as handle:
                    yaml.load(handle.read(), Loader=yaml.CSafeLoader)
        finally:
            gc.enable()

    def full_load():
        forget_memos()  # each load pays what the first one in a process does
        result = load_and_validate(folder)
        assert result.ok, [d.format() for d in result.errors[:3]]

    raw, ours = side_by_side(times, raw_parse, full_load)
    print(f"\n{title}")
    print(f"raw CSafeLoader parse:      {raw * 1000:8.1f} ms")
    print(f"load + validate (ours):     {ours * 1000:8.1f} ms")
    print(f"ratio ours / raw:           {ours / raw:8.2f}x   (goal <= 2x, under 1 s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=10_000)
    args = parser.parse_args()
    shipped = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "story")
    story = load_and_validate(shipped).story
    assert story is not None
    load_ratio(f"the shipped story: {len(story.nodes):,} nodes in {len(story.files)} files", shipped,
               [os.path.abspath(path) for path in story.files], 15)  # story.files are relative to here
    for story_format in (1, 2):
        measure(args.nodes, story_format)


def measure(nodes: int, story_format: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        files = generate(folder, nodes, story_format)
        load_ratio(f"story format {story_format}: {nodes:,} nodes in {len(files)} files", folder, files, 3)

        story = load_and_validate(folder).story
        gc.freeze()  # as the game's start does (load_cached): the story stays out of the collections play causes
        data = tempfile.mkdtemp()
        out = io.StringIO()
        game = TextGame(story, Engine(story, seed=1), out, SaveStore(data, story), PlayerData(os.path.join(data, "p.json")))
        game.autosave = lambda after_choice=False: False  # measure play, not disk
        steps = 20_000
        rng = random.Random(2)

        def read_line(_prompt: str):
            nonlocal steps
            steps -= 1
            if steps <= 0:
                return None
            return str(rng.randint(1, len(game.engine.choices()) or 1))

        start = time.perf_counter()
        game.play(read_line, interactive=False)
        elapsed = time.perf_counter() - start
        print(f"text mode:                  {20_000 / elapsed:8.0f} steps/s (engine + formatting, no terminal)")
        gc.unfreeze()


if __name__ == "__main__":
    main()

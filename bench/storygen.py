"""Synthetic stories in the shipped format, for measuring how the tools scale with story size.

The shape of issue 17: chapters of 200 nodes, 2-4 choices per node, about half of them guarded,
effects on 6 ints and 4 bools, conditional lines, loop-backs (once-only, so every playthrough ends),
seen() and visits(), once-only choices, fallbacks (silent and with text) and shown-disabled choices.
The same (nodes, seed) always gives the same files.

    python bench/storygen.py OUT_DIR --nodes 10000
"""
from __future__ import annotations

import argparse
import os
import random

CHAPTER = 200
INTS = [f"i{k}" for k in range(6)]
BOOLS = [f"b{k}" for k in range(4)]
ENDINGS = ["quiet", "open", "alone"]


def _node_id(chapter: int, index: int) -> str:
    return f"c{chapter:04d}_{index:03d}"


def _q(text: str) -> str:
    return '"' + text.replace('"', "'") + '"'


def _local(chapter: int) -> tuple[list[str], list[str]]:
    """The ints and bools a part plays with (every variable gets its turn over the parts)."""
    return [INTS[2 + chapter % 4], INTS[2 + (chapter + 1) % 4]], [BOOLS[chapter % 4], BOOLS[(chapter + 2) % 4]]


def _effect(rng: random.Random, chapter: int) -> str:
    ints, bools = _local(chapter)
    if rng.random() < 0.1:
        return f"{rng.choice(INTS[:2])} += 1"  # what the endings read
    if rng.random() < 0.7:
        return f"{rng.choice(ints)} {'-=' if rng.random() < 0.15 else '+='} 1"
    name = rng.choice(bools)
    return rng.choice([f"{name} = true", f"{name} = true", f"{name} = false", f"toggle {name}"])


def _condition(rng: random.Random, chapter: int, index: int) -> str:
    ints, bools = _local(chapter)
    roll = rng.random()
    if roll < 0.45:
        return f"{rng.choice(ints)} {rng.choice(['>=', '<'])} {rng.randint(1, 3)}"
    if roll < 0.65:
        return rng.choice(["", "not "]) + rng.choice(bools)
    landmarks = range(max(0, index - 30) // 10 * 10, index, 10)  # every tenth node is remembered
    if landmarks and roll < 0.9:
        return f"seen({_node_id(chapter, rng.choice(landmarks))})"
    if landmarks:
        return f"visits({_node_id(chapter, rng.choice(landmarks))}) >= 2"
    return f"{rng.choice(ints)} > 0"


def _chapter(rng: random.Random, chapter: int, count: int, last_chapter: bool) -> list[str]:
    lines = [f"chapter:\n  id: c{chapter:04d}\n  title: Part {chapter + 1}\n", "nodes:\n"]
    for index in range(count):
        node = _node_id(chapter, index)
        line = _q(f"Scene {index} of part {chapter + 1}: the rain keeps time.")
        lines.append(f"  - id: {node}\n    text:\n      - {line}\n")
        if rng.random() < 0.3:
            lines.append(f"      - {{narration: {_q('An echo of an earlier evening returns.')}, "
                         f"if: {_q(_condition(rng, chapter, index))}}}\n")
        if index == 0:  # each part starts afresh, except for what the endings read
            ints, bools = _local(chapter)
            lines.append(f"    effects: [{', '.join(f'{v} = 0' for v in ints)}, {', '.join(f'{v} = false' for v in bools)}]\n")
        elif rng.random() < 0.2:
            lines.append(f"    effects: [{_q(_effect(rng, chapter))}]\n")
        if index == count - 1:
            if last_chapter:
                lines.append("    choices:\n")
                for k, ending in enumerate(ENDINGS[:-1]):
                    lines.append(f"      - text: Ending {ending}.\n        goto: end_{ending}\n"
                                 f"        if: {_q(f'{INTS[k]} >= {1 + k}')}\n")
                lines.append(f"      - text: Walk home.\n        goto: end_{ENDINGS[-1]}\n        fallback: true\n")
            else:
                lines.append(f"    next: {_node_id(chapter + 1, 0)}\n")
            continue
        if index % 17 == 16:  # a plain passage on
            lines.append(f"    next: {_node_id(chapter, index + 1)}\n")
            continue
        lines.append("    choices:\n")
        forward = list(range(index + 1, min(count, index + 4)))
        choices = rng.randint(2, 4)
        guarded_all = rng.random() < 0.15
        for k in range(choices):
            target = forward[k % len(forward)]
            loop = k == choices - 1 and index >= 6 and rng.random() < 0.08
            if loop:
                target = index - rng.randint(2, 6)
            guarded = guarded_all or (k > 0 and rng.random() < 0.65)
            lines.append(f"      - text: Option {k + 1} at scene {index}.\n        goto: {_node_id(chapter, target)}\n")
            if guarded:
                lines.append(f"        if: {_q(_condition(rng, chapter, index))}\n")
                if rng.random() < 0.3:
                    lines.append("        unavailable: show\n        reason: Not now.\n")
            if loop or rng.random() < 0.02:
                lines.append("        once: true\n")
            if rng.random() < 0.25:
                lines.append(f"        effects: [{_q(_effect(rng, chapter))}]\n")
        if guarded_all:
            if rng.random() < 0.5:
                lines.append(f"      - goto: {_node_id(chapter, forward[0])}\n        fallback: true\n")
            else:
                lines.append(f"      - text: Let it pass.\n        goto: {_node_id(chapter, forward[0])}\n"
                             "        fallback: true\n")
    return lines


def write_story(folder: str, nodes: int, seed: int = 17) -> str:
    """Write a story of about `nodes` nodes (plus the endings) into `folder`; returns the folder."""
    rng = random.Random(seed)
    os.makedirs(os.path.join(folder, "chapters"), exist_ok=True)
    chapters = max(1, round(nodes / CHAPTER))
    manifest = ["format: 1\nid: synthetic\ntitle: Synthetic\n", f"start: {_node_id(0, 0)}\n",
                "chapters:\n  - chapters/*.yaml\nvariables:\n"]
    for k, name in enumerate(INTS):
        manifest.append(f"  {name}: {{type: int, default: {k % 3}, min: 0, max: 3}}\n")
    for name in BOOLS:
        manifest.append(f"  {name}: {{type: bool, default: false}}\n")
    manifest.append("endings:\n")
    for ending in ENDINGS:
        manifest.append(f"  {ending}: {{title: {ending.title()}}}\n")
    with open(os.path.join(folder, "story.yaml"), "w", encoding="utf-8") as handle:
        handle.write("".join(manifest))
    for chapter in range(chapters):
        count = min(CHAPTER, nodes - chapter * CHAPTER) if chapter == chapters - 1 else CHAPTER
        lines = _chapter(rng, chapter, max(count, 8), chapter == chapters - 1)
        if chapter == chapters - 1:
            lines.append("".join(f"  - id: end_{e}\n    text: [The end.]\n    ending: {e}\n" for e in ENDINGS))
        with open(os.path.join(folder, "chapters", f"c{chapter:04d}.yaml"), "w", encoding="utf-8") as handle:
            handle.write("".join(lines))
    return folder


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    print(write_story(args.out, args.nodes, args.seed))

"""The explorer against brute force: on random small stories, a plain breadth-first search over exact
states (no merging, no decision diagrams) must find the same endings, soft-locks, traps, dead choices
and unreached nodes, and witnesses of the same length; every witness must replay in the engine."""
from __future__ import annotations

import random
from collections import deque

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.explore import CompiledStory, explore, outcomes
from game.runtime.replay import play_replay
from game.story.validate import load_and_validate
from game.tools.soak import soak

VISIT_CAP = 3  # generated conditions compare visits with at most 2: higher counts behave alike

CONDITIONS = ["a >= 2", "a < 3", "b == 1", "b != 2", "f", "not f", "s == 'q'", "s != 'r'", "seen({n})",
              "visits({n}) >= 2", "chance(50)", "chance(30) or a >= 3", "a + b >= 4", "a > b",
              "chance(a * 25)", "min(a, b) >= 1 and not f"]
EFFECTS = ["a += 1", "a -= 1", "a += 2", "b = 2", "b += 1", "toggle f", "f = true", "s = 'q'", "s = 'r'",
           "f = chance(50)", "a += b", "b = a", "f = chance(b * 30) or f"]


def random_story(rng: random.Random, folder, scenes: bool = False) -> None:
    """A random story; with `scenes`, in format 2 with two reusable scenes called from nodes and choices
    (scene 1 may call scene 0; a scene's choices stay inside it or end the game, as E029/E030 require)."""
    count = rng.randint(4, 9)
    ids = [f"n{i}" for i in range(count)]
    endings = ids[-2:]
    scene_ids = [[f"s{k}_{j}" for j in range(rng.randint(1, 3))] + [f"s{k}_r"] for k in range(2)] if scenes else []
    lines = ["chapter: {id: c, title: C}", "nodes:"]

    def node_lines(node: str, later: list[str], targets: list[str], calls: list[str]) -> None:
        nonlocal lines
        lines += [f"  - id: {node}", "    text: [Text.]"]
        if rng.random() < 0.2:
            lines.append(f"    effects: [\"{rng.choice(EFFECTS)}\"]")
        if node in endings:
            lines.append(f"    ending: e{endings.index(node)}")
            return
        if node.endswith("_r"):
            lines.append("    return: true")
            return
        if later and rng.random() < 0.15:
            # forward only: a ring of 'next' is an error (E028)
            if calls and rng.random() < 0.5:
                lines.append(f"    call: {rng.choice(calls)}")
            lines.append(f"    next: {rng.choice(later)}")
            return
        lines.append("    choices:")
        for k in range(rng.randint(1, 4)):
            target = rng.choice(targets)
            fallback = rng.random() < 0.15
            silent = fallback and rng.random() < 0.5
            lines.append(f"      - goto: {target}" if silent else f"      - text: Choice {k}.\n        goto: {target}")
            if calls and rng.random() < 0.25:
                lines.append(f"        call: {rng.choice(calls)}")
            if fallback:
                lines.append("        fallback: true")
            if rng.random() < 0.5:
                condition = rng.choice(CONDITIONS).format(n=rng.choice(ids + [n for group in scene_ids for n in group]))
                lines.append(f"        if: \"{condition}\"")
                if not fallback and rng.random() < 0.3:
                    lines += ["        unavailable: show", "        reason: Not now."]
            if rng.random() < 0.4:
                lines.append(f"        effects: [\"{rng.choice(EFFECTS)}\"]")
            if rng.random() < 0.2:
                lines.append("        once: true")

    entries = [group[0] for group in scene_ids]
    for i, node in enumerate(ids):
        node_lines(node, ids[i + 1:], ids, entries)
    for k, group in enumerate(scene_ids):
        for j, node in enumerate(group):
            node_lines(node, group[j + 1:], group + endings, entries[:k])
    (folder / "c.yaml").write_text("\n".join(lines) + "\n")
    (folder / "story.yaml").write_text(
        f"format: {2 if scenes else 1}\nid: r\ntitle: R\nstart: n0\nchapters: [c.yaml]\nvariables:\n"
        f"  a: {{type: int, default: {rng.randint(0, 2)}, min: 0, max: 4}}\n"
        "  b: {type: int, default: 0, min: 0, max: 3}\n  f: {type: bool, default: false}\n"
        "  s: {type: str, default: p, values: [p, q, r]}\n"
        "endings:\n  e0: {title: E0}\n  e1: {title: E1}\n")


def brute_force(story):
    """Exact breadth-first search with the model's rules and no abstraction."""
    m = CompiledStory(story)

    def enter(t, vals, ch):
        cnode = m.nodes[t]
        if cnode.visit is not None:
            vals[cnode.visit] = min(VISIT_CAP, vals[cnode.visit] + 1)
        for e in cnode.effects:
            e(vals, ch)
        return vals

    def results(fn):
        return [result for result, _ in outcomes(lambda ch, restart: fn(ch))]

    start = [(m.start, tuple(v)) for v in results(lambda ch: enter(m.start, list(m.defaults), ch))]
    depth = {s: 0 for s in start}
    queue = deque(start)
    succ: dict[tuple, set] = {}
    endings: dict[str, int] = {}
    stuck: set[str] = set()
    seen_true, seen_any = set(), set()
    while queue:
        state = queue.popleft()
        node, vals = state
        cnode = m.nodes[node]
        succ[state] = set()
        if cnode.ending:
            endings.setdefault(cnode.ending, depth[state])
            continue
        for (views, follow, evaluated), _ in outcomes(lambda ch, restart: m.menu(cnode, vals, ch, restart)):
            for c, ok in evaluated:
                seen_any.add(c.gidx)
                if ok:
                    seen_true.add(c.gidx)
            if follow is not None:
                actions = [(follow if not isinstance(follow, int) else None,
                            follow.target if not isinstance(follow, int) else follow)]
            else:
                actions = [(c, c.target) for c, ok in views if ok]
            if not actions:
                stuck.add(cnode.node.id)
            for c, target in actions:
                def step(ch, c=c, target=target):
                    v = list(vals)
                    if c is not None:
                        if c.once is not None:
                            v[c.once] = True
                        for e in c.effects:
                            e(v, ch)
                    return v
                for v1 in results(step):
                    for v2 in results(lambda ch, v1=v1, target=target: enter(target, list(v1), ch)):
                        nxt = (target, tuple(v2))
                        succ[state].add(nxt)
                        if nxt not in depth:
                            depth[nxt] = depth[state] + 1
                            queue.append(nxt)
    # traps: states from which no ending and no dead end can be reached
    preds: dict[tuple, set] = {s: set() for s in succ}
    for s, nexts in succ.items():
        for t in nexts:
            preds[t].add(s)
    good = [s for s in succ if m.nodes[s[0]].ending or (not succ[s] and not m.nodes[s[0]].ending)]
    alive = set(good)
    # a state with some menu that gets stuck counts as able to reach a dead end
    for s in succ:
        if m.nodes[s[0]].node.id in stuck and s not in alive and _stuck_here(m, s):
            alive.add(s)
            good.append(s)
    while good:
        s = good.pop()
        for p in preds[s]:
            if p not in alive:
                alive.add(p)
                good.append(p)
    traps = {m.nodes[s[0]].node.id for s in succ if s not in alive}
    reached = {m.nodes[s[0]].node.id for s in succ}
    dead = {(m.nodes[c.node].node.id, c.position) for c in m.choices
            if c.gidx in seen_any and c.choice.condition is not None and c.gidx not in seen_true}
    return endings, stuck, traps, dead, reached


def _stuck_here(m, state) -> bool:
    node, vals = state
    cnode = m.nodes[node]
    for (views, follow, _), _ in outcomes(lambda ch, restart: m.menu(cnode, vals, ch, restart)):
        if follow is None and not any(ok for _, ok in views):
            return True
    return False


@pytest.mark.parametrize("scenes", [False, True], ids=["plain", "scenes"])
@pytest.mark.parametrize("seed", range(120))
def test_explorer_matches_brute_force_on_random_stories(seed, scenes, tmp_path):
    rng = random.Random(seed)
    random_story(rng, tmp_path, scenes)
    result = load_and_validate(str(tmp_path))
    assert result.ok, [d.format() for d in result.errors]
    story = result.story
    found = explore(story)
    endings, stuck, traps, dead, reached = brute_force(story)
    assert found.complete
    assert {k for k, e in found.endings.items() if e.reachable} == set(endings)
    for key, steps in endings.items():
        witness = found.endings[key].witness
        if witness.shortest:
            assert len(witness.path) - 1 == steps, key
        played = play_replay(story, witness.seed, witness.choices)
        engine, left, path = played.engine, played.left, played.path
        assert engine.state.ending == key and left == [] and path == witness.path
    assert {s.node for s in found.softlocks} == stuck
    for lock in found.softlocks:
        if lock.witness.seed is not None:
            played = play_replay(story, lock.witness.seed, lock.witness.choices)
            engine, left, path = played.engine, played.left, played.path
            assert engine.is_stuck and engine.state.node == lock.node
    assert {n for t in found.traps for n in t.nodes} == traps
    assert {(d.node, d.position) for d in found.dead_choices if d.reason == "never true"} == dead
    assert {u.node for u in found.unreached_nodes} == set(story.nodes) - reached
    # and the engine agrees with the explorer's rules at every step of random walks
    assert [p.message for p in soak(story, walks=4, seed=seed, max_steps=150).problems if p.kind != "stuck"] == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(story_seed=st.integers(0, 2 ** 31 - 1), walk_seed=st.integers(0, 2 ** 31 - 1))
def test_engine_and_explorer_agree_on_every_menu_of_random_walks(tmp_path_factory, story_seed, walk_seed):
    """The explorer restates the engine's menu rules for speed; on random stories and random walks with
    saves, loads and rollbacks, the two must offer the same choices, enabled alike, at every step."""
    folder = tmp_path_factory.mktemp("story")
    random_story(random.Random(story_seed), folder, scenes=story_seed % 2 == 1)
    result = load_and_validate(str(folder))
    assert result.ok, [d.format() for d in result.errors]
    problems = soak(result.story, walks=3, seed=walk_seed, max_steps=120).problems
    assert [p.message for p in problems if p.kind != "stuck"] == []

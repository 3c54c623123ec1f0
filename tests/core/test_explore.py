"""State-space exploration: one fixture story per finding, and every witness replayed through the engine."""
from __future__ import annotations

import glob
import json
import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.cli import main
from game.explore import CompiledStory, explore
from game.explore.chance import chance_roll
from game.runtime.engine import Engine
from game.runtime.replay import play_replay, read_replay
from game.story import expr
from game.story.validate import load_and_validate
from tests.paths import FIXTURES, SAMPLE, STORY

EXPLORE = os.path.join(FIXTURES, "explore")


def load(path: str):
    result = load_and_validate(path)
    assert result.ok, [d.format() for d in result.diagnostics]
    return result.story


def fixture(name: str):
    return load(os.path.join(EXPLORE, name))


def replays_to(story, witness) -> Engine:
    """The engine after playing a witness with its seed, checking it walked the witness's exact path."""
    played = play_replay(story, witness.seed, witness.choices)
    engine, left, path = played.engine, played.left, played.path
    assert left == [] and path == witness.path
    return engine


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- one fixture per finding

def test_a_cycle_with_no_way_out_is_a_trap_with_the_path_into_it():
    story = fixture("trap_cycle")
    found = explore(story)
    assert [t.nodes for t in found.traps] == [["corridor_a", "corridor_b"]]
    trap = found.traps[0]
    assert trap.entry == "corridor_a" and trap.witness.choices == [1] and trap.witness.path == ["hall", "corridor_a"]
    assert replays_to(story, trap.witness).state.node == "corridor_a"
    assert found.endings["outside"].witness.choices == [2]
    assert found.softlocks == [] and not found.problems


def test_a_condition_that_can_never_hold_is_a_dead_choice_and_its_target_unreached(capsys):
    story = fixture("dead_choice")
    found = explore(story)
    assert [(d.node, d.text, d.condition, d.reason) for d in found.dead_choices] == [
        ("ask", "Ask her to stay forever.", "trust > 3", "never true")]
    assert [(u.node, u.linked) for u in found.unreached_nodes] == [("forever", True)]
    done = found.endings["done"].witness  # the disabled choice still counts: "Say goodbye." is number 3
    assert done.choices == [3] and done.path == ["ask", "done"]
    assert replays_to(story, done).state.ending == "done"
    code, out, _ = run_cli(["explore", "--story", os.path.join(EXPLORE, "dead_choice")], capsys)
    assert code == 0
    assert "chapter.yaml:9:9: warning: choice 'Ask her to stay forever.' at 'ask' is never available" in out


def test_a_soft_lock_behind_a_variable_is_found_with_its_path(capsys):
    story = fixture("softlock_variable")
    found = explore(story)
    assert [s.node for s in found.softlocks] == ["gate"]
    lock = found.softlocks[0]
    assert lock.witness.choices == [2] and lock.witness.path == ["road", "gate"]
    assert lock.shown == ["Climb over with the key in your teeth."]
    engine = replays_to(story, lock.witness)
    assert engine.is_stuck and engine.state.node == "gate"
    assert found.endings["through"].witness.choices == [1, 1]
    code, out, _ = run_cli(["explore", "--story", os.path.join(EXPLORE, "softlock_variable")], capsys)
    assert code == 1 and "error: stuck at 'gate' after 1 choice: 2" in out


def test_an_ending_only_behind_a_never_true_condition_is_unreachable(capsys):
    story = fixture("ending_never_true")
    found = explore(story)
    assert found.endings["joy"].reachable is False and found.endings["joy"].witness is None
    calm = found.endings["calm"].witness
    assert found.endings["calm"].reachable is True and calm.path == ["morning", "noon", "still"]
    assert calm.choices == [1, 1] and replays_to(story, calm).state.ending == "calm"
    assert [u.node for u in found.unreached_nodes] == ["joyful"] and found.unreached_nodes[0].linked
    assert [d.condition for d in found.dead_choices] == ["mood == 'joy'"]
    code, out, _ = run_cli(["explore", "--story", os.path.join(EXPLORE, "ending_never_true"), "--json"], capsys)
    data = json.loads(out)
    assert code == 1
    assert data["endings"]["joy"] == data["endings"]["joy"] | {"reachable": False, "witness": None}
    assert data["complete"] is True


def test_a_variable_nothing_reads_is_reported(capsys):
    found = explore(fixture("unused_variable"))
    assert {k: v.finding for k, v in found.variables.items()} == {"unused": "never read"}
    assert found.variables["unused"].where.endswith("story.yaml:8:3")
    assert found.endings["sent"].witness.path == ["letter", "sent"]
    code, out, _ = run_cli(["explore", "--story", os.path.join(EXPLORE, "unused_variable")], capsys)
    assert code == 0 and "story.yaml:8:3: warning: variable 'unused' is never read" in out


def test_a_variable_read_but_never_set_is_reported():
    story = fixture("never_set_variable")
    found = explore(story)
    assert {k: v.finding for k, v in found.variables.items()} == {"promised": "read but never set"}
    kept = found.endings["kept"].witness
    assert kept.choices == [2] and kept.path == ["letter", "kept"]
    assert replays_to(story, kept).state.ending == "kept"


def test_an_ending_reached_by_a_single_sequence_of_choices_is_reported_as_info():
    found = explore(fixture("trap_cycle"))
    assert found.endings["outside"].paths == 1
    assert [e.paths for e in explore(fixture("rules")).endings.values()] == [2, 2, 2, 2]


def test_a_witness_that_needs_chance_comes_with_a_seed_the_engine_follows():
    story = fixture("chance_only")
    found = explore(story)
    lucky = found.endings["lucky"].witness
    assert lucky.needs_chance and lucky.seed is not None
    assert lucky.probability == pytest.approx(0.4 * 0.5)
    assert {(r.tag, r.low, r.high) for r in lucky.requirements} == {("c", 0, 40), ("n", 0, 50)}
    assert replays_to(story, lucky).state.ending == "lucky"
    for req in lucky.requirements:  # the roll the explorer predicts is the one the engine makes
        assert req.met_by(lucky.seed)


def test_an_unbounded_counter_that_only_grows_stays_finite():
    story = fixture("counter")
    found = explore(story)
    assert found.complete and found.states <= 6
    assert found.endings["finish"].witness.choices == [1, 1, 1, 2]
    assert replays_to(story, found.endings["finish"].witness).state.ending == "finish"


@pytest.mark.slow
def test_a_loop_that_keeps_making_states_stops_and_says_so(capsys):
    found = explore(fixture("endless"))
    assert not found.complete and "loop" in found.stopped
    assert found.endings["out"].reachable is True  # found within what was explored
    code, out, _ = run_cli(["explore", "--story", os.path.join(EXPLORE, "endless")], capsys)
    assert "INCOMPLETE" in out and "within the limit are unknown, not unreachable" in out


def test_the_state_limit_reports_what_was_proven(capsys):
    code, out, _ = run_cli(["explore", "--story", SAMPLE, "--max-states", "2", "--json"], capsys)
    data = json.loads(out)
    assert code == 1 and data["complete"] is False
    assert data["endings"]["unopened"]["reachable"] is True
    assert data["endings"]["hello"]["reachable"] is None
    code, out, _ = run_cli(["explore", "--story", SAMPLE, "--max-states", "2"], capsys)
    assert code == 1 and "INCOMPLETE: stopped because more than 2 states" in out
    assert "not reached within the limit  (setup_hello)" in out and "UNREACHABLE" not in out
    # what was not reached is not claimed unreachable
    assert "no reachable state gets there" not in out and "Nodes not reached within the limit" in out


# ---------------------------------------------------------------- the explorer agrees with the engine

@pytest.mark.parametrize("name", ["rules", "chance_only", "counter", "trap_cycle", "softlock_variable"])
def test_every_witness_of_a_fixture_replays_in_the_engine(name):
    story = fixture(name)
    for ending in explore(story).endings.values():
        assert ending.reachable, ending.id
        assert replays_to(story, ending.witness).state.ending == ending.id


def test_sample_every_witness_replays_through_the_engine_to_its_ending():
    story = load(SAMPLE)
    found = explore(story)
    assert found.complete and not found.problems
    for ending in found.endings.values():
        assert replays_to(story, ending.witness).state.ending == ending.id
    assert found.endings["hello"].witness.choices == [2, 2, 1]  # shortest, and needs no luck


@pytest.mark.slow
@pytest.mark.skipif(not load_and_validate(STORY).ok, reason="the shipped story does not validate yet")
def test_shipped_story_every_ending_is_reachable_and_every_witness_replays():
    story = load(STORY)
    found = explore(story)
    assert found.complete
    assert [k for k, e in found.endings.items() if not e.reachable] == []
    assert found.softlocks == []
    for ending in found.endings.values():
        assert replays_to(story, ending.witness).state.ending == ending.id


def test_emitted_replays_play_to_their_endings_in_text_mode(tmp_path, capsys):
    folder = tmp_path / "witnesses"
    code, out, _ = run_cli(["explore", "--story", SAMPLE, "--emit-replays", str(folder)], capsys)
    assert code == 0 and "Wrote 2 replay file(s)" in out
    files = sorted(glob.glob(str(folder / "*.json")))
    assert [os.path.basename(f) for f in files] == ["hello.json", "unopened.json"]
    for file in files:
        replay = read_replay(file)
        assert replay.story == "sample"
        code, out, _ = run_cli(["text", "--story", SAMPLE, "--replay", file], capsys)
        assert code == 0 and f"[ending: {os.path.basename(file)[:-5]}]" in out


def test_json_report_has_every_part(capsys):
    code, out, _ = run_cli(["explore", "--story", os.path.join(EXPLORE, "rules"), "--json"], capsys)
    data = json.loads(out)
    assert set(data) == {"endings", "softlocks", "traps", "dead_choices", "unreached_nodes", "variables", "states",
                         "complete"}
    assert data["endings"]["patient"]["witness"] == [4, 1, 1, 1]
    assert all(e["verified"] for e in data["endings"].values())


def test_coverage_counts_witnesses_and_golden_playthroughs(tmp_path, capsys):
    empty = tmp_path / "none"
    empty.mkdir()
    code, out, _ = run_cli(["explore", "--story", SAMPLE, "--coverage", "--playthroughs", str(empty)], capsys)
    assert code == 0
    assert "golden playthroughs (0 files)" in out and "witnesses                      6/6 (100%) nodes" in out
    golden = tmp_path / "golden"
    golden.mkdir()
    (golden / "hello.json").write_text(json.dumps({"format": 1, "story": "sample", "seed": 1, "choices": [2, 1, 1]}))
    (golden / "broken.json").write_text("{not json")
    code, out, _ = run_cli(["explore", "--story", SAMPLE, "--coverage", "--playthroughs", str(golden), "--json"],
                           capsys)
    cover = json.loads(out)["coverage"]
    assert cover["playthroughs"] == {"nodes": 5, "of_nodes": 6, "choices": 3, "of_choices": 7, "files": 1}
    assert len(cover["skipped"]) == 1 and "broken.json" in cover["skipped"][0]


def test_bad_arguments_are_usage_errors(capsys, tmp_path):
    with pytest.raises(SystemExit) as stop:
        main(["explore", "--story", SAMPLE, "--max-states", "0"])
    assert stop.value.code == 2
    assert "at least 1" in capsys.readouterr().err
    assert main(["explore", "--story", str(tmp_path / "nowhere")]) == 2
    assert "no story at" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:  # a story with errors is refused like text mode refuses it
        main(["explore", "--story", os.path.join(FIXTURES, "bad", "E012_unknown_target")])
    assert stop.value.code == 1
    assert "error[E012]" in capsys.readouterr().err


def test_a_story_that_ends_where_it_starts(tmp_path, capsys):
    (tmp_path / "story.yaml").write_text("format: 1\nid: s\ntitle: S\nstart: a\nchapters: [c.yaml]\n"
                                         "endings:\n  e: {title: E}\n")
    (tmp_path / "c.yaml").write_text("chapter: {id: c, title: C}\nnodes:\n  - id: a\n    text: [Over.]\n"
                                     "    ending: e\n")
    code, out, _ = run_cli(["explore", "--story", str(tmp_path), "--emit-replays", str(tmp_path / "w")], capsys)
    assert code == 0 and "Explored 1 state (complete)" in out and "0 choices: (no choices)" in out
    assert read_replay(str(tmp_path / "w" / "e.json")).choices == []


# ---------------------------------------------------------------- the model's pieces

def test_chance_rolls_are_the_engines():
    story = fixture("chance_only")
    for seed in range(40):
        engine = Engine(story, seed=seed)
        offered = [v.text for v in engine.choices()]
        assert (offered == ["Call heads."]) == (chance_roll(seed, 1, "c", 1) < 40)


@st.composite
def int_exprs(draw, depth=0):
    if depth > 3 or draw(st.booleans()):
        return draw(st.sampled_from(["a", "b", "visits(n1)", str(draw(st.integers(-5, 12)))]))
    op = draw(st.sampled_from(["+", "-", "*", "/", "%", "min", "max"]))
    left, right = draw(int_exprs(depth + 1)), draw(int_exprs(depth + 1))
    return f"{op}({left}, {right})" if op in ("min", "max") else f"({left} {op} {right})"


@st.composite
def bool_exprs(draw, depth=0):
    kind = draw(st.sampled_from(["cmp", "var", "seen", "str"] + (["and", "or", "not"] if depth < 3 else [])))
    if kind == "cmp":
        return f"{draw(int_exprs())} {draw(st.sampled_from(['<', '<=', '>', '>=', '==', '!=']))} {draw(int_exprs())}"
    if kind == "var":
        return "f"
    if kind == "seen":
        return "seen(n1)"
    if kind == "str":
        return f"s {draw(st.sampled_from(['==', '!=']))} '{draw(st.sampled_from(['x', 'y']))}'"
    if kind == "not":
        return f"not ({draw(bool_exprs(depth + 1))})"
    return f"({draw(bool_exprs(depth + 1))}) {kind} ({draw(bool_exprs(depth + 1))})"


@settings(max_examples=300, deadline=None)
@given(source=bool_exprs(), a=st.integers(-3, 12), b=st.integers(-3, 12), f=st.booleans(),
       s=st.sampled_from(["x", "y"]), visits=st.integers(0, 4))
def test_compiled_conditions_agree_with_the_evaluator(sample_like_model, source, a, b, f, s, visits):
    model, story = sample_like_model
    ast = expr.parse(source)
    values = {"a": a, "b": b, "f": f, "s": s}

    class Ctx:
        def var(self, name):
            return values[name]

        def visits(self, node):
            return visits if node == "n1" else 0

        def chance(self, percent):
            raise AssertionError

    vals = [visits if slot.kind == "visits" else values[slot.name] for slot in model.slots]
    assert model._compile(ast)(vals, None) == expr.evaluate(ast, Ctx())


@pytest.fixture(scope="module")
def sample_like_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vars")
    (folder / "story.yaml").write_text(
        "format: 1\nid: v\ntitle: V\nstart: n1\nchapters: [c.yaml]\nvariables:\n"
        "  a: {type: int, default: 0}\n  b: {type: int, default: 0}\n  f: {type: bool, default: false}\n"
        "  s: {type: str, default: x}\nendings:\n  e: {title: E}\n")
    (folder / "c.yaml").write_text(
        "chapter: {id: c, title: C}\nnodes:\n  - id: n1\n    text: [x]\n    choices:\n"
        "      - {text: go, goto: n2, if: 'seen(n1) and a + b > 0 and f and s == \"x\"'}\n"
        "      - {fallback: true, goto: n2}\n  - id: n2\n    text: [y]\n    ending: e\n")
    story = load(str(folder))
    return CompiledStory(story), story


def test_random_walks_match_the_explorers_rules_on_every_fixture():
    """The soak's check compares choices() with the explorer's model at every step."""
    from game.tools.soak import soak
    for path in [SAMPLE] + sorted(glob.glob(os.path.join(EXPLORE, "*"))):
        story = load(path)
        result = soak(story, walks=15, seed=random.Random(path).randrange(1000), max_steps=300)
        assert [p.message for p in result.problems if p.kind != "stuck"] == [], path

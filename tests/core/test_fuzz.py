"""A seeded mutator attacks the shipped story, a save, the player file and a replay, as issue 16's hostile
tester did. Every case must end, within its own time limit, with exit code 0, 1 or 2 and no traceback;
what the commands print about a broken story names the file and line like a compiler.

Seeded: a failure names its case, and `pytest -k` with that case reproduces it exactly."""
from __future__ import annotations

import io
import json
import os
import random
import re
import shutil

import pytest

from game.cli import main
from game.explore import Budget, explore
from game.runtime.engine import Engine
from game.runtime.persist import PlayerData
from game.runtime.saves import SaveStore
from game.story.validate import load_and_validate
from tests.core.deadline import deadline
from tests.paths import PLAYTHROUGHS, STORY

pytestmark = pytest.mark.slow

CASES = 25  # per kind of file; the module stays under a minute even on the loaded 2-core machine
PER_CASE_SECONDS = 20  # a hang detector, not a speed goal: a case takes a fraction of a second

# values a hostile tester writes in place of a YAML scalar or a JSON value
HOSTILE_YAML = ["!!int zz", "!!bool maybe", "1.0e+400", ".nan", "-.inf", "9" * 5000, "2024-13-45", "[" * 60,
                "&a [*a, *a]", '"\\e[2J"', '"\\u202e"', '"mini\\n"', "/etc/*", "../../../etc/*", "{}", "[]", "~",
                "-1", "0", "99999999999999999999", '"\\ud800"', "!!python/object:os.system", "*nowhere", "|", ">-",
                "'unclosed", '"also unclosed', "a: b: c", "- - -", "\t"]
HOSTILE_JSON = ["NaN", "Infinity", "-Infinity", "1e999", "9" * 5000, "[" * 3000 + "]" * 3000, '"\\ud800"',
                '"\\u001b[2J"', "null", "true", "[]", "{}", '"x"', "-1", "0", "1.5", '{"a": {"b": {"c": {"d": []}}}}']
COMPILER_LINE = re.compile(r"^\S.*:\d+:\d+: (error|warning)\[[EW]\d{3}\]: .+$")


def mutate_text(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(lines))
        kind = rng.randrange(8)
        if kind == 0:
            del lines[i]
        elif kind == 1:
            lines.insert(i, lines[rng.randrange(len(lines))])
        elif kind == 2:
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == 3 and ": " in lines[i]:
            key = lines[i].split(": ", 1)[0]
            lines[i] = f"{key}: {rng.choice(HOSTILE_YAML)}"
        elif kind == 4:
            at = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:at] + rng.choice(["\x00", "\x1b", "\x7f", "\t", "\ufeff", "\u202e", ":", "- ", "#"]) \
                + lines[i][at:]
        elif kind == 5:
            lines[i] = ("  " + lines[i]) if rng.random() < 0.5 else lines[i][2:]
        elif kind == 6:  # point a link somewhere else: unknown targets, rings of 'next'
            ids = re.findall(r"id: (\w+)", text)
            if ids:
                lines[i] = re.sub(r"(next|goto): \w+", lambda m: f"{m.group(1)}: {rng.choice(ids)}", lines[i])
        else:
            cut = rng.randrange(len(lines[i]) + 1)
            lines = lines[:i] + [lines[i][:cut]]
    return "\n".join(lines)


def mutate_json(text: str, rng: random.Random) -> str:
    if rng.random() < 0.2:  # bit flips and truncation
        data = bytearray(text.encode("utf-8"))
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        if rng.random() < 0.5:
            del data[rng.randrange(len(data)):]
        return data.decode("utf-8", errors="surrogateescape")
    values = list(re.finditer(r'(?<=[:\[,]) ?(-?\d[\d.eE+-]*|"(?:[^"\\]|\\.)*"|true|false|null|\[\]|\{\})', text))
    for _ in range(rng.randint(1, 3)):
        if not values:
            break
        m = rng.choice(values)
        text = text[:m.start()] + " " + rng.choice(HOSTILE_JSON) + text[m.end():]
        values = list(re.finditer(r'(?<=[:\[,]) ?(-?\d[\d.eE+-]*|"(?:[^"\\]|\\.)*"|true|false|null|\[\]|\{\})', text))
    return text


def run(monkeypatch, capsys, argv: list[str], typed: bytes = b"") -> tuple[int, str]:
    """main(argv) in this process, as the console script runs it: any exception is a traceback."""
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(typed), encoding="utf-8", errors="strict"))
    with deadline(PER_CASE_SECONDS):
        try:
            code = main(argv)
        except SystemExit as stop:  # load_playable's exit 1, argparse's 2
            code = stop.code
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), f"exit code {code}"
    return code, out + err


def check_compiler_lines(output: str) -> None:
    """A story's problems, as validate prints them: one compiler line each, naming file, line and column."""
    for line in output.splitlines():
        if line.strip() and not line.startswith("    hint:") and not re.match(r"^\d+ errors?, \d+ warnings?", line) \
                and not line.startswith("The story has errors"):
            assert COMPILER_LINE.match(line), f"not a compiler line: {line!r}"


@pytest.mark.parametrize("case", range(CASES))
def test_a_mutated_shipped_story_is_diagnosed_or_plays(monkeypatch, capsys, tmp_path, case):
    rng = random.Random(f"story:{case}")
    story = tmp_path / "story"
    shutil.copytree(STORY, story, ignore=shutil.ignore_patterns("playthroughs"))
    files = sorted(story.rglob("*.yaml"))
    for path in rng.sample(files, rng.randint(1, 2)):
        path.write_bytes(mutate_text(path.read_text(encoding="utf-8"), rng).encode("utf-8", "surrogatepass"))
    code, output = run(monkeypatch, capsys, ["validate", "--story", str(story)])
    check_compiler_lines(output)
    if code == 0:  # still a story: it must play, and explore must end
        typed = "".join(f"{rng.randint(1, 3)}\n" for _ in range(12)).encode()
        code, output = run(monkeypatch, capsys, ["text", "--story", str(story), "--seed", str(case)], typed)
        assert code in (0, 1), output[-500:]
        if case % 8 == 0:
            with deadline(PER_CASE_SECONDS):
                explore(load_and_validate(str(story)).story, budget=Budget(seconds=1, megabytes=500))


@pytest.fixture(scope="module")
def shipped():
    return load_and_validate(STORY).story


def own_files(story, folder: str) -> tuple[str, str]:
    """A real save in slot 1 and a real player file, made by playing a few steps."""
    engine = Engine(story, seed=7)
    for _ in range(3):
        if engine.can_continue:
            engine.proceed()
        elif engine.choices():
            engine.choose(1)
    store = SaveStore(folder, story)
    store.save("2", engine, play_time=61.5)
    player = PlayerData.load(folder, story.id)
    player.record_ending("published")
    player.seen.update(["ch01_letters", "ch01_desk"])
    player.settings = {"text_speed": 30, "volume": {"master": 0.5}}
    player.save()
    return store.save("1", engine, play_time=61.5), player.path


@pytest.mark.parametrize("case", range(CASES))
def test_a_mutated_save_is_refused_with_a_message_and_the_rest_keeps_working(monkeypatch, capsys, shipped,
                                                                              case):
    folder = os.environ["HER_DATA_DIR"]
    rng = random.Random(f"save:{case}")
    save, _ = own_files(shipped, folder)
    with open(save, encoding="utf-8") as handle:
        text = handle.read()
    with open(save, "w", encoding="utf-8", errors="surrogateescape") as handle:
        handle.write(mutate_json(text, rng))
    code, output = run(monkeypatch, capsys, ["text", "--load", "1"], b"1\n1\nsaves\nquit\n")
    if code == 2:  # the message names the slot and its file
        assert "save slot '1'" in output and save in output
    store = SaveStore(folder, shipped)
    assert [i.slot for i in store.slots() if not i.problem][-1] == "2"  # the other slot is untouched
    assert store.load("2").state.node


@pytest.mark.parametrize("case", range(CASES))
def test_a_mutated_player_file_is_set_aside_and_play_goes_on(monkeypatch, capsys, shipped, case):
    folder = os.environ["HER_DATA_DIR"]
    rng = random.Random(f"player:{case}")
    _, player_path = own_files(shipped, folder)
    with open(player_path, encoding="utf-8") as handle:
        text = handle.read()
    with open(player_path, "w", encoding="utf-8", errors="surrogateescape") as handle:
        handle.write(mutate_json(text, rng))
    code, output = run(monkeypatch, capsys, ["text", "--load", "2"], b"1\n1\n1\n")
    assert code == 0, output[-500:]
    again = PlayerData.load(folder, shipped.id)
    assert again.note == ""  # set aside once, readable ever after
    if "set aside" in output:
        assert os.path.exists(player_path + ".damaged")


@pytest.mark.parametrize("case", range(CASES))
def test_a_mutated_replay_is_played_or_refused_by_name(monkeypatch, capsys, tmp_path, case):
    rng = random.Random(f"replay:{case}")
    source = sorted(os.listdir(PLAYTHROUGHS))[case % len(os.listdir(PLAYTHROUGHS))]
    with open(os.path.join(PLAYTHROUGHS, source), encoding="utf-8") as handle:
        text = handle.read()
    replay = tmp_path / "replay.json"
    replay.write_text(mutate_json(text, rng), encoding="utf-8", errors="surrogateescape")
    command = "explore" if case % 10 == 0 else ["text", "soak"][case % 2]
    if command == "explore":
        os.mkdir(tmp_path / "golden")
        shutil.move(replay, tmp_path / "golden" / "replay.json")
        argv = ["explore", "--coverage", "--playthroughs", str(tmp_path / "golden"), "--max-seconds", "1",
                "--story", str(tmp_path / "story")]
        shutil.copytree(os.path.join(os.path.dirname(PLAYTHROUGHS)), tmp_path / "story",
                        ignore=shutil.ignore_patterns("playthroughs"))
    else:
        argv = [command, "--replay", str(replay)] + (["--walks", "1"] if command == "soak" else [])
    code, output = run(monkeypatch, capsys, argv)
    if code == 2:
        assert "replay.json" in output and "Traceback" not in output
    if command == "text":
        assert not os.path.exists(os.path.join(os.environ["HER_DATA_DIR"], "saves"))  # a replay never autosaves


def test_the_mutators_change_what_they_are_given():
    """The tests above would pass vacuously if the mutators left their input alone."""
    with open(os.path.join(STORY, "story.yaml"), encoding="utf-8") as handle:
        manifest = handle.read()
    assert sum(mutate_text(manifest, random.Random(i)) != manifest for i in range(CASES)) > CASES * 3 // 4
    save = json.dumps({"a": [1, 2.5, "x"], "b": {"c": None, "d": True}})
    assert sum(mutate_json(save, random.Random(i)) != save for i in range(CASES)) > CASES * 3 // 4

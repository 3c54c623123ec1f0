"""Commands fed what a hostile tester types or hands over: typed garbage, broken replay files, names.
No traceback, a clear message, exit 0/1/2, and never the player's autosave or progress lost or overwritten."""
from __future__ import annotations

import io
import json
import os

import pytest

from game.cli import main
from game.runtime.persist import PlayerData
from game.runtime.saves import AUTO, SaveStore
from game.story.validate import load_and_validate
from tests.core.deadline import deadline
from tests.paths import FIXTURES, SAMPLE


def run(monkeypatch, capsys, argv: list[str], typed: bytes = b"") -> tuple[int, str, str]:
    # a strict decoder, as an en_US.UTF-8 desktop gives: undecodable bytes used to end the game
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(typed), encoding="utf-8", errors="strict"))
    with deadline(30):
        code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def autosave(data_dir: str):
    story = load_and_validate(SAMPLE).story
    store = SaveStore(data_dir, story)
    return store.load(AUTO) if os.path.exists(store.path(AUTO)) else None


@pytest.fixture
def data_dir():
    return os.environ["HER_DATA_DIR"]


@pytest.mark.parametrize("garbage", ["²", "①", "٣", "9" * 4301, "99999", "-1", "0x1", "\x1b[2J", "hello there", "\u202e1",
                                     "x" * 5000, "save " + "1" * 5000],
                         ids=["superscript", "circled", "arabic-indic", "4301 digits", "too big", "negative", "hex",
                              "escape", "words", "bidi", "a long word", "a long slot"])
def test_typed_garbage_is_answered_and_the_choice_before_it_is_kept(monkeypatch, capsys, data_dir, garbage):
    code, out, err = run(monkeypatch, capsys, ["text", "--story", SAMPLE, "--seed", "3"],
                         f"2\n{garbage}\n".encode())
    assert code == 0 and "Traceback" not in out + err
    assert any(answer in out for answer in ("is not a choice", "There is no choice", "is not a save slot"))
    assert max(len(line) for line in out.splitlines()) < 200 and "\x1b" not in out and "\u202e" not in out
    assert autosave(data_dir).state.choice_log == [2]


def test_bytes_that_are_not_utf8_are_answered_not_fatal(monkeypatch, capsys, data_dir):
    code, out, err = run(monkeypatch, capsys, ["text", "--story", SAMPLE, "--seed", "3"], b"2\n\xff\xfe\xc0\n1\n")
    assert code == 0 and "is not a choice" in out
    assert autosave(data_dir).state.choice_log == [2, 1]


def test_story_text_never_sends_control_characters_to_the_terminal(monkeypatch, capsys, tmp_path):
    story = tmp_path / "story"
    import shutil
    shutil.copytree(SAMPLE, story)
    chapter = story / "chapters" / "setup.yaml"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace(
        "- theodore: All right. Let's see what you are.", '- theodore: "All right.\\e[2J\\u202e"'), encoding="utf-8")
    code, out, _ = run(monkeypatch, capsys, ["text", "--story", str(story), "--seed", "3"], b"")
    assert code == 0 and "All right.\\u001b[2J\\u202e" in out
    assert "\x1b" not in out and "\u202e" not in out


def own_game(monkeypatch, capsys, data_dir):
    """The player's own game: one choice taken, autosaved; and an ending recorded in their progress."""
    run(monkeypatch, capsys, ["text", "--story", SAMPLE, "--seed", "3"], b"2\n")
    before = open(SaveStore(data_dir, load_and_validate(SAMPLE).story).path(AUTO), "rb").read()
    player = PlayerData.load(data_dir, "sample")
    return before, set(player.endings)


@pytest.mark.parametrize("argv", [
    ["--replay", "{short}"], ["--replay", "{full}"], ["--start", "setup_voice"], ["--set", "openness=4"],
    ["--start", "setup_hello"],
], ids=["replay that stops early", "replay to an ending", "start warp", "set warp", "start warp to an ending"])
def test_replays_and_warps_leave_the_autosave_and_progress_alone(monkeypatch, capsys, data_dir, tmp_path, argv):
    before, endings = own_game(monkeypatch, capsys, data_dir)
    (tmp_path / "short.json").write_text(json.dumps({"format": 1, "story": "sample", "seed": 3, "choices": [1]}))
    (tmp_path / "full.json").write_text(json.dumps({"format": 1, "story": "sample", "seed": 3, "choices": [1, 1, 2, 1]}))
    argv = [a.format(short=tmp_path / "short.json", full=tmp_path / "full.json") for a in argv]
    code, out, err = run(monkeypatch, capsys, ["text", "--story", SAMPLE, *argv], b"1\n1\nquit\n")
    assert code == 0, err
    store = SaveStore(data_dir, load_and_validate(SAMPLE).story)
    assert open(store.path(AUTO), "rb").read() == before
    assert set(PlayerData.load(data_dir, "sample").endings) == endings


def test_quitting_after_a_failed_autosave_does_not_claim_it_saved(monkeypatch, capsys, data_dir):
    os.makedirs(data_dir, exist_ok=True)
    with open(os.path.join(data_dir, "saves"), "w") as handle:  # where the saves folder should be: every save fails
        handle.write("in the way")
    code, out, _ = run(monkeypatch, capsys, ["text", "--story", SAMPLE, "--seed", "3"], b"2\nquit\n")
    assert code == 0 and "autosave failed" in out
    assert "Saved to the autosave slot" not in out and "Not saved" in out


@pytest.mark.parametrize("content", [
    "[" * 100_000 + "]" * 100_000,
    '{"format": 1, "story": "sample", "seed": 1, "choices": ' + "[" * 5000 + "]" * 5000 + "}",
    '{"format": 1, "story": "sample", "seed": ' + "9" * 5000 + ', "choices": []}',
    '{"format": 1, "story": "sample", "seed": NaN, "choices": []}',
], ids=["deep", "deep choices", "5000-digit seed", "NaN seed"])
@pytest.mark.parametrize("command", ["text", "soak", "play"])
def test_a_hostile_replay_file_is_a_clear_usage_error(monkeypatch, capsys, tmp_path, content, command):
    replay = tmp_path / "r.json"
    replay.write_text(content)
    code, out, err = run(monkeypatch, capsys, [command, "--story", SAMPLE, "--replay", str(replay)])
    assert code == 2 and "r.json" in err and "Traceback" not in out + err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs")
@pytest.mark.parametrize("command", ["text", "soak"])
def test_a_fifo_as_a_replay_file_does_not_hang(monkeypatch, capsys, tmp_path, command):
    os.mkfifo(tmp_path / "r.json")
    code, _, err = run(monkeypatch, capsys, [command, "--story", SAMPLE, "--replay", str(tmp_path / "r.json")])
    assert code == 2 and "not a regular file" in err


@pytest.mark.parametrize("action", [{"play": 1}, ["play"], ["jump", 1], ["play", "1"], ["rollback", 10 ** 12], 5])
def test_a_soak_replay_with_a_damaged_action_says_which(monkeypatch, capsys, tmp_path, action):
    replay = tmp_path / "r.json"
    replay.write_text(json.dumps({"format": 1, "story": "sample", "seed": 1, "choices": [],
                                  "soak": {"actions": [["play", 0], action], "kind": "crash"}}))
    code, out, err = run(monkeypatch, capsys, ["soak", "--story", SAMPLE, "--replay", str(replay)])
    assert code == 2 and "action 2" in err and "Traceback" not in out + err


@pytest.mark.parametrize("name", ["a" * 300, "mini\n", "Mini", "mini branch", "é"])
def test_new_branch_refuses_a_bad_name_before_writing_anything(monkeypatch, capsys, tmp_path, name):
    code, out, err = run(monkeypatch, capsys, ["new-branch", name, "--story", SAMPLE, "--out", str(tmp_path / "b")])
    assert code == 2 and "not a valid branch name" in err and not (tmp_path / "b").exists()


def test_a_story_with_a_next_loop_is_refused_by_every_player(monkeypatch, capsys):
    story = os.path.join(FIXTURES, "bad", "E028_next_loop")
    for command in ("text", "soak", "explore"):
        with pytest.raises(SystemExit) as stop:
            run(monkeypatch, capsys, [command, "--story", story], b"2\n" * 50)
        assert stop.value.code == 1 and "error[E028]" in capsys.readouterr().err, command


def test_validate_quotes_the_story_without_obeying_its_control_characters(monkeypatch, capsys, tmp_path):
    import shutil
    story = tmp_path / "story"
    shutil.copytree(SAMPLE, story)
    chapter = story / "chapters" / "setup.yaml"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("goto: setup_voice", 'goto: "setup\\e[2J"', 1),
                       encoding="utf-8")
    code, out, err = run(monkeypatch, capsys, ["validate", "--story", str(story)])
    assert code == 1 and "unknown node 'setup\\u001b[2J'" in out + err
    assert "\x1b" not in out + err


@pytest.mark.parametrize("value", ["9" * 30, "-1", "9" * 5000, "x"])
def test_a_seed_no_save_could_hold_is_a_usage_error(monkeypatch, capsys, value):
    with pytest.raises(SystemExit) as stop:  # argparse's usage error
        run(monkeypatch, capsys, ["text", "--story", SAMPLE, "--seed", value], b"1\n")
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "--seed" in err and len(err) < 1000


def test_a_huge_expression_is_quoted_in_short(monkeypatch, capsys, tmp_path):
    import shutil
    story = tmp_path / "story"
    shutil.copytree(SAMPLE, story)
    chapter = story / "chapters" / "setup.yaml"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace(
        "if: openness <= 2", "if: openness <= " + " + ".join(["1"] * 1500), 1), encoding="utf-8")
    code, out, err = run(monkeypatch, capsys, ["validate", "--story", str(story)])
    [line] = [row for row in (out + err).splitlines() if "error[E015]" in row]
    assert code == 1 and len(line) < 300 and "..." in line


@pytest.mark.parametrize("assignment", ["mother=\x1b[2J", "openness=" + "9" * 5000, "lamp_on=" + "x" * 5000])
def test_a_bad_set_is_answered_in_one_short_line_without_control_characters(monkeypatch, capsys, assignment):
    code, out, err = run(monkeypatch, capsys, ["text", "--story", SAMPLE, "--set", assignment])
    assert code == 2 and err.startswith("error: ") and ("--set" in err or "is not a value" in err)
    assert len(err) < 200 and "\x1b" not in err and err.count("\n") == 1

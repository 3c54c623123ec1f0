"""Text mode, driven like a player would: transcripts of typed lines and expected output."""
from __future__ import annotations

import glob
import json
import os
import subprocess
import sys

import pytest

from tests.paths import ROOT, SAMPLE

TRANSCRIPTS = sorted(glob.glob(os.path.join(ROOT, "tests", "transcripts", "*.txt")))


def run_text(args: list[str], stdin: str, data_dir: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, HER_DATA_DIR=data_dir, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "main.py", "text", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=60)


def parse_transcript(path: str) -> tuple[list[str], str, list[str]]:
    args: list[str] = []
    typed: list[str] = []
    expected: list[str] = []
    for line in open(path, encoding="utf-8").read().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("args:"):
            args = line[5:].split()
        elif line.startswith("> "):
            typed.append(line[2:])
            expected.append(line)
        else:
            expected.append(line)
    return args, "\n".join(typed) + "\n", expected


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[os.path.basename(p) for p in TRANSCRIPTS])
def test_transcript(path, tmp_path):
    args, stdin, expected = parse_transcript(path)
    result = run_text(args, stdin, str(tmp_path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    position = 0
    for line in expected:
        found = out.find(line, position)
        assert found >= 0, f"expected {line!r} after position {position} in:\n{out[position:position + 1500]}"
        position = found + len(line)
    assert "Traceback" not in out + result.stderr


def test_end_of_input_autosaves_and_load_resumes(tmp_path):
    first = run_text(["--story", SAMPLE, "--seed", "3"], "2\n", str(tmp_path))
    assert first.returncode == 0 and "autosave" in first.stdout
    second = run_text(["--story", SAMPLE, "--load", "auto"], "1\n", str(tmp_path))
    assert second.returncode == 0
    assert "OS1: Thank you" in second.stdout  # resumed at the setup voice, where the first run stopped


def test_replay_file_plays_to_its_ending(tmp_path):
    replay = tmp_path / "r.json"
    replay.write_text(json.dumps({"format": 1, "story": "sample", "seed": 3, "choices": [1, 1, 2, 1]}))
    result = run_text(["--story", SAMPLE, "--replay", str(replay)], "", str(tmp_path))
    assert result.returncode == 0
    assert result.stdout.strip().splitlines()[-1] == "[ending: hello]"


@pytest.mark.parametrize("content, message", [
    ("not json", "not a JSON replay"),
    ('{"format": 1, "story": "sample", "seed": 1, "choices": ["a"]}', "choice numbers"),
    ('{"format": 1, "story": "other", "seed": 1, "choices": []}', "for story 'other'"),
])
def test_bad_replay_files_are_usage_errors(tmp_path, content, message):
    replay = tmp_path / "r.json"
    replay.write_text(content)
    result = run_text(["--story", SAMPLE, "--replay", str(replay)], "", str(tmp_path))
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_replay_that_does_not_fit_says_so(tmp_path):
    replay = tmp_path / "r.json"
    replay.write_text(json.dumps({"format": 1, "story": "sample", "seed": 3, "choices": [9]}))
    result = run_text(["--story", SAMPLE, "--replay", str(replay)], "", str(tmp_path))
    assert result.returncode == 1 and "does not fit" in result.stdout


def test_broken_story_exits_1_with_diagnostics(tmp_path):
    broken = os.path.join(ROOT, "tests", "fixtures", "bad", "E012_unknown_target")
    result = run_text(["--story", broken], "", str(tmp_path))
    assert result.returncode == 1 and "error[E012]" in result.stderr and "Traceback" not in result.stderr


def test_start_and_set_warp(tmp_path):
    result = run_text(["--story", SAMPLE, "--start", "setup_hello", "--set", "openness=4"], "", str(tmp_path))
    assert result.returncode == 0 and "[ending: hello]" in result.stdout
    bad = run_text(["--story", SAMPLE, "--set", "opennes=4"], "", str(tmp_path))
    assert bad.returncode == 2 and "did you mean 'openness'" in bad.stderr

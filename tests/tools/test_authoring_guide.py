"""Follow docs/authoring.md literally: write its files, run its commands, play the new branch."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.paths import ROOT

GUIDE = os.path.join(ROOT, "docs", "authoring.md")
BLOCK = re.compile(r"(?:<!-- file: (?P<file>\S+) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```", re.S)


def steps() -> list[tuple[str, str, str]]:
    with open(GUIDE, encoding="utf-8") as handle:
        text = handle.read()
    return [(m.group("lang"), m.group("file") or "", m.group("body")) for m in BLOCK.finditer(text)]


def test_guide_has_runnable_steps():
    kinds = [(lang, bool(file)) for lang, file, _ in steps()]
    assert ("sh", False) in kinds and ("yaml", True) in kinds


@pytest.mark.slow
def test_follow_the_authoring_guide(tmp_path):
    work = tmp_path / "project"
    for part in ("game", "story", "docs"):
        shutil.copytree(os.path.join(ROOT, part), work / part)
    shutil.copy(os.path.join(ROOT, "main.py"), work / "main.py")
    # the guide's `python` is the interpreter running the tests, whatever the shell's PATH says
    path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    env = dict(os.environ, HER_DATA_DIR=str(tmp_path / "data"), PATH=path)
    outputs = []
    for lang, file, body in steps():
        if file:
            target = work / file
            assert target.exists(), f"the guide edits {file}, which an earlier step should have created"
            target.write_text(body, encoding="utf-8")
        elif lang == "sh":
            for command in body.strip().splitlines():
                result = subprocess.run(["bash", "-c", command], cwd=work, capture_output=True, text=True, env=env,
                                        timeout=300)
                assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
                outputs.append(result.stdout)
    played = "\n".join(outputs)
    assert "Past the lifeguard tower" in played and "like a hand deciding" in played
    assert "He crouches without being asked" in played  # openness=4 from --set reached the text
    assert "0 errors, 0 warnings" in played
    assert not (work / "story" / "chapters" / "tide_pools.yaml").exists()  # no shipped file touched

"""SIGKILL during autosaves, slot saves and player-file saves, again and again: nothing is ever lost,
and the next start removes the temp files the killed writers left behind."""
from __future__ import annotations

import glob
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from game.runtime.persist import PlayerData
from game.runtime.saves import AUTO, SaveStore
from tests.paths import ROOT, SAMPLE

SAVER = """
from game.story.validate import load_and_validate
from game.runtime.engine import Engine
from game.runtime.persist import PlayerData
from game.runtime.saves import SaveStore
story = load_and_validate({sample!r}).story
store = SaveStore({folder!r}, story)
player = PlayerData.load({folder!r}, story.id)
engine = Engine(story, seed=1)
print("ready", flush=True)
i = 0
while True:
    engine.warp("setup_box" if i % 2 else "setup_voice")
    store.save("auto", engine, play_time=i, thumbnail="x" * 40_000)  # big enough to be killed mid-write
    store.save("1", engine, play_time=i)
    player.seen.add(f"n{{i}}")
    player.save()
    i += 1
"""

KILLS = 25


def temp_files(folder: str) -> list[str]:
    return glob.glob(os.path.join(folder, "**", ".tmp-*.json"), recursive=True)


@pytest.mark.slow
def test_repeated_sigkill_during_saves_loses_nothing_and_leaves_no_temp_files(sample_story, tmp_path):
    folder = str(tmp_path / "data")
    rng = random.Random(16)
    left_behind = 0
    for _ in range(KILLS):
        proc = subprocess.Popen([sys.executable, "-c", SAVER.format(sample=SAMPLE, folder=folder)],
                                stdout=subprocess.PIPE, cwd=ROOT)
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.02, 0.25))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        left_behind = max(left_behind, len(temp_files(folder)))
        store = SaveStore(folder, sample_story)  # the next start
        for slot in (AUTO, "1"):
            if os.path.exists(store.path(slot)):
                assert store.load(slot).state.node in ("setup_box", "setup_voice")
        player = PlayerData.load(folder, sample_story.id)
        assert player.note == ""
        assert temp_files(folder) == []
    assert store.load(AUTO) and store.load("1")
    print(f"most temp files left by one kill: {left_behind}")


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="the lock is POSIX flock")
def test_cleaning_at_start_never_takes_a_live_writers_temp_file(tmp_path):
    """A second game starting (and cleaning) while the first saves must not break the first one's save."""
    import threading

    from game.runtime.storage import remove_stale_temp_files, write_json_atomic
    path = str(tmp_path / "slot.json")
    failures, stop = [], threading.Event()

    def clean() -> None:
        while not stop.is_set():
            remove_stale_temp_files(str(tmp_path))

    cleaner = threading.Thread(target=clean)
    cleaner.start()
    try:
        for i in range(300):
            try:
                write_json_atomic(path, {"i": i, "pad": "x" * 2000})
            except OSError as err:
                failures.append(err)
    finally:
        stop.set()
        cleaner.join()
    assert failures == []
    with open(path, encoding="utf-8") as handle:
        assert json.load(handle)["i"] == 299
    assert temp_files(str(tmp_path)) == []

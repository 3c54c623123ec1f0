"""In the window too, a replay, a replayed scene or a --start/--set warp never changes the player's progress
or autosave: only their own game does (issue 16)."""
from __future__ import annotations

import os

import pytest

from game.runtime.engine import Engine
from game.runtime.launch import LaunchOptions, launch
from game.runtime.persist import PlayerData
from game.runtime.saves import AUTO, SaveStore
from game.ui.session import PLAY, REPLAY, SCENE, Library, Session


def library(story, folder) -> Library:
    return Library(story, SaveStore(folder, story), PlayerData.load(folder, story.id), folder)


@pytest.mark.parametrize("mode", [REPLAY, SCENE])
def test_an_ending_reached_in_a_replay_or_scene_is_not_recorded(sample_story, tmp_path, mode):
    lib = library(sample_story, str(tmp_path))
    session = Session(lib, Engine(sample_story, seed=1, start="setup_hello"), mode)
    while not session.engine.is_over:
        session.proceed() if session.engine.can_continue else session.choose(1)
    session.finish()
    assert PlayerData.load(str(tmp_path), "sample").endings == {}
    assert lib.player.seen == set() and not os.path.exists(lib.saves.path(AUTO))


def test_the_players_own_game_records_its_ending(sample_story, tmp_path):
    lib = library(sample_story, str(tmp_path))
    session = Session(lib, Engine(sample_story, seed=1, start="setup_hello"), PLAY)
    while not session.engine.is_over:
        session.proceed() if session.engine.can_continue else session.choose(1)
    assert session.finish() is True
    assert "hello" in PlayerData.load(str(tmp_path), "sample").endings


@pytest.mark.parametrize("options, throwaway", [
    (LaunchOptions(), False), (LaunchOptions(seed=3), False), (LaunchOptions(start="setup_voice"), True),
    (LaunchOptions(assignments=["openness=4"]), True),
])
def test_a_warp_is_a_throwaway_launch(sample_story, tmp_path, options, throwaway):
    started = launch(sample_story, SaveStore(str(tmp_path), sample_story), options)
    assert started.throwaway is throwaway

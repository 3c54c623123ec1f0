"""The shipped catalogue, synthesized once for the whole run and shared by every test that measures it."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from game.story.loader import load_story
from game.story.model import Cue
from game.story.recipe import Recipe, recipe_of
from tests.paths import STORY

RATE = 44100


@dataclass(frozen=True)
class Rendered:
    cue: Cue
    recipe: Recipe
    pcm: bytes  # what the game plays: 16-bit stereo at 44.1 kHz
    x: np.ndarray  # the same as floats shaped (2, samples), full scale 1.0
    shots: tuple[np.ndarray, ...]  # its scattered one-shots, likewise


def shipped_story():
    story, diagnostics = load_story(STORY)
    assert story is not None, [d.format() for d in diagnostics]
    return story


@pytest.fixture(scope="session")
def shipped_renders() -> dict[str, Rendered]:
    from game.audio.levels import from_pcm
    from game.audio.synth import pcm_parts
    story = shipped_story()
    found = {}
    for name, cue in story.cues.items():
        recipe = recipe_of(cue)
        samples, *shots = pcm_parts(recipe)
        found[name] = Rendered(cue, recipe, samples, from_pcm(samples, 2), tuple(from_pcm(s, 2) for s in shots))
    return found

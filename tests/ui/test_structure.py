"""The window's screens are opened by name: no screen module imports another (no play <-> menu cycle), and no
function imports anything at all."""
from __future__ import annotations

import ast
import os

import pygame
import pytest

from game.ui.scenes import SCREENS
from tests.paths import ROOT
from tests.ui.driver import button_labelled, click, make_app

SCENES = os.path.join(ROOT, "game", "ui", "scenes")
SHARED = {"base", "registry"}  # what every screen may build on


def scene_modules() -> dict[str, ast.Module]:
    return {name[:-3]: ast.parse(open(os.path.join(SCENES, name), encoding="utf-8").read())
            for name in sorted(os.listdir(SCENES)) if name.endswith(".py") and name != "__init__.py"}


@pytest.fixture(autouse=True)
def _close_window():
    yield
    pygame.display.quit()


def test_no_screen_imports_another_and_no_function_imports():
    modules = scene_modules()
    for name, tree in modules.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                target = (node.module or "").split(".")[0]
                assert target not in set(modules) - SHARED, f"scenes/{name}.py imports scenes/{target}.py"
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = [n for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom))]
                assert not inner, f"scenes/{name}.py: {node.name}() imports inside a function"


def test_every_screen_is_registered_once_under_its_own_name():
    assert {"title", "play", "menu", "saves", "settings", "history", "endings", "flowchart", "help", "about",
            "confirm", "error", "content_note"} <= set(SCREENS)
    assert all(cls.name == name for name, cls in SCREENS.items())


def test_about_names_the_fonts_and_their_licences():
    app = make_app()
    click(app, button_labelled(app.top, "About").rect.center)
    assert app.top.name == "about"
    words = " ".join(text for _, text in app.top.paragraphs())
    assert "EB Garamond" in words and "Inter" in words
    assert words.count("SIL Open Font License, Version 1.1") == 2  # quoted from each font's own licence file
    assert "Georg Duffner" in words and "The Inter Project Authors" in words

"""The window's screens are opened by name: no screen module imports another (no play <-> menu cycle), and no
function imports anything at all."""
from __future__ import annotations

import ast
import os

from game.ui.scenes import SCREENS
from tests.paths import ROOT
from tests.ui.driver import button_labelled, click, make_app

SCENES = os.path.join(ROOT, "game", "ui", "scenes")
SHARED = {"base", "registry"}  # what every screen may build on


def scene_modules() -> dict[str, ast.Module]:
    """Each screen's module, by screen module name (a screen split into a package counts its files as one)."""
    modules: dict[str, ast.Module] = {}
    for folder, _, files in os.walk(SCENES):
        inside = os.path.relpath(folder, SCENES)
        for name in sorted(files):
            if name.endswith(".py") and not (inside == "." and name == "__init__.py"):
                screen = name[:-3] if inside == "." else inside.split(os.sep)[0]
                tree = ast.parse(open(os.path.join(folder, name), encoding="utf-8").read())
                modules[f"{screen}/{name}" if inside != "." else screen] = tree
    return modules


def imported_screen(name: str, node: ast.ImportFrom) -> str:
    """The screen module a relative import reaches, seen from the module called name."""
    nested = "/" in name
    if node.level == 1 and not nested or node.level == 2 and nested:
        return (node.module or "").split(".")[0]
    return name.split("/")[0] if nested and node.level == 1 else ""


def test_no_screen_imports_another_and_no_function_imports():
    modules = scene_modules()
    screens = {name.split("/")[0] for name in modules}
    assert "play" in screens  # the play scene, split into a package, is checked too
    for name, tree in modules.items():
        own = name.split("/")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level in (1, 2):
                target = imported_screen(name, node)
                assert target == own or target not in screens - SHARED, f"scenes/{name} imports scenes/{target}"
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = [n for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom))]
                assert not inner, f"scenes/{name}: {node.name}() imports inside a function"


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

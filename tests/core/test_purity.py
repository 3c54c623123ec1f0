"""The story and runtime core never import pygame (or anything of the window and audio shells)."""
import ast
import os

from tests.paths import ROOT

FORBIDDEN = ("pygame", "pydub", "game.ui", "game.audio")


def test_core_never_imports_pygame():
    offenders = []
    for package in ("game/story", "game/runtime"):
        for folder, _, files in os.walk(os.path.join(ROOT, package)):
            for name in files:
                if not name.endswith(".py"):
                    continue
                path = os.path.join(folder, name)
                tree = ast.parse(open(path, encoding="utf-8").read())
                for node in ast.walk(tree):
                    modules = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                        [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                    offenders += [f"{path}: {m}" for m in modules if m.startswith(FORBIDDEN)]
    assert offenders == []


def test_no_eval_or_unsafe_yaml():
    hits = []
    for folder, _, files in os.walk(os.path.join(ROOT, "game")):
        for name in files:
            if name.endswith(".py"):
                text = open(os.path.join(folder, name), encoding="utf-8").read()
                tree = ast.parse(text)
                for node in ast.walk(tree):
                    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("eval", "exec"):
                        hits.append(name)
                    if isinstance(node, ast.Attribute) and node.attr in ("load", "unsafe_load", "full_load") \
                            and isinstance(node.value, ast.Name) and node.value.id == "yaml":
                        hits.append(name)
    assert hits == []

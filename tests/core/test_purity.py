"""The layers import only downwards: the story core and the runtime never reach the window, the audio
or pygame, and nothing reaches up into the command line. Relative imports count like absolute ones."""
import ast
import os

from tests.paths import ROOT

# package -> the game packages its modules may import (besides game.paths, which every layer may use)
ALLOWED = {
    "story": {"story"},
    "runtime": {"story", "runtime"},
    "explore": {"story", "explore"},
    "text": {"story", "runtime", "text"},
    "tools": {"story", "runtime", "explore", "tools"},
    "audio": {"story", "runtime", "audio"},
    "ui": {"story", "runtime", "audio", "ui"},
    "cli": {"story", "runtime", "explore", "text", "tools", "audio", "ui", "cli"},
}
PURE = ("story", "runtime", "explore", "text", "tools")  # no pygame, no pydub
NATIVE = ("pygame", "pydub")


def imports_of(path: str) -> list[tuple[int, str]]:
    """(line, absolute module name) for every import in the file, relative ones resolved."""
    package = os.path.relpath(os.path.dirname(path), ROOT).replace(os.sep, ".")
    found = []
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            if not node.module:  # `from .. import widgets` imports the submodules themselves
                found += [(node.lineno, f"{module}.{a.name}") for a in node.names]
    return found


def layer_violations() -> list[str]:
    problems = []
    for layer, allowed in ALLOWED.items():
        for folder, _, files in os.walk(os.path.join(ROOT, "game", layer)):
            for name in files:
                if not name.endswith(".py"):
                    continue
                path = os.path.join(folder, name)
                for line, module in imports_of(path):
                    where = f"{os.path.relpath(path, ROOT)}:{line}: {module}"
                    parts = module.split(".")
                    if layer in PURE and parts[0] in NATIVE:
                        problems.append(where)
                    if parts[0] == "game" and len(parts) > 1 and parts[1] not in allowed | {"paths"}:
                        problems.append(where)
    return problems


def test_layers_import_only_downwards():
    assert layer_violations() == []


def test_the_check_sees_relative_imports(tmp_path, monkeypatch):
    """A `from ..ui import x` in the runtime is caught, not only `import pygame`."""
    runtime = tmp_path / "game" / "runtime"
    runtime.mkdir(parents=True)
    (runtime / "sneaky.py").write_text("from ..ui import app\nfrom . import engine\nimport pygame\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", str(tmp_path))
    assert sorted(layer_violations()) == ["game/runtime/sneaky.py:1: game.ui", "game/runtime/sneaky.py:3: pygame"]


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

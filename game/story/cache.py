"""The loaded and validated story, cached on disk: a second start with nothing changed skips parsing.

The key is a hash of every YAML file under the story folders (names and bytes), the source of this
package (a changed loader or model never meets an old cache), the Python version and the working
folder (messages name files relative to it). Entries are pickles this module wrote, with a SHA-256
of the payload in front: a truncated, damaged or foreign file fails the check and the story is
loaded again (and the entry rewritten). Unpickling only accepts this package's classes and a few
plain built-ins, so even a file that passes the hash cannot make the game run other code.
Only a story without errors is cached; writing is atomic (temporary file + os.replace).
"""
from __future__ import annotations

import gc
import hashlib
import io
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator

from ..paths import user_cache
from .validate import Result, load_and_validate

CACHE_VERSION = 1  # bump when the entry layout changes (the package source is in the key anyway)
MAGIC = b"her-story-cache\n"
_PACKAGE = os.path.dirname(os.path.abspath(__file__))
_ALLOWED_BUILTINS = frozenset({"frozenset", "set", "tuple", "list", "dict", "int", "str", "bool", "float",
                               "getattr", "object"})
_ALLOWED_YAML = frozenset({("yaml._yaml", "__pyx_unpickle_Mark"), ("yaml._yaml", "Mark"), ("yaml.error", "Mark")})
_code_digest: str | None = None


def cache_dir() -> str:
    """$HER_CACHE_DIR/stories, else the user's cache folder (e.g. ~/.cache/her/stories)."""
    return user_cache("stories")


def _code() -> str:
    """A hash of this package's source: the loader, model and validator that built a cached story."""
    global _code_digest
    if _code_digest is None:
        h = hashlib.sha256()
        for name in sorted(os.listdir(_PACKAGE)):
            if name.endswith(".py"):
                h.update(name.encode() + b"\0")
                with open(os.path.join(_PACKAGE, name), "rb") as handle:
                    h.update(handle.read())
        _code_digest = h.hexdigest()
    return _code_digest


def _story_files(folder: str) -> Iterator[str]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")):
                yield os.path.join(root, name)


def _folders(paths: list[str]) -> list[str]:
    return [os.path.abspath(p if os.path.isdir(p) else os.path.dirname(p) or ".") for p in paths]


def story_key(paths: str | list[str]) -> str | None:
    """The cache key of the story at `paths`, or None when its files cannot all be read."""
    paths = [paths] if isinstance(paths, str) else list(paths)
    h = hashlib.sha256()
    h.update(f"{CACHE_VERSION}\0{sys.version}\0{_code()}\0{os.getcwd()}\0".encode())
    try:
        for given, folder in zip(paths, _folders(paths)):
            h.update(f"story\0{given}\0".encode())
            for path in _story_files(folder):
                with open(path, "rb") as handle:
                    data = handle.read()
                h.update(f"{os.path.relpath(path, folder)}\0{len(data)}\0".encode())
                h.update(data)
    except OSError:
        return None
    return h.hexdigest()


class _Unpickler(pickle.Unpickler):
    """Only the story package's own classes and plain built-ins."""

    def find_class(self, module: str, name: str) -> object:
        if (module.startswith("game.story.") or (module == "builtins" and name in _ALLOWED_BUILTINS)
                or (module, name) in _ALLOWED_YAML):  # positions the loader keeps from PyYAML
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a story")


def _read(path: str) -> Result | None:
    try:
        with open(path, "rb") as handle:
            blob = handle.read()
    except OSError:
        return None
    head = len(MAGIC) + 32
    if not blob.startswith(MAGIC) or hashlib.sha256(blob[head:]).digest() != blob[len(MAGIC):head]:
        return None
    was_enabled = gc.isenabled()
    gc.disable()  # a story is a large acyclic tree: the collector would rescan it while it grows
    try:
        found = _Unpickler(io.BytesIO(blob[head:])).load()
    except Exception:  # noqa: BLE001 - any damage means "load it again", never a crash
        return None
    finally:
        if was_enabled:
            gc.enable()
    return found if isinstance(found, Result) and found.ok else None


def _write(path: str, result: Result) -> None:
    try:
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return  # something in the story cannot be pickled: it is simply not cached
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(temp, path)
        except BaseException:
            if os.path.exists(temp):
                os.remove(temp)
            raise
    except OSError:
        pass  # a read-only or full cache folder only costs the next start its parse


def load_cached(paths: str | list[str], folder: str | None = None) -> Result:
    """load_and_validate(paths), from the cache when no story file (nor the code) changed since."""
    result = _load(paths, folder)
    # The story lives as long as the process and never changes: leave its millions of objects out of
    # every later garbage collection (compiling it for the explorer: 5.7 -> 1.1 s at 10k nodes).
    gc.freeze()
    return result


def _load(paths: str | list[str], folder: str | None) -> Result:
    key = story_key(paths)
    if key is None:
        return load_and_validate(paths)
    path = os.path.join(folder or cache_dir(), key[:40] + ".pickle")
    found = _read(path)
    if found is not None:
        return found
    result = load_and_validate(paths)
    if result.ok and result.story is not None and _inside(result.story.files, paths):
        _write(path, result)
    return result


def _inside(files: tuple[str, ...], paths: str | list[str]) -> bool:
    """Whether every file the story was read from is one the key hashed."""
    folders = _folders([paths] if isinstance(paths, str) else list(paths))
    for file in files:
        full = os.path.abspath(file)
        if not full.endswith((".yaml", ".yml")) or not any(
                os.path.commonpath([full, f]) == f for f in folders):
            return False
    return True

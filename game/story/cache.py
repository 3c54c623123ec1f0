"""The loaded and validated story, cached on disk: a second start with nothing changed skips parsing.

The key is a hash of every YAML file under the story folders (names and bytes), the source of this
package (a changed loader or model never meets an old cache), the Python version and the working
folder (messages name files relative to it). Entries are pickles this module wrote, with a SHA-256
of the payload in front: a truncated, damaged or foreign file fails the check and the story is
loaded again (and the entry rewritten). Unpickling only accepts this package's classes and a few
plain built-ins, so even a file that passes the hash cannot make the game run other code.
Only a story without errors is cached; writing is atomic (temporary file + os.replace).

An entry is a head (the story without its nodes, the diagnostics and the node ids in story order)
and the nodes in chunks of CHUNK, each a pickle of its own. A start unpickles only the head: the
nodes are built a chunk at a time the first time one of them is asked for (LazyNodes), so playing
a 100k-node story builds the few hundred nodes it visits, while explore and graph, which read every
node, build them all at once.
"""
from __future__ import annotations

import gc
import hashlib
import io
import os
import pickle
import struct
import sys
import tempfile
import threading
import time
from collections.abc import Callable, ItemsView, Iterator, Mapping, ValuesView
from dataclasses import replace
from typing import Any

from ..paths import user_cache
from .model import Node
from .validate import Result, load_and_validate

CACHE_VERSION = 2  # bump when the entry layout changes (the package source is in the key anyway)
MAGIC = b"her-story-cache\n"
CHUNK = 256  # nodes per separately unpickled piece: a few milliseconds each
KEPT_ENTRIES = 8  # the most recently used entries a cache folder keeps (each edit of a story makes a new one)
_HEAD_LENGTH = struct.Struct("<Q")
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


def _unpickle(data: bytes | memoryview) -> object:
    was_enabled = gc.isenabled()
    gc.disable()  # a story is a large acyclic tree: the collector would rescan it while it grows
    try:
        return _Unpickler(io.BytesIO(data)).load()
    finally:
        if was_enabled:
            gc.enable()


class StoryCacheDamaged(Exception):
    """A node of the running story can be neither unpickled nor read again from its files (they changed)."""


class LazyNodes(Mapping[str, Node]):
    """A cached story's nodes, unpickled a chunk at a time on first use. Iterates in story order;
    values() and items() build every node first (once), then are as fast as a dict's."""

    def __init__(self, ids: tuple[str, ...], chunks: list[memoryview],
                 reload: Callable[[], Mapping[str, Node] | None] = lambda: None):
        self._ids = ids
        self._reload = reload  # the story's nodes loaded afresh, should a chunk turn out damaged
        self._index = {node_id: i for i, node_id in enumerate(ids)}
        self._chunks: list[memoryview | None] = list(chunks)
        self._built: dict[str, Node] = {}
        self._complete = False
        self._lock = threading.Lock()  # the window's audio thread may walk the story while play reads it

    def __getitem__(self, node_id: str) -> Node:
        node = self._built.get(node_id)
        if node is None:
            self._build(self._index[node_id] // CHUNK)  # KeyError for an unknown id, as a dict
            node = self._built[node_id]
        return node

    def get(self, node_id: str, default: Node | None = None) -> Node | None:  # type: ignore[override]
        node = self._built.get(node_id)
        if node is None and node_id in self._index:
            return self[node_id]
        return node if node is not None else default

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def values(self) -> ValuesView[Node]:
        return self._all().values()

    def items(self) -> ItemsView[str, Node]:
        return self._all().items()

    def __repr__(self) -> str:
        return f"<{len(self._ids)} nodes, {len(self._built)} built>"

    def __reduce__(self) -> tuple[type, tuple[dict[str, Node]]]:
        return dict, (dict(self._all()),)  # a copy or a pickle of the story holds a plain dict

    def _build(self, chunk: int) -> None:
        with self._lock:
            if self._chunks[chunk] is None:
                return  # another thread built it meanwhile
            nodes = self._unpickled(chunk)
            if nodes is None:
                self._adopt_reloaded()
                return
            self._built.update(zip(self._ids[chunk * CHUNK:(chunk + 1) * CHUNK], nodes))
            self._chunks[chunk] = None

    def _unpickled(self, chunk: int) -> tuple[Node, ...] | None:
        """The nodes of a chunk, or None when it does not hold exactly the nodes it should."""
        ids = self._ids[chunk * CHUNK:(chunk + 1) * CHUNK]
        data = self._chunks[chunk]
        try:
            nodes = _unpickle(data) if data is not None else None
        except Exception:  # noqa: BLE001 - any damage is "not these nodes"
            return None
        if isinstance(nodes, tuple) and len(nodes) == len(ids) and \
                all(isinstance(n, Node) and n.id == i for n, i in zip(nodes, ids)):
            return nodes
        return None

    def _adopt_reloaded(self) -> None:
        """A chunk passed the entry's hash but holds something else (an entry crafted by hand): never
        trusted, the story is loaded from its files instead (when they still hold the same nodes)."""
        fresh = self._reload()
        if fresh is None or tuple(fresh) != self._ids:
            raise StoryCacheDamaged("the story cache entry is damaged and the story files have changed since the "
                                    "game started: start the game again")
        self._built = dict(fresh)
        self._chunks = [None] * len(self._chunks)

    def _all(self) -> dict[str, Node]:
        if not self._complete:
            was_enabled = gc.isenabled()
            gc.disable()
            try:
                for chunk, data in enumerate(self._chunks):
                    if data is not None:
                        self._build(chunk)
            finally:
                if was_enabled:
                    gc.enable()
            self._built = {node_id: self._built[node_id] for node_id in self._ids}  # in story order
            self._complete = True
            self._chunks = []  # the entry's bytes can go
            gc.freeze()  # as load_cached does: the story's objects stay out of later collections
        return self._built


def _read(path: str, paths: list[str]) -> Result | None:
    try:
        with open(path, "rb") as handle:
            blob = handle.read()
    except OSError:
        return None
    head = len(MAGIC) + 32
    payload = memoryview(blob)[head:]
    if not blob.startswith(MAGIC) or hashlib.sha256(payload).digest() != blob[len(MAGIC):head]:
        return None
    try:
        (length,) = _HEAD_LENGTH.unpack_from(payload)
        base = _HEAD_LENGTH.size + length
        found: Any = _unpickle(payload[_HEAD_LENGTH.size:base])
        result, ids, ends = found
        if not (isinstance(result, Result) and result.ok and result.story is not None and isinstance(ids, tuple)
                and all(type(i) is str for i in ids) and isinstance(ends, list)
                and len(ends) == -(-len(ids) // CHUNK) and all(type(e) is int for e in ends)
                and ends == sorted(ends) and (ends[-1] if ends else 0) == len(payload) - base):
            return None
        nodes = LazyNodes(ids, [payload[base + a:base + b] for a, b in zip([0] + ends, ends)],
                          lambda: _reload_nodes(path, paths))
        if ids and nodes._unpickled(len(ends) - 1) is None:  # the last chunk proves the layout
            return None
    except Exception:  # noqa: BLE001 - any damage means "load it again", never a crash
        return None
    try:
        os.utime(path)  # used now: pruning keeps the entries in use
    except OSError:
        pass
    return replace(result, story=replace(result.story, nodes=nodes))


def _reload_nodes(entry: str, paths: list[str]) -> Mapping[str, Node] | None:
    """The nodes of the story at `paths` from its files, the damaged cache entry removed."""
    try:
        os.remove(entry)
    except OSError:
        pass
    result = load_and_validate(paths)
    return result.story.nodes if result.ok and result.story is not None else None


def _write(path: str, result: Result) -> None:
    assert result.story is not None
    nodes = result.story.nodes
    ids = tuple(nodes)
    was_enabled = gc.isenabled()
    gc.disable()  # pickling allocates as it goes: the collector would rescan the story each time (10k nodes: 2.5x)
    try:
        chunks = [pickle.dumps(tuple(nodes[i] for i in ids[k:k + CHUNK]), pickle.HIGHEST_PROTOCOL)
                  for k in range(0, len(ids), CHUNK)]
        ends, at = [], 0
        for chunk in chunks:
            at += len(chunk)
            ends.append(at)
        head = pickle.dumps((replace(result, story=replace(result.story, nodes={})), ids, ends),
                            pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return  # something in the story cannot be pickled: it is simply not cached
    finally:
        if was_enabled:
            gc.enable()
    payload = b"".join([_HEAD_LENGTH.pack(len(head)), head, *chunks])
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
        _prune(folder)
    except OSError:
        pass  # a read-only or full cache folder only costs the next start its parse


def _prune(folder: str) -> None:
    """Remove all but the KEPT_ENTRIES most recently used entries (every edit of a story, every update of the
    game leaves one behind: 80 MB for a 100k-node story), and temporary files a killed writer left."""
    entries = []
    for entry in os.scandir(folder):
        try:
            if entry.name.endswith(".pickle"):
                entries.append((entry.stat().st_mtime, entry.path))
            elif entry.name.endswith(".tmp") and entry.stat().st_mtime < time.time() - 3600:
                os.remove(entry.path)
        except OSError:
            continue
    for _, stale in sorted(entries, reverse=True)[KEPT_ENTRIES:]:
        try:
            os.remove(stale)
        except OSError:
            pass


def load_cached(paths: str | list[str], folder: str | None = None) -> Result:
    """load_and_validate(paths), from the cache when no story file (nor the code) changed since."""
    result = _load(paths, folder)
    # The story lives as long as the process and never changes: leave its millions of objects out of
    # every later garbage collection (compiling it for the explorer: 5.7 -> 1.1 s at 10k nodes).
    gc.freeze()
    return result


def _load(paths: str | list[str], folder: str | None) -> Result:
    paths = [paths] if isinstance(paths, str) else list(paths)
    key = story_key(paths)
    if key is None:
        return load_and_validate(paths)
    path = os.path.join(folder or cache_dir(), key[:40] + ".pickle")
    found = _read(path, paths)
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

"""Where player files live, and writing them so a crash never leaves half a file."""
from __future__ import annotations

import json
import math
import os
import tempfile
import time
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: stale temp files are recognised by age instead of by their lock
    fcntl = None  # type: ignore[assignment]

from ..story.files import FileTooLarge, NotARegularFile, read_regular_file

ENV_DATA_DIR = "HER_DATA_DIR"
TEMP_PREFIX, TEMP_SUFFIX = ".tmp-", ".json"
STALE_AFTER = 60.0  # seconds; only where files cannot be locked
APP_NAME = "her-game"


def data_dir(override: str | None = None) -> str:
    """--data-dir, else $HER_DATA_DIR, else the platform's user data folder."""
    if override:
        return os.path.abspath(override)
    if os.environ.get(ENV_DATA_DIR):
        return os.path.abspath(os.environ[ENV_DATA_DIR])
    import platformdirs
    return platformdirs.user_data_dir(APP_NAME, appauthor=False)


def write_json_atomic(path: str, data: Any) -> None:
    """Temp file in the same folder, fsync, os.replace: the old file survives any crash."""
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    fd, tmp = _locked_temp_file(folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            # dumps without indent is C's encoder; dump or an indent is Python's, 5-10x slower on a long game
            handle.write(json.dumps(data, ensure_ascii=False))
            handle.flush()
            os.fsync(handle.fileno())
            if fcntl:
                os.replace(tmp, path)
        if not fcntl:  # Windows cannot rename a file that is still open
            os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable where the platform allows it
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def _locked_temp_file(folder: str) -> tuple[int, str]:
    """A new temp file, locked until its rename, so remove_stale_temp_files leaves it alone. Between
    creating and locking it, another process's cleaner may take it for a dead writer's: then start again."""
    while True:
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=folder)
        if not fcntl:
            return fd, tmp
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.stat(tmp).st_ino == os.fstat(fd).st_ino:
                return fd, tmp
        except FileNotFoundError:
            pass
        os.close(fd)


def remove_stale_temp_files(folder: str) -> list[str]:
    """Delete the temp files of writers killed mid-write (SIGKILL, power cut); returns their names.
    A writer still at work holds a lock on its temp file, so it is never taken for a dead one."""
    try:
        names = [n for n in os.listdir(folder) if n.startswith(TEMP_PREFIX) and n.endswith(TEMP_SUFFIX)]
    except OSError:
        return []
    removed = []
    for name in names:
        path = os.path.join(folder, name)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            if fcntl:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            elif time.time() - os.fstat(fd).st_mtime < STALE_AFTER:
                continue
            os.unlink(path)
            removed.append(name)
        except OSError:  # locked: a live writer's
            continue
        finally:
            os.close(fd)
    return removed


MAX_JSON_BYTES = 4 * 1024 * 1024  # a save with a thumbnail is ~50 KB
MAX_JSON_DEPTH = 8  # the deepest file the game writes nests 3 levels
MAX_JSON_INT = 2 ** 63


class DamagedFile(ValueError):
    """A file the game could not have written: the message says what is wrong with it."""


def read_json(path: str, limit: int = MAX_JSON_BYTES) -> Any:
    """The plain JSON value of a player file. Raises DamagedFile for anything the game would never write
    (NaN, huge numbers, deep nesting, lone surrogates, FIFOs, devices), OSError when it cannot be read."""
    try:
        raw = read_regular_file(path, limit)
    except (NotARegularFile, FileTooLarge) as err:
        raise DamagedFile(err.strerror) from None
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant, parse_float=_finite_float)
    except UnicodeDecodeError:
        raise DamagedFile("it is not UTF-8 text") from None
    except RecursionError:
        raise DamagedFile("it is nested too deeply") from None
    except ValueError as err:  # JSONDecodeError, NaN, and ints longer than Python converts
        raise DamagedFile(f"it is not a complete JSON file ({str(err).split(':')[0]})") from None
    _check_plain(data, 0)
    return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large")
    return value


def _check_plain(value: Any, depth: int) -> None:
    if depth > MAX_JSON_DEPTH:
        raise DamagedFile("it is nested too deeply")
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, int) and not -MAX_JSON_INT < value < MAX_JSON_INT:
        raise DamagedFile("it holds a number too large to be real")
    elif isinstance(value, list):
        for item in value:
            _check_plain(item, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_plain(item, depth + 1)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (\ud800) crashes printing it and writing it back
        raise DamagedFile("it holds text that is not valid Unicode") from None

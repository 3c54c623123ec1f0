"""Where player files live, and writing them so a crash never leaves half a file."""
from __future__ import annotations

import json
import os
import tempfile
from typing import Any

ENV_DATA_DIR = "HER_DATA_DIR"
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
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
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

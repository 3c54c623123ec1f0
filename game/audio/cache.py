"""Rendered cues on disk, keyed by a hash of the recipe: the second start synthesizes nothing.

Files are plain 16-bit WAV (readable by any audio tool) written atomically; a damaged or unreadable
file is simply rendered again.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import wave
from typing import Any

from ..paths import user_cache

SYNTH_VERSION = 2  # bump when game/audio/synth.py changes what a recipe sounds like
_UMASK = os.umask(0o022)  # read once, at import (in the main thread, before any synthesis thread)
os.umask(_UMASK)


def cache_dir() -> str:
    """$HER_CACHE_DIR/audio, else the user's cache folder (e.g. ~/.cache/her/audio)."""
    return user_cache("audio")


def recipe_key(cue: Any, rate: int, channels: int) -> str:
    """Same recipe data on the same channel (its loudness), looping or not, at the same output format -> same key,
    whatever the cue is called."""
    text = json.dumps({"synth": SYNTH_VERSION, "recipe": cue.recipe, "channel": cue.channel, "loop": cue.loop,
                       "rate": rate, "channels": channels}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def write_wav(path: str, samples: bytes, rate: int, channels: int) -> None:
    """16-bit WAV, written to a temporary file then moved into place."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as raw, wave.open(raw, "wb") as out:
            out.setnchannels(channels)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(samples)
        os.chmod(temp, 0o666 & ~_UMASK)  # mkstemp makes files private; a WAV is as readable as any other file
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise


def read_wav(path: str, rate: int, channels: int) -> bytes | None:
    """The samples, or None when the file is missing, damaged or in another format."""
    try:
        with wave.open(path, "rb") as handle:
            if (handle.getframerate(), handle.getnchannels(), handle.getsampwidth()) != (rate, channels, 2):
                return None
            frames = handle.getnframes()
            data = handle.readframes(frames)
    except (OSError, EOFError, wave.Error):
        return None
    return data if frames and len(data) == frames * channels * 2 else None


class DiskCache:
    def __init__(self, folder: str | None = None):
        self.folder = folder or cache_dir()
        self.writable = True

    def path(self, key: str) -> str:
        return os.path.join(self.folder, key + ".wav")

    def load(self, key: str, rate: int, channels: int) -> bytes | None:
        return read_wav(self.path(key), rate, channels)

    def store(self, key: str, samples: bytes, rate: int, channels: int) -> str:
        """'' or why the file could not be written (the game goes on without the cache)."""
        if not self.writable:
            return ""
        try:
            write_wav(self.path(key), samples, rate, channels)
        except OSError as err:
            self.writable = False  # say it once, not once per cue
            return f"cannot write the audio cache in {self.folder}: {err.strerror or err}"
        return ""

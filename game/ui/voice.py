"""Self-voicing (Ren'Py's V key): the story's lines and the focused menu item read aloud by the system's speech
engine, for blind and low-vision players. No pygame here: it only starts the engine's program."""
from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable

# the programs tried, in order, and how each is asked to say something (the words come last)
ENGINES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("espeak-ng", ()),
    ("spd-say", ()),
    ("espeak", ()),
)
MISSING = ("Self-voicing needs a speech engine, and none was found: install espeak-ng "
           "(or speech-dispatcher, for spd-say), then press V again.")


class SelfVoice:
    def __init__(self, which: Callable[[str], str | None] = shutil.which):
        self.command: list[str] | None = None
        for program, options in ENGINES:
            path = which(program)
            if path:
                self.command = [path, *options]
                break
        self._speaking: subprocess.Popen | None = None
        self.last = ""

    @property
    def available(self) -> bool:
        return self.command is not None

    def say(self, words: str) -> None:
        """Say the words, cutting off whatever was still being said (the player has moved on)."""
        words = " ".join(words.split())
        if self.command is None or not words:
            return
        self.stop()
        self.last = words
        try:
            self._speaking = subprocess.Popen([*self.command, words], stdin=subprocess.DEVNULL,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            self.command = None  # the program went away: say so once, through the caller's check of available

    def stop(self) -> None:
        if self._speaking is not None and self._speaking.poll() is None:
            self._speaking.terminate()
        self._speaking = None

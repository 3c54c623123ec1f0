"""Per-player data that outlives playthroughs: endings reached, nodes read, settings."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .storage import read_json, remove_stale_temp_files, write_json_atomic

PLAYER_FILE = "player.json"


@dataclass
class PlayerData:
    path: str
    endings: dict[str, str] = field(default_factory=dict)  # ending id -> date first reached
    seen: set[str] = field(default_factory=set)  # node ids ever read
    settings: dict[str, Any] = field(default_factory=dict)
    note: str = ""  # set when the file was damaged and had to be set aside

    @classmethod
    def load(cls, folder: str, story_id: str) -> PlayerData:
        path = os.path.join(folder, f"{story_id}-{PLAYER_FILE}")
        data = cls(path)
        remove_stale_temp_files(folder)
        if not os.path.exists(path):
            return data
        try:
            raw = read_json(path)
            endings = {str(k): str(v) for k, v in dict(raw.get("endings", {})).items()}
            seen = {str(x) for x in raw.get("seen", [])}
            settings = raw.get("settings", {})
            data.endings, data.seen = endings, seen
            data.settings = dict(settings) if isinstance(settings, dict) else {}
        except (OSError, ValueError, TypeError, AttributeError):
            aside = path + ".damaged"
            try:
                os.replace(path, aside)
                data.note = f"Your player file was damaged and was set aside as {aside}; saves are untouched."
            except OSError:
                data.note = f"Your player file {path} cannot be read; progress starts afresh. Saves are untouched."
        return data

    def record_ending(self, ending_id: str) -> bool:
        """True when this ending is new for the player."""
        if ending_id in self.endings:
            return False
        self.endings[ending_id] = date.today().isoformat()
        return True

    def save(self) -> None:
        write_json_atomic(self.path, {"format": 1, "endings": self.endings, "seen": sorted(self.seen),
                                      "settings": self.settings})

"""Player settings for the window game, stored in PlayerData.settings (plain JSON, no pygame)."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

VOLUME_CHANNELS = ("master", "music", "ambience", "sfx", "voice")
TEXT_SPEEDS = (15, 30, 45, 70, 110, 0)  # characters per second; 0 shows a line at once
INSTANT = 0


def _default_volume() -> dict[str, float]:
    return {"master": 0.8, "music": 0.7, "ambience": 0.6, "sfx": 0.8, "voice": 0.9}


@dataclass
class Settings:
    volume: dict[str, float] = field(default_factory=_default_volume)
    text_speed: int = 45  # characters per second, 0 = instant
    auto_delay: float = 1.5  # seconds of rest after a line in auto mode, plus reading time
    font_scale: float = 1.0
    high_contrast: bool = False
    reduced_motion: bool = False
    captions: bool = False
    fullscreen: bool = False
    skip_unseen: bool = False  # skip also skips text never read before
    auto_forward: bool = False
    pause_in_background: bool = True  # silence the game while its window is not focused
    self_voicing: bool = False  # V: lines and the focused item read aloud by the system's speech engine
    motion_note_seen: bool = False  # the player has answered the note offering reduced motion before the outage

    RANGES = {"text_speed": (0, 200), "auto_delay": (0.3, 6.0), "font_scale": (0.8, 1.4)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        """Unknown keys are kept out, wrong types fall back to defaults, numbers are clamped."""
        settings = cls()
        if not isinstance(data, dict):
            return settings
        volume = data.get("volume")
        if isinstance(volume, dict):
            for channel in VOLUME_CHANNELS:
                value = volume.get(channel)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    settings.volume[channel] = min(1.0, max(0.0, float(value)))
        for f in fields(cls):
            if f.name == "volume" or f.name not in data:
                continue
            value = data[f.name]
            default = getattr(settings, f.name)
            if isinstance(default, bool):
                if isinstance(value, bool):
                    setattr(settings, f.name, value)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                low, high = cls.RANGES[f.name]
                value = min(high, max(low, value))
                setattr(settings, f.name, type(default)(value))
        return settings

    def to_dict(self) -> dict[str, Any]:
        return {f.name: (dict(getattr(self, f.name)) if f.name == "volume" else getattr(self, f.name))
                for f in fields(self)}

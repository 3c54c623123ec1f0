"""The game itself, split along its seams: scene.py (the typewriter, input, the text box, choices, the ending
card), effects.py (the story's own presentation: the visualizer's speaker, the owl, the outage), replay.py
(--replay driving itself)."""
from .scene import Beat, PlayScene

__all__ = ["Beat", "PlayScene"]

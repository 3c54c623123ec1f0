"""The screens of the window game, one module each; importing the package registers every one by name
(registry.SCREENS), which is how the app and the screens open each other."""
from . import about, endings, flowchart, history, menu, overlays, play, saves, settings, title  # noqa: F401
from .registry import SCREENS

__all__ = ["SCREENS"]

"""The terminal front-end: the same engine as the window, in plain text."""
from __future__ import annotations

from .terminal import TextGame

__all__ = ["TextGame"]

"""Screens by name: a screen is opened with app.open("saves", mode="load"), so no screen imports another
(the way textual's App.SCREENS keeps screens apart). Each screen module registers its class with @screen."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from .base import Scene

SCREENS: dict[str, type[Scene]] = {}
S = TypeVar("S", bound="type[Scene]")


def screen(name: str) -> Callable[[S], S]:
    """Class decorator: the scene class is opened by this name."""
    def register(cls: S) -> S:
        if name in SCREENS and SCREENS[name] is not cls:
            raise ValueError(f"two screens are called {name!r}: {SCREENS[name].__name__} and {cls.__name__}")
        cls.name = name
        SCREENS[name] = cls
        return cls
    return register

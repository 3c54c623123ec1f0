"""Window tests: each one closes the display it opened, so the next starts from a fresh window."""
from __future__ import annotations

import pygame
import pytest


@pytest.fixture(autouse=True)
def _close_window():
    yield
    pygame.display.quit()

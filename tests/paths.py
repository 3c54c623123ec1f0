"""Where the tests find the project's files: the checkout they run in."""
from __future__ import annotations

import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STORY = os.path.join(ROOT, "story")
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
SAMPLE = os.path.join(FIXTURES, "ok", "sample")
TOUR = os.path.join(FIXTURES, "ok", "ui_tour")
PLAYTHROUGHS = os.path.join(STORY, "playthroughs")

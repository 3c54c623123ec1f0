"""Where the shipped story and assets are: inside the installed package, or beside it in a checkout."""
from __future__ import annotations

import os

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_BUNDLED = os.path.join(PACKAGE_DIR, "_data")  # filled by the wheel build (pyproject: force-include)


def shipped(name: str) -> str:
    """The folder `name` ('story', 'assets' or 'docs') of the installed game or of the source checkout."""
    bundled = os.path.join(_BUNDLED, name)
    return bundled if os.path.isdir(bundled) else os.path.join(os.path.dirname(PACKAGE_DIR), name)


def user_cache(name: str) -> str:
    """$HER_CACHE_DIR/name, else that folder in the user's cache folder (e.g. ~/.cache/her/name)."""
    root = os.environ.get("HER_CACHE_DIR")
    if not root:
        import platformdirs  # only here: validating a story needs nothing beyond PyYAML
        root = platformdirs.user_cache_dir("her", appauthor=False)
    return os.path.join(root, name)


SHIPPED_STORY = shipped("story")
ASSETS = shipped("assets")
DOCS = shipped("docs")  # the JSON Schema that scaffolded branches point editors at

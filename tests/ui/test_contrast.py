"""Readable by everyone: every pair of words and ground the theme draws reaches WCAG AA (4.5:1), whatever
the scene behind a translucent panel shows (checked over black and over white, its two extremes)."""
from __future__ import annotations

import pytest

from game.ui.theme import CONTRAST_PAIRS, HIGH_CONTRAST, WARM, Palette


def luminance(rgb: tuple[int, ...]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def over(colour: tuple[int, ...], behind: tuple[int, int, int]) -> tuple[int, int, int]:
    """A colour with alpha, as it shows over an opaque one."""
    alpha = colour[3] / 255 if len(colour) == 4 else 1.0
    return tuple(round(c * alpha + d * (1 - alpha)) for c, d in zip(colour[:3], behind))  # type: ignore[return-value]


def test_the_formula_matches_known_ratios():
    assert contrast((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)
    assert contrast((118, 118, 118), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)  # the AA grey on white


@pytest.mark.parametrize("palette", [WARM, HIGH_CONTRAST], ids=["warm", "high contrast"])
@pytest.mark.parametrize("words, ground", CONTRAST_PAIRS)
def test_every_pair_the_theme_draws_reaches_aa(palette: Palette, words: str, ground: str):
    for behind in ((0, 0, 0), (255, 255, 255)):
        shown = over(getattr(palette, ground), behind)
        ratio = contrast(getattr(palette, words), shown)
        assert ratio >= 4.5, f"{words} on {ground} over {behind}: {ratio:.2f}:1"

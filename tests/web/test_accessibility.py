"""Colour contrast of the stylesheet's text pairs, computed as WCAG 2.1 defines it."""
import re
from pathlib import Path

import pytest
from django.conf import settings

CSS = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
VARS = dict(re.findall(r"--([\w-]+):(#[0-9a-fA-F]{6})", CSS))


def luminance(hex_colour):
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground, background):
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("what, foreground, background", [
    ("text", VARS["ink"], VARS["bg"]),
    ("muted text on a card", VARS["muted"], "#ffffff"),
    ("muted text on a column", VARS["muted"], "#e2e8f0"),
    ("ASSIGNÉ banner", VARS["cyan"], VARS["slate"]),
    ("PLANIFIÉ banner", VARS["plan"], VARS["plan-bg"]),
    ("EN RETARD banner", "#ffffff", VARS["late"]),
    ("primary button", "#ffffff", VARS["brand"]),
    ("links", VARS["brand-dark"], "#ffffff"),
    ("header", "#ffffff", VARS["slate"]),
    ("low priority", "#166534", "#ffffff"),
    ("medium priority", "#854d0e", "#ffffff"),
    ("high priority", "#9a3412", "#ffffff"),
    ("critical priority", "#991b1b", "#ffffff"),
    ("error message", "#7f1d1d", "#fef2f2"),
])
def test_text_meets_wcag_aa_contrast(what, foreground, background):
    assert contrast(foreground, background) >= 4.5, what


def test_the_focus_ring_stands_out_from_the_page():
    assert contrast(VARS["focus"], VARS["bg"]) >= 3  # WCAG 1.4.11, non-text contrast

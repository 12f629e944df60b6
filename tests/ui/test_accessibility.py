"""The accessibility layer: its colours meet WCAG AA on the theme's backgrounds, and every text it
puts in the page's language has words in both catalogues."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import streamlit

from dashboard.i18n import LANGUAGES, catalogue, translator
from dashboard.settings import ROOT
from dashboard.ui import accessibility

THEME = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["theme"]
BACKGROUNDS = {"page": THEME["backgroundColor"], "sidebar": THEME["secondaryBackgroundColor"]}


def luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a #rrggbb colour."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_on_known_pairs():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic near miss


@pytest.mark.parametrize("where", list(BACKGROUNDS))
@pytest.mark.parametrize("colour, needed", [(accessibility.MUTED, 4.5), (accessibility.INK, 4.5),
                                            (accessibility.FOCUS, 3.0)])  # text 4.5:1; a focus ring 3:1
def test_colours_meet_wcag_aa(where, colour, needed):
    assert contrast(colour, BACKGROUNDS[where]) >= needed


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_has_words_in_both_catalogues(lang):
    messages = catalogue(lang)
    keys = [*accessibility.EXACT.values(), *accessibility.PREFIXED.values(), *accessibility.COUNTED.values(),
            accessibility.SELECTED_DATE, "a11y.menu"]
    assert [key for key in keys if not str(messages.get(key, "")).strip()] == []
    assert all("{name}" in messages[key] for key in accessibility.PREFIXED.values())
    assert all("{n}" in messages[key] for key in accessibility.COUNTED.values())


def test_counted_patterns_are_javascript_patterns_with_one_number():
    for pattern in accessibility.COUNTED:
        assert re.compile(pattern).groups == 1


def test_script_sets_the_language_and_carries_the_translations():
    uk = accessibility.script(translator("uk"))
    assert 'const lang = "uk"' in uk
    assert json.dumps(translator("uk")("a11y.open_menu"), ensure_ascii=False) in uk
    assert uk.count("</") == 1 and uk.rstrip().endswith("</script>")  # no text ends the script early


def test_the_texts_translated_are_the_ones_streamlit_writes():
    # Streamlit's own words live in its front end and, for a download whose file failed, its server.
    package = Path(streamlit.__file__).parent
    written = "".join(p.read_text(encoding="utf-8", errors="ignore")
                      for p in [*(package / "static").rglob("*.js"), package / "runtime" / "backend_operation_handler.py"])
    assert "Failed to generate file for download" in written
    uk = accessibility.script(translator("uk"))
    assert json.dumps(translator("uk")("a11y.download_failed"), ensure_ascii=False) in uk
    assert '[data-testid="stDownloadButtonError"]' in uk  # where it is written: looked at by the script


def test_style_sheet_labels_the_phone_menu_in_the_language():
    for lang in LANGUAGES:
        assert f"content: {json.dumps(translator(lang)('a11y.menu'), ensure_ascii=False)}" in accessibility.css(
            translator(lang))

"""The progress chart (dashboard.charts.progress) through its spec, and its status colours: readable
text on each (WCAG AA), told apart with the common colour-vision deficiencies, a symbol for each."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from dashboard.charts import progress as charts
from dashboard.i18n import Translator
from dashboard.wording import progress as wording

TR = Translator("en", 10)
WORDS = wording.status_words(TR)
# Colour-vision deficiencies as linear-RGB matrices at full severity (Machado, Oliveira and
# Fernandes 2009).
DEFICIENCIES = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def _linear(colour: str) -> np.ndarray:
    c = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours."""
    lum = sorted((float(_linear(c) @ [0.2126, 0.7152, 0.0722]) for c in (a, b)), reverse=True)
    return (lum[0] + 0.05) / (lum[1] + 0.05)


def _lab(rgb: np.ndarray) -> np.ndarray:
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ rgb
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("status", list(charts.STATUS_COLOURS))
def test_status_text_is_readable_on_its_colour(status):
    assert _contrast(charts.STATUS_COLOURS[status], charts.STATUS_TEXT[status]) >= 4.5


@pytest.mark.parametrize("deficiency", ["none", *DEFICIENCIES])
def test_drawn_statuses_stay_apart_with_colour_blindness(deficiency):
    """Every two statuses a bar can have differ by at least 25 (CIELAB ΔE) as seen with the deficiency."""
    matrix = np.eye(3) if deficiency == "none" else np.array(DEFICIENCIES[deficiency])
    seen = {s: _lab(np.clip(matrix @ _linear(charts.STATUS_COLOURS[s]), 0, 1)) for s in charts.DRAWN}
    gaps = {(a, b): float(np.linalg.norm(seen[a] - seen[b])) for a, b in itertools.combinations(charts.DRAWN, 2)}
    assert min(gaps.values()) >= 25, gaps


def test_every_status_has_a_symbol_and_a_word():
    assert set(wording.SYMBOLS) == set(charts.STATUS_COLOURS) == set(charts.STATUS_TEXT)
    assert len(set(wording.SYMBOLS.values())) == len(wording.SYMBOLS)
    assert [wording.status_label(s, TR) for s in ("on_track", "at_risk", "off_track")] == \
        ["✓ on track", "! at risk", "✗ off track"]
    assert set(charts.SYMBOL_PATHS) == set(charts.DRAWN)


def _frame() -> pd.DataFrame:
    progress = pd.DataFrame({
        "area": ["", "UA-05", "UA-32", "UA-46"], "summed": [False] * 4,
        "achieved": [0.7, 1.3, 0.42, float("nan")], "expected": [0.5] * 4,
        "status": ["on_track", "on_track", "at_risk", "suppressed"]})
    return wording.chart_frame(progress, TR, {"UA-05": "Vinnytsia Oblast", "UA-32": "Kyiv Oblast"})


def test_chart_spec():
    frame = _frame()
    spec = charts.progress_chart(frame, TR, label_title="Region", status_words=WORDS, first=1).to_dict()
    bars, ticks, symbols, texts = spec["layer"]
    rows = spec["datasets"][spec["data"]["name"]]
    # Areas without a per cent are not drawn; the whole country stays on top, the rest by per cent.
    assert [r["label"] for r in rows] == ["Whole country", "Vinnytsia Oblast", "Kyiv Oblast"]
    assert bars["encoding"]["y"]["sort"] == ["Whole country", "Vinnytsia Oblast", "Kyiv Oblast"]
    # Colour, symbol and word of each status, in the legend and beside each bar.
    colour = symbols["encoding"]["color"]
    assert colour["scale"] == {"domain": ["on track", "at risk", "off track"],
                               "range": [charts.STATUS_COLOURS[s] for s in charts.DRAWN]}
    assert symbols["encoding"]["shape"]["scale"]["range"] == [charts.SYMBOL_PATHS[s] for s in charts.DRAWN]
    assert symbols["mark"]["filled"] is False
    assert texts["encoding"]["text"]["field"] == "text"
    assert [r["text"] for r in rows] == ["70.0% on track", "130.0% on track", "42.0% at risk"]
    # The tick marks the share of the target due by now (per cent).
    assert ticks["encoding"]["x"]["field"] == "expected" and {r["expected"] for r in rows} == {50.0}
    # Room right of the longest bar for its label: the axis runs past 130% by half.
    assert bars["encoding"]["x"]["scale"]["domain"] == [0, pytest.approx(195.0)]

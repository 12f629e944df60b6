"""No page shows a visitor a command line or a file of the code: those are in the README, not on the pages."""

from __future__ import annotations

import re

import pytest
from conftest import PAGES, run_app, visible_texts
from page_tools import internal_mode


# A file of the repository ("dashboard/targets.csv", "pages/map.py", ".streamlit/config.toml").
CODE_PATH = re.compile(r"(?<![\w.-])(?:dashboard|pages|scripts|tests|data|\.streamlit)/[\w./-]*\.(?:py|csv|toml|json|parquet)\b")


@pytest.fixture(autouse=True)
def _data(app_data, navigation_mode):
    return app_data


@pytest.mark.parametrize("mode", ["public", "internal"])
@pytest.mark.parametrize("lang", ["uk", "en"])
@pytest.mark.parametrize("page", list(PAGES))
def test_no_page_shows_a_command_line(monkeypatch, page, lang, mode):
    if mode == "internal":
        internal_mode(monkeypatch)  # signed-in staff: the cleaning report, releases and drafts too
    at = run_app({"lang": lang}, page=page)
    assert not at.exception
    texts = visible_texts(at) + [c.value for c in at.caption] + [m.value for m in at.markdown]
    assert [t for t in texts if "python -m" in t or "--all-regions" in t] == []
    assert [t for t in texts if CODE_PATH.search(t)] == []

"""Every table of every page writes a missing value as "—": the browser's table writes "None" for
an empty cell whatever the Styler formats, unless the table's placeholder says otherwise."""

from __future__ import annotations

import pytest
from page_tools import internal_mode, walk
from conftest import PAGES, run_app


@pytest.fixture(autouse=True)
def _data(app_data, navigation_mode):
    return app_data


@pytest.mark.parametrize("page", list(PAGES))
def test_every_table_writes_a_missing_value_as_a_dash(page, monkeypatch):
    internal_mode(monkeypatch)  # the most tables: hub lists, the cleaning report
    at = run_app({"lang": "en", "from": "2024-01-01", "to": "2024-12-31", "region": "UA-05"}, page=page)
    assert not at.exception
    tables = [el for el in walk(at.main) if el.type == "dataframe"]
    assert tables or page == "exports", "no table on the page"
    assert [t.proto.placeholder for t in tables] == ["—"] * len(tables)

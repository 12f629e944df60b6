"""Test helper of the page tests (AppTest): what a page shows, read back as plain Python values."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
from conftest import internal_mode  # noqa: F401 - the page tests take it from here

from dashboard.export import files
from dashboard.export.queue import ExportQueue, MadeFiles
from dashboard.ui import exports

MAX_CHART_ROWS = 5000  # Altair's own limit; the pages' frames stay far below it


def one_slot_export_queue(monkeypatch) -> tuple[ExportQueue, list[str]]:
    """The process's export queue with one slot and an empty store of files made, a turn's wait of
    one second, and the formats of the files written since (in order)."""
    made, busy = MadeFiles(exports.CACHE_ENTRIES), ExportQueue(1)
    monkeypatch.setattr(exports, "made_files", lambda: made)
    monkeypatch.setattr(exports, "_queue", lambda slots: busy)
    monkeypatch.setenv("DASHBOARD_EXPORT_WAIT", "1")
    written, write = [], files.write
    monkeypatch.setattr(files, "write", lambda export, fmt: written.append(fmt) or write(export, fmt))
    return busy, written


def walk(node):
    """Every element under `node`, depth first."""
    for child in getattr(node, "children", {}).values():
        yield child
        yield from walk(child)


def table_under(at, title: str, nth: int = 0) -> pd.DataFrame:
    """The `nth` table (st.dataframe or st.table) under the subheader `title` of the main area."""
    found, seen = [], False
    for el in walk(at.main):
        if el.type == "subheader":
            seen = el.value == title
        elif seen and el.type in ("dataframe", "table"):
            found.append(el.value)
    assert len(found) > nth, f"no table {nth} under {title!r}"
    return found[nth].reset_index(drop=True)


def shown(table) -> pd.DataFrame:
    """The texts a user reads in a table (a styled st.dataframe's display values; else its values)."""
    from streamlit import dataframe_util

    styler = table.proto.arrow_data.styler
    if styler.display_values:
        return dataframe_util.convert_arrow_bytes_to_pandas_df(styler.display_values)
    return table.value


def rows(frame: pd.DataFrame) -> list[list[str]]:
    """A table in words as lists of cells (a missing cell reads None)."""
    return [[None if pd.isna(v) else v for v in row] for row in frame.astype(object).to_numpy().tolist()]


def cards(at) -> list[tuple[str, str, str]]:
    """(label, value, delta) of every st.metric on the page, in order ("" for no delta)."""
    return [(m.label, m.value, m.delta or "") for m in at.metric]


def chart_rows(chart) -> list[int]:
    """Rows of every dataset a chart element carries (inline in the spec or as Arrow)."""
    spec = json.loads(chart.proto.spec)
    out = [len(v) for v in spec.get("datasets", {}).values()]
    for named in chart.proto.datasets:
        out.append(pa.ipc.open_stream(named.data.data).read_all().num_rows)
    if chart.proto.data.data:
        out.append(pa.ipc.open_stream(chart.proto.data.data).read_all().num_rows)
    return out


def plain(text: str) -> str:
    """A text without Markdown escapes."""
    return text.replace("\\", "")


def sign_in_internal(monkeypatch) -> None:
    """Run the app as a signed-in visitor of internal mode (hub-level detail may be shown)."""
    from dashboard.ui import auth

    state = auth.AccessState(mode="internal", status=auth.SIGNED_IN, user="tester@example.org")
    monkeypatch.setattr(auth, "current_access", lambda: state)

"""Metric layer of the Impact map: protected region and hub figures, and the tables behind the map."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard import query_map
from dashboard.filters import Filters
from dashboard.i18n import Translator
from dashboard.privacy import protect, threshold
from dashboard.query import Database

# Rates per this many residents: the usual base of regional statistics.
PER_RESIDENTS = 100_000
# Region counts of people and the rates built on them (hidden when a base is suppressed).
REGION_COUNTS = ("people", "pre_people", "pre_7_10", "post_people", "post_7_10")
REGION_RATES = {
    "people_per_hub": ("people",),
    "share_before": ("pre_people", "pre_7_10"),
    "share_after": ("post_people", "post_7_10"),
    "change_pp": ("pre_people", "pre_7_10", "post_people", "post_7_10"),
}
HUB_COUNTS = ("people", "activities")
# A region drawn as occupied, whatever its figures: the whole of it is temporarily occupied.
OCCUPIED = "full"
# Tooltip fields of the map (short: every hub record carries them, 6,000 times).
TIP_FIELDS = ("t", "l1", "l2", "l3", "l4")
# What a region's cell shows: a value, or why there is none.
VALUE, HIDDEN, NO_DATA, OCCUPIED_STATE = "value", "hidden", "no_data", "occupied"


@dataclass(frozen=True)
class Metric:
    """A figure the map can show: its column, kind of number and scale, and its people bases.

    kind: `count` (whole numbers), `rate` (one decimal), `share` (0..1 shown as %), `change`
    (a difference of shares, shown in percentage points). `bases` are the protected counts of
    people the figure is built on: when one of them is suppressed the figure is hidden.
    """

    key: str
    kind: str
    diverging: bool = False
    bases: tuple[str, ...] = ()


# The choices of the metric picker, in display order; the first is the default.
METRICS: dict[str, Metric] = {m.key: m for m in (
    Metric("hubs", "count"),
    Metric("hubs_per_100k", "rate"),
    Metric("library_share", "share"),
    Metric("people", "count", bases=("people",)),
    Metric("people_per_hub", "rate", bases=("people",)),
    Metric("share_after", "share", bases=("post_people", "post_7_10")),
    Metric("change_pp", "change", diverging=True, bases=REGION_RATES["change_pp"]),
)}


def _ratio(part: pd.Series, whole: pd.Series, scale: float = 1.0) -> pd.Series:
    part = pd.to_numeric(part, errors="coerce").astype("Float64")
    whole = pd.to_numeric(whole, errors="coerce").astype("Float64")
    return (part * scale / whole).mask(whole.isna() | (whole == 0))


def compute_region_metrics(db: Database, f: Filters, k: int | None = None) -> pd.DataFrame:
    """Protected figures of every region of the programme's countries (the region filter aside).

    Columns: region_code, occupation, population, public_libraries, hubs (active hubs),
    library_hubs, hubs_per_100k (hubs per 100,000 residents), library_share (library hubs /
    public libraries, 0..1), people, people_per_hub (people / active hubs), pre_people,
    pre_7_10, post_people, post_7_10, share_before, share_after (0..1) and change_pp (after −
    before, as a fraction: 0.05 = 5 pp). Rates come from the exact counts, then one protect.
    """
    raw = query_map.load_region_figures(db, f)
    out = raw.copy()
    out["hubs_per_100k"] = _ratio(out["hubs"], out["population"], PER_RESIDENTS)
    out["library_share"] = _ratio(out["library_hubs"], out["public_libraries"])
    out["people_per_hub"] = _ratio(out["people"], out["hubs"])
    out["share_before"] = _ratio(out["pre_7_10"], out["pre_people"])
    out["share_after"] = _ratio(out["post_7_10"], out["post_people"])
    out["change_pp"] = out["share_after"] - out["share_before"]
    out = protect(out, REGION_COUNTS, k=k, rates=REGION_RATES, keys={c: f"{c}_key" for c in REGION_COUNTS})
    for column in ("hubs", "library_hubs", "population", "public_libraries"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("Int64")
    return out.reset_index(drop=True)


def compute_hub_metrics(db: Database, f: Filters, k: int | None = None) -> pd.DataFrame:
    """Protected figures of every hub that had joined by the period's end.

    Columns of query_map.load_hub_figures without the keys: people and activities of the view
    at the hub are missing when 1..k-1 (as everywhere, whatever the deployment mode).
    """
    raw = query_map.load_hub_figures(db, f)
    return protect(raw, HUB_COUNTS, k=k, keys={c: f"{c}_key" for c in HUB_COUNTS}).reset_index(drop=True)


def compute_growth(db: Database, programme: str) -> pd.DataFrame:
    """Sites of a programme by joining year: year, joined, total (counts of sites, shown exactly)."""
    return query_map.load_network_growth(db, programme)


def region_states(regions: pd.DataFrame, metric: str) -> pd.Series:
    """Per region: `occupied` (wholly occupied), `hidden` (built on 1..k-1 people), `no_data`, `value`."""
    m = METRICS[metric]
    values = pd.to_numeric(regions[metric], errors="coerce")
    hidden = regions[list(m.bases)].isna().any(axis=1) if m.bases else pd.Series(False, index=regions.index)
    state = pd.Series(VALUE, index=regions.index, dtype="object")
    state[values.isna()] = NO_DATA
    state[hidden] = HIDDEN
    state[regions["occupation"] == OCCUPIED] = OCCUPIED_STATE
    return state


def format_value(value: object, metric: str, tr: Translator) -> str:
    """A metric value in the language's words and units: `1 234`, `3,4`, `17,0 %`, `+3,2 в. п.`."""
    kind = METRICS[metric].kind
    if value is None or pd.isna(value):
        return "—"
    if kind == "count":
        return tr.number(value)
    if kind == "rate":
        return tr.number(value, 1)
    if kind == "share":
        return tr.percent(value)
    return tr.points(value) or "—"


def state_text(state: str, tr: Translator) -> str:
    """What a region without a value shows instead (catalogue text); empty for a value."""
    return "" if state == VALUE else tr(f"map.state_{state}", k=tr.number(threshold()))


def cell_text(value: object, state: str, metric: str, tr: Translator) -> str:
    """A region's figure as read in a tooltip or table: the value, or in words why there is none."""
    if state == VALUE or (state == OCCUPIED_STATE and not pd.isna(value)):
        return format_value(value, metric, tr)
    if state == HIDDEN and METRICS[metric].kind == "count":
        return tr("privacy.fewer_than", k=tr.number(threshold()))
    return state_text(state, tr)


def region_table(regions: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """The regions with every figure (numbers kept numeric, so the table sorts by value) and
    a `region` column with the name, after region_code."""
    out = regions.copy()
    out.insert(1, "region", [names.get(c, c) for c in out["region_code"]])
    return out


def hub_table(hubs: pd.DataFrame, regions: tuple[str, ...]) -> pd.DataFrame:
    """The hubs of the selected regions, most people first: name, settlement, hromada, status,
    joined_on, people, activities (protected)."""
    mine = hubs[hubs["region_code"].isin(regions)]
    columns = ["hub_id", "name", "settlement", "hromada", "region_code", "status", "joined_on", "people", "activities"]
    people = pd.to_numeric(mine["people"], errors="coerce").fillna(-1)
    return mine.assign(_order=people).sort_values(["_order", "name"], ascending=[False, True])[columns].reset_index(drop=True)


def map_summary(regions: pd.DataFrame, metric: str, tr: Translator, names: dict[str, str]) -> str:
    """One-line text alternative of the choropleth: highest and lowest region, and what is missing."""
    states = region_states(regions, metric)
    values = pd.to_numeric(regions[metric], errors="coerce").where(states == VALUE)
    label = tr(f"map.metric_{metric}")
    if values.notna().sum() == 1:
        one = values.first_valid_index()
        text = tr("map.summary_one", metric=label, region=names.get(regions.at[one, "region_code"], ""),
                  value=format_value(values[one], metric, tr))
    elif values.notna().any():
        top, low = values.idxmax(), values.idxmin()
        text = tr("map.summary", metric=label,
                  top=names.get(regions.at[top, "region_code"], ""), top_value=format_value(values[top], metric, tr),
                  low=names.get(regions.at[low, "region_code"], ""), low_value=format_value(values[low], metric, tr))
    else:
        text = tr("map.summary_none", metric=label)
    missing = {s: int((states == s).sum()) for s in (NO_DATA, HIDDEN, OCCUPIED_STATE)}
    parts = [tr(f"map.summary_{s}", n=tr.number(n)) for s, n in missing.items() if n]
    return text + (" " + " ".join(parts) if parts else "")


def region_tips(regions: pd.DataFrame, metric: str, tr: Translator, names: dict[str, str]) -> pd.DataFrame:
    """The tooltip lines of each region (plain text: the frontend escapes them)."""
    states = region_states(regions, metric)
    skills = region_states(regions, "share_after")
    rows = []
    for (_i, r), state, skill in zip(regions.iterrows(), states, skills):
        lines = [
            tr("map.tip_metric", metric=tr(f"map.metric_{metric}"), value=cell_text(r[metric], state, metric, tr)),
            tr("map.tip_reach", hubs=tr.number(r["hubs"]), people=tr.count(r["people"])),
            tr("map.tip_skills", share=cell_text(r["share_after"], skill, "share_after", tr)),
            _region_note(r["occupation"], state, tr),
        ]
        rows.append(dict(zip(TIP_FIELDS, [names.get(r["region_code"], r["region_code"]), *lines])))
    return pd.DataFrame(rows, index=regions.index, columns=list(TIP_FIELDS))


def _region_note(occupation: str, state: str, tr: Translator) -> str:
    if occupation in ("full", "partial"):
        return tr(f"map.occupation_{occupation}")
    if state in (NO_DATA, HIDDEN):
        return tr(f"map.state_{state}", k=tr.number(threshold()))
    return tr("map.tip_click")


def hub_tips(hubs: pd.DataFrame, tr: Translator, names: dict[str, str]) -> pd.DataFrame:
    """The tooltip lines of each hub: name; settlement and hromada; region; status and date; figures."""
    settlement = hubs["settlement"].astype("object").where(hubs["settlement"].notna(), "")
    hromada = [tr("map.hromada", name=h) if isinstance(h, str) and h else "" for h in hubs["hromada"]]
    place = [", ".join(p for p in pair if p) or "—" for pair in zip(settlement, hromada)]
    dates = {d: tr.date(d) for d in hubs["joined_on"].dropna().unique()}
    joined = [tr("map.joined", date=dates[d]) if not pd.isna(d) else tr("map.joined_unknown") for d in hubs["joined_on"]]
    status = {s: tr(f"map.status_{s}") for s in hubs["status"].unique()}
    counts = {v: tr.count(v) for v in pd.concat([hubs["people"], hubs["activities"]]).dropna().unique()}
    fewer = tr.count(None)
    figures = [tr("map.tip_hub_figures", people=fewer if pd.isna(p) else counts[p],
                  activities=fewer if pd.isna(a) else counts[a])
               for p, a in zip(hubs["people"], hubs["activities"])]
    lines = [hubs["name"].astype(str), place, [names.get(c, c) for c in hubs["region_code"]],
             [f"{status[s]} · {j}" for s, j in zip(hubs["status"], joined)], figures]
    return pd.DataFrame(dict(zip(TIP_FIELDS, lines)), index=hubs.index)

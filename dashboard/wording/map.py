"""Wording layer of the Impact map: values in words, region and hub tooltips, the map's text alternative."""

from __future__ import annotations

import pandas as pd

from dashboard.contract import PLACED
from dashboard.filters import Filters
from dashboard.i18n import Translator
from dashboard.wording.common import indicator_text
from dashboard.wording.names import place_name
from dashboard.metrics.map import HIDDEN, METRICS, NO_DATA, OCCUPIED_STATE, VALUE, region_states

# Tooltip fields of the map (short: every hub record carries them, 6,000 times).
TIP_FIELDS = ("t", "l1", "l2", "l3", "l4")


def format_value(value: object, metric: str, tr: Translator) -> str:
    """A metric value in the language's words and units: `1 234`, `3,4`, `17,0 %`, `+3,2 в. п.`."""
    return indicator_text(value, metric, tr)


def state_text(state: str, tr: Translator) -> str:
    """What a region without a value shows instead (catalogue text); empty for a value."""
    return "" if state == VALUE else tr(f"map.state_{state}", k=tr.k_text())


def cell_text(value: object, state: str, metric: str, tr: Translator) -> str:
    """A region's figure as read in a tooltip or table: the value, or in words why there is none."""
    if state == VALUE or (state == OCCUPIED_STATE and not pd.isna(value)):
        return format_value(value, metric, tr)
    if state == HIDDEN and METRICS[metric].kind == "people":  # a hub count hidden with its people says why
        return tr("privacy.fewer_than", k=tr.k_text())
    return state_text(state, tr)


def growth_text(total: int, joined: int, year: int, tr: Translator) -> str:
    """The centres in the network at a year's end and those that joined that year:
    `21 центр до кінця 2015 року; 1 приєднався цього року.`"""
    return tr.plural("map.growth_caption", total, year=year, joined=tr.plural("map.growth_joined_count", joined))


def map_summary(regions: pd.DataFrame, metric: str, tr: Translator, names: dict[str, str],
                selected: tuple[str, ...] = ()) -> str:
    """Text alternative of the choropleth: highest and lowest region, what is missing, and each
    selected region's figure with its rank among the regions with a figure (1 = highest; ties
    share the better rank)."""
    states = region_states(regions, metric)
    values = pd.to_numeric(regions[metric], errors="coerce").where(states == VALUE)
    label = tr(METRICS[metric].label)
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
    parts += [_selected_text(regions, values, states, metric, code, tr, names) for code in selected
              if code in set(regions["region_code"])]
    return text + (" " + " ".join(parts) if parts else "")


def _selected_text(regions: pd.DataFrame, values: pd.Series, states: pd.Series, metric: str, code: str,
                   tr: Translator, names: dict[str, str]) -> str:
    i = regions.index[regions["region_code"] == code][0]
    region = names.get(code, code)
    if pd.isna(values[i]):
        return tr("map.summary_selected_none", region=region, value=cell_text(regions.at[i, metric], states[i], metric, tr))
    rank = 1 + int((values > values[i]).sum())
    return tr("map.summary_selected", region=region, value=format_value(values[i], metric, tr),
              rank=tr.number(rank), n=tr.number(int(values.notna().sum())))


def region_tips(regions: pd.DataFrame, metric: str, tr: Translator, names: dict[str, str]) -> pd.DataFrame:
    """The tooltip lines of each region (plain text: the frontend escapes them)."""
    states = region_states(regions, metric)
    skills = region_states(regions, "share_after")
    rows = []
    for (_i, r), state, skill in zip(regions.iterrows(), states, skills):
        lines = [
            tr("map.tip_metric", metric=tr(METRICS[metric].label), value=cell_text(r[metric], state, metric, tr)),
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
        return tr(f"map.state_{state}", k=tr.k_text())
    return tr("map.tip_click")


def hub_people_note(f: Filters, tr: Translator) -> str:
    """Whose people a release's figure per hub counts: every participant of the period's calendar
    year (all time when the period spans several years), whatever the participant group."""
    year = f.calendar_year()
    return tr("map.hub_people_all") if year is None else tr("map.hub_people_year", year=str(year))


def placed_text(placed: object, tr: Translator) -> str:
    """How a hub is on the map, in words: registry coordinates, at its settlement, or not on the map."""
    return tr(f"map.placed_{placed}") if isinstance(placed, str) and placed in PLACED else tr("map.placed_none")


def place_names(names: pd.Series, regions: pd.Series, tr: Translator, missing: str = "—") -> list[str]:
    """Settlement or hromada names in the page's language (wording.names.place_name: romanised in
    English); `missing` where there is none."""
    return [place_name(n, r, tr) if isinstance(n, str) and n else missing for n, r in zip(names, regions)]


def hub_tips(hubs: pd.DataFrame, tr: Translator, names: dict[str, str]) -> pd.DataFrame:
    """The tooltip lines of each hub: name; settlement and hromada (and "placed at settlement" when
    the point is the settlement's, not the hub's own); region; status and date; figures."""
    settlement = place_names(hubs["settlement"], hubs["region_code"], tr, missing="")
    hromada = [tr("map.hromada", name=h) if h else "" for h in place_names(hubs["hromada"], hubs["region_code"], tr, "")]
    place = [", ".join(p for p in pair if p) or "—" for pair in zip(settlement, hromada)]
    if "placed" in hubs.columns:  # a frame without `placed` says nothing of it
        marker = tr("map.tip_placed_settlement")
        at_settlement = hubs["placed"].eq("settlement").fillna(False).astype(bool)
        place = [f"{p} · {marker}" if yes else p for p, yes in zip(place, at_settlement)]
    dates = {d: tr.date(d) for d in hubs["joined_on"].dropna().unique()}
    joined = [tr("map.joined", date=dates[d]) if not pd.isna(d) else tr("map.joined_unknown") for d in hubs["joined_on"]]
    status = {s: tr(f"map.status_{s}") for s in hubs["status"].unique()}
    fewer = tr.count(None)
    if "activities" in hubs.columns:
        counts = {v: tr.count(v) for v in pd.concat([hubs["people"], hubs["activities"]]).dropna().unique()}
        figures = [tr("map.tip_hub_figures", people=fewer if pd.isna(p) else counts[p],
                      activities=fewer if pd.isna(a) else counts[a])
                   for p, a in zip(hubs["people"], hubs["activities"])]
    else:  # a release: people of the year, no classes per hub
        counts = {v: tr.count(v) for v in hubs["people"].dropna().unique()}
        figures = [tr("map.tip_hub_people", people=fewer if pd.isna(p) else counts[p]) for p in hubs["people"]]
    lines = [hubs["name"].astype(str), place, [names.get(c, c) for c in hubs["region_code"]],
             [f"{status[s]} · {j}" for s, j in zip(hubs["status"], joined)], figures]
    return pd.DataFrame(dict(zip(TIP_FIELDS, lines)), index=hubs.index)

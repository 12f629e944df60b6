"""Wording layer of the Coverage page: cards, sentences, the coverage and planner tables, the map's words and notes.

Shares are written as per cent with one decimal; in tables they stay numbers (per cent, 0..100,
one decimal) so that a click on a header sorts them. Settlement and hromada names are the
codifier's (GeoNames' Russian ones for Kemerovo Oblast), romanised on English pages
(wording.names.place_name).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from urllib.parse import urlencode

import pandas as pd

from dashboard.filters import FROM_PARAM, LANG_PARAM, PROGRAMME_PARAM, REGION_PARAM, TO_PARAM
from dashboard.i18n import Translator
from dashboard.wording.names import place_name

PAGE_PATH = "coverage"
# The map's kinds of point, in the legend's order.
KINDS = ("covered", "out", "occupied", "hub", "pick")


def km_text(km: float, tr: Translator) -> str:
    """The reach in the language's digits: `10`, `7,5`."""
    return tr.number(km, 0 if float(km).is_integer() else 1)


def share_text(value: object, tr: Translator) -> str:
    """A share as per cent with one decimal; `—` when there is no base."""
    return "—" if value is None or pd.isna(value) else tr.percent(float(value))


def _percent(values: pd.Series) -> pd.Series:
    # Per cent with one decimal, kept a number so that a table sorts it as one.
    return (pd.to_numeric(values, errors="coerce").astype("float64") * 100).round(1)


def view_name(regions: tuple[str, ...], names: Mapping[str, str], tr: Translator) -> str:
    """The view's place in words: a region's name, `Whole country`, or `All selected regions`."""
    if len(regions) == 1:
        return names.get(regions[0], regions[0])
    return tr("coverage.total_selected") if regions else tr("coverage.total_country")


def region_link(code: str, lang: str, programme: str, start: dt.date, end: dt.date) -> str:
    """The address of one region's coverage in the period (codes only)."""
    query = {LANG_PARAM: lang, PROGRAMME_PARAM: programme, FROM_PARAM: start.isoformat(), TO_PARAM: end.isoformat(),
             REGION_PARAM: code}
    return f"{PAGE_PATH}?{urlencode(query)}"


# ---- cards and sentences --------------------------------------------------------------------

def cards(total: pd.Series, km: float, tr: Translator, has_age_base: bool) -> list[tuple[str, str, str, str]]:
    """The headline figures as (label, value, line under it, definition): people, rural residents
    and residents aged 60+ within reach (60+: not available without a base), settlements out of reach."""
    d = km_text(km, tr)
    of = lambda part, whole: tr("coverage.card_of", part=tr.number(part), whole=tr.number(whole))  # noqa: E731
    out = [
        (tr("coverage.card_people", km=d), share_text(total["share_covered"], tr),
         of(total["people_covered"], total["people"]), tr("coverage.card_people_help", km=d)),
        (tr("coverage.card_rural", km=d), share_text(total["share_rural"], tr),
         of(total["rural_covered"], total["rural_people"]), tr("coverage.card_rural_help", km=d)),
    ]
    if has_age_base and "share_60_plus" in total:
        out.append((tr("coverage.card_older", km=d), share_text(total["share_60_plus"], tr),
                    of(total["covered_60_plus"], total["people_60_plus"]), tr("coverage.card_older_help", km=d)))
    else:
        out.append((tr("coverage.card_older", km=d), "—", tr("coverage.older_none"), tr("coverage.older_none_help")))
    out.append((tr("coverage.card_out"), tr.number(total["out_of_reach"]),
                of(total["out_of_reach"], total["settlements"]), tr("coverage.card_out_help", km=d)))
    return out


def headline(total: pd.Series, km: float, tr: Translator, place: str) -> str:
    """One sentence: the share of people within reach, and the settlements out of reach."""
    if int(total["people_covered"]) == 0:
        return tr("coverage.headline_none", place=place, km=km_text(km, tr))
    return tr("coverage.headline", place=place, share=share_text(total["share_covered"], tr), km=km_text(km, tr),
              covered=tr.number(total["people_covered"]), people=tr.number(total["people"]),
              out=tr.number(total["out_of_reach"]), settlements=tr.number(total["settlements"]))


def plan_sentence(plan: pd.DataFrame, total: pd.Series, km: float, tr: Translator) -> str:
    """What the planner's list adds: the first pick, and all of them together."""
    if plan.empty:
        return tr("coverage.plan_none", km=km_text(km, tr))
    first, last = plan.iloc[0], plan.iloc[-1]
    n, added = int(first["new_people"]), int(plan["new_people"].sum())
    if len(plan) == 1:
        return tr("coverage.plan_sentence_one", name=place_name(first["name_uk"], first["region_code"], tr),
                  n=tr.number(n), people=tr.plural("plural.people", n), km=km_text(km, tr),
                  before=share_text(total["share_covered"], tr), after=share_text(last["share_covered"], tr))
    return tr("coverage.plan_sentence", name=place_name(first["name_uk"], first["region_code"], tr), n=tr.number(n),
              people=tr.plural("plural.people", n), km=km_text(km, tr), picks=tr.number(len(plan)), added=tr.number(added),
              added_people=tr.plural("plural.people", added), before=share_text(total["share_covered"], tr),
              after=share_text(last["share_covered"], tr))


def map_summary(total: pd.Series, plan: pd.DataFrame, km: float, tr: Translator, place: str) -> str:
    """The map's text alternative: what it shows and its message."""
    return f"{headline(total, km, tr, place)} {plan_sentence(plan, total, km, tr)}"


def notes(km: float, tr: Translator, no_population: int, older_missing: bool = True) -> list[str]:
    """How the figures are made: distance and hubs, populations (and how many settlements have
    none), the candidates and, when `older_missing`, why residents aged 60+ are not shown."""
    d = km_text(km, tr)
    out = [tr("coverage.note_distance", km=d), tr("coverage.note_population"), tr("coverage.note_candidates")]
    if no_population:
        out.append(tr("coverage.note_no_population", n=tr.number(no_population)))
    if older_missing:
        out.append(tr("coverage.older_none_help"))
    return out


# ---- tables ---------------------------------------------------------------------------------

def percent_columns(tr: Translator) -> tuple[str, ...]:
    """The headers of the tables' columns of per cents (written with one decimal)."""
    return tuple(tr(f"coverage.{key}") for key in ("col_share", "col_rural_share", "col_older_share",
                                                    "col_cumulative_share"))


def area_label(row: pd.Series, names: Mapping[str, str], total: str, tr: Translator) -> str:
    """A row of the coverage table in words: the view's name, a region's name, or the area's."""
    if row["level"] == "total":
        return total
    if row["level"] == "region":
        return names.get(row["region_code"], row["region_code"])
    return place_name(str(row["area"]), row["region_code"], tr)


def area_table(rows: pd.DataFrame, tr: Translator, names: Mapping[str, str], total: str) -> pd.DataFrame:
    """The coverage table (metrics.coverage.area_rows) in words: region or hromada, settlements,
    people, people within reach and their share, rural residents and their share within reach (and
    residents aged 60+ where the settlements carry them), people and settlements out of reach."""
    by_area = (rows["level"] == "area").any()
    label = tr("coverage.col_area" if by_area else "coverage.col_region")
    out = {
        label: [area_label(r, names, total, tr) for _i, r in rows.iterrows()],
        tr("coverage.col_settlements"): rows["settlements"].astype("int64"),
        tr("coverage.col_people"): rows["people"].astype("int64"),
        tr("coverage.col_covered"): rows["people_covered"].astype("int64"),
        tr("coverage.col_share"): _percent(rows["share_covered"]),
        tr("coverage.col_rural"): rows["rural_people"].astype("int64"),
        tr("coverage.col_rural_share"): _percent(rows["share_rural"]),
    }
    if "share_60_plus" in rows.columns:
        out[tr("coverage.col_older_share")] = _percent(rows["share_60_plus"])
    out[tr("coverage.col_out_people")] = rows["people_out"].astype("int64")
    out[tr("coverage.col_out_settlements")] = rows["out_of_reach"].astype("int64")
    return pd.DataFrame(out).reset_index(drop=True)


def plan_table(plan: pd.DataFrame, tr: Translator, names: Mapping[str, str]) -> pd.DataFrame:
    """The planner's list in words: rank, settlement, its type, hromada and region, its population,
    people newly within reach (and of them rural), people within reach with every pick so far and
    their share of the view."""
    return pd.DataFrame({
        tr("coverage.col_rank"): plan["rank"].astype("int64"),
        tr("coverage.col_settlement"): [place_name(n, c, tr) for n, c in zip(plan["name_uk"], plan["region_code"])],
        tr("coverage.col_type"): [tr(f"settlement.{t}") for t in plan["settlement_type"]],
        tr("coverage.col_hromada"): [place_name(h, c, tr) or "—" for h, c in zip(plan["hromada"], plan["region_code"])],
        tr("coverage.col_region"): [names.get(c, c) for c in plan["region_code"]],
        tr("coverage.col_population"): plan["population"].astype("int64"),
        tr("coverage.col_new"): plan["new_people"].astype("int64"),
        tr("coverage.col_new_rural"): plan["new_rural"].astype("int64"),
        tr("coverage.col_cumulative"): plan["people_covered"].astype("int64"),
        tr("coverage.col_cumulative_share"): _percent(plan["share_covered"]),
    })


def settlement_table(points: pd.DataFrame, tr: Translator, names: Mapping[str, str]) -> pd.DataFrame:
    """The settlements of the map (metrics.coverage.map_points) in words: code, name, type,
    hromada, region, population, distance to the nearest active hub, within reach or not, in
    occupied territory or not, whether a new hub may go there and its rank among the picks."""
    rows = points[points["layer"] == "settlement"]
    picks = dict(zip(points.loc[points["layer"] == "pick", "settlement_id"], points.loc[points["layer"] == "pick", "rank"]))
    yes, no = tr("coverage.yes"), tr("coverage.no")
    return pd.DataFrame({
        tr("coverage.col_katottg"): [k if isinstance(k, str) and k else None for k in rows["katottg"]],
        tr("coverage.col_settlement"): [place_name(n, c, tr) for n, c in zip(rows["name_uk"], rows["region_code"])],
        tr("coverage.col_type"): [tr(f"settlement.{t}") for t in rows["settlement_type"]],
        tr("coverage.col_hromada"): [place_name(h, c, tr) or None for h, c in zip(rows["hromada"], rows["region_code"])],
        tr("coverage.col_region"): [names.get(c, c) for c in rows["region_code"]],
        tr("coverage.col_population"): [None if pd.isna(p) or p == 0 else int(p) for p in rows["people"]],
        tr("coverage.col_nearest"): [None if pd.isna(d) else round(float(d), 1) for d in rows["nearest_km"]],
        tr("coverage.col_within"): [yes if c else no for c in rows["covered"].fillna(False)],
        tr("coverage.col_occupied"): [yes if c else no for c in rows["occupied"].fillna(False)],
        tr("coverage.col_candidate"): [yes if c else no for c in rows["candidate"].fillna(False)],
        tr("coverage.col_pick"): [picks.get(s) for s in rows["settlement_id"]],
    }, dtype=object)


# ---- the map --------------------------------------------------------------------------------

def kind_words(tr: Translator, km: float) -> dict[str, str]:
    """The legend's words of each kind of point (KINDS)."""
    d = km_text(km, tr)
    return {"covered": tr("coverage.kind_covered", km=d), "out": tr("coverage.kind_out", km=d),
            "occupied": tr("coverage.kind_occupied"), "hub": tr("coverage.kind_hub"), "pick": tr("coverage.kind_pick")}


def tip_titles(tr: Translator) -> dict[str, list[str]]:
    """The tooltip's field names of each kind of point (the values are map_layers' t, l1, l2)."""
    settlement = [tr("coverage.col_settlement"), tr("coverage.col_population"), tr("coverage.col_nearest")]
    return {"covered": settlement, "out": settlement, "occupied": settlement,
            "hub": [tr("coverage.kind_hub"), tr("coverage.tip_hubs")],
            "pick": [tr("coverage.kind_pick"), tr("coverage.col_new")]}


def map_layers(points: pd.DataFrame, tr: Translator, names: Mapping[str, str], km: float) -> dict[str, pd.DataFrame]:
    """The map's points by kind (KINDS: out of reach in occupied territory apart), each with lon,
    lat, kind (its word), people (for the size), label (the pick's rank) and the tooltip's values
    t, l1 (and l2) named by tip_titles."""
    words = kind_words(tr, km)
    settlements = points[points["layer"] == "settlement"]
    within = settlements["covered"].fillna(False).astype(bool)
    occupied = settlements["occupied"].fillna(False).astype(bool) & ~within
    out = {}
    for kind, rows in (("covered", settlements[within]), ("out", settlements[~within & ~occupied]),
                       ("occupied", settlements[occupied])):
        out[kind] = pd.DataFrame({
            "lon": rows["lon"].astype("float64").round(4), "lat": rows["lat"].astype("float64").round(4),
            "kind": words[kind], "people": rows["people"].fillna(0).astype("int64"),
            "t": [f"{place_name(n, c, tr)} ({tr(f'settlement.{s}')})"
                  for n, c, s in zip(rows["name_uk"], rows["region_code"], rows["settlement_type"])],
            "l1": [tr.number(p) if p else tr("coverage.tip_no_population") for p in rows["people"].fillna(0)],
            "l2": [tr.number(d, 1) if not pd.isna(d) else tr("coverage.tip_no_hub") for d in rows["nearest_km"]],
        })
    hubs = points[points["layer"] == "hub"]
    out["hub"] = pd.DataFrame({
        "lon": hubs["lon"].astype("float64"), "lat": hubs["lat"].astype("float64"), "kind": words["hub"],
        "t": [place_name(n, c, tr) if isinstance(n, str) and n else names.get(c, c)
              for n, c in zip(hubs["name_uk"], hubs["region_code"])],
        "l1": [tr.number(n) for n in hubs["hubs"]],
    })
    picks = points[points["layer"] == "pick"]
    out["pick"] = pd.DataFrame({
        "lon": picks["lon"].astype("float64"), "lat": picks["lat"].astype("float64"), "kind": words["pick"],
        "label": picks["rank"].astype("int64").astype(str),
        "t": [f"{r}. {place_name(n, c, tr)}" for r, n, c in zip(picks["rank"], picks["name_uk"], picks["region_code"])],
        "l1": [tr.number(n) for n in picks["new_people"]],
    })
    return {k: v.reset_index(drop=True) for k, v in out.items()}


def fact_sheet_lines(total: pd.Series, plan: pd.DataFrame, km: float, tr: Translator, top: int = 3) -> tuple[str, str]:
    """The fact sheet's coverage block: its title and one paragraph (the share within reach, the
    rural share, the first `top` picks, none when `top` is 0)."""
    d = km_text(km, tr)
    text = tr("coverage.fs_line", share=share_text(total["share_covered"], tr), km=d,
              rural=share_text(total["share_rural"], tr))
    if len(plan) and top:
        picks = ", ".join(f"{int(r.rank)}. {place_name(r.name_uk, r.region_code, tr)} (+{tr.number(r.new_people)})"
                          for r in plan.head(top).itertuples())
        text = f"{text} {tr('coverage.fs_picks', picks=picks)}"
    return tr("coverage.fs_title", km=d), text

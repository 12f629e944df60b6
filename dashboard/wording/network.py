"""Wording layer of the Network & capacity page: chart frames, text alternatives and tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pandas as pd

from dashboard.i18n import Translator
from dashboard.wording.common import is_missing, words_table


def network_series(years: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """Frame of charts.series_chart from compute_network_years: in the network (bars), opened, active."""
    rows = []
    for r in years.itertuples(index=False):
        day = pd.Timestamp(dt.date(int(r.year), 1, 1))
        for column in ("in_network", "opened", "active"):
            value = getattr(r, column)
            if column == "active" and is_missing(value):
                continue  # a year outside the period: no figure, not a hidden one
            rows.append({"x": day, "series": tr(f"network.series_{column}"), "value": value,
                         "text": tr.number(value), "x_label": str(r.year)})
    return pd.DataFrame(rows, columns=["x", "series", "value", "text", "x_label"])


def network_table(years: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """The table behind the network chart, one row per year."""
    return words_table({tr("network.col_year"): [str(y) for y in years["year"]],
                        **{tr(f"network.series_{c}"): [tr.number(v) for v in years[c]]
                           for c in ("opened", "in_network", "active")}})


def network_summary(years: pd.DataFrame, tr: Translator) -> str:
    """Text alternative: the network's growth as a chain of year-end totals (1 → 6 → 18 …)."""
    grown = years[years["opened"] > 0]
    if grown.empty:
        return tr("network.growth_none")
    chain = " → ".join(f"{tr.number(n)} ({y})" for y, n in zip(years["year"], years["in_network"])
                       if y in set(grown["year"]))
    return tr("network.growth_caption", chain=chain)


def waitlist_series(months: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """Frame of charts.series_chart: people waiting and monthly capacity, per month."""
    rows = []
    for r in months.itertuples(index=False):
        for column, text in (("waiting", tr.count(r.waiting)), ("capacity", tr.number(r.capacity, 1))):
            if column == "capacity" and not r.reported:
                continue  # unknown, not zero: no line rather than a line at zero
            rows.append({"x": r.month, "series": tr(f"network.series_{column}"), "value": getattr(r, column),
                         "text": text, "x_label": tr.month(r.month.date())})
    return pd.DataFrame(rows, columns=["x", "series", "value", "text", "x_label"])


def months_text(value: float, trained: object, tr: Translator, reported: bool = True) -> str:
    """Months to clear in words: a number; "no class reports" when capacity cannot be measured;
    "cannot be cleared" when nobody was trained lately; `—` when hidden (a count is suppressed)."""
    if not is_missing(value):
        return tr.number(value, 1)
    if not reported:
        return tr("network.no_reports")
    return tr("network.never") if not is_missing(trained) and trained == 0 else tr("network.unknown")


def waitlist_table(latest: pd.DataFrame, by: str, tr: Translator, region_names: Mapping[str, str],
                   overall: pd.DataFrame | None = None) -> pd.DataFrame:
    """The latest waiting list against capacity per centre, region (`by`) or for all centres,
    with the all-centres rows of `overall` last under the label "all selected regions"."""
    if by == "centre":
        header = tr("network.col_centre")
        labels = [f"{h} · {n}" for h, n in zip(latest["hub_id"], latest["name"])]
    elif by == "region":
        header = tr("participation.dim_region")
        labels = [region_names.get(c, c) for c in latest["region_code"]]
    else:
        header = tr("participation.dim_region")
        labels = [tr("participation.all_regions")] * len(latest)
    if overall is not None and len(overall):
        latest = pd.concat([latest, overall], ignore_index=True)
        labels += [tr("participation.all_regions")] * len(overall)
    return words_table({header: labels,
                        tr("network.col_month"): [tr.month(pd.Timestamp(m).date()) for m in latest["month"]],
                        tr("network.col_centres"): [tr.number(v) for v in latest["centres"]],
                        tr("network.series_waiting"): [tr.count(v) for v in latest["waiting"]],
                        tr("network.col_trained_3m"): [tr.count(v) for v in latest["trained_3m"]],
                        tr("network.series_capacity"): [tr.number(v, 1) for v in latest["capacity"]],
                        tr("network.col_months"): [months_text(m, w, tr, bool(r)) for m, w, r in
                                                   zip(latest["months_to_clear"], latest["trained_3m"], latest["reported"])]})


def partners_bars(partners: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """Frame of charts.ranked_bar_chart: staff trained per partner type, largest first."""
    ordered = partners.assign(_o=pd.to_numeric(partners["staff_trained"], errors="coerce").astype("float64").fillna(0.5)) \
        .sort_values("_o", ascending=False)
    ordered = ordered[ordered["partners"] > 0]
    return pd.DataFrame({"label": [tr(f"network.partner_{t}") for t in ordered["partner_type"]],
                         "value": ordered["staff_trained"],
                         "value_text": [tr.count(v) for v in ordered["staff_trained"]]})


def partners_table(partners: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """The table behind the partners chart: type, partners, staff trained, partners without a figure."""
    return words_table({tr("network.col_partner_type"): [tr(f"network.partner_{t}") for t in partners["partner_type"]],
                        tr("network.col_partners"): [tr.number(v) for v in partners["partners"]],
                        tr("network.col_staff"): [tr.count(v) for v in partners["staff_trained"]],
                        tr("network.col_staff_unknown"): [tr.number(v) for v in partners["staff_unknown"]]})


def waitlist_summary(latest_all: pd.DataFrame, tr: Translator) -> str:
    """Text alternative of the waiting list: people waiting at the latest report, capacity, months."""
    if latest_all.empty:
        return tr("network.waitlist_none")
    r = latest_all.iloc[0]
    month, waiting = tr.month(pd.Timestamp(r["month"]).date()), waiting_text(r["waiting"], tr)
    if not r["reported"]:
        return tr("network.waitlist_no_reports", month=month, waiting=waiting)
    return tr("network.waitlist_caption", month=month, waiting=waiting,
              capacity=people_text(r["capacity"], tr, 1),
              months=months_text(r["months_to_clear"], r["trained_3m"], tr))


def waiting_text(waiting: object, tr: Translator) -> str:
    """People waiting, with the verb and noun that go with the count: `21 people were waiting`,
    `чекала 21 особа`; a hidden count reads as "fewer than k" (in the form that goes with k)."""
    if is_missing(waiting):
        return tr.plural("network.waiting_people", tr.k, n=tr.fewer_than())
    return tr.plural("network.waiting_people", waiting)


def people_text(value: object, tr: Translator, digits: int = 0) -> str:
    """A number of people with the noun that goes with it: `12,5 особи`, `1 person`; `— осіб`,
    `— people` when unknown."""
    if is_missing(value):
        return f"{tr.number(None)} {tr.plural('plural.people', 0)}"
    return tr.counted("plural.people", value, digits)


def undated_text(n: int, tr: Translator) -> str:
    """The sites without a joining date, in words: `1 site has no joining date ...`."""
    return tr.plural("network.undated", n)


def partners_summary(partners: pd.DataFrame, tr: Translator) -> str:
    """Text alternative of the partners chart: partners in all and the type whose staff trained most."""
    listed = partners[partners["partners"] > 0]
    if listed.empty:
        return tr("network.partners_none")
    staff = pd.to_numeric(listed["staff_trained"], errors="coerce")
    text = tr.plural("network.partners_caption", listed["partners"].sum(),
                     types=tr.plural("network.partner_kinds", len(listed)))
    if staff.notna().any() and staff.max() > 0:
        top = listed.loc[staff.idxmax()]
        text += " " + tr("network.partners_top", type=tr(f"network.partner_{top['partner_type']}"),
                         staff=tr.count(top["staff_trained"]))
    return text

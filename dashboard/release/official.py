"""Release layer: the official totals, exact on purpose (what the ministry publishes; see the
README's privacy section), and only where they tell nothing small together with the rest."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from dashboard.privacy import Rule
from dashboard.release import grain

OFFICIAL = re.compile(r"^(all|year:|phase:)")
OFFICIAL_COUNTS = ("people", "activities", "hubs", "regions")


def official_table(raw: pd.DataFrame, active: pd.DataFrame, periods: dict, rule: Rule) -> pd.DataFrame:
    """The exact totals of the whole country per year, phase and all time (what is published).

    A total is official only when it tells nothing small together with the others: the difference
    of the people (or activities) of two nested periods — the people of a phase who had no class
    in one of its years — must not be 1..k-1, and a total's activities less those of the official
    periods that tile part of it (all time less two of its three years) must not be a count a
    cell could hide. A period failing that is not official and is shown protected like any other.
    """
    whole = raw[(raw["area"] == grain.COUNTRY) & (raw["dim1"] == grain.NO_DIM)]
    whole = whole[whole["period"].str.match(OFFICIAL)]
    out = whole[["programme", "period", "people", "activities"]].merge(
        active[active["area"] == grain.COUNTRY][["programme", "period", "hubs", "regions"]],
        on=["programme", "period"], how="left")
    out = out.fillna({"hubs": 0, "regions": 0}).astype({c: "int64" for c in OFFICIAL_COUNTS})
    out = out.sort_values(["programme", "period"], ignore_index=True)
    # A total under k is a small count like any other (and an empty period publishes nothing).
    out["official"] = (out["people"] >= rule.k) & (out["activities"] >= rule.k)
    out = out.reset_index(drop=True)
    for i, a in out.iterrows():
        for _j, b in out.iterrows():
            if a["programme"] != b["programme"] or a["period"] == b["period"]:
                continue
            (a0, a1), (b0, b1) = periods[a["programme"]][a["period"]], periods[b["programme"]][b["period"]]
            if not (b0 <= a0 and a1 <= b1):
                continue  # only a period within another gives a difference of people
            for column in ("people", "activities"):
                if 1 <= b[column] - a[column] < _edge(column, rule):
                    out.loc[i, "official"] = False
    # Activities add up over periods: a total minus the official periods that tile part of it is
    # the exact activities of the rest, so that rest must not be a count that could be hidden.
    for i, parent in out.iterrows():
        (p0, p1) = periods[parent["programme"]][parent["period"]]
        inside = out[(out["programme"] == parent["programme"]) & (out.index != i) & out["official"]]
        for kind in ("year:", "phase:"):
            spans = [(periods[parent["programme"]][c], n) for c, n in
                     zip(inside["period"], inside["activities"]) if c.startswith(kind)]
            spans = [((s0, s1), n) for (s0, s1), n in spans if p0 <= s0 and s1 <= p1 and (s0, s1) != (p0, p1)]
            if not spans or not _disjoint([span for span, _n in spans]):
                continue
            if 1 <= parent["activities"] - sum(n for _span, n in spans) < _edge("activities", rule):
                out.loc[i, "official"] = False
    # A total that is not official is not written at all: its cell holds the protected count.
    return out[out["official"]].reset_index(drop=True)


def _edge(column: str, rule: Rule) -> int:
    """Differences below this are not published: for people, 1..k-1 (the people of one period
    without a class in another are no cell of the release); for activities, any count a cell may
    hide (1..k-1+noise), as the difference is the exact activities of a period of the release."""
    return rule.k + rule.noise if column == "activities" else rule.k


def _disjoint(spans: list[tuple[dt.date, dt.date]]) -> bool:
    ordered = sorted(spans)
    return all(a[1] < b[0] for a, b in zip(ordered, ordered[1:]))


def with_official(cells: pd.DataFrame, months: pd.DataFrame, official: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cells of the official totals with the exact counts, and the last month's people trained
    so far of those periods too: the same people have one number everywhere."""
    exact = official[official["official"]].set_index(["programme", "period"])
    cells, months = cells.copy(), months.copy()
    at = (cells["area"] == grain.COUNTRY) & (cells["dim1"] == grain.NO_DIM)
    for (programme, period), row in exact.iterrows():
        pick = at & (cells["programme"] == programme) & (cells["period"] == period)
        for column in OFFICIAL_COUNTS:
            cells.loc[pick, column] = row[column]
        mine = ((months["programme"] == programme) & (months["period"] == period)
                & (months["area"] == grain.COUNTRY) & (months["dim1"] == grain.NO_DIM))
        if mine.any():
            months.loc[months[mine]["month"].idxmax(), "people_total"] = row["people"]
    return cells, months

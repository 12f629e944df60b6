"""Attacks on a release: what an outsider who holds every table of a release learns.

The public side shows only what a release holds, so the attacker's whole knowledge is every table
of the release (cells, months, items, digigram, context, hubs, hub_people, and `official`, which
lists only the whole-country totals that are official, exact on purpose and exact in their cells
too), the published rule and how it works (1..k-1 hidden, other counts moved by at most `noise`
(by the published table of changes, which the attack does not even need)
and hidden too where that takes them below k, 0 hidden except as a view's own count without a
group (and in the months and items of an empty view), every view without a group written with
every month, item, hub and year, a group's row left out where its people are
hidden, in cells, items and months alike; a shown group cell lists every month of its period;
means are sums changed by at most 5 x noise over the shown count) and the filter's vocabulary
of groups. The truth
is computed independently of the dashboard's code: plain DuckDB over the cleaned Parquet
(activities joined to participants, assessments, trainings). Releases: the fixture extract
(tests/conftest.py) and a seeded demo of 3,000 people, both built with Rule(k=10, noise=2).

What is asserted ("recovered exactly" means: certainly, by reasoning every bound of which holds
for every release the rule could have produced, not by a lucky guess):

- counts: every shown count is within `noise` of the truth and >= k, and rests on k or more (or
  is a true 0 of a view without a group, or of the months and items of an empty view); every
  hidden or left-out count's truth is 0..k-1+noise; every view without a group has its row.
- 1 differencing, point guesses: a shown total minus its shown parts (country - regions, a group -
  its values of another dimension, all time - years, a year - quarters or months, a month's people
  so far - the month before), where exactly one part is hidden and the guess is 1..k-1, hits the
  truth in at most 35% of the tries (one difference of two independent changes: 1/(2·noise+1) =
  20%), so no single guess can be trusted.
- 1 differencing with certainty: every count becomes the interval of truths it allows; every
  relation that holds by construction is propagated to a fixpoint: exact sums (a view = the sum of
  its groups' values of any dimension, a value = the sum of its pairs; activities = the sum over
  regions, sub-periods, topics/formats/courses; people so far = the month before + people new; the
  last month's people so far = the cell's people; `official` exact), containments (a region's or a
  sub-period's people <= the wider view's <= the sum of its parts'; the hubs' people cover a
  region's; n_pre <= people <= activities) and what rows say (a month row left out for a group is
  one of a hidden group cell: 0..k-1+noise; a month without a row for the view without a group
  has nobody new, were there one). Asserted: no hidden count of anyone ends with a one-value
  interval. The attack
  checks its own soundness: every truth stays inside its interval.
- 3b means: the same plus what a mean says, a sum changed by at most 5 x noise over the SHOWN
  count: the sum S of the ratings to within n × 0.005 + 5 x noise, a variable with every relation it obeys (the sum over
  a view's groups; areas and sub-periods cover it; n <= S <= 10·n). Asserted: the means alone pin
  no shown count, and still no hidden count is recovered.
- `official` holds exact totals only where it publishes them (flagged official, >= k).
- 2 averaging: every view with the same set of people (a fingerprint of the set: cells of any area,
  period and group, items, hub-years, the last month's people so far) shows one count; the same
  for activities. Asking again or rephrasing (phase = year, a month = its quarter) adds nothing.
  The official totals are left out: exact beside perturbed views of the same people by design.
- 3 rate × base: shares and their Wilson intervals are functions of the shown counts only (base ×
  share gives back the shown part) and missing where part or base is hidden; means are missing
  where their count is.
- 4 beside hidden people: hubs and regions missing (always in group cells); activities shown
  beside hidden people do not pin them.
- 5 zero against fewer than k: no 0 shown in a group cell (cells, months, items), and no hidden
  group cell with someone in it has a row anywhere that an empty one would not have.
- 6 narrowing: every view of exactly one person (also a pair of values in a month; people new in
  a month; an item; a hub-year) is hidden, and the rows present for the groups one dimension finer
  do not spell out that person's values; hub_people carries no group.
"""

from __future__ import annotations

import copy
import itertools
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from dashboard.filters import SEGMENTS  # the groups a user can ask for: the filter's vocabulary
from dashboard.indicators import HIGH_FROM, LOW_TO
from dashboard.privacy import Rule
from dashboard.release.build import build

ROOT = Path(__file__).resolve().parents[2]
RULE = Rule(k=10, noise=2)
K, NOISE = RULE.k, RULE.noise
DEMO_PEOPLE, DEMO_SEED = 3000, 20240
# The six participant dimensions (query-string name -> participants column), in the release's order.
DIMS = {"age": "age_band", "gender": "gender", "settlement": "settlement_type", "employment": "employment",
        "disability": "disability", "displaced": "displaced"}
SHAPES = [("", "")] + [(d, "") for d in DIMS] + list(itertools.combinations(DIMS, 2))
GROUP = ["dim1", "value1", "dim2", "value2"]
CELL = ["programme", "area", "period", *GROUP]
SCORES = range(1, 11)
RATED = {"n_pre": "pre IS NOT NULL", "pre_high": f"pre >= {HIGH_FROM}", "pre_low": f"pre <= {LOW_TO}",
         "n_post": "post IS NOT NULL", "post_high": f"post >= {HIGH_FROM}", "post_low": f"post <= {LOW_TO}",
         "n_both": "pre IS NOT NULL AND post IS NOT NULL",
         **{f"pre_{s}": f"pre = {s}" for s in SCORES}, **{f"post_{s}": f"post = {s}" for s in SCORES}}
CELL_COUNTS = ["people", "activities", *RATED]
MEANS = {"pre_mean": "n_pre", "post_mean": "n_post", "gain_mean": "n_both"}  # mean -> its count
ATTACKED_MEANS = {"pre_mean": "n_pre"}  # the one the interval attack uses (the others work alike)
ATTACKED_MEANS_SUM = {"pre_mean": "pre_sum"}  # its exact sum (a variable of the attack, never shown)
MEAN_DECIMALS = 2
SUM_CHANGE = 5 * NOISE  # the published bound of the change to a sum of ratings (5 x noise)
GUESS_HIT_LIMIT = 0.35


# ---- the truth, from the cleaned Parquet --------------------------------------------------------

def _expand(source: str, where: str = "") -> str:
    """UNION ALL of `source` once per group shape, with the person's values as value1/value2."""
    parts = []
    for d1, d2 in SHAPES:
        if where == "single" and d2:
            continue
        v1 = d1 if d1 else "''"
        v2 = d2 if d2 else "''"
        parts.append(f"SELECT '{d1}' AS dim1, {v1} AS value1, '{d2}' AS dim2, {v2} AS value2, * FROM {source}")
    return " UNION ALL BY NAME ".join(parts)


def _phases(periods: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for programme, code in periods[["programme", "period"]].itertuples(index=False):
        m = re.fullmatch(r"phase:(\d{4})(?:\s*[–-]\s*(\d{4}))?", code)
        if m:
            rows.append((programme, code, int(m.group(1)), int(m.group(2) or m.group(1))))
    return pd.DataFrame(rows, columns=["programme", "period", "y0", "y1"]).astype(
        {"programme": object, "period": object})


def compute_truth(clean: Path, periods: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Exact counts of every view, independently of the dashboard: DuckDB over the cleaned Parquet."""
    con = duckdb.connect()
    con.execute("SET threads = 2")
    phases = _phases(periods)  # noqa: F841 (read by DuckDB)
    attrs = ", ".join(f"coalesce(p.{col}, 'unknown') AS {name}" for name, col in DIMS.items())
    any_attrs = ", ".join(f"any_value({name}) AS {name}" for name in DIMS)
    con.execute(f"""
        CREATE TABLE a AS
        SELECT a.programme, a.person_id, a.activity_id, a.hub_id, a.region_code,
               CAST(a.activity_date AS DATE) AS day, coalesce(a.topic, '') AS topic,
               coalesce(a.format, '') AS format, coalesce(a.course, '') AS course, {attrs}
        FROM read_parquet('{clean / "activities.parquet"}') a
        JOIN read_parquet('{clean / "participants.parquet"}') p USING (person_id)""")
    # Every activity once per period it falls in and per area (its region, the whole country '').
    con.execute("""
        CREATE TABLE ap AS
        WITH per AS (
            SELECT *, 'all' AS period FROM a
            UNION ALL SELECT *, 'year:' || year(day) FROM a
            UNION ALL SELECT *, 'quarter:' || year(day) || '-Q' || quarter(day) FROM a
            UNION ALL SELECT *, 'month:' || strftime(day, '%Y-%m') FROM a
            UNION ALL SELECT a.*, ph.period FROM a JOIN phases ph
                ON a.programme = ph.programme AND year(a.day) BETWEEN ph.y0 AND ph.y1)
        SELECT *, region_code AS area FROM per UNION ALL SELECT *, '' AS area FROM per""")
    con.execute(f"""
        CREATE TABLE ratings AS
        SELECT person_id, max(score) FILTER (WHERE stage = 'pre') AS pre,
               max(score) FILTER (WHERE stage = 'post') AS post
        FROM read_parquet('{clean / "assessments.parquet"}')
        WHERE instrument = 'self_rating' AND area = 'overall' GROUP BY person_id""")
    con.execute(f"""
        CREATE TABLE pp AS
        SELECT x.*, r.pre, r.post FROM (
            SELECT programme, area, period, person_id, {any_attrs}, count(*) AS acts,
                   sum(hash(activity_id)::HUGEINT) AS fa
            FROM ap GROUP BY programme, area, period, person_id) x
        LEFT JOIN ratings r USING (person_id)""")
    rated = ", ".join(f"count(*) FILTER (WHERE {cond}) AS {name}" for name, cond in RATED.items())
    keys = "programme, area, period"
    cells = con.execute(f"""
        SELECT {keys}, dim1, value1, dim2, value2, count(*) AS people, sum(acts)::BIGINT AS activities, {rated},
               coalesce(sum(pre), 0)::BIGINT AS pre_sum_true,
               sum(hash(person_id)::HUGEINT)::VARCHAR AS fp_people, sum(fa)::VARCHAR AS fp_acts
        FROM ({_expand("pp")}) GROUP BY ALL""").df()
    active = con.execute(f"SELECT {keys}, count(DISTINCT hub_id) AS hubs, count(DISTINCT region_code) AS regions"
                         " FROM ap GROUP BY ALL").df()
    con.execute(f"""
        CREATE TABLE firsts AS SELECT programme, area, period, person_id, {any_attrs},
               CAST(date_trunc('month', min(day)) AS DATE) AS month
        FROM ap GROUP BY programme, area, period, person_id""")
    months = con.execute(f"""
        SELECT *, sum(new_people) OVER (PARTITION BY {keys}, dim1, value1, dim2, value2 ORDER BY month)
                  AS people_total
        FROM (SELECT {keys}, dim1, value1, dim2, value2, month, count(*) AS new_people
              FROM ({_expand("firsts")}) GROUP BY ALL)""").df()
    items = []
    for dim in ("topic", "format", "course"):
        con.execute(f"""
            CREATE OR REPLACE TABLE pv AS
            SELECT programme, area, period, {dim} AS item, person_id, {any_attrs}, count(*) AS acts,
                   sum(hash(activity_id)::HUGEINT) AS fa
            FROM ap GROUP BY programme, area, period, {dim}, person_id""")
        frame = con.execute(f"""
            SELECT {keys}, item, dim1, value1, dim2, value2, count(*) AS people, sum(acts)::BIGINT AS activities,
                   sum(hash(person_id)::HUGEINT)::VARCHAR AS fp_people, sum(fa)::VARCHAR AS fp_acts
            FROM ({_expand("pv", "single")}) GROUP BY ALL""").df()
        hubs_of = con.execute(f"SELECT {keys}, {dim} AS item, count(DISTINCT hub_id) AS hubs FROM ap GROUP BY ALL").df()
        items.append(frame.merge(hubs_of, on=["programme", "area", "period", "item"], how="left")
                     .assign(dimension=dim))
    hub_people = con.execute("""
        SELECT hub_id, programme, period, count(DISTINCT person_id) AS people,
               sum(DISTINCT hash(person_id)::HUGEINT)::VARCHAR AS fp_people
        FROM (SELECT hub_id, programme, person_id, unnest(['all', 'year:' || year(day)]) AS period FROM a)
        GROUP BY ALL""").df()
    con.execute(f"""
        CREATE TABLE dg AS
        SELECT person_id, area AS test_area, stage, CAST(assessed_on AS DATE) AS day, region_code, programme
        FROM read_parquet('{clean / "assessments.parquet"}') WHERE instrument = 'digigram'""")
    digigram = con.execute("""
        WITH t AS (
            SELECT DISTINCT programme, person_id, period, area FROM (
                SELECT programme, person_id, region_code, p AS period FROM dg,
                       unnest(['all', 'year:' || year(day), 'quarter:' || year(day) || '-Q' || quarter(day),
                               'month:' || strftime(day, '%Y-%m')]) AS u(p)
                UNION ALL SELECT dg.programme, person_id, region_code, ph.period FROM dg JOIN phases ph
                    ON dg.programme = ph.programme AND year(dg.day) BETWEEN ph.y0 AND ph.y1),
                unnest([region_code, '']) AS v(area))
        SELECT t.programme, t.area, t.period, s.test_area, s.stage, count(DISTINCT s.person_id) AS people
        FROM t JOIN dg s USING (person_id) GROUP BY ALL""").df()
    coordinators = con.execute(f"""
        WITH t AS (SELECT programme, region_code, completed, CAST(coalesce(end_date, start_date) AS DATE) AS day
                   FROM read_parquet('{clean / "trainings.parquet"}') WHERE level = 'coordinator'),
        per AS (
            SELECT *, 'all' AS period FROM t
            UNION ALL SELECT *, 'year:' || year(day) FROM t
            UNION ALL SELECT *, 'quarter:' || year(day) || '-Q' || quarter(day) FROM t
            UNION ALL SELECT *, 'month:' || strftime(day, '%Y-%m') FROM t
            UNION ALL SELECT t.*, ph.period FROM t JOIN phases ph
                ON t.programme = ph.programme AND year(t.day) BETWEEN ph.y0 AND ph.y1)
        SELECT programme, area, period, sum(completed)::BIGINT AS coordinators
        FROM (SELECT *, region_code AS area FROM per UNION ALL SELECT *, '' AS area FROM per) GROUP BY ALL""").df()
    con.close()
    return {"cells": cells.merge(active, on=["programme", "area", "period"], how="left"), "months": months,
            "items": pd.concat(items, ignore_index=True), "hub_people": hub_people, "digigram": digigram,
            "coordinators": coordinators}


# ---- the worlds: a release and its truth ---------------------------------------------------------

@dataclass
class World:
    name: str
    rel: dict[str, pd.DataFrame]
    truth: dict[str, pd.DataFrame]
    joined: dict[str, pd.DataFrame] = field(default_factory=dict)
    grids: dict[str, pd.DataFrame] = field(default_factory=dict)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Key columns as plain Python strings (object), so that merges do not trip on string dtypes."""
    out = frame.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.StringDtype) or out[c].dtype == object:
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


def _join(rel: pd.DataFrame, truth: pd.DataFrame, keys: list[str], counts: list[str]) -> pd.DataFrame:
    """Release rows beside the true counts (suffix `_true`); `_merge` tells rows only one side has."""
    t = truth[keys + [c for c in truth.columns if c not in keys]]
    out = _plain(rel).merge(_plain(t), on=keys, how="outer", suffixes=("", "_true"), indicator=True)
    for c in counts:
        out[f"{c}_true"] = pd.to_numeric(out[f"{c}_true"]).fillna(0).astype("int64")
    return out


@pytest.fixture(scope="session")
def demo_clean(tmp_path_factory) -> Path:
    """A small seeded demo, generated and cleaned by the project's own commands."""
    base = tmp_path_factory.mktemp("attack-demo")
    raw, clean = base / "raw", base / "clean"
    for cmd in (["-m", "dashboard.demo", str(raw), "--people", str(DEMO_PEOPLE), "--seed", str(DEMO_SEED), "--quiet"],
                ["-m", "dashboard.clean", str(raw), str(clean), "--demo-salt", "--no-warm", "--quiet"]):
        subprocess.run([sys.executable, *cmd], cwd=ROOT, check=True, capture_output=True, timeout=300)
    return clean


@pytest.fixture(scope="session", params=["fixture", "demo"])
def world(request, tmp_path_factory) -> World:
    clean = request.getfixturevalue("clean_dir" if request.param == "fixture" else "demo_clean")
    return make_world(request.param, clean, tmp_path_factory.mktemp(f"releases-{request.param}"))


def make_world(name: str, clean: Path, releases: Path) -> World:
    """Build the release `name` of the extract `clean` and put the truth beside every table."""
    folder = build(clean, releases, name, RULE)
    rel = {p.stem: _plain(pd.read_parquet(p)) for p in folder.glob("*.parquet")}
    truth = compute_truth(clean, rel["periods"])
    w = World(name, rel, truth)
    w.joined["cells"] = _join(rel["cells"], truth["cells"], CELL, CELL_COUNTS + ["hubs", "regions"])
    w.joined["months"] = _join(rel["months"].assign(month=pd.to_datetime(rel["months"]["month"]).dt.date),
                               truth["months"].assign(month=pd.to_datetime(truth["months"]["month"]).dt.date),
                               [*CELL, "month"], ["new_people", "people_total"])
    # People so far, true, at every listed month (a group lists months without anyone new, too).
    months = w.joined["months"].sort_values([*CELL, "month"], ignore_index=True)
    months["people_total_true"] = months.groupby(CELL, sort=False)["new_people_true"].cumsum()
    w.joined["months"] = months
    w.joined["items"] = _join(rel["items"], truth["items"], [*CELL, "dimension", "item"],
                              ["people", "activities", "hubs"])
    w.joined["hub_people"] = _join(rel["hub_people"], truth["hub_people"], ["programme", "hub_id", "period"],
                                   ["people"])
    w.joined["digigram"] = _join(rel["digigram"], truth["digigram"],
                                 ["programme", "area", "period", "test_area", "stage"], ["people"])
    w.joined["context"] = _join(rel["context"], truth["coordinators"], ["programme", "area", "period"],
                                ["coordinators"])
    return w


def _num(series: pd.Series) -> np.ndarray:
    """A protected count column as float64, NaN where hidden."""
    return pd.to_numeric(series).astype("Float64").to_numpy(dtype="float64", na_value=np.nan)


def _coded(series: pd.Series) -> pd.Series:
    """A protected count with -1 for hidden, to compare (hidden equals hidden)."""
    return pd.to_numeric(series).astype("Float64").fillna(-1).astype("int64")


def _group(frame: pd.DataFrame) -> np.ndarray:
    return (frame["dim1"] != "").to_numpy() if "dim1" in frame else np.zeros(len(frame), bool)


# ---- every count against its truth --------------------------------------------------------------

COUNT_TABLES = {"cells": CELL_COUNTS, "months": ["new_people", "people_total"], "items": ["people", "activities"],
                "hub_people": ["people"], "digigram": ["people"], "context": ["coordinators"]}


@pytest.mark.parametrize("table", COUNT_TABLES)
def test_counts_shown_near_truth_hidden_small(world, table):
    """Shown: |shown - true| <= noise, >= k and true >= k, or 0 for a true 0 where 0 may show
    (a view's own counts without a group, the months and items of an empty view); hidden: true
    0..k-1+noise, and k or more only where the change took it below k; every view without a
    group has its row, and a group's row is left out only where its people are hidden."""
    frame = world.joined[table]
    problems = []
    only_truth = frame[frame["_merge"] == "right_only"]
    true = only_truth[[f"{c}_true" for c in COUNT_TABLES[table]]].max(axis=1)
    people = only_truth[f"{COUNT_TABLES[table][0]}_true"]
    # A group's row may be left out where its people are hidden ("no row" reads "0 or fewer than k").
    lost = only_truth[(people > K - 1 + NOISE) | ~_group(only_truth)]
    if len(lost):
        problems.append(f"{len(lost)} views with people have no row, e.g. "
                        f"{lost.iloc[0][[c for c in lost.columns if c in CELL or c.endswith('_true')]].to_dict()}")
    frame = frame[frame["_merge"] != "right_only"]
    group = _group(frame)
    # 0 may be shown as a view's own count without a group (cells), and in the months and items
    # of a view nobody is in; nowhere else.
    view = [k for k in ("programme", "area", "period", "dimension") if k in frame] if table in ("months", "items") \
        else None
    if view is None:  # cells and context hold views' own counts; digigram and hub-years hide 0
        may_be_zero = ~group if table in ("cells", "context") else np.zeros(len(frame), bool)
    else:
        first = f"{COUNT_TABLES[table][0]}_true"
        empty = frame.assign(_g=group).groupby(view + ["_g"])[first].transform("sum").to_numpy() == 0
        may_be_zero = ~group & empty
    for c in COUNT_TABLES[table]:
        shown, true = _num(frame[c]), frame[f"{c}_true"].to_numpy()
        hidden = np.isnan(shown)
        far = ~hidden & ~((shown == 0) & (true == 0) & may_be_zero) \
            & ((np.abs(shown - true) > NOISE) | (shown < K) | (true < K))
        zero = ~hidden & (shown == 0) & ~may_be_zero
        bad_hidden = hidden & (true > K - 1 + NOISE)
        for what, mask in (("shown beyond the noise, below k or from fewer than k", far), ("0 shown", zero),
                           ("hidden although more than k-1+noise", bad_hidden)):
            if mask.any():
                row = frame[mask].iloc[0]
                problems.append(f"{c}: {mask.sum()} {what}, e.g. {row[[*frame.columns[:8], c, f'{c}_true']].to_dict()}")
    assert not problems, f"{world.name}/{table}: " + "; ".join(problems)


# ---- the groups a user can ask for ---------------------------------------------------------------

def _all_groups(singles_only: bool = False) -> pd.DataFrame:
    """Every group of the filter's vocabulary (none, each value, each pair of values)."""
    vocab = {d: SEGMENTS[d][1] for d in DIMS}
    rows = [("", "", "", "")] + [(d, v, "", "") for d in DIMS for v in vocab[d]]
    if not singles_only:
        rows += [(a, va, b, vb) for a, b in itertools.combinations(DIMS, 2) for va in vocab[a] for vb in vocab[b]]
    return pd.DataFrame(rows, columns=GROUP)


VIEW_KEYS = {"cells": ["programme", "area", "period"], "items": ["programme", "area", "period", "dimension", "item"]}


def _grid(world: World, table: str) -> pd.DataFrame:
    """Every group of every view that has a row without a group in `table` (cells, items): the
    release's row where there is one (`present`), else nothing (a group's row left out is hidden),
    with the true counts beside it (0 where nobody is there)."""
    if table not in world.grids:
        keys = VIEW_KEYS[table]
        joined = world.joined[table]
        views = joined[(joined["_merge"] != "right_only") & (joined["dim1"] == "")][keys].drop_duplicates()
        grid = views.merge(_all_groups(singles_only=table == "items"), how="cross")
        grid = grid.merge(joined, on=[*keys, *GROUP], how="left")
        grid["present"] = grid["_merge"].isin(["both", "left_only"]).to_numpy()
        for c in [c for c in grid.columns if c.endswith("_true") and not c.startswith("fp_")]:
            grid[c] = pd.to_numeric(grid[c]).fillna(0).astype("int64")
        world.grids[table] = grid.drop(columns=["_merge"])
    return world.grids[table]


def _months_grid(world: World) -> pd.DataFrame:
    """Every group of every month listed in `months` for a view (programme, area, period): the
    release's row where there is one (`present`), else nothing. A group cell's months are written
    only where its people are shown (then every month of the period), so a left-out month row is
    one of a hidden group cell: 0..k-1 people new and so far. The truth beside it (0 where nobody
    is new; people so far summed over the listed months, which hold every month anyone is new)."""
    if "months" not in world.grids:
        keys = [*VIEW_KEYS["cells"], "month"]
        joined = world.joined["months"].drop(columns=["people_total_true"])
        views = joined[joined["_merge"] != "right_only"][keys].drop_duplicates()
        grid = views.merge(_all_groups(), how="cross").merge(joined, on=[*keys, *GROUP], how="left")
        grid["present"] = grid["_merge"].isin(["both", "left_only"]).to_numpy()
        grid["new_people_true"] = pd.to_numeric(grid["new_people_true"]).fillna(0).astype("int64")
        held = int(grid["new_people_true"].sum())
        assert held == int(joined["new_people_true"].sum()), "a month someone is new in is listed for no group"
        grid = grid.sort_values([*CELL, "month"], ignore_index=True)
        grid["people_total_true"] = grid.groupby(CELL, sort=False)["new_people_true"].cumsum()
        world.grids["months"] = grid.drop(columns=["_merge"])
    return world.grids["months"]


def _presence(world: World) -> pd.DataFrame:
    """Per group cell (programme, area, period, group): whether cells, months or items have a row."""
    out = None
    for table in ("cells", "months", "items"):
        frame = _released(world, table)
        keys = frame[frame["dim1"] != ""][CELL].drop_duplicates().assign(**{f"in_{table}": True})
        out = keys if out is None else out.merge(keys, on=CELL, how="outer")
    for table in ("cells", "months", "items"):
        out[f"in_{table}"] = out[f"in_{table}"].fillna(False).astype(bool)
    return out


# ---- what the attacker knows: each count as an interval of possible truths ------------------------

# The counts the interval attack works on (the score distribution pre_1..post_10 is left out: it
# only adds time).
ENGINE = {"cells": ["people", "activities", "n_pre"], "months": ["new_people", "people_total"],
          "items": ["people", "activities"], "hub_people": ["people"]}
# Counts of people that a hidden count of people bounds (<= people); activities are not bounded.
PEOPLE_COUNTS = ("people", "n_pre", "n_post", "n_both", "new_people", "people_total")
UNKNOWN = 10**9
ROUNDS, MEAN_ROUNDS = 10, 8  # propagation rounds: fewer only weakens the attack (every bound stays true)


class Space:
    """Every count of the release as a variable with the interval [lo, hi] of the truths it allows:
    shown s: [max(s - noise, k), s + noise] (s >= k, never from fewer than k); 0: [0, 0];
    hidden or left out: [1, k-1+noise] for a view's own counts without a group (where 0 would be
    shown), else [0, k-1+noise]."""

    def __init__(self):
        self.parts: dict[str, list] = {n: [] for n in ("lo", "hi", "true", "hidden", "label")}
        self.base: dict[tuple[str, str], int] = {}
        self.size = 0

    def add(self, table: str, frame: pd.DataFrame, column: str) -> None:
        shown = _num(frame[column])
        hidden = np.isnan(shown)
        lo = np.where(hidden, np.where(_group(frame) | (table != "cells"), 0, 1),
                      np.where(shown == 0, 0, np.maximum(shown - NOISE, K)))
        hi = np.where(hidden, K - 1 + NOISE, np.where(shown == 0, 0, shown + NOISE))
        if "present" in frame:  # a group's row left out (its people hidden): its other counts are unknown
            hi = np.where(frame["present"].to_numpy() | (column in PEOPLE_COUNTS), hi, UNKNOWN)
        self.base[(table, column)] = self.size
        self.size += len(frame)
        for name, value in (("lo", lo), ("hi", hi), ("true", frame[f"{column}_true"]), ("hidden", hidden),
                            ("label", np.full(len(frame), f"{table}.{column}", dtype=object))):
            self.parts[name].append(np.asarray(value))

    def add_free(self, table: str, frame: pd.DataFrame, column: str) -> None:
        """A quantity the release does not show (e.g. an exact score sum): [0, unknown], not a target."""
        self.base[(table, column)] = self.size
        self.size += len(frame)
        for name, value in (("lo", np.zeros(len(frame))), ("hi", np.full(len(frame), UNKNOWN)),
                            ("true", frame[f"{column}_true"]), ("hidden", np.zeros(len(frame), bool)),
                            ("label", np.full(len(frame), f"{table}.{column}", dtype=object))):
            self.parts[name].append(np.asarray(value))

    def ids(self, table: str, column: str, rows) -> np.ndarray:
        return self.base[(table, column)] + np.asarray(rows, dtype="int64")

    def freeze(self) -> None:
        self.lo, self.hi, self.true = (np.concatenate(self.parts[n]).astype("int64") for n in ("lo", "hi", "true"))
        self.hidden = np.concatenate(self.parts["hidden"]).astype(bool)
        self.label = np.concatenate(self.parts["label"])


class _Scatter:
    """max/min of values into the variables `ids` (which may repeat), fast (sorted once)."""

    def __init__(self, ids: np.ndarray):
        self.order = np.argsort(ids, kind="stable")
        self.ids, self.starts = np.unique(ids[self.order], return_index=True)

    def max_into(self, target: np.ndarray, values: np.ndarray) -> None:
        if len(self.ids):
            target[self.ids] = np.maximum(target[self.ids], np.maximum.reduceat(values[self.order], self.starts))

    def min_into(self, target: np.ndarray, values: np.ndarray) -> None:
        if len(self.ids):
            target[self.ids] = np.minimum(target[self.ids], np.minimum.reduceat(values[self.order], self.starts))


class Relations:
    """Relations that hold by construction, propagated over the intervals to a fixpoint:
    eq: total = sum(parts); cover: every part <= total <= sum(parts); le: a <= b. An identity is a
    total with the parts of one family name."""

    def __init__(self):
        self.entries: dict[str, list[tuple[np.ndarray, np.ndarray, str]]] = {"eq": [], "cover": []}
        self.le: list[tuple[np.ndarray, np.ndarray]] = []
        self._ready: dict | None = None

    def add(self, kind: str, total, part, family: str) -> None:
        self.entries[kind].append((np.asarray(total, "int64"), np.asarray(part, "int64"), family))

    @staticmethod
    def _prepare(entries):
        if not entries:
            return None
        total = np.concatenate([t for t, _p, _f in entries])
        part = np.concatenate([p for _t, p, _f in entries])
        names = {f: i for i, f in enumerate(dict.fromkeys(f for _t, _p, f in entries))}
        fam = np.concatenate([np.full(len(t), names[f], dtype="int64") for t, _p, f in entries])
        ident, uniq = pd.factorize(fam * (1 << 32) + total)
        tot = np.asarray(uniq, dtype="int64") % (1 << 32)
        return ident, part, tot, _Scatter(tot), _Scatter(part), _Scatter(tot[ident])

    def ready(self) -> dict:
        if self._ready is None:
            le = None
            if self.le:
                a = np.concatenate([x for x, _y in self.le])
                b = np.concatenate([y for _x, y in self.le])
                le = (a, b, _Scatter(a), _Scatter(b))
            self._ready = {"eq": self._prepare(self.entries["eq"]), "cover": self._prepare(self.entries["cover"]),
                           "le": le}
        return self._ready

    def propagate(self, lo: np.ndarray, hi: np.ndarray, extra=None, rounds: int = ROUNDS) -> int:
        r = self.ready()
        for n in range(rounds):
            before = (lo.copy(), hi.copy())
            if r["eq"] is not None:
                ident, part, tot, s_tot, s_part, _s = r["eq"]
                slo = np.bincount(ident, lo[part], len(tot)).round().astype("int64")
                shi = np.bincount(ident, hi[part], len(tot)).round().astype("int64")
                s_tot.max_into(lo, slo)
                s_tot.min_into(hi, shi)
                t = tot[ident]
                s_part.max_into(lo, lo[t] - (shi[ident] - hi[part]))
                s_part.min_into(hi, hi[t] - (slo[ident] - lo[part]))
            if r["cover"] is not None:
                ident, part, tot, s_tot, s_part, s_entry_tot = r["cover"]
                shi = np.bincount(ident, hi[part], len(tot)).round().astype("int64")
                s_tot.min_into(hi, shi)
                t = tot[ident]
                s_entry_tot.max_into(lo, lo[part])
                s_part.min_into(hi, hi[t])
                s_part.max_into(lo, lo[t] - (shi[ident] - hi[part]))
            if r["le"] is not None:
                a, b, s_a, s_b = r["le"]
                s_a.min_into(hi, hi[b])
                s_b.max_into(lo, lo[a])
            if extra is not None:
                extra(lo, hi)
            np.maximum(lo, 0, out=lo)
            if np.array_equal(before[0], lo) and np.array_equal(before[1], hi):
                return n + 1
        return rounds


def _rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.reset_index(drop=True).assign(_row=np.arange(len(frame)))


def _released(world: World, table: str) -> pd.DataFrame:
    """The rows of a release table (with their truth beside them)."""
    frame = world.joined[table]
    return frame[frame["_merge"] != "right_only"].reset_index(drop=True)


def _group_splits(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """(total row, part row, split) of the exact partitions by group: the view without a group is
    the sum of its values of each dimension; a single value is the sum of its pairs with each
    other dimension (every person has exactly one value of each dimension)."""
    f = _rows(frame)[[*keys, *GROUP, "_row"]]
    f = f.assign(_view=f.groupby(keys, sort=False).ngroup())  # one integer key: faster merges
    keys = ["_view"]
    none = f[f["dim1"] == ""][[*keys, "_row"]].rename(columns={"_row": "total"})
    single = f[(f["dim1"] != "") & (f["dim2"] == "")]
    pair = f[f["dim2"] != ""]
    out = [single.merge(none, on=keys).assign(split=lambda x: x["dim1"]).rename(columns={"_row": "part"})]
    halves = pd.concat([
        pair.assign(pdim=pair["dim1"], pval=pair["value1"], split=pair["dim2"]),
        pair.assign(pdim=pair["dim2"], pval=pair["value2"], split=pair["dim1"])], ignore_index=True)
    parents = single[[*keys, "dim1", "value1", "_row"]].rename(
        columns={"dim1": "pdim", "value1": "pval", "_row": "total"})
    out.append(halves.merge(parents, on=[*keys, "pdim", "pval"]).rename(columns={"_row": "part"}))
    return pd.concat([o[["total", "part", "split"]] for o in out], ignore_index=True)


PHASE = re.compile(r"phase:(\d{4})(?:\s*[–-]\s*(\d{4}))?")


def _period_children(codes) -> pd.DataFrame:
    """(parent, period, kind): the periods of one kind tile their parent: all > years, a phase >
    its years, a year > its quarters and its months, a quarter > its months."""
    rows = []
    codes = set(codes)
    for c in codes:
        kind, _s, v = c.partition(":")
        if kind == "year":
            rows.append(("all", c, "year"))
            for p in codes:
                m = PHASE.fullmatch(p)
                if m and int(m.group(1)) <= int(v) <= int(m.group(2) or m.group(1)):
                    rows.append((p, c, "year"))
        elif kind == "quarter":
            rows.append((f"year:{v[:4]}", c, "quarter"))
        elif kind == "month":
            rows.append((f"quarter:{v[:4]}-Q{(int(v[5:7]) - 1) // 3 + 1}", c, "month"))
            rows.append((f"year:{v[:4]}", c, "month"))
    return pd.DataFrame(rows, columns=["parent", "period", "kind"])


def _area_and_time(frame: pd.DataFrame, keys: list[str]) -> dict[str, pd.DataFrame]:
    """(total row, part row, split) of the country against its regions and of a period against
    the sub-periods that tile it, the other keys equal."""
    f = _rows(frame)
    # The other keys as one integer each (faster merges).
    f["_but_area"] = f.groupby([k for k in keys if k != "area"], sort=False).ngroup()
    f["_but_period"] = f.groupby([k for k in keys if k != "period"], sort=False).ngroup()
    other = ["_but_area"]
    country = f[f["area"] == ""][[*other, "_row"]].rename(columns={"_row": "total"})
    regions = f[f["area"] != ""][[*other, "_row"]].rename(columns={"_row": "part"})
    out = {"country - regions": regions.merge(country, on=other).assign(split="area")}
    other, keys = ["_but_period"], ["_but_period", "period"]
    child = f[[*keys, "_row"]].merge(_period_children(f["period"].unique()), on="period").rename(
        columns={"_row": "part"})
    parent = f[[*other, "period", "_row"]].rename(columns={"period": "parent", "_row": "total"})
    out["period - sub-periods"] = child.merge(parent, on=[*other, "parent"]).rename(columns={"kind": "split"})
    return out


@dataclass
class Attack:
    space: Space
    relations: Relations
    official: np.ndarray  # variables `official` publishes exactly as an official total (by design)
    frames: dict[str, pd.DataFrame]
    rounds: int = 0

    def recovered(self) -> np.ndarray:
        """Hidden counts of anyone (true >= 1) whose interval is one value (beyond the official ones)."""
        s = self.space
        return s.hidden & (s.true >= 1) & ~self.official & (s.lo == s.hi)


def mount(world: World) -> Attack:
    """Turn every count of the release into an interval, add every relation that holds by
    construction, propagate; asserts that every truth stays inside its interval (the attack is sound)."""
    space, rel = Space(), Relations()
    frames = {"cells": _grid(world, "cells"), "months": _months_grid(world), "items": _grid(world, "items"),
              "hub_people": _released(world, "hub_people")}
    for table, columns in ENGINE.items():
        for c in columns:
            space.add(table, frames[table], c)
    # The exact sum of the self-ratings before (not shown; the means attack narrows it from pre_mean).
    space.add_free("cells", frames["cells"], "pre_sum")
    space.freeze()
    # A month without a row for the view without a group (listed for groups only): nobody new in it.
    quiet = np.flatnonzero(~frames["months"]["present"].to_numpy() & ~_group(frames["months"]))
    new, so_far = space.ids("months", "new_people", quiet), space.ids("months", "people_total", quiet)
    space.lo[new] = space.hi[new] = 0
    space.lo[so_far], space.hi[so_far] = 0, UNKNOWN
    space.hidden[new] = space.hidden[so_far] = False
    cells, months, items, hub_people = (frames[t] for t in ENGINE)

    def link(kind, table, columns, pairs, family):
        for split, pp in pairs.groupby("split"):
            for c in columns:
                k = kind(c) if callable(kind) else kind
                rel.add(k, space.ids(table, c, pp["total"]), space.ids(table, c, pp["part"]), f"{family}/{split}/{c}")

    def additive(c):  # activities add up over areas, periods and items; a person counts once in each
        return "eq" if c == "activities" else "cover"

    # Groups: exact partitions of cells, items and people new in a month (on the grids: a group's
    # row left out is a variable of 0..k-1, as its people are hidden).
    link("eq", "cells", [*ENGINE["cells"], "pre_sum"], _group_splits(cells, VIEW_KEYS["cells"]), "group")
    link("eq", "items", ENGINE["items"], _group_splits(items, VIEW_KEYS["items"]), "group")
    link("eq", "months", ["new_people"], _group_splits(months, ["programme", "area", "period", "month"]), "group")
    # Areas and periods: the country against its regions, a period against its sub-periods.
    for family, pairs in _area_and_time(cells, CELL).items():
        link(additive, "cells", ENGINE["cells"], pairs, family)
        link("cover", "cells", ["pre_sum"], pairs, family)  # a person's rating counts once in each
    for family, pairs in _area_and_time(items, [*CELL, "dimension", "item"]).items():
        link(additive, "items", ENGINE["items"], pairs, family)
    # Months: people so far = people so far the month before + people new; the last = the cell's people.
    m = _rows(months).sort_values([*CELL, "month"])
    rows = m["_row"].to_numpy()
    same = (m[CELL].shift() == m[CELL]).all(axis=1).to_numpy()
    prev = np.r_[-1, rows[:-1]]
    rel.add("eq", space.ids("months", "people_total", rows), space.ids("months", "new_people", rows), "so far")
    rel.add("eq", space.ids("months", "people_total", rows[same]), space.ids("months", "people_total", prev[same]),
            "so far")
    last = m.drop_duplicates(CELL, keep="last")[[*CELL, "_row"]].merge(_rows(cells)[[*CELL, "_row"]], on=CELL,
                                                                         suffixes=("", "_cell"))
    rel.add("eq", space.ids("cells", "people", last["_row_cell"]), space.ids("months", "people_total", last["_row"]),
            "last month = cell")
    # A group listed in `months` has someone in the period (its months are written only where its
    # people are shown; implied by the shown count already, kept as the attacker would use it).
    listed = months[(months["dim1"] != "") & months["present"]][CELL].drop_duplicates()
    listed = last.merge(listed, on=CELL)["_row_cell"]
    for c in ("people", "activities"):
        ids = space.ids("cells", c, listed)
        space.lo[ids] = np.maximum(space.lo[ids], 1)
    # Items: a cell's activities = their sum over topics (formats, courses); its people are covered.
    it = _rows(items)[[*CELL, "dimension", "_row"]].merge(_rows(cells)[[*CELL, "_row"]], on=CELL,
                                                           suffixes=("", "_cell"))
    for dim, part in it.groupby("dimension"):
        for c in ENGINE["items"]:
            rel.add(additive(c), space.ids("cells", c, part["_row_cell"]), space.ids("items", c, part["_row"]),
                    f"items {dim}/{c}")
    # Hubs: a region's (the country's) people per year and all time are covered by its hubs'.
    hp = _rows(hub_people)[["programme", "hub_id", "period", "_row"]].merge(
        world.rel["hubs"][["hub_id", "region_code"]], on="hub_id")
    whole = _rows(cells)
    whole = whole[whole["dim1"] == ""][["programme", "area", "period", "_row"]]
    for area in (hp["region_code"], ""):
        pairs = hp.assign(area=area).merge(whole, on=["programme", "area", "period"], suffixes=("", "_cell"))
        rel.add("cover", space.ids("cells", "people", pairs["_row_cell"]),
                space.ids("hub_people", "people", pairs["_row"]), "hubs")
    # Within a row: the rated <= people <= activities; people new <= people so far.
    r = np.arange(len(cells))
    for a, b in (("n_pre", "people"), ("people", "activities"), ("n_pre", "pre_sum")):
        rel.le.append((space.ids("cells", a, r), space.ids("cells", b, r)))
    r = np.arange(len(items))
    rel.le.append((space.ids("items", "people", r), space.ids("items", "activities", r)))
    r = np.arange(len(months))
    rel.le.append((space.ids("months", "new_people", r), space.ids("months", "people_total", r)))
    # `official`: the whole country's exact people and activities, whatever the row's flag says.
    table = world.rel["official"]
    off = table.merge(_rows(cells)[lambda x: (x["area"] == "") & (x["dim1"] == "")], on=["programme", "period"],
                      suffixes=("_official", ""))
    by_design = off["official"].astype(bool).to_numpy() if "official" in table else np.ones(len(off), bool)
    official = np.zeros(space.size, bool)
    for c in ("people", "activities"):
        ids = space.ids("cells", c, off["_row"])
        space.lo[ids] = space.hi[ids] = off[f"{c}_official"].to_numpy()
        official[ids[by_design]] = True
    space.initial = (space.lo.copy(), space.hi.copy())
    attack = Attack(space, rel, official, frames)
    attack.rounds = rel.propagate(space.lo, space.hi)
    _check_sound(attack)
    return attack


class ModelError(Exception):
    """The attack's own model is wrong (not an AssertionError: an xfail of a leak must not hide it)."""


def _check_sound(attack: Attack) -> None:
    s = attack.space
    wrong = (s.true < s.lo) | (s.true > s.hi)
    if wrong.any():
        raise ModelError(f"the attack's own model is wrong (a truth outside its interval): "
                         f"{s.label[wrong][:5]} lo {s.lo[wrong][:5]} true {s.true[wrong][:5]} hi {s.hi[wrong][:5]}")


def mean_sums(space: Space, cells: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What each shown mean says: means are sums changed by at most SUM_CHANGE over the SHOWN
    count, rounded to 2 decimals and kept within the scale, so a shown pre_mean m beside a shown
    n_pre n gives the sum S of the ratings within n·(m - 0.005) - SUM_CHANGE .. n·(m + 0.005) +
    SUM_CHANGE (one side open where m is the scale's end, 1 or 10, as the mean may have been
    clipped). Returns (the sums' variables, their lo, their hi)."""
    ids, los, his = [], [], []
    for mean, count in ATTACKED_MEANS.items():
        value, n = _num(cells[mean]), _num(cells[count])
        ok = ~np.isnan(value) & ~np.isnan(n) & (n > 0)
        value, n = value[ok], n[ok]
        half = 0.5 * 10.0 ** -MEAN_DECIMALS + 1e-9
        ids.append(space.ids("cells", ATTACKED_MEANS_SUM[mean], np.flatnonzero(ok)))
        los.append(np.where(value <= 1, 0, np.maximum(np.ceil(n * (value - half)) - SUM_CHANGE, 0)))
        his.append(np.where(value >= 10, UNKNOWN, np.floor(n * (value + half)) + SUM_CHANGE))
    return np.concatenate(ids), np.concatenate(los).astype("int64"), np.concatenate(his).astype("int64")


def sum_link(space: Space, cells: pd.DataFrame):
    """Every rating is 1..10: count <= S <= 10 · count, propagated both ways."""
    rows = np.arange(len(cells))
    pairs = [(space.ids("cells", c, rows), space.ids("cells", ATTACKED_MEANS_SUM[m], rows))
             for m, c in ATTACKED_MEANS.items()]

    def apply(lo: np.ndarray, hi: np.ndarray) -> None:
        for n, total in pairs:
            hi[total] = np.minimum(hi[total], np.minimum(10 * hi[n], UNKNOWN))
            lo[total] = np.maximum(lo[total], lo[n])
            hi[n] = np.minimum(hi[n], hi[total])
            lo[n] = np.maximum(lo[n], -(-lo[total] // 10))
    return apply


def _where(attack: Attack, i: int) -> str:
    table, column = attack.space.label[i].split(".")
    row = i - attack.space.base[(table, column)]
    frame = attack.frames[table]
    keys = [c for c in ("programme", "area", "period", "month", "dimension", "item", "hub_id", *GROUP) if c in frame]
    view = {k: str(frame[k].iloc[row]) for k in keys if str(frame[k].iloc[row]) != ""}
    return f"{table}.{column} {view}"


def _summary(world: World, attack: Attack, what: str) -> str:
    s = attack.space
    hit = attack.recovered()
    targets = s.hidden & (s.true >= 1) & ~attack.official
    by = pd.Series(s.label[hit]).value_counts().to_dict()
    picks = np.flatnonzero(hit)
    examples = "; ".join(f"{_where(attack, i)} hidden, recovered as {s.lo[i]} (true {s.true[i]})"
                         for i in picks[:: max(1, len(picks) // 3)][:3])
    return (f"{world.name}: {what} recovers {int(hit.sum()):,} of {int(targets.sum()):,} hidden counts of anyone "
            f"exactly, after {attack.rounds} rounds; by count: {by}. E.g. {examples}")


@pytest.fixture(scope="session")
def attacked(world) -> Attack:
    return mount(world)


def test_differencing_recovers_no_hidden_cell(world, attacked):
    """Attack 1 with certainty: no hidden count of anyone may end with a one-value interval."""
    assert not attacked.recovered().any(), _summary(world, attacked, "differencing")


def test_means_do_not_undo_the_noise(world, attacked):
    """Attack 3b: the differencing attack plus what the means say. A mean is a sum changed by at
    most 5 x noise over the shown count, so a shown pre_mean gives the sum S of the ratings to
    within n × 0.005 + 5 x noise, but not the count it was divided by; the attacker adds S as a variable with every relation it
    obeys (a view's S = the sum of its groups'; areas and sub-periods cover it; n <= S <= 10·n) and
    propagates on. Asserted: the means alone pin no shown n_pre to its exact value (S/10 <= n <= S
    leaves the noise band open but at its edges, e.g. a shown 10 with mean 1.00: S <= 10, so
    n = 10), and no hidden count is recovered."""
    cells = attacked.frames["cells"]
    space = copy.copy(attacked.space)
    ids, s_lo, s_hi = mean_sums(space, cells)
    link = sum_link(space, cells)
    counts = np.concatenate([space.ids("cells", c, np.arange(len(cells))) for c in ATTACKED_MEANS.values()])
    shown = counts[~space.hidden[counts] & (space.initial[0][counts] < space.initial[1][counts])]  # not 0
    lo, hi = space.initial[0].copy(), space.initial[1].copy()
    lo[ids], hi[ids] = np.maximum(lo[ids], s_lo), np.minimum(hi[ids], s_hi)
    link(lo, hi)
    alone = int((lo[shown] == hi[shown]).sum())
    space.lo, space.hi = attacked.space.lo.copy(), attacked.space.hi.copy()
    space.lo[ids], space.hi[ids] = np.maximum(space.lo[ids], s_lo), np.minimum(space.hi[ids], s_hi)
    deeper = Attack(space, attacked.relations, attacked.official, attacked.frames)
    deeper.rounds = attacked.relations.propagate(space.lo, space.hi, link, rounds=MEAN_ROUNDS)
    _check_sound(deeper)
    more = int(deeper.recovered().sum() - attacked.recovered().sum())
    assert alone == 0, f"{world.name}: the means alone pin {alone:,} of {len(shown):,} shown n_pre to their exact value"
    assert not deeper.recovered().any(), (
        _summary(world, deeper, "differencing with the means") + f"; {more:,} more than without the means")


def test_official_holds_only_published_totals(world):
    """`official` is exact by design, but only for the totals it flags as official: a row it keeps
    with its exact count yet does not publish (flag false, or a count of 1..k-1) hands the attacker
    an exact small number all the same."""
    table = world.rel["official"]
    flag = table["official"].astype(bool) if "official" in table else pd.Series(True, index=table.index)
    counts = table[["people", "activities"]].apply(pd.to_numeric)
    small = ((counts >= 1) & (counts < K)).any(axis=1)
    exposed = table[(~flag | small) & table["people"].notna()]
    assert exposed.empty, (f"{world.name}: `official` holds {len(exposed)} exact totals it does not publish: "
                           f"{exposed.to_dict('records')}")


def test_differencing_point_guesses(world):
    """Attack 1 as a point guess: a shown total minus its shown parts, where exactly one part is
    hidden (or left out) and the guess is plausible (1..k-1). Asserted: the guess is the truth in at
    most 35% of the tries (one difference of two independent changes of -noise..noise is 0 in
    1/(2·noise+1) = 20% of cases), so a guess alone cannot be trusted; the certain version of this
    attack is test_differencing_recovers_no_hidden_cell."""
    cells = _rows(_grid(world, "cells"))
    families = {**_area_and_time(cells, CELL), "group - its values": _group_splits(cells, VIEW_KEYS["cells"])}
    report, attempts, hits = {}, 0, 0
    for family, pairs in families.items():
        for split, pp in pairs.groupby("split"):
            for c in ("people", "activities", "n_pre"):
                shown, true = _num(cells[c]), cells[f"{c}_true"].to_numpy()
                parts = pd.DataFrame({"t": pp["total"].to_numpy(), "p": pp["part"].to_numpy()})
                parts["hidden"] = np.isnan(shown[parts["p"]])
                parts["value"] = np.nan_to_num(shown[parts["p"]])
                g = parts.groupby("t").agg(n_hidden=("hidden", "sum"), others=("value", "sum"))
                g = g[(g["n_hidden"] == 1) & ~np.isnan(shown[g.index.to_numpy()])]
                target = parts[parts["hidden"]].drop_duplicates("t").set_index("t").loc[g.index, "p"].to_numpy()
                guess = shown[g.index.to_numpy()] - g["others"].to_numpy()
                plausible = (guess >= 1) & (guess < K)
                n, h = int(plausible.sum()), int((plausible & (guess == true[target])).sum())
                if n:
                    report[f"{family}/{split}/{c}"] = f"{h}/{n}"
                    attempts, hits = attempts + n, hits + h
    months = _released(world, "months").sort_values([*CELL, "month"]).reset_index(drop=True)
    same = (months[CELL].shift() == months[CELL]).all(axis=1).to_numpy()
    now = _num(months["people_total"])
    guess = now - np.r_[np.nan, now[:-1]]
    tried = same & np.isnan(_num(months["new_people"])) & (guess >= 1) & (guess < K)
    n, h = int(tried.sum()), int((tried & (guess == months["new_people_true"].to_numpy())).sum())
    report["people so far - the month before"] = f"{h}/{n}"
    attempts, hits = attempts + n, hits + h
    rate = hits / attempts if attempts else 0.0
    assert attempts < 20 or rate <= GUESS_HIT_LIMIT, (
        f"{world.name}: subtraction gives the hidden truth in {hits} of {attempts} plausible guesses "
        f"({rate:.0%} > {GUESS_HIT_LIMIT:.0%}): {report}")


# ---- 2. averaging: the same people, the same value ------------------------------------------------

def test_averaging_same_people_same_value(world):
    """Every view of the release with the same set of people (cells of any area, period and group,
    items, hub-years; found by a fingerprint of the set) shows one count of them, and the same set
    of activities one count: asking again or rephrasing (`phase:2024` for `year:2024`, a region
    for a programme's only region) gives nothing new to average.

    The official totals (the whole country's people and activities of the periods `official`
    lists) are left out of this comparison: they are exact by design, the ministry's published
    figures, so an exact official number beside a perturbed view of the same people is intended;
    what the attacker learns from it is the official number itself, nothing more (the
    differencing attack uses it as exact)."""
    cells, items, hub_people = (_released(world, t) for t in ("cells", "items", "hub_people"))
    official = world.rel["official"][["programme", "period"]].assign(_official=True)
    marked = cells.merge(official, on=["programme", "period"], how="left")
    is_official = (marked["_official"].fillna(False).astype(bool) & (cells["area"] == "").to_numpy()
                   & (cells["dim1"] == "").to_numpy()).to_numpy()
    unofficial = cells[~is_official]
    cols = ["where", "programme", "area", "period", *GROUP]
    people = pd.concat([
        unofficial.assign(where="cells")[[*cols, "fp_people", "people_true", "people"]],
        items.assign(where="items")[[*cols, "item", "fp_people", "people_true", "people"]],
        hub_people.assign(where="hub_people", area=hub_people["hub_id"])[
            ["where", "programme", "area", "period", "fp_people", "people_true", "people"]],
    ], ignore_index=True)
    acts = pd.concat([unofficial.assign(where="cells")[[*cols, "fp_acts", "activities_true", "activities"]],
                      items.assign(where="items")[[*cols, "item", "fp_acts", "activities_true", "activities"]]],
                     ignore_index=True)
    problems, repeated = [], 0
    for frame, fp, col in ((people, "fp_people", "people"), (acts, "fp_acts", "activities")):
        frame = frame[frame[fp].notna()].assign(shown=_coded(frame[col]))
        g = frame.groupby(["programme", fp, f"{col}_true"])["shown"]
        repeated += int((g.size() > 1).sum())
        values = g.nunique()
        bad = values[values > 1]
        if len(bad):
            rows = frame.merge(bad.reset_index()[["programme", fp]].head(1), on=["programme", fp])
            answers = {f"{v} (true {int(r[f'{col}_true'].iloc[0])})": f"{len(r)} views, e.g. "
                       f"{r.iloc[0][['where', 'area', 'period', *GROUP]].to_dict()}"
                       for v, r in rows.groupby("shown")}
            problems.append(f"{len(bad)} sets of {col} shown with several values, e.g. {answers}")
    for c in ("n_pre", "n_post", "n_both"):  # (0 and hidden are one answer: "no one to show")
        g = cells.assign(shown=_coded(cells[c]).replace(0, -1)).groupby(["programme", "fp_people"])["shown"]
        if (g.nunique() > 1).any():
            problems.append(f"{c}: {int((g.nunique() > 1).sum())} sets of people with several values")
    last = _released(world, "months").sort_values([*CELL, "month"]).drop_duplicates(CELL, keep="last")
    both = last.merge(cells[[*CELL, "people"]], on=CELL)
    differ = _coded(both["people_total"]) != _coded(both["people"])
    if differ.any():
        problems.append(f"{int(differ.sum())} cells whose last people so far differ from their people, e.g. "
                        f"{both[differ][[*CELL, 'people_total', 'people']].iloc[0].to_dict()}")
    if world.name == "demo":
        assert repeated > 100, "the demo should hold views that reach the same people"
    assert not problems, f"{world.name}: " + "; ".join(problems)


# ---- 3. rate × base -----------------------------------------------------------------------------

SHARES = {"pre_high_share": ("pre_high", "n_pre"), "pre_low_share": ("pre_low", "n_pre"),
          "post_high_share": ("post_high", "n_post"), "post_low_share": ("post_low", "n_post"),
          "completion": ("n_both", "n_pre"),
          **{f"pre_{s}_share": (f"pre_{s}", "n_pre") for s in SCORES},
          **{f"post_{s}_share": (f"post_{s}", "n_post") for s in SCORES}}
Z = 1.959963984540054  # the 97.5% point of the normal distribution (95% intervals)


def _wilson(x: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = (x + Z * Z / 2) / (n + Z * Z)
        half = Z * np.sqrt(x * (n - x) / n + Z * Z / 4) / (n + Z * Z)
    return centre - half, centre + half


def test_rate_times_base_gives_back_only_shown_counts(world):
    """Every share is the shown part over the shown base (to 0.001), its interval the Wilson interval
    of those shown counts, and both are missing where the part or the base is hidden: base × share
    gives back the shown part, never the exact one, nor a hidden one."""
    cells = _released(world, "cells")
    problems = []
    for name, (part, whole) in SHARES.items():
        p, w, share = _num(cells[part]), _num(cells[whole]), _num(cells[name])
        hidden = np.isnan(p) | np.isnan(w)
        with np.errstate(divide="ignore", invalid="ignore"):
            expected = np.round(np.clip(p / w, 0, 1), 3)
        ok = ~hidden & (w > 0)
        if (hidden & ~np.isnan(share)).any():
            problems.append(f"{name}: {int((hidden & ~np.isnan(share)).sum())} shown beside a hidden {part} or {whole}")
        if (ok & (np.abs(share - expected) > 0.0006)).any():
            problems.append(f"{name}: {int((ok & (np.abs(share - expected) > 0.0006)).sum())} are not "
                            f"the shown {part} / the shown {whole}")
        if f"{name}_lo" in cells:
            bounds = _wilson(np.minimum(p, w), w)
            for end, value in zip(("lo", "hi"), bounds):
                got = _num(cells[f"{name}_{end}"])
                bad = (ok & (np.abs(got - np.round(value, 3)) > 0.0015)) | (hidden & ~np.isnan(got))
                if bad.any():
                    problems.append(f"{name}_{end}: {int(bad.sum())} not the Wilson bound of the shown counts")
    assert not problems, f"{world.name}: " + "; ".join(problems)


def test_means_hidden_with_their_count(world):
    """A mean (and its sd and interval) is missing wherever the count it rests on is hidden."""
    cells, digigram = _released(world, "cells"), _released(world, "digigram")
    pairs = [(cells, m, c) for m, c in MEANS.items()]
    pairs += [(cells, c, "n_both") for c in ("gain_sd", "gain_mean_lo", "gain_mean_hi")]
    pairs += [(digigram, c, "people") for c in ("mean", "sd", "mean_lo", "mean_hi")]
    problems = []
    for frame, mean, count in pairs:
        leak = np.isnan(_num(frame[count])) & ~np.isnan(_num(frame[mean]))
        if leak.any():
            problems.append(f"{mean}: {int(leak.sum())} shown beside a hidden {count}")
    assert not problems, f"{world.name}: " + "; ".join(problems)


# ---- 4. beside a hidden people count --------------------------------------------------------------

def test_hubs_and_activities_beside_hidden_people(world):
    """Where people are hidden, hubs and regions are missing (always in a group cell), the items'
    hubs likewise; and activities shown beside hidden people leave several values of people
    possible (people <= activities is all they say)."""
    cells, items = _released(world, "cells"), _released(world, "items")
    problems = []
    for table, frame, columns in (("cells", cells, ("hubs", "regions")), ("items", items, ("hubs",))):
        hidden = np.isnan(_num(frame["people"])) | _group(frame)
        for col in columns:
            leak = hidden & ~np.isnan(_num(frame[col]))
            if leak.any():
                problems.append(f"{table}.{col}: {int(leak.sum())} shown beside hidden people or in a group cell")
    people, acts = _num(cells["people"]), _num(cells["activities"])
    beside = np.isnan(people) & ~np.isnan(acts)
    pinned = beside & (np.minimum(acts + NOISE, K - 1 + NOISE) <= 0)
    if pinned.any():
        problems.append(f"activities pin {int(pinned.sum())} hidden people counts")
    assert not problems, f"{world.name}: " + "; ".join(problems)


# ---- 5. zero against fewer than k ---------------------------------------------------------------

def test_zero_and_fewer_than_k_look_alike_in_group_cells(world):
    """In a group cell 0 is never shown, and an empty group cell looks exactly like one of 1..k-1
    people in every table: asserted, no hidden group cell with someone in it has a row anywhere
    (cells, months, items) that an empty one would not have. Counted per table where it does."""
    problems = []
    for table in ("cells", "months", "items"):
        frame = _released(world, table)
        group = frame[frame["dim1"] != ""]
        zeros = sum(int((_num(group[c]) == 0).sum()) for c in COUNT_TABLES[table])
        if zeros:
            problems.append(f"{table}: {zeros} zeros shown in group cells")
    grid = _grid(world, "cells")
    cells = grid[grid["dim1"] != ""]
    cells = cells[np.isnan(_num(cells["people"]))][[*CELL, "people_true"]]
    seen = cells.merge(_presence(world), on=CELL, how="left")
    for table in ("cells", "months", "items"):
        seen[f"in_{table}"] = seen[f"in_{table}"].fillna(False).astype(bool)
    empty = seen[seen["people_true"] == 0]
    some = seen[seen["people_true"] > 0]
    for table in ("cells", "months", "items"):
        told = some[some[f"in_{table}"] & ~empty[f"in_{table}"].any()]
        if len(told):
            example = told.iloc[0]
            problems.append(
                f"{table}: {len(told):,} of {len(some):,} hidden group cells with someone in them have a row "
                f"there, which none of the {len(empty):,} empty ones has (so they read as 'someone'), e.g. "
                f"{example[CELL].to_dict()} (true {example['people_true']})")
    assert not problems, f"{world.name}: " + "; ".join(problems)


# ---- 6. narrowing to one person ----------------------------------------------------------------

def test_narrowing_one_person_is_not_singled_out(world):
    """Every view with exactly one person (any area, period, group, also a pair of values in a
    month; people new in a month; an item; a hub-year) is hidden, and the release does not tell
    that person's values: for a view of one person, the groups one dimension finer must not show
    signs of life (a row in cells, months or items) for exactly that person's values only."""
    problems = []
    for table, col in (("cells", "people"), ("months", "new_people"), ("items", "people"), ("hub_people", "people")):
        frame = _grid(world, table) if table in VIEW_KEYS else _released(world, table)
        shown = (frame[f"{col}_true"] == 1).to_numpy() & ~np.isnan(_num(frame[col]))
        if shown.any():
            problems.append(f"{table}: {int(shown.sum())} views of one person shown")
    keys = VIEW_KEYS["cells"]
    grid = _grid(world, "cells")
    alive = _presence(world)
    alive = alive[alive[["in_cells", "in_months", "in_items"]].any(axis=1)][CELL]
    ones = grid[grid["people_true"] == 1]
    # A view of one person without a group: which single values show signs of life?
    singles = alive[(alive["dim1"] != "") & (alive["dim2"] == "")]
    finer = ones[ones["dim1"] == ""][keys].merge(singles, on=keys)
    per_view = finer.groupby(keys)["dim1"].agg(["count", "nunique"])
    revealed = per_view[(per_view["count"] == len(DIMS)) & (per_view["nunique"] == len(DIMS))]
    if len(revealed):
        first = finer.merge(revealed.reset_index()[keys].head(1), on=keys)
        problems.append(f"{len(revealed):,} of {int((ones['dim1'] == '').sum()):,} views of one person show signs of "
                        f"life for exactly one value of each of the {len(DIMS)} dimensions (that person's), e.g. "
                        f"{first[keys].iloc[0].to_dict()}: {dict(zip(first['dim1'], first['value1']))}")
    # A view of one person in one value: which pairs with it show signs of life?
    pairs = alive[alive["dim2"] != ""]
    halves = pd.concat([
        pairs.rename(columns={"dim2": "odim", "value2": "oval"}),
        pairs.rename(columns={"dim1": "odim", "value1": "oval", "dim2": "dim1", "value2": "value1"})])
    told = ones[(ones["dim1"] != "") & (ones["dim2"] == "")][[*keys, "dim1", "value1"]].merge(
        halves[[*keys, "dim1", "value1", "odim", "oval"]], on=[*keys, "dim1", "value1"])
    if len(told):
        views = told.groupby([*keys, "dim1", "value1"]).size()
        first = told.merge(views.reset_index()[[*keys, "dim1", "value1"]].head(1))
        problems.append(f"{len(views):,} views of one person in one value show signs of life for that person's "
                        f"other values only, e.g. {first[[*keys, 'dim1', 'value1']].iloc[0].to_dict()}: "
                        f"{dict(zip(first['odim'], first['oval']))}")
    # hub_people holds no group: it cannot tell a group's membership.
    assert not set(world.rel["hub_people"].columns) & {*GROUP, *DIMS, *DIMS.values()}
    assert not problems, f"{world.name}: " + "; ".join(problems)

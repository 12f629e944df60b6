"""Release layer: compute a release — every public figure at the grains of dashboard.release.grain, protected once.

`build(clean_dir, releases_dir, name, rule)` reads a cleaned extract through the store, counts
every held view at once (dashboard.release.cube), protects the counts and writes the tables with
a manifest into a new folder `releases_dir/name`, atomically (a scratch folder renamed into place)
and never over an existing release. What is protected, once, here:

- every count of people (people, activities, self-ratings and their distribution, people new in a
  month and trained so far, Digigram testers, people per hub and year, coordinators trained):
  counts of 1..k-1 hidden, the rest changed by the cell-key method (privacy.shown_counts); in a
  cell that crosses a participant group, 0 is hidden too, so "nobody" and "fewer than k" look
  the same there;
- every share and its interval from the protected counts, rounded to the shown decimals; means
  (self-ratings, gains, Digigram scores) are exact sums over the protected counts (a mean over the
  exact count, to two decimals, would tell which count it was), rounded to the shown decimals and
  hidden with the count they rest on;
- counts of hubs and regions beside a count of people only where no group is chosen, and hidden
  where that count of people is.

The official totals (people, activities, hubs, regions of the whole country per year, phase and
all time) are kept exact, separately: they are what the ministry publishes (see the README).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard import filters, stats
from dashboard.privacy import KEY_MODULUS, Rule, shown_counts
from dashboard.query import map as map_queries
from dashboard.query import reference
from dashboard.release import cube, grain, snapshots
from dashboard.store.database import Database, load_report

FORMAT = 1
MANIFEST = "manifest.json"
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
SHARE_DECIMALS = 3  # fractions: 0.1 of a percentage point, as every share is shown
MEAN_DECIMALS = {"pre_mean": 2, "post_mean": 2, "gain_mean": 2, "gain_sd": 2}
SCORE_DECIMALS = 1  # Digigram means, percent
RATE_DECIMALS = 1  # per hub, per 100,000 residents
# Shares of the cells: name -> (part, whole), all protected counts of cube.RATED.
SHARES = {
    "pre_high_share": ("pre_high", "n_pre"), "pre_low_share": ("pre_low", "n_pre"),
    "post_high_share": ("post_high", "n_post"), "post_low_share": ("post_low", "n_post"),
    "completion": ("n_both", "n_pre"),
    **{f"pre_{s}_share": (f"pre_{s}", "n_pre") for s in cube.SCORES},
    **{f"post_{s}_share": (f"post_{s}", "n_post") for s in cube.SCORES},
}
INTERVALS = ("pre_high_share", "pre_low_share", "post_high_share", "post_low_share", "completion")


class ReleaseError(Exception):
    """A release that cannot be written or read; the message names it and says what is wrong."""


Progress = Callable[[str], None]


# ---- protection ---------------------------------------------------------------------------------

def _crosses_group(frame: pd.DataFrame) -> np.ndarray:
    return (frame["dim1"] != grain.NO_DIM).to_numpy() if "dim1" in frame else np.zeros(len(frame), bool)


def protect_counts(frame: pd.DataFrame, counts: list[str], rule: Rule) -> pd.DataFrame:
    """`frame` with each count replaced by its shown value and its `_key` column dropped."""
    out = frame.copy()
    group = _crosses_group(frame)
    for c in counts:
        out[c] = shown_counts(frame[c].fillna(0).to_numpy(), frame[f"{c}_key"].fillna(0).to_numpy(), rule,
                              hide_zero=group)
    return out.drop(columns=[f"{c}_key" for c in counts])


def shown_share(part: pd.Series, whole: pd.Series) -> pd.Series:
    """part / whole of two protected counts, within 0..1, rounded to SHARE_DECIMALS; missing
    where either is hidden or the whole is 0."""
    p = pd.to_numeric(part, errors="coerce").astype("float64")
    w = pd.to_numeric(whole, errors="coerce").astype("float64")
    value = np.clip(stats.share(p, w), 0.0, 1.0)
    return pd.Series(pd.array(np.round(value, SHARE_DECIMALS), dtype="Float64"), index=part.index) \
        .mask(p.isna() | w.isna())


def _rounded(values: object, decimals: int, hide: pd.Series) -> pd.Series:
    out = pd.Series(pd.array(np.round(np.asarray(values, dtype="float64"), decimals), dtype="Float64"),
                    index=hide.index)
    return out.mask(hide | out.isna())


def _with_rates(cells: pd.DataFrame, exact: pd.DataFrame) -> pd.DataFrame:
    """Shares (with Wilson intervals of the protected counts) and means of the protected cells."""
    out = cells
    for name, (part, whole) in SHARES.items():
        out[name] = shown_share(out[part], out[whole])
        if name in INTERVALS:
            whole_n = pd.to_numeric(out[whole]).astype("float64")
            # Two protected counts of nearly the same people may cross: the part never exceeds the whole.
            lo, hi = stats.wilson(np.minimum(pd.to_numeric(out[part]).astype("float64"), whole_n), whole_n)
            hide = out[name].isna()
            out[f"{name}_lo"] = _rounded(lo, SHARE_DECIMALS, hide)
            out[f"{name}_hi"] = _rounded(hi, SHARE_DECIMALS, hide)
    # Over the shown (protected) counts: a mean of an exact sum over an exact count, to two
    # decimals, would tell which count of people it was divided by.
    n_pre, n_post, n_both = (pd.to_numeric(out[c]).astype("float64").to_numpy()
                             for c in ("n_pre", "n_post", "n_both"))
    with np.errstate(divide="ignore", invalid="ignore"):
        pre_mean = np.clip(exact["pre_sum"].to_numpy() / n_pre, 1, 10)
        post_mean = np.clip(exact["post_sum"].to_numpy() / n_post, 1, 10)
        gain_mean = np.clip(exact["gain_sum"].to_numpy() / n_both, -9, 9)
        var = pd.Series((exact["gain_sq"].to_numpy() - n_both * gain_mean ** 2) / (n_both - 1))
    gain_sd = np.sqrt(np.clip(var.where(n_both > 1), 0, None)).to_numpy()
    lo, hi = stats.mean_ci(n_both, gain_mean, gain_sd)
    hide = {c: out[c].isna() for c in ("n_pre", "n_post", "n_both")}
    out["pre_mean"] = _rounded(pre_mean, MEAN_DECIMALS["pre_mean"], hide["n_pre"])
    out["post_mean"] = _rounded(post_mean, MEAN_DECIMALS["post_mean"], hide["n_post"])
    out["gain_mean"] = _rounded(gain_mean, MEAN_DECIMALS["gain_mean"], hide["n_both"])
    out["gain_sd"] = _rounded(gain_sd, MEAN_DECIMALS["gain_sd"], hide["n_both"])
    out["gain_mean_lo"] = _rounded(lo, MEAN_DECIMALS["gain_mean"], hide["n_both"])
    out["gain_mean_hi"] = _rounded(hi, MEAN_DECIMALS["gain_mean"], hide["n_both"])
    return out


# ---- the tables ---------------------------------------------------------------------------------

def cells_table(raw: pd.DataFrame, active: pd.DataFrame, rule: Rule) -> pd.DataFrame:
    """The protected cells (see the module's docstring) from cube.load_cells and cube.load_active."""
    out = protect_counts(raw.drop(columns=list(cube.SUMS)), list(cube.CELL_COUNTS), rule)
    out = _with_rates(out, raw)
    out = out.merge(active, on=["programme", "area", "period"], how="left")
    mask = (out["dim1"] != grain.NO_DIM) | out["people"].isna()
    for column in ("hubs", "regions"):
        out[column] = pd.array(out[column], dtype="Int64").copy()
        out.loc[mask, column] = pd.NA
    return _without_hidden_groups(out).sort_values(list(cube.KEYS), ignore_index=True)


def _without_hidden_groups(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows, less those of a group whose people are hidden: such a row, written, would tell
    "fewer than k" from "nobody" (a row never written); read, both are "fewer than k"."""
    return frame[(frame["dim1"] == grain.NO_DIM) | frame["people"].notna()]


def months_table(raw: pd.DataFrame, periods: dict[str, tuple[dt.date, dt.date]], rule: Rule) -> pd.DataFrame:
    """People new in each month of a cell's period and trained so far, protected.

    A cell with a group lists every month of its period: a month missing there would say "nobody
    new", where a listed one says "fewer than k" (0 and 1..k-1 must look the same in a group).
    """
    group = raw[raw["dim1"] != grain.NO_DIM]
    if len(group):
        month_of = {code: pd.date_range(pd.Timestamp(s).to_period("M").to_timestamp(), pd.Timestamp(e), freq="MS")
                    for code, (s, e) in periods.items()}
        grid = group[list(cube.KEYS)].drop_duplicates()
        grid = grid.assign(month=grid["period"].map(lambda p: list(month_of[p]))).explode("month")
        grid["month"] = pd.to_datetime(grid["month"]).astype("datetime64[us]")
        group = group.assign(month=pd.to_datetime(group["month"]).astype("datetime64[us]"))
        plain = raw[raw["dim1"] == grain.NO_DIM]
        raw = pd.concat([plain.assign(month=pd.to_datetime(plain["month"]).astype("datetime64[us]")),
                         grid.merge(group, on=[*cube.KEYS, "month"], how="left").fillna(
                             {"new_people": 0, "new_people_key": 0})], ignore_index=True)
        raw = raw.astype({"new_people": "int64", "new_people_key": "int64"})
    frame = raw.sort_values([*cube.KEYS, "month"], ignore_index=True)
    groups = frame.groupby(list(cube.KEYS), sort=False)
    frame["people_total"] = groups["new_people"].cumsum()
    frame["people_total_key"] = groups["new_people_key"].cumsum() % KEY_MODULUS
    return protect_counts(frame, ["new_people", "people_total"], rule)


def items_table(raw: dict[str, pd.DataFrame], active: dict[str, pd.DataFrame], rule: Rule) -> pd.DataFrame:
    """People, activities (and hubs, with no group) per topic, format and course of each cell."""
    parts = []
    for dimension, frame in raw.items():
        out = protect_counts(frame, ["people", "activities"], rule)
        out = out.merge(active[dimension][["programme", "area", "period", "item", "hubs"]],
                        on=["programme", "area", "period", "item"], how="left")
        out["hubs"] = pd.array(out["hubs"], dtype="Int64").copy()
        out.loc[(out["dim1"] != grain.NO_DIM) | out["people"].isna(), "hubs"] = pd.NA
        parts.append(_without_hidden_groups(out).assign(dimension=dimension))
    return pd.concat(parts, ignore_index=True)


def digigram_table(raw: pd.DataFrame, rule: Rule) -> pd.DataFrame:
    """People tested per test area and stage, with mean, sd and the mean's 95% interval (percent)."""
    out = protect_counts(raw, ["people"], rule)
    n = pd.to_numeric(out["people"]).astype("float64")  # the shown count, as for every mean
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (raw["score_sum"] / n).clip(0, 100)
        sd = np.sqrt(np.clip(((raw["score_sq"] - n * mean ** 2) / (n - 1)).where(n > 1), 0, None))
    lo, hi = stats.mean_ci(n, mean, sd)
    hide = out["people"].isna()
    out["mean"] = _rounded(mean, SCORE_DECIMALS, hide)
    out["sd"] = _rounded(sd, SCORE_DECIMALS, hide)
    out["mean_lo"] = _rounded(lo, SCORE_DECIMALS, hide)
    out["mean_hi"] = _rounded(hi, SCORE_DECIMALS, hide)
    return out.drop(columns=["score_sum", "score_sq"])


def context_table(raw: pd.DataFrame, rule: Rule) -> pd.DataFrame:
    """Per area and period: library hubs, public libraries and their share (exact: counts of
    institutions), and coordinators trained (protected)."""
    out = protect_counts(raw, ["coordinators"], rule)
    out["public_libraries"] = pd.array(out["public_libraries"], dtype="Int64")
    share = stats.share(out["library_hubs"], out["public_libraries"])
    out["library_share"] = pd.array(np.round(share, SHARE_DECIMALS), dtype="Float64")
    return out


OFFICIAL = re.compile(r"^(all|year:|phase:)")
OFFICIAL_COUNTS = ("people", "activities", "hubs", "regions")


def official_table(raw: pd.DataFrame, active: pd.DataFrame, periods: dict, rule: Rule) -> pd.DataFrame:
    """The exact totals of the whole country per year, phase and all time (what is published).

    A total is official only when it tells nothing small together with the others: the difference
    of the people (or activities) of two nested periods — the people of a phase who had no class
    in one of its years — must not be 1..k-1. A period failing that has `official` false and is
    shown protected like any other count.
    """
    whole = raw[(raw["area"] == grain.COUNTRY) & (raw["dim1"] == grain.NO_DIM)]
    whole = whole[whole["period"].str.match(OFFICIAL)]
    out = whole[["programme", "period", "people", "activities"]].merge(
        active[active["area"] == grain.COUNTRY][["programme", "period", "hubs", "regions"]],
        on=["programme", "period"], how="left")
    out = out.astype({c: "int64" for c in OFFICIAL_COUNTS}).sort_values(["programme", "period"], ignore_index=True)
    # A total of 1..k-1 is a small count like any other: hidden, not published.
    out["official"] = ~(out["people"].between(1, rule.k - 1) | out["activities"].between(1, rule.k - 1))
    for i, a in out.iterrows():
        for _j, b in out.iterrows():
            if a["programme"] != b["programme"] or a["period"] == b["period"]:
                continue
            (a0, a1), (b0, b1) = periods[a["programme"]][a["period"]], periods[b["programme"]][b["period"]]
            if not (b0 <= a0 and a1 <= b1):
                continue  # only a period within another gives a difference of people
            for column in ("people", "activities"):
                if 1 <= b[column] - a[column] < rule.k:
                    out.loc[i, "official"] = False
    # A total that is not official is not written at all: its cell holds the protected count.
    return out[out["official"]].reset_index(drop=True)


def with_official(cells: pd.DataFrame, months: pd.DataFrame, official: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cells of the official totals with the exact counts, and the last month's people trained
    so far of those periods too: the same people have one number everywhere."""
    exact = official[official["official"]].set_index(["programme", "period"])
    cells, months = cells.copy(), months.copy()
    # A group cell's months are written only where the cell itself is (its people shown): rows of
    # a hidden group cell would tell "somebody" from "nobody" and, narrowed, name a person's group.
    shown = cells.loc[cells["dim1"] != grain.NO_DIM, list(cube.KEYS)]
    group = months["dim1"] != grain.NO_DIM
    kept = months[group].merge(shown, on=list(cube.KEYS), how="inner")
    months = pd.concat([months[~group], kept], ignore_index=True)
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


def hub_tables(db: Database, programme: str, rule: Rule) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The public hub registry (place, type, status; no people) and people per hub and calendar
    year and all time, protected, with no participant group."""
    hubs = db.execute(
        "SELECT hub_id, programme, name, institution_type, is_library, region_code, hromada, settlement,"
        " settlement_type, lat, lon, CAST(joined_on AS DATE) AS joined_on, status FROM hubs WHERE programme = ?"
        " ORDER BY region_code, hub_id", [programme])
    people = protect_counts(cube.load_hub_people(db, programme), ["people"], rule)
    return hubs, people.assign(programme=programme)


# ---- the whole release --------------------------------------------------------------------------

def compute(db: Database, rule: Rule, progress: Progress = lambda _m: None) -> dict[str, pd.DataFrame]:
    """Every table of a release of the extract `db` reads, protected by `rule`."""
    report = load_report(db.folder)
    data_date = filters.parse_date(str(report.get("data_date", "")))
    spans = reference.load_programme_spans(db)
    dates, phases, _countries = filters.spans_by_programme(spans)
    regions = db.execute("SELECT * FROM regions ORDER BY region_code")
    out: dict[str, list[pd.DataFrame]] = {t: [] for t in (
        "cells", "months", "items", "digigram", "context", "official", "hubs", "hub_people", "growth")}
    periods_rows = []
    for programme, (first, last) in dates.items():
        bounds = filters.default_period(first, last, data_date)
        spans_of = grain.phase_spans(phases.get(programme, []))
        held = grain.periods(bounds, phases.get(programme, []))
        periods_rows += [{"programme": programme, "period": code, "start": s, "end": e} for code, (s, e) in held.items()]
        step = _Steps(programme, progress)
        with step("people and self-ratings per cell"):
            raw = cube.load_cells(db, programme, spans_of)
            active = cube.load_active(db, programme, spans_of)
        with step("protected cells"):
            cells = cells_table(raw, active, rule)
            official = official_table(raw, active, {programme: held}, rule)
        with step("people new per month"):
            months = months_table(cube.load_new_people(db, programme, spans_of), held, rule)
        cells, months = with_official(cells, months, official)
        out["cells"].append(cells)
        out["months"].append(months)
        out["official"].append(official)
        if not official["official"].all():
            progress(f"{programme}: not official (a difference with a nested period is 1..k-1): "
                     + ", ".join(official.loc[~official["official"], "period"]))
        with step("people per topic, format and course"):
            items = {d: cube.load_activity_values(db, programme, spans_of, d) for d in ("topic", "format", "course")}
            item_hubs = {d: cube.load_active(db, programme, spans_of, d) for d in items}
            out["items"].append(items_table(items, item_hubs, rule))
        with step("Digigram scores"):
            out["digigram"].append(digigram_table(cube.load_digigram(db, programme, spans_of), rule))
        with step("libraries and coordinators"):
            out["context"].append(context_table(cube.load_context(db, programme, spans_of, held), rule))
        with step("hubs"):
            hubs, hub_people = hub_tables(db, programme, rule)
            out["hubs"].append(hubs)
            out["hub_people"].append(hub_people)
            out["growth"].append(map_queries.load_network_growth(db, programme).assign(programme=programme))
        with step("network and data-quality figures"):
            for table, frame in snapshots.compute(db, programme, spans_of, held, rule).items():
                out.setdefault(table, []).append(frame)
    tables = {name: _concat(parts) for name, parts in out.items()}
    tables["periods"] = pd.DataFrame(periods_rows)
    tables["programmes"] = spans
    tables["regions"] = regions
    return tables


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if len(p.columns)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


class _Steps:
    """Times the steps of one programme (`with step("what"):`) and tells `progress` what each took."""

    def __init__(self, programme: str, progress: Progress):
        self.programme, self.progress, self.what, self.started = programme, progress, "", 0.0

    def __call__(self, what: str) -> _Steps:
        self.what = what
        return self

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.progress(f"{self.programme}: {self.what} ({time.perf_counter() - self.started:.1f} s)")


def _fingerprint(clean_dir: Path) -> str:
    """A short hash of the cleaned tables' bytes (names and contents): the same data, the same print."""
    digest = hashlib.sha256()
    for path in sorted(Path(clean_dir).resolve().glob("*.parquet")):
        digest.update(path.name.encode())
        digest.update(_sha256(path).encode())
    return digest.hexdigest()[:16]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build(clean_dir: Path, releases_dir: Path, name: str, rule: Rule,
          progress: Progress = lambda _m: None, now: dt.datetime | None = None) -> Path:
    """Compute the release `name` of the extract in `clean_dir` and write it to `releases_dir/name`.

    Raises ReleaseError when the name is not a plain lower-case name or the release exists (a
    release is never changed once written). Nothing is left behind when it fails: the tables are
    written to a scratch folder that is renamed into place at the end.
    """
    if not NAME.match(name):
        raise ReleaseError(f"release name {name!r}: use lower-case letters, digits, '.', '_' or '-' "
                           "(for example 2024-annual)")
    releases_dir = Path(releases_dir)
    target = releases_dir / name
    if target.exists():
        raise ReleaseError(f"release {name} exists already; a release is never changed: choose another name")
    releases_dir.mkdir(parents=True, exist_ok=True)
    scratch = releases_dir / f".{name}.build-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    db = Database(Path(clean_dir))
    try:
        started = time.perf_counter()
        tables = compute(db, rule, progress)
        report = load_report(db.folder)
    finally:
        db.close()
    try:
        scratch.mkdir()
        files = {}
        for table, frame in tables.items():
            path = scratch / f"{table}.parquet"
            frame.to_parquet(path, index=False)
            files[table] = {"rows": int(len(frame)), "sha256": _sha256(path)}
        manifest = {
            "format": FORMAT, "name": name,
            "created": (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds"),
            "data_date": report.get("data_date"),
            "source": {"fingerprint": _fingerprint(Path(clean_dir)),
                       "salt": report.get("salt")},
            "rule": {"k": rule.k, "noise": rule.noise},
            "tables": files,
            "build_seconds": round(time.perf_counter() - started, 1),
            "approval": None,
        }
        (scratch / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        for path in scratch.iterdir():
            path.chmod(0o444)
        os.rename(scratch, target)  # fails, leaving the scratch to be removed, if the name was taken meanwhile
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    progress(f"release {name}: {sum(f['rows'] for f in files.values()):,} rows in {len(files)} tables")
    return target

"""Release layer: a release answers every page figure as the live metric functions do.

The fixture extract (tests/conftest.py) is released twice. Without protection (k=1, noise 0:
nothing hidden but 0 in the cells of a participant group, nothing perturbed) each figure of
dashboard.release.source.Release equals the live metric function's on a Database of the same
extract, in several views (whole country and one region; all time, a year, a month; no group,
one value, two values): counts exactly, shares, means and rates within their rounding, with
the same columns and dtypes but for the differences the release makes by design, each
asserted here. With the deployment's protection (k=10, noise 2) every count of people is
hidden or at least 10, and never 0 in a group's cell, and the frames keep the live shapes.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import replace

import pandas as pd
import pytest

from dashboard import filters
from dashboard.filters import SEGMENTS, Filters
from dashboard.metrics import map as map_metrics
from dashboard.metrics import overview, participation, skills
from dashboard.metrics.live import Live
from dashboard.privacy import Rule
from dashboard.query import participation as participation_queries
from dashboard.query import quality as quality_queries
from dashboard.query import reference
from dashboard.release import build, cube, grain
from dashboard.release.source import Release
from dashboard.release.tables import is_release
from dashboard.store.database import Database

PROGRAMME = "ua_hubs"
EXACT = Rule(k=1, noise=0)
PROTECTED = Rule(k=10, noise=2)
# (id, area, period, group): whole country and one region; all time, a year, a month; no group,
# one value, two values.
VIEWS = [
    ("country-all", "", "all", {}),
    ("country-2024", "", "year:2024", {}),
    ("country-2024-03", "", "month:2024-03", {}),
    ("UA-05-all", "UA-05", "all", {}),
    ("UA-32-2024", "UA-32", "year:2024", {}),
    ("country-all-age", "", "all", {"age": "60_69"}),
    ("UA-32-all-gender", "UA-32", "all", {"gender": "male"}),
    ("country-2024-03-settlement", "", "month:2024-03", {"settlement": "village"}),
    ("country-all-age-disability", "", "all", {"age": "70_plus", "disability": "yes"}),
    ("UA-05-2024-gender-displaced", "UA-05", "year:2024", {"gender": "female", "displaced": "no"}),
]
BREAKDOWNS = ("topic", "format", "course", "region", *SEGMENTS)
# Rounding of the release's rates (build.py): shares to 0.001, means of self-ratings to 0.01,
# Digigram scores and rates per hub or per 100,000 residents to 0.1.
TWO_DECIMALS = {"pre_mean", "post_mean", "gain_mean", "gain_sd", "gain_mean_lo", "gain_mean_hi"}
ONE_DECIMAL = {"hubs_per_100k", "people_per_10k", "people_per_hub", "mean", "sd", "mean_lo", "mean_hi"}
SLACK = 1e-9
# The counts each rate rests on: in a group's cell a hidden 0 hides the rates built on it.
RATE_BASES = {
    **{f"{name}{end}": bases for name, bases in skills.RATING_SHARES.items() for end in ("", "_lo", "_hi")},
    "pre_mean": ("n_pre",), "post_mean": ("n_post",),
    **{c: ("n_both",) for c in ("gain_mean", "gain_sd", "gain_mean_lo", "gain_mean_hi")},
    "share_before": ("pre_7_10", "pre_people"), "share_after": ("post_7_10", "post_people"),
    "change_pp": ("pre_7_10", "pre_people", "post_7_10", "post_people"),
    "share": ("people", "raters"), "people_per_hub": ("people", "hubs"),
    "hubs_per_100k": ("hubs",), "people_per_10k": ("people",),
}
NOT_PEOPLE = {"hubs", "regions", "library_hubs", "population", "public_libraries"}


# ---- fixtures -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def exact(clean_dir, tmp_path_factory) -> Release:
    return Release(build.build(clean_dir, tmp_path_factory.mktemp("releases"), "exact", EXACT))


@pytest.fixture(scope="module")
def protected(clean_dir, tmp_path_factory) -> Release:
    return Release(build.build(clean_dir, tmp_path_factory.mktemp("releases"), "protected", PROTECTED))


@pytest.fixture(scope="module")
def live(clean_dir):
    database = Database(clean_dir)
    yield database
    database.close()


def view_filters(release: Release, area: str, period: str, group: dict[str, str]) -> Filters:
    start, end = release.held_periods(PROGRAMME)[period]
    segment = {SEGMENTS[name][0]: (value,) for name, value in group.items()}
    return Filters(PROGRAMME, start, end, regions=(area,) if area else (), **segment)


# ---- comparing a release frame with the live one -------------------------------------------------

def _numbers(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("float64")


def _tolerance(column: str) -> float:
    if column in ONE_DECIMAL:
        return 0.05 + SLACK
    if column in TWO_DECIMALS:
        return 0.005 + SLACK
    return 0.0005 + SLACK


def assert_like_live(got: pd.DataFrame, want: pd.DataFrame, *, zero_hidden: bool = False,
                     missing: set[str] = frozenset(), dtypes: dict[str, str] | None = None) -> None:
    """`got` (release) has `want`'s (live) columns, dtypes (but `dtypes`), rows and values.

    Counts equal, rates within their rounding. Where `zero_hidden` (a group's cells), a count
    the live frame has as 0 may be missing, and so may a rate resting on such a count. The
    columns of `missing` are missing throughout (the release has none of them here).
    """
    assert list(got.columns) == list(want.columns)
    expected = {c: str(want[c].dtype) for c in want.columns} | (dtypes or {})
    assert {c: str(got[c].dtype) for c in got.columns} == expected
    assert len(got) == len(want)
    got, want = got.reset_index(drop=True), want.reset_index(drop=True)
    for column in want.columns:
        mine, theirs = got[column], want[column]
        if column in missing:
            assert mine.isna().all(), column
            continue
        if not (pd.api.types.is_numeric_dtype(theirs) and not pd.api.types.is_bool_dtype(theirs)):
            assert mine.astype(object).where(mine.notna(), None).tolist() \
                == theirs.astype(object).where(theirs.notna(), None).tolist(), column
            continue
        a, b = _numbers(mine), _numbers(theirs)
        both = a.notna() & b.notna()
        if pd.api.types.is_integer_dtype(theirs):
            assert (a[both] == b[both]).all(), (column, a[both].tolist(), b[both].tolist())
        else:
            assert ((a[both] - b[both]).abs() <= _tolerance(column)).all(), (column, a.tolist(), b.tolist())
        assert not (a.notna() & b.isna()).any(), (column, a.tolist(), b.tolist())
        extra = a.isna() & b.notna()
        if extra.any():
            assert zero_hidden, (column, a.tolist(), b.tolist())
            if pd.api.types.is_integer_dtype(theirs):
                allowed = b == 0
            else:
                bases = [c for c in RATE_BASES.get(column, ()) if c in want.columns]
                allowed = pd.concat([_numbers(want[c]) == 0 for c in bases], axis=1).any(axis=1) if bases \
                    else pd.Series(False, index=want.index)
            assert allowed[extra].all(), (column, a.tolist(), b.tolist())


# ---- the figures of a view ------------------------------------------------------------------------

Figure = tuple[Callable[[Release, Filters], pd.DataFrame], Callable[[Database, Filters, Rule], pd.DataFrame]]


def figures(db: Database) -> dict[str, Figure]:
    """Each release method beside the live metric function it stands for."""
    regions = reference.load_regions_reference(db)
    out: dict[str, Figure] = {
        "counts": (Release.counts, overview.compute_counts),
        "monthly": (Release.monthly, overview.compute_monthly),
        "cumulative": (Release.cumulative, participation.compute_cumulative),
        "ratings": (Release.ratings, skills.compute_ratings),
        "distribution": (Release.distribution, skills.compute_distribution),
        "digigram": (Release.digigram, skills.compute_digigram),
        "region_metrics": (Release.region_metrics, map_metrics.compute_region_metrics),
    }
    for dimension in BREAKDOWNS:
        out[f"breakdown:{dimension}"] = (
            lambda r, f, d=dimension: r.breakdown(f, d),
            lambda db_, f, rule, d=dimension: participation.compute_breakdown(
                db_, f, rule, d, regions=regions if d == "region" else None))
    for segment in ("age", "gender", "displaced"):
        out[f"ratings:{segment}"] = (lambda r, f, s=segment: r.ratings(f, s),
                                     lambda db_, f, rule, s=segment: skills.compute_ratings(db_, f, rule, s))
    return out


def designed(name: str, group: grain.Group) -> dict:
    """What the release shows differently from the live frame `name` in a view of `group`, by design."""
    grouped = group != grain.NO_GROUP
    segment = name.partition(":")[2] if name.startswith(("breakdown:", "ratings:")) else ""
    segment = segment if segment in SEGMENTS else ""
    if name == "counts":
        return {"zero_hidden": grouped, "missing": {"hubs", "regions"} if grouped else set(),
                "dtypes": {"hubs": "Int64", "regions": "Int64"}}
    if name.startswith("breakdown:"):
        return {"zero_hidden": grouped or bool(segment), "missing": {"hubs"} if grouped or segment else set(),
                "dtypes": {"hubs": "Int64"}}
    if name == "region_metrics":
        return {"zero_hidden": grouped, "missing": {"hubs", "hubs_per_100k", "people_per_hub"} if grouped else set()}
    if name == "digigram":
        return {}  # Digigram results carry no participant details: the group never applies
    return {"zero_hidden": grouped or bool(segment)}


def not_held(name: str, group: grain.Group) -> bool:
    """Whether the figure asks the release for a group it does not hold (a third dimension), or
    for activity values of a group of two dimensions."""
    dimension = name.partition(":")[2]
    if dimension in SEGMENTS:
        return group.size == 2 and dimension not in dict(group.pairs())
    return dimension in ("topic", "format", "course") and group.size == 2


@pytest.mark.parametrize("view", VIEWS, ids=[v[0] for v in VIEWS])
def test_every_figure_equals_the_live_one_without_protection(exact, live, view):
    _id, area, period, pairs = view
    f = view_filters(exact, area, period, pairs)
    key, fitted, notices = exact.view(f)
    group = grain.group_of(pairs)
    assert (key.programme, key.area, key.group, fitted, notices) == (PROGRAMME, area, group, f, [])
    held = exact.held_periods(PROGRAMME)
    assert held[key.period] == held[period]  # the phase 2024 is the year 2024: either answers
    for name, (mine, theirs) in figures(live).items():
        if not_held(name, group):
            continue  # test_what_the_release_does_not_hold
        got, want = mine(exact, f), theirs(live, f, EXACT)
        try:
            assert_like_live(got, want, **designed(name, group))
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc


@pytest.mark.parametrize("view", [v for v in VIEWS if len(v[3]) == 2], ids=lambda v: v[0])
def test_what_the_release_does_not_hold(exact, live, view):
    _id, area, period, pairs = view
    f = view_filters(exact, area, period, pairs)
    group = grain.group_of(pairs)
    third = next(name for name in SEGMENTS if name not in pairs)
    # A third dimension: every value listed, every count (and so every rate) missing.
    for got, want in ((exact.breakdown(f, third), participation.compute_breakdown(live, f, EXACT, third)),
                      (exact.ratings(f, third), skills.compute_ratings(live, f, EXACT, third))):
        assert sorted(got["value"]) == sorted(want["value"])
        assert got.drop(columns="value").isna().all().all()
        assert {c: str(t) for c, t in got.dtypes.items()} == \
            {c: str(t) for c, t in want.dtypes.items()} | ({"hubs": "Int64"} if "hubs" in got else {})
    # Activity values are held for no group or one value: with two, topics and formats are all
    # missing, and no course is listed (nor counted).
    for dimension in ("topic", "format"):
        got, want = exact.breakdown(f, dimension), participation.compute_breakdown(live, f, EXACT, dimension)
        assert sorted(got["value"]) == sorted(want["value"])
        assert got.drop(columns="value").isna().all().all()
    got, want = exact.breakdown(f, "course"), participation.compute_breakdown(live, f, EXACT, "course")
    assert got.empty and list(got.columns) == list(want.columns)
    assert exact.course_count(f) == 0
    assert group.size == 2


@pytest.mark.parametrize("view", VIEWS, ids=[v[0] for v in VIEWS])
def test_course_count(exact, live, view):
    _id, area, period, pairs = view
    f = view_filters(exact, area, period, pairs)
    expected = participation_queries.count_courses(live, f) if len(pairs) < 2 else 0
    assert exact.course_count(f) == expected


@pytest.mark.parametrize("view", VIEWS, ids=[v[0] for v in VIEWS])
def test_hubs_count_people_of_the_calendar_year_whatever_the_group(exact, live, view):
    _id, area, period, pairs = view
    f = view_filters(exact, area, period, pairs)
    got = exact.hub_metrics(f)
    want = map_metrics.compute_hub_metrics(live, f, EXACT)
    # The hubs and their registry details (how each was placed on the map too) are the live ones ...
    live_only = ("activities",)
    registry = [c for c in want.columns if c not in ("people", *live_only)]
    assert_like_live(got[registry], want[registry])
    assert list(got.columns) == [c for c in want.columns if c not in live_only]
    assert str(got["people"].dtype) == str(want["people"].dtype) == "Int64"
    # ... classes per hub are not released, and people are those of the view's calendar year (all
    # time for a period of several years), with no group.
    code = f"year:{f.start.year}" if f.start.year == f.end.year else "all"
    whole = view_filters(exact, area, code, {})
    people = map_metrics.compute_hub_metrics(live, whole, EXACT).set_index("hub_id")["people"]
    assert got["people"].tolist() == people.reindex(got["hub_id"]).tolist()


def test_reference_tables(exact, live):
    pd.testing.assert_frame_equal(exact.regions(), reference.load_regions(live))
    pd.testing.assert_frame_equal(exact.regions_reference(), reference.load_regions_reference(live))
    spans = reference.load_programme_spans(live)
    got = exact.programme_spans()
    pd.testing.assert_frame_equal(got[["programme", "first_day", "last_day"]],
                                  spans[["programme", "first_day", "last_day"]])
    assert filters.spans_by_programme(got) == filters.spans_by_programme(spans)
    for programme in spans["programme"]:
        assert exact.phases(programme) == reference.load_phases(live, programme)
        pd.testing.assert_frame_equal(exact.growth(programme), map_metrics.compute_growth(live, programme))
    held = exact.held_periods(PROGRAMME)
    # From the first day of the month of the first record (17 October 2022) to the data date.
    assert held["all"] == (dt.date(2022, 10, 1), dt.date(2025, 6, 30))
    assert held["phase:2022–2023"] == (dt.date(2022, 10, 1), dt.date(2023, 12, 31))
    assert "month:2022-09" not in held and held["month:2022-10"] == (dt.date(2022, 10, 1), dt.date(2022, 10, 31))
    assert held["month:2024-03"] == (dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    assert "month:2025-07" not in held


def test_what_a_page_reads_besides_the_figures(exact, live, clean_dir):
    assert is_release(exact.folder) and not is_release(clean_dir)
    assert exact.release == exact.manifest and exact.report()["data_date"] == "2025-06-30"
    assert exact.data_date() == dt.date(2025, 6, 30)
    quarantine, want = exact.quarantine(), quality_queries.load_quarantine(live)
    assert quarantine.empty and {c: str(t) for c, t in quarantine.dtypes.items()} == \
        {c: str(t) for c, t in want.dtypes.items()}


def test_official_totals_are_those_of_the_whole_country_without_a_group(exact):
    f = view_filters(exact, "", "year:2024", {})
    assert exact.official(f) and exact.official(view_filters(exact, "", "all", {}))
    assert not exact.official(view_filters(exact, "", "month:2024-03", {}))
    assert not exact.official(view_filters(exact, "UA-05", "year:2024", {}))
    assert not exact.official(view_filters(exact, "", "year:2024", {"age": "60_69"}))


@pytest.mark.parametrize("period, before", [
    ("month:2024-03", "month:2024-02"), ("month:2024-01", "month:2023-12"), ("quarter:2024-Q1", "quarter:2023-Q4"),
    ("year:2024", "year:2023"), ("month:2022-10", None), ("all", None), ("phase:2022–2023", None),
])
def test_the_period_before_is_the_month_quarter_or_year_before(exact, period, before):
    held = exact.held_periods(PROGRAMME)
    f = view_filters(exact, "UA-05", period, {"age": "60_69"})
    got = exact.previous(f, held["all"][0])
    assert got == (None if before is None else Filters(PROGRAMME, *held[before], regions=("UA-05",),
                                                       age_band=("60_69",)))


def test_a_view_that_is_not_held_is_answered_by_the_nearest(exact):
    start, end = exact.held_periods(PROGRAMME)["month:2024-03"]
    f = Filters(PROGRAMME, dt.date(2024, 3, 5), dt.date(2024, 3, 20), regions=("UA-05", "UA-32"),
                gender=("female", "male"))
    key, fitted, notices = exact.view(f)
    assert key == grain.ViewKey(PROGRAMME, "", "month:2024-03", grain.NO_GROUP)
    assert notices == ["release.regions", "release.period", "release.group"]
    assert (fitted.start, fitted.end, fitted.regions, fitted.gender) == (start, end, (), ())
    pd.testing.assert_frame_equal(exact.counts(f), exact.counts(fitted))


def test_a_changed_table_is_refused(exact, tmp_path):
    copy = tmp_path / exact.folder.name
    shutil.copytree(exact.folder, copy)
    table = copy / "cells.parquet"
    table.chmod(0o644)
    table.write_bytes(table.read_bytes() + b"\0")
    with pytest.raises(build.ReleaseError, match="cells.parquet"):
        Release(copy)


# ---- with protection ------------------------------------------------------------------------------

def _people_counts(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if pd.api.types.is_integer_dtype(frame[c]) and c not in NOT_PEOPLE
            and c != "score"]


@pytest.mark.parametrize("view", VIEWS, ids=[v[0] for v in VIEWS])
def test_protected_figures_keep_the_live_shapes_and_show_no_small_count(protected, live, view):
    _id, area, period, pairs = view
    f = view_filters(protected, area, period, pairs)
    group = grain.group_of(pairs)
    for name, (mine, theirs) in figures(live).items():
        got, want = mine(protected, f), theirs(live, f, PROTECTED)
        rules = designed(name, group)
        assert list(got.columns) == list(want.columns), name
        expected = {c: str(t) for c, t in want.dtypes.items()} | rules.get("dtypes", {})
        assert {c: str(t) for c, t in got.dtypes.items()} == expected, name
        for column in _people_counts(got):
            values = got[column].dropna()
            assert ((values >= PROTECTED.k) | (values == 0)).all(), (name, column, values.tolist())
            if rules.get("zero_hidden") and column != "coordinators":  # coordinators: no group there
                assert (values != 0).all(), (name, column, values.tolist())
    hubs = protected.hub_metrics(f)["people"].dropna()
    assert ((hubs >= PROTECTED.k) | (hubs == 0)).all()


def test_protected_tables_show_no_small_count(protected):
    folder = protected.folder
    tables = {
        "cells": list(cube.CELL_COUNTS), "months": ["new_people", "people_total"],
        "items": ["people", "activities"], "digigram": ["people"], "hub_people": ["people"],
        "context": ["coordinators"],
    }
    for table, counts in tables.items():
        frame = pd.read_parquet(folder / f"{table}.parquet")
        grouped = frame["dim1"] != grain.NO_DIM if "dim1" in frame else pd.Series(False, index=frame.index)
        for column in counts:
            shown = frame[column].notna()
            values = frame.loc[shown, column]
            assert ((values >= PROTECTED.k) | (values == 0)).all(), (table, column)
            assert (values[grouped[shown]] != 0).all(), (table, column)


# ---- Network & capacity and Data quality: stored as the live functions gave them -------------------

SITE_FIGURES = ("network_years", "undated_sites", "waitlist_months", "partners", "silent_hubs",
                "regions_without_data", "sites")


@pytest.mark.parametrize("programme", ["ua_hubs", "kem_centres"])
def test_site_figures_equal_the_live_ones_in_every_year_and_region(exact, clean_dir, programme):
    live = Live(Database(clean_dir), EXACT)
    held = exact.held_periods(programme)
    whole = Filters(programme=programme, start=held["all"][0], end=held["all"][1])
    regions = sorted(set(exact.hub_metrics(whole)["region_code"].dropna()))
    checked = 0
    for period in [p for p in held if p == "all" or p.startswith("year:")]:
        for area in ["", *regions]:
            f = Filters(programme=programme, start=held[period][0], end=held[period][1],
                        regions=(area,) if area else ())
            for name in SITE_FIGURES:
                got, want = getattr(exact, name)(f), getattr(live, name)(f)
                for g, w in zip(got if isinstance(got, tuple) else [got], want if isinstance(want, tuple) else [want]):
                    if isinstance(w, pd.DataFrame):
                        if w.empty:
                            assert g.empty, (name, period, area)
                            continue
                        pd.testing.assert_frame_equal(g.reset_index(drop=True), w.reset_index(drop=True),
                                                      check_dtype=False, obj=f"{name} {period} {area}")
                    else:
                        assert g == w, (name, period, area)
                    checked += 1
    assert checked >= 20


def test_the_waiting_list_per_region_and_all_but_not_per_centre(exact, clean_dir):
    live = Live(Database(clean_dir), EXACT)
    held = exact.held_periods("kem_centres")
    f = Filters(programme="kem_centres", start=held["all"][0], end=held["all"][1])
    for by in ("all", "region"):
        got, want = exact.waitlist_latest(f, by), live.waitlist_latest(f, by)
        assert len(got) and len(got) == len(want)
        assert list(got["waiting"]) == list(want["waiting"])
    assert exact.waitlist_latest(f, "centre").empty


def test_the_cascade_is_of_all_time_and_of_one_region_its_own_rows(exact, clean_dir):
    live = Live(Database(clean_dir), EXACT)
    held = exact.held_periods(PROGRAMME)
    whole = Filters(programme=PROGRAMME, start=held["all"][0], end=held["all"][1])
    # The ratios are rebuilt from the shown counts and rounded to two decimals.
    pd.testing.assert_frame_equal(exact.cascade(whole).reset_index(drop=True),
                                  live.cascade(whole).reset_index(drop=True), check_dtype=False, atol=0.0051)
    region = sorted(exact.cascade(whole)["region_code"].dropna())[0]
    mine = exact.cascade(replace(whole, regions=(region,)))
    totals, rows = mine[mine["region_code"].isna()], mine[mine["region_code"] == region]
    assert list(totals["people"]) == list(rows["people"]) and len(rows)


def test_a_release_written_before_hubs_had_placed_still_reads(tmp_path):
    # Releases are never rewritten: one built before `placed` existed must still open and map its hubs.
    import hashlib
    import json

    from conftest import build_clean
    from dashboard.release.build import build

    clean = build_clean(tmp_path / "clean")
    folder = build(clean, tmp_path / "releases", "old", Rule(k=10, noise=2))
    old = tmp_path / "old"
    shutil.copytree(folder, old)
    for path in old.iterdir():
        path.chmod(0o644)
    hubs = pd.read_parquet(old / "hubs.parquet").drop(columns=["placed"])
    hubs.to_parquet(old / "hubs.parquet", index=False)
    manifest = json.loads((old / "manifest.json").read_text(encoding="utf-8"))
    manifest["tables"]["hubs"]["sha256"] = hashlib.sha256((old / "hubs.parquet").read_bytes()).hexdigest()
    (old / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    release = Release(old)
    spans = release.programme_spans()
    row = spans[spans["programme"] == "ua_hubs"].iloc[0]
    f = Filters("ua_hubs", pd.Timestamp(row["first_day"]).date(), pd.Timestamp(row["last_day"]).date())
    got = release.hub_metrics(f)
    assert len(got) and got["placed"].isna().all()
    assert sorted(got["hub_id"]) == sorted(hubs.loc[hubs["programme"] == "ua_hubs", "hub_id"])

"""Building a release: exact cells before protection, the protection itself, official totals,
atomic and immutable folders, approval, and the command line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard.privacy import Rule
from dashboard.release import __main__ as cli
from dashboard.release import catalogue, cube
from dashboard.release.build import MANIFEST, ReleaseError, build


def _truth(clean: Path, sql: str) -> pd.DataFrame:
    """A plain second computation over the cleaned Parquet files (no dashboard code)."""
    con = duckdb.connect()
    for table in ("activities", "participants", "assessments"):
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{clean / f'{table}.parquet'}')")
    return con.execute(sql).df()


@pytest.fixture(scope="module")
def releases(clean_dir, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("releases")
    build(clean_dir, root, "exact", Rule(k=1, noise=0))
    build(clean_dir, root, "public", Rule(k=10, noise=2))
    return root


def _table(releases: Path, name: str, table: str) -> pd.DataFrame:
    return pd.read_parquet(releases / name / f"{table}.parquet")


def _cell(cells: pd.DataFrame, area="", period="all", dim1="", value1="", dim2="", value2="") -> pd.Series:
    pick = cells[(cells.programme == "ua_hubs") & (cells.area == area) & (cells.period == period)
                 & (cells.dim1 == dim1) & (cells.value1 == value1) & (cells.dim2 == dim2) & (cells.value2 == value2)]
    assert len(pick) <= 1
    return pick.iloc[0] if len(pick) else None


def test_exact_cells_equal_a_plain_count_of_distinct_people(releases, clean_dir):
    cells = _table(releases, "exact", "cells")
    truth = _truth(clean_dir, """
        SELECT a.region_code, year(a.activity_date) AS year, p.age_band, p.displaced,
               count(DISTINCT a.person_id) AS people, count(*) AS activities
        FROM activities a JOIN participants p USING (person_id) WHERE a.programme = 'ua_hubs'
        GROUP BY ALL""")
    checked = 0
    for row in truth.itertuples():
        got = _cell(cells, row.region_code, f"year:{row.year}", "age", row.age_band, "displaced", row.displaced)
        assert got is not None and got.people == row.people and got.activities == row.activities, row
        checked += 1
    assert checked >= 3
    everyone = _truth(clean_dir, "SELECT count(DISTINCT person_id) AS n FROM activities WHERE programme = 'ua_hubs'")
    assert _cell(cells)["people"] == everyone.iloc[0]["n"]


def test_exact_self_rating_counts_and_means(releases, clean_dir):
    cells = _table(releases, "exact", "cells")
    truth = _truth(clean_dir, """
        WITH r AS (SELECT person_id, max(score) FILTER (WHERE stage = 'pre') AS pre,
                          max(score) FILTER (WHERE stage = 'post') AS post
                   FROM assessments WHERE instrument = 'self_rating' AND area = 'overall' GROUP BY 1)
        SELECT count(pre) AS n_pre, count(*) FILTER (WHERE pre >= 7) AS pre_high,
               count(post) AS n_post, count(*) FILTER (WHERE post >= 7) AS post_high,
               avg(post - pre) AS gain
        FROM r WHERE person_id IN (SELECT person_id FROM activities WHERE programme = 'ua_hubs')""").iloc[0]
    whole = _cell(cells)
    for column in ("n_pre", "pre_high", "n_post", "post_high"):
        assert whole[column] == truth[column], column
    assert whole["gain_mean"] == pytest.approx(truth["gain"], abs=0.005)
    assert whole["post_high_share"] == pytest.approx(truth["post_high"] / truth["n_post"], abs=0.0005)


def test_months_count_each_person_once_in_their_first_month(releases, clean_dir):
    months = _table(releases, "exact", "months")
    mine = months[(months.programme == "ua_hubs") & (months.area == "") & (months.period == "all")
                  & (months.dim1 == "")].sort_values("month")
    truth = _truth(clean_dir, """
        SELECT date_trunc('month', min(activity_date)) AS month FROM activities
        WHERE programme = 'ua_hubs' GROUP BY person_id""")["month"].dt.date.value_counts().sort_index()
    # Every month of the period is listed (a missing one would say "nobody new"), the quiet ones with 0.
    first, last = truth.index.min(), truth.index.max()
    assert mine["month"].dt.date.min() <= first and mine["month"].dt.date.max() >= last
    assert mine["month"].is_unique and len(mine) == len(pd.period_range(mine["month"].min(), mine["month"].max(), freq="M"))
    new = mine.set_index(mine["month"].dt.date)["new_people"]
    assert list(new[new > 0].index) == list(truth.index) and list(new[new > 0]) == list(truth.values)
    assert list(mine["people_total"]) == list(new.cumsum().values)
    assert mine["people_total"].iloc[-1] == truth.sum()


def test_protected_counts_are_hidden_or_within_the_noise(releases):
    exact, shown = (_table(releases, n, "cells").set_index(list(cube.KEYS)) for n in ("exact", "public"))
    # With k = 1 only an empty group cell is hidden: its truth is 0.
    joined = exact[["people", "n_pre", "pre_5"]].fillna(0).merge(
        shown[["people", "n_pre", "pre_5"]], left_index=True, right_index=True, suffixes=("", "_shown"))
    group = joined.index.get_level_values("dim1") != ""
    for column in ("people", "n_pre", "pre_5"):
        true, seen = joined[column].astype(int), joined[f"{column}_shown"]
        small = true.between(1, 9)
        assert seen[small].isna().all(), column
        # Nobody looks like fewer than k in a group; a view's own count without a group shows 0.
        assert seen[group & (true == 0)].isna().all(), column
        assert (seen[~group & (true == 0)] == 0).all() and seen[~group & (true == 0)].notna().all(), column
        big = true >= 10
        shown = big & seen.notna()
        assert ((seen[shown] - true[shown]).abs() <= 2).all() and (seen[shown] >= 10).all(), column
        # Hidden although 10 or more: only where the change took it below k (10 - 2, 11 - 2).
        assert true[big & seen.isna()].between(10, 11).all(), column
        assert shown.sum() >= 0.8 * big.sum(), column
    assert not group.all() and (~group).sum() > 0


def test_rates_rest_on_the_protected_counts_and_hide_with_them(releases):
    cells = _table(releases, "public", "cells")
    hidden = cells["n_post"].isna()
    assert cells.loc[hidden, ["post_high_share", "post_high_share_lo", "post_mean"]].isna().all().all()
    shown = cells[cells["post_high"].notna() & cells["n_post"].gt(0)]
    assert not shown.empty
    expected = (shown["post_high"] / shown["n_post"]).clip(upper=1).round(3)
    assert (shown["post_high_share"] - expected).abs().max() < 1e-9


def test_hub_counts_appear_only_beside_a_shown_count_without_a_group(releases):
    cells = _table(releases, "public", "cells")
    assert cells.loc[cells.dim1 != "", "hubs"].isna().all()
    assert cells.loc[cells["people"].isna(), "hubs"].isna().all()
    assert cells.loc[(cells.dim1 == "") & (cells["people"] >= 10), "hubs"].notna().all()


def test_official_totals_are_exact_for_the_whole_country(releases, clean_dir):
    official = _table(releases, "public", "official").set_index(["programme", "period"])
    truth = _truth(clean_dir, """
        SELECT programme, 'year:' || year(activity_date) AS period, count(DISTINCT person_id) AS people,
               count(*) AS activities, count(DISTINCT hub_id) AS hubs, count(DISTINCT region_code) AS regions
        FROM activities GROUP BY ALL
        UNION ALL SELECT programme, 'all', count(DISTINCT person_id), count(*), count(DISTINCT hub_id),
               count(DISTINCT region_code) FROM activities GROUP BY ALL""")
    written = 0
    for row in truth.itertuples():
        if (row.programme, row.period) not in official.index:
            # Not official: a total of 1..k-1, or one whose difference with a period inside it is.
            assert row.people < 10 or row.period in ("all", "year:2023"), row
            continue
        got = official.loc[(row.programme, row.period)]
        assert (got.people, got.activities, got.hubs, got.regions) == (row.people, row.activities, row.hubs,
                                                                       row.regions)
        written += 1
    assert ("ua_hubs", "year:2024") in official.index and written >= 2
    # All time less its two official years leaves the exact activities of 2023: a small number, so
    # all time is not official (counted by hand from the fixture: 51 - 30 - 15 = 6).
    acts = truth.set_index(["programme", "period"])["activities"]
    rest = acts[("ua_hubs", "all")] - acts[("ua_hubs", "year:2024")] - acts[("ua_hubs", "year:2025")]
    assert 1 <= rest < 12 and ("ua_hubs", "all") not in official.index
    # Kemerovo's 3 people of 2012 and ua_hubs' 6 of 2023 are not official: nothing exact is written.
    assert ("kem_centres", "year:2012") not in official.index and ("ua_hubs", "year:2023") not in official.index


def test_hub_people_never_follow_a_group_and_are_protected(releases):
    hub_people = _table(releases, "public", "hub_people")
    assert set(hub_people.columns) == {"hub_id", "period", "people", "programme"}
    people = hub_people["people"].dropna()
    assert ((people == 0) | (people >= 10)).all()


def test_a_release_is_written_whole_read_only_and_described_by_its_manifest(releases):
    folder = releases / "public"
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["name"] == "public" and manifest["rule"] == {"k": 10, "noise": 2}
    assert manifest["approval"] is None and manifest["data_date"]
    for table, meta in manifest["tables"].items():
        path = folder / f"{table}.parquet"
        assert len(pd.read_parquet(path)) == meta["rows"]
        assert not os.access(path, os.W_OK) or os.geteuid() == 0
        assert oct(path.stat().st_mode & 0o777) == "0o444"
    assert not [p for p in releases.iterdir() if p.name.startswith(".")]


def test_an_existing_release_is_never_overwritten_and_bad_names_are_refused(releases, clean_dir):
    before = (releases / "public" / MANIFEST).read_bytes()
    with pytest.raises(ReleaseError, match="exists already"):
        build(clean_dir, releases, "public", Rule(k=10, noise=2))
    assert (releases / "public" / MANIFEST).read_bytes() == before
    for bad in ("", "../x", "Big", "a b", "x" * 80):
        with pytest.raises(ReleaseError, match="release name"):
            build(clean_dir, releases, bad, Rule(k=10, noise=2))


def test_the_same_extract_and_rule_give_the_same_bytes(releases, clean_dir, tmp_path):
    # A release is cited by its tables' hashes: building it again must not reorder a row.
    build(clean_dir, tmp_path, "again", Rule(k=10, noise=2))
    first = json.loads((releases / "public" / MANIFEST).read_text(encoding="utf-8"))["tables"]
    again = json.loads((tmp_path / "again" / MANIFEST).read_text(encoding="utf-8"))["tables"]
    assert {t: m["sha256"] for t, m in again.items()} == {t: m["sha256"] for t, m in first.items()}


def test_people_counted_a_bucket_at_a_time_give_the_same_release(releases, clean_dir, tmp_path, monkeypatch):
    # A large extract is counted in buckets of people (bounded memory): the tables must not change.
    from dashboard.store.database import Database

    monkeypatch.setattr(cube, "PEOPLE_PER_BUCKET", 7)
    db = Database(clean_dir)
    try:
        assert cube.buckets(db, "ua_hubs") >= 3
    finally:
        db.close()
    build(clean_dir, tmp_path, "buckets", Rule(k=10, noise=2))
    one = json.loads((releases / "public" / MANIFEST).read_text(encoding="utf-8"))["tables"]
    many = json.loads((tmp_path / "buckets" / MANIFEST).read_text(encoding="utf-8"))["tables"]
    assert {t: m["sha256"] for t, m in many.items()} == {t: m["sha256"] for t, m in one.items()}


def test_a_failed_build_leaves_nothing_behind(clean_dir, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(cube, "load_digigram", broken)
    with pytest.raises(RuntimeError):
        build(clean_dir, tmp_path, "broken", Rule(k=10, noise=2))
    assert list(tmp_path.iterdir()) == []


def test_approval_is_recorded_once_and_decides_the_current_release(clean_dir, tmp_path):
    import datetime as dt

    first = dt.datetime(2025, 1, 15, 9, 0, tzinfo=dt.timezone.utc)
    build(clean_dir, tmp_path, "2024-annual", Rule(k=10, noise=2), now=first)
    build(clean_dir, tmp_path, "2025-draft", Rule(k=10, noise=2), now=first + dt.timedelta(days=300))
    assert catalogue.current(tmp_path) is None
    tables = (tmp_path / "2024-annual" / "cells.parquet").read_bytes()
    catalogue.approve(tmp_path, "2024-annual", "official@example.org", now=first + dt.timedelta(days=1))
    now = catalogue.current(tmp_path)
    assert now.name == "2024-annual"
    assert now.manifest["approval"] == {"by": "official@example.org", "at": "2025-01-16T09:00:00+00:00"}
    assert (tmp_path / "2024-annual" / "cells.parquet").read_bytes() == tables
    with pytest.raises(ReleaseError, match="approved already"):
        catalogue.approve(tmp_path, "2024-annual", "someone@example.org")
    catalogue.approve(tmp_path, "2025-draft", "official@example.org")
    assert catalogue.current(tmp_path).name == "2025-draft"
    with pytest.raises(ReleaseError, match="no release named"):
        catalogue.find(tmp_path, "../2024-annual")


def test_the_command_builds_lists_and_approves(clean_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DASHBOARD_MIN_COUNT", "10")
    monkeypatch.setenv("DASHBOARD_NOISE", "2")
    assert cli.main([str(clean_dir), str(tmp_path), "--name", "2024-annual"]) == 0
    err = capsys.readouterr().err
    assert "ua_hubs: people and self-ratings per cell" in err and "--approve 2024-annual" in err
    assert cli.main(["--list", str(tmp_path)]) == 0
    assert "2024-annual" in capsys.readouterr().out
    assert cli.main(["--approve", "2024-annual", str(tmp_path), "--by", "official@example.org"]) == 0
    capsys.readouterr()
    assert cli.main(["--list", str(tmp_path)]) == 0
    assert "* 2024-annual" in capsys.readouterr().out
    manifest = json.loads((tmp_path / "2024-annual" / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["approval"]["by"] == "official@example.org"


def test_the_command_says_what_is_wrong_without_a_traceback(tmp_path, capsys):
    assert cli.main([str(tmp_path / "nowhere"), str(tmp_path / "out"), "--name", "x"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err
    assert cli.main([str(tmp_path), str(tmp_path / "out")]) == 2
    assert "--name" in capsys.readouterr().err
    assert cli.main(["--approve", "missing", str(tmp_path)]) == 2
    assert "no release named" in capsys.readouterr().err

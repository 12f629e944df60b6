"""Property: over random extracts and random filter states, no figure shows 1..k-1 people.

The functions checked are found from the code, not listed by hand: every public `compute_*` of
every module of dashboard/metrics/ that takes a `rule` (privacy.Rule), called with every value of
its other parameters (ARGUMENTS: every combination on the fixture extract, one drawn combination
per function and view on each random extract), and the `compute` of every export figure in
dashboard.export.registry.FIGURES. The columns that count people are the ones the function hands
to privacy.protect (recorded by a spy around it) and, for export figures, the figure's `counts`.
A metrics function the property cannot call fails `test_every_protected_function_can_be_called`,
so a new one cannot escape; an integer column that did not pass protect must be a declared count
of places (PLACES), so a new count of people cannot slip out unprotected either.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import itertools
import pkgutil
import shutil
import sys
import tempfile
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dashboard.metrics
from conftest import _frame, build_clean
from dashboard import contract, privacy
from dashboard.export import registry
from dashboard.filters import SEGMENTS, Filters
from dashboard.privacy import Rule
from dashboard.query import participation as participation_queries
from dashboard.query import reference
from dashboard.metrics.live import Live
from dashboard.store.database import Database

K = 10
RULE = Rule(k=K, noise=2)  # the app's default rule
REGIONS = ("UA-05", "UA-32", "UA-30", "UA-46")
HUBS = {"ХЦО-00001": "UA-05", "ХЦО-00002": "UA-05", "ХЦО-00003": "UA-32", "ХЦО-00005": "UA-30"}
START = dt.date(2023, 1, 1)

# The regions reference, read from the extract at call time (compute_breakdown's `regions`).
REGIONS_REFERENCE = object()
# Every value the property calls a function's parameters after (db, f, rule) with, by parameter
# name. A parameter not listed keeps its default; a required one not listed makes the function
# uncallable, and test_every_protected_function_can_be_called fails. `regions` is given (never
# None): with it the breakdown adds the per-resident rate, without it the frame is a subset.
ARGUMENTS: dict[str, tuple] = {
    "dimension": tuple(participation_queries.BREAKDOWNS),
    "segment": (None, *SEGMENTS),
    "by": ("centre", "region", "all"),
    "regions": (REGIONS_REFERENCE,),
    # The areas of the progress figures: the programme as a whole ("") and every region.
    "areas": (("", *REGIONS),),
}
# Integer columns that are not counts of people (places, organisations, residents, scores): shown exactly.
PLACES = {"hubs", "regions", "library_hubs", "public_libraries", "population", "partners", "staff_unknown",
          "centres", "score"}
# Counts of people the extracts do not record: always missing, so nothing to protect.
NOT_RECORDED = {"national_trainers"}
# Figures of the committed settlements (census residents, and settlements within reach of the
# public hub places), not of the extract's people: their integer columns count residents and
# places, shown exactly as the reference data has them.
REFERENCE_FIGURES = {"coverage", "coverage_map", "coverage_plan"}
RESIDENTS = {"settlements", "no_population", "out_of_reach", "people", "people_covered", "people_out",
             "rural_people", "rural_covered", "new_people", "new_rural", "rank"}


class Uncallable(Exception):
    """A protected function has a parameter the property does not know how to fill."""


def metrics_modules() -> list[types.ModuleType]:
    """Every module of the dashboard/metrics/ package."""
    return [importlib.import_module(f"{dashboard.metrics.__name__}.{info.name}")
            for info in pkgutil.iter_modules(dashboard.metrics.__path__)]


def own_functions(module: types.ModuleType) -> Iterator[tuple[str, Callable]]:
    """The public functions defined in `module` itself (not imported into it)."""
    for name, fn in inspect.getmembers(module, inspect.isfunction):
        if fn.__module__ == module.__name__ and not name.startswith("_"):
            yield name, fn


def takes_rule(fn: Callable) -> bool:
    return "rule" in inspect.signature(fn).parameters


def protected_functions(modules: list[types.ModuleType]) -> dict[str, Callable]:
    """Every public `compute_*` of the modules that takes a rule: `module.function` -> function."""
    return {f"{module.__name__.rsplit('.', 1)[-1]}.{name}": fn
            for module in modules for name, fn in own_functions(module)
            if name.startswith("compute_") and takes_rule(fn)}


def calls(fn: Callable) -> list[tuple[str, dict]]:
    """Each way the property calls `fn(db, f, rule, **kwargs)`: (label, kwargs), every combination of ARGUMENTS."""
    params = list(inspect.signature(fn).parameters.values())
    if [p.name for p in params[:3]] != ["db", "f", "rule"]:
        raise Uncallable(f"{fn.__qualname__}: the first parameters must be (db, f, rule), not {params[:3]}")
    extra = []
    for p in params[3:]:
        if p.name in ARGUMENTS:
            extra.append(p.name)
        elif p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise Uncallable(f"{fn.__qualname__}: no values for its parameter {p.name!r} (add them to ARGUMENTS)")
    out = []
    for values in itertools.product(*(ARGUMENTS[name] for name in extra)):
        kwargs = dict(zip(extra, values))
        label = ",".join(f"{k}={'reference' if v is REGIONS_REFERENCE else v}" for k, v in kwargs.items())
        out.append((label, kwargs))
    return out


METRIC_FUNCTIONS = protected_functions(metrics_modules())
# Export figures are checked with the counts they declare (their notes rely on them), even when
# their compute is one of the metric functions.
EXPORT_FIGURES = dict(registry.FIGURES)
# Fixed views of the fixture extract (tests/conftest.py) every way of every function is checked on.
FIXTURE_VIEWS = [Filters("ua_hubs", dt.date(2022, 1, 1), dt.date(2025, 6, 30)),
                 Filters("ua_hubs", dt.date(2024, 1, 1), dt.date(2024, 12, 31), regions=("UA-32",)),
                 Filters("kem_centres", dt.date(2012, 1, 1), dt.date(2012, 12, 31))]


def targets() -> list[tuple[str, Callable, tuple[str, ...], list[tuple[str, dict]]]]:
    """(name, function, counts it declares besides those it protects, the ways it is called)."""
    return [(f"metrics.{name}", fn, (), calls(fn)) for name, fn in METRIC_FUNCTIONS.items()] + [
        (f"export.{name}", _on_live(fig.compute), tuple(fig.counts), [("", {})]) for name, fig in EXPORT_FIGURES.items()]


def _on_live(compute: Callable) -> Callable:
    """An export figure's compute(src, f), called as the metric functions are: (db, f, rule)."""
    return lambda db, f, rule, _compute=compute: _compute(Live(db, rule), f)


@contextmanager
def spy_on_protect() -> Iterator[set[str]]:
    """Record every column handed to privacy.protect as a count (in every dashboard module that uses it)."""
    seen: set[str] = set()
    original = privacy.protect

    def spy(frame, count_columns, *args, **kwargs):
        counts = list(count_columns)
        seen.update(counts)
        return original(frame, counts, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        for name, module in list(sys.modules.items()):
            if name.split(".")[0] == "dashboard" and getattr(module, "protect", None) is original:
                mp.setattr(module, "protect", spy)
        yield seen


def run(db: Database, f: Filters, fn: Callable, kwargs: dict, counts: tuple[str, ...], seen: set[str]):
    """Call `fn(db, f, RULE, **kwargs)`: its frame and the columns in it that count people."""
    kwargs = {k: reference.load_regions_reference(db) if v is REGIONS_REFERENCE else v for k, v in kwargs.items()}
    seen.clear()
    out = fn(db, f, RULE, **kwargs)
    return out, sorted((seen | set(counts)) & set(out.columns))


def check(out: pd.DataFrame, columns: list[str], seen: set[str], where) -> None:
    """The property on one frame."""
    assert columns or not seen, where  # what passed protect is still there to check
    assert small_people(out, columns) == [], where
    figure = str(where[0]).removeprefix("export.")
    places = PLACES | RESIDENTS if figure in REFERENCE_FIGURES else PLACES
    assert unprotected_counts(out, columns, places) == [], where
    assert not [c for c in out.columns if str(c).endswith("_key")], where


def small_people(frame: pd.DataFrame, columns) -> list:
    if not columns:
        return []
    values = pd.concat([pd.to_numeric(frame[c], errors="coerce") for c in columns])
    return [v for v in values.dropna() if 1 <= v < K]


def unprotected_counts(frame: pd.DataFrame, people: list[str], places: set[str] = PLACES) -> list[str]:
    """Integer columns that neither passed protect nor are declared counts of places (or never recorded)."""
    return [c for c in frame.columns
            if pd.api.types.is_integer_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
            and c not in people and c not in places and not (c in NOT_RECORDED and frame[c].isna().all())]


# ---- the functions are found, and every one can be called ------------------------------------

def test_the_protected_functions_are_found_from_the_code():
    # A floor, not the list: the discovery must at least find the ones there were when this was written.
    assert {"overview.compute_counts", "overview.compute_monthly", "participation.compute_cumulative",
            "participation.compute_breakdown", "participation.compute_cascade", "skills.compute_ratings",
            "skills.compute_distribution", "skills.compute_digigram", "network.compute_waitlist_months",
            "network.compute_waitlist_latest", "network.compute_partners", "map.compute_region_metrics",
            "map.compute_hub_metrics"} <= set(METRIC_FUNCTIONS)
    assert EXPORT_FIGURES and all(callable(fig.compute) for fig in EXPORT_FIGURES.values())


@pytest.mark.parametrize("name", sorted(METRIC_FUNCTIONS))
def test_every_protected_function_can_be_called(db, name):
    """Every way of calls() (which raises Uncallable for a parameter without values), on the fixture extract."""
    fn = METRIC_FUNCTIONS[name]
    ways = calls(fn)
    assert ways
    with spy_on_protect() as seen:
        for f in FIXTURE_VIEWS:
            for label, kwargs in ways:
                out, columns = run(db, f, fn, kwargs, (), seen)
                check(out, columns, seen, (name, label, f))


@pytest.mark.parametrize("name", sorted(EXPORT_FIGURES))
def test_every_export_figure_can_be_called(db, name):
    figure = EXPORT_FIGURES[name]
    with spy_on_protect() as seen:
        for f in FIXTURE_VIEWS:
            out, columns = run(db, f, _on_live(figure.compute), {}, tuple(figure.counts), seen)
            assert set(figure.counts) <= set(out.columns), name
            check(out, columns, seen, (name, f))


@pytest.mark.parametrize("module", metrics_modules(), ids=lambda m: m.__name__)
def test_a_function_that_takes_a_rule_is_named_compute(module):
    """A metric function with a rule but another name would escape the discovery: none may exist."""
    assert [name for name, fn in own_functions(module) if takes_rule(fn) and not name.startswith("compute_")] == []


def test_a_function_the_property_cannot_call_is_caught():
    module = types.ModuleType("dashboard.metrics.invented")
    exec("def compute_new(db, f, rule, mystery):\n    pass\n"
         "def compute_fine(db, f, rule, segment=None, by='all'):\n    pass\n"
         "def compute_places(db, f):\n    pass\n", module.__dict__)
    found = protected_functions([module])
    assert sorted(found) == ["invented.compute_fine", "invented.compute_new"]
    with pytest.raises(Uncallable, match="mystery"):
        calls(found["invented.compute_new"])
    assert [label for label, _ in calls(found["invented.compute_fine"])] == \
        [f"segment={s},by={b}" for s in ARGUMENTS["segment"] for b in ARGUMENTS["by"]]


# ---- the property ----------------------------------------------------------------------------

person = st.fixed_dictionaries({
    "hub": st.sampled_from(sorted(HUBS)),
    "age_band": st.sampled_from(contract.AGE_BANDS),
    "gender": st.sampled_from(contract.GENDERS),
    "settlement_type": st.sampled_from(contract.SETTLEMENT_TYPES),
    "employment": st.sampled_from(contract.EMPLOYMENT),
    "disability": st.sampled_from(contract.YES_NO),
    "displaced": st.sampled_from(contract.YES_NO),
    "days": st.lists(st.integers(0, 900), min_size=1, max_size=3),
    "pre": st.one_of(st.none(), st.integers(1, 10)),
    "post": st.one_of(st.none(), st.integers(1, 10)),
    "digigram": st.one_of(st.none(), st.tuples(st.sampled_from(contract.STAGES), st.integers(0, 100))),
})
# Waiting lists of the random hubs: (hub, month after START, people waiting).
waiting = st.lists(st.tuples(st.sampled_from(sorted(HUBS)), st.integers(0, 29), st.integers(0, 40)),
                   max_size=6, unique_by=lambda t: (t[0], t[1]))
# Partners: (type, agreement day after START or none, staff trained or none).
partner = st.tuples(st.sampled_from(contract.PARTNER_TYPES), st.one_of(st.none(), st.integers(0, 900)),
                    st.one_of(st.none(), st.integers(0, 30)))
filters = st.builds(
    lambda start, length, regions, ages, genders, disability: Filters(
        "ua_hubs", START + dt.timedelta(days=start), START + dt.timedelta(days=start + length),
        regions=tuple(sorted(regions)), age_band=tuple(sorted(ages)), gender=tuple(sorted(genders)),
        disability=tuple(sorted(disability))),
    st.integers(0, 700), st.integers(0, 600), st.sets(st.sampled_from(REGIONS), max_size=2),
    st.sets(st.sampled_from(contract.AGE_BANDS), max_size=2), st.sets(st.sampled_from(contract.GENDERS), max_size=2),
    st.sets(st.sampled_from(contract.YES_NO), max_size=1),
)


def write_extract(folder: Path, base: Path, people: list[dict], waits: list[tuple], partners: list[tuple]) -> None:
    """The fixture extract `base` with its people replaced by `people`, plus random waiting lists and partners."""
    shutil.copytree(base, folder, dirs_exist_ok=True)
    parts, acts, rates = [], [], []
    for n, p in enumerate(people):
        pid = f"{n:032x}"
        days = sorted(START + dt.timedelta(days=d) for d in p["days"])
        region = HUBS[p["hub"]]
        parts.append(dict(person_id=pid, hub_id=p["hub"], region_code=region, programme="ua_hubs",
                          age_band=p["age_band"], gender=p["gender"], settlement_type=p["settlement_type"],
                          employment=p["employment"], disability=p["disability"], displaced=p["displaced"],
                          first_activity_on=days[0], last_activity_on=days[-1], activities=len(days)))
        for j, day in enumerate(days):
            acts.append(dict(activity_id=f"{pid}-{j}", person_id=pid, hub_id=p["hub"], region_code=region,
                             programme="ua_hubs", activity_date=day, course="x", topic="other", format="group"))
        for stage, score, day in (("pre", p["pre"], days[0]), ("post", p["post"], days[-1])):
            if score is not None:
                rates.append(dict(person_id=pid, instrument="self_rating", stage=stage, area="overall",
                                  score=float(score), assessed_on=day, hub_id=p["hub"], region_code=region,
                                  programme="ua_hubs"))
        if p["digigram"] is not None:
            stage, score = p["digigram"]
            rates.append(dict(person_id=f"{(1 << 124) + n:032x}", instrument="digigram", stage=stage, area="overall",
                              score=float(score), assessed_on=days[0], hub_id=p["hub"], region_code=region,
                              programme="ua_hubs"))
    waitlist = pd.read_parquet(folder / "waitlist.parquet").to_dict("records")
    waitlist += [dict(hub_id=hub, programme="ua_hubs", region_code=HUBS[hub],
                      month=dt.date(START.year + month // 12, month % 12 + 1, 1), waiting=people_waiting)
                 for hub, month, people_waiting in waits]
    partner_rows = pd.read_parquet(folder / "partners.parquet").to_dict("records")
    partner_rows += [dict(partner_id=f"ua-{n}", programme="ua_hubs", partner=f"Partner {n}", partner_type=kind,
                          agreement_date=None if day is None else START + dt.timedelta(days=day), staff_trained=staff)
                     for n, (kind, day, staff) in enumerate(partners)]
    for name, rows in (("participants", parts), ("activities", acts), ("assessments", rates),
                       ("waitlist", waitlist), ("partners", partner_rows)):
        _frame(name, rows).to_parquet(folder / f"{name}.parquet", index=False)


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory) -> Path:
    """The fixture extract, copied under each random one (written once)."""
    return build_clean(tmp_path_factory.mktemp("base"))


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(person, max_size=60), waiting, st.lists(partner, max_size=5), st.lists(filters, min_size=1, max_size=2),
       st.data())
def test_no_figure_shows_a_small_number_of_people(base_dir, people, waits, partners, views, data):
    """Each function once per view, its other arguments drawn from its ways (all are run in
    test_every_protected_function_can_be_called)."""
    plan = targets()
    with tempfile.TemporaryDirectory() as tmp, spy_on_protect() as seen:
        write_extract(Path(tmp), base_dir, people, waits, partners)
        db = Database(Path(tmp))
        try:
            for f in views:
                for name, fn, counts, ways in plan:
                    label, kwargs = ways[0] if len(ways) == 1 else data.draw(st.sampled_from(ways), label=name)
                    out, columns = run(db, f, fn, kwargs, counts, seen)
                    check(out, columns, seen, (name, label, f))
        finally:
            db.close()

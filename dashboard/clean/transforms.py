"""Pipeline layer: row-level transforms, one per raw file kind, from raw text to clean values.

A transform takes a chunk of raw rows (canonical column names, text values) and returns a
frame of normalised columns plus `reason`/`detail` for rows that break a rule. Personal
fields are read here to recognise people and then never leave this module. The quarantine's
`raw` and `detail` keep no more of a person than the cleaned tables do: an age band, never an
exact age; a date, never a time of day (`quarantine_value`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from dashboard.clean import normalise as n
from dashboard.contract import AGE_MAX, AGE_MIN, AREAS
from dashboard.geo import placement

DIGIGRAM_AREAS = AREAS[1:]

# What the quarantine shows instead of a value it may not keep and cannot band or date.
REMOVED = "(removed)"
# Canonical columns (vocab/headers.csv) whose raw values the quarantine rewrites.
AGE_COLUMNS = frozenset({"age"})
BIRTH_YEAR_COLUMNS = frozenset({"birth_year"})  # personal in every layout; never kept, whatever happens
DATE_COLUMNS = frozenset({"submitted_at", "activity_date", "joined_on", "start_date", "end_date", "date",
                          "agreement_date"})
MONTH_COLUMNS = frozenset({"month"})
# The date a raw value starts with, as written, with any time of day after it left out:
# `17.11.2023 14:03:11` → `17.11.2023`, `2023-11-17T14:03:22Z` → `2023-11-17`, the Excel serial
# `45247.5868` → `45247` (its fraction is the time of day).
_DATE_PART = re.compile(r"\s*(\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}|\d{5})(?!\d)")
_MONTH = re.compile(r"\s*(\d{4}-\d{1,2}|\d{1,2}[./]\d{4})\s*")
# An age's detail names the rule broken, not the age or birth year that broke it.
AGE_DETAIL = {
    "impossible_birth_year": f"birth year: not a year, or one that gives an age outside {AGE_MIN}–{AGE_MAX}",
    "impossible_age": f"age: not an age {AGE_MIN}–{AGE_MAX}",
}


def age_only(raw: str) -> str:
    """An age as the quarantine keeps it: its band (the pipeline's own, `normalise.age_band`), else REMOVED."""
    if not raw.strip():
        return raw
    try:
        return n.age_band("", raw, 0)  # with no birth year the year is not read
    except n.Invalid:
        return REMOVED


def date_only(raw: str) -> str:
    """A date or date-time as the quarantine keeps it: the date it starts with, as written, else REMOVED."""
    if not raw.strip():
        return raw
    m = _DATE_PART.match(raw)
    return m[1] if m else REMOVED


def month_only(raw: str) -> str:
    """A month as the quarantine keeps it: a month as written (`2012-05`, `05.2012`), else as `date_only`."""
    m = _MONTH.fullmatch(raw)
    return m[1] if m else date_only(raw)


def quarantine_value(column: str, raw: str) -> str:
    """A raw value as the quarantine may keep it: ages as bands, dates without their time of day."""
    if column in AGE_COLUMNS:
        return age_only(raw)
    if column in DATE_COLUMNS:
        return date_only(raw)
    if column in MONTH_COLUMNS:
        return month_only(raw)
    if column in BIRTH_YEAR_COLUMNS:
        return REMOVED if raw.strip() else raw
    return raw


def _quoting(e: n.Invalid, raw: str, shown: str) -> n.Invalid:
    """`e` with the value it quotes (`field: '…' is …`) replaced by `shown`, the quarantine's form
    of `raw`; `…` marks a value cut short (`'2023-11-17…' is not a date`)."""
    if shown != REMOVED and shown != raw.strip():
        shown += "…"
    return n.Invalid(e.reason, re.sub(r"'.*'", lambda _: f"'{shown}'", str(e), count=1, flags=re.DOTALL))


def _date(raw: str) -> dt.date | None:
    """`normalise.date`, its problem quoting the value as the quarantine keeps it (no time of day)."""
    try:
        return n.date(raw)
    except n.Invalid as e:
        raise _quoting(e, raw, date_only(raw)) from None


def _month(raw: str) -> dt.date | None:
    """`normalise.month`, its problem quoting the value as the quarantine keeps it."""
    try:
        return n.month(raw)
    except n.Invalid as e:
        raise _quoting(e, raw, month_only(raw)) from None


def _age_band(birth_year: str, age: str, year: str) -> str | None:
    """`normalise.age_band` at the activity's year; its problem names the rule, never the value."""
    if not year:
        return None
    try:
        return n.age_band(birth_year, age, int(year))
    except n.Invalid as e:
        raise n.Invalid(e.reason, AGE_DETAIL.get(e.reason, f"age: {REMOVED}")) from None


@dataclass
class Context:
    """What a transform needs beyond its rows: the salt, the default programme, known hubs."""

    salt: bytes
    programme: str
    hubs: dict[str, tuple[str, str]] = field(default_factory=dict)  # hub_id → (region, programme)


class Rows:
    """Raw rows of one chunk with the problems found so far, first problem first."""

    def __init__(self, raw: pd.DataFrame):
        self.raw = raw
        self.size = len(raw)
        self.reason: list[str | None] = [None] * self.size
        self.detail: list[list[str]] = [[] for _ in range(self.size)]

    def col(self, name: str) -> pd.Series:
        if name in self.raw:
            return self.raw[name]
        return pd.Series([""] * self.size, index=self.raw.index, dtype=object)

    def _note(self, errors: list) -> None:
        for i, e in enumerate(errors):
            if e is not None:
                if self.reason[i] is None:
                    self.reason[i] = e.reason
                self.detail[i].append(str(e))

    def apply(self, fn: Callable, *names: str) -> list:
        """Normalise columns `names` with `fn` (called once per distinct value combination)."""
        if len(names) == 1:
            values, errors = n.map_unique(self.col(names[0]), fn)
        else:
            combined = pd.Series(list(zip(*(self.col(c) for c in names))), dtype=object)
            values, errors = n.map_unique(combined, lambda t: fn(*t))
        self._note(errors)
        return values

    def require(self, name: str, label: str) -> None:
        self.fail([not v.strip() for v in self.col(name)], f"missing_{name}", f"{label}: empty")

    def fail(self, mask: list[bool], reason: str, message: str | list[str]) -> None:
        """Record `reason` for the rows in `mask`; `message` may differ per row."""
        texts = message if isinstance(message, list) else [message] * self.size
        self._note([n.Invalid(reason, t) if m else None for m, t in zip(mask, texts)])

    def frame(self, **cols: list) -> pd.DataFrame:
        out = pd.DataFrame(cols, index=self.raw.index)
        out["reason"] = self.reason
        out["detail"] = ["; ".join(d) if d else None for d in self.detail]
        return out


def keyed(salt: bytes, text: str) -> str:
    """Keyed BLAKE2b hash (a MAC with the secret salt) of a text, as 32 hex digits: a pseudonymous key."""
    return hashlib.blake2b(text.encode("utf-8"), key=salt[:64], digest_size=16).hexdigest()


def row_hashes(raw: pd.DataFrame, canonical: list[str], salt: bytes) -> list[str]:
    """Salted hash of a row's raw values over every canonical column (absent = empty)."""
    cols = [raw[c] if c in raw else [""] * len(raw) for c in canonical]
    return [keyed(salt, "\x1f".join(v)) for v in zip(*cols)]


def raw_json(raw: pd.DataFrame, personal: frozenset[str], wanted: list[bool]) -> list[str | None]:
    """The raw values of the `wanted` rows as JSON for the quarantine: personal fields removed,
    ages as their bands and dates without their time of day (`quarantine_value`)."""
    keep = [c for c in raw.columns if c not in personal]
    cut = lambda v: v if len(v) <= n.MAX_TEXT else v[: n.MAX_TEXT] + "…"  # noqa: E731
    return [json.dumps({c: cut(quarantine_value(c, v)) for c, v in zip(keep, vals)}, ensure_ascii=False)
            if w else None for w, vals in zip(wanted, zip(*(raw[c] for c in keep)))]


def _text(v: str) -> str | None:
    return n.clean_text(v)


def _hub_lookup(rows: Rows, ctx: Context) -> tuple[list, list]:
    """(region_code, programme) per row from the cleaned hub registry; unknown codes fail."""
    ids = [v.strip() for v in rows.col("hub_id")]
    found = [ctx.hubs.get(h) for h in ids]
    rows.fail([f is None for f in found], "unknown_hub",
              [f"hub_id: '{h[:40]}' is not in the hub registry" for h in ids])
    return [f[0] if f else None for f in found], [f[1] if f else None for f in found]


def _placed(region: list, place: list, hromada: list, coords: list) -> pd.DataFrame:
    """lat, lon, placed, unplaced_reason per row: the registry's coordinates, else the settlement's
    (dashboard.geo.placement, whose gazetteer is read once per process)."""
    hubs = pd.DataFrame({
        "region_code": region, "settlement": [p[0] if p else None for p in place],
        "settlement_type": [p[1] if p else None for p in place], "hromada": hromada,
        "lat": [c[0] if c else None for c in coords], "lon": [c[1] if c else None for c in coords],
    }, dtype=object)
    if not len(hubs):
        return pd.DataFrame(columns=["lat", "lon", "placed", "unplaced_reason"])
    return placement.place_hubs(hubs, placement.default_gazetteer())


def hubs(raw: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    rows = Rows(raw)
    rows.require("hub_id", "hub_id")
    rows.require("name", "name")
    region = rows.apply(n.region, "region")
    programme = rows.apply(lambda v: n.category("programme", v, ctx.programme), "programme")
    itype = rows.apply(lambda v: n.category("institution_type", v, "other"), "institution_type")
    place = rows.apply(n.settlement, "settlement")
    coords = rows.apply(n.coordinates, "lat", "lon")
    joined = rows.apply(_date, "joined_on")
    status = rows.apply(lambda v: n.category("status", v), "status")
    rows.fail([s is None and r is None for s, r in zip(status, rows.reason)], "missing_status", "status: empty")
    trained = rows.apply(lambda v: n.category("bool", v), "coordinator_trained")
    hromada = rows.apply(_text, "hromada")
    located = _placed(region, place, hromada, coords)
    return rows.frame(
        hub_id=[v.strip() for v in rows.col("hub_id")],
        programme=programme,
        name=rows.apply(_text, "name"),
        institution_type=itype,
        region_code=region,
        hromada=hromada,
        settlement=[p[0] if p else None for p in place],
        settlement_type=[p[1] if p else None for p in place],
        lat=located["lat"].tolist(),
        lon=located["lon"].tolist(),
        placed=located["placed"].tolist(),
        unplaced_reason=located["unplaced_reason"].tolist(),
        joined_on=joined,
        status=status,
        coordinator_trained=[None if t is None else t == "true" for t in trained],
    )


def trainings(raw: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    rows = Rows(raw)
    rows.require("group_id", "group_id")
    rows.require("enrolled", "enrolled")
    level = rows.apply(lambda v: n.category("level", v), "level")
    region = rows.apply(n.region, "region")
    start, end = rows.apply(_date, "start_date"), rows.apply(_date, "end_date")
    enrolled = rows.apply(lambda v: n.count(v, "enrolled"), "enrolled")
    completed = rows.apply(lambda v: n.count(v, "completed"), "completed")
    rows.fail([e is not None and c is not None and c > e for e, c in zip(enrolled, completed)],
              "completed_exceeds_enrolled", "completed: more people completed than enrolled")
    rows.fail([s is not None and e is not None and e < s for s, e in zip(start, end)],
              "end_before_start", "end_date: before start_date")
    phase = [(_text(p) or (str(s.year) if s else None)) for p, s in zip(rows.col("phase"), start)]
    return rows.frame(
        group_id=[v.strip() for v in rows.col("group_id")], programme=[ctx.programme] * rows.size,
        level=level, region_code=region, start_date=start, end_date=end,
        enrolled=enrolled, completed=completed, phase=[p.replace("-", "–") if p else p for p in phase],
    )


def participants(raw: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    rows = Rows(raw)
    region, programme = _hub_lookup(rows, ctx)
    rows.require("full_name", "name")
    rows.require("activity_date", "activity_date")
    when = rows.apply(_date, "activity_date")
    submitted = rows.apply(_date, "submitted_at")
    years = pd.Series([str(d.year) if d else "" for d in when], index=raw.index)
    rows.raw = rows.raw.assign(_year=years)
    age = rows.apply(_age_band, "birth_year", "age", "_year")
    people = [
        keyed(ctx.salt, "|".join((n.person_name(name), b.strip() or f"age:{a.strip()}", n.phone_digits(p))))
        for name, b, a, p in zip(rows.col("full_name"), rows.col("birth_year"), rows.col("age"), rows.col("phone"))
    ]
    rows.require("format", "format")
    cat = lambda field: (lambda v: n.category(field, v, "unknown"))  # noqa: E731
    return rows.frame(
        person_id=people, hub_id=[v.strip() for v in rows.col("hub_id")], region_code=region,
        programme=programme, activity_date=when, submitted_on=submitted, age_band=age,
        gender=rows.apply(cat("gender"), "gender"),
        employment=rows.apply(cat("employment"), "employment"),
        disability=rows.apply(cat("yes_no"), "disability"),
        displaced=rows.apply(cat("yes_no"), "displaced"),
        settlement_type=rows.apply(cat("settlement_type"), "settlement_type"),
        course=rows.apply(_text, "course"), topic=rows.apply(lambda v: n.topic(v), "course"),
        format=rows.apply(lambda v: n.category("format", v), "format"),
        rating_pre=rows.apply(lambda v: n.score(v, "self_rating", 1, 10, whole=True), "rating_pre"),
        rating_post=rows.apply(lambda v: n.score(v, "self_rating", 1, 10, whole=True), "rating_post"),
    )


def digigram(raw: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    rows = Rows(raw)
    region, programme = _hub_lookup(rows, ctx)
    rows.require("code", "participant code")
    scores = {a: rows.apply(lambda v, a=a: n.score(v, a, 0, 100, whole=False), a) for a in DIGIGRAM_AREAS}
    overall = rows.apply(lambda v: n.score(v, "overall", 0, 100, whole=False), "overall")
    empty = [all(s[i] is None for s in scores.values()) and overall[i] is None for i in range(rows.size)]
    rows.fail(empty, "unfinished_test", "scores: all blank (test started, not finished)")
    return rows.frame(
        person_id=[keyed(ctx.salt, "digigram|" + c.strip()) for c in rows.col("code")],
        hub_id=[v.strip() for v in rows.col("hub_id")], region_code=region, programme=programme,
        assessed_on=rows.apply(_date, "date"),
        stage=rows.apply(lambda v: n.category("stage", v), "stage"),
        overall=overall, **scores,
    )


def waitlist(raw: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    rows = Rows(raw)
    region, programme = _hub_lookup(rows, ctx)
    rows.require("month", "month")
    rows.require("waiting", "waiting")
    return rows.frame(
        hub_id=[v.strip() for v in rows.col("hub_id")], programme=programme, region_code=region,
        month=rows.apply(_month, "month"),
        waiting=rows.apply(lambda v: n.count(v, "waiting"), "waiting"),
    )


def partners(raw: pd.DataFrame, ctx: Context) -> pd.DataFrame:
    rows = Rows(raw)
    rows.require("partner", "partner")
    programme = rows.apply(lambda v: n.category("programme", v, ctx.programme), "programme")
    name = rows.apply(_text, "partner")
    return rows.frame(
        partner_id=[hashlib.sha256(f"{p}|{n.key(m or '')}".encode()).hexdigest()[:16] for p, m in zip(programme, name)],
        programme=programme, partner=name,
        partner_type=rows.apply(lambda v: n.category("partner_type", v, "other"), "partner_type"),
        agreement_date=rows.apply(_date, "agreement_date"),
        staff_trained=rows.apply(lambda v: n.count(v, "staff_trained"), "staff_trained"),
    )


TRANSFORMS = {"hubs": hubs, "trainings": trainings, "participants": participants,
              "digigram": digigram, "waitlist": waitlist, "partners": partners}

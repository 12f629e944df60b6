"""Contract layer: the cleaned-extract tables, their columns, definitions and pandera schemas.

This module is the single source of truth for the cleaned extracts. `data/README.md` is
generated from it (`python -m dashboard.contract > data/README.md`, by contract.readme), the pipeline validates
against it before writing, and the dashboard's definitions and tooltips read from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandera.pandas as pa

# Fixed vocabularies. Raw spellings that map onto them live in dashboard/clean/vocab/*.csv.
PROGRAMMES = ("ua_hubs", "kem_centres")
INSTITUTION_TYPES = ("public_library", "library_branch", "cnap", "education", "culture_centre", "other")
LIBRARY_TYPES = ("public_library", "library_branch")
HUB_STATUSES = ("active", "suspended", "closed", "occupied")
SETTLEMENT_TYPES = ("city", "town", "village", "unknown")
# How a hub got its point on the map, and why one has none (dashboard/geo/placement.py).
PLACED = ("coordinates", "settlement")
UNPLACED_REASONS = ("no_region", "no_settlement", "not_found", "ambiguous")
TRAINING_LEVELS = ("trainer", "coordinator")
AGE_BANDS = ("under_25", "25_44", "45_59", "60_69", "70_plus", "unknown")
GENDERS = ("female", "male", "other", "unknown")
EMPLOYMENT = ("employed", "unemployed", "retired", "student", "other", "unknown")
YES_NO = ("yes", "no", "unknown")
FORMATS = ("group", "individual", "online")
TOPICS = ("seniors_basics", "basic_skills", "cybersecurity", "e_services", "other")
INSTRUMENTS = ("self_rating", "digigram")
STAGES = ("pre", "post")
# DigComp 2.1 as adapted in Ukraine: six competence areas plus the overall score.
AREAS = ("overall", "basics", "information", "communication", "content", "safety", "problem_solving")
PARTNER_TYPES = (
    "hospital", "social_services", "employment_centre", "disability_society", "childrens_home", "other",
)
OCCUPATION = ("none", "partial", "full")
# What a target may be set for: the Overview's figures of the same keys (dashboard/indicators.py).
TARGET_INDICATORS = ("people", "activities", "hubs", "coordinators", "share_after")
TARGET_SHARES = ("share_after",)  # targets that are shares (0..1); the others are counts
# The period codes of the app (dashboard.release.grain): all time, year, project phase, quarter, month.
PERIOD_PATTERN = r"^(all|year:\d{4}|phase:\d{4}(–\d{4})?|quarter:\d{4}-Q[1-4]|month:\d{4}-(0[1-9]|1[0-2]))$"
REGION_CODE_PATTERN = r"^(UA-\d{2}|RU-KEM)$"

# Ages outside this range come from impossible birth years (1900, 2030) and are quarantined.
AGE_MIN, AGE_MAX = 10, 105


@dataclass(frozen=True)
class Col:
    """One cleaned column: name, dtype, one-line definition and its allowed values."""

    name: str
    dtype: str
    definition: str
    vocab: tuple[str, ...] | None = None
    range: tuple[float, float] | None = None
    nullable: bool = False
    pattern: str | None = None

    def domain(self) -> str:
        if self.vocab:
            return ", ".join(f"`{v}`" for v in self.vocab)
        if self.range:
            lo, hi = self.range
            return f"{lo:g} – {hi:g}"
        if self.pattern:
            return f"matches `{self.pattern}`".replace("|", "\\|")
        return ""


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    key: tuple[str, ...]
    columns: tuple[Col, ...] = field(default_factory=tuple)

    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _region(definition: str = "ISO 3166-2 code of the region", nullable: bool = False) -> Col:
    return Col("region_code", "str", definition, pattern=REGION_CODE_PATTERN, nullable=nullable)


_PROGRAMME = Col("programme", "str", "Programme the record belongs to", vocab=PROGRAMMES)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "regions",
            "Reference: every top-level region a programme works in, with population and libraries.",
            ("region_code",),
            (
                _region(),
                Col("country_code", "str", "ISO 3166-1 alpha-2 code of the country", vocab=("UA", "RU")),
                Col("name_uk", "str", "Name in Ukrainian (ISO 3166-2 translation)"),
                Col("name_en", "str", "Name in English (ISO 3166-2)"),
                Col("population", "Int64", "Present population (наявне населення) in the year population_year",
                    range=(0, 1e8), nullable=True),
                Col("population_year", "Int64", "Year the population figure refers to",
                    range=(1989, 2100), nullable=True),
                Col("public_libraries", "Int64", "Number of public libraries in the region",
                    range=(0, 1e5), nullable=True),
                Col("libraries_year", "Int64", "Year the library count refers to",
                    range=(1989, 2100), nullable=True),
                Col("occupation", "str",
                    "Temporarily occupied territory: none, part of the region, or all of it",
                    vocab=OCCUPATION),
            ),
        ),
        Table(
            "hubs",
            "Every programme's sites: Digital Education Hubs and other centre networks.",
            ("hub_id",),
            (
                Col("hub_id", "str", "Site code from the programme's registry; join key"),
                _PROGRAMME,
                Col("name", "str", "Name of the institution as registered (text; shown as text, never rendered as markup)"),
                Col("institution_type", "str", "Kind of institution hosting the site",
                    vocab=INSTITUTION_TYPES),
                Col("is_library", "bool", "True when the host is a public library or its branch"),
                _region(),
                Col("hromada", "str", "Territorial community (hromada), as registered", nullable=True),
                Col("settlement", "str", "Settlement name without its type prefix", nullable=True),
                Col("settlement_type", "str", "Settlement type from its prefix (м./г. city, смт town, с. village)",
                    vocab=SETTLEMENT_TYPES),
                Col("lat", "float64", "Latitude, WGS 84 degrees (swapped pairs corrected); the settlement's "
                    "when the registry gives none (see `placed`)", range=(-90, 90), nullable=True),
                Col("lon", "float64", "Longitude, WGS 84 degrees", range=(-180, 180), nullable=True),
                Col("placed", "str", "Where lat/lon come from: the registry's own `coordinates`, or the hub's "
                    "`settlement` (registry gave none); empty when the hub is not on the map",
                    vocab=PLACED, nullable=True),
                Col("unplaced_reason", "str", "Why a hub without coordinates could not be placed at its "
                    "settlement: `no_region`, `no_settlement` (none given), `not_found` (no settlement of "
                    "that name with known coordinates in the hub's region), `ambiguous` (several, and "
                    "hromada and type do not tell them apart); empty when placed", vocab=UNPLACED_REASONS,
                    nullable=True),
                Col("joined_on", "datetime64[ms]", "Date the site joined the programme", nullable=True),
                Col("status", "str", "Current status; `occupied` = temporarily occupied territory",
                    vocab=HUB_STATUSES),
                Col("coordinator_trained", "boolean",
                    "Whether the site's coordinator completed the cascade training", nullable=True),
            ),
        ),
        Table(
            "trainings",
            "The training cascade: one row per training group (trainers or hub coordinators).",
            ("group_id",),
            (
                Col("group_id", "str", "Training group code"),
                _PROGRAMME,
                Col("level", "str", "Who was trained: regional trainers or hub coordinators",
                    vocab=TRAINING_LEVELS),
                _region(),
                Col("start_date", "datetime64[ms]", "First day of the training", nullable=True),
                Col("end_date", "datetime64[ms]", "Last day of the training", nullable=True),
                Col("enrolled", "int64", "People enrolled in the group", range=(0, 10000)),
                Col("completed", "Int64", "People who completed (never more than enrolled)",
                    range=(0, 10000), nullable=True),
                Col("phase", "str", "Project phase, e.g. `2022–2023`, `2024`"),
            ),
        ),
        Table(
            "participants",
            "One row per person reached (recognised across report rows by a salted hash).",
            ("person_id",),
            (
                Col("person_id", "str", "Pseudonymous key: keyed BLAKE2b hash (secret salt) of name, birth year and phone"),
                Col("hub_id", "str", "Hub of the person's first activity"),
                _region("ISO 3166-2 code of the region of that hub"),
                _PROGRAMME,
                Col("age_band", "str", "Age at first activity, in bands", vocab=AGE_BANDS),
                Col("gender", "str", "Gender as reported", vocab=GENDERS),
                Col("settlement_type", "str", "Where the person lives: city, town or village",
                    vocab=SETTLEMENT_TYPES),
                Col("employment", "str", "Employment status", vocab=EMPLOYMENT),
                Col("disability", "str", "Person with a disability", vocab=YES_NO),
                Col("displaced", "str", "Internally displaced person (ВПО)", vocab=YES_NO),
                Col("first_activity_on", "datetime64[ms]", "Date of the person's first activity"),
                Col("last_activity_on", "datetime64[ms]", "Date of the person's last activity"),
                Col("activities", "int64", "Number of activities reported for the person",
                    range=(1, 1e6)),
            ),
        ),
        Table(
            "activities",
            "One row per person × course, consultation or class.",
            ("activity_id",),
            (
                Col("activity_id", "str", "Stable key of the report row (hash of file and row content)"),
                Col("person_id", "str", "Pseudonymous person key (see participants)"),
                Col("hub_id", "str", "Hub that held the activity"),
                _region("ISO 3166-2 code of the hub's region"),
                _PROGRAMME,
                Col("activity_date", "datetime64[ms]", "Date of the class or consultation"),
                Col("course", "str", "Course or topic title as reported (whitespace normalised)"),
                Col("topic", "str", "Course family", vocab=TOPICS),
                Col("format", "str", "Group class, individual consultation or online", vocab=FORMATS),
            ),
        ),
        Table(
            "assessments",
            "Skill ratings: self-ratings (1–10) and Digigram test scores (0–100), before and after.",
            ("person_id", "instrument", "stage", "area"),
            (
                Col("person_id", "str", "Pseudonymous person key (Digigram codes are hashed the same way)"),
                Col("instrument", "str", "Self-rating in the report form, or the Digigram test",
                    vocab=INSTRUMENTS),
                Col("stage", "str", "Before (`pre`) or after (`post`) training", vocab=STAGES),
                Col("area", "str", "`overall` or a DigComp competence area", vocab=AREAS),
                Col("score", "float64", "Self-rating 1–10, or Digigram percentage 0–100",
                    range=(0, 100)),
                Col("assessed_on", "datetime64[ms]", "Date of the rating or test"),
                Col("hub_id", "str", "Hub where the rating or test was taken"),
                _region("ISO 3166-2 code of the hub's region"),
                _PROGRAMME,
            ),
        ),
        Table(
            "waitlist",
            "People waiting for a place, per centre and month.",
            ("hub_id", "month"),
            (
                Col("hub_id", "str", "Centre code (the hubs table's hub_id)"),
                _PROGRAMME,
                _region("ISO 3166-2 code of the centre's region"),
                Col("month", "datetime64[ms]", "First day of the month"),
                Col("waiting", "int64", "People on the waiting list that month", range=(0, 1e6)),
            ),
        ),
        Table(
            "partners",
            "Partner organisations of a centre network.",
            ("partner_id",),
            (
                Col("partner_id", "str", "Stable key: hash of programme and partner name"),
                _PROGRAMME,
                Col("partner", "str", "Name of the partner organisation"),
                Col("partner_type", "str", "Kind of organisation", vocab=PARTNER_TYPES),
                Col("agreement_date", "datetime64[ms]", "Date the partnership agreement was signed",
                    nullable=True),
                Col("staff_trained", "Int64", "Partner staff trained by the centre",
                    range=(0, 1e6), nullable=True),
            ),
        ),
        Table(
            "targets",
            "What a programme plans: one target per region (or the programme as a whole), period and "
            "indicator. Optional: an extract cleaned without a targets file has this table empty.",
            ("programme", "region_code", "period", "indicator"),
            (
                _PROGRAMME,
                _region("ISO 3166-2 code of the region; empty for the programme as a whole", nullable=True),
                Col("period", "str", "Period the target is for, in the app's period codes: `all` (all time), "
                    "`year:2024`, `phase:2022–2023`, `quarter:2024-Q2`, `month:2024-05`",
                    pattern=PERIOD_PATTERN),
                Col("indicator", "str", "Figure the target is set for (the Overview's figure of this key): "
                    "people trained, classes and consultations, active hubs, coordinators trained, share "
                    "rating their skills 7–10 after training", vocab=TARGET_INDICATORS),
                Col("target", "float64", "Target value: a count, or for `share_after` a share 0–1",
                    range=(0, 1e7)),
                Col("source", "str", "Where the target is set (an order, a plan, a grant agreement)",
                    nullable=True),
            ),
        ),
    )
}

QUARANTINE_COLUMNS = (
    Col("source_file", "str", "Raw file the row came from"),
    Col("line", "int64", "Line number in the raw file (1 = header) or sheet row"),
    Col("table", "str", "Table the row was meant for", vocab=tuple(TABLES)),
    Col("reason", "str", "Code of the first rule the row broke"),
    Col("detail", "str", "Every problem found in the row, in words"),
    Col("raw", "str", "The row's raw values as JSON: personal fields removed, ages as bands, dates without the time of day"),
)


def _check(col: Col) -> list[pa.Check]:
    checks = []
    if col.vocab:
        checks.append(pa.Check.isin(list(col.vocab)))
    if col.range:
        checks.append(pa.Check.in_range(*col.range))
    if col.pattern:
        checks.append(pa.Check.str_matches(col.pattern))
    return checks


def schema(table: str, unique: bool = True) -> pa.DataFrameSchema:
    """The pandera schema of a cleaned table: dtypes, vocabularies, ranges, unique key, no extras.

    `unique=False` leaves the key check out, for validating a large table batch by batch.
    """
    t = TABLES[table]
    return pa.DataFrameSchema(
        {c.name: pa.Column(c.dtype, _check(c), nullable=c.nullable) for c in t.columns},
        strict=True,
        ordered=True,
        unique=list(t.key) if unique else None,
        name=table,
    )


def definition(table: str, column: str) -> str:
    """One-line definition of a cleaned column (for tooltips, captions and exports)."""
    for c in TABLES[table].columns:
        if c.name == column:
            return c.definition
    raise KeyError(f"{table}.{column}")

"""The contract's documentation: every cleaned table and column, its values, and how raw rows
become clean rows, as written to data/README.md (`python -m dashboard.contract > data/README.md`)."""

from __future__ import annotations

from dashboard.contract import QUARANTINE_COLUMNS, TABLES

# How the pipeline keeps this promise, in words for data/README.md (part of the contract's documentation).
CLEANING_RULES = """
## How raw rows become clean rows

- **Every raw row is accounted for.** Each data row of each raw file is *cleaned*, *quarantined*
  (with a reason code and every problem in words, in `quarantine.parquet`) or dropped as an
  *exact duplicate* of an earlier row (same values in every mapped column, in any file, whatever
  the encoding or separator; the first copy by file name and line is kept). `report.json` gives,
  per file, `rows_in = cleaned + quarantined + duplicates`. Empty lines are not rows.
- **One person, many rows.** A person is recognised across report rows by their name
  (case, spacing and apostrophes ignored), birth year (or, in files that carry an age, that age)
  and the last nine digits of their phone. These are hashed with a secret salt
  (`DASHBOARD_SALT` or Streamlit secrets, never in the repository) into `person_id`, then
  dropped. Two rows that differ in any of the three count as two people. Digigram participant
  codes are hashed the same way; they are not linked to report rows.
- **Self-rating before and after.** A person's *before* rating is the one given at their first
  activity (earliest class date, then file and line); if it was left blank there, the person has
  no before rating. Their *after* rating is the last one given at the end of an activity. Ratings
  must be whole numbers 1–10 (`0`, `11` or `7,5` quarantine the row).
- **Segment fields** (age band, gender, settlement type, employment, disability, displacement)
  come from the person's first activity; one left blank there is taken from their next activity
  that gives it. Age bands are computed from the birth year at the class date (or the age given);
  ages outside 10–105 (birth years such as 1900 or 2030) quarantine the row.
- **Hub codes** in participant reports, Digigram results and waiting lists must exist in the
  cleaned hub registry; region and programme of those rows are the hub's.
- **Regions** in any spelling (Ukrainian, English, Russian, transliterated, with or without
  "обл."/"oblast", any apostrophe) map to ISO 3166-2 codes through
  `dashboard/clean/vocab/regions.csv`; a bare "Київ"/"Kyiv" is the city, "Київська"/"Kyiv Oblast"
  the oblast; `Кузбасс` is `RU-KEM`. A name that matches none is quarantined with the name.
- **Dates** `17.11.2023`, `2023-11-17`, `17/11/2023`, Excel serials (`45247`) and timestamps are
  read; impossible dates (`2023-13-01`) and dates outside 2000–2035 quarantine the row.
- **Coordinates** accept decimal commas; a pair whose latitude and longitude are swapped is put
  right. A hub with a blank pair is placed at its settlement (`placed` = `settlement`): the name,
  without its type prefix (`м.`, `смт`, `с.`, `селище`…) and whatever its case, spacing or
  apostrophe (' ʼ ’), is looked up among the settlements of the hub's own region in
  `data/geo/settlements.csv`, never in another region. A name several settlements of the region
  share (the KATOTTG codifier's, `data/geo/namesakes.csv`) is narrowed by the registry's hromada,
  then by the settlement type of the prefix; if more than one is left the hub stays off the map
  (`unplaced_reason` = `ambiguous`), as does a name with no match or no coordinates in the table
  (`not_found`) and a hub with no settlement (`no_settlement`). `report.json` counts the hubs of
  each kind under `placement`.
- **Categories** map onto fixed vocabularies through `dashboard/clean/vocab/categories.csv`;
  a blank segment answer is `unknown`; a value that is not in the vocabulary quarantines the row.
- **Keys.** A hub code, training group, centre-month or partner listed again with different
  details keeps its first row; the others are quarantined. A Digigram test repeated at one stage
  keeps the first test before training and the last after it.
- **Targets** (`targets*.csv` / `targets*.xlsx`, optional) give a region in any spelling, or
  `Україна` or a blank for the programme as a whole; a period as a year (`2024`, `2024 рік`), a
  quarter (`I квартал 2024`, `2024-Q3`), a project phase (`Етап 2022–2023`; a phase of one year,
  `Етап 2024`, is that year), all time (`весь період`) or a span of dates that is one of these
  (`01.01.2024–31.03.2024`); any other span quarantines the row (`unknown_period`). Indicators map
  through `categories.csv`; a count must be a whole number of 0 or more, a share is written
  `80%`, `80 %` or `0,8` (`bad_target` otherwise, as for a share given for a count). A target set
  again for the same programme, region, period and indicator keeps its first row.
- **Personal data** (names, phones, e-mails, birth years) never reaches a cleaned file or the
  quarantine; columns not in the header vocabulary are kept out and listed in the report.
"""


def render_markdown() -> str:
    """The field-by-field documentation of the contract, as written to data/README.md."""
    out = [
        "# Cleaned extracts: the contract",
        "",
        "Generated from `dashboard/contract/` by `python -m dashboard.contract > data/README.md`;"
        " a test fails when this file and the code disagree.",
        "",
        "`python -m dashboard.clean RAW_DIR CLEAN_DIR` writes one Parquet file per table below,"
        " plus `quarantine.parquet` and `report.json`. The dashboard reads the folder named by"
        " `DASHBOARD_DATA_DIR` (default `data/clean`).",
        "",
    ]
    for t in TABLES.values():
        out += [f"## `{t.name}`", "", t.description, "", f"Key: {', '.join(f'`{k}`' for k in t.key)}", ""]
        out += ["| column | type | definition | values | nulls |", "|---|---|---|---|---|"]
        for c in t.columns:
            out.append(f"| `{c.name}` | {c.dtype} | {c.definition} | {c.domain()} | {'yes' if c.nullable else 'no'} |")
        out.append("")
    out += ["## `quarantine`", "", "Every rejected raw row, with why.", ""]
    out += ["| column | type | definition | values | nulls |", "|---|---|---|---|---|"]
    for c in QUARANTINE_COLUMNS:
        out.append(f"| `{c.name}` | {c.dtype} | {c.definition} | {c.domain()} | no |")
    out += ["", CLEANING_RULES.strip(), ""]
    return "\n".join(out)

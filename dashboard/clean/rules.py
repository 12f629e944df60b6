"""Pipeline layer: the cleaning rules in words, for data/README.md and the Data quality page."""

RULES_MARKDOWN = """
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
  right; a blank pair stays blank.
- **Categories** map onto fixed vocabularies through `dashboard/clean/vocab/categories.csv`;
  a blank segment answer is `unknown`; a value that is not in the vocabulary quarantines the row.
- **Keys.** A hub code, training group, centre-month or partner listed again with different
  details keeps its first row; the others are quarantined. A Digigram test repeated at one stage
  keeps the first test before training and the last after it.
- **Personal data** (names, phones, e-mails, birth years) never reaches a cleaned file or the
  quarantine; columns not in the header vocabulary are kept out and listed in the report.
"""

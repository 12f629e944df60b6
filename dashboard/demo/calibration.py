"""Demo layer: calibration targets of the demo data, each with the reason for its value.

The generator draws from these figures; the tests check the *cleaned* demo against the
published programme figures they stand for, computed independently from the Parquet files.
"""

from __future__ import annotations

# --- Hub registry ---------------------------------------------------------------------------
# The national registry lists about 6,000 Digital Education Hubs.
HUBS_TOTAL = 6000
# Most of them joined in the network's first year (more than 6,000 by the end of 2021 in the
# published history); the 2022–2023 phase then brought this share of its regions' library hubs
# in (October 2022 – September 2023), so that library hubs pass 3,000 in 2023.
PHASE1_LIBRARY_JOINS = 0.30
# The 2024 and 2025 phases added a few other institutions (ЦНАП, schools) in their regions.
LATE_JOINS = {"2024": 0.03, "2025": 0.01}
# 3,000–3,500 of them are public libraries or library branches; the rest are ЦНАП, schools
# and houses of culture.
LIBRARY_SHARE = 0.54
# At most this share of a region's public libraries are hubs (about 19% nationally; the capital,
# with many hubs and few libraries, would otherwise exceed its library count).
LIBRARY_CAP = 0.6
# Most hubs are working; a few pause or close each year.
STATUS_SHARES = {"Активний": 0.90, "Призупинено": 0.06, "Закрито": 0.04}
# Regions occupied since 2014 (Crimea, Sevastopol) had few hubs registered: weight vs population.
FULLY_OCCUPIED_WEIGHT = 0.05
# Share of a partly occupied region's hubs that lie in temporarily occupied territory (ТОТ),
# taken from the region's east/south-east, where the occupied districts are.
OCCUPIED_SHARE = {"UA-09": 0.85, "UA-14": 0.55, "UA-23": 0.45, "UA-65": 0.30, "UA-63": 0.05}
OCCUPIED_SHARE_DEFAULT = 0.25
# Hubs per settlement grow slower than population: villages host many small library hubs.
SETTLEMENT_WEIGHT_POWER = 0.5

# --- Training cascade -------------------------------------------------------------------------
# The 2022–2023 phase covered 12 regions (west and centre); 2024 covered 22 regions and Kyiv
# city (all oblasts except Luhansk and Donetsk); 2025 continued everywhere not fully occupied.
PHASE_2022_2023 = ("UA-05", "UA-07", "UA-18", "UA-26", "UA-32", "UA-46",
                   "UA-53", "UA-56", "UA-61", "UA-68", "UA-71", "UA-77")
PHASE_2024 = ("UA-05", "UA-07", "UA-12", "UA-18", "UA-21", "UA-23", "UA-26", "UA-30",
              "UA-32", "UA-35", "UA-46", "UA-48", "UA-51", "UA-53", "UA-56", "UA-59",
              "UA-61", "UA-63", "UA-65", "UA-68", "UA-71", "UA-74", "UA-77")
# Coordinator groups per phase (about 40 in 2024); trainer groups are one per phase region.
COORDINATOR_GROUPS = {"2022–2023": 30, "2024": 40, "2025": 16}
TRAINER_GROUPS_2025 = 6

# --- Participants -----------------------------------------------------------------------------
# People spread over the years so that 2024 holds about 42% (≈25,000 of the default 60,000);
# 2022 is only November–December.
YEAR_SHARES = {2022: 0.05, 2023: 0.28, 2024: 0.42, 2025: 0.25}
YEAR_WINDOWS = {2022: ("2022-11-01", "2022-12-20"), 2023: ("2023-01-09", "2023-12-20"),
                2024: ("2024-01-08", "2024-12-20"), 2025: ("2025-01-08", "2025-10-31")}
# The winter 2022–23 power outages (data/reference/events.csv: rolling blackouts from 10 October
# 2022, the grid's collapse on 23 November, lifted in February 2023): fewer people came, so a day
# in each period draws this share of an ordinary day's first activities.
OUTAGE_ACTIVITY = (("2022-10-10", "2022-11-22", 0.8), ("2022-11-23", "2023-01-31", 0.45),
                   ("2023-02-01", "2023-02-15", 0.75))
# Women are over-represented among learners (about two in three).
GENDER_SHARES = {"female": 0.675, "male": 0.315, "other": 0.005, "unknown": 0.005}
# Age at the activity: the programme reaches mostly older people.
AGE_BANDS = ((14, 24, 0.05), (25, 44, 0.12), (45, 59, 0.23), (60, 69, 0.32), (70, 89, 0.28))
# Where a person lives: mostly where the hub is (rural hubs serve villages).
SAME_SETTLEMENT_TYPE = 0.75
# Employment by age group: (працює, безробітний/шукає роботу, пенсіонер, студент, інше).
EMPLOYMENT_BY_AGE = {"young": (0.25, 0.10, 0.00, 0.60, 0.05),
                     "working": (0.55, 0.28, 0.05, 0.02, 0.10),
                     "older": (0.06, 0.02, 0.88, 0.00, 0.04)}
DISABILITY_SHARE = 0.08
DISPLACED_SHARE = 0.10
# Activity rows per person: 1, 2, 3 or 4.
ACTIVITY_COUNT_SHARES = (0.45, 0.30, 0.15, 0.10)
# Self-ratings 1–10. Before: 43% rate 1–4, 17% rate 7–10. After: 10% rate 1–4, 82% rate 7–10.
RATING_BEFORE = (0.04, 0.09, 0.14, 0.16, 0.22, 0.18, 0.10, 0.05, 0.015, 0.005)
RATING_AFTER = (0.01, 0.02, 0.03, 0.04, 0.04, 0.04, 0.20, 0.30, 0.20, 0.12)
# Who starts lower and gains less: older people and villagers rate their skills lower before
# training and gain somewhat less (the national digital-skills survey finds lower skills among
# older and rural adults; the sizes here are the demo's own). Shifts on a latent normal scale
# (standard deviations), per band of AGE_BANDS and per settlement type; before and after are
# drawn by rank within each chunk, so the shares above hold whatever the mix of groups.
RATING_START_BY_AGE = (0.5, 0.4, 0.1, -0.15, -0.3)
RATING_GAIN_BY_AGE = (0.4, 0.3, 0.1, -0.1, -0.2)
RATING_START_BY_SETTLEMENT = {"city": 0.2, "town": 0.0, "village": -0.2}
RATING_GAIN_BY_SETTLEMENT = {"city": 0.15, "town": 0.0, "village": -0.15}
# People who did not finish: no after-rating on any of their rows.
NO_AFTER_SHARE = 0.12
# Share of people who also took the Digigram test (before, and mostly after).
DIGIGRAM_SHARE = 0.10
DIGIGRAM_NO_AFTER = 0.15

# --- Kemerovo centre network ("Твой курс") ----------------------------------------------------
# One centre in 2010, five more in 2011, twelve more in 2012, then 4 and 3 (25 by 2014).
KEMEROVO_OPENINGS = {2010: 1, 2011: 5, 2012: 12, 2013: 4, 2014: 3}
# The main centre's waiting list peaked near 1,000 people in May 2012.
WAITLIST_PEAK = 1000
WAITLIST_PEAK_MONTH = "2012-05"

"""Test helper of tests/export: every exportable figure's table for two views, counted by hand
from the fixture extract (tests/conftest.py), in English, with k = 10 and no perturbation.

Cells are what the figure's table holds: a whole number of people, a share or change in percent
with one decimal, FEWER for a hidden count of 1..9 people, None for a figure built on one (a
share of hidden people) or for a cell with no value. Nothing here is computed by the code under test.

The fixture, as far as these views reach (ua_hubs, 2024; "rated" = an overall self-rating):
- group A: 12 women of 60–69, one class each at ХЦО-00001 (UA-05) on 12 March 2024; all rated 3
  before, 10 of them 8 after (2 gave no rating after);
- group B: 8 men of 25–44, two classes each at ХЦО-00003 (UA-32), 20 March and 17 April 2024;
  rated 5 before, after 6, 6, 6, 9, 9, 9, 9, 9;
- person P: a man of 70+, classes at ХЦО-00001 on 5 December 2023 and 10 March 2024, and at
  ХЦО-00003 (UA-32) on 20 May 2024; rated 6 before, 7 after;
- group C (5 women of 45–59, November 2023) and group D (15 women of 70+, February 2025) fall
  outside both views; Kemerovo's centres are another programme.
- library hubs not closed: ХЦО-00001 (joined 2022) and ХЦО-00002 (November 2023), both in UA-05,
  which has 40 public libraries; all of Ukraine's regions of the fixture have 40 + 60 + 20 + 30 = 150.
- coordinators who completed training in groups that ended in 2024: 21 (K-2024-031, UA-05) and
  8 (K-2024-040, UA-32; K-2024-032 did not record completions); in 2023: 23 (K-2023-014, UA-05).
The previous period of 2024 is the 366 days before it (31 December 2022 – 31 December 2023).
- targets of 2024 (tests/conftest.py TARGETS), people trained: 30 for the whole country, 10 for
  UA-05, 20 for UA-32; the year is over by the data date, so all of each is due. Targets are for
  all participants: the progress figure leaves the participant group out. People in 2023 (the
  baseline): C's 5 and P in UA-05, 6 in all (hidden); nobody elsewhere.
"""

from __future__ import annotations

from coverage_counts import coverage_tables

FEWER = "fewer than 10"
MONTHS = [f"2024-{m:02d}" for m in range(1, 13)]
KEY_FIGURES_COLUMNS = ["Indicator", "Value", "Unit", "Previous period", "Change"]
SKILLS_COLUMNS = ["When", "People who gave a rating", "Of them rating 7–10", "Share rating 7–10, %"]
REGION_COLUMNS = ["ISO 3166-2", "Region", "People", "People trained per 10,000 residents"]
SHARES_COLUMNS = ["Indicator", "When", "Share, %", "95% interval from, %", "95% interval to, %"]
HIGH, LOW = "Rate their skills 7–10", "Rate their skills 1–4"
PROGRESS_COLUMNS = ["ISO 3166-2", "Region", "Baseline", "Target", "Actual", "Achieved, % of target",
                    "Expected by now, % of target", "Status"]
# 2024, people trained: the whole country's 21 (A 12, B 8, P) of 30 is 70%, below 80% of what is
# due (all of it): off track; Vinnytsia Oblast's 13 (A and P) of 10 is 130%: on track.
NATIONAL_2024 = [None, "Whole country", FEWER, 30, 21, 70.0, 100.0, "✗ off track"]
GAP_COLUMNS = ["ISO 3166-2", "Region", "Characteristic", "Group", "People rated before and after", "Gain, points",
               "Gain, lower 95% bound", "Gain, upper 95% bound", "National gain, points",
               "National gain, lower 95% bound", "National gain, upper 95% bound", "Gap, points",
               "Gap, lower 95% bound", "Gap, upper 95% bound", "Standing", "In words"]
# Self-rating gains of 2024 (post − pre, people rated both): A01–A10 5, B01–B08 1 1 1 4 4 4 4 4, P 1.
# Nationally 74/19 = 3.8947, sd 1.5949, t interval ± 2.1009 × 1.5949/√19 = 3.13 – 4.66. Vinnytsia
# Oblast's groups (A, and P who also learned there): A alone 5.00 (sd 0: 5.00 – 5.00), gap 1.11 ±
# 1.96 × √(0/10 + 1.5949²/19) = 0.39 – 1.82; A and P 51/11 = 4.64, sd 1.2060, ± 2.2281 × 1.2060/√11 =
# 3.83 – 5.45, gap 0.74 ± 1.96 × √(1.2060²/11 + 1.5949²/19 − 2 × 1.2060²/19) = 0.08 – 1.40. P alone is
# hidden. The group of the view's filters does not apply: groups are one value of one characteristic.
NATIONAL_GAIN = [3.89, 3.13, 4.66]


def _gap_row(group: str, column: str, words: str, people: int, gain: list, gap: list) -> list:
    gain_words = f"{gain[0]:.2f} points on average (95% CI {gain[1]:.2f} – {gain[2]:.2f})"
    sentence = (f"Vinnytsia Oblast, 2024: {words} raised their self-rated digital skills by {gain_words}, "
                f"{gap[0]:.2f} points more than participants nationwide (3.89 points; 95% CI of the gap "
                f"{gap[1]:.2f} – {gap[2]:.2f}).")
    return ["UA-05", "Vinnytsia Oblast", column, group, people, *gain, *NATIONAL_GAIN, *gap, "▲ gained more", sentence]


A_AND_P, A_ALONE = ([4.64, 3.83, 5.45], [0.74, 0.08, 1.4]), ([5.0, 5.0, 5.0], [1.11, 0.39, 1.82])
VINNYTSIA_GAPS = [  # all ahead, the smallest gap first, then in the order of the characteristics
    _gap_row("village", "Settlement type", "village residents", 11, *A_AND_P),
    _gap_row("retired", "Employment", "retired people", 11, *A_AND_P),
    _gap_row("not displaced", "Internally displaced people", "people who are not displaced", 11, *A_AND_P),
    _gap_row("60–69", "Age", "people aged 60–69", 10, *A_ALONE),
    _gap_row("women", "Gender", "women", 10, *A_ALONE),
    _gap_row("without a disability", "Disability", "people without a disability", 10, *A_ALONE),
]
VINNYTSIA_2024 = ["UA-05", "Vinnytsia Oblast", FEWER, 10, 13, 130.0, 100.0, "✓ on track"]


def _months(people: dict[str, object]) -> list[list[object]]:
    """Every month of 2024, zero unless given."""
    return [[m, people.get(m, 0)] for m in MONTHS]


# Vinnytsia Oblast, 2024, women of 60 and over: group A alone.
VINNYTSIA_TABLES: dict[str, tuple[list[str], list[list[object]]]] = {
    "participation_trend": (["Month", "People"], _months({"2024-03": 12})),
    "key_figures": (KEY_FIGURES_COLUMNS, [
        # 1 hub (ХЦО-00001) against none in 2023 (C is 45–59, P a man).
        ["Active hubs", 1, "", 0, 1],
        # 2 library hubs of 40 libraries at the end of 2024 and of 2023 alike.
        ["Public libraries serving as hubs", 5.0, "%", 5.0, 0.0],
        ["People trained", 12, "", 0, 12],
        ["Classes and consultations", 12, "", 0, 12],
        # Coordinators do not depend on the group of people: UA-05's 21 against 23.
        ["Coordinators trained", 21, "", 23, -2],
        ["Regions covered", 1, "", 0, 1],
        # 0 of 12 rated 7–10 before training, 10 of 10 after.
        ["Rating their skills 7–10 before training", 0.0, "%", None, None],
        ["Rating their skills 7–10 after training", 100.0, "%", None, None],
        ["Change in the share rating their skills 7–10", 100.0, "pp", None, None],
    ]),
    "skills": (SKILLS_COLUMNS, [["Before training", 12, 0, 0.0], ["After training", 10, 10, 100.0]]),
    # The map shows every region of Ukraine in the fixture, whatever the region filter; 12 people of
    # Vinnytsia Oblast's 1,500,000 residents are 0.08 per 10,000, written as 0.1.
    "region_map": (REGION_COLUMNS, [["UA-05", "Vinnytsia Oblast", 12, 0.1], ["UA-30", "Kyiv", 0, 0.0],
                                    ["UA-32", "Kyiv Oblast", 0, 0.0], ["UA-46", "Lviv Oblast", 0, 0.0]]),
    "people_by_region": (REGION_COLUMNS, [["UA-05", "Vinnytsia Oblast", 12, 0.1]]),
    # Wilson 95% intervals: 0 of n reaches z²/(n + z²), n of n starts at n/(n + z²), z = 1.96:
    # 0 of 12 → 0–24.2, 12 of 12 → 75.8–100, 10 of 10 → 72.2–100, 0 of 10 → 0–27.8.
    "skill_shares": (SHARES_COLUMNS, [[HIGH, "Before", 0.0, 0.0, 24.2], [HIGH, "After", 100.0, 72.2, 100.0],
                                      [LOW, "Before", 100.0, 75.8, 100.0], [LOW, "After", 0.0, 0.0, 27.8]]),
    # The region of the view and the whole country.
    "progress": (PROGRESS_COLUMNS, [NATIONAL_2024, VINNYTSIA_2024]),
    "left_behind": (GAP_COLUMNS, VINNYTSIA_GAPS),
}

# Men, all regions, 2024: B (8) and P, 9 people; every count of people is 1..9.
MEN_TABLES: dict[str, tuple[list[str], list[list[object]]]] = {
    # March: B and P (9); April: B (8); May: P at ХЦО-00003 (1).
    "participation_trend": (["Month", "People"], _months({"2024-03": FEWER, "2024-04": FEWER, "2024-05": FEWER})),
    "key_figures": (KEY_FIGURES_COLUMNS, [
        # ХЦО-00001 and ХЦО-00003 against ХЦО-00001 alone (P in December 2023).
        ["Active hubs", 2, "", 1, 1],
        # 2 library hubs of 150 libraries (1.33%), at the end of 2024 and of 2023.
        ["Public libraries serving as hubs", 1.3, "%", 1.3, 0.0],
        # 9 people against P alone: both hidden, and no change is written.
        ["People trained", FEWER, "", FEWER, None],
        # 16 classes of B and 2 of P in 2024, against P's one class of December 2023.
        ["Classes and consultations", 18, "", FEWER, None],
        ["Coordinators trained", 29, "", 23, 6],
        ["Regions covered", 2, "", 1, 1],
        # Shares of 9 people rated before and after: hidden.
        ["Rating their skills 7–10 before training", None, "%", None, None],
        ["Rating their skills 7–10 after training", None, "%", None, None],
        ["Change in the share rating their skills 7–10", None, "pp", None, None],
    ]),
    # Rated before: 9 (B at 5, P at 6), none at 7–10 (a zero is not hidden); after: 9, of them
    # 6 at 7–10 (five of B at 9, P at 7).
    "skills": (SKILLS_COLUMNS, [["Before training", FEWER, 0, None], ["After training", FEWER, FEWER, None]]),
    # UA-05: P alone; UA-32: B and P (hidden, and their rates with them).
    "region_map": (REGION_COLUMNS, [["UA-05", "Vinnytsia Oblast", FEWER, None], ["UA-30", "Kyiv", 0, 0.0],
                                    ["UA-32", "Kyiv Oblast", FEWER, None], ["UA-46", "Lviv Oblast", 0, 0.0]]),
    "people_by_region": (REGION_COLUMNS, [["UA-05", "Vinnytsia Oblast", FEWER, None],
                                          ["UA-32", "Kyiv Oblast", FEWER, None]]),
    "skill_shares": (SHARES_COLUMNS, [[HIGH, "Before", None, None, None], [HIGH, "After", None, None, None],
                                      [LOW, "Before", None, None, None], [LOW, "After", None, None, None]]),
    # Every region: Kyiv Oblast's 9 (B and P) is hidden, so no per cent; Kyiv and Lviv Oblast have
    # no target (nobody was trained there in 2023 or 2024).
    "progress": (PROGRESS_COLUMNS, [
        NATIONAL_2024, VINNYTSIA_2024,
        ["UA-30", "Kyiv", 0, None, 0, None, 100.0, "– no target"],
        ["UA-32", "Kyiv Oblast", 0, 20, FEWER, None, 100.0, "… hidden (small number)"],
        ["UA-46", "Lviv Oblast", 0, None, 0, None, 100.0, "– no target"],
    ]),
    # The whole country: no region's group is behind that can be shown (Kyiv Oblast's have 9 people
    # at most; Vinnytsia Oblast's gained more).
    "left_behind": (GAP_COLUMNS, []),
}

# The Coverage page's figures: settlements and their populations, not people trained, so the same
# whatever the group (coverage_counts.py counts them from data/geo/settlements.csv).
VINNYTSIA_TABLES |= coverage_tables("UA-05", ("UA-05",))
MEN_TABLES |= coverage_tables(None, ("UA-05", "UA-30", "UA-32", "UA-46"))


def as_csv(cell: object) -> str:
    """A cell as an exported CSV writes it: the number's text, the words, or empty for None."""
    return "" if cell is None else str(cell)

# The hubs of the view (tests/conftest.py HUBS): none has coordinates or a settlement, so none is on
# the map; most people first, then by name, a hidden count below every shown one (as on the Map page).
HUB_COLUMNS = ["ISO 3166-2", "Region", "Hub", "Settlement", "Hromada", "On the map", "Status", "Joined", "People trained"]
NOT_PLACED = "not on the map"
# Vinnytsia Oblast, women of 60 and over in 2024: group A's 12 at ХЦО-00001, nobody at ХЦО-00002.
VINNYTSIA_TABLES["hubs"] = (HUB_COLUMNS, [
    ["UA-05", "Vinnytsia Oblast", "Брацлавська публічна бібліотека", None, None, NOT_PLACED, "active", "2022-10-03", 12],
    ["UA-05", "Vinnytsia Oblast", "Бібліотека-філія с. Мар’янівка", None, None, NOT_PLACED, "active", "2023-11-17", 0],
])
# Men in 2024, every region: the hubs that had joined by 31 December 2024 (ХЦО-00005 joined in
# 2025); P alone at ХЦО-00001, B and P (9) at ХЦО-00003: both hidden, so listed after the zeros.
MEN_TABLES["hubs"] = (HUB_COLUMNS, [
    ["UA-05", "Vinnytsia Oblast", "Бібліотека-філія с. Мар’янівка", None, None, NOT_PLACED, "active", "2023-11-17", 0],
    ["UA-32", "Kyiv Oblast", "Сільська бібліотека", None, None, NOT_PLACED, "closed", "2024-06-01", 0],
    ["UA-05", "Vinnytsia Oblast", "Брацлавська публічна бібліотека", None, None, NOT_PLACED, "active", "2022-10-03", FEWER],
    ["UA-32", "Kyiv Oblast", "ЦНАП <b>Бровари</b>", None, None, NOT_PLACED, "active", "2024-02-01", FEWER],
])

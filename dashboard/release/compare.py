"""Release layer: a draft release beside the current one — what changed, region by region — for the person who approves it."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.release import grain
from dashboard.release.source import Release

COLUMNS = ("region_code", "current", "draft", "change")


def people_by_region(release: Release, programme: str) -> pd.DataFrame:
    """People trained of all time per region of the programme, and the whole country (region_code
    None), as the release publishes them (protected; missing where hidden)."""
    held = release.held_periods(programme)
    if grain.ALL not in held:
        return pd.DataFrame({"region_code": pd.Series(dtype="object"), "people": pd.Series(dtype="Int64")})
    start, end = held[grain.ALL]
    regions = release.region_metrics(Filters(programme=programme, start=start, end=end))
    country = release.counts(Filters(programme=programme, start=start, end=end))
    return pd.concat([pd.DataFrame({"region_code": [None], "people": country["people"].astype("Int64")}),
                      regions[["region_code", "people"]]], ignore_index=True)


def compare(current: Release | None, draft: Release, programme: str) -> pd.DataFrame:
    """Per region (the whole country first, region_code None): people of all time in the current
    release and in the draft, and the change (missing where either is hidden or absent)."""
    new = people_by_region(draft, programme).rename(columns={"people": "draft"})
    if current is None:
        old = new[["region_code"]].assign(current=pd.array([pd.NA] * len(new), dtype="Int64"))
    else:
        old = people_by_region(current, programme).rename(columns={"people": "current"})
    out = old.merge(new, on="region_code", how="outer")
    out["current"], out["draft"] = out["current"].astype("Int64"), out["draft"].astype("Int64")
    out["change"] = out["draft"] - out["current"]
    whole = out["region_code"].isna()
    return pd.concat([out[whole], out[~whole].sort_values("region_code")], ignore_index=True)[list(COLUMNS)]

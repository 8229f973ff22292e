"""The published figures a run is set beside: what each source recorded, from the project's copy of the data.

Only for orientation in summaries: the model's years and the published years differ (the calibration file stops
where each route's big policy shock begins). Calibration proper is a separate step.
"""

from functools import cache
from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parents[1] / "data"

# Which published series each observation source stands for: (route, metric).
SOURCE_SERIES = {
    "frontex_eastern_med_sea": ("eastern_med", "sea_detections"),
    "frontex_eastern_med_land": ("eastern_med", "land_detections"),
    "frontex_western_balkans": ("western_balkans", "detections"),
    "frontex_central_med": ("central_med", "detections"),
    "frontex_western_med": ("western_med", "detections"),
    "ho_small_boat": ("channel", "arrivals"),
    "frontex_western_african": ("western_african", "detections"),
    "frontex_eastern_land": ("eastern_land", "detections"),
}


@cache
def observed() -> pd.DataFrame:
    """data/observed_calibration.csv (period, route, metric, value, source)."""
    return pd.read_csv(DATA / "observed_calibration.csv", dtype={"period": str})


def latest_annual(route: str, metric: str) -> tuple[str, float] | None:
    """The latest yearly figure published for a route and metric, as (year, value)."""
    table = observed()
    rows = table[(table["route"] == route) & (table["metric"] == metric) & (table["period"].str.len() == 4)]
    if rows.empty:
        return None
    row = rows.sort_values("period").iloc[-1]
    return row["period"], float(row["value"])

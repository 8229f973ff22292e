"""The published figures a run is set beside: what each source recorded, from the project's copy of the data.

A model year is set beside the figure published for the same year when the package holds one; otherwise the
comparison says so and names the latest year it holds (the calibration file stops where each route's big policy
shock begins). Only for orientation in summaries: calibration proper is a separate step.
"""

import calendar
from functools import cache
from pathlib import Path

import pandas as pd

from sim.outputs.outcomes import OUTCOMES, Outcome, scalar_outcomes

DATA = Path(__file__).resolve().parents[1] / "data"

# Which published series each observation source stands for, (route, metric): read from the outcome registry.
SOURCE_SERIES: dict[str, tuple[str, str]] = {o.subject: o.observed for o in OUTCOMES
                                             if o.measure == "recorded" and o.observed is not None}
# Reductions whose value over part of a year can be scaled to a whole year (counts); ratios are not scaled.
SCALED = ("sum", "count_days")
COLUMNS = ["outcome", "label", "unit", "year", "days", "model", "model_per_year", "published", "note"]


@cache
def observed() -> pd.DataFrame:
    """data/observed_calibration.csv (period, route, metric, value, source)."""
    return pd.read_csv(DATA / "observed_calibration.csv", dtype={"period": str})


def _annual_rows(route: str, metric: str) -> pd.DataFrame:
    table = observed()
    return table[(table["route"] == route) & (table["metric"] == metric) & (table["period"].str.len() == 4)]


def annual(route: str, metric: str, year: int) -> float | None:
    """The figure published for a route and metric in one year, if the package holds it."""
    rows = _annual_rows(route, metric)
    rows = rows[rows["period"] == str(year)]
    return None if rows.empty else float(rows["value"].iloc[0])


def latest_annual(route: str, metric: str) -> tuple[str, float] | None:
    """The latest yearly figure published for a route and metric, as (year, value)."""
    rows = _annual_rows(route, metric)
    if rows.empty:
        return None
    row = rows.sort_values("period").iloc[-1]
    return row["period"], float(row["value"])


def _in_year(tables: dict[str, pd.DataFrame], year: int) -> dict[str, pd.DataFrame]:
    """The run's daily tables restricted to the days of one calendar year."""
    return {name: df[pd.DatetimeIndex(df["date"]).year == year] for name, df in tables.items() if "date" in df}


def _note(o: Outcome, year: int, days: int, days_in_year: int, published: float | None) -> str:
    route, metric = o.observed
    if published is None:
        latest = latest_annual(route, metric)
        held = f"latest: {latest[0]} ({latest[1]:,.{0 if latest[1].is_integer() else 1}f})" if latest else (
            "none for this series")
        return f"no published figure for {year} in the package; {held}"
    if days < days_in_year and o.reduction in SCALED:
        return f"run covers {days} of the year's {days_in_year} days: model per year scaled from them"
    if days < days_in_year:
        return f"run covers {days} of the year's {days_in_year} days"
    return ""


def beside_published(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every outcome standing for a published series, per calendar year of the run, beside the figure published
    for that same year (NaN and a note saying so when the package holds none)."""
    marked = [o for o in OUTCOMES if o.observed is not None]
    dates = pd.DatetimeIndex(tables["daily_corridor"]["date"].unique())
    rows = []
    for year in sorted(set(dates.year)):
        days = int((dates.year == year).sum())
        days_in_year = 366 if calendar.isleap(year) else 365
        values = scalar_outcomes(_in_year(tables, year), [o.name for o in marked])
        for o in marked:
            model = values[o.name]
            per_year = model * days_in_year / days if o.reduction in SCALED else model
            published = annual(*o.observed, year)
            rows.append({"outcome": o.name, "label": o.label, "unit": o.unit, "year": year, "days": days,
                         "model": model, "model_per_year": per_year,
                         "published": float("nan") if published is None else published,
                         "note": _note(o, year, days, days_in_year, published)})
    return pd.DataFrame(rows, columns=COLUMNS)

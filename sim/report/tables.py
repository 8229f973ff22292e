"""The report's tables of one run: totals by corridor and destination, and the headline outcomes per month,
calendar year and UK financial year (April to March), every amount of money in EUR and GBP.

Each table is a DataFrame with words for headers (the outcome registry's labels and units), written to the report
and, as CSV, beside it (`tables/NAME.csv`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sim.network import CROSSING_CORRIDORS
from sim.outputs.outcomes import CORRIDOR_LABELS, MEASURES, outcome, scalar_outcomes, sinks
from sim.runner import corridor_totals

MIN_INTERVAL_REPLICATES = 3  # fewer replicates: no interval printed or starred
MIN_BAND_REPLICATES = 10  # fewer replicates: no band drawn on a chart
CROSSINGS = "crossings." + "+".join(CROSSING_CORRIDORS)
# (outcome, column header) of the headline per period, in the order shown.
HEADLINE: tuple[tuple[str, str], ...] = (
    (CROSSINGS, "Crossings (people)"), ("arrivals.total", "Arrivals (people)"),
    ("deaths.total", "Deaths, realised"), ("expected_deaths.total", "Deaths, expected"),
    ("intercepted.total", "Intercepted (people)"), ("prevented.total", "Prevented from departing (people)"),
    ("give_ups.total", "Gave up (people)"), ("people_per_boat.channel", "People per boat, Channel"),
    ("price.channel", "Price of a place, Channel (EUR)"), ("revenue_eur.total", "Smugglers' revenue (EUR)"),
    ("arrests.total", "Arrests"), ("boats_seized.total", "Boats seized"),
)
CORRIDOR_COLUMNS = ("crossings", "departures", "deaths", "intercepted", "prevented", "boats", "people_per_boat",
                    "price", "revenue_eur", "settled", "gone_home")
MONEY_IN_EUR = {"price": "EUR/place", "revenue_eur": "EUR"}


def _header(measure: str) -> str:
    label, unit, _ = MEASURES[measure]
    return f"{label} ({unit})"


def _gbp_header(eur_header: str) -> str:
    return eur_header.replace("EUR", "GBP")


def with_gbp(table: pd.DataFrame, eur_columns: list[str], gbp_to_eur: float) -> pd.DataFrame:
    """`table` with a GBP column after each EUR column (EUR / the scenario's rate in EUR per GBP)."""
    out = table.copy()
    for column in eur_columns:
        at = list(out.columns).index(column) + 1
        out.insert(at, _gbp_header(column), out[column] / gbp_to_eur)
    return out


def corridor_table(tables: dict[str, pd.DataFrame], gbp_to_eur: float) -> pd.DataFrame:
    """Corridors where anyone moved x the totals over the run, headed by label and unit."""
    totals = corridor_totals(tables)
    moving = totals[["departures", "landings", "settled", "gone_home"]].sum(axis=1) > 0
    table = totals.loc[moving, list(CORRIDOR_COLUMNS)].rename(columns=_header)
    table.index = [CORRIDOR_LABELS[str(c)] for c in table.index]
    table.index.name = "Corridor"
    return with_gbp(table.reset_index(), [_header(m) for m in MONEY_IN_EUR], gbp_to_eur)


def destination_table(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Arrivals per destination over the run."""
    names = [f"arrivals.{hub}" for hub, _ in sinks()]
    values = scalar_outcomes(tables, names)
    return pd.DataFrame({"Destination": [name for _, name in sinks()],
                         "Arrivals (people)": [values[n] for n in names]})


def uk_financial_year(day: dt.date) -> str:
    """The UK government's financial year of a day, e.g. 2024-25 for 1 April 2024 to 31 March 2025."""
    first = day.year if day.month >= 4 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def _period_labels(dates: pd.DatetimeIndex, resolution: str) -> pd.Index:
    match resolution:
        case "month":
            return pd.Index(dates.strftime("%Y-%m"))
        case "calendar year":
            return pd.Index(dates.year.astype(str))
        case "UK financial year":
            return pd.Index([uk_financial_year(d) for d in dates.date])
    raise ValueError(f"unknown period {resolution!r}")


def _days_in(label: str, resolution: str) -> int:
    if resolution == "month":
        return pd.Period(label, "M").days_in_month
    first = int(label[:4])
    start = dt.date(first, 1, 1) if resolution == "calendar year" else dt.date(first, 4, 1)
    return (start.replace(year=start.year + 1) - start).days


def period_table(tables: dict[str, pd.DataFrame], resolution: str, gbp_to_eur: float) -> pd.DataFrame:
    """The headline outcomes per month, calendar year or UK financial year of the run; `Days in run` says when
    the run covers only part of a period (its figures are then for those days only, not scaled)."""
    dates = pd.DatetimeIndex(pd.to_datetime(tables["daily_corridor"]["date"]).unique()).sort_values()
    labels = _period_labels(dates, resolution)
    rows = []
    for label in dict.fromkeys(labels):
        chosen = set(dates[labels == label])
        part = {name: df[pd.to_datetime(df["date"]).isin(chosen)] for name, df in tables.items() if "date" in df}
        values = scalar_outcomes(part, [name for name, _ in HEADLINE])
        days = len(chosen)
        rows.append({resolution[0].upper() + resolution[1:]: label, "Days in run": days,
                     "Whole period": "yes" if days == _days_in(label, resolution) else "part",
                     **{header: values[name] for name, header in HEADLINE}})
    table = pd.DataFrame(rows)
    money = [header for name, header in HEADLINE if outcome(name).measure in MONEY_IN_EUR]
    return with_gbp(table, money, gbp_to_eur)


def interval_text(low: float, high: float, n: int, digits: int = 0) -> str:
    """'low to high', or why there is none: no interval from fewer than MIN_INTERVAL_REPLICATES replicates."""
    if n < MIN_INTERVAL_REPLICATES:
        return f"none ({n} replicate{'s' if n != 1 else ''}; needs {MIN_INTERVAL_REPLICATES})"
    if pd.isna(low) or pd.isna(high):
        return "–"
    return f"{low:+,.{digits}f} to {high:+,.{digits}f}"

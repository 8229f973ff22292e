"""Charts of a run's output tables (schemas in docs/architecture.md), one function per chart.

Uses matplotlib's object API only (no pyplot), so drawing is safe in threads and under any backend.
Every function takes tidy DataFrames and returns a `Figure`; `save_all` writes them as PNGs.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

# Okabe-Ito colour-blind-safe palette (yellow left out: too pale for lines on white).
CORRIDOR_COLORS: dict[str, str] = {
    "approach": "#000000",
    "eastern_med": "#E69F00",
    "western_balkans": "#CC79A7",
    "central_med": "#0072B2",
    "western_med": "#009E73",
    "onward": "#56B4E9",
    "channel": "#D55E00",
    "other": "#999999",
}
CORRIDOR_LABELS: dict[str, str] = {
    "approach": "Approach (origins to coasts)",
    "eastern_med": "Eastern Mediterranean",
    "western_balkans": "Western Balkans",
    "central_med": "Central Mediterranean",
    "western_med": "Western Mediterranean",
    "onward": "Onward (within Europe)",
    "channel": "English Channel",
    "other": "Other",
}
DESTINATION_COLORS: tuple[str, ...] = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999",
)
FIGSIZE = (10.0, 5.0)
DPI = 120
WEEK = "W-MON"  # weeks start on Monday and are labelled by that Monday


def corridor_color(corridor: str) -> str:
    return CORRIDOR_COLORS.get(corridor, CORRIDOR_COLORS["other"])


def corridor_label(corridor: str) -> str:
    return CORRIDOR_LABELS.get(corridor, corridor.replace("_", " ").capitalize())


def _order(columns: pd.Index) -> list[str]:
    """Corridors in the fixed vocabulary order, unknown ones after, alphabetically."""
    known = [c for c in CORRIDOR_COLORS if c in columns]
    return known + sorted(c for c in columns if c not in CORRIDOR_COLORS)


def _wide(df: pd.DataFrame, value: str, by: str = "corridor") -> pd.DataFrame:
    """date x `by` table of daily sums of `value` (NaN kept where every entry is NaN)."""
    wide = df.groupby(["date", by])[value].sum(min_count=1).unstack(by)
    wide.index = pd.DatetimeIndex(wide.index)
    return wide.sort_index()


def _resample_sum(wide: pd.DataFrame, rule: str) -> pd.DataFrame:
    if rule == "MS":
        return wide.resample("MS").sum()
    return wide.resample(rule, closed="left", label="left").sum()


def _axes(title: str, ylabel: str, nrows: int = 1) -> tuple[Figure, list[Axes]]:
    fig = Figure(figsize=(FIGSIZE[0], FIGSIZE[1] * (1 + 0.6 * (nrows - 1))), layout="constrained")
    axes = list(np.atleast_1d(fig.subplots(nrows, 1, sharex=True)))
    fig.suptitle(title)
    for ax in axes:
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
    return fig, axes


def _finish(ax: Axes, zero_floor: bool = True) -> None:
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if zero_floor:
        ax.set_ylim(bottom=0)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small", loc="best")
    else:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center", color="0.5")


def _lines(ax: Axes, wide: pd.DataFrame, by_corridor: bool = True) -> None:
    """One line per column that is not all zero/NaN."""
    columns = _order(wide.columns) if by_corridor else list(wide.columns)
    for i, col in enumerate(columns):
        series = wide[col]
        if not (series.fillna(0) != 0).any():
            continue
        if by_corridor:
            color, label = corridor_color(col), corridor_label(col)
        else:
            color, label = DESTINATION_COLORS[i % len(DESTINATION_COLORS)], str(col)
        ax.plot(series.index, series.to_numpy(dtype=float), color=color, label=label, linewidth=1.6)


def arrivals_by_corridor(daily_corridor: pd.DataFrame) -> Figure:
    """Landings per corridor, weekly sums."""
    fig, (ax,) = _axes("Landings by corridor (weekly)", "people per week")
    _lines(ax, _resample_sum(_wide(daily_corridor, "landings"), WEEK))
    _finish(ax)
    return fig


def deaths_by_corridor(daily_corridor: pd.DataFrame) -> Figure:
    """Deaths per corridor, monthly sums as stacked bars."""
    fig, (ax,) = _axes("Deaths by corridor (monthly)", "deaths per month")
    monthly = _resample_sum(_wide(daily_corridor, "deaths"), "MS")
    bottom = np.zeros(len(monthly))
    x = [ts.to_pydatetime() for ts in monthly.index]
    for col in _order(monthly.columns):
        values = monthly[col].fillna(0).to_numpy(dtype=float)
        if not values.any():
            continue
        ax.bar(x, values, width=dt.timedelta(days=25), align="edge", bottom=bottom,
               color=corridor_color(col), label=corridor_label(col))
        bottom = bottom + values
    _finish(ax)
    return fig


def people_per_boat(daily_corridor: pd.DataFrame) -> Figure:
    """Boats launched per week and people per boat (weekly), for corridors that use boats."""
    fig, (ax_boats, ax_ppb) = _axes("Boats and people per boat (weekly)", "people per boat", nrows=2)
    ax_boats.set_ylabel("boats per week")
    df = daily_corridor.copy()
    boats = df["boats"].fillna(0)
    # people who left on boats = people_per_boat * boats (departures also count land/lorry legs)
    df["boat_people"] = (df["people_per_boat"] * boats).where(boats > 0, 0.0).fillna(0)
    weekly_boats = _resample_sum(_wide(df, "boats"), WEEK).fillna(0)
    weekly_people = _resample_sum(_wide(df, "boat_people"), WEEK).fillna(0)
    ratio = weekly_people / weekly_boats.where(weekly_boats > 0)
    for col in _order(weekly_boats.columns):
        if not (weekly_boats[col] > 0).any():
            continue
        kwargs = {"color": corridor_color(col), "label": corridor_label(col), "linewidth": 1.6}
        ax_boats.plot(weekly_boats.index, weekly_boats[col].to_numpy(dtype=float), **kwargs)
        ax_ppb.plot(ratio.index, ratio[col].to_numpy(dtype=float), marker=".", **kwargs)
    _finish(ax_boats)
    _finish(ax_ppb)
    return fig


def price(daily_corridor: pd.DataFrame) -> Figure:
    """Mean price per place by corridor, weekly mean weighted by departures (NaN prices ignored)."""
    fig, (ax,) = _axes("Price of a place by corridor (weekly, weighted by departures)", "EUR per place")
    df = daily_corridor[["date", "corridor", "mean_price_eur", "departures"]].copy()
    has_price = df["mean_price_eur"].notna()
    df["w"] = df["departures"].fillna(0).where(has_price, 0.0)
    df["pw"] = (df["mean_price_eur"] * df["w"]).fillna(0)
    df["p"] = df["mean_price_eur"].fillna(0)
    df["n"] = has_price.astype(float)
    sums = {c: _resample_sum(_wide(df, c), WEEK).fillna(0) for c in ("pw", "w", "p", "n")}
    weighted = sums["pw"] / sums["w"].where(sums["w"] > 0)
    # weeks with prices but no departures fall back to the plain mean of the quoted prices
    plain = sums["p"] / sums["n"].where(sums["n"] > 0)
    _lines(ax, weighted.fillna(plain))
    _finish(ax)
    return fig


def give_ups(daily_corridor: pd.DataFrame) -> Figure:
    """People who stopped travelling: settled on the way or went home, all corridors, weekly."""
    fig, (ax,) = _axes("People giving up the journey (weekly, all corridors)", "people per week")
    daily = daily_corridor.groupby("date")[["settled", "gone_home"]].sum()
    daily.index = pd.DatetimeIndex(daily.index)
    weekly = _resample_sum(daily.sort_index(), WEEK)
    styles = {"settled": ("Settled on the way", "#0072B2"), "gone_home": ("Went home", "#D55E00")}
    for col, (label, color) in styles.items():
        if (weekly[col] != 0).any():
            ax.plot(weekly.index, weekly[col].to_numpy(dtype=float), color=color, label=label, linewidth=1.6)
    _finish(ax)
    return fig


def arrivals_by_destination(daily_destination: pd.DataFrame) -> Figure:
    """Arrivals per destination, weekly sums, destinations with most arrivals first."""
    fig, (ax,) = _axes("Arrivals by destination (weekly)", "people per week")
    weekly = _resample_sum(_wide(daily_destination, "arrivals", by="destination"), WEEK).fillna(0)
    weekly = weekly[weekly.sum().sort_values(ascending=False, kind="stable").index]
    _lines(ax, weekly, by_corridor=False)
    _finish(ax)
    return fig


CHARTS: dict[str, tuple[str, Callable[[pd.DataFrame], Figure]]] = {
    "arrivals_by_corridor": ("daily_corridor", arrivals_by_corridor),
    "deaths_by_corridor": ("daily_corridor", deaths_by_corridor),
    "people_per_boat": ("daily_corridor", people_per_boat),
    "price": ("daily_corridor", price),
    "give_ups": ("daily_corridor", give_ups),
    "arrivals_by_destination": ("daily_destination", arrivals_by_destination),
}


def _save_atomic(fig: Figure, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fig.savefig(fh, format="png", dpi=DPI)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save_all(tables: dict[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Draw every chart whose input table is in `tables`; write `folder/charts/NAME.png`; return the paths."""
    out = Path(folder) / "charts"
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for name, (table, draw) in CHARTS.items():
        df = tables.get(table)
        if df is None:
            continue
        path = out / f"{name}.png"
        _save_atomic(draw(df), path)
        paths.append(path)
    return paths

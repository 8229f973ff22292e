"""Charts of a run's output tables (schemas in docs/architecture.md), one function per chart.

Uses matplotlib's object API only (no pyplot), so drawing is safe in threads and under any backend.
Every function takes tidy DataFrames and returns a `Figure`; `save_all` writes them as PNGs.
Weekly and monthly sums keep only complete periods (a run's partial first/last week would show a false drop).
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

from sim.network import CROSSING_CORRIDORS
from sim.outputs.outcomes import CORRIDOR_LABELS, outcome, series_outcomes

# Okabe-Ito colour-blind-safe palette (yellow left out: too pale for lines on white).
CORRIDOR_COLORS: dict[str, str] = {
    "approach": "#000000",
    "eastern_med": "#E69F00",
    "western_balkans": "#CC79A7",
    "central_med": "#0072B2",
    "western_med": "#009E73",
    "onward": "#56B4E9",
    "channel": "#D55E00",
    "western_african": "#F0E442",
    "eastern_land": "#882255",
    "air": "#999999",
}
DESTINATION_COLORS: tuple[str, ...] = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999",
)
FIGSIZE = (10.0, 5.0)
DPI = 120
WEEK = "W-MON"  # weeks start on Monday and are labelled by that Monday


def corridor_color(corridor: str) -> str:
    return CORRIDOR_COLORS.get(corridor, "#999999")


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
    """Sums per week (`WEEK`, labelled by its Monday) or month (`"MS"`), complete periods only."""
    kwargs = {} if rule == "MS" else {"closed": "left", "label": "left"}
    sums = wide.resample(rule, **kwargs).sum()
    days = pd.Series(1, index=wide.index.normalize().unique()).resample(rule, **kwargs).sum()
    length = days.index.days_in_month if rule == "MS" else 7
    return sums[(days == length).reindex(sums.index, fill_value=False)]


def _axes(title: str, ylabel: str, nrows: int = 1, ncols: int = 1) -> tuple[Figure, list[Axes]]:
    """Figure with a grid of axes sharing the time axis, row by row."""
    size = (FIGSIZE[0] * (1 + 0.3 * (ncols - 1)), FIGSIZE[1] * (1 + 0.6 * (nrows - 1)))
    fig = Figure(figsize=size, layout="constrained")
    axes = list(np.atleast_1d(fig.subplots(nrows, ncols, sharex=True)).ravel())
    fig.suptitle(title)
    for ax in axes:
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
    return fig, axes


def _finish(ax: Axes, zero_floor: bool = True, legend: bool = True) -> None:
    """Dates on the x axis, y from zero, legend outside on the right (never over the data); "no data" if empty."""
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if zero_floor:
        ax.set_ylim(bottom=0)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if not ax.containers and not any(np.isfinite(np.asarray(line.get_ydata(), float)).any() for line in ax.lines):
        ax.tick_params(axis="x", labelbottom=False)  # e.g. a run shorter than one complete week or month
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
        style = "-" if by_corridor or i < len(DESTINATION_COLORS) else "--"  # palette exhausted: dashed
        ax.plot(series.index, series.to_numpy(dtype=float), style, color=color, label=label, linewidth=1.6)


def arrivals_by_corridor(daily_corridor: pd.DataFrame) -> Figure:
    """Crossings on the crossing corridors, weekly sums: completions of the legs an observer records (a border
    or a sea), so a person crossing one border counts once."""
    fig, (ax,) = _axes("Crossings completed by corridor (weekly)", "crossings per week")
    crossing = daily_corridor[daily_corridor["corridor"].isin(CROSSING_CORRIDORS)]
    _lines(ax, _resample_sum(_wide(crossing, "crossings"), WEEK))
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


def _weekly(daily_corridor: pd.DataFrame, measure: str) -> pd.DataFrame:
    """week x corridor: the registry's `measure.<crossing corridor>` per complete week (one definition with the
    run's totals and compare)."""
    names = [f"{measure}.{c}" for c in CROSSING_CORRIDORS]
    long = series_outcomes({"daily_corridor": daily_corridor}, "week", names)
    wide = long[long["days"] == 7].pivot(index="date", columns="outcome", values="value")
    return wide.rename(columns=lambda name: outcome(name).subject).rename_axis(index=None, columns=None)


def people_per_boat(daily_corridor: pd.DataFrame) -> Figure:
    """Boats launched per week and people per boat (weekly), for corridors that use boats."""
    fig, (ax_boats, ax_ppb) = _axes("Boats and people per boat (weekly)", outcome("people_per_boat.channel").unit,
                                    nrows=2)
    ax_boats.set_ylabel(f"{outcome('boats.channel').unit} per week")
    weekly_boats, ratio = _weekly(daily_corridor, "boats"), _weekly(daily_corridor, "people_per_boat")
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
    """Price of a place by corridor, weekly: smugglers' revenue over the places paid for (the registry's price)."""
    fig, (ax,) = _axes("Price of a place by corridor (weekly)", outcome("price.channel").unit)
    _lines(ax, _weekly(daily_corridor, "price"))
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


def _unit_colors(units: list[str]) -> dict[str, str]:
    """A unit named after one corridor (e.g. `uk_france_channel`) gets its colour; others the next free colour."""
    colors: dict[str, str] = {}
    for unit in units:
        named = [c for c in CROSSING_CORRIDORS if c in unit]
        if len(named) == 1 and corridor_color(named[0]) not in colors.values():
            colors[unit] = corridor_color(named[0])
    for i, unit in enumerate(u for u in units if u not in colors):
        free = [c for c in DESTINATION_COLORS if c not in colors.values()]
        colors[unit] = free[0] if free else DESTINATION_COLORS[i % len(DESTINATION_COLORS)]
    return {unit: colors[unit] for unit in units}


def _figure_legend(fig: Figure, axes: list[Axes]) -> None:
    """One legend for the whole figure (labels of all axes, first occurrence), below the panels."""
    seen: dict[str, object] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(label, handle)
    if seen:
        fig.legend(list(seen.values()), list(seen), loc="outside lower center", ncols=min(len(seen), 4),
                   fontsize="small")


def market(daily_market: pd.DataFrame, daily_corridor: pd.DataFrame) -> Figure:
    """Smuggling market per corridor with groups: groups, members, boats in stock/on order (daily), revenue (weekly)."""
    fig, axes = _axes("Smuggling market by corridor", "", nrows=2, ncols=2)
    ax_groups, ax_members, ax_boats, ax_revenue = axes
    for ax, ylabel in zip(axes, ("active groups", "members (people)", "boats", "revenue (million EUR per week)"),
                          strict=True):
        ax.set_ylabel(ylabel)
    ax_groups.set_title("Active groups", fontsize="medium")
    ax_members.set_title("Members", fontsize="medium")
    ax_boats.set_title("Boats in stock (solid) and on order (dashed)", fontsize="medium")
    ax_revenue.set_title("Smugglers' revenue (weekly)", fontsize="medium")
    groups = _wide(daily_market, "groups").fillna(0)
    live = [c for c in _order(groups.columns) if (groups[c] > 0).any()]
    wide = {name: _wide(daily_market, name).reindex(columns=live) for name in
            ("groups", "members", "boats_in_stock", "boats_on_order")}
    revenue = _resample_sum(_wide(daily_corridor, "revenue_eur"), WEEK).reindex(columns=live) / 1e6
    for col in live:
        kwargs = {"color": corridor_color(col), "label": corridor_label(col), "linewidth": 1.4}
        for ax, name in ((ax_groups, "groups"), (ax_members, "members"), (ax_boats, "boats_in_stock")):
            ax.plot(wide[name].index, wide[name][col].to_numpy(dtype=float), **kwargs)
        on_order = wide["boats_on_order"][col]
        ax_boats.plot(on_order.index, on_order.to_numpy(dtype=float), "--", color=kwargs["color"], linewidth=1.0)
        ax_revenue.plot(revenue.index, revenue[col].to_numpy(dtype=float), **kwargs)
    for ax in axes:
        _finish(ax, legend=False)
    _figure_legend(fig, axes)
    return fig


ENFORCEMENT_PANELS: tuple[tuple[str, str], ...] = (
    ("operations", "operations per month"), ("arrests", "people arrested per month"),
    ("charges", "people charged per month"), ("convictions", "people convicted per month"),
    ("seized", "boats / engines seized per month"), ("awaiting_decision", "people awaiting decision"),
)


def enforcement(daily_enforcement: pd.DataFrame) -> Figure:
    """Monthly operations, arrests, charges, convictions and seizures per unit; the prosecution queue at month end."""
    fig, axes = _axes("Enforcement by unit (monthly)", "", nrows=3, ncols=2)
    units = sorted(daily_enforcement["unit"].unique())
    colors = _unit_colors(units)

    def monthly(column: str) -> pd.DataFrame:
        return _resample_sum(_wide(daily_enforcement, column, by="unit"), "MS").reindex(columns=units).fillna(0)

    for ax, (column, ylabel) in zip(axes, ENFORCEMENT_PANELS, strict=True):
        ax.set_ylabel(ylabel)
        ax.set_title(ylabel.removesuffix(" per month").capitalize(), fontsize="medium")
        if column == "awaiting_decision":  # a stock: value on each complete month's last day
            daily = _wide(daily_enforcement, column, by="unit").reindex(columns=units)
            values = {"-": daily.resample("MS").last().reindex(monthly("operations").index)}
            ax.set_title("Awaiting decision (end of month)", fontsize="medium")
        elif column == "seized":
            values = {"-": monthly("boats_seized"), "--": monthly("engines_seized")}
            ax.set_title("Boats (solid) and engines (dashed) seized", fontsize="medium")
        else:
            values = {"-": monthly(column)}
        for style, table in values.items():
            for unit in units:
                label = unit.replace("_", " ") if style == "-" else None
                ax.plot(table.index, table[unit].to_numpy(dtype=float), style, marker=".", color=colors[unit],
                        label=label, linewidth=1.4)
        _finish(ax, legend=False)
    _figure_legend(fig, axes)
    return fig


def channel(daily_corridor: pd.DataFrame) -> Figure:
    """English Channel, weekly: small-boat landings and launches prevented on the beach; lorry attempts, detections."""
    fig, (ax_boats, ax_lorry) = _axes("English Channel (weekly)", "people per week", nrows=2)
    ax_boats.set_title("Small boats", fontsize="medium")
    ax_lorry.set_title("Lorries", fontsize="medium")
    columns = ["boat_landings", "prevented", "lorry_attempts", "lorry_detections"]
    daily = daily_corridor.loc[daily_corridor["corridor"] == "channel", ["date", *columns]].groupby("date").sum()
    daily.index = pd.DatetimeIndex(daily.index)
    weekly = _resample_sum(daily.sort_index(), WEEK)
    styles = (
        (ax_boats, "boat_landings", "Small-boat landings", CORRIDOR_COLORS["channel"]),
        (ax_boats, "prevented", "Launches prevented (beach)", "#0072B2"),
        (ax_lorry, "lorry_attempts", "Lorry attempts", "#009E73"),
        (ax_lorry, "lorry_detections", "Detected in lorries", "#CC79A7"),
    )
    for ax, col, label, color in styles:
        ax.plot(weekly.index, weekly[col].to_numpy(dtype=float), color=color, label=label, linewidth=1.6)
    _finish(ax_boats)
    _finish(ax_lorry)
    return fig


# chart name -> (input tables, in the order the function takes them; drawing function)
CHARTS: dict[str, tuple[tuple[str, ...], Callable[..., Figure]]] = {
    "arrivals_by_corridor": (("daily_corridor",), arrivals_by_corridor),
    "deaths_by_corridor": (("daily_corridor",), deaths_by_corridor),
    "people_per_boat": (("daily_corridor",), people_per_boat),
    "price": (("daily_corridor",), price),
    "give_ups": (("daily_corridor",), give_ups),
    "arrivals_by_destination": (("daily_destination",), arrivals_by_destination),
    "channel": (("daily_corridor",), channel),
    "market": (("daily_market", "daily_corridor"), market),
    "enforcement": (("daily_enforcement",), enforcement),
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
    """Draw every chart whose input tables are all in `tables`; write `folder/charts/NAME.png`; return the paths."""
    out = Path(folder) / "charts"
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for name, (needed, draw) in CHARTS.items():
        if any(tables.get(table) is None for table in needed):
            continue
        path = out / f"{name}.png"
        _save_atomic(draw(*(tables[table] for table in needed)), path)
        paths.append(path)
    return paths

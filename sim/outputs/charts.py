"""Charts of a run's output tables (schemas in docs/architecture.md), one function per chart.

Uses matplotlib's object API only (no pyplot), so drawing is safe in threads and under any backend.
Every function takes tidy DataFrames and a `ChartContext` (the scenario named in the title, monthly or weekly sums,
the interventions' starts marked, the caveat "model, not calibrated") and returns a `Figure`; `save_all` writes
them as PNGs. Sums per month (the default) or week keep only complete periods (a run's partial first/last month
would show a false drop).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.network import CROSSING_CORRIDORS
from sim.outputs.outcomes import CORRIDOR_LABELS, outcome, series_outcomes, sinks

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
UNCALIBRATED = "model, not calibrated"


@dataclass(frozen=True)
class ChartContext:
    """What a chart says besides its data: whose run it is, the period it sums over, when interventions start."""

    scenario: str = ""
    period: str = "month"  # "month" (default) or "week"
    starts: tuple[tuple[str, dt.date], ...] = ()  # (intervention, first day in force), marked on time axes
    calibrated: bool = False  # False: the caveat "model, not calibrated" is in every title

    def __post_init__(self) -> None:
        if self.period not in ("month", "week"):
            raise ValueError(f"period must be 'month' or 'week', got {self.period!r}")

    @property
    def rule(self) -> str:
        return "MS" if self.period == "month" else WEEK

    @property
    def per(self) -> str:
        return f"per {self.period}"

    def title(self, what: str) -> str:
        """`what` with the period (when it sums), the scenario, and the caveat where it applies."""
        words = what.replace("{period}", f"{self.period}ly")
        words += f": {self.scenario}" if self.scenario else ""
        return words + ("" if self.calibrated else f"\n({UNCALIBRATED})")


DEFAULT = ChartContext()


def corridor_color(corridor: str) -> str:
    return CORRIDOR_COLORS.get(corridor, "#999999")


def corridor_label(corridor: str) -> str:
    return CORRIDOR_LABELS.get(corridor, corridor.replace("_", " ").capitalize())


def destination_label(hub: str) -> str:
    """A destination's name in words (hubs.csv), its id made readable if the network does not hold it."""
    return dict(sinks()).get(hub, hub.replace("_", " "))


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


def mark_starts(ax: Axes, starts: tuple[tuple[str, dt.date], ...]) -> None:
    """A dotted vertical line, labelled, on each intervention's first day inside the axis's dates."""
    low, high = (mdates.num2date(x).date() for x in ax.get_xlim())
    for name, start in starts:
        if low <= start <= high:
            ax.axvline(start, color="0.25", linestyle=":", linewidth=1.2, zorder=1)
            ax.text(start, 0.98, f" {name.replace('_', ' ')} starts", transform=ax.get_xaxis_transform(),
                    rotation=90, ha="right", va="top", fontsize="x-small", color="0.25")


def _finish(ax: Axes, zero_floor: bool = True, legend: bool = True, ctx: ChartContext = DEFAULT) -> None:
    """Dates on the x axis, y from zero, legend outside on the right (never over the data); "no data" if empty;
    the interventions' starts marked."""
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
        return
    mark_starts(ax, ctx.starts)


def has_data(fig: Figure) -> bool:
    """Whether any axes of `fig` shows data (not only "no data")."""
    return any(not any(t.get_text() == "no data" for t in ax.texts) for ax in fig.axes)


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
            color, label = DESTINATION_COLORS[i % len(DESTINATION_COLORS)], destination_label(str(col))
        style = "-" if by_corridor or i < len(DESTINATION_COLORS) else "--"  # palette exhausted: dashed
        ax.plot(series.index, series.to_numpy(dtype=float), style, color=color, label=label, linewidth=1.6)


def arrivals_by_corridor(daily_corridor: pd.DataFrame, ctx: ChartContext = DEFAULT) -> Figure:
    """Crossings on the crossing corridors, sums per month or week: completions of the legs an observer records
    (a border or a sea), so a person crossing one border counts once."""
    fig, (ax,) = _axes(ctx.title("Crossings completed by corridor, {period}"), f"people {ctx.per}")
    crossing = daily_corridor[daily_corridor["corridor"].isin(CROSSING_CORRIDORS)]
    _lines(ax, _resample_sum(_wide(crossing, "crossings"), ctx.rule))
    _finish(ax, ctx=ctx)
    return fig


def deaths_by_corridor(daily_corridor: pd.DataFrame, ctx: ChartContext = DEFAULT) -> Figure:
    """Deaths (realised) per corridor, sums per month or week as stacked bars, every bar inside the axes."""
    fig, (ax,) = _axes(ctx.title("Deaths by corridor, {period}"), f"deaths {ctx.per}")
    sums = _resample_sum(_wide(daily_corridor, "deaths"), ctx.rule)
    bottom = np.zeros(len(sums))
    x = [ts.to_pydatetime() for ts in sums.index]
    width = dt.timedelta(days=25 if ctx.period == "month" else 5)
    for col in _order(sums.columns):
        values = sums[col].fillna(0).to_numpy(dtype=float)
        if not values.any():
            continue
        ax.bar(x, values, width=width, align="edge", bottom=bottom, color=corridor_color(col),
               label=corridor_label(col))
        bottom = bottom + values
    if bottom.any():  # room for the tallest stack and the last bar's width
        ax.set_ylim(0, float(bottom.max()) * 1.08)
        ax.set_xlim(x[0] - width / 2, x[-1] + width * 1.5)
    _finish(ax, ctx=ctx)
    return fig


def _periodic(daily_corridor: pd.DataFrame, measure: str, period: str) -> pd.DataFrame:
    """period x corridor: the registry's `measure.<crossing corridor>` per complete month or week (one definition
    with the run's totals and compare)."""
    names = [f"{measure}.{c}" for c in CROSSING_CORRIDORS]
    long = series_outcomes({"daily_corridor": daily_corridor}, period, names)
    whole = pd.DatetimeIndex(long["date"]).days_in_month if period == "month" else 7
    wide = long[long["days"] == whole].pivot(index="date", columns="outcome", values="value")
    return wide.rename(columns=lambda name: outcome(name).subject).rename_axis(index=None, columns=None)


def people_per_boat(daily_corridor: pd.DataFrame, ctx: ChartContext = DEFAULT) -> Figure:
    """Boats launched and people per boat, per month or week, for corridors that use boats."""
    fig, (ax_boats, ax_ppb) = _axes(ctx.title("Boats launched and people per boat, {period}"),
                                    f"people per boat ({outcome('people_per_boat.channel').unit})", nrows=2)
    ax_boats.set_ylabel(f"boats launched {ctx.per}")
    weekly_boats = _periodic(daily_corridor, "boats", ctx.period)
    ratio = _periodic(daily_corridor, "people_per_boat", ctx.period)
    for col in _order(weekly_boats.columns):
        if not (weekly_boats[col] > 0).any():
            continue
        kwargs = {"color": corridor_color(col), "label": corridor_label(col), "linewidth": 1.6}
        ax_boats.plot(weekly_boats.index, weekly_boats[col].to_numpy(dtype=float), **kwargs)
        ax_ppb.plot(ratio.index, ratio[col].to_numpy(dtype=float), marker=".", **kwargs)
    _finish(ax_boats, ctx=ctx)
    _finish(ax_ppb, ctx=ctx)
    return fig


def price(daily_corridor: pd.DataFrame, ctx: ChartContext = DEFAULT) -> Figure:
    """Price of a place by corridor per month or week: smugglers' revenue over the places paid for (the
    registry's price)."""
    fig, (ax,) = _axes(ctx.title("Price of a place by corridor, {period} average"),
                       f"price of a place ({outcome('price.channel').unit})")
    _lines(ax, _periodic(daily_corridor, "price", ctx.period))
    _finish(ax, ctx=ctx)
    return fig


def give_ups(daily_corridor: pd.DataFrame, ctx: ChartContext = DEFAULT) -> Figure:
    """People who stopped travelling: settled on the way or went home, all corridors, per month or week."""
    fig, (ax,) = _axes(ctx.title("People giving up the journey, all corridors, {period}"), f"people {ctx.per}")
    daily = daily_corridor.groupby("date")[["settled", "gone_home"]].sum()
    daily.index = pd.DatetimeIndex(daily.index)
    weekly = _resample_sum(daily.sort_index(), ctx.rule)
    styles = {"settled": ("Settled on the way", "#0072B2"), "gone_home": ("Went home", "#D55E00")}
    for col, (label, color) in styles.items():
        if (weekly[col] != 0).any():
            ax.plot(weekly.index, weekly[col].to_numpy(dtype=float), color=color, label=label, linewidth=1.6)
    _finish(ax, ctx=ctx)
    return fig


def arrivals_by_destination(daily_destination: pd.DataFrame, ctx: ChartContext = DEFAULT) -> Figure:
    """Arrivals per destination, sums per month or week, destinations with most arrivals first."""
    fig, (ax,) = _axes(ctx.title("Arrivals by destination, {period}"), f"people {ctx.per}")
    weekly = _resample_sum(_wide(daily_destination, "arrivals", by="destination"), ctx.rule).fillna(0)
    weekly = weekly[weekly.sum().sort_values(ascending=False, kind="stable").index]
    _lines(ax, weekly, by_corridor=False)
    _finish(ax, ctx=ctx)
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


def market(daily_market: pd.DataFrame, daily_corridor: pd.DataFrame, ctx: ChartContext = DEFAULT) -> Figure:
    """Smuggling market per corridor with groups: groups, members, boats in stock/on order (daily), revenue (per
    month or week)."""
    fig, axes = _axes(ctx.title("Smuggling market by corridor"), "", nrows=2, ncols=2)
    ax_groups, ax_members, ax_boats, ax_revenue = axes
    for ax, ylabel in zip(axes, ("active groups", "members (people)", "boats",
                                 f"revenue (million EUR {ctx.per})"), strict=True):
        ax.set_ylabel(ylabel)
    ax_groups.set_title("Active groups", fontsize="medium")
    ax_members.set_title("Members", fontsize="medium")
    ax_boats.set_title("Boats in stock (solid) and on order (dashed)", fontsize="medium")
    ax_revenue.set_title(f"Smugglers' revenue ({ctx.period}ly)", fontsize="medium")
    groups = _wide(daily_market, "groups").fillna(0)
    live = [c for c in _order(groups.columns) if (groups[c] > 0).any()]
    wide = {name: _wide(daily_market, name).reindex(columns=live) for name in
            ("groups", "members", "boats_in_stock", "boats_on_order")}
    revenue = _resample_sum(_wide(daily_corridor, "revenue_eur"), ctx.rule).reindex(columns=live) / 1e6
    for col in live:
        kwargs = {"color": corridor_color(col), "label": corridor_label(col), "linewidth": 1.4}
        for ax, name in ((ax_groups, "groups"), (ax_members, "members"), (ax_boats, "boats_in_stock")):
            ax.plot(wide[name].index, wide[name][col].to_numpy(dtype=float), **kwargs)
        on_order = wide["boats_on_order"][col]
        ax_boats.plot(on_order.index, on_order.to_numpy(dtype=float), "--", color=kwargs["color"], linewidth=1.0)
        ax_revenue.plot(revenue.index, revenue[col].to_numpy(dtype=float), **kwargs)
    for ax in axes:
        _finish(ax, legend=False, ctx=ctx)
    _figure_legend(fig, axes)
    return fig


ENFORCEMENT_PANELS: tuple[tuple[str, str], ...] = (
    ("operations", "operations per month"), ("arrests", "people arrested per month"),
    ("charges", "people charged per month"), ("convictions", "people convicted per month"),
    ("seized", "boats / engines seized per month"), ("awaiting_decision", "people awaiting decision"),
)


def enforcement(daily_enforcement: pd.DataFrame, ctx: ChartContext = DEFAULT) -> Figure:
    """Monthly operations, arrests, charges, convictions and seizures per unit; the prosecution queue at month end
    (always monthly: a week holds too few court decisions to read)."""
    fig, axes = _axes(ctx.title("Enforcement by unit, monthly"), "", nrows=3, ncols=2)
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
                label = unit_label(unit) if style == "-" else None
                ax.plot(table.index, table[unit].to_numpy(dtype=float), style, marker=".", color=colors[unit],
                        label=label, linewidth=1.4)
        _finish(ax, legend=False, ctx=ctx)
    _figure_legend(fig, axes)
    return fig


def unit_label(unit: str) -> str:
    """An enforcement unit's id in words, e.g. uk_france_channel -> UK France channel."""
    words = unit.split("_")
    return " ".join(w.upper() if len(w) == 2 else w for w in words).capitalize().replace("Uk ", "UK ")


def channel(daily_corridor: pd.DataFrame, ctx: ChartContext = DEFAULT) -> Figure:
    """English Channel per month or week: people landed from small boats and people prevented from launching on
    the beach; lorry attempts and detections in a second panel only when there were any (no empty panel)."""
    columns = ["boat_landings", "prevented", "lorry_attempts", "lorry_detections"]
    daily = daily_corridor.loc[daily_corridor["corridor"] == "channel", ["date", *columns]].groupby("date").sum()
    daily.index = pd.DatetimeIndex(daily.index)
    weekly = _resample_sum(daily.sort_index(), ctx.rule)
    lorries = bool((weekly[["lorry_attempts", "lorry_detections"]].to_numpy() > 0).any())
    fig, axes = _axes(ctx.title("English Channel, {period}"), f"people {ctx.per}", nrows=2 if lorries else 1)
    axes[0].set_title("Small boats", fontsize="medium")
    styles = [(axes[0], "boat_landings", "People landed from small boats", CORRIDOR_COLORS["channel"]),
              (axes[0], "prevented", "People prevented from launching (beach)", "#0072B2")]
    if lorries:
        axes[1].set_title("Lorries", fontsize="medium")
        styles += [(axes[1], "lorry_attempts", "Lorry attempts (people)", "#009E73"),
                   (axes[1], "lorry_detections", "People detected in lorries", "#CC79A7")]
    for ax, col, label, color in styles:
        ax.plot(weekly.index, weekly[col].to_numpy(dtype=float), color=color, label=label, linewidth=1.6)
    for ax in axes:
        _finish(ax, ctx=ctx)
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


def draw_all(tables: dict[str, pd.DataFrame], ctx: ChartContext = DEFAULT) -> dict[str, Figure]:
    """Every chart whose input tables are all in `tables`, by name."""
    return {name: draw(*(tables[table] for table in needed), ctx=ctx) for name, (needed, draw) in CHARTS.items()
            if all(tables.get(table) is not None for table in needed)}


def save_all(tables: dict[str, pd.DataFrame], folder: Path, ctx: ChartContext = DEFAULT,
             figures: dict[str, Figure] | None = None) -> list[Path]:
    """Write every chart (drawn here unless given) as `folder/charts/NAME.png`; return the paths."""
    out = Path(folder) / "charts"
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for name, fig in (figures if figures is not None else draw_all(tables, ctx)).items():
        path = out / f"{name}.png"
        _save_atomic(fig, path)
        paths.append(path)
    return paths

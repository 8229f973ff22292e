"""Charts of a scenario comparison (matplotlib object API, no pyplot): each function takes tidy tables from
`sim.experiments.compare` and returns a Figure; `save_all` writes them as PNGs into a folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.calibration.use import NOISE
from sim.outputs.charts import mark_starts
from sim.outputs.outcomes import outcome

# Okabe-Ito colour-blind-safe palette: one colour per scenario, the baseline first (black).
SCENARIO_COLORS: tuple[str, ...] = ("#000000", "#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                                    "#999999")
FIGSIZE = (10.0, 5.0)
DPI = 120
MIN_CI_REPLICATES = 3  # fewer replicates: no error bar
MIN_BAND_REPLICATES = 10  # fewer replicates: no band is drawn (5-95% of 5 runs is their min-max)


def scenario_color(i: int) -> str:
    return SCENARIO_COLORS[i % len(SCENARIO_COLORS)]


def _no_data(ax: Axes) -> None:
    ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center", color="0.5")


def _period(days: pd.Series) -> str:
    """Day, week or month, from the longest period's number of days."""
    longest = int(days.max()) if len(days) else 7
    return "day" if longest == 1 else "week" if longest <= 7 else "month"


def intervention_starts(scenarios: dict[str, dict]) -> tuple[tuple[str, dt.date], ...]:
    """(intervention, first day) of every intervention in the resolved scenarios of a comparison's manifest."""
    found = {(name, dt.date.fromisoformat(str(item["start"])))
             for scenario in scenarios.values() for name, item in (scenario.get("interventions") or {}).items()}
    return tuple(sorted(found, key=lambda pair: (pair[1], pair[0])))


def fan_chart(series: pd.DataFrame, name: str, caveat: str = "",
              starts: tuple[tuple[str, dt.date], ...] = (), interval: str = NOISE) -> Figure:
    """Outcome `name` per period over time (a comparison's `series` table): per scenario the median over replicates
    (line) with the middle 50% and 90% of the replicates (shaded, from 10 replicates on: fewer give no meaningful
    band), one colour per scenario in order of appearance. Part periods at either end are drawn, with open
    markers, so the line adds up to the totals. The title says what the replicates' spread covers (`interval`:
    run-to-run noise, or noise and parameter uncertainty); `caveat` (e.g. "model, not calibrated") ends it;
    `starts` are marked."""
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    ax = fig.subplots()
    declared = outcome(name)
    part = series[series["outcome"] == name]
    period = _period(part["days"])
    n_reps = part.groupby("scenario", sort=False)["replicate"].nunique()
    reps = f"{n_reps.min()}" if len(n_reps) and n_reps.min() == n_reps.max() else "all"
    bands = len(n_reps) > 0 and int(n_reps.min()) >= MIN_BAND_REPLICATES
    shown = "median and the middle 50% and 90% of" if bands else "median of"
    fig.suptitle(f"{declared.label}, per {period}: {shown} {reps} replicates\n(spread: {interval})"
                 + (f" ({caveat})" if caveat else ""))
    any_short = False
    for i, (label, runs) in enumerate(part.groupby("scenario", sort=False)):
        wide = runs.pivot_table(index="date", columns="replicate", values="value", aggfunc="sum").sort_index()
        days = runs.groupby("date")["days"].first().reindex(wide.index)
        q = wide.quantile([0.05, 0.25, 0.5, 0.75, 0.95], axis=1).T
        dates = pd.DatetimeIndex(wide.index)
        color = scenario_color(i)
        if bands:
            ax.fill_between(dates, q[0.05], q[0.95], color=color, alpha=0.12, linewidth=0)
            ax.fill_between(dates, q[0.25], q[0.75], color=color, alpha=0.28, linewidth=0)
        ax.plot(dates, q[0.5], color=color, linewidth=1.8, label=str(label))
        short = (days < days.max()).to_numpy()
        ax.plot(dates[short], q[0.5].to_numpy()[short], "o", markerfacecolor="white", color=color)
        any_short = any_short or bool(short.any())
    if any_short:  # one legend entry for every scenario's open markers
        ax.plot([], [], "o", markerfacecolor="white", color="0.4", label=f"part {period} (fewer days)")
    ax.set_ylabel(f"{declared.unit} per {period}")
    ax.set_xlabel(f"{period} starting")
    ax.grid(True, alpha=0.3)
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_ylim(bottom=0)
    mark_starts(ax, starts)
    if ax.get_legend_handles_labels()[0]:
        if bands:  # what the shading is, in the legend
            ax.fill_between([], [], [], color="0.4", alpha=0.28, linewidth=0, label="middle 50% of replicates")
            ax.fill_between([], [], [], color="0.4", alpha=0.12, linewidth=0, label="middle 90% of replicates")
        ax.legend(title="scenario: median" if bands else f"scenario: median (no band from < {MIN_BAND_REPLICATES} "
                  "replicates)", fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    else:
        _no_data(ax)
    return fig


PANELS = (("crossings by corridor", "Crossings by corridor"),
          ("arrivals by destination", "Arrivals by destination"),
          ("fate", "Gave up, died, still on the way at the end"))


def displacement_words(name: str) -> str:
    """A bar's words: the place for corridors and destinations, what happened for fates."""
    declared = outcome(name)
    return declared.measure_label if declared.group == "fate" else declared.place


def displacement_bar(displacement: pd.DataFrame, caveat: str = "", replicates: int | None = None,
                     interval: str = NOISE) -> Figure:
    """Mean change against the baseline per corridor, destination and fate, with 90% CI error bars (over replicates
    whose spread covers `interval`); one bar group per alternative (one colour each), one panel per kind of
    change."""
    panels = [(key, title) for key, title in PANELS if (displacement["group"] == key).any()] or list(PANELS[:1])
    alts = list(dict.fromkeys(displacement["scenario"]))
    fig = Figure(figsize=(FIGSIZE[0] * 1.3, FIGSIZE[1] * 0.75 * len(panels) + 0.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(panels), 1)).ravel()
    baseline = next(iter(displacement["baseline"]), "baseline")
    with_ci = replicates is None or replicates >= MIN_CI_REPLICATES
    shown = f"90% CI of {interval}" if with_ci else f"no CI from {replicates} replicates"
    fig.suptitle(f"Where did the people go? Change against {baseline} (people; mean of paired differences,\n"
                 f"{shown})" + (f" ({caveat})" if caveat else ""))
    width = 0.8 / max(1, len(alts))
    for ax, (key, title) in zip(axes, panels, strict=True):
        part = displacement[displacement["group"] == key]
        names = list(dict.fromkeys(part["name"]))
        x = np.arange(len(names))
        for i, alt in enumerate(alts):
            rows = part[part["scenario"] == alt].set_index("name").reindex(names)
            mean = rows["mean"].to_numpy(dtype=float)
            err = np.vstack([mean - rows["ci_low"].to_numpy(dtype=float),
                             rows["ci_high"].to_numpy(dtype=float) - mean])
            ax.bar(x + (i - (len(alts) - 1) / 2) * width, mean, width,
                   yerr=np.nan_to_num(err) if with_ci else None, capsize=3,
                   color=scenario_color(i + 1), label=str(alt))
        ax.axhline(0, color="0.3", linewidth=0.8)
        labels = part.drop_duplicates("name").set_index("name")["outcome"].reindex(names)
        ax.set_xticks(x, [displacement_words(o) for o in labels], rotation=20, ha="right")
        ax.set_title(title, fontsize="medium")
        ax.set_ylabel("change (people)")
        ax.grid(True, axis="y", alpha=0.3)
        if len(names) == 0:
            _no_data(ax)
    if alts:
        axes[0].legend(title="scenario", fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def draw_all(series: pd.DataFrame, displacement: pd.DataFrame, caveat: str = "",
             starts: tuple[tuple[str, dt.date], ...] = (), interval: str = NOISE) -> dict[str, Figure]:
    """A fan chart of every outcome in the series (`fan_<outcome>`, dots as underscores) and the displacement
    bars, by name; `interval`: what the replicates' spread covers."""
    figures = {f"fan_{name.replace('.', '_')}": fan_chart(series, name, caveat, starts, interval)
               for name in dict.fromkeys(series["outcome"])}
    replicates = int(series.groupby("scenario")["replicate"].nunique().min()) if len(series) else None
    figures["displacement"] = displacement_bar(displacement, caveat, replicates, interval)
    return figures


def save_all(series: pd.DataFrame, displacement: pd.DataFrame, folder: Path, caveat: str = "",
             starts: tuple[tuple[str, dt.date], ...] = (), interval: str = NOISE) -> list[Path]:
    """Every chart of `draw_all` as `folder/NAME.png`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    figures = draw_all(series, displacement, caveat, starts, interval)
    written = []
    for name, fig in figures.items():
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=DPI)
        written.append(path)
    return written

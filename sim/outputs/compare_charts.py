"""Charts of a scenario comparison (matplotlib object API, no pyplot): each function takes tidy tables from
`sim.experiments.compare` and returns a Figure; `save_all` writes them as PNGs into a folder."""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.network import CROSSING_CORRIDORS

# Okabe-Ito colour-blind-safe palette: one colour per scenario, the baseline first (black).
SCENARIO_COLORS: tuple[str, ...] = ("#000000", "#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                                    "#999999")
FIGSIZE = (10.0, 5.0)
DPI = 120
METRIC_LABELS = {"crossings": "crossings per week (people)", "deaths": "deaths per week (people)"}
CORRIDOR_LABELS = {
    "eastern_med": "Eastern Mediterranean", "western_balkans": "Western Balkans",
    "central_med": "Central Mediterranean", "western_med": "Western Mediterranean", "channel": "English Channel",
    "western_african": "Western African (Atlantic)", "eastern_land": "Eastern land borders",
    "total": "all corridors",
}


def _label(corridor: str) -> str:
    return CORRIDOR_LABELS.get(corridor, corridor.replace("_", " "))


def scenario_color(i: int) -> str:
    return SCENARIO_COLORS[i % len(SCENARIO_COLORS)]


def _no_data(ax: Axes) -> None:
    ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center", color="0.5")


def fan_chart(series: pd.DataFrame, metric: str, corridor: str) -> Figure:
    """Weekly `metric` on `corridor` over time: per scenario the median over replicates (line) with the 50% and
    90% bands across replicates (shaded), one colour per scenario in order of appearance."""
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    ax = fig.subplots()
    part = series[(series["metric"] == metric) & (series["corridor"] == corridor)]
    n_reps = part.groupby("scenario", sort=False)["replicate"].nunique()
    reps = f"{n_reps.min()}" if len(n_reps) and n_reps.min() == n_reps.max() else "all"
    fig.suptitle(f"{metric.capitalize()} per week, {_label(corridor)}: median, 50% and 90% bands over {reps} "
                 "replicates")
    for i, (label, runs) in enumerate(part.groupby("scenario", sort=False)):
        wide = runs.pivot_table(index="date", columns="replicate", values="value", aggfunc="sum").sort_index()
        q = wide.quantile([0.05, 0.25, 0.5, 0.75, 0.95], axis=1).T
        dates = pd.DatetimeIndex(wide.index)
        color = scenario_color(i)
        ax.fill_between(dates, q[0.05], q[0.95], color=color, alpha=0.12, linewidth=0)
        ax.fill_between(dates, q[0.25], q[0.75], color=color, alpha=0.28, linewidth=0)
        ax.plot(dates, q[0.5], color=color, linewidth=1.8, label=str(label))
    ax.set_ylabel(METRIC_LABELS.get(metric, metric))
    ax.set_xlabel("week starting")
    ax.grid(True, alpha=0.3)
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_ylim(bottom=0)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(title="scenario (median; bands 50%, 90%)", fontsize="small", loc="upper left",
                  bbox_to_anchor=(1.01, 1.0))
    else:
        _no_data(ax)
    return fig


PANELS = (("crossings by corridor", "Crossings by corridor"),
          ("arrivals by destination", "Arrivals by destination"),
          ("fate", "Gave up, died, still on the way at the end"))


def displacement_bar(displacement: pd.DataFrame) -> Figure:
    """Mean change against the baseline per corridor, destination and fate, with 90% CI error bars; one bar group
    per alternative (one colour each), one panel per kind of change."""
    panels = [(key, title) for key, title in PANELS if (displacement["group"] == key).any()] or list(PANELS[:1])
    alts = list(dict.fromkeys(displacement["scenario"]))
    fig = Figure(figsize=(FIGSIZE[0] * 1.3, FIGSIZE[1] * 0.75 * len(panels) + 0.8), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(panels), 1)).ravel()
    baseline = next(iter(displacement["baseline"]), "baseline")
    fig.suptitle(f"Where did the people go? Change against {baseline} (people; mean of paired differences, "
                 "90% CI)")
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
            ax.bar(x + (i - (len(alts) - 1) / 2) * width, mean, width, yerr=np.nan_to_num(err), capsize=3,
                   color=scenario_color(i + 1), label=str(alt))
        ax.axhline(0, color="0.3", linewidth=0.8)
        ax.set_xticks(x, [_label(n) if key == "crossings by corridor" else n.replace("_", " ") for n in names],
                      rotation=20, ha="right")
        ax.set_title(title, fontsize="medium")
        ax.set_ylabel("change (people)")
        ax.grid(True, axis="y", alpha=0.3)
        if len(names) == 0:
            _no_data(ax)
    if alts:
        axes[0].legend(title="scenario", fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def save_all(series: pd.DataFrame, displacement: pd.DataFrame, folder: Path) -> list[Path]:
    """Fan charts of weekly crossings per crossing corridor and of weekly deaths, and the displacement bars."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    figures = {f"fan_crossings_{c}": fan_chart(series, "crossings", c) for c in CROSSING_CORRIDORS}
    figures["fan_deaths_total"] = fan_chart(series, "deaths", "total")
    figures["displacement"] = displacement_bar(displacement)
    written = []
    for name, fig in figures.items():
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=DPI)
        written.append(path)
    return written

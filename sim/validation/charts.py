"""Model against observed, one chart per scored series: functions that take data and return a Figure
(matplotlib's object API only, as sim/outputs/charts.py)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.outputs.charts import FIGSIZE, _save_atomic, corridor_label
from sim.outputs.outcomes import outcome
from sim.validation.observed import RESOLUTION_WORDS, metric_words
from sim.validation.run import BAND_MIN_REPLICATES

OBSERVED_COLOR, MODEL_COLOR = "#000000", "#0072B2"


def series_title(route: str, metric: str, resolution: str) -> str:
    return f"{corridor_label(route)}: {metric_words(metric)}, {RESOLUTION_WORDS[resolution]}"


def model_against_observed(one: pd.DataFrame, n_replicates: int) -> Figure:
    """One series (rows of `paired` for one route, metric and resolution): observed points and line, the model's
    median over replicates, and its 5-95% band when there are at least BAND_MIN_REPLICATES replicates."""
    one = one.sort_values("start")
    route, metric, resolution = one["route"].iloc[0], one["metric"].iloc[0], one["resolution"].iloc[0]
    o = outcome(one["outcome"].iloc[0])
    x = pd.DatetimeIndex(one["start"])
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    ax = fig.subplots()
    fig.suptitle(f"{series_title(route, metric, resolution)}: model against observed")
    if n_replicates >= BAND_MIN_REPLICATES:
        ax.fill_between(x, one["p05"].to_numpy(float), one["p95"].to_numpy(float), color=MODEL_COLOR, alpha=0.2,
                        step="post" if len(one) == 1 else None, label="model, 5-95% of replicates")
        note = f"{n_replicates} replicates"
    else:
        note = (f"no 90% band: {n_replicates} replicate{'s' if n_replicates != 1 else ''}, a band needs at least "
                f"{BAND_MIN_REPLICATES}")
    ax.plot(x, one["model"].to_numpy(float), "-o", color=MODEL_COLOR, markersize=4, linewidth=1.8,
            label=f"model, median of {n_replicates}")
    ax.plot(x, one["observed"].to_numpy(float), "--s", color=OBSERVED_COLOR, markersize=4, linewidth=1.2,
            label="observed")
    ax.text(0.01, 0.98, note, transform=ax.transAxes, ha="left", va="top", fontsize="small", color="0.35")
    ax.set_ylabel(f"{o.label} ({o.unit})")
    ax.set_xlabel("period start (" + ("year" if resolution == "year" else "month") + ")")
    ax.grid(True, alpha=0.3)
    step = max(1, len(one) // 12)
    ax.xaxis.set_major_locator(mdates.YearLocator(step) if resolution == "year" else mdates.MonthLocator(
        interval=step))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y" if resolution == "year" else "%Y-%m"))
    if len(one) == 1:  # one period: give the axis a year around it so the date reads
        ax.set_xlim(x[0] - pd.Timedelta(days=200), x[0] + pd.Timedelta(days=200))
    top = np.nanmax(np.r_[one[["observed", "model", "p95"]].to_numpy(float).ravel(), 0.0])
    ax.set_ylim(0, top * 1.1 if top > 0 else 1)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def chart_name(route: str, metric: str, resolution: str) -> str:
    return f"{route}-{metric}-{resolution}"


def save_all(paired: pd.DataFrame, n_replicates: int, folder: Path) -> list[Path]:
    """Write folder/NAME.png for every series of `paired`; return the paths in series order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for (route, metric, resolution), one in paired.groupby(["route", "metric", "resolution"], sort=True):
        path = folder / f"{chart_name(route, metric, resolution)}.png"
        _save_atomic(model_against_observed(one, n_replicates), path)
        paths.append(path)
    return paths

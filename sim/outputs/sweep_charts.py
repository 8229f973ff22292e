"""Charts of a sweep's analysis (matplotlib object API, no pyplot): each function takes the tables of
`sim.experiments.analysis` and returns a Figure; the caller saves it."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.calibration.use import NOISE


def words(outcome: str) -> str:
    """An outcome's label and unit from the registry ("Crossings: English Channel (people)"), or its name."""
    from sim.outputs.outcomes import outcome as declaration

    try:
        found = declaration(outcome)
    except KeyError:
        return outcome
    return f"{found.label} ({found.unit})"


FIGSIZE = (10.0, 5.0)
DPI = 120
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")  # Okabe-Ito, colour-blind safe
BARS = {"sobol": (("S1", "first order S1"), ("ST", "total ST")), "rbd_fast": (("S1", "first order S1"),),
        "morris": (("mu_star", "mu* (mean absolute effect)"), ("sigma", "sigma (interactions, non-linearity)"))}
TITLES = {"sobol": "Sobol indices", "rbd_fast": "RBD-FAST first-order indices", "morris": "Morris screening"}


def sensitivity_chart(table: pd.DataFrame, outcome: str) -> Figure:
    """Bars of the sensitivity indices of `outcome` per parameter, most important first, with the 90% bootstrap
    confidence intervals SALib reports as error bars (sigma has none)."""
    rows = table[table["outcome"] == outcome].sort_values("importance", ascending=False, kind="stable")
    method = str(rows["method"].iloc[0])
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    ax = fig.subplots()
    bars = BARS[method]
    width = 0.8 / len(bars)
    positions = np.arange(len(rows))
    for i, (column, label) in enumerate(bars):
        conf = rows[f"{column}_conf"] if f"{column}_conf" in rows else None
        ax.bar(positions + (i - (len(bars) - 1) / 2) * width, rows[column], width, yerr=conf, capsize=3,
               color=COLORS[i], label=label + (", 90% CI" if conf is not None else ""))
    ax.set_xticks(positions, rows["parameter"], rotation=30 if len(rows) > 6 else 0, ha="right" if len(
        rows) > 6 else "center")
    ax.axhline(0, color="0.3", linewidth=0.8)
    ax.set_ylabel("index" if method != "morris" else f"effect on {words(outcome)}")
    ax.set_title(f"{TITLES[method]} of {words(outcome)} (replicates averaged per sample)")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize="small")
    return fig


def response_chart(summary: pd.DataFrame, responses: list[pd.DataFrame], outcome: str,
                   interval: str = NOISE) -> Figure:
    """`outcome` against each parameter in `responses` (one panel each): every sample's replicate mean (dots,
    with its 90% t interval where it has one), the mean per value or decile bin with its 90% t interval over
    replicates (line and band), and the base scenario's mean (dashed) when the sweep ran it. The title says what
    the replicates' spread covers (`interval`)."""
    fig = Figure(figsize=(FIGSIZE[0], 4.5 if len(responses) == 1 else 4.0 * len(responses)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(responses), 1))
    points = summary[(summary["outcome"] == outcome) & (summary["sample_id"] >= 0)]
    base = summary.loc[(summary["outcome"] == outcome) & (summary["sample_id"] < 0), "mean"]
    for ax, table in zip(axes, responses, strict=True):
        parameter = str(table["parameter"].iloc[0])
        has_ci = points["t90_low"].notna()
        ax.errorbar(points.loc[has_ci, parameter], points.loc[has_ci, "mean"],
                    yerr=[points.loc[has_ci, "mean"] - points.loc[has_ci, "t90_low"],
                          points.loc[has_ci, "t90_high"] - points.loc[has_ci, "mean"]],
                    fmt="none", ecolor="0.75", elinewidth=0.8, zorder=1)
        ax.scatter(points[parameter], points["mean"], s=8, color="0.55", zorder=2, label="sample (replicate mean)")
        ax.fill_between(table["value"], table["t90_low"], table["t90_high"], color=COLORS[0], alpha=0.25,
                        linewidth=0, label="90% t interval over replicates")
        ax.plot(table["value"], table["mean"], color=COLORS[0], marker="o", linewidth=1.8,
                label="mean per value" if (table["low"] == table["high"]).all() else "mean per decile bin")
        if len(base):
            ax.axhline(float(base.iloc[0]), color=COLORS[1], linestyle="--", linewidth=1.2,
                       label="base scenario (mean)")
        ax.set_xlabel(parameter)
        ax.set_ylabel(words(outcome))
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    fig.suptitle(f"{words(outcome)} against {' and '.join(str(t['parameter'].iloc[0]) for t in responses)}\n"
                 f"(90% t intervals over replicates: {interval})")
    return fig


def heatmap_chart(surface: pd.DataFrame, outcome: str) -> Figure:
    """A 2-D grid: the replicate mean of `outcome` in every cell (rows: surface.index, columns: surface.columns)."""
    fig = Figure(figsize=(FIGSIZE[0], 6.0), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(surface.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(surface.shape[1]), [f"{v:g}" for v in surface.columns])
    ax.set_yticks(range(surface.shape[0]), [f"{v:g}" for v in surface.index])
    ax.set_xlabel(str(surface.columns.name))
    ax.set_ylabel(str(surface.index.name))
    if surface.size <= 144:
        middle = np.nanmean(surface.to_numpy(dtype=float))
        for (i, j), value in np.ndenumerate(surface.to_numpy(dtype=float)):
            ax.text(j, i, f"{value:,.3g}", ha="center", va="center", fontsize="small",
                    color="white" if value < middle else "black")
    fig.colorbar(image, ax=ax, label=f"{words(outcome)}, mean over replicates")
    ax.set_title(f"{words(outcome)} over the grid")
    return fig


def prim_tradeoff_chart(boxes: pd.DataFrame, condition: str) -> Figure:
    """PRIM's peeling trajectory: coverage against density of every box, coloured by how many parameters it
    restricts, the selected box circled."""
    fig = Figure(figsize=(7.0, 5.5), layout="constrained")
    ax = fig.subplots()
    restricted = boxes["restricted"].map(lambda text: len([p for p in text.split(", ") if p]))
    most = max(1, int(restricted.max()))
    points = ax.scatter(boxes["coverage"], boxes["density"], c=restricted, cmap="viridis", vmin=0, vmax=most, s=30,
                        zorder=2)
    chosen = boxes[boxes["selected"]]
    ax.scatter(chosen["coverage"], chosen["density"], s=180, facecolors="none", edgecolors=COLORS[1],
               linewidths=2, zorder=3, label=f"selected box {int(chosen['box'].iloc[0])}")
    ax.set_xlabel("coverage (share of the cases inside the box)")
    ax.set_ylabel("density (share of the box that are cases)")
    ax.set_xlim(0, 1.05)
    ax.set_ylim(0, 1.05)
    ax.grid(True, alpha=0.3)
    fig.colorbar(points, ax=ax, label="parameters restricted", ticks=range(most + 1))
    ax.legend(fontsize="small", loc="lower left")
    ax.set_title(f"PRIM trade-off: {condition}")
    return fig

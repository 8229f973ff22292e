"""The fixed score table: how far the model is from each observed series, against a naive forecast, and whether
it moves the way the series moves.

For one series of n periods (in the file's order by date), observed o_1..o_n and model m_1..m_n (the median
over replicates):
- ard = sum |m - o| / sum o (NaN when sum o = 0);
- mape = mean of |m - o| / o over the periods with o > 0 (NaN when there are none);
- mase = mean |m_t - o_t| / mean |o_t - o_(t-1)|, both over t = 2..n: the model's error over that of the
  forecast "same as the previous period"; NaN when n < 2 or the naive error is 0;
- direction_hits / direction_n: over t = 2..n with o_t != o_(t-1), how often m_t - m_(t-1) has the sign of
  o_t - o_(t-1) (a model that stays flat misses).
A model value that is undefined (NaN, e.g. people per boat in a period with no boats) makes the series'
ard, mape and mase NaN and misses its directions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SCORE_COLUMNS = ["route", "metric", "resolution", "n", "ard", "mape", "mase", "direction_hits", "direction_n"]


def ard(model: np.ndarray, observed: np.ndarray) -> float:
    total = float(np.sum(observed))
    return float(np.sum(np.abs(model - observed)) / total) if total > 0 else float("nan")


def mape(model: np.ndarray, observed: np.ndarray) -> float:
    kept = observed != 0
    if not kept.any():
        return float("nan")
    return float(np.mean(np.abs(model[kept] - observed[kept]) / observed[kept]))


def mase(model: np.ndarray, observed: np.ndarray) -> float:
    if len(observed) < 2:
        return float("nan")
    naive = float(np.mean(np.abs(np.diff(observed))))
    return float(np.mean(np.abs(model[1:] - observed[1:])) / naive) if naive > 0 else float("nan")


def direction(model: np.ndarray, observed: np.ndarray) -> tuple[int, int]:
    """(hits, periods with an observed change)."""
    change = np.diff(observed)
    moved = change != 0
    with np.errstate(invalid="ignore"):
        hits = np.sign(np.diff(model)[moved]) == np.sign(change[moved])
    return int(hits.sum()), int(moved.sum())


def score(model: np.ndarray, observed: np.ndarray) -> dict[str, float | int]:
    """Every metric of one series (arrays in period order)."""
    model, observed = np.asarray(model, float), np.asarray(observed, float)
    hits, n_dir = direction(model, observed)
    return {"n": len(observed), "ard": ard(model, observed), "mape": mape(model, observed),
            "mase": mase(model, observed), "direction_hits": hits, "direction_n": n_dir}


def score_table(paired: pd.DataFrame) -> pd.DataFrame:
    """One row per (route, metric, resolution) of `paired` (columns route, metric, resolution, start, observed,
    model), in SCORE_COLUMNS."""
    rows = []
    for (route, metric, resolution), one in paired.groupby(["route", "metric", "resolution"], sort=True):
        one = one.sort_values("start")
        rows.append({"route": route, "metric": metric, "resolution": resolution,
                     **score(one["model"].to_numpy(), one["observed"].to_numpy())})
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)


def overall(table: pd.DataFrame) -> dict[str, float | int]:
    """The one-line summary: median ARD, share of series (with a MASE) whose MASE < 1, direction hit rate."""
    with_mase = table["mase"].dropna()
    n_dir = int(table["direction_n"].sum())
    return {"series": len(table), "median_ard": float(table["ard"].median()),
            "mase_below_1_share": float((with_mase < 1).mean()) if len(with_mase) else float("nan"),
            "series_with_mase": len(with_mase),
            "direction_hit_rate": float(table["direction_hits"].sum() / n_dir) if n_dir else float("nan"),
            "direction_n": n_dir}


def overall_line(summary: dict[str, float | int]) -> str:
    def pct(x: float) -> str:
        return "–" if np.isnan(x) else f"{x:.0%}"

    return (f"overall: {summary['series']} series; median ARD {summary['median_ard']:.2f}; MASE < 1 in "
            f"{pct(summary['mase_below_1_share'])} of the {summary['series_with_mase']} series with a MASE; "
            f"direction hit rate {pct(summary['direction_hit_rate'])} of {summary['direction_n']} observed changes")

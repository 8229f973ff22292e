"""Summaries of paired differences: mean, percentile-bootstrap CI of the mean, spread of the replicates."""

from __future__ import annotations

import numpy as np

LEVEL = 0.90
RESAMPLES = 2000
BOOTSTRAP_SEED = 20250401  # fixed, so the same runs always give the same intervals


def bootstrap_ci(values: np.ndarray, level: float = LEVEL, resamples: int = RESAMPLES,
                 seed: int = BOOTSTRAP_SEED) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of `values` (NaN, NaN if empty); reproducible by `seed`."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return np.nan, np.nan
    if np.all(values == values[0]):  # no spread: every resample has the same mean
        return float(values[0]), float(values[0])
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(resamples, len(values)))].mean(axis=1)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return float(low), float(high)


def summarise(diffs: np.ndarray, level: float = LEVEL, resamples: int = RESAMPLES,
              seed: int = BOOTSTRAP_SEED) -> dict[str, float | int | bool]:
    """n, mean, CI of the mean, 5-95% range of the values and whether the CI excludes 0 (NaNs dropped)."""
    diffs = np.asarray(diffs, dtype=float)
    diffs = diffs[~np.isnan(diffs)]
    if len(diffs) == 0:
        return {"n": 0, "mean": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p05": np.nan, "p95": np.nan,
                "ci_excludes_zero": False}
    low, high = bootstrap_ci(diffs, level, resamples, seed)
    p05, p95 = np.percentile(diffs, [5, 95])
    return {"n": int(len(diffs)), "mean": float(np.mean(diffs)), "ci_low": low, "ci_high": high,
            "p05": float(p05), "p95": float(p95), "ci_excludes_zero": bool(low > 0 or high < 0)}

"""What a calibration writes from its pyabc database: the posterior sample and its summary, the fitted overlays,
convergence per generation, the fit per series (the `validate` columns), posterior predictive charts and pair
plots. Everything is read back from the database, so it can be written again after a resume."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.abc_smc import HistoryModel, series_key, values_of
from sim.calibration.parameters import BY_ID, PARAMETERS, parameter_settings
from sim.validation.observed import observed_outcomes

OVERLAY = "overlay.toml"  # the behaviour, market, patrol and recording parameters: every scenario takes them
HISTORY_INFLOW = "history_inflow.toml"  # the inflow knots fitted to the history: the history alone takes them
POSTERIOR = "posterior.parquet"
WEIGHT = "weight"


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values)
    cum = np.cumsum(weights[order]) / np.sum(weights)
    return float(values[order][min(np.searchsorted(cum, q), len(values) - 1)])


def posterior_sample(history) -> pd.DataFrame:
    """The last generation's particles as parameter values (not pyabc's log10 numbers), with their weights."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    values = pd.DataFrame([values_of(row) for row in frame.to_dict("records")])
    return values[[p.id for p in PARAMETERS if p.id in values]].assign(**{WEIGHT: weights / weights.sum()})


def posterior_summary(sample: pd.DataFrame) -> pd.DataFrame:
    weights = sample[WEIGHT].to_numpy()
    rows = []
    for pid in sample.columns.drop(WEIGHT):
        p, x = BY_ID[pid], sample[pid].to_numpy()
        rows.append({"parameter": pid, "paths": " ".join(p.paths), "kind": p.kind, "prior_low": p.low,
                     "prior_high": p.high, "prior_scale": "log-uniform" if p.log else "uniform",
                     "mean": float(np.average(x, weights=weights)), "p05": weighted_quantile(x, weights, 0.05),
                     "median": weighted_quantile(x, weights, 0.5), "p95": weighted_quantile(x, weights, 0.95),
                     "p90_width_share_of_prior": (weighted_quantile(x, weights, 0.95)
                                                  - weighted_quantile(x, weights, 0.05)) / (p.high - p.low),
                     "source": p.source})
    return pd.DataFrame(rows)


def convergence(history) -> pd.DataFrame:
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    return pd.DataFrame({"generation": pops["t"].astype(int), "epsilon": pops["epsilon"],
                         "simulations": pops["samples"].astype(int), "accepted": pops["particles"].astype(int),
                         "acceptance": pops["particles"] / pops["samples"],
                         "finished": pops["population_end_time"].astype(str)}).reset_index(drop=True)


def _toml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(float(value))


def overlay_text(settings: dict[str, Any], header: str) -> str:
    """Dotted `--set` paths as a TOML overlay (dotted keys are valid TOML)."""
    lines = [f"# {line}" for line in header.splitlines()]
    return "\n".join(lines + [f"{path} = {_toml_value(value)}" for path, value in sorted(settings.items())]) + "\n"


def medians(summary: pd.DataFrame) -> dict[str, float]:
    return dict(zip(summary["parameter"], summary["median"], strict=True))


def write_overlays(folder: Path, summary: pd.DataFrame, model: HistoryModel, note: str) -> None:
    """The weighted posterior medians: overlay.toml (every scenario) and history_inflow.toml (the history)."""
    values = medians(summary)
    shared = parameter_settings(values, model.scenario, history=False)
    inflow = {k: v for k, v in parameter_settings(values, model.scenario).items() if k not in shared}
    (folder / OVERLAY).write_text(overlay_text(shared, f"Posterior medians of the calibration ({note}).\n"
                                               "Behaviour, market, patrol and recording parameters."))
    (folder / HISTORY_INFLOW).write_text(overlay_text(inflow, f"Posterior medians of the calibration ({note}).\n"
                                                      "Inflow knots of scenarios/history.toml times the fitted "
                                                      "factors; for the history only."))


def predictive(history, observed: pd.DataFrame) -> pd.DataFrame:
    """The `paired` table of sim/validation/run.py from the last generation's accepted simulations (weighted):
    their median is the model column and their 5% and 95% quantiles the band."""
    weights, stats = history.get_weighted_sum_stats(t=history.max_t)
    weights = np.asarray(weights, float)
    pairs = observed_outcomes()
    parts = []
    for (route, metric, resolution), one in observed.groupby(["route", "metric", "resolution"], sort=True):
        one = one.sort_values("start")
        runs = np.array([s[series_key(route, metric, resolution)] for s in stats])
        bands = {name: [weighted_quantile(runs[:, i], weights, q) for i in range(runs.shape[1])]
                 for name, q in (("p05", 0.05), ("model", 0.5), ("p95", 0.95))}
        parts.append(one.assign(outcome=pairs[(route, metric)], observed=one["value"], **bands))
    table = pd.concat(parts, ignore_index=True)
    return table[["route", "metric", "resolution", "period", "start", "outcome", "observed", "model", "p05", "p95"]]


def pair_plot(sample: pd.DataFrame, path: Path) -> None:
    """Every pair of parameters (log axes where the prior is log-uniform), points sized by weight."""
    from matplotlib.figure import Figure

    ids = list(sample.columns.drop(WEIGHT))
    n = len(ids)
    fig = Figure(figsize=(1.6 * n, 1.6 * n))
    axes = fig.subplots(n, n, squeeze=False)
    size = 4 + 60 * sample[WEIGHT] / sample[WEIGHT].max()
    for i, yi in enumerate(ids):
        for j, xj in enumerate(ids):
            ax = axes[i][j]
            if i == j:
                ax.hist(sample[xj], weights=sample[WEIGHT], bins=12, color="tab:blue")
            else:
                ax.scatter(sample[xj], sample[yi], s=size, alpha=0.5, color="tab:blue")
                ax.set_yscale("log" if BY_ID[yi].log else "linear")
                ax.set_ylim(BY_ID[yi].low, BY_ID[yi].high)
            ax.set_xscale("log" if BY_ID[xj].log else "linear")
            ax.set_xlim(BY_ID[xj].low, BY_ID[xj].high)
            ax.tick_params(labelsize=5)
            if i == n - 1:
                ax.set_xlabel(xj, fontsize=6)
            if j == 0:
                ax.set_ylabel(yi, fontsize=6)
    fig.suptitle("Posterior of the calibration (last generation, weighted; axes span the priors)")
    fig.savefig(path, dpi=80)


def write_all(folder: Path, history, model: HistoryModel, note: str, charts: bool = True) -> dict[str, Any]:
    """Write every output into `folder`; returns the overall fit line's numbers."""
    from sim.validation import score

    sample = posterior_sample(history)
    sample.to_parquet(folder / POSTERIOR, index=False)
    summary = posterior_summary(sample)
    summary.to_csv(folder / "posterior_summary.csv", index=False)
    write_overlays(folder, summary, model, note)
    convergence(history).to_csv(folder / "convergence.csv", index=False)
    both = predictive(history, model.observed)
    both.to_csv(folder / "predictive.csv", index=False)
    fit = score.score_table(both)
    fit.to_csv(folder / "fit.csv", index=False)
    if charts:
        from sim.validation.charts import save_all

        save_all(both, len(sample), folder / "charts")  # "replicates": the accepted particles
        pair_plot(sample, folder / "pairs.png")
    return score.overall(fit)

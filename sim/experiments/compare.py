"""Comparing scenarios run with common random numbers: outcomes per run, paired differences, displacement and
cost-effectiveness.

Replicate i of every scenario runs with the same seed, so `ALT_i - BASE_i` removes most of the noise the two
runs share. Differences are summarised by their mean, a percentile-bootstrap 90% CI of the mean and the 5-95%
range of the replicate differences (how much one run can differ, not how sure the mean is).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.experiments.stats import BOOTSTRAP_SEED, LEVEL, RESAMPLES, summarise
from sim.network import CROSSING_CORRIDORS
from sim.outputs.outcomes import label_of, run_outcomes, series_outcomes, unit_of
from sim.outputs.outcomes import outcome as declaration

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from sim.config import Scenario
    from sim.experiments.executor import RunRecord
    from sim.network import Network
    from sim.runner import RunResult

RUN_COLUMNS = ["scenario", "replicate", "seed", "outcome", "value", "status", "error"]
DIFF_COLUMNS = ["scenario", "baseline", "outcome", "label", "unit", "n", "base_mean", "alt_mean", "mean", "ci_low",
                "ci_high", "p05", "p95", "ci_excludes_zero"]
NOT_DISTINGUISHABLE = "not distinguishable from zero"
MIN_INTERVAL_REPLICATES = 3  # fewer replicates: no interval is trusted, no cost per unit given


TARGET_MEASURES = ("crossings", "deaths")  # summed over an intervention's target corridors for cost-effectiveness


def combined_outcome(measure: str, corridors: Sequence[str]) -> str:
    """Name of the outcome summing a measure over several corridors (one corridor: its own outcome)."""
    return f"{measure}." + "+".join(sorted(corridors, key=CROSSING_CORRIDORS.index))


def runs_table(records: Sequence[RunRecord], extra_corridors: Sequence[Sequence[str]] = ()) -> pd.DataFrame:
    """Long table `scenario, replicate, seed, outcome, value, status, error` of every run's outcomes; a failed
    run is one row with its error and no outcome.

    extra_corridors: sets of corridors (an intervention's target corridors) whose summed crossings and deaths
    are wanted as one outcome each, added as `crossings.a+b` and `deaths.a+b`."""
    rows = []
    for record in records:
        if record.status != "ok":
            rows.append((record.label, record.replicate, record.seed, None, np.nan, record.status, record.error))
            continue
        outcomes = dict(record.outcomes)
        for corridors in extra_corridors:
            for measure in TARGET_MEASURES:
                if len(corridors) > 1:
                    outcomes[combined_outcome(measure, corridors)] = sum(outcomes[f"{measure}.{c}"]
                                                                         for c in corridors)
        rows.extend((record.label, record.replicate, record.seed, name, value, "ok", None)
                    for name, value in outcomes.items())
    runs = pd.DataFrame(rows, columns=RUN_COLUMNS)
    return runs.astype({"replicate": "int64", "seed": "int64", "value": "float64", "outcome": "object",
                        "error": "object"})


def ok_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """The rows of the runs that completed (a runs table without a status column is taken as all complete)."""
    return runs[runs["status"] == "ok"] if "status" in runs.columns else runs


def paired_differences(runs: pd.DataFrame, baseline: str, alternative: str) -> pd.DataFrame:
    """replicate x outcome table of ALT_i - BASE_i (NaN where either run leaves the outcome undefined)."""
    def wide(label: str) -> pd.DataFrame:
        part = runs[runs["scenario"] == label]
        if part.empty:
            raise ValueError(f"no runs of scenario {label!r}")
        return part.pivot(index="replicate", columns="outcome", values="value")

    runs = ok_runs(runs)
    seeds = runs.drop_duplicates(["scenario", "replicate"]).pivot(index="replicate", columns="scenario",
                                                                  values="seed")
    paired = seeds.reindex(columns=[alternative, baseline]).dropna()  # replicates both completed
    if (paired[alternative] != paired[baseline]).any():
        raise ValueError(f"{alternative} and {baseline} do not share their replicate seeds; runs are not paired")
    base, alt = wide(baseline), wide(alternative)
    order = list(dict.fromkeys(runs["outcome"]))
    reps = base.index.intersection(alt.index)
    return (alt.loc[reps] - base.loc[reps]).reindex(columns=[o for o in order if o in base or o in alt])


def differences(runs: pd.DataFrame, baseline: str, alternatives: Sequence[str] | None = None,
                level: float = LEVEL, resamples: int = RESAMPLES, seed: int = BOOTSTRAP_SEED) -> pd.DataFrame:
    """Per alternative and outcome: mean paired difference, bootstrap CI of the mean, 5-95% range of replicates.

    Outcomes undefined in every pair (e.g. the price on a corridor nobody paid for) are left out; failed runs
    (and so their pairs) too."""
    runs = ok_runs(runs)
    if alternatives is None:
        alternatives = [s for s in dict.fromkeys(runs["scenario"]) if s != baseline]
    means = runs.groupby(["scenario", "outcome"], sort=False)["value"].mean()
    rows = []
    for alt in alternatives:
        diffs = paired_differences(runs, baseline, alt)
        for name in diffs.columns:
            stats = summarise(diffs[name].to_numpy(), level, resamples, seed)
            if stats["n"] == 0:
                continue
            rows.append({"scenario": alt, "baseline": baseline, "outcome": name, "label": label_of(name),
                         "unit": unit_of(name), "base_mean": means.get((baseline, name), np.nan),
                         "alt_mean": means.get((alt, name), np.nan), **stats})
    return pd.DataFrame(rows, columns=DIFF_COLUMNS)


def displacement(diffs: pd.DataFrame) -> pd.DataFrame:
    """Where did the people go? Change in crossings per crossing corridor, arrivals per destination, give-ups,
    deaths and people still on the way at the end, per alternative (rows of the differences table): the outcomes
    the registry puts in a displacement group."""
    groups = []
    for name in dict.fromkeys(diffs["outcome"]):
        declared = declaration(name)
        if declared.group:
            key = declared.measure if declared.group == "fate" else declared.subject
            groups.append((name, declared.group, key))
    keys = pd.DataFrame(groups, columns=["outcome", "group", "name"])
    table = diffs.merge(keys, on="outcome", how="inner")
    columns = ["scenario", "baseline", "group", "name", "outcome", "label", "unit", "base_mean", "mean", "ci_low",
               "ci_high", "ci_excludes_zero"]
    return table[columns].reset_index(drop=True)


@dataclass(frozen=True)
class InterventionCost:
    """The cost an alternative adds: interventions it has that the baseline lacks or sets differently."""

    scenario: str
    interventions: tuple[str, ...]
    cost_eur: float
    cost_gbp: float
    corridors: tuple[str, ...]  # crossing corridors its interventions' targets act on


def target_corridors(scenario: Scenario, names: Sequence[str], network: Network) -> tuple[str, ...]:
    """Crossing corridors of the legs the named interventions act on (a leg's own corridor; a hub's or a
    country's legs leaving it); all crossing corridors when a target names no legs (an origin, a destination)."""
    from sim.interventions.targets import SINK_KINDS, UnknownTarget, intervention_legs

    found: set[str] = set()
    for name in names:
        item = scenario.interventions[name]
        if item.kind in SINK_KINDS:  # a destination: its pull reaches every corridor
            return CROSSING_CORRIDORS
        try:
            legs = intervention_legs(network, item)
        except UnknownTarget:
            return CROSSING_CORRIDORS
        found.update(network.legs["corridor"].to_numpy()[legs])
    return tuple(c for c in CROSSING_CORRIDORS if c in found)


def _cost_eur(item, scenario: Scenario) -> float | None:
    if item.cost_eur is not None:
        return item.cost_eur
    gbp = item.cost_gbp_over(scenario.start_date, scenario.end_date(), scenario.gbp_to_eur)
    return gbp * scenario.gbp_to_eur if gbp is not None else None


def intervention_cost(label: str, alt: Scenario, base: Scenario, network: Network) -> InterventionCost | None:
    """What `alt` costs beyond `base` (EUR and GBP at its gbp_to_eur): its own interventions' costs less those
    of `base`'s interventions it does not share; None if nothing is costed or `alt` costs no more than `base`."""
    alt_items = {name: item.model_dump() for name, item in alt.interventions.items()}
    base_items = {name: item.model_dump() for name, item in base.interventions.items()}
    names, eur = [], 0.0
    for name, item in alt.interventions.items():
        cost = _cost_eur(item, alt)
        if base_items.get(name) != alt_items[name] and cost is not None:
            eur += cost
            names.append(name)
    for name, item in base.interventions.items():
        cost = _cost_eur(item, base)
        if alt_items.get(name) != base_items[name] and cost is not None:
            eur -= cost
    if not names or eur <= 0:
        return None
    return InterventionCost(label, tuple(names), eur, eur / alt.gbp_to_eur,
                            target_corridors(alt, names, network))


def uncosted_interventions(alt: Scenario, base: Scenario) -> tuple[str, ...]:
    """The interventions `alt` adds or sets differently from `base` that state no cost (cost_gbp/cost_eur): their
    cost is missing from the cost-effectiveness, which is then a lower bound of the cost per unit."""
    return tuple(name for name, item in alt.interventions.items()
                 if (name not in base.interventions or base.interventions[name].model_dump() != item.model_dump())
                 and _cost_eur(item, alt) is None)


CE_MEASURES = (  # (measure, outcome or the measure summed over the target corridors, what one unit is)
    ("crossings_prevented", "crossings", "crossing prevented on the target corridors"),
    ("arrivals_prevented", "arrivals.total", "arrival prevented (all destinations, net of displacement)"),
    ("deaths_averted", "deaths", "death averted on the target corridors"),
)
CE_COLUMNS = ["scenario", "baseline", "interventions", "measure", "per", "outcome", "cost_eur", "cost_gbp",
              "effect_mean", "effect_ci_low", "effect_ci_high", "distinguishable", "cost_per_eur",
              "cost_per_eur_low", "cost_per_eur_high", "cost_per_gbp", "cost_per_gbp_low", "cost_per_gbp_high",
              "text"]


def cost_effectiveness(diffs: pd.DataFrame, costs: Sequence[InterventionCost]) -> pd.DataFrame:
    """Cost per crossing prevented and per death averted on the target corridors (the crossing corridors whose
    legs the interventions act on: deaths displaced elsewhere are not counted), and per arrival prevented.

    The effect is the reduction (BASE - ALT). A cost per unit is given only where the CI of the difference
    excludes 0 and the outcome went down; its interval is the cost over the CI of the effect. Otherwise `text`
    says why there is no number."""
    rows = []
    by_key = diffs.set_index(["scenario", "outcome"])
    for cost in costs:
        for measure, outcome, per in CE_MEASURES:
            if outcome in TARGET_MEASURES:
                if not cost.corridors:
                    continue
                outcome = combined_outcome(outcome, cost.corridors)
                per = f"{per.removesuffix('the target corridors')}{'+'.join(cost.corridors)} (target corridors)"
            row = {"scenario": cost.scenario, "baseline": None, "interventions": ",".join(cost.interventions),
                   "measure": measure, "per": per, "outcome": outcome, "cost_eur": cost.cost_eur,
                   "cost_gbp": cost.cost_gbp}
            if (cost.scenario, outcome) not in by_key.index:
                rows.append({**row, "distinguishable": False, "text": "no such outcome in the runs"})
                continue
            d = by_key.loc[(cost.scenario, outcome)]
            effect, low, high = -d["mean"], -d["ci_high"], -d["ci_low"]
            row.update(baseline=d["baseline"], effect_mean=effect, effect_ci_low=low, effect_ci_high=high,
                       distinguishable=bool(d["ci_excludes_zero"]))
            if d["n"] < MIN_INTERVAL_REPLICATES:
                row.update(distinguishable=False,
                           text=f"no figure from {int(d['n'])} replicates (needs {MIN_INTERVAL_REPLICATES})")
            elif not d["ci_excludes_zero"]:
                row["text"] = NOT_DISTINGUISHABLE
            elif effect <= 0:
                row["text"] = "no reduction: it rose (the 90% CI excludes 0)"
            else:
                rate = cost.cost_gbp / cost.cost_eur if cost.cost_eur > 0 else np.nan
                eur, eur_low, eur_high = cost.cost_eur / effect, cost.cost_eur / high, cost.cost_eur / low
                row.update(cost_per_eur=eur, cost_per_eur_low=eur_low, cost_per_eur_high=eur_high,
                           cost_per_gbp=eur * rate, cost_per_gbp_low=eur_low * rate, cost_per_gbp_high=eur_high * rate)
                row["text"] = (f"EUR {eur:,.0f} (90% CI {eur_low:,.0f}-{eur_high:,.0f}); "
                               f"GBP {eur * rate:,.0f} (90% CI {eur_low * rate:,.0f}-{eur_high * rate:,.0f})")
            rows.append(row)
    return pd.DataFrame(rows, columns=CE_COLUMNS)


SERIES = (*(f"crossings.{c}" for c in CROSSING_CORRIDORS), "deaths.total")  # what the fan charts show
SERIES_COLUMNS = ["scenario", "replicate", "outcome", "date", "days", "value"]
LEG_PREFIX = "people_on_leg:"  # reduced-series rows carrying the people who set off on a leg (for the report's map)
LEG_COLUMNS = ["scenario", "replicate", "leg", "people"]


def _leg_rows(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per leg: the people who set off on it over the run, as an outcome `people_on_leg:<leg>` of the
    whole run (date: its first day; days: its length)."""
    legs = tables.get("monthly_leg")
    if legs is None or legs.empty:
        return pd.DataFrame(columns=["outcome", "date", "days", "value"])
    people = legs.groupby("leg")["departures"].sum()
    first = pd.to_datetime(tables["daily_corridor"]["date"]).min()
    return pd.DataFrame({"outcome": LEG_PREFIX + people.index.astype(str), "date": first.to_datetime64(),
                         "days": tables["daily_corridor"]["date"].nunique(), "value": people.to_numpy(float)})


def comparison_outcomes(result: RunResult) -> tuple[dict[str, float], pd.DataFrame]:
    """The reducer of a comparison (run in the worker): headline scalar outcomes, the weekly series the fan
    charts show (`SERIES`; weeks from Monday, part weeks at either end kept with their `days`) and the people on
    each leg (rows `people_on_leg:<leg>`, split off by `series_table`)."""
    series = series_outcomes(result.tables, "week", SERIES)
    legs = _leg_rows(result.tables).astype({"date": series["date"].dtype, "days": "int64"})
    return run_outcomes(result.tables), pd.concat([series, legs], ignore_index=True)


def _completed(records: Sequence[RunRecord]) -> pd.DataFrame | None:
    parts = [record.series.assign(scenario=record.label, replicate=record.replicate)
             for record in records if record.status == "ok" and record.series is not None]
    return pd.concat(parts, ignore_index=True) if parts else None


def series_table(records: Sequence[RunRecord]) -> pd.DataFrame:
    """The completed runs' series in one long table `scenario, replicate, outcome, date, days, value`."""
    found = _completed(records)
    if found is None:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    series = found.loc[~found["outcome"].str.startswith(LEG_PREFIX), SERIES_COLUMNS].reset_index(drop=True)
    return series.astype({"replicate": "int64", "value": "float64"})


def legs_table(records: Sequence[RunRecord]) -> pd.DataFrame:
    """`scenario, replicate, leg, people`: the people who set off on each leg in each completed run."""
    found = _completed(records)
    if found is None:
        return pd.DataFrame(columns=LEG_COLUMNS)
    legs = found[found["outcome"].str.startswith(LEG_PREFIX)]
    table = pd.DataFrame({"scenario": legs["scenario"], "replicate": legs["replicate"].astype("int64"),
                          "leg": legs["outcome"].str.removeprefix(LEG_PREFIX), "people": legs["value"]})
    return table.reset_index(drop=True)


@dataclass
class Comparison:
    """Everything a comparison produces: its tables and the manifests of the runs it made."""

    baseline: str
    alternatives: list[str]
    seeds: list[int]
    runs: pd.DataFrame
    differences: pd.DataFrame
    displacement: pd.DataFrame
    cost_effectiveness: pd.DataFrame
    series: pd.DataFrame
    costs: list[InterventionCost]
    run_manifests: list[dict]
    wall_time_s: float
    legs: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=LEG_COLUMNS))

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables written to the comparison folder, by file name."""
        return {"runs": self.runs, "differences": self.differences, "displacement": self.displacement,
                "cost_effectiveness": self.cost_effectiveness, "series": self.series, "legs": self.legs}

    @property
    def failed_runs(self) -> pd.DataFrame:
        """`scenario, replicate, seed, error` of each run that failed (its pairs are left out of the tables)."""
        return self.runs.loc[self.runs["status"] != "ok", ["scenario", "replicate", "seed", "error"]]


def compare_scenarios(scenarios: dict[str, Scenario], baseline: str, replicates: int, base_seed: int,
                      workers: int = 0, progress: Callable[[int], None] | None = None,
                      network: Network | None = None, executor: Executor | None = None,
                      draws: Sequence[Mapping[str, Any]] | None = None) -> Comparison:
    """Run every scenario `replicates` times with common seeds (through the executor) and compare each
    alternative with the baseline. A failed run is kept in the runs table with its error; the pairs it leaves
    incomplete are left out of the differences, and the rest of the comparison is made. draws: replicate i's
    parameter settings (posterior draws), the same for every scenario."""
    import time

    from sim.experiments.executor import execute, replicate_seeds, replicate_specs
    from sim.network import load_network

    started = time.perf_counter()
    net = network if network is not None else load_network()
    alternatives = [label for label in scenarios if label != baseline]
    costs = [c for label in alternatives
             if (c := intervention_cost(label, scenarios[label], scenarios[baseline], net)) is not None]
    seeds = replicate_seeds(base_seed, replicates)
    records: list[RunRecord] = []
    execute(replicate_specs(scenarios, seeds, draws), comparison_outcomes, records.append, workers=workers,
            executor=executor, progress=progress)
    records.sort(key=lambda record: record.run_id)
    runs = runs_table(records, extra_corridors=[c.corridors for c in costs])
    completed = set(ok_runs(runs)["scenario"])
    diffs = differences(runs, baseline, [a for a in alternatives if {a, baseline} <= completed])
    manifests = [{"scenario": r.label, "replicate": r.replicate, "seed": r.seed, "status": r.status,
                  "error": r.error,
                  **{k: r.manifest[k] for k in ("kernel_seed", "scenario_hash", "wall_time_s", "people_entered",
                                                "numba_threads") if k in r.manifest}}
                 for r in records]
    return Comparison(baseline, alternatives, seeds, runs, diffs, displacement(diffs),
                      cost_effectiveness(diffs, costs), series_table(records), costs, manifests,
                      round(time.perf_counter() - started, 3), legs_table(records))


def comparison_manifest(comparison: Comparison, scenarios: dict[str, Scenario], files: dict[str, str],
                        workers: int, base_seed: int) -> dict:
    """Provenance of a comparison: files, resolved scenarios, seeds, bootstrap settings, versions, wall time."""
    from sim.config import resolved, scenario_hash
    from sim.outputs.run_folder import git_revision, versions

    return {
        "kind": "comparison",
        "baseline": comparison.baseline,
        "alternatives": comparison.alternatives,
        "scenario_files": files,
        "scenarios": {label: resolved(s) for label, s in scenarios.items()},
        "scenario_hashes": {label: scenario_hash(s) for label, s in scenarios.items()},
        "base_seed": base_seed,
        "replicates": len(comparison.seeds),
        "replicate_seeds": comparison.seeds,
        "common_random_numbers": "replicate i of every scenario runs with replicate_seeds[i]",
        "bootstrap": {"level": LEVEL, "resamples": RESAMPLES, "seed": BOOTSTRAP_SEED, "method": "percentile"},
        "costs": [{"scenario": c.scenario, "interventions": list(c.interventions), "cost_eur": c.cost_eur,
                   "cost_gbp": c.cost_gbp, "target_corridors": list(c.corridors)} for c in comparison.costs],
        "uncosted": {label: list(uncosted_interventions(scenarios[label], scenarios[comparison.baseline]))
                     for label in comparison.alternatives},
        "workers": workers,
        "runs": comparison.run_manifests,
        "versions": versions(),
        "git_revision": git_revision(),
        "wall_time_s": comparison.wall_time_s,
    }


def write_comparison(folder: Path | str, comparison: Comparison, manifest: dict, charts: bool = True,
                     overwrite: bool = False, report: bool = True) -> Path:
    """Write the tables (parquet and CSV), charts/, report.html (with `report`) and manifest.json atomically; an
    existing folder is replaced only if it is a previous routesim comparison and `overwrite` (raises
    OutputError)."""
    from sim.outputs.run_folder import write_run

    tables = comparison.tables()

    def extra(tmp: Path) -> None:
        for name, table in tables.items():
            table.to_csv(tmp / f"{name}.csv", index=False)
        if charts:
            from sim.calibration.use import interval_kind
            from sim.outputs.charts import UNCALIBRATED
            from sim.outputs.compare_charts import intervention_starts, save_all

            fitted = (manifest.get("calibration") or {}).get("status") == "fitted"
            save_all(comparison.series, comparison.displacement, tmp / "charts", "" if fitted else UNCALIBRATED,
                     intervention_starts(manifest["scenarios"]), interval_kind(manifest))
        if report:
            from sim.report import write_report

            write_report(tmp, manifest, "comparison", comparison=comparison)

    return write_run(Path(folder), tables, manifest, extra=extra, overwrite=overwrite, kind="comparison")

"""Experiments of many runs: the executor every multi-run command goes through, and scenario comparison."""

from sim.experiments.compare import (
    CROSSING_CORRIDORS,
    NOT_DISTINGUISHABLE,
    InterventionCost,
    cost_effectiveness,
    differences,
    displacement,
    intervention_cost,
    paired_differences,
    run_outcomes,
    runs_table,
    weekly_series,
)
from sim.experiments.executor import Job, replicate_jobs, replicate_seeds, resolve_workers, run_many
from sim.experiments.stats import bootstrap_ci, summarise

__all__ = [
    "CROSSING_CORRIDORS", "NOT_DISTINGUISHABLE", "InterventionCost", "Job", "bootstrap_ci", "cost_effectiveness",
    "differences", "displacement", "intervention_cost", "paired_differences", "replicate_jobs", "replicate_seeds",
    "resolve_workers", "run_many", "run_outcomes", "runs_table", "summarise", "weekly_series",
]

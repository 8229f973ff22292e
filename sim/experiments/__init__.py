"""Experiments of many runs: the executor every multi-run command goes through, and scenario comparison."""

from sim.experiments.compare import (
    CROSSING_CORRIDORS,
    NOT_DISTINGUISHABLE,
    InterventionCost,
    comparison_outcomes,
    cost_effectiveness,
    differences,
    displacement,
    intervention_cost,
    paired_differences,
    run_outcomes,
    runs_table,
)
from sim.experiments.executor import (
    Reducer,
    RunRecord,
    RunSpec,
    execute,
    make_spec,
    replicate_seeds,
    replicate_specs,
    resolve_workers,
    run_spec,
)
from sim.experiments.stats import bootstrap_ci, summarise

__all__ = [
    "CROSSING_CORRIDORS", "NOT_DISTINGUISHABLE", "InterventionCost", "Reducer", "RunRecord", "RunSpec",
    "bootstrap_ci", "comparison_outcomes", "cost_effectiveness", "differences", "displacement", "execute",
    "intervention_cost", "make_spec", "paired_differences", "replicate_seeds", "replicate_specs", "resolve_workers",
    "run_outcomes", "run_spec", "runs_table", "summarise",
]

"""An adapter for the EMA Workbench: routesim as an EMA model, for its samplers, evaluators and analyses.

`run_model(**settings)` is a module-level, picklable function of plain values (EMA passes its uncertainties,
constants and the replication's seed as keyword arguments) returning scalar outcomes; `ema_model(design)` builds a
`ReplicatorModel` whose uncertainties are an experiment's parameters, whose replications are the experiment's
replicate seeds (common random numbers across EMA's scenarios) and whose outcomes are routesim's scalar outcomes,
one value per replication (ArrayOutcome), so replicate noise stays visible.
EMA reserves the names `scenario`, `policy` and `model`; experiment files refuse them as parameter names.
"""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any

from sim.experiments.executor import replicate_seeds

if TYPE_CHECKING:
    from ema_workbench import ReplicatorModel

    from sim.experiments.design import Design


def outcome_identifier(name: str) -> str:
    """An outcome name as EMA wants it (a Python identifier): crossings.channel -> crossings__channel."""
    return re.sub(r"\W", "_", name.replace(".", "__"))


def run_model(base_scenario: str, paths: str, outcomes: str, seed: int, **settings: Any) -> dict[str, float]:
    """One run: the base scenario (JSON) with each setting applied at its dotted path (`paths`: JSON of
    name -> path) and the replication's seed; returns the named scalar outcomes (NaN where undefined)."""
    from sim.config import Scenario
    from sim.config.overrides import apply_overrides
    from sim.outputs.outcomes import scalar_outcomes
    from sim.runner import simulate

    where = json.loads(paths)
    overrides = {where[name]: value.item() if hasattr(value, "item") else value for name, value in settings.items()}
    scenario = apply_overrides(Scenario.model_validate_json(base_scenario), {**overrides, "seed": int(seed)},
                               origin="EMA experiment")
    values = scalar_outcomes(simulate(scenario).tables)
    return {outcome_identifier(name): values.get(name, math.nan) for name in json.loads(outcomes)}


def ema_model(design: Design, name: str | None = None) -> ReplicatorModel:
    """The experiment as an EMA `ReplicatorModel`: its parameters as uncertainties (ranges; integer settings as
    IntegerParameter), its replicate seeds as replications, routesim's scalar outcomes as ArrayOutcomes over the
    replications."""
    from ema_workbench import ArrayOutcome, Constant, IntegerParameter, RealParameter, ReplicatorModel

    from sim.config.overrides import value_at
    from sim.outputs.outcomes import OUTCOMES

    exp = design.experiment
    base = design.base.model_dump(mode="json")
    wanted = list(exp.outcomes) if exp.outcomes is not None else [o.name for o in OUTCOMES
                                                                  if o.kind == "scalar" and not o.detail]
    model = ReplicatorModel(name or re.sub(r"\W", "_", exp.name), function=run_model)
    uncertainties = []
    for p in exp.parameters:
        if p.low is None or p.high is None:
            raise ValueError(f"parameter {p.column}: EMA needs a range (low, high), not values")
        like = value_at(base, p.path)
        is_int = isinstance(like, int) and not isinstance(like, bool)
        uncertainties.append(IntegerParameter(p.column, int(p.low), int(p.high)) if is_int
                             else RealParameter(p.column, p.low, p.high))
    model.uncertainties = uncertainties
    model.constants = [Constant("base_scenario", json.dumps(base)),
                       Constant("paths", json.dumps({p.column: p.path for p in exp.parameters})),
                       Constant("outcomes", json.dumps(wanted))]
    model.replications = [{"seed": seed} for seed in replicate_seeds(exp.root_seed, exp.replicates)]
    model.outcomes = [ArrayOutcome(outcome_identifier(n)) for n in wanted]  # one value per replication
    return model

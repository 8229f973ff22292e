"""routesim through the EMA Workbench's own evaluator: an LHS of the Sobol study's settings, replicated with common
seeds, then PRIM on the runs where Channel deaths exceed their median.

    python experiments/ema_example.py [N_SCENARIOS]     (default 8; half-year runs at scale 50)
"""

import sys
from pathlib import Path

import numpy as np
from ema_workbench import SequentialEvaluator, perform_experiments
from ema_workbench.analysis import prim

from sim.experiments.design import load_design
from sim.experiments.ema import ema_model, outcome_identifier

HERE = Path(__file__).resolve().parent


def main(n_scenarios: int = 8) -> None:
    design = load_design(HERE / "sobol_behaviour_market.toml")
    model = ema_model(design)
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios=n_scenarios, evaluator=evaluator)
    deaths = np.asarray(outcomes[outcome_identifier("deaths.total")]).reshape(len(experiments), -1).mean(axis=1)
    names = [p.column for p in design.experiment.parameters]
    print(experiments[names].assign(deaths_mean_over_replications=deaths).to_string())
    box = prim.Prim(experiments[names], deaths > np.median(deaths), peel_alpha=0.1).find_box()
    print(box.inspect(style="table") if hasattr(box, "inspect") else box)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)

"""The EMA Workbench adapter: routesim runs under EMA's own evaluator, with the experiment's seeds."""

from pathlib import Path

import numpy as np
import pytest

from sim.experiments.design import load_design
from sim.experiments.ema import ema_model, outcome_identifier, run_model

ema_workbench = pytest.importorskip("ema_workbench")
ROOT = Path(__file__).resolve().parents[1]

EXPERIMENT = f"""name = "ema_tiny"
scenario = "{ROOT / "scenarios" / "baseline.toml"}"
root_seed = 11
replicates = 2
outcomes = ["crossings.channel", "deaths.total"]
[settings]
days = 3
spin_up_days = 0
scale = 100.0
[sampler]
kind = "lhs"
n = 2
[[parameters]]
path = 'patrols.beach_officers."northern_france_coast->kent"'
name = "officers"
low = 0.0
high = 1000.0
[[parameters]]
path = "behaviour.detention_days"
low = 0
high = 30
"""


def test_ema_evaluator_runs_the_model_with_the_experiments_seeds(tmp_path: Path) -> None:
    path = tmp_path / "ema.toml"
    path.write_text(EXPERIMENT)
    design = load_design(path)
    model = ema_model(design)
    assert {u.name for u in model.uncertainties} == {"officers", "detention_days"}
    assert isinstance(model.uncertainties[1], ema_workbench.IntegerParameter)
    with ema_workbench.SequentialEvaluator(model) as evaluator:
        experiments, outcomes = ema_workbench.perform_experiments(model, scenarios=2, evaluator=evaluator)
    assert len(experiments) == 2
    channel = np.asarray(outcomes[outcome_identifier("crossings.channel")])
    assert channel.shape[0] == 2 and channel.size == 4  # 2 scenarios x 2 replications
    row = experiments.iloc[0]
    constants = {c.name: c.value for c in model.constants}
    again = run_model(**constants, seed=model.replications[0]["seed"], officers=row["officers"],
                      detention_days=int(row["detention_days"]))
    assert again[outcome_identifier("crossings.channel")] == channel.reshape(2, -1)[0, 0]

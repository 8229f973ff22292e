"""A scenario continuing another's world through its spin-up (`spin_up_from`): which entries carry on, whose
inflow fills the spin-up, and one clear error for each way the pair cannot fit."""

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.config import ConfigError, load_scenario
from tests.conftest import ROOT

WORLD = """
name = "world"
start_date = 2020-01-01
days = 2000
spin_up_days = 0

[inflow.syria]
dates = [2020-01-01, 2022-01-01]
people_per_day = [300.0, 100.0]
initial_stock_people = 50.0

[inflow.albania]
dates = [2020-01-01]
people_per_day = [20.0]

[interventions.old_patrols]
kind = "launch_prevention"
start = 2020-06-01
end = 2020-12-31
target = { corridor = "channel" }
officers_added = 100.0

[interventions.deal]
kind = "launch_prevention"
start = 2023-03-10
target = { corridor = "channel" }
officers_added = 150.0

[interventions.later]
kind = "launch_prevention"
start = 2024-06-01
target = { corridor = "channel" }
officers_added = 500.0
"""

RUN = """
name = "run"
start_date = 2024-01-01
days = 365
spin_up_days = 365
spin_up_from = "world.toml"

[inflow.syria]
dates = [2024-01-01]
people_per_day = [40.0]
"""


def _with(text: str, line: str) -> str:
    """`text` with a top-level `line` (before its tables)."""
    return text.replace("spin_up_days = 365\n", f"spin_up_days = 365\n{line}\n", 1)


def _write(folder: Path, run: str = RUN, world: str = WORLD) -> Path:
    (folder / "world.toml").write_text(world)
    (folder / "run.toml").write_text(run)
    return folder / "run.toml"


def test_entries_in_force_before_the_start_carry_on_and_later_ones_do_not(tmp_path: Path) -> None:
    scenario = load_scenario(_write(tmp_path))
    assert set(scenario.interventions) == {"world_deal"}, "over before the spin-up: dropped; after the start: not"
    assert scenario.interventions["world_deal"].start == dt.date(2023, 3, 10)
    assert scenario.inflow.keys() == {"syria"}, "own inflow by default"


def test_continued_inflow_is_the_worlds_before_the_start_and_its_own_after(tmp_path: Path) -> None:
    scenario = load_scenario(_write(tmp_path, _with(RUN, 'spin_up_inflow = "continued"')))
    flat = [1.0] * 12
    first = scenario.start_date - dt.timedelta(days=scenario.spin_up_days)
    syria = scenario.inflow["syria"].per_day(first, scenario.spin_up_days + scenario.days, flat)
    assert syria[:364] == pytest.approx([100.0] * 364), "the world's level (held after its last point)"
    assert syria[scenario.spin_up_days:] == pytest.approx([40.0] * scenario.days), "its own from start_date"
    albania = scenario.inflow["albania"].per_day(first, scenario.spin_up_days + scenario.days, flat)
    assert albania[0] == pytest.approx(20.0) and albania[scenario.spin_up_days:].max() == 0.0
    assert scenario.inflow["syria"].initial_stock_people == 50.0


@pytest.mark.parametrize(("run", "world", "key", "says"), [
    (RUN.replace("spin_up_days = 365", "spin_up_days = 2000"), WORLD, "spin_up_from", "must include this run's"),
    (RUN.replace("world.toml", "missing.toml"), WORLD, "spin_up_from", "not found"),
    (RUN.replace('"world.toml"', "3"), WORLD, "spin_up_from", "Input should be a valid string"),
    (RUN, WORLD.replace('name = "world"', 'name = "world"\nspin_up_from = "run.toml"'), "spin_up_from",
     "may not itself use spin_up_from"),
    (_with(RUN, 'spin_up_inflow = "theirs"'), WORLD, "spin_up_inflow", "'own' or 'continued'"),
    (RUN + "\n[interventions.world_deal]\nkind = \"launch_prevention\"\nstart = 2024-02-01\n"
     "target = { corridor = \"channel\" }\nofficers_added = 1.0\n", WORLD, "interventions.world_deal", "rename it"),
])
def test_each_misfit_is_one_clear_error(tmp_path: Path, run: str, world: str, key: str, says: str) -> None:
    path = _write(tmp_path, run, world)
    with pytest.raises(ConfigError) as err:
        load_scenario(path)
    assert key in str(err.value) and says in str(err.value)
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 2 and "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_the_shipped_continued_baseline_carries_the_historys_events() -> None:
    baseline = load_scenario(ROOT / "scenarios" / "baseline.toml")
    continued = load_scenario(ROOT / "scenarios" / "baseline_continued.toml")
    history = load_scenario(ROOT / "scenarios" / "history.toml")
    carried = {name.removeprefix("history_") for name in continued.interventions} - set(baseline.interventions)
    assert {"uk_france_2023", "eu_turkey_returns", "poland_fence"} <= carried
    assert all(history.interventions[name].start < baseline.start_date for name in carried)
    assert continued.inflow == baseline.inflow and continued.days == baseline.days

"""Shared test fixtures: small scenarios built from the shipped baseline."""

import datetime as dt
from pathlib import Path

import pytest

from sim.config import Scenario, load_scenario
from sim.network import Network, load_network

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"


@pytest.fixture(scope="session")
def network() -> Network:
    return load_network()


def small_scenario(inflow_factor: float = 0.1, days: int = 60, spin_up_days: int = 0, **changes) -> Scenario:
    """The baseline with inflow scaled by `inflow_factor` and a short horizon: seconds, not minutes."""
    base = load_scenario(BASELINE)
    inflow = {
        key: series.model_copy(update={"people_per_day": [v * inflow_factor for v in series.people_per_day]})
        for key, series in base.inflow.items()
    }
    update = {"inflow": inflow, "days": days, "spin_up_days": spin_up_days, "start_date": dt.date(2025, 4, 1)}
    update.update(changes)
    return base.model_copy(update=update)


def child_of_baseline(folder: Path, body: str, name: str = "child.toml") -> Path:
    """A scenario file in `folder` that extends a copy of the shipped baseline beside it (extends names files
    relative to the including file, inside its folder)."""
    import shutil

    shutil.copy(BASELINE, folder / "baseline.toml")
    path = folder / name
    path.write_text('extends = "baseline.toml"\n' + body)
    return path


def serbia_hungary_closure(start: dt.date, end: dt.date | None = None) -> dict:
    """The shipped Serbia-Hungary closure (scenarios/serbia_hungary_closure.toml) moved to the given dates."""
    item = load_scenario(ROOT / "scenarios" / "serbia_hungary_closure.toml").interventions["hungary_fence"]
    return {"hungary_fence": item.model_copy(update={"start": start, "end": end})}

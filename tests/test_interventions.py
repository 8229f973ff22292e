"""Interventions: composition of scenario files, clear errors, and the mechanism each kind acts through."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.config import load_scenario, load_with_warnings
from sim.interventions.schema import LaunchPrevention
from sim.runner import simulate
from tests.conftest import ROOT, small_scenario

BASE = (ROOT / "scenarios" / "baseline.toml").as_posix()

CHILD = """\
extends = "baseline.toml"
name = "child"
days = 30
spin_up_days = 0

[interventions.beach]
kind = "launch_prevention"
start = 2025-04-10
target = { corridor = "channel" }
officers_added = 100.0
cost_gbp = 1000000.0
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    """Write a scenario next to a copy of the baseline (extends stays inside a file's folder)."""
    if not (tmp_path / "baseline.toml").exists():
        shutil.copy(BASE, tmp_path / "baseline.toml")
    path = tmp_path / name
    path.write_text(text)
    return path


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def test_extends_merges_and_overrides(tmp_path: Path) -> None:
    child = load_scenario(write(tmp_path, "child.toml", CHILD))
    parent = load_scenario(BASE)
    assert child.name == "child" and child.days == 30
    assert child.inflow == parent.inflow and child.seed == parent.seed
    assert isinstance(child.interventions["beach"], LaunchPrevention)
    grandchild = write(tmp_path, "grandchild.toml", 'extends = "child.toml"\nname = "g"\n'
                       'remove_interventions = ["beach"]\n[behaviour]\nsettle_share = 0.9\n')
    g = load_scenario(grandchild)
    assert g.interventions == {} and g.behaviour.settle_share == 0.9 and g.days == 30
    assert g.behaviour.earn_eur_per_day == parent.behaviour.earn_eur_per_day


def test_intensity_ramps_up_and_ends() -> None:
    item = LaunchPrevention(kind="launch_prevention", start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31),
                            ramp_up_days=10, target={"corridor": "channel"}, officers_added=10.0)
    assert item.intensity(dt.date(2024, 12, 31)) == 0.0
    assert item.intensity(dt.date(2025, 1, 5)) == pytest.approx(0.5)
    assert item.intensity(dt.date(2025, 1, 20)) == 1.0
    assert item.intensity(dt.date(2025, 2, 1)) == 0.0


BAD = [
    ("unknown kind", CHILD.replace('kind = "launch_prevention"', 'kind = "carpet_bombing"'), "interventions.beach",
     "launch_prevention"),
    ("unknown target", CHILD.replace('corridor = "channel"', 'corridor = "pacific"'),
     "interventions.beach.target.corridor", "allowed"),
    ("unknown leg", CHILD.replace('target = { corridor = "channel" }', 'target = { leg = "a->b" }'),
     "interventions.beach.target.leg", "unknown leg"),
    ("negative budget", CHILD.replace("cost_gbp = 1000000.0", "cost_gbp = -5.0"), "cost_gbp", "greater than"),
    ("share above 1", CHILD.replace('kind = "launch_prevention"', 'kind = "border_closure"').replace(
        "officers_added = 100.0", "share_stopped = 1.5"), "share_stopped", "less than or equal to 1"),
    ("outside dates", CHILD.replace("start = 2025-04-10", "start = 2027-01-01"), "interventions.beach.start",
     "wholly outside"),
    ("two targets", CHILD.replace('target = { corridor = "channel" }',
                                  'target = { corridor = "channel", hub = "kent" }'), "target", "exactly one"),
    ("wrong mode for kind", CHILD.replace('corridor = "channel"', 'corridor = "western_balkans"'),
     "interventions.beach.target.corridor", "no sea legs"),
    ("missing parent", CHILD.replace("baseline.toml", "nowhere.toml"), "extends", "not found"),
]


@pytest.mark.parametrize(("label", "text", "key", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_interventions_are_clear_errors(tmp_path: Path, label: str, text: str, key: str, message: str) -> None:
    path = write(tmp_path, "alt.toml", text)
    out = tmp_path / "out"
    result = cli("run", str(path), "--out", str(out), "--quiet", "--no-charts")
    assert result.exit_code == 2, result.output
    assert "alt.toml" in result.output and key in result.output and message in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_extends_cycle_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", 'extends = "b.toml"\nname = "a"\n')
    write(tmp_path, "b.toml", 'extends = "a.toml"\nname = "b"\n')
    result = cli("run", str(tmp_path / "a.toml"), "--out", str(tmp_path / "o"), "--quiet")
    assert result.exit_code == 2 and "cycle of extends" in result.output and not (tmp_path / "o").exists()


def test_days_override_that_cuts_an_intervention_warns(tmp_path: Path) -> None:
    text = CHILD.replace("start = 2025-04-10", "start = 2025-04-10\nend = 2025-04-25")
    _, warnings = load_with_warnings(write(tmp_path, "c.toml", text), {"--days": {"days": 10}})
    assert len(warnings) == 1 and "cut short" in warnings[0] and "interventions.beach" in warnings[0]
    _, none = load_with_warnings(tmp_path / "c.toml", {"--days": {"days": 30}})
    assert none == []


def _totals(scenario, table: str = "daily_corridor", by: str = "corridor"):
    return simulate(scenario).tables[table].groupby(by).sum(numeric_only=True)


def _with(scenario, **interventions):
    return scenario.model_copy(update={"interventions": interventions})


def test_launch_prevention_raises_preventions_on_its_corridor() -> None:
    base = small_scenario(inflow_factor=0.3, days=60, spin_up_days=150)
    item = LaunchPrevention(kind="launch_prevention", start=base.start_date, target={"corridor": "channel"},
                            officers_added=1000.0)
    before, after = _totals(base), _totals(_with(base, beach=item))
    share = lambda t: t.loc["channel", "prevented"] / t.loc["channel", "departures"]  # noqa: E731
    assert share(after) > share(before) + 0.1


def test_supply_chain_seizures_cut_smugglers_stock() -> None:
    from sim.interventions.schema import SupplyChainSeizures

    base = small_scenario(inflow_factor=0.3, days=60, spin_up_days=150)
    item = SupplyChainSeizures(kind="supply_chain_seizures", start=base.start_date, target={"corridor": "channel"},
                               boats_per_month=300.0)
    run = simulate(_with(base, seize=item)).tables
    assert run["daily_interventions"]["boats_seized"].sum() > 100
    stock = lambda t: t[t.corridor == "channel"]["boats_in_stock"].mean()  # noqa: E731
    assert stock(run["daily_market"]) < stock(simulate(base).tables["daily_market"])


def test_border_closure_stops_crossings_and_people_go_round() -> None:
    from sim.interventions.schema import BorderClosure

    base = small_scenario(inflow_factor=0.3, days=60, spin_up_days=150)
    item = BorderClosure(kind="border_closure", start=base.start_date, target={"leg": "belgrade->budapest"},
                         share_stopped=1.0)
    before, after = (simulate(s).tables["monthly_leg"].groupby("leg")["landings"].sum()
                     for s in (base, _with(base, fence=item)))
    assert after["belgrade->budapest"] < 0.05 * before["belgrade->budapest"]
    others = [leg for leg in before.index if leg.startswith("belgrade->") and leg != "belgrade->budapest"]
    assert after[others].sum() > before[others].sum()

"""Overrides: dotted paths set on a resolved scenario and validated like a file; --set/--seed/--days/--scale."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.config import ConfigError, apply_overrides, load_scenario, load_with_warnings, parse_assignment
from tests.conftest import ROOT

FRENCH = ROOT / "scenarios" / "french_mobile_unit.toml"
KENT = "northern_france_coast->kent"


@pytest.mark.parametrize(("text", "path", "value"), [
    ("days=200", "days", 200),
    ("behaviour.settle_share=0.5", "behaviour.settle_share", 0.5),
    ("interventions.x.pull_factor_hypothesis=true", "interventions.x.pull_factor_hypothesis", True),
    ('name="a b"', "name", "a b"),
    ("name=plain words", "name", "plain words"),
    ("start_date=2025-06-01", "start_date", dt.date(2025, 6, 1)),
    ("x=[1, 2]", "x", [1, 2]),
    (f'patrols.beach_officers."{KENT}"=600', f'patrols.beach_officers."{KENT}"', 600),
    ("name=1\nseed = 3", "name", "1\nseed = 3"),  # one value only: anything else is a bare string
])
def test_parse_assignment_reads_toml_values(text: str, path: str, value: object) -> None:
    assert parse_assignment(text) == (path, value)


def test_parse_assignment_without_equals_names_origin() -> None:
    with pytest.raises(ConfigError, match=r"^--sweep: days: expected PATH=VALUE"):
        parse_assignment("days", origin="--sweep")


def test_the_issues_three_paths_are_set_and_validated() -> None:
    base = load_scenario(FRENCH)
    settings = dict(parse_assignment(t) for t in (
        "interventions.french_mobile_unit.officers_added=200", f'patrols.beach_officers."{KENT}"=600',
        "behaviour.value_of_time_eur_per_day=30"))
    changed = apply_overrides(base, settings, "--set")
    assert changed.interventions["french_mobile_unit"].officers_added == 200
    assert changed.patrols.beach_officers[KENT] == 600 and changed.behaviour.value_of_time_eur_per_day == 30
    assert base.behaviour.value_of_time_eur_per_day == 40  # a new scenario; the old one is untouched
    assert changed.model_copy(update={"interventions": base.interventions, "patrols": base.patrols,
                                      "behaviour": base.behaviour}) == base  # nothing else moved


def test_a_dict_field_takes_new_keys_and_new_entries_are_validated() -> None:
    base = load_scenario(FRENCH)
    changed = apply_overrides(base, {"patrols.beach_officers.new_leg": 5.0}, "--set")
    assert changed.patrols.beach_officers["new_leg"] == 5.0
    with pytest.raises(ConfigError, match=r"^--set: interventions\.new"):
        apply_overrides(base, {"interventions.new.kind": "launch_prevention"}, "--set")  # start etc. missing


@pytest.mark.parametrize(("path", "value", "message"), [
    ("behaviour.valu", 3, r"^--set: behaviour\.valu: unknown key 'valu'; allowed keys here: value_of_time_eur"),
    ("colour", 3, r"^--set: colour: unknown key 'colour'; allowed keys here: name, description"),
    ("behaviour.settle_share", 2.0, r"^--set: behaviour\.settle_share: Input should be less than or equal to 1"),
    ("behaviour.settle_share", float("nan"), r"^--set: behaviour\.settle_share: Input should be a finite number"),
    ("days", "x", r"^--set: days: Input should be a valid integer"),
    ("enforcement.units.9.name", "a", r"^--set: enforcement\.units\.9\.name: '9' is not an index"),
    ("days.x", 1, r"^--set: days\.x: days is a value, not a table"),
    ("enforcement.units.0.name", "italy_central_med", r"^--set: enforcement: unit names must be unique"),
    ("a..b", 1, r"^--set: a\.\.b: not a dotted path"),
])
def test_bad_overrides_are_one_line_errors_naming_origin_and_path(path: str, value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        apply_overrides(load_scenario(FRENCH), {path: value}, "--set")


def test_loader_applies_overrides_by_origin_and_keeps_the_days_warnings(tmp_path: Path) -> None:
    scenario, warnings = load_with_warnings(FRENCH, {"--set": {"behaviour.settle_share": 0.25},
                                                     "--days": {"days": 30}})
    assert scenario.days == 30 and scenario.behaviour.settle_share == 0.25
    assert len(warnings) == 1 and "never in force" in warnings[0] and "--days" in warnings[0]
    with pytest.raises(ConfigError, match=r"^--days: days: "):
        load_with_warnings(FRENCH, {"--days": {"days": -1}})


def test_set_reaches_the_run_through_the_real_command(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('name = "t"\nstart_date = 2025-04-01\ndays = 5\nspin_up_days = 0\n'
                    "[inflow.iraq]\ndates = [2025-04-01]\npeople_per_day = [10.0]\n")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(path), "--out", str(out), "--quiet",
                           "--no-charts", "--days", "2", "--set", "behaviour.value_of_time_eur_per_day=30",
                           "--set", f'patrols.beach_officers."{KENT}"=600'],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((out / "manifest.json").read_text())["scenario"]
    assert manifest["days"] == 2 and manifest["behaviour"]["value_of_time_eur_per_day"] == 30
    assert manifest["patrols"]["beach_officers"][KENT] == 600

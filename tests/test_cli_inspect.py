"""The looking commands: parameters reference (and its generated doc), scenarios, show, legs."""

from typer.testing import CliRunner

from sim.cli import app
from sim.config.reference import markdown
from tests.conftest import ROOT


def test_parameter_docs_are_generated_and_up_to_date() -> None:
    text = markdown()
    for key in ("behaviour.value_of_time_eur_per_day", "supply.boat_and_engine_price_eur",
                "interventions.<name>.officers_added", "inflow.<name>.people_per_day"):
        assert f"`{key}`" in text
    assert (ROOT / "docs" / "parameters.md").read_text() == text, (
        "docs/parameters.md is stale: run `routesim parameters --markdown > docs/parameters.md`")


def test_every_parameter_with_a_default_names_its_source_or_assumption() -> None:
    from sim.config.reference import rows

    for row in rows():
        section = row.key.split(".")[0]
        if section in ("behaviour", "boats", "smugglers", "patrols", "information") and "<name>" not in row.key:
            assert row.source, f"{row.key} has no source"


def test_scenarios_show_and_legs_run() -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["scenarios", "--folder", str(ROOT / "scenarios")])
    assert listed.exit_code == 0 and "baseline.toml" in listed.output
    shown = runner.invoke(app, ["show", str(ROOT / "scenarios" / "french_mobile_unit.toml")])
    assert shown.exit_code == 0 and "officers_added" in shown.output and "behaviour" in shown.output
    legs = runner.invoke(app, ["legs", "--corridor", "channel"])
    assert legs.exit_code == 0 and "northern_france_coast->kent" in legs.output
    bad = runner.invoke(app, ["legs", "--corridor", "atlantis"])
    assert bad.exit_code == 2 and "allowed" in bad.output


def test_show_prints_resolved_values_expanded_with_unit_and_who_set_them() -> None:
    from sim.config import load_scenario
    from sim.config.loader import load_sources
    from sim.config.reference import values

    path = ROOT / "scenarios" / "french_mobile_unit.toml"
    found = {v.key: v for v in values(load_scenario(path), load_sources(path))}
    officers = found["interventions.french_mobile_unit.officers_added"]
    assert officers.value == "100.0" and officers.unit == "people" and officers.set_by == str(path)
    assert found["days"].value == "365" and found["days"].set_by.endswith("baseline.toml")  # from the parent
    assert found["behaviour.value_of_time_eur_per_day"].set_by == "default"
    assert found["behaviour.value_of_time_eur_per_day"].unit == "EUR/day"
    assert found["enforcement.units.1.name"].value == "italy_central_med"  # lists of tables expanded
    assert found["weather.areas.central_med.persistence"].value == "0.6"  # tables of tables expanded
    assert found["patrols.beach_officers.northern_france_coast->kent"].value == "300.0"
    assert found["inflow.albania.people_per_day"].value == "[25.0]"
    assert not any(v.value.endswith("entries") or v.value == "(required)" for v in found.values())
    shown = CliRunner().invoke(app, ["show", str(path)])
    assert shown.exit_code == 0, shown.output
    assert "* interventions.french_mobile_unit.officers_added" in shown.output
    assert "  behaviour.value_of_time_eur_per_day" in shown.output and "entries" not in shown.output

"""Observation as the sources count: Frontex detections (push-backs and repeat attempts), Home Office boats and
people arriving, IOM deaths by route, and a run summary that sets a model year beside the same published year."""

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from sim.config import load_scenario
from sim.config.loader import ConfigError, check_against_network
from sim.interventions.schema import BorderClosure
from sim.model import RouteModel
from sim.network import CROSSING_CORRIDORS, LEG_SOURCES, MODE_SEA, load_network
from sim.outputs.outcomes import scalar_outcomes
from sim.outputs.published import beside_published
from sim.population import kernel, reference
from sim.runner import simulate
from tests.conftest import child_of_baseline, small_scenario

WB_OBSERVED = ("belgrade->budapest", "belgrade->zagreb")  # the Serbian borders of Hungary and Croatia


def _closed(scenario, legs: tuple[str, ...], share: float):
    fences = {f"fence{i}": BorderClosure(kind="border_closure", start=scenario.start_date, target={"leg": leg},
                                         share_stopped=share) for i, leg in enumerate(legs)}
    return scenario.model_copy(update={"interventions": fences})


@pytest.fixture(scope="module")
def balkan_runs() -> dict[str, dict[str, pd.DataFrame]]:
    base = small_scenario(inflow_factor=0.3, days=60, spin_up_days=150)
    closed = _closed(base, ("belgrade->budapest",), 0.9)
    uncounted = closed.model_copy(update={"observation": closed.observation.model_copy(
        update={"land_stops_recorded_share": {}})})
    return {name: simulate(s).tables for name, s in (("base", base), ("closed", closed), ("uncounted", uncounted))}


def test_a_balkan_closure_raises_frontex_detections_while_crossings_fall(balkan_runs) -> None:
    """Push-backs at the closed border are detections: the route's recorded detections rise as its crossings
    fall. Counted as before (completed crossings only), the same closure would lower them."""
    base, closed, uncounted = (scalar_outcomes(balkan_runs[k]) for k in ("base", "closed", "uncounted"))
    assert closed["crossings.western_balkans"] < base["crossings.western_balkans"]
    assert closed["intercepted.western_balkans"] > 0 == base["intercepted.western_balkans"]
    assert closed["recorded.frontex_western_balkans"] > 1.3 * base["recorded.frontex_western_balkans"]
    assert uncounted["recorded.frontex_western_balkans"] < base["recorded.frontex_western_balkans"]
    # What is added is exactly the push-backs on the source's legs (share 1 by default).
    added = closed["recorded.frontex_western_balkans"] - uncounted["recorded.frontex_western_balkans"]
    assert added == pytest.approx(closed["intercepted.western_balkans"])


def test_every_attempt_is_a_detection() -> None:
    """With Serbia's borders to Hungary and Croatia closed, people at Belgrade are stopped again and again: the
    stops Frontex records are every attempt, more than the people ever stopped."""
    scenario = _closed(small_scenario(inflow_factor=0.3, days=40, spin_up_days=150), WB_OBSERVED, 1.0)
    model = RouteModel(scenario)
    belgrade = list(model.net.hubs["id"]).index("belgrade")
    stopped_people: set[int] = set()
    while model.day < model.total_days:
        model.step()
        if model.day > scenario.spin_up_days:
            pop = model.population
            at = (pop.hub == belgrade) & (pop.state == kernel.RETURNED)
            stopped_people.update(pop.ids[at].tolist())
    rec, net = model.recorder, model.net
    stops = int(rec.leg[:, [list(net.legs["id"]).index(leg) for leg in WB_OBSERVED], kernel.C_INTERCEPTED].sum())
    assert stops > 1.5 * len(stopped_people) > 0
    # Frontex's figure: the crossings it sees on its legs plus every one of those stops.
    seen = np.where(net.observed_as == LEG_SOURCES.index("frontex_western_balkans"), net.observed_share, 0.0)
    crossings_seen = (rec.leg[:, :, kernel.C_LANDED] @ seen).sum()
    recorded = scalar_outcomes(rec.tables())["recorded.frontex_western_balkans"]
    assert recorded == pytest.approx(crossings_seen + stops)


def test_sea_interceptions_count_only_where_the_scenario_says_the_eu_side_intercepts() -> None:
    base = small_scenario(inflow_factor=0.2, days=40, spin_up_days=120)
    eu_side = base.model_copy(update={"observation": base.observation.model_copy(
        update={"sea_interceptions_recorded_share": {"frontex_central_med": 1.0}})})
    before, after = (scalar_outcomes(simulate(s).tables) for s in (base, eu_side))
    assert before["intercepted.central_med"] > 0
    assert before["recorded.frontex_central_med"] == pytest.approx(before["crossings.central_med"])
    assert after["recorded.frontex_central_med"] == pytest.approx(
        after["crossings.central_med"] + after["intercepted.central_med"])


def test_unknown_source_in_observation_is_an_error(tmp_path: Path) -> None:
    path = child_of_baseline(tmp_path, '[observation.land_stops_recorded_share]\nfrontex_atlantis = 1.0\n')
    with pytest.raises(ConfigError, match="frontex_atlantis.*allowed: frontex_eastern_med_sea"):
        check_against_network(load_scenario(path), path, load_network())


@pytest.fixture(scope="module")
def channel_run() -> RouteModel:
    model = RouteModel(small_scenario(inflow_factor=0.3, days=60, spin_up_days=120))
    model.run()
    return model


def test_boats_land_when_their_passengers_do(channel_run: RouteModel) -> None:
    """Boats bound to land (counted in the kernel at launch) are recorded the leg's travel days later."""
    rec, net = channel_run.recorder, channel_run.net
    for e in np.flatnonzero(net.leg_mode == MODE_SEA):
        t = int(net.travel_days[e])
        np.testing.assert_array_equal(rec.boats_landed[t:, e], rec.leg[:-t, e, kernel.C_BOATS_LANDING])
    kent = list(net.legs["id"]).index("northern_france_coast->kent")
    assert 0 < rec.boats_landed[:, kent].sum() < rec.boats[:, kent].sum()  # some boats stopped on the beach


def test_home_office_counts_boats_and_people_arriving(channel_run: RouteModel) -> None:
    values = scalar_outcomes(channel_run.recorder.tables())
    # A boat stopped on the beach is launched but never arrives: the Home Office's count is of arrivals.
    assert 0 < values["recorded_boats.ho_small_boat"] < values["boats.channel"]
    assert values["recorded_boats.ho_small_boat"] == values["boats_landed.channel"]
    ppb = values["recorded.ho_small_boat"] / values["recorded_boats.ho_small_boat"]
    assert values["recorded_people_per_boat.ho_small_boat"] == pytest.approx(ppb)
    assert values["people_per_boat_landed.channel"] == pytest.approx(ppb)


def _net(p_prevent: float, p_intercept: float, p_distress: float, p_rescue: float) -> dict:
    return {"load": np.array([10.0]), "p_prevent": np.array([p_prevent]), "p_intercept": np.array([p_intercept]),
            "p_distress": np.array([p_distress]), "p_rescue": np.array([p_rescue])}


@pytest.mark.parametrize(("odds", "landed"), [((0, 0, 0, 0), 50), ((1, 0, 0, 0), 0), ((0, 1, 0, 0), 0),
                                              ((0, 0, 1, 0), 0), ((0, 0, 1, 1), 50)])
def test_a_boat_lands_unless_stopped_intercepted_or_lost(odds: tuple, landed: int) -> None:
    out = {"boats": np.zeros(1), "leg": np.zeros((1, kernel.N_LEG_COUNTERS), np.int64)}
    reference.count_boats(7, 3, 1.0, _net(*odds), np.array([500]), out)
    assert out["boats"][0] == 50 and out["leg"][0, kernel.C_BOATS_LANDING] == landed


def test_iom_records_deaths_by_route(channel_run: RouteModel) -> None:
    config = channel_run.config.observation
    assert set(CROSSING_CORRIDORS) <= set(config.deaths_recorded_share)  # every route's share is stated
    tables = channel_run.recorder.tables()
    values = scalar_outcomes(tables)
    assert values["deaths.central_med"] > 0
    for corridor in CROSSING_CORRIDORS:
        share = config.deaths_recorded_share[corridor]
        assert values[f"recorded_deaths.{corridor}"] == pytest.approx(share * values[f"deaths.{corridor}"])
    daily = tables["daily_corridor"]
    assert values["recorded.iom_missing_migrants"] == pytest.approx(daily["deaths_recorded"].sum())


def test_summary_sets_a_model_year_beside_the_same_published_year() -> None:
    tables = simulate(small_scenario(days=45, start_date=dt.date(2019, 11, 20))).tables
    rows = beside_published(tables).set_index(["outcome", "year"])
    home_office = rows.loc[("recorded.ho_small_boat", 2019)]
    assert home_office["published"] == 1843 and home_office["days"] == 42 and "42 of the year's 365" in (
        home_office["note"])
    assert home_office["model_per_year"] == pytest.approx(home_office["model"] * 365 / 42)
    assert rows.loc[("recorded.ho_small_boat", 2020), "published"] == 8462
    missing = rows.loc[("recorded.frontex_eastern_med_sea", 2019)]
    assert np.isnan(missing["published"])
    assert missing["note"] == "no published figure for 2019 in the package; latest: 2015 (873,179)"


def test_run_summary_says_when_the_package_has_no_figure_for_the_year(monkeypatch) -> None:
    from sim.cli import report

    result = simulate(small_scenario(days=20))
    recording = Console(record=True, width=200)
    monkeypatch.setattr(report, "console", recording)
    report.print_summary(result.tables, result.manifest)
    text = recording.export_text()
    assert "no published figure for 2025 in the package; latest: 2021 (28,526)" in text
    assert "latest: 2021 (27.6)" in text  # people per boat keeps its decimal
    assert "same year" in text


def test_outcomes_command_lists_what_the_sources_count(monkeypatch) -> None:
    from typer.testing import CliRunner

    from sim.cli import app, report

    recording = Console(record=True, width=250)
    monkeypatch.setattr(report, "console", recording)
    assert CliRunner().invoke(app, ["outcomes", "--all"]).exit_code == 0
    text = recording.export_text()
    for name in ("boats_landed.channel", "people_per_boat_landed.channel", "recorded_boats.ho_small_boat",
                 "recorded_people_per_boat.ho_small_boat", "recorded_deaths.central_med"):
        assert name in text, name
    assert "channel people_per_boat" in text and "channel boats" in text and "central_med deaths" in text

"""The history scenario: every historical policy event of DOMAIN.md is a dated entry of scenarios/history.toml,
its inflow uses no knot after a route's calibration cut-off, and, run at a small scale, its flows move the way
they moved after a few of the events."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sim.config import load_scenario
from sim.model import RouteModel
from sim.population import kernel as k
from sim.validation.observed import read_observed
from tests.conftest import ROOT

HISTORY_PATH = ROOT / "scenarios" / "history.toml"
HISTORY = load_scenario(HISTORY_PATH)
FIRST_DAY = HISTORY.start_date - dt.timedelta(days=HISTORY.spin_up_days)  # cuts "before" an event start here
D = dt.date.fromisoformat


def month(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a month 'YYYY-MM'."""
    first = D(text + "-01")
    return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def day(text: str) -> tuple[dt.date, dt.date]:
    return D(text), D(text)


BEFORE = (FIRST_DAY, FIRST_DAY)  # the level before an event: a cut from the first simulated day
SUMMIT = (D("2025-03-31"), D("2025-07-31"))  # the summit's commitments, each from its own start after 2025-03-31
BELARUS = ["iraq", "syria", "istanbul"]

# The events of DOMAIN.md's "Historical policy events", in its order, each with the entries that express it: (name,
# date field, earliest, latest). Events not expressed are in NOT_EXPRESSED with the reason the file gives.
EVENTS: dict[str, list[tuple[str, str, tuple[dt.date, dt.date]]]] = {
    "2014-10-31 Italy ends Mare Nostrum; Triton follows": [("mare_nostrum_end", "start", day("2014-11-01"))],
    "2015-05 EU operations expanded after mass shipwrecks": [("mare_nostrum_end", "end", month("2015-05"))],
    "2019-03 Sophia's ships withdrawn": [("sophia_ships_withdrawn", "start", month("2019-03"))],
    "2015-09 Hungary closes its border with Serbia": [("hungary_fence", "start", month("2015-09"))],
    "2016-03 (early) Western Balkan states close the route": [
        ("balkan_route_closure", "start", (D("2016-03-01"), D("2016-03-15")))],
    "2016-03-20 EU-Turkey statement: returns, Turkish coastguard": [
        ("eu_turkey_returns", "start", day("2016-03-20")), ("turkish_coastguard", "start", day("2016-03-20"))],
    "2017-02 Italy-Libya memorandum": [("italy_libya_memorandum", "start", month("2017-02"))],
    "2017-07 arrangements with Libyan forces stopping departures": [
        ("libyan_forces_stop_departures", "start", month("2017-07"))],
    "2017-08 Italy's code of conduct for rescue NGOs": [("ngo_code_of_conduct", "start", month("2017-08"))],
    "2018-06 Libyan search-and-rescue zone, Italian ports closed": [
        ("libyan_sar_zone", "start", month("2018-06")), ("italian_ports_closed", "start", month("2018-06"))],
    "2018-2019 NGO ships impounded": [("ngo_ships_impounded", "start", (D("2018-01-01"), D("2019-12-31")))],
    "2018-2019 security at Calais, Dunkirk and the tunnel raised": [
        ("lorry_checks_before_2018", "start", BEFORE),
        ("lorry_checks_raised", "start", (D("2018-01-01"), D("2019-12-31")))],
    "2018-12 EU and Spain fund Moroccan border control": [
        ("morocco_before_2018_funding", "start", BEFORE), ("morocco_before_2018_funding_south", "start", BEFORE),
        ("morocco_coastguard_funded", "start", month("2018-12")),
        ("morocco_coastguard_funded_south", "start", month("2018-12"))],
    "2020 (spring) COVID-19 restrictions, lorry traffic falls": [
        ("covid_lorries", "start", (D("2020-03-01"), D("2020-05-31")))],
    "2021-05 Belarus issues tourist visas and flights": [
        *((f"belarus_visas_before_{o}", "end", day("2021-04-30")) for o in BELARUS),
        *((f"belarus_visas_{o}", "start", month("2021-05")) for o in BELARUS),
        *((f"belarus_flights_{o}", "start", month("2021-05")) for o in BELARUS)],
    "2021-08 Poland, Lithuania, Latvia declare emergencies": [
        ("belarus_border_emergency", "start", month("2021-08"))],
    "2022-06 Poland's border fence completed": [("poland_fence", "start", month("2022-06"))],
    # DOMAIN.md's summit section: France patrolled with UK funding, GBP 45m-63m a year 2018-2022.
    "2018-2022 UK-funded French beach patrols": [
        ("beach_officers_before_2018", "start", BEFORE),
        ("uk_funded_beach_patrols", "start", (D("2018-01-01"), D("2018-12-31")))],
    "2022-11 UK-France deal, French beach officers 200 -> 300": [("uk_france_2022", "start", month("2022-11"))],
    "2022-12-13 UK-Albania returns arrangement": [("uk_albania_returns", "start", day("2022-12-13"))],
    "2023-03 UK-France deal, about GBP 476m over three years": [("uk_france_2023", "start", month("2023-03"))],
    "2023-07 EU-Tunisia memorandum": [("eu_tunisia", "start", month("2023-07"))],
    "2024-03 EU-Mauritania partnership": [
        ("mauritania_before_partnership", "start", BEFORE), ("eu_mauritania", "start", month("2024-03"))],
    "2024-07 Border Security Command; boats and engines seized upstream": [
        ("border_security_command", "start", month("2024-07")),
        ("upstream_seizures", "start", (D("2023-05-01"), D("2024-05-31")))],  # "in the year to May 2024"
    "2025-03-31 the summit package": [
        (name, "start", SUMMIT) for name in ("bsc_high_impact_operations", "cps_funding", "french_mobile_unit",
                                             "german_law", "finance_taskforce", "takedowns", "jmsc_satellites",
                                             "uk_raids")],
}
NOT_EXPRESSED = {  # event: words of the file's header that give the reason
    "2022-04-14 UK-Rwanda partnership": ("UK-Rwanda", "no flight ever left"),
    "2023-07 UK Illegal Migration Act": ("Illegal Migration Act", "duty to remove was not brought into force"),
}

# The route each origin mainly feeds: its inflow may have no knot after that route's last observed period.
ORIGIN_ROUTE = {
    "syria": "eastern_med", "iraq": "eastern_med", "afghanistan_pakistan_iran": "eastern_med",
    "horn_of_africa": "central_med", "sahel_west_africa": "central_med", "senegal_gambia": "central_med",
    "south_asia": "central_med", "north_africa": "western_med", "albania": "channel", "in_europe": "channel",
}


@pytest.mark.parametrize("event", list(EVENTS))
def test_each_historical_event_has_entries_on_its_dates(event: str) -> None:
    for name, field, (earliest, latest) in EVENTS[event]:
        assert name in HISTORY.interventions, (event, name, "missing from history.toml")
        when = getattr(HISTORY.interventions[name], field)
        assert when is not None and earliest <= when <= latest, (event, name, field, when, earliest, latest)


def test_every_entry_belongs_to_an_event_and_names_its_source() -> None:
    mapped = {name for entries in EVENTS.values() for name, _, _ in entries}
    assert mapped == set(HISTORY.interventions)
    for name, item in HISTORY.interventions.items():
        assert "DOMAIN.md" in item.description or "inputs_and_priors.csv" in item.description, name
    header = HISTORY_PATH.read_text().split("\nname = ")[0]
    for event, words in NOT_EXPRESSED.items():
        assert all(w in header for w in words), (event, "its reason is not given in the file's header")


def test_inflow_has_no_knot_after_its_routes_cut_off() -> None:
    observed = read_observed(ROOT / "sim" / "data" / "observed_calibration.csv")
    cut_off = {route: pd.Timestamp(end).date() for route, end in observed.groupby("route")["end"].max().items()}
    assert set(HISTORY.inflow) == set(ORIGIN_ROUTE)  # Syria and Iraq apart, people already in Europe included
    for origin, series in HISTORY.inflow.items():
        assert series.dates[-1] <= cut_off[ORIGIN_ROUTE[origin]], (origin, series.dates[-1])
    assert HISTORY.inflow["syria"].dates == HISTORY.inflow["iraq"].dates
    assert HISTORY.inflow["in_europe"].initial_stock_people > 0


def _landed(model: RouteModel, legs: list[str], first: str, last: str) -> float:
    """People who completed the legs from first to last (inclusive), per day."""
    ids = list(model.net.legs["id"])
    rows = (model.recorder.dates() >= pd.Timestamp(first)) & (model.recorder.dates() <= pd.Timestamp(last))
    return float(model.recorder.leg[rows][:, [ids.index(e) for e in legs], k.C_LANDED].sum()) / rows.sum()


def _run_history(until: dt.date, without: tuple[str, ...] = ()) -> RouteModel:
    items = {n: i for n, i in HISTORY.interventions.items() if n not in without}
    model = RouteModel(HISTORY.model_copy(update={"days": (until - HISTORY.start_date).days + 1, "scale": 200.0,
                                                  "interventions": items}))
    model.run()
    return model


LIBYA = ["libya_west_coast->lampedusa", "libya_west_coast->sicily", "libya_west_coast->malta",
         "libya_east_coast->sicily", "libya_east_coast->calabria"]
TUNISIA = ["tunisia_sfax->lampedusa", "tunisia_sfax->sicily"]
LIBYAN_CHANGES = ("italy_libya_memorandum", "libyan_forces_stop_departures", "libyan_sar_zone")


@pytest.mark.slow
def test_flows_move_after_the_events_the_way_they_moved() -> None:
    """From the policy inputs alone (inflow held after the cut-offs): Aegean crossings fall after the EU-Turkey
    statement; the Balkan flow leaves Hungary for Croatia after the 2015-09 fence; Libyan departures fall after
    the 2017 arrangements, against the year before and against the same run without them (same seed), and
    some of them go to Tunisia instead."""
    history = _run_history(D("2018-06-30"))
    aegean = ["turkey_aegean_coast->greek_islands"]
    assert _landed(history, aegean, "2016-04-20", "2016-07-18") < 0.5 * _landed(history, aegean, "2016-01-01",
                                                                               "2016-03-19")
    hungary, croatia = ["belgrade->budapest"], ["belgrade->zagreb", "bihac->zagreb"]
    before = {name: _landed(history, legs, "2015-07-01", "2015-08-31") for name, legs in
              (("hu", hungary), ("hr", croatia))}
    after = {name: _landed(history, legs, "2015-10-01", "2015-12-31") for name, legs in
             (("hu", hungary), ("hr", croatia))}
    assert after["hu"] < 0.25 * before["hu"] and after["hr"] > 2 * before["hr"], (before, after)

    window, year_before = ("2017-09-15", "2018-06-30"), ("2016-09-15", "2017-06-30")
    assert _landed(history, LIBYA, *window) < _landed(history, LIBYA, *year_before)
    without = _run_history(D("2018-06-30"), LIBYAN_CHANGES)
    assert _landed(history, LIBYA, *window) < 0.9 * _landed(without, LIBYA, *window)
    assert _landed(history, TUNISIA, *window) > _landed(without, TUNISIA, *window)
    np.testing.assert_array_equal(history.recorder.leg[:1000], without.recorder.leg[:1000])  # same before 2016-09

"""News reaches each origin late and noisy, through contacts and adverts (docs/ODD.md 7.15)."""

import datetime as dt

import numpy as np

from sim.config.actors import Information
from sim.model import RouteModel
from tests.conftest import serbia_hungary_closure, small_scenario

START = dt.date(2025, 4, 1)
CLOSED_ON = 10  # recorded day the Serbia-Hungary closure starts
CLOSED = "belgrade->budapest"


def lags(days: int, **by_origin: int) -> Information:
    """Every origin `days` behind the truth, except those named; no rumours, so only the lags differ."""
    origins = dict.fromkeys(Information().contact_lag_days_by_origin, days) | by_origin
    return Information(contact_lag_days=days, contact_lag_days_by_origin=origins, rumour_sigma=0.0)


def scenario(information: Information, closed: bool, days: int = 60, **changes):
    interventions = serbia_hungary_closure(START + dt.timedelta(days=CLOSED_ON)) if closed else {}
    return small_scenario(inflow_factor=0.3, days=days, spin_up_days=120, information=information,
                          interventions=interventions, **changes)


def aegean_departures(information: Information, closed: bool) -> np.ndarray:
    model = RouteModel(scenario(information, closed))
    model.run()
    daily = model.recorder.tables()["daily_corridor"]
    return daily.query("corridor == 'eastern_med'")["departures"].to_numpy()


def test_aegean_departures_fall_only_after_news_of_a_balkan_closure_arrives() -> None:
    late = lags(20)
    base, closed = aegean_departures(late, False), aegean_departures(late, True)
    # Nothing upstream of the Aegean can know before the news: the runs share their draws and stay equal.
    np.testing.assert_array_equal(base[:CLOSED_ON + 20], closed[:CLOSED_ON + 20])
    assert closed[CLOSED_ON + 25:].sum() < base[CLOSED_ON + 25:].sum()


def test_with_no_lag_and_no_rumour_the_closure_is_known_at_once() -> None:
    now = lags(0)
    base, closed = aegean_departures(now, False), aegean_departures(now, True)
    np.testing.assert_array_equal(base[:CLOSED_ON], closed[:CLOSED_ON])
    assert closed[CLOSED_ON:CLOSED_ON + 10].sum() < base[CLOSED_ON:CLOSED_ON + 10].sum()
    # Instant knowledge: the believed price is today's price on every leg, every day.
    model = RouteModel(scenario(now, True, days=20))
    for _ in range(model.total_days):
        model.step()
        np.testing.assert_array_equal(model.beliefs.price, np.broadcast_to(model.legs.price, model.beliefs.price.shape))


def first_day_beliefs_differ(information: Information) -> dict[str, int]:
    """Per origin: the first recorded day its believed price or failure on the closed leg departs from the
    baseline's."""
    models = [RouteModel(scenario(information, closed, days=45)) for closed in (False, True)]
    origins = list(models[0].net.origins["origin"])
    e = list(models[0].net.legs["id"]).index(CLOSED)
    first: dict[str, int] = {}
    for day in range(models[0].total_days):
        for model in models:
            model.step()
        recorded = day - models[0].config.spin_up_days
        for o, name in enumerate(origins):
            beliefs = [(m.beliefs.price[o, e], m.beliefs.failure[o, e]) for m in models]
            if name not in first and beliefs[0] != beliefs[1]:
                first[name] = recorded
    return first


def test_an_origin_with_a_longer_lag_hears_of_the_closure_later() -> None:
    first = first_day_beliefs_differ(lags(14, albania=3, horn_of_africa=25))
    assert first["albania"] == CLOSED_ON + 3
    assert first["syria"] == CLOSED_ON + 14
    assert first["horn_of_africa"] == CLOSED_ON + 25


def test_rumours_are_drawn_from_the_seed() -> None:
    def believed(seed: int) -> np.ndarray:
        model = RouteModel(small_scenario(days=20, seed=seed))
        model.run()
        return model.beliefs.price.copy()

    first, again, other = believed(1), believed(1), believed(2)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    # Rumours err both ways around the truth as each origin knows it.
    model = RouteModel(small_scenario(days=30))
    model.run()
    land = model.net.leg_mode == 0
    ratio = model.beliefs.price[:, land & (model.legs.price > 0)] / model.legs.price[land & (model.legs.price > 0)]
    assert (ratio > 1.0).any() and (ratio < 1.0).any()


def test_one_origin_lag_set_in_a_file_keeps_the_others() -> None:
    given = Information.model_validate({"contact_lag_days_by_origin": {"albania": 1}})
    assert given.contact_lag_days_by_origin["albania"] == 1
    assert given.contact_lag_days_by_origin["horn_of_africa"] == Information().contact_lag_days_by_origin[
        "horn_of_africa"]

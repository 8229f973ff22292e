"""Funding buys a rate: the same money gives the same daily strength whatever the run's length (--days)."""

import datetime as dt

import pytest
from pydantic import TypeAdapter, ValidationError

from sim.interventions.schema import Intervention
from sim.model import RouteModel
from tests.conftest import small_scenario

START = dt.date(2025, 4, 1)
FUNDING = [
    ({"amount_gbp_per_year": 3_000_000.0}, 30.0),
    ({"amount_eur_per_year": 3_450_000.0}, 30.0),  # at the default 1.15 EUR per GBP
    ({"amount_gbp": 1_000_000.0, "end": START + dt.timedelta(days=72)}, 1_000_000.0 / 100_000.0 / (73 / 365)),
]


def investigators_on_day_one(days: int, money: dict) -> float:
    item = TypeAdapter(Intervention).validate_python(
        {"kind": "enforcement_funding", "start": START, "target": {"corridor": "channel"}, **money})
    model = RouteModel(small_scenario(days=days).model_copy(update={"interventions": {"x": item}}))
    model.interventions.apply()
    return float(model.policy.investigators_added.sum())


@pytest.mark.parametrize(("money", "expected"), FUNDING, ids=["gbp a year", "eur a year", "total over own dates"])
def test_daily_effect_is_the_same_for_30_and_365_days(money: dict, expected: float) -> None:
    short, long = investigators_on_day_one(30, money), investigators_on_day_one(365, money)
    assert short == pytest.approx(expected) and long == pytest.approx(short)


def test_a_total_needs_an_end_and_one_strength_only() -> None:
    adapter = TypeAdapter(Intervention)
    base = {"kind": "prosecution_capacity", "start": START, "target": {"corridor": "channel"}}
    with pytest.raises(ValidationError, match="there is no end"):
        adapter.validate_python({**base, "amount_gbp": 3e6})
    with pytest.raises(ValidationError, match="give exactly one of"):
        adapter.validate_python({**base, "amount_gbp_per_year": 3e6, "prosecutors_added": 5.0})


def test_cost_charged_is_the_money_spent_on_the_days_in_the_run() -> None:
    item = TypeAdapter(Intervention).validate_python(
        {"kind": "enforcement_funding", "start": START, "target": {"corridor": "channel"},
         "amount_gbp_per_year": 3_650_000.0})
    assert item.cost_gbp_over(START, START + dt.timedelta(days=29), 1.15) == pytest.approx(300_000.0)
    assert item.cost_gbp_over(START, START + dt.timedelta(days=364), 1.15) == pytest.approx(3_650_000.0)
    stated = item.model_copy(update={"cost_gbp": 42.0})
    assert stated.cost_gbp_over(START, START + dt.timedelta(days=29), 1.15) == 42.0

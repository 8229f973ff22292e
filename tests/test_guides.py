"""The guides' market on paid Balkan land legs (docs/ODD.md 7.17): prices answer closures and diverted demand."""

import datetime as dt

import numpy as np
import pytest

from sim.config.actors import Guides
from sim.model import RouteModel
from sim.network import MODE_LAND
from tests.conftest import serbia_hungary_closure, small_scenario

START = dt.date(2025, 4, 1)
CLOSED, OTHER_BRANCH = "belgrade->budapest", "belgrade->zagreb"
OPEN_DAY, END_DAY, DAYS = 10, 70, 140


def prices(closed: bool) -> tuple[np.ndarray, np.ndarray]:
    """[recorded day, leg] prices of the closed leg and the other branch, and their reference prices."""
    interventions = serbia_hungary_closure(START + dt.timedelta(days=OPEN_DAY),
                                           START + dt.timedelta(days=END_DAY)) if closed else {}
    model = RouteModel(small_scenario(inflow_factor=0.3, days=DAYS, spin_up_days=120, interventions=interventions))
    model.run()
    ids = list(model.net.legs["id"])
    legs = [ids.index(CLOSED), ids.index(OTHER_BRANCH)]
    return model.recorder.price[:, legs], model.net.price_eur[legs].astype(float)


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {"base": prices(False), "closed": prices(True)}


def test_a_closed_border_raises_its_price_and_the_other_branch_price(runs) -> None:
    base, closed = runs["base"][0], runs["closed"][0]
    during = slice(OPEN_DAY + 20, END_DAY)
    # The risk premium: the guides at a border stopping 90% charge several times the fare.
    assert closed[during, 0].mean() > 2.5 * base[during, 0].mean()
    # People pushed back try the Croatian branch, whose guides raise their price until more of them set up.
    assert closed[during, 1].mean() > 1.1 * base[during, 1].mean()


def test_prices_return_towards_the_reference_after_the_closure_ends(runs) -> None:
    closed, reference = runs["closed"]
    during, after = slice(OPEN_DAY + 20, END_DAY), slice(END_DAY + 40, DAYS)
    gap_during = np.abs(closed[during] / reference - 1.0).mean(axis=0)
    gap_after = np.abs(closed[after] / reference - 1.0).mean(axis=0)
    assert (gap_after < gap_during).all()
    assert gap_after[0] < 0.25


def test_land_prices_stay_at_the_reference_without_guides() -> None:
    model = RouteModel(small_scenario(days=30, spin_up_days=60, interventions=serbia_hungary_closure(START),
                                      guides=Guides(corridors=[])))
    model.run()
    land = model.net.leg_mode == MODE_LAND
    np.testing.assert_array_equal(model.recorder.price[:, land], np.tile(model.net.price_eur[land], (30, 1)))

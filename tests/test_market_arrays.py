"""The market's array state (GroupBook): sums per leg, slots as groups come and go, and leg values from the groups'
own plans."""

import numpy as np
import pytest

from sim.actors.group_book import segment_sums
from sim.model import RouteModel
from tests.conftest import small_scenario


def test_segment_sums_round_exactly_as_numpy_sums() -> None:
    rng = np.random.default_rng(7)
    for _ in range(500):
        n = int(rng.integers(1, 400))
        values = rng.random(n) * 10.0 ** rng.uniform(-3, 6, n)
        starts = np.unique(np.concatenate([[0], rng.integers(0, n, int(rng.integers(0, 6)))]))
        ends = np.append(starts[1:], n)
        expected = np.array([values[a:b].sum() for a, b in zip(starts, ends, strict=True)])
        np.testing.assert_array_equal(segment_sums(values, starts), expected)


@pytest.fixture()
def model() -> RouteModel:
    model = RouteModel(small_scenario(days=20))
    for _ in range(3):
        model.step()
    return model


def test_slots_stay_dense_and_in_creation_order_as_groups_come_and_go(model: RouteModel) -> None:
    book, market = model.market.book, model.market
    groups = sorted(market.groups, key=lambda g: g.unique_id)
    kept = {g.unique_id: (float(g.cash_eur), int(g.members), int(g.leg)) for g in groups[1::2]}
    for group in groups[::2]:
        group.remove()
    newcomer = market._add_group(int(market.paid[0]), 3, 0, 1234.0)
    assert book.n == len(market.groups) == len(kept) + 1
    assert [a.slot for a in book.agents] == list(range(book.n))
    assert [a.unique_id for a in book.agents] == sorted(a.unique_id for a in book.agents)
    for group in book.agents[:-1]:
        assert (float(group.cash_eur), int(group.members), int(group.leg)) == kept[group.unique_id]
    assert newcomer.slot == book.n - 1 and newcomer.cash_eur == 1234.0 and newcomer.members == 3
    for leg, members in market.by_leg.items():  # each leg's groups oldest first, and only that leg's
        assert [g.unique_id for g in members] == sorted(g.unique_id for g in members)
        assert all(g.leg == leg for g in members)


def test_leg_values_are_the_sums_of_the_groups_plans(model: RouteModel) -> None:
    model.interventions.apply()
    model.market.plan(np.ones(model.net.n_legs, bool))
    legs, policy = model.legs, model.policy
    lpm = model.config.smugglers.launches_per_member_per_day
    checked = 0
    for leg, members in model.market.by_leg.items():
        assert sum(g.demand for g in members) == pytest.approx(model.market.demand[leg])  # demand is shared out
        launches = np.array([g.launches for g in members], float)
        places = launches * np.array([g.load for g in members])
        assert legs.places[leg] == pytest.approx(places.sum() * policy.places_factor[leg])
        if launches.sum() > 0:
            assert legs.load[leg] == pytest.approx(places.sum() / launches.sum())
            checked += 1
        # The price is weighted by capacity before today's returning members join (as planned).
        weights = np.maximum(np.array([g.members for g in members]) * lpm, 1e-9)
        prices = np.array([g.price_eur for g in members])
        assert min(prices) - 1e-9 <= legs.price[leg] <= max(prices) + 1e-9
        if not any(g.returning for g in members):
            assert legs.price[leg] == pytest.approx(np.average(prices, weights=weights))
    assert checked > 0

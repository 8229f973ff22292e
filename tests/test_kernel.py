"""The compiled kernel against its plain-Python reference, and what its speed must not change.

What must agree, and why it can: both make the same draws (the same counter-based hash, keyed by id, not by
position) in the same order of decisions, so every integer array (state, hub, leg, days, attempts) and every
counter must be identical; budgets are computed in float64 and stored as float32 by both, so they are equal as
float32; revenue sums agree to 1e-9 relative (the kernel may add in another order).
"""

import numba
import numpy as np
import pytest

from sim.model import RouteModel
from sim.population import kernel, reference
from sim.population.population import BYTES_PER_MIGRANT, FIELDS
from tests.conftest import small_scenario


def test_hash_draws_agree_with_python() -> None:
    for seed, day, key, stream in [(0, 0, 0, 0), (12345, 7, 99, 3), (2**62 + 5, 4000, 2**40, 16)]:
        assert kernel.draw(seed, day, key, stream) == reference.draw(seed, day, key, stream)
    values = [reference.draw(1, 2, i, 3) for i in range(20000)]
    assert 0.49 < np.mean(values) < 0.51 and min(values) >= 0.0 and max(values) < 1.0


def _kernel_day(model: RouteModel, inputs: dict) -> dict[str, np.ndarray]:
    """One day of the compiled serial kernel on the model's population; counters summed over chunks."""
    pop, net = model.population, model.net
    n_chunks = max(1, -(-pop.n // kernel.CHUNK))
    out = {
        "leg": np.zeros((n_chunks, net.n_legs, kernel.N_LEG_COUNTERS), np.int64),
        "revenue": np.zeros((n_chunks, net.n_legs)),
        "hub": np.zeros((n_chunks, net.n_hubs, kernel.N_HUB_COUNTERS), np.int64),
        "states": np.zeros((n_chunks, kernel.N_STATES), np.int64),
        "arrivals": np.zeros((n_chunks, net.n_dests, net.n_origins), np.int64),
        "boats": np.zeros(net.n_legs),
        "expected_deaths": np.zeros((n_chunks, net.n_legs)),
    }
    kernel.step_serial(model.kernel_seed, model.day, model.config.scale, pop.n, *pop.kernel_arrays(),
                       *inputs.values(), out["leg"], out["revenue"], out["hub"], out["states"], out["arrivals"],
                       out["boats"], out["expected_deaths"])
    return {k: (v if k == "boats" else v.sum(0)) for k, v in out.items()}


@pytest.mark.parametrize("scale", [1.0, 3.0])
def test_kernel_matches_reference_day_by_day(scale: float) -> None:
    """From a populated state (after a spin-up), ten days of kernel and reference agree exactly."""
    scenario = small_scenario(inflow_factor=0.15 / scale, days=80, spin_up_days=0, scale=scale)
    model = RouteModel(scenario)
    for _ in range(70):  # populate every state: travel, coasts, detention, boats
        model.step()
    # Scarce places on every paid leg, whatever today's weather, so that selection sampling really selects.
    model.legs.places = model.net.capacity_people_per_day * 0.005
    for _ in range(10):
        model._spawn()
        inputs = model.kernel_inputs()
        arrays = {k: v.copy() for k, v in zip(FIELDS, model.population.kernel_arrays(), strict=True)}
        net = dict(inputs, arrivals_shape=(model.net.n_dests, model.net.n_origins))
        expected = reference.step(model.kernel_seed, model.day, scale, arrays, net)
        got = _kernel_day(model, inputs)
        for name, ref_array in arrays.items():
            np.testing.assert_array_equal(model.population.kernel_arrays()[list(arrays).index(name)], ref_array,
                                          err_msg=name)
        for name in ("leg", "hub", "states", "arrivals", "boats"):
            np.testing.assert_array_equal(got[name], expected[name], err_msg=name)
        np.testing.assert_allclose(got["revenue"], expected["revenue"], rtol=1e-9)
        np.testing.assert_allclose(got["expected_deaths"], expected["expected_deaths"], rtol=1e-9, atol=1e-12)
        model.day += 1
    states = model.population.arrays["state"][: model.population.n]
    seen = set(np.unique(states).tolist())
    assert {kernel.WAITING, kernel.TRAVELLING, kernel.AT_COAST, kernel.AT_SEA}.issubset(seen)
    assert got["leg"][:, kernel.C_DEPARTED].sum() > 0 and expected["boats"].sum() > 0
    assert (got["leg"][:, kernel.C_WAITING] > 0).any()  # some were refused a place: selection happened


def _run_tables(scenario, **model_kwargs) -> dict:
    model = RouteModel(scenario, **model_kwargs)
    model.run()
    return model.recorder.tables()


def _assert_same_tables(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].equals(b[name]), name


def test_serial_parallel_and_thread_counts_agree() -> None:
    """Several chunks (over 16,384 people): serial, parallel on 1 thread and on 2 threads give identical tables."""
    scenario = small_scenario(inflow_factor=3.0, days=25, spin_up_days=15)
    serial = _run_tables(scenario, kernel_mode="serial")
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = _run_tables(scenario, kernel_mode="parallel")
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = _run_tables(scenario, kernel_mode="parallel")
    finally:
        numba.set_num_threads(before)
    _assert_same_tables(serial, one)
    _assert_same_tables(serial, two)
    active = serial["daily_population"]
    moving = active[active["state"].isin(["waiting", "travelling", "at_coast", "at_sea"])]
    assert moving.groupby("date")["people"].sum().max() > 2 * kernel.CHUNK


def test_compaction_timing_does_not_change_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows are kept in id order and draws are keyed by id, so compacting every day or rarely changes nothing."""
    scenario = small_scenario(inflow_factor=0.1, days=40, spin_up_days=20)
    rare = _run_tables(scenario)
    monkeypatch.setattr("sim.population.population.COMPACT_SHARE", 0.0)
    daily = _run_tables(scenario)
    _assert_same_tables(rare, daily)


def test_persistent_state_fits_32_bytes() -> None:
    assert BYTES_PER_MIGRANT <= 32
    model = RouteModel(small_scenario(days=3))
    model.run()
    assert sum(a.itemsize for a in model.population.arrays.values()) == BYTES_PER_MIGRANT
    assert all(a.dtype != object for a in model.population.arrays.values())

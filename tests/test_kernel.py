"""The compiled kernel against its plain-Python reference, and what its speed must not change.

What must agree, and why it can: both make the same draws (the same counter-based hash, keyed by id, not by
position) in the same order of decisions, so every integer array (state, hub, leg, days, attempts) and every
counter must be identical; budgets are computed in float64 and stored as float32 by both, so they are equal as
float32; revenue sums agree to 1e-9 relative (the kernel may add in another order).
"""

from collections.abc import Callable

import numba
import numpy as np
import pytest

from sim.model import RouteModel, kernel_params
from sim.population import kernel, reference
from sim.population.population import BYTES_PER_MIGRANT, FIELDS
from tests.conftest import small_scenario


def test_hash_draws_agree_with_python() -> None:
    for seed, day, key, stream in [(0, 0, 0, 0), (12345, 7, 99, 3), (2**62 + 5, 4000, 2**40, 16)]:
        assert kernel.draw(seed, day, key, stream) == reference.draw(seed, day, key, stream)
    values = [reference.draw(1, 2, i, 3) for i in range(20000)]
    assert 0.49 < np.mean(values) < 0.51 and min(values) >= 0.0 and max(values) < 1.0


def _counters(net, n_chunks: int) -> dict[str, np.ndarray]:
    """The kernel's output counters, zeroed, in its argument order."""
    return {
        "leg": np.zeros((n_chunks, net.n_legs, kernel.N_LEG_COUNTERS), np.int64),
        "revenue": np.zeros((n_chunks, net.n_legs)),
        "hub": np.zeros((n_chunks, net.n_hubs, kernel.N_HUB_COUNTERS), np.int64),
        "states": np.zeros((n_chunks, kernel.N_STATES), np.int64),
        "arrivals": np.zeros((n_chunks, net.n_dests, net.n_origins), np.int64),
        "boats": np.zeros(net.n_legs),
        "expected_deaths": np.zeros((n_chunks, net.n_legs)),
    }


def _kernel_day(model: RouteModel, inputs: dict) -> dict[str, np.ndarray]:
    """One day of the compiled serial kernel on the model's population; counters summed over chunks."""
    pop, net = model.population, model.net
    n_chunks = max(1, -(-pop.n // kernel.CHUNK))
    out = _counters(net, n_chunks)
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
    assert 0 < expected["leg"][:, kernel.C_BOATS_LANDING].sum() < expected["boats"].sum()  # some boats stopped
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


@pytest.fixture(scope="module")
def populated() -> tuple[RouteModel, dict, tuple[np.ndarray, ...]]:
    """A model after 70 days (people waiting, queueing, detained, with failed attempts), its next day's inputs
    and a copy of its arrays: every kernel day below starts from this same state."""
    model = RouteModel(small_scenario(inflow_factor=0.5, days=80, spin_up_days=0))
    for _ in range(70):
        model.step()
    model._spawn()
    # Places at the reference on every paid leg, whatever today's weather, so that boats launch and are stopped.
    paid = model.net.leg_mode != kernel.MODE_LAND
    model.legs.places = np.where(paid, np.nan_to_num(model.net.capacity_people_per_day), 0.0)
    return model, model.kernel_inputs(), tuple(a.copy() for a in model.population.kernel_arrays())


def _day_with(populated: tuple, section: str, params: Callable = kernel_params, **values: float
              ) -> dict[str, np.ndarray]:
    """One kernel day from the shared state with the parameters (`params(scenario)`) of a scenario whose `section`
    has `values`."""
    model, inputs, arrays = populated
    scenario = model.config.model_copy(update={
        section: getattr(model.config, section).model_copy(update=values)})
    fresh = tuple(a.copy() for a in arrays)
    n_chunks = max(1, -(-len(fresh[0]) // kernel.CHUNK))
    net = model.net
    out = _counters(net, n_chunks)
    kernel.step_serial(model.kernel_seed, model.day, model.config.scale, len(fresh[0]), *fresh,
                       *dict(inputs, params=params(scenario)).values(), *out.values())
    result = {k: (v if k == "boats" else v.sum(0)) for k, v in out.items()}
    result["people"] = dict(zip(FIELDS, fresh, strict=True))
    result["start"] = dict(zip(FIELDS, arrays, strict=True))
    return result


def _give_ups(day: dict) -> int:
    return int(day["hub"][:, kernel.H_SETTLED].sum() + day["hub"][:, kernel.H_GONE_HOME].sum())


def _give_ups_among(waited: bool | None, failed: bool | None) -> Callable[[dict], int]:
    """Give-ups today among people who had (or had not) waited days, and had (or had not) failed attempts."""
    def count(day: dict) -> int:
        start, state = day["start"], day["people"]["state"]
        mask = np.isin(state, (kernel.SETTLED, kernel.GONE_HOME))
        if waited is not None:
            mask &= (start["days_waiting"] > 0) == waited
        if failed is not None:
            mask &= (start["attempts"] > 0) == failed
        return int(mask.sum())
    return count


def _concentration(day: dict) -> float:
    """How concentrated today's choices are on few legs (sum of squared shares of people choosing each leg)."""
    chosen = day["leg"][:, kernel.C_DEPARTED] + day["leg"][:, kernel.C_WAITING]
    return float(((chosen / chosen.sum()) ** 2).sum())


# Each kernel parameter, a scenario change of it and the outcome that must move. A base hazard well above the
# default lets the factors of the give-up hazard show in one day. Swapping two positions in kernel_params (or two
# names in the kernel) makes at least one of these fail.
HIGH_BASE = {"give_up_base_per_day": 0.01}
PERTURBATIONS = {
    "give_up_base_per_day": ("behaviour", {}, {"give_up_base_per_day": 0.05}, lambda d: _give_ups(d)),
    "give_up_wait_factor_per_30_days": ("behaviour", {**HIGH_BASE, "give_up_wait_factor_per_30_days": 0.0},
                                        {**HIGH_BASE, "give_up_wait_factor_per_30_days": 5.0},
                                        _give_ups_among(waited=True, failed=False)),
    "give_up_per_attempt": ("behaviour", {**HIGH_BASE, "give_up_per_attempt": 0.0},
                            {**HIGH_BASE, "give_up_per_attempt": 5.0}, _give_ups_among(waited=False, failed=True)),
    "give_up_shortfall_factor": ("behaviour", {**HIGH_BASE, "give_up_shortfall_factor": 0.0},
                                 {**HIGH_BASE, "give_up_shortfall_factor": 20.0},
                                 _give_ups_among(waited=False, failed=False)),
    "settle_share": ("behaviour", {**HIGH_BASE, "settle_share": 0.1}, {**HIGH_BASE, "settle_share": 0.9},
                     lambda d: int(d["hub"][:, kernel.H_SETTLED].sum())),
    "choice_scale_eur": ("behaviour", {"choice_scale_eur": 1e5}, {"choice_scale_eur": 10.0}, _concentration),
    "detention_days": ("behaviour", {"detention_days": 0}, {"detention_days": 30},
                       lambda d: int(d["states"][kernel.DETAINED])),
    "payment_attempts": ("smugglers", {"payment_attempts": 1}, {"payment_attempts": 5},
                         lambda d: int(d["people"]["paid_left"].astype(np.int64).sum())),
}


# Factors of the give-up hazard act on their own people only: the same draws leave everyone else's give-ups exactly
# as they were. This tells a factor from the base hazard it multiplies (a swap of the two positions fails here).
UNMOVED = {
    "give_up_wait_factor_per_30_days": _give_ups_among(waited=False, failed=None),
    "give_up_per_attempt": _give_ups_among(waited=None, failed=False),
}


def _moves(populated: tuple, name: str, params: Callable = kernel_params) -> bool:
    section, low, high, outcome = PERTURBATIONS[name]
    days = _day_with(populated, section, params, **low), _day_with(populated, section, params, **high)
    unmoved = name not in UNMOVED or UNMOVED[name](days[0]) == UNMOVED[name](days[1]) > 0
    return outcome(days[1]) > outcome(days[0]) and unmoved


@pytest.mark.parametrize("name", list(PERTURBATIONS))
def test_each_kernel_parameter_moves_its_outcome(populated: tuple, name: str) -> None:
    """Raising a parameter in the scenario raises the outcome it drives (common random numbers, one day); a
    factor of the give-up hazard leaves the give-ups of people it does not apply to as they were."""
    assert _moves(populated, name)


def test_swapping_any_two_parameter_positions_is_caught(populated: tuple) -> None:
    """A parameter written at another's position (the kernel reading by the wrong name) fails a perturbation above
    (or the kernel's own checks), for every pair of positions."""
    def caught(i: int, j: int) -> bool:
        def swapped(scenario):
            p = kernel_params(scenario)
            p[[i, j]] = p[[j, i]]
            return p
        with np.errstate(invalid="ignore", divide="ignore"):
            try:
                return not all(_moves(populated, name, swapped) for name in PERTURBATIONS)
            except ZeroDivisionError:  # e.g. a zero written where the kernel divides by the choice scale
                return True
    missed = [(i, j) for i in range(kernel.N_PARAMS) for j in range(i + 1, kernel.N_PARAMS) if not caught(i, j)]
    assert not missed


def test_every_kernel_parameter_is_perturbed() -> None:
    """Each named position is used once, and each has a perturbation above."""
    positions = sorted(getattr(kernel, n) for n in dir(kernel) if n.startswith("P_"))
    assert positions == list(range(kernel.N_PARAMS)) and len(PERTURBATIONS) == kernel.N_PARAMS

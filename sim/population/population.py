"""The migrant population as a struct of arrays with compact dtypes.

People are numpy rows, not Mesa agents: a Mesa agent costs hundreds of bytes and a microsecond a step, a row
here 29 bytes and nanoseconds. People in final states stay in the arrays until the next compaction, which runs
when they make up a quarter of the rows, so cost follows the active population.
"""

from dataclasses import dataclass, field

import numpy as np

from sim.population import kernel

# Persistent per-migrant state: name -> dtype. Order is the order the kernel takes them in.
FIELDS: dict[str, type] = {
    "ids": np.int32,
    "origin": np.int8,
    "pref": np.int8,
    "state": np.int8,
    "attempts": np.int8,
    "paid_left": np.int8,
    "hub": np.int16,
    "prev_hub": np.int16,
    "leg": np.int16,
    "paid_leg": np.int16,
    "days_left": np.int16,
    "days_waiting": np.int16,
    "budget": np.float32,
    "risk_av": np.float32,
}
BYTES_PER_MIGRANT = sum(np.dtype(t).itemsize for t in FIELDS.values())
COMPACT_SHARE = 0.25


@dataclass
class Population:
    """Active migrants in rows [0, n); rows are kept in id order (new people are appended, compaction is stable)."""

    capacity: int = 1024
    n: int = 0
    next_id: int = 0
    finals_in_arrays: int = 0
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.arrays = {name: np.zeros(self.capacity, dtype) for name, dtype in FIELDS.items()}

    def __getattr__(self, name: str) -> np.ndarray:
        arrays = self.__dict__.get("arrays", {})
        if name in arrays:
            return arrays[name][: self.__dict__["n"]]
        raise AttributeError(name)

    def _reserve(self, extra: int) -> None:
        """Grow all arrays (doubling) so that `extra` more rows fit."""
        need = self.n + extra
        if need <= self.capacity:
            return
        cap = max(need, 2 * self.capacity)
        for name, arr in self.arrays.items():
            grown = np.zeros(cap, arr.dtype)
            grown[: self.n] = arr[: self.n]
            self.arrays[name] = grown
        self.capacity = cap

    def add(self, seed: int, day: int, origin_code: int, count: int, origin_hub: np.ndarray,
            pref_cdf: np.ndarray, budget_mu: np.ndarray, budget_sigma: np.ndarray, risk_sigma: float) -> None:
        """Append `count` new people from one origin, their attributes drawn from the counter-based hash."""
        if count <= 0:
            return
        self._reserve(count)
        a = self.arrays
        self.n = kernel.spawn(
            seed, day, self.n, count, origin_code, self.next_id, *(a[name] for name in FIELDS), origin_hub,
            pref_cdf, budget_mu, budget_sigma, risk_sigma,
        )
        self.next_id += count

    def kernel_arrays(self) -> tuple[np.ndarray, ...]:
        """The arrays the step takes, in its argument order (that of FIELDS)."""
        return tuple(self.arrays[k][: self.n] for k in FIELDS)

    def note_finals(self, count: int) -> bool:
        """Record people who reached a final state today; compact when they are a large share of the rows.
        Returns whether it compacted (rows moved)."""
        self.finals_in_arrays += count
        if self.finals_in_arrays > COMPACT_SHARE * max(self.n, 1):
            self.compact()
            return True
        return False

    def compact(self) -> None:
        """Remove people in final states (their totals are already counted by the model)."""
        a = self.arrays
        self.n = kernel.compact(self.n, *(a[k] for k in FIELDS))
        self.finals_in_arrays = 0

    def active_state_counts(self) -> np.ndarray:
        """People per state among rows not yet final (for checks; the model counts in the kernel)."""
        st = self.arrays["state"][: self.n]
        return np.bincount(st[st < kernel.FIRST_FINAL], minlength=kernel.N_STATES)

"""The state of every smuggling group as arrays, one slot per group, so that the market's daily arithmetic is
done for all groups at once (sim/actors/smugglers.py holds the rules, sim/actors/market.py the daily calls).

The groups stay Mesa agents (`SmugglingGroup`) for identity and events (an arrest, a delivery, an exit); each
holds its slot here and reads and writes its state through it. Slots are kept dense and in the groups' order of
creation: a dissolved group's slot is closed up at once. The market works leg by leg in the order of
`segments()`: legs in the order their oldest group was created, each leg's groups oldest first (the order in
which the groups draw from the leg's random stream and place their orders with the supply chain).
"""

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

if TYPE_CHECKING:
    from sim.actors.smugglers import SmugglingGroup

NEVER = np.iinfo(np.int64).max  # next_return of a group with no replacements due
FLOATS = ("cash_eur", "price_eur", "load", "demand", "expected_launches", "profit_taken_eur", "arrest_rate",
          "profit_eur")
INTS = ("leg", "members", "boats", "engines", "on_order", "launches", "founded", "next_return")
BOOLS = ("uses_boats", "taxi")


class GroupBook:
    """Arrays of group state (`FLOATS`, `INTS`, `BOOLS`), valid on slots 0..n-1."""

    def __init__(self, size: int = 256) -> None:
        self.n = 0
        self.agents: list[SmugglingGroup] = []  # the agent in each slot
        for names, dtype in ((FLOATS, np.float64), (INTS, np.int64), (BOOLS, bool)):
            for name in names:
                setattr(self, name, np.zeros(size, dtype))
        self._segments: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None

    def add(self, agent: "SmugglingGroup", **values: float) -> int:
        """A new group in the next slot (values by field name; other fields start at zero)."""
        if self.n == len(self.leg):
            for name in (*FLOATS, *INTS, *BOOLS):
                old = getattr(self, name)
                grown = np.zeros(2 * len(old), old.dtype)
                grown[: self.n] = old[: self.n]
                setattr(self, name, grown)
        slot = self.n
        for name in (*FLOATS, *INTS, *BOOLS):
            getattr(self, name)[slot] = values.get(name, NEVER if name == "next_return" else 0)
        self.agents.append(agent)
        self.n += 1
        self._segments = None
        return slot

    def remove(self, slot: int) -> None:
        """Close up a dissolved group's slot; later groups move down one slot, keeping their order."""
        for name in (*FLOATS, *INTS, *BOOLS):
            values = getattr(self, name)
            values[slot: self.n - 1] = values[slot + 1: self.n]
        self.agents.pop(slot)
        self.n -= 1
        for agent in self.agents[slot:]:
            agent.slot -= 1
        self._segments = None

    def segments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(order, legs, starts, of_slot): slots in market order, the legs with groups in that order, where each
        leg's run of slots starts in `order`, and each slot's position in `legs`. Cached until a group comes or
        goes."""
        if self._segments is None:
            leg = self.leg[: self.n]
            legs, first = np.unique(leg, return_index=True)
            legs = legs[np.argsort(first)]
            rank = np.zeros(int(leg.max(initial=0)) + 1, np.int64)
            rank[legs] = np.arange(len(legs))
            of_slot = rank[leg]
            order = np.argsort(of_slot, kind="stable")
            starts = np.searchsorted(of_slot[order], np.arange(len(legs)))
            self._segments = order, legs, starts, of_slot
        return self._segments

    def leg_sum(self, values: np.ndarray) -> np.ndarray:
        """Per leg with groups (in `segments()` order), the sum of a per-slot value over its groups in market order,
        rounded as numpy's sum of that leg's values would be (`segment_sums`)."""
        order, legs, starts, _ = self.segments()
        return segment_sums(np.ascontiguousarray(values[order], dtype=np.float64), starts)

    def leg_count(self) -> np.ndarray:
        """Per leg with groups (in `segments()` order), its number of groups."""
        _, _, starts, _ = self.segments()
        return np.diff(np.append(starts, self.n))


@njit(cache=True)
def _pairwise(a, lo, n):
    """numpy's pairwise summation of a[lo:lo+n] (numpy/_core/src/umath/loops_utils.h.src), step for step."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    if n <= 128:
        r = a[lo: lo + 8].copy()
        i = 8
        while i < n - n % 8:
            for j in range(8):
                r[j] += a[lo + i + j]
            i += 8
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n:
            res += a[lo + i]
            i += 1
        return res
    n2 = n // 2
    n2 -= n2 % 8
    return _pairwise(a, lo, n2) + _pairwise(a, lo + n2, n - n2)


@njit(cache=True)
def segment_sums(a, starts):
    """Sums of a[starts[k]:starts[k+1]] (the last to the end), each rounded exactly as numpy's `a[...].sum()`
    (tests/test_market_arrays.py), in one call where a loop of numpy sums costs a microsecond or two each: the same
    rounding keeps the market's results those of a sum per leg."""
    out = np.zeros(len(starts))
    for k in range(len(starts)):
        hi = starts[k + 1] if k + 1 < len(starts) else len(a)
        out[k] = _pairwise(a, starts[k], hi - starts[k])
    return out

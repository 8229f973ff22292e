"""A readable view of the active population, the same for both engines: one row per person, labels decoded.

The arrays hold no set-out date or starting budget (they cost bytes every person carries every day): the set-out
day follows from the id (ids are given out in order, a block per day and origin, `RouteModel.first_ids`), and the
starting budget is redrawn by the kernel's own `spawn` from the counter-based draws of that day.
"""

import datetime as dt
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from sim.network import PREFERRED_DESTINATIONS
from sim.population import kernel as k
from sim.population.population import FIELDS


@dataclass(frozen=True)
class MigrantRecord:
    """One person on their way, read-only (a copy: changing the model does not change it)."""

    id: int
    origin: str
    set_out: dt.date
    destination: str          # the one they prefer
    state: str
    hub: str                  # where they are, or the hub they left on their current leg
    leg: str                  # the leg they travel on, queue for or boarded ("" if none)
    days_left: int            # on the leg, or in detention
    days_waiting: int
    attempts: int             # failed crossing attempts (stopped, intercepted, returned)
    budget_at_start_eur: float
    budget_eur: float
    net_spent_eur: float      # fares paid minus what they earned while stuck: budget at start - budget now
    paid_attempts_left: int   # attempts left on a package paid for `leg`
    risk_aversion: float


COLUMNS = [f.name for f in fields(MigrantRecord)]


def _set_out_days(first_ids: np.ndarray, ids: np.ndarray, origin: np.ndarray) -> np.ndarray:
    """The day each person set out: the last day whose first id for their origin is not above theirs (days still
    to come hold the largest id)."""
    days = np.zeros(len(ids), np.int64)
    for o in np.unique(origin):
        mine = origin == o
        days[mine] = np.searchsorted(first_ids[:, o], ids[mine], side="right") - 1
    return days


def _starting_budgets(model, ids: np.ndarray, origin: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Each person's budget as drawn when they set out, by re-running `spawn` over their day's block of ids."""
    budgets = np.zeros(len(ids), np.float32)
    for d, o in {(int(d), int(o)) for d, o in zip(days, origin, strict=True)}:
        mine = (days == d) & (origin == o)
        first = int(model.first_ids[d, o])
        count = int(ids[mine].max()) - first + 1
        scratch = {name: np.zeros(count, dtype) for name, dtype in FIELDS.items()}
        k.spawn(model.kernel_seed, d, 0, count, o, first, *scratch.values(), model.origin_hub, model.pref_cdf,
                model.budget_mu, model.net.budget_eur_sigma, model.config.behaviour.risk_aversion_sigma)
        budgets[mine] = scratch["budget"][ids[mine] - first]
    return budgets


def _frame(model, rows: np.ndarray) -> pd.DataFrame:
    """The people at these population rows (active ones), as a frame with MigrantRecord's columns."""
    a = {name: array[rows] for name, array in model.population.arrays.items()}
    net = model.net
    ids, origin = a["ids"].astype(np.int64), a["origin"].astype(np.int64)
    days = _set_out_days(model.first_ids, ids, origin)
    start = _starting_budgets(model, ids, origin, days)
    leg_names = np.append(net.legs["id"].to_numpy(), "")  # index -1: no leg
    return pd.DataFrame({
        "id": ids,
        "origin": net.origins["origin"].to_numpy()[origin],
        "set_out": [model.first_date + dt.timedelta(days=int(d)) for d in days],
        "destination": np.asarray(PREFERRED_DESTINATIONS)[a["pref"]],
        "state": np.asarray(k.STATE_NAMES)[a["state"]],
        "hub": net.hubs["id"].to_numpy()[a["hub"]],
        "leg": leg_names[a["leg"]],
        "days_left": a["days_left"].astype(np.int64),
        "days_waiting": a["days_waiting"].astype(np.int64),
        "attempts": a["attempts"].astype(np.int64),
        "budget_at_start_eur": start.astype(np.float64),
        "budget_eur": a["budget"].astype(np.float64),
        "net_spent_eur": start.astype(np.float64) - a["budget"].astype(np.float64),
        "paid_attempts_left": a["paid_left"].astype(np.int64),
        "risk_aversion": a["risk_av"].astype(np.float64),
    }, columns=COLUMNS)


def migrants_frame(model) -> pd.DataFrame:
    """Everyone still on their way (not arrived, dead, settled, gone home or removed), in id order."""
    state = model.population.state
    return _frame(model, np.flatnonzero(state < k.FIRST_FINAL))


def migrant(model, person_id: int) -> MigrantRecord:
    """The record of one person on their way; KeyError if no such person is (any more) on their way."""
    pop = model.population
    row = int(np.searchsorted(pop.ids, person_id))  # rows are in id order
    if row >= pop.n or pop.ids[row] != person_id or pop.state[row] >= k.FIRST_FINAL:
        raise KeyError(f"no person {person_id} on their way (ids 0..{pop.next_id - 1} have set out)")
    values = _frame(model, np.array([row])).iloc[0].to_dict()
    return MigrantRecord(**{name: v.item() if isinstance(v, np.generic) else v for name, v in values.items()})

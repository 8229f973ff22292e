"""The levers interventions pull: neutral each morning, set by the interventions in force, read by the actors.

One place holds every quantity an intervention may change, so each mechanism reads its lever in one line and a
reader can see at a glance what policy can touch. Neutral values leave the model exactly as without policy.
`Reference` is the same for the network's per-leg reference values: the network's each morning, then moved by
the dated reference changes in force.
"""

from dataclasses import dataclass, field, fields

import numpy as np

from sim.interventions.schema import REFERENCE_ATTRIBUTES
from sim.network import Network


@dataclass
class Levers:
    n_legs: int
    n_origins: int
    n_dests: int
    n_units: int
    # Patrols (per leg): units added (or withdrawn) by role, and a multiplier of each role's effective units
    # (surveillance: at sea only; intelligence sharing: every role).
    prevent_units: np.ndarray = field(init=False)
    intercept_units: np.ndarray = field(init=False)
    rescue_units: np.ndarray = field(init=False)
    prevent_factor: np.ndarray = field(init=False)
    intercept_factor: np.ndarray = field(init=False)
    rescue_factor: np.ndarray = field(init=False)
    # Smuggling groups (per leg).
    boat_cost_factor: np.ndarray = field(init=False)
    member_cost_factor: np.ndarray = field(init=False)
    revenue_frozen_share: np.ndarray = field(init=False)
    cash_seized_share_per_day: np.ndarray = field(init=False)
    places_factor: np.ndarray = field(init=False)
    # Supply chains (per leg): boats with engines seized a day on the road to the leg's groups.
    supply_seized_per_day: np.ndarray = field(init=False)
    # People (per leg, per origin, per destination).
    land_stopped_share: np.ndarray = field(init=False)
    p_return: np.ndarray = field(init=False)
    advert_factor: np.ndarray = field(init=False)          # [origin, leg]
    perceived_risk_factor: np.ndarray = field(init=False)  # per leg
    removal: np.ndarray = field(init=False)                 # [destination, origin]
    destination_penalty_eur: np.ndarray = field(init=False)  # [origin, destination]
    # Enforcement units.
    investigators_added: np.ndarray = field(init=False)
    prosecutors_added: np.ndarray = field(init=False)
    success_factor: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Back to neutral: no policy."""
        legs, o, d, u = self.n_legs, self.n_origins, self.n_dests, self.n_units
        for name in ("prevent_units", "intercept_units", "rescue_units", "revenue_frozen_share",
                     "cash_seized_share_per_day", "land_stopped_share", "p_return", "supply_seized_per_day"):
            setattr(self, name, np.zeros(legs))
        for name in ("prevent_factor", "intercept_factor", "rescue_factor", "boat_cost_factor", "member_cost_factor",
                     "places_factor", "perceived_risk_factor"):
            setattr(self, name, np.ones(legs))
        self.advert_factor = np.ones((o, legs))
        self.removal = np.zeros((d, o))
        self.destination_penalty_eur = np.zeros((o, d))
        self.investigators_added = np.zeros(u)
        self.prosecutors_added = np.zeros(u)
        self.success_factor = np.ones(u)

    def names(self) -> list[str]:
        return [f.name for f in fields(self) if not f.init]


class Reference:
    """Today's per-leg reference values (legs.csv): the network's each morning, then changed by the
    `reference_change` interventions in force. Actors read reference values here, never from the network."""

    price_eur: np.ndarray
    people_per_boat: np.ndarray
    p_prevent: np.ndarray
    p_intercept: np.ndarray
    p_rescue: np.ndarray
    death_risk: np.ndarray
    travel_days: np.ndarray  # int16, as the kernel reads it

    def __init__(self, net: Network) -> None:
        self.net = net
        for name in REFERENCE_ATTRIBUTES:
            setattr(self, name, getattr(net, name).copy())

    def reset(self) -> None:
        """Back to the network's values (in place: whoever holds an array sees today's)."""
        for name in REFERENCE_ATTRIBUTES:
            np.copyto(getattr(self, name), getattr(self.net, name))

    def change(self, attribute: str, legs: np.ndarray, x: float, set_to: float | None, scale: float | None) -> None:
        """Move `attribute` on `legs` a share x (today's intensity) of the way from its value to the new one (set
        or scaled), kept within the attribute's range; travel days are whole days."""
        values = getattr(self, attribute)
        old = values[legs].astype(np.float64)
        new = np.full(len(legs), set_to) if set_to is not None else old * scale
        moved = (1.0 - x) * old + x * new  # exactly the new value at full intensity
        low, high, _ = REFERENCE_ATTRIBUTES[attribute]
        values[legs] = np.clip(np.rint(moved) if attribute == "travel_days" else moved, low, high)

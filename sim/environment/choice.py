"""The choice model: what each leg costs in the eyes of the people of each origin, and what each end is worth.

It reads the beliefs beside it (sim/environment/information.py): the believed price, chance of being stopped and
risk of death. The kernel adds the least cost to go (kernel.costs_to_go) and draws the choices.
"""

import numpy as np

from sim.config.schema import Behaviour
from sim.environment.information import Beliefs
from sim.network import Network


def perceived_costs(travel_days: np.ndarray, behaviour: Behaviour, beliefs: Beliefs) -> tuple[np.ndarray, np.ndarray]:
    """Per origin and leg: the cost part every person shares, and the risk part scaled by risk aversion.

    Today's travel times (`LegInputs.travel_days`) are known; the price, the chance of being stopped and the chance
    of dying are what people at each origin believe (people pay the true price: the kernel charges it).
    """
    base = (beliefs.price + behaviour.value_of_time_eur_per_day * travel_days
            + behaviour.failure_cost_eur * beliefs.failure)
    return base, behaviour.risk_value_eur * beliefs.risk


def sink_values(net: Network, behaviour: Behaviour, penalty_eur: np.ndarray) -> np.ndarray:
    """[origin, preference, hub]: minus the value of ending at each sink hub (+inf for other hubs).

    penalty_eur[origin, destination] lowers a destination's value (removals, raids on illegal working).
    """
    n_pref = len(net.preferred_dest)
    values = np.full((net.n_origins, n_pref, net.n_hubs), np.inf)
    values[:, :, net.dest_hubs] = penalty_eur[:, None, :]
    for p, d in enumerate(net.preferred_dest):
        values[:, p, net.dest_hubs[d]] -= behaviour.preferred_destination_bonus_eur
    return values

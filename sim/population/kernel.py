"""The daily migrant step: one Numba kernel over a struct-of-arrays population.

Everything the step needs is in this one module, because Numba's on-disk cache only tracks the file of the
function it compiles. Hot loops are written flat; the only helpers take scalars (LLVM inlines them: asking Numba to
inline them itself, inline="always", ran no faster and made the parallel step compile about 5 s longer).

Randomness is counter-based: every draw is a hash of (seed, day, key, stream), so it does not depend on thread
count, scheduling or the order of the arrays, and two scenarios run with one seed share their draws.

The step has three phases so that boat places are granted without races:
  A (parallel over fixed chunks): each migrant moves on, gives up, chooses a leg or requests a place; the rows of
    people queueing for a place are written into their chunk's region of a requester list;
  B (serial, over requesters only): places on each paid leg go to a uniformly random subset of requesters
    (selection sampling), and granted people are grouped into boats of the day's load;
  C (parallel over the same chunks): each boat's launch, interception and whole-boat loss are drawn once and
    shared by all aboard; on a boat with an incident, who dies is drawn per person; people are counted by state.
Expected deaths (each traveller's probability of dying on the attempt, summed per leg) are counted beside the
realised ones, so comparisons can use a figure without the noise of the draws.
Speed (see docs/performance.md): the search for a leg is skipped when today's cheapest candidate is beyond the
budget (an exact bound computed once a day), logit weights are computed once per candidate, people on a leg are
counted where they are handled, and phases B and C visit requesters only; results are unchanged.
"""

import types

import numpy as np
from numba import njit, prange

# Migrant states. Final states (>= ARRIVED) leave the active arrays at the next compaction.
WAITING, TRAVELLING, AT_COAST, BOARDING, AT_SEA, RETURNED, DETAINED = 0, 1, 2, 3, 4, 5, 6
ARRIVED, DEAD, SETTLED, GONE_HOME, REMOVED = 7, 8, 9, 10, 11
STATE_NAMES = (
    "waiting", "travelling", "at_coast", "boarding", "at_sea", "returned", "detained",
    "arrived", "dead", "settled", "gone_home", "removed",
)
N_STATES = len(STATE_NAMES)
FIRST_FINAL = ARRIVED
assert FIRST_FINAL == DETAINED + 1 == 7  # phase C counts the seven active states one by one

# Random streams: one per mechanism, so changing one mechanism leaves the others' draws alone.
S_INFLOW, S_BUDGET_A, S_BUDGET_B, S_RISK_A, S_RISK_B, S_PREF = 1, 2, 3, 4, 5, 6
S_GIVEUP, S_SETTLE, S_CHOICE, S_LAND_DEATH, S_GRANT, S_PLACES = 7, 8, 9, 10, 11, 12
S_PREVENT, S_INTERCEPT, S_DISTRESS, S_RESCUE, S_BORDER, S_RETURN, S_REMOVAL = 13, 14, 15, 16, 17, 18, 19
S_INCIDENT, S_INCIDENT_DEATH = 20, 21

# Per-leg counters (index into the last axis of leg_counts). All count people except C_BOATS_LANDING: boats
# launched today whose fate is to land (not stopped on the beach, intercepted or lost), in boats, not people.
C_DEPARTED, C_LANDED, C_PREVENTED, C_INTERCEPTED, C_RESCUED, C_DIED, C_WAITING, C_ON_LEG, C_RETURNED = range(9)
C_BOATS_LANDING = 9
N_LEG_COUNTERS = 10
# Per-hub counters.
H_SETTLED, H_GONE_HOME, H_REMOVED = range(3)  # arrivals are counted by destination and origin instead
N_HUB_COUNTERS = 3

# Kernel parameters: positions in the one float64 array the step takes (filled by sim.model.kernel_params, read
# by these names in the kernel and the reference).
P_GIVE_UP_BASE, P_GIVE_UP_WAIT, P_GIVE_UP_ATTEMPT, P_GIVE_UP_SHORTFALL = 0, 1, 2, 3
P_SETTLE_SHARE, P_CHOICE_SCALE, P_DETENTION_DAYS, P_PAYMENT_ATTEMPTS = 4, 5, 6, 7
N_PARAMS = 8

MODE_LAND = 0
CHUNK = 16384  # migrants per chunk: fixed, so chunking (and thus results) never depends on the thread count

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@njit(cache=True)
def _mix(z):
    z = z + _M1
    z = (z ^ (z >> np.uint64(30))) * _M2
    z = (z ^ (z >> np.uint64(27))) * _M3
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def draw(seed, day, key, stream):
    """Uniform in [0, 1) from (seed, day, key, stream): splitmix64 applied in a chain."""
    h = _mix(np.uint64(seed) ^ np.uint64(stream))
    h = _mix(h ^ np.uint64(day))
    h = _mix(h ^ np.uint64(key))
    return float(h >> np.uint64(11)) * _TO_UNIT


@njit(cache=True)
def _boat_lands(seed, day, key, p_prevent, p_intercept, p_distress, p_rescue):
    """Whether the boat `key` lands: launched (not stopped on the beach), not intercepted, and not lost (in
    distress and not rescued). The draws are those phase C makes for everyone aboard it."""
    if draw(seed, day, key, S_PREVENT) < p_prevent or draw(seed, day, key, S_INTERCEPT) < p_intercept:
        return False
    return not (draw(seed, day, key, S_DISTRESS) < p_distress and draw(seed, day, key, S_RESCUE) >= p_rescue)


@njit(cache=True)
def costs_to_go(cost, leg_from, leg_to, sink_value, n_hubs):
    """Least perceived cost from every hub to the best sink, per origin and preferred destination.

    cost[o, e]: perceived cost of leg e for people from origin o; sink_value[o, p, h]: value (as a negative
    cost) of ending at sink hub h for origin o with preference p (+inf for non-sinks). Bellman-Ford from the
    sinks backwards; costs are positive, so it converges in at most n_hubs rounds.
    """
    n_o, n_p = sink_value.shape[0], sink_value.shape[1]
    g = sink_value.copy()
    for o in range(n_o):
        for p in range(n_p):
            for _ in range(n_hubs):
                changed = False
                for e in range(leg_from.shape[0]):
                    c = cost[o, e] + g[o, p, leg_to[e]]
                    if c < g[o, p, leg_from[e]]:
                        g[o, p, leg_from[e]] = c
                        changed = True
                if not changed:
                    break
    return g


@njit(cache=True)
def spawn(seed, day, start, count, origin_code, first_id, ids, origin, pref, state, attempts, paid_left, hub, prev_hub,
          leg, paid_leg, days_left, days_waiting, budget, risk_av, origin_hub, pref_cdf, budget_mu, budget_sigma,
          risk_sigma):
    """Write `count` new migrants of one origin at positions start.. with ids first_id..; return next free."""
    for k in range(count):
        i = start + k
        mid = first_id + k
        ids[i] = mid
        origin[i] = origin_code
        u = draw(seed, day, mid, S_PREF)
        p = 0
        while p < pref_cdf.shape[1] - 1 and u >= pref_cdf[origin_code, p]:
            p += 1
        pref[i] = p
        state[i] = WAITING
        attempts[i] = 0
        paid_left[i] = 0
        hub[i] = origin_hub[origin_code]
        prev_hub[i] = -1
        leg[i] = -1
        paid_leg[i] = -1
        days_left[i] = 0
        days_waiting[i] = 0
        # Box-Muller normals for the lognormal budget and risk aversion.
        r = np.sqrt(-2.0 * np.log(1.0 - draw(seed, day, mid, S_BUDGET_A)))
        z = r * np.cos(2.0 * np.pi * draw(seed, day, mid, S_BUDGET_B))
        budget[i] = np.exp(budget_mu[origin_code] + budget_sigma[origin_code] * z)
        r = np.sqrt(-2.0 * np.log(1.0 - draw(seed, day, mid, S_RISK_A)))
        z = r * np.cos(2.0 * np.pi * draw(seed, day, mid, S_RISK_B))
        risk_av[i] = np.exp(risk_sigma * z - 0.5 * risk_sigma * risk_sigma)
    return start + count


@njit(cache=True)
def _cheapest_prices(price, out_start, out_legs, leg_to, togo):
    """Today's cheapest prices out of each hub, to skip the per-person search when nothing is affordable.

    any_leg[h]: the cheapest leg out of h. For each origin, preference and hub, among legs that bring people closer
    to a destination: the cheapest price (first), the hub it leads to (first_to), and the cheapest price of a leg
    leading elsewhere (second). The cheapest candidate for someone who came from `back` costs first if
    back != first_to, else second; a budget below it leaves no candidate.
    """
    n_o, n_p, n_hubs = togo.shape[0], togo.shape[1], out_start.shape[0] - 1
    any_leg = np.full(n_hubs, np.inf)
    first = np.full((n_o, n_p, n_hubs), np.inf)
    first_to = np.full((n_o, n_p, n_hubs), -1, np.int64)
    second = np.full((n_o, n_p, n_hubs), np.inf)
    for h in range(n_hubs):
        for k in range(out_start[h], out_start[h + 1]):
            if price[out_legs[k]] < any_leg[h]:
                any_leg[h] = price[out_legs[k]]
        for o in range(n_o):
            for p in range(n_p):
                for k in range(out_start[h], out_start[h + 1]):
                    e = out_legs[k]
                    if togo[o, p, leg_to[e]] < togo[o, p, h] and price[e] < first[o, p, h]:
                        first[o, p, h] = price[e]
                        first_to[o, p, h] = leg_to[e]
                for k in range(out_start[h], out_start[h + 1]):
                    e = out_legs[k]
                    if togo[o, p, leg_to[e]] < togo[o, p, h] and leg_to[e] != first_to[o, p, h] and (
                            price[e] < second[o, p, h]):
                        second[o, p, h] = price[e]
    return any_leg, first, first_to, second


def _step(seed, day, scale, n, ids, origin, pref, state, attempts, paid_left, hub, prev_hub, leg, paid_leg, days_left,
          days_waiting, budget, risk_av, out_start, out_legs, leg_from, leg_to, leg_mode, travel_days, hub_sink,
          hub_can_settle, hub_earn, price, places, load, p_prevent, p_intercept, p_distress, p_rescue, p_incident,
          p_incident_death, land_death, p_return, removal, cost_base, cost_risk, togo, params, leg_counts,
          leg_revenue, hub_counts, state_counts, dest_origin_counts, boats, expected_deaths):
    """Advance every active migrant by one day. Counters are per chunk ([chunk, ...]) and summed by the caller."""
    gu_base, gu_wait = params[P_GIVE_UP_BASE], params[P_GIVE_UP_WAIT]
    gu_att, gu_short = params[P_GIVE_UP_ATTEMPT], params[P_GIVE_UP_SHORTFALL]
    settle_share, choice_scale = params[P_SETTLE_SHARE], params[P_CHOICE_SCALE]
    detention = params[P_DETENTION_DAYS]
    package = max(np.int64(params[P_PAYMENT_ATTEMPTS]), 1)
    n_chunks = leg_counts.shape[0]
    n_legs = leg_from.shape[0]
    cheapest_any, onward_first, onward_first_to, onward_second = _cheapest_prices(price, out_start, out_legs, leg_to,
                                                                                   togo)
    max_out = 1
    for h in range(out_start.shape[0] - 1):
        max_out = max(max_out, out_start[h + 1] - out_start[h])
    requesters = np.empty(n, np.int32)  # per chunk, from c * CHUNK: the people queueing at a coast after phase A
    n_requesters = np.zeros(n_chunks, np.int64)

    # Phase A: move, give up, choose, request.
    for c in prange(n_chunks):
        queued = c * CHUNK
        cand = np.empty(max_out, np.int64)  # a person's candidate legs and their costs, then weights
        weight = np.empty(max_out)
        for i in range(c * CHUNK, min(n, (c + 1) * CHUNK)):
            s = state[i]
            if s >= FIRST_FINAL:
                continue
            mid = ids[i]
            if s == TRAVELLING or s == AT_SEA:
                e = leg[i]
                if days_left[i] > 1:
                    days_left[i] -= 1
                    leg_counts[c, e, C_ON_LEG] += 1
                    continue
                h = leg_to[e]
                leg_counts[c, e, C_LANDED] += 1
                leg[i] = -1
                days_left[i] = 0
                days_waiting[i] = 0
                if s == AT_SEA and draw(seed, day, mid, S_RETURN) < p_return[e]:
                    # Landed, then returned to the departure country under a return agreement.
                    leg_counts[c, e, C_RETURNED] += 1
                    hub[i] = leg_from[e]
                    attempts[i] = min(attempts[i] + 1, 127)
                    state[i] = DETAINED if detention >= 1.0 else RETURNED
                    days_left[i] = np.int16(detention)
                    continue
                hub[i] = h
                d = hub_sink[h]
                if d < 0:
                    state[i] = WAITING
                elif draw(seed, day, mid, S_REMOVAL) < removal[d, origin[i]]:
                    state[i] = REMOVED
                    hub_counts[c, h, H_REMOVED] += 1
                else:
                    state[i] = ARRIVED
                    dest_origin_counts[c, d, origin[i]] += 1
                continue
            if s == DETAINED:
                if days_left[i] > 1:
                    days_left[i] -= 1
                else:
                    days_left[i] = 0
                    state[i] = RETURNED
                continue
            # WAITING, RETURNED or AT_COAST: a person at a hub.
            h = hub[i]
            o = origin[i]
            # The cheapest onward price tells how far the budget falls short.
            cheapest = cheapest_any[h]
            shortfall = 0.0
            if cheapest > budget[i] and cheapest > 0.0:
                shortfall = (cheapest - budget[i]) / max(cheapest, 1.0)
            hazard = gu_base * (1.0 + gu_wait * days_waiting[i] / 30.0) * (1.0 + gu_att * attempts[i]) * (
                1.0 + gu_short * shortfall)
            if draw(seed, day, mid, S_GIVEUP) < hazard:
                if hub_can_settle[h] and draw(seed, day, mid, S_SETTLE) < settle_share:
                    state[i] = SETTLED
                    hub_counts[c, h, H_SETTLED] += 1
                else:
                    state[i] = GONE_HOME
                    hub_counts[c, h, H_GONE_HOME] += 1
                leg[i] = -1
                continue
            if s == AT_COAST:
                days_waiting[i] += 1
                if not (paid_leg[i] == leg[i] and paid_left[i] > 0) and price[leg[i]] > budget[i]:
                    state[i] = WAITING  # the price rose beyond the budget: leave the queue, think again
                    leg[i] = -1
                    continue
                leg_counts[c, leg[i], C_WAITING] += 1
                requesters[queued] = i
                queued += 1
                continue
            # Choose the next leg by a logit over affordable legs that bring the person closer (in perceived
            # cost to go) to a destination: perceived cost of the leg plus cost to go. Only onward legs are
            # candidates, never straight back to the previous hub, so nobody wanders in circles while
            # conditions (and with them what counts as onward) change from day to day.
            best = np.inf
            ra = risk_av[i]
            p = pref[i]
            here = togo[o, p, h]
            back = prev_hub[i]
            cheapest_candidate = onward_first[o, p, h] if onward_first_to[o, p, h] != back else onward_second[o, p, h]
            # A paid-up package of attempts on a leg from here makes that leg free for this person.
            packaged = paid_leg[i] if paid_left[i] > 0 and paid_leg[i] >= 0 and leg_from[paid_leg[i]] == h else -1
            n_cand = 0
            if budget[i] >= cheapest_candidate or packaged >= 0:  # else nothing is affordable: skip the search
                for k in range(out_start[h], out_start[h + 1]):
                    e = out_legs[k]
                    fare = 0.0 if e == packaged else price[e]
                    if fare <= budget[i] and togo[o, p, leg_to[e]] < here and leg_to[e] != back:
                        v = cost_base[o, e] + ra * cost_risk[o, e] + togo[o, p, leg_to[e]] - (price[e] - fare)
                        cand[n_cand] = e
                        weight[n_cand] = v
                        n_cand += 1
                        if v < best:
                            best = v
            if best == np.inf:
                budget[i] += hub_earn[h]
                days_waiting[i] += 1
                state[i] = WAITING
                continue
            if n_cand == 1:
                chosen = cand[0]  # its weight is 1 (or NaN): chosen whatever the draw
            else:
                total = 0.0
                for j in range(n_cand):
                    weight[j] = np.exp((best - weight[j]) / choice_scale)
                    total += weight[j]
                u = draw(seed, day, mid, S_CHOICE) * total
                chosen = -1
                acc = 0.0
                for j in range(n_cand):
                    acc += weight[j]
                    chosen = cand[j]
                    if u < acc:
                        break
            leg[i] = chosen
            if leg_mode[chosen] == MODE_LAND:
                budget[i] -= price[chosen]
                leg_revenue[c, chosen] += price[chosen]
                leg_counts[c, chosen, C_DEPARTED] += 1
                expected_deaths[c, chosen] += land_death[chosen]
                days_waiting[i] = 0
                if draw(seed, day, mid, S_LAND_DEATH) < land_death[chosen]:
                    state[i] = DEAD
                    leg_counts[c, chosen, C_DIED] += 1
                    continue
                if draw(seed, day, mid, S_BORDER) < p_intercept[chosen]:  # stopped at the border, pushed back
                    leg_counts[c, chosen, C_INTERCEPTED] += 1
                    attempts[i] = min(attempts[i] + 1, 127)
                    state[i] = RETURNED
                    leg[i] = -1
                    continue
                state[i] = TRAVELLING
                prev_hub[i] = h
                days_left[i] = travel_days[chosen]
                leg_counts[c, chosen, C_ON_LEG] += 1
            else:
                state[i] = AT_COAST
                leg_counts[c, chosen, C_WAITING] += 1
                requesters[queued] = i
                queued += 1
        n_requesters[c] = queued - c * CHUNK

    # Phase B (serial): grant places by selection sampling, in array order (which is id order).
    requests = np.zeros(n_legs, np.int64)
    for c in range(n_chunks):
        for e in range(n_legs):
            requests[e] += leg_counts[c, e, C_WAITING]
    places_left = np.zeros(n_legs, np.int64)
    for e in range(n_legs):
        if requests[e] > 0 and places[e] > 0.0:
            x = places[e] / scale
            places_left[e] = np.int64(x)
            if draw(seed, day, e, S_PLACES) < x - np.floor(x):
                places_left[e] += 1
    granted = np.zeros(n_legs, np.int64)
    for c in range(n_chunks):
        for j in range(c * CHUNK, c * CHUNK + n_requesters[c]):
            i = requesters[j]
            e = leg[i]
            if places_left[e] > 0 and draw(seed, day, ids[i], S_GRANT) * requests[e] < places_left[e]:
                places_left[e] -= 1
                state[i] = BOARDING
                days_left[i] = np.int16(granted[e] * scale / load[e])  # boat number on this leg today
                granted[e] += 1
            requests[e] -= 1
    for e in range(n_legs):
        boats[e] = np.ceil(granted[e] * scale / load[e] - 1e-9) if granted[e] > 0 else 0.0
        # Each boat's fate, from the draws phase C shares among its passengers (boat numbers 0..boats-1).
        for b in range(np.int64(boats[e])):
            if _boat_lands(seed, day, np.int64(e) * 1048576 + b, p_prevent[e], p_intercept[e], p_distress[e],
                           p_rescue[e]):
                leg_counts[0, e, C_BOATS_LANDING] += 1

    # Phase C: each boat's launch, interception and whole-boat loss are drawn once (keyed by leg and boat) and
    # shared by all aboard; on a boat with an incident (also keyed by the boat), each person's death is their own draw.
    for c in prange(n_chunks):
        for j in range(c * CHUNK, c * CHUNK + n_requesters[c]):
            i = requesters[j]
            if state[i] != BOARDING:
                continue
            e = leg[i]
            key = np.int64(e) * 1048576 + days_left[i]
            if paid_leg[i] == e and paid_left[i] > 0:  # an attempt already paid for in a package
                paid_left[i] -= 1
            else:  # one payment covers `package` attempts on this leg
                budget[i] -= price[e]
                leg_revenue[c, e] += price[e]
                paid_leg[i] = e
                paid_left[i] = package - 1
            leg_counts[c, e, C_DEPARTED] += 1
            leg_counts[c, e, C_WAITING] -= 1
            days_waiting[i] = 0
            lost = p_distress[e] * (1.0 - p_rescue[e])
            expected_deaths[c, e] += (1.0 - p_prevent[e]) * (1.0 - p_intercept[e]) * (
                lost + (1.0 - lost) * p_incident[e] * p_incident_death[e])
            if draw(seed, day, key, S_PREVENT) < p_prevent[e]:
                leg_counts[c, e, C_PREVENTED] += 1
                attempts[i] = min(attempts[i] + 1, 127)
                state[i] = RETURNED
                leg[i] = -1
                days_left[i] = 0
                continue
            if draw(seed, day, key, S_INTERCEPT) < p_intercept[e]:
                leg_counts[c, e, C_INTERCEPTED] += 1
                attempts[i] = min(attempts[i] + 1, 127)
                state[i] = DETAINED
                leg[i] = -1
                days_left[i] = np.int16(detention)
                if detention < 1.0:
                    state[i] = RETURNED
                continue
            if draw(seed, day, key, S_DISTRESS) < p_distress[e]:
                if draw(seed, day, key, S_RESCUE) >= p_rescue[e]:  # the whole boat is lost with everyone aboard
                    leg_counts[c, e, C_DIED] += 1
                    state[i] = DEAD
                    leg[i] = -1
                    days_left[i] = 0
                    continue
                leg_counts[c, e, C_RESCUED] += 1
            if draw(seed, day, key, S_INCIDENT) < p_incident[e] and (
                    draw(seed, day, ids[i], S_INCIDENT_DEATH) < p_incident_death[e]):
                leg_counts[c, e, C_DIED] += 1  # drowned at embarkation, crushed aboard, or died of cold
                state[i] = DEAD
                leg[i] = -1
                days_left[i] = 0
                continue
            state[i] = AT_SEA
            prev_hub[i] = hub[i]
            days_left[i] = travel_days[e]
            leg_counts[c, e, C_ON_LEG] += 1
        # People by state at the end of the day: a branch-free count that the compiler vectorises.
        n0 = n1 = n2 = n3 = n4 = n5 = n6 = 0
        for i in range(c * CHUNK, min(n, (c + 1) * CHUNK)):
            s = state[i]
            n0 += s == WAITING
            n1 += s == TRAVELLING
            n2 += s == AT_COAST
            n3 += s == BOARDING
            n4 += s == AT_SEA
            n5 += s == RETURNED
            n6 += s == DETAINED
        state_counts[c, WAITING] += n0
        state_counts[c, TRAVELLING] += n1
        state_counts[c, AT_COAST] += n2
        state_counts[c, BOARDING] += n3
        state_counts[c, AT_SEA] += n4
        state_counts[c, RETURNED] += n5
        state_counts[c, DETAINED] += n6


def _renamed(fn, name):
    """A copy of `fn` under another name, so that it gets a cache entry of its own.

    Numba names a function's cache entry after its qualified name and line, and keys it by signature and bytecode,
    not by compile options (numba issue #6845). Compiling `_step` itself both serial and parallel with cache=True
    stored both under one entry: whichever was saved first was loaded for both, so the "parallel" kernel ran on
    one thread (measured: no speed-up from 2 threads, CPU time equal to wall time).
    """
    copy = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__, fn.__closure__)
    copy.__qualname__ = name
    return copy


step_serial = njit(cache=True)(_renamed(_step, "step_serial"))
step_parallel = njit(cache=True, parallel=True)(_renamed(_step, "step_parallel"))


@njit(cache=True)
def compact(n, ids, origin, pref, state, attempts, paid_left, hub, prev_hub, leg, paid_leg, days_left, days_waiting,
            budget, risk_av):
    """Drop people in final states, keeping the order of the rest (so array order stays id order)."""
    j = 0
    for i in range(n):
        if state[i] < FIRST_FINAL:
            if j != i:
                ids[j] = ids[i]
                origin[j] = origin[i]
                pref[j] = pref[i]
                state[j] = state[i]
                attempts[j] = attempts[i]
                paid_left[j] = paid_left[i]
                hub[j] = hub[i]
                prev_hub[j] = prev_hub[i]
                leg[j] = leg[i]
                paid_leg[j] = paid_leg[i]
                days_left[j] = days_left[i]
                days_waiting[j] = days_waiting[i]
                budget[j] = budget[i]
                risk_av[j] = risk_av[i]
            j += 1
    return j

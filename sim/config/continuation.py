"""A run that continues another scenario's world through its spin-up (`spin_up_from`), e.g. the 2025 baseline
continuing the 2014-2025 history: the policy events in force when it starts are the history's, not a fresh guess.

Resolved when the scenario is loaded, so the run's provenance (`routesim show`, the manifest) lists every entry it
took, and the model knows nothing of it.
"""

import datetime as dt
from pathlib import Path

from sim.config.loader import ConfigError
from sim.config.schema import InflowSeries, Scenario

ONE_DAY = dt.timedelta(days=1)


def continued(run: Scenario, world: Scenario, setter: Path, world_path: Path) -> Scenario:
    """`run` with `world`'s interventions that started before run.start_date and are not over by its first day added
    (named WORLD_NAME) and, with
    spin_up_inflow = "continued", world's inflow before start_date. Raises ConfigError naming the key."""
    if world.spin_up_from is not None:
        raise ConfigError(world_path, "spin_up_from", f"{setter} continues this scenario through its spin-up, so "
                          "it may not itself use spin_up_from")
    first = run.start_date - dt.timedelta(days=run.spin_up_days)
    world_first = world.start_date - dt.timedelta(days=world.spin_up_days)
    if not world_first <= first or run.start_date > world.end_date() + ONE_DAY:
        raise ConfigError(setter, "spin_up_from", f"{world_path.name} covers {world_first} to {world.end_date()}, "
                          f"which must include this run's spin-up, {first} to {run.start_date - ONE_DAY} "
                          "(change spin_up_days or start_date)")
    interventions = dict(run.interventions)
    for name, item in world.interventions.items():
        if item.start >= run.start_date or (item.end is not None and item.end < first):
            continue  # starts in this run's own days, or was over before it began
        key = f"{world.name}_{name}"
        if key in interventions:
            raise ConfigError(setter, f"interventions.{key}", f"this name is taken by the entry continued from "
                              f"{world_path.name} (interventions.{name}): rename it")
        interventions[key] = item
    inflow = run.inflow if run.spin_up_inflow == "own" else _continued_inflow(run, world)
    return run.model_copy(update={"interventions": interventions, "inflow": inflow})


def _continued_inflow(run: Scenario, world: Scenario) -> dict[str, InflowSeries]:
    """Per origin: world's curve up to the day before start_date, run's own from start_date (0 where one of them
    has no such origin); run's seasonal profile; world's stock on the first simulated day."""
    before = run.start_date - ONE_DAY
    merged = {}
    for origin in sorted(set(run.inflow) | set(world.inflow)):
        mine, theirs = run.inflow.get(origin), world.inflow.get(origin)
        dates = [d for d in theirs.dates if d < before] if theirs else []
        levels = list(theirs.people_per_day[: len(dates)]) if theirs else []
        dates.append(before)
        levels.append(_level(theirs, before))
        own = [(d, v) for d, v in zip(mine.dates, mine.people_per_day, strict=True) if d >= run.start_date] \
            if mine else []
        if not own or own[0][0] > run.start_date:
            own.insert(0, (run.start_date, _level(mine, run.start_date)))
        merged[origin] = InflowSeries(
            dates=dates + [d for d, _ in own], people_per_day=levels + [v for _, v in own],
            seasonal_profile=mine.seasonal_profile if mine else None,
            initial_stock_people=theirs.initial_stock_people if theirs else 0.0)
    return merged


def _level(series: InflowSeries | None, day: dt.date) -> float:
    """The curve's level on `day` before seasonality (flat outside its dates); 0 for no curve."""
    if series is None:
        return 0.0
    return float(series.per_day(day, 1, [1.0] * 12)[0])

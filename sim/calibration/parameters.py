"""The free parameters of the calibration, declared once: which config paths each sets, its prior and its source.

A parameter is either a `value` (the number written at each path) or a `factor` (the scenario's own number or list
of numbers at each path, times the parameter: the inflow knots of a group of origins move together, keeping their
published shape). Priors are uniform on the value, or on its log10 where `log` is set (scale parameters spanning
a factor of several). Inflow factors are inputs of the history only (`applies_to_history_only`): the overlay every
other scenario takes holds the behaviour, market, patrol and recording parameters alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sim.config import Scenario
from sim.config.overrides import value_at


@dataclass(frozen=True)
class FreeParameter:
    """One calibrated number: its id (pyabc's name for it), the config paths it sets, its prior bounds and source."""

    id: str
    paths: tuple[str, ...]
    low: float
    high: float
    source: str
    log: bool = False
    kind: str = "value"  # "value": written at every path; "factor": multiplies the scenario's number(s) there

    @property
    def applies_to_history_only(self) -> bool:
        return self.kind == "factor"

    def prior_bounds(self) -> tuple[float, float]:
        """The prior's (low, high) on the scale pyabc samples: log10 of the value when `log`."""
        return (math.log10(self.low), math.log10(self.high)) if self.log else (self.low, self.high)

    def value(self, sampled: float) -> float:
        """The parameter's value from pyabc's sampled number."""
        return 10.0 ** sampled if self.log else float(sampled)

    def settings(self, value: float, scenario: Scenario) -> dict[str, Any]:
        """The `--set` paths and values this parameter at `value` gives, for `scenario`."""
        if self.kind == "value":
            return dict.fromkeys(self.paths, value)
        dump = scenario.model_dump(mode="json")
        found = {}
        for path in self.paths:
            base = value_at(dump, path)
            if base is None:
                continue  # an origin the scenario does not have
            found[path] = [v * value for v in base] if isinstance(base, list) else base * value
        return found


EASTERN_MED_ORIGINS = ("syria", "iraq", "afghanistan_pakistan_iran")
CENTRAL_MED_ORIGINS = ("horn_of_africa", "sahel_west_africa", "senegal_gambia", "south_asia")
INFLOW_SOURCE = ("factor on the history's knots (scenarios/history.toml, from UNHCR and Frontex totals); prior "
                 "x{low:g}-x{high:g}: assumption, the origin shares behind the knots are approximate")


def _inflow(id_: str, origins: Sequence[str], low: float = 0.5, high: float = 2.0) -> FreeParameter:
    return FreeParameter(id_, tuple(f"inflow.{o}.people_per_day" for o in origins), low, high,
                         INFLOW_SOURCE.format(low=low, high=high),
                         log=True, kind="factor")


PARAMETERS: tuple[FreeParameter, ...] = (
    _inflow("inflow_eastern_med", EASTERN_MED_ORIGINS),
    _inflow("inflow_central_med", CENTRAL_MED_ORIGINS),
    _inflow("inflow_north_africa", ("north_africa",)),
    _inflow("inflow_channel", ("albania", "in_europe"), 0.5, 3.0),
    FreeParameter("choice_scale_eur", ("behaviour.choice_scale_eur",), 300.0, 2000.0,
                  "assumption: default 800 (schema); no published logit scale", log=True),
    FreeParameter("preferred_destination_bonus_eur", ("behaviour.preferred_destination_bonus_eur",), 3000.0,
                  20000.0, "assumption: of the order of a Channel fare, GBP 1,500-7,000 (DOMAIN.md)", log=True),
    FreeParameter("risk_value_eur", ("behaviour.risk_value_eur",), 50_000.0, 500_000.0,
                  "assumption: default 200,000 (schema), a factor 4 either way", log=True),
    FreeParameter("give_up_base_per_day", ("behaviour.give_up_base_per_day",), 1e-4, 2e-3,
                  "assumption: default 0.0005 (schema)", log=True),
    FreeParameter("price_demand_elasticity", ("smugglers.price_demand_elasticity",), 0.2, 1.0,
                  "assumption: default 0.5 (schema)"),
    FreeParameter("max_overload", ("smugglers.max_overload",), 1.5, 4.0,
                  "Home Office: Channel 7 a boat in 2018, 28 in 2021 (observed_calibration.csv); bounds assumption"),
    FreeParameter("swamping_headroom", ("patrols.swamping_headroom",), 0.75, 3.0,
                  "assumption: default 1.5 (schema)", log=True),
    FreeParameter("deaths_recorded_central_med", ('observation.deaths_recorded_share.central_med',), 0.66, 0.85,
                  "DOMAIN.md: only 66-85% of Central Med deaths recorded (one estimate)"),
    FreeParameter("deaths_recorded_western_african", ('observation.deaths_recorded_share.western_african',), 0.3,
                  1.0, "assumption: IOM's figures are a lower bound on the Atlantic (schema's source note)"),
)
BY_ID = {p.id: p for p in PARAMETERS}


def parameter_settings(values: Mapping[str, float], scenario: Scenario, history: bool = True) -> dict[str, Any]:
    """The `--set` paths and values of parameter `values` (by id, on the value scale) for `scenario`; without
    `history`, the inflow factors (inputs of the history only) are left out."""
    found: dict[str, Any] = {}
    for pid, value in values.items():
        parameter = BY_ID[pid]
        if history or not parameter.applies_to_history_only:
            found.update(parameter.settings(float(value), scenario))
    return found

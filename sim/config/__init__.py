"""Scenario configuration: schema, loading, validation."""

from sim.config.loader import (
    ConfigError,
    check_against_network,
    load_scenario,
    load_with_warnings,
    resolved,
    scenario_hash,
)
from sim.config.schema import Behaviour, Boats, InflowSeries, Scenario

__all__ = [
    "Behaviour", "Boats", "ConfigError", "InflowSeries", "Scenario", "check_against_network", "load_scenario",
    "load_with_warnings", "resolved", "scenario_hash",
]

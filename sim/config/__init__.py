"""Scenario configuration: schema, loading, validation.

Dependency order: `fields` (leaf) <- `sim.interventions.schema` <- `schema` <- `loader` <- `overrides` <- this
package. `sim.interventions` imports this package before its own modules (see its __init__), so whichever of the
two is imported first, the configuration is complete before any intervention module runs.
"""

from sim.config.loader import (
    ConfigError,
    check_against_network,
    load_scenario,
    load_with_warnings,
    resolved,
    scenario_hash,
)
from sim.config.overrides import apply_overrides, parse_assignment
from sim.config.schema import Behaviour, Boats, InflowSeries, Scenario

__all__ = [
    "Behaviour", "Boats", "ConfigError", "InflowSeries", "Scenario", "apply_overrides", "check_against_network",
    "load_scenario", "load_with_warnings", "parse_assignment", "resolved", "scenario_hash",
]

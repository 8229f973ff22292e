"""Reading a scenario file: TOML -> typed Scenario, with one clear message per kind of bad input.

Every failure raises ConfigError naming the file, the key and what is allowed; the CLI turns it into a
one-line message and exit status 2, before anything is written.
"""

import hashlib
import json
import tomllib
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.config.schema import Scenario

if typing.TYPE_CHECKING:
    from sim.network import Network


class ConfigError(ValueError):
    """A bad scenario file: the message names the file, the key and what is allowed."""

    def __init__(self, path: Path | str, key: str, message: str) -> None:
        self.path, self.key, self.message = str(path), key, message
        where = f"{self.path}: {key}: " if key else f"{self.path}: "
        super().__init__(where + message)


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning each way it can fail into a ConfigError."""
    if not path.exists():
        raise ConfigError(path, "", "file not found")
    if path.is_dir():
        raise ConfigError(path, "", "is a directory, not a scenario file (.toml)")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(path, "", f"not UTF-8 text (byte {err.start}); a scenario file is TOML text") from None
    except OSError as err:
        raise ConfigError(path, "", f"cannot be read: {err.strerror}") from None
    if not text.strip():
        raise ConfigError(path, "", "the file is empty; a scenario needs at least name, start_date, days and "
                          "inflow")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(path, "", f"invalid TOML: {err}") from None


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class found by following `loc` from Scenario (for listing allowed keys)."""
    model: Any = Scenario
    for part in loc:
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            if isinstance(part, str) and typing.get_origin(model) is dict:
                model = typing.get_args(model)[1]
                continue
            return None
        model = model.model_fields[part].annotation
    if typing.get_origin(model) is dict:
        return None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _describe(error: dict[str, Any]) -> tuple[str, str]:
    """Key and message for one pydantic error, with what is allowed."""
    loc = tuple(error["loc"])
    key = ".".join(str(p) for p in loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        allowed = ", ".join(parent.model_fields) if parent else "see docs/parameters.md"
        return key, f"unknown key; allowed keys here: {allowed}"
    if kind == "missing":
        return key, "required key is missing"
    got = error.get("input")
    shown = f" (got {got!r})" if not isinstance(got, dict | list) else ""
    if kind in ("date_type", "date_parsing", "date_from_datetime_inexact"):
        return key, f"must be a TOML date such as 2025-04-01, without quotes{shown}"
    return key, f"{error['msg']}{shown}"


def parse_scenario(data: dict[str, Any], path: Path | str) -> Scenario:
    """Validate a dict (already read from TOML) into a Scenario."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        key, message = _describe(err.errors()[0])
        more = len(err.errors()) - 1
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise ConfigError(path, key, message) from None


def _merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Child values override the parent's; tables merge key by key, everything else is replaced."""
    merged = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def read_with_parents(path: Path, _chain: tuple[Path, ...] = ()) -> tuple[dict[str, Any], list[str]]:
    """Read a scenario file and, through `extends`, its parents; return the merged data and the chain of files.

    `extends = "baseline.toml"` (relative to the file) starts from the parent's settings; the child's keys
    override them; `remove_interventions = ["name", ...]` drops interventions the parent switched on.
    """
    path = Path(path)
    real = path.resolve()
    if real in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, real))
        raise ConfigError(path, "extends", f"cycle of extends: {cycle}")
    data = read_toml(path)
    parent_name = data.pop("extends", None)
    removed = data.pop("remove_interventions", [])
    if parent_name is None:
        if removed:
            raise ConfigError(path, "remove_interventions", "only a scenario that extends another can remove "
                              "interventions")
        return data, [str(path)]
    if not isinstance(parent_name, str):
        raise ConfigError(path, "extends", "must be a file name in quotes, e.g. extends = \"baseline.toml\"")
    parent_path = path.parent / parent_name
    if not parent_path.is_file():
        raise ConfigError(path, "extends", f"parent scenario {parent_name!r} not found (looked for {parent_path})")
    parent, chain = read_with_parents(parent_path, (*_chain, real))
    if not isinstance(removed, list) or not all(isinstance(n, str) for n in removed):
        raise ConfigError(path, "remove_interventions", "must be a list of intervention names")
    interventions = dict(parent.get("interventions", {}))
    for name in removed:
        if name not in interventions:
            raise ConfigError(path, "remove_interventions",
                              f"{name!r} is not an intervention of {parent_name} (it has: "
                              f"{', '.join(interventions) or 'none'})")
        del interventions[name]
    parent = {**parent, "interventions": interventions}
    return _merge(parent, data), [*chain, str(path)]


def _outside_dates(scenario: Scenario) -> list[tuple[str, str]]:
    """Interventions wholly outside the recorded days (name, why)."""
    first, last = scenario.start_date, scenario.end_date()
    return [(name, f"in force {item.start} to {item.end or 'the end'}, wholly outside the scenario's days "
             f"{first} to {last}")
            for name, item in scenario.interventions.items()
            if item.start > last or (item.end is not None and item.end < first)]


def _cut_by_days(path: Path, written: Scenario, run: Scenario) -> list[str]:
    """Warnings for interventions a --days override cuts short or leaves with no day in force."""
    last = run.end_date()
    found = []
    for name, item in run.interventions.items():
        if item.start > last:
            found.append(f"{path}: interventions.{name}: never in force: starts {item.start}, after the run's "
                         f"last day {last} (--days {run.days})")
        elif item.end is not None and last < item.end <= written.end_date():
            found.append(f"{path}: interventions.{name}: cut short: in force to {item.end}, but the run ends on "
                         f"{last} (--days {run.days})")
    return found


def load_with_warnings(path: Path | str, **overrides: Any) -> tuple[Scenario, list[str]]:
    """Read (with parents), validate, check dates, then apply command-line overrides (seed, scale, days)."""
    path = Path(path)
    data, _ = read_with_parents(path)
    written = parse_scenario(data, path)
    outside = _outside_dates(written)
    if outside:
        name, why = outside[0]
        raise ConfigError(path, f"interventions.{name}.start", why)
    given = {k: v for k, v in overrides.items() if v is not None}
    if not given:
        return written, []
    run = parse_scenario({**data, **given}, path)
    return run, _cut_by_days(path, written, run)


def load_scenario(path: Path | str, **overrides: Any) -> Scenario:
    """Read and validate a scenario file (see load_with_warnings)."""
    return load_with_warnings(path, **overrides)[0]


def check_against_network(scenario: Scenario, path: Path | str, net: "Network") -> None:
    """Names in the scenario that must be places in the network."""
    from sim.interventions.targets import UnknownTarget, legs_for
    from sim.network import CORRIDORS, MODE_SEA

    origin_ids = list(net.origins["origin"])
    for key in scenario.inflow:
        if key not in origin_ids:
            raise ConfigError(path, f"inflow.{key}",
                              f"unknown origin region {key!r}; allowed: {', '.join(origin_ids)}")
    for unit in scenario.enforcement.units:
        for corridor in unit.corridors:
            if corridor not in CORRIDORS:
                raise ConfigError(path, "enforcement.units.corridors",
                                  f"unknown corridor {corridor!r}; allowed: {', '.join(CORRIDORS)}")
    for corridor, share in scenario.observation.deaths_recorded_share.items():
        if corridor not in CORRIDORS or not 0 <= share <= 1:
            raise ConfigError(path, f"observation.deaths_recorded_share.{corridor}",
                              f"needs a corridor ({', '.join(CORRIDORS)}) and a share in [0, 1]")
    leg_ids = list(net.legs["id"])
    for field in ("beach_officers_reference", "beach_officers"):
        for leg_id in getattr(scenario.patrols, field):
            if leg_id not in leg_ids:
                raise ConfigError(path, f"patrols.{field}.{leg_id}",
                                  f"unknown leg {leg_id!r}; legs are written from->to ('routesim legs' lists them)")
    sea_corridors = sorted({CORRIDORS[c] for c in net.leg_corridor[net.leg_mode == MODE_SEA]})
    for corridor in scenario.boats.incident_share:
        if corridor not in sea_corridors:
            raise ConfigError(path, f"boats.incident_share.{corridor}",
                              f"not a corridor with sea legs; allowed: {', '.join(sea_corridors)}")
    for area in scenario.weather.areas:
        if area not in sea_corridors:
            raise ConfigError(path, f"weather.areas.{area}",
                              f"not a corridor with sea legs; allowed: {', '.join(sea_corridors)}")
    unit_corridors = {c for unit in scenario.enforcement.units for c in unit.corridors}
    for name, item in scenario.interventions.items():
        kind, value = item.target.kind_and_value
        try:
            legs = legs_for(net, item.kind, kind, value)
        except UnknownTarget as err:
            raise ConfigError(path, f"interventions.{name}.target.{kind}", str(err)) from None
        if item.kind in ("enforcement_funding", "prosecution_capacity", "intelligence_sharing"):
            corridors = {CORRIDORS[c] for c in net.leg_corridor[legs]}
            if not corridors & unit_corridors:
                raise ConfigError(path, f"interventions.{name}.target.{kind}",
                                  f"no enforcement unit works on {', '.join(sorted(corridors))}; units cover "
                                  f"{', '.join(sorted(unit_corridors))} (enforcement.units)")
        if item.kind == "removals" and item.origin is not None and item.origin not in list(net.origins["origin"]):
            raise ConfigError(path, f"interventions.{name}.origin",
                              f"unknown origin region {item.origin!r}; allowed: {', '.join(net.origins['origin'])}")


def resolved(scenario: Scenario) -> dict[str, Any]:
    """The scenario with every default filled in, as plain JSON data (for the manifest)."""
    return scenario.model_dump(mode="json")


def scenario_hash(scenario: Scenario) -> str:
    """A stable hash of the resolved scenario: equal hashes mean equal inputs."""
    text = json.dumps(resolved(scenario), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]

"""Reading a scenario file: TOML -> typed Scenario, with one clear message per kind of bad input.

Every failure raises ConfigError naming its origin (the file, or the command-line flag), the key and what is
allowed; the CLI turns it into a one-line message and exit status 2, before anything is written. Only regular
files are opened (a FIFO would hang, a device never end); `extends` stays inside the including file's folder.
"""

import datetime as dt
import hashlib
import json
import os
import stat
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.config.schema import Scenario
from sim.config.toml_errors import parse_toml

if typing.TYPE_CHECKING:
    from sim.network import Network

MAX_FILE_BYTES = 10_000_000  # a scenario is a few kilobytes; anything this large is not one


class ConfigError(ValueError):
    """A bad scenario input: the message names the origin (file or flag), the key and what is allowed."""

    def __init__(self, path: Path | str, key: str, message: str) -> None:
        self.path, self.key, self.message = str(path), key, message
        where = f"{self.path}: {key}: " if key else f"{self.path}: "
        super().__init__(where + message)


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning each way it can fail into a ConfigError (nothing but a regular file is opened)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ConfigError(path, "", "file not found") from None
    except OSError as err:
        raise ConfigError(path, "", f"cannot be read: {err.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError(path, "", "is a directory, not a scenario file (.toml)")
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(path, "", "is not a regular file (a pipe, socket or device); a scenario is a .toml file")
    if info.st_size > MAX_FILE_BYTES:
        raise ConfigError(path, "", f"is {info.st_size:,} bytes; a scenario file is at most {MAX_FILE_BYTES:,}")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise ConfigError(path, "", f"not UTF-8 text (byte {err.start}); a scenario file is TOML text") from None
    except OSError as err:
        raise ConfigError(path, "", f"cannot be read: {err.strerror}") from None
    text = text.removeprefix("\ufeff")  # a byte-order mark, as some Windows editors write
    if not text.strip():
        raise ConfigError(path, "", "the file is empty; a scenario needs at least name, start_date, days and "
                          "inflow")
    try:
        return parse_toml(text)
    except ValueError as err:
        raise ConfigError(path, "", str(err)) from None


def _step(model: Any, part: Any) -> tuple[Any, bool]:
    """The type one step down `model` along a pydantic error location, and whether the step is a key the user
    wrote (a discriminated union's tag is not)."""
    if typing.get_origin(model) is typing.Annotated:
        model = typing.get_args(model)[0]
    if typing.get_origin(model) in (typing.Union, types.UnionType):
        for member in typing.get_args(model):
            kind = getattr(member, "model_fields", {}).get("kind")
            if kind is not None and part in typing.get_args(kind.annotation):
                return member, False
        return None, True
    if isinstance(model, type) and issubclass(model, BaseModel):
        field = model.model_fields.get(part) if isinstance(part, str) else None
        return (field.annotation if field else None), True
    if typing.get_origin(model) in (dict, list):
        return typing.get_args(model)[-1], True
    return None, True


def _locate(loc: tuple[Any, ...], root: Any = Scenario) -> tuple[str, Any]:
    """The dotted key of a pydantic error location (from the model `root`) and the type found at its parent."""
    model: Any = root
    parent: Any = None
    shown = []
    for part in loc:
        parent = model
        model, written = _step(model, part)
        if written:
            shown.append(str(part))
    return ".".join(shown), parent


def _allowed_keys(model: Any) -> str:
    if typing.get_origin(model) is typing.Annotated:
        model = typing.get_args(model)[0]
    if isinstance(model, type) and issubclass(model, BaseModel):
        return ", ".join(model.model_fields)
    return "see docs/parameters.md"


def _describe(error: Mapping[str, Any], echo: bool = True, root: Any = Scenario) -> tuple[str, str]:
    """Key and message for one pydantic error, with what is allowed (the value given only if `echo`)."""
    key, parent = _locate(tuple(error["loc"]), root)
    kind = error["type"]
    if kind == "extra_forbidden":
        return key, f"unknown key; allowed keys here: {_allowed_keys(parent)}"
    if kind == "missing":
        return key, "required key is missing"
    got = error.get("input")
    shown = f" (got {got!r})" if echo and not isinstance(got, dict | list) else ""
    if kind in ("date_type", "date_parsing", "date_from_datetime_inexact"):
        return key, f"must be a TOML date such as 2025-04-01, without quotes{shown}"
    message = str(error["msg"]).removeprefix("Value error, ")
    return key, f"{message}{shown}"


def _rank(error: Mapping[str, Any]) -> int:
    """Which error to report first: a misspelt key explains the 'missing' one it was meant to be."""
    return {"extra_forbidden": 0, "missing": 2}.get(error["type"], 1)


def validate_as[M: BaseModel](model: type[M], data: dict[str, Any], origin: Path | str) -> M:
    """Validate a dict (read from TOML) into `model`, e.g. an experiment; the first problem, a misspelt key
    before a missing one, as a ConfigError naming `origin` and the key."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        key, message = _describe(sorted(err.errors(), key=_rank)[0], root=model)
        raise ConfigError(origin, key, message) from None
    except RecursionError:
        raise ConfigError(origin, "", "tables nested too deeply") from None


def parse_scenario(data: dict[str, Any], origin: Path | str,
                   sources: Mapping[str, str] | None = None) -> Scenario:
    """Validate a dict (already read from TOML) into a Scenario; the error names the file that set the key
    (`sources`: dotted key -> file) and shows no value read from a file other than `origin`."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        errors = sorted(err.errors(), key=_rank)
        key = _locate(tuple(errors[0]["loc"]))[0]
        where = _source_of(key, sources or {}) or str(origin)
        key, message = _describe(errors[0], echo=where == str(origin))
        more = len(errors) - 1
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise ConfigError(where, key, message) from None
    except RecursionError:
        raise ConfigError(origin, "", "tables nested too deeply") from None


def _source_of(key: str, sources: Mapping[str, str]) -> str | None:
    """The file that set `key` or the nearest table above it."""
    parts = key.split(".")
    for n in range(len(parts), 0, -1):
        found = sources.get(".".join(parts[:n]))
        if found is not None:
            return found
    return None


def merge_tables(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """Child values override the parent's; tables merge key by key, everything else is replaced."""
    merged = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_tables(merged[key], value)
        else:
            merged[key] = value
    return merged


def leaf_keys(data: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Dotted keys of every value in nested tables (a list is one value)."""
    found = []
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        found += leaf_keys(value, f"{dotted}.") if isinstance(value, dict) and value else [dotted]
    return found


def _parent_path(path: Path, name: Any, key: str = "extends") -> Path:
    """The file `extends` (or `key`) names: a .toml file relative to `path`, inside `path`'s folder tree."""
    if not isinstance(name, str):
        raise ConfigError(path, key, f"must be a file name in quotes, e.g. {key} = \"baseline.toml\"")
    given = Path(name)
    if given.is_absolute() or given.suffix != ".toml":
        raise ConfigError(path, key, "must be a .toml file named relative to this file, e.g. "
                          "\"baseline.toml\"")
    folder = path.parent.resolve()
    parent = (path.parent / given).resolve()
    if not parent.is_relative_to(folder):
        raise ConfigError(path, key, f"must name a file in this file's folder or below it ({folder})")
    if not parent.exists():
        raise ConfigError(path, key, f"scenario {name!r} not found (looked for {parent})")
    return path.parent / given


def read_with_parents(path: Path, _chain: tuple[Path, ...] = ()) -> tuple[dict[str, Any], dict[str, str]]:
    """Read a scenario file and, through `extends`, its parents; return the merged data and, for every value,
    the file that set it (dotted key -> file).

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
    own = dict.fromkeys(leaf_keys(data), str(path))
    if parent_name is None:
        if removed:
            raise ConfigError(path, "remove_interventions", "only a scenario that extends another can remove "
                              "interventions")
        return data, own
    parent, sources = read_with_parents(_parent_path(path, parent_name), (*_chain, real))
    if not isinstance(removed, list) or not all(isinstance(n, str) for n in removed):
        raise ConfigError(path, "remove_interventions", "must be a list of intervention names")
    interventions = dict(parent.get("interventions", {}))
    for name in removed:
        if name not in interventions:
            raise ConfigError(path, "remove_interventions",
                              f"{name!r} is not an intervention of {parent_name} (it has: "
                              f"{', '.join(interventions) or 'none'})")
        del interventions[name]
        sources = {k: v for k, v in sources.items() if not k.startswith(f"interventions.{name}.")}
    parent = {**parent, "interventions": interventions}
    return merge_tables(parent, data), {**sources, **own}


def _outside_dates(scenario: Scenario) -> list[tuple[str, str]]:
    """Interventions wholly outside the recorded days (name, why)."""
    first, last = scenario.start_date, scenario.end_date()
    return [(name, f"in force {item.start} to {item.end or 'the end'}, wholly outside the scenario's days "
             f"{first} to {last}")
            for name, item in scenario.interventions.items()
            if item.start > last or (item.end is not None and item.end < first)]


def _cut_short(path: Path, written: Scenario, run: Scenario, origins: str) -> list[str]:
    """Warnings for interventions the overrides cut short or leave with no day in force."""
    last = run.end_date()
    found = []
    for name, item in run.interventions.items():
        if item.start > last:
            found.append(f"{path}: interventions.{name}: never in force: starts {item.start}, after the run's "
                         f"last day {last} (with {origins})")
        elif item.end is not None and last < item.end <= written.end_date():
            found.append(f"{path}: interventions.{name}: cut short: in force to {item.end}, but the run ends on "
                         f"{last} (with {origins})")
    return found


def _inflow_held(path: Path, run: Scenario) -> list[str]:
    """Warnings for inflow curves that end before the run does or begin after it starts (the level is held)."""
    first, last = run.start_date, run.end_date()
    found = []
    for origin, series in run.inflow.items():
        if len(series.dates) < 2:
            continue  # one point: a constant level, meant to hold
        if series.dates[0] > first:
            found.append(f"{path}: inflow.{origin}: dates begin on {series.dates[0]}, after the run's first day "
                         f"{first}: the first level is held before it")
        if series.dates[-1] < last:
            found.append(f"{path}: inflow.{origin}: dates end on {series.dates[-1]}, before the run's last day "
                         f"{last}: the last level is held after it")
    return found


def load_with_warnings(path: Path | str, overrides: Mapping[str, Mapping[str, Any]] | None = None
                       ) -> tuple[Scenario, list[str]]:
    """Read (with parents), validate, check dates, then apply overrides: origin (a flag such as "--days") ->
    {dotted path: value}, each validated as a whole scenario (sim.config.overrides.apply_overrides)."""
    from sim.config.overrides import apply_overrides

    path = Path(path)
    data, sources = read_with_parents(path)
    written = parse_scenario(data, path, sources)
    outside = _outside_dates(written)
    if outside:
        name, why = outside[0]
        raise ConfigError(path, f"interventions.{name}.start", why)
    run = written
    given = {origin: settings for origin, settings in (overrides or {}).items() if settings}
    for origin, settings in given.items():
        run = apply_overrides(run, settings, origin)
    warnings = _cut_short(path, written, run, ", ".join(given)) if given else []
    warnings += _inflow_held(path, run)
    if run.spin_up_from is not None:
        from sim.config.continuation import continued

        setter = Path(sources.get("spin_up_from", path))
        world_path = _parent_path(setter, run.spin_up_from, "spin_up_from")
        world_data, world_sources = read_with_parents(world_path)
        world = parse_scenario(world_data, world_path, world_sources)
        run = continued(run, world, setter, world_path)
    return run, warnings


def load_scenario(path: Path | str, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> Scenario:
    """Read and validate a scenario file (see load_with_warnings)."""
    return load_with_warnings(path, overrides)[0]


def load_sources(path: Path | str) -> dict[str, str]:
    """For every value a scenario file (or a parent) sets: dotted key -> the file that set it."""
    return read_with_parents(Path(path))[1]


def simulated_people(scenario: Scenario) -> float:
    """Simulated people who set out over spin-up and recorded days (the population's rows, before compaction)."""
    first = scenario.start_date - dt.timedelta(days=scenario.spin_up_days)
    days = scenario.spin_up_days + scenario.days
    total = sum(float(series.per_day(first, days, scenario.inflow_seasonal_profile).sum())
                + series.initial_stock_people for series in scenario.inflow.values())
    return total / scenario.scale


def check_resources(scenario: Scenario, origin: Path | str) -> None:
    """Refuse a scenario whose population could not fit in this machine's memory (or in 32-bit ids)."""
    from sim.population.population import BYTES_PER_MIGRANT

    people = simulated_people(scenario)
    need = people * BYTES_PER_MIGRANT
    have = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    if need > have or people >= 2**31:
        raise ConfigError(origin, "inflow", f"{people:,.0f} simulated people over spin_up_days + days would need "
                          f"about {need / 2**30:,.1f} GiB of memory ({BYTES_PER_MIGRANT} bytes each) and this "
                          f"machine has {have / 2**30:,.1f} GiB: raise scale (--scale) or shorten the run")


def check_against_network(scenario: Scenario, path: Path | str, net: "Network") -> None:
    """Names in the scenario that must be places in the network, and whether the run fits in memory."""
    from sim.interventions.targets import UnknownTarget, intervention_legs
    from sim.network import CORRIDORS, LEG_SOURCES, MODE_SEA

    origin_ids = list(net.origins["origin"])
    for key in scenario.inflow:
        if key not in origin_ids:
            raise ConfigError(path, f"inflow.{key}",
                              f"unknown origin region {key!r}; allowed: {', '.join(origin_ids)}")
    for key in scenario.information.contact_lag_days_by_origin:
        if key not in origin_ids:
            raise ConfigError(path, f"information.contact_lag_days_by_origin.{key}",
                              f"unknown origin region {key!r}; allowed: {', '.join(origin_ids)}")
    for corridor in scenario.guides.corridors:
        if corridor not in CORRIDORS:
            raise ConfigError(path, "guides.corridors",
                              f"unknown corridor {corridor!r}; allowed: {', '.join(CORRIDORS)}")
    for unit in scenario.enforcement.units:
        for corridor in unit.corridors:
            if corridor not in CORRIDORS:
                raise ConfigError(path, "enforcement.units.corridors",
                                  f"unknown corridor {corridor!r}; allowed: {', '.join(CORRIDORS)}")
    for corridor in scenario.observation.deaths_recorded_share:
        if corridor not in CORRIDORS:
            raise ConfigError(path, f"observation.deaths_recorded_share.{corridor}",
                              f"unknown corridor {corridor!r}; allowed: {', '.join(CORRIDORS)}")
    for field in ("land_stops_recorded_share", "sea_interceptions_recorded_share"):
        for source in getattr(scenario.observation, field):
            if source not in LEG_SOURCES:
                raise ConfigError(path, f"observation.{field}.{source}",
                                  f"not a source that observes legs; allowed: {', '.join(LEG_SOURCES)}")
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
    for key, corridors in (("smugglers.taxi_corridors", scenario.smugglers.taxi_corridors),
                           ("supply.throughput_boats_per_day", scenario.supply.throughput_boats_per_day)):
        for corridor in corridors:
            if corridor not in sea_corridors:
                raise ConfigError(path, f"{key}.{corridor}",
                                  f"not a corridor with sea legs; allowed: {', '.join(sea_corridors)}")
    for area in scenario.weather.areas:
        if area not in sea_corridors:
            raise ConfigError(path, f"weather.areas.{area}",
                              f"not a corridor with sea legs; allowed: {', '.join(sea_corridors)}")
    unit_corridors = {c for unit in scenario.enforcement.units for c in unit.corridors}
    for name, item in scenario.interventions.items():
        kind, value = item.target.kind_and_value
        try:
            legs = intervention_legs(net, item)
        except UnknownTarget as err:
            raise ConfigError(path, f"interventions.{name}.target.{kind}", str(err)) from None
        if item.kind in ("enforcement_funding", "prosecution_capacity", "intelligence_sharing"):
            corridors = {CORRIDORS[c] for c in net.leg_corridor[legs]}
            if not corridors & unit_corridors:
                raise ConfigError(path, f"interventions.{name}.target.{kind}",
                                  f"no enforcement unit works on {', '.join(sorted(corridors))}; units cover "
                                  f"{', '.join(sorted(unit_corridors))} (enforcement.units)")
        if item.kind == "removals" and item.origin is not None and item.origin not in origin_ids:
            raise ConfigError(path, f"interventions.{name}.origin",
                              f"unknown origin region {item.origin!r}; allowed: {', '.join(origin_ids)}")
    check_resources(scenario, path)


def resolved(scenario: Scenario) -> dict[str, Any]:
    """The scenario with every default filled in, as plain JSON data (for the manifest)."""
    return scenario.model_dump(mode="json")


def scenario_hash(scenario: Scenario) -> str:
    """A stable hash of the resolved scenario: equal hashes mean equal inputs."""
    text = json.dumps(resolved(scenario), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]

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


def load_scenario(path: Path | str, **overrides: Any) -> Scenario:
    """Read, override (seed, scale, days from the command line) and validate a scenario file."""
    path = Path(path)
    data = read_toml(path)
    data.update({k: v for k, v in overrides.items() if v is not None})
    return parse_scenario(data, path)


def check_against_network(scenario: Scenario, path: Path | str, origin_ids: list[str]) -> None:
    """Names in the scenario that must be places in the network."""
    for key in scenario.inflow:
        if key not in origin_ids:
            raise ConfigError(path, f"inflow.{key}",
                              f"unknown origin region {key!r}; allowed: {', '.join(origin_ids)}")


def resolved(scenario: Scenario) -> dict[str, Any]:
    """The scenario with every default filled in, as plain JSON data (for the manifest)."""
    return scenario.model_dump(mode="json")


def scenario_hash(scenario: Scenario) -> str:
    """A stable hash of the resolved scenario: equal hashes mean equal inputs."""
    text = json.dumps(resolved(scenario), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]

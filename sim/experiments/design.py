"""Experiment files: the settings to vary, how to sample them, replicates and a root seed.

An experiment file (TOML, in `experiments/`) names a base scenario, fixed settings, the settings to vary by dotted
path and a sampler: a full grid, or a Latin hypercube, Sobol or Morris design drawn by SALib. It is validated like a
scenario (pydantic, `extra="forbid"`), and every design point is applied to the base scenario through
`apply_overrides` before any run starts, so a value the scenario rejects is a one-line error up front.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field, model_validator

from sim.config.fields import STRICT
from sim.config.loader import ConfigError, read_toml, validate_as
from sim.config.overrides import apply_overrides, split_path, value_at
from sim.config.schema import Scenario

RESERVED_NAMES = ("scenario", "policy", "model")  # EMA Workbench's reserved column names
SAMPLERS = ("grid", "lhs", "sobol", "morris")


class Parameter(BaseModel):
    """One setting to vary: its dotted path, a short name, and its values (grid) or its range (designs)."""

    model_config = STRICT
    path: str = Field(min_length=1, description='Dotted path into the scenario, e.g. '
                      '\'patrols.beach_officers."northern_france_coast->kent"\'.')
    name: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                             description="Short name used as the column name (default: the path's last part).")
    values: list[float | int | bool | str] | None = Field(None, min_length=1, description="Grid values.")
    low: float | None = Field(None, description="Lower end of the range (uniform), or of a grid with step.")
    high: float | None = Field(None, description="Upper end of the range (uniform), or of a grid with step.")
    step: float | None = Field(None, gt=0, description="Grid spacing between low and high (grid only).")
    distribution: Literal["uniform", "normal"] = Field(
        "uniform", description="uniform on [low, high]; normal with mean and sd (lhs and sobol only).")
    mean: float | None = Field(None, description="Mean of a normal distribution.")
    sd: float | None = Field(None, gt=0, description="Standard deviation of a normal distribution.")

    @model_validator(mode="after")
    def _one_way_of_giving_values(self) -> Parameter:
        if self.distribution == "normal":
            if self.mean is None or self.sd is None or self.values is not None or self.low is not None:
                raise ValueError("a normal parameter takes mean and sd (and no values, low or high)")
            return self
        if self.values is not None:
            if self.low is not None or self.high is not None or self.step is not None:
                raise ValueError("give either values or low/high, not both")
            return self
        if self.low is None or self.high is None:
            raise ValueError("give values, or low and high")
        if not self.low < self.high:
            raise ValueError(f"empty range: low ({self.low:g}) must be below high ({self.high:g})")
        return self

    @model_validator(mode="after")
    def _not_reserved(self) -> Parameter:
        if self.column in RESERVED_NAMES:
            raise ValueError(f"parameter name {self.column!r} is reserved (EMA Workbench: {', '.join(RESERVED_NAMES)})"
                             "; set name = ...")
        return self

    @property
    def column(self) -> str:
        """The name of this parameter's column in the runs and samples tables."""
        return self.name or split_path(self.path, "parameters.path")[-1].replace("-", "_").replace(">", "_")

    def grid_values(self) -> list[Any]:
        """The grid's values: the list given, or low, low + step, ... up to high."""
        if self.values is not None:
            return list(self.values)
        if self.step is None:
            raise ValueError("a grid over a range needs step")
        count = math.floor((self.high - self.low) / self.step + 1e-9) + 1
        return [self.low + i * self.step for i in range(count)]


class Sampler(BaseModel):
    """How the design points are chosen."""

    model_config = STRICT
    kind: Literal["grid", "lhs", "sobol", "morris"] = Field(description="grid, lhs, sobol or morris.")
    n: int | None = Field(None, ge=1, le=1_000_000, description="lhs: points; sobol: base sample N (a power of "
                          "two; N(k+2) points, N(2k+2) with second order); morris: trajectories.")
    calc_second_order: bool = Field(False, description="Sobol: also second-order indices.")
    num_levels: int = Field(4, ge=2, le=100, description="Morris: levels of the grid.")

    @model_validator(mode="after")
    def _size(self) -> Sampler:
        if self.kind == "grid":
            if self.n is not None:
                raise ValueError("a grid takes no n: its size is the product of the parameters' values")
            return self
        if self.n is None:
            raise ValueError(f"the {self.kind} sampler needs n")
        if self.kind == "sobol" and self.n & (self.n - 1):
            raise ValueError(f"the Sobol design needs n a power of two (got {self.n}; e.g. "
                             f"{1 << max(self.n.bit_length() - 1, 0)} or {1 << self.n.bit_length()})")
        return self


class Experiment(BaseModel):
    """A sweep: base scenario, fixed settings, parameters, sampler, replicates and root seed."""

    model_config = STRICT
    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                      description="Short name of the experiment (letters, digits, _ . -).")
    description: str = Field("", description="What the experiment asks.")
    scenario: str = Field(description="Base scenario file, relative to the experiment file.")
    settings: dict[str, Any] = Field(default_factory=dict, description="Fixed overrides for every run: dotted path "
                                     "= value (e.g. days = 120, behaviour.value_of_time_eur_per_day = 30).")
    parameters: list[Parameter] = Field(min_length=1, description="The settings to vary ([[parameters]]).")
    sampler: Sampler
    replicates: int = Field(ge=1, le=10_000, description="Runs per design point; replicate i of every point "
                            "shares its seed (common random numbers).")
    root_seed: int = Field(ge=0, lt=2**63, description="Seed every replicate seed is spawned from.")
    include_base: bool = Field(True, description="Also run the base scenario (sample_id -1), replicates times.")
    outcomes: list[str] | None = Field(None, min_length=1, description="Outcomes to keep (default: all).")
    series_resolution: Literal["day", "week", "month", "none"] = Field(
        "month", description="Resolution of the series kept per run (none: scalar outcomes only).")

    @model_validator(mode="after")
    def _names(self) -> Experiment:
        columns = [p.column for p in self.parameters]
        duplicated = sorted({c for c in columns if columns.count(c) > 1})
        if duplicated:
            raise ValueError(f"parameter names must be unique (set name = ...): {', '.join(duplicated)}")
        if self.sampler.kind != "grid":
            for p in self.parameters:
                if p.values is not None:
                    raise ValueError(f"parameter {p.column}: the {self.sampler.kind} sampler needs low/high, "
                                     "not values")
                if p.distribution == "normal" and self.sampler.kind == "morris":
                    raise ValueError(f"parameter {p.column}: Morris screening needs uniform ranges")
        return self

    def problem(self) -> dict[str, Any] | None:
        """The SALib problem (names, bounds, distributions); None for a grid."""
        if self.sampler.kind == "grid":
            return None
        normal = [p.distribution == "normal" for p in self.parameters]
        problem: dict[str, Any] = {
            "num_vars": len(self.parameters),
            "names": [p.column for p in self.parameters],
            "bounds": [[p.mean, p.sd] if n else [p.low, p.high] for p, n in zip(self.parameters, normal, strict=True)],
        }
        if any(normal):
            problem["dists"] = ["norm" if n else "unif" for n in normal]
        return problem


def flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """TOML's nested tables of [settings] as dotted paths (keys with dots or arrows are quoted)."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        part = key if key.replace("_", "").isalnum() else json.dumps(key)
        path = f"{prefix}.{part}" if prefix else part
        if isinstance(value, dict) and value:
            flat.update(flatten(value, path))
        else:
            flat[path] = value
    return flat


def design_matrix(experiment: Experiment) -> np.ndarray | list[tuple[Any, ...]]:
    """The design points, one row per sample in the order of sample ids (SALib's order for its designs)."""
    sampler = experiment.sampler
    if sampler.kind == "grid":
        return list(itertools.product(*(p.grid_values() for p in experiment.parameters)))
    from SALib.sample import latin, morris, sobol

    problem = experiment.problem()
    seed = int(np.random.SeedSequence(experiment.root_seed).generate_state(1)[0])
    if sampler.kind == "lhs":
        return latin.sample(problem, sampler.n, seed=seed)
    if sampler.kind == "sobol":
        return sobol.sample(problem, sampler.n, calc_second_order=sampler.calc_second_order, seed=seed)
    return morris.sample(problem, sampler.n, num_levels=sampler.num_levels, seed=seed)


@dataclass(frozen=True)
class Design:
    """An experiment made concrete: the base scenario, and per sample its parameter values and scenario."""

    path: Path
    experiment: Experiment
    base: Scenario
    samples: list[dict[str, Any]]          # column -> value, in sample-id order
    scenarios: list[Scenario]              # the base scenario with each sample's settings applied
    experiment_hash: str                   # of the resolved experiment and base scenario: changes refuse --resume
    draws: tuple[dict[str, Any], ...] = ()  # replicate i's posterior draw of parameters (none: noise only)
    calibration: dict[str, Any] | None = None  # the manifest's "calibration" entry (sim/calibration/use.py)


def _cast(value: Any, like: Any) -> Any:
    """A sampled number in the type the setting has in the base scenario (an int setting gets an int)."""
    if isinstance(like, int) and not isinstance(like, bool) and isinstance(value, float | np.floating):
        return int(round(float(value)))
    return float(value) if isinstance(value, np.floating | np.integer) else value


def _parse(path: Path, data: dict[str, Any]) -> Experiment:
    from sim.outputs.outcomes import outcome

    if isinstance(data.get("settings"), dict):
        data = {**data, "settings": flatten(data["settings"])}
    experiment = validate_as(Experiment, data, path)
    for i, name in enumerate(experiment.outcomes or []):
        try:
            if outcome(name).kind != "scalar":
                raise ConfigError(path, f"outcomes.{i}", f"{name!r} is a series, not a scalar outcome")
        except KeyError:
            raise ConfigError(path, f"outcomes.{i}", f"unknown outcome {name!r}; 'routesim outcomes' lists "
                              "them") from None
    return experiment


def load_design(path: Path | str, overrides: dict[str, Any] | None = None) -> Design:
    """Read an experiment file, its base scenario and every design point, validating all before any run.

    overrides: command-line `--set` settings applied to the base scenario after the file's own settings."""
    from sim.config import check_against_network, load_scenario
    from sim.network import load_network

    path = Path(path)
    experiment = _parse(path, read_toml(path))
    scenario_path = path.parent / experiment.scenario
    if scenario_path.suffix != ".toml":
        raise ConfigError(path, "scenario", f"must name a scenario file (.toml), got {experiment.scenario!r}")
    base = apply_overrides(load_scenario(scenario_path), experiment.settings, origin=f"{path}: settings")
    if overrides:
        base = apply_overrides(base, overrides, origin="--set")
    network = load_network()
    check_against_network(base, scenario_path, network)
    resolved_base = base.model_dump(mode="json")
    samples, scenarios = [], []
    for row in design_matrix(experiment):
        sample, settings = {}, {}
        for p, value in zip(experiment.parameters, row, strict=True):
            like = value_at(resolved_base, p.path)
            sample[p.column] = settings[p.path] = _cast(value, like)
        scenario = apply_overrides(base, settings, origin=f"{path}: parameters")
        samples.append(sample)
        scenarios.append(scenario)
    for scenario in scenarios:
        check_against_network(scenario, path, network)
    text = json.dumps({"experiment": experiment.model_dump(mode="json"), "base": resolved_base,
                       "overrides": overrides or {}}, sort_keys=True, default=str)
    return Design(path, experiment, base, samples, scenarios, hashlib.sha256(text.encode()).hexdigest()[:16])

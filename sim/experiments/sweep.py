"""Sweeps: every design point times every replicate, run through the executor, streamed to a resumable folder.

The folder holds long-format tables: `runs` (one row a run: ids, seed, parameter values, status, error, wall time),
`outcomes` (run_id, outcome, value) and `series` (run_id, outcome, date, value), beside `samples` (the design) and
`manifest.json`. Records are written as they arrive in numbered parts (`parts/part-NNNNNN/`, each renamed into
place complete), and merged into the three tables at the end; `--resume` after a kill at any moment reads what is
there and runs only the missing runs, so none is lost and none runs twice.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.config.overrides import value_at
from sim.experiments.executor import RunRecord, RunSpec, execute, make_spec, replicate_seeds

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from sim.config import Scenario
    from sim.experiments.design import Design
    from sim.runner import RunResult

TABLES = ("runs", "outcomes", "series")
RUN_COLUMNS = ["run_id", "sample_id", "replicate", "seed", "status", "error", "wall_time_s"]
BASE_SAMPLE = -1  # sample id of the base scenario's runs
FLUSH_RECORDS, FLUSH_SECONDS = 64, 2.0  # a part at least every 2 s of finished runs: a kill loses little


class SweepError(Exception):
    """A sweep folder that cannot be used as asked: one line naming the folder and what to do."""


def reduce_for_sweep(outcomes: tuple[str, ...] | None, resolution: str,
                     result: RunResult) -> tuple[dict[str, float], pd.DataFrame | None]:
    """Worker side: the run's scalar outcomes (the headline ones unless the experiment names its own) and their
    series at `resolution`."""
    from sim.outputs.outcomes import run_outcomes, scalar_outcomes, series_outcomes

    scalars = run_outcomes(result.tables) if outcomes is None else scalar_outcomes(result.tables, outcomes)
    series = None if resolution == "none" else series_outcomes(result.tables, resolution, list(scalars))
    return scalars, series


def reducer(design: Design) -> Callable[[RunResult], tuple[dict[str, float], pd.DataFrame | None]]:
    """The experiment's reducer: picklable (a partial of a module-level function), so it travels to workers."""
    wanted = tuple(design.experiment.outcomes) if design.experiment.outcomes is not None else None
    return functools.partial(reduce_for_sweep, wanted, design.experiment.series_resolution)


def build_specs(design: Design) -> list[RunSpec]:
    """Every run of the sweep in run-id order: the base runs first (if included), then sample by sample; replicate
    i of every sample (and of the base) runs with the same seed."""
    exp = design.experiment
    seeds = replicate_seeds(exp.root_seed, exp.replicates)
    points = ([(BASE_SAMPLE, design.base)] if exp.include_base else []) + list(enumerate(design.scenarios))
    return [make_spec(i * len(seeds) + replicate, exp.name, sample_id, replicate,
                      with_draw(scenario, design.draws, replicate, [p.path for p in exp.parameters]), seed)
            for i, (sample_id, scenario) in enumerate(points) for replicate, seed in enumerate(seeds)]


def with_draw(scenario: Scenario, draws: Sequence[dict[str, Any]], replicate: int, swept: Sequence[str]
              ) -> Scenario:
    """The scenario with replicate's posterior draw applied, except the settings the sweep varies (its own)."""
    if not draws:
        return scenario
    from sim.config.overrides import apply_overrides

    return apply_overrides(scenario, {k: v for k, v in draws[replicate].items() if k not in swept},
                           f"posterior draw {replicate}")


def parameter_values(design: Design, sample_id: int) -> dict[str, Any]:
    """A sample's parameter values by column; for the base runs, the base scenario's own values."""
    if sample_id != BASE_SAMPLE:
        return design.samples[sample_id]
    base = design.base.model_dump(mode="json")
    return {p.column: value_at(base, p.path) for p in design.experiment.parameters}


def rerun_spec(manifest: dict[str, Any], row: dict[str, Any]) -> RunSpec:
    """One run of a sweep rebuilt from the manifest and its row of the runs table: re-running it alone gives the
    same outcomes (the base scenario as resolved, the row's parameter values and seed)."""
    from sim.config import Scenario
    from sim.config.overrides import apply_overrides

    base = Scenario.model_validate_json(json.dumps(manifest["base_scenario"]))
    sample_id = int(row["sample_id"])
    settings = {} if sample_id == BASE_SAMPLE else {
        p["path"]: row[p["name"]].item() if hasattr(row[p["name"]], "item") else row[p["name"]]
        for p in manifest["parameters"]}
    scenario = with_draw(apply_overrides(base, settings, origin="runs table"), manifest.get("posterior_draws") or (),
                         int(row["replicate"]), [p["path"] for p in manifest["parameters"]])
    return make_spec(int(row["run_id"]), manifest["experiment"]["name"], sample_id, int(row["replicate"]), scenario,
                     int(row["seed"]))


def samples_table(design: Design) -> pd.DataFrame:
    """The design: one row per sample id with its parameter values."""
    table = pd.DataFrame(design.samples, columns=[p.column for p in design.experiment.parameters])
    table.insert(0, "sample_id", range(len(table)))
    return table.astype({"sample_id": "int64"})


def _write_parquet(table: pd.DataFrame, path: Path) -> None:
    """Write a table under a temporary name beside `path`, then rename it into place."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    table.to_parquet(tmp, index=False)
    os.replace(tmp, path)


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write JSON atomically (temporary file, then rename)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
    os.replace(tmp, path)


class SweepFolder:
    """A sweep's folder: the parts written so far, the merged tables, and what is already done."""

    def __init__(self, folder: Path, design: Design) -> None:
        self.folder, self.design = Path(folder), design
        self.parts = self.folder / "parts"
        self._buffer: list[RunRecord] = []
        self._last_flush = time.monotonic()

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold an exclusive lock on the folder, so that two sweeps never write into it at once."""
        with open(self.folder / ".lock", "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SweepError(f"{self.folder}: another routesim sweep is writing into this folder") from None
            yield

    def start(self, manifest: dict[str, Any]) -> None:
        """Lay out a new sweep: the manifest (status running), the design table and an empty parts folder."""
        self.parts.mkdir(parents=True, exist_ok=True)
        _write_parquet(samples_table(self.design), self.folder / "samples.parquet")
        self.write_manifest(manifest)

    def manifest(self) -> dict[str, Any]:
        return json.loads((self.folder / "manifest.json").read_text())

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """The manifest, with the routesim marker listing every file now in the folder (so that a later
        --overwrite knows the folder holds nothing but the sweep), written atomically."""
        from sim.outputs.folders import MARKER, output_marker

        write_json({**manifest, MARKER: output_marker(self.folder, "sweep")}, self.folder / "manifest.json")

    def _part_dirs(self) -> list[Path]:
        return sorted(p for p in self.parts.glob("part-*") if p.is_dir()) if self.parts.is_dir() else []

    def clean_leftovers(self) -> None:
        """Remove half-written parts and tables of a killed sweep (hidden temporary names this module made)."""
        for tmp in [*self.parts.glob(".tmp-*"), *self.folder.glob(".*.tmp-*")]:
            shutil.rmtree(tmp) if tmp.is_dir() else tmp.unlink()
        self.parts.mkdir(exist_ok=True)

    def read(self, name: str) -> pd.DataFrame | None:
        """A table as merged so far plus every complete part; a run found in two places (a kill between merging
        and dropping the parts) is taken from the first."""
        merged = self.folder / f"{name}.parquet"
        sources = ([merged] if merged.exists() else []) + [p / f"{name}.parquet" for p in self._part_dirs()]
        pieces, seen = [], set()
        for source in sources:
            piece = pd.read_parquet(source)
            pieces.append(piece[~piece["run_id"].isin(seen)])
            seen.update(piece["run_id"])
        pieces = [p for p in pieces if not p.empty]
        if not pieces:
            return None
        return pd.concat(pieces, ignore_index=True).sort_values("run_id", kind="stable").reset_index(drop=True)

    def done_ids(self) -> set[int]:
        runs = self.read("runs")
        return set() if runs is None else set(runs["run_id"].astype(int))

    def add(self, record: RunRecord) -> None:
        """Keep a finished run; write a part when enough have gathered or enough time has passed."""
        self._buffer.append(record)
        if len(self._buffer) >= FLUSH_RECORDS or time.monotonic() - self._last_flush > FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write the buffered runs as one complete part (a temporary folder renamed into place)."""
        self._last_flush = time.monotonic()
        if not self._buffer:
            return
        records, self._buffer = self._buffer, []
        number = max((int(p.name.split("-")[1]) for p in self._part_dirs()), default=-1) + 1
        tmp = self.parts / f".tmp-{number:06d}-{os.getpid()}"
        tmp.mkdir()
        for name, table in self._tables(records).items():
            table.to_parquet(tmp / f"{name}.parquet", index=False)
        os.rename(tmp, self.parts / f"part-{number:06d}")
        self.write_manifest(self.manifest())

    def _tables(self, records: list[RunRecord]) -> dict[str, pd.DataFrame]:
        runs = pd.DataFrame([{"run_id": r.run_id, "sample_id": r.sample_id, "replicate": r.replicate, "seed": r.seed,
                              "status": r.status, "error": r.error, "wall_time_s": r.wall_time_s,
                              **parameter_values(self.design, r.sample_id)} for r in records],
                            columns=[*RUN_COLUMNS, *(p.column for p in self.design.experiment.parameters)])
        runs = runs.astype({"run_id": "int64", "sample_id": "int64", "replicate": "int64", "seed": "int64",
                            "status": "str", "error": "object", "wall_time_s": "float64"})
        outcomes = pd.DataFrame([(r.run_id, name, float(value)) for r in records for name, value in r.outcomes.items()],
                                columns=["run_id", "outcome", "value"]).astype({"run_id": "int64"})
        series_parts = [r.series.assign(run_id=r.run_id) for r in records if r.series is not None and len(r.series)]
        if series_parts:
            series = pd.concat(series_parts, ignore_index=True)
            series = series[["run_id", *[c for c in series.columns if c != "run_id"]]]
        else:
            series = pd.DataFrame({"run_id": pd.Series(dtype="int64"), "outcome": pd.Series(dtype="str"),
                                   "date": pd.Series(dtype="datetime64[ms]"), "value": pd.Series(dtype="float64")})
        return {"runs": runs, "outcomes": outcomes, "series": series}

    def merge(self) -> dict[str, pd.DataFrame]:
        """Merge the parts into runs/outcomes/series (each written atomically), then drop the parts."""
        merged = {}
        for name in TABLES:
            table = self.read(name)
            if table is None:
                table = self._tables([])[name]
            _write_parquet(table, self.folder / f"{name}.parquet")
            merged[name] = table
        for part in self._part_dirs():
            shutil.rmtree(part)
        if self.parts.is_dir() and not any(self.parts.iterdir()):
            self.parts.rmdir()  # a finished sweep holds only what its manifest lists, so it can be replaced
        self.write_manifest(self.manifest())
        return merged


@dataclass
class SweepSummary:
    folder: Path
    n_runs: int
    n_ran: int          # runs done by this invocation
    n_failed: int       # failed runs in the whole sweep
    wall_time_s: float
    first_errors: list[str]


def sweep_manifest(design: Design, specs: list[RunSpec], workers: str) -> dict[str, Any]:
    """Provenance of a sweep: the experiment resolved, the design, seeds, versions."""
    from sim.calibration.use import NOISE, NOISE_AND_PARAMETERS
    from sim.outputs.run_folder import git_revision, versions

    exp = design.experiment
    return {
        "status": "running",
        "experiment_file": str(design.path),
        "experiment": exp.model_dump(mode="json"),
        "experiment_hash": design.experiment_hash,
        "base_scenario": design.base.model_dump(mode="json"),
        "sampler": exp.sampler.model_dump(mode="json"),
        "parameters": [{"path": p.path, "name": p.column, "low": p.low, "high": p.high, "values": p.values,
                        "step": p.step, "distribution": p.distribution, "mean": p.mean, "sd": p.sd}
                       for p in exp.parameters],
        "problem": exp.problem(),
        "replicates": exp.replicates,
        "root_seed": exp.root_seed,
        "replicate_seeds": replicate_seeds(exp.root_seed, exp.replicates),
        "common_random_numbers": "replicate i of every sample (and of the base) runs with replicate_seeds[i]",
        "include_base": exp.include_base,
        "posterior_draws": list(design.draws),
        "calibration": design.calibration or {"status": "uncalibrated", "overlay": None, "posterior": None},
        "interval": {"kind": NOISE_AND_PARAMETERS if design.draws else NOISE, "replicates": exp.replicates},
        "outcomes": exp.outcomes,
        "series_resolution": exp.series_resolution,
        "n_samples": len(design.samples),
        "n_runs": len(specs),
        "workers": workers,
        "versions": versions(),
        "git_revision": git_revision(),
    }


def prepare(folder: Path, design: Design, resume: bool) -> SweepFolder:
    """Check a folder can take this sweep before anything runs: new, or (with resume) the same experiment."""
    sweep = SweepFolder(folder, design)
    if not resume:
        return sweep
    if not (folder / "manifest.json").is_file():
        raise SweepError(f"{folder}: nothing to resume (no routesim sweep here); run without --resume")
    manifest = sweep.manifest()
    if manifest.get("routesim_output", {}).get("kind") != "sweep":
        raise SweepError(f"{folder}: not a routesim sweep folder; cannot resume it")
    if manifest.get("experiment_hash") != design.experiment_hash:
        raise SweepError(f"{folder}: the experiment changed since this sweep began (hash "
                         f"{manifest.get('experiment_hash')} then, {design.experiment_hash} now); run it into a new "
                         "--out folder")
    return sweep


def set_aside(folder: Path) -> Path | None:
    """Move a previous sweep (checked by `claim_output` to be routesim's and nothing else) out of the way under a
    name no later run removes; the caller deletes it once the new sweep is complete."""
    from sim.outputs.folders import KEPT_PREFIX, safe_name

    if not folder.exists() or not any(folder.iterdir()):
        return None
    kept = folder.with_name(f"{KEPT_PREFIX}previous-{safe_name(folder.name, 40)}-{os.urandom(4).hex()}")
    os.rename(folder, kept)
    return kept


def run_sweep(design: Design, sweep: SweepFolder, resume: bool, workers: int = 0,
              executor: Executor | None = None, workers_label: str = "",
              progress: Callable[[int, int], None] | None = None) -> SweepSummary:
    """Run what is missing of the sweep into its folder and merge the tables; failed runs are recorded, not fatal.

    A new sweep into a folder that holds a previous one (allowed by `claim_output` with --overwrite) keeps the
    previous one aside until the new one is complete, then removes it."""
    started = time.perf_counter()
    specs = build_specs(design)
    folder = sweep.folder
    previous = None if resume else set_aside(folder)
    if not resume:
        folder.mkdir(parents=True, exist_ok=True)
    with sweep.locked():
        if resume:
            sweep.clean_leftovers()
        else:
            sweep.start(sweep_manifest(design, specs, workers_label))
        done = sweep.done_ids()
        todo = [s for s in specs if s.run_id not in done]
        if progress is not None:
            progress(len(done), len(specs))
        counted = len(done)

        def sink(record: RunRecord) -> None:
            nonlocal counted
            sweep.add(record)
            counted += 1
            if progress is not None:
                progress(counted, len(specs))

        try:
            execute(todo, reducer(design), sink, workers=workers, executor=executor)
        finally:
            sweep.flush()
        tables = sweep.merge()
        runs = tables["runs"]
        failed = runs[runs["status"] != "ok"]
        wall = round(time.perf_counter() - started, 3)
        manifest = sweep.manifest()
        manifest.update(status="complete", n_ok=int((runs["status"] == "ok").sum()), n_failed=len(failed),
                        last_wall_time_s=wall)
        sweep.write_manifest(manifest)
    if previous is not None:
        shutil.rmtree(previous)
    errors = [f"run {r.run_id} (sample {r.sample_id}, replicate {r.replicate}): {r.error}"
              for r in failed.head(3).itertuples()]
    return SweepSummary(folder, len(specs), len(todo), len(failed), wall, errors)

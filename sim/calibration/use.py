"""The calibration as the other commands use it: the fitted overlay committed in the package (posterior medians),
the posterior sample replicates draw their parameters from, and what each output says about both.

- `validate`, `run`, `compare` and `sweep` apply sim/data/calibrated/overlay.toml by default (`--uncalibrated`:
  the scenario's own values); `validate` on the history also applies history_inflow.toml (the fitted inflow
  knots, an input of the history only).
- `compare` and `sweep` draw replicate i's parameters from the committed posterior by default (`--posterior
  FILE` another one, `--noise-only` none), so their intervals hold run-to-run noise and parameter uncertainty;
  `run` (one run) takes a draw only when `--posterior` is given. A draw is chosen by the base seed and the
  replicate index alone, so replicate i of every scenario uses the same draw and the same seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.calibration.outputs import HISTORY_INFLOW, OVERLAY, POSTERIOR, WEIGHT
from sim.calibration.parameters import BY_ID, parameter_settings
from sim.config import Scenario
from sim.config.loader import ConfigError

CALIBRATED = Path(__file__).resolve().parents[1] / "data" / "calibrated"
POSTERIOR_STREAM = 0x9057  # the SeedSequence key of posterior draws, apart from every simulation stream
NOISE = "run-to-run noise"
NOISE_AND_PARAMETERS = "run-to-run noise and parameter uncertainty"


def interval_kind(manifest: dict[str, Any]) -> str:
    """What the spread of a result folder's replicates covers, in words (folders written before the manifest said
    so drew no parameters: run-to-run noise)."""
    return (manifest.get("interval") or {}).get("kind", NOISE)


def packaged(name: str) -> Path | None:
    path = CALIBRATED / name
    return path if path.is_file() else None


def read_posterior(path: Path) -> pd.DataFrame:
    """A posterior sample (calibrate's posterior.parquet): one column per free parameter and `weight`;
    ConfigError naming the file if it is not one."""
    try:
        sample = pd.read_parquet(path)
    except (OSError, ValueError) as err:
        raise ConfigError(path, "", f"not a posterior sample (parquet written by routesim calibrate): {err}"
                          ) from None
    unknown = [c for c in sample.columns if c != WEIGHT and c not in BY_ID]
    if WEIGHT not in sample.columns or unknown or sample.empty:
        raise ConfigError(path, "", "not a posterior sample: expected a weight column and free parameters of "
                          f"sim/calibration/parameters.py (unknown: {', '.join(unknown) or 'none'})")
    if not np.isfinite(sample[WEIGHT]).all() or (sample[WEIGHT] < 0).any() or sample[WEIGHT].sum() <= 0:
        raise ConfigError(path, "weight", "weights must be finite, >= 0 and not all 0")
    return sample


@dataclass(frozen=True)
class Calibration:
    """What a command applies: the overlay (every run) and the posterior its replicates draw from."""

    overlay: Path | None
    posterior: Path | None

    def settings(self) -> dict[str, Any]:
        """The overlay as `--set` paths (every scenario's parameters; no inflow)."""
        from sim.validation.run import overlay_settings

        return overlay_settings(self.overlay) if self.overlay is not None else {}

    def draws(self, scenario: Scenario, base_seed: int, replicates: int) -> list[dict[str, Any]] | None:
        """Replicate i's parameter settings, drawn (with the posterior's weights) by base_seed and i alone."""
        if self.posterior is None:
            return None
        sample = read_posterior(self.posterior)
        rng = np.random.default_rng(np.random.SeedSequence([base_seed, POSTERIOR_STREAM]))
        weights = sample[WEIGHT].to_numpy(float)
        rows = rng.choice(len(sample), size=replicates, replace=True, p=weights / weights.sum())
        values = sample.drop(columns=WEIGHT)
        return [parameter_settings(values.iloc[r].to_dict(), scenario, history=False) for r in rows]

    @property
    def status(self) -> str:
        return "fitted" if self.overlay is not None or self.posterior is not None else "uncalibrated"

    def manifest(self) -> dict[str, str | None]:
        return {"status": self.status, "overlay": str(self.overlay) if self.overlay else None,
                "posterior": str(self.posterior) if self.posterior else None}

    def interval(self, replicates: int) -> dict[str, Any]:
        return {"kind": NOISE_AND_PARAMETERS if self.posterior is not None else NOISE, "replicates": replicates}

    def line(self) -> str:
        """The sentence a command prints to say which parameters it used."""
        if self.status == "uncalibrated":
            return "parameters: the scenario's own values (uncalibrated)"
        parts = [f"fitted overlay {self.overlay}" if self.overlay else "no overlay"]
        if self.posterior is not None:
            parts.append(f"each replicate's parameters drawn from the posterior {self.posterior}")
        return "parameters: " + "; ".join(parts)


def choose(uncalibrated: bool, posterior: Path | None = None, draws: bool = False) -> Calibration:
    """The calibration a command uses: none with `uncalibrated`; else the packaged overlay, and a posterior to draw
    from when `posterior` is given or `draws` is on (the packaged one)."""
    if uncalibrated:
        if posterior is not None:
            raise ConfigError("--posterior", str(posterior), "cannot be used with --uncalibrated")
        return Calibration(None, None)
    if posterior is not None:
        read_posterior(posterior)
    return Calibration(packaged(OVERLAY), posterior if posterior is not None else
                       (packaged(POSTERIOR) if draws else None))


def history_inflow() -> Path | None:
    return packaged(HISTORY_INFLOW)

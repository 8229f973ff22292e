"""The acceptance tables of the model-realism issue (issue 11), measured side by side in one run.

1. The baseline per corridor over R replicates: crossings, detections as Frontex counts them, deaths (realised
   and expected), people per boat (medians), and the coefficient of variation of each corridor's yearly deaths.
2. Each alternative against the baseline with common seeds: paired mean differences with 90% bootstrap CIs for
   crossings, detections and deaths (realised and expected) per corridor.

    python scripts/realism_tables.py [--replicates 20] [--scale 10] [--days 365] [--workers 0]
           [--alt scenarios/summit_package.toml --alt scenarios/serbia_hungary_closure.toml] [--baseline-only]
"""

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config import load_scenario
from sim.experiments.compare import differences, runs_table
from sim.experiments.executor import execute, replicate_seeds, replicate_specs
from sim.network import CROSSING_CORRIDORS
from sim.outputs.outcomes import OUTCOMES, scalar_outcomes

ROOT = Path(__file__).resolve().parents[1]
DETECTION_METRICS = ("detections", "sea_detections", "land_detections")


def detection_outcomes() -> dict[str, str]:
    """corridor -> the outcome that stands for its published detections: one recorded source, or the sum of a
    corridor's sources (`recorded.a+b`), found through the outcome registry's `observed` mapping."""
    found: dict[str, list[str]] = {}
    for o in OUTCOMES:
        if o.kind == "scalar" and o.measure == "recorded" and o.observed and o.observed[1] in DETECTION_METRICS:
            found.setdefault(o.observed[0], []).append(o.subject)
    return {corridor: "recorded." + "+".join(subjects) for corridor, subjects in found.items()}


def reduce_all(result) -> tuple[dict[str, float], None]:
    """Every scalar outcome, breakdowns included, plus detections summed per corridor."""
    names = [o.name for o in OUTCOMES if o.kind == "scalar"]
    return scalar_outcomes(result.tables, [*names, *(n for n in detection_outcomes().values() if n not in names)]), None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=20)
    parser.add_argument("--scale", type=float, default=10.0)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--alt", action="append", type=Path)
    parser.add_argument("--baseline-only", action="store_true", help="the per-corridor table only")
    args = parser.parse_args()
    alts = args.alt or [ROOT / "scenarios/summit_package.toml", ROOT / "scenarios/serbia_hungary_closure.toml"]
    alts = [] if args.baseline_only else alts
    paths = [ROOT / "scenarios/baseline.toml", *alts]
    scenarios = {p.stem: load_scenario(p).model_copy(update={"scale": args.scale, "days": args.days}) for p in paths}
    records = []
    execute(replicate_specs(scenarios, replicate_seeds(args.seed, args.replicates)), reduce_all, records.append,
            workers=args.workers)
    runs = runs_table(sorted(records, key=lambda r: r.run_id))
    base = runs[runs["scenario"] == "baseline"].pivot(index="replicate", columns="outcome", values="value")
    print(f"# Baseline per corridor: medians over {args.replicates} replicates (scale {args.scale:g}, "
          f"{args.days} days); deaths CV = sd/mean of the corridor's deaths across replicates")
    rows = []
    detections = detection_outcomes()
    for c in CROSSING_CORRIDORS:
        col = base.get
        deaths = col(f"deaths.{c}", pd.Series(np.nan))
        rows.append({
            "corridor": c,
            "crossings": col(f"crossings.{c}", pd.Series(np.nan)).median(),
            "detections_frontex": col(detections.get(c, ""), pd.Series(np.nan)).median(),
            "deaths": deaths.median(),
            "expected_deaths": col(f"expected_deaths.{c}", pd.Series(np.nan)).median(),
            "deaths_cv": deaths.std() / deaths.mean() if deaths.mean() > 0 else np.nan,
            "people_per_boat": col(f"people_per_boat.{c}", pd.Series(np.nan)).median(),
        })
    print(pd.DataFrame(rows).round(2).to_string(index=False))
    wanted = [f"{m}.{c}" for c in CROSSING_CORRIDORS for m in ("crossings", "deaths", "expected_deaths")]
    wanted += list(detections.values())
    wanted += ["deaths.total", "expected_deaths.total"]
    diffs = differences(runs, "baseline")
    for alt in (p.stem for p in alts):
        table = diffs[(diffs["scenario"] == alt) & diffs["outcome"].isin(wanted)]
        print(f"\n# {alt} minus baseline: paired mean difference over {args.replicates} replicates, 90% bootstrap "
              "CI of the mean (run-to-run noise only; parameters fixed)")
        print(table[["outcome", "base_mean", "alt_mean", "mean", "ci_low", "ci_high", "ci_excludes_zero"]]
              .round(1).to_string(index=False))


if __name__ == "__main__":
    main()

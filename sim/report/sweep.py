"""The report of a sweep: what was swept, the outcomes per design point (replicate means with 90% t intervals),
the sensitivity indices and responses (SALib, through sim.experiments.analysis), the scenario-discovery boxes when
`routesim analyse --where` has been run into the sweep's analysis/ folder, and the base scenario's assumptions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.calibration.use import interval_kind
from sim.config import Scenario
from sim.experiments import analysis as an
from sim.outputs import sweep_charts as sc
from sim.report.page import Image, Section, Table, assumptions, calibration, facts, interval

MAX_CHARTED_OUTCOMES = 4  # sensitivity and response charts for the first outcomes; every number is in the CSVs


def _what_was_swept(manifest: dict[str, Any], sweep: an.Sweep) -> Section:
    exp = manifest["experiment"]
    parameters = "; ".join(
        f"{p['name']} ({p['path']}): " + (", ".join(f"{v:g}" for v in p["values"]) if p.get("values")
                                          else f"{p['low']:g} to {p['high']:g}") for p in manifest["parameters"])
    ok = int((sweep.runs["status"] == "ok").sum())
    rows = {"experiment": f"{exp['name']} ({manifest.get('experiment_file', '–')})",
            "description": exp.get("description") or "–", "design": manifest["sampler"]["kind"],
            "parameters": parameters, "design points": manifest.get("n_samples"),
            "replicates per point": f"{manifest['replicates']} (common seeds across points)",
            "base scenario run too": "yes" if manifest.get("include_base") else "no",
            "runs": f"{ok} ok of {len(sweep.runs)} ({manifest.get('status', 'complete')})",
            "root seed": str(manifest.get("root_seed")), "calibration": calibration(manifest)["status"],
            "interval shown": interval(manifest, int(manifest["replicates"])),
            "git revision": manifest.get("git_revision", "–"),
            "versions": ", ".join(f"{k} {v}" for k, v in manifest.get("versions", {}).items())}
    return Section("What was swept", tables=[facts(rows, "what_was_swept", "The sweep")])


def _discovery(folder: Path) -> Section:
    """PRIM boxes from the analysis folder inside the sweep, or how to make them."""
    analysis = folder / "analysis"
    prim = analysis / "prim.csv"
    if not prim.is_file():
        return Section("Scenario discovery", paragraphs=[
            "No scenario discovery has been run for this sweep. `routesim analyse DIR --where \"OUTCOME > VALUE\"` "
            "finds (PRIM) the ranges of the settings where a condition holds; `routesim report DIR` then shows "
            "them here."])
    chart = analysis / "charts" / "prim-tradeoff.png"
    manifest = json.loads((analysis / "manifest.json").read_text())
    return Section("Scenario discovery", paragraphs=[f"PRIM boxes where {manifest.get('where')} (from analysis/)."],
                   tables=[Table("prim", "PRIM peeling trajectory: coverage and density of each box",
                                 pd.read_csv(prim))],
                   images=[Image.from_png(chart, "PRIM trade-off")] if chart.is_file() else [])


def sweep_sections(folder: Path, manifest: dict[str, Any]) -> tuple[str, list[Section]]:
    """(subtitle, sections) of a sweep's report."""
    sweep = an.load_sweep(folder)
    outcomes = an.check_outcomes(sweep, None)
    summary = an.summarise_samples(sweep, outcomes)
    indices, notes = an.sensitivity(sweep, outcomes)
    sections = [_what_was_swept(manifest, sweep),
                Section("Outcomes per design point", paragraphs=[
                    "Mean over the replicates of each design point (sample -1: the base scenario), with the 90% "
                    f"t interval of the mean ({interval_kind(manifest)}; none from fewer than 3 replicates)."],
                    tables=[Table("samples_summary", "Per design point and outcome", summary)],
                    details=len(summary) > 60)]
    images = []
    charted = outcomes[:MAX_CHARTED_OUTCOMES]
    for outcome in charted:
        if not indices.empty and outcome in set(indices["outcome"]):
            images.append(Image.of(sc.sensitivity_chart(indices, outcome), f"Sensitivity of {outcome}"))
        responses = [an.response_table(sweep, outcome, p) for p in an.most_influential(sweep, indices, outcome)]
        images.append(Image.of(sc.response_chart(summary, responses, outcome, interval_kind(manifest)),
                               f"Response of {outcome}"))
    paragraphs = notes + ([f"Charts for the first {MAX_CHARTED_OUTCOMES} outcomes; every index is in "
                           "tables/sensitivity.csv."] if len(outcomes) > MAX_CHARTED_OUTCOMES else [])
    tables = [Table("sensitivity", "Sensitivity indices (90% bootstrap confidence half-widths)", indices)] \
        if not indices.empty else []
    sections.append(Section("Sensitivity", paragraphs=paragraphs, tables=tables, images=images))
    sections.append(_discovery(folder))
    base = Scenario.model_validate_json(json.dumps(manifest["base_scenario"]))
    sections.append(Section("Assumptions and sources", tables=[assumptions(base)], details=True))
    subtitle = (f"Sweep {manifest['experiment']['name']}: {manifest.get('n_samples')} design points x "
                f"{manifest['replicates']} replicates ({manifest['sampler']['kind']}) on {base.name}")
    return subtitle, sections

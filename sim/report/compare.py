"""The report of a comparison: what was compared, the differences with labelled intervals, where the people went,
cost-effectiveness (with the measures that state no cost, so the figure is a bound), the change map and the fan
charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.calibration.use import interval_kind
from sim.config import Scenario
from sim.network.loader import DATA_DIR
from sim.outputs.charts import UNCALIBRATED
from sim.outputs.compare_charts import displacement_words, draw_all, intervention_starts
from sim.outputs.outcomes import label_of
from sim.report.map import change_map
from sim.report.page import Image, Section, Table, assumptions, calibration, facts, interval, money_note
from sim.report.tables import MIN_BAND_REPLICATES, MIN_INTERVAL_REPLICATES, interval_text

TABLE_FILES = ("runs", "differences", "displacement", "cost_effectiveness", "series", "legs")


def _tables(folder: Path, comparison: Any) -> dict[str, pd.DataFrame]:
    if comparison is not None:
        return comparison.tables()
    return {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLE_FILES
            if (folder / f"{name}.parquet").is_file()}


def _scenario(manifest: dict[str, Any], label: str) -> Scenario:
    return Scenario.model_validate_json(json.dumps(manifest["scenarios"][label]))


def _differences(diffs: pd.DataFrame, alt: str, n: int) -> Table:
    rows = diffs[diffs["scenario"] == alt]
    sure = n >= MIN_INTERVAL_REPLICATES
    frame = pd.DataFrame({
        "outcome": rows["label"], "unit": rows["unit"], "base mean": rows["base_mean"],
        f"{alt} mean": rows["alt_mean"], "difference (mean of paired differences)": rows["mean"],
        "90% CI of the mean (bootstrap)": [interval_text(lo, hi, n) for lo, hi in zip(rows["ci_low"],
                                                                                     rows["ci_high"], strict=True)],
        "5-95% of the replicates' differences": [interval_text(lo, hi, n) for lo, hi in zip(
            rows["p05"], rows["p95"], strict=True)],
        "CI excludes 0": [bool(v) if sure else "–" for v in rows["ci_excludes_zero"]]})
    note = ("The interval is run-to-run noise (common random numbers), not parameter uncertainty." if sure else
            f"No interval from fewer than {MIN_INTERVAL_REPLICATES} replicates: rerun with --replicates 10.")
    return Table(f"differences_{alt}", f"{alt} minus the base, over {n} replicates", frame, note)


def _displacement(disp: pd.DataFrame, n: int) -> Table:
    frame = pd.DataFrame({
        "scenario": disp["scenario"], "kind": disp["group"],
        "corridor, destination or fate": [displacement_words(o) for o in disp["outcome"]],
        "change (people)": disp["mean"],
        "90% CI": [interval_text(lo, hi, n) for lo, hi in zip(disp["ci_low"], disp["ci_high"], strict=True)]})
    return Table("displacement", "Where did the people go? Change against the base", frame)


def _cost_effectiveness(ce: pd.DataFrame, manifest: dict[str, Any], rate: float) -> tuple[list[str], list[Table]]:
    uncosted = {alt: names for alt, names in (manifest.get("uncosted") or {}).items() if names}
    paragraphs = ["Cost per crossing prevented and per death averted on the interventions' target corridors "
                  "(displacement elsewhere not counted), and per arrival prevented anywhere. " + money_note(rate)]
    for alt, names in uncosted.items():
        paragraphs.append(f"{alt}: no cost is stated for {', '.join(names)}. They are left out of its cost, so "
                          "every cost per unit shown for it is a lower bound (the true cost per unit is higher).")
    if ce.empty:
        paragraphs.append("No alternative adds an intervention with a cost (cost_gbp or cost_eur): no figure.")
        return paragraphs, []
    frame = pd.DataFrame({"scenario": ce["scenario"], "costed interventions": ce["interventions"],
                          "cost (EUR)": ce["cost_eur"], "cost (GBP)": ce["cost_gbp"], "per": ce["per"],
                          "cost per unit": ce["text"],
                          "bound": ["lower bound: " + ", ".join(uncosted[s]) + " not costed" if s in uncosted
                                    else "costed in full" for s in ce["scenario"]]})
    return paragraphs, [Table("cost_effectiveness", "Cost-effectiveness", frame)]


def _legs_change(legs: pd.DataFrame, base: str, alt: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean people per leg over the replicates, for the base and the alternative, with the legs' ends and corridor."""
    network = pd.read_csv(DATA_DIR / "legs.csv")[["from", "to", "corridor"]]
    network["leg"] = network["from"] + "->" + network["to"]
    network = network.rename(columns={"from": "from_hub", "to": "to_hub"})

    def mean(label: str) -> pd.DataFrame:
        people = legs[legs["scenario"] == label].groupby("leg")["people"].mean().rename("people")
        return network.merge(people, left_on="leg", right_index=True)[["from_hub", "to_hub", "corridor", "people"]]

    return mean(base), mean(alt)


def compare_sections(folder: Path, manifest: dict[str, Any], comparison: Any = None) -> tuple[str, list[Section]]:
    """(subtitle, sections) of a comparison's report."""
    tables = _tables(folder, comparison)
    base, alts = manifest["baseline"], list(manifest["alternatives"])
    n = int(manifest["replicates"])
    base_scenario = _scenario(manifest, base)
    cal = calibration(manifest)
    caveat = UNCALIBRATED if cal["status"] == "uncalibrated" else ""
    files = manifest.get("scenario_files", {})
    rows = {"base": f"{base} ({files.get(base, '–')})",
            "alternatives": "; ".join(f"{a} ({files.get(a, '–')})" for a in alts),
            "recorded days": f"{base_scenario.start_date} + {base_scenario.days} days (spin-up "
                             f"{base_scenario.spin_up_days})", "scale": base_scenario.scale,
            "replicates": f"{n} (replicate i of every scenario runs with the same seed: common random numbers)",
            "base seed": str(manifest.get("base_seed")), "calibration": cal["status"],
            "interval shown": interval(manifest, n), "git revision": manifest.get("git_revision", "–"),
            "versions": ", ".join(f"{k} {v}" for k, v in manifest.get("versions", {}).items()),
            "wall time (s)": manifest.get("wall_time_s")}
    sections = [Section("What was compared", tables=[facts(rows, "what_was_compared", "The comparison")])]
    diffs = tables["differences"]
    sections.append(Section("Differences", tables=[_differences(diffs, alt, n) for alt in alts
                                                   if (diffs["scenario"] == alt).any()]))
    figures = draw_all(tables["series"], tables["displacement"], caveat, intervention_starts(manifest["scenarios"]),
                       interval_kind(manifest))
    sections.append(Section("Displacement", paragraphs=[
        "The change in crossings per corridor, arrivals per destination and fates: where the people an "
        "intervention stops went instead."], tables=[_displacement(tables["displacement"], n)],
        images=[Image.of(figures.pop("displacement"), "Where did the people go?")]))
    paragraphs, ce_tables = _cost_effectiveness(tables["cost_effectiveness"], manifest, base_scenario.gbp_to_eur)
    sections.append(Section("Cost-effectiveness", paragraphs=paragraphs, tables=ce_tables))
    legs = tables.get("legs")
    if legs is not None and not legs.empty:
        images = []
        for alt in alts:
            before, after = _legs_change(legs, base, alt)
            title = f"Change in people per leg, {alt} against {base} (mean of {n} replicates)"
            images.append(Image.of(change_map(before, after, title), title))
        sections.append(Section("Route-flow change map", paragraphs=[
            "Legs that gained people solid, legs that lost dashed; width proportional to the size of the change, "
            "colour by corridor."], images=images))
    band = ("middle 50% and 90% of the replicates shaded" if n >= MIN_BAND_REPLICATES else
            f"no band: fewer than {MIN_BAND_REPLICATES} replicates")
    sections.append(Section("Over time", paragraphs=[f"Weekly medians over the replicates ({band}); open markers: "
                                                     "part weeks at either end (fewer days)."],
                            images=[Image.of(figures[f"fan_{o.replace('.', '_')}"], f"{label_of(o)}, per week")
                                    for o in dict.fromkeys(tables["series"]["outcome"])]))
    changed = [Table(f"settings_{alt}", f"Settings of {alt} that differ from {base}", _changed(base_scenario,
                                                                                             _scenario(manifest, alt)))
               for alt in alts]
    sections.append(Section("Assumptions and sources", tables=[*changed, assumptions(base_scenario, "parameters")],
                            details=True))
    subtitle = f"{' and '.join(alts)} against {base}, {n} replicates each"
    return subtitle, sections


def _changed(base: Scenario, alt: Scenario) -> pd.DataFrame:
    """The resolved settings whose value differs between the two scenarios."""
    from sim.config.reference import values

    before = {v.key: v.value for v in values(base, {})}
    rows = [(v.key, before.get(v.key, "(not set)"), v.value, v.source) for v in values(alt, {})
            if before.get(v.key) != v.value and v.key not in ("name", "description")]
    return pd.DataFrame(rows, columns=["setting", "base", "alternative", "source or assumption"])

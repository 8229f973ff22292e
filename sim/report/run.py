"""The report of one run: what was run, the headline tables, the route-flow map, the charts, the model beside
published figures, and the assumptions behind the settings."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.config import Scenario
from sim.outputs.charts import CHARTS, ChartContext, draw_all, has_data
from sim.outputs.folders import MANIFEST
from sim.outputs.published import beside_published
from sim.report import tables as rt
from sim.report.map import leg_flows, route_map
from sim.report.page import Image, Section, Table, assumptions, calibration, facts, interval, money_note

CHART_CAPTIONS = {
    "arrivals_by_corridor": "Crossings completed on each crossing corridor",
    "deaths_by_corridor": "Deaths (realised) by corridor",
    "people_per_boat": "Boats launched and people per boat",
    "price": "Price of a place: smugglers' revenue over the places paid for",
    "give_ups": "People who gave up the journey",
    "arrivals_by_destination": "Arrivals by destination",
    "channel": "English Channel: small boats (and lorries where there were any)",
    "market": "The smuggling market: groups, members, boats, revenue",
    "enforcement": "Enforcement: operations, arrests, charges, convictions, seizures, queue",
}


def scenario_of(manifest: dict[str, Any]) -> Scenario:
    return Scenario.model_validate_json(json.dumps(manifest["scenario"]))


def chart_context(scenario: Scenario, manifest: dict[str, Any], weekly: bool = False) -> ChartContext:
    """Monthly sums when the run holds three whole months or more, else (or asked) weekly: a month or two is no
    line."""
    period = "month" if scenario.days >= 92 and not weekly else "week"
    starts = tuple((name, item.start) for name, item in scenario.interventions.items())
    return ChartContext(scenario=scenario.name, period=period, starts=starts,
                        calibrated=calibration(manifest)["status"] != "uncalibrated")


def _what_was_run(scenario: Scenario, manifest: dict[str, Any]) -> Section:
    last = scenario.start_date + dt.timedelta(days=scenario.days - 1)
    interventions = "; ".join(f"{n} ({i.kind}) from {i.start}" + (f" to {i.end}" if i.end else "")
                              for n, i in scenario.interventions.items()) or "none"
    cal = calibration(manifest)
    rows = {"scenario": scenario.name, "description": scenario.description or "–",
            "recorded days": f"{scenario.start_date} to {last} ({scenario.days} days, after "
                             f"{scenario.spin_up_days} days of spin-up)",
            "seed": str(manifest.get("seed")), "people per simulated migrant (scale)": manifest.get("scale"),
            "interventions": interventions, "calibration": cal["status"]
            + (f" (overlay {cal['overlay']})" if cal["overlay"] else ""),
            "interval shown": interval(manifest), "scenario hash": manifest.get("scenario_hash", "–"),
            "git revision": manifest.get("git_revision", "–"),
            "versions": ", ".join(f"{k} {v}" for k, v in manifest.get("versions", {}).items()),
            "wall time (s)": manifest.get("wall_time_s"), "people entered": manifest.get("people_entered")}
    return Section("What was run", tables=[facts(rows, "what_was_run", "The run")])


def _headline(tables: dict[str, pd.DataFrame], scenario: Scenario) -> Section:
    rate = scenario.gbp_to_eur
    periods = [rt.period_table(tables, p, rate) for p in ("month", "calendar year", "UK financial year")]
    return Section("Headline", paragraphs=[
        "Totals over the recorded days. Deaths realised are the deaths drawn in the run; deaths expected add up "
        "each traveller's chance of dying (the mean without the noise of the draws). " + money_note(rate),
        "A period the run covers only in part is marked 'part': its figures are for the days run, not scaled."],
        tables=[Table("by_corridor", "By corridor", rt.corridor_table(tables, rate)),
                Table("by_destination", "By destination", rt.destination_table(tables)),
                Table("by_month", "By month", periods[0]),
                Table("by_calendar_year", "By calendar year", periods[1]),
                Table("by_uk_financial_year", "By UK financial year (April to March)", periods[2])])


def _charts(folder: Path, tables: dict[str, pd.DataFrame], ctx: ChartContext) -> Section:
    """The run's charts: the PNGs already in charts/ when there (drawn once), else drawn here; a chart without
    any data is left out and named."""
    saved = {name: folder / "charts" / f"{name}.png" for name in CHARTS}
    images, empty = [], []
    figures = {} if all(p.is_file() for p in saved.values()) else draw_all(tables, ctx)
    for name in CHARTS:
        if name in figures:
            if has_data(figures[name]):
                images.append(Image.of(figures[name], CHART_CAPTIONS[name]))
            else:
                empty.append(CHART_CAPTIONS[name])
        elif saved[name].is_file():
            images.append(Image.from_png(saved[name], CHART_CAPTIONS[name]))
    notes = [f"Sums per {ctx.period}, whole {ctx.period}s only; dotted lines mark the interventions' starts."]
    if empty:
        notes.append("Not shown, no data in this run: " + "; ".join(empty) + ".")
    return Section("Charts", paragraphs=notes, images=images)


def _published(folder: Path, tables: dict[str, pd.DataFrame]) -> Section:
    """A validation folder's charts when the run holds one, else the model beside the package's published
    figures of the same years."""
    for manifest in sorted(folder.glob(f"*/{MANIFEST}")):
        marker = json.loads(manifest.read_text()).get("routesim_output", {})
        if marker.get("kind") == "validation":
            pngs = sorted((manifest.parent / "charts").glob("*.png"))
            return Section("The model against published figures", paragraphs=[
                f"From the validation in {manifest.parent.name}/."],
                images=[Image.from_png(p, p.stem.replace("_", " ")) for p in pngs])
    rows = beside_published(tables)
    frame = rows[["label", "unit", "year", "days", "model", "model_per_year", "published", "note"]].rename(
        columns={"label": "series", "days": "days in run", "model_per_year": "model per year"})
    return Section("The model against published figures", paragraphs=[
        "What each source would record in each year of the run, beside the figure it published for the same "
        "year (sim/data/observed_calibration.csv). For orientation only: this is not a calibration."],
        tables=[Table("beside_published", "Model beside published figures", frame)])


def run_sections(folder: Path, manifest: dict[str, Any], tables: dict[str, pd.DataFrame]) -> tuple[str, list[Section]]:
    """(subtitle, sections) of a run's report."""
    scenario = scenario_of(manifest)
    ctx = chart_context(scenario, manifest)
    flows = leg_flows(tables["monthly_leg"]) if "monthly_leg" in tables else None
    sections = [_what_was_run(scenario, manifest), _headline(tables, scenario)]
    if flows is not None:
        title = f"People on each leg, {scenario.start_date} + {scenario.days} days: {scenario.name}"
        sections.append(Section("Route-flow map", paragraphs=[
            "Hubs at their longitude and latitude; each leg drawn with a width proportional to the people who set "
            "off on it over the recorded days, coloured by corridor. Coastline: Natural Earth 1:110m (public "
            "domain)."], images=[Image.of(route_map(flows, title), title)]))
    sections += [_charts(folder, tables, ctx), _published(folder, tables),
                 Section("Assumptions and sources", tables=[assumptions(scenario)], details=True)]
    subtitle = (f"Run of scenario {scenario.name}: {scenario.start_date} + {scenario.days} days, seed "
                f"{manifest.get('seed')}, scale {manifest.get('scale')}")
    return subtitle, sections

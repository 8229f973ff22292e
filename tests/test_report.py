"""The analyst's report: one self-contained report.html per run folder (nothing fetched, every chart embedded),
its tables as CSV that add up to the run's totals, the route-flow map's widths and colours, GBP beside EUR, no
interval from fewer than 3 replicates, and `routesim report DIR` keeping the folder a routesim output."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from typer.testing import CliRunner

from sim.cli import app
from sim.outputs.charts import CORRIDOR_COLORS
from sim.outputs.folders import is_routesim_output
from sim.report import REPORT, add_report
from sim.report.map import change_map, route_map
from sim.report.tables import interval_text, uk_financial_year, with_gbp
from tests.report_helpers import report_run


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return report_run(tmp_path_factory.mktemp("report") / "run")


def test_report_is_self_contained_and_shows_the_run(run_folder: Path) -> None:
    html = (run_folder / REPORT).read_text()
    assert "<script" not in html.lower() and "@import" not in html and "url(" not in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith(("data:image/png;base64,", "#")) for s in sources)
    for heading in ("What was run", "Headline", "Route-flow map", "Charts", "The model against published figures",
                    "Assumptions and sources"):
        assert f">{heading}</h2>" in html
    assert "routesim run: baseline" in html and "Model, not calibrated." in html
    images = re.findall(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}" alt="([^"]+)"', html)
    assert any(alt.startswith("People on each leg") for alt in images)  # the map
    assert len(images) >= 6


def test_tables_as_csv_add_up_to_the_run(run_folder: Path) -> None:
    """The monthly, calendar-year and financial-year tables each sum to the corridor table's crossings."""
    tables = run_folder / "tables"
    corridors = pd.read_csv(tables / "by_corridor.csv")
    total = corridors["Crossings (people)"].sum()
    assert total > 0
    for name in ("by_month", "by_calendar_year", "by_uk_financial_year"):
        periods = pd.read_csv(tables / f"{name}.csv")
        assert periods["Crossings (people)"].sum() == pytest.approx(total), name
        assert periods["Days in run"].sum() == 60
    months = pd.read_csv(tables / "by_month.csv")
    assert list(months["Month"]) == ["2025-04", "2025-05"] and list(months["Whole period"]) == ["yes", "part"]
    rate = pd.read_csv(tables / "by_month.csv")
    assert (rate["Smugglers' revenue (GBP)"] < rate["Smugglers' revenue (EUR)"]).all()


def test_gbp_beside_eur() -> None:
    table = pd.DataFrame({"place": ["a"], "Price (EUR/place)": [1150.0], "n": [1]})
    out = with_gbp(table, ["Price (EUR/place)"], 1.15)
    assert list(out.columns) == ["place", "Price (EUR/place)", "Price (GBP/place)", "n"]
    assert out.at[0, "Price (GBP/place)"] == pytest.approx(1000.0)


def test_uk_financial_year() -> None:
    assert uk_financial_year(dt.date(2025, 3, 31)) == "2024-25"
    assert uk_financial_year(dt.date(2025, 4, 1)) == "2025-26"
    assert uk_financial_year(dt.date(1999, 12, 31)) == "1999-00"


def test_no_interval_from_fewer_than_three_replicates() -> None:
    assert interval_text(-180, -180, 1).startswith("none (1 replicate;")
    assert interval_text(-200, -100, 2).startswith("none (2 replicates")
    assert interval_text(-200, -100, 3) == "-200 to -100"


def _flows() -> pd.DataFrame:
    return pd.DataFrame({"from_hub": ["northern_france_coast", "libya_west_coast", "istanbul"],
                         "to_hub": ["kent", "lampedusa", "turkey_aegean_coast"],
                         "corridor": ["channel", "central_med", "approach"], "people": [1000.0, 500.0, 0.0]})


def _collections(fig) -> list[LineCollection]:
    return [c for c in fig.axes[0].collections if isinstance(c, LineCollection)]


def test_route_map_widths_follow_people_and_colours_the_corridor() -> None:
    fig = route_map(_flows(), "test map")
    assert fig.axes[0].get_title() == "test map"
    assert fig.axes[0].patches  # the coastline's land
    drawn = {mcolors.to_hex(c.get_colors()[0]).upper(): float(c.get_linewidths()[0]) for c in _collections(fig)}
    assert set(drawn) == {CORRIDOR_COLORS["channel"], CORRIDOR_COLORS["central_med"]}  # nobody on the approach leg
    assert drawn[CORRIDOR_COLORS["channel"]] > drawn[CORRIDOR_COLORS["central_med"]]
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "English Channel" in labels and "Central Mediterranean" in labels and "1,000 people" in labels


def test_change_map_draws_gains_solid_and_losses_dashed() -> None:
    base = _flows()
    alt = base.assign(people=[400.0, 900.0, 0.0])  # the Channel lost 600, the Central Med gained 400
    fig = change_map(base, alt, "change")
    styles = {mcolors.to_hex(c.get_colors()[0]).upper(): (c.get_linestyles()[0], float(c.get_linewidths()[0]))
              for c in _collections(fig)}
    channel, central = styles[CORRIDOR_COLORS["channel"]], styles[CORRIDOR_COLORS["central_med"]]
    assert channel[0][1] is not None and central[0][1] is None  # dashed (a dash pattern) against solid
    assert channel[1] > central[1]  # the larger change is wider


def test_report_command_adds_a_report_the_folder_keeps(run_folder: Path) -> None:
    (run_folder / REPORT).unlink()
    result = CliRunner().invoke(app, ["report", str(run_folder)])
    assert result.exit_code == 0, result.output
    assert (run_folder / REPORT).is_file()
    assert is_routesim_output(run_folder, "run")  # report.html and tables/ are listed in the marker
    assert add_report(run_folder) == run_folder / REPORT


def test_report_command_refuses_what_is_not_an_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2 and "manifest.json" in result.output
    assert list(tmp_path.iterdir()) == []


def test_map_coastline_covers_the_study_area() -> None:
    from sim.report.map import coastline

    lon, lat, rings = coastline()
    assert lon == (-25.0, 65.0) and lat == (0.0, 62.0)
    points = np.vstack(rings)
    assert points[:, 0].min() >= -25 and points[:, 0].max() <= 65 and len(rings) >= 5


def _fan_rows(replicates: int) -> pd.DataFrame:
    dates = pd.to_datetime(["2025-04-07", "2025-04-14", "2025-04-21"]).astype("datetime64[ms]")
    return pd.DataFrame([{"scenario": s, "replicate": r, "outcome": "crossings.channel", "date": d, "days": 7,
                          "value": float(10 * i + r)} for s in ("base", "alt") for r in range(replicates)
                         for i, d in enumerate(dates)])


def test_fan_chart_draws_labelled_bands_only_from_ten_replicates() -> None:
    from matplotlib.collections import PolyCollection

    from sim.outputs.compare_charts import fan_chart

    few = fan_chart(_fan_rows(5), "crossings.channel", "model, not calibrated")
    assert not [c for c in few.axes[0].collections if isinstance(c, PolyCollection)]
    assert "median of 5 replicates" in few.get_suptitle() and "model, not calibrated" in few.get_suptitle()
    assert "no band from < 10" in few.axes[0].get_legend().get_title().get_text()
    many = fan_chart(_fan_rows(10), "crossings.channel")
    bands = [c for c in many.axes[0].collections if isinstance(c, PolyCollection) and len(c.get_paths())]
    assert len(bands) == 4  # 50% and 90% per scenario
    labels = [t.get_text() for t in many.axes[0].get_legend().get_texts()]
    assert "middle 50% of replicates" in labels and "middle 90% of replicates" in labels


def test_comparison_report_lists_what_has_no_cost_and_gives_no_interval_from_two_replicates(tmp_path: Path) -> None:
    from sim.config import load_scenario
    from sim.experiments.compare import compare_scenarios, comparison_manifest, write_comparison
    from sim.network import load_network
    from tests.conftest import ROOT, small_scenario

    base = small_scenario(days=30, scale=50.0)
    summit = load_scenario(ROOT / "scenarios" / "summit_package.toml")
    alt = base.model_copy(update={"name": "summit_package", "interventions": summit.interventions})
    scenarios = {"baseline": base, "summit_package": alt}
    comparison = compare_scenarios(scenarios, "baseline", 2, 7, workers=1, network=load_network())
    manifest = comparison_manifest(comparison, scenarios, {"baseline": "b.toml", "summit_package": "s.toml"}, 1, 7)
    folder = write_comparison(tmp_path / "cmp", comparison, manifest)
    html = (folder / REPORT).read_text()
    for heading in ("What was compared", "Differences", "Displacement", "Cost-effectiveness",
                    "Route-flow change map", "Over time", "Assumptions and sources"):
        assert f">{heading}</h2>" in html
    assert set(manifest["uncosted"]["summit_package"]) >= {"german_law", "takedowns"}
    assert "is a lower bound" in html and "german_law" in html
    differences = pd.read_csv(folder / "tables" / "differences_summit_package.csv")
    assert differences["90% CI of the mean (bootstrap)"].str.startswith("none (2 replicates").all()
    assert (differences["CI excludes 0"] == "–").all()  # nothing starred
    assert "Crossings: English Channel" in set(differences["outcome"])  # words, not ids
    ce = pd.read_csv(folder / "cost_effectiveness.csv")
    assert ce["text"].str.startswith("no figure from 2 replicates").all()
    legs = pd.read_csv(folder / "legs.csv")
    assert set(legs["scenario"]) == {"baseline", "summit_package"} and (legs["people"] >= 0).all()
    assert is_routesim_output(folder, "comparison")


def test_terminal_tables_drop_columns_rather_than_cut_numbers() -> None:
    from rich.console import Console

    from sim.cli.fit import fitted_table

    headers = ["outcome", "unit", "difference", "90% CI", "5-95% of replicates", "change"]
    rows = [["Crossings: English Channel", "people", "+1,245,678", "+1,200,000 to +1,300,000",
             "+1,100,000 to +1,400,000", "+12.5%"]]
    console = Console(width=80, record=True)
    console.print(fitted_table("t", headers, rows, 80, droppable=("5-95% of replicates", "change"), right=headers[2:],
                               full="differences.csv"))
    text = console.export_text()
    assert "+1,245,678" in text and "+1,200,000 to +1,300,000" in text and "…" not in text
    assert "left out to fit 80 columns: 5-95% of replicates" in text and "differences.csv" in text
    wide = Console(width=200, record=True)
    wide.print(fitted_table("t", headers, rows, 200, droppable=("5-95% of replicates",), right=headers[2:]))
    assert "+1,100,000 to +1,400,000" in wide.export_text() and "left out" not in wide.export_text()


def test_sweep_charts_name_outcomes_in_words() -> None:
    from sim.outputs.sweep_charts import sensitivity_chart

    table = pd.DataFrame({"outcome": "crossings.channel", "method": "rbd_fast", "parameter": ["a", "b"],
                          "S1": [0.6, 0.1], "S1_conf": [0.05, 0.05], "importance": [0.6, 0.1]})
    fig = sensitivity_chart(table, "crossings.channel")
    assert fig.axes[0].get_title() == ("RBD-FAST first-order indices of Crossings: English Channel (people) "
                                       "(replicates averaged per sample)")


def test_fan_chart_marks_the_interventions_starts() -> None:
    from sim.outputs.compare_charts import fan_chart, intervention_starts

    starts = intervention_starts({"alt": {"interventions": {"beach": {"start": "2025-04-14"}}},
                                  "base": {"interventions": {}}})
    assert starts == (("beach", dt.date(2025, 4, 14)),)
    ax = fan_chart(_fan_rows(3), "crossings.channel", starts=starts).axes[0]
    assert [t.get_text() for t in ax.texts] == [" beach starts"]


def test_cells_are_numbers_in_words_an_analyst_reads() -> None:
    from sim.report.page import cell

    assert [cell(v) for v in (np.int64(12345), 1234.5, 38.25, 0.125, float("nan"), pd.NA, np.bool_(True))] == [
        "12,345", "1,234", "38.2", "0.12", "–", "–", "yes"]


def test_sweep_report_shows_sensitivity_and_scenario_discovery(tmp_path: Path) -> None:
    import json

    from tests.conftest import small_scenario
    from tests.test_analysis import _lhs_sweep

    folder = _lhs_sweep(tmp_path / "lhs", replicates=3)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.update(base_scenario=small_scenario().model_dump(mode="json"), n_samples=400)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert CliRunner().invoke(app, ["analyse", str(folder), "--where", "z > 1.5", "--quiet"]).exit_code == 0
    add_report(folder)
    html = (folder / REPORT).read_text()
    for heading in ("What was swept", "Outcomes per design point", "Sensitivity", "Scenario discovery"):
        assert f">{heading}</h2>" in html
    assert "PRIM boxes where z &gt; 1.5" in html and 'alt="Sensitivity of y"' in html
    indices = pd.read_csv(folder / "tables" / "sensitivity.csv")
    first = indices[indices["outcome"] == "z"].sort_values("importance", ascending=False)["parameter"].iloc[0]
    assert first == "x2"  # z = x1 + 2 x2
    assert pd.read_csv(folder / "tables" / "prim.csv")["selected"].sum() == 1


def test_text_from_a_scenario_is_escaped(tmp_path: Path) -> None:
    """A description is shown as text: it cannot add markup or scripts to the page."""
    folder = report_run(tmp_path / "run", description='<script>alert(1)</script> & <img src="http://x">')
    html = (folder / REPORT).read_text()
    assert "<script" not in html and 'src="http://x"' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img" in html

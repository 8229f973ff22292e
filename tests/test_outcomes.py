"""The outcome registry: every outcome declared once with a label and unit, totals that agree with the raw tables,
series whose periods (part periods kept) add up to the totals, and consumers that read it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import small_scenario
from rich.console import Console

from sim.network import CROSSING_CORRIDORS, SOURCES
from sim.outputs import outcomes as reg
from sim.outputs.published import SOURCE_SERIES, observed
from sim.runner import corridor_totals, simulate

DAYS = 40  # 2025-04-01 (a Tuesday) + 40 days: all of April, 10 days of May; 6 days of the first and last week
UNITS = {"people", "deaths", "EUR", "EUR/place", "people/boat", "boats", "arrests", "days", "groups"}


@pytest.fixture(scope="module")
def tables(network) -> dict[str, pd.DataFrame]:
    return simulate(small_scenario(days=DAYS), network).tables


@pytest.fixture(scope="module")
def scalars(tables) -> dict[str, float]:
    return reg.scalar_outcomes(tables)


def test_declarations_are_unique_and_complete(tables) -> None:
    names = [o.name for o in reg.OUTCOMES]
    assert len(names) == len(set(names))
    for o in reg.OUTCOMES:
        assert o.kind in reg.KINDS and o.reduction in reg.REDUCTIONS and o.unit in UNITS, o.name
        assert o.label.startswith(o.measure_label + ": ") and o.place and o.description, o.name
        if o.reduction == "sum_of_outcomes":
            assert o.parts and all(p in names for p in o.parts), o.name
            continue
        assert o.table in tables, o.name
        needed = [*o.columns, *o.per, *([o.where[0]] if o.where else [])]
        derived = [c for c in needed if c in reg.DERIVED]
        assert set(needed) - set(derived) <= set(tables[o.table].columns), o.name
        assert all(set(reg.DERIVED[c]) <= set(tables[o.table].columns) for c in derived), o.name


def test_every_scalar_outcome_of_a_run_is_declared_with_a_unit(scalars) -> None:
    assert len(scalars) > 100
    for name, value in scalars.items():
        assert reg.outcome(name).kind == "scalar" and reg.unit_of(name) in UNITS, name
        assert isinstance(value, float)
    assert {o.name for o in reg.OUTCOMES if o.kind == "scalar"} == set(scalars)


def test_totals_agree_with_the_raw_tables(tables, scalars) -> None:
    daily = tables["daily_corridor"]
    channel = daily[daily["corridor"] == "channel"]
    assert scalars["crossings.channel"] == pytest.approx(channel["crossings"].sum())
    assert scalars["crossings.channel"] > 0
    assert scalars["deaths.total"] == pytest.approx(daily["deaths"].sum())
    assert scalars["give_ups.total"] == pytest.approx(daily["settled"].sum() + daily["gone_home"].sum())
    aboard = (channel["people_per_boat"].fillna(0) * channel["boats"]).sum()
    assert scalars["people_per_boat.channel"] == pytest.approx(aboard / channel["boats"].sum())
    paid = channel[channel["mean_price_eur"] > 0]
    assert scalars["price.channel"] == pytest.approx(
        paid["revenue_eur"].sum() / (paid["revenue_eur"] / paid["mean_price_eur"]).sum())
    assert scalars["crossing_days.channel"] == (channel["boat_landings"] > 0).sum()
    dest = tables["daily_destination"]
    assert scalars["arrivals.total"] == pytest.approx(dest["arrivals"].sum())
    assert scalars["arrivals.uk"] == pytest.approx(dest.loc[dest["destination"] == "uk", "arrivals"].sum())
    population = tables["daily_population"]
    last = population[population["date"] == population["date"].max()]
    assert scalars["en_route_at_end.total"] == pytest.approx(
        last.loc[last["state"].isin(reg.ACTIVE_STATES), "people"].sum())
    assert scalars["boats_seized.total"] == pytest.approx(
        tables["daily_enforcement"]["boats_seized"].sum() + tables["daily_interventions"]["boats_seized"].sum())
    recorded = tables["daily_observed"]
    assert scalars["recorded.ho_small_boat"] == pytest.approx(
        recorded.loc[recorded["source"] == "ho_small_boat", "recorded"].sum())


def test_headline_outcomes_are_the_registry_subset_compare_uses(tables, scalars) -> None:
    headline = reg.run_outcomes(tables)
    assert list(headline) == [o.name for o in reg.OUTCOMES if o.kind == "scalar" and not o.detail]
    assert {f"crossings.{c}" for c in CROSSING_CORRIDORS} <= set(headline)
    assert not any(name.startswith(("departures.", "recorded.")) for name in headline)
    for name, value in headline.items():
        assert value == scalars[name] or (np.isnan(value) and np.isnan(scalars[name])), name


def test_series_keep_part_periods_and_add_up_to_the_totals(tables, scalars) -> None:
    sums = [o.name for o in reg.OUTCOMES if o.kind == "scalar" and o.reduction in ("sum", "sum_of_outcomes",
                                                                                   "count_days")]
    for resolution, periods, first_days, last_days in (("month", 2, 30, 10), ("week", 6, 6, 6), ("day", DAYS, 1, 1)):
        series = reg.series_outcomes(tables, resolution)
        assert list(series.columns) == ["outcome", "date", "days", "value"]
        assert str(series["date"].dtype) == "datetime64[ms]"
        one = series[series["outcome"] == "crossings.channel"]
        assert len(one) == periods and one["days"].sum() == DAYS, resolution
        assert (one["days"].iloc[0], one["days"].iloc[-1]) == (first_days, last_days), resolution
        totals = series.groupby("outcome", sort=False)["value"].sum()
        for name in sums:
            assert totals[name] == pytest.approx(scalars[name]), (resolution, name)
    monthly = reg.series_outcomes(tables, "month").set_index(["outcome", "date"])["value"]
    assert list(monthly.loc["crossings.channel"].index) == [pd.Timestamp("2025-04-01"), pd.Timestamp("2025-05-01")]
    assert monthly.loc[("en_route_at_end.total", pd.Timestamp("2025-05-01"))] == scalars["en_route_at_end.total"]
    daily = tables["daily_corridor"]
    may = daily[(daily["corridor"] == "channel") & (daily["date"] >= pd.Timestamp("2025-05-01"))]
    may_ppb = (may["people_per_boat"].fillna(0) * may["boats"]).sum() / may["boats"].sum()
    assert monthly.loc[("people_per_boat.channel", pd.Timestamp("2025-05-01"))] == pytest.approx(may_ppb)
    named = reg.series_outcomes(tables, "week", ["deaths.total", "groups.channel"])
    assert set(named["outcome"]) == {"deaths.total", "groups.channel"}
    yearly = reg.series_outcomes(tables, "year", ["crossings.channel", "people_per_boat.channel"])
    assert list(yearly["date"]) == [pd.Timestamp("2025-01-01")] * 2 and set(yearly["days"]) == {DAYS}
    assert yearly["value"].iloc[0] == pytest.approx(scalars["crossings.channel"])
    assert yearly["value"].iloc[1] == pytest.approx(scalars["people_per_boat.channel"])
    with pytest.raises(ValueError, match="allowed: day, week, month, year"):
        reg.series_outcomes(tables, "decade")


def test_unit_of_and_combined_outcomes(tables, scalars) -> None:
    for o in reg.OUTCOMES:
        assert reg.unit_of(o.name) == o.unit and reg.outcome(o.name) is o
    assert reg.unit_of("price.channel") == "EUR/place" and reg.unit_of("deaths.channel") == "deaths"
    assert reg.unit_of("people_per_boat.central_med") == "people/boat" and reg.unit_of("arrests.total") == "arrests"
    both = reg.outcome("crossings.central_med+channel")
    assert both.unit == "people" and both.label == "Crossings: Central Mediterranean + English Channel"
    value = reg.scalar_outcomes(tables, [both.name])[both.name]
    assert value == pytest.approx(scalars["crossings.central_med"] + scalars["crossings.channel"])
    with pytest.raises(KeyError, match="allowed: crossings.eastern_med"):
        reg.outcome("crossings.nowhere")
    with pytest.raises(ValueError, match="only sums"):
        reg.combined(["price.channel", "price.western_med"])


def test_observed_outcomes_name_series_in_the_calibration_file() -> None:
    pairs = set(zip(observed()["route"], observed()["metric"], strict=True))
    marked = [o for o in reg.OUTCOMES if o.observed is not None]
    assert {o.name for o in marked} >= {"recorded.ho_small_boat", "recorded_boats.ho_small_boat",
                                        "recorded_people_per_boat.ho_small_boat", "recorded_deaths.channel",
                                        "detections.eastern_med"}
    # True deaths and boats launched are not what the sources publish: recorded deaths and boats arriving are.
    assert reg.outcome("deaths.channel").observed is None and reg.outcome("boats.channel").observed is None
    assert pairs <= {o.observed for o in marked}  # every published series has the model value it stands for
    for o in marked:
        assert o.observed in pairs, o.name
    assert SOURCE_SERIES == {s: reg.outcome(f"recorded.{s}").observed for s in SOURCES
                             if reg.outcome(f"recorded.{s}").observed is not None}
    assert SOURCE_SERIES["ho_small_boat"] == ("channel", "arrivals")


def test_corridor_totals_and_summary_read_the_registry(tables, scalars, monkeypatch) -> None:
    totals = corridor_totals(tables)
    assert totals.at["channel", "crossings"] == scalars["crossings.channel"]
    assert totals.at["channel", "price"] == scalars["price.channel"]
    assert totals.at["approach", "departures"] == scalars["departures.approach"]
    assert np.isnan(totals.at["approach", "boats"])  # not declared: no boats on a land corridor
    from sim.cli import report

    recording = Console(record=True, width=150)
    monkeypatch.setattr(report, "console", recording)
    manifest = {"scenario": {"name": "small", "start_date": "2025-04-01", "days": DAYS}, "seed": 1, "scale": 1.0,
                "wall_time_s": 1.0, "people_entered": 10}
    report.print_summary(tables, manifest)
    text = recording.export_text()
    for words in ("Crossings", "(people)", "People per boat", "(people/boat)", "(EUR/place)", "English Channel",
                  "Home Office, small boats", f"{scalars['crossings.channel']:,.0f}"):
        assert words in text, words
    assert "…" not in text  # nothing cut


def test_fan_chart_draws_part_weeks_with_the_registry_label_and_unit() -> None:
    from sim.outputs.compare_charts import fan_chart

    dates = pd.to_datetime(["2025-03-31", "2025-04-07", "2025-04-14"]).astype("datetime64[ms]")
    rows = [{"scenario": s, "replicate": r, "outcome": "crossings.channel", "date": d, "days": n,
             "value": float(10 * (i + 1) + r + (5 if s == "alt" else 0))}
            for s in ("base", "alt") for r in range(3) for i, (d, n) in enumerate(zip(dates, (6, 7, 2), strict=True))]
    fig = fan_chart(pd.DataFrame(rows), "crossings.channel")
    ax = fig.axes[0]
    assert fig.get_suptitle().startswith("Crossings: English Channel, per week")
    assert ax.get_ylabel() == "people per week"
    medians = {line.get_label(): line for line in ax.get_lines() if line.get_linestyle() == "-"}
    assert list(medians["base"].get_ydata()) == [11.0, 21.0, 31.0]  # all three weeks, the part ones too
    assert list(medians["alt"].get_ydata()) == [16.0, 26.0, 36.0]
    marks = [line for line in ax.get_lines() if line.get_linestyle() == "None"]
    assert [len(line.get_xdata()) for line in marks] == [2, 2, 0]  # first and last week are short; legend entry
    assert marks[-1].get_label() == "part week (fewer days)"


def test_displacement_groups_and_labels_come_from_the_registry() -> None:
    from sim.experiments.compare import displacement
    from sim.outputs.compare_charts import displacement_bar

    names = ["crossings.channel", "crossings.central_med+channel", "arrivals.uk", "arrivals.total",
             "give_ups.total", "deaths.total", "price.channel", "departures.channel"]
    diffs = pd.DataFrame({"scenario": "alt", "baseline": "base", "outcome": names,
                          "label": [reg.label_of(n) for n in names], "unit": [reg.unit_of(n) for n in names],
                          "base_mean": 10.0, "mean": -1.0, "ci_low": -2.0, "ci_high": 0.5,
                          "ci_excludes_zero": False})
    table = displacement(diffs)
    assert list(zip(table["outcome"], table["group"], table["name"], strict=True)) == [
        ("crossings.channel", "crossings by corridor", "channel"), ("arrivals.uk", "arrivals by destination", "uk"),
        ("arrivals.total", "arrivals by destination", "total"), ("give_ups.total", "fate", "give_ups"),
        ("deaths.total", "fate", "deaths")]
    fig = displacement_bar(table)
    ticks = [[t.get_text() for t in ax.get_xticklabels()] for ax in fig.axes]
    assert ticks == [["English Channel"], ["United Kingdom", "all destinations"], ["Gave up", "Deaths"]]


def test_a_missing_table_leaves_its_outcomes_undefined_not_zero(tables, scalars) -> None:
    partial = {name: df for name, df in tables.items() if name != "daily_population"}
    values = reg.scalar_outcomes(partial)
    assert np.isnan(values["en_route_at_end.total"])
    assert values["crossings.channel"] == scalars["crossings.channel"]


def test_recorded_deaths_and_added_detections_stand_for_their_published_series(network, tables) -> None:
    shares = {"channel": 0.5, "central_med": 0.75, "eastern_med": 0.25}
    scenario = small_scenario(days=DAYS, inflow_factor=0.5)
    scenario = scenario.model_copy(update={"observation": scenario.observation.model_copy(
        update={"deaths_recorded_share": shares})})
    recorded = reg.scalar_outcomes(simulate(scenario, network).tables)
    assert sum(recorded[f"deaths.{c}"] for c in shares) > 0
    for corridor in (*shares, "western_med"):
        share = shares.get(corridor, 1.0)
        assert recorded[f"recorded_deaths.{corridor}"] == pytest.approx(share * recorded[f"deaths.{corridor}"])
    observed_table = tables["daily_observed"].copy()  # give the Evros a count, which short runs do not reach
    observed_table.loc[observed_table["source"] == "frontex_eastern_med_land", "recorded"] = 3.0
    added = reg.scalar_outcomes({**tables, "daily_observed": observed_table})
    sea, land = added["recorded.frontex_eastern_med_sea"], added["recorded.frontex_eastern_med_land"]
    assert sea > 0 and land == 3.0 * DAYS and added["detections.eastern_med"] == pytest.approx(sea + land)
    assert reg.outcome("detections.eastern_med").observed == ("eastern_med", "detections")

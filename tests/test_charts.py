"""Charts: one artist per non-zero corridor in its fixed colour, complete weeks/months only (monthly by default),
labels in words, the scenario, caveat and intervention starts shown; save_all writes PNGs."""

from __future__ import annotations

from pathlib import Path

import matplotlib.colors as mcolors
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim.network import CORRIDORS as VOCAB_CORRIDORS
from sim.outputs import charts

DAYS = 60  # 2019-01-01 (a Tuesday) to 2019-03-01 (a Friday): partial first and last week, partial March
CORRIDORS = ("eastern_med", "channel", "central_med")  # central_med is all zero
FIRST_WEEK, LAST_WEEK = pd.Timestamp("2019-01-07"), pd.Timestamp("2019-02-18")  # complete weeks (Mondays)
UNITS = ("a_task_force", "uk_france_channel", "greece_eastern_med")  # first unit named after no corridor
WEEKLY = charts.ChartContext(period="week")


def _dates() -> pd.DatetimeIndex:
    return pd.date_range("2019-01-01", periods=DAYS, freq="D").astype("datetime64[ms]")


def _daily_corridor() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    dates = _dates()
    rows = []
    for corridor in CORRIDORS:
        live = corridor != "central_med"
        for d in dates:
            boats = int(rng.integers(0, 4)) if live else 0
            ppb = float(rng.uniform(20, 60)) if boats else np.nan
            departures = boats * (ppb if boats else 0) + (int(rng.integers(0, 10)) if live else 0)
            rows.append({
                "date": d, "corridor": corridor, "departures": departures,
                "landings": int(rng.integers(1, 50)) if live else 0, "intercepted": 0,
                "crossings": int(rng.integers(1, 30)) if live else 0,
                "prevented": int(rng.integers(0, 6)) if live else 0,
                "rescued": 0, "deaths": int(rng.integers(0, 3)) if live else 0, "on_leg": 10, "waiting": 5,
                "boats": boats, "people_per_boat": ppb,
                "mean_price_eur": float(rng.uniform(1000, 3000)) if departures else np.nan,
                "revenue_eur": float(rng.uniform(0, 1e5)) if live else 0.0,
                "settled": int(rng.integers(0, 3)) if live else 0, "gone_home": int(rng.integers(0, 2)) if live else 0,
                "boat_landings": int(rng.integers(0, 40)) if live else 0,
                "lorry_attempts": int(rng.integers(0, 9)) if live else 0,
                "lorry_detections": int(rng.integers(0, 5)) if live else 0,
            })
    return pd.DataFrame(rows)


def _daily_destination() -> pd.DataFrame:
    rows = [{"date": d, "destination": dest, "arrivals": n}
            for d in _dates() for dest, n in (("uk", 3), ("germany", 7), ("spain", 0))]
    return pd.DataFrame(rows)


def _daily_market() -> pd.DataFrame:
    """Groups on eastern_med and channel; central_med has none (and is left out of the chart)."""
    rows = [{"date": d, "corridor": c, "groups": 0 if c == "central_med" else 3 + i % 2, "members": 20 + i,
             "boats_in_stock": 10.0, "engines_in_stock": 9.0, "boats_on_order": float(i % 5), "cash_eur": 1e6}
            for i, d in enumerate(_dates()) for c in CORRIDORS]
    return pd.DataFrame(rows)


def _daily_enforcement() -> pd.DataFrame:
    """Every unit: 1 operation, 2 arrests, ... a day; the queue grows by one a day."""
    rows = [{"date": d, "unit": u, "operations": 1.0, "arrests": 2.0, "boats_seized": 3.0, "engines_seized": 4.0,
             "cash_seized_eur": 100.0, "charges": 1.0, "convictions": 1.0, "awaiting_decision": float(i)}
            for i, d in enumerate(_dates()) for u in UNITS]
    return pd.DataFrame(rows)


def _tables(daily_corridor: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {"daily_corridor": daily_corridor, "daily_destination": _daily_destination(),
            "daily_market": _daily_market(), "daily_enforcement": _daily_enforcement()}


@pytest.fixture(scope="module")
def daily_corridor() -> pd.DataFrame:
    return _daily_corridor()


def _artist_colors(fig: Figure) -> list[tuple[str, tuple[float, ...]]]:
    """(label, rgba) of every line and bar group on the figure's axes."""
    out = []
    for ax in fig.axes:
        for line in ax.get_lines():
            out.append((line.get_label(), mcolors.to_rgba(line.get_color())))
        for container in ax.containers:
            out.append((container.get_label(), container.patches[0].get_facecolor()))
    return out


def _check_axes(fig: Figure) -> None:
    assert isinstance(fig, Figure)
    assert fig.axes
    assert all(ax.get_ylabel() for ax in fig.axes)


@pytest.mark.parametrize(
    "draw", [charts.arrivals_by_corridor, charts.deaths_by_corridor, charts.people_per_boat, charts.price]
)
def test_corridor_charts(draw, daily_corridor: pd.DataFrame) -> None:
    fig = draw(daily_corridor)
    _check_axes(fig)
    artists = _artist_colors(fig)
    live = ("eastern_med", "channel")
    labels = {label for label, _ in artists}
    assert labels == {charts.corridor_label(c) for c in live}  # all-zero central_med left out
    for corridor in live:
        want = mcolors.to_rgba(charts.CORRIDOR_COLORS[corridor])
        got = [rgba for label, rgba in artists if label == charts.corridor_label(corridor)]
        assert got and all(np.allclose(rgba, want) for rgba in got)
    for ax in fig.axes:  # one artist per corridor per axes
        assert len(ax.get_lines()) + len(ax.containers) == len(live)


def test_give_ups(daily_corridor: pd.DataFrame) -> None:
    fig = charts.give_ups(daily_corridor)
    _check_axes(fig)
    assert len(fig.axes[0].get_lines()) == 2


def test_arrivals_by_destination() -> None:
    fig = charts.arrivals_by_destination(_daily_destination())
    _check_axes(fig)
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["Germany", "United Kingdom"]  # spain all 0


def _in_complete_weeks(df: pd.DataFrame) -> pd.DataFrame:
    return df[(df["date"] >= FIRST_WEEK) & (df["date"] < LAST_WEEK + pd.Timedelta(days=7))]


def test_weekly_sums_keep_complete_weeks_only(daily_corridor: pd.DataFrame) -> None:
    fig = charts.arrivals_by_corridor(daily_corridor, ctx=WEEKLY)
    lines = fig.axes[0].get_lines()
    for line in lines:
        x = pd.DatetimeIndex(mdates.num2date(line.get_xdata(orig=False)))
        assert (x.day_of_week == 0).all()  # labelled by Monday
        assert x[0].tz_localize(None) == FIRST_WEEK and x[-1].tz_localize(None) == LAST_WEEK  # partial weeks dropped
    total = sum(line.get_ydata().sum() for line in lines)
    assert total == pytest.approx(_in_complete_weeks(daily_corridor)["crossings"].sum())


def test_resample_drops_partial_periods() -> None:
    wide = pd.DataFrame({"a": 1.0}, index=pd.DatetimeIndex(_dates()))
    weekly = charts._resample_sum(wide, charts.WEEK)
    assert list(weekly.index) == list(pd.date_range(FIRST_WEEK, LAST_WEEK, freq="7D"))
    assert (weekly["a"] == 7).all()
    monthly = charts._resample_sum(wide, "MS")  # March has one day only
    assert list(monthly.index) == [pd.Timestamp("2019-01-01"), pd.Timestamp("2019-02-01")]
    assert list(monthly["a"]) == [31, 28]
    assert charts._resample_sum(wide.iloc[:5], charts.WEEK).empty


def test_arrivals_by_corridor_shows_crossings_only(daily_corridor: pd.DataFrame) -> None:
    inside = daily_corridor[daily_corridor["corridor"] == "eastern_med"].copy()
    frames = [daily_corridor] + [inside.assign(corridor=c, crossings=1000) for c in ("approach", "onward")]
    fig = charts.arrivals_by_corridor(pd.concat(frames, ignore_index=True))
    assert fig.get_suptitle().startswith("Crossings completed by corridor")
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert labels == [charts.corridor_label(c) for c in ("eastern_med", "channel")]


def test_market() -> None:
    market, corridor = _daily_market(), _daily_corridor()
    fig = charts.market(market, corridor, ctx=WEEKLY)
    _check_axes(fig)
    assert len(fig.axes) == 4
    live = [charts.corridor_label(c) for c in ("eastern_med", "channel")]
    ax_groups, ax_members, ax_boats, ax_revenue = fig.axes
    for ax in (ax_groups, ax_members, ax_revenue):
        assert [line.get_label() for line in ax.get_lines()] == live
    assert len(ax_boats.get_lines()) == 4  # in stock (solid) and on order (dashed) per corridor
    assert [line.get_linestyle() for line in ax_boats.get_lines()] == ["-", "--", "-", "--"]
    assert list(ax_groups.get_lines()[1].get_ydata()) == [3 + i % 2 for i in range(DAYS)]
    for line in ax_groups.get_lines():
        assert np.allclose(mcolors.to_rgba(line.get_color()),
                           mcolors.to_rgba(charts.CORRIDOR_COLORS["eastern_med" if "Eastern" in line.get_label()
                                                                  else "channel"]))
    revenue = _in_complete_weeks(corridor)
    want = revenue.loc[revenue["corridor"].isin(["eastern_med", "channel"]), "revenue_eur"].sum() / 1e6
    assert sum(line.get_ydata().sum() for line in ax_revenue.get_lines()) == pytest.approx(want)
    assert "million EUR" in ax_revenue.get_ylabel()


def test_enforcement() -> None:
    fig = charts.enforcement(_daily_enforcement())
    _check_axes(fig)
    assert len(fig.axes) == 6
    counts = [len(ax.get_lines()) for ax in fig.axes]
    assert counts == [3, 3, 3, 3, 6, 3]  # boats and engines seized: two lines per unit
    ops = fig.axes[0].get_lines()[0]
    assert list(ops.get_ydata()) == [31, 28]  # complete months only: March 1st dropped
    seized = [line.get_ydata()[0] for line in fig.axes[4].get_lines()]
    assert sorted(set(seized)) == [3 * 31, 4 * 31]
    assert list(fig.axes[5].get_lines()[0].get_ydata()) == [30, 58]  # queue on the month's last day
    colors = {line.get_label(): mcolors.to_rgba(line.get_color()) for line in fig.axes[0].get_lines()}
    assert colors["UK france channel"] == mcolors.to_rgba(charts.CORRIDOR_COLORS["channel"])
    assert colors["Greece eastern med"] == mcolors.to_rgba(charts.CORRIDOR_COLORS["eastern_med"])
    assert len(set(colors.values())) == len(UNITS)


def test_channel(daily_corridor: pd.DataFrame) -> None:
    fig = charts.channel(daily_corridor, ctx=WEEKLY)
    _check_axes(fig)
    assert len(fig.axes) == 2
    assert [len(ax.get_lines()) for ax in fig.axes] == [2, 2]
    channel = _in_complete_weeks(daily_corridor[daily_corridor["corridor"] == "channel"])
    lines = [line for ax in fig.axes for line in ax.get_lines()]
    for line, column in zip(lines, ("boat_landings", "prevented", "lorry_attempts", "lorry_detections"), strict=True):
        assert line.get_ydata().sum() == pytest.approx(channel[column].sum()), column


def test_colors_cover_vocabulary() -> None:
    vocab = VOCAB_CORRIDORS
    assert tuple(charts.CORRIDOR_COLORS) == vocab
    assert len(set(charts.CORRIDOR_COLORS.values())) == len(vocab)
    assert set(charts.CORRIDOR_LABELS) == set(vocab)


def test_save_all(tmp_path: Path, daily_corridor: pd.DataFrame) -> None:
    paths = charts.save_all(_tables(daily_corridor), tmp_path)
    assert {p.stem for p in paths} == set(charts.CHARTS)
    assert {"market", "enforcement", "channel"} <= set(charts.CHARTS)
    files = sorted((tmp_path / "charts").iterdir())
    assert files == sorted(paths)
    for p in files:
        assert p.suffix == ".png" and p.stat().st_size > 0
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_save_all_skips_missing_tables(tmp_path: Path, daily_corridor: pd.DataFrame) -> None:
    paths = charts.save_all({"daily_destination": _daily_destination()}, tmp_path)
    assert [p.name for p in paths] == ["arrivals_by_destination.png"]
    assert [p.name for p in (tmp_path / "charts").iterdir()] == ["arrivals_by_destination.png"]
    # the market chart needs daily_market and daily_corridor
    names = {p.stem for p in charts.save_all({"daily_market": _daily_market()}, tmp_path / "m")}
    assert names == set()
    names = {p.stem for p in charts.save_all({"daily_corridor": daily_corridor}, tmp_path / "c")}
    assert "market" not in names and "enforcement" not in names and "channel" in names


def test_short_run_says_no_data(tmp_path: Path, daily_corridor: pd.DataFrame) -> None:
    """Five days: no complete week or month, so the weekly/monthly panels say so (and hide their 1970 dates)."""
    short = {name: df[df["date"] < pd.Timestamp("2019-01-06")] for name, df in _tables(daily_corridor).items()}
    for draw, tables in ((charts.enforcement, ("daily_enforcement",)), (charts.channel, ("daily_corridor",)),
                         (charts.arrivals_by_corridor, ("daily_corridor",))):
        fig = draw(*(short[t] for t in tables))
        for ax in fig.axes:
            assert [t.get_text() for t in ax.texts] == ["no data"], draw.__name__
            assert ax.xaxis.get_tick_params()["labelbottom"] is False
    fig = charts.market(short["daily_market"], short["daily_corridor"])
    assert [bool(ax.texts) for ax in fig.axes] == [False, False, False, True]  # daily levels drawn, weekly revenue not
    assert {p.stem for p in charts.save_all(short, tmp_path)} == set(charts.CHARTS)  # and they can be saved


def test_monthly_by_default_in_words_with_scenario_and_caveat(daily_corridor: pd.DataFrame) -> None:
    """Default sums are per complete month; the title names the scenario and says the model is not calibrated."""
    ctx = charts.ChartContext(scenario="baseline")
    fig = charts.arrivals_by_corridor(daily_corridor, ctx=ctx)
    title = fig.get_suptitle()
    assert "monthly" in title and "baseline" in title and charts.UNCALIBRATED in title
    assert fig.axes[0].get_ylabel() == "people per month"
    for line in fig.axes[0].get_lines():
        x = pd.DatetimeIndex(mdates.num2date(line.get_xdata(orig=False))).tz_localize(None)
        assert list(x) == [pd.Timestamp("2019-01-01"), pd.Timestamp("2019-02-01")]  # March 1st alone dropped
    january = daily_corridor[daily_corridor["date"] < pd.Timestamp("2019-02-01")]
    east = next(line for line in fig.axes[0].get_lines() if line.get_label() == "Eastern Mediterranean")
    assert east.get_ydata()[0] == january.loc[january["corridor"] == "eastern_med", "crossings"].sum()
    fitted = charts.arrivals_by_corridor(daily_corridor, ctx=charts.ChartContext(scenario="x", calibrated=True))
    assert charts.UNCALIBRATED not in fitted.get_suptitle()


def test_intervention_start_is_marked(daily_corridor: pd.DataFrame) -> None:
    """A start inside the run is a labelled vertical line; one outside it is not drawn."""
    starts = (("beach_patrols", pd.Timestamp("2019-02-10").date()), ("later", pd.Timestamp("2020-01-01").date()))
    fig = charts.arrivals_by_corridor(daily_corridor, ctx=charts.ChartContext(period="week", starts=starts))
    ax = fig.axes[0]
    vertical = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert len(vertical) == 1
    assert mdates.num2date(vertical[0].get_xdata(orig=False)[0]).date() == starts[0][1]
    assert [t.get_text() for t in ax.texts] == [" beach patrols starts"]


def test_channel_without_lorries_has_no_empty_panel(daily_corridor: pd.DataFrame) -> None:
    no_lorries = daily_corridor.assign(lorry_attempts=0, lorry_detections=0)
    fig = charts.channel(no_lorries)
    assert len(fig.axes) == 1
    assert [line.get_label() for line in fig.axes[0].get_lines()] == [
        "People landed from small boats", "People prevented from launching (beach)"]


def test_deaths_bars_inside_the_axes(daily_corridor: pd.DataFrame) -> None:
    fig = charts.deaths_by_corridor(daily_corridor)
    ax = fig.axes[0]
    low, high = ax.get_xlim()
    top = ax.get_ylim()[1]
    for container in ax.containers:
        for bar in container.patches:
            assert low <= bar.get_x() and bar.get_x() + bar.get_width() <= high
            assert bar.get_y() + bar.get_height() <= top


def _comparison_tables(replicates: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A comparison's series (two scenarios, weekly crossings) and displacement tables, made up."""
    weeks = pd.date_range("2025-01-06", periods=4, freq="7D")
    series = pd.DataFrame([{"scenario": s, "replicate": r, "outcome": "crossings.channel", "date": d, "days": 7,
                            "value": 100.0 + 10 * r + 5 * i} for s in ("base", "alt") for r in range(replicates)
                           for i, d in enumerate(weeks)])
    displacement = pd.DataFrame({"group": ["crossings by corridor"], "scenario": ["alt"], "baseline": ["base"],
                                 "name": ["channel"], "outcome": ["crossings.channel"], "mean": [-12.0],
                                 "ci_low": [-20.0], "ci_high": [-4.0]})
    return series, displacement


@pytest.mark.parametrize("replicates", [3, 10])
def test_comparison_charts_say_what_their_spread_covers(replicates: int) -> None:
    """Every fan chart and the displacement bars name the interval kind they were given (noise, or noise and
    parameters), so a chart copied into a briefing still says it."""
    from sim.calibration.use import NOISE, NOISE_AND_PARAMETERS
    from sim.outputs import compare_charts

    series, displacement = _comparison_tables(replicates)
    for kind in (NOISE, NOISE_AND_PARAMETERS):
        figures = compare_charts.draw_all(series, displacement, interval=kind)
        assert set(figures) == {"fan_crossings_channel", "displacement"}
        for name, fig in figures.items():
            title = fig.get_suptitle()
            assert kind in title, (name, title)
            assert (NOISE_AND_PARAMETERS in title) == (kind == NOISE_AND_PARAMETERS), (name, title)


def test_response_chart_says_what_its_intervals_cover() -> None:
    from sim.calibration.use import NOISE_AND_PARAMETERS
    from sim.outputs import sweep_charts

    summary = pd.DataFrame({"outcome": "y", "sample_id": [0, 1, 2], "x": [1.0, 2.0, 3.0], "mean": [1.0, 2.0, 3.0],
                            "t90_low": [0.5, 1.5, 2.5], "t90_high": [1.5, 2.5, 3.5]})
    response = pd.DataFrame({"parameter": "x", "value": [1.0, 2.0, 3.0], "low": [1.0, 2.0, 3.0],
                             "high": [1.0, 2.0, 3.0], "mean": [1.0, 2.0, 3.0], "t90_low": [0.5, 1.5, 2.5],
                             "t90_high": [1.5, 2.5, 3.5]})
    fig = sweep_charts.response_chart(summary, [response], "y", NOISE_AND_PARAMETERS)
    assert NOISE_AND_PARAMETERS in fig.get_suptitle()

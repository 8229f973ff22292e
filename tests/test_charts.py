"""Charts: each function draws one artist per non-zero corridor in its fixed colour; save_all writes PNGs."""

from __future__ import annotations

from pathlib import Path

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim.outputs import charts

DAYS = 60
CORRIDORS = ("eastern_med", "channel", "central_med")  # central_med is all zero


def _daily_corridor() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    dates = pd.date_range("2019-01-01", periods=DAYS, freq="D").astype("datetime64[ms]")
    rows = []
    for corridor in CORRIDORS:
        live = corridor != "central_med"
        for d in dates:
            boats = int(rng.integers(0, 4)) if live else 0
            ppb = float(rng.uniform(20, 60)) if boats else np.nan
            departures = boats * (ppb if boats else 0) + (int(rng.integers(0, 10)) if live else 0)
            rows.append({
                "date": d, "corridor": corridor, "departures": departures,
                "landings": int(rng.integers(1, 50)) if live else 0, "prevented": 0, "intercepted": 0,
                "rescued": 0, "deaths": int(rng.integers(0, 3)) if live else 0, "on_leg": 10, "waiting": 5,
                "boats": boats, "people_per_boat": ppb,
                "mean_price_eur": float(rng.uniform(1000, 3000)) if departures else np.nan,
                "revenue_eur": 0.0, "settled": int(rng.integers(0, 3)) if live else 0,
                "gone_home": int(rng.integers(0, 2)) if live else 0,
            })
    return pd.DataFrame(rows)


def _daily_destination() -> pd.DataFrame:
    dates = pd.date_range("2019-01-01", periods=DAYS, freq="D").astype("datetime64[ms]")
    rows = [{"date": d, "destination": dest, "arrivals": n}
            for d in dates for dest, n in (("uk", 3), ("germany", 7), ("spain", 0))]
    return pd.DataFrame(rows)


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
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["germany", "uk"]  # spain all zero


def test_weekly_sums(daily_corridor: pd.DataFrame) -> None:
    fig = charts.arrivals_by_corridor(daily_corridor)
    total = sum(line.get_ydata().sum() for line in fig.axes[0].get_lines())
    assert total == pytest.approx(daily_corridor["landings"].sum())


def test_colors_cover_vocabulary() -> None:
    vocab = ("approach", "eastern_med", "western_balkans", "central_med", "western_med", "onward", "channel",
             "other")
    assert tuple(charts.CORRIDOR_COLORS) == vocab
    assert len(set(charts.CORRIDOR_COLORS.values())) == len(vocab)
    assert set(charts.CORRIDOR_LABELS) == set(vocab)


def test_save_all(tmp_path: Path, daily_corridor: pd.DataFrame) -> None:
    paths = charts.save_all({"daily_corridor": daily_corridor, "daily_destination": _daily_destination()},
                            tmp_path)
    assert {p.stem for p in paths} == set(charts.CHARTS)
    files = sorted((tmp_path / "charts").iterdir())
    assert files == sorted(paths)
    for p in files:
        assert p.suffix == ".png" and p.stat().st_size > 0
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_save_all_skips_missing_tables(tmp_path: Path) -> None:
    paths = charts.save_all({"daily_destination": _daily_destination()}, tmp_path)
    assert [p.name for p in paths] == ["arrivals_by_destination.png"]
    assert [p.name for p in (tmp_path / "charts").iterdir()] == ["arrivals_by_destination.png"]

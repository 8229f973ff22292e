"""Each kind of bad scenario input gives one clear message naming the file and key, exit 2, nothing written."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.config import load_scenario, load_with_warnings
from sim.config.actors import Weather

GOOD = """\
name = "t"
start_date = 2025-04-01
days = 5
spin_up_days = 0

[inflow.iraq]
dates = [2025-04-01]
people_per_day = [10.0]
"""


def run_cli(tmp_path: Path, text: str | bytes | None, *extra: str) -> tuple[int, str, Path]:
    """Write `text` as the scenario (None: no file), run `routesim run` on it, return code, output, out dir."""
    path = tmp_path / "scenario.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    elif text is not None:
        path.write_text(text)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out), "--quiet", "--no-charts", *extra])
    return result.exit_code, result.output, out


CASES = [
    ("missing file", None, "file not found", ""),
    ("not utf-8", b"name = \"\xff\xfe\"\n", "not UTF-8", ""),
    ("invalid toml", "name = \n", "invalid TOML", ""),
    ("empty file", "  \n", "empty", ""),
    ("unknown top-level key", GOOD + "colour = 3\n", "unknown key", "colour"),
    ("unknown nested key", GOOD + "[behaviour]\nearn_eur_per_dai = 3.0\n", "earn_eur_per_day", "behaviour"),
    ("wrong type", GOOD.replace("days = 5", 'days = "five"'), "valid integer", "days"),
    ("out of range", GOOD.replace("days = 5", "days = 0"), "greater than or equal to 1", "days"),
    ("share above 1", GOOD + "[behaviour]\nsettle_share = 1.5\n", "less than or equal to 1", "settle_share"),
    ("unknown origin", GOOD.replace("inflow.iraq", "inflow.atlantis"), "unknown origin region",
     "inflow.atlantis"),
    ("unknown origin for a news lag", GOOD + "[information.contact_lag_days_by_origin]\natlantis = 3\n",
     "unknown origin region", "information.contact_lag_days_by_origin.atlantis"),
    ("unknown corridor for guides", GOOD + '[guides]\ncorridors = ["atlantis"]\n', "unknown corridor",
     "guides.corridors"),
    ("date not a date", GOOD.replace("start_date = 2025-04-01", 'start_date = "April"'), "TOML date",
     "start_date"),
    ("impossible date", GOOD.replace("start_date = 2025-04-01", "start_date = 2025-02-30"), "invalid TOML at line 2",
     ""),
    ("missing key", GOOD.replace("days = 5\n", ""), "required", "days"),
    ("mismatched series", GOOD.replace("people_per_day = [10.0]", "people_per_day = [10.0, 2.0]"),
     "same length", "inflow.iraq"),
]


@pytest.mark.parametrize(("label", "text", "message", "key"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_clear_error(tmp_path: Path, label: str, text, message: str, key: str) -> None:
    code, output, out = run_cli(tmp_path, text)
    assert code == 2, output
    assert "scenario.toml" in output
    assert message in output
    assert key in output
    assert "Traceback" not in output
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name != "scenario.toml"] == []


def test_directory_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "scenario.toml").mkdir()
    code, output, out = run_cli(tmp_path, None)
    assert code == 2 and "is a directory" in output and not out.exists()


def test_unknown_key_lists_allowed_keys(tmp_path: Path) -> None:
    code, output, _ = run_cli(tmp_path, GOOD + "[behaviour]\nearn = 3.0\n")
    assert code == 2 and "allowed keys here" in output and "value_of_time_eur_per_day" in output


def test_bad_cli_override_is_rejected(tmp_path: Path) -> None:
    code, output, out = run_cli(tmp_path, GOOD, "--scale", "0.5")
    assert code == 2 and "scale" in output and not out.exists()


def test_real_process_exits_2_without_traceback(tmp_path: Path) -> None:
    """The installed entry point, not only the in-process runner, exits 2 with one line on stderr."""
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace("days = 5", "days = -1"))
    proc = subprocess.run([sys.executable, "-m", "sim", "run", str(path), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "bad.toml" in proc.stderr and "days" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not (tmp_path / "o").exists()


def cli_process(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The real command in a fresh process, as a user meets it."""
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=timeout)


MONTHS = "[0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, {}]"
UNIT = '[[enforcement.units]]\nname = "a"\ncorridors = ["channel"]\ninvestigators = 1.0\nprosecutors = 1.0\n'
NESTED = "x = " + "{ a = " * 3000 + "1" + " }" * 3000 + "\n"
VALUE_CASES = [
    ("negative officers", GOOD + '[patrols.beach_officers]\n"northern_france_coast->kent" = -5.0\n',
     "greater than or equal to 0", "patrols.beach_officers.northern_france_coast->kent"),
    ("nan officers", GOOD + '[patrols.beach_officers]\n"northern_france_coast->kent" = nan\n', "finite number",
     "patrols.beach_officers"),
    ("weather probability above 1", GOOD + f"[weather.areas.channel]\ngood_day_probability_by_month = "
     f"{MONTHS.format(1.5)}\n", "less than or equal to 1", "weather.areas.channel.good_day_probability_by_month"),
    ("weather probability nan", GOOD + f"[weather.areas.channel]\ngood_day_probability_by_month = "
     f"{MONTHS.format('nan')}\n", "finite number", "weather.areas.channel"),
    ("value of time inf", GOOD + "[behaviour]\nvalue_of_time_eur_per_day = inf\n", "finite number",
     "behaviour.value_of_time_eur_per_day"),
    ("duplicate unit names", GOOD + UNIT + UNIT, "unique", "enforcement"),
    ("start date 1600", GOOD.replace("start_date = 2025-04-01", "start_date = 1600-01-01"), "supported window",
     "start_date"),
    ("start date 0001", GOOD.replace("start_date = 2025-04-01", "start_date = 0001-01-01"), "supported window",
     "start_date"),
    ("start date 9999", GOOD.replace("start_date = 2025-04-01", "start_date = 9999-12-30"), "supported window",
     "start_date"),
    ("inflow date 2300", GOOD.replace("dates = [2025-04-01]", "dates = [2300-04-01]"), "supported window",
     "inflow.iraq.dates"),
    ("inflow 1e308", GOOD.replace("[10.0]", "[1e308]"), "less than or equal to 1000000", "people_per_day"),
    ("inflow inf", GOOD.replace("[10.0]", "[inf]"), "finite number", "people_per_day"),
    ("operations inf", GOOD + "[enforcement]\noperations_per_investigator_per_year = inf\n", "finite number",
     "enforcement.operations_per_investigator_per_year"),
    ("operations huge", GOOD + "[enforcement]\noperations_per_investigator_per_year = 1e300\n",
     "less than or equal to 365", "operations_per_investigator_per_year"),
    ("stock cover inf", GOOD + "[smugglers]\nstock_cover_days = inf\n", "finite number",
     "smugglers.stock_cover_days"),
    ("deeply nested tables", GOOD + NESTED, "nested too deeply", ""),
    ("long name", GOOD.replace('name = "t"', f'name = "{"n" * 300}"'), "at most 64 characters", "name"),
    ("NUL in name", GOOD.replace('name = "t"', 'name = "a\\u0000b"'), "never a path", "name"),
    ("path as name", GOOD.replace('name = "t"', 'name = "../../x"'), "never a path", "name"),
    ("month 13", GOOD.replace("start_date = 2025-04-01", "start_date = 2025-13-01"), "month 13 is not a month",
     "line 2"),
    ("day 30 of February", GOOD.replace("start_date = 2025-04-01", "start_date = 2025-02-30"),
     "day 30 is not a day of February 2025", "line 2"),
    ("misspelt intervention key", GOOD + '[interventions.x]\nkind = "launch_prevention"\nstart = 2025-04-01\n'
     'target = { corridor = "channel" }\noficers_added = 10.0\n', "unknown key; allowed keys here:",
     "interventions.x.oficers_added"),
    ("total funding without end", GOOD + '[interventions.x]\nkind = "enforcement_funding"\nstart = 2025-04-01\n'
     'target = { corridor = "channel" }\namount_gbp = 1e6\n', "there is no end", "interventions.x"),
    ("more memory than the machine has", GOOD.replace("days = 5", "days = 20000").replace("[10.0]", "[1e6]"),
     "GiB of memory", "inflow"),
]


@pytest.mark.parametrize(("label", "text", "message", "key"), VALUE_CASES, ids=[c[0] for c in VALUE_CASES])
def test_bad_value_is_one_line_naming_file_and_key(tmp_path: Path, label: str, text: str, message: str,
                                                   key: str) -> None:
    path = tmp_path / "scenario.toml"
    path.write_text(text)
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out"), "--quiet", "--no-charts"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "scenario.toml" in lines[0] and message in lines[0] and key in lines[0], lines
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert [p.name for p in tmp_path.iterdir()] == ["scenario.toml"]


def test_bad_values_in_a_real_process(tmp_path: Path) -> None:
    """A few of the cases above through the real entry point: exit 2, one line on stderr, no traceback."""
    for label, text, message, key in [c for c in VALUE_CASES if c[0] in ("inflow 1e308", "deeply nested tables")]:
        path = tmp_path / "scenario.toml"
        path.write_text(text)
        proc = cli_process("run", str(path), "--out", str(tmp_path / "out"), "--quiet", "--no-charts")
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2 and len(lines) == 1, (label, proc.stderr)
        assert message in lines[0] and key in lines[0] and "Traceback" not in proc.stderr + proc.stdout
        assert [p.name for p in tmp_path.iterdir()] == ["scenario.toml"]


FLAG_CASES = [
    (("--days", "-1"), "--days: days:", "greater than or equal to 1"),
    (("--scale", "0.5"), "--scale: scale:", "greater than or equal to 1"),
    (("--seed", "-3"), "--seed: seed:", "greater than or equal to 0"),
    (("--set", "behaviour.valu=3"), "--set: behaviour.valu:", "allowed keys here: value_of_time_eur_per_day"),
    (("--set", "behaviour.settle_share=2"), "--set: behaviour.settle_share:", "less than or equal to 1"),
    (("--set", "days"), "--set: days:", "PATH=VALUE"),
]


def test_flag_errors_name_the_flag_not_the_file(tmp_path: Path) -> None:
    path = tmp_path / "scenario.toml"
    path.write_text(GOOD)
    for flags, where, message in FLAG_CASES:
        result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out"), "--quiet", *flags])
        lines = result.stderr.strip().splitlines()
        assert result.exit_code == 2 and len(lines) == 1, (flags, result.output)
        assert where in lines[0] and message in lines[0] and "scenario.toml" not in lines[0], lines[0]
    proc = cli_process("run", str(path), "--out", str(tmp_path / "out"), "--quiet", "--days", "-1")
    assert proc.returncode == 2 and proc.stderr.strip().startswith("error: --days: days:")
    assert "Traceback" not in proc.stderr and [p.name for p in tmp_path.iterdir()] == ["scenario.toml"]


def test_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    proc = cli_process("run", str(fifo), "--out", str(tmp_path / "out"), timeout=30)
    assert proc.returncode == 2 and "pipe.toml" in proc.stderr and "not a regular file" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "out").exists()
    shown = CliRunner().invoke(app, ["show", str(fifo)])
    assert shown.exit_code == 2 and "not a regular file" in shown.stderr
    (tmp_path / "good.toml").write_text(GOOD)
    (tmp_path / "broken.toml").write_text("name = \n")
    listed = CliRunner().invoke(app, ["scenarios", "--folder", str(tmp_path)])
    assert listed.exit_code == 0, listed.output
    for broken in ("pipe", "broken"):  # both broken files listed as broken, the good one listed with its dates
        assert re.search(rf"{broken}\.toml\s*│\s*invalid", listed.output), listed.output
    assert "2025-04-01 + 5 d" in listed.output


def run_in_process(path: Path, out: Path):
    return CliRunner().invoke(app, ["run", str(path), "--out", str(out), "--quiet", "--no-charts"])


def test_extends_stays_inside_the_files_folder_and_echoes_no_foreign_value(tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    (tmp_path / "secret.toml").write_text(GOOD.replace('name = "t"', 'name = "SECRET_OUTSIDE"'))
    (sub / "notes.txt").write_text(GOOD)
    for extends in ("../secret.toml", str(tmp_path / "secret.toml"), "notes.txt", "sub/../../secret.toml"):
        child = sub / "child.toml"
        child.write_text(f'extends = "{extends}"\nname = "c"\n')
        result = run_in_process(child, tmp_path / "out")
        assert result.exit_code == 2 and "child.toml: extends:" in result.stderr, (extends, result.output)
        assert "SECRET_OUTSIDE" not in result.output
    (sub / "parent.toml").write_text(GOOD.replace("days = 5", 'days = "SECRET_VALUE"'))
    (sub / "child.toml").write_text('extends = "parent.toml"\nname = "c"\n')
    result = run_in_process(sub / "child.toml", tmp_path / "out")
    assert result.exit_code == 2 and "parent.toml: days:" in result.stderr and "SECRET_VALUE" not in result.output
    assert not (tmp_path / "out").exists()


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_scenario(path).name == "t"


def test_sea_areas_merge_with_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(GOOD + "[weather.areas.channel]\npersistence = 0.8\n")
    areas = load_scenario(path).weather.areas
    defaults = Weather().areas
    assert set(areas) == set(defaults) and areas["channel"].persistence == 0.8
    assert areas["channel"].good_day_probability_by_month == defaults["channel"].good_day_probability_by_month
    assert areas["central_med"] == defaults["central_med"]


def test_inflow_dates_not_covering_the_run_warn_naming_the_origin(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(GOOD.replace("dates = [2025-04-01]", "dates = [2025-04-02, 2025-04-03]").replace(
        "[10.0]", "[10.0, 20.0]"))
    _, warnings = load_with_warnings(path)
    assert len(warnings) == 2 and all("inflow.iraq" in w for w in warnings)
    assert "first level is held" in warnings[0] and "last level is held" in warnings[1]
    path.write_text(GOOD.replace("dates = [2025-04-01]", "dates = [2025-03-01, 2025-05-01]").replace(
        "[10.0]", "[10.0, 20.0]"))
    assert load_with_warnings(path)[1] == []

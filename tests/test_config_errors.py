"""Each kind of bad scenario input gives one clear message naming the file and key, exit 2, nothing written."""

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app

GOOD = """\
name = "t"
start_date = 2025-04-01
days = 5
spin_up_days = 0

[inflow.syria_iraq]
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
    ("unknown origin", GOOD.replace("inflow.syria_iraq", "inflow.atlantis"), "unknown origin region",
     "inflow.atlantis"),
    ("date not a date", GOOD.replace("start_date = 2025-04-01", 'start_date = "April"'), "TOML date",
     "start_date"),
    ("impossible date", GOOD.replace("start_date = 2025-04-01", "start_date = 2025-02-30"), "invalid TOML", ""),
    ("missing key", GOOD.replace("days = 5\n", ""), "required", "days"),
    ("mismatched series", GOOD.replace("people_per_day = [10.0]", "people_per_day = [10.0, 2.0]"),
     "same length", "inflow.syria_iraq"),
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

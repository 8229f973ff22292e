"""Output folders never destroy what routesim did not make (issue 9, item 1).

Through the real command where a user meets it (subprocess), and in-process where a crash or a full disk has to
be simulated at an exact point of the write."""

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.outputs import folders
from sim.outputs.folders import (
    STAGING_FILE,
    TMP_PREFIX,
    OutputError,
    claim_output,
    clean_leftovers,
    default_output,
    is_routesim_output,
    safe_name,
)
from sim.outputs.run_folder import write_run

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
ALTERNATIVE = ROOT / "scenarios" / "french_mobile_unit.toml"
TINY = ["--days", "3", "--scale", "100", "--no-charts", "--quiet"]
TABLES = {f"table_{i}": pd.DataFrame({"value": [i, i + 1]}) for i in range(3)}


def routesim(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real command, as a user runs it (this worktree's code first on the path)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=600)


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under `folder` with its content (files) or target (links)."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        found[key] = f"-> {os.readlink(path)}" if path.is_symlink() else path.read_bytes() if path.is_file() else "/"
    return found


def assert_refused(result: subprocess.CompletedProcess, *words: str) -> None:
    """Exit 2, one error line naming what it must, no traceback, no output."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    for word in words:
        assert word in lines[0], lines[0]


def complete_tag(folder: Path) -> str:
    """The manifest tag of a complete run folder (every file its marker lists is there and readable)."""
    assert is_routesim_output(folder, "run"), sorted(os.listdir(folder))
    manifest = json.loads((folder / "manifest.json").read_text())
    files = manifest["routesim_output"]["files"]
    assert files == sorted(f"{name}.parquet" for name in TABLES)
    for name in files:
        assert len(pd.read_parquet(folder / name)) == 2
    return manifest["tag"]


@pytest.fixture
def users_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    (folder / "drafts").mkdir(parents=True)
    (folder / "todo.txt").write_text("my notes")
    (folder / "drafts" / "scenario.toml").write_text('name = "mine"\n')
    return folder


def quick_scenario(folder: Path, name: str = "quick") -> Path:
    """The baseline without spin-up, named `name`: a run of a few days takes a second."""
    text = BASELINE.read_text().replace("spin_up_days = 365", "spin_up_days = 0", 1)
    path = folder / f"{name.replace('/', '_').strip('.')}.toml"
    path.write_text(text.replace('name = "baseline"', f'name = "{name}"', 1))
    return path


@pytest.mark.parametrize(("command", "case"), [("run", "users_folder"), ("compare", "users_folder"),
                                               ("run", "file")])
def test_a_folder_of_the_users_files_or_a_file_is_refused_and_untouched(request, tmp_path: Path, command: str,
                                                                         case: str) -> None:
    if case == "file":
        out, expected = tmp_path / "report.csv", ("is a file",)
        out.write_text("a,b\n1,2\n")
    else:
        out, expected = request.getfixturevalue("users_folder"), ("not a routesim output", "todo.txt")
    files = [str(BASELINE)] if command == "run" else [str(BASELINE), str(ALTERNATIVE), "--replicates", "1"]
    before = snapshot(tmp_path)
    assert_refused(routesim(command, *files, *TINY, "--out", str(out), "--overwrite"), str(out), *expected)
    assert snapshot(tmp_path) == before


def test_a_previous_run_is_replaced_only_with_overwrite(tmp_path: Path) -> None:
    scenario, out = quick_scenario(tmp_path), tmp_path / "run"
    assert routesim("run", str(scenario), *TINY, "--out", str(out)).returncode == 0
    first = snapshot(out)
    assert json.loads((out / "manifest.json").read_text())["routesim_output"]["kind"] == "run"
    assert_refused(routesim("run", str(scenario), *TINY, "--seed", "9", "--out", str(out)), "--overwrite")
    assert snapshot(out) == first
    result = routesim("run", str(scenario), *TINY, "--seed", "9", "--out", str(out), "--overwrite")
    assert result.returncode == 0, result.stderr
    assert json.loads((out / "manifest.json").read_text())["seed"] == 9
    assert sorted(os.listdir(tmp_path)) == sorted([scenario.name, "run"])  # nothing left beside it


def test_a_previous_output_with_the_users_files_added_or_of_another_kind_is_not_replaced(tmp_path: Path) -> None:
    folder = write_run(tmp_path / "run", TABLES, {"tag": "old"})
    assert is_routesim_output(folder, "run") and not is_routesim_output(folder, "comparison")
    with pytest.raises(OutputError, match="routesim run, not a comparison"):
        claim_output(folder, "comparison", overwrite=True)
    (folder / "my_analysis.csv").write_text("a,b\n")
    assert not is_routesim_output(folder)
    with pytest.raises(OutputError, match="my_analysis.csv"):
        claim_output(folder, "run", overwrite=True)
    foreign_manifest = tmp_path / "project"
    foreign_manifest.mkdir()
    (foreign_manifest / "manifest.json").write_text('{"name": "another tool"}')
    assert not is_routesim_output(foreign_manifest)
    with pytest.raises(OutputError, match="not a routesim output"):
        claim_output(foreign_manifest, "run", overwrite=True)


def test_an_empty_folder_is_used_and_nested_outputs_and_charts_count_as_routesims(tmp_path: Path) -> None:
    empty = tmp_path / "made_by_hand"
    empty.mkdir()
    assert complete_tag(write_run(empty, TABLES, {"tag": "new"})) == "new"  # nothing to lose: no --overwrite needed

    def charts(folder: Path) -> None:
        (folder / "charts").mkdir()
        (folder / "charts" / "crossings.png").write_bytes(b"png")

    sweep = write_run(tmp_path / "sweep", TABLES, {"tag": "sweep"}, extra=charts, kind="sweep")
    write_run(sweep / "analysis", TABLES, {"tag": "analysis"}, kind="analysis")
    assert is_routesim_output(sweep, "sweep") and claim_output(sweep, "sweep", overwrite=True) == sweep
    (sweep / "charts" / "my_edit.png").write_bytes(b"mine")
    with pytest.raises(OutputError, match="charts/my_edit.png"):
        claim_output(sweep, "sweep", overwrite=True)


def test_a_scenario_name_is_never_a_path(monkeypatch, tmp_path: Path) -> None:
    work = tmp_path / "a" / "b" / "work"
    work.mkdir(parents=True)
    refused = routesim("run", quick_scenario(work, "../../x").name, *TINY, cwd=work)
    assert refused.returncode == 2 and "name" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert "Traceback" not in refused.stderr and not (work / "runs").exists()
    scenario = quick_scenario(work, "..x: y*")  # allowed as a name, but not as it stands in a folder name
    result = routesim("run", scenario.name, *TINY, cwd=work)
    assert result.returncode == 0, result.stderr
    assert os.listdir(tmp_path / "a") == ["b"] and sorted(os.listdir(tmp_path / "a" / "b")) == ["work"]
    assert os.listdir(work / "runs") == ["x_y-seed20250401-days3-scale100"]
    default = Path("runs") / "x_y-seed20250401-days3-scale100"
    # The default folder, once taken, gives way to a new one rather than being replaced.
    monkeypatch.chdir(work)
    assert claim_output(default, "run", overwrite=False, unique=True) == default.with_name(f"{default.name}-2")
    assert claim_output(default, "run", overwrite=True, unique=True) == default


def test_default_names_say_what_differs_and_stay_short() -> None:
    run = default_output("run", ["baseline"], {"seed": 1, "days": 365, "scale": 1.0})
    assert run == Path("runs") / "baseline-seed1-days365-scale1"
    assert default_output("run", ["baseline"], {"seed": 1, "days": 5, "scale": 50.0}) != run
    assert safe_name("../../x") == "x" and safe_name("/abs/path") == "abs_path" and safe_name("..") == "unnamed"
    names = ["baseline", *(f"alternative_policy_number_{i:02d}" for i in range(12))]
    many = default_output("comparison", names, {"seed": 1, "days": 3, "scale": 100.0, "replicates": 1})
    assert len(os.fsencode(many.name)) < 160 and "/" not in many.name and many.name.startswith("compare-baseline-vs-")
    assert many != default_output("comparison", [*names[:-1], "another"], {"seed": 1, "days": 3, "scale": 100.0,
                                                                          "replicates": 1})


def test_twelve_alternatives_write_their_comparison(tmp_path: Path) -> None:
    """Twelve alternatives used to end in a traceback after every run was done: the folder name was too long."""
    names = ["baseline", *(f"alternative_policy_number_{i:02d}" for i in range(1, 13))]
    files = [str(quick_scenario(tmp_path, name)) for name in names]
    result = routesim("compare", *files, *TINY, "--replicates", "1", "--workers", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (folder,) = (tmp_path / "runs").iterdir()
    assert is_routesim_output(folder, "comparison")
    assert pd.read_parquet(folder / "runs.parquet")["scenario"].nunique() == 13


@pytest.fixture
def read_only(tmp_path: Path):
    """A folder nobody can write in, root included (immutable where chattr works, else mode 555)."""
    folder = tmp_path / "read_only"
    folder.mkdir()
    immutable = os.geteuid() == 0 and shutil.which("chattr") is not None and subprocess.run(
        ["chattr", "+i", str(folder)], capture_output=True).returncode == 0
    if not immutable:
        folder.chmod(0o555)
    try:
        try:
            (folder / "probe").mkdir()
        except OSError:
            yield folder
        else:
            pytest.skip("cannot make a read-only folder here")
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


def test_a_read_only_place_is_refused_before_simulating(read_only: Path) -> None:
    result = routesim("run", str(BASELINE), "--days", "3", "--scale", "100", "--no-charts",
                      "--out", str(read_only / "run"))
    assert_refused(result, "cannot write in", str(read_only))  # no progress bar: nothing was simulated
    assert os.listdir(read_only) == []


@pytest.mark.parametrize("case", ["users_folder", "link", "dangling_link", "under_a_file", "name_too_long",
                                  "read_only"])
def test_bad_locations_stop_before_any_simulation(request, monkeypatch, tmp_path: Path, case: str) -> None:
    def no_simulation(*args, **kwargs):
        raise AssertionError("simulated although the output location is unusable")

    monkeypatch.setattr("sim.runner.simulate", no_simulation)
    monkeypatch.setattr("sim.experiments.compare.compare_scenarios", no_simulation)
    (tmp_path / "report.txt").write_text("keep me")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    out, expected = {
        "link": (tmp_path / "link", "symbolic link"), "dangling_link": (tmp_path / "dangling", "symbolic link"),
        "under_a_file": (tmp_path / "report.txt" / "run", "is not a folder"),
        "name_too_long": (tmp_path / ("r" * 300), "bytes long"),
    }.get(case, (None, None))
    if case == "users_folder":
        out, expected = request.getfixturevalue("users_folder"), "not a routesim output"
    elif case == "read_only":
        out, expected = request.getfixturevalue("read_only") / "run", "cannot write in"
    before = snapshot(tmp_path)
    runner = CliRunner()
    for args in (["run", str(BASELINE)], ["compare", str(BASELINE), str(ALTERNATIVE), "--replicates", "1"]):
        result = runner.invoke(app, [*args, *TINY, "--out", str(out), "--overwrite"])
        assert result.exit_code == 2 and expected in result.output, result.output
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert snapshot(tmp_path) == before


def test_a_full_disk_leaves_the_old_folder_and_no_half_folder(monkeypatch, tmp_path: Path) -> None:
    old = write_run(tmp_path / "run", TABLES, {"tag": "old"})
    before = snapshot(tmp_path)
    real, calls = pd.DataFrame.to_parquet, []

    def disk_full(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", disk_full)
    with pytest.raises(OutputError, match=r"run: writing failed \(No space left on device\)"):
        write_run(old, TABLES, {"tag": "new"}, overwrite=True)
    assert snapshot(tmp_path) == before
    calls.clear()
    with pytest.raises(OutputError, match="No space left"):
        write_run(tmp_path / "new_run", TABLES, {"tag": "new"})
    assert snapshot(tmp_path) == before


def test_a_full_disk_through_the_command_is_one_line_and_leaves_nothing(monkeypatch, tmp_path: Path) -> None:
    def disk_full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", disk_full)
    scenario = quick_scenario(tmp_path)
    result = CliRunner().invoke(app, ["run", str(scenario), *TINY, "--out", str(tmp_path / "run")])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "run: writing failed (No space left" in result.output
    assert os.listdir(tmp_path) == [scenario.name]


CRASH = """
import os, sys
import pandas as pd
import sim.outputs.folders as folders
import sim.outputs.run_folder as run_folder
target, where, when, nth, fast = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] == "fast"
if not fast:
    folders._RENAMEAT2 = None
owner, name = where.rsplit(".", 1)
obj = {"folders": folders, "run_folder": run_folder, "os": os, "pd.DataFrame": pd.DataFrame}[owner]
original, calls = getattr(obj, name), [0]
def killed_here(*args, **kwargs):
    calls[0] += 1
    if when == "before" and calls[0] == nth:
        os._exit(9)
    result = original(*args, **kwargs)
    if when == "after" and calls[0] == nth:
        os._exit(9)
    return result
setattr(obj, name, killed_here)
tables = {f"table_{i}": pd.DataFrame({"value": [i, i + 1]}) for i in range(3)}
run_folder.write_run(target, tables, {"tag": "new"}, overwrite=True)
"""


@pytest.mark.parametrize(("where", "when", "nth", "survivor"), [
    ("pd.DataFrame.to_parquet", "after", 2, "old"),  # half the tables written
    ("run_folder.mark_manifest", "before", 1, "old"),  # tables written, no manifest yet
    ("folders._sync", "after", 1, "old"),  # staged and flushed, staging file still there
    ("folders._rename2", "before", 1, "old"),  # the staged folder complete, not yet swapped
    ("folders._rename2", "after", 1, "new"),  # swapped: the old one under the staging name
    ("os.unlink", "after", 2, "new"),  # the old one half removed
])
def test_a_crash_at_each_point_of_the_swap_leaves_old_or_new_complete(tmp_path: Path, where: str, when: str,
                                                                      nth: int, survivor: str) -> None:
    target = write_run(tmp_path / "run", TABLES, {"tag": "old"})
    killed = subprocess.run([sys.executable, "-c", CRASH, str(target), where, when, str(nth), "fast"],
                            capture_output=True, text=True, timeout=120)
    assert killed.returncode == 9, killed.stderr
    assert complete_tag(target) == survivor
    assert all(name == "run" or name.startswith(TMP_PREFIX) for name in os.listdir(tmp_path))
    # The next write removes what the killed process left (its process is gone) and replaces the folder.
    write_run(target, TABLES, {"tag": "next"}, overwrite=True)
    assert complete_tag(target) == "next" and os.listdir(tmp_path) == ["run"]


def test_without_an_atomic_exchange_the_old_folder_is_kept_under_a_clear_name(monkeypatch, tmp_path: Path) -> None:
    target = write_run(tmp_path / "run", TABLES, {"tag": "old"})
    killed = subprocess.run([sys.executable, "-c", CRASH, str(target), "os.rename", "after", "1", "slow"],
                            capture_output=True, text=True, timeout=120)
    assert killed.returncode == 9, killed.stderr
    (kept,) = [p for p in tmp_path.iterdir() if p.name.startswith(".routesim-kept-previous-run-")]
    assert complete_tag(kept) == "old"
    monkeypatch.setattr(folders, "_RENAMEAT2", None)
    write_run(target, TABLES, {"tag": "new"}, overwrite=True)
    assert complete_tag(target) == "new" and complete_tag(kept) == "old"  # a kept folder is never removed
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["run", kept.name])


def test_leftovers_are_removed_only_when_routesims_and_their_process_is_gone(tmp_path: Path) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    alive = os.getppid()
    staged = tmp_path / f"{TMP_PREFIX}{gone.pid}-a"
    users = tmp_path / f"{TMP_PREFIX}{gone.pid}-b"
    running = tmp_path / f"{TMP_PREFIX}{alive}-c"
    for folder in (staged, users, running):
        folder.mkdir()
    (staged / STAGING_FILE).touch()
    (staged / "table_0.parquet").write_bytes(b"half")
    (users / "mine.txt").write_text("not routesim's")
    (running / STAGING_FILE).touch()
    assert clean_leftovers(tmp_path) == [staged]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([users.name, running.name])

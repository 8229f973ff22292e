"""The configuration and the intervention schema import in any order, without lazy names (no import cycle)."""

import subprocess
import sys

import pytest

import sim.config
from tests.conftest import ROOT

FIRST = ("sim.config", "sim.config.fields", "sim.config.schema", "sim.config.reference", "sim.interventions.schema",
         "sim.interventions.effects", "sim.interventions.levers")


@pytest.mark.parametrize("module", FIRST)
def test_each_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    code = f"import {module}\nfrom sim.config import Scenario\nfrom sim.interventions.schema import Intervention\n"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert done.returncode == 0, done.stderr


def test_config_names_are_plain_attributes() -> None:
    assert not hasattr(sim.config, "__getattr__")
    assert all(name in vars(sim.config) for name in sim.config.__all__)

"""`python -m sim` runs the routesim command."""

from sim.cli import app

app(prog_name="routesim")

"""Validation against published series: read an observed file (`observed.py`), run the scenario as far as it
goes and score every series it holds (`score.py`, `run.py`), draw model against observed (`charts.py`), and
write the report (`report.py`)."""

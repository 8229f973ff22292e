"""Benchmarks of the model (`routesim bench`): the kernel engine against the agents engine, threads, the machine's
floor, the whole model, memory, start-up and scaling. Figures are medians after a warm-up, compared side by side
in one process.

Modules: `kernel_bench` (kernel states and timings, the floor kernel), `model_bench` (whole-model runs), `startup`
(fresh-process measurements), `report` (table, chart, docs/performance.md) and `suite` (what `--quick` and `--full`
run). Per-agent Mesa is measured through the model's agents engine (sim/population/agents.py), not a copy.
"""

"""Benchmarks of the model (`routesim bench`): the kernel against per-agent Mesa, threads, the machine's floor, the
whole model, memory, start-up and scaling. Figures are medians after a warm-up, compared side by side in one process.

Modules: `kernel_bench` (kernel states and timings, the floor kernel), `mesa_reference` (the per-agent Mesa version of
the step, for benchmarks only), `model_bench` (whole-model runs), `startup` (fresh-process measurements), `report`
(table, chart, docs/performance.md) and `suite` (what `--quick` and `--full` run).
"""

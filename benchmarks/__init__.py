"""The benchmark: OPA's decisions measured side by side with Cedar and iam-simulate.

Run it from the checkout root with `python -m benchmarks` (`make bench`); see BENCHMARKS.md.
It is not part of the pycognito_opa package and writes nothing inside it.
"""

from .report import markdown, plots, write_all
from .runner import BenchConfig, run_bench, targets
from .workloads import Estate, Workload, documented_examples, synthetic_estate

__all__ = [
    "BenchConfig",
    "Estate",
    "Workload",
    "documented_examples",
    "markdown",
    "plots",
    "run_bench",
    "synthetic_estate",
    "targets",
    "write_all",
]

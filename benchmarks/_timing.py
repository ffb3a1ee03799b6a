"""Timing shared by the benchmark scripts (run as ``python benchmarks/bench_*.py``, so this imports as ``_timing``)."""

import time


def best_time_s(fn, repeats: int) -> float:
    """Best of ``repeats`` wall-clock runs of ``fn()``: the run least disturbed by other processes."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best

"""Check the toy against a real machine: measure this host, then compare predicted with timed latencies.

``calibrate()`` measures this machine's dense GEMM rate, memory bandwidth and
per-call overhead with PyTorch and returns a ``"host"`` profile;
``compare_with_measured`` times ``torch.nn.functional.linear`` on a list of
shapes and reports the Spearman rank correlation between prediction and
measurement. Rank correlation is the honest score for a toy: it asks whether the
model *orders* layers correctly, not whether it knows this CPU's exact speed.
PyTorch is imported inside these functions only.

>>> round(spearman([1, 2, 3, 4], [10, 20, 40, 30]), 2)
0.8
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from hwprune_edu.util.validation import check_positive_int, describe
from hwprune_edu.hardware.cost import simulate
from hwprune_edu.hardware.profiles import PROFILES, Hardware, get_profile
from hwprune_edu.hardware.workload import linear

__all__ = ["spearman", "calibrate", "compare_with_measured", "ComparisonResult"]


def _ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks with ties given their average rank (as ``scipy.stats.rankdata``)."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    # Start index of each run of equal values, and its average 1-based rank.
    new_run = np.r_[True, sorted_values[1:] != sorted_values[:-1]]
    run_id = np.cumsum(new_run) - 1
    starts = np.flatnonzero(new_run)
    ends = np.r_[starts[1:], len(values)]
    average_rank = (starts + ends + 1) / 2
    ranks = np.empty(len(values))
    ranks[order] = average_rank[run_id]
    return ranks


def spearman(a, b) -> float:
    """Spearman's rank correlation: the Pearson correlation of the two rank vectors (ties averaged).

    Args:
        a, b: 1-D sequences of the same length >= 2, neither constant.

    Returns:
        rho in ``[-1, 1]``.

    >>> spearman([1, 2, 3], [3, 2, 1])
    -1.0
    >>> spearman([1, 2, 2, 3], [1, 2, 3, 4]) > 0.9
    True
    """
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    if x.ndim != 1 or y.ndim != 1 or x.shape != y.shape or x.size < 2:
        raise ValueError(f"a and b must be 1-D of the same length >= 2, got shapes {x.shape} and {y.shape}")
    rx, ry = _ranks(x) - (x.size + 1) / 2, _ranks(y) - (y.size + 1) / 2
    denominator = np.sqrt((rx * rx).sum() * (ry * ry).sum())
    if denominator == 0:
        raise ValueError("a and b must not be constant: rank correlation is undefined")
    return float(np.clip((rx * ry).sum() / denominator, -1.0, 1.0))


def _best_time_s(fn, *, repeats: int, min_batch_s: float = 2e-3, max_calls: int = 10_000) -> float:
    """Best-of-``repeats`` seconds per call, each repeat timing enough calls to last ``min_batch_s``."""
    start = time.perf_counter()
    fn()  # warm-up (allocations, lazy init)
    first = time.perf_counter() - start
    calls = int(min(max_calls, max(1, min_batch_s / max(first, 1e-9))))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


class _torch_threads:
    """Fix torch's intra-op threads for a measurement and restore them afterwards."""

    def __init__(self, num_threads: int):
        self.num_threads = num_threads

    def __enter__(self):
        import torch

        self.previous = torch.get_num_threads()
        torch.set_num_threads(self.num_threads)
        return torch

    def __exit__(self, *exc):
        import torch

        torch.set_num_threads(self.previous)
        return False


def calibrate(*, num_threads: int = 1, repeats: int = 5, seed: int = 0) -> Hardware:
    """Measure this machine with PyTorch and return a ``"host"`` profile (takes about a second).

    Measures: the dense GEMM rate of ``F.linear`` on a ``256 x 1024 x 1024``
    fp32 problem; memory bandwidth from an elementwise add over 32 MB arrays
    (read + write); the per-call overhead of a ``1 x 1`` ``F.linear``. Cycles of
    the host profile are nominal 1 GHz ticks.

    Args:
        num_threads: torch threads during the measurement (restored after).
        repeats: best-of count for every timing.
        seed: seeds the random operands.

    Returns:
        A ``Hardware`` named ``"host"`` whose ``sources`` say what was measured.

    >>> host = calibrate(repeats=1)  # doctest: +SKIP
    >>> host.peak_macs_per_s > 1e8  # doctest: +SKIP
    True
    """
    num_threads = check_positive_int(num_threads, name="num_threads")
    repeats = check_positive_int(repeats, name="repeats")
    with _torch_threads(num_threads) as torch:
        import torch.nn.functional as F

        generator = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            x = torch.randn(256, 1024, generator=generator)
            w = torch.randn(1024, 1024, generator=generator)
            gemm_s = _best_time_s(lambda: F.linear(x, w), repeats=repeats)
            macs_per_s = 256 * 1024 * 1024 / gemm_s
            big = torch.randn(8 * 2**20, generator=generator)  # 32 MB of fp32, beyond most caches
            out = torch.empty_like(big)
            copy_s = _best_time_s(lambda: torch.add(big, 1.0, out=out), repeats=repeats)
            bandwidth = 2 * big.numel() * 4 / copy_s
            tiny_x, tiny_w = torch.ones(1, 1), torch.ones(1, 1)
            overhead_s = _best_time_s(lambda: F.linear(tiny_x, tiny_w), repeats=repeats)
    cpu = PROFILES["cpu-avx2"]
    stamp = time.strftime("%Y-%m-%d %H:%M")
    measured = f"measured by calibrate() on this machine, {stamp}, {num_threads} torch thread(s)"
    sources = dict(cpu.sources)
    sources.update(
        clock_hz="nominal 1 GHz: host cycles are a unit of time, not the real clock",
        macs_per_cycle=f"{measured}: F.linear 256x1024x1024 fp32 at {macs_per_s / 1e9:.1f} GMAC/s",
        units="one measured unit: the measured rate already includes all threads",
        tile_m="no tiling modelled",
        tile_n="no tiling modelled",
        tile_k="no tiling modelled",
        memory_bandwidth_bytes_per_s=f"{measured}: 32 MB elementwise add (read + write) at {bandwidth / 1e9:.1f} GB/s",
        overhead_s=f"{measured}: 1x1 F.linear call at {overhead_s * 1e6:.2f} us",
    )
    return cpu.replace(
        name="host",
        description="this machine, measured with PyTorch",
        clock_hz=1e9,
        macs_per_cycle=macs_per_s / 1e9,
        units=1,
        tile_m=1,
        tile_n=1,
        tile_k=1,
        memory_bandwidth_bytes_per_s=bandwidth,
        overhead_s=overhead_s,
        sources=sources,
    )


@dataclass(frozen=True)
class ComparisonResult:
    """Predicted vs measured latencies of ``F.linear`` shapes and their rank correlation.

    Attributes:
        profile: name of the profile that predicted.
        shapes: tuple of ``(batch, in_features, out_features)``.
        predicted_s, measured_s: float arrays, one entry per shape.
        spearman: rank correlation of the two.
    """

    profile: str
    shapes: tuple
    predicted_s: np.ndarray
    measured_s: np.ndarray
    spearman: float

    def __str__(self) -> str:
        lines = [f"{self.profile}: Spearman rho = {self.spearman:.3f} over {len(self.shapes)} shapes"]
        lines.append(f"{'batch':>6} {'in':>6} {'out':>6} {'predicted':>12} {'measured':>12}")
        for (batch, n_in, n_out), p, m in zip(self.shapes, self.predicted_s, self.measured_s):
            lines.append(f"{batch:>6} {n_in:>6} {n_out:>6} {p * 1e6:>10.1f}us {m * 1e6:>10.1f}us")
        return "\n".join(lines)


def _check_shapes(shapes) -> tuple:
    if not isinstance(shapes, (list, tuple)) or len(shapes) < 2:
        raise ValueError(f"shapes must be a list of at least 2 (batch, in_features, out_features) tuples, got {describe(shapes)}")
    checked = []
    for index, shape in enumerate(shapes):
        if not isinstance(shape, (list, tuple)) or len(shape) != 3:
            raise ValueError(f"shapes[{index}] must be a (batch, in_features, out_features) tuple, got {describe(shape)}")
        checked.append(tuple(check_positive_int(v, name=f"shapes[{index}][{j}]") for j, v in enumerate(shape)))
    return tuple(checked)


def compare_with_measured(profile, shapes, *, num_threads: int = 1, repeats: int = 3, seed: int = 0) -> ComparisonResult:
    """Time ``torch.nn.functional.linear`` on each shape and rank-correlate with the simulator's prediction.

    Args:
        profile: a ``Hardware`` (typically from :func:`calibrate`) or a profile name.
        shapes: ``(batch, in_features, out_features)`` tuples, at least 2.
        num_threads: torch threads while timing (restored after); use the
            same value as for :func:`calibrate`.
        repeats: best-of count per shape.
        seed: seeds the random operands.

    Returns:
        A :class:`ComparisonResult`.

    >>> result = compare_with_measured("cpu-avx2", [(1, 16, 16), (64, 256, 256)], repeats=1)
    >>> result.predicted_s.shape, -1.0 <= result.spearman <= 1.0
    ((2,), True)
    """
    hardware = get_profile(profile)
    shapes = _check_shapes(shapes)
    repeats = check_positive_int(repeats, name="repeats")
    predicted = np.array([simulate([linear(*shape)], hardware).latency_s for shape in shapes])
    measured = np.empty(len(shapes))
    with _torch_threads(check_positive_int(num_threads, name="num_threads")) as torch:
        import torch.nn.functional as F

        generator = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for index, (batch, n_in, n_out) in enumerate(shapes):
                x = torch.randn(batch, n_in, generator=generator)
                w = torch.randn(n_out, n_in, generator=generator)
                b = torch.randn(n_out, generator=generator)
                measured[index] = _best_time_s(lambda: F.linear(x, w, b), repeats=repeats)
    return ComparisonResult(hardware.name, shapes, predicted, measured, spearman(predicted, measured))

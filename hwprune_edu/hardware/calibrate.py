"""Check the toy against a real machine, from measurements given as plain numbers: a host profile, a rank score.

:func:`host_profile` turns a measured GEMM rate, memory bandwidth and per-call
overhead into a ``"host"`` profile; :func:`compare_latencies` sets measured
``F.linear`` latencies beside the simulator's predictions and scores them with
the Spearman rank correlation. Rank correlation is the honest score for a toy:
it asks whether the model *orders* layers correctly, not whether it knows this
CPU's exact speed. The stopwatch itself needs PyTorch, so it lives in
:mod:`hwprune_edu.nn.timing` (``calibrate``, ``compare_with_measured``); this
module stays NumPy only.

>>> round(spearman([1, 2, 3, 4], [10, 20, 40, 30]), 2)
0.8
>>> result = compare_latencies("cpu-avx2", [(1, 64, 64), (256, 1024, 1024)], [2e-6, 6e-3])
>>> result.spearman
1.0
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Mapping, Sequence

import numpy as np

from hwprune_edu.util.validation import as_weights, check_number, check_positive_int, describe
from hwprune_edu.hardware.cost import simulate
from hwprune_edu.hardware.profiles import PROFILES, Hardware, get_profile
from hwprune_edu.hardware.workload import linear

__all__ = ["spearman", "host_profile", "ComparisonResult", "check_linear_shapes", "compare_latencies"]


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
    # NaN has no rank: it would be sorted last and give a plausible but meaningless rho.
    x = as_weights(a, name="a", ndim=1).astype(np.float64, copy=False)
    y = as_weights(b, name="b", ndim=1).astype(np.float64, copy=False)
    if x.shape != y.shape or x.size < 2:
        raise ValueError(f"a and b must be 1-D of the same length >= 2, got shapes {x.shape} and {y.shape}")
    rx, ry = _ranks(x) - (x.size + 1) / 2, _ranks(y) - (y.size + 1) / 2
    denominator = np.sqrt((rx * rx).sum() * (ry * ry).sum())
    if denominator == 0:
        raise ValueError("a and b must not be constant: rank correlation is undefined")
    return float(np.clip((rx * ry).sum() / denominator, -1.0, 1.0))


def host_profile(
    macs_per_s: float,
    memory_bandwidth_bytes_per_s: float,
    overhead_s: float,
    *,
    csr_compute_efficiency: float | None = None,
    sources: Mapping[str, str] | None = None,
    description: str = "this machine, measured",
) -> Hardware:
    """A ``"host"`` profile from measured numbers, everything else as ``cpu-avx2``.

    The measured rate already includes every core and every SIMD lane, so the
    host is one unit at a nominal 1 GHz (its cycles are a unit of time, not the
    real clock) with no tiling.

    Args:
        macs_per_s: dense GEMM rate, multiply-accumulates per second.
        memory_bandwidth_bytes_per_s: bytes read plus written per second.
        overhead_s: fixed cost of one layer call, in seconds.
        csr_compute_efficiency: the CSR kernel's measured rate per stored weight
            as a fraction of a dense GEMM's per MAC, in ``(0, 1]`` (a stored
            weight then costs ``1 / csr_compute_efficiency`` dense MACs);
            ``None`` keeps ``cpu-avx2``'s assumed 0.1.
        sources: where each measured value comes from, by profile field
            (``macs_per_cycle``, ``memory_bandwidth_bytes_per_s``, ``overhead_s``,
            ``csr`` for the CSR kernel's efficiency).
        description: the profile's one-line description.

    Returns:
        A new ``Hardware`` named ``"host"``.

    >>> host = host_profile(40e9, 25e9, 2e-6, sources={"overhead_s": "timed a 1x1 GEMM"})
    >>> host.peak_macs_per_s, host.sources["overhead_s"]
    (40000000000.0, 'timed a 1x1 GEMM')
    >>> host_profile(40e9, 25e9, 2e-6, csr_compute_efficiency=0.25).sparse_kernels["csr"].compute_efficiency
    0.25
    """
    values = {
        "macs_per_s": macs_per_s,
        "memory_bandwidth_bytes_per_s": memory_bandwidth_bytes_per_s,
        "overhead_s": overhead_s,
    }
    values = {name: check_number(value, name=name, low=0, closed="neither", meaning=" (a measured number)")
              for name, value in values.items()}
    if sources is not None and (not isinstance(sources, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in sources.items())):
        raise TypeError(f"sources must map profile fields (str) to where each value comes from (str), got {describe(sources)}")
    if not isinstance(description, str):
        raise TypeError(f"description must be a str, got {describe(description)}")
    cpu = PROFILES["cpu-avx2"]
    kernels = dict(cpu.sparse_kernels)
    if csr_compute_efficiency is None and sources and "csr" in sources:
        raise ValueError("sources['csr'] says where csr_compute_efficiency was measured: give csr_compute_efficiency "
                         "too, or leave 'csr' out to keep cpu-avx2's assumed CSR kernel")
    if csr_compute_efficiency is not None:
        efficiency = check_number(csr_compute_efficiency, name="csr_compute_efficiency", low=0, high=1, closed="right",
                                  meaning=" (a measured fraction of the dense rate)")
        source = (sources or {}).get("csr", "measured: the CSR kernel's rate per stored weight over the dense rate")
        kernels["csr"] = replace(kernels["csr"], compute_efficiency=efficiency, source=source)
    merged = dict(cpu.sources)
    merged.update(
        clock_hz="nominal 1 GHz: host cycles are a unit of time, not the real clock",
        units="one measured unit: the measured rate already includes all threads",
        tile_m="no tiling modelled",
        tile_n="no tiling modelled",
        tile_k="no tiling modelled",
    )
    # "csr" names the kernel, not a profile field: its source went into the kernel above.
    merged.update({field: text for field, text in (sources or {}).items() if field != "csr"})
    return cpu.replace(
        name="host",
        description=description,
        clock_hz=1e9,
        macs_per_cycle=values["macs_per_s"] / 1e9,
        units=1,
        tile_m=1,
        tile_n=1,
        tile_k=1,
        memory_bandwidth_bytes_per_s=values["memory_bandwidth_bytes_per_s"],
        overhead_s=values["overhead_s"],
        sparse_kernels=kernels,
        sources=merged,
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


def check_linear_shapes(shapes) -> tuple[tuple[int, int, int], ...]:
    """``shapes`` as a tuple of ``(batch, in_features, out_features)`` int tuples, at least 2 of them.

    >>> check_linear_shapes([[1, 2, 3], (4, 5, 6)])
    ((1, 2, 3), (4, 5, 6))
    """
    if not isinstance(shapes, (list, tuple)) or len(shapes) < 2:
        raise ValueError(f"shapes must be a list of at least 2 (batch, in_features, out_features) tuples, got {describe(shapes)}")
    checked = []
    for index, shape in enumerate(shapes):
        if not isinstance(shape, (list, tuple)) or len(shape) != 3:
            raise ValueError(f"shapes[{index}] must be a (batch, in_features, out_features) tuple, got {describe(shape)}")
        checked.append(tuple(check_positive_int(v, name=f"shapes[{index}][{j}]") for j, v in enumerate(shape)))
    return tuple(checked)


def compare_latencies(profile, shapes: Sequence, measured_s: Sequence[float]) -> ComparisonResult:
    """Set measured ``F.linear`` latencies beside the simulator's predictions and rank-correlate them.

    Args:
        profile: a ``Hardware`` (typically from :func:`host_profile`) or a profile name.
        shapes: ``(batch, in_features, out_features)`` tuples, at least 2.
        measured_s: one measured latency per shape, in seconds (e.g. from
            :func:`hwprune_edu.nn.timing.compare_with_measured`, or your own stopwatch).

    Returns:
        A :class:`ComparisonResult`.

    >>> result = compare_latencies("cpu-avx2", [(1, 16, 16), (64, 256, 256), (8, 64, 64)], [1e-6, 9e-5, 4e-6])
    >>> result.predicted_s.shape, result.spearman
    ((3,), 1.0)
    """
    hardware = get_profile(profile)
    shapes = check_linear_shapes(shapes)
    measured = as_weights(measured_s, name="measured_s", ndim=1).astype(np.float64)
    if measured.shape != (len(shapes),) or not np.all(measured > 0):
        raise ValueError(
            f"measured_s must hold one latency > 0 per shape ({len(shapes)}), got {describe(measured_s)}"
        )
    predicted = np.array([simulate([linear(*shape)], hardware).latency_s for shape in shapes])
    return ComparisonResult(hardware.name, shapes, predicted, measured.copy(), spearman(predicted, measured))

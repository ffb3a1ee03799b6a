"""Pictures of the toy hardware simulator: roofline, latency vs sparsity, per-layer latency breakdown.

Each function draws on a given matplotlib ``Axes`` (or makes one) and returns
it, so notebooks can restyle or save the figure. Not imported by
``hwprune_edu/__init__``: importing it imports matplotlib.

>>> from hwprune_edu.hardware import linear, simulate
>>> ax = latency_breakdown(simulate([linear(1, 64, 64), linear(256, 512, 512)], "cpu-avx2"))
>>> ax.get_xlabel()
'latency (us)'
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from hwprune_edu.hardware import PROFILES, get_profile, linear, simulate
from hwprune_edu.hardware.report import SimulationReport
from hwprune_edu.util.validation import describe

__all__ = ["roofline_chart", "latency_vs_sparsity", "latency_breakdown", "SPARSITY_PATTERNS", "BOUND_COLOURS"]

SPARSITY_PATTERNS = ("unstructured", "structured", "2:4", "block")
#: Colour of what bounds a layer's time, the same in every chart that shows it.
BOUND_COLOURS = {"compute": "tab:blue", "memory": "tab:orange", "overhead": "tab:grey"}


def _reports(reports) -> list:
    if isinstance(reports, SimulationReport):
        return [reports]
    if not isinstance(reports, (list, tuple)) or not all(isinstance(r, SimulationReport) for r in reports):
        raise TypeError(f"reports must be a SimulationReport or a list of them, got {describe(reports)}")
    return list(reports)


def roofline_chart(reports, *, ax=None):
    """Roofline of each report's platform with its layers as points (log-log FLOP/byte vs FLOP/s).

    The roof is ``min(peak FLOP/s, intensity x weight-memory bandwidth)``; a
    layer's point sits at its achieved FLOP/s (2 x effective MACs / latency)
    and its intensity *against that memory*: FLOPs per byte that crosses it
    (weights, plus activations where they share the memory, as on the CPU and
    GPU; on the NPU, MCU and EIE activations stay in on-chip buffers). So every
    point lies on or under its roof, and the gap is lost time.

    Args:
        reports: one :class:`~hwprune_edu.hardware.report.SimulationReport` or a list.
        ax: a matplotlib ``Axes`` to draw on; a new figure if ``None``.

    Returns:
        The ``Axes``.

    >>> from hwprune_edu.hardware import linear, simulate
    >>> ax = roofline_chart([simulate([linear(b, 512, 512) for b in (1, 64)], p) for p in ("gpu-ampere", "cpu-avx2")])
    >>> len(ax.get_lines())
    4
    """
    reports = _reports(reports)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    intensities = [_roof_intensity(row, r.hardware) for r in reports for row in r.layers]
    intensities = [i for i in intensities if i > 0]
    low = min(intensities + [0.1]) / 4
    high = max(intensities + [1000.0]) * 4
    x = np.geomspace(low, high, 200)
    for index, report in enumerate(reports):
        hw = report.hardware
        colour = f"C{index}"
        peak_flops = 2 * hw.peak_macs_per_s
        ax.plot(x, np.minimum(peak_flops, x * hw.memory_bandwidth_bytes_per_s), color=colour, label=f"{hw.name} roof")
        points = [
            (_roof_intensity(row, hw), 2 * row.effective_macs / row.latency_s)
            for row in report.layers
            if row.latency_s > 0 and _roof_intensity(row, hw) > 0
        ]
        if points:
            px, py = zip(*points)
            ax.plot(px, py, "o", color=colour, label=f"{hw.name} layers")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("arithmetic intensity (FLOP/byte)")
    ax.set_ylabel("FLOP/s")
    ax.set_title("Roofline: layers against each platform's roof")
    ax.legend(fontsize="small")
    return ax


def _roof_intensity(row, hw) -> float:
    """FLOPs per byte crossing the memory whose bandwidth draws the roof."""
    shared = hw.activation_bandwidth_bytes_per_s == hw.memory_bandwidth_bytes_per_s
    off_chip_bytes = row.weight_bytes + (row.activation_bytes if shared else 0.0)
    return 2 * row.effective_macs / off_chip_bytes if off_chip_bytes else 0.0


def _mask(pattern: str, shape: tuple, density: float, rng: np.random.Generator):
    rows, cols = shape
    if pattern == "unstructured":
        return rng.random(shape) < density
    if pattern == "structured":
        mask = np.zeros(shape, bool)
        mask[: max(1, round(density * rows))] = True
        return mask
    if pattern == "block":
        edge = 32
        if rows % edge or cols % edge:
            raise ValueError(f"block pattern needs sizes divisible by {edge}, got {shape}")
        return np.kron(rng.random((rows // edge, cols // edge)) < density, np.ones((edge, edge), bool))
    if pattern == "2:4":
        if cols % 4:
            raise ValueError(f"2:4 pattern needs in_features divisible by 4, got {cols}")
        rank = rng.random((rows, cols // 4, 4)).argsort(axis=2).argsort(axis=2)
        return (rank < 2).reshape(shape)
    raise ValueError(f"pattern must be one of {SPARSITY_PATTERNS}, got {pattern!r}")


def latency_vs_sparsity(shape=(64, 1024, 1024), *, profiles=None, patterns=SPARSITY_PATTERNS, densities=None, seed=0, axes=None):
    """Speed-up over dense against sparsity, one panel per platform, one line per pattern.

    ``2:4`` has a single point (50 % sparsity); the others sweep ``densities``.

    Args:
        shape: ``(batch, in_features, out_features)`` of the Linear layer.
        profiles: profile names or ``Hardware`` (default: all of :data:`PROFILES`).
        patterns: subset of :data:`SPARSITY_PATTERNS`.
        densities: kept fractions to sweep (default 0.05 ... 1.0).
        seed: for the random masks.
        axes: a sequence of ``Axes``, one per profile; new figure if ``None``.

    Returns:
        The list of ``Axes``.

    >>> axes = latency_vs_sparsity((8, 128, 128), profiles=["gpu-ampere"], densities=[0.25, 0.5])
    >>> axes[0].get_title()
    'gpu-ampere'
    """
    batch, n_in, n_out = shape
    profiles = [get_profile(p) for p in (profiles if profiles is not None else list(PROFILES))]
    densities = np.asarray(densities if densities is not None else [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0], float)
    if axes is None:
        _, axes = plt.subplots(1, len(profiles), figsize=(3.2 * len(profiles), 3.2), squeeze=False, sharey=True)
        axes = list(axes[0])
    rng = np.random.default_rng(seed)
    for ax, hw in zip(axes, profiles):
        dense_s = simulate([linear(batch, n_in, n_out)], hw).latency_s
        for pattern in patterns:
            points = [0.5] if pattern == "2:4" else densities
            speedups = [
                dense_s / simulate([linear(batch, n_in, n_out, weight_mask=_mask(pattern, (n_out, n_in), d, rng))], hw).latency_s
                for d in points
            ]
            sparsity = 1 - np.asarray(points)
            ax.plot(sparsity, speedups, "o" if pattern == "2:4" else "o-", label=pattern, markersize=4)
        ax.axhline(1.0, color="black", linewidth=0.8)
        ax.set_yscale("log")
        ax.set_title(hw.name)
        ax.set_xlabel("sparsity")
    axes[0].set_ylabel("speed-up over dense")
    axes[0].legend(fontsize="small")
    return axes


def latency_breakdown(report, *, ax=None):
    """Horizontal bars, one per layer: roofline time (coloured by what bounds it) plus fixed overhead.

    Args:
        report: a :class:`~hwprune_edu.hardware.report.SimulationReport`.
        ax: a matplotlib ``Axes``; new figure if ``None``.

    Returns:
        The ``Axes``.
    """
    (report,) = _reports(report)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.35 * len(report.layers) + 1.5))
    names = [row.name for row in report.layers]
    overhead_us = np.full(len(names), report.hardware.overhead_s * 1e6)
    roof_us = np.array([max(row.compute_s, row.memory_s) * 1e6 for row in report.layers])
    colours = [BOUND_COLOURS["memory" if row.memory_s > row.compute_s else "compute"] for row in report.layers]
    y = np.arange(len(names))
    ax.barh(y, roof_us, color=colours)
    ax.barh(y, overhead_us, left=roof_us, color=BOUND_COLOURS["overhead"])
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlabel("latency (us)")
    ax.set_title(f"{report.hardware.name}: {report.latency_s * 1e6:.1f} us in total")
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in BOUND_COLOURS.values()]
    ax.legend(handles, [f"{k}-bound" if k != "overhead" else "overhead" for k in BOUND_COLOURS], fontsize="small")
    return ax

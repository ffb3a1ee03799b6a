"""Pictures and tables of the toy hardware simulator: rooflines, speed-ups per pattern and platform, tile cliffs.

Charts draw on a given matplotlib ``Axes`` (or make a figure) and return it,
so notebooks can restyle or save the figure; tables are
:class:`~hwprune_edu.util.tables.Table` (text and HTML). The sparsity cases
are pruned with :func:`~hwprune_edu.pruning.patterns.prune_to`, so their names
are the pattern vocabulary's. Not imported by ``hwprune_edu/__init__``:
importing it imports matplotlib.

>>> from hwprune_edu.hardware import linear, simulate
>>> ax = latency_breakdown(simulate([linear(1, 64, 64), linear(256, 512, 512)], "cpu-avx2"))
>>> ax.get_xlabel()
'latency (us)'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np

from hwprune_edu.hardware import PROFILES, conv2d, describe_pattern, get_profile, linear, simulate  # noqa: F401 (doctests)
from hwprune_edu.hardware.report import SimulationReport
from hwprune_edu.hardware.workload import Layer
from hwprune_edu.pruning.patterns import prune_to
from hwprune_edu.studies.arguments import check_hardware, check_patterns, check_profiles, checked
from hwprune_edu.util.tables import Table, format_si, html_table
from hwprune_edu.util.validation import check_fraction, check_int, check_positive_int, describe
from hwprune_edu.viz.arguments import check_ax, check_axes
from hwprune_edu.viz.style import BOUND_COLOURS

__all__ = [
    "SPARSITY_PATTERNS",
    "roofline_chart",
    "latency_vs_sparsity",
    "latency_breakdown",
    "pattern_cases",
    "SpeedupGrid",
    "speedup_grid",
    "profile_table",
    "cliff_conv",
    "channel_sweep",
    "tile_cliff_chart",
    "predicted_vs_measured_chart",
]

#: One pattern of each kind, as the charts and the explorer compare them. 32x32 blocks, as
#: gpu-ampere's block-sparse kernel declares min_block=32 (Gray, Radford, Kingma 2017):
#: smaller blocks would read as a pattern no platform but EIE can use.
SPARSITY_PATTERNS = ("unstructured", "structured", "2:4", "block 32x32")
# Sparsities latency_vs_sparsity sweeps by default: dense to 95 % pruned.
_SPARSITIES = (0.0, 0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95)


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
    ax = check_ax(ax)
    if not reports:
        raise ValueError("reports must hold at least one SimulationReport")
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


def latency_vs_sparsity(shape=(64, 1024, 1024), *, profiles=None, patterns=SPARSITY_PATTERNS, sparsities=None, seed=0,
                        axes=None):
    """Speed-up over dense against sparsity, one panel per platform, one line per pattern.

    Each mask is :func:`~hwprune_edu.pruning.patterns.prune_to` of the same seeded
    Gaussian weights; N:M patterns have a single point, at their own sparsity.

    Args:
        shape: ``(batch, in_features, out_features)`` of the Linear layer.
        profiles: profile names or ``Hardware`` (default: all of :data:`PROFILES`).
        patterns: pattern names (default :data:`SPARSITY_PATTERNS`).
        sparsities: pruned fractions to sweep (default 0 ... 0.95).
        seed: seeds the weights the masks are pruned from.
        axes: a sequence of ``Axes``, one per profile; new figure if ``None``.

    Returns:
        The list of ``Axes``.

    >>> axes = latency_vs_sparsity((8, 128, 128), profiles=["gpu-ampere"], sparsities=[0.75, 0.5])
    >>> axes[0].get_title()
    'gpu-ampere'
    """
    if isinstance(shape, (str, bytes)) or not isinstance(shape, (tuple, list)) or len(shape) != 3:
        raise TypeError(f"shape must be a (batch, in_features, out_features) triple of ints, got {describe(shape)}")
    batch, n_in, n_out = (check_positive_int(d, name=f"shape[{i}]") for i, d in enumerate(shape))
    profiles = check_profiles(list(PROFILES) if profiles is None else profiles, name="profiles", empty_ok=False)
    specs = check_patterns(patterns, name="patterns")
    if sparsities is None:
        sparsities = _SPARSITIES
    if isinstance(sparsities, (str, bytes)) or not isinstance(sparsities, (list, tuple, np.ndarray)) or not len(sparsities):
        raise TypeError(f"sparsities must be a non-empty list of fractions in [0, 1], got {describe(sparsities)}")
    sparsities = [check_fraction(s, name=f"sparsities[{i}]") for i, s in enumerate(list(sparsities))]
    axes = check_axes(axes, len(profiles), per="profile")
    weights = np.random.default_rng(check_int(seed, name="seed", minimum=0)).standard_normal((n_out, n_in))
    # Each layer reads its mask once; it is then costed on every platform.
    curves = {
        spec.name: [(s, linear(batch, n_in, n_out, weight_mask=prune_to(weights, spec, s)))
                    for s in ((spec.fixed_sparsity,) if spec.fixed_sparsity is not None else sparsities)]
        for spec in specs
    }
    if axes is None:
        _, axes = plt.subplots(1, len(profiles), figsize=(3.2 * len(profiles), 3.2), squeeze=False, sharey=True)
        axes = list(axes[0])
    for ax, hw in zip(axes, profiles):
        dense_s = simulate([linear(batch, n_in, n_out)], hw).latency_s
        for name, points in curves.items():
            speedups = [dense_s / simulate([layer], hw).latency_s for _, layer in points]
            ax.plot([s for s, _ in points], speedups, "o" if len(points) == 1 else "o-", label=name, markersize=4)
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
    if not isinstance(report, SimulationReport):
        raise TypeError(f"report must be a SimulationReport (what simulate() returns), got {describe(report)}")
    ax = check_ax(ax)
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
    # The legend gets a strip of its own right of the longest bar, so it never covers one.
    ax.set_xlim(0, 1.5 * float(np.max(roof_us + overhead_us, initial=0.0)) or 1.0)
    ax.legend(handles, [f"{k}-bound" if k != "overhead" else "overhead" for k in BOUND_COLOURS], fontsize="small",
              loc="center right")
    return ax


def pattern_cases(shape: tuple[int, int], *, seed: int = 0) -> dict[str, np.ndarray]:
    """The notebook's sparsity cases for one weight shape, each a keep-mask read by the simulator.

    All are pruned with :func:`~hwprune_edu.pruning.patterns.prune_to` from the
    same seeded Gaussian weights: unstructured at 50, 90 and 95 % sparsity;
    exact 2:4; the same 2:4 mask with one extra weight kept in a single group
    (3 of 4: no longer 2:4); whole output rows at 50 %; 32x32 blocks at 50 %.

    Args:
        shape: ``(out_features, in_features)``; both divisible by 32.
        seed: seeds the weights all cases are pruned from.

    Returns:
        A dict from case name to a new boolean ``(out, in)`` mask, in display order.

    >>> cases = pattern_cases((64, 64))
    >>> [describe_pattern(m).kind for m in cases.values()]
    ['unstructured', 'unstructured', 'unstructured', 'n:m', 'unstructured', 'structured', 'block']
    """
    if not isinstance(shape, (tuple, list)) or len(shape) != 2:
        raise TypeError(f"shape must be an (out_features, in_features) pair of ints, got {describe(shape)}")
    shape = (check_positive_int(shape[0], name="shape[0]"), check_positive_int(shape[1], name="shape[1]"))
    weights = np.random.default_rng(check_int(seed, name="seed", minimum=0)).standard_normal(shape)
    two_four = prune_to(weights, "2:4")
    broken = two_four.copy()
    # Keep one pruned weight of the first group: 3 of 4 kept, which 2:4 hardware cannot store.
    broken[0, np.flatnonzero(~two_four[0, :4])[0]] = True
    return {
        "unstructured 50 %": prune_to(weights, "unstructured", 0.5),
        "unstructured 90 %": prune_to(weights, "unstructured", 0.9),
        "unstructured 95 %": prune_to(weights, "unstructured", 0.95),
        "2:4 exact": two_four,
        "2:4 but one group 3:4": broken,
        "rows 50 %": prune_to(weights, "structured", 0.5),
        "blocks 32x32 50 %": prune_to(weights, "block 32x32", 0.5),
    }


def _ridge(hw) -> str:
    ridge = 2 * hw.peak_macs_per_s / hw.memory_bandwidth_bytes_per_s
    return f"{ridge:,.0f}" if ridge >= 10 else f"{ridge:.2g}"


def profile_table(profiles: Sequence | None = None) -> Table:
    """The platforms' key constants, with the source of the peak rate and of the bandwidth.

    Ridge point = peak FLOP/s / weight-memory bandwidth: a layer with fewer FLOPs
    per byte than this waits on memory.

    Args:
        profiles: names or ``Hardware`` (default: all of :data:`~hwprune_edu.hardware.PROFILES`).

    Returns:
        A :class:`Table`, one row per platform.

    >>> profile_table(["npu-systolic", "cpu-avx2"]).column("ridge FLOP/B")
    ('2,699', '7.5')
    """
    rows = []
    for hw in check_profiles(list(PROFILES) if profiles is None else profiles, name="profiles", empty_ok=False):
        kernels = ", ".join(kernel.name for kernel in hw.sparse_kernels.values()) or "none"
        rows.append([
            hw.name,
            hw.dataflow,
            format_si(hw.peak_macs_per_s, "MAC/s"),
            format_si(hw.memory_bandwidth_bytes_per_s, "B/s"),
            _ridge(hw),
            f"{hw.weight_bits:g}/{hw.activation_bits:g}",
            format_si(hw.overhead_s, "s"),
            hw.channel_multiple,
            format_si(hw.weight_memory_bytes, "B"),
            kernels,
            hw.sources.get("macs_per_cycle", ""),
            hw.sources.get("memory_bandwidth_bytes_per_s", ""),
        ])
    headers = ["platform", "dataflow", "peak", "weight bandwidth", "ridge FLOP/B", "bits w/a", "overhead/layer",
               "channel multiple", "weight memory", "sparse kernels", "source: peak", "source: bandwidth"]
    return _ProfileTable(headers, rows)


class _ProfileTable(Table):
    """Prints as one table; in Jupyter the two source columns go in a second table, so both fit a 1400 px window.

    (Twelve columns, two of them sentences, are wider than a notebook beside JupyterLab's file browser.)
    """

    def _repr_html_(self) -> str:
        n = len(self.headers) - 2
        numbers = html_table(self.headers[:n], [row[:n] for row in self.rows])
        sources = html_table(["platform", *self.headers[n:]], [(row[0], *row[n:]) for row in self.rows],
                             title="Where the peak and the bandwidth come from")
        return f"<div>{numbers}<br>{sources}</div>"


@dataclass(frozen=True)
@checked
class SpeedupGrid:
    """Speed-up over dense of each sparsity case on each platform (from :func:`speedup_grid`).

    Attributes:
        batch: rows per forward pass.
        cases: case names (rows); platforms: profile names (columns).
        speedup: ``(cases, platforms)`` array of dense latency / pruned latency.
        kernels: ``(cases, platforms)`` nested tuple of the kernel each cell ran.
        fits: ``(cases, platforms)`` bool array: whether the pruned layer fits the platform's memory.
    """

    batch: int
    cases: tuple
    platforms: tuple
    speedup: np.ndarray
    kernels: tuple
    fits: np.ndarray

    def table(self) -> Table:
        """Cells ``"1.92x (2:4 sparse tensor core)"``; a ``*`` marks layers that do not fit the platform."""
        rows = [
            [case] + [f"{s:.2f}x ({k}){'' if f else ' *'}" for s, k, f in zip(speedups, kernels, fits)]
            for case, speedups, kernels, fits in zip(self.cases, self.speedup, self.kernels, self.fits)
        ]
        return Table(["case"] + list(self.platforms), rows, title=f"speed-up over dense, batch {self.batch}")

    def __str__(self) -> str:
        return str(self.table())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return self.table()._repr_html_()

    def heatmap(self, ax=None):
        """Colour each cell by log2 speed-up (red slower, white equal, blue faster) and write the ratio in it.

        Returns:
            The matplotlib ``Axes``.
        """
        if ax is None:
            _, ax = plt.subplots(figsize=(1.3 * len(self.platforms) + 2.5, 0.45 * len(self.cases) + 1.2))
        log_speedup = np.log2(self.speedup)
        limit = max(1.0, float(np.abs(log_speedup).max()))
        ax.imshow(log_speedup, cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto")
        for (i, j), value in np.ndenumerate(self.speedup):
            dark = abs(log_speedup[i, j]) > 0.6 * limit  # white text on the deepest colours
            ax.text(j, i, f"{value:.2f}x", ha="center", va="center", fontsize="small",
                    color="white" if dark else "black")
        ax.set_xticks(range(len(self.platforms)), self.platforms, rotation=20)
        ax.set_yticks(range(len(self.cases)), self.cases)
        ax.set_title(f"speed-up over dense (batch {self.batch})")
        return ax


def speedup_grid(cases: Mapping[str, Any], *, batch: int, profiles: Sequence | None = None) -> SpeedupGrid:
    """Simulate each keep-mask as a Linear layer on each platform against the same layer dense.

    Args:
        cases: case name -> boolean ``(out, in)`` keep-mask (e.g. :func:`pattern_cases`); not modified.
        batch: rows per forward pass (>= 1).
        profiles: names or ``Hardware`` (default: all of :data:`~hwprune_edu.hardware.PROFILES`).

    Returns:
        A :class:`SpeedupGrid` (prints as a table; ``.heatmap()`` draws it).

    >>> grid = speedup_grid(pattern_cases((64, 64)), batch=1, profiles=["mcu-m4"])
    >>> grid.speedup[:, 0].round(2).tolist()  # 95 % unstructured leaves some rows and columns empty
    [1.0, 1.0, 1.07, 1.0, 1.0, 2.0, 1.0]
    """
    batch = check_positive_int(batch, name="batch")
    if not isinstance(cases, Mapping) or not cases:
        raise TypeError(f"cases must be a non-empty dict of name -> (out, in) keep-mask, got {describe(cases)}")
    hardware = check_profiles(list(PROFILES) if profiles is None else profiles, name="profiles", empty_ok=False)
    speedup = np.empty((len(cases), len(hardware)))
    fits = np.empty((len(cases), len(hardware)), bool)
    kernels = []
    for i, (name, mask) in enumerate(cases.items()):
        array = np.asarray(mask)
        if array.ndim != 2:
            raise ValueError(f"cases[{name!r}] must be a 2-D (out, in) keep-mask, got {describe(array)}")
        out_features, in_features = array.shape
        pruned_layer = linear(batch, in_features, out_features, weight_mask=array, name=name)
        row = []
        for j, hw in enumerate(hardware):
            pruned = simulate([pruned_layer], hw)
            speedup[i, j] = simulate([linear(batch, in_features, out_features)], hw).latency_s / pruned.latency_s
            fits[i, j] = pruned.fits
            row.append(pruned.layers[0].kernel)
        kernels.append(tuple(row))
    return SpeedupGrid(batch, tuple(cases), tuple(hw.name for hw in hardware), speedup, tuple(kernels), fits)


def cliff_conv(out_channels: int) -> Layer:
    """The tile-cliff workload: a 3x3 conv, 256 input channels, 56x56 map, batch 1, ``out_channels`` filters.

    Large ``M = 56 * 56 = 3136`` makes it compute-bound on the NPU and GPU,
    where tiles decide the time. A memory-bound layer shows a much smaller
    cliff: its time is bytes, and bytes grow smoothly with N.

    >>> cliff_conv(257).n, cliff_conv(257).m
    (257, 3136)
    """
    out_channels = check_positive_int(out_channels, name="out_channels")
    return conv2d(1, 256, out_channels, 3, 56, padding=1, name=f"conv 256->{out_channels}")


def _check_make_layer(make_layer) -> Callable[[int], Layer]:
    if make_layer is None:
        return cliff_conv
    if not callable(make_layer):
        raise TypeError(f"make_layer must be a function of the channel count returning a Layer, got {describe(make_layer)}")
    return make_layer


def channel_sweep(platform, out_channels: Sequence[int], *, make_layer: Callable[[int], Layer] | None = None) -> Table:
    """Latency of one layer at several output-channel counts on one platform, with the tile-rounded count.

    Args:
        platform: a profile name or ``Hardware``.
        out_channels: the channel counts to try.
        make_layer: channel count -> ``Layer`` (default :func:`cliff_conv`).

    Returns:
        A :class:`Table`: channels, GEMM, compute cycles, latency, latency per channel, bound,
        and ``hw.round_channels(N)`` (the width Torch-Pruning's ``round_to`` would keep).

    >>> channel_sweep("npu-systolic", [256, 257, 512]).column("latency")
    ('50.2 us', '100 us', '100 us')
    """
    hw = check_hardware(platform, name="platform")
    make_layer = _check_make_layer(make_layer)
    if isinstance(out_channels, (str, bytes)) or not isinstance(out_channels, (list, tuple, np.ndarray)) \
            or not len(out_channels):
        raise TypeError(f"out_channels must be a non-empty list of channel counts, got {describe(out_channels)}")
    rows = []
    for i, n in enumerate(list(out_channels)):
        n = check_positive_int(n, name=f"out_channels[{i}]")
        row = simulate([make_layer(n)], hw).layers[0]
        rows.append([n, f"{row.m}x{row.n}x{row.k}", f"{row.compute_cycles:,}", format_si(row.latency_s, "s"),
                     format_si(row.latency_s / n, "s"), row.bound, hw.round_channels(n)])
    headers = ["out channels", "GEMM MxNxK", "compute cycles", "latency", "per channel", "bound", "round_channels"]
    return Table(headers, rows, title=f"{hw.name} (channel multiple {hw.channel_multiple})")


def tile_cliff_chart(platforms: Sequence, *, multiples: int = 3, make_layer: Callable[[int], Layer] | None = None,
                     axes=None):
    """Latency against output channels, 1 to ``multiples`` tiles wide, one panel per platform.

    Dotted lines mark multiples of ``hw.channel_multiple``: one channel past a line costs a whole new tile.

    Args:
        platforms: profile names or ``Hardware``.
        multiples: how many tiles of channels to sweep.
        make_layer: channel count -> ``Layer`` (default :func:`cliff_conv`).
        axes: a sequence of ``Axes``, one per platform; a new figure if ``None``.

    Returns:
        The list of ``Axes``.
    """
    hardware = check_profiles(platforms, name="platforms", empty_ok=False)
    multiples = check_positive_int(multiples, name="multiples")
    make_layer = _check_make_layer(make_layer)
    axes = check_axes(axes, len(hardware), per="platform")
    if axes is None:
        _, axes = plt.subplots(1, len(hardware), figsize=(4.5 * len(hardware), 3.2), squeeze=False)
        axes = list(axes[0])
    for ax, hw in zip(axes, hardware):
        step = hw.channel_multiple
        channels = np.arange(1, multiples * step + 2)
        latency_us = [simulate([make_layer(int(n))], hw).latency_s * 1e6 for n in channels]
        ax.step(channels, latency_us, where="post")
        for edge in range(step, multiples * step + 1, step):
            ax.axvline(edge, color="grey", linestyle=":", linewidth=1)
        ax.set_title(f"{hw.name}: tile = {step} channels")
        ax.set_xlabel("output channels N")
        ax.set_ylim(bottom=0)
    axes[0].set_ylabel("latency (us)")
    return axes


def predicted_vs_measured_chart(result, ax=None):
    """Log-log scatter of predicted against measured latency, with the ``y = x`` line and Spearman's rho.

    Args:
        result: a :class:`~hwprune_edu.hardware.ComparisonResult` (from ``compare_with_measured``).
        ax: a matplotlib ``Axes``; a new figure if ``None``.

    Returns:
        The ``Axes``.
    """
    for attribute in ("predicted_s", "measured_s", "spearman", "profile"):
        if not hasattr(result, attribute):
            raise TypeError(f"result must be a ComparisonResult from compare_with_measured, got {describe(result)}")
    ax = check_ax(ax)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5))
    measured_us = np.asarray(result.measured_s) * 1e6
    predicted_us = np.asarray(result.predicted_s) * 1e6
    ax.loglog(measured_us, predicted_us, "o", markersize=4)
    low = min(measured_us.min(), predicted_us.min()) / 2
    high = max(measured_us.max(), predicted_us.max()) * 2
    ax.plot([low, high], [low, high], color="grey", linestyle="--", linewidth=1, label="y = x")
    ax.set_xlabel("measured latency (us)")
    ax.set_ylabel("predicted latency (us)")
    ax.set_title(f"{result.profile}: Spearman rho = {result.spearman:.2f}")
    ax.legend(fontsize="small")
    return ax

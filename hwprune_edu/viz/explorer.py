"""The instructor's sparsity explorer (an ``ipywidgets`` demo) and the tables and charts of notebook 03.

:func:`sparsity_explorer` puts a sparsity slider and pattern / platform / batch
menus on one pruned Linear layer; its callback :func:`explore` is an ordinary
function of those values (no hidden state), so it can be called, printed and
tested without a browser. The other helpers turn simulator runs into small
tables (:class:`Table` renders as text and HTML) and charts for the simulator
tour: the platforms as data, the pattern-by-platform speed-up grid, tile
cliffs, and predicted vs measured latency.

Sits above the NumPy core: imports ``hwprune_edu.hardware`` and
``hwprune_edu.pruning``; ``ipywidgets`` and ``matplotlib`` are imported only by
the functions that draw.

>>> result = explore(0.5, "2:4", "gpu-ampere", batch=1024, in_features=4096, out_features=4096)
>>> result.kernel, round(result.speedup, 2)
('2:4 sparse tensor core', 1.92)
"""

from __future__ import annotations

import functools
import html
import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from hwprune_edu.hardware import PROFILES, conv2d, describe_pattern, get_profile, linear, simulate  # noqa: F401 (doctests)
from hwprune_edu.hardware.report import SimulationReport
from hwprune_edu.hardware.workload import Layer
from hwprune_edu.pruning import block_mask, magnitude_mask, nm_mask, structured_mask
from hwprune_edu.util.tables import Table, format_si
from hwprune_edu.util.validation import check_int, check_positive_int, describe

__all__ = [
    "EXPLORER_PATTERNS",
    "BATCH_OPTIONS",
    "BLOCK_EDGE",
    "pattern_mask",
    "pattern_cases",
    "Exploration",
    "explore",
    "sparsity_explorer",
    "profile_table",
    "SpeedupGrid",
    "speedup_grid",
    "cliff_conv",
    "channel_sweep",
    "tile_cliff_chart",
    "predicted_vs_measured_chart",
]

EXPLORER_PATTERNS = ("unstructured", "2:4", "structured rows", "block")
BATCH_OPTIONS = (1, 16, 64, 256, 1024)
# gpu-ampere's block-sparse kernel declares min_block=32 (Gray, Radford, Kingma 2017):
# smaller blocks would read as a pattern no platform but EIE can use.
BLOCK_EDGE = 32


# ---------------------------------------------------------------------------------------------- masks


@functools.lru_cache(maxsize=16)
def _weights(shape: tuple[int, int], seed: int) -> np.ndarray:
    """Seeded standard-normal weights, cached (read-only) so slider moves do not redraw them."""
    weights = np.random.default_rng(seed).standard_normal(shape)
    weights.setflags(write=False)
    return weights


def _check_shape(shape: Any) -> tuple[int, int]:
    if not isinstance(shape, (tuple, list)) or len(shape) != 2:
        raise TypeError(f"shape must be an (out_features, in_features) pair of ints, got {describe(shape)}")
    return check_positive_int(shape[0], name="shape[0]"), check_positive_int(shape[1], name="shape[1]")


def _check_sparsity(sparsity: Any) -> float:
    if isinstance(sparsity, (bool, np.bool_)) or not isinstance(sparsity, numbers.Real) or not 0 <= sparsity < 1:
        raise ValueError(f"sparsity must be a number in [0, 1) (the pruned fraction), got {describe(sparsity)}")
    return float(sparsity)


def pattern_mask(pattern: str, shape: tuple[int, int], sparsity: float, *, seed: int = 0) -> np.ndarray:
    """Keep-mask of one explorer pattern, pruned from seeded Gaussian weights with the library's pruners.

    ``"unstructured"`` is :func:`~hwprune_edu.pruning.magnitude_mask`; ``"2:4"`` is
    :func:`~hwprune_edu.pruning.nm_mask` (always 50 %: ``sparsity`` is ignored, the
    hardware format fixes it); ``"structured rows"`` removes whole output neurons
    with :func:`~hwprune_edu.pruning.structured_mask`; ``"block"`` removes
    ``BLOCK_EDGE x BLOCK_EDGE`` tiles with :func:`~hwprune_edu.pruning.block_mask`.

    Args:
        pattern: one of :data:`EXPLORER_PATTERNS`.
        shape: ``(out_features, in_features)`` of the weight.
        sparsity: pruned fraction in ``[0, 1)``.
        seed: seeds the weights.

    Returns:
        A new boolean ``(out, in)`` keep-mask.

    >>> mask = pattern_mask("structured rows", (4, 8), 0.5)
    >>> mask.sum(axis=1).tolist()  # the two rows with the smallest L1 norm are gone
    [0, 8, 8, 0]
    """
    if pattern not in EXPLORER_PATTERNS:
        raise ValueError(f"pattern must be one of {EXPLORER_PATTERNS}, got {describe(pattern)}")
    out_features, in_features = _check_shape(shape)
    sparsity = _check_sparsity(sparsity)
    weights = _weights((out_features, in_features), check_int(seed, name="seed", minimum=0))
    if pattern == "unstructured":
        return magnitude_mask(weights, sparsity)
    if pattern == "structured rows":
        return structured_mask(weights, sparsity)
    if pattern == "2:4":
        if in_features % 4:
            raise ValueError(f"the 2:4 pattern needs in_features divisible by 4 (groups of 4 inputs), got {in_features}")
        return nm_mask(weights, 2, 4)
    if out_features % BLOCK_EDGE or in_features % BLOCK_EDGE:
        raise ValueError(
            f"the block pattern needs both sizes divisible by {BLOCK_EDGE} ({BLOCK_EDGE}x{BLOCK_EDGE} blocks), "
            f"got shape {(out_features, in_features)}"
        )
    return block_mask(weights, sparsity, block=(BLOCK_EDGE, BLOCK_EDGE))


def pattern_cases(shape: tuple[int, int], *, seed: int = 0) -> dict[str, np.ndarray]:
    """The notebook's sparsity cases for one weight shape, each a keep-mask read by the simulator.

    Unstructured at 50, 90 and 95 % sparsity; exact 2:4; the same 2:4 mask with
    one extra weight kept in a single group (3 of 4: no longer 2:4); whole output
    rows at 50 %; ``BLOCK_EDGE``-square blocks at 50 %.

    Args:
        shape: ``(out_features, in_features)``; both divisible by :data:`BLOCK_EDGE`.
        seed: seeds the weights all cases are pruned from.

    Returns:
        A dict from case name to a new boolean ``(out, in)`` mask, in display order.

    >>> cases = pattern_cases((64, 64))
    >>> [describe_pattern(m).kind for m in cases.values()]
    ['unstructured', 'unstructured', 'unstructured', 'n:m', 'unstructured', 'structured', 'block']
    """
    two_four = pattern_mask("2:4", shape, 0.5, seed=seed)
    broken = two_four.copy()
    # Keep one pruned weight of the first group: 3 of 4 kept, which 2:4 hardware cannot store.
    broken[0, np.flatnonzero(~two_four[0, :4])[0]] = True
    return {
        "unstructured 50 %": pattern_mask("unstructured", shape, 0.5, seed=seed),
        "unstructured 90 %": pattern_mask("unstructured", shape, 0.9, seed=seed),
        "unstructured 95 %": pattern_mask("unstructured", shape, 0.95, seed=seed),
        "2:4 exact": two_four,
        "2:4 but one group 3:4": broken,
        "rows 50 %": pattern_mask("structured rows", shape, 0.5, seed=seed),
        f"blocks {BLOCK_EDGE}x{BLOCK_EDGE} 50 %": pattern_mask("block", shape, 0.5, seed=seed),
    }


# ---------------------------------------------------------------------------------------------- explorer


def _pattern_label(row) -> str:
    """``"unstructured, 50 % sparse"`` for a report row (``"dense"`` if nothing was pruned)."""
    return "dense" if row.pattern == "dense" else f"{row.pattern}, {1 - row.density:.0%} sparse"


@dataclass(frozen=True)
class Exploration:
    """One explorer setting: a pruned Linear layer against its dense self on one platform.

    Attributes:
        pattern: the pattern asked for (one of :data:`EXPLORER_PATTERNS`).
        sparsity_asked: the slider's value.
        sparsity: the fraction actually pruned (2:4 is always 0.5).
        batch, in_features, out_features: the layer.
        dense, pruned: the two :class:`~hwprune_edu.hardware.report.SimulationReport`.
    """

    pattern: str
    sparsity_asked: float
    sparsity: float
    batch: int
    in_features: int
    out_features: int
    dense: SimulationReport
    pruned: SimulationReport

    @property
    def platform(self) -> str:
        """The platform's name."""
        return self.dense.hardware.name

    @property
    def kernel(self) -> str:
        """The kernel that ran the pruned layer (``"dense"`` or the sparse kernel's name)."""
        return self.pruned.layers[0].kernel

    @property
    def pattern_read(self) -> str:
        """The pattern kind the simulator read from the mask (``"n:m"``, ``"structured"``, ...)."""
        return self.pruned.layers[0].pattern

    @property
    def speedup(self) -> float:
        """Dense latency over pruned latency (> 1 means the pruned layer is faster)."""
        return self.dense.latency_s / self.pruned.latency_s

    @property
    def energy_ratio(self) -> float:
        """Dense energy over pruned energy (> 1 means the pruned layer uses less)."""
        return self.dense.energy_j / self.pruned.energy_j

    def why(self) -> str:
        """One sentence on why the speed-up came out as it did."""
        row, hw = self.pruned.layers[0], self.dense.hardware
        if row.pattern == "dense":
            return "nothing was pruned, so nothing changes."
        if row.pattern == "structured":
            reason = f"whole rows are gone, so {hw.name} runs a smaller dense GEMM (N={row.n})"
        elif row.kernel == "dense":
            return (f"{hw.name} has no sparse kernel for {row.pattern} masks, so its dense kernel runs and multiplies "
                    "the zeros too.")
        elif math.isclose(self.speedup, 1, abs_tol=0.005):
            reason = (f"at {self.sparsity:.0%} sparsity the {row.kernel} kernel's per-weight overhead exactly cancels "
                      "the zeros it skips: this is its break-even density")
        elif self.speedup < 1:
            reason = (f"the {row.kernel} kernel pays per stored weight (index bits, lower efficiency); at "
                      f"{self.sparsity:.0%} sparsity that costs more than the zeros it skips")
        else:
            reason = f"the {row.kernel} kernel skips the pruned weights"
        if row.bound != "overhead":
            return f"{reason}; the layer is {row.bound}-bound."
        overhead = format_si(hw.overhead_s, "s")
        if self.speedup < 1.05:
            return f"{reason}, but the fixed per-layer overhead ({overhead}) dominates: the layer is too small for pruning to matter."
        return f"{reason}, but the fixed per-layer overhead ({overhead}) now dominates and caps the speed-up."

    def table(self) -> Table:
        """Dense and pruned side by side: pattern read, kernel, latency, energy, bound."""
        rows = []
        for label, report in (("dense", self.dense), ("pruned", self.pruned)):
            row = report.layers[0]
            rows.append([label, _pattern_label(row), row.kernel, format_si(report.latency_s, "s"), format_si(report.energy_j, "J"),
                         row.bound, "yes" if report.fits else "NO"])
        title = (f"{self.platform}: Linear {self.in_features} -> {self.out_features}, batch {self.batch}; "
                 f"{self.pattern} pruning at {self.sparsity:.0%} sparsity")
        return Table(["", "pattern read", "kernel", "latency", "energy", "bound", "fits"], rows, title=title)

    def notes(self) -> list[str]:
        """The lines printed under the table: the verdict and its reason, and any warnings."""
        lines = []
        if self.pattern == "2:4" and not math.isclose(self.sparsity_asked, 0.5):
            lines.append("(2:4 is always 50 % sparse: the slider does not apply to it)")
        lines += [f"WARNING: {w}" for w in self.pruned.warnings]
        lines.append(f"speed-up {self.speedup:.2f}x, energy saved {self.energy_ratio:.2f}x: {self.why()}")
        return lines

    def __str__(self) -> str:
        return "\n".join([str(self.table()), *self.notes()])

    def _repr_html_(self) -> str:
        notes = "<br>".join(html.escape(line) for line in self.notes())
        return f"{self.table()._repr_html_()}<p>{notes}</p>"

    def plot(self, ax=None):
        """Bar chart of dense vs pruned latency on this platform, coloured by what bounds each.

        Args:
            ax: a matplotlib ``Axes``; a new figure if ``None``.

        Returns:
            The ``Axes``.
        """
        import matplotlib.pyplot as plt

        from hwprune_edu.viz.simulator import BOUND_COLOURS

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 2.4))
        labels = ["dense", f"{self.pattern}\n{self.sparsity:.0%} sparse"]
        reports = (self.dense, self.pruned)
        latency_us = [report.latency_s * 1e6 for report in reports]
        colours = [BOUND_COLOURS[report.layers[0].bound] for report in reports]
        bars = ax.barh(labels, latency_us, color=colours)
        ax.bar_label(bars, [f" {format_si(r.latency_s, 's')} ({r.layers[0].bound})" for r in reports], fontsize="small")
        ax.invert_yaxis()
        ax.set_xlim(0, max(latency_us) * 1.5)
        ax.set_xlabel("latency (us)")
        ax.set_title(f"{self.platform}: {self.speedup:.2f}x vs dense (kernel: {self.kernel})", fontsize="medium")
        return ax



def explore(sparsity: float, pattern: str, platform, *, batch: int = 64, in_features: int = 1024,
            out_features: int = 1024, seed: int = 0, show: bool = False, ax=None) -> Exploration:
    """Prune one Linear layer with ``pattern`` to ``sparsity`` and simulate it against dense on ``platform``.

    The explorer's callback; it depends on its arguments only.

    Args:
        sparsity: pruned fraction in ``[0, 1)`` (ignored by ``"2:4"``, always 50 %).
        pattern: one of :data:`EXPLORER_PATTERNS`.
        platform: a profile name or a ``Hardware``.
        batch, in_features, out_features: the layer ``(batch x in) -> (batch x out)``.
        seed: seeds the weights the mask is pruned from.
        show: print the table and the reason, and draw :meth:`Exploration.plot`.
        ax: where to draw when ``show`` (a new figure if ``None``).

    Returns:
        An :class:`Exploration` (``.speedup``, ``.kernel``, ``.table()``, ``.why()``).

    >>> explore(0.9, "unstructured", "npu-systolic").speedup  # dense kernels multiply the zeros
    1.0
    """
    hardware = get_profile(platform)
    batch = check_positive_int(batch, name="batch")
    shape = (check_positive_int(out_features, name="out_features"), check_positive_int(in_features, name="in_features"))
    mask = pattern_mask(pattern, shape, sparsity, seed=seed)
    dense = simulate([linear(batch, shape[1], shape[0], name="dense")], hardware)
    pruned = simulate([linear(batch, shape[1], shape[0], weight_mask=mask, name="pruned")], hardware)
    result = Exploration(pattern, float(sparsity), 1 - float(mask.mean()), batch, shape[1], shape[0], dense, pruned)
    if show:
        print(result)
        result.plot(ax)
    return result


def sparsity_explorer(*, sparsity: float = 0.5, pattern: str = "unstructured", platform: str = "gpu-ampere",
                      batch: int = 64, in_features: int = 1024, out_features: int = 1024, seed: int = 0):
    """The instructor's demo: sliders for sparsity, pattern, platform and batch over one pruned Linear layer.

    Every change calls :func:`explore` with ``show=True`` (a table, the reason and
    a bar chart in the widget's output area); the latest :class:`Exploration` is
    the widget's ``.result``.

    Args:
        sparsity, pattern, platform, batch: the controls' starting values.
        in_features, out_features: the layer's size (fixed for the session).
        seed: seeds the weights.

    Returns:
        An ``ipywidgets.interactive`` (display it; ``.children`` are the controls
        then the output area).

    >>> demo = sparsity_explorer(platform="sparse-eie")  # doctest: +SKIP
    >>> demo.children[1].value = "2:4"  # doctest: +SKIP
    >>> demo.result.kernel  # doctest: +SKIP
    'eie-csc'
    """
    import ipywidgets as widgets

    if pattern not in EXPLORER_PATTERNS:
        raise ValueError(f"pattern must be one of {EXPLORER_PATTERNS}, got {describe(pattern)}")
    if platform not in PROFILES:
        raise ValueError(f"platform must be one of {tuple(PROFILES)}, got {describe(platform)}")
    if batch not in BATCH_OPTIONS:
        raise ValueError(f"batch must be one of {BATCH_OPTIONS}, got {describe(batch)}")
    controls = dict(
        sparsity=widgets.FloatSlider(value=_check_sparsity(sparsity), min=0.0, max=0.95, step=0.05,
                                     description="sparsity", continuous_update=False),
        pattern=widgets.Dropdown(options=EXPLORER_PATTERNS, value=pattern, description="pattern"),
        platform=widgets.Dropdown(options=tuple(PROFILES), value=platform, description="platform"),
        batch=widgets.Dropdown(options=BATCH_OPTIONS, value=batch, description="batch"),
    )

    def show(sparsity, pattern, platform, batch):
        return explore(round(sparsity, 4), pattern, platform, batch=batch, in_features=in_features,
                       out_features=out_features, seed=seed, show=True)

    return widgets.interactive(show, **controls)


# ---------------------------------------------------------------------------------------------- tables


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
    for hw in (get_profile(p) for p in (profiles if profiles is not None else list(PROFILES))):
        kernels = ", ".join(f"{kind}: {kernel.name}" for kind, kernel in hw.sparse_kernels.items()) or "none"
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
    return Table(headers, rows)


@dataclass(frozen=True)
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
        import matplotlib.pyplot as plt

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
    >>> grid.speedup[:, 0].round(2).tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 1.0]
    """
    batch = check_positive_int(batch, name="batch")
    if not isinstance(cases, Mapping) or not cases:
        raise TypeError(f"cases must be a non-empty dict of name -> (out, in) keep-mask, got {describe(cases)}")
    hardware = [get_profile(p) for p in (profiles if profiles is not None else list(PROFILES))]
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


# ---------------------------------------------------------------------------------------------- tile cliffs


def cliff_conv(out_channels: int) -> Layer:
    """The tile-cliff workload: a 3x3 conv, 256 input channels, 56x56 map, batch 1, ``out_channels`` filters.

    Large ``M = 56 * 56 = 3136`` makes it compute-bound on the NPU and GPU,
    where tiles decide the time. A memory-bound layer shows a much smaller
    cliff: its time is bytes, and bytes grow smoothly with N.

    >>> cliff_conv(257).n, cliff_conv(257).m
    (257, 3136)
    """
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
    hw = get_profile(platform)
    make_layer = _check_make_layer(make_layer)
    rows = []
    for n in out_channels:
        n = check_positive_int(n, name="out_channels[...]")
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
    import matplotlib.pyplot as plt

    hardware = [get_profile(p) for p in platforms]
    multiples = check_positive_int(multiples, name="multiples")
    make_layer = _check_make_layer(make_layer)
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


# ---------------------------------------------------------------------------------------------- calibration


def predicted_vs_measured_chart(result, ax=None):
    """Log-log scatter of predicted against measured latency, with the ``y = x`` line and Spearman's rho.

    Args:
        result: a :class:`~hwprune_edu.hardware.ComparisonResult` (from ``compare_with_measured``).
        ax: a matplotlib ``Axes``; a new figure if ``None``.

    Returns:
        The ``Axes``.
    """
    import matplotlib.pyplot as plt

    for attribute in ("predicted_s", "measured_s", "spearman", "profile"):
        if not hasattr(result, attribute):
            raise TypeError(f"result must be a ComparisonResult from compare_with_measured, got {describe(result)}")
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


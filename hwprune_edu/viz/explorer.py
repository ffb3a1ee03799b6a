"""The instructor's sparsity explorer: an ``ipywidgets`` demo over one pruned Linear layer.

:func:`sparsity_explorer` puts a sparsity slider and pattern / platform / batch
menus on one Linear layer pruned with
:func:`~hwprune_edu.pruning.patterns.prune_to`; its callback :func:`explore`
is an ordinary function of those values (no hidden state), so it can be
called, printed and tested without a browser.

``ipywidgets`` and ``matplotlib`` are imported only by the functions that draw.

>>> result = explore(0.5, "2:4", "gpu-ampere", batch=1024, in_features=4096, out_features=4096)
>>> result.kernel, round(result.speedup, 2)
('2:4 sparse tensor core', 1.47)
"""

from __future__ import annotations

import functools
import html
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from hwprune_edu.hardware import PROFILES, linear, simulate
from hwprune_edu.hardware.report import SimulationReport
from hwprune_edu.pruning.patterns import parse_pattern, prune_to
from hwprune_edu.studies.arguments import check_choice, check_flag, check_hardware, checked
from hwprune_edu.util.tables import Table, format_si
from hwprune_edu.util.validation import check_fraction, check_int, check_positive_int, describe
from hwprune_edu.viz.arguments import check_ax
from hwprune_edu.viz.simulator import SPARSITY_PATTERNS
from hwprune_edu.viz.style import BOUND_COLOURS

__all__ = ["BATCH_OPTIONS", "Exploration", "explore", "sparsity_explorer"]

BATCH_OPTIONS = (1, 16, 64, 256, 1024)


@functools.lru_cache(maxsize=16)
def _weights(shape: tuple[int, int], seed: int) -> np.ndarray:
    """Seeded standard-normal weights, cached (read-only) so slider moves do not redraw them."""
    weights = np.random.default_rng(seed).standard_normal(shape)
    weights.setflags(write=False)
    return weights


def _check_sparsity(sparsity: Any) -> float:
    return check_fraction(sparsity, name="sparsity", one_ok=False, meaning=" (the pruned fraction)")


def _pattern_label(row) -> str:
    """``"unstructured, 50 % sparse"`` for a report row (``"dense"`` if nothing was pruned)."""
    return "dense" if row.pattern == "dense" else f"{row.pattern}, {1 - row.density:.0%} sparse"


@dataclass(frozen=True)
@checked
class Exploration:
    """One explorer setting: a pruned Linear layer against its dense self on one platform.

    Attributes:
        pattern: the canonical name of the pattern asked for (e.g. ``"2:4"``, ``"block 32x32"``).
        sparsity_asked: the slider's value.
        sparsity: the fraction actually pruned (2:4 is always 0.5).
        batch, in_features, out_features: the layer.
        dense, pruned: the two :class:`~hwprune_edu.hardware.report.SimulationReport`.
        alternatives: ``(kernel name, latency_s)`` of every other kernel the platform could
            have run the pruned layer on (the runtime ran the fastest, or the one asked for).
    """

    pattern: str
    sparsity_asked: float
    sparsity: float
    batch: int
    in_features: int
    out_features: int
    dense: SimulationReport
    pruned: SimulationReport
    alternatives: tuple = ()

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
            if not self.alternatives:
                return (f"{hw.name} has no sparse kernel for {row.pattern} masks, so its dense kernel runs and "
                        "multiplies the zeros too.")
            name, seconds = min(self.alternatives, key=lambda item: item[1])
            reason = (f"{hw.name} could run the {name} kernel, but at {self.sparsity:.0%} sparsity it would take "
                      f"{format_si(seconds, 's')} against the dense kernel's {format_si(row.latency_s, 's')}, so the "
                      "runtime keeps the dense kernel, which multiplies the zeros")
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
        fixed = parse_pattern(self.pattern).fixed_sparsity
        if fixed is not None and not math.isclose(self.sparsity_asked, fixed):
            lines.append(f"({self.pattern} is always {100 * fixed:g} % sparse: the slider does not apply to it)")
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
            out_features: int = 1024, seed: int = 0, kernel: str | None = None, show: bool = False,
            ax=None) -> Exploration:
    """Prune one Linear layer with ``pattern`` to ``sparsity`` and simulate it against dense on ``platform``.

    The explorer's callback; it depends on its arguments only.

    Args:
        sparsity: pruned fraction in ``[0, 1)`` (ignored by N:M patterns: ``"2:4"`` is always 50 %).
        pattern: a pattern name (see :data:`~hwprune_edu.pruning.patterns.PATTERN_NAMES`), e.g. one of
            :data:`~hwprune_edu.viz.simulator.SPARSITY_PATTERNS`.
        platform: a profile name or a ``Hardware``.
        batch, in_features, out_features: the layer ``(batch x in) -> (batch x out)``.
        seed: seeds the weights the mask is pruned from.
        kernel: ``None`` (the runtime runs the fastest kernel) or a kernel's name, to
            show what a slow kernel costs (see :func:`~hwprune_edu.hardware.simulate`).
        show: print the table and the reason, and draw :meth:`Exploration.plot`.
        ax: where to draw when ``show`` (a new figure if ``None``).

    Returns:
        An :class:`Exploration` (``.speedup``, ``.kernel``, ``.table()``, ``.why()``).

    >>> explore(0.9, "unstructured", "npu-systolic").speedup  # dense kernels multiply the zeros
    1.0
    """
    hardware = check_hardware(platform, name="platform")
    try:
        spec = parse_pattern(pattern)
    except (TypeError, ValueError) as err:
        raise type(err)(f"pattern: {err}") from None
    sparsity = _check_sparsity(sparsity)
    if kernel is not None and not isinstance(kernel, str):
        raise TypeError(f"kernel must be None or a kernel's name, got {describe(kernel)}")
    show = check_flag(show, name="show")
    ax = check_ax(ax)
    batch = check_positive_int(batch, name="batch")
    shape = (check_positive_int(out_features, name="out_features"), check_positive_int(in_features, name="in_features"))
    weights = _weights(shape, check_int(seed, name="seed", minimum=0))
    mask = prune_to(weights, spec, None if spec.fixed_sparsity is not None else sparsity)
    dense = simulate([linear(batch, shape[1], shape[0], name="dense")], hardware)
    layer = linear(batch, shape[1], shape[0], weight_mask=mask, name="pruned")
    try:
        pruned = simulate([layer], hardware, kernel=kernel)
    except ValueError as err:
        raise ValueError(f"kernel: {err}") from None
    alternatives = []
    for name in ("dense", *(k.name for k in hardware.sparse_kernels.values())):
        if name != pruned.layers[0].kernel:
            try:
                alternatives.append((name, simulate([layer], hardware, kernel=name).latency_s))
            except ValueError:  # an N:M kernel that cannot hold this mask
                pass
    result = Exploration(spec.name, sparsity, 1 - float(mask.mean()), batch, shape[1], shape[0], dense, pruned,
                         tuple(alternatives))
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

    pattern = check_choice(pattern, SPARSITY_PATTERNS, name="pattern")
    platform = check_choice(platform, list(PROFILES), name="platform")
    if check_positive_int(batch, name="batch") not in BATCH_OPTIONS:
        raise ValueError(f"batch must be one of {BATCH_OPTIONS}, got {describe(batch)}")
    batch = int(batch)
    in_features = check_positive_int(in_features, name="in_features")
    out_features = check_positive_int(out_features, name="out_features")
    seed = check_int(seed, name="seed", minimum=0)
    controls = dict(
        sparsity=widgets.FloatSlider(value=_check_sparsity(sparsity), min=0.0, max=0.95, step=0.05,
                                     description="sparsity", continuous_update=False),
        pattern=widgets.Dropdown(options=SPARSITY_PATTERNS, value=pattern, description="pattern"),
        platform=widgets.Dropdown(options=tuple(PROFILES), value=platform, description="platform"),
        batch=widgets.Dropdown(options=BATCH_OPTIONS, value=batch, description="batch"),
    )

    def show(sparsity, pattern, platform, batch):
        return explore(round(sparsity, 4), pattern, platform, batch=batch, in_features=in_features,
                       out_features=out_features, seed=seed, show=True)

    return _explorer_class()(show, **controls)


#: What a notebook viewer shows for the explorer where its widgets cannot render (before the cell has run).
#: Under 110 characters: ipywidgets cuts a longer text form short.
EXPLORER_TEXT = "Sparsity explorer: run this cell for its sparsity, pattern, platform and batch controls."


@functools.cache
def _explorer_class() -> type:
    """``ipywidgets.interactive`` with a readable text form (ipywidgets is imported only when an explorer is built)."""
    import ipywidgets as widgets

    class SparsityExplorer(widgets.interactive):
        # The default repr lists every control's state: "interactive(children=(FloatSlider(...".
        def __repr__(self) -> str:
            return EXPLORER_TEXT

    return SparsityExplorer

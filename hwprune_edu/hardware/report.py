"""What ``simulate`` returns: per-layer cost rows and their totals, as text or an HTML table.

>>> from hwprune_edu.hardware import simulate, linear
>>> print(simulate([linear(8, 64, 32, name="fc")], "mcu-m4"))  # doctest: +ELLIPSIS
mcu-m4: latency 195 us, energy ...
"""

from __future__ import annotations

import html
from dataclasses import dataclass, fields
from functools import cached_property

from hwprune_edu.hardware.profiles import Hardware
from hwprune_edu.util.tables import format_columns, format_si, html_table
from hwprune_edu.util.validation import describe

__all__ = ["LayerCost", "SimulationReport"]


@dataclass(frozen=True, slots=True)
class LayerCost:
    """The cost of one layer on one platform.

    Attributes:
        name, pattern, density, kernel: the layer, its mask's pattern kind and
            kept fraction, and the kernel that ran it (``"dense"`` or a sparse kernel's name).
        m, n, k: the GEMM actually run (smaller than the layer's if rows/cols were removed).
        macs: dense MACs of the layer as declared; effective_macs: MACs the hardware performs.
        compute_cycles: cycles of the math alone.
        weight_bytes (stored format, indices included), activation_bytes, bytes_moved.
        arithmetic_intensity: FLOPs per byte moved (2 FLOPs per effective MAC).
        compute_s, memory_s, latency_s: the two roofline sides and the total with overhead.
        energy_j: MAC energy plus memory-access energy.
        bound: ``"compute"``, ``"memory"`` or ``"overhead"`` (what sets latency).
        utilisation: effective MACs / (peak MAC/s x latency).
    """

    name: str
    pattern: str
    density: float
    kernel: str
    m: int
    n: int
    k: int
    macs: int
    effective_macs: float
    compute_cycles: int
    weight_bytes: float
    activation_bytes: float
    bytes_moved: float
    arithmetic_intensity: float
    compute_s: float
    memory_s: float
    latency_s: float
    energy_j: float
    bound: str
    utilisation: float


_COLUMNS = (
    ("layer", lambda r: r.name),
    ("pattern", lambda r: r.pattern if r.pattern in ("dense",) else f"{r.pattern} {r.density:.0%}"),
    ("kernel", lambda r: r.kernel),
    ("GEMM MxNxK", lambda r: f"{r.m}x{r.n}x{r.k}"),
    ("MACs", lambda r: format_si(r.macs, "")),
    ("eff. MACs", lambda r: format_si(r.effective_macs, "")),
    ("cycles", lambda r: format_si(r.compute_cycles, "")),
    ("bytes", lambda r: format_si(r.bytes_moved, "B")),
    ("FLOP/B", lambda r: f"{r.arithmetic_intensity:.3g}"),
    ("bound", lambda r: r.bound),
    ("latency", lambda r: format_si(r.latency_s, "s")),
    ("energy", lambda r: format_si(r.energy_j, "J")),
    ("util.", lambda r: f"{r.utilisation:.1%}"),
)


class SimulationReport:
    """Totals and per-layer rows of one simulation; renders as text (``print``) and HTML (Jupyter).

    Attributes:
        hardware: the ``Hardware`` simulated.
        layers: tuple of :class:`LayerCost`, one per layer, in order.
        latency_s, energy_j: sums over layers (layers run one after another).
        cycles: total latency in the platform's clock cycles, ``round(latency_s * clock_hz)``.
        weight_bytes: weights stored, in their stored format.
        peak_activation_bytes: the largest input + output of any one layer.
        fits: whether weights and activations fit the platform's memories.
        warnings: human-readable reasons when something does not fit.
    """

    def __init__(self, hardware: Hardware, layers: tuple):
        if not isinstance(hardware, Hardware):
            raise TypeError(f"hardware must be a Hardware (see get_profile), got {describe(hardware)}")
        if not isinstance(layers, (list, tuple)) or not all(isinstance(row, LayerCost) for row in layers):
            raise TypeError(f"layers must be a tuple of LayerCost rows (simulate builds them), got {describe(layers)}")
        self.hardware = hardware
        self.layers = tuple(layers)
        self.latency_s = float(sum(row.latency_s for row in self.layers))
        self.energy_j = float(sum(row.energy_j for row in self.layers))
        self.cycles = round(self.latency_s * hardware.clock_hz)
        self.weight_bytes = float(sum(row.weight_bytes for row in self.layers))
        self.peak_activation_bytes = float(max((row.activation_bytes for row in self.layers), default=0.0))
        warnings = []
        if self.weight_bytes > hardware.weight_memory_bytes:
            warnings.append(
                f"does not fit: weights need {format_si(self.weight_bytes, 'B')} but {hardware.name} holds "
                f"{format_si(hardware.weight_memory_bytes, 'B')} ({hardware.sources.get('weight_memory_bytes', '')})"
            )
        if self.peak_activation_bytes > hardware.activation_memory_bytes:
            warnings.append(
                f"does not fit: a layer's activations need {format_si(self.peak_activation_bytes, 'B')} but {hardware.name} "
                f"holds {format_si(hardware.activation_memory_bytes, 'B')} "
                f"({hardware.sources.get('activation_memory_bytes', '')})"
            )
        self.warnings = tuple(warnings)
        self.fits = not warnings

    def __repr__(self) -> str:
        return (
            f"SimulationReport(hardware={self.hardware.name!r}, layers={len(self.layers)}, "
            f"latency_s={self.latency_s:.4g}, energy_j={self.energy_j:.4g}, fits={self.fits})"
        )

    def _summary(self) -> str:
        return (
            f"{self.hardware.name}: latency {format_si(self.latency_s, 's')}, energy {format_si(self.energy_j, 'J')}, "
            f"{self.cycles:,} cycles, {len(self.layers)} layer(s)"
        )

    @cached_property
    def _cells(self) -> list:
        return [[render(row) for _, render in _COLUMNS] for row in self.layers]

    def __str__(self) -> str:
        header = [name for name, _ in _COLUMNS]
        lines = [self._summary(), *(f"WARNING: {w}" for w in self.warnings)]
        return "\n".join([*lines, format_columns([header, *self._cells])])

    def _repr_html_(self) -> str:
        esc = html.escape
        warn = "".join(f"<p style='color:#b00'><b>Warning:</b> {esc(w)}</p>" for w in self.warnings)
        table = html_table([name for name, _ in _COLUMNS], self._cells)
        return f"<div><p><b>{esc(self._summary())}</b></p>{warn}{table}</div>"

    def as_dicts(self) -> list[dict]:
        """The rows as plain dicts (e.g. for ``pandas.DataFrame``)."""
        return [{f.name: getattr(row, f.name) for f in fields(LayerCost)} for row in self.layers]

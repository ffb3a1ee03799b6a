"""What the granularity sweeps return (:mod:`hwprune_edu.studies.sweeps`): frozen, torch-free records that print.

:class:`SweepTable` of :class:`SweepPoint` (accuracy against sparsity, per
pattern) and :class:`LatencyTable` of :class:`LatencyRow` (one layer's
simulated cost per pattern and platform). :mod:`hwprune_edu.studies.results`
re-exports them with the other experiments' records.

>>> print(SweepTable((SweepPoint("2:4", 0.5, 0.5, 0.9, None, 10),), 0.9, 0).patterns)
('2:4',)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hwprune_edu.pruning.patterns import parse_pattern
from hwprune_edu.studies.arguments import checked
from hwprune_edu.util.tables import format_columns

__all__ = ["SweepPoint", "SweepTable", "LatencyRow", "LatencyTable"]


@dataclass(frozen=True)
@checked
class SweepPoint:
    """One pruned model of a sweep.

    Attributes:
        pattern: canonical pattern name (``"unstructured"``, ``"2:4"``, ``"block 4x4"`` ...).
        target_sparsity: the sparsity asked for (``1 - N/M`` for N:M).
        sparsity: the fraction of the layer's weights actually pruned.
        accuracy: accuracy right after pruning.
        finetuned_accuracy: accuracy after the short fine-tune (``None`` if there was none).
        n_params: parameters the whole pruned model still has (masked weights not counted).
        latency_s: the pruned layer's simulated latency per platform (empty if none were asked for).
    """

    pattern: str
    target_sparsity: float
    sparsity: float
    accuracy: float
    finetuned_accuracy: float | None
    n_params: int
    latency_s: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
@checked
class SweepTable:
    """What :func:`~hwprune_edu.studies.sweeps.accuracy_vs_sparsity` returns: the dense reference and its points.

    ``print(table)`` shows it as text (accuracies with 3 decimals, speed-ups
    over the dense layer with 2). Patterns are named as the sweep names them
    (canonical: ``"2:4"``, ``"block 4x4"``).

    >>> point = SweepPoint("2:4", 0.5, 0.5, 0.95, None, 100)
    >>> table = SweepTable((point,), dense_accuracy=0.96, layer=2, layer_label="Linear 8 -> 8, 64 weights")
    >>> print(table)
    layer 2 (Linear 8 -> 8, 64 weights): dense test accuracy 0.960
    pattern  target  sparsity  accuracy  params
    2:4       50.0%     50.0%     0.950     100
    """

    points: tuple[SweepPoint, ...]
    dense_accuracy: float
    layer: int
    layer_label: str = ""
    split: str = "test"
    finetune_steps: int = 0
    batch: int = 1
    dense_latency_s: dict[str, float] = field(default_factory=dict)

    @property
    def patterns(self) -> tuple[str, ...]:
        """The pattern names in the order they were swept."""
        return tuple(dict.fromkeys(p.pattern for p in self.points))

    @property
    def profiles(self) -> tuple[str, ...]:
        """The platforms with simulated latencies (empty if none were asked for)."""
        return tuple(self.dense_latency_s)

    def select(self, pattern: str) -> tuple[SweepPoint, ...]:
        """The points of one pattern (any name :func:`~hwprune_edu.pruning.parse_pattern` reads), by target sparsity.

        >>> SweepTable((SweepPoint("2:4", 0.5, 0.5, 0.9, None, 10),), 0.9, 0).select("2:4")[0].accuracy
        0.9
        """
        name = parse_pattern(pattern).name
        if name not in self.patterns:
            raise ValueError(f"pattern must be one of the swept patterns {list(self.patterns)}, got {pattern!r}")
        return tuple(sorted((p for p in self.points if p.pattern == name), key=lambda p: p.target_sparsity))

    def speedup(self, point: SweepPoint, profile: str) -> float:
        """Dense-layer latency over the point's layer latency on ``profile`` (> 1 = faster)."""
        if profile not in self.dense_latency_s or profile not in point.latency_s:
            raise ValueError(f"profile must be one of the simulated platforms {list(self.profiles)}, got {profile!r}")
        return self.dense_latency_s[profile] / point.latency_s[profile]

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per point (e.g. for ``pandas.DataFrame``).

        >>> SweepTable((SweepPoint("2:4", 0.5, 0.5, 0.9, None, 10),), 0.9, 0).to_records()[0]["pattern"]
        '2:4'
        """
        return [
            {
                "pattern": p.pattern,
                "target_sparsity": p.target_sparsity,
                "sparsity": p.sparsity,
                "accuracy": p.accuracy,
                "finetuned_accuracy": p.finetuned_accuracy,
                "n_params": p.n_params,
                **{f"latency_s[{name}]": value for name, value in p.latency_s.items()},
            }
            for p in self.points
        ]

    def __str__(self) -> str:
        finetuned = any(p.finetuned_accuracy is not None for p in self.points)
        header = ["pattern", "target", "sparsity", "accuracy"]
        if finetuned:
            header.append(f"fine-tuned ({self.finetune_steps} steps)")
        header.append("params")
        header += [f"{name} speed-up" for name in self.profiles]
        rows = [tuple(header)]
        for pattern in self.patterns:
            for p in self.select(pattern):
                row = [p.pattern, f"{100 * p.target_sparsity:.1f}%", f"{100 * p.sparsity:.1f}%", f"{p.accuracy:.3f}"]
                if finetuned:
                    row.append("-" if p.finetuned_accuracy is None else f"{p.finetuned_accuracy:.3f}")
                row.append(f"{p.n_params:,}")
                row += [f"{self.speedup(p, name):.2f}x" for name in self.profiles]
                rows.append(tuple(row))
        title = f"layer {self.layer} ({self.layer_label}): dense {self.split} accuracy {self.dense_accuracy:.3f}"
        if self.profiles:
            title += f"; speed-ups of the layer over dense at batch {self.batch}"
        return title + "\n" + format_columns(rows, right=range(1, len(header)))


@dataclass(frozen=True)
@checked
class LatencyRow:
    """One pruned version of the layer and its cost on each platform.

    Attributes:
        pattern: canonical pattern name.
        sparsity: fraction of the layer's weights pruned.
        costs: ``{profile name: LayerCost}`` of the pruned layer.
    """

    pattern: str
    sparsity: float
    costs: dict[str, Any]


@dataclass(frozen=True)
@checked
class LatencyTable:
    """What :func:`~hwprune_edu.studies.sweeps.latency_by_pattern` returns: the dense layer's cost and each pattern's.

    ``print(table)`` shows the speed-up over the dense layer and the kernel
    each platform runs (``dense`` = it multiplies the zeros too).
    """

    rows: tuple[LatencyRow, ...]
    dense: dict[str, Any]
    layer: int
    layer_label: str = ""
    batch: int = 1

    @property
    def profiles(self) -> tuple[str, ...]:
        """The platforms, in order."""
        return tuple(self.dense)

    @property
    def patterns(self) -> tuple[str, ...]:
        """The pattern names, in order."""
        return tuple(row.pattern for row in self.rows)

    def speedup(self, pattern: str, profile: str) -> float:
        """Dense-layer latency over the pruned layer's latency on ``profile`` (> 1 = faster)."""
        name = parse_pattern(pattern).name
        matches = [row for row in self.rows if row.pattern == name]
        if not matches:
            raise ValueError(f"pattern must be one of {list(self.patterns)}, got {pattern!r}")
        if profile not in self.dense:
            raise ValueError(f"profile must be one of {list(self.profiles)}, got {profile!r}")
        return self.dense[profile].latency_s / matches[0].costs[profile].latency_s

    def __str__(self) -> str:
        rows = [("pattern", "sparsity") + self.profiles]
        rows.append(("dense", "0.0%") + tuple("1.00x dense" for _ in self.profiles))
        for row in self.rows:
            cells = tuple(f"{self.speedup(row.pattern, name):.2f}x {row.costs[name].kernel}" for name in self.profiles)
            rows.append((row.pattern, f"{100 * row.sparsity:.1f}%") + cells)
        bounds = ", ".join(f"{name} {cost.bound}" for name, cost in self.dense.items())
        title = (
            f"layer {self.layer} ({self.layer_label}), batch {self.batch}: speed-up over the dense layer [kernel]\n"
            f"dense layer bound by: {bounds}"
        )
        return title + "\n" + format_columns(rows, right=(1,))

"""Torch-free results of one-shot pruning: per-layer reconstruction errors by method and pattern.

>>> errors = LayerErrors((LayerError("fc", "magnitude", "50%", 0.3), LayerError("fc", "wanda", "50%", 0.2),
...                       LayerError("fc", "sparsegpt", "50%", 0.1)))
>>> errors.error("fc", "wanda", "50%"), errors.ordering_violations()
(0.2, [])
"""

from __future__ import annotations

from dataclasses import dataclass

from hwprune_edu.studies.arguments import checked
from hwprune_edu.util.tables import Table

__all__ = ["METHODS", "PATTERNS", "LayerError", "LayerErrors"]

#: The one-shot methods, cheapest first: magnitude (weights only), Wanda (weights x input norms), SparseGPT (OBS + update).
METHODS = ("magnitude", "wanda", "sparsegpt")
#: The sparsity patterns compared: 50 % unstructured and 2:4.
PATTERNS = ("50%", "2:4")


@dataclass(frozen=True)
@checked
class LayerError:
    """Relative reconstruction error ``||X W^T - X W_hat^T|| / ||X W^T||`` of one layer pruned by one method."""

    layer: str
    method: str
    pattern: str
    error: float


@dataclass(frozen=True)
@checked
class LayerErrors:
    """Every layer x method x pattern; prints as a table (one row per layer and pattern)."""

    rows: tuple[LayerError, ...]

    @property
    def layers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.layer for r in self.rows))

    def error(self, layer: str, method: str, pattern: str) -> float:
        for row in self.rows:
            if (row.layer, row.method, row.pattern) == (layer, method, pattern):
                return row.error
        raise ValueError(f"no result for layer={layer!r}, method={method!r}, pattern={pattern!r}")

    def ordering_violations(self) -> list[tuple[str, str]]:
        """``(layer, pattern)`` pairs where SparseGPT <= Wanda <= magnitude does *not* hold."""
        bad = []
        for layer in self.layers:
            for pattern in PATTERNS:
                try:
                    errors = [self.error(layer, method, pattern) for method in reversed(METHODS)]
                except ValueError:
                    continue
                if errors != sorted(errors):
                    bad.append((layer, pattern))
        return bad

    def table(self) -> Table:
        rows = []
        for pattern in PATTERNS:
            for layer in self.layers:
                try:
                    errors = [self.error(layer, method, pattern) for method in METHODS]
                except ValueError:
                    continue
                holds = errors[2] <= errors[1] <= errors[0]
                rows.append([layer, pattern, *(f"{e:.3f}" for e in errors), "yes" if holds else "no"])
        return Table(["layer", "pattern", *METHODS, "sparsegpt <= wanda <= magnitude"], rows,
                     title="layer reconstruction error, each layer pruned alone on the dense model's inputs")

    def __str__(self) -> str:
        return str(self.table())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return self.table()._repr_html_()

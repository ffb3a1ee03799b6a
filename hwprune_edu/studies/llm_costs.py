"""What the simulator says sparsity and weight precision buy a language model: decode (batch 1) vs prefill, KV cache.

Torch-free (the simulator and NumPy only), so notebooks and pictures can use it directly.

* :func:`weight_precision_profile`: a platform with another weight precision
  (the one place that says how weight precision reaches the simulator).
* :func:`kv_cache_bytes`: what attention's cache of keys and values holds;
  weight pruning does not shrink it.
* :func:`format_costs`: int8 / int4 weight-only, 2:4 and 2:4 + int8 on one
  Linear layer, for a decode GEMV and a prefill GEMM, on several platforms.

Weight-only formats keep the math in the platform's own precision (weights are
widened before the multiply, as W4A16 kernels do), so only the bytes of the
weights change, plus 2 bits of index per kept weight for 2:4.

>>> row = format_costs(4096, 4096, platforms=("gpu-ampere",), batches=(1,))[-1]
>>> row.format, row.bound, round(row.speedup, 2)
('2:4 + int8', 'memory', 2.93)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from hwprune_edu.hardware import Hardware, get_profile, linear, simulate
from hwprune_edu.pruning import nm_mask
from hwprune_edu.util.tables import Table, format_si
from hwprune_edu.util.validation import check_int, check_positive_int

__all__ = ["weight_precision_profile", "kv_cache_bytes", "FormatCost", "format_costs", "format_table", "FORMATS",
           "LLAMA_7B"]

#: LLaMA-7B's shapes (Touvron et al., "LLaMA", 2023, Table 2): 32 layers, d_model 4096, 32 heads of 128, MLP 11008.
LLAMA_7B = {"n_layers": 32, "d_model": 4096, "n_kv_heads": 32, "head_dim": 128, "d_ff": 11008}

#: The weight formats compared: name -> (weight bits, 2:4 mask or not). ``None`` bits: the platform's own precision.
FORMATS = {
    "dense": (None, False),
    "int8 weight-only": (8, False),
    "int4 weight-only": (4, False),
    "2:4": (None, True),
    "2:4 + int8": (8, True),
}


def weight_precision_profile(platform: str | Hardware, weight_bits: float | None) -> Hardware:
    """``platform`` with its weights stored at ``weight_bits`` (None: unchanged).

    >>> weight_precision_profile("gpu-ampere", 4).weight_bits
    4
    """
    hw = get_profile(platform)
    return hw if weight_bits is None else hw.replace(weight_bits=weight_bits)


def kv_cache_bytes(tokens: int, *, n_layers: int, n_kv_heads: int, head_dim: int, bits: int = 16) -> int:
    """Bytes of the key/value cache after ``tokens`` tokens: keys and values, every layer and KV head.

    >>> kv_cache_bytes(256, **{k: LLAMA_7B[k] for k in ("n_layers", "n_kv_heads", "head_dim")}) / 2**20
    128.0
    """
    tokens = check_int(tokens, name="tokens", minimum=0)
    return 2 * check_positive_int(n_layers, name="n_layers") * check_positive_int(n_kv_heads, name="n_kv_heads") \
        * check_positive_int(head_dim, name="head_dim") * tokens * check_positive_int(bits, name="bits") // 8


@dataclass(frozen=True)
class FormatCost:
    """One simulated layer: platform, batch, weight format, weight bytes, latency, what bounds it, speed-up vs dense."""

    platform: str
    batch: int
    format: str
    weight_bytes: float
    latency_s: float
    bound: str
    kernel: str
    speedup: float


def _two_four(out_features: int, in_features: int) -> np.ndarray:
    # A 2:4 mask as pruning leaves it: the kept pair differs from row to row (a mask whose pruned
    # columns lined up in every row would be column pruning, which any dense kernel exploits).
    return nm_mask(np.random.default_rng(0).standard_normal((out_features, in_features)), 2, 4)


def format_costs(in_features: int, out_features: int, *, platforms: Sequence[str] = ("gpu-ampere", "cpu-avx2"),
                 batches: Sequence[int] = (1, 256)) -> list[FormatCost]:
    """Simulated cost of every format in :data:`FORMATS` on a ``(out, in)`` Linear layer, per platform and batch.

    Batch 1 is one decoding step (a GEMV); batch 256 is a 256-token prefill (a GEMM).
    """
    rows = []
    for platform in platforms:
        for batch in batches:
            dense_s = None
            for name, (bits, sparse) in FORMATS.items():
                mask = _two_four(out_features, in_features) if sparse else None
                layer = linear(batch, in_features, out_features, weight_mask=mask, name=name)
                cost = simulate(layer, weight_precision_profile(platform, bits)).layers[0]
                dense_s = dense_s or cost.latency_s
                rows.append(FormatCost(platform, batch, name, cost.weight_bytes, cost.latency_s, cost.bound,
                                       cost.kernel, dense_s / cost.latency_s))
    return rows


def format_table(rows: Sequence[FormatCost], *, title: str = "") -> Table:
    """The rows of :func:`format_costs` as a table (text in a terminal, HTML in Jupyter)."""
    return Table(["platform", "batch", "weights", "weight bytes", "latency (sim.)", "bound", "kernel", "x dense"],
                 [[r.platform, r.batch, r.format, format_si(r.weight_bytes, "B"), format_si(r.latency_s, "s"),
                   r.bound, r.kernel, f"{r.speedup:.2f}x"] for r in rows], title=title)

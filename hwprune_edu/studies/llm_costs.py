"""What the simulator says sparsity and weight precision buy a language model: decode (batch 1) vs prefill, KV cache.

Torch-free (the simulator and NumPy only), so notebooks and pictures can use it directly.

* :func:`kv_cache_bytes`: what attention's cache of keys and values holds;
  weight pruning does not shrink it.
* :func:`format_costs`: int8 / int4 weight-only, 2:4 and 2:4 + int8 on one
  Linear layer, for a decode GEMV and a prefill GEMM, on several platforms.

Weight-only formats keep the math in the platform's own precision (weights are
widened before the multiply, as W4A16 kernels do), so only the bytes of the
weights change, plus 2 bits of index per kept weight for 2:4.

>>> row = format_costs(4096, 4096, platforms=("gpu-ampere",), batches=(1,))[-1]
>>> row.format, row.bound, round(row.speedup, 2)
('2:4 + int8', 'memory', 2.26)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Mapping, Sequence

import numpy as np

from hwprune_edu.hardware import Layer, linear, simulate
from hwprune_edu.studies.arguments import check_flag, check_hardware, check_profiles, check_sequence, checked
from hwprune_edu.util.tables import Table, format_si
from hwprune_edu.util.validation import check_int, check_positive_int, describe

__all__ = ["kv_cache_bytes", "FormatCost", "format_costs", "format_table", "FORMATS",
           "LLAMA_7B", "TINY_LM", "transformer_linears", "PhaseCost", "decode_vs_prefill", "phase_table"]

#: LLaMA-7B's shapes (Touvron et al., "LLaMA", 2023, Table 2 and section 2.2): 32 layers, d_model 4096, 32 heads of
#: 128, a gated (SwiGLU) MLP of 11008.
LLAMA_7B = {"n_layers": 32, "d_model": 4096, "n_kv_heads": 32, "head_dim": 128, "d_ff": 11008, "gated": True}
#: The course's tiny LM (:mod:`hwprune_edu.nn.language`): 2 layers, d_model 128, 4 heads of 32, MLP 512.
TINY_LM = {"n_layers": 2, "d_model": 128, "n_kv_heads": 4, "head_dim": 32, "d_ff": 512, "gated": False}

#: The weight formats compared: name -> (weight bits, 2:4 mask or not). ``None`` bits: the platform's own precision.
FORMATS = {
    "dense": (None, False),
    "int8 weight-only": (8, False),
    "int4 weight-only": (4, False),
    "2:4": (None, True),
    "2:4 + int8": (8, True),
}


def kv_cache_bytes(tokens: int, *, n_layers: int, n_kv_heads: int, head_dim: int, bits: int = 16) -> int:
    """Bytes of the key/value cache after ``tokens`` tokens: keys and values, every layer and KV head.

    >>> kv_cache_bytes(256, **{k: LLAMA_7B[k] for k in ("n_layers", "n_kv_heads", "head_dim")}) / 2**20
    128.0
    """
    tokens = check_int(tokens, name="tokens", minimum=0)
    return 2 * check_positive_int(n_layers, name="n_layers") * check_positive_int(n_kv_heads, name="n_kv_heads") \
        * check_positive_int(head_dim, name="head_dim") * tokens * check_positive_int(bits, name="bits") // 8


@dataclass(frozen=True)
@checked
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


#: The six ways to keep 2 of 4.
_TWO_OF_FOUR = np.array([[1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 0, 1], [0, 1, 1, 0], [0, 1, 0, 1], [0, 0, 1, 1]], dtype=bool)


def _two_four(out_features: int, in_features: int) -> np.ndarray:
    # A 2:4 mask as pruning leaves it: the kept pair differs from group to group (a mask whose pruned
    # columns lined up in every row would be column pruning, which any dense kernel exploits).
    # 64 random rows, repeated: as good as all-random for the cost model, and quick to build at LLaMA sizes.
    choice = np.random.default_rng(0).integers(0, 6, size=(min(64, out_features), in_features // 4))
    rows = _TWO_OF_FOUR[choice].reshape(-1, in_features)
    return np.tile(rows, (-(-out_features // rows.shape[0]), 1))[:out_features]


def _layer(in_features: int, out_features: int, two_four: bool, name: str) -> Layer:
    return replace(_batch_one_layer(in_features, out_features, two_four), name=name)


@lru_cache(maxsize=16)
def _batch_one_layer(in_features: int, out_features: int, two_four: bool) -> Layer:
    """A batch-1 layer, its mask read once (reading a LLaMA-sized mask takes seconds; the batch does not change it)."""
    return linear(1, in_features, out_features, weight_mask=_two_four(out_features, in_features) if two_four else None)


def _at_batch(layer: Layer, batch: int) -> Layer:
    return replace(layer, m=batch, input_elements=batch * layer.k, output_elements=batch * layer.n)


def format_costs(in_features: int, out_features: int, *, platforms: Sequence[str] = ("gpu-ampere", "cpu-avx2"),
                 batches: Sequence[int] = (1, 256)) -> list[FormatCost]:
    """Simulated cost of every format in :data:`FORMATS` on a ``(out, in)`` Linear layer, per platform and batch.

    Batch 1 is one decoding step (a GEMV); batch 256 is a 256-token prefill (a GEMM).
    """
    in_features = check_positive_int(in_features, name="in_features")
    out_features = check_positive_int(out_features, name="out_features")
    hardware = check_profiles(platforms, name="platforms", empty_ok=False)
    batches = _check_batches(batches)
    rows = []
    for platform in hardware:
        for batch in batches:
            dense_s = None
            for name, (bits, sparse) in FORMATS.items():
                # Weight-only quantisation is a property of the layer: its weights are stored at `bits`.
                layer = replace(_at_batch(_layer(in_features, out_features, sparse, name), batch), weight_bits=bits)
                cost = simulate(layer, platform).layers[0]
                dense_s = dense_s or cost.latency_s
                rows.append(FormatCost(platform.name, batch, name, cost.weight_bytes, cost.latency_s, cost.bound,
                                       cost.kernel, dense_s / cost.latency_s))
    return rows


def format_table(rows: Sequence[FormatCost], *, title: str = "") -> Table:
    """The rows of :func:`format_costs` as a table (text in a terminal, HTML in Jupyter)."""
    rows = check_sequence(rows, name="rows", kind=FormatCost, what="FormatCost rows format_costs() returns")
    if not isinstance(title, str):
        raise TypeError(f"title must be a str, got {describe(title)}")
    return Table(["platform", "batch", "weights", "weight bytes", "latency (sim.)", "bound", "kernel", "x dense"],
                 [[r.platform, r.batch, r.format, format_si(r.weight_bytes, "B"), format_si(r.latency_s, "s"),
                   r.bound, r.kernel, f"{r.speedup:.2f}x"] for r in rows], title=title)


def transformer_linears(d_model: int, d_ff: int, n_layers: int, batch: int, *, gated: bool = False,
                        two_four: bool = False) -> list:
    """The simulator's layers for every Linear of a decoder stack: q, k, v, attention output, MLP (gate,) up, down.

    Attention's own products (scores over the KV cache) are not Linear layers and are left
    out; :func:`kv_cache_bytes` says what that cache holds.
    """
    d_model = check_positive_int(d_model, name="d_model")
    d_ff = check_positive_int(d_ff, name="d_ff")
    n_layers = check_positive_int(n_layers, name="n_layers")
    batch = check_positive_int(batch, name="batch")
    gated = check_flag(gated, name="gated")
    two_four = check_flag(two_four, name="two_four")
    # q, k, v (and a gated MLP's gate and up) are separate matrices of one shape: the same GEMM cost as one
    # fused matrix on this simulator, and one mask read serves them all.
    shapes = [("q", d_model, d_model), ("k", d_model, d_model), ("v", d_model, d_model), ("proj", d_model, d_model),
              *([("gate", d_model, d_ff)] if gated else []), ("up", d_model, d_ff), ("down", d_ff, d_model)]
    block = [_layer(k, n, two_four, name) for name, k, n in shapes]
    return [replace(_at_batch(layer, batch), name=f"{index}.{layer.name}")
            for index in range(n_layers) for layer in block]


@dataclass(frozen=True)
@checked
class PhaseCost:
    """Dense vs 2:4 for one model and phase: simulated latency of all Linear layers, bound, bytes, KV cache."""

    model: str
    phase: str
    dense_s: float
    two_four_s: float
    bound: str
    weight_bytes: float
    two_four_weight_bytes: float
    kv_cache_bytes: int

    @property
    def speedup(self) -> float:
        return self.dense_s / self.two_four_s


def decode_vs_prefill(models: dict[str, dict], *, platform: str = "gpu-ampere", prefill_tokens: int = 256
                      ) -> list[PhaseCost]:
    """For each model shape (``d_model, d_ff, n_layers, n_kv_heads, head_dim, gated``), dense vs 2:4 on ``platform``.

    Decode is one new token with ``prefill_tokens`` already in the KV cache (batch 1, a GEMV per layer);
    prefill is the ``prefill_tokens``-token prompt at once (a GEMM per layer).
    """
    if not isinstance(models, Mapping) or not models:
        raise TypeError(f"models must be a non-empty dict of model shapes by name, got {describe(models)}")
    for label, shape in models.items():
        if not isinstance(shape, Mapping):
            raise TypeError(f"models[{label!r}] must be a dict of the model's shape, got {describe(shape)}")
        missing = [key for key in _SHAPE_KEYS if key not in shape]
        if missing:
            raise ValueError(f"models[{label!r}] must give {list(_SHAPE_KEYS)}, missing {missing}")
        check_flag(shape.get("gated", False), name=f"models[{label!r}]['gated']")
    platform = check_hardware(platform, name="platform")
    prefill_tokens = check_positive_int(prefill_tokens, name="prefill_tokens")
    rows = []
    for label, shape in models.items():
        kv = kv_cache_bytes(prefill_tokens, n_layers=shape["n_layers"], n_kv_heads=shape["n_kv_heads"],
                            head_dim=shape["head_dim"])
        for phase, batch in (("decode, batch 1", 1), (f"prefill, {prefill_tokens} tokens", prefill_tokens)):
            # One block simulated, times n_layers: the blocks are identical.
            dense, sparse = (simulate(transformer_linears(shape["d_model"], shape["d_ff"], 1, batch,
                                                          gated=shape.get("gated", False), two_four=two_four),
                                      platform) for two_four in (False, True))
            n = shape["n_layers"]
            rows.append(PhaseCost(label, phase, n * dense.latency_s, n * sparse.latency_s,
                                  "/".join(sorted({row.bound for row in dense.layers})),
                                  n * sum(r.weight_bytes for r in dense.layers),
                                  n * sum(r.weight_bytes for r in sparse.layers), kv))
    return rows


# The keys a model shape of decode_vs_prefill must give (``gated`` is optional, False by default).
_SHAPE_KEYS = ("d_model", "d_ff", "n_layers", "n_kv_heads", "head_dim")


def _check_batches(batches: Any) -> list[int]:
    if isinstance(batches, (str, bytes)) or not isinstance(batches, (list, tuple, np.ndarray)) or len(batches) == 0:
        raise TypeError(f"batches must be a non-empty list of batch sizes, got {describe(batches)}")
    return [check_positive_int(b, name=f"batches[{i}]") for i, b in enumerate(list(batches))]


def phase_table(rows: Sequence[PhaseCost], platform: str = "gpu-ampere") -> Table:
    """The rows of :func:`decode_vs_prefill` as a table."""
    rows = check_sequence(rows, name="rows", kind=PhaseCost, what="PhaseCost rows decode_vs_prefill() returns")
    platform = check_hardware(platform, name="platform").name
    return Table(["model", "phase", "dense (sim.)", "2:4 (sim.)", "2:4 gain", "dense bound", "weights dense",
                  "weights 2:4", "KV cache"],
                 [[r.model, r.phase, format_si(r.dense_s, "s"), format_si(r.two_four_s, "s"), f"{r.speedup:.2f}x",
                   r.bound, format_si(r.weight_bytes, "B"), format_si(r.two_four_weight_bytes, "B"),
                   format_si(r.kv_cache_bytes, "B")] for r in rows],
                 title=f"all Linear layers on {platform} (simulator); the KV cache is not shrunk by weight pruning")

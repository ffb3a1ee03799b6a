"""Layers as GEMMs: ``linear``, ``conv2d`` (via im2col) and the layer list of a pruned MLP.

Every layer becomes one GEMM ``(M x K) @ (K x N)``: ``M`` rows of activations
(batch, or batch x output pixels for a conv), ``K`` inputs per output, ``N``
outputs. Weights are ``(out, in)`` as in PyTorch (``y = x @ W.T + b``) and a
``weight_mask`` has the weights' shape (``True`` = kept).

>>> layer = conv2d(1, 3, 16, 3, (32, 32), padding=1)
>>> (layer.m, layer.n, layer.k)
(1024, 16, 27)
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from hwprune_edu.hardware.mask_stats import MaskStats, describe_mask
from hwprune_edu.pruning.patterns import Pattern
from hwprune_edu.util.validation import (
    as_mask,
    as_weights,
    check_fraction,
    check_int,
    check_number,
    check_positive_int,
    describe,
)

__all__ = ["Layer", "linear", "conv2d", "mlp_layers"]


@dataclass(frozen=True, eq=False)
class Layer:
    """One GEMM the simulator can cost.

    Attributes:
        name: label shown in reports.
        op: ``"linear"`` or ``"conv2d"``.
        m, n, k: the GEMM ``(M x K) @ (K x N)``.
        input_elements: activations read (the real input tensor, not the im2col copy).
        output_elements: activations written (``M * N``).
        mask_stats: the weight mask read once, when the layer is built
            (a :class:`~hwprune_edu.hardware.mask_stats.MaskStats`; all kept without a mask).
        activation_density: fraction of input activations that are non-zero (after a
            ReLU, typically 0.3 to 0.5); only kernels that skip zero activations use it.
        weight_bits: bits per stored weight value, or ``None`` for the platform's
            own (``weight_bits=4`` costs an int4 weight-only layer: fewer bytes, same math).

    >>> linear(4, 8, 2).pattern.kind
    'dense'
    """

    name: str
    op: str
    m: int
    n: int
    k: int
    input_elements: int
    output_elements: int
    mask_stats: MaskStats
    activation_density: float = 1.0
    weight_bits: float | None = None

    def __post_init__(self):
        _check_name(self.name)
        if not isinstance(self.op, str) or self.op not in ("linear", "conv2d"):
            raise ValueError(f"op must be 'linear' or 'conv2d', got {describe(self.op)}")
        for label in ("m", "n", "k", "input_elements", "output_elements"):
            object.__setattr__(self, label, check_positive_int(getattr(self, label), name=label))
        if not isinstance(self.mask_stats, MaskStats):
            raise TypeError(f"mask_stats must be a MaskStats (from describe_mask), got {describe(self.mask_stats)}")
        if self.mask_stats.shape != (self.n, self.k):
            raise ValueError(f"n and k must match mask_stats: the GEMM's (n, k) = ({self.n}, {self.k}) weight matrix is "
                             f"the mask's (out, in), got a mask of shape {self.mask_stats.shape}")
        density, bits = _check_workload(self.activation_density, self.weight_bits)
        object.__setattr__(self, "activation_density", density)
        object.__setattr__(self, "weight_bits", bits)

    @property
    def pattern(self) -> Pattern:
        """The weight mask's sparsity pattern, as :func:`~hwprune_edu.hardware.describe_pattern` reads it."""
        return self.mask_stats.pattern

    @property
    def macs(self) -> int:
        """Multiply-accumulates of the dense GEMM, ``M * N * K``."""
        return self.m * self.n * self.k


def _check_name(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"name must be a non-empty str (the layer's label in reports), got {describe(name)}")
    return name


def _mask_stats(weight_mask, shape: tuple, rows: int, cols: int) -> MaskStats:
    if weight_mask is None:
        return MaskStats.dense(rows, cols)
    layout = f"(out, in{', kh, kw' if len(shape) == 4 else ''})"
    if isinstance(weight_mask, (str, bytes)):
        raise TypeError(f"weight_mask must be a boolean keep-mask of shape {shape} {layout}, got {describe(weight_mask)}")
    array = as_mask(weight_mask, name="weight_mask")
    if array.shape != shape:
        raise ValueError(f"weight_mask must have the weights' shape {shape} {layout}, got shape {array.shape}")
    return describe_mask(array)


def _check_workload(activation_density, weight_bits) -> tuple[float, float | None]:
    density = check_fraction(activation_density, name="activation_density", zero_ok=False,
                             meaning=" (the fraction of non-zero input activations)")
    if weight_bits is not None:
        weight_bits = check_number(weight_bits, name="weight_bits", low=1, high=64,
                                   meaning=" bits per weight (or None for the platform's)")
    return density, weight_bits


def linear(
    batch: int,
    in_features: int,
    out_features: int,
    *,
    weight_mask=None,
    activation_density: float = 1.0,
    weight_bits: float | None = None,
    name: str = "linear",
) -> Layer:
    """A fully connected layer ``y = x @ W.T + b`` as a GEMM with ``M = batch``, ``K = in``, ``N = out``.

    Args:
        batch: rows of ``x`` (>= 1).
        in_features, out_features: the weight is ``(out_features, in_features)``.
        weight_mask: optional keep-mask of shape ``(out_features, in_features)``; its
            pattern is read with :func:`~hwprune_edu.hardware.describe_pattern`.
        activation_density: non-zero fraction of ``x``, in ``(0, 1]`` (a workload
            property: platforms that skip zero activations, like EIE, use it; others ignore it).
        weight_bits: bits per stored weight, or ``None`` for the platform's precision
            (e.g. ``weight_bits=4`` for an int4 weight-only layer).
        name: label for reports.

    Returns:
        A :class:`Layer`.

    >>> linear(32, 784, 256).macs
    6422528
    >>> linear(1, 4096, 4096, weight_bits=4).weight_bits
    4.0
    >>> linear(0, 4, 4)
    Traceback (most recent call last):
    ...
    ValueError: batch must be >= 1, got 0
    """
    batch = check_positive_int(batch, name="batch")
    in_features = check_positive_int(in_features, name="in_features")
    out_features = check_positive_int(out_features, name="out_features")
    _check_name(name)
    stats = _mask_stats(weight_mask, (out_features, in_features), out_features, in_features)
    density, bits = _check_workload(activation_density, weight_bits)
    return Layer(name, "linear", batch, out_features, in_features, batch * in_features, batch * out_features, stats,
                 density, bits)


def _pair(value, name: str, minimum: int) -> tuple[int, int]:
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        value = (value, value)
    if not isinstance(value, (tuple, list, np.ndarray)) or len(value) != 2:
        raise TypeError(f"{name} must be an int or a pair of ints, got {describe(value)}")
    return tuple(check_int(v, name=name, minimum=minimum) for v in value)


def conv2d(
    batch: int,
    in_ch: int,
    out_ch: int,
    kernel,
    input_hw,
    *,
    stride=1,
    padding=0,
    weight_mask=None,
    activation_density: float = 1.0,
    weight_bits: float | None = None,
    name: str = "conv2d",
) -> Layer:
    """A 2-D convolution as its im2col GEMM: ``M = batch*out_h*out_w``, ``K = in_ch*kh*kw``, ``N = out_ch``.

    Args:
        batch, in_ch, out_ch: sizes (>= 1).
        kernel, input_hw, stride, padding: an int or an ``(h, w)`` pair each.
        weight_mask: optional keep-mask of shape ``(out_ch, in_ch, kh, kw)``; it is
            read in implicit-GEMM order ``(out, kh, kw, in)``, so N:M groups run over
            input channels at each kernel position (``nm_mask(w, axis=1)``).
        activation_density, weight_bits: as for :func:`linear`.
        name: label for reports.

    Returns:
        A :class:`Layer` (``output_hw = (H + 2p - kh) // s + 1``, as in PyTorch).

    >>> conv2d(2, 16, 32, 3, 8, stride=2, padding=1).m
    32
    """
    batch = check_positive_int(batch, name="batch")
    in_ch = check_positive_int(in_ch, name="in_ch")
    out_ch = check_positive_int(out_ch, name="out_ch")
    _check_name(name)
    kh, kw = _pair(kernel, "kernel", 1)
    h, w = _pair(input_hw, "input_hw", 1)
    sh, sw = _pair(stride, "stride", 1)
    ph, pw = _pair(padding, "padding", 0)
    out_h = (h + 2 * ph - kh) // sh + 1
    out_w = (w + 2 * pw - kw) // sw + 1
    if out_h < 1 or out_w < 1:
        raise ValueError(
            f"kernel {(kh, kw)} does not fit input_hw {(h, w)} with padding {(ph, pw)}: output would be {(out_h, out_w)}"
        )
    k = in_ch * kh * kw
    stats = _mask_stats(weight_mask, (out_ch, in_ch, kh, kw), out_ch, k)
    density, bits = _check_workload(activation_density, weight_bits)
    m = batch * out_h * out_w
    return Layer(name, "conv2d", m, out_ch, k, batch * in_ch * h * w, m * out_ch, stats, density, bits)


def mlp_layers(layers, batch: int) -> list[Layer]:
    """The simulator layers of a ReLU MLP given as ``[(W, b), ...]`` (the ``hwprune_edu.pruning`` format).

    Each ``W`` is ``(out, in)``; ``W != 0`` is used as its weight mask, so a
    pruned (zeroed) or physically shrunk network is costed as stored.

    Args:
        layers: list of ``(W, b)`` pairs of arrays; consecutive shapes must chain.
        batch: rows per forward pass (>= 1).

    Returns:
        A list of :class:`Layer` named ``fc0``, ``fc1``, ...

    >>> import numpy as np
    >>> net = [(np.ones((8, 4)), np.zeros(8)), (np.ones((2, 8)), np.zeros(2))]
    >>> [(layer.name, layer.k, layer.n) for layer in mlp_layers(net, batch=16)]
    [('fc0', 4, 8), ('fc1', 8, 2)]
    """
    batch = check_positive_int(batch, name="batch")
    if not isinstance(layers, (list, tuple)) or not layers:
        raise TypeError(f"layers must be a non-empty list of (W, b) pairs, got {describe(layers)}")
    result = []
    previous_out = None
    for index, pair in enumerate(layers):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"layers[{index}] must be a (W, b) pair, got {describe(pair)}")
        weight = as_weights(pair[0], name=f"layers[{index}][0] (W)", ndim=2)
        out_features, in_features = weight.shape
        bias = as_weights(pair[1], name=f"layers[{index}][1] (b)", ndim=1)
        if bias.shape[0] != out_features:
            raise ValueError(f"layers[{index}][1] (b) must have {out_features} entries (one per row of W "
                             f"{weight.shape}), got {bias.shape[0]}")
        if previous_out is not None and in_features != previous_out:
            raise ValueError(
                f"layers[{index}][0] (W) must have {previous_out} input columns to follow the previous layer's "
                f"{previous_out} outputs, got shape {weight.shape}"
            )
        mask = weight != 0
        result.append(
            linear(batch, in_features, out_features, weight_mask=None if mask.all() else mask, name=f"fc{index}")
        )
        previous_out = out_features
    return result

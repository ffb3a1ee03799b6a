"""Costing a model with the simulator: its layers' shapes and masks as the simulator's workload.

:func:`model_geometry` runs one zero sample through a model to find every
``Linear``/``Conv2d``'s GEMM shape; :func:`workload_from_geometry` turns those
shapes (at any widths, with any masks) into :class:`hwprune_edu.hardware.Layer`
records; :func:`workload_from_model` does both for a model as it is, masks
included, so any pruned model can be costed.

>>> from torch import nn
>>> from hwprune_edu.hardware import simulate
>>> mlp = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
>>> simulate(workload_from_model(mlp, batch=8), "cpu-avx2").latency_s > 0  # a simulator estimate
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import torch
from torch import nn

from hwprune_edu.hardware import Layer, conv2d, linear
from hwprune_edu.nn.checks import check_module, model_dtype, to_numpy
from hwprune_edu.nn.family import WEIGHTED, check_sequential, prunable_layers, sample_shape, unit_count
from hwprune_edu.nn.scoped import evaluating
from hwprune_edu.util.validation import check_int, check_positive_int, describe

__all__ = ["LayerGeometry", "model_geometry", "workload_from_geometry", "workload_from_model"]


@dataclass(frozen=True)
class LayerGeometry:
    """What the simulator needs to know about one ``Linear``/``Conv2d`` of a model, for a batch of 1.

    Attributes:
        index: position in the ``nn.Sequential``.
        op: ``"linear"`` or ``"conv2d"``.
        in_units, out_units: input features / channels and output features / channels.
        rows_per_sample: GEMM rows per sample for a Linear (1 for ``(N, F)`` inputs).
        kernel, input_hw, stride, padding: conv geometry (``None`` for a Linear).
        producer: index of the prunable layer whose units feed this layer's
            inputs (``None`` for the first layer), and ``inputs_per_unit`` how
            many input columns each such unit became (``h*w`` after a Flatten).
    """

    index: int
    op: str
    in_units: int
    out_units: int
    rows_per_sample: int = 1
    kernel: tuple[int, int] | None = None
    input_hw: tuple[int, int] | None = None
    stride: tuple[int, int] | None = None
    padding: tuple[int, int] | None = None
    producer: int | None = None
    inputs_per_unit: int = 1

    def __post_init__(self) -> None:
        check_int(self.index, name="index", minimum=0)
        if self.op not in ("linear", "conv2d"):
            raise ValueError(f"op must be 'linear' or 'conv2d', got {describe(self.op)}")
        for field in ("in_units", "out_units", "rows_per_sample", "inputs_per_unit"):
            check_positive_int(getattr(self, field), name=field)
        if self.producer is not None:
            check_int(self.producer, name="producer", minimum=0)
        pairs = ("kernel", "input_hw", "stride", "padding")
        if self.op == "conv2d":
            for field in pairs:
                value = getattr(self, field)
                if not isinstance(value, (tuple, list)) or len(value) != 2:
                    raise TypeError(f"{field} must be a pair of ints for a conv2d layer, got {describe(value)}")
                for d in value:
                    check_int(d, name=field, minimum=0 if field == "padding" else 1)
        elif any(getattr(self, field) is not None for field in pairs):
            raise ValueError(f"{', '.join(pairs)} must be None for a linear layer")


def _conv_padding(module: nn.Conv2d, index: int) -> tuple[int, int]:
    if module.dilation != (1, 1):
        raise ValueError(f"model[{index}] is a dilated Conv2d (dilation={module.dilation}); the simulator has no model for it")
    if module.padding_mode != "zeros":
        raise ValueError(f"model[{index}] pads with {module.padding_mode!r}; only zero padding is supported")
    if isinstance(module.padding, str):
        if module.padding == "valid":
            return (0, 0)
        # 'same' (stride 1): torch pads (k - 1) // 2 on the left/top; odd kernels are symmetric.
        if any(k % 2 == 0 for k in module.kernel_size):
            raise ValueError(f"model[{index}] uses padding='same' with an even kernel {module.kernel_size}, which is asymmetric")
        return tuple((k - 1) // 2 for k in module.kernel_size)
    return tuple(module.padding)


def model_geometry(model: nn.Sequential, input_shape: Sequence[int] | None = None) -> list[LayerGeometry]:
    """Shapes of every ``Linear``/``Conv2d`` of ``model``, found with one forward pass of a single zero sample.

    :func:`workload_from_model` and the hardware-aware search use this to
    cost a model at any widths without running it again.

    Args:
        model: a flat ``nn.Sequential`` of the supported family.
        input_shape: shape of one sample (inferred when the model starts with
            ``Linear`` or ``Unflatten``).

    Returns:
        One :class:`LayerGeometry` per weighted layer, in order.

    >>> [(g.op, g.in_units, g.out_units, g.producer) for g in model_geometry(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)))]
    [('linear', 4, 8, None), ('linear', 8, 2, 0)]
    """
    model = check_module(check_sequential(model))
    shape = sample_shape(model, input_shape)
    dtype, device = model_dtype(model)  # a float64 or half model gets a zero sample of its own dtype
    seen: dict[int, tuple[int, ...]] = {}

    def record(index: int):
        def hook(module, args):
            seen[index] = tuple(args[0].shape)  # returns None: the input is left as it is

        return hook

    hooks = [model[i].register_forward_pre_hook(record(i)) for i, m in enumerate(model) if isinstance(m, WEIGHTED)]
    try:
        with evaluating(model), torch.no_grad():
            model(torch.zeros((1, *shape), dtype=dtype, device=device))
    except RuntimeError as err:
        raise ValueError(f"model does not run on inputs of shape (batch, *input_shape) = (1, *{shape}): {err}") from None
    finally:
        for hook in hooks:
            hook.remove()
    prunable = set(prunable_layers(model))
    out: list[LayerGeometry] = []
    producer = None
    for index in sorted(seen):
        module, in_shape = model[index], seen[index]
        per_unit = 1
        if producer is not None:
            per_unit = (in_shape[1] if isinstance(module, nn.Conv2d) else in_shape[-1]) // unit_count(model[producer])
        if isinstance(module, nn.Linear):
            geometry = LayerGeometry(
                index, "linear", module.in_features, module.out_features,
                rows_per_sample=math.prod(in_shape[1:-1]), producer=producer, inputs_per_unit=per_unit,
            )
        else:
            geometry = LayerGeometry(
                index, "conv2d", module.in_channels, module.out_channels, kernel=tuple(module.kernel_size),
                input_hw=tuple(in_shape[2:]), stride=tuple(module.stride), padding=_conv_padding(module, index),
                producer=producer, inputs_per_unit=per_unit,
            )
        out.append(geometry)
        producer = index if index in prunable else None
    return out


def _weight_mask(module: nn.Module) -> np.ndarray | None:
    mask = getattr(module, "weight_mask", None)
    keep = (mask != 0) if mask is not None else (module.weight != 0)
    keep = to_numpy(keep, name="weight_mask")
    return None if keep.all() else keep


def workload_from_geometry(
    geometry: Sequence[LayerGeometry],
    batch: int,
    *,
    widths: Mapping[int, int] | None = None,
    masks: Mapping[int, np.ndarray | None] | None = None,
) -> list[Layer]:
    """The simulator's layer list for a model's geometry, optionally with some layers' widths changed.

    Changing layer ``i``'s width changes its outputs and its consumer's inputs
    (times ``inputs_per_unit`` after a Flatten), exactly as :func:`~hwprune_edu.nn.remove_units` would.

    Args:
        geometry: what :func:`model_geometry` returns.
        batch: samples per forward pass.
        widths: ``{layer index: new width}`` for prunable layers.
        masks: ``{layer index: keep mask}`` of the weights at their current shape.

    Returns:
        A list of :class:`hwprune_edu.hardware.Layer`.

    >>> g = model_geometry(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)))
    >>> [(layer.k, layer.n) for layer in workload_from_geometry(g, 16, widths={0: 3})]
    [(4, 3), (3, 2)]
    """
    if isinstance(geometry, (str, bytes)) or not hasattr(geometry, "__iter__"):
        raise TypeError(f"geometry must be the list model_geometry returns, got {describe(geometry)}")
    geometry = list(geometry)
    for g in geometry:
        if not isinstance(g, LayerGeometry):
            raise TypeError(f"geometry must be the list of LayerGeometry model_geometry returns, got an item {describe(g)}")
    batch = check_positive_int(batch, name="batch")
    for arg, value in (("widths", widths), ("masks", masks)):
        if value is not None and not isinstance(value, Mapping):
            raise TypeError(f"{arg} must be a dict {{layer index: ...}}, got {describe(value)}")
    widths = {index: check_positive_int(width, name=f"widths[{index}]") for index, width in (widths or {}).items()}
    masks = {index: to_numpy(mask, name=f"masks[{index}]") if isinstance(mask, torch.Tensor) else mask
             for index, mask in (masks or {}).items()}
    layers = []
    for g in geometry:
        out_units = widths.get(g.index, g.out_units)
        in_units = g.in_units
        if g.producer is not None and g.producer in widths:
            in_units = widths[g.producer] * g.inputs_per_unit
        mask = masks.get(g.index)
        name = f"{g.index}:{g.op}"
        if g.op == "linear":
            layers.append(linear(batch * g.rows_per_sample, in_units, out_units, weight_mask=mask, name=name))
        else:
            layers.append(
                conv2d(
                    batch, in_units, out_units, g.kernel, g.input_hw, stride=g.stride, padding=g.padding,
                    weight_mask=mask, name=name,
                )
            )
    return layers


def workload_from_model(model: nn.Sequential, input_shape: Sequence[int] | None = None, batch: int = 1) -> list[Layer]:
    """The simulator's layer list for ``model``, masks included, so any pruned model can be costed.

    Every ``Linear`` becomes :func:`hwprune_edu.hardware.linear` and every
    ``Conv2d`` :func:`hwprune_edu.hardware.conv2d` at its real input size.
    Weight masks come from ``torch.nn.utils.prune`` buffers (``weight_mask``)
    or, when a model has none, from exact zeros in the weights (masks made
    permanent); the simulator reads their pattern. A physically pruned model
    simply has smaller layers. BatchNorm, activations and pooling are not
    costed (the simulator models GEMMs; they are a small share of the work).

    Args:
        model: a flat ``nn.Sequential`` of the supported family.
        input_shape: shape of one sample, e.g. ``(64,)``; inferred when the
            model starts with ``Linear`` or ``Unflatten``.
        batch: samples per forward pass.

    Returns:
        A list of :class:`hwprune_edu.hardware.Layer`, one per Linear/Conv2d.

    >>> from hwprune_edu.hardware import simulate
    >>> mlp = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    >>> layers = workload_from_model(mlp, (64,), batch=8)
    >>> [(layer.m, layer.k, layer.n) for layer in layers]
    [(8, 64, 32), (8, 32, 10)]
    >>> from hwprune_edu.nn.methods import nm_prune
    >>> _ = nm_prune(mlp[0])
    >>> workload_from_model(mlp, (64,), batch=8)[0].pattern.kind
    'n:m'
    >>> simulate(layers, "cpu-avx2").latency_s > 0
    True
    """
    batch = check_positive_int(batch, name="batch")
    geometry = model_geometry(model, input_shape)
    masks = {g.index: _weight_mask(model[g.index]) for g in geometry}
    return workload_from_geometry(geometry, batch, masks=masks)

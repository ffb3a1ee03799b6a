"""The supported model family: a flat ``nn.Sequential`` whose weighted layers' units can be counted and removed.

The family is exactly what :func:`~hwprune_edu.nn.data.digits_mlp` and
:func:`~hwprune_edu.nn.data.digits_cnn` build: ``Linear``, ``Conv2d``
(``groups=1``), ``BatchNorm1d/2d``, element-wise activations, pooling,
``Dropout``, ``Flatten`` and ``Unflatten``. A *unit* is an output feature
of a ``Linear`` or a filter of a ``Conv2d``; its *chain* is the per-channel
layers after it up to the next weighted layer (its *consumer*), whose inputs
must shrink with it. Statistics, surgery and costing all read the model
through these helpers.

>>> from torch import nn
>>> mlp = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
>>> chain(mlp, 0)
Chain(between=[1], consumer=2, flatten_at=-1)
"""

from __future__ import annotations

import math
import numbers
from typing import Any, NamedTuple

import numpy as np
from torch import nn

from hwprune_edu.util.validation import check_input_shape, describe

__all__ = [
    "WEIGHTED",
    "NORMS",
    "ELEMENTWISE",
    "POOLS",
    "RESHAPES",
    "SUPPORTED",
    "check_sequential",
    "layer_index",
    "Chain",
    "chain",
    "prunable_layers",
    "layer_widths",
    "unit_count",
    "sample_shape",
]

#: Layers whose outputs are "units" (rows of W, conv filters) and whose inputs can be sliced.
WEIGHTED = (nn.Linear, nn.Conv2d)
#: Per-channel affine layers between a unit and its consumer: sliced along with the unit.
NORMS = (nn.BatchNorm1d, nn.BatchNorm2d)
#: Channel-wise, parameter-free layers: a unit's channel passes through unchanged in position.
ELEMENTWISE = (
    nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Tanh, nn.Sigmoid, nn.Hardtanh,
    nn.Identity, nn.Dropout,
)
#: Pooling keeps channels in place (it only shrinks the spatial size).
POOLS = (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)
RESHAPES = (nn.Flatten, nn.Unflatten)
SUPPORTED = WEIGHTED + NORMS + ELEMENTWISE + POOLS + RESHAPES


def check_sequential(model: Any, *, name: str = "model") -> nn.Sequential:
    """``model`` itself if it is a flat ``nn.Sequential`` of the supported family; TypeError/ValueError otherwise.

    >>> check_sequential(nn.Sequential(nn.Conv2d(2, 2, 3, groups=2)))
    Traceback (most recent call last):
    ...
    ValueError: model[0] is a grouped Conv2d (groups=2); only groups=1 is supported
    """
    if not isinstance(model, nn.Sequential):
        raise TypeError(
            f"{name} must be a flat torch.nn.Sequential (the family digits_mlp/digits_cnn build), got {describe(model)}"
        )
    for index, module in enumerate(model):
        if not isinstance(module, SUPPORTED):
            raise ValueError(
                f"{name}[{index}] is a {type(module).__name__}, which is outside the supported model family "
                f"(Linear, Conv2d, BatchNorm1d/2d, element-wise activations, pooling, Dropout, Flatten, Unflatten)"
            )
        if isinstance(module, nn.Conv2d) and module.groups != 1:
            raise ValueError(f"{name}[{index}] is a grouped Conv2d (groups={module.groups}); only groups=1 is supported")
    return model


def layer_index(model: nn.Sequential, layer: Any, *, name: str = "layer") -> int:
    """The non-negative position of ``layer`` (an int, negative ints count from the end, or its name like ``'2'``).

    ``name`` is the argument's name in error messages (``"keep"`` when the
    layer is a key of :func:`~hwprune_edu.nn.remove_units`'s ``keep``).

    >>> layer_index(nn.Sequential(nn.Linear(2, 2), nn.ReLU()), "-1")
    1
    """
    model = check_sequential(model)
    if isinstance(layer, str):
        if not layer.strip().lstrip("-").isdigit() or not layer.strip().lstrip("-").isascii():
            raise ValueError(f"{name} must be an index of the Sequential (int or its name like '2'), got {layer!r}")
        layer = int(layer)
    if isinstance(layer, (bool, np.bool_)) or not isinstance(layer, numbers.Integral):
        raise TypeError(f"{name} must be an index of the Sequential (int or its name like '2'), got {describe(layer)}")
    index = int(layer)
    n = len(model)
    if not -n <= index < n:
        raise ValueError(f"{name} must be an index in [{-n}, {n - 1}] of the Sequential, got {layer}")
    return index % n


class Chain(NamedTuple):
    """What follows a weighted layer up to the next one: its per-channel layers and its consumer.

    Attributes:
        between: indices of the BatchNorm / element-wise / pooling / Flatten layers in between.
        consumer: index of the next ``Linear``/``Conv2d``, whose inputs are the layer's units.
        flatten_at: index of the ``Flatten`` in between, or -1 when there is none.
    """

    between: list[int]
    consumer: int
    flatten_at: int


def chain(model: nn.Sequential, index: int) -> Chain:
    """The :class:`Chain` after ``model[index]``; ValueError when its units cannot be removed.

    >>> chain(nn.Sequential(nn.Linear(4, 2)), 0)
    Traceback (most recent call last):
    ...
    ValueError: model[0] (Linear) has no Linear/Conv2d after it: its outputs are the model's predictions, so its units cannot be removed
    """
    index = layer_index(model, index, name="index")
    if not isinstance(model[index], WEIGHTED):
        raise ValueError(f"index must name a Linear/Conv2d layer, but model[{index}] is a {type(model[index]).__name__}")
    between: list[int] = []
    flatten_at = -1
    for j in range(index + 1, len(model)):
        module = model[j]
        if isinstance(module, WEIGHTED):
            return Chain(between, j, flatten_at)
        if isinstance(module, NORMS + ELEMENTWISE + POOLS):
            between.append(j)
        elif isinstance(module, nn.Flatten) and module.start_dim == 1 and module.end_dim == -1:
            flatten_at = j
            between.append(j)
        else:
            raise ValueError(
                f"model[{j}] ({type(module).__name__}) sits between model[{index}] "
                f"({type(model[index]).__name__}) and the next Linear/Conv2d; remove_units supports only "
                "BatchNorm, element-wise activations, pooling, Dropout and Flatten there"
            )
    raise ValueError(
        f"model[{index}] ({type(model[index]).__name__}) has no Linear/Conv2d after it: its outputs are the "
        "model's predictions, so its units cannot be removed"
    )


def prunable_layers(model: nn.Sequential) -> list[int]:
    """Indices of the ``Linear``/``Conv2d`` layers whose units :func:`~hwprune_edu.nn.remove_units` can remove.

    Every weighted layer but the last (whose outputs are the predictions).

    >>> prunable_layers(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)))
    [0]
    """
    model = check_sequential(model)
    out = []
    for index, module in enumerate(model):
        if isinstance(module, WEIGHTED):
            try:
                chain(model, index)
            except ValueError:
                continue
            out.append(index)
    return out


def layer_widths(model: nn.Sequential) -> dict[int, int]:
    """Number of units (output features / channels) of every prunable layer, by index.

    >>> layer_widths(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)))
    {0: 8}
    """
    return {i: unit_count(model[i]) for i in prunable_layers(model)}


def unit_count(module: nn.Module) -> int:
    """Units of a ``Linear`` (output features) or ``Conv2d`` (output channels).

    >>> unit_count(nn.Conv2d(1, 6, 3))
    6
    """
    if not isinstance(module, WEIGHTED):
        raise TypeError(f"module must be a torch.nn.Linear or Conv2d, got {describe(module)}")
    return module.out_features if isinstance(module, nn.Linear) else module.out_channels


def sample_shape(model: nn.Module, input_shape: Any = None) -> tuple[int, ...]:
    """The shape of one input sample: ``input_shape`` checked, or inferred from a leading ``Linear``/``Unflatten``.

    >>> sample_shape(nn.Sequential(nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 2, 3)))
    (64,)
    >>> sample_shape(nn.Sequential(nn.Conv2d(1, 2, 3)), 64)
    (64,)
    """
    model = check_sequential(model) if input_shape is None else model
    if input_shape is not None:
        return check_input_shape(input_shape)
    if len(model) == 0:
        raise ValueError("model is an empty Sequential: there is nothing to infer input_shape from")
    first = model[0]
    if isinstance(first, nn.Linear):
        return (first.in_features,)
    if isinstance(first, nn.Unflatten) and first.dim == 1:
        return (math.prod(first.unflattened_size),)
    raise ValueError(
        f"input_shape is needed: it cannot be inferred from model[0] ({type(first).__name__}); pass the shape of one "
        "sample, e.g. (1, 8, 8)"
    )

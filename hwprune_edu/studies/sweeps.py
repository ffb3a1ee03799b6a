"""Granularity sweeps: prune one layer of a trained model with each sparsity pattern; measure accuracy and speed.

The same sparsity can mean very different things. Zeroing half the weights
one by one (*unstructured*), removing half the neurons (*structured*), keeping
2 of every 4 inputs (*N:M*) or dropping half the 4x4 tiles (*block*) all
leave 50 % of a layer's weights, but they cost different accuracy and they
run at different speeds on different chips. This module prunes one layer of
a trained model with each pattern, at a list of sparsities, and records both:

* :func:`prune_layer`: a pruned copy of a model (structured patterns remove
  the neurons and the next layer's matching inputs, the others keep a
  ``torch.nn.utils.prune`` mask, so a fine-tune cannot regrow pruned weights);
* :func:`accuracy_vs_sparsity`: the sweep, with an optional short fine-tune;
* :func:`latency_by_pattern`: the pruned layer's simulated latency per platform.

Patterns are named as in :mod:`hwprune_edu.pruning.patterns` (``"unstructured"``,
``"structured"``, ``"2:4"``, ``"block 4x4"`` ...) and pruned with its
:func:`~hwprune_edu.pruning.patterns.prune_to`. An N:M pattern has one
sparsity, ``1 - N/M``, and is evaluated only there.

The results are the torch-free :class:`~hwprune_edu.studies.results.SweepTable`
and :class:`~hwprune_edu.studies.results.LatencyTable`.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from hwprune_edu.hardware import simulate
from hwprune_edu.nn import count_parameters, fixed_threads, make_masks_permanent, remove_units, workload_from_model
from hwprune_edu.nn.data import SPLITS, Splits, evaluate, finetune
from hwprune_edu.pruning import sparsity as fraction_pruned
from hwprune_edu.pruning.patterns import Pattern, parse_pattern, prune_to
from hwprune_edu.studies.arguments import (
    SEED_MAX,
    check_choice,
    check_input_shape,
    check_lr,
    check_patterns,
    check_profiles,
    check_threads,
)
from hwprune_edu.studies.sweep_results import LatencyRow, LatencyTable, SweepPoint, SweepTable
from hwprune_edu.util.validation import check_fraction, check_int, check_positive_int, describe

__all__ = [
    "DEFAULT_PROFILES",
    "prune_layer",
    "layer_costs",
    "accuracy_vs_sparsity",
    "latency_by_pattern",
]

#: Platforms the latency functions cost on by default: one of each kind of sparsity support
#: (CSR on a CPU, 2:4 tensor cores on a GPU, dense-only systolic NPU, zero-skipping EIE).
DEFAULT_PROFILES = ("cpu-avx2", "gpu-ampere", "npu-systolic", "sparse-eie")

# What a sparsity means in the messages of these functions.
_SPARSITY_MEANING = " (a fraction of the layer's weights)"


def _check_model_layer(model: Any, layer: Any) -> int:
    from torch import nn

    if not isinstance(model, nn.Sequential):
        raise TypeError(f"model must be a torch.nn.Sequential (what digits_mlp/digits_cnn build), got {describe(model)}")
    index = check_int(layer, name="layer")
    if not -len(model) <= index < len(model):
        raise ValueError(f"layer must be an index in [{-len(model)}, {len(model) - 1}] of the Sequential, got {index}")
    index %= len(model)
    if not isinstance(model[index], (nn.Linear, nn.Conv2d)):
        weighted = [i for i, module in enumerate(model) if isinstance(module, (nn.Linear, nn.Conv2d))]
        raise ValueError(
            f"layer must index a Linear or Conv2d of the model (one of {weighted}), got {index}, "
            f"a {type(model[index]).__name__}"
        )
    return index


def prune_layer(model: Any, layer: int, pattern: Any, sparsity: float | None = None) -> tuple[Any, np.ndarray]:
    """A copy of ``model`` with layer ``layer`` pruned by ``pattern`` to ``sparsity``, and the keep mask used.

    ``"structured"`` *removes* the pruned neurons (rows, bias entries, and the
    next layer's matching inputs, via :func:`hwprune_edu.nn.remove_units`), so
    the copy is a smaller dense model. The other patterns keep the layer's
    shape and register the mask with ``torch.nn.utils.prune.custom_from_mask``,
    so training the copy cannot regrow pruned weights. Masks already on
    ``model`` are folded into its weights first; ``model`` is not modified.

    Args:
        model: a flat ``nn.Sequential`` (e.g. :func:`hwprune_edu.nn.data.digits_mlp`).
        layer: index of a ``Linear`` or ``Conv2d`` in it (for ``"structured"``, not the last one).
        pattern: a pattern name or :class:`~hwprune_edu.pruning.patterns.Pattern`.
        sparsity: fraction of the layer's weights to prune (``None`` for N:M).

    Returns:
        ``(pruned_model, keep_mask)``; ``keep_mask`` has the original weight's shape.

    >>> from hwprune_edu.nn.data import digits_mlp
    >>> small, keep = prune_layer(digits_mlp(hidden=(8,)), 0, "structured", 0.25)
    >>> small[0].out_features, small[2].in_features, keep.shape
    (6, 6, (8, 64))
    """
    import torch
    from torch.nn.utils import prune

    index = _check_model_layer(model, layer)
    spec = parse_pattern(pattern)
    plain = make_masks_permanent(model)
    # float64 holds every float16, bfloat16 and float32 weight exactly, and NumPy has no bfloat16.
    weights = plain[index].weight.detach().cpu().to(torch.float64).numpy()
    keep = prune_to(weights, spec, sparsity)
    if spec.kind == "structured":
        rows = keep.reshape(keep.shape[0], -1).any(axis=1)
        return remove_units(plain, {index: rows}), keep
    prune.custom_from_mask(plain[index], "weight", torch.from_numpy(keep))
    return plain, keep


def _profiles(profiles: Any) -> list:
    return check_profiles(profiles, name="profiles")


def layer_costs(model: Any, layer: int, profiles: Sequence[Any] = DEFAULT_PROFILES, *, batch: int = 1,
                input_shape: Sequence[int] | None = None) -> dict[str, Any]:
    """Simulated cost of one layer of ``model`` (its mask included) on each platform.

    The layer is costed as stored: a masked layer by the pattern the simulator
    reads from its mask, a physically shrunk layer as a smaller dense GEMM.

    Args:
        model: a flat ``nn.Sequential``.
        layer: index of a ``Linear`` or ``Conv2d`` in it.
        profiles: profile names (or ``Hardware``), see :data:`hwprune_edu.hardware.PROFILES`.
        batch: samples per forward pass.
        input_shape: shape of one sample, when it cannot be inferred from ``model``.

    Returns:
        ``{profile name: LayerCost}`` (see :class:`hwprune_edu.hardware.LayerCost`).

    >>> from hwprune_edu.nn.data import digits_mlp
    >>> pruned, _ = prune_layer(digits_mlp(hidden=(64,)), 0, "2:4")
    >>> {name: cost.kernel for name, cost in layer_costs(pruned, 0, ["gpu-ampere", "npu-systolic"]).items()}
    {'gpu-ampere': '2:4 sparse tensor core', 'npu-systolic': 'dense'}
    """
    index = _check_model_layer(model, layer)
    hardware = _profiles(profiles)
    batch = check_positive_int(batch, name="batch")
    workload = workload_from_model(model, check_input_shape(input_shape), batch)
    (target,) = [item for item in workload if item.name.split(":")[0] == str(index)]
    return {hw.name: simulate([target], hw).layers[0] for hw in hardware}


def _layer_label(module: Any) -> str:
    weight = module.weight
    if weight.ndim == 2:
        return f"{type(module).__name__} {weight.shape[1]} -> {weight.shape[0]}, {weight.numel():,} weights"
    return f"{type(module).__name__} {tuple(weight.shape)}, {weight.numel():,} weights"


def _check_patterns(patterns: Any) -> list[Pattern]:
    return check_patterns(patterns, name="patterns", unique=True)


def _check_sparsities(sparsities: Any) -> tuple[float, ...]:
    if isinstance(sparsities, (str, bytes)) or not isinstance(sparsities, (list, tuple, np.ndarray)):
        raise TypeError(f"sparsities must be a list of fractions in [0, 1], got {describe(sparsities)}")
    values = [check_fraction(s, name=f"sparsities[{i}]", meaning=_SPARSITY_MEANING) for i, s in enumerate(list(sparsities))]
    if not values:
        raise ValueError("sparsities must contain at least one fraction, got an empty sequence")
    return tuple(sorted(set(values)))


def accuracy_vs_sparsity(
    model: Any,
    data: Any,
    layer: int,
    patterns: Sequence[Any],
    sparsities: Sequence[float],
    *,
    finetune_steps: int = 0,
    lr: float = 1e-3,
    seed: int = 0,
    split: str = "test",
    profiles: Sequence[Any] = (),
    batch: int = 1,
    num_threads: int | None = 1,
) -> SweepTable:
    """Prune one layer of a trained model with each pattern at each sparsity; record accuracy (and latency).

    Every point starts again from ``model`` (which is not modified): prune
    with :func:`prune_layer`, evaluate, then, if ``finetune_steps > 0``,
    train the pruned copy for that many Adam steps (mask kept) and evaluate
    again. N:M patterns are evaluated once, at their own sparsity ``1 - N/M``,
    whatever ``sparsities`` says. Deterministic for a given ``seed``.

    Args:
        model: a trained ``nn.Sequential`` (e.g. :func:`hwprune_edu.nn.data.digits_mlp`).
        data: what :func:`hwprune_edu.nn.data.load_digits` returns.
        layer: index of the ``Linear``/``Conv2d`` to prune.
        patterns: pattern names (see :data:`~hwprune_edu.pruning.patterns.PATTERN_NAMES`), e.g. ``["unstructured", "2:4"]``.
        sparsities: target fractions of the layer's weights to prune.
        finetune_steps: Adam steps of fine-tuning after pruning (0 = none).
        lr: the fine-tune's learning rate.
        seed: seed of the fine-tune's shuffling.
        split: the split accuracy is measured on (``"test"``, ``"val"`` or ``"train"``).
        profiles: platforms to simulate the pruned layer on (none by default).
        batch: samples per forward pass for the simulation.
        num_threads: torch threads for the sweep, restored afterwards (``None``: leave torch's setting).

    Returns:
        A :class:`SweepTable`.

    >>> from hwprune_edu.nn.data import load_digits, digits_mlp, train
    >>> data, model = load_digits(), digits_mlp(hidden=(16, 16))
    >>> _ = train(model, data, epochs=2, progress=False)
    >>> table = accuracy_vs_sparsity(model, data, 2, ["unstructured", "2:4"], [0.25, 0.5])
    >>> [(p.pattern, p.sparsity) for p in table.points]
    [('unstructured', 0.25), ('unstructured', 0.5), ('2:4', 0.5)]
    """
    index = _check_model_layer(model, layer)
    if not isinstance(data, Splits):
        raise TypeError(f"data must be what load_digits(), load_mnist1d() or from_arrays() return (a Splits), got {describe(data)}")
    specs = _check_patterns(patterns)
    targets = _check_sparsities(sparsities)
    finetune_steps = check_int(finetune_steps, name="finetune_steps", minimum=0)
    seed = check_int(seed, name="seed", minimum=0, maximum=SEED_MAX)
    batch = check_positive_int(batch, name="batch")
    hardware = _profiles(profiles)
    lr = check_lr(lr)
    split = check_choice(split, SPLITS, name="split")
    num_threads = check_threads(num_threads)

    def latency(pruned) -> dict[str, float]:
        if not hardware:
            return {}
        return {name: cost.latency_s for name, cost in layer_costs(pruned, index, hardware, batch=batch).items()}

    points = []
    with fixed_threads(num_threads):
        dense_accuracy = evaluate(model, data, split)
        for spec in specs:
            for target in (spec.fixed_sparsity,) if spec.kind == "n:m" else targets:
                pruned, keep = prune_layer(model, index, spec, target)
                accuracy = evaluate(pruned, data, split)
                finetuned = None
                if finetune_steps:
                    finetune(pruned, data, finetune_steps, lr=lr, seed=seed, num_threads=None)
                    finetuned = evaluate(pruned, data, split)
                points.append(SweepPoint(spec.name, target, fraction_pruned(keep), accuracy, finetuned,
                                         count_parameters(pruned), latency(pruned)))
        dense_latency = latency(model)
    return SweepTable(tuple(points), dense_accuracy, index, _layer_label(model[index]), split, finetune_steps, batch,
                      dense_latency)


def latency_by_pattern(
    model: Any,
    layer: int,
    patterns: Sequence[Any],
    *,
    sparsity: float = 0.5,
    profiles: Sequence[Any] = DEFAULT_PROFILES,
    batch: int = 1,
    input_shape: Sequence[int] | None = None,
) -> LatencyTable:
    """Simulated latency of one layer pruned with each pattern at the same sparsity, on each platform.

    "Same sparsity, different speed": the simulator reads each mask's pattern
    and runs it on a sparse kernel only where the platform declares one. N:M
    patterns are costed at their own sparsity ``1 - N/M``. Only the pruned
    layer is costed; ``"structured"`` also shrinks the next layer's inputs,
    a further saving not counted here.

    Args:
        model: a flat ``nn.Sequential``; not modified.
        layer: index of the ``Linear``/``Conv2d`` to prune.
        patterns: pattern names (see :data:`~hwprune_edu.pruning.patterns.PATTERN_NAMES`).
        sparsity: the fraction to prune for the non-N:M patterns.
        profiles: profile names (or ``Hardware``).
        batch: samples per forward pass.
        input_shape: shape of one sample, when it cannot be inferred from ``model``.

    Returns:
        A :class:`LatencyTable`.

    >>> from hwprune_edu.nn.data import digits_mlp
    >>> print(latency_by_pattern(digits_mlp(), 2, ["unstructured", "structured", "2:4"],
    ...                          profiles=["cpu-avx2", "gpu-ampere"], batch=1024))
    layer 2 (Linear 1024 -> 1024, 1,048,576 weights), batch 1024: speed-up over the dense layer [kernel]
    dense layer bound by: cpu-avx2 compute, gpu-ampere compute
    pattern       sparsity  cpu-avx2     gpu-ampere
    dense             0.0%  1.00x dense  1.00x dense
    unstructured     50.0%  1.00x dense  1.00x dense
    structured       50.0%  2.00x dense  1.31x dense
    2:4              50.0%  1.00x dense  1.25x 2:4 sparse tensor core
    """
    index = _check_model_layer(model, layer)
    specs = _check_patterns(patterns)
    target = check_fraction(sparsity, name="sparsity", meaning=_SPARSITY_MEANING)
    input_shape = check_input_shape(input_shape)
    hardware = _profiles(profiles)
    batch = check_positive_int(batch, name="batch")
    rows = []
    for spec in specs:
        pruned, keep = prune_layer(model, index, spec, spec.fixed_sparsity if spec.kind == "n:m" else target)
        costs = layer_costs(pruned, index, hardware, batch=batch, input_shape=input_shape)
        rows.append(LatencyRow(spec.name, fraction_pruned(keep), costs))
    dense = layer_costs(model, index, hardware, batch=batch, input_shape=input_shape)
    return LatencyTable(tuple(rows), dense, index, _layer_label(model[index]), batch)

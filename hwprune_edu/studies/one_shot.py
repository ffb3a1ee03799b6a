"""One-shot pruning of the tiny LM, layer by layer, with calibration activations: magnitude, Wanda, SparseGPT.

No retraining. The runners here follow the papers' recipe at toy scale:

* :func:`calibration_ids`: random training windows (the papers use 128 windows of
  2,048 tokens from C4; we use 64 windows of 64 characters);
* :func:`layer_errors`: every Linear layer pruned on its own, on the *dense* model's
  inputs: the per-layer reconstruction error of each method, a like-for-like comparison;
* :func:`prune_lm`: the whole model pruned *sequentially*, block after block, each
  block calibrated on the activations of the already-pruned blocks before it (as
  SparseGPT and Wanda do), for perplexity;
* :func:`quantise_lm`: weights fake-quantised to int8 / int4 (after pruning, if any).

Results are the torch-free :class:`~hwprune_edu.studies.one_shot_results.LayerErrors`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from hwprune_edu.nn.language import CharCorpus, TinyLM, linear_layers
from hwprune_edu.nn.scoped import evaluating, fixed_threads
from hwprune_edu.nn.surgery import copy_model
from hwprune_edu.pruning import (
    apply_mask, fake_quantise, input_norms, magnitude_mask, nm_mask, reconstruction_error, sparsegpt_prune, wanda_mask,
)
from hwprune_edu.studies.one_shot_results import METHODS, PATTERNS, LayerError, LayerErrors
from hwprune_edu.studies.arguments import SEED_MAX, check_choice
from hwprune_edu.util.validation import as_weights, check_int, check_positive_int, describe

__all__ = ["calibration_ids", "layer_inputs", "prune_weight", "layer_errors", "prune_lm", "quantise_lm",
           "input_norms_by_layer"]


def calibration_ids(corpus: CharCorpus, *, n_windows: int = 64, context: int = 64, seed: int = 0) -> torch.Tensor:
    """``(n_windows, context)`` character ids drawn from the training split (seeded).

    >>> from hwprune_edu.nn.language import load_corpus
    >>> tuple(calibration_ids(load_corpus(), n_windows=2, context=8).shape)
    (2, 8)
    """
    if not isinstance(corpus, CharCorpus):
        raise TypeError(f"corpus must be a CharCorpus (what load_corpus() returns), got {describe(corpus)}")
    n_windows = check_positive_int(n_windows, name="n_windows")
    context = check_positive_int(context, name="context")
    if context >= corpus.train.numel():
        raise ValueError(f"context must be shorter than the training text ({corpus.train.numel()} characters), got {context}")
    seed = check_int(seed, name="seed", minimum=0, maximum=SEED_MAX)
    generator = torch.Generator().manual_seed(seed)
    starts = torch.randint(0, corpus.train.numel() - context, (n_windows,), generator=generator)
    return corpus.train[starts[:, None] + torch.arange(context)[None, :]]


def layer_inputs(model: TinyLM, ids: torch.Tensor, names: list[str] | None = None) -> dict[str, np.ndarray]:
    """The inputs each named Linear layer sees on ``ids``, as float64 ``(windows * tokens, in_features)`` arrays.

    >>> from hwprune_edu.nn.language import LMConfig
    >>> lm = TinyLM(LMConfig(vocab_size=10, context=8, d_model=16, n_layers=1, n_heads=2, d_ff=32))
    >>> layer_inputs(lm, torch.zeros(2, 8, dtype=torch.int64), ["blocks.0.qkv"])["blocks.0.qkv"].shape
    (16, 16)
    """
    ids = _check_ids(_check_lm(model), ids)
    layers = linear_layers(model)
    names = list(layers) if names is None else _check_names(names, layers)
    captured: dict[str, np.ndarray] = {}
    handles = [layers[name].register_forward_hook(
        lambda module, args, output, name=name: captured.__setitem__(
            name, args[0].detach().reshape(-1, args[0].shape[-1]).double().numpy())) for name in names]
    try:
        with fixed_threads(1), evaluating(model), torch.no_grad():
            model(ids)
    finally:
        for handle in handles:
            handle.remove()
    return captured


def prune_weight(weights: np.ndarray, inputs: np.ndarray, method: str, pattern: str) -> np.ndarray:
    """One layer's pruned weight by ``method`` (``"magnitude"``, ``"wanda"``, ``"sparsegpt"``) at ``pattern``.

    ``pattern`` is ``"50%"`` (per layer for magnitude, per row for Wanda and SparseGPT, as in the papers)
    or ``"2:4"`` (2 of every 4 inputs kept). ``inputs`` (``(samples, in_features)``) is checked for every
    method, though magnitude pruning does not read it.

    >>> w = np.array([[1.0, -3.0, 2.0, 0.5]])
    >>> prune_weight(w, np.ones((5, 4)), "magnitude", "2:4").tolist()
    [[0.0, -3.0, 2.0, 0.0]]
    """
    method = check_choice(method, METHODS, name="method")
    pattern = check_choice(pattern, PATTERNS, name="pattern")
    weights = as_weights(weights, name="weights", ndim=2)
    inputs = as_weights(inputs, name="inputs", ndim=2)
    if inputs.shape[1] != weights.shape[1]:
        raise ValueError(f"inputs must have one column per input of the weights ({weights.shape[1]}), "
                         f"got shape {inputs.shape}")
    spec = {"amount": 0.5} if pattern == "50%" else {"n": 2, "m": 4}
    if method == "magnitude":
        keep = magnitude_mask(weights, 0.5) if pattern == "50%" else nm_mask(weights, 2, 4)
        return apply_mask(weights, keep)
    if method == "wanda":
        return apply_mask(weights, wanda_mask(weights, inputs, **spec))
    return sparsegpt_prune(weights, inputs, **spec)[0]


def _set_weight(layer: nn.Linear, weights: np.ndarray) -> None:
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(np.asarray(weights, dtype=np.float32)))


def layer_errors(model: TinyLM, ids: torch.Tensor, *, methods=METHODS, patterns=PATTERNS) -> LayerErrors:
    """Reconstruction error of every Linear layer, pruned alone on the dense model's inputs, per method and pattern."""
    ids = _check_ids(_check_lm(model), ids)
    methods = _check_list(methods, METHODS, "methods")
    patterns = _check_list(patterns, PATTERNS, "patterns")
    inputs = layer_inputs(model, ids)
    rows = []
    for name, layer in linear_layers(model).items():
        w = layer.weight.detach().double().numpy()
        for pattern in patterns:
            for method in methods:
                pruned = prune_weight(w, inputs[name], method, pattern)
                rows.append(LayerError(name, method, pattern, reconstruction_error(w, pruned, inputs[name])))
    return LayerErrors(tuple(rows))


def prune_lm(model: TinyLM, ids: torch.Tensor, method: str, pattern: str) -> TinyLM:
    """A pruned copy of ``model``: block by block, each calibrated on the outputs of the pruned blocks before it."""
    ids = _check_ids(_check_lm(model), ids)
    check_choice(method, METHODS, name="method")
    check_choice(pattern, PATTERNS, name="pattern")
    pruned = copy_model(model)
    layers = linear_layers(pruned)
    for index in range(len(pruned.blocks)):
        names = [name for name in layers if name.startswith(f"blocks.{index}.")]
        inputs = layer_inputs(pruned, ids, names)  # one pass: the block's layers see the pruned earlier blocks
        for name in names:
            w = layers[name].weight.detach().double().numpy()
            _set_weight(layers[name], prune_weight(w, inputs[name], method, pattern))
    return pruned


def quantise_lm(model: TinyLM, bits: int, *, group_size: int | None = 128) -> TinyLM:
    """A copy with every Linear weight fake-quantised to ``bits`` (symmetric, one scale per ``group_size`` inputs).

    Zeros stay zeros, so quantising a pruned model keeps its mask.
    """
    _check_lm(model)
    bits = check_int(bits, name="bits", minimum=2)
    if group_size is not None:
        group_size = check_positive_int(group_size, name="group_size")
    quantised = copy_model(model)
    for layer in linear_layers(quantised).values():
        w = layer.weight.detach().double().numpy()
        group = group_size if group_size is not None and w.shape[1] % group_size == 0 else None
        _set_weight(layer, fake_quantise(w, bits, group_size=group))
    return quantised


def input_norms_by_layer(model: TinyLM, ids: torch.Tensor) -> dict[str, np.ndarray]:
    """``||X_j||_2`` of every input feature of every Linear layer on ``ids``: how uneven (outlier-heavy) the inputs are.

    >>> from hwprune_edu.nn.language import LMConfig
    >>> lm = TinyLM(LMConfig(vocab_size=10, context=8, d_model=16, n_layers=1, n_heads=2, d_ff=32))
    >>> input_norms_by_layer(lm, torch.zeros(2, 8, dtype=torch.int64))["blocks.0.qkv"].shape
    (16,)
    """
    return {name: input_norms(x, x.shape[1]) for name, x in layer_inputs(model, ids).items()}


def _check_lm(model: Any) -> TinyLM:
    if not isinstance(model, TinyLM):
        raise TypeError(f"model must be a TinyLM (what load_tiny_lm() returns), got {describe(model)}")
    return model


def _check_ids(model: TinyLM, ids: Any) -> torch.Tensor:
    """``ids`` as a ``(windows, tokens)`` int64 tensor of character ids the model knows, at most its context long."""
    if not isinstance(ids, torch.Tensor):
        raise TypeError(f"ids must be a torch tensor of character ids (what calibration_ids() returns), got {describe(ids)}")
    if ids.dtype.is_floating_point or ids.dtype.is_complex or ids.dtype == torch.bool:
        raise TypeError(f"ids must hold integer character ids, got dtype {ids.dtype}")
    if ids.ndim != 2 or ids.numel() == 0:
        raise ValueError(f"ids must be a non-empty 2-D (windows, tokens) tensor, got shape {tuple(ids.shape)}")
    config = model.config
    if ids.shape[1] > config.context:
        raise ValueError(f"ids must have at most the model's context of {config.context} tokens, got {ids.shape[1]}")
    if int(ids.min()) < 0 or int(ids.max()) >= config.vocab_size:
        raise ValueError(f"ids must be character ids in [0, {config.vocab_size}), got values in "
                         f"[{int(ids.min())}, {int(ids.max())}]")
    return ids.long()


def _check_names(names: Any, layers: dict[str, nn.Linear]) -> list[str]:
    if isinstance(names, str) or not isinstance(names, (list, tuple)):
        raise TypeError(f"names must be a list of Linear layer names, e.g. ['blocks.0.qkv'], got {describe(names)}")
    for name in names:
        check_choice(name, list(layers), name="names")
    return list(names)


def _check_list(values: Any, choices: tuple[str, ...], name: str) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, (list, tuple)) or not values:
        raise TypeError(f"{name} must be a non-empty tuple of names from {choices}, got {describe(values)}")
    return tuple(check_choice(v, choices, name=name) for v in values)

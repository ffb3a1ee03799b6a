"""Reference pruners: exact, vectorised, validated, and they never mutate their inputs.

Every pruner returns a boolean *keep* mask of the input's shape (True = keep).
``amount`` follows ``torch.nn.utils.prune``: an ``int`` counts entries (or
slices, or blocks) to prune, a ``float`` in [0, 1] is a fraction rounded as
``round(amount * n)``; ``bool`` is rejected. Ties: among equal scores, the
entry (slice, block) that comes first in row-major order is pruned first.

>>> import numpy as np
>>> from hwprune_edu.pruning import magnitude_mask, apply_mask
>>> w = np.array([[0.9, -0.1], [0.05, -2.0]])
>>> apply_mask(w, magnitude_mask(w, 0.5)).tolist()
[[0.9, 0.0], [0.0, -2.0]]
"""

from hwprune_edu.pruning.activations import SCORE_METHODS, check_layers, forward, neuron_scores, remove_neurons
from hwprune_edu.pruning.masks import apply_mask, sparsity
from hwprune_edu.pruning.patterns import PATTERN_KINDS, PATTERN_NAMES, Pattern, parse_pattern, prune_to
from hwprune_edu.pruning.quantise import fake_quantise
from hwprune_edu.pruning.reconstruction import reconstruction_error
from hwprune_edu.pruning.sparsegpt import inverse_hessian_factor, layer_hessian, sparsegpt_column_step, sparsegpt_prune
from hwprune_edu.pruning.structured import block_mask, nm_mask, slice_norms, structured_mask
from hwprune_edu.pruning.unstructured import global_magnitude_masks, magnitude_mask, threshold_mask
from hwprune_edu.pruning.wanda import input_norms, wanda_mask, wanda_scores

__all__ = [
    "apply_mask",
    "sparsity",
    "magnitude_mask",
    "threshold_mask",
    "global_magnitude_masks",
    "structured_mask",
    "slice_norms",
    "nm_mask",
    "block_mask",
    "Pattern",
    "PATTERN_KINDS",
    "PATTERN_NAMES",
    "parse_pattern",
    "prune_to",
    "neuron_scores",
    "remove_neurons",
    "forward",
    "check_layers",
    "SCORE_METHODS",
    "wanda_mask",
    "wanda_scores",
    "input_norms",
    "sparsegpt_prune",
    "sparsegpt_column_step",
    "layer_hessian",
    "inverse_hessian_factor",
    "reconstruction_error",
    "fake_quantise",
]

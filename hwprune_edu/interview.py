"""The blog's two interview answers, corrected, with the blog's signatures.

The seed post (``seed/hardware_aware_pruning_blog.en.md``, translated) answers "write weight pruning" and "write
activation pruning" with code that looks plausible and is wrong. These are the
answers an interviewer hopes for: same call shape, correct semantics.

>>> import numpy as np
>>> out = weight_pruning({"weights": np.array([[0.05, 0.5], [0.2, 0.01]])}, 0.1)
>>> out["weights"].tolist()
[[0.0, 0.5], [0.2, 0.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hwprune_edu.pruning import apply_mask, neuron_scores, remove_neurons, threshold_mask
from hwprune_edu.util.validation import as_weights, check_number, describe

__all__ = ["weight_pruning", "activation_pruning"]


def _network_dict(network: Any) -> dict:
    if not isinstance(network, dict):
        raise TypeError(f"network must be a dict with a 'weights' entry (as in the blog), got {describe(network)}")
    if "weights" not in network:
        raise ValueError(f"network must have a 'weights' entry, got keys {sorted(network)}")
    return network


def _is_matrix_list(weights: Any) -> bool:
    """Whether a list holds one matrix per layer (arrays, or lists of rows) rather than the rows of one matrix."""
    if not isinstance(weights, (list, tuple)) or not weights:
        return False
    if any(isinstance(w, np.ndarray) for w in weights):
        return True
    # [[row], [row]] is one matrix; [[[row], [row]], [[row]]] is a list of matrices (W.tolist() per layer).
    return all(isinstance(w, (list, tuple)) and w and all(isinstance(r, (list, tuple)) for r in w) for w in weights)


def _as_layer_list(weights: Any, name: str) -> tuple[list[np.ndarray], bool]:
    """A list of weight arrays, and whether the caller gave a single array.

    A list or tuple of matrices (NumPy arrays, or nested lists such as
    ``W.tolist()``) is a list of layers; anything else (an array, a list of
    rows of numbers) is one matrix, as in the blog's example.
    """
    if _is_matrix_list(weights):
        return [as_weights(w, name=f"{name}[{i}]") for i, w in enumerate(weights)], False
    try:
        return [as_weights(weights, name=name)], True
    except ValueError as err:
        if "ragged" not in str(err):
            raise
        raise ValueError(
            f"{name} must be one matrix (rows of equal length) or a list of matrices, one per layer; got a list "
            "whose rows have different lengths. For layers of different shapes pass [W0, W1, ...] (arrays, or "
            "W.tolist() per layer)"
        ) from None


def weight_pruning(network: dict, threshold: float) -> dict:
    """Zero every weight with ``|w| <= threshold``; keep every matrix's shape.

    Bugs in the blog's version, and their fixes:

    1. It *drops* small weights (``append`` only the survivors), so rows come
       back ragged and positions are lost: the layer can no longer multiply
       its input. Fix: keep the shape and write zeros (a mask).
    2. It returns no mask, so the pruning cannot be kept during fine-tuning
       (gradient steps would regrow the zeros). Fix: return the keep masks.
    3. ``np.array(network['weights'])`` on layers of different shapes makes a
       ragged object array (an error in NumPy >= 1.24). Fix: treat
       ``weights`` as one array or a list of per-layer arrays.
    4. It loops in Python over every element. Fix: one vectorised comparison.

    Args:
        network: a dict whose ``'weights'`` is one array or a list of arrays
            (one per layer). Other entries are passed through. Not modified.
        threshold: weights with ``|w| <= threshold`` are pruned (finite, ``>= 0``).

    Returns:
        A new dict: the input's other entries, ``'weights'`` (masked copies,
        same shapes, same container kind) and ``'masks'`` (boolean keep masks).

    >>> out = weight_pruning({"weights": [np.ones((2, 3)), np.full((1, 2), 0.01)]}, 0.1)
    >>> [w.shape for w in out["weights"]], [bool(m.all()) for m in out["masks"]]
    ([(2, 3), (1, 2)], [True, False])
    """
    net = _network_dict(network)
    threshold = check_number(threshold, name="threshold", low=0, meaning=" (it is compared with |w|)")
    layers, single = _as_layer_list(net["weights"], "network['weights']")
    masks = [threshold_mask(w, threshold) for w in layers]
    pruned = [apply_mask(w, m) for w, m in zip(layers, masks)]
    result = {key: value for key, value in net.items() if key not in ("weights", "masks")}
    result["weights"] = pruned[0] if single else pruned
    result["masks"] = masks[0] if single else masks
    return result


def activation_pruning(network: dict, activation_threshold: float) -> dict:
    """Remove every hidden neuron whose mean |activation| is ``<= activation_threshold``.

    Bugs in the blog's version, and their fixes:

    The blog's example is one 3 x 3 weight matrix, so its loop index ``i``
    runs over the matrix's rows (the neurons), and its activations are a
    3 x 3 ``(samples, neurons)`` matrix, the layout used throughout this course.

    1. It scores neuron ``i`` with ``np.mean(activations[i])``: row ``i`` is
       *sample* ``i``, so the score is one sample's mean over all neurons and
       says nothing about how often neuron ``i`` fires.
       Fix: one score per neuron, ``mean |a|`` over the samples (column ``i``).
    2. It tests a condition that does not depend on ``j`` for every weight
       ``j``, so the loop over ``j`` decides nothing (row ``i`` is kept or
       dropped whole), and it appends a copy of the activations once per kept
       weight. Fix: a boolean keep mask per layer.
    3. Removing neuron ``j`` of layer ``l`` must remove row ``j`` of ``W_l``,
       entry ``j`` of ``b_l`` *and* column ``j`` of ``W_{l+1}``; the blog never
       touches the next layer, so the shapes stop matching.
       Fix: :func:`hwprune_edu.pruning.remove_neurons`.

    A caution, not a bug of the blog's code: its score is a plain mean. On the
    example's non-negative activations (``np.random.rand``, like post-ReLU
    outputs) that equals mean |a|, so nothing goes wrong there; carried over to
    signed activations (before a ReLU, or tanh), +a and -a would cancel and a
    busy neuron would score near 0. The version here scores mean |a| (APoZ,
    the fraction of zeros, is the other common choice after a ReLU).

    Args:
        network: dict with ``'weights'``: a list of ``(out, in)`` matrices
            ``W_l`` (or one matrix, as in the blog's example); optional
            ``'biases'``: a list of ``(out,)`` vectors (zeros if absent);
            ``'activations'``: a list whose entry ``l`` is layer ``l``'s output
            on some data, ``(samples, out_l)``, for every hidden layer (an
            entry for the output layer may be present and is left alone).
            Not modified.
        activation_threshold: neurons with mean |a| ``<=`` this are removed.

    Returns:
        A new dict: ``'weights'``, ``'biases'``, ``'activations'`` (columns of
        removed neurons dropped) and ``'keep'`` (one boolean mask per layer,
        all True for the output layer). With a single matrix (the blog's
        example) its rows are the neurons and there is no next layer to fix.

    >>> net = {"weights": [np.ones((3, 2)), np.ones((1, 3))],
    ...        "activations": [np.array([[1.0, 0.0, 2.0]]), np.array([[3.0]])]}
    >>> out = activation_pruning(net, 0.5)
    >>> [w.shape for w in out["weights"]], out["keep"][0].tolist()
    ([(2, 2), (1, 2)], [True, False, True])
    """
    net = _network_dict(network)
    if "activations" not in net:
        raise ValueError("network must have an 'activations' entry: one (samples, neurons) array per layer")
    activation_threshold = check_number(activation_threshold, name="activation_threshold",
                                        meaning=" (compared with each neuron's mean |a|)")
    weights, single = _as_layer_list(net["weights"], "network['weights']")
    acts_in = net["activations"]
    activations = [acts_in] if single and not isinstance(acts_in, (list, tuple)) else list(acts_in)
    activations = [as_weights(a, name=f"network['activations'][{i}]", ndim=2) for i, a in enumerate(activations)]
    biases_in = net.get("biases")
    if biases_in is None:
        biases = [np.zeros(w.shape[0], dtype=w.dtype) for w in weights]
    else:
        biases = [biases_in] if single and not isinstance(biases_in, (list, tuple)) else list(biases_in)
    if len(biases) != len(weights):
        raise ValueError(f"network['biases'] must have one vector per layer ({len(weights)}), got {len(biases)}")
    layers = [(w, as_weights(b, name=f"network['biases'][{i}]", ndim=1)) for i, (w, b) in enumerate(zip(weights, biases))]
    for i, (w, b) in enumerate(layers):
        if w.ndim != 2:
            raise ValueError(f"network['weights'][{i}] must be a 2-D (out, in) matrix, got shape {w.shape}")
        if b.shape[0] != w.shape[0]:
            raise ValueError(f"network['biases'][{i}] must have {w.shape[0]} entries (one per row of "
                             f"network['weights'][{i}], shape {w.shape}), got {b.shape[0]}")
        if i and w.shape[1] != layers[i - 1][0].shape[0]:
            raise ValueError(f"network['weights'][{i}] must take {layers[i - 1][0].shape[0]} inputs (layer {i - 1} has "
                             f"that many outputs), got shape {w.shape}")
    hidden = 1 if single else len(layers) - 1
    if len(activations) < hidden:
        raise ValueError(
            f"network['activations'] must have an entry for each of the {hidden} hidden layer(s), got {len(activations)}"
        )
    keeps = []
    for i in range(len(layers)):
        n_out = layers[i][0].shape[0]
        if i >= hidden:
            keeps.append(np.ones(n_out, dtype=bool))
            continue
        if activations[i].shape[1] != n_out:
            raise ValueError(
                f"network['activations'][{i}] must have {n_out} columns (one per neuron of layer {i}), "
                f"got shape {activations[i].shape}"
            )
        keep = neuron_scores(activations[i], "mean_abs") > activation_threshold
        if not keep.any():
            raise ValueError(
                f"every neuron of layer {i} has mean |a| <= {activation_threshold}; removing them all would "
                "disconnect the network. Use a lower activation_threshold."
            )
        keeps.append(keep)
    if single:
        (w, b), keep = layers[0], keeps[0]
        layers = [(w[keep], b[keep])]
    else:
        for i in range(hidden):
            layers = remove_neurons(layers, i, keeps[i])
    result = {key: value for key, value in net.items() if key not in ("weights", "biases", "activations", "keep")}
    new_w = [w for w, _ in layers]
    new_b = [b for _, b in layers]
    new_acts = [a[:, keeps[i]] if i < len(keeps) and a.shape[1] == keeps[i].size else a.copy() for i, a in enumerate(activations)]
    result["weights"] = new_w[0] if single else new_w
    result["biases"] = new_b[0] if single else new_b
    result["activations"] = new_acts[0] if single and not isinstance(acts_in, (list, tuple)) else new_acts
    result["keep"] = keeps[0] if single else keeps
    return result

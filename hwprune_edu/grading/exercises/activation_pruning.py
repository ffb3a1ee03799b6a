"""Exercise 3c, the blog's ``activation_pruning``, fixed: remove each neuron whose mean |a| is at most the threshold."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from hwprune_edu import interview
from hwprune_edu.grading.blog import layer_mean_activation_pruning
from hwprune_edu.grading.cases import CaseSpec, case, mlp
from hwprune_edu.grading.common_mistakes import MUTATED, RETURNS_NONE, SIGNATURE, ragged_stack
from hwprune_edu.grading.exercise import Exercise, Mistake, naive_mistake, same_output
from hwprune_edu.grading.judging import Fail, as_mask, compare_layers, describe, judged, numeric_array


REFERENCE, NOTEBOOK = interview.activation_pruning, "03_activation_pruning"


# ---------------------------------------------------------------- cases

def _network(rng: np.random.Generator, sizes: list[int], samples: int, dead: dict[int, list[int]],
                        signed: bool = False) -> dict:
    layers = mlp(rng, sizes)
    acts = []
    for i, (w, _) in enumerate(layers[:-1]):
        a = np.round(rng.uniform(0.2, 1.5, (samples, w.shape[0])), 2)
        if signed:
            a *= rng.choice([-1.0, 1.0], size=a.shape)
        a[:, dead.get(i, [])] = np.round(rng.uniform(0, 0.05, (samples, len(dead.get(i, [])))), 3)
        acts.append(a)
    return {"weights": [w for w, _ in layers], "biases": [b for _, b in layers], "activations": acts}


def cases(rng: np.random.Generator) -> list[CaseSpec]:
    """The public cases, then hidden ones drawn from ``rng``."""
    public = {
        "weights": [np.array([[0.5, -1.0], [0.2, 0.3], [-0.7, 0.8]]), np.array([[1.0, 2.0, 3.0], [0.5, -0.5, 0.1]])],
        "biases": [np.array([0.1, 0.0, -0.2]), np.array([0.5, 0.0])],
        "activations": [np.array([[1.0, 0.0, 0.4], [2.0, 0.1, 0.6], [1.5, 0.0, 0.8]])],
    }
    signs = _network(rng, [3, 4, 2], 4, {0: [2]})
    signs["activations"][0][:, 1] = [1.0, -1.0, 1.0, -1.0]  # signed mean 0, mean |a| 1: a busy neuron
    boundary = _network(rng, [2, 4, 1], 2, {0: [0, 1]})
    boundary["activations"][0][:, 0] = [0.25, -0.25]  # mean |a| exactly at the threshold: removed
    return [
        case("", True, network=public, activation_threshold=0.05),
        case("one dead neuron in a busy layer", network=_network(rng, [4, 6, 3], 5, {0: [2]}),
              activation_threshold=0.1),
        case("activations of both signs", network=signs, activation_threshold=0.1),
        case("three layers", network=_network(rng, [3, 5, 4, 2], 6, {0: [0, 4], 1: [1]}, signed=True),
              activation_threshold=0.1),
        case("mean |a| equal to the threshold", network=boundary, activation_threshold=0.25),
        case("nothing to remove", network=_network(rng, [2, 3, 2], 3, {}), activation_threshold=0.1),
    ]


# ---------------------------------------------------------------- judge

@judged
def judge(case: CaseSpec, output: Any) -> tuple[str, str]:
    """The reference's surviving weights, biases and keep masks (the answer is unique)."""
    network, threshold = case.arguments["network"], case.arguments["activation_threshold"]
    expected = interview.activation_pruning(network, threshold)
    if not isinstance(output, dict):
        raise Fail(f"returned {describe(output)}, expected a dict with 'weights', 'biases' and 'keep'")
    missing = [k for k in ("weights", "biases") if k not in output]
    if missing:
        raise Fail(f"returned a dict without {missing} (keys {sorted(map(str, output))})")
    n = len(expected["weights"])
    for key in ("weights", "biases"):
        if not isinstance(output[key], (list, tuple)) or len(output[key]) != n:
            raise Fail(f"'{key}' is {describe(output[key])}, expected a list of {n} arrays, one per layer")
    got = []
    for i in range(n):
        try:
            w, _ = numeric_array(output["weights"][i], f"layer {i}'s weights")
            b, _ = numeric_array(output["biases"][i], f"layer {i}'s biases")
        except Fail as failure:
            raise Fail(f"layer {i}: {failure}") from None
        got.append((w, b))
    compare_layers(got, list(zip(expected["weights"], expected["biases"])))
    if "keep" not in output:
        raise Fail("the layers are right, but no 'keep' masks were returned: return one boolean mask per layer")
    keep = output["keep"]
    if not isinstance(keep, (list, tuple)) or len(keep) != n:
        raise Fail(f"'keep' is {describe(keep)}, expected a list of {n} masks, one per layer")
    note = ""
    for i, (g, e) in enumerate(zip(keep, expected["keep"])):
        try:
            mask, mask_note = as_mask(g, e.shape)
        except Fail as failure:
            raise Fail(f"'keep' layer {i}: {failure}") from None
        note = note or mask_note
        if not np.array_equal(mask, e):
            raise Fail(f"'keep' layer {i} is {mask.astype(int).tolist()}, expected {e.astype(int).tolist()}")
    if "activations" not in output:
        note = note or "accepted: no 'activations' returned (the library's version also drops the removed columns)"
    return "layers and keep masks right", note


# ---------------------------------------------------------------- naive versions, one mistake each

def _pruned_network(network: dict, threshold: float, score: Callable, *, fix_next: bool = True,
                        prune_bias: bool = True, zero: bool = False, keep_rule: Callable | None = None,
                        with_keep: bool = True) -> dict:
    weights = [np.array(w) for w in network["weights"]]
    biases = [np.array(b) for b in network["biases"]]
    keeps = []
    for i in range(len(weights)):
        if i < len(weights) - 1:
            s = score(np.asarray(network["activations"][i]))
            keep = (keep_rule or (lambda x, t: x > t))(s, threshold)
            keep = np.broadcast_to(keep, (weights[i].shape[0],)).copy()
        else:
            keep = np.ones(weights[i].shape[0], dtype=bool)
        keeps.append(keep)
    for i in range(len(weights) - 1):
        keep = keeps[i]
        if zero:
            weights[i][~keep] = 0
            biases[i][~keep] = 0
            continue
        weights[i] = weights[i][keep]
        if prune_bias:
            biases[i] = biases[i][keep]
        if fix_next:
            weights[i + 1] = weights[i + 1][:, keep]
    result = {"weights": weights, "biases": biases}
    if with_keep:
        result["keep"] = keeps
    return result


def stacked_activation_pruning(network, activation_threshold):
    np.array(network["weights"])  # the blog's first line: fails for layers of different shapes
    return _pruned_network(network, activation_threshold, lambda a: np.abs(a).mean(axis=0))


def keepless_activation_pruning(network, activation_threshold):
    return _pruned_network(network, activation_threshold, lambda a: np.abs(a).mean(axis=0), with_keep=False)


# ---------------------------------------------------------------- mistakes, most specific first

PER_LAYER_MEAN = Mistake(
    "per_layer_mean", "decided per layer, not per neuron",
    "One number for the whole layer: all its neurons stay or go together. (The blog's np.mean(activations[i]) "
    "is no per-neuron score either: row i of its (samples, neurons) matrix is sample i, averaged over every "
    "neuron.) Score each neuron over the samples: np.abs(a).mean(axis=0) gives one mean |a| per column.",
    same_output(layer_mean_activation_pruning), naive=layer_mean_activation_pruning)


@naive_mistake("signed_mean", "plain mean of signed activations",
               hint="Use mean |a|: on signed activations (before a ReLU, or tanh) a neuron firing +1, -1, +1, -1 "
                    "has a plain mean of 0 but is busy.")
def signed_activation_pruning(network, activation_threshold):
    return _pruned_network(network, activation_threshold, lambda a: a.mean(axis=0))


@naive_mistake("next_layer_untouched", "left the next layer's inputs in place",
               hint="Removing neuron j of layer l also removes column j of W_{l+1}; otherwise the shapes stop matching "
                    "(the blog never touches the next layer).")
def rows_only_activation_pruning(network, activation_threshold):
    return _pruned_network(network, activation_threshold, lambda a: np.abs(a).mean(axis=0), fix_next=False)


@naive_mistake("bias_kept", "forgot the bias",
               hint="Remove the neuron's bias entry too: biases[l][keep].")
def bias_kept_activation_pruning(network, activation_threshold):
    return _pruned_network(network, activation_threshold, lambda a: np.abs(a).mean(axis=0), prune_bias=False)


@naive_mistake("zeroed_not_removed", "zeroed neurons instead of removing them",
               hint="Remove the neurons (fewer rows), don't zero them: the point is a smaller, faster layer.")
def zeroing_activation_pruning(network, activation_threshold):
    return _pruned_network(network, activation_threshold, lambda a: np.abs(a).mean(axis=0), zero=True)


@naive_mistake("kept_equal", "kept neurons with mean |a| equal to the threshold",
               hint="Neurons with mean |a| <= activation_threshold are removed: keep only score > threshold (strict).")
def kept_equal_activation_pruning(network, activation_threshold):
    return _pruned_network(network, activation_threshold, lambda a: np.abs(a).mean(axis=0),
                               keep_rule=lambda s, t: s >= t)


RAGGED_STACK = Mistake(
    "ragged_stack", "np.array() of layers with different shapes",
    "np.array(network['weights']) cannot stack layers of different shapes: loop over the list instead.",
    ragged_stack, naive=stacked_activation_pruning)


NO_KEEP = Mistake(
    "no_keep", "returned no keep masks",
    "Return 'keep' too: one boolean mask per layer (all True for the output layer), so the caller knows "
    "which neurons survived.",
    lambda a: isinstance(a.output, dict) and "keep" not in a.output and "weights" in a.output,
    naive=keepless_activation_pruning)


MISTAKES = (
    MUTATED, SIGNATURE, RETURNS_NONE, PER_LAYER_MEAN, signed_activation_pruning, rows_only_activation_pruning,
    bias_kept_activation_pruning, zeroing_activation_pruning, kept_equal_activation_pruning, RAGGED_STACK, NO_KEEP,
)


EXERCISE = Exercise("activation_pruning", REFERENCE, NOTEBOOK, cases, judge, MISTAKES)

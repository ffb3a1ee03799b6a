"""Exercise 3b, ``remove_neurons``: physically remove neurons of one layer and the next layer's inputs."""

from __future__ import annotations

from typing import Any

import numpy as np

from hwprune_edu import pruning
from hwprune_edu.grading.cases import CaseSpec, case, mlp
from hwprune_edu.grading.common_mistakes import MUTATED, RETURNS_NONE, SIGNATURE
from hwprune_edu.grading.exercise import Attempt, Exercise, Mistake, mistake, naive_mistake
from hwprune_edu.grading.judging import Fail, compare_layers, describe, judged, numeric_array


REFERENCE, NOTEBOOK = pruning.remove_neurons, "03_activation_pruning"


# ---------------------------------------------------------------- cases

def _keep(rng: np.random.Generator, n: int) -> np.ndarray:
    keep = rng.random(n) < 0.6
    keep[rng.integers(n)] = True
    return keep


def _dead_network(rng: np.random.Generator) -> tuple[list, np.ndarray, np.ndarray]:
    """A 3 -> 5 -> 2 ReLU MLP whose hidden neurons 1 and 3 never fire on non-negative inputs."""
    layers = mlp(rng, [3, 5, 2])
    w0, b0 = layers[0]
    w0 = w0.copy()
    b0 = b0.copy()
    w0[[1, 3]] = -np.abs(w0[[1, 3]])
    b0[[1, 3]] = -np.abs(b0[[1, 3]]) - 0.1
    x = np.round(rng.uniform(0, 1, (6, 3)), 2)
    keep = np.array([True, False, True, False, True])
    return [(w0, b0), layers[1]], x, keep


def cases(rng: np.random.Generator) -> list[CaseSpec]:
    """The public cases, then hidden ones drawn from ``rng``."""
    public = [(np.array([[0.5, -1.0], [0.2, 0.3], [-0.7, 0.8]]), np.array([0.1, 0.0, -0.2])),
              (np.array([[1.0, 2.0, 3.0]]), np.array([0.5]))]
    deep = mlp(rng, [4, 5, 3, 2])
    dead_layers, x, dead_keep = _dead_network(rng)
    return [
        case("", True, layers=public, layer_index=0, keep=np.array([True, False, True])),
        case("middle layer", layers=deep, layer_index=1, keep=_keep(rng, 3)),
        case("first of three layers", layers=deep, layer_index=0, keep=_keep(rng, 5)),
        case("keep everything", layers=mlp(rng, [2, 3, 2]), layer_index=0, keep=np.ones(3, dtype=bool)),
        case("keep one", layers=mlp(rng, [3, 4, 1]), layer_index=0, keep=np.array([False, False, True, False])),
        case("dead neurons: outputs must not change", layers=dead_layers, layer_index=0, keep=dead_keep,
              extra={"x": x}),
        # A square next layer: slicing its rows instead of its columns gives an array of the same shape.
        case("square next layer", layers=mlp(rng, [3, 4, 4, 2]), layer_index=0,
             keep=rng.permutation([True, False, True, True])),
        case("square next layer, middle", layers=mlp(rng, [2, 5, 3, 3]), layer_index=1,
             keep=rng.permutation([True, False, True])),
    ]


# ---------------------------------------------------------------- judge

def _pairs(output: Any, n_layers: int) -> list[tuple[np.ndarray, np.ndarray]]:
    if not isinstance(output, (list, tuple)):
        raise Fail(f"returned {describe(output)}, expected a list of {n_layers} (W, b) pairs")
    if len(output) != n_layers:
        raise Fail(f"returned {len(output)} layers, expected all {n_layers} (W, b) pairs, changed or not")
    pairs = []
    for i, pair in enumerate(output):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise Fail(f"layer {i}: returned {describe(pair)}, expected a (W, b) pair")
        pairs.append((numeric_array(pair[0], f"layer {i}'s W")[0], numeric_array(pair[1], f"layer {i}'s b")[0]))
    return pairs


@judged
def judge(case: CaseSpec, output: Any) -> tuple[str, str]:
    """Exactly the reference's layers (removal is unique); on dead neurons, the outputs are unchanged."""
    layers = case.arguments["layers"]
    expected = pruning.remove_neurons(layers, case.arguments["layer_index"], case.arguments["keep"])
    got = _pairs(output, len(layers))
    compare_layers(got, expected)
    if "x" in case.extra:
        before, _ = pruning.forward(layers, case.extra["x"])
        after, _ = pruning.forward(got, case.extra["x"])
        gap = float(np.abs(before - after).max())
        # Exact in exact arithmetic; a BLAS may sum the remaining terms in another order.
        if gap > 1e-9 * (1.0 + float(np.abs(before).max())):
            raise Fail(f"removing dead neurons changed the outputs by up to {gap:.3g}")
        return f"outputs unchanged after removing the dead neurons (max |difference| = {gap:.1g})", ""
    return "layers match", ""


# ---------------------------------------------------------------- naive versions, one mistake each

def _copy_layers(layers: list) -> list:
    return [(np.array(w), np.array(b)) for w, b in layers]


def next_rows_remove_neurons(layers, layer_index, keep):
    new = _copy_layers(layers)
    w, b = new[layer_index]
    new[layer_index] = (w[keep], b[keep])
    w2, b2 = new[layer_index + 1]
    n = min(w2.shape[0], keep.size)
    new[layer_index + 1] = (w2[:n][keep[:n]], b2[:n][keep[:n]])
    return new


def partial_remove_neurons(layers, layer_index, keep):
    return pruning.remove_neurons(layers, layer_index, keep)[layer_index: layer_index + 2]


def in_place_remove_neurons(layers, layer_index, keep):
    w, b = layers[layer_index]
    w2, b2 = layers[layer_index + 1]
    layers[layer_index] = (w[keep], b[keep])
    layers[layer_index + 1] = (w2[:, keep], b2)
    return layers


# ---------------------------------------------------------------- mistakes, most specific first

def _layers_out(a: Attempt) -> list | None:
    out = a.output
    if a.status != "ok" or not isinstance(out, (list, tuple)):
        return None
    try:
        return [(np.asarray(w, dtype=float), np.asarray(b, dtype=float)) for w, b in out]
    except (TypeError, ValueError):
        return None


@naive_mistake("next_layer_untouched", "left the next layer's inputs in place",
               hint="Removing neuron j of layer l also removes its input to layer l+1: delete column j of W_{l+1} "
                    "(W_next[:, keep]). Otherwise layer l+1 still expects the old number of inputs (the blog's bug).")
def rows_only_remove_neurons(layers, layer_index, keep):
    new = _copy_layers(layers)
    w, b = new[layer_index]
    new[layer_index] = (w[keep], b[keep])
    return new


@mistake("next_layer_rows", "removed rows of the next layer instead of columns", naive=next_rows_remove_neurons,
         hint="W is (out, in): layer l+1's *inputs* are its columns, so remove columns there (W_next[:, keep]); its "
              "rows are its own neurons.")
def next_layer_rows(a: Attempt) -> bool:
    layers = _layers_out(a)
    i = a.arguments["layer_index"]
    if layers is None or len(layers) <= i + 1:
        return False
    w_next = np.asarray(a.arguments["layers"][i + 1][0])
    kept = int(np.sum(a.arguments["keep"]))
    return layers[i + 1][0].shape[0] != w_next.shape[0] and layers[i + 1][0].shape[1] == w_next.shape[1] and (
        kept != len(a.arguments["keep"]))


@naive_mistake("inverted_keep", "removed the neurons marked keep",
               hint="keep marks the neurons to keep (True = keep): select W[keep], not W[~keep].")
def inverted_remove_neurons(layers, layer_index, keep):
    dropped = ~np.asarray(keep)
    if not dropped.any():
        return [(w[:0], b[:0]) if i == layer_index else (w, b) for i, (w, b) in enumerate(_copy_layers(layers))]
    return pruning.remove_neurons(layers, layer_index, dropped)


@naive_mistake("bias_kept", "forgot the bias",
               hint="Remove the neuron's bias too: b_l[keep] alongside W_l[keep].")
def bias_kept_remove_neurons(layers, layer_index, keep):
    new = pruning.remove_neurons(layers, layer_index, keep)
    new[layer_index] = (new[layer_index][0], np.array(layers[layer_index][1]))
    return new


@naive_mistake("zeroed_not_removed", "zeroed the neurons instead of removing them",
               hint="Physically remove the neurons (W[keep] has fewer rows): zeroing keeps the layer's size, so it is no "
                    "smaller and no faster, which is the point of removing them.")
def zeroing_remove_neurons(layers, layer_index, keep):
    new = _copy_layers(layers)
    w, b = new[layer_index]
    w[~keep] = 0
    b[~keep] = 0
    return new


RETURNED_PARTIAL = Mistake(
    "returned_partial", "returned only the changed layers",
    "Return every layer, changed or not: the result is the whole new network.",
    lambda a: isinstance(a.output, (list, tuple)) and 0 < len(a.output) < len(a.arguments["layers"]),
    naive=partial_remove_neurons)


MISTAKES = (
    MUTATED.made_by(in_place_remove_neurons), SIGNATURE, RETURNS_NONE, rows_only_remove_neurons, next_layer_rows,
    inverted_remove_neurons, bias_kept_remove_neurons, zeroing_remove_neurons, RETURNED_PARTIAL,
)


EXERCISE = Exercise("remove_neurons", REFERENCE, NOTEBOOK, cases, judge, MISTAKES)

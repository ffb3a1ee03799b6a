"""Exercise 6a, ``wanda_mask``: prune by ``|W| * ||X_j||``, compared within each output row (and its N:M variant)."""

from __future__ import annotations

from typing import Any

import numpy as np

from hwprune_edu import pruning
from hwprune_edu.grading.cases import CaseSpec, case, distinct
from hwprune_edu.grading.common_mistakes import (
    DROPPED, FLATTENED, INVERTED, MUTATED, RETURNED_WEIGHTS, RETURNS_NONE, SIGNATURE,
)
from hwprune_edu.grading.exercise import Exercise, Mistake, naive_mistake
from hwprune_edu.grading.judging import Fail, as_mask, judged


REFERENCE, NOTEBOOK = pruning.wanda_mask, "06_one_shot_pruning"
KW = ("n", "m")


def _inputs(rng: np.random.Generator, samples: int, features: int) -> np.ndarray:
    # Channel scales spread over two orders of magnitude: the input norms decide, as in an LLM.
    return np.round(rng.standard_normal((samples, features)) * np.exp(1.5 * rng.standard_normal(features)), 4)


# ---------------------------------------------------------------- cases

def cases(rng: np.random.Generator) -> list[CaseSpec]:
    """The public cases, then hidden ones drawn from ``rng``."""
    outlier = np.array([[0.1, 10.0, 1.0, 0.1], [0.2, -9.0, 1.5, 0.3]])
    return [
        case("", True, kw=KW, weights=np.array([[1.0, 0.5, -0.2, 0.4], [0.3, -0.1, 0.8, -0.9]]), inputs=outlier,
             amount=0.5, n=None, m=None),
        case("2:4", True, kw=KW, weights=np.array([[1.0, 0.5, -0.2, 0.4, 0.1, 0.2, 0.3, -0.4]]),
             inputs=np.array([[1.0, 4.0, 2.0, 3.0, 1.0, 1.0, 5.0, 1.0]]), amount=None, n=2, m=4),
        case("int count per row", kw=KW, weights=distinct(rng, (3, 8)), inputs=_inputs(rng, 5, 8), amount=3,
             n=None, m=None),
        case("square inputs", kw=KW, weights=distinct(rng, (4, 6)), inputs=_inputs(rng, 6, 6), amount=0.5,
             n=None, m=None),
        case("rows differ", kw=KW, weights=np.round(distinct(rng, (6, 8)) * np.array([[1], [100], [1], [100], [1], [100]]), 4),
             inputs=_inputs(rng, 8, 8), amount=0.25, n=None, m=None),
        case("2:4, rows a multiple of 4", kw=KW, weights=distinct(rng, (8, 8)), inputs=_inputs(rng, 10, 8),
             amount=None, n=2, m=4),
        case("1:4", kw=KW, weights=distinct(rng, (4, 12)), inputs=_inputs(rng, 7, 12), amount=None, n=1, m=4),
        case("3-D activations (batch, tokens, features)", kw=KW, weights=distinct(rng, (3, 8)),
             inputs=_inputs(rng, 6, 8).reshape(2, 3, 8), amount=0.5, n=None, m=None),
        case("amount 0", kw=KW, weights=distinct(rng, (2, 4)), inputs=_inputs(rng, 3, 4), amount=0.0, n=None, m=None),
        case("amount 1.0", kw=KW, weights=distinct(rng, (2, 4)), inputs=_inputs(rng, 3, 4), amount=1.0, n=None,
             m=None),
    ]


# ---------------------------------------------------------------- judge

def _scores(arguments: dict) -> np.ndarray:
    w = np.asarray(arguments["weights"], dtype=np.float64)
    x = np.asarray(arguments["inputs"], dtype=np.float64).reshape(-1, w.shape[1])
    return np.abs(w) * np.sqrt((x**2).sum(axis=0))[None, :]


@judged
def judge(case: CaseSpec, output: Any) -> tuple[str, str]:
    """Exactly the right count in every row (or n per group of m); no pruned score above a kept one in the same row/group."""
    args = case.arguments
    w = np.asarray(args["weights"])
    keep, note = as_mask(output, w.shape)
    scores = _scores(args)
    if args["m"] is None:
        k = pruning.wanda_mask(w, args["inputs"], args["amount"]).sum(axis=1)[0]
        groups_keep, groups_score, size, unit = keep, scores, w.shape[1], "row"
        expected = int(k)
    else:
        m = args["m"]
        groups_keep, groups_score = keep.reshape(-1, m), scores.reshape(-1, m)
        size, unit, expected = m, f"group of {m} inputs", args["n"]
    counts = groups_keep.sum(axis=1)
    if (counts != expected).any():
        g = int(np.argmax(counts != expected))
        raise Fail(f"{unit} {g} keeps {int(counts[g])} of {size}, expected exactly {expected} in every {unit}")
    pruned_max = np.where(groups_keep, -np.inf, groups_score).max(axis=1)
    kept_min = np.where(groups_keep, groups_score, np.inf).min(axis=1)
    bad = pruned_max > kept_min * (1 + 1e-9)
    if bad.any():
        g = int(np.argmax(bad))
        raise Fail(f"in {unit} {g}, kept a weight with |W| * ||X_j|| = {kept_min[g]:.4g} but pruned one with the larger "
                   f"score {pruned_max[g]:.4g}")
    return f"{expected} kept per {unit}, by |W| * ||X_j||", note


# ---------------------------------------------------------------- naive versions, one mistake each

def _per_row(scores: np.ndarray, amount, n, m, axis: int = 1) -> np.ndarray:
    if m is not None:
        return pruning.nm_mask(scores, n, m, axis=axis)
    k = round(amount * scores.shape[1]) if isinstance(amount, float) else amount
    order = np.argsort(scores, axis=1, kind="stable")[:, :k]
    keep = np.ones(scores.shape, dtype=bool)
    np.put_along_axis(keep, order, False, axis=1)
    return keep


def _x(weights, inputs) -> np.ndarray:
    return np.asarray(inputs, dtype=np.float64).reshape(-1, np.shape(weights)[1])


@naive_mistake("per_layer", "compared scores across the whole layer instead of within each row",
               hint="Wanda compares scores *within each output row*: every row loses the same number of weights. "
                    "Sort each row (np.argsort(scores, axis=1)) instead of the flattened matrix; a per-layer "
                    "threshold lets some rows lose far more than others.")
def per_layer_wanda(weights, inputs, amount=None, *, n=None, m=None):
    scores = np.abs(weights) * np.linalg.norm(_x(weights, inputs), axis=0)
    if m is not None:
        return pruning.nm_mask(scores, n, m)
    return pruning.magnitude_mask(scores, amount)


def wrong_axis_wanda(weights, inputs, amount=None, *, n=None, m=None):
    x = _x(weights, inputs)
    norms = np.linalg.norm(x, axis=1)  # one norm per *sample*: the wrong axis
    return _per_row(np.abs(weights) * norms[None, :], amount, n, m)


WRONG_NORM_AXIS = Mistake(
    "norm_wrong_axis", "took ||X|| over the wrong axis (one norm per sample)",
    "X has shape (samples, in_features), and weight W[i, j] multiplies input feature j: its norm is over the samples, "
    "np.linalg.norm(X, axis=0), one number per input feature. axis=1 gives one per sample.",
    lambda a: a.matches(wrong_axis_wanda) or a.error_is("ValueError", text="broadcast"), naive=wrong_axis_wanda)


@naive_mistake("ignored_inputs", "ranked by |W| alone (that is magnitude pruning)",
               hint="Multiply each |W[i, j]| by the norm of input feature j over the calibration samples, "
                    "np.linalg.norm(X, axis=0): a small weight on a large input matters.")
def magnitude_wanda(weights, inputs, amount=None, *, n=None, m=None):
    return _per_row(np.abs(np.asarray(weights, dtype=np.float64)), amount, n, m)


@naive_mistake("squared_norm", "multiplied by the squared norm",
               hint="The score is |W[i, j]| * ||X_j||_2, the norm itself (np.sqrt of the sum of squares), not its square.")
def squared_wanda(weights, inputs, amount=None, *, n=None, m=None):
    return _per_row(np.abs(weights) * (_x(weights, inputs) ** 2).sum(axis=0), amount, n, m)


def output_axis_wanda(weights, inputs, amount=None, *, n=None, m=None):
    scores = np.abs(weights) * np.linalg.norm(_x(weights, inputs), axis=0)
    if m is None:
        return _per_row(scores, amount, n, m)
    return pruning.nm_mask(scores, n, m, axis=0)


NM_OUTPUT_AXIS = Mistake(
    "nm_output_axis", "formed the N:M groups along the output dimension",
    "N:M groups run along the *input* dimension (axis 1 of an (out, in) weight): sparse tensor cores compress the "
    "inputs of each output. Group m consecutive entries of each row: scores.reshape(-1, m).",
    lambda a: a.matches(output_axis_wanda) or (a.arguments["m"] is not None and a.error_is("ValueError")),
    naive=output_axis_wanda)


MISTAKES = (
    MUTATED, SIGNATURE, RETURNS_NONE, per_layer_wanda, WRONG_NORM_AXIS, NM_OUTPUT_AXIS, magnitude_wanda, squared_wanda,
    DROPPED, RETURNED_WEIGHTS, FLATTENED, INVERTED,
)


EXERCISE = Exercise("wanda_mask", REFERENCE, NOTEBOOK, cases, judge, MISTAKES)

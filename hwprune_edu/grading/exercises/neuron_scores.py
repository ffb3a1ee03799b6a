"""Exercise 3a, ``neuron_scores``: one importance score per neuron (mean |a|, rms or 1 - APoZ)."""

from __future__ import annotations

from typing import Any

import numpy as np

from hwprune_edu import pruning
from hwprune_edu.grading.blog import signed_mean_neuron_scores
from hwprune_edu.grading.cases import CaseSpec, case
from hwprune_edu.grading.common_mistakes import MUTATED, ONLY_2D, RETURNS_NONE, SIGNATURE
from hwprune_edu.grading.exercise import Attempt, Exercise, Mistake, mistake, naive_mistake, same_output
from hwprune_edu.grading.judging import Fail, as_scores, judged


REFERENCE, NOTEBOOK = pruning.neuron_scores, "03_activation_pruning"


# ---------------------------------------------------------------- cases

def cases(rng: np.random.Generator) -> list[CaseSpec]:
    """The public cases, then hidden ones drawn from ``rng``."""
    relu = lambda shape: np.maximum(np.round(rng.standard_normal(shape), 2), 0)  # noqa: E731
    cancel = np.array([[1.0, 0.5, -2.0], [-1.0, 0.5, 2.0], [1.0, 0.0, -2.0], [-1.0, 0.5, 2.0]])
    return [
        case("", True, activations=np.array([[0.0, 2.0], [0.0, -4.0], [1.0, 0.0]]), method="mean_abs"),
        case("APoZ after ReLU", True, activations=np.array([[0.0, 1.5, 0.2], [0.0, 0.0, 0.1], [0.0, 2.0, 0.0],
                                                              [0.0, 0.5, 0.3]]), method="apoz"),
        case("signs that cancel", activations=cancel, method="mean_abs"),
        case("random", activations=np.round(rng.standard_normal((5, 4)), 2), method="mean_abs"),
        case("rms", activations=np.round(rng.standard_normal((6, 3)), 2), method="rms"),
        case("APoZ", activations=relu((7, 4)), method="apoz"),
        case("conv 4-D", activations=np.round(rng.standard_normal((3, 2, 4, 4)), 2), method="mean_abs"),
        case("conv 4-D rms", activations=np.round(rng.standard_normal((2, 3, 2, 2)), 2), method="rms"),
        case("conv 4-D APoZ", activations=relu((3, 2, 3, 3)), method="apoz"),
        case("1 sample", activations=np.array([[0.5, -1.5, 0.0]]), method="mean_abs"),
        case("non-square", activations=np.round(rng.standard_normal((8, 2)), 2), method="rms"),
        case("float32", activations=np.round(rng.standard_normal((4, 5)), 2).astype(np.float32), method="mean_abs"),
    ]


# ---------------------------------------------------------------- judge

@judged
def judge(case: CaseSpec, output: Any) -> tuple[str, str]:
    """Scores close to the reference (float32 inputs get float32 tolerance)."""
    a = np.asarray(case.arguments["activations"])
    expected = pruning.neuron_scores(a.astype(np.float64), case.arguments["method"])
    scores, note = as_scores(output, expected.size)
    rtol = 1e-5 if a.dtype == np.float32 else 1e-7
    close = np.isclose(scores, expected, rtol=rtol, atol=1e-9)
    if not close.all():
        j = int(np.argmax(~close))
        raise Fail(f"score of neuron {j}: expected {expected[j]:.6g}, got {scores[j]:.6g} "
                   f"({int((~close).sum())} of {expected.size} scores differ)")
    return f"{expected.size} scores", note


# ---------------------------------------------------------------- naive versions, one mistake each

def _other_axes(a: np.ndarray) -> tuple:
    return (0,) if a.ndim == 2 else (0, 2, 3)


def per_sample_neuron_scores(activations, method="mean_abs"):
    a = np.asarray(activations)
    axes = tuple(range(1, a.ndim))
    if method == "apoz":
        return (a != 0).mean(axis=axes)
    if method == "rms":
        return np.sqrt((a**2).mean(axis=axes))
    return np.abs(a).mean(axis=axes)


def layer_mean_neuron_scores(activations, method="mean_abs"):
    a = np.asarray(activations)
    return np.full(a.shape[1], pruning.neuron_scores(a, method).mean())


def samples_only_neuron_scores(activations, method="mean_abs"):
    a = np.asarray(activations)
    if method == "apoz":
        return (a != 0).mean(axis=0)
    if method == "rms":
        return np.sqrt((a**2).mean(axis=0))
    return np.abs(a).mean(axis=0)


# ---------------------------------------------------------------- mistakes, most specific first

@mistake("per_layer_mean", "one number for the whole layer", naive=layer_mean_neuron_scores,
         hint="Score each neuron separately: one number for the whole layer gives every neuron the same verdict "
              "(the blog's np.mean(activations[i]) is no per-neuron score either: row i of its (samples, neurons) "
              "matrix is sample i). Average over the samples only: axis=0.")
def per_layer_mean(a: Attempt) -> bool:
    out = a.array(np.float64)
    if out is None:
        return False
    acts = np.asarray(a.arguments["activations"], dtype=np.float64)
    layer = [np.abs(acts).mean(), acts.mean(), pruning.neuron_scores(acts, a.arguments["method"]).mean()]
    return (out.ndim == 0 or (out.size > 1 and np.allclose(out, out.ravel()[0]))) and any(
        np.isclose(out.ravel()[0], v) for v in layer)


@mistake("wrong_axis_samples", "averaged over neurons, per sample", naive=per_sample_neuron_scores,
         hint="One score per neuron: average over the samples, axis=0 (for conv (N, C, H, W) over axes (0, 2, 3)). "
              "You averaged each sample over its neurons.")
def wrong_axis_samples(a: Attempt) -> bool:
    out = a.array(np.float64)
    acts = np.asarray(a.arguments["activations"])
    return out is not None and out.shape == (acts.shape[0],) and acts.shape[0] != acts.shape[1]


@mistake("conv_axes", "conv activations not reduced to one score per channel", naive=samples_only_neuron_scores,
         hint="For conv activations (N, C, H, W) average over samples *and* positions, axis=(0, 2, 3), leaving one "
              "score per channel.")
def conv_axes(a: Attempt) -> bool:
    out = a.array(np.float64)
    acts = np.asarray(a.arguments["activations"])
    return acts.ndim == 4 and ((out is not None and out.shape != (acts.shape[1],)) or a.status == "error")


SIGNED_MEAN = Mistake(
    "signed_mean", "plain mean of signed activations",
    "Use |a|: on signed activations (before a ReLU, or tanh) positive and negative values cancel in a plain "
    "mean, so a busy neuron (+1, -1, +1, -1) would look dead.",
    same_output(signed_mean_neuron_scores), naive=signed_mean_neuron_scores)


@naive_mistake("apoz_not_inverted", "returned APoZ itself",
               hint="APoZ is the fraction of zeros, high for a useless neuron. Scores are importances (higher = keep), so "
                    "return 1 - APoZ: the fraction of non-zero outputs.")
def apoz_neuron_scores(activations, method="mean_abs"):
    a = np.asarray(activations)
    if method == "apoz":
        return (a == 0).mean(axis=_other_axes(a))
    return pruning.neuron_scores(a, method)


@naive_mistake("rms_no_sqrt", "mean square without the root",
               hint="rms is the square root of the mean of a**2: np.sqrt(np.mean(a**2, axis=0)).")
def mean_square_neuron_scores(activations, method="mean_abs"):
    a = np.asarray(activations)
    if method == "rms":
        return (a**2).mean(axis=_other_axes(a))
    return pruning.neuron_scores(a, method)


@naive_mistake("sum_not_mean", "summed instead of averaged",
               hint="Average, don't sum: a score must not grow with the number of samples (or positions).")
def sum_neuron_scores(activations, method="mean_abs"):
    a = np.asarray(activations)
    return pruning.neuron_scores(a, method) * (a.size / a.shape[1])


MISTAKES = (
    MUTATED, SIGNATURE, RETURNS_NONE, per_layer_mean, wrong_axis_samples, conv_axes, SIGNED_MEAN, apoz_neuron_scores,
    mean_square_neuron_scores, sum_neuron_scores, ONLY_2D,
)


EXERCISE = Exercise("neuron_scores", REFERENCE, NOTEBOOK, cases, judge, MISTAKES)

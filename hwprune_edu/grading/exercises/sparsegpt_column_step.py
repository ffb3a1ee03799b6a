"""Exercise 6b, ``sparsegpt_column_step``: prune one column by OBS and compensate in the columns not yet processed."""

from __future__ import annotations

from typing import Any

import numpy as np

from hwprune_edu import pruning
from hwprune_edu.grading.cases import CaseSpec, case
from hwprune_edu.grading.common_mistakes import MUTATED, RETURNS_NONE, SIGNATURE
from hwprune_edu.grading.exercise import Exercise, naive_mistake
from hwprune_edu.grading.judging import Fail, judged, numeric_array


REFERENCE, NOTEBOOK = pruning.sparsegpt_column_step, "06_one_shot_pruning"


def _correlated(rng: np.random.Generator, samples: int, features: int) -> np.ndarray:
    mixing = rng.standard_normal((features, features))
    return np.round(rng.standard_normal((samples, features)) @ mixing, 4)


# ---------------------------------------------------------------- cases

def cases(rng: np.random.Generator) -> list[CaseSpec]:
    """The public cases, then hidden ones drawn from ``rng``."""
    x = np.array([[1.0, 1.0, 0.0], [1.0, -1.0, 1.0], [1.0, 1.0, 2.0], [0.5, 0.0, 1.0]])
    return [
        case("", True, kw=("damp",), weights=np.array([[1.0, 2.0, -1.0], [0.5, -0.5, 0.25]]), inputs=x, column=0,
             prune_rows=np.array([True, False]), damp=0.01),
        case("a middle column", True, kw=("damp",), weights=np.array([[1.0, 2.0, -1.0], [0.5, -0.5, 0.25]]),
             inputs=x, column=1, prune_rows=np.array([True, True]), damp=0.01),
        case("random, first column", kw=("damp",), weights=np.round(rng.standard_normal((5, 6)), 3),
             inputs=_correlated(rng, 12, 6), column=0, prune_rows=rng.random(5) < 0.5, damp=0.01),
        case("random, later column", kw=("damp",), weights=np.round(rng.standard_normal((4, 8)), 3),
             inputs=_correlated(rng, 16, 8), column=5, prune_rows=np.array([True, False, True, True]), damp=0.01),
        case("last column", kw=("damp",), weights=np.round(rng.standard_normal((3, 5)), 3),
             inputs=_correlated(rng, 9, 5), column=4, prune_rows=np.array([True, True, False]), damp=0.01),
        case("no row pruned", kw=("damp",), weights=np.round(rng.standard_normal((2, 4)), 3),
             inputs=_correlated(rng, 6, 4), column=1, prune_rows=np.array([False, False]), damp=0.01),
        case("larger damping", kw=("damp",), weights=np.round(rng.standard_normal((3, 6)), 3),
             inputs=_correlated(rng, 10, 6), column=2, prune_rows=np.array([True, False, True]), damp=0.1),
    ]


# ---------------------------------------------------------------- judge

@judged
def judge(case: CaseSpec, output: Any) -> tuple[str, str]:
    """The reference's new weights to 1e-6 (relative): zeros where pruned, earlier columns untouched, later ones updated."""
    expected = REFERENCE(*case.args, **case.kwargs)
    got, note = numeric_array(output, f"new weights of shape {expected.shape}")
    if got.shape != expected.shape:
        raise Fail(f"returned shape {got.shape}, expected the weights' shape {expected.shape}")
    got = got.astype(np.float64)
    j = case.arguments["column"]
    prune = case.arguments["prune_rows"]
    if np.any(got[prune, j] != 0) and np.any(np.abs(got[prune, j]) > 1e-12):
        raise Fail(f"column {j} must be exactly 0 in the pruned rows {np.flatnonzero(prune).tolist()}, got "
                   f"{np.round(got[prune, j], 4).tolist()}")
    w = np.asarray(case.arguments["weights"], dtype=np.float64)
    if not np.allclose(got[:, :j], w[:, :j], rtol=1e-9, atol=1e-12):
        raise Fail(f"changed columns 0..{j - 1}, which are already processed: only columns {j}.. may change")
    if not np.allclose(got, expected, rtol=1e-6, atol=1e-9):
        r, c = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape)
        raise Fail(f"weight [{r}, {c}] is {got[r, c]:.6g}, expected {expected[r, c]:.6g}")
    return f"{int(prune.sum())} row(s) pruned at column {j}, later columns compensated", note


# ---------------------------------------------------------------- naive versions, one mistake each

def _hessian(inputs, cols: int, damp: float) -> np.ndarray:
    x = np.asarray(inputs, dtype=np.float64)
    h = x.T @ x
    return h + damp * np.mean(np.diag(h)) * np.eye(cols)


@naive_mistake("no_damping", "used X^T X without damping",
               hint="Add damp * mean(diag(H)) to the diagonal of H = X^T X before inverting: without it H can be "
                    "singular (fewer samples than features, dead inputs), and SparseGPT's results are defined "
                    "with it. np.fill_diagonal or H + damp * np.mean(np.diag(H)) * np.eye(n).")
def undamped_step(weights, inputs, column, prune_rows, *, damp=0.01):
    return REFERENCE(weights, inputs, column, prune_rows, damp=0.0)


def _wrong_step(weights, inputs, column, prune_rows, damp, *, whole_inverse: bool = False, every_row: bool = False):
    """The OBS step with one of two mistakes: the inverse over all columns, or the error of every row."""
    w = np.asarray(weights, dtype=np.float64).copy()
    h = _hessian(inputs, w.shape[1], damp)
    first = 0 if whole_inverse else column  # the whole inverse also moves the already-processed columns
    inverse = np.linalg.inv(h[first:, first:])
    pivot = column - first
    error = (w[:, column] if every_row else np.where(prune_rows, w[:, column], 0.0)) / inverse[pivot, pivot]
    w[:, first:] -= np.outer(error, inverse[pivot])
    w[prune_rows, column] = 0.0
    return w


@naive_mistake("updated_processed", "applied the update to already-processed (pruned) columns",
               hint="The OBS update only moves the weights still to be processed, F = column, column+1, ...: use "
                    "the inverse of H[F, F] (the Hessian of those columns), not the row of inv(H) over all columns, "
                    "and leave the earlier columns alone.")
def full_inverse_step(weights, inputs, column, prune_rows, *, damp=0.01):
    return _wrong_step(weights, inputs, column, prune_rows, damp, whole_inverse=True)


@naive_mistake("updated_kept_rows", "applied the update to rows that keep their weight",
               hint="Only the rows that lose their weight need compensation: the error of a kept weight is 0. "
                    "Use error = np.where(prune_rows, w[:, column], 0) / Hinv[0, 0].")
def all_rows_step(weights, inputs, column, prune_rows, *, damp=0.01):
    return _wrong_step(weights, inputs, column, prune_rows, damp, every_row=True)


@naive_mistake("no_update", "zeroed the weights without compensating",
               hint="After zeroing w[r, column], the later weights of the row must absorb the error: "
                    "w[r, F] -= (w[r, column] / Hinv[0, 0]) * Hinv[0, :], with Hinv = inv(H[F, F]).")
def zero_only_step(weights, inputs, column, prune_rows, *, damp=0.01):
    w = np.asarray(weights, dtype=np.float64).copy()
    w[prune_rows, column] = 0.0
    return w


MISTAKES = (MUTATED, SIGNATURE, RETURNS_NONE, undamped_step, full_inverse_step, all_rows_step, zero_only_step)


EXERCISE = Exercise("sparsegpt_column_step", REFERENCE, NOTEBOOK, cases, judge, MISTAKES)

"""Exercise 2b, ``nm_mask``: keep the ``n`` largest |w| of every ``m`` consecutive entries along ``axis``."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable

import numpy as np

from hwprune_edu import pruning
from hwprune_edu.grading.blog import reshape_only_nm_mask
from hwprune_edu.grading.cases import CaseSpec, case, distinct, tied
from hwprune_edu.grading.common_mistakes import (
    DROPPED, FLATTENED, INVERTED, MUTATED, ONLY_2D, RETURNED_WEIGHTS, RETURNS_NONE, SIGNATURE, SIGNED_VALUES, TIES,
)
from hwprune_edu.grading.exercise import Attempt, Exercise, Mistake, mistake, naive_mistake, same_output
from hwprune_edu.grading.judging import Fail, as_mask, judged, passes


REFERENCE, NOTEBOOK = pruning.nm_mask, "02_structured_masks"


# ---------------------------------------------------------------- cases

def cases(rng: np.random.Generator) -> list[CaseSpec]:
    """The public cases, then hidden ones drawn from ``rng``."""
    kw = ("axis",)
    return [
        case("", True, kw=kw, weights=np.array([[0.1, -0.9, 0.3, 0.2, 1.0, 0.5, -0.4, 0.05],
                                               [-0.6, 0.7, 0.2, -0.1, 0.3, -0.35, 0.8, 0.9]]), n=2, m=4, axis=1),
        case("ties", True, kw=kw, weights=np.array([[0.5, 0.5, -0.5, 0.1], [1.0, 1.0, 1.0, 1.0]]), n=2, m=4, axis=1),
        case("1:4", kw=kw, weights=distinct(rng, (3, 8)), n=1, m=4, axis=1),
        case("2:3", kw=kw, weights=distinct(rng, (4, 6)), n=2, m=3, axis=1),
        case("conv 4-D, groups over input channels", kw=kw, weights=distinct(rng, (2, 8, 3, 3), 0.01), n=2, m=4, axis=1),
        case("groups along axis 0", kw=kw, weights=distinct(rng, (8, 4)), n=2, m=4, axis=0),
        case("0:4", kw=kw, weights=distinct(rng, (2, 4)), n=0, m=4, axis=1),
        case("4:4", kw=kw, weights=distinct(rng, (2, 4)), n=4, m=4, axis=1),
        case("ties", kw=kw, weights=tied(rng, (4, 8)), n=2, m=4, axis=1),
        case("1 group", kw=kw, weights=np.array([[-0.3, 0.1, 0.2, -0.4]]), n=2, m=4, axis=1),
        case("float32", kw=kw, weights=distinct(rng, (3, 4)).astype(np.float32), n=2, m=4, axis=1),
        case("1-D", kw=kw, weights=distinct(rng, (8,)), n=2, m=4, axis=0),
    ]


# ---------------------------------------------------------------- judge

@judged
def judge(case: CaseSpec, output: Any) -> tuple[str, str]:
    """Exactly ``n`` kept in every group of ``m`` consecutive entries along ``axis``; the kept are the largest |w|."""
    w = np.asarray(case.arguments["weights"])
    n, m, axis = case.arguments["n"], case.arguments["m"], case.arguments["axis"]
    keep, note = as_mask(output, w.shape)
    groups_keep = np.moveaxis(keep, axis, -1).reshape(-1, m)
    groups_mags = np.moveaxis(np.abs(w).astype(np.float64), axis, -1).reshape(-1, m)
    counts = groups_keep.sum(axis=1)
    if (counts != n).any():
        g = int(np.argmax(counts != n))
        start = (g % (w.shape[axis] // m)) * m
        raise Fail(f"group {g} (entries {start}..{start + m - 1} along axis {axis}) "
                   f"keeps {int(counts[g])} of {m}, expected exactly {n}; {int((counts != n).sum())} of "
                   f"{counts.size} groups are off")
    pruned_max = np.where(groups_keep, -np.inf, groups_mags).max(axis=1)
    kept_min = np.where(groups_keep, groups_mags, np.inf).min(axis=1)
    bad = pruned_max > kept_min
    if bad.any():
        g = int(np.argmax(bad))
        raise Fail(f"in group {g} along axis {axis}, kept |w| = {kept_min[g]:.4g} but pruned the larger "
                   f"|w| = {pruned_max[g]:.4g}")
    return f"{n}:{m} in all {counts.size} groups", note


# ---------------------------------------------------------------- naive versions, one mistake each

def _groups_keep(groups: np.ndarray, n: int, largest: bool = True) -> np.ndarray:
    order = np.argsort(groups if largest else -groups, axis=1, kind="stable")
    keep = np.zeros(groups.shape, dtype=bool)
    if n:
        np.put_along_axis(keep, order[:, groups.shape[1] - n:], True, axis=1)
    return keep


def _nm_from_groups(w: np.ndarray, m: int, axis: int, decide: Callable[[np.ndarray], np.ndarray],
                    values: np.ndarray | None = None) -> np.ndarray:
    moved = np.moveaxis(np.abs(w) if values is None else values, axis, -1)
    keep = decide(moved.reshape(-1, m)).reshape(moved.shape)
    return np.moveaxis(keep, -1, axis)


def other_axis_nm_mask(weights, n=2, m=4, *, axis=1):
    w = np.asarray(weights)
    return pruning.nm_mask(w, n, m, axis=1 - axis if w.ndim > 1 and axis in (0, 1) else axis + 1)


def pruned_n_nm_mask(weights, n=2, m=4, *, axis=1):
    return pruning.nm_mask(weights, m - n, m, axis=axis)


def signed_nm_mask(weights, n=2, m=4, *, axis=1):
    w = np.asarray(weights)
    return _nm_from_groups(w, m, axis, lambda g: _groups_keep(g, n), values=w)


def ties_threshold_nm_mask(weights, n=2, m=4, *, axis=1):
    w = np.asarray(weights)

    def decide(groups: np.ndarray) -> np.ndarray:
        if n == 0:
            return np.zeros(groups.shape, dtype=bool)
        nth_largest = np.sort(groups, axis=1)[:, m - n]
        return groups >= nth_largest[:, None]

    return _nm_from_groups(w, m, axis, decide)


def inverted_nm_mask(weights, n=2, m=4, *, axis=1):
    return ~pruning.nm_mask(weights, n, m, axis=axis)


# ---------------------------------------------------------------- mistakes, most specific first

def _nm_valid(a: Attempt, **changes: Any) -> bool:
    mask = a.mask()
    return mask is not None and passes(judge, dict(a.arguments, **changes), mask)


IGNORES_AXIS = Mistake(
    "ignores_axis", "groups always run along the last axis",
    "Your groups run along the last axis whatever `axis` says. For a conv weight (out, in, kh, kw) with "
    "axis=1 the groups must run over input channels: np.moveaxis(w, axis, -1), reshape(-1, m), decide, "
    "reshape back and np.moveaxis(..., -1, axis).",
    same_output(reshape_only_nm_mask), naive=reshape_only_nm_mask)


@mistake("wrong_axis", "N:M groups along the wrong axis", naive=other_axis_nm_mask,
         hint="Groups run along `axis` (axis=1: the input dimension of a Linear (out, in) weight, which is what sparse "
              "tensor cores compress). Move that axis last before reshaping: np.moveaxis(w, axis, -1).reshape(-1, m).")
def wrong_axis(a: Attempt) -> bool:
    w = np.asarray(a.arguments["weights"])
    m = a.arguments["m"]
    return any(_nm_valid(a, axis=axis) for axis in range(w.ndim) if axis != a.arguments["axis"] and w.shape[axis] % m == 0)


@naive_mistake("kept_smallest", "kept the n smallest of each group",
               hint="Keep the n *largest* |w| of each group of m (2:4 keeps the 2 strongest of every 4): sort each group "
                    "ascending and keep the last n.")
def smallest_nm_mask(weights, n=2, m=4, *, axis=1):
    w = np.asarray(weights)
    return _nm_from_groups(w, m, axis, lambda g: _groups_keep(g, n, largest=False))


def minus_zero_nm_mask(weights, n=2, m=4, *, axis=1):
    moved = np.moveaxis(np.abs(np.asarray(weights)), axis, -1)
    groups = moved.reshape(-1, m)
    keep = np.zeros(groups.shape, dtype=bool)
    np.put_along_axis(keep, np.argsort(groups, axis=1)[:, -n:], True, axis=1)  # -0: is 0:, every entry
    return np.moveaxis(keep.reshape(moved.shape), -1, axis)


@mistake("n_zero_slice", "n = 0 kept every entry", naive=minus_zero_nm_mask,
         hint="With n = 0 nothing is kept, but order[:, -n:] is order[:, -0:] = order[:, 0:], every entry (-0 is 0). "
              "Slice with order[:, m - n:], which is empty for n = 0.")
def n_zero_slice(a: Attempt) -> bool:
    mask = a.mask()
    return a.arguments["n"] == 0 and mask is not None and bool(mask.all())


@mistake("n_as_pruned", "read n as the number to prune", naive=pruned_n_nm_mask,
         hint="n is how many entries each group *keeps*: 2:4 keeps 2 of every 4, and 1:4 keeps only one.")
def n_as_pruned(a: Attempt) -> bool:
    n, m = a.arguments["n"], a.arguments["m"]
    return n < m and n != m - n and _nm_valid(a, n=m - n)


@naive_mistake("strided_groups", "groups are not consecutive entries",
               hint="A group is m *consecutive* entries along the axis: reshape(-1, m) gives one group per row. "
                    "reshape(m, -1) puts entries length/m apart in a group.")
def strided_nm_mask(weights, n=2, m=4, *, axis=1):
    w = np.asarray(weights)
    moved = np.moveaxis(np.abs(w), axis, -1)
    flat = moved.reshape(-1, moved.shape[-1])
    # reshape(m, -1): entry j of a group sits every length/m positions, not next door
    groups = flat.reshape(flat.shape[0], m, -1).transpose(0, 2, 1).reshape(-1, m)
    keep = _groups_keep(groups, n).reshape(flat.shape[0], -1, m).transpose(0, 2, 1).reshape(moved.shape)
    return np.moveaxis(keep, -1, axis)


GROUP_TIES = replace(
    TIES,
    title="comparing with the n-th largest keeps too many with ties",
    hint="With ties in a group, comparing with the n-th largest value keeps every tied entry (too many). "
         "Select by rank instead: np.argsort(groups, axis=1)[:, m - n:] keeps exactly n.",
    recognise=same_output(ties_threshold_nm_mask),
    naive=ties_threshold_nm_mask)


GROUP_SIGNED_VALUES = replace(
    SIGNED_VALUES,
    recognise=same_output(signed_nm_mask),
    naive=signed_nm_mask)


MISTAKES = (
    MUTATED, SIGNATURE, RETURNS_NONE, IGNORES_AXIS, wrong_axis, smallest_nm_mask, n_zero_slice, n_as_pruned, strided_nm_mask,
    GROUP_TIES, GROUP_SIGNED_VALUES, DROPPED, RETURNED_WEIGHTS, FLATTENED, INVERTED.made_by(inverted_nm_mask),
    ONLY_2D,
)


EXERCISE = Exercise("nm_mask", REFERENCE, NOTEBOOK, cases, judge, MISTAKES)

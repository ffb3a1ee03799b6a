"""Properties every pruner must have, on any input hypothesis can think of (ties included)."""

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays, array_shapes

from hwprune_edu.pruning import (
    apply_mask,
    block_mask,
    global_magnitude_masks,
    magnitude_mask,
    nm_mask,
    sparsity,
    structured_mask,
    threshold_mask,
)

# Small integers make ties common, which is where pruners go wrong.
tie_heavy = st.floats(-4, 4, allow_nan=False, width=32).map(lambda x: float(np.round(x)))
weights_strategy = st.one_of(
    arrays(np.float32, array_shapes(min_dims=1, max_dims=4, max_side=7), elements=tie_heavy),
    arrays(np.float64, array_shapes(min_dims=1, max_dims=3, max_side=9), elements=st.floats(-1e3, 1e3)),
)
fraction = st.floats(0, 1)


def amount_for(data, size):
    return data.draw(st.one_of(fraction, st.integers(0, size)))


def expected_count(amount, size):
    return amount if isinstance(amount, int) else int(round(amount * size))


@settings(max_examples=150, deadline=None)
@given(w=weights_strategy, data=st.data())
def test_magnitude_exact_count_order_shape_and_no_mutation(w, data):
    amount = amount_for(data, w.size)
    before = w.copy()
    keep = magnitude_mask(w, amount)
    np.testing.assert_array_equal(w, before)  # never mutated
    assert keep.shape == w.shape and keep.dtype == bool
    assert int((~keep).sum()) == expected_count(amount, w.size)
    magnitudes = np.abs(w)
    if keep.any() and (~keep).any():
        assert magnitudes[keep].min() >= magnitudes[~keep].max()


@settings(max_examples=100, deadline=None)
@given(w=weights_strategy, data=st.data())
def test_magnitude_is_deterministic_and_idempotent(w, data):
    amount = amount_for(data, w.size)
    keep = magnitude_mask(w, amount)
    np.testing.assert_array_equal(keep, magnitude_mask(w.copy(), amount))
    pruned = apply_mask(w, keep)
    # Pruning the pruned weights by the same count removes the same entries again.
    np.testing.assert_array_equal(apply_mask(pruned, magnitude_mask(pruned, amount)), pruned)


@settings(max_examples=100, deadline=None)
@given(w=weights_strategy, t=st.floats(0, 5))
def test_threshold_keeps_exactly_above(w, t):
    keep = threshold_mask(w, t)
    np.testing.assert_array_equal(keep, np.abs(w) > t)
    assert apply_mask(w, keep).shape == w.shape


@settings(max_examples=100, deadline=None)
@given(ws=st.lists(arrays(np.float64, array_shapes(min_dims=1, max_dims=2, max_side=6), elements=tie_heavy),
                   min_size=1, max_size=4), data=st.data())
def test_global_exact_count_and_one_threshold(ws, data):
    total = sum(w.size for w in ws)
    amount = amount_for(data, total)
    masks = global_magnitude_masks(ws, amount)
    assert [m.shape for m in masks] == [w.shape for w in ws]
    kept = np.concatenate([np.abs(w)[m] for w, m in zip(ws, masks)])
    pruned = np.concatenate([np.abs(w)[~m] for w, m in zip(ws, masks)])
    assert pruned.size == expected_count(amount, total)
    if kept.size and pruned.size:
        assert kept.min() >= pruned.max()


@settings(max_examples=100, deadline=None)
@given(w=arrays(np.float64, array_shapes(min_dims=2, max_dims=4, max_side=6), elements=tie_heavy), data=st.data())
def test_structured_prunes_whole_slices_by_norm(w, data):
    axis = data.draw(st.integers(0, w.ndim - 1))
    norm = data.draw(st.sampled_from([1, 2, np.inf]))
    amount = amount_for(data, w.shape[axis])
    keep = structured_mask(w, amount, axis=axis, norm=norm)
    slices = np.moveaxis(keep, axis, 0).reshape(w.shape[axis], -1)
    assert (slices.all(axis=1) | ~slices.any(axis=1)).all()  # each slice all kept or all pruned
    kept_slices = slices.all(axis=1) if slices.shape[1] else np.ones(w.shape[axis], bool)
    assert int((~kept_slices).sum()) == expected_count(amount, w.shape[axis])
    rows = np.moveaxis(np.abs(w), axis, 0).reshape(w.shape[axis], -1)
    norms = np.linalg.norm(rows, ord=norm, axis=1) if rows.shape[1] else np.zeros(w.shape[axis])
    if kept_slices.any() and (~kept_slices).any():
        assert norms[kept_slices].min() >= norms[~kept_slices].max() - 1e-9


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_nm_keeps_n_largest_of_every_group(data):
    m = data.draw(st.sampled_from([1, 2, 4, 8, 20]))
    n = data.draw(st.integers(0, m))
    rows = data.draw(st.integers(1, 5))
    groups = data.draw(st.integers(1, 4))
    w = data.draw(arrays(np.float32, (rows, groups * m), elements=tie_heavy))
    keep = nm_mask(w, n, m)
    grouped_keep = keep.reshape(rows, groups, m)
    assert (grouped_keep.sum(axis=2) == n).all()
    a = np.abs(w).reshape(rows, groups, m)
    kept_min = np.where(grouped_keep, a, np.inf).min(axis=2)
    pruned_max = np.where(~grouped_keep, a, -np.inf).max(axis=2)
    assert (kept_min >= pruned_max).all()


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_nm_axis_is_a_transpose(data):
    w = data.draw(arrays(np.float64, (4, 8), elements=tie_heavy))
    np.testing.assert_array_equal(nm_mask(w, 2, 4, axis=0), nm_mask(w.T, 2, 4, axis=1).T)


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_block_prunes_whole_blocks(data):
    br, bc = data.draw(st.sampled_from([(1, 1), (2, 2), (2, 4), (4, 4)]))
    w = data.draw(arrays(np.float64, (br * data.draw(st.integers(1, 4)), bc * data.draw(st.integers(1, 4))),
                         elements=tie_heavy))
    n_blocks = (w.shape[0] // br) * (w.shape[1] // bc)
    amount = amount_for(data, n_blocks)
    keep = block_mask(w, amount, block=(br, bc))
    tiles = keep.reshape(w.shape[0] // br, br, w.shape[1] // bc, bc)
    assert (tiles.all(axis=(1, 3)) | ~tiles.any(axis=(1, 3))).all()
    assert int((~tiles.all(axis=(1, 3))).sum()) == expected_count(amount, n_blocks)


@settings(max_examples=60, deadline=None)
@given(w=weights_strategy)
def test_sparsity_counts_zeros(w):
    assume(w.size > 0)
    assert sparsity(w) == np.count_nonzero(w == 0) / w.size

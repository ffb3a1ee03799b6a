"""Properties every pruner must have, on any input hypothesis can think of (ties included)."""

import math

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
    slice_norms,
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


# ---------------------------------------------------------------- every float dtype, 1-D to 5-D, against an exact float64 reference
#
# The reference reads the weights as float64 and sums with math.fsum (the correctly rounded sum).
# For float16 input every |w| is a multiple of 2**-24 below 2**16, so a float64 sum of up to
# 2**13 of them is exact: there the pruners must equal the reference mask exactly, ties included.
# float32/float64 sums round, so there the property is the order: no pruned slice outweighs a kept one.

FLOAT_DTYPES = (np.float16, np.float32, np.float64)
# Near float16's maximum, and values whose float16 sums round (2049 = 1024 + 1025 has no float16).
NEAR_HALF_MAX = st.sampled_from([65504.0, -65504.0, 65000.0, 60000.0, 32768.0, 2048.0, 1025.0, 1024.0, 1.0, 0.0, -0.5])


def any_float_weights(min_dims=1, max_dims=5):
    @st.composite
    def build(draw):
        dtype = draw(st.sampled_from(FLOAT_DTYPES))
        finite = st.floats(width=16 if dtype == np.float16 else 32, allow_nan=False, allow_infinity=False)
        if dtype == np.float64:
            finite = st.floats(-1e300, 1e300, allow_nan=False)
        elements = st.one_of(NEAR_HALF_MAX, tie_heavy, finite)
        shape = draw(array_shapes(min_dims=min_dims, max_dims=max_dims, max_side=5))
        return draw(arrays(dtype, shape, elements=elements))
    return build()


def reference_smallest(scores, k):
    """Exact k smallest of float64 scores, ties to the earlier position (the package's tie rule)."""
    selected = np.zeros(scores.size, bool)
    selected[np.argsort(scores, kind="stable")[:k]] = True
    return selected


def exact_l1(rows):
    return np.array([math.fsum(row) for row in rows])


def check_order(keep_units, exact_norms):
    """No pruned slice (block) outweighs a kept one, up to the rounding of a float64 sum."""
    kept, pruned = exact_norms[keep_units], exact_norms[~keep_units]
    if kept.size and pruned.size:
        assert kept.min() >= pruned.max() * (1 - 1e-12)


@settings(max_examples=150, deadline=None)
@given(w=any_float_weights(), data=st.data())
def test_magnitude_mask_equals_the_exact_reference_on_every_dtype_and_rank(w, data):
    amount = amount_for(data, w.size)
    before = w.copy()
    keep = magnitude_mask(w, amount)
    np.testing.assert_array_equal(w, before)
    reference = ~reference_smallest(np.abs(w.astype(np.float64)).ravel(), expected_count(amount, w.size))
    np.testing.assert_array_equal(keep, reference.reshape(w.shape))  # |w| is exact in every float dtype


@settings(max_examples=150, deadline=None)
@given(w=any_float_weights(), data=st.data())
def test_structured_mask_follows_exact_norms_on_every_dtype_and_rank(w, data):
    axis = data.draw(st.integers(-w.ndim, w.ndim - 1))
    norm = data.draw(st.sampled_from([1, 2, 3, np.inf]))
    n = w.shape[axis]
    amount = amount_for(data, n)
    keep = structured_mask(w, amount, axis=axis, norm=norm)
    assert keep.shape == w.shape and keep.dtype == bool
    rows = np.abs(np.moveaxis(w.astype(np.float64), axis, 0).reshape(n, -1))
    keep_slices = np.moveaxis(keep, axis, 0).reshape(n, -1)[:, 0]
    assert int((~keep_slices).sum()) == expected_count(amount, n)
    if norm == np.inf:
        exact = rows.max(axis=1)
    elif norm == 1:
        exact = exact_l1(rows)
    else:
        scale = np.where(rows.max(axis=1) > 0, rows.max(axis=1), 1.0)[:, None]
        exact = np.array([math.fsum(r) for r in (rows / scale) ** norm]) ** (1 / norm) * scale[:, 0]
    assert np.isfinite(slice_norms(w, axis=axis, norm=norm)).all()  # never an overflow to inf
    if w.dtype == np.float16 and norm in (1, np.inf):
        np.testing.assert_array_equal(keep_slices, ~reference_smallest(exact, expected_count(amount, n)))
    else:
        check_order(keep_slices, exact)


@settings(max_examples=150, deadline=None)
@given(w=any_float_weights(min_dims=2), data=st.data())
def test_block_mask_follows_exact_block_sums_on_every_dtype_and_rank(w, data):
    rows, cols = w.shape[0], int(np.prod(w.shape[1:]))
    br = data.draw(st.sampled_from([d for d in range(1, rows + 1) if rows % d == 0]))
    bc = data.draw(st.sampled_from([d for d in range(1, cols + 1) if cols % d == 0]))
    n_blocks = (rows // br) * (cols // bc)
    amount = amount_for(data, n_blocks)
    keep = block_mask(w, amount, block=(br, bc))
    tiles = np.abs(w.astype(np.float64).reshape(rows, cols)).reshape(rows // br, br, cols // bc, bc)
    exact = exact_l1(tiles.transpose(0, 2, 1, 3).reshape(n_blocks, br * bc))
    keep_blocks = keep.reshape(rows // br, br, cols // bc, bc)[:, 0, :, 0].ravel()
    assert int((~keep_blocks).sum()) == expected_count(amount, n_blocks)
    if w.dtype == np.float16:
        np.testing.assert_array_equal(keep_blocks, ~reference_smallest(exact, expected_count(amount, n_blocks)))
    else:
        check_order(keep_blocks, exact)


@settings(max_examples=150, deadline=None)
@given(w=any_float_weights(), data=st.data())
def test_nm_mask_equals_the_exact_reference_on_every_dtype_and_rank(w, data):
    axis = data.draw(st.integers(0, w.ndim - 1))
    length = w.shape[axis]
    m = data.draw(st.sampled_from([d for d in range(1, length + 1) if length % d == 0]))
    n = data.draw(st.integers(0, m))
    keep = nm_mask(w, n, m, axis=axis)
    groups = np.abs(np.moveaxis(w.astype(np.float64), axis, -1)).reshape(-1, m)
    order = np.argsort(groups, axis=1, kind="stable")  # ties: the earlier member ranks lower and goes first
    reference = np.zeros(groups.shape, bool)
    np.put_along_axis(reference, order[:, m - n:], True, axis=1)
    moved = np.moveaxis(w, axis, -1).shape
    np.testing.assert_array_equal(keep, np.moveaxis(reference.reshape(moved), -1, axis))

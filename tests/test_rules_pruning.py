"""Rules of the pruners that counts and shapes alone do not pin: the tie order, signed scores, default norms, bounds.

Every tie test compares with a stable-argsort reference on inputs of 17 entries
or more: up to 16 entries NumPy's default sort is an insertion sort, which is
stable, so a dropped ``kind="stable"`` would pass there.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwprune_edu.pruning import (
    block_mask,
    global_magnitude_masks,
    magnitude_mask,
    nm_mask,
    remove_neurons,
    slice_norms,
    structured_mask,
)
from hwprune_edu.pruning import _select
from hwprune_edu.pruning._select import smallest_k_mask


def stable_smallest(scores, k):
    """The tie rule, written the obvious way: the first k of a stable ascending sort."""
    selected = np.zeros(scores.size, dtype=bool)
    selected[np.argsort(scores, kind="stable")[:k]] = True
    return selected


def tied_values(rng, size, levels):
    """Signed floats drawn from ``levels`` magnitudes: almost every |w| is tied with many others."""
    magnitudes = rng.integers(0, levels, size).astype(np.float64)
    return magnitudes * rng.choice([-1.0, 1.0], size)


def adversarial_inputs(rng, n):
    """Inputs built to break a sampled bracket: ties, constant runs, sample-aligned outliers, sorted orders."""
    step = max(1, n // _select._SAMPLE)
    strided = np.full(n, 1e-3)
    strided[::step] = 1e3  # the strided sample sees only the large values
    between = np.full(n, 2.0)
    between[1::step] = 1.0  # the small values sit just off the sample's positions
    two_levels = np.where(rng.random(n) < 0.5, 0.5, 0.25)
    return {
        "all equal": np.ones(n),
        "zeros and one": np.eye(1, n, n // 2).ravel(),
        "two levels": two_levels,
        "few levels": np.abs(tied_values(rng, n, 3)),
        "ascending": np.arange(n, dtype=np.float64),
        "descending": np.arange(n, 0, -1, dtype=np.float64),
        "sample-aligned outliers": strided,
        "off-sample minima": between,
        "tiny and denormal": np.abs(rng.standard_normal(n)) * 1e-310,
        "float32 distinct": np.abs(rng.standard_normal(n)).astype(np.float32),
    }


# ---------------------------------------------------------------- tie order, small path (17 to 65,536 scores)


@pytest.mark.parametrize("size", [17, 18, 31, 100, 1000, 4097, 65_536])
def test_smallest_k_ties_follow_a_stable_sort_at_every_small_size(size):
    rng = np.random.default_rng(size)
    for levels in (1, 2, 5):
        scores = np.abs(tied_values(rng, size, levels))
        for k in {1, size // 3, size // 2, size - 1}:
            np.testing.assert_array_equal(smallest_k_mask(scores, k), stable_smallest(scores, k))


@settings(max_examples=60, deadline=None)
@given(size=st.integers(17, 65_536), levels=st.integers(1, 8), seed=st.integers(0, 2**32 - 1), frac=st.floats(0, 1))
def test_magnitude_mask_ties_match_the_stable_reference(size, levels, seed, frac):
    rng = np.random.default_rng(seed)
    w = tied_values(rng, size, levels)
    k = round(frac * size)
    np.testing.assert_array_equal(magnitude_mask(w, k), ~stable_smallest(np.abs(w), k))


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(1, 3000), min_size=2, max_size=4), seed=st.integers(0, 2**32 - 1), frac=st.floats(0, 1))
def test_global_masks_ties_follow_layer_then_row_major_order(sizes, seed, frac):
    rng = np.random.default_rng(seed)
    layers = [tied_values(rng, size, 3).reshape(size, 1) for size in sizes]
    flat = np.abs(np.concatenate([w.ravel() for w in layers]))
    k = round(frac * flat.size)
    masks = global_magnitude_masks(layers, k)
    np.testing.assert_array_equal(np.concatenate([m.ravel() for m in masks]), ~stable_smallest(flat, k))


@pytest.mark.parametrize("n_slices", [17, 40, 257])
@pytest.mark.parametrize("axis", [0, 1])
def test_structured_mask_ties_prune_the_earlier_slice(n_slices, axis):
    rng = np.random.default_rng(n_slices + axis)
    # Every slice is a permutation of the same few values: all L1 (and L2) norms tie.
    base = np.array([1.0, -2.0, 0.5])
    w = np.stack([rng.permutation(base) for _ in range(n_slices)])
    w[rng.choice(n_slices, n_slices // 3, replace=False)] *= 2  # a second tied level
    if axis == 1:
        w = w.T
    k = n_slices // 2
    norms = np.abs(np.moveaxis(w, axis, 0)).sum(axis=1)
    expected_slices = ~stable_smallest(norms, k)
    keep = structured_mask(w, k, axis=axis)
    np.testing.assert_array_equal(np.moveaxis(keep, axis, 0)[:, 0], expected_slices)


@pytest.mark.parametrize("n_blocks", [17, 64, 300])
def test_block_mask_ties_prune_the_earlier_block(n_blocks):
    rng = np.random.default_rng(n_blocks)
    blocks = np.abs(tied_values(rng, n_blocks, 2)) + 1.0  # block L1 of 4 equal entries: 4 or 8
    w = np.repeat(np.repeat(blocks.reshape(1, -1), 2, axis=0), 2, axis=1) * rng.choice([-1.0, 1.0], (2, 2 * n_blocks))
    k = n_blocks // 2
    keep = block_mask(w, k, block=(2, 2))
    np.testing.assert_array_equal(keep[0, ::2], ~stable_smallest(blocks, k))


def nm_reference(w, n, m):
    """n largest |w| of every m consecutive entries along the last axis; among ties the later entry stays."""
    groups = np.abs(w).reshape(-1, m)
    order = np.argsort(groups, axis=1, kind="stable")
    keep = np.zeros(groups.shape, dtype=bool)
    np.put_along_axis(keep, order[:, m - n :], True, axis=1)
    return keep.reshape(w.shape)


@pytest.mark.parametrize("m", [2, 3, 4, 8, 16, 17, 20, 32, 64, 100])
def test_nm_mask_ties_prune_the_earlier_group_member(m):
    rng = np.random.default_rng(m)
    w = tied_values(rng, 30 * m * 3, 3).reshape(30, 3 * m)
    for n in sorted({0, 1, m // 2, m - 1, m}):
        np.testing.assert_array_equal(nm_mask(w, n, m), nm_reference(w, n, m), err_msg=f"{n}:{m}")


@settings(max_examples=40, deadline=None)
@given(m=st.integers(17, 80), data=st.data())
def test_nm_mask_large_groups_match_the_stable_reference(m, data):
    n = data.draw(st.integers(0, m), label="n")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    w = tied_values(rng, 6 * 2 * m, data.draw(st.integers(1, 6), label="levels")).reshape(6, 2 * m)
    np.testing.assert_array_equal(nm_mask(w, n, m), nm_reference(w, n, m))
    np.testing.assert_array_equal(nm_mask(w.T, n, m, axis=0), nm_reference(w, n, m).T)


# ---------------------------------------------------------------- the fast selection path (more than 65,536 scores)


def test_fast_path_matches_the_stable_reference_on_random_inputs():
    rng = np.random.default_rng(16)
    for trial in range(24):
        n = int(rng.integers(_select._SMALL + 1, 3 * _select._SMALL))
        kind = trial % 3
        if kind == 0:
            scores = np.abs(rng.standard_normal(n))
        elif kind == 1:
            scores = np.abs(tied_values(rng, n, int(rng.integers(2, 50))))
        else:
            scores = np.round(np.abs(rng.standard_normal(n)), 3)  # ties near every quantile
        for k in (int(rng.integers(1, n)), int(rng.integers(1, 1 + n // 100)), n - int(rng.integers(1, 1 + n // 100))):
            np.testing.assert_array_equal(smallest_k_mask(scores, k), stable_smallest(scores, k), err_msg=f"n={n} k={k}")


@pytest.mark.parametrize("n", [_select._SMALL + 1, 2 * _select._SMALL + 7, 5 * _select._SMALL - 3])
def test_fast_path_matches_the_stable_reference_on_adversarial_inputs(n):
    rng = np.random.default_rng(n)
    for name, scores in adversarial_inputs(rng, n).items():
        for k in (1, 2, n // 4, n // 2, n // 2 + 1, n - 2, n - 1):
            np.testing.assert_array_equal(
                smallest_k_mask(scores, k), stable_smallest(scores, k), err_msg=f"{name}, n={n}, k={k}"
            )


def test_fast_path_when_the_sample_misleads_at_every_small_k():
    """The strided sample holds every small value, the rest of the input is large: the bracket sits too low.

    Sweeping k walks the bracket's upper end past the k-th value one entry at a
    time, so every off-by-one in the "enough candidates?" checks meets its k.
    """
    s = _select._SAMPLE
    scores = np.full(2 * s, 2.0)
    scores[::2] = np.arange(s) / s  # what a stride-2 sample sees
    order = np.argsort(scores, kind="stable")
    for k in range(1, 400):
        expected = np.zeros(scores.size, dtype=bool)
        expected[order[:k]] = True
        np.testing.assert_array_equal(smallest_k_mask(scores, k), expected, err_msg=f"k={k}")


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(65, 6000),
    k_frac=st.floats(0, 1),
    levels=st.sampled_from([0, 2, 7, 100]),
    seed=st.integers(0, 2**32 - 1),
)
def test_fast_path_logic_on_many_small_inputs(n, k_frac, levels, seed):
    """The bracket-and-partition path, made reachable at small sizes by shrinking its thresholds."""
    rng = np.random.default_rng(seed)
    scores = np.abs(rng.standard_normal(n)) if levels == 0 else np.abs(tied_values(rng, n, levels))
    k = min(n - 1, max(1, round(k_frac * n)))
    with pytest.MonkeyPatch.context() as patch:
        # A 256-entry sample and a 1-sigma bracket: the guess holds on most inputs and misses on some,
        # so both the bracketed partition and the full-partition fallback run.
        patch.setattr(_select, "_SMALL", 64)
        patch.setattr(_select, "_SAMPLE", 256)
        patch.setattr(_select, "_Z", 1.0)
        selected = smallest_k_mask(scores, k)
    np.testing.assert_array_equal(selected, stable_smallest(scores, k))


def test_partition_helper_is_exact_for_every_k():
    """Every k of one tied and one distinct input: an off-by-one partition index shows at some k."""
    rng = np.random.default_rng(3)
    for scores in (np.abs(tied_values(rng, 300, 4)), rng.permutation(300).astype(np.float64), rng.random(300)):
        for k in range(1, scores.size):
            np.testing.assert_array_equal(_select._partitioned(scores, k), stable_smallest(scores, k), err_msg=f"k={k}")


# ---------------------------------------------------------------- signed scores and default norms


def test_block_mask_ranks_blocks_by_magnitude_not_signed_sum():
    w = np.array([[-5.0, -5.0, 0.1, 0.1]] * 2)
    # |w| block sums: 20 and 0.4; signed sums: -20 and 0.4. The small block goes.
    assert block_mask(w, 1, block=(2, 2)).tolist() == [[True, True, False, False]] * 2
    mixed = np.array([[3.0, -3.0, 1.0, 1.0]] * 2)  # signed sums 0 and 4, |w| sums 12 and 4
    assert block_mask(mixed, 1, block=(2, 2)).tolist() == [[True, True, False, False]] * 2


def test_slice_norms_default_is_the_l1_sum():
    # L1 sums 7 and 1 (means would be 3.5 and 0.5, L2 norms 5 and 1).
    assert slice_norms([[3.0, -4.0], [1.0, 0.0]]).tolist() == [7.0, 1.0]
    assert slice_norms([[1.0, 2.0, -3.0]], axis=0).tolist() == [6.0]
    assert slice_norms([[1.0, 2.0], [-3.0, 4.0]], axis=1).tolist() == [4.0, 6.0]


def test_structured_mask_default_norm_is_l1():
    # Row 0 = [3, 3]: L1 6, L2 4.24. Row 1 = [5, 0]: L1 5, L2 5. L1 prunes row 1, L2 would prune row 0.
    w = np.array([[3.0, 3.0], [5.0, 0.0], [9.0, 9.0]])
    assert structured_mask(w, 1).tolist() == [[True, True], [False, False], [True, True]]
    assert structured_mask(w, 1, norm=2).tolist() == [[False, False], [True, True], [True, True]]
    # Columns: [3, 3, 3] has L1 9, L2 5.2; [6, 0, 0] has L1 6, L2 6. L1 prunes column 1, L2 column 0.
    columns = np.array([[3.0, 6.0], [3.0, 0.0], [3.0, 0.0]])
    assert structured_mask(columns, 1, axis=1).tolist() == [[True, False]] * 3
    assert structured_mask(columns, 1, axis=1, norm=2).tolist() == [[False, True]] * 3


# ---------------------------------------------------------------- argument bounds


def small_net():
    return [(np.arange(8.0).reshape(4, 2), np.zeros(4)), (np.ones((3, 4)), np.zeros(3))]


@pytest.mark.parametrize("keep", [[0, 4], [4], [-1], [-1, 0, 2], [0, -4], [-5, 1]])
def test_remove_neurons_refuses_indices_outside_the_layer(keep):
    layers = small_net()
    with pytest.raises(ValueError, match=r"keep indices must be in \[0, 3\]"):
        remove_neurons(layers, 0, np.array(keep))


def test_remove_neurons_accepts_the_last_valid_index():
    new = remove_neurons(small_net(), 0, np.array([3, 0]))
    assert new[0][0].tolist() == [[0.0, 1.0], [6.0, 7.0]]  # rows kept in layer order
    assert new[1][0].shape == (3, 2)


@pytest.mark.parametrize("n", [-1, -4])
def test_nm_mask_refuses_negative_n(n):
    with pytest.raises(ValueError, match="n must be >= 0"):
        nm_mask(np.ones((2, 4)), n, 4)


def test_nm_mask_accepts_the_bounds_of_n():
    assert not nm_mask(np.ones((2, 4)), 0, 4).any()
    assert nm_mask(np.ones((2, 4)), 4, 4).all()
    with pytest.raises(ValueError, match="m must be >= 1"):
        nm_mask(np.ones((2, 4)), 0, 0)


@pytest.mark.parametrize("block, name", [((0, 2), r"block\[0\]"), ((2, 0), r"block\[1\]"), ((-2, 2), r"block\[0\]")])
def test_block_mask_refuses_empty_blocks(block, name):
    with pytest.raises(ValueError, match=f"{name} must be >= 1"):
        block_mask(np.ones((4, 4)), 1, block=block)


def test_block_mask_accepts_one_by_one_blocks():
    w = np.array([[1.0, -0.1], [0.2, 3.0]])
    assert block_mask(w, 2, block=(1, 1)).tolist() == magnitude_mask(w, 2).tolist()


# ---------------------------------------------------------------- the fast path's bracket is as narrow as documented


@pytest.mark.parametrize("n, q", [(70_000, 0.5), (70_000, 0.1), (200_000, 0.5), (300_000, 0.02)])
def test_bracket_holds_about_the_documented_share_of_the_scores(n, q):
    """The bracket is +-Z standard errors of the sampled quantile plus 2 sample steps: on well-spread scores it holds
    about 2 * half_width of them, and the exact partition runs on those few only (the module docstring's claim).

    A wider bracket (a wrong error formula, a sparser sample) stays exact but partitions more; this pins the width.
    """
    k = round(q * n)
    s = -(-n // max(1, n // _select._SAMPLE))  # entries in the strided sample
    half_width = _select._Z * np.sqrt(q * (1 - q) / s) + 2 / s
    shares = []
    for seed in range(8):
        scores = np.abs(np.random.default_rng(seed).standard_normal(n))
        sizes = []
        with pytest.MonkeyPatch.context() as patch:
            exact = _select._partitioned
            patch.setattr(_select, "_partitioned", lambda x, kk: sizes.append(x.size) or exact(x, kk))
            selected = _select._bracketed(scores, k)
        assert selected is not None, "the guess misses on well-spread scores: the fast path would never run"
        np.testing.assert_array_equal(selected, stable_smallest(scores, k))
        shares.append(sizes[0] / n)
    # The sampled quantiles' error is 1/Z of the half-width per end: the mean share over 8 inputs is within 15 %.
    assert 0.85 < np.mean(shares) / (2 * half_width) < 1.15, (np.mean(shares), 2 * half_width)


def test_axis_minus_ndim_is_the_first_axis():
    w = np.array([[3.0, 3.0], [5.0, 0.0], [9.0, 9.0]])
    np.testing.assert_array_equal(structured_mask(w, 1, axis=-2), structured_mask(w, 1, axis=0))
    np.testing.assert_array_equal(slice_norms(w, axis=-2), slice_norms(w, axis=0))
    conv = np.arange(16.0).reshape(4, 4, 1, 1)
    np.testing.assert_array_equal(nm_mask(conv, 2, 4, axis=-4), nm_mask(conv, 2, 4, axis=0))


@pytest.mark.parametrize("n", [_select._SMALL + 1, 200_000])
def test_large_well_spread_inputs_never_reach_the_full_partition(n):
    """Above 65,536 scores the exact answer comes from the bracket: the full partition is only the fallback."""
    scores = np.abs(np.random.default_rng(n).standard_normal(n))
    sizes = []
    with pytest.MonkeyPatch.context() as patch:
        exact = _select._partitioned
        patch.setattr(_select, "_partitioned", lambda x, kk: sizes.append(x.size) or exact(x, kk))
        for k in (n // 10, n // 2, n - n // 10):
            np.testing.assert_array_equal(smallest_k_mask(scores, k), stable_smallest(scores, k))
    assert len(sizes) == 3 and max(sizes) <= n // 8, sizes

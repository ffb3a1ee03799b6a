"""Unit tests of the reference pruners: documented examples, tie rule, fast path, bad input."""

import numpy as np
import pytest

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
from hwprune_edu.pruning._select import smallest_k_mask


def test_magnitude_prunes_smallest_and_keeps_shape():
    w = np.array([[0.3, -0.1, 0.0], [2.0, -0.2, 1.5], [0.05, 0.7, -3.0]])
    keep = magnitude_mask(w, 4)
    assert keep.shape == (3, 3)
    assert keep.tolist() == [[True, False, False], [True, False, True], [False, True, True]]


def test_tie_rule_prunes_earlier_entries_first():
    w = np.array([1.0, -1.0, 1.0, 1.0])
    assert magnitude_mask(w, 2).tolist() == [False, False, True, True]
    assert nm_mask(np.ones((1, 4)), 2, 4).tolist() == [[False, False, True, True]]
    assert structured_mask(np.ones((3, 2)), 1).tolist() == [[False, False], [True, True], [True, True]]


@pytest.mark.parametrize("amount", [0.0, 0.1, 0.5, 0.9, 0.999, 1.0])
@pytest.mark.parametrize("values", ["distinct", "few", "zeros"])
def test_fast_path_on_large_tied_input_is_exact(values, amount):
    rng = np.random.default_rng(0)
    n = 300_000
    if values == "distinct":
        w = rng.standard_normal(n).astype(np.float32)
    elif values == "few":
        w = rng.integers(-5, 6, size=n).astype(np.float32)
    else:
        w = np.zeros(n, dtype=np.float32)
        w[rng.choice(n, 100, replace=False)] = 1.0
    keep = magnitude_mask(w, amount)
    k = round(amount * n)
    assert int((~keep).sum()) == k
    a = np.abs(w)
    if 0 < k < n:
        assert a[keep].min() >= a[~keep].max()
        # Tie rule: at the boundary value, pruned entries come before kept ones.
        boundary = a[~keep].max()
        tied = np.flatnonzero(a == boundary)
        pruned_tied = tied[~keep[tied]]
        kept_tied = tied[keep[tied]]
        if pruned_tied.size and kept_tied.size:
            assert pruned_tied.max() < kept_tied.min()
    # The fast path and the simple stable sort agree exactly.
    reference = np.zeros(n, dtype=bool)
    reference[np.argsort(a, kind="stable")[:k]] = True
    np.testing.assert_array_equal(~keep, reference)


def test_bracket_fallback_on_adversarial_sample():
    # Every 4th entry (what a strided sample sees) is large; the rest are tiny.
    n = 1 << 18
    w = np.full(n, 1e-3, dtype=np.float64)
    w[:: n // (1 << 16)] = 1e3
    keep = smallest_k_mask(np.abs(w), n // 2)
    assert keep.sum() == n // 2 and np.abs(w)[keep].max() == 1e-3


def test_global_prunes_more_where_weights_are_small():
    small = np.full((4, 4), 0.01)
    large = np.arange(1, 17, dtype=float).reshape(4, 4)
    masks = global_magnitude_masks([small, large], 0.5)
    assert not masks[0].any() and masks[1].all()


def test_structured_conv_filters_and_columns():
    w = np.ones((4, 2, 3, 3))
    w[1] *= 0.1
    w[3] *= 0.2
    keep = structured_mask(w, 0.5)
    assert keep[[0, 2]].all() and not keep[[1, 3]].any()
    cols = structured_mask(np.array([[1.0, 9.0], [1.0, 9.0]]), 1, axis=1)
    assert cols.tolist() == [[False, True], [False, True]]


def test_slice_norms():
    np.testing.assert_allclose(slice_norms([[3.0, -4.0], [1.0, 1.0]], norm=2), [5.0, np.sqrt(2)])
    np.testing.assert_allclose(slice_norms([[3.0, -4.0]], norm=np.inf), [4.0])
    np.testing.assert_allclose(slice_norms([[3.0, -4.0]], norm=3), [(27 + 64) ** (1 / 3)])


def test_nm_2_4_pattern_and_conv_axis():
    w = np.array([[0.1, -0.9, 0.3, 0.2, 5.0, 4.0, -3.0, 0.0]])
    assert nm_mask(w).astype(int).tolist() == [[0, 1, 1, 0, 1, 1, 0, 0]]
    conv = np.random.default_rng(0).standard_normal((3, 8, 2, 2))
    keep = nm_mask(conv, 2, 4, axis=1)
    assert (keep.reshape(3, 2, 4, 2, 2).sum(axis=2) == 2).all()


def test_nm_large_m_uses_sort_path():
    w = np.random.default_rng(1).standard_normal((3, 64))
    keep = nm_mask(w, 5, 32)
    assert (keep.reshape(3, 2, 32).sum(axis=2) == 5).all()
    a = np.abs(w).reshape(3, 2, 32)
    k = keep.reshape(3, 2, 32)
    assert (np.where(k, a, np.inf).min(axis=2) >= np.where(k, -np.inf, a).max(axis=2)).all()


def test_block_mask_conv_weights_use_gemm_view():
    w = np.ones((4, 2, 2, 2))  # GEMM view (4, 8)
    w[:2, :, :, :] = 0.01
    keep = block_mask(w, 0.5, block=(2, 8))
    assert keep.shape == w.shape and not keep[:2].any() and keep[2:].all()


def test_apply_mask_and_sparsity():
    w = np.array([[1.0, np.nan], [-2.0, 3.0]], dtype=np.float32)
    out = apply_mask(w, [[True, False], [False, True]])
    assert out.dtype == np.float32 and out.tolist() == [[1.0, 0.0], [0.0, 3.0]]
    assert not np.signbit(out[1, 0])  # an exact +0.0, not -0.0
    assert sparsity(out) == 0.5
    assert sparsity(np.array([True, False, False, True])) == 0.5


def test_dtype_and_int_inputs():
    assert magnitude_mask(np.array([3, 1, 2]), 1).tolist() == [True, False, True]
    assert magnitude_mask(np.array([0.5, 0.1], dtype=np.float16), 1).tolist() == [True, False]


# ---- bad input: every error names the argument and what was received ----

BAD_CALLS = [
    (lambda: magnitude_mask([[1.0, np.nan]], 1), ValueError, "weights must be finite"),
    (lambda: magnitude_mask([[1.0, np.inf]], 1), ValueError, "infinite"),
    (lambda: magnitude_mask(np.zeros((0, 3)), 0), ValueError, "must not be empty"),
    (lambda: magnitude_mask(np.float64(3.0), 0), ValueError, "at least 1 dimension"),
    (lambda: magnitude_mask([[1, 2], [3]], 1), ValueError, "ragged"),
    (lambda: magnitude_mask(["a", "b"], 1), TypeError, "array of numbers"),
    (lambda: magnitude_mask(None, 1), TypeError, "got None"),
    (lambda: magnitude_mask([1.0, 2.0], True), TypeError, "got bool"),
    (lambda: magnitude_mask([1.0, 2.0], 1.5), ValueError, r"in \[0, 1\], got 1.5"),
    (lambda: magnitude_mask([1.0, 2.0], -1), ValueError, ">= 0, got -1"),
    (lambda: magnitude_mask([1.0, 2.0], 3), ValueError, "more than the 2 entries"),
    (lambda: magnitude_mask([1.0, 2.0], "half"), TypeError, "amount must be an int"),
    (lambda: magnitude_mask([1.0, 2.0], float("nan")), ValueError, "amount as a fraction"),
    (lambda: magnitude_mask([1j, 2j], 1), TypeError, "complex"),
    (lambda: threshold_mask([1.0], -0.1), ValueError, r"threshold must be in \[0, inf\) \(it is compared with \|w\|\), got -0.1"),
    (lambda: threshold_mask([1.0], "0.1"), TypeError, r"threshold must be a number in \[0, inf\)"),
    (lambda: global_magnitude_masks([], 0.5), ValueError, "at least one array"),
    (lambda: global_magnitude_masks(np.ones(3), 0.5), TypeError, "list or tuple"),
    (lambda: global_magnitude_masks([np.ones(2), np.array([np.nan])], 0.5), ValueError, r"weights_list\[1\]"),
    (lambda: structured_mask(np.ones((2, 2)), 1, axis=2), ValueError, "axis must be in"),
    (lambda: structured_mask(np.ones((2, 2)), 1, norm=0), ValueError, r"norm must be in \(0, inf\) \(the p of the Ln norm"),
    (lambda: structured_mask(np.ones((2, 2)), 3), ValueError, "more than the 2"),
    (lambda: nm_mask(np.ones((2, 6)), 2, 4), ValueError, "multiple of m=4"),
    (lambda: nm_mask(np.ones((2, 4)), 5, 4), ValueError, "n must be <= m"),
    (lambda: nm_mask(np.ones((2, 4)), 2, 0), ValueError, "m must be >= 1"),
    (lambda: nm_mask(np.ones((2, 4)), 2.0, 4), TypeError, "n must be an int"),
    (lambda: block_mask(np.ones((4, 6)), 1, block=(4, 4)), ValueError, "must tile the weight matrix"),
    (lambda: block_mask(np.ones(4), 1), ValueError, "at least 2 dimensions"),
    (lambda: block_mask(np.ones((4, 4)), 1, block=4), TypeError, "block must be a"),
    (lambda: apply_mask(np.ones((2, 2)), np.ones((2, 3), bool)), ValueError, r"shape \(2, 2\)"),
    (lambda: apply_mask(np.ones(2), [0.5, 1]), ValueError, "only True/False"),
    (lambda: sparsity([]), ValueError, "must not be empty"),
]


@pytest.mark.parametrize("call,error,message", BAD_CALLS)
def test_bad_input_is_named_and_explained(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------- float16 accumulation, dtypes, Fraction amounts


def test_structured_mask_on_float16_ranks_rows_by_their_exact_norm():
    # Cubes of 42 and 41 overflow float16 (74088, 68921 > 65504): summed in float16 both norms are
    # inf and tie, and row 2 (the larger) was pruned; exact and torch prune rows 0, 1 and 3.
    w = np.array([[0], [1], [42], [41]], np.float16)
    keep = structured_mask(w, 3, norm=3)
    assert keep[:, 0].tolist() == [False, False, True, False]
    np.testing.assert_allclose(slice_norms(w, norm=3), [0, 1, 42, 41])


def test_slice_norms_of_float16_are_float64_and_never_overflow():
    w = np.array([[350, 350], [300, 300], [200, 10]], np.float16)  # squares reach 122500 > 65504
    norms = slice_norms(w, norm=2)
    assert norms.dtype == np.float64
    np.testing.assert_allclose(norms, [350 * np.sqrt(2), 300 * np.sqrt(2), np.hypot(200, 10)])
    assert structured_mask(w, 1, norm=2)[:, 0].tolist() == [True, True, False]


def test_float16_row_sums_past_2048_do_not_round_into_ties():
    # 1024 + 1025 = 2049 has no float16 (its step is 2 above 2048): a float16 sum makes both rows 2048.
    w = np.array([[1024, 1025], [1024, 1024]], np.float16)
    assert slice_norms(w).tolist() == [2049.0, 2048.0]
    assert structured_mask(w, 1)[:, 0].tolist() == [True, False]  # the smaller row goes, not the earlier one


def test_block_mask_on_float16_sums_blocks_in_float64():
    # Both 1x4 blocks of row 1 pass 65504 (inf in float16, a tie); exactly, the block holding a 1 is smaller.
    w = np.full((2, 8), 60000, np.float16)
    w[1, 0] = 1
    keep = block_mask(w, 1, block=(1, 4))
    assert keep.tolist() == [[True] * 8, [False] * 4 + [True] * 4]


def test_norms_of_huge_and_tiny_float64_weights_are_scaled_not_overflowed():
    w = np.array([[1e200, 1e200], [1e-200, 0.0], [3.0, 4.0]])
    np.testing.assert_allclose(slice_norms(w, norm=2), [np.sqrt(2) * 1e200, 1e-200, 5.0], rtol=1e-12)
    np.testing.assert_allclose(slice_norms(w, norm=3), [2 ** (1 / 3) * 1e200, 1e-200, (27 + 64) ** (1 / 3)], rtol=1e-12)
    assert structured_mask(w, 1, norm=2)[:, 0].tolist() == [True, False, True]


@pytest.mark.parametrize("weights", [np.array([[3, -1], [0, 5]], np.int16), np.array([[True, False], [True, True]]),
                                     np.array([[3, 1], [0, 5]], np.uint8)])
def test_apply_mask_keeps_int_and_bool_dtypes(weights):
    keep = np.array([[True, False], [False, True]])
    out = apply_mask(weights, keep)
    assert out.dtype == weights.dtype
    np.testing.assert_array_equal(out, np.where(keep, weights, 0))
    out[0, 0] = 0  # a new array: the input is untouched
    assert weights[0, 0] != 0


def test_fraction_numpy_and_0d_amounts_and_thresholds_are_accepted():
    from fractions import Fraction

    w = np.arange(1.0, 11.0)
    expected = magnitude_mask(w, 0.5)
    for amount in (Fraction(1, 2), np.float32(0.5), np.float16(0.5), np.array(0.5), np.int64(5), np.array(5)):
        np.testing.assert_array_equal(magnitude_mask(w, amount), expected)
    np.testing.assert_array_equal(threshold_mask(w, Fraction(11, 2)), w > 5.5)
    np.testing.assert_array_equal(threshold_mask(w, np.float32(5.5)), w > 5.5)
    assert structured_mask(w.reshape(5, 2), Fraction(2, 5)).any(axis=1).sum() == 3

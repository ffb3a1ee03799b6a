"""One-shot LLM pruners (Wanda, SparseGPT) against straightforward loop references, plus their properties.

The SparseGPT reference below never forms a Cholesky factor: at every column it
inverts the Hessian of the columns still to come, ``inv(H[j:, j:])``, and
applies the textbook Optimal Brain Surgeon update row by row. Agreement with it
checks the lazy block updates and the Cholesky shortcut of the fast version.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hwprune_edu.pruning import (
    apply_mask, fake_quantise, inverse_hessian_factor, layer_hessian, magnitude_mask, nm_mask, reconstruction_error,
    sparsegpt_column_step, sparsegpt_prune, wanda_mask, wanda_scores,
)
from hwprune_edu.pruning.reconstruction import as_calibration


def correlated_inputs(rng, samples, features, outliers=True):
    """Calibration activations with correlated features and a few large 'outlier' channels, as in LLMs."""
    mixing = rng.standard_normal((features, features)) / np.sqrt(features)
    x = rng.standard_normal((samples, features)) @ mixing + 0.3 * rng.standard_normal((samples, features))
    if outliers:
        x *= np.exp(rng.standard_normal(features))
    return x


def exact(message):
    """A pytest ``match`` pattern for exactly this message (case and punctuation included)."""
    return "^" + re.escape(message) + "$"


# ---------------------------------------------------------------- loop references

def wanda_loops(w, x, prune_per_row=None, n=None, m=None):
    rows, cols = w.shape
    norms = [np.sqrt(sum(x[s, j] ** 2 for s in range(x.shape[0]))) for j in range(cols)]
    keep = np.ones((rows, cols), dtype=bool)
    for i in range(rows):
        scores = [abs(w[i, j]) * norms[j] for j in range(cols)]
        groups = [range(cols)] if m is None else [range(g, g + m) for g in range(0, cols, m)]
        for group in groups:
            group = list(group)
            k = prune_per_row if m is None else m - n
            ordered = sorted(group, key=lambda j: (scores[j], j))
            for j in ordered[:k]:
                keep[i, j] = False
    return keep


def sparsegpt_loops(w, x, prune_per_row=None, n=None, m=None, block_size=128, damp=0.01):
    """SparseGPT as the paper states it, one row and one column at a time, with explicit inverses."""
    w = w.astype(np.float64).copy()
    rows, cols = w.shape
    h = layer_hessian(x, cols, damp=damp)
    pruned = np.zeros((rows, cols), dtype=bool)
    saliency_denominator = [np.linalg.inv(h[j:, j:])[0, 0] for j in range(cols)]
    done = 0
    for start in range(0, cols, block_size):
        stop = min(start + block_size, cols)
        if m is None:
            total_after = int((2 * prune_per_row * stop + cols) // (2 * cols))
            k = total_after - done
            done = total_after
            for i in range(rows):
                saliency = [w[i, j] ** 2 / saliency_denominator[j] for j in range(start, stop)]
                for offset in sorted(range(stop - start), key=lambda t: (saliency[t], t))[:k]:
                    pruned[i, start + offset] = True
        for j in range(start, stop):
            if m is not None and j % m == 0:
                for i in range(rows):
                    saliency = [w[i, jj] ** 2 / saliency_denominator[jj] for jj in range(j, j + m)]
                    for offset in sorted(range(m), key=lambda t: (saliency[t], t))[: m - n]:
                        pruned[i, j + offset] = True
            h_f_inv = np.linalg.inv(h[j:, j:])
            for i in range(rows):
                if pruned[i, j]:
                    # OBS: delta w_F = -(w_j / [H_F^-1]_jj) * H_F^-1[j, F]
                    w[i, j:] -= w[i, j] / h_f_inv[0, 0] * h_f_inv[0, :]
    return np.where(pruned, 0.0, w), ~pruned


# ---------------------------------------------------------------- against the references

@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("spec", [dict(prune_per_row=5), dict(n=2, m=4), dict(n=1, m=4)])
def test_wanda_equals_its_loop_reference(seed, spec):
    rng = np.random.default_rng(seed)
    w, x = rng.standard_normal((6, 12)), correlated_inputs(rng, 20, 12)
    amount = spec.get("prune_per_row")
    got = wanda_mask(w, x, amount, n=spec.get("n"), m=spec.get("m"))
    assert np.array_equal(got, wanda_loops(w, x, **spec))


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("block_size", [4, 5, 16, 128])
@pytest.mark.parametrize("spec", [dict(prune_per_row=7), dict(prune_per_row=3), dict(n=2, m=4)])
def test_sparsegpt_equals_its_loop_reference(seed, block_size, spec):
    if "m" in spec and block_size % 4:
        pytest.skip("N:M needs block_size a multiple of m")
    rng = np.random.default_rng(seed)
    w, x = rng.standard_normal((5, 16)), correlated_inputs(rng, 40, 16)
    got_w, got_keep = sparsegpt_prune(w, x, spec.get("prune_per_row"), n=spec.get("n"), m=spec.get("m"),
                                      block_size=block_size)
    ref_w, ref_keep = sparsegpt_loops(w, x, block_size=block_size, **spec)
    assert np.array_equal(got_keep, ref_keep)
    np.testing.assert_allclose(got_w, ref_w, rtol=1e-9, atol=1e-9)


def test_wanda_with_equal_input_norms_is_per_row_magnitude():
    rng = np.random.default_rng(3)
    w = rng.standard_normal((4, 8))
    keep = wanda_mask(w, np.ones((5, 8)), 0.5)
    for row, kept in zip(w, keep):
        assert np.array_equal(kept, magnitude_mask(row, 0.5))


def test_wanda_nm_equals_nm_mask_of_the_scores():
    rng = np.random.default_rng(4)
    w, x = rng.standard_normal((3, 8)), rng.standard_normal((9, 8))
    assert np.array_equal(wanda_mask(w, x, n=2, m=4), nm_mask(wanda_scores(w, x), 2, 4))


# ---------------------------------------------------------------- the ordering the literature reports

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sparsegpt_beats_wanda_beats_magnitude_on_correlated_inputs(seed):
    rng = np.random.default_rng(seed)
    w, x = rng.standard_normal((64, 128)), correlated_inputs(rng, 512, 128)
    for spec, magnitude in ((dict(amount=0.5), magnitude_mask(w, 0.5)), (dict(n=2, m=4), nm_mask(w, 2, 4))):
        sparse_w, _ = sparsegpt_prune(w, x, **spec)
        errors = [reconstruction_error(w, sparse_w, x),
                  reconstruction_error(w, apply_mask(w, wanda_mask(w, x, **spec)), x),
                  reconstruction_error(w, apply_mask(w, magnitude), x)]
        assert errors == sorted(errors), (spec, errors)


def test_sparsegpt_update_beats_its_own_mask_without_the_update():
    rng = np.random.default_rng(5)
    w, x = rng.standard_normal((32, 64)), correlated_inputs(rng, 256, 64)
    sparse_w, keep = sparsegpt_prune(w, x, 0.5)
    assert reconstruction_error(w, sparse_w, x) < reconstruction_error(w, apply_mask(w, keep), x)


# ---------------------------------------------------------------- properties

shapes = st.tuples(st.integers(1, 6), st.sampled_from([4, 8, 12]))


@settings(max_examples=60, deadline=None)
@given(shape=shapes, seed=st.integers(0, 2**16), data=st.data())
def test_exact_per_row_sparsity_and_no_mutation(shape, seed, data):
    rng = np.random.default_rng(seed)
    rows, cols = shape
    # Rounded values make ties common; a few always-zero inputs make dead columns.
    w = np.round(rng.standard_normal(shape), 1)
    x = np.round(rng.standard_normal((int(rng.integers(1, 20)), cols)), 1)
    x[:, rng.random(cols) < 0.2] = 0.0
    amount = data.draw(st.one_of(st.floats(0, 1), st.integers(0, cols)))
    block_size = data.draw(st.sampled_from([1, 3, 4, 128]))
    before_w, before_x = w.copy(), x.copy()
    k = amount if isinstance(amount, int) else round(amount * cols)
    keep = wanda_mask(w, x, amount)
    sparse_w, sparse_keep = sparsegpt_prune(w, x, amount, block_size=block_size)
    for mask in (keep, sparse_keep):
        assert mask.dtype == bool and mask.shape == shape
        assert (mask.sum(axis=1) == cols - k).all()
    assert (sparse_w[~sparse_keep] == 0).all() and np.isfinite(sparse_w).all()
    assert np.array_equal(w, before_w) and np.array_equal(x, before_x)


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 5), groups=st.integers(1, 4), seed=st.integers(0, 2**16), n=st.integers(0, 4))
def test_exact_nm(rows, groups, seed, n):
    rng = np.random.default_rng(seed)
    w = np.round(rng.standard_normal((rows, 4 * groups)), 1).astype(np.float32)
    x = rng.standard_normal((7, 4 * groups))
    for keep in (wanda_mask(w, x, n=n, m=4), sparsegpt_prune(w, x, n=n, m=4, block_size=8)[1]):
        assert (keep.reshape(rows, groups, 4).sum(axis=2) == n).all()
    sparse_w, _ = sparsegpt_prune(w, x, n=n, m=4)
    assert sparse_w.dtype == np.float32


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**16), scale=st.floats(1e-3, 1e3))
def test_masks_do_not_depend_on_the_scale_of_the_inputs(seed, scale):
    rng = np.random.default_rng(seed)
    w, x = rng.standard_normal((4, 8)), correlated_inputs(rng, 32, 8)
    assert np.array_equal(wanda_mask(w, x, 0.5), wanda_mask(w, x * scale, 0.5))
    a, keep_a = sparsegpt_prune(w, x, 0.5)
    b, keep_b = sparsegpt_prune(w, x * scale, 0.5)
    assert np.array_equal(keep_a, keep_b)
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)


def test_amount_zero_changes_nothing_and_one_prunes_all():
    rng = np.random.default_rng(6)
    w, x = rng.standard_normal((3, 8)), rng.standard_normal((10, 8))
    same, keep = sparsegpt_prune(w, x, 0)
    assert keep.all() and np.array_equal(same, w)
    zeros, keep = sparsegpt_prune(w, x, 1.0)
    assert not keep.any() and not zeros.any()
    assert reconstruction_error(w, zeros, x) == 1.0 and reconstruction_error(w, w, x) == 0.0


def test_three_d_activations_are_read_as_samples():
    rng = np.random.default_rng(7)
    w, x = rng.standard_normal((3, 8)), rng.standard_normal((2, 5, 8))
    assert np.array_equal(wanda_mask(w, x, 0.5), wanda_mask(w, x.reshape(10, 8), 0.5))


# ---------------------------------------------------------------- errors name the argument

@pytest.mark.parametrize("call,error,words", [
    (lambda w, x: wanda_mask(w, x), TypeError, "amount is required"),
    (lambda w, x: wanda_mask(w, x, 0.5, n=2, m=4), ValueError, "either amount"),
    (lambda w, x: wanda_mask(w, x, n=2), TypeError, "n and m go together"),
    (lambda w, x: wanda_mask(w, x, n=5, m=4), ValueError, "n must be <= m"),
    (lambda w, x: wanda_mask(w, x, n=2, m=3), ValueError, "multiple of m=3"),
    (lambda w, x: wanda_mask(w, x[:, :4], 0.5), ValueError, "in_features = 8"),
    (lambda w, x: wanda_mask(w, x[0], 0.5), ValueError, "1-D"),
    (lambda w, x: wanda_mask(w[0], x, 0.5), ValueError, "weights must be 2-D"),
    (lambda w, x: wanda_mask(w, x, 1.5), ValueError, "amount as a fraction"),
    (lambda w, x: sparsegpt_prune(w, x, n=2, m=4, block_size=6), ValueError, "block_size must be a multiple"),
    (lambda w, x: sparsegpt_prune(w, x, 0.5, block_size=0), ValueError, "block_size must be >= 1"),
    (lambda w, x: sparsegpt_prune(w, x, 0.5, damp=-1), ValueError, "damp must be"),
    (lambda w, x: sparsegpt_prune(w, x, 0.5, damp="a"), TypeError, "damp must be"),
    (lambda w, x: reconstruction_error(w, w[:, :4], x), ValueError, "pruned_weights must have"),
    (lambda w, x: reconstruction_error(w, w, 0 * x), ValueError, "all zeros"),
])
def test_errors_name_the_argument(call, error, words):
    rng = np.random.default_rng(8)
    with pytest.raises(error, match=words):
        call(rng.standard_normal((3, 8)), rng.standard_normal((5, 8)))


# ---------------------------------------------------------------- fake quantisation: the grid, pinned by hand
# Weights chosen so every scale is a power of two (exact in binary) and the rounding is visible.
# bits = 3: levels -3..3 (2**(3-1) - 1 = 3), scale = max|w| / 3.

QUANT_W = np.array([[6.0, 3.0, 1.5, -0.5],
                    [-1.5, 0.75, 0.0, 0.0]])


def test_fake_quantise_per_row_golden_values():
    # Row 0: scale 6 / 3 = 2; w / 2 = 3, 1.5, 0.75, -0.25 -> round (half to even) 3, 2, 1, 0 -> 6, 4, 2, 0.
    # Row 1: its own scale 1.5 / 3 = 0.5 (not row 0's 2): -3, 1.5, 0, 0 -> -3, 2, 0, 0 -> -1.5, 1, 0, 0.
    got = fake_quantise(QUANT_W, 3)
    assert got.tolist() == [[6.0, 4.0, 2.0, 0.0], [-1.5, 1.0, 0.0, 0.0]]


def test_fake_quantise_grouped_golden_values():
    # group_size 2: [6, 3] scale 2 -> 3, 1.5 -> 3, 2 -> 6, 4; [1.5, -0.5] scale 0.5 -> 3, -1 -> 1.5, -0.5;
    # [-1.5, 0.75] scale 0.5 -> -3, 1.5 -> -3, 2 -> -1.5, 1; [0, 0] is all zero and stays zero (no 0 / 0).
    got = fake_quantise(QUANT_W, 3, group_size=2)
    assert got.tolist() == [[6.0, 4.0, 1.5, -0.5], [-1.5, 1.0, 0.0, 0.0]]


def test_fake_quantise_scale_is_the_largest_magnitude_not_the_largest_value():
    # max|w| = 4 (a negative weight): scale 4 / 1 = 4 at bits = 2, so 1.0 / 4 = 0.25 rounds to 0 and -4 stays -4.
    # The signed maximum (1.0) would give scale 1 and clip -4 to -1.
    assert fake_quantise(np.array([[-4.0, 1.0, 3.0, 0.0]]), 2).tolist() == [[-4.0, 0.0, 4.0, 0.0]]


def test_fake_quantise_rounds_halves_to_even_on_the_grid():
    # bits = 4: levels 7, scale 7 / 7 = 1; 2.5 -> 2, 3.5 -> 4, -0.5 -> -0 (np.round is half to even), 6.4 -> 6.
    got = fake_quantise(np.array([[7.0, 2.5, 3.5, -0.5, 6.4]]), 4)
    assert got.tolist() == [[7.0, 2.0, 4.0, 0.0, 6.0]]


@pytest.mark.parametrize("bits,levels", [(2, 1), (3, 3), (8, 127), (16, 32767)])
def test_fake_quantise_levels_per_bit_width(bits, levels):
    # 2**(bits - 1) - 1 positive levels: an evenly spaced input in [-1, 1] uses exactly 2 * levels + 1 values.
    w = np.linspace(-1.0, 1.0, 2 * levels + 1)[None, :]
    got = fake_quantise(w, bits)
    assert np.unique(got).size == 2 * levels + 1
    np.testing.assert_allclose(got, w, atol=1e-12)
    assert np.unique(fake_quantise(np.linspace(-1.0, 1.0, 4 * levels + 1)[None, :], bits)).size == 2 * levels + 1


def test_fake_quantise_computes_in_float64_and_rounds_once():
    # float32 weights: scale and grid in float64, one cast back at the end (float32 arithmetic would differ
    # in the last bit on about a fifth of the entries, and would move the largest weight of some groups).
    w = np.random.default_rng(9).standard_normal((64, 64)).astype(np.float32)
    got = fake_quantise(w, 8, group_size=16)
    groups = w.astype(np.float64).reshape(64, 4, 16)
    scale = np.abs(groups).max(axis=2, keepdims=True) / 127
    expected = (np.round(groups / scale) * scale).reshape(64, 64).astype(np.float32)
    assert got.dtype == np.float32 and np.array_equal(got, expected)
    # The largest magnitude of each group lies on the grid: it comes back unchanged.
    assert np.array_equal(np.abs(got).reshape(64, 4, 16).max(axis=2), np.abs(w).reshape(64, 4, 16).max(axis=2))


def test_fake_quantise_keeps_zeros_shape_and_input():
    w = QUANT_W.copy()
    got = fake_quantise(w, 8, group_size=2)
    assert got.shape == w.shape and got.dtype == w.dtype and got is not w
    assert np.array_equal(w, QUANT_W)
    assert (got[QUANT_W == 0] == 0).all()  # a pruned weight stays pruned
    assert fake_quantise(np.zeros((2, 4)), 4).tolist() == [[0.0] * 4] * 2


def test_fake_quantise_codes_fit_the_bit_width_even_for_subnormal_weights():
    # For weights near 1e-318 (subnormal floats) max|w| / 32767 keeps only a few significant bits, so
    # w / scale reaches 33,734 > 32,767 before clipping: the codes must still fit in 16 bits (levels +-32,767).
    w = np.array([[1e-318, -1e-318, 7e-319, 0.0]])
    scale = 1e-318 / 32767
    codes = fake_quantise(w, 16) / scale
    assert np.array_equal(codes, np.round(codes))
    assert np.abs(codes).max() == 32767 and codes.min() == -32767


@pytest.mark.parametrize("kwargs,error,message", [
    (dict(bits=1), ValueError, "bits must be >= 2, got 1"),
    (dict(bits=17), ValueError, "bits must be <= 16, got 17"),
    (dict(bits=8.0), TypeError, "bits must be an int, got float 8.0"),
    (dict(bits=8, group_size=0), ValueError, "group_size must be >= 1, got 0"),
    (dict(bits=8, group_size=3), ValueError, "group_size = 3 must divide in_features = 4"),
    (dict(bits=8, group_size=2.0), TypeError, "group_size must be an int, got float 2.0"),
])
def test_fake_quantise_errors_name_the_argument(kwargs, error, message):
    with pytest.raises(error, match=exact(message)):
        fake_quantise(QUANT_W, **kwargs)


def test_fake_quantise_refuses_non_matrix_weights():
    with pytest.raises(ValueError, match="weights must be 2-D"):
        fake_quantise(np.ones(4), 8)


# ---------------------------------------------------------------- SparseGPT's pieces, each pinned on its own

def test_layer_hessian_golden_values_with_a_dead_input():
    # X^T X of x = [[1, 0, 2], [1, 0, 0]] is [[2, 0, 2], [0, 0, 0], [2, 0, 4]]; input 1 is always zero (dead),
    # so its diagonal becomes 1. Without damping that is the whole Hessian.
    x = np.array([[1.0, 0.0, 2.0], [1.0, 0.0, 0.0]])
    assert layer_hessian(x, 3, damp=0.0).tolist() == [[2.0, 0.0, 2.0], [0.0, 1.0, 0.0], [2.0, 0.0, 4.0]]
    # The default damp is 0.01 of the mean diagonal, (2 + 1 + 4) / 3 = 7 / 3, added to the diagonal only.
    expected = np.array([[2.0, 0.0, 2.0], [0.0, 1.0, 0.0], [2.0, 0.0, 4.0]]) + 0.01 * 7 / 3 * np.eye(3)
    np.testing.assert_allclose(layer_hessian(x, 3), expected, rtol=1e-15)
    # damp = 0.5: 0.5 * 7 / 3 on the diagonal.
    np.testing.assert_allclose(np.diag(layer_hessian(x, 3, damp=0.5)), [2 + 7 / 6, 1 + 7 / 6, 4 + 7 / 6], rtol=1e-15)


def test_layer_hessian_live_input_with_unit_diagonal_is_not_dead():
    # Input 0 has sum of squares exactly 1 but is alive; input 1 is dead. Mean diagonal (1 + 1) / 2 = 1.
    x = np.array([[1.0, 0.0]])
    assert layer_hessian(x, 2, damp=0.0).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert layer_hessian(x, 2, damp=1.0).tolist() == [[2.0, 0.0], [0.0, 2.0]]


def test_layer_hessian_does_not_modify_the_inputs():
    x = np.array([[1.0, 0.0], [2.0, 0.0]])
    before = x.copy()
    layer_hessian(x, 2)
    assert np.array_equal(x, before)


def test_inverse_hessian_factor_golden_values():
    # H = [[2, 1], [1, 2]], H^-1 = [[2, -1], [-1, 2]] / 3. Row 0 of U is H^-1[0] / sqrt(H^-1[0, 0]):
    # [2/3, -1/3] / sqrt(2/3) = [sqrt(2/3), -1 / (3 sqrt(2/3))]. Row 1 over F = {1}: inv(H[1:, 1:]) = 1/2,
    # so U[1, 1] = (1/2) / sqrt(1/2) = sqrt(1/2); U is upper triangular.
    u = inverse_hessian_factor(np.array([[2.0, 1.0], [1.0, 2.0]]))
    r = np.sqrt(2 / 3)
    np.testing.assert_allclose(u, [[r, -1 / (3 * r)], [0.0, np.sqrt(0.5)]], rtol=1e-12, atol=1e-15)


def test_inverse_hessian_factor_rows_are_the_obs_rows():
    rng = np.random.default_rng(10)
    h = layer_hessian(correlated_inputs(rng, 30, 6), 6)
    u = inverse_hessian_factor(h)
    np.testing.assert_allclose(u.T @ u, np.linalg.inv(h), rtol=1e-10, atol=1e-12)
    assert np.array_equal(u, np.triu(u))
    for j in range(6):
        tail_inverse = np.linalg.inv(h[j:, j:])
        np.testing.assert_allclose(u[j, j:], tail_inverse[0] / np.sqrt(tail_inverse[0, 0]), rtol=1e-9, atol=1e-12)


def test_inverse_hessian_factor_accepts_rounding_level_asymmetry():
    # X^T X computed in another order differs in the last bits: a relative 5e-7 is still symmetric (rtol 1e-6).
    h = np.array([[2.0, 1.0 + 5e-7], [1.0, 2.0]])
    assert np.isfinite(inverse_hessian_factor(h)).all()
    # An exact zero against 1e-13 on a matrix of size 1 passes by the absolute tolerance, 1e-12 x max|H|.
    assert np.isfinite(inverse_hessian_factor(np.array([[1.0, 1e-13], [0.0, 1.0]]))).all()


@pytest.mark.parametrize("h", [
    np.array([[2.0, 1.0 + 3e-6], [1.0, 2.0]]),                 # 3e-6 relative: more than rounding (rtol 1e-6)
    1e-14 * np.array([[2.0, 1.05], [1.0, 2.0]]),               # tiny scale: the tolerance scales with max|H|
    np.array([[2.0, 1.0], [-1.0, 2.0]]),                       # clearly not symmetric
], ids=["relative-3e-6", "tiny-scale", "antisymmetric"])
def test_inverse_hessian_factor_refuses_an_asymmetric_matrix(h):
    # Tolerances: |H - H^T| <= 1e-12 * max|H| + 1e-6 * |H^T|. At scale 1e-14 the asymmetry 5e-16 is 5 % of the
    # entries, above 2e-26 + 1e-20, but it would pass any absolute tolerance of 1e-12 or NumPy's default 1e-8.
    with pytest.raises(ValueError, match=exact(
            "hessian must be symmetric (X^T X is); got a matrix that is not, e.g. from a transposed product")):
        inverse_hessian_factor(h)


@pytest.mark.parametrize("h,message", [
    (np.ones(3), "hessian must be 2-D, got a 1-D array of shape (3,)"),
    (np.ones((2, 3)), "hessian must be a square (in_features, in_features) matrix, got shape (2, 3)"),
    (np.ones((3, 2)), "hessian must be a square (in_features, in_features) matrix, got shape (3, 2)"),
    (-np.eye(2), "hessian must be positive definite (the layer Hessian X^T X is not, even with damping); "
                 "increase damp (e.g. 0.1)"),
])
def test_inverse_hessian_factor_errors(h, message):
    with pytest.raises(ValueError, match=exact(message)):
        inverse_hessian_factor(h)


def test_sparsegpt_column_step_golden_values():
    # x = [[1, 1], [1, -1], [1, 1]]: H = X^T X = [[3, 1], [1, 3]], H^-1 = [[3, -1], [-1, 3]] / 8 (damp 0).
    # Pruning w_0 = 1: error = 1 / (3/8) = 8/3; w -= 8/3 * [3/8, -1/8] = [1, -1/3], so w = [0, 2 + 1/3].
    x = np.array([[1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    w = np.array([[1.0, 2.0], [4.0, -1.0]])
    got = sparsegpt_column_step(w, x, 0, [True, False], damp=0.0)
    np.testing.assert_allclose(got, [[0.0, 2 + 1 / 3], [4.0, -1.0]], rtol=1e-12)   # row 1 not pruned: unchanged
    assert got[0, 0] == 0.0 and got.dtype == np.float64
    # Default damp 0.01: H = [[3.03, 1], [1, 3.03]]; w_1 -= w_0 * H^-1[0, 1] / H^-1[0, 0] = w_0 * (-1 / 3.03).
    got = sparsegpt_column_step(w, x, 0, [True, True])
    np.testing.assert_allclose(got, [[0.0, 2 + 1 / 3.03], [0.0, -1 + 4 / 3.03]], rtol=1e-12)


def test_sparsegpt_column_step_leaves_processed_columns_alone():
    # Column 1 of 2: F = {1}, nothing left to absorb the error, so only w[:, 1] changes (to exactly 0).
    x = np.array([[1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    got = sparsegpt_column_step(np.array([[1.0, 2.0]]), x, 1, np.array([True]), damp=0.0)
    assert got.tolist() == [[1.0, 0.0]]


def test_sparsegpt_column_step_is_the_constrained_least_squares_update():
    # OBS is exact: the new later columns minimise (w_F - v)^T H_FF (w_F - v) with v_column = 0,
    # i.e. v_rest = w_rest + H_rr^-1 H_r,column w_column; columns before `column` are untouched.
    rng = np.random.default_rng(11)
    x = correlated_inputs(rng, 40, 6)
    w = rng.standard_normal((3, 6)).astype(np.float32)
    before_w, before_x = w.copy(), x.copy()
    column, prune = 2, np.array([True, False, True])
    got = sparsegpt_column_step(w, x, column, prune, damp=0.05)
    h = layer_hessian(x, 6, damp=0.05)
    rest = np.arange(column + 1, 6)
    expected = w.astype(np.float64).copy()
    for r in np.flatnonzero(prune):
        expected[r, rest] += np.linalg.solve(h[np.ix_(rest, rest)], h[rest, column]) * w[r, column]
        expected[r, column] = 0.0
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    assert np.array_equal(w, before_w) and np.array_equal(x, before_x)


@pytest.mark.parametrize("column,prune_rows,error,message", [
    (-1, [True, False], ValueError, "column must be >= 0, got -1"),
    (2, [True, False], ValueError, "column must be < in_features = 2, got 2"),
    (1.0, [True, False], TypeError, "column must be an int, got float 1.0"),
    (0, None, TypeError, "prune_rows must be 2 booleans (one per row), got None"),
    (0, "ab", TypeError, "prune_rows must be 2 booleans (one per row), got str 'ab'"),
    (0, [1, 0], ValueError, "prune_rows must be 2 booleans (one per row), got a list"),
    (0, [True], ValueError, "prune_rows must be 2 booleans (one per row), got a list"),
    (0, [[True, False]], ValueError, "prune_rows must be 2 booleans (one per row), got a list"),
])
def test_sparsegpt_column_step_errors(column, prune_rows, error, message):
    x = np.array([[1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    with pytest.raises(error, match=exact(message)):
        sparsegpt_column_step(np.ones((2, 2)), x, column, prune_rows)


def test_sparsegpt_column_step_checks_damp():
    with pytest.raises(ValueError, match=exact(
            "damp must be in [0, inf) (a fraction of the Hessian's mean diagonal), got -1.0")):
        sparsegpt_column_step(np.ones((1, 2)), np.eye(2), 0, [True], damp=-1)


@pytest.mark.parametrize("damp,error,message", [
    (-1, ValueError, "damp must be in [0, inf) (a fraction of the Hessian's mean diagonal), got -1.0"),
    ("a", TypeError, "damp must be a number in [0, inf) (a fraction of the Hessian's mean diagonal), got str 'a'"),
])
def test_layer_hessian_checks_damp(damp, error, message):
    with pytest.raises(error, match=exact(message)):
        layer_hessian(np.eye(2), 2, damp=damp)


# ---------------------------------------------------------------- Wanda's pieces

def test_wanda_scores_refuses_non_matrix_weights():
    with pytest.raises(ValueError, match=exact("weights must be 2-D, got a 1-D array of shape (3,)")):
        wanda_scores(np.ones(3), np.ones((2, 3)))


def test_wanda_nm_uses_the_given_group_size():
    # 2:8 keeps the 2 largest scores of the 8 inputs, 8 and 7 (a 2:4 pattern would keep 2 of each 4).
    w = np.ones((1, 8))
    x = np.array([[8.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]])
    assert wanda_mask(w, x, n=2, m=8).tolist() == [[True, False, False, False, False, False, False, True]]
    assert wanda_mask(w, x, n=3, m=8).sum() == 3


# ---------------------------------------------------------------- SparseGPT: damping and dead inputs reach the pruner

@pytest.mark.parametrize("spec", [dict(prune_per_row=3), dict(n=2, m=4)])
def test_sparsegpt_passes_its_damp_on(spec):
    # Strong damping (0.5 of the mean diagonal) changes the updates; the loop reference gets the same damp.
    rng = np.random.default_rng(12)
    w, x = rng.standard_normal((4, 8)), correlated_inputs(rng, 24, 8)
    got_w, got_keep = sparsegpt_prune(w, x, spec.get("prune_per_row"), n=spec.get("n"), m=spec.get("m"), damp=0.5)
    ref_w, ref_keep = sparsegpt_loops(w, x, damp=0.5, **spec)
    assert np.array_equal(got_keep, ref_keep)
    np.testing.assert_allclose(got_w, ref_w, rtol=1e-9, atol=1e-9)
    default_w, _ = sparsegpt_prune(w, x, spec.get("prune_per_row"), n=spec.get("n"), m=spec.get("m"))
    assert not np.allclose(default_w, got_w)


@pytest.mark.parametrize("spec", [dict(amount=1), dict(n=3, m=4)])
def test_sparsegpt_prunes_the_weight_on_a_dead_input_first(spec):
    # Input 0 is always zero, so its weight (the largest, 10) changes no output: its saliency is exactly 0 and
    # it goes first. A live saliency is about w^2 * H_jj ~ w^2 * 100 * 20 (x ~ 10 N(0, 1), 20 samples): the
    # 0.001 weights score ~0.002, below any fixed positive stand-in for "free" such as 1, and above 0.
    rng = np.random.default_rng(13)
    x = 10 * rng.standard_normal((20, 4))
    x[:, 0] = 0.0
    w = np.array([[10.0, 1.0, -1.0, 0.001], [-10.0, 0.001, 1.0, -1.0]])
    _, keep = sparsegpt_prune(w, x, **spec)
    assert not keep[:, 0].any()
    assert keep[:, 1:].all()


# ---------------------------------------------------------------- reconstruction_error's checks

@pytest.mark.parametrize("weights,pruned,message", [
    (np.ones(2), np.ones((1, 2)), "weights must be 2-D, got a 1-D array of shape (2,)"),
    (np.ones((1, 2)), np.ones(2), "pruned_weights must be 2-D, got a 1-D array of shape (2,)"),
    (np.ones((1, 2)), np.ones((2, 1)), "pruned_weights must have the weights' shape (1, 2), got shape (2, 1)"),
    (np.ones((1, 2)), np.ones((1, 2)), "the dense layer's output X @ weights.T is all zeros on these inputs, so a "
                                       "relative error is undefined; calibrate with inputs that excite the layer"),
])
def test_reconstruction_error_messages(weights, pruned, message):
    inputs = np.zeros((3, 2)) if "all zeros" in message else np.ones((3, 2))
    with pytest.raises(ValueError, match=exact(message)):
        reconstruction_error(weights, pruned, inputs)


# ---------------------------------------------------------------- per-row targets: ties and the amount / N:M rules

def tied_weights(rows, cols, seed):
    """Weights of magnitude 1, 2 or 3 with random signs: every row is full of ties."""
    rng = np.random.default_rng(seed)
    return rng.integers(1, 4, (rows, cols)) * rng.choice([-1.0, 1.0], (rows, cols))


def stable_keep(scores, k_per_group, group):
    """Keep mask pruning the k smallest of each group of `group` columns, ties to the earlier column (stable sort)."""
    rows, cols = scores.shape
    order = np.argsort(scores.reshape(rows, cols // group, group), axis=2, kind="stable")[..., :k_per_group]
    pruned = np.zeros((rows, cols // group, group), dtype=bool)
    np.put_along_axis(pruned, order, True, axis=2)
    return ~pruned.reshape(rows, cols)


@pytest.mark.parametrize("cols", [17, 40, 257])
def test_wanda_breaks_ties_by_column_in_long_rows(cols):
    # Beyond 16 entries NumPy's default sort is not stable; the rule "the earlier input is pruned first" must hold.
    w = tied_weights(8, cols, seed=cols)
    x = np.ones((3, cols))                 # equal input norms: scores are |w| * sqrt(3), ties intact
    k = cols // 2
    assert np.array_equal(wanda_mask(w, x, k), stable_keep(np.abs(w), k, cols))


@pytest.mark.parametrize("cols", [40, 130])
def test_sparsegpt_breaks_ties_by_column_in_long_rows(cols):
    # X = 2 I: H is diagonal, so no weight is updated and the saliencies are 4.04 * w^2, ties intact.
    w = tied_weights(6, cols, seed=cols)
    w_hat, keep = sparsegpt_prune(w, 2 * np.eye(cols), cols // 2, block_size=256)
    assert np.array_equal(keep, stable_keep(np.abs(w), cols // 2, cols))
    assert np.array_equal(w_hat, np.where(keep, w, 0.0))


def test_sparsegpt_nm_breaks_ties_by_column_in_wide_groups():
    # 8:32: each group of 32 prunes its 24 smallest; a group of 32 is past NumPy's stable small-sort size.
    w = tied_weights(6, 64, seed=64)
    _, keep = sparsegpt_prune(w, 2 * np.eye(64), n=8, m=32)
    assert np.array_equal(keep, stable_keep(np.abs(w), 24, 32))


@pytest.mark.parametrize("n,m", [(4, 4), (0, 4), (1, 1)])
def test_nm_targets_at_the_edges_are_allowed(n, m):
    # n = m keeps everything, n = 0 prunes everything, 1:1 is dense: all legal N:M targets.
    rng = np.random.default_rng(14)
    w, x = rng.standard_normal((3, 8)), rng.standard_normal((5, 8))
    for keep in (wanda_mask(w, x, n=n, m=m), sparsegpt_prune(w, x, n=n, m=m, block_size=8)[1]):
        assert (keep.reshape(3, 8 // m, m).sum(axis=2) == n).all()


@pytest.mark.parametrize("amount,n,m,error,message", [
    (None, None, None, TypeError,
     "amount is required (an int count or float fraction per row) unless n and m are given"),
    (None, 2, None, TypeError, "n and m go together (keep n of every m inputs), got n=2, m=None"),
    (None, None, 4, TypeError, "n and m go together (keep n of every m inputs), got n=None, m=4"),
    (0.5, 2, 4, ValueError, "give either amount (unstructured, per row) or n and m (N:M), not both; got "
                            "amount=0.5, n=2, m=4 (an N:M pattern fixes the sparsity at 1 - n/m)"),
    (None, 2, 0, ValueError, "m must be >= 1, got 0"),
    (None, -1, 4, ValueError, "n must be >= 0, got -1"),
    (None, 2.0, 4, TypeError, "n must be an int, got float 2.0"),
    (None, 2, 4.0, TypeError, "m must be an int, got float 4.0"),
    (None, 5, 4, ValueError, "n must be <= m (keep n of every m inputs), got n=5 > m=4"),
    (None, 2, 3, ValueError, "in_features = 8 must be a multiple of m=3 to form 2:3 groups along the input "
                             "dimension"),
    (9, None, None, ValueError, None),
])
def test_row_target_errors_are_exact(amount, n, m, error, message):
    rng = np.random.default_rng(15)
    w, x = rng.standard_normal((3, 8)), rng.standard_normal((5, 8))
    for prune in (wanda_mask, lambda *a, **k: sparsegpt_prune(*a, **k, block_size=8)):
        with pytest.raises(error, match=None if message is None else exact(message)):
            prune(w, x, amount, n=n, m=m)


def test_sparsegpt_refuses_non_matrix_weights():
    with pytest.raises(ValueError, match=exact("weights must be 2-D, got a 1-D array of shape (4,)")):
        sparsegpt_prune(np.ones(4), np.eye(4), 0.5)


def test_sparsegpt_runs_its_linear_algebra_on_one_blas_thread(monkeypatch):
    # One BLAS thread makes the factorisation the same on every run (and avoids spin-waiting threads on a
    # shared machine), whatever the caller's own thread setting: here the caller allows 2.
    from threadpoolctl import threadpool_info, threadpool_limits

    import hwprune_edu.pruning.sparsegpt as sparsegpt_module
    seen = []
    factor = sparsegpt_module.inverse_hessian_factor

    def recording_factor(hessian):
        seen.extend(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")
        return factor(hessian)

    monkeypatch.setattr(sparsegpt_module, "inverse_hessian_factor", recording_factor)
    rng = np.random.default_rng(16)
    with threadpool_limits(limits=2, user_api="blas"):
        sparsegpt_prune(rng.standard_normal((2, 8)), rng.standard_normal((9, 8)), 0.5)
    assert seen and set(seen) == {1}


# ---------------------------------------------------------------- calibration inputs: messages name the argument

@pytest.mark.parametrize("inputs,in_features,kwargs,error,message", [
    (np.ones((2, 3)), 0, {}, ValueError, "in_features must be >= 1, got 0"),
    (np.array([[np.nan, 1.0]]), 2, {}, ValueError, "inputs must be finite, but it contains 1 NaN and 0 infinite "
                                                  "value(s) (an array of shape (1, 2) and dtype float64)"),
    ("ab", 2, {}, TypeError, "inputs must be an array of numbers, got str 'ab'"),
    (np.ones(2), 2, {}, ValueError, "inputs must be calibration activations of shape (samples, in_features), got a "
                                    "1-D array of shape (2,); use inputs[None, :] for a single sample"),
    (np.ones((2, 3)), 2, {}, ValueError, "inputs must have in_features = 2 columns (the weights are (out, in) = "
                                         "(., 2)), got shape (2, 3)"),
    (np.ones((2, 3)), 2, dict(name="calib"), ValueError, "calib must have in_features = 2 columns (the weights are "
                                                         "(out, in) = (., 2)), got shape (2, 3)"),
    (np.array([[np.inf, 1.0]]), 2, dict(name="calib"), ValueError, "calib must be finite, but it contains 0 NaN and "
                                                                   "1 infinite value(s) (an array of shape (1, 2) and "
                                                                   "dtype float64)"),
])
def test_as_calibration_messages(inputs, in_features, kwargs, error, message):
    with pytest.raises(error, match=exact(message)):
        as_calibration(inputs, in_features, **kwargs)


def test_as_calibration_flattens_leading_axes_in_order():
    x = np.arange(24.0).reshape(2, 3, 4)
    got = as_calibration(x, 4)
    assert got.dtype == np.float64 and got.tolist() == x.reshape(6, 4).tolist()
    assert as_calibration(x.astype(np.float32), 4).dtype == np.float64


def test_sparsegpt_column_step_refuses_non_matrix_weights():
    with pytest.raises(ValueError, match=exact("weights must be 2-D, got a 1-D array of shape (2,)")):
        sparsegpt_column_step(np.ones(2), np.eye(2), 0, [True])

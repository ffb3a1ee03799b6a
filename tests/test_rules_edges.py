"""Rules of the NumPy core that only edge inputs reach: scores and norms past float64's range, NaN weights counted,
what a Pattern accepts and stores.

``neuron_scores`` computes mean |a| or sqrt(mean a^2) directly, and redoes a
channel divided by its own largest |a| when that overflows (|a| near 1e154
squares past float64's largest value, about 1.8e308; |a| near 1e308 sums past
it). ``slice_norms`` does the same for a slice whose powers overflow. These
tests reach that second path, which ordinary weights never do, and pin its
values by hand. The Pattern checks pin its field rules and exact messages.
NumPy only, no torch.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from hwprune_edu.pruning import Pattern, neuron_scores, slice_norms, sparsity


def scores_without_warnings(activations, method):
    """neuron_scores with every warning an error: an overflow it handles must stay silent."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return neuron_scores(activations, method)


def test_rms_past_float64_is_redone_scaled():
    # Channel 0: (1e200)^2 overflows. Divided by its max 3e200: [1/3, 1], mean square (1/9 + 1) / 2 = 5/9,
    # so rms = sqrt(5/9) * 3e200 = sqrt(5) * 1e200. Channel 1 needs no rescue: sqrt((1 + 9) / 2) = sqrt(5).
    # (A mean |a| would give 2e200: the rescue must keep the method.)
    got = scores_without_warnings(np.array([[1e200, 1.0], [3e200, 3.0]]), "rms")
    np.testing.assert_allclose(got, [np.sqrt(5) * 1e200, np.sqrt(5)], rtol=1e-14)


def test_mean_abs_past_float64_is_redone_scaled():
    # Channel 0: 1e308 + 1.5e308 overflows. Divided by its max 1.5e308: [2/3, 1], mean 5/6, times 1.5e308
    # = 1.25e308. (An rms would give sqrt(13/18) * 1.5e308 = 1.27e308.) Channel 1: (1 + 3) / 2 = 2.
    got = scores_without_warnings(np.array([[1e308, -1.0], [-1.5e308, 3.0]]), "mean_abs")
    np.testing.assert_allclose(got, [1.25e308, 2.0], rtol=1e-14)


def test_rescue_divides_each_channel_by_its_own_maximum():
    # (samples, channels) = (3, 2): channel 0's maximum 1e300 is its last sample. Divided by 1e300 its
    # squares are 1e-600 (0 in float64), 1e-600 and 1, so rms = sqrt(1/3) * 1e300. Dividing by a maximum
    # taken over the wrong entries (e.g. 1, from channel 1) would overflow again.
    got = scores_without_warnings(np.array([[1.0, 1.0], [1.0, 2.0], [1e300, 3.0]]), "rms")
    np.testing.assert_allclose(got, [1e300 / np.sqrt(3), np.sqrt(14 / 3)], rtol=1e-14)


def test_rescue_in_conv_layout_is_per_channel():
    # (samples, channels, h, w) = (2, 2, 1, 2): channel 1 holds 1e200 and 3e200 (squares overflow), channel 0
    # holds 1..4. rms of channel 1 over its 4 entries [1e200, 3e200, 1e200, 3e200]: sqrt(5) * 1e200.
    a = np.array([[[[1.0, 2.0]], [[1e200, 3e200]]],
                  [[[3.0, 4.0]], [[1e200, 3e200]]]])
    got = scores_without_warnings(a, "rms")
    np.testing.assert_allclose(got, [np.sqrt(30 / 4), np.sqrt(5) * 1e200], rtol=1e-14)


def test_sparsity_counts_nan_and_inf_weights_as_nonzero():
    # sparsity reads masks and weights as they are: NaN and inf are entries that are not zero (1 zero of 4).
    assert sparsity(np.array([np.nan, 0.0, 1.0, np.inf])) == 0.25
    assert sparsity([np.array([np.nan, 0.0]), np.array([0.0, 0.0])]) == 0.75


@pytest.mark.parametrize("method", ["mean_abs", "rms", "apoz"])
def test_scores_are_float64_per_channel(method):
    a = np.array([[0.0, 2.0, 1.0], [0.0, -4.0, 0.0]], dtype=np.float32)
    got = neuron_scores(a, method)
    assert got.dtype == np.float64 and got.shape == (3,)


@pytest.mark.parametrize("method", ["mean_abs", "rms"])
def test_a_channel_score_does_not_depend_on_the_other_channels(method):
    # Every channel takes the rescue path (rms: |a| from 1e154 to 1e307, squares overflow; mean_abs: |a| from
    # 1e307 to 1.7e308, five of them sum past 1.8e308). Each is divided by its own maximum, so its score is
    # exactly what it scores alone (a divisor shared by all channels changes the last bits of some of them).
    rng = np.random.default_rng(17)
    if method == "rms":
        a = np.abs(rng.standard_normal((5, 12))) * 10.0 ** rng.integers(154, 307, (1, 12))
    else:
        a = 1e307 * (1 + 16 * rng.random((5, 12)))
    with np.errstate(over="ignore"):
        assert not np.isfinite(np.square(a).mean(axis=0) if method == "rms" else a.sum(axis=0)).any()
    together = scores_without_warnings(a, method)
    alone = np.array([scores_without_warnings(a[:, [j]], method)[0] for j in range(12)])
    assert np.isfinite(together).all() and np.array_equal(together, alone)


def test_slice_norm_past_float64_is_redone_scaled_and_silent():
    # L3 norm of [1e200, 1e200]: the cubes (1e600) overflow; divided by the max, (1 + 1)^(1/3) * 1e200.
    # The second slice [1, 2] needs no rescue: (1 + 8)^(1/3). No overflow warning reaches the caller.
    w = np.array([[1e200, 1e200], [1.0, 2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = slice_norms(w, norm=3, axis=0)
    np.testing.assert_allclose(got, [2 ** (1 / 3) * 1e200, 9 ** (1 / 3)], rtol=1e-14)


@pytest.mark.parametrize("m,error,message", [
    (1, ValueError, "m must be >= 2, got 1"),       # 1:1 keeps everything: not a sparsity pattern
    (0, ValueError, "m must be >= 2, got 0"),
    (2.0, TypeError, "m must be an int, got float 2.0"),
])
def test_nm_pattern_needs_groups_of_at_least_two(m, error, message):
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        Pattern("n:m", n=1, m=m)
    assert Pattern("n:m", n=1, m=2).m == 2


def test_nm_pattern_stores_plain_ints():
    # n and m given as NumPy integers (or 0-d arrays) are stored as Python ints: the pattern stays hashable
    # and equal to the one spelled with ints.
    pattern = Pattern("n:m", n=np.array(2), m=np.int64(4))
    assert type(pattern.n) is int and type(pattern.m) is int
    assert pattern == Pattern("n:m", n=2, m=4) and hash(pattern) == hash(Pattern("n:m", n=2, m=4))


BLOCK_PAIR = "block must be a (rows, cols) pair of ints for a 'block' pattern, got "


@pytest.mark.parametrize("kwargs,error,message", [
    (dict(kind="structured", n=2), ValueError,
     "n and m belong to an 'n:m' pattern only, got n=2, m=0 for 'structured'"),
    (dict(kind="unstructured", m=4), ValueError,
     "n and m belong to an 'n:m' pattern only, got n=0, m=4 for 'unstructured'"),
    (dict(kind="block", block=(4,)), TypeError, BLOCK_PAIR + "a tuple"),
    (dict(kind="block", block=4), TypeError, BLOCK_PAIR + "int 4"),
])
def test_pattern_fields_belong_to_their_kind(kwargs, error, message):
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        Pattern(**kwargs)

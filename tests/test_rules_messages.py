"""What a learner reads when a call is wrong: every error names the argument, says what was expected and shows the value.

Each test pins the text a learner sees (argument name, expected form, the value
received), not only the exception type: a message that names the wrong
argument or prints ``None`` for the value is a bug a learner meets.
"""

import re

import numpy as np
import pytest

from hwprune_edu.hardware import describe_mask
from hwprune_edu.pruning import (
    Pattern,
    apply_mask,
    block_mask,
    check_layers,
    forward,
    global_magnitude_masks,
    magnitude_mask,
    neuron_scores,
    nm_mask,
    parse_pattern,
    prune_to,
    remove_neurons,
    slice_norms,
    sparsity,
    structured_mask,
    threshold_mask,
)


def small_net(hidden=4, inputs=2, outputs=3):
    return [(np.ones((hidden, inputs)), np.zeros(hidden)), (np.ones((outputs, hidden)), np.zeros(outputs))]


# ---------------------------------------------------------------- activations: layers, inputs, keep masks


def test_check_layers_names_what_is_not_a_list():
    with pytest.raises(TypeError, match=r"^layers must be a list of \(W, b\) pairs, got str 'relu'$"):
        check_layers("relu")
    with pytest.raises(TypeError, match=r"^net must be a list of \(W, b\) pairs, got int 3$"):
        check_layers(3, name="net")


@pytest.mark.parametrize("layer, shown", [((np.ones((2, 2)), np.zeros(2), np.zeros(2)), "a tuple"), ("Wb", "str 'Wb'"),
                                          (np.ones((2, 2)), r"an array of shape \(2, 2\) and dtype float64")])
def test_check_layers_refuses_anything_but_a_pair(layer, shown):
    # A (W, b, extra) triple is refused, not silently read as its first two items.
    with pytest.raises(TypeError, match=rf"^layers\[1\] must be a \(W, b\) pair, got {shown}$"):
        check_layers([(np.ones((2, 3)), np.zeros(2)), layer])


def test_check_layers_names_the_layer_and_the_part_with_the_wrong_dimensions():
    with pytest.raises(ValueError, match=r"^layers\[0\] W must be 2-D, got a 1-D array of shape \(3,\)$"):
        check_layers([(np.ones(3), np.zeros(3))])
    with pytest.raises(ValueError, match=r"^layers\[1\] b must be 1-D, got a 2-D array of shape \(3, 1\)$"):
        check_layers([(np.ones((4, 2)), np.zeros(4)), (np.ones((3, 4)), np.zeros((3, 1)))])
    with pytest.raises(ValueError, match=r"^model\[0\] W must be 2-D, got a 3-D array"):
        check_layers([(np.ones((3, 2, 1)), np.zeros(3))], name="model")


def test_check_layers_names_the_layer_whose_inputs_do_not_match():
    net = small_net() + [(np.ones((2, 4)), np.zeros(2))]  # layer 1 has 3 outputs, layer 2 takes 4 inputs
    with pytest.raises(ValueError, match=re.escape("layers[2] W must take 3 inputs (layer 1 has that many outputs), "
                                                   "got W of shape (2, 4)")):
        check_layers(net)
    with pytest.raises(ValueError, match=re.escape("layers[1] W must take 4 inputs (layer 0 has that many outputs)")):
        check_layers([small_net()[0], (np.ones((3, 5)), np.zeros(3))])


def test_forward_refuses_inputs_that_are_not_a_batch():
    with pytest.raises(ValueError, match=r"^x must be 2-D, got a 1-D array of shape \(2,\)$"):
        forward(small_net(), np.ones(2))
    with pytest.raises(TypeError, match=r"^x must be an array of numbers, got None$"):
        forward(small_net(), None)


def test_neuron_scores_names_activations_and_the_methods():
    with pytest.raises(ValueError, match=r"^activations must be 2-D or 4-D, got a 1-D array of shape \(3,\)$"):
        neuron_scores(np.ones(3))
    with pytest.raises(ValueError, match=r"^method must be one of \['apoz', 'mean_abs', 'rms'\], got str 'max'$"):
        neuron_scores(np.ones((2, 2)), "max")
    with pytest.raises(ValueError, match=r"got None$"):
        neuron_scores(np.ones((2, 2)), None)


def test_neuron_scores_of_float32_activations_are_accumulated_in_float64():
    # 2**24 + 1 is not a float32: a float32 mean of [2**24, 1, 0, 0] rounds it away. Scores are float64 throughout,
    # so rankings of nearly equal neurons do not depend on the activations' dtype.
    column = np.array([2.0**24, 1.0, 0.0, 0.0], dtype=np.float32)
    a = np.stack([column, column * 0], axis=1)
    mean_abs = neuron_scores(a)
    assert mean_abs.dtype == np.float64 and mean_abs[0] == (2.0**24 + 1) / 4
    # rms squares the activations: 1e20 squared overflows float32, not float64.
    big = np.full((3, 2), 1e20, dtype=np.float32)
    rms = neuron_scores(big, "rms")
    assert rms.dtype == np.float64 and np.allclose(rms, 1e20, rtol=1e-6)
    apoz = neuron_scores(a, "apoz")
    assert apoz.dtype == np.float64 and apoz.tolist() == [0.5, 0.0]


def test_remove_neurons_shows_the_valid_layer_range():
    three = [(np.ones((4, 2)), np.zeros(4)), (np.ones((3, 4)), np.zeros(3)), (np.ones((1, 3)), np.zeros(1))]
    with pytest.raises(ValueError, match=re.escape("layer_index must name a hidden layer, 0 to 1 (or -3 to -2), got 2; "
                                                   "the last layer's outputs are the network's predictions")):
        remove_neurons(three, 2, [True] * 3)
    with pytest.raises(ValueError, match=re.escape("0 to 0 (or -2 to -2), got -1")):
        remove_neurons(small_net(), -1, [True] * 3)


def test_remove_neurons_keep_errors_name_keep_and_show_what_came():
    with pytest.raises(TypeError, match=r"^keep must be a boolean mask of length 4 or a 1-D array of int indices, got "
                                        r"an array of shape \(2,\) and dtype float64$"):
        remove_neurons(small_net(), 0, np.array([0.0, 2.0]))  # float "indices" are refused, not cast
    with pytest.raises(TypeError, match=r"got an array of shape \(1, 2\) and dtype int64$"):
        remove_neurons(small_net(), 0, np.array([[0, 1]]))
    with pytest.raises(TypeError, match=r"^keep must be a boolean mask of length 4 or an array of indices, got None$"):
        remove_neurons(small_net(), 0, None)
    with pytest.raises(ValueError, match=r"^keep indices must not repeat a neuron, got \[1, 3\] more than once$"):
        remove_neurons(small_net(), 0, np.array([1, 3, 1, 0, 3]))
    with pytest.raises(ValueError, match=r"^keep must be a boolean mask of length 4 \(one per neuron\), got shape \(3,\)$"):
        remove_neurons(small_net(), 0, [True, False, True])


# ---------------------------------------------------------------- structured: block masks


def test_block_mask_shows_the_remainders_that_do_not_tile():
    with pytest.raises(ValueError, match=re.escape("block=(4, 3) must tile the weight matrix exactly, but its GEMM shape "
                                                   "is (6, 8) (6 % 4 = 2, 8 % 3 = 2)")):
        block_mask(np.ones((6, 8)), 1, block=(4, 3))
    # A conv weight is tiled as its GEMM matrix (out, in*kh*kw) = (4, 18).
    with pytest.raises(ValueError, match=re.escape("GEMM shape is (4, 18) (4 % 4 = 0, 18 % 4 = 2)")):
        block_mask(np.ones((4, 2, 3, 3)), 1, block=(4, 4))


@pytest.mark.parametrize("block, shown", [([2], "a list"), (2, "int 2"), ((2, 2, 2), "a tuple")])
def test_block_mask_shows_a_block_that_is_not_a_pair(block, shown):
    with pytest.raises(TypeError, match=rf"^block must be a \(rows, cols\) pair of ints, got {shown}$"):
        block_mask(np.ones((4, 4)), 1, block=block)


def test_block_mask_amount_errors_count_blocks():
    with pytest.raises(ValueError, match=r"^amount=5 is more than the 4 entries \(or slices\) there are to prune$"):
        block_mask(np.ones((4, 4)), 5, block=(2, 2))
    with pytest.raises(TypeError, match=r"^amount must be an int \(a count\) or a float in \[0, 1\] \(a fraction\), "
                                        r"got bool True$"):
        block_mask(np.ones((4, 4)), True, block=(2, 2))


# ---------------------------------------------------------------- structured: slice norms


@pytest.mark.parametrize("norm, error, shown", [
    ("2", TypeError, "a number in \\(0, inf\\) {meaning}, got str '2'"),
    (float("nan"), ValueError, "in \\(0, inf\\) {meaning}, got nan"),
    (True, TypeError, "a number in \\(0, inf\\) {meaning}, got bool True"),
    (False, TypeError, "a number in \\(0, inf\\) {meaning}, got bool False"),
    (0, ValueError, "in \\(0, inf\\) {meaning}, got 0.0"),
    (-1.5, ValueError, "in \\(0, inf\\) {meaning}, got -1.5"),
    (None, TypeError, "a number in \\(0, inf\\) {meaning}, got None"),
])
def test_slice_norms_refuses_a_norm_that_is_not_a_positive_number(norm, error, shown):
    meaning = r"\(the p of the Ln norm; numpy.inf for the max\)"
    message = "^norm must be " + shown.format(meaning=meaning) + "$"
    with pytest.raises(error, match=message):
        slice_norms(np.ones((2, 2)), norm=norm)
    with pytest.raises(error, match=message):  # True is not the L1 norm: bool is refused, as for amount
        structured_mask(np.ones((2, 2)), 1, norm=norm)


# ---------------------------------------------------------------- unstructured: thresholds and layer lists


def test_threshold_mask_shows_a_threshold_that_is_not_a_number():
    expected = r"^threshold must be a number in \[0, inf\) \(it is compared with \|w\|\), got "
    with pytest.raises(TypeError, match=expected + r"str '0.1'$"):
        threshold_mask(np.ones(2), "0.1")
    with pytest.raises(TypeError, match=expected + r"bool True$"):
        threshold_mask(np.ones(2), True)


def test_global_magnitude_masks_shows_what_is_not_a_list_of_layers():
    with pytest.raises(TypeError, match=r"^weights_list must be a list or tuple of arrays, got an array of shape \(3,\) "
                                        r"and dtype float64$"):
        global_magnitude_masks(np.ones(3), 1)
    with pytest.raises(ValueError, match=r"^weights_list must contain at least one array, got an empty sequence$"):
        global_magnitude_masks([], 1)


# ---------------------------------------------------------------- masks: sparsity


def test_sparsity_counts_lists_of_arrays_together_and_reads_anything_else_as_one_array():
    assert sparsity([np.ones(3), np.zeros(1)]) == 0.25  # 1 zero among 4 entries, not the mean of 0 and 1
    assert sparsity((np.zeros((2, 2)), np.ones(4), np.array([0, 1]))) == 5 / 10
    assert sparsity([[0, 1], [0, 0]]) == 0.75  # a nested list is one array
    assert sparsity([[True, False, False]]) == 2 / 3
    assert sparsity(np.array(0.0)) == 1.0  # a 0-d array is one entry
    assert sparsity(np.float32(2.0)) == 0.0


def test_sparsity_errors_name_x_and_show_it():
    with pytest.raises(ValueError, match=r"^x must not be empty, got a list$"):
        sparsity([])
    with pytest.raises(ValueError, match=r"^x must not be empty, got an array of shape \(0, 3\) and dtype float64$"):
        sparsity(np.zeros((0, 3)))
    with pytest.raises(TypeError, match=r"^x\[0\] must be an array of numbers, got an array of shape \(2,\) and dtype <U1$"):
        sparsity([np.array(["a", "b"])])
    with pytest.raises(TypeError, match=r"^x must be an array of numbers, got an array of shape \(2,\) and dtype <U1$"):
        sparsity(np.array(["a", "b"]))
    with pytest.raises(TypeError, match=r"^x\[1\] must be real numbers, got complex values"):
        sparsity([np.zeros(2), np.array([1 + 1j])])


# ---------------------------------------------------------------- structured: axes and N:M groups


@pytest.mark.parametrize("axis, error, message", [
    (2, ValueError, r"^axis must be in \[-2, 1\] for a 2-D weights array, got 2$"),
    (-3, ValueError, r"^axis must be in \[-2, 1\] for a 2-D weights array, got -3$"),
    (1.0, TypeError, r"^axis must be an int, got float 1.0$"),
    (True, TypeError, r"^axis must be an int, got bool True$"),
])
def test_axis_errors_show_the_valid_range(axis, error, message):
    for prune in (lambda: structured_mask(np.ones((2, 4)), 1, axis=axis), lambda: nm_mask(np.ones((2, 4)), 2, 4, axis=axis),
                  lambda: slice_norms(np.ones((2, 4)), axis=axis)):
        with pytest.raises(error, match=message):
            prune()


def test_nm_mask_errors_name_n_m_and_the_axis_that_does_not_split():
    with pytest.raises(ValueError, match=re.escape("weights.shape[1] must be a multiple of m=4 to form 2:4 groups, got 6 "
                                                   "(shape (2, 6)); pad the layer to 8 or choose another axis")):
        nm_mask(np.ones((2, 6)), 2, 4)
    with pytest.raises(ValueError, match=re.escape("weights.shape[0] must be a multiple of m=8 to form 3:8 groups, got 10 "
                                                   "(shape (10, 8)); pad the layer to 16 or choose another axis")):
        nm_mask(np.ones((10, 8)), 3, 8, axis=-2)
    with pytest.raises(ValueError, match=re.escape("n must be <= m (keep n of every m entries), got n=5 > m=4")):
        nm_mask(np.ones((2, 4)), 5, 4)
    with pytest.raises(TypeError, match=r"^n must be an int, got float 2.0$"):
        nm_mask(np.ones((2, 4)), 2.0, 4)
    with pytest.raises(TypeError, match=r"^m must be an int, got str '4'$"):
        nm_mask(np.ones((2, 4)), 2, "4")
    with pytest.raises(ValueError, match=r"^m must be >= 1, got 0$"):
        nm_mask(np.ones((2, 4)), 2, 0)


# ---------------------------------------------------------------- patterns: names and sparsities


@pytest.mark.parametrize("pattern, error, message", [
    (3, TypeError, r"^pattern must be a pattern name such as 'unstructured' or '2:4', got int 3$"),
    (None, TypeError, r"^pattern must be a pattern name such as 'unstructured' or '2:4', got None$"),
    ("Block", ValueError, r"^pattern 'Block' must give the tile size, e\.g\. 'block 4x4' or 'block 32x32' \(rows x cols"),
    ("0:4", ValueError, r"^pattern '0:4' must keep some but not all of every group \(0 < N < M\), got N=0, M=4$"),
    ("4:4", ValueError, r"^pattern '4:4' must keep some but not all of every group \(0 < N < M\), got N=4, M=4$"),
    ("5 : 4", ValueError, r"^pattern '5 : 4' must keep some .* got N=5, M=4$"),
    ("block 0x4", ValueError, r"^pattern 'block 0x4' must name a block of at least 1x1, got 0x4$"),
    ("block 4x0", ValueError, r"^pattern 'block 4x0' must name a block of at least 1x1, got 4x0$"),
    ("blocks 4x4", ValueError, r"^pattern must be one of 'unstructured', 'structured', 'N:M' \(e\.g\. '2:4'\) or 'block RxC' "
                               r"\(e\.g\. 'block 4x4'\), got 'blocks 4x4'$"),
])
def test_parse_pattern_errors_show_the_name_given(pattern, error, message):
    with pytest.raises(error, match=message):
        parse_pattern(pattern)


def test_pattern_kind_error_lists_the_kinds():
    with pytest.raises(ValueError, match=r"^kind must be one of \('dense', 'structured', 'n:m', 'block', 'unstructured'\), "
                                         r"got str 'weird'$"):
        Pattern("weird")


@pytest.mark.parametrize("pattern, sparsity, error, message", [
    ("2:4", 0.3, ValueError, r"^sparsity must be 0\.5 for pattern '2:4' \(it keeps 2 of every 4: sparsity 1 - 2/4\), "
                             r"got 0\.3; pass None to use it$"),
    ("1:8", 0.5, ValueError, r"^sparsity must be 0\.875 for pattern '1:8' \(it keeps 1 of every 8: sparsity 1 - 1/8\)"),
    ("dense", 0.3, ValueError, r"^sparsity must be 0 for pattern 'dense' \(nothing is pruned\), got 0\.3; pass None"),
    ("unstructured", None, ValueError, r"^sparsity is needed for pattern 'unstructured' \(a fraction in \[0, 1\]\), got None$"),
    ("block 2x2", None, ValueError, r"^sparsity is needed for pattern 'block 2x2'"),
    ("unstructured", 1.5, ValueError, r"^sparsity must be in \[0, 1\] \(a fraction of the layer's weights\), got 1\.5$"),
    ("2:4", 1.5, ValueError, r"^sparsity must be in \[0, 1\] \(a fraction of the layer's weights\), got 1\.5$"),
    ("2:4", "x", TypeError, r"^sparsity must be a number in \[0, 1\] \(a fraction of the layer's weights\), got str 'x'$"),
    ("structured", "x", TypeError, r"^sparsity must be a number in \[0, 1\] \(a fraction of the layer's weights\), got str"),
])
def test_prune_to_sparsity_errors_say_what_the_pattern_needs(pattern, sparsity, error, message):
    with pytest.raises(error, match=message):
        prune_to(np.ones((2, 4)), pattern, sparsity)


def test_prune_to_accepts_a_fixed_sparsity_given_within_rounding():
    assert prune_to(np.ones((2, 4)), "2:4", 0.5 + 1e-12).sum() == 4
    assert prune_to(np.ones((2, 4)), "dense", 0).all()
    assert prune_to(np.ones((2, 4)), "dense", 1e-12).all()  # a zero computed in floating point is still zero
    with pytest.raises(ValueError, match=r"^sparsity must be 0 for pattern 'dense'"):
        prune_to(np.ones((2, 4)), "dense", 1e-6)
    assert prune_to(np.ones((2, 8)), "3:8", 1 - 3 / 8).sum() == 6


def test_prune_to_names_weights_of_the_wrong_dimensions():
    with pytest.raises(ValueError, match=r"^weights must be 2-D or 4-D, got a 1-D array of shape \(4,\)$"):
        prune_to(np.ones(4), "unstructured", 0.5)
    with pytest.raises(ValueError, match=r"^weights must be 2-D or 4-D, got a 3-D array of shape \(2, 2, 2\)$"):
        prune_to(np.ones((2, 2, 2)), "dense")


# ---------------------------------------------------------------- masks and magnitude pruning


def test_apply_mask_errors_name_the_mask_and_its_expected_shape():
    with pytest.raises(ValueError, match=re.escape("mask must have shape (2,) (the weights' shape), got shape (3,)")):
        apply_mask(np.ones(2), [True, False, True])
    with pytest.raises(TypeError, match=re.escape("mask must be a boolean array of shape (2,), got None")):
        apply_mask(np.ones(2), None)
    with pytest.raises(TypeError, match=r"^weights must be an array of numbers, got None$"):
        apply_mask(None, [True])


def test_magnitude_mask_errors_name_weights_and_amount():
    with pytest.raises(ValueError, match=r"^amount=4 is more than the 3 entries \(or slices\) there are to prune$"):
        magnitude_mask(np.ones(3), 4)
    with pytest.raises(TypeError, match=r"^weights must be an array of numbers, got None$"):
        magnitude_mask(None, 1)
    with pytest.raises(ValueError, match=r"^weights must be finite, but it contains 1 NaN and 0 infinite value\(s\)"):
        magnitude_mask([1.0, np.nan], 1)


# ---------------------------------------------------------------- hardware: reading a mask


@pytest.mark.parametrize("mask, error, message", [
    (np.array([["a"]]), TypeError, r"^mask must be a boolean array, got an array of shape \(1, 1\) and dtype <U1$"),
    (None, TypeError, r"^mask must be a boolean array, got None$"),
    (np.array([[0, 2]]), ValueError, r"^mask must contain only True/False \(or 0/1\), got other values \(an array of shape "
                                     r"\(1, 2\) and dtype int64\)$"),
    (np.array([[0.0, 0.5]]), ValueError, r"^mask must contain only True/False \(or 0/1\), got other values .*float64\)$"),
    (np.ones(3, bool), ValueError, r"^mask must be 2-D \(out, in\) or 4-D \(out_ch, in_ch, kh, kw\), got a 1-D array of "
                                   r"shape \(3,\)$"),
    (np.ones((2, 2, 2), bool), ValueError, r"got a 3-D array of shape \(2, 2, 2\)$"),
    (np.zeros((0, 2), bool), ValueError, r"^mask must not be empty, got an array of shape \(0, 2\) and dtype bool$"),
])
def test_describe_mask_errors_show_the_mask(mask, error, message):
    with pytest.raises(error, match=message):
        describe_mask(mask)


def test_one_wide_blocks_are_patterns_too():
    # A 1 x C tile is a run along a row, an R x 1 tile a run down a column: both are blocks, only 0 is refused.
    assert parse_pattern("block 1x4") == Pattern("block", block=(1, 4))
    assert parse_pattern("block 4x1") == Pattern("block", block=(4, 1))
    assert parse_pattern("Block 1 x 1").name == "block 1x1"


def test_every_pattern_returns_a_boolean_keep_mask():
    w = np.arange(1.0, 17.0).reshape(4, 4)
    for pattern, sparsity in (("dense", None), ("2:4", None), ("unstructured", 0.5), ("structured", 0.5),
                              ("block 2x2", 0.5)):
        keep = prune_to(w, pattern, sparsity)
        assert keep.dtype == bool and keep.shape == w.shape, pattern

"""Activation statistics, neuron removal and the corrected blog functions."""

import math

import numpy as np
import pytest

from hwprune_edu.interview import activation_pruning, weight_pruning
from hwprune_edu.pruning import forward, neuron_scores, remove_neurons


def random_mlp(sizes, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((o, i)), rng.standard_normal(o)) for i, o in zip(sizes[:-1], sizes[1:])]


def test_scores_are_per_neuron_and_per_channel():
    a = np.array([[1.0, 0.0, -3.0], [-1.0, 0.0, 3.0], [1.0, 2.0, 0.0]])
    np.testing.assert_allclose(neuron_scores(a), [1.0, 2 / 3, 2.0])
    np.testing.assert_allclose(neuron_scores(a, "rms"), [1.0, np.sqrt(4 / 3), np.sqrt(6)])
    np.testing.assert_allclose(neuron_scores(a, "apoz"), [1.0, 1 / 3, 2 / 3])
    conv = np.zeros((2, 3, 4, 4))
    conv[:, 1] = 2.0
    conv[0, 2, 0, 0] = 5.0
    np.testing.assert_allclose(neuron_scores(conv), [0.0, 2.0, 5.0 / 32])
    np.testing.assert_allclose(neuron_scores(conv, "apoz"), [0.0, 1.0, 1 / 32])


def test_signed_activations_do_not_cancel():
    a = np.array([[5.0], [-5.0]])
    assert neuron_scores(a)[0] == 5.0


def test_forward_matches_manual_computation():
    layers = random_mlp([4, 5, 3, 2])
    x = np.random.default_rng(1).standard_normal((7, 4))
    out, acts = forward(layers, x)
    h1 = np.maximum(x @ layers[0][0].T + layers[0][1], 0)
    h2 = np.maximum(h1 @ layers[1][0].T + layers[1][1], 0)
    np.testing.assert_allclose(acts[0], h1)
    np.testing.assert_allclose(acts[1], h2)
    np.testing.assert_allclose(out, h2 @ layers[2][0].T + layers[2][1])
    assert acts[-1] is out and len(acts) == len(layers)


@pytest.mark.parametrize("layer_index", [0, 1])
def test_removing_dead_neurons_leaves_outputs_unchanged(layer_index):
    layers = random_mlp([6, 10, 8, 3], seed=2)
    # Make three neurons dead: a very negative bias means ReLU always outputs 0.
    w, b = layers[layer_index]
    b = b.copy()
    b[[1, 4, 5]] = -1e3
    layers[layer_index] = (w, b)
    x = np.random.default_rng(3).standard_normal((50, 6))
    out, acts = forward(layers, x)
    dead = neuron_scores(acts[layer_index], "apoz") == 0
    assert dead.sum() >= 3
    smaller = remove_neurons(layers, layer_index, ~dead)
    new_out, _ = forward(smaller, x)
    np.testing.assert_allclose(new_out, out, rtol=0, atol=1e-12)
    assert smaller[layer_index][0].shape[0] == layers[layer_index][0].shape[0] - dead.sum()
    assert smaller[layer_index + 1][0].shape[1] == smaller[layer_index][0].shape[0]


def test_remove_neurons_never_mutates_and_accepts_indices():
    layers = random_mlp([3, 4, 2])
    copies = [(w.copy(), b.copy()) for w, b in layers]
    by_mask = remove_neurons(layers, 0, np.array([True, False, True, True]))
    by_index = remove_neurons(layers, -2, np.array([0, 2, 3]))
    for (w1, b1), (w2, b2) in zip(by_mask, by_index):
        np.testing.assert_array_equal(w1, w2)
        np.testing.assert_array_equal(b1, b2)
    for (w, b), (wc, bc) in zip(layers, copies):
        np.testing.assert_array_equal(w, wc)
        np.testing.assert_array_equal(b, bc)
    assert by_mask[0][0] is not layers[0][0]


REMOVE_ERRORS = [
    (lambda l: remove_neurons(l, 1, [True, True]), ValueError, "must name a hidden layer"),
    (lambda l: remove_neurons(l, 0, [True, False]), ValueError, "length 4"),
    (lambda l: remove_neurons(l, 0, [False] * 4), ValueError, "at least one"),
    (lambda l: remove_neurons(l, 0, np.array([0, 9])), ValueError, r"in \[0, 3\]"),
    (lambda l: remove_neurons(l, 0, np.array([1, 1])), ValueError, "must not repeat"),
    (lambda l: remove_neurons(l, 0, None), TypeError, "got None"),
    (lambda l: remove_neurons(l, 0.0, [True] * 4), TypeError, "layer_index must be an int"),
    (lambda l: remove_neurons([(np.ones((4, 3)), np.ones(3))], 0, [True] * 4), ValueError, "b must have 4"),
    (lambda l: remove_neurons([l[0], (np.ones((2, 5)), np.ones(2))], 0, [True] * 4), ValueError, "must take 4 inputs"),
    (lambda l: remove_neurons([], 0, []), ValueError, "at least one"),
    (lambda l: neuron_scores(np.ones((2, 3)), "median"), ValueError, "method must be one of"),
    (lambda l: neuron_scores(np.ones(3)), ValueError, "2-D or 4-D"),
    (lambda l: forward(l, np.ones((2, 5))), ValueError, "must have 3 features"),
]


@pytest.mark.parametrize("call,error,message", REMOVE_ERRORS)
def test_activation_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call(random_mlp([3, 4, 2]))


# ---- the blog's functions, corrected ----

def test_weight_pruning_keeps_shapes_and_returns_masks():
    rng = np.random.default_rng(0)
    network = {"weights": rng.random((3, 3)), "threshold": 0.1}
    snapshot = network["weights"].copy()
    out = weight_pruning(network, 0.5)
    assert out["weights"].shape == (3, 3)
    np.testing.assert_array_equal(out["masks"], np.abs(snapshot) > 0.5)
    np.testing.assert_array_equal(out["weights"], np.where(out["masks"], snapshot, 0))
    np.testing.assert_array_equal(network["weights"], snapshot)
    assert out["threshold"] == 0.1  # other entries pass through


def test_weight_pruning_on_layers_of_different_shapes():
    layers = [np.ones((4, 3)), np.full((2, 4), 0.01)]
    out = weight_pruning({"weights": layers}, 0.1)
    assert [w.shape for w in out["weights"]] == [(4, 3), (2, 4)]
    assert out["masks"][0].all() and not out["masks"][1].any()


def test_activation_pruning_decides_per_neuron_and_fixes_next_layer():
    layers = random_mlp([5, 6, 4, 3], seed=4)
    x = np.random.default_rng(5).standard_normal((40, 5))
    _, acts = forward(layers, x)
    network = {"weights": [w for w, _ in layers], "biases": [b for _, b in layers], "activations": acts}
    threshold = float(np.median(neuron_scores(acts[0])))
    out = activation_pruning(network, threshold)
    expected_keep0 = neuron_scores(acts[0]) > threshold
    np.testing.assert_array_equal(out["keep"][0], expected_keep0)
    assert out["keep"][2].all()  # the output layer is never pruned
    w0, w1, w2 = out["weights"]
    assert w0.shape[0] == w1.shape[1] == expected_keep0.sum()
    assert w1.shape[0] == w2.shape[1] == out["keep"][1].sum()
    assert out["activations"][0].shape[1] == expected_keep0.sum()


def test_activation_pruning_of_dead_neurons_is_exact():
    layers = random_mlp([5, 8, 3], seed=6)
    w, b = layers[0]
    b = b.copy()
    b[:3] = -100.0
    layers[0] = (w, b)
    x = np.random.default_rng(7).standard_normal((30, 5))
    out_before, acts = forward(layers, x)
    network = {"weights": [w for w, _ in layers], "biases": [b for _, b in layers], "activations": acts}
    out = activation_pruning(network, 0.0)
    assert out["keep"][0][:3].sum() == 0
    new_layers = list(zip(out["weights"], out["biases"]))
    np.testing.assert_allclose(forward(new_layers, x)[0], out_before, atol=1e-12)


def test_activation_pruning_blog_example_single_matrix():
    rng = np.random.default_rng(0)
    network = {"weights": rng.random((3, 3)), "activations": np.array([[0.0, 1.0, 0.2], [0.0, 1.0, -0.2]])}
    out = activation_pruning(network, 0.1)
    assert out["keep"].tolist() == [False, True, True]
    assert out["weights"].shape == (2, 3) and out["biases"].shape == (2,)


@pytest.mark.parametrize(
    "network,threshold,error,message",
    [
        ([1, 2], 0.1, TypeError, "network must be a dict"),
        ({"w": 1}, 0.1, ValueError, "must have a 'weights' entry"),
        ({"weights": [np.ones((2, 2)), np.ones((1, 2))]}, 0.1, ValueError, "'activations' entry"),
        ({"weights": [np.ones((2, 2)), np.ones((1, 2))], "activations": [np.ones((3, 5))]}, 0.1, ValueError,
         "must have 2 columns"),
        ({"weights": [np.ones((2, 2)), np.ones((1, 2))], "activations": [np.zeros((3, 2))]}, 0.1, ValueError,
         "every neuron of layer 0"),
        ({"weights": [np.ones((2, 2)), np.ones((1, 2))], "activations": [np.ones((3, 2))]}, True, TypeError,
         "activation_threshold must be a number"),
    ],
)
def test_activation_pruning_bad_input(network, threshold, error, message):
    with pytest.raises(error, match=message):
        activation_pruning(network, threshold)


# ---------------------------------------------------------------- overflow, nested lists, messages that name the user's argument


def test_neuron_scores_scale_before_squaring_so_huge_activations_do_not_overflow():
    a = np.array([[1e200, 1.0], [-1e200, 2.0]])
    np.testing.assert_allclose(neuron_scores(a, "rms"), [1e200, np.sqrt(2.5)], rtol=1e-12)  # was inf
    np.testing.assert_allclose(neuron_scores(np.full((3, 2), 1.7e308)), [1.7e308, 1.7e308], rtol=1e-12)  # sum was inf
    np.testing.assert_allclose(neuron_scores(np.full((2, 3, 2, 2), -1e200), "rms"), [1e200] * 3, rtol=1e-12)
    small = np.random.default_rng(0).standard_normal((5, 3))  # ordinary input: exactly the plain formulas
    np.testing.assert_array_equal(neuron_scores(small, "rms"), np.sqrt(np.mean(small**2, axis=0)))
    np.testing.assert_array_equal(neuron_scores(small), np.mean(np.abs(small), axis=0))


def test_weight_pruning_reads_a_list_of_nested_lists_as_layers():
    w = np.array([[0.05, 0.5], [0.2, 0.01]])
    out = weight_pruning({"weights": [w.tolist(), w.tolist()]}, 0.1)  # was one 3-D array
    assert isinstance(out["weights"], list) and [x.shape for x in out["weights"]] == [(2, 2), (2, 2)]
    assert out["weights"][1].tolist() == [[0.0, 0.5], [0.2, 0.0]]
    single = weight_pruning({"weights": w.tolist()}, 0.1)  # a list of rows is still one matrix
    assert single["weights"].shape == (2, 2)
    shapes = weight_pruning({"weights": [np.ones((2, 3)).tolist(), [[1.0, 2.0]]]}, 0.1)["weights"]
    assert [x.shape for x in shapes] == [(2, 3), (1, 2)]


def test_weight_pruning_explains_a_ragged_weight_list():
    with pytest.raises(ValueError, match=r"network\['weights'\] must be one matrix .* or a list of matrices, one per layer"):
        weight_pruning({"weights": [[1.0, 2.0], [3.0]]}, 0.1)
    with pytest.raises(ValueError, match=r"network\['weights'\]\[1\] must be a rectangular array"):
        weight_pruning({"weights": [np.ones((2, 2)).tolist(), [[1.0], [1.0, 2.0]]]}, 0.1)


def test_activation_pruning_names_the_network_entry_of_a_wrong_bias():
    net = {"weights": [np.ones((3, 2)), np.ones((1, 3))], "biases": [np.zeros(2), np.zeros(1)],
           "activations": [np.ones((2, 3))]}
    # used to name the internal layers[0] b
    with pytest.raises(ValueError, match=r"^network\['biases'\]\[0\] must have 3 entries \(one per row of "
                                         r"network\['weights'\]\[0\]"):
        activation_pruning(net, 0.5)


def test_interview_thresholds_take_fractions_and_numpy_scalars():
    from fractions import Fraction

    w = np.array([[0.05, 0.5], [0.2, 0.01]])
    for threshold in (Fraction(1, 10), np.float32(0.1), np.array(0.1)):
        assert weight_pruning({"weights": w}, threshold)["weights"].tolist() == [[0.0, 0.5], [0.2, 0.0]]
    with pytest.raises(ValueError, match=r"^threshold must be in \[0, inf\)"):
        weight_pruning({"weights": w}, math.nan)

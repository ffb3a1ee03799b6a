"""Our pruners equal torch.nn.utils.prune wherever PyTorch has the same method (tie-free input)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
prune = pytest.importorskip("torch.nn.utils.prune")

from hwprune_edu.pruning import global_magnitude_masks, magnitude_mask, structured_mask  # noqa: E402

SHAPES = [(1,), (7,), (5, 3), (16, 9), (8, 3, 3, 3), (300, 400)]
AMOUNTS = [0, 1, 3, 0.0, 0.1, 0.25, 0.5, 0.9, 1.0]


def tie_free(shape, seed):
    rng = np.random.default_rng(seed)
    # A permutation of distinct magnitudes with random signs: no ties anywhere.
    values = rng.permutation(np.arange(1, int(np.prod(shape)) + 1, dtype=np.float64)) / 7.0
    return (values * rng.choice([-1.0, 1.0], size=values.size)).reshape(shape).astype(np.float32)


def torch_mask(method, w):
    t = torch.from_numpy(w)
    return method.compute_mask(t, default_mask=torch.ones_like(t)).numpy().astype(bool)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("amount", AMOUNTS)
def test_magnitude_equals_l1_unstructured(shape, amount):
    w = tie_free(shape, 0)
    if isinstance(amount, int) and amount > w.size:
        pytest.skip("count larger than the tensor")
    expected = torch_mask(prune.L1Unstructured(amount=amount), w)
    np.testing.assert_array_equal(magnitude_mask(w, amount), expected)


def test_magnitude_equals_torch_on_large_matrix_fast_path():
    w = tie_free((512, 384), 1)  # above the size where the bracketed selection kicks in
    for amount in (0.3, 0.9, 0.999, 17):
        expected = torch_mask(prune.L1Unstructured(amount=amount), w)
        np.testing.assert_array_equal(magnitude_mask(w, amount), expected)


@pytest.mark.parametrize("amount", [0, 5, 0.2, 0.75, 1.0])
def test_global_equals_global_unstructured(amount):
    all_values = tie_free((6 * 4 + 5 * 6 + 2 * 5,), 2)
    weights = np.split(all_values, [24, 54])
    weights = [weights[0].reshape(6, 4), weights[1].reshape(5, 6), weights[2].reshape(2, 5)]
    modules = []
    for w in weights:
        layer = torch.nn.Linear(w.shape[1], w.shape[0], bias=False)
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(w))
        modules.append(layer)
    prune.global_unstructured([(m, "weight") for m in modules], pruning_method=prune.L1Unstructured, amount=amount)
    expected = [m.weight_mask.numpy().astype(bool) for m in modules]
    got = global_magnitude_masks(weights, amount)
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)


@pytest.mark.parametrize("shape,axis", [((6, 4), 0), ((6, 4), 1), ((8, 3, 3, 3), 0), ((8, 3, 3, 3), 1), ((4, 5, 6), 2)])
@pytest.mark.parametrize("norm", [1, 2, 3, np.inf])
@pytest.mark.parametrize("amount", [0, 1, 0.5, 1.0])
def test_structured_equals_ln_structured(shape, axis, norm, amount):
    w = tie_free(shape, 4)
    t = torch.from_numpy(w)
    method = prune.LnStructured(amount=amount, n=norm, dim=axis)
    expected = method.compute_mask(t, default_mask=torch.ones_like(t)).numpy().astype(bool)
    np.testing.assert_array_equal(structured_mask(w, amount, axis=axis, norm=norm), expected)


def test_amount_rounding_matches_torch_half_to_even():
    # round(0.5 * 5) == 2 and round(0.3 * 5) == 2 (banker's rounding), as in torch.
    w = tie_free((5,), 5)
    for amount in (0.5, 0.3, 0.7, 0.1):
        expected = torch_mask(prune.L1Unstructured(amount=amount), w)
        np.testing.assert_array_equal(magnitude_mask(w, amount), expected)

"""PyTorch adapters (hwprune_edu.nn): pruning methods equal the NumPy masks, hooks equal neuron_scores,
physical removal of dead units changes nothing, measuring restores what it touches."""

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn.utils import prune

from hwprune_edu.nn.data import digits_cnn, digits_mlp
from hwprune_edu.nn import (
    BlockPruning,
    NMPruning,
    activation_statistics,
    block_prune,
    copy_model,
    count_parameters,
    evaluating,
    fixed_threads,
    layer_widths,
    make_masks_permanent,
    measure_latency,
    model_geometry,
    nm_prune,
    prunable_layers,
    remove_units,
    training_mode,
    workload_from_geometry,
    workload_from_model,
)
from hwprune_edu.pruning import block_mask, neuron_scores, nm_mask, remove_neurons


pytestmark = pytest.mark.usefixtures("one_thread")


def seeded(module_factory, seed=0):
    torch.manual_seed(seed)
    return module_factory()


# ------------------------------------------------------------------ pruning methods equal the NumPy masks


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("n, m", [(2, 4), (1, 4), (4, 8)])
def test_nm_apply_equals_numpy(seed, n, m):
    lin = seeded(lambda: nn.Linear(16, 6), seed)
    weights = lin.weight.detach().numpy().copy()
    NMPruning.apply(lin, "weight", n=n, m=m)
    assert np.array_equal(lin.weight_mask.numpy().astype(bool), nm_mask(weights, n, m))
    assert torch.equal(lin.weight, lin.weight_orig * lin.weight_mask)


def test_nm_conv_groups_run_over_input_channels():
    conv = seeded(lambda: nn.Conv2d(8, 3, 3))
    weights = conv.weight.detach().numpy().copy()
    nm_prune(conv)
    assert np.array_equal(conv.weight_mask.numpy().astype(bool), nm_mask(weights, 2, 4, axis=1))


def test_nm_global_unstructured_with_shapes_equals_per_layer():
    net = seeded(lambda: nn.Sequential(nn.Linear(8, 12), nn.Conv2d(4, 2, 3), nn.Linear(12, 4)))
    params = [(net[0], "weight"), (net[1], "weight"), (net[2], "weight")]
    expected = [nm_mask(m.weight.detach().numpy(), 2, 4) for m, _ in params]
    prune.global_unstructured(params, pruning_method=NMPruning, n=2, m=4, shapes=[m.weight.shape for m, _ in params])
    for (module, _), want in zip(params, expected):
        assert np.array_equal(module.weight_mask.numpy().astype(bool), want)


def test_nm_stacked_on_an_earlier_mask_keeps_it():
    lin = seeded(lambda: nn.Linear(8, 4))
    prune.l1_unstructured(lin, "weight", amount=0.25)
    earlier = lin.weight_mask.clone()
    NMPruning.apply(lin, "weight")
    assert torch.all(lin.weight_mask <= earlier)
    assert torch.all(lin.weight_mask.reshape(-1, 4).sum(dim=1) <= 2)


def test_nm_bad_input():
    with pytest.raises(ValueError, match="n must be <= m"):
        NMPruning(n=5, m=4)
    with pytest.raises(ValueError, match="multiple of m=4"):
        nm_prune(nn.Linear(6, 2))
    assert not hasattr(nn.Linear(6, 2), "weight_orig")


def test_global_unstructured_without_shapes_is_refused_by_torch():
    lin = nn.Linear(8, 4)
    with pytest.raises(TypeError, match="unstructured"):
        prune.global_unstructured([(lin, "weight")], pruning_method=NMPruning)


def test_shapes_must_match_the_flat_vector():
    lin = nn.Linear(8, 4)
    with pytest.raises(ValueError, match="shapes"):
        prune.global_unstructured([(lin, "weight")], pruning_method=NMPruning, shapes=[(4, 4)])


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("amount", [0.5, 3, 0.0, 1.0])
def test_block_apply_equals_numpy(seed, amount):
    lin = seeded(lambda: nn.Linear(8, 12), seed)
    weights = lin.weight.detach().numpy().copy()
    BlockPruning.apply(lin, "weight", amount=amount, block=(4, 2))
    assert np.array_equal(lin.weight_mask.numpy().astype(bool), block_mask(weights, amount, block=(4, 2)))


def test_block_conv_is_tiled_as_its_gemm_matrix():
    conv = seeded(lambda: nn.Conv2d(2, 4, 2))  # GEMM matrix (4, 2*2*2)
    weights = conv.weight.detach().numpy().copy()
    block_prune(conv, amount=0.5, block=(2, 4))
    assert np.array_equal(conv.weight_mask.numpy().astype(bool), block_mask(weights, 0.5, block=(2, 4)))


def test_block_global_ranks_blocks_of_all_tensors_together():
    a, b = seeded(lambda: nn.Linear(4, 4)), seeded(lambda: nn.Linear(4, 8), 1)
    with torch.no_grad():
        b.weight.mul_(10)  # b's blocks are all larger: global pruning takes a's first
    wa, wb = a.weight.detach().numpy().copy(), b.weight.detach().numpy().copy()
    prune.global_unstructured(
        [(a, "weight"), (b, "weight")], pruning_method=BlockPruning, amount=3, block=(2, 2),
        shapes=[a.weight.shape, b.weight.shape],
    )
    # Oracle: concatenate block L1 norms, prune the 3 smallest.
    l1 = [np.abs(w).reshape(w.shape[0] // 2, 2, w.shape[1] // 2, 2).sum(axis=(1, 3)) for w in (wa, wb)]
    flat = np.concatenate([x.ravel() for x in l1])
    pruned = np.zeros(flat.size, dtype=bool)
    pruned[np.argsort(flat, kind="stable")[:3]] = True
    got = np.concatenate(
        [m.weight_mask.numpy()[::2, ::2].ravel() for m in (a, b)]
    )  # one entry per 2x2 block
    assert np.array_equal(got == 0, pruned)
    assert int((a.weight_mask == 0).sum()) == 12  # 3 blocks of 4, all in a


def test_block_stacked_prunes_a_fraction_of_the_blocks_still_alive():
    lin = seeded(lambda: nn.Linear(8, 8))
    BlockPruning.apply(lin, "weight", amount=0.5, block=(2, 2))  # 8 of 16 blocks
    BlockPruning.apply(lin, "weight", amount=0.5, block=(2, 2))  # 4 of the 8 left
    assert int((lin.weight_mask == 0).sum()) == 12 * 4


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"amount": True}, TypeError, "amount"),
        ({"amount": 1.5}, ValueError, "amount"),
        ({"amount": 0.5, "block": 4}, TypeError, "block"),
        ({"amount": 0.5, "block": (0, 2)}, ValueError, "block"),
    ],
)
def test_block_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        BlockPruning(**kwargs)


def test_block_that_does_not_tile_is_a_clear_error_and_rolls_back():
    lin = nn.Linear(6, 4)
    with pytest.raises(ValueError, match="tile"):
        block_prune(lin, amount=0.5, block=(4, 4))
    assert "weight" in dict(lin.named_parameters())


# ------------------------------------------------------------------ activation statistics


def _post_relu_activations(model, x, layer_index, measured_at):
    captured = {}
    handle = model[measured_at].register_forward_hook(lambda m, a, out: captured.setdefault("a", out.detach()))
    model.eval()
    with torch.no_grad():
        model(x)
    handle.remove()
    return captured["a"].numpy()


@pytest.mark.parametrize("make", [lambda: digits_mlp(hidden=(16, 12)), lambda: digits_cnn(channels=(4, 6))])
def test_hook_statistics_equal_neuron_scores(make):
    model = seeded(make)
    x = torch.rand(50, 64, generator=torch.Generator().manual_seed(0))
    stats = activation_statistics(model, x, batch_size=16)  # several batches, accumulated
    for index in prunable_layers(model):
        s = stats[index]
        acts = _post_relu_activations(model, x, index, s.measured_at)
        assert isinstance(model[s.measured_at], nn.ReLU)
        for method in ("mean_abs", "rms", "apoz"):
            np.testing.assert_allclose(s.scores(method), neuron_scores(acts, method), rtol=1e-6, atol=1e-9)
        assert s.n_samples == 50


def test_statistics_accept_batches_of_pairs_and_restore_the_model():
    model = seeded(lambda: digits_cnn(channels=(4, 6)))
    model.train()
    x = torch.rand(40, 64, generator=torch.Generator().manual_seed(1))
    whole = activation_statistics(model, x)
    loader = [(x[:25], torch.zeros(25)), (x[25:], torch.zeros(15))]
    pieces = activation_statistics(model, loader)
    for index in whole:
        np.testing.assert_allclose(whole[index].apoz, pieces[index].apoz)
        np.testing.assert_allclose(whole[index].mean_abs, pieces[index].mean_abs, rtol=1e-9)
    assert model.training
    assert all(not m._forward_hooks for m in model)


@pytest.mark.parametrize("empty", [torch.zeros(0, 64), [], [(torch.zeros(0, 64), torch.zeros(0))]])
def test_statistics_need_calibration_data(empty):
    with pytest.raises(ValueError, match="calibration data"):
        activation_statistics(digits_mlp(hidden=(4,)), empty)


def test_statistics_reject_non_weighted_layers():
    with pytest.raises(ValueError, match="Linear/Conv2d"):
        activation_statistics(digits_mlp(hidden=(4,)), torch.rand(2, 64), layers=[1])


# ------------------------------------------------------------------ physical removal


def test_mlp_removal_equals_numpy_remove_neurons():
    model = seeded(lambda: digits_mlp(hidden=(10, 8)))
    layers = [(m.weight.detach().numpy().astype(np.float64), m.bias.detach().numpy().astype(np.float64))
              for m in model if isinstance(m, nn.Linear)]
    keep0 = np.array([True, False] * 5)
    keep1 = np.array([0, 3, 7])
    small = remove_units(model, {0: keep0, "2": keep1})
    expected = remove_neurons(remove_neurons(layers, 0, keep0), 1, keep1)
    got = [(m.weight.detach().numpy(), m.bias.detach().numpy()) for m in small if isinstance(m, nn.Linear)]
    for (w, b), (we, be) in zip(got, expected):
        np.testing.assert_array_equal(w, we.astype(np.float32))
        np.testing.assert_array_equal(b, be.astype(np.float32))
    assert layer_widths(small) == {0: 5, 2: 3}
    assert layer_widths(model) == {0: 10, 2: 8}  # the original is untouched


def test_removing_dead_mlp_units_leaves_outputs_unchanged():
    model = seeded(lambda: digits_mlp(hidden=(32, 16)))
    dead0, dead2 = torch.arange(0, 32, 3), torch.tensor([1, 5, 6])
    with torch.no_grad():  # these units' pre-activations are < 0 on inputs in [0, 1]: ReLU outputs 0
        model[0].weight[dead0] = -model[0].weight[dead0].abs()
        model[0].bias[dead0] = -1.0
        model[2].weight[dead2] = 0.0
        model[2].bias[dead2] = -0.5
    x = torch.rand(64, 64, generator=torch.Generator().manual_seed(0))
    stats = activation_statistics(model, x)
    assert set(np.flatnonzero(stats[0].apoz == 1.0)) == set(dead0.tolist())
    keep = {i: stats[i].apoz < 1.0 for i in (0, 2)}
    small = remove_units(model, keep)
    with torch.no_grad():
        torch.testing.assert_close(small(x), model(x), rtol=1e-5, atol=1e-6)
    assert small[0].out_features == 32 - len(dead0) and small[2].out_features == 13


def test_removing_dead_cnn_channels_leaves_outputs_unchanged():
    model = seeded(lambda: digits_cnn(channels=(6, 8)))
    with torch.no_grad():
        for bn in (model[2], model[5]):  # give BatchNorm real running statistics, then kill some channels
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 2.0)
        model[2].weight[[1, 4]] = 0.0  # BN output = bias < 0 everywhere -> ReLU 0
        model[2].bias[[1, 4]] = -1.0
        model[5].weight[[0, 7]] = 0.0
        model[5].bias[[0, 7]] = -0.1
    model.eval()
    x = torch.rand(32, 64, generator=torch.Generator().manual_seed(0))
    stats = activation_statistics(model, x)
    keep = {i: stats[i].apoz < 1.0 for i in prunable_layers(model)}
    assert not keep[1][[1, 4]].any() and not keep[4][[0, 7]].any()
    kept0, kept1 = int(keep[1].sum()), int(keep[4].sum())
    small = remove_units(model, keep)
    assert (small[1].out_channels, small[4].in_channels, small[4].out_channels) == (kept0, kept0, kept1)
    assert small[9].in_features == kept1 * 16 and small[5].running_mean.shape == (kept1,)
    with torch.no_grad():
        torch.testing.assert_close(small(x), model(x), rtol=1e-5, atol=1e-6)
    assert not small.training


def test_removal_folds_pruning_masks_and_does_not_touch_the_model():
    model = seeded(lambda: digits_mlp(hidden=(8,)))
    prune.l1_unstructured(model[0], "weight", amount=0.5)
    model(torch.rand(2, 64))  # weight becomes a computed tensor: plain deepcopy would fail
    small = remove_units(model, {0: [0, 1, 2]})
    assert hasattr(model[0], "weight_mask") and not hasattr(small[0], "weight_mask")
    torch.testing.assert_close(small[0].weight, model[0].weight[:3].detach())


def test_remove_units_bad_input():
    model = digits_mlp(hidden=(4,))
    with pytest.raises(ValueError, match="predictions"):
        remove_units(model, {2: [0]})
    with pytest.raises(ValueError, match="ReLU"):
        remove_units(model, {1: [0]})
    with pytest.raises(ValueError, match="at least one"):
        remove_units(model, {0: [False] * 4})
    with pytest.raises(ValueError, match="length 4"):
        remove_units(model, {0: [True] * 3})
    with pytest.raises(ValueError, match=r"indices must be in \[0, 3\]"):
        remove_units(model, {0: [0, 4]})
    with pytest.raises(ValueError, match="index"):
        remove_units(model, {7: [0]})
    with pytest.raises(TypeError, match="dict"):
        remove_units(model, [[0]])


def test_unsupported_layers_are_named():
    odd = nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4), nn.ReLU(), nn.Linear(4, 2))
    with pytest.raises(ValueError, match=r"model\[1\] is a LayerNorm"):
        remove_units(odd, {0: [0]})
    with pytest.raises(ValueError, match="LayerNorm"):
        prunable_layers(odd)
    with pytest.raises(TypeError, match="Sequential"):
        remove_units(nn.Linear(2, 2), {0: [0]})
    with pytest.raises(ValueError, match="groups"):
        prunable_layers(nn.Sequential(nn.Conv2d(4, 4, 1, groups=2), nn.Conv2d(4, 2, 1)))


def test_unflatten_between_units_and_consumer_is_refused():
    model = nn.Sequential(nn.Linear(4, 4), nn.Unflatten(1, (4, 1, 1)), nn.Conv2d(4, 2, 1))
    with pytest.raises(ValueError, match=r"model\[1\] \(Unflatten\)"):
        remove_units(model, {0: [0]})


# ------------------------------------------------------------------ helpers


def test_count_parameters_and_permanent_masks_agree():
    model = seeded(lambda: digits_mlp(hidden=(16,)))
    total = count_parameters(model)
    assert total == 64 * 16 + 16 + 16 * 10 + 10
    prune.l1_unstructured(model[0], "weight", amount=0.75)
    assert count_parameters(model) == total - 768
    plain = make_masks_permanent(model)
    x = torch.rand(3, 64)
    with torch.no_grad():
        torch.testing.assert_close(plain(x), model(x))
    assert not any(m._forward_pre_hooks for m in plain)
    assert hasattr(model[0], "weight_mask")


def test_copy_model_shares_nothing():
    model = seeded(lambda: digits_mlp(hidden=(4,)))
    twin = copy_model(model)
    with torch.no_grad():
        twin[0].weight.zero_()
    assert model[0].weight.abs().sum() > 0


def test_measure_latency_restores_threads_and_mode():
    model = digits_mlp(hidden=(8,))
    model.train()
    before = torch.get_num_threads()
    seconds = measure_latency(model, batch=8, repeats=3, warmup=1, num_threads=1)
    assert isinstance(seconds, float) and seconds > 0
    assert torch.get_num_threads() == before and model.training
    assert measure_latency(digits_cnn(channels=(2, 2)), batch=2, repeats=1, warmup=0) > 0


def test_fixed_threads_sets_and_restores_and_none_leaves_alone():
    before = torch.get_num_threads()
    with fixed_threads(2):
        assert torch.get_num_threads() == 2
        with fixed_threads(None):
            assert torch.get_num_threads() == 2
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="num_threads"):
        with fixed_threads(0):
            pass


def test_evaluating_and_training_mode_restore_every_submodule_even_on_error():
    model = digits_cnn(channels=(2, 2))
    model.train()
    model[2].eval()  # a frozen BatchNorm inside a training model
    before = [m.training for m in model.modules()]
    with evaluating(model) as same:
        assert same is model and not any(m.training for m in model.modules())
    assert [m.training for m in model.modules()] == before
    with training_mode(model, True):
        assert all(m.training for m in model.modules())
    assert [m.training for m in model.modules()] == before
    with pytest.raises(RuntimeError, match="boom"):
        with evaluating(model):
            raise RuntimeError("boom")
    assert [m.training for m in model.modules()] == before
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        with evaluating("model"):
            pass
    with pytest.raises(TypeError, match="mode must be True"):
        with training_mode(model, 1):
            pass


def test_measure_latency_bad_input():
    with pytest.raises(ValueError, match="batch"):
        measure_latency(digits_mlp(hidden=(4,)), batch=0)
    with pytest.raises(ValueError, match="input_shape"):
        measure_latency(nn.Sequential(nn.Conv2d(1, 2, 3)), batch=1)


# ------------------------------------------------------------------ costing with the simulator


def test_workload_of_the_mlp_is_its_gemms():
    from hwprune_edu.hardware import linear, simulate

    model = digits_mlp(hidden=(32, 16))
    layers = workload_from_model(model, (64,), batch=8)
    expected = [linear(8, 64, 32), linear(8, 32, 16), linear(8, 16, 10)]
    assert [(l.m, l.k, l.n) for l in layers] == [(l.m, l.k, l.n) for l in expected]
    assert all(l.pattern.kind == "dense" for l in layers)
    assert simulate(layers, "cpu-avx2").latency_s == pytest.approx(simulate(expected, "cpu-avx2").latency_s)


def test_workload_of_the_cnn_uses_real_input_sizes():
    from hwprune_edu.hardware import conv2d, linear

    layers = workload_from_model(digits_cnn(channels=(4, 8)), batch=2)  # input shape inferred from Unflatten
    expected = [conv2d(2, 1, 4, 3, 8, padding=1), conv2d(2, 4, 8, 3, 8, padding=1), linear(2, 8 * 16, 10)]
    assert [(l.op, l.m, l.k, l.n) for l in layers] == [(l.op, l.m, l.k, l.n) for l in expected]


def test_workload_reads_masks_from_buffers_and_from_zeros():
    model = seeded(lambda: digits_mlp(hidden=(32, 16)))
    nm_prune(model[2])
    prune.l1_unstructured(model[0], "weight", amount=0.9)
    kinds = [l.pattern.kind for l in workload_from_model(model, batch=4)]
    assert kinds == ["unstructured", "n:m", "dense"]
    plain = make_masks_permanent(model)  # masks folded into zeros: same patterns
    assert [l.pattern.kind for l in workload_from_model(plain, batch=4)] == kinds


@pytest.mark.parametrize("make, keep", [
    (lambda: digits_mlp(hidden=(32, 16)), {0: np.arange(0, 32, 2), 2: [1, 2, 3]}),
    (lambda: digits_cnn(channels=(6, 8)), {1: [0, 5], 4: [1, 2, 7]}),
])
def test_costing_new_widths_equals_costing_the_pruned_model(make, keep):
    model = seeded(make)
    small = remove_units(model, keep)
    geometry = model_geometry(model)
    widths = {i: len(k) for i, k in keep.items()}
    predicted = workload_from_geometry(geometry, 16, widths=widths)
    actual = workload_from_model(small, batch=16)
    assert [(l.m, l.k, l.n) for l in predicted] == [(l.m, l.k, l.n) for l in actual]


def test_workload_bad_input():
    with pytest.raises(ValueError, match="dilated"):
        workload_from_model(nn.Sequential(nn.Conv2d(1, 2, 3, dilation=2), nn.Flatten()), (1, 8, 8))
    with pytest.raises(ValueError, match="input_shape"):
        workload_from_model(nn.Sequential(nn.Conv2d(1, 2, 3)))
    with pytest.raises(ValueError, match="does not run"):
        workload_from_model(digits_mlp(hidden=(4,)), (63,))
    with pytest.raises(ValueError, match="batch"):
        workload_from_model(digits_mlp(hidden=(4,)), batch=0)


# ------------------------------------------------------------------ valid input accepted, bad input named (issue list)


def _mlp():
    return seeded(lambda: nn.Sequential(nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 3)))


def test_remove_units_refuses_a_layer_named_twice():
    for keep in ({0: [1, 2, 3], "0": [0, 1]}, {0: [1], -3: [2]}, {"0": [1], np.int64(0): [1]}):
        with pytest.raises(ValueError, match=r"keep names model\[0\] twice"):
            remove_units(_mlp(), keep)
    assert remove_units(_mlp(), {"0": [0, 1]})[0].out_features == 2


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16, torch.bfloat16])
def test_models_of_any_float_dtype_are_measured_costed_and_timed(dtype):
    model, reference = _mlp().to(dtype), _mlp()
    x = torch.rand(5, 8, generator=torch.Generator().manual_seed(0))
    stats, expected = activation_statistics(model, x), activation_statistics(reference, x)
    tolerance = 1e-6 if dtype == torch.float64 else 5e-2  # float32 reference; half and bfloat16 round more
    np.testing.assert_allclose(stats[0].mean_abs, expected[0].mean_abs, rtol=tolerance, atol=tolerance)
    assert [(l.m, l.k, l.n) for l in workload_from_model(model)] == [(l.m, l.k, l.n) for l in workload_from_model(reference)]
    assert measure_latency(model, batch=2, repeats=1, warmup=0) > 0


def test_float64_numpy_data_and_bfloat16_batches_feed_a_float32_model():
    model, x = _mlp(), np.random.default_rng(0).random((5, 8))
    expected = activation_statistics(model, torch.from_numpy(x).float())[0].mean_abs
    np.testing.assert_allclose(activation_statistics(model, x)[0].mean_abs, expected, rtol=1e-6)
    grad = torch.from_numpy(x).float().requires_grad_(True)
    np.testing.assert_allclose(activation_statistics(model, grad)[0].mean_abs, expected, rtol=1e-6)
    assert activation_statistics(model, torch.from_numpy(x).to(torch.bfloat16))[0].mean_abs.shape == (6,)


@pytest.mark.parametrize(
    ("inputs", "match"),
    [
        (torch.ones(5, 7), r"inputs do not fit the model: a batch of shape \(5, 7\)"),
        (torch.ones(8), r"inputs must be a batch of samples with at least 2 dimensions"),
        (torch.ones(5, 8, device="meta"), r"inputs is a meta tensor"),
        (torch.full((5, 8), float("nan")), r"inputs must be finite"),
        ([torch.ones(2, 8), torch.ones(2, 7)], r"inputs do not fit the model"),
        ([torch.ones(2, 8), "x"], r"inputs \(batch 1\)"),
    ],
)
def test_activation_statistics_names_inputs_it_cannot_use(inputs, match):
    model = _mlp()
    with pytest.raises(ValueError if not isinstance(inputs, list) or inputs[1] != "x" else TypeError, match=match):
        activation_statistics(model, inputs)
    assert not model[1]._forward_hooks and model.training  # hooks removed and mode restored even so


def test_bfloat16_and_half_layers_take_the_same_structured_masks_as_float32():
    for dtype in (torch.bfloat16, torch.float16):
        layer, reference = seeded(lambda: nn.Linear(16, 8)), seeded(lambda: nn.Linear(16, 8))
        layer.to(dtype)
        # bfloat16 rounds the weights: the reference masks the same rounded values
        rounded = layer.weight.detach().float().numpy()
        assert np.array_equal(nm_prune(layer).weight_mask.float().numpy(), nm_mask(rounded, 2, 4))
        block = block_prune(seeded(lambda: nn.Linear(16, 8)).to(dtype), amount=0.5)
        assert np.array_equal(block.weight_mask.float().numpy(),
                              block_mask(block.weight_orig.detach().float().numpy(), 0.5, block=(4, 4)))
        assert reference.weight.dtype == torch.float32


def test_pruning_methods_name_their_bad_arguments():
    with pytest.raises(TypeError, match=r"shapes\[0\]\[0\] must be an int, got float 2.9"):
        NMPruning(shapes=[(2.9, 4)])
    with pytest.raises(ValueError, match="module has parameters on the meta device"):
        nm_prune(nn.Linear(8, 2, device="meta"))
    with pytest.raises(ValueError, match=r"name must be one of module's parameters \['weight', 'bias'\]"):
        nm_prune(nn.Linear(8, 2), name="weights")


def test_input_shape_and_seeds_take_numpy_ints_and_refuse_what_torch_would_mangle():
    model = nn.Sequential(nn.ReLU(), nn.Linear(8, 2))
    assert measure_latency(model, batch=2, repeats=1, warmup=0, input_shape=np.int64(8), seed=np.int64(3)) > 0
    assert workload_from_model(model, input_shape=np.int64(8))[0].k == 8
    for seed, error in ((-1, ValueError), (2**64, ValueError), (1.5, TypeError), (np.float64(2.0), TypeError)):
        with pytest.raises(error, match=r"\bseed\b"):
            measure_latency(model, batch=2, repeats=1, warmup=0, input_shape=8, seed=seed)
    with pytest.raises(ValueError, match=r"input_shape\) = \(1, \*\(5,\)\)"):
        workload_from_model(model, input_shape=(5,))


def test_unhashable_importance_values_are_named():
    from hwprune_edu.nn.search import shrink, unit_importance

    for method in (["l1"], {"l1": 1}):
        with pytest.raises(ValueError, match="importance must be one of"):
            unit_importance(_mlp(), 0, method, None)
        with pytest.raises(ValueError, match="importance must be one of"):
            shrink(_mlp(), {0: 2}, method, None)


def test_context_managers_check_their_arguments_when_called():
    with pytest.raises(ValueError, match="num_threads"):
        fixed_threads(0)  # not only when the block is entered
    with pytest.raises(TypeError, match="mode"):
        training_mode(_mlp(), "eval")


def test_tiny_lm_init_leaves_the_global_rng_alone():
    from hwprune_edu.nn.language import LMConfig, TinyLM

    config = LMConfig(vocab_size=4, context=4, d_model=8, n_layers=1, n_heads=2, d_ff=8)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    first = TinyLM(config, seed=5)
    assert torch.equal(torch.rand(3), expected)
    assert torch.equal(first.token.weight, TinyLM(config, seed=5).token.weight)


def test_tiny_lm_training_stops_on_a_diverging_loss():
    from hwprune_edu.nn.language import CharCorpus, LMConfig, train_tiny_lm

    corpus = CharCorpus("abcd", torch.arange(64) % 4, torch.arange(16) % 4, "0" * 64)
    config = LMConfig(vocab_size=4, context=4, d_model=8, n_layers=1, n_heads=2, d_ff=8)
    with pytest.raises(ValueError, match=r"diverged.*lr=1e\+30"):
        train_tiny_lm(corpus, steps=5, config=config, batch_size=2, lr=1e30)


def test_as_batch_keeps_large_unsigned_values_and_names_lists_of_tensors():
    import torch

    from hwprune_edu.nn.checks import as_batch

    big = as_batch(np.array([[2**64 - 1]], dtype=np.uint64), None, name="x", min_ndim=1)
    assert big.item() == float(2**64 - 1)
    for items in ([torch.ones(3, requires_grad=True)] * 2, [torch.ones(3, dtype=torch.bfloat16)] * 2):
        with pytest.raises(TypeError, match=r"^x must be one tensor or array of numbers"):
            as_batch(items, None, name="x", min_ndim=1)

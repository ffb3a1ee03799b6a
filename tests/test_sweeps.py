"""Granularity sweeps (hwprune_edu.studies.sweeps): the right masks, honest sparsities, untouched inputs, bad input named."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from hwprune_edu.nn.data import digits_mlp, evaluate, train
from hwprune_edu.nn import count_parameters
from hwprune_edu.pruning import prune_to
from hwprune_edu.studies.results import LatencyTable, SweepPoint, SweepTable
from hwprune_edu.studies.sweeps import (
    accuracy_vs_sparsity,
    latency_by_pattern,
    layer_costs,
    prune_layer,
)

HIDDEN = (16, 16)  # divisible by 4 and 8: every pattern below fits; tiny so the tests stay fast


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def mlp(data):
    model = digits_mlp(hidden=HIDDEN)
    train(model, data, epochs=3, progress=False)
    return model


# --------------------------------------------------------------------------- pruning a model


def test_prune_layer_leaves_the_model_alone(mlp):
    before = [p.detach().clone() for p in mlp.parameters()]
    for pattern, target in [("unstructured", 0.5), ("structured", 0.5), ("2:4", None), ("block 4x4", 0.5)]:
        prune_layer(mlp, 2, pattern, target)
    assert all(torch.equal(p, q) for p, q in zip(before, mlp.parameters()))
    assert not hasattr(mlp[2], "weight_mask")


@pytest.mark.parametrize("pattern, target", [("unstructured", 0.7), ("2:8", None), ("block 4x4", 0.25)])
def test_masked_patterns_keep_the_shape_and_register_the_mask(mlp, pattern, target):
    pruned, keep = prune_layer(mlp, 2, pattern, target)
    w = mlp[2].weight.detach().numpy()
    assert np.array_equal(keep, prune_to(w, pattern, target))
    assert tuple(pruned[2].weight.shape) == w.shape
    assert torch.equal(pruned[2].weight_mask.bool(), torch.from_numpy(keep))
    assert torch.all(pruned[2].weight[~torch.from_numpy(keep)] == 0)
    assert count_parameters(pruned) == count_parameters(mlp) - int((~keep).sum())


def test_the_mask_survives_a_fine_tune(mlp, data):
    pruned, keep = prune_layer(mlp, 2, "unstructured", 0.8)
    train(pruned, data, epochs=1, max_steps=5, progress=False)
    assert torch.all(pruned[2].weight[~torch.from_numpy(keep)] == 0)


def test_structured_removes_the_neurons_and_the_next_layers_inputs(mlp, data):
    pruned, keep = prune_layer(mlp, 2, "structured", 0.25)
    rows = keep[:, 0]
    assert keep.all(axis=1).sum() == rows.sum() == 12
    assert (pruned[2].out_features, pruned[4].in_features) == (12, 12)
    assert torch.equal(pruned[2].weight, mlp[2].weight[torch.from_numpy(rows)])
    assert torch.equal(pruned[4].weight, mlp[4].weight[:, torch.from_numpy(rows)])
    # Removing nothing changes nothing.
    same, _ = prune_layer(mlp, 2, "structured", 0.0)
    assert torch.equal(same(data.x_test), mlp(data.x_test))


def test_prune_layer_folds_earlier_masks_first(mlp):
    once, _ = prune_layer(mlp, 0, "unstructured", 0.5)
    twice, keep = prune_layer(once, 2, "2:4")
    assert not hasattr(twice[0], "weight_mask")  # folded into the weights
    assert int((twice[0].weight == 0).sum()) == 16 * 64 // 2
    assert hasattr(twice[2], "weight_mask")


@pytest.mark.parametrize("model, layer, error, words", [
    (nn.Linear(4, 4), 0, TypeError, "torch.nn.Sequential"),
    ("mlp", 1, ValueError, "Linear or Conv2d .* got 1, a ReLU"),
    ("mlp", 9, ValueError, "index in"),
    ("mlp", 2.0, TypeError, "layer must be an int"),
])
def test_bad_model_or_layer_is_named(mlp, model, layer, error, words):
    with pytest.raises(error, match=words):
        prune_layer(mlp if model == "mlp" else model, layer, "unstructured", 0.5)


def test_structured_pruning_of_the_output_layer_is_refused(mlp):
    with pytest.raises(ValueError, match="predictions"):
        prune_layer(mlp, 4, "structured", 0.5)


def test_prune_layer_accepts_a_negative_index(mlp):
    _, keep = prune_layer(mlp, -1, "unstructured", 0.5)
    assert keep.shape == (10, 16)


# --------------------------------------------------------------------------- the sweep


def test_sweep_points_cover_patterns_and_sparsities(mlp, data):
    table = accuracy_vs_sparsity(mlp, data, 2, ["unstructured", "structured", "2:4", "1:4", "block 4x4"], [0.75, 0.25])
    assert table.patterns == ("unstructured", "structured", "2:4", "1:4", "block 4x4")
    assert [p.target_sparsity for p in table.select("unstructured")] == [0.25, 0.75]
    # N:M patterns: one point each, at their own sparsity.
    assert [(p.target_sparsity, p.sparsity) for p in table.select("2:4")] == [(0.5, 0.5)]
    assert [(p.target_sparsity, p.sparsity) for p in table.select("1:4")] == [(0.75, 0.75)]
    assert len(table.points) == 3 * 2 + 2
    for p in table.points:
        assert p.sparsity == pytest.approx(p.target_sparsity, abs=0.05)
        assert 0.0 <= p.accuracy <= 1.0
        assert p.finetuned_accuracy is None and p.latency_s == {}
    assert table.dense_accuracy == evaluate(mlp, data)
    assert table.layer == 2 and "16 -> 16" in table.layer_label


def test_zero_sparsity_keeps_the_dense_accuracy(mlp, data):
    table = accuracy_vs_sparsity(mlp, data, 2, ["unstructured", "structured", "block 4x4"], [0.0], split="val")
    assert [p.accuracy for p in table.points] == [evaluate(mlp, data, "val")] * 3
    assert [p.n_params for p in table.points] == [count_parameters(mlp)] * 3


def test_structured_points_count_the_next_layers_columns_too(mlp, data):
    table = accuracy_vs_sparsity(mlp, data, 2, ["unstructured", "structured"], [0.5])
    unstructured, structured = table.points
    assert unstructured.sparsity == structured.sparsity == 0.5
    # 8 rows of 16 weights plus 8 biases, plus 8 columns of the 10-output layer.
    assert unstructured.n_params - structured.n_params == 8 + 8 * 10


def test_sweep_with_fine_tune_is_deterministic_and_leaves_the_model_alone(mlp, data):
    before = [p.detach().clone() for p in mlp.parameters()]
    kwargs = dict(finetune_steps=3, seed=1)
    a = accuracy_vs_sparsity(mlp, data, 2, ["unstructured", "structured", "2:4"], [0.5, 0.9], **kwargs)
    b = accuracy_vs_sparsity(mlp, data, 2, ["unstructured", "structured", "2:4"], [0.5, 0.9], **kwargs)
    assert a == b
    assert all(p.finetuned_accuracy is not None for p in a.points)
    assert a.finetune_steps == 3
    assert all(torch.equal(p, q) for p, q in zip(before, mlp.parameters()))
    assert [p.accuracy for p in a.points] == [p.accuracy for p in accuracy_vs_sparsity(
        mlp, data, 2, ["unstructured", "structured", "2:4"], [0.5, 0.9]).points]


def test_sweep_simulates_the_pruned_layer_when_asked(mlp, data):
    table = accuracy_vs_sparsity(mlp, data, 2, ["structured", "2:4"], [0.5], profiles=["npu-systolic", "sparse-eie"],
                                 batch=8)
    assert table.profiles == ("npu-systolic", "sparse-eie") and table.batch == 8
    structured, two_four = table.points
    assert set(structured.latency_s) == {"npu-systolic", "sparse-eie"}
    expected = layer_costs(prune_layer(mlp, 2, "2:4")[0], 2, ["npu-systolic", "sparse-eie"], batch=8)
    assert two_four.latency_s == {name: cost.latency_s for name, cost in expected.items()}
    dense = layer_costs(mlp, 2, ["npu-systolic", "sparse-eie"], batch=8)
    assert table.dense_latency_s == {name: cost.latency_s for name, cost in dense.items()}
    # The dense-only NPU gains nothing from 2:4 zeros.
    assert table.speedup(two_four, "npu-systolic") == pytest.approx(1.0)
    with pytest.raises(ValueError, match="simulated platforms"):
        table.speedup(two_four, "gpu-ampere")


def test_sweep_table_prints_fixed_decimals(mlp, data):
    table = accuracy_vs_sparsity(mlp, data, 2, ["unstructured", "2:4"], [0.5], finetune_steps=1,
                                 profiles=["cpu-avx2"])
    text = str(table)
    lines = text.splitlines()
    assert lines[0].startswith("layer 2 (Linear 16 -> 16, 256 weights): dense test accuracy ")
    assert lines[1].split()[:5] == ["pattern", "target", "sparsity", "accuracy", "fine-tuned"]
    assert "cpu-avx2 speed-up" in lines[1]
    assert lines[2].split()[:3] == ["unstructured", "50.0%", "50.0%"]
    assert f"{table.points[0].accuracy:.3f}" in lines[2]
    assert len(lines) == 4
    records = table.to_records()
    assert records[1]["pattern"] == "2:4" and "latency_s[cpu-avx2]" in records[1]


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(patterns="unstructured"), TypeError, "list or tuple of pattern names"),
    (dict(patterns=[]), ValueError, "at least one pattern"),
    (dict(patterns=["2:4", " 2:4"]), ValueError, "repeat"),
    (dict(sparsities=[]), ValueError, "at least one fraction"),
    (dict(sparsities=0.5), TypeError, "list of fractions"),
    (dict(sparsities=[0.5, 2]), ValueError, r"sparsities\[1\]"),
    (dict(finetune_steps=-1), ValueError, "finetune_steps"),
    (dict(lr=0), ValueError, "lr"),
    (dict(data="digits"), TypeError, "load_digits"),
    (dict(profiles="cpu-avx2"), TypeError, "profiles"),
    (dict(profiles=["tpu"]), ValueError, "unknown hardware profile"),
    (dict(profiles=["cpu-avx2", "cpu-avx2"]), ValueError, "repeat"),
    (dict(batch=0), ValueError, "batch"),
])
def test_bad_sweep_arguments_are_named(mlp, data, kwargs, error, words):
    args = dict(model=mlp, data=data, layer=2, patterns=["unstructured"], sparsities=[0.5])
    args.update(kwargs)
    with pytest.raises(error, match=words):
        accuracy_vs_sparsity(**args)


def test_select_names_the_swept_patterns():
    table = SweepTable((SweepPoint("2:4", 0.5, 0.5, 0.9, None, 1),), 0.9, 0)
    with pytest.raises(ValueError, match=r"\['2:4'\]"):
        table.select("unstructured")


# --------------------------------------------------------------------------- latency by pattern


def test_same_sparsity_different_speed():
    model = digits_mlp(hidden=(256, 256))
    patterns = ["unstructured", "structured", "2:4", "block 4x4", "block 32x32"]
    table = latency_by_pattern(model, 2, patterns, profiles=["cpu-avx2", "gpu-ampere", "npu-systolic"], batch=4096)
    assert isinstance(table, LatencyTable)
    assert table.patterns == tuple(patterns)
    assert all(row.sparsity == 0.5 for row in table.rows)
    kernel = {(row.pattern, name): cost.kernel for row in table.rows for name, cost in row.costs.items()}
    assert kernel["2:4", "gpu-ampere"] == "2:4 sparse tensor core"
    assert kernel["unstructured", "cpu-avx2"] == "dense"  # CSR would be slower at 50 %: the runtime keeps dense
    assert kernel["block 4x4", "gpu-ampere"] == "dense"  # the GPU's block-sparse kernel needs 32x32 tiles
    assert kernel["block 32x32", "gpu-ampere"] == "block-sparse"
    assert all(kernel["structured", name] == "dense" for name in table.profiles)
    # A smaller dense layer is faster everywhere; 50 % unstructured buys nothing on a compute-bound CPU.
    assert all(table.speedup("structured", name) > 1.0 for name in table.profiles)
    assert table.speedup("unstructured", "cpu-avx2") == pytest.approx(1.0)
    assert table.speedup("2:4", "npu-systolic") == pytest.approx(1.0)
    text = str(table)
    assert "2:4 sparse tensor core" in text and "batch 4096" in text
    assert text.splitlines()[3].split()[:4] == ["dense", "0.0%", "1.00x", "dense"]


def test_latency_by_pattern_costs_nm_at_its_own_sparsity():
    table = latency_by_pattern(digits_mlp(hidden=(16, 16)), 2, ["1:4", "unstructured"], sparsity=0.25,
                               profiles=["sparse-eie"])
    assert [row.sparsity for row in table.rows] == [0.75, 0.25]
    with pytest.raises(ValueError, match="pattern must be one of"):
        table.speedup("2:4", "sparse-eie")
    with pytest.raises(ValueError, match="profile must be one of"):
        table.speedup("1:4", "cpu-avx2")


def test_layer_costs_match_the_model_as_stored(mlp):
    pruned, _ = prune_layer(mlp, 2, "structured", 0.5)
    costs = layer_costs(pruned, 2, ["cpu-avx2"], batch=4)
    cost = costs["cpu-avx2"]
    assert (cost.m, cost.n, cost.k, cost.pattern) == (4, 8, 16, "dense")
    with pytest.raises(ValueError, match="batch"):
        layer_costs(pruned, 2, ["cpu-avx2"], batch=0)
    assert math.isfinite(cost.latency_s)

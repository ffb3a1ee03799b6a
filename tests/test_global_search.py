"""The global hardware-aware method (studies.halp over studies.allocation): exact knapsack, honest tables, budgets."""

import itertools

import numpy as np
import pytest
import torch

from hwprune_edu.hardware import get_profile, simulate
from hwprune_edu.nn import layer_widths, model_geometry, workload_from_geometry
from hwprune_edu.nn.data import digits_mlp, mnist1d_cnn, from_arrays, steps_per_epoch, train
from hwprune_edu.nn.search import taylor_importance
from hwprune_edu.studies import halp
from hwprune_edu.studies.allocation import (
    brute_force_widths,
    candidate_widths,
    latency_tables,
    select_widths,
    uniform_widths,
)
from hwprune_edu.studies.results import AllocationCandidate
from hwprune_edu.studies.search import METHODS, hardware_aware_prune, simulated_latency, uniform_channel_prune

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize("seed", range(25))
def test_knapsack_equals_brute_force_on_tiny_chains(seed):
    rng = np.random.default_rng(seed)
    n_layers = int(rng.integers(1, 4))
    sizes = rng.integers(1, 5, size=n_layers)
    values = [np.sort(rng.random(n)) * 10 for n in sizes]
    costs = [rng.integers(0, 6, size=sizes[0])]
    costs += [rng.integers(0, 6, size=(sizes[k - 1], sizes[k])) for k in range(1, n_layers)]
    capacity = int(rng.integers(0, 6 * n_layers + 1))
    try:
        oracle = brute_force_widths(values, costs, capacity)
    except ValueError:
        with pytest.raises(ValueError, match="no choice"):
            select_widths(values, costs, capacity)
        return
    found = select_widths(values, costs, capacity)
    assert found.value == pytest.approx(oracle.value, abs=1e-12)
    assert found.cost <= capacity
    # The reported indices really have the reported value and cost.
    assert found.value == pytest.approx(sum(v[j] for v, j in zip(values, found.indices)))


def test_knapsack_uses_the_coupling_between_neighbours():
    # Layer 1 is cheap only when layer 0 is narrow: a per-layer (uncoupled) table would miss the optimum.
    values = [np.array([1.0, 2.0]), np.array([1.0, 5.0])]
    costs = [np.array([1, 1]), np.array([[1, 2], [1, 9]])]
    assert select_widths(values, costs, 3).indices == (0, 1)
    assert brute_force_widths(values, costs, 3).indices == (0, 1)


def test_knapsack_rejects_malformed_tables():
    with pytest.raises(ValueError, match="costs\\[1\\]"):
        select_widths([np.ones(2), np.ones(3)], [np.ones(2, dtype=int), np.ones((3, 2), dtype=int)], 5)
    with pytest.raises(ValueError, match="same non-zero length"):
        select_widths([np.ones(2)], [], 5)


@pytest.mark.parametrize("profile", ["cpu-avx2", "npu-systolic", "gpu-ampere"])
def test_latency_tables_add_up_to_the_simulated_model(profile):
    hw = get_profile(profile)
    for model in (digits_mlp(hidden=(96, 64)), mnist1d_cnn(channels=(8, 16, 24))):
        geometry = model_geometry(model)
        widths = layer_widths(model)
        candidates = {i: candidate_widths(w, hw, points=5) for i, w in widths.items()}
        tables = latency_tables(geometry, 32, hw, candidates)
        rng = np.random.default_rng(0)
        for _ in range(5):
            indices = [int(rng.integers(len(candidates[i]))) for i in tables.layers]
            chosen = {i: int(candidates[i][j]) for i, j in zip(tables.layers, indices)}
            expected = simulate(workload_from_geometry(geometry, 32, widths=chosen), hw).latency_s
            assert tables.latency_s(indices) == pytest.approx(expected, rel=1e-12)


def test_candidate_widths_hold_the_tile_edges_and_the_extras():
    npu = get_profile("npu-systolic")
    widths = candidate_widths(1024, npu, extra=(333,)).tolist()
    assert {1, 256, 512, 768, 1024, 333} <= set(widths) and widths == sorted(widths)


def test_uniform_widths_keep_one_fraction():
    assert uniform_widths({0: 10, 2: 20}, lambda w: sum(w.values()), 15.0) == {0: 5, 2: 10}
    assert uniform_widths({0: 10}, lambda w: 100.0, 1.0) is None


@pytest.fixture(scope="module")
def mlp(data):
    model = digits_mlp(hidden=(256, 256))
    train(model, data, epochs=1, progress=False)
    return model


@pytest.mark.parametrize("hardware, budget", [("cpu-avx2", 0.5), ("npu-systolic", 0.9), ("cpu-avx2", 0.3)])
def test_global_method_meets_its_budget_in_simulation(data, mlp, hardware, budget):
    pruned, history = hardware_aware_prune(mlp, data, hardware, budget, final_epochs=1, progress=False)
    dense_s = simulated_latency(mlp, hardware)
    assert simulated_latency(pruned, hardware) == pytest.approx(history[-1].sim_latency_s, rel=1e-12)
    assert history[-1].sim_latency_s <= budget * dense_s * (1 + 1e-9)
    assert [h.stage for h in history] == ["start", "round", "round", "round", "final"]
    assert layer_widths(pruned) == history[-1].widths
    # Each round cut to the knapsack's allocation; the last record compared the result with the uniform allocation
    # at the budget and kept the better on validation accuracy.
    for step in history[1:-1]:
        assert [c.allocation for c in step.proposals] == ["knapsack"] and step.allocation == "knapsack"
    final = history[-1]
    assert [c.allocation for c in final.proposals] == ["knapsack", "uniform"]
    assert all(isinstance(c, AllocationCandidate) for c in final.proposals)
    assert all(c.sim_latency_s <= budget * dense_s * (1 + 1e-9) for c in final.proposals)
    assert final.val_accuracy == max(c.val_accuracy for c in final.proposals)
    kept = next(c for c in final.proposals if c.allocation == final.allocation)
    assert kept.widths == final.widths and kept.val_accuracy == final.val_accuracy


def test_uniform_is_truly_a_candidate_at_the_budget(data, mlp):
    # The uniform candidate is the uniform baseline itself (the allocation at the budget, cut from the dense model and
    # fine-tuned with the whole budget), not the uniform allocation clipped to the previous round's widths.
    _, history = hardware_aware_prune(mlp, data, "cpu-avx2", 0.5, final_epochs=1, progress=False)
    baseline, record = uniform_channel_prune(mlp, data, "cpu-avx2", 0.5, final_epochs=1, progress=False)
    uniform = next(c for c in history[-1].proposals if c.allocation == "uniform")
    assert uniform.widths == record[0].widths and uniform.val_accuracy == record[0].val_accuracy


def test_the_method_returns_the_uniform_model_when_it_validates_better(data, mlp, monkeypatch):
    # Make the uniform allocation validate better (a stand-in for a task where it does); the method must then return
    # exactly the baseline's model: same widths, same weights, same fine-tune budget.
    baseline, record = uniform_channel_prune(mlp, data, "cpu-avx2", 0.5, final_epochs=1, progress=False)
    real = halp.evaluate

    def favour_uniform(model, data, split="test"):
        return 1.0 if layer_widths(model) == record[0].widths else real(model, data, split)

    monkeypatch.setattr(halp, "evaluate", favour_uniform)
    pruned, history = hardware_aware_prune(mlp, data, "cpu-avx2", 0.5, final_epochs=1, progress=False)
    assert history[-1].proposals[0].widths != record[0].widths  # the knapsack chose differently here
    assert history[-1].allocation == "uniform" and history[-1].widths == record[0].widths
    assert history[-1].finetune_steps == steps_per_epoch(data)
    assert all(torch.equal(a, b) for a, b in zip(pruned.state_dict().values(), baseline.state_dict().values()))


def test_global_method_gets_the_same_finetune_budget_as_the_baselines(data, mlp):
    # Count optimiser steps on the returned model's trajectory: rounds plus the last fine-tune = final_epochs epochs.
    _, history = hardware_aware_prune(mlp, data, "cpu-avx2", 0.5, final_epochs=2, progress=False)
    assert history[-1].finetune_steps == 2 * steps_per_epoch(data)
    assert history[1].finetune_steps == history[-1].finetune_steps // 6  # half the budget, in 3 rounds
    counted = []
    original = torch.optim.Adam.step

    def counting_step(self, *args, **kwargs):
        counted.append(1)
        return original(self, *args, **kwargs)

    torch.optim.Adam.step = counting_step
    try:
        uniform_channel_prune(mlp, data, "cpu-avx2", 0.5, final_epochs=2, progress=False)
    finally:
        torch.optim.Adam.step = original
    assert len(counted) == history[-1].finetune_steps


def test_global_method_on_a_cnn_and_on_arrays():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((300, 40)).astype(np.float32), np.arange(300) % 4
    data = from_arrays(x[:200], y[:200], x[200:250], y[200:250], x[250:], y[250:])
    cnn = mnist1d_cnn(channels=(8, 16, 32), n_classes=4)
    pruned, history = hardware_aware_prune(cnn, data, "cpu-avx2", 0.5, final_epochs=1, rounds=2, progress=False)
    assert history[-1].latency_ratio <= 0.5 + 1e-9
    assert tuple(pruned(data.x_test).shape) == (50, 4)


def test_method_names_and_options_are_checked(data, mlp):
    assert list(METHODS) == ["global", "netadapt"]
    with pytest.raises(ValueError, match=r"method must be one of \['global', 'netadapt'\], got str 'greedy'"):
        hardware_aware_prune(mlp, data, "cpu-avx2", 0.5, method="greedy")
    with pytest.raises(TypeError, match="method='netadapt'"):
        hardware_aware_prune(mlp, data, "cpu-avx2", 0.5, step=0.2)
    with pytest.raises(ValueError, match="exceed the fine-tune budget"):
        hardware_aware_prune(mlp, data, "cpu-avx2", 0.5, final_epochs=1, round_steps=100, progress=False)
    with pytest.raises(ValueError, match="cannot be met on gpu-ampere"):
        hardware_aware_prune(mlp, data, "gpu-ampere", 0.1, progress=False)
    with pytest.raises(ValueError, match="importance"):
        hardware_aware_prune(mlp, data, "cpu-avx2", 0.5, importance="apoz", progress=False)
    with pytest.raises(ValueError, match="importance"):
        hardware_aware_prune(mlp, data, "cpu-avx2", 0.5, importance=("l1", "l1"), progress=False)


def test_one_knapsack_path_per_ranking_all_compared_at_the_end(data, mlp):
    pruned, history = hardware_aware_prune(mlp, data, "npu-systolic", 0.9, final_epochs=1, rounds=2,
                                           importance=("l1", "taylor"), progress=False)
    for step in history[1:-1]:
        assert [c.allocation for c in step.proposals] == ["knapsack-l1", "knapsack-taylor"]
        assert step.val_accuracy == max(c.val_accuracy for c in step.proposals)
    final = history[-1]
    assert [c.allocation for c in final.proposals] == ["knapsack-l1", "knapsack-taylor", "uniform"]
    assert final.val_accuracy == max(c.val_accuracy for c in final.proposals)
    assert layer_widths(pruned) == final.widths and final.finetune_steps == steps_per_epoch(data)


def test_taylor_scores_leave_the_model_alone(mlp, data):
    before = [p.detach().clone() for p in mlp.parameters()]
    grads = [p.grad for p in mlp.parameters()]
    scores = taylor_importance(mlp, data.x_train[:64], data.y_train[:64])
    assert sorted(scores) == [0, 2] and all((s >= 0).all() for s in scores.values())
    assert all(torch.equal(a, b) for a, b in zip(before, mlp.parameters()))
    assert [p.grad for p in mlp.parameters()] == grads

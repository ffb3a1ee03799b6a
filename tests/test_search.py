"""Hardware-aware search and its baselines (hwprune_edu.studies.search over nn.search): budgets met in simulation, bad input named."""

import pytest
import torch
from torch import nn

from hwprune_edu.nn.data import digits_cnn, digits_mlp, train
from hwprune_edu.hardware import get_profile
from hwprune_edu.nn import copy_model, count_parameters, layer_widths
from hwprune_edu.nn.search import global_magnitude_masks, shrink, unit_importance
from hwprune_edu.studies.results import MagnitudeCut, Proposal, SearchStep, UniformCut, history_table
from hwprune_edu.studies.search import (
    global_magnitude_prune,
    hardware_aware_prune,
    simulated_latency,
    uniform_channel_prune,
)

# These tests are about NetAdapt's loop; the global default has its own in test_global_search.py.
FAST = {"method": "netadapt", "finetune_steps": 2, "final_epochs": 0, "progress": False}


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def mlp(data):
    model = digits_mlp(hidden=(256, 256))
    train(model, data, epochs=1, progress=False)
    return model


@pytest.mark.parametrize("hardware, budget", [("cpu-avx2", 0.5), ("npu-systolic", 0.9), ("mcu-m4", 0.3), ("sparse-eie", 0.5)])
def test_search_meets_its_budget_in_simulation(data, mlp, hardware, budget):
    dense_s = simulated_latency(mlp, hardware)
    pruned, history = hardware_aware_prune(mlp, data, hardware, budget, **FAST)
    # The history's bookkeeping (costed from widths) agrees with costing the returned model itself.
    assert all(isinstance(h, SearchStep) for h in history)
    assert simulated_latency(pruned, hardware) == pytest.approx(history[-1].sim_latency_s, rel=1e-12)
    assert history[-1].sim_latency_s <= budget * dense_s * (1 + 1e-9)
    assert [h.stage for h in history] == ["start"] + ["step"] * (len(history) - 2) + ["final"]
    ratios = [h.latency_ratio for h in history]
    assert ratios == sorted(ratios, reverse=True) and ratios[0] == 1.0
    assert layer_widths(pruned) == history[-1].widths
    assert pruned(data.x_val).shape == (360, 10)


def test_search_leaves_the_model_alone_and_repeats_exactly(data, mlp):
    before = [p.detach().clone() for p in mlp.parameters()]
    a, history_a = hardware_aware_prune(mlp, data, "cpu-avx2", 0.7, **FAST)
    b, history_b = hardware_aware_prune(mlp, data, "cpu-avx2", 0.7, **FAST)
    assert all(torch.equal(p, q) for p, q in zip(before, mlp.parameters()))
    assert layer_widths(mlp) == {0: 256, 2: 256}
    assert history_a == history_b
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_each_step_keeps_the_most_accurate_proposal(data, mlp):
    _, history = hardware_aware_prune(mlp, data, "cpu-avx2", 0.6, **FAST)
    for record in history[1:-1]:
        assert record.proposals and all(isinstance(p, Proposal) for p in record.proposals)
        best = max(p.val_accuracy for p in record.proposals)
        assert record.val_accuracy == best
        assert record.layer in {p.layer for p in record.proposals}
    assert history[0].proposals == () == history[-1].proposals and history[0].layer is None


def test_round_to_restricts_widths(data, mlp):
    _, history = hardware_aware_prune(mlp, data, "cpu-avx2", 0.5, round_to=32, **FAST)
    assert all(w % 32 == 0 for w in history[-1].widths.values())


def test_budget_one_prunes_nothing(data, mlp):
    pruned, history = hardware_aware_prune(mlp, data, "gpu-ampere", 1.0, **FAST)
    assert [h.stage for h in history] == ["start", "final"]
    assert layer_widths(pruned) == layer_widths(mlp)


def test_search_on_the_cnn(data):
    cnn = digits_cnn(channels=(8, 16))
    pruned, history = hardware_aware_prune(cnn, data, "cpu-avx2", 0.5, **FAST)
    assert simulated_latency(pruned, "cpu-avx2") <= 0.5 * simulated_latency(cnn, "cpu-avx2") * (1 + 1e-9)
    assert pruned[-1].in_features == 16 * history[-1].widths[4]  # Flatten: 4x4 columns per channel
    assert pruned(data.x_val[:4]).shape == (4, 10)


def test_hardware_profile_object_works_too(data, mlp):
    _, history = hardware_aware_prune(mlp, data, get_profile("cpu-avx2"), 0.8, **FAST)
    assert history[-1].latency_ratio <= 0.8


def test_unmeetable_budget_names_the_smallest_reachable_latency(data, mlp):
    with pytest.raises(ValueError, match=r"cannot be met on gpu-ampere: the smallest reachable latency is .* ask for a budget >= 0\.\d+"):
        hardware_aware_prune(mlp, data, "gpu-ampere", 0.2, **FAST)
    with pytest.raises(ValueError, match="smallest reachable latency"):
        uniform_channel_prune(mlp, data, "gpu-ampere", 0.2, final_epochs=0, progress=False)


@pytest.mark.parametrize("budget, error", [(0, ValueError), (1.5, ValueError), (-0.1, ValueError), (True, TypeError), ("0.5", TypeError)])
def test_bad_budgets(data, mlp, budget, error):
    with pytest.raises(error, match="latency_budget"):
        hardware_aware_prune(mlp, data, "cpu-avx2", budget, **FAST)


def test_bad_inputs_are_named(data, mlp):
    with pytest.raises(ValueError, match="cpu-avx2"):  # the known names are listed
        hardware_aware_prune(mlp, data, "tpu-v9", 0.5, **FAST)
    odd = nn.Sequential(nn.Linear(64, 8), nn.LayerNorm(8), nn.ReLU(), nn.Linear(8, 10))
    with pytest.raises(ValueError, match="LayerNorm"):
        hardware_aware_prune(odd, data, "cpu-avx2", 0.5, **FAST)
    with pytest.raises(TypeError, match="load_digits"):
        hardware_aware_prune(mlp, (data.x_train, data.y_train), "cpu-avx2", 0.5, **FAST)
    with pytest.raises(ValueError, match="no prunable layer"):
        hardware_aware_prune(nn.Sequential(nn.Linear(64, 10)), data, "cpu-avx2", 0.5, **FAST)
    with pytest.raises(ValueError, match="importance"):
        hardware_aware_prune(mlp, data, "cpu-avx2", 0.5, importance="entropy", **FAST)
    with pytest.raises(ValueError, match="step"):
        hardware_aware_prune(mlp, data, "cpu-avx2", 0.5, step=0, **FAST)


def test_uniform_keeps_one_ratio_and_meets_the_budget(data, mlp):
    small = digits_mlp(hidden=(256, 128))
    pruned, (record,) = uniform_channel_prune(small, data, "cpu-avx2", 0.5, final_epochs=0, progress=False)
    widths = layer_widths(pruned)
    assert isinstance(record, UniformCut) and widths == record.widths
    assert widths[0] == round(record.keep_ratio * 256) and widths[2] == round(record.keep_ratio * 128)
    assert record.sim_latency_s <= 0.5 * simulated_latency(small, "cpu-avx2") * (1 + 1e-9)


def test_global_magnitude_hits_the_parameter_count_exactly(data, mlp):
    hw_aware, _ = hardware_aware_prune(mlp, data, "cpu-avx2", 0.5, **FAST)
    target = count_parameters(hw_aware)
    sparse, (record,) = global_magnitude_prune(mlp, data, target_params=target, final_epochs=1, progress=False)
    assert isinstance(record, MagnitudeCut) and count_parameters(sparse) == record.params == target
    assert hasattr(sparse[0], "weight_mask") and not hasattr(mlp[0], "weight_mask")
    # Masks stay applied through fine-tuning: pruned weights are still exactly zero.
    assert torch.all(sparse[0].weight[sparse[0].weight_mask == 0] == 0)


def test_global_magnitude_bad_input(data, mlp):
    with pytest.raises(ValueError, match="exactly one"):
        global_magnitude_prune(mlp, data, progress=False)
    with pytest.raises(ValueError, match="exactly one"):
        global_magnitude_prune(mlp, data, 0.5, target_params=10, progress=False)
    with pytest.raises(ValueError, match="target_params must be between"):
        global_magnitude_prune(mlp, data, target_params=10, progress=False)
    with pytest.raises(ValueError, match="fraction"):
        global_magnitude_prune(mlp, data, 1.5, final_epochs=0, progress=False)


def test_fine_tunes_run_with_the_threads_the_search_was_given(data, mlp):
    # The searches fix torch's threads for their whole run; their fine-tunes must not reset them to 1.
    seen = []
    model = copy_model(mlp)
    model[1].register_forward_hook(lambda module, args, out: seen.append(torch.get_num_threads()) if module.training else None)
    hardware_aware_prune(model, data, "cpu-avx2", 0.8, method="netadapt", finetune_steps=1, final_epochs=1,
                         progress=False, num_threads=2)
    hardware_aware_prune(model, data, "cpu-avx2", 0.8, final_epochs=1, progress=False, num_threads=2)
    uniform_channel_prune(model, data, "cpu-avx2", 0.8, final_epochs=1, progress=False, num_threads=2)
    global_magnitude_prune(model, data, 0.5, final_epochs=1, progress=False, num_threads=2)
    assert seen and set(seen) == {2}


def test_history_table_prints_one_line_per_step(data, mlp):
    _, history = hardware_aware_prune(mlp, data, "cpu-avx2", 0.8, **FAST)
    lines = history_table(history).splitlines()
    assert lines[0].split() == ["stage", "layer", "widths", "latency", "val", "acc"]
    assert [line.split()[0] for line in lines[1:]] == [h.stage for h in history]
    with pytest.raises(TypeError, match="SearchStep"):
        history_table([{"stage": "start"}])


def test_the_torch_steps_leave_their_inputs_alone(mlp):
    before = [p.detach().clone() for p in mlp.parameters()]
    small = shrink(mlp, {0: 10}, "l1", None)
    masked, pruned_weights = global_magnitude_masks(mlp, 0.5)
    assert all(torch.equal(p, q) for p, q in zip(before, mlp.parameters()))
    assert small[0].out_features == 10 and not hasattr(mlp[0], "weight_mask")
    assert pruned_weights == round(0.5 * sum(m.weight.numel() for m in mlp if isinstance(m, nn.Linear)))
    assert unit_importance(mlp, 0, "l1", None).shape == (256,)
    with pytest.raises(ValueError, match="importance"):
        unit_importance(mlp, 0, "entropy", None)
    with pytest.raises(TypeError, match=r"calibration=\(features, labels\)"):
        unit_importance(mlp, 0, "taylor", None)

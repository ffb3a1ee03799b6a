"""The upper layers' argument checks: each case the bad-input sweep found in studies, viz, quiz and grading.

The table (test_bad_input_studies.py) proves every public function refuses bad
input by name; these tests pin the specific behaviours behind it: float64 and
half models searched and handed back in their own dtype, nothing trained before
every argument is checked, unhashable names refused by name, and the number
checks done by util.validation rather than by hand.
"""

import math
import pathlib
import re

import numpy as np
import pytest
import torch

from hwprune_edu.nn import data as nn_data
from hwprune_edu.nn.data import digits_mlp
from hwprune_edu.studies import comparison, halp, search, study
from hwprune_edu.studies.arguments import check_fields, check_options, search_copy
from hwprune_edu.studies.results import SearchStep, history_table

pytestmark = pytest.mark.usefixtures("one_thread")

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "hwprune_edu"
QUICK = {"final_epochs": 0, "progress": False}


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16, torch.bfloat16])
@pytest.mark.parametrize("method", ["global", "netadapt", "uniform", "magnitude"])
def test_searches_accept_float64_and_half_models_and_return_their_dtype(data, method, dtype):
    model = digits_mlp(hidden=(32, 32)).to(dtype)
    before = [p.detach().clone() for p in model.parameters()]
    if method == "uniform":
        pruned, _ = search.uniform_channel_prune(model, data, "cpu-avx2", 0.75, **QUICK)
    elif method == "magnitude":
        pruned, _ = search.global_magnitude_prune(model, data, 0.5, **QUICK)
    else:
        options = {"rounds": 1} if method == "global" else {"finetune_steps": 1}
        pruned, history = search.hardware_aware_prune(model, data, "cpu-avx2", 0.75, method=method, **QUICK,
                                                      **options)
        assert history[-1].latency_ratio <= 0.75 * (1 + 1e-9)
    assert {p.dtype for p in pruned.parameters()} == {dtype}
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters())), "the caller's model was changed"


def test_float64_search_matches_the_float32_search(data):
    """Same seed, same widths: the dtype changes what is stored, not what the search decides."""
    base = digits_mlp(hidden=(32, 32))
    _, h32 = search.hardware_aware_prune(base, data, "cpu-avx2", 0.75, rounds=1, **QUICK)
    _, h64 = search.hardware_aware_prune(base.double(), data, "cpu-avx2", 0.75, rounds=1, **QUICK)
    assert h32[-1].widths == h64[-1].widths


def test_a_splits_with_float64_features_is_searched_as_float32(data):
    import dataclasses

    wide = dataclasses.replace(data, **{f"x_{s}": getattr(data, f"x_{s}").double() for s in ("train", "val", "test")})
    work, used, dtype = search_copy(digits_mlp(hidden=(8,)), wide)
    assert used.x_train.dtype == torch.float32 and dtype == torch.float32
    assert wide.x_train.dtype == torch.float64, "the caller's splits were changed"
    search.uniform_channel_prune(digits_mlp(hidden=(32, 32)), wide, "cpu-avx2", 0.75, **QUICK)


def test_history_table_refuses_records_that_are_not_search_steps():
    with pytest.raises(TypeError, match=r"history must hold SearchStep records.*got a dict"):
        history_table([{}])
    with pytest.raises(TypeError, match=r"history must be the list of SearchStep"):
        history_table(None)
    assert history_table([]).splitlines() == ["stage  layer  widths  latency  val acc"]


# (a list of names is valid for the global method: one knapsack path per ranking; a list inside a list is not)
@pytest.mark.parametrize("value", [[["taylor"]], {"a": 1}, {"taylor"}])
def test_unhashable_names_are_refused_by_name(data, value):
    model = digits_mlp(hidden=(32, 32))
    with pytest.raises(ValueError, match=r"^importance must be one of"):
        search.hardware_aware_prune(model, data, "cpu-avx2", 0.75, importance=value, **QUICK)
    with pytest.raises(ValueError, match=r"^importance must be one of"):
        search.uniform_channel_prune(model, data, "cpu-avx2", 0.75, importance=value, **QUICK)
    with pytest.raises(ValueError, match=r"^method must be one of"):
        search.hardware_aware_prune(model, data, "cpu-avx2", 0.75, method=value)
    from hwprune_edu import grading
    from hwprune_edu.quiz import get_question, questions

    with pytest.raises(ValueError, match=r"^tag must be one of"):
        questions(value)
    with pytest.raises(ValueError, match=r"^question_id must be one of"):
        get_question(value)
    with pytest.raises(ValueError, match=r"^name must be an exercise id"):
        grading.check(value, lambda weights, amount: weights)
    with pytest.raises(ValueError, match=r"^notebook must be one of"):
        grading.summary(value)
    with pytest.raises(ValueError, match=r"^target must be one of"):
        grading.buggy_source(value)


@pytest.fixture
def no_training(monkeypatch):
    """Make any training step fail loudly: a check that passes this ran before the long work."""

    def refuse(*args, **kwargs):
        raise AssertionError("training started before every argument was checked")

    for module in (nn_data, search, halp, comparison, study):
        for name in ("train", "finetune"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, refuse)


@pytest.mark.parametrize(("options", "named"), [
    ({"lr": math.inf}, "lr"), ({"lr": True}, "lr"), ({"num_threads": 0}, "num_threads"), ({"progress": "no"}, "progress"),
    ({"importance": "apoz_typo"}, "importance"), ({"calibration_samples": 0}, "calibration_samples"),
    ({"input_shape": (0,)}, "input_shape"), ({"seed": -1}, "seed"),
])
@pytest.mark.parametrize("method", ["global", "netadapt"])
def test_searches_check_every_option_before_training(data, no_training, method, options, named):
    with pytest.raises((TypeError, ValueError), match=rf"\b{named}\b"):
        search.hardware_aware_prune(digits_mlp(hidden=(32, 32)), data, "cpu-avx2", 0.75, method=method,
                                    final_epochs=1, **options)


@pytest.mark.parametrize(("search_options", "named"), [
    ({"lr": -1}, "lr"), ({"rounds": 0}, "rounds"), ({"nope": 1}, "nope"), ({"step": 0.1}, "step"),
    ({"importance": [["taylor"]]}, "importance"), ({"batch": 8}, "batch"),
])
def test_compare_methods_and_budget_sweep_check_search_options_before_training(data, no_training, search_options,
                                                                               named):
    model = digits_mlp(hidden=(32, 32))
    with pytest.raises((TypeError, ValueError), match=rf"^search_options: .*\b{named}\b|^search_options must"):
        comparison.compare_methods(data, model=model, targets=("cpu-avx2",), budget=0.75, measure=False,
                                   progress=False, search_options=search_options)
    with pytest.raises((TypeError, ValueError), match=rf"^search_options: .*\b{named}\b|^search_options must"):
        comparison.budget_sweep(model, data, "cpu-avx2", [0.75], search_options=search_options, progress=False)


def test_study_settings_refuse_bad_values_when_made_not_at_the_last_cell():
    with pytest.raises(ValueError, match=r"budgets\[1\] must be in \(0, 1\]"):
        study.StudySettings(budgets=(0.5, 1.5))
    with pytest.raises(ValueError, match=r"^profiles\[0\] must be one of"):
        study.StudySettings(profiles=("tpu-v9",))
    with pytest.raises(ValueError, match=r"epochs must give the dense training epochs of every model"):
        study.StudySettings(epochs=(("mlp", 3),))
    with pytest.raises(ValueError, match=r"n_samples must be a multiple of 10"):
        study.StudySettings(n_samples=55)
    settings = study.StudySettings(budgets=[np.float32(0.5)], seeds=[np.int64(1)], epochs={"mlp": 1, "cnn": 2})
    assert settings.budgets == (0.5,) and settings.seeds == (1,) and settings.epochs == (("mlp", 1), ("cnn", 2))


def test_check_options_uses_the_one_number_check():
    options = check_options({"lr": np.float32(1e-3), "step": np.float64(0.25), "batch": np.int64(8)})
    assert (type(options.lr), type(options.step), options.batch) == (float, float, 8)
    for value in (math.nan, math.inf, 0, True, "1e-3"):
        with pytest.raises((TypeError, ValueError), match=r"^lr must be"):
            check_options({"lr": value})


def test_records_check_their_fields_when_made():
    with pytest.raises(TypeError, match=r"^SearchStep\.val_accuracy must be a number, got str"):
        SearchStep("start", None, {0: 8}, 2e-3, 1.0, "90 %")
    with pytest.raises(TypeError, match=r"^SearchStep\.layer must be an int"):
        SearchStep("step", 0.5, {0: 8}, 2e-3, 1.0, 0.9)
    step = SearchStep("step", np.int64(0), {0: 8}, np.float32(2e-3), 1.0, 0.9)
    check_fields(step)  # NumPy scalars are numbers


# The hand-written number checks these layers used to carry (each now a call to util.validation).
HAND_WRITTEN = re.compile(r"isinstance\([^)]*\bbool\b[^)]*\)\s*or\s+not\s+isinstance\([^)]*numbers\.(Real|Integral)"
                          r"|def _check_(fraction|budget|amount)\b")


@pytest.mark.parametrize("layer", ["studies", "viz", "quiz"])
def test_no_hand_written_number_checks_are_left(layer):
    found = [f"{path.relative_to(PACKAGE)}:{n}" for path in sorted((PACKAGE / layer).glob("*.py"))
             for n, line in enumerate(path.read_text().splitlines(), start=1) if HAND_WRITTEN.search(line)]
    assert not found, f"hand-written number checks (use check_number/check_int/check_fraction): {found}"


def test_budget_sweep_checks_every_budget_is_reachable_before_the_first_search(data, no_training):
    with pytest.raises(ValueError, match=r"^budgets\[1\]=0\.1 cannot be met on cpu-avx2: the smallest reachable"):
        comparison.budget_sweep(digits_mlp(hidden=(32, 32)), data, "cpu-avx2", [0.75, 0.1], progress=False)


def test_the_global_methods_fine_tune_budget_is_final_epochs_and_nothing_else():
    from hwprune_edu.studies.search import check_search_options

    with pytest.raises(TypeError, match=r"^total_finetune_epochs is set by final_epochs"):
        check_search_options("global", total_finetune_epochs=3)
    with pytest.raises(TypeError) as error:
        check_search_options("global", nope=1)
    assert "total_finetune_epochs" not in str(error.value) and "final_epochs" in str(error.value)


def test_a_zero_d_array_input_shape_is_one_number():
    from hwprune_edu.studies.arguments import check_input_shape
    from hwprune_edu.studies.search import simulated_latency

    assert check_input_shape(np.array(64)) == (64,)
    model = digits_mlp(hidden=(64,))
    assert simulated_latency(model, "cpu-avx2", input_shape=np.array(64)) == simulated_latency(model, "cpu-avx2")


def test_seeds_beyond_what_the_data_generators_take_are_refused_before_any_work():
    from hwprune_edu.studies.arguments import check_options

    assert check_options({"seed": 2**32 - 1}).seed == 2**32 - 1
    with pytest.raises(ValueError, match=r"^seed must be <= 4294967295"):
        check_options({"seed": 2**32})

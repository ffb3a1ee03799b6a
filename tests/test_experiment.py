"""The comparison experiment (hwprune_edu.studies.comparison, .results, .targets) and its pictures: rows, JSON, verdicts, Pareto front."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from hwprune_edu.nn.data import digits_mlp, train
from hwprune_edu.hardware import PROFILES
from hwprune_edu.nn import layer_widths, remove_units
from hwprune_edu.studies.comparison import (
    RunSettings,
    budget_sweep,
    compare_methods,
    measure_comparison,
    width_latency_curve,
)
from hwprune_edu.studies.results import BudgetPoint, Comparison, Measurement, MethodResult, SearchStep, pareto_front
from hwprune_edu.studies.search import simulated_latency
from hwprune_edu.studies.targets import ACCURACY_LOSS_MAX_POINTS, TargetReport

ROOT = Path(__file__).resolve().parents[1]
METHOD_NAMES = ["dense", "unstructured_90", "uniform_channel", "hw_aware_npu-systolic", "hw_aware_cpu-avx2"]
JSON_FIELDS = {"accuracy", "params", "sim_latency_s", "measured_latency_s", "search_s"}


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def dense(data):
    # 512 wide: the narrowest MLP that can reach budget 0.5 on the NPU's 256-column array (floor 0.31).
    model = digits_mlp(hidden=(512, 512))
    train(model, data, epochs=2, progress=False)
    return model


@pytest.fixture(scope="module")
def comparison(data, dense):
    return compare_methods(data, model=dense, settings=RunSettings.quick(epochs=0), measure=False, progress=False)


@pytest.fixture(scope="module")
def measured(comparison):
    return measure_comparison(comparison, rounds=1, repeats=2, warmup=1)


# --------------------------------------------------------------------------- rows and JSON


def test_rows_are_the_course_methods_in_order(comparison):
    assert list(comparison.methods) == METHOD_NAMES
    assert [r.kind for r in comparison.methods.values()] == ["dense", "unstructured", "uniform", "hw-aware", "hw-aware"]
    assert comparison.uniform_at["npu-systolic"] is comparison.methods["uniform_channel"]
    assert comparison.uniform_at["cpu-avx2"].target == "cpu-avx2"


def test_to_json_has_exactly_the_benchmark_shape(comparison):
    parsed = json.loads(comparison.to_json())
    assert list(parsed) == ["methods"]
    assert list(parsed["methods"]) == METHOD_NAMES
    for name, row in parsed["methods"].items():
        assert set(row) == JSON_FIELDS, name
        assert list(row["sim_latency_s"]) == list(PROFILES)
        assert 0.0 <= row["accuracy"] <= 1.0 and isinstance(row["params"], int)
        assert row["measured_latency_s"] is None  # measure=False
    assert parsed["methods"]["dense"]["search_s"] == 0.0


def test_rows_agree_with_the_models_they_hold(comparison, data):
    for name, row in comparison.methods.items():
        assert row.sim_latency_s["cpu-avx2"] == simulated_latency(row.model, "cpu-avx2", batch=256), name
        if row.kind != "unstructured":
            assert dict(row.widths) == layer_widths(row.model), name
    hw = comparison.methods["hw_aware_cpu-avx2"]
    assert all(isinstance(step, SearchStep) for step in hw.history)
    assert hw.sim_latency_s["cpu-avx2"] == pytest.approx(hw.history[-1].sim_latency_s, rel=1e-12)
    assert comparison.methods["unstructured_90"].params < comparison.dense.params / 5


def test_hardware_aware_rows_meet_the_budget_in_simulation(comparison):
    for profile in comparison.targets:
        assert comparison.latency_ratio(f"hw_aware_{profile}", profile) <= 0.5 + 1e-9
        assert comparison.latency_ratio("dense", profile) == 1.0


def test_the_given_model_is_not_modified(data):
    model = digits_mlp(hidden=(64, 64))
    before = [p.detach().clone() for p in model.parameters()]
    compare_methods(data, model=model, targets=("cpu-avx2",), settings=RunSettings.quick(epochs=1), measure=False,
                    progress=False)
    assert all(torch.equal(p, q) for p, q in zip(before, model.parameters()))


# --------------------------------------------------------------------------- measuring and verdicts


def test_measuring_returns_a_measured_copy(comparison, measured):
    assert all(r.measured_latency_s is None for r in comparison.methods.values())
    assert all(r.measured_latency_s > 0 for r in measured.methods.values())
    assert measured.measurement == Measurement(rounds=1, repeats=2, warmup=1)
    assert measured.speedup("dense") == 1.0 and comparison.speedup("dense") is None
    assert measured.uniform_at["npu-systolic"] is measured.methods["uniform_channel"]
    assert [r.accuracy for r in measured.methods.values()] == [r.accuracy for r in comparison.methods.values()]


def test_targets_skip_what_was_not_measured(comparison, measured):
    unmeasured = comparison.check_targets()
    assert isinstance(unmeasured, TargetReport) and len(unmeasured) == 11
    assert [c.status for c in unmeasured].count("SKIPPED") == 3
    assert all("not measured" in c.detail for c in unmeasured if c.status == "SKIPPED")
    report = measured.check_targets()
    assert {c.status for c in report} <= {"MET", "MISSED"}
    assert "met," in str(report) and "<table>" in report._repr_html_()


def _row(name, kind, accuracy, ratio, *, measured_s=None, search_s=1.0, target=None):
    return MethodResult(name, kind, target, accuracy, 100, {"cpu-avx2": ratio * 1e-3}, measured_s, search_s, {0: 8})


def _toy(hw_ratio=0.5, hw_accuracy=0.97, uniform_accuracy=0.97, unstructured_s=1e-2, hw_s=4e-3, search_s=1.0):
    methods = {
        "dense": _row("dense", "dense", 0.97, 1.0, measured_s=1e-2, search_s=0.0),
        "unstructured_90": _row("unstructured_90", "unstructured", 0.96, 1.0, measured_s=unstructured_s),
        "uniform_channel": _row("uniform_channel", "uniform", uniform_accuracy, 0.5, measured_s=5e-3, target="cpu-avx2"),
        "hw_aware_cpu-avx2": _row("hw_aware_cpu-avx2", "hw-aware", hw_accuracy, hw_ratio, measured_s=hw_s,
                                  search_s=search_s, target="cpu-avx2"),
    }
    return Comparison(methods, {"cpu-avx2": methods["uniform_channel"]}, 0.5, 256, ("cpu-avx2",), ("cpu-avx2",), "toy",
                      measurement=Measurement(rounds=1, repeats=1, warmup=0))


def _statuses(comparison):
    return [c.status for c in comparison.check_targets()]


def test_every_target_is_met_by_a_good_result():
    assert _statuses(_toy()) == ["MET"] * 6


@pytest.mark.parametrize("change, missed_index", [
    ({"hw_ratio": 0.51}, 0),                                    # over budget in simulation
    ({"hw_accuracy": 0.97 - (ACCURACY_LOSS_MAX_POINTS + 0.1) / 100, "uniform_accuracy": 0.9}, 1),  # lost > 1 point
    ({"uniform_accuracy": 0.975}, 2),                           # uniform more accurate
    ({"unstructured_s": 5e-3}, 3),                              # unstructured 2x faster: not "about 1x"
    ({"hw_s": 8e-3}, 4),                                        # physically pruned only 1.25x faster
    ({"search_s": 61.0}, 5),                                    # search too slow
])
def test_each_target_can_be_missed(change, missed_index):
    statuses = _statuses(_toy(**change))
    assert statuses[missed_index] == "MISSED"
    assert statuses.count("MISSED") == 1, statuses


# --------------------------------------------------------------------------- rendering


def test_table_text_and_html(comparison, measured):
    text = str(comparison)
    lines = text.splitlines()
    assert lines[0].startswith("digits MLP 64-512-512-10, batch 256, budget 0.5") and "not measured" in lines[0]
    assert lines[1].split() == ["method", "acc", "%", "params", *PROFILES, "measured", "speed-up", "search"]
    for name in METHOD_NAMES:
        assert any(line.startswith(name + " ") for line in lines), name
    assert "(" in lines[3] and lines[3].rstrip().endswith("-")  # dense: absolute latencies, no search time
    assert "reference: uniform channel pruning at budget 0.5 on cpu-avx2" in text
    assert "x " in str(measured).splitlines()[4]  # a measured speed-up like "1.00x"
    page = comparison._repr_html_()
    assert page.count("<tr>") == 1 + len(METHOD_NAMES) and "hw_aware_cpu-avx2" in page
    assert repr(comparison).startswith("Comparison(methods=['dense', ")


def test_pareto_points_mark_the_front(comparison):
    points = comparison.pareto_points("npu-systolic")
    assert [p.name for p in points] == METHOD_NAMES
    expected = pareto_front([p.latency_ratio for p in points], [p.accuracy for p in points])
    assert [p.on_front for p in points] == expected.tolist()
    assert any(p.on_front for p in points)
    # Unstructured sparsity gains a dense-only NPU nothing but the rows and columns it empties entirely (the
    # digits' always-blank pixels), and is less accurate: never on the front.
    unstructured = points[1]
    assert 0.5 < unstructured.latency_ratio <= 1.0 and not unstructured.on_front


# --------------------------------------------------------------------------- Pareto front


def test_pareto_front_examples_and_bad_input():
    assert pareto_front([1.0], [0.5]).tolist() == [True]
    assert pareto_front([0.5, 0.5], [0.9, 0.9]).tolist() == [True, True]  # ties: both stay
    assert pareto_front([0.4, 0.5, 0.6], [0.9, 0.95, 0.9]).tolist() == [True, True, False]
    with pytest.raises(ValueError, match="accuracies must have one value per latency"):
        pareto_front([1.0, 2.0], [0.5])


points = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=25)


@settings(max_examples=200, deadline=None)
@given(points)
def test_pareto_front_properties(pairs):
    latency = np.array([p[0] for p in pairs], float)
    accuracy = np.array([p[1] for p in pairs], float)
    front = pareto_front(latency, accuracy)
    assert front.any()

    def dominates(j, i):
        return latency[j] <= latency[i] and accuracy[j] >= accuracy[i] and (
            latency[j] < latency[i] or accuracy[j] > accuracy[i])

    n = len(pairs)
    for i in range(n):
        beaten = any(dominates(j, i) for j in range(n))
        assert front[i] == (not beaten)
        if not front[i]:  # every point off the front is beaten by a point on it
            assert any(front[j] and dominates(j, i) for j in range(n))


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("kwargs, error, message", [
    ({"budget": 0.0}, ValueError, "budget must be in"),
    ({"budget": "half"}, TypeError, "budget must be a number"),
    ({"targets": "cpu-avx2"}, TypeError, "targets must be a non-empty sequence"),
    ({"targets": ()}, TypeError, "targets must be a non-empty sequence"),
    ({"targets": ("cpu-avx2", "cpu-avx2")}, ValueError, "targets must not repeat a platform"),
    ({"targets": ("tpu",)}, ValueError, "unknown hardware profile 'tpu'"),
    ({"unstructured_amount": 1.5}, ValueError, r"unstructured_amount must be in \(0, 1\) \(a fraction"),
    ({"settings": "quick"}, TypeError, "settings must be a RunSettings"),
    ({"search_options": [1]}, TypeError, "search_options must be a dict"),
    ({"data": "digits"}, TypeError, "data must be what load_digits"),
])
def test_bad_settings_are_named(kwargs, error, message):
    kwargs = {"model": digits_mlp(hidden=(8,)), "progress": False, **kwargs}
    with pytest.raises(error, match=message):
        compare_methods(**kwargs)


@pytest.mark.parametrize("changes, message", [
    ({"epochs": -1}, "epochs must be >= 0"),
    ({"finetune_steps": -1}, "finetune_steps must be >= 0"),
    ({"rounds": 0}, "rounds must be >= 1"),
    ({"repeats": 1.5}, "repeats"),
])
def test_bad_run_settings_are_named(changes, message):
    with pytest.raises((ValueError, TypeError), match=message):
        RunSettings.quick(**changes)


@pytest.mark.parametrize("model, error, message", [
    (torch.nn.Linear(64, 10), TypeError, "model must be a flat torch.nn.Sequential"),
    (torch.nn.Sequential(torch.nn.Linear(64, 8), torch.nn.LSTM(8, 8)), ValueError, r"model\[1\] is a LSTM"),
    (torch.nn.Sequential(torch.nn.Linear(64, 10)), ValueError, "model has no prunable layer"),
])
def test_models_outside_the_family_are_named(model, error, message):
    with pytest.raises(error, match=message):
        compare_methods(model=model, progress=False)


def test_an_unreachable_budget_fails_before_any_training(data):
    with pytest.raises(ValueError, match=r"cannot be met on npu-systolic: the smallest reachable latency .* >= 0\.841"):
        compare_methods(data, model=digits_mlp(hidden=(256, 256)), settings=RunSettings(epochs=1000), progress=False)


def test_bad_names_and_profiles_are_named(comparison):
    with pytest.raises(ValueError, match="name must be one of the methods"):
        comparison.speedup("pruned")
    with pytest.raises(ValueError, match="unknown hardware profile"):
        comparison.pareto_points("tpu")
    with pytest.raises(ValueError, match="rounds must be >= 1"):
        measure_comparison(comparison, rounds=0)
    with pytest.raises(TypeError, match="comparison must be what compare_methods"):
        measure_comparison(comparison.as_dict())


# --------------------------------------------------------------------------- the lookup table


def test_width_latency_curve_is_the_search_lookup_table(dense):
    widths, latency_s = width_latency_curve(dense, "npu-systolic", 2)
    assert widths.tolist() == list(range(1, 513))
    assert np.all(np.diff(latency_s) >= 0)  # more units never cost less
    assert latency_s[-1] == simulated_latency(dense, "npu-systolic")
    # Each entry is the latency of the model physically cut to that width (first units kept: costing ignores which).
    for kept in (1, 256, 257, 400):
        small = remove_units(dense, {2: np.arange(kept)})
        assert latency_s[kept - 1] == pytest.approx(simulated_latency(small, "npu-systolic"), rel=1e-12)
    # The NPU's 256-column tile: one unit past it costs a second pass through the array.
    assert latency_s[256] > latency_s[255]


@pytest.mark.parametrize("layer", [1, 4])
def test_width_latency_curve_names_a_bad_layer(dense, layer):
    with pytest.raises(ValueError, match=r"layer must be the index of a prunable layer, one of \[0, 2\]"):
        width_latency_curve(dense, "cpu-avx2", layer)


@pytest.mark.parametrize("layer", ["2", True, 2.0])
def test_width_latency_curve_refuses_a_layer_that_is_not_an_int(dense, layer):
    with pytest.raises(TypeError, match=r"layer must be an int"):
        width_latency_curve(dense, "cpu-avx2", layer)


# --------------------------------------------------------------------------- sweep and pictures


def test_budget_sweep_meets_each_budget(data, dense):
    sweep = budget_sweep(dense, data, "cpu-avx2", [0.3, 0.7], finetune_epochs=0,
                         search_options={"rounds": 2}, progress=False)
    assert [(p.budget, p.method) for p in sweep] == [
        (0.3, "hw_aware"), (0.3, "uniform_channel"), (0.7, "hw_aware"), (0.7, "uniform_channel")]
    assert all(p.latency_ratio <= p.budget + 1e-9 for p in sweep)
    with pytest.raises(TypeError, match="budgets must be a non-empty sequence"):
        budget_sweep(dense, data, "cpu-avx2", 0.5)


def test_charts_draw_every_method(comparison):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from hwprune_edu.viz.comparison import breakdown_charts, pareto_chart, roofline_charts

    sweep = [BudgetPoint(0.3, "hw_aware", 3e-6, 0.3, 0.9, 100, {0: 8}),
             BudgetPoint(0.3, "uniform_channel", 3e-6, 0.3, 0.88, 100, {0: 8})]
    ax = pareto_chart(comparison, "cpu-avx2", sweep=sweep, trajectory=True)
    texts = [t.get_text() for t in ax.texts]
    assert texts == METHOD_NAMES
    labels = ax.get_legend_handles_labels()[1]
    assert "search path (validation accuracy)" in labels and "hw_aware at other budgets" in labels
    axes = breakdown_charts(comparison, "npu-systolic")
    assert [a.get_title().split(":")[0] for a in axes] == METHOD_NAMES
    assert len(roofline_charts(comparison)) == 2
    with pytest.raises(TypeError, match="comparison must be what compare_methods"):
        pareto_chart({"methods": {}})
    plt.close("all")


# --------------------------------------------------------------------------- the benchmark script uses it


def _bench():
    spec = importlib.util.spec_from_file_location("bench_hw_aware", ROOT / "benchmarks" / "bench_hw_aware.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_prints_json_and_table_from_the_experiment(monkeypatch, capsys, measured):
    from hwprune_edu.studies.study_results import Study, StudyRun

    bench = _bench()
    calls = []
    monkeypatch.setattr(bench, "compare_methods", lambda **kw: calls.append(kw) or measured)
    # The MNIST-1D study takes half an hour: a one-run stand-in checks the plumbing (tests/test_study.py runs it).
    run = StudyRun("mlp", "cpu-avx2", 0.5, 0, "global", 0.75, 10, {"cpu-avx2": 1.0}, 0.5, 1.0, 5, {0: 4})
    study = Study((run,), (), (), {"batch": 256})
    monkeypatch.setattr(bench, "run_study", lambda settings, **kw: study)
    assert bench.main(["--json", "--skip-mnist1d"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(measured.to_json())
    bench.main(["--json"])
    printed = json.loads(capsys.readouterr().out)
    assert printed["methods"] == json.loads(measured.to_json())["methods"] and printed["mnist1d"] == json.loads(study.to_json())
    status = bench.main(["--epochs", "3", "--skip-mnist1d"])
    out = capsys.readouterr().out
    assert status == (0 if measured.check_targets().all_met else 1)
    assert "hw_aware_npu-systolic" in out and ("[MET]" in out or "[MISSED]" in out)
    assert calls[2]["settings"].epochs == 3 and calls[2]["budget"] == 0.5 and calls[2]["num_threads"] == 1


def test_global_variants_benchmark_summarises_gains_per_cell():
    spec = importlib.util.spec_from_file_location("bench_global_variants", ROOT / "benchmarks" / "bench_global_variants.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    # Variant j gains (cell gain + seed + 10 j) points and takes (1 + seed + j) s: every column differs from the others.
    rows = [dict(model=m, profile="cpu-avx2", budget=b, seed=s, variant=v, gain=g + s + 10 * j, seconds=1.0 + s + j,
                 picked="knapsack")
            for m, b, g in (("mlp", 0.5, 1.0), ("cnn", 0.3, -1.0)) for s in (0, 2) for j, v in enumerate(bench.VARIANTS)]
    lines = bench.summary(rows).splitlines()
    assert lines[1].split()[:3] == ["model", "target", "budget"] and "both rankings" in lines[1]
    assert lines[2].split()[:3] == ["mlp", "cpu-avx2", "0.5"]  # the MLP first, then the CNN
    assert lines[2].split()[3:] == ["+2.00", "+12.00", "+22.00", "+32.00"]  # (1 + 3) / 2 + 10 j, in VARIANTS order
    assert lines[3].split()[3:] == ["+0.00", "+10.00", "+20.00", "+30.00"]
    assert lines[-3].split()[1:] == ["+1.00", "+11.00", "+21.00", "+31.00"]  # mean over the 2 cells
    assert lines[-2].split()[1:] == ["+0.00", "+10.00", "+20.00", "+30.00"]  # worst cell
    assert lines[-1].split()[-4:] == ["3.0", "4.0", "5.0", "6.0"]  # slowest search per variant

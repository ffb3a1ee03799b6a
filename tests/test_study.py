"""The honest comparison's runner and results (studies.study, studies.study_results, viz.study), on a tiny setting."""

import json

import matplotlib
import pytest

from hwprune_edu.studies.study import StudySettings, build_model, combine, run_study
from hwprune_edu.studies.study_results import Study, StudyRun

matplotlib.use("Agg")

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def study():
    settings = StudySettings.quick(models=("mlp", "cnn"), profiles=("cpu-avx2", "npu-systolic"), budgets=(0.5,),
                                   specialisation_profiles=("cpu-avx2", "gpu-ampere"))
    return run_study(settings, progress=False)


def test_every_cell_runs_every_method_with_equal_finetune_budgets(study):
    # The CNN's channels all fit one 256-wide NPU tile: no budget is reachable there, and the study says so.
    assert ("cnn", "npu-systolic", 0.5) in {(u.model, u.profile, u.budget) for u in study.unreachable}
    assert set(study.cells()) == {("mlp", "cpu-avx2", 0.5), ("mlp", "npu-systolic", 0.5), ("cnn", "cpu-avx2", 0.5)}
    for cell in study.cells():
        runs = {m: study.select(*cell, m) for m in ("uniform_channel", "global", "netadapt", "global_magnitude")}
        assert all(len(r) == 1 for r in runs.values())
        budget = runs["uniform_channel"][0].finetune_steps
        assert runs["global"][0].finetune_steps == budget == runs["global_magnitude"][0].finetune_steps
        assert runs["netadapt"][0].finetune_steps > budget  # its short fine-tunes come on top, and are counted
        assert runs["global"][0].latency_ratio <= 0.5 + 1e-9 and runs["uniform_channel"][0].latency_ratio <= 0.5 + 1e-9
        assert runs["global_magnitude"][0].params == runs["global"][0].params
    assert all(r.measured_latency_s > 0 for r in study.runs)


def test_tables_targets_and_json(study):
    text = str(study)
    assert "uniform_channel" in text and "mean gain over 3 cells" in text and "pruned for" in text
    assert "unreachable" in study.table()
    report = study.check_targets()
    assert {c.status for c in report} <= {"MET", "MISSED", "SKIPPED"} and len(report) == 5
    again = Study.from_json(study.to_json())
    assert again == study and json.loads(study.to_json())["settings"]["batch"] == 256
    assert combine([study, Study((), (), (), {"extra": 1})]).settings["extra"] == 1
    gains = study.gains()
    cell = ("mlp", "cpu-avx2", 0.5)
    assert gains[cell] == pytest.approx(study.accuracy(*cell, "global")[0] - study.accuracy(*cell, "uniform_channel")[0])


def test_specialisation_compares_every_platform(study):
    targets = [r.profile for r in study.specialisation if r.method == "global"]
    assert targets == ["cpu-avx2", "gpu-ampere"]
    # Each model meets the budget on the platform it was pruned for.
    for target in targets:
        assert study.specialisation_ratio(target, target) <= 0.5 + 1e-9


def test_charts_draw(study):
    from hwprune_edu.viz.study import cell_chart, specialisation_chart

    assert len(cell_chart(study).patches) >= 3 * 4
    assert len(specialisation_chart(study).texts) == 2 * len(next(iter(study.specialisation)).sim_latency_s)
    with pytest.raises(TypeError, match="study must be a Study"):
        cell_chart({"runs": []})


def test_bad_names_and_settings():
    with pytest.raises(ValueError, match="name must be one of"):
        build_model("resnet", 0)
    with pytest.raises(TypeError, match="settings must be a StudySettings"):
        run_study({"seeds": (0,)})
    run = StudyRun("mlp", None, None, 0, "dense", 0.7, 1, {"cpu-avx2": 1.0}, None, 0.0, 0, {0: 3})
    assert StudyRun.from_dict(json.loads(json.dumps(run.__dict__))) == run


# ---------------------------------------------------------------- tables built from runs given by hand (no training)


def _run(seed, method, accuracy, sim, *, profile="cpu-avx2", budget=0.5, search_s=1.0, measured=None):
    return StudyRun("mlp", profile, budget, seed, method, accuracy, 10, sim, None if budget is None else 0.5,
                    search_s, 5, {0: 4}, measured)


@pytest.fixture()
def hand_study():
    dense = [_run(s, "dense", 0.76, {"cpu-avx2": 2e-3, "gpu-ampere": 2e-5}, profile=None, budget=None, search_s=0.0,
                  measured=0.010 + 0.002 * s) for s in (0, 1)]
    cut = [_run(0, "global", 0.75, {"cpu-avx2": 1e-3, "gpu-ampere": 1.8e-5}, search_s=10.0, measured=0.005),
           _run(1, "global", 0.77, {"cpu-avx2": 0.6e-3, "gpu-ampere": 1.6e-5}, search_s=30.0, measured=0.007),
           _run(0, "uniform_channel", 0.74, {"cpu-avx2": 1e-3, "gpu-ampere": 2e-5}, search_s=2.0),
           _run(1, "uniform_channel", 0.74, {"cpu-avx2": 1e-3, "gpu-ampere": 2e-5}, search_s=4.0),
           _run(0, "netadapt", 0.70, {"cpu-avx2": 1e-3, "gpu-ampere": 2e-5}, search_s=70.0)]
    return Study(tuple(dense + cut), (), (), {"batch": 256})


def test_latency_table_gives_every_profile_measured_time_and_search_time(hand_study):
    lines = hand_study.latency_table().splitlines()
    assert "simulator outputs" in lines[0] and "batch 256" in lines[0]
    assert lines[1].split()[4:6] == ["cpu-avx2", "gpu-ampere"]
    rows = {line.split()[3]: line.split() for line in lines[2:]}
    # Dense shows its own simulated times; each seed's pruned model is divided by the same seed's dense one.
    assert rows["dense"][4:7] == ["(2", "ms)", "(20"]
    assert rows["global"][4:6] == ["0.400", "0.850"]  # cpu (0.5 + 0.3) / 2, gpu (0.9 + 0.8) / 2
    assert rows["global"][6] == "6.00" and rows["global"][7:] == ["20.0", "/", "30.0"]  # mean ms; search mean / max
    assert rows["uniform_channel"][6] == "-"  # not measured
    assert rows["netadapt"][7:] == ["70.0", "/", "70.0"]
    assert [line.split()[3] for line in lines[2:]] == ["dense", "uniform_channel", "netadapt", "global"]


def test_latency_table_picks_profiles_and_renders_markdown(hand_study):
    markdown = hand_study.latency_table(["gpu-ampere"], markdown=True).splitlines()
    assert markdown[0] == "| model | target | budget | method | gpu-ampere | measured ms | search s (mean / max) |"
    assert markdown[1] == "| --- | --- | --- | --- | --- | --- | --- |"
    assert markdown[-1] == "| mlp | cpu-avx2 | 0.5 | global | 0.850 | 6.00 | 20.0 / 30.0 |"
    with pytest.raises(ValueError, match=r"profiles must be among the runs' profiles \['cpu-avx2', 'gpu-ampere'\]"):
        hand_study.latency_table(["npu-systolic"])
    with pytest.raises(TypeError, match="profiles must be a sequence of profile names, got"):
        hand_study.latency_table("cpu-avx2")
    with pytest.raises(TypeError, match="markdown must be True or False"):
        hand_study.latency_table(markdown="yes")
    # Without its dense run (a partial study) a row has no ratio to show, and says so instead of failing.
    alone = Study(tuple(r for r in hand_study.runs if r.method != "dense"), (), ())
    assert alone.latency_table(markdown=True).splitlines()[-1] == "| mlp | cpu-avx2 | 0.5 | global | - | - | 6.00 | 20.0 / 30.0 |"
    assert "global" in str(alone)


def test_accuracy_table_gain_is_per_seed(hand_study):
    row = hand_study.accuracy_table(markdown=True).splitlines()[-1]
    # global 75, 77 against uniform 74, 74: per-seed gains +1 and +3; NetAdapt ran one seed, global magnitude none.
    assert row == "| mlp | cpu-avx2 | 0.5 | 74.00 +- 0.00 | - | 70.00 +- 0.00 | 76.00 +- 1.41 | +2.00 +- 1.41 |"
    text = hand_study.accuracy_table()
    assert text.splitlines()[0].split()[:3] == ["model", "target", "budget"] and "+2.00 +- 1.41" in text


def test_targets_name_the_latency_targeted_methods_and_netadapts_search(hand_study):
    checks = {c.target: c for c in hand_study.check_targets()}
    budget = checks["every latency-targeted run (uniform, NetAdapt, global) meets its budget in simulation"]
    assert budget.status == "MET" and budget.detail == "5 of 5 runs"
    search = checks["each global search under 60 s"]
    assert search.status == "MET" and search.detail == "slowest 30.0 s (NetAdapt, for comparison: slowest 70.0 s)"
    # Global magnitude is matched on parameters, not latency: its run at 0.95 of dense is not counted against the budget.
    from dataclasses import replace
    magnitude = replace(hand_study.runs[-1], method="global_magnitude", latency_ratio=0.95)
    with_magnitude = Study((*hand_study.runs, magnitude), (), (), hand_study.settings)
    budget = {c.target: c for c in with_magnitude.check_targets()}[
        "every latency-targeted run (uniform, NetAdapt, global) meets its budget in simulation"]
    assert budget.status == "MET" and budget.detail == "5 of 5 runs"
    over = replace(hand_study.runs[-1], latency_ratio=0.95)  # the same miss by a latency-targeted method counts
    missed = {c.target: c for c in Study((*hand_study.runs, over), (), (), hand_study.settings).check_targets()}
    assert missed["every latency-targeted run (uniform, NetAdapt, global) meets its budget in simulation"].status == "MISSED"


def test_latency_floor_is_every_prunable_layer_at_one_unit():
    from hwprune_edu.nn.data import digits_mlp
    from hwprune_edu.studies.search import latency_floor, simulated_latency

    for profile in ("gpu-ampere", "npu-systolic", "cpu-avx2"):
        expected = (simulated_latency(digits_mlp(hidden=(1, 1)), profile, batch=256)
                    / simulated_latency(digits_mlp(), profile, batch=256))
        assert latency_floor(digits_mlp(), profile, batch=256) == pytest.approx(expected, rel=1e-12)
    # Launch overheads: at batch 256 the GPU profile cannot get this MLP below about 0.81 of dense, at 4096 it can.
    assert 0.80 < latency_floor(digits_mlp(), "gpu-ampere", batch=256) < 0.82
    assert latency_floor(digits_mlp(), "gpu-ampere", batch=4096) < 0.3
    import torch

    with pytest.raises(ValueError, match="model has no prunable layer"):
        latency_floor(torch.nn.Sequential(torch.nn.Linear(64, 10)), "cpu-avx2")

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

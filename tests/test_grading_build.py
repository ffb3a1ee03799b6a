"""exercises/ is generated from solutions/: no drift, no leaked answers, nbgrader-ready metadata."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from hwprune_edu.course.cli import main
from hwprune_edu.grading import NOTEBOOKS
from hwprune_edu.grading.build import BEGIN, END, build_exercises, strip_solutions

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def test_there_are_six_exercise_notebooks():
    assert [p.stem for p in SOLUTIONS] == ["01_weight_pruning", "02_structured_masks", "03_activation_pruning",
                                            "04_hardware_cost", "05_spot_the_bug", "06_one_shot_pruning"]


def test_exercises_are_exactly_what_the_builder_makes(tmp_path):
    built = build_exercises(ROOT / "solutions", tmp_path)
    stored = sorted((ROOT / "exercises").glob("*.ipynb"))
    assert [p.name for p in built] == [p.name for p in stored]
    for fresh, committed in zip(built, stored):
        assert fresh.read_bytes() == committed.read_bytes(), f"{committed.name} drifted: run `make exercises`"


def test_the_builder_is_deterministic(tmp_path):
    first = [p.read_bytes() for p in build_exercises(ROOT / "solutions", tmp_path / "a")]
    second = [p.read_bytes() for p in build_exercises(ROOT / "solutions", tmp_path / "b")]
    assert first == second


def test_strip_keeps_signature_docstring_and_indentation():
    source = 'def f(x):\n    """Doc."""\n    ### BEGIN SOLUTION\n    y = x + 1\n    return y\n    ### END SOLUTION\n'
    stripped = strip_solutions(source)
    assert stripped == 'def f(x):\n    """Doc."""\n    # YOUR CODE HERE\n    raise NotImplementedError()\n'
    ast.parse(stripped)
    assert strip_solutions("no region here") == "no region here"
    assert strip_solutions(f"{BEGIN}\nan answer\n{END}", cell_type="markdown") == "YOUR ANSWER HERE"


@pytest.mark.parametrize("source", [f"{END}\n", f"{BEGIN}\nx = 1\n", f"{BEGIN}\n{BEGIN}\n{END}\n{END}\n"])
def test_unbalanced_markers_are_clear_errors(source):
    with pytest.raises(ValueError, match="SOLUTION"):
        strip_solutions(source, where="nb cell 3")


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_exercises_leak_no_answers_and_store_no_outputs(path):
    exercise = nbformat.read(ROOT / "exercises" / path.name, as_version=4)
    solution = nbformat.read(path, as_version=4)
    for before, after in zip(solution.cells, exercise.cells):
        assert before.get("id") == after.get("id")
        if after.cell_type == "code":
            assert after.outputs == [] and after.execution_count is None
            ast.parse(after.source)  # stubs are valid Python
        assert BEGIN not in after.source and END not in after.source
        if BEGIN in before.source:
            assert "raise NotImplementedError()" in after.source
            assert after.source.split("\n")[0] == before.source.split("\n")[0]  # the signature stays


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_notebooks_carry_nbgrader_metadata_and_end_with_a_summary(path):
    notebook = nbformat.read(path, as_version=4)
    name = notebook.metadata["hwprune_edu"]["exercise_notebook"]
    assert name == path.stem and name in NOTEBOOKS
    checked, grade_ids = [], []
    for cell in notebook.cells:
        meta = cell.metadata.get("nbgrader")
        if BEGIN in cell.source:
            assert meta and meta["solution"] and not meta["grade"] and meta["schema_version"] == 3
        if cell.cell_type == "code" and cell.source.startswith("check("):
            assert meta and meta["grade"] and meta["locked"] and meta["points"] >= 1
            checked.append(ast.literal_eval(cell.source[len("check("):].split(",")[0]))
        if meta:
            grade_ids.append(meta["grade_id"])
    assert len(grade_ids) == len(set(grade_ids))
    assert checked == list(NOTEBOOKS[name])
    assert notebook.cells[-1].source == f'summary("{name}")'


def test_cli_build_exercises(tmp_path, capsys):
    assert main(["build-exercises", "--solutions", str(ROOT / "solutions"), "--out", str(tmp_path)]) == 0
    assert len(list(tmp_path.glob("*.ipynb"))) == len(SOLUTIONS)
    assert "wrote" in capsys.readouterr().out
    # A folder that is not there is a usage error, found before anything is built.
    assert main(["build-exercises", "--solutions", str(tmp_path / "none"), "--out", str(tmp_path)]) == 2


# --------------------------------------------------------------------------- the learner's work is never lost


def _one_solution(folder: Path) -> Path:
    folder.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        f"def f(x):\n    {BEGIN}\n    return x + 1\n    {END}\n")])
    nbformat.write(notebook, folder / "01_one.ipynb")
    return folder


def test_an_edited_exercise_is_never_overwritten_without_force(tmp_path):
    solutions, out = _one_solution(tmp_path / "solutions"), tmp_path / "exercises"
    (target,) = build_exercises(solutions, out)
    build_exercises(solutions, out)  # untouched, even run again: replaced freely
    learner = nbformat.read(target, as_version=4)
    learner.cells[0].source = "def f(x):\n    return x + 1  # my answer\n"
    learner.cells[0].outputs = []
    nbformat.write(learner, target)
    with pytest.raises(ValueError, match="01_one.ipynb.*--force"):
        build_exercises(solutions, out)
    assert "my answer" in target.read_text()  # nothing written
    build_exercises(solutions, out, force=True)
    assert "my answer" not in target.read_text()


def test_running_an_exercise_without_editing_it_does_not_protect_it(tmp_path):
    solutions, out = _one_solution(tmp_path / "solutions"), tmp_path / "exercises"
    (target,) = build_exercises(solutions, out)
    ran = nbformat.read(target, as_version=4)
    ran.cells[0].outputs = [nbformat.v4.new_output("stream", text="hello")]
    ran.cells[0].execution_count = 1
    nbformat.write(ran, target)
    build_exercises(solutions, out)
    assert "hello" not in target.read_text()


@pytest.mark.parametrize("inside", [False, True])
def test_out_may_not_be_the_solutions_folder_or_inside_it(tmp_path, inside):
    solutions = _one_solution(tmp_path / "solutions")
    before = (solutions / "01_one.ipynb").read_text()
    with pytest.raises(ValueError, match="out_dir must not be the solutions folder"):
        build_exercises(solutions, solutions / "sub" if inside else solutions)
    assert (solutions / "01_one.ipynb").read_text() == before


def test_cli_refuses_to_overwrite_edits_in_one_line(tmp_path, capsys):
    solutions, out = _one_solution(tmp_path / "solutions"), tmp_path / "exercises"
    assert main(["build-exercises", "--solutions", str(solutions), "--out", str(out)]) == 0
    (out / "01_one.ipynb").write_text((out / "01_one.ipynb").read_text().replace("raise NotImplementedError",
                                                                                  "return x + 1"))
    capsys.readouterr()
    assert main(["build-exercises", "--solutions", str(solutions), "--out", str(out)]) == 1
    message = capsys.readouterr().err
    assert message.startswith("hwprune-edu build-exercises: error: ") and "--force" in message
    assert message.count("\n") == 1
    assert main(["build-exercises", "--solutions", str(solutions), "--out", str(solutions)]) == 2

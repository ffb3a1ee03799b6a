"""nbgrader for real: generate_assignment, then autograde the solution and a mistaken submission.

nbgrader is the `instructor` extra, not part of the course's pinned environment,
so this runs where an interpreter with nbgrader 0.9.6 is available: the one
running the tests, or the one named by HWPRUNE_EDU_NBGRADER_PYTHON (for
example a venv made with `pip install -r requirements-lock.txt nbgrader==0.9.6`
and this checkout installed with `--no-deps`). Elsewhere it is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from hwprune_edu.grading.build import nbgrader_course

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "04_hardware_cost"


def _nbgrader_python() -> str | None:
    candidates = [os.environ.get("HWPRUNE_EDU_NBGRADER_PYTHON", ""), sys.executable]
    for python in filter(None, candidates):
        probe = subprocess.run([python, "-c", "import nbgrader, hwprune_edu; print(nbgrader.__version__)"],
                               capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == "0.9.6":
            return python
    return None


PYTHON = _nbgrader_python()
pytestmark = pytest.mark.skipif(PYTHON is None, reason="nbgrader 0.9.6 is not installed (the `instructor` extra)")


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    # nbgrader runs its own tools (alembic) from PATH: the interpreter's bin folder goes first.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HWPRUNE_EDU_GRADING_SEED": "271828",
           "PATH": f"{Path(PYTHON).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("NBGRADER_EXECUTION", None)
    run = subprocess.run([PYTHON, "-m", "nbgrader", *args, "--force"], cwd=course, capture_output=True, text=True,
                         env=env, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run


def _scores(course: Path, student: str) -> dict[str, float]:
    graded = nbformat.read(course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    scores = {}
    for cell in graded.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            scores[meta["grade_id"]] = cell.outputs
    return scores


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    nbgrader_course(ROOT / "solutions", course)
    shutil.rmtree(course / "source")  # one assignment is enough for the round trip
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / f"{ASSIGNMENT}.ipynb", course / "source" / ASSIGNMENT)
    _nbgrader(course, "generate_assignment", ASSIGNMENT, "--CourseDirectory.db_assignments=[{'name': '%s'}]" % ASSIGNMENT)
    release = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    for student, edit in (("good", None), ("mistaken", "return 2 * m * n * k")):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        notebook = nbformat.read(ROOT / "solutions" / f"{ASSIGNMENT}.ipynb", as_version=4)
        released = nbformat.read(release, as_version=4)
        # The student's copy is the release with the solutions written in (the mistaken one counts FLOPs).
        for mine, theirs in zip(released.cells, notebook.cells):
            if mine.metadata.get("nbgrader", {}).get("solution"):
                mine.source = theirs.source.replace("return m * n * k", edit) if edit else theirs.source
        nbformat.write(released, folder / f"{ASSIGNMENT}.ipynb")
    run = _nbgrader(course, "autograde", ASSIGNMENT, "--CourseDirectory.db_students=[{'id': 'good'}, {'id': 'mistaken'}]")
    return course, run


def test_the_layout_and_config_work_as_the_readme_says(course):
    course, _ = course
    assert (course / "nbgrader_config.py").exists()
    assert (course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()


def test_autograde_gives_full_marks_to_the_solution_and_logs_no_float_warning(course):
    course, run = course
    assert "cannot be converted to a float" not in run.stdout + run.stderr
    for grade_id, outputs in _scores(course, "good").items():
        results = [o for o in outputs if o.output_type == "execute_result"]
        assert results and float(results[0].data["text/plain"]) == 1.0, grade_id
        assert not any(o.output_type == "stream" and o.name == "stderr" for o in outputs), grade_id


def test_a_mistaken_submission_gets_partial_credit_with_the_hint(course):
    course, _ = course
    outputs = _scores(course, "mistaken")["check-gemm_macs"]
    result = next(o for o in outputs if o.output_type == "execute_result")
    assert float(result.data["text/plain"]) < 1.0
    assert "FLOPs" in result.data["text/html"]

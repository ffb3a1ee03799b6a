"""nbgrader for real: generate_assignment, then autograde the solution and a mistaken submission.

nbgrader is the `instructor` extra, pinned in requirements-instructor.txt, which
`make test` (and so CI) installs beside the course's lock: there this test runs,
and `HWPRUNE_EDU_REQUIRE_NBGRADER=1` (set by the Makefile) turns a missing
nbgrader into a failure instead of a skip. Elsewhere it runs where an
interpreter with nbgrader 0.9.6 is available (the one running the tests, or the
one named by HWPRUNE_EDU_NBGRADER_PYTHON) and is skipped otherwise. The pins
themselves are checked everywhere.
"""

from __future__ import annotations

import json
import os
import re
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
if PYTHON is None and os.environ.get("HWPRUNE_EDU_REQUIRE_NBGRADER"):
    raise RuntimeError("HWPRUNE_EDU_REQUIRE_NBGRADER is set but no interpreter has nbgrader 0.9.6 and hwprune_edu "
                       "(make test installs requirements-instructor.txt)")
needs_nbgrader = pytest.mark.skipif(PYTHON is None, reason="nbgrader 0.9.6 is not installed (the `instructor` extra)")
# The mistaken student: counts FLOPs as MACs (no credit for gemm_macs) and hard-codes 4-byte elements (right
# for the cases at the default size only: partial credit for gemm_bytes); the intensity is built on both.
MISTAKES = {"return m * n * k": "return 2 * m * n * k",
            "return bytes_per_element * (m * k": "return 4 * (m * k"}


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
    for student, edits in (("good", {}), ("mistaken", MISTAKES)):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        notebook = nbformat.read(ROOT / "solutions" / f"{ASSIGNMENT}.ipynb", as_version=4)
        released = nbformat.read(release, as_version=4)
        # The student's copy is the release (stubs where the solutions were) with the solutions written in.
        assert any("NotImplementedError" in c.source for c in released.cells), "the release must hide the solutions"
        for mine, theirs in zip(released.cells, notebook.cells):
            if mine.metadata.get("nbgrader", {}).get("solution"):
                source = theirs.source
                for right, wrong in edits.items():
                    source = source.replace(right, wrong)
                mine.source = source
        for right in edits:
            assert not any(right in c.source for c in released.cells), f"the mistake {right!r} was not made"
        nbformat.write(released, folder / f"{ASSIGNMENT}.ipynb")
    run = _nbgrader(course, "autograde", ASSIGNMENT, "--CourseDirectory.db_students=[{'id': 'good'}, {'id': 'mistaken'}]")
    return course, run


def _gradebook(course: Path) -> dict:
    """What nbgrader's own gradebook recorded: per student, the total and each check cell's score."""
    script = (
        "import json, sys\n"
        "from nbgrader.api import Gradebook\n"
        "assignment, notebook = sys.argv[1], sys.argv[1]\n"
        "out = {}\n"
        "with Gradebook('sqlite:///gradebook.db') as gb:\n"
        "    for student in ('good', 'mistaken'):\n"
        "        sub = gb.find_submission(assignment, student)\n"
        "        cells = {g.name: gb.find_grade(g.name, notebook, assignment, student).score\n"
        "                 for g in gb.find_notebook(notebook, assignment).grade_cells}\n"
        "        out[student] = {'score': sub.score, 'max_score': sub.max_score, 'cells': cells}\n"
        "print(json.dumps(out))\n")
    run = subprocess.run([PYTHON, "-c", script, ASSIGNMENT], cwd=course, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout)


@needs_nbgrader
def test_the_gradebook_gives_full_marks_to_the_solution_and_partial_credit_to_the_mistakes(course):
    course, _ = course
    book = _gradebook(course)
    good, mistaken = book["good"], book["mistaken"]
    assert good["max_score"] == 5 and good["score"] == 5, good
    cells = mistaken["cells"]
    assert cells["check-gemm_macs"] == 0, cells
    assert 0 < cells["check-gemm_bytes"] < 1, cells  # a fraction of the cases: nbgrader's partial credit
    # Built on both wrong functions: wrong but for the odd case where the two mistakes cancel (8-byte elements).
    assert cells["check-gemm_arithmetic_intensity"] < 1, cells
    assert cells["check-roofline_latency"] == 1 and cells["check-systolic_cycles"] == 1, cells
    assert mistaken["score"] == pytest.approx(sum(cells.values())) and 2 < mistaken["score"] < 3, mistaken


@needs_nbgrader
def test_the_layout_and_config_work_as_the_readme_says(course):
    course, _ = course
    assert (course / "nbgrader_config.py").exists()
    assert (course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()


@needs_nbgrader
def test_autograde_gives_full_marks_to_the_solution_and_logs_no_float_warning(course):
    course, run = course
    assert "cannot be converted to a float" not in run.stdout + run.stderr
    for grade_id, outputs in _scores(course, "good").items():
        results = [o for o in outputs if o.output_type == "execute_result"]
        assert results and float(results[0].data["text/plain"]) == 1.0, grade_id
        assert not any(o.output_type == "stream" and o.name == "stderr" for o in outputs), grade_id


@needs_nbgrader
def test_a_mistaken_submission_gets_partial_credit_with_the_hint(course):
    course, _ = course
    scores = _scores(course, "mistaken")
    results = {grade_id: next(o for o in outputs if o.output_type == "execute_result")
               for grade_id, outputs in scores.items()}
    assert float(results["check-gemm_macs"].data["text/plain"]) == 0.0
    assert "FLOPs" in results["check-gemm_macs"].data["text/html"]
    assert 0.0 < float(results["check-gemm_bytes"].data["text/plain"]) < 1.0
    assert "bytes_per_element" in results["check-gemm_bytes"].data["text/html"]


# ---------------------------------------------------------------- the pins, checked everywhere

def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


def test_the_instructor_lock_pins_the_extra_beside_the_course_lock_unchanged():
    import tomllib

    instructor = ROOT / "requirements-instructor.txt"
    assert "-r requirements-lock.txt" in instructor.read_text().splitlines()
    extra, course = _pins(instructor), _pins(ROOT / "requirements-lock.txt")
    assert extra["nbgrader"] == "0.9.6"
    assert not set(extra) & set(course), "the extra adds packages; it never re-pins the course's"
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["instructor"]
    for requirement in declared:
        name, version = requirement.split("==")
        assert extra[re.sub(r"[-_.]+", "-", name).lower()] == version, requirement


def test_make_test_installs_the_instructor_lock_and_requires_nbgrader():
    makefile = (ROOT / "Makefile").read_text()
    assert "requirements-instructor.txt" in makefile
    unit = re.search(r"^unit:.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
    assert unit and "HWPRUNE_EDU_REQUIRE_NBGRADER=1" in unit.group(1)

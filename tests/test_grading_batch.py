"""Batch grading: fresh kernels, judging in the grader's process, no credit for faking, crashing or looping."""

from __future__ import annotations

import csv

import nbformat
import pytest

from hwprune_edu.course.cli import main
from hwprune_edu.grading.batch import expected_exercises

GOOD = '''
import numpy as np
from hwprune_edu.grading import check

def threshold_mask(weights, threshold):
    return np.abs(weights) > threshold

def magnitude_mask(weights, amount):
    while True:  # an infinite loop inside the learner's function: only this exercise fails
        pass

check("threshold_mask", threshold_mask)
if False:
    check("magnitude_mask", magnitude_mask)
'''

FAKING = '''
import dataclasses
import numpy as np
import hwprune_edu.grading as grading
import hwprune_edu.grading.checks as checks
import hwprune_edu.grading.registry as registry
import hwprune_edu.grading.sandbox as sandbox
import hwprune_edu.pruning as pruning
from hwprune_edu.pruning import magnitude_mask

def threshold_mask(weights, threshold):
    return np.zeros(np.shape(weights), dtype=bool)  # wrong on purpose

# Make every judge in this kernel agree, and fake the reports.
pruning.threshold_mask = threshold_mask
registry.EXERCISES["threshold_mask"] = dataclasses.replace(registry.EXERCISES["threshold_mask"],
                                                           reference=threshold_mask)
sandbox.run_cases = lambda fn, cases, **kw: [{"status": "ok", "output": True, "error": None, "mutated": None,
                                              "printed": ""} for _ in cases]

class Report:
    passed, score, status = True, 1.0, "pass"

def check(name, fn, **kwargs):
    return Report()

grading.check = checks.check = check
check("threshold_mask", threshold_mask)
check("magnitude_mask", magnitude_mask)  # the library's own function
'''

CRASHING = '''
import numpy as np
from hwprune_edu.grading import check

def threshold_mask(weights, threshold):
    return np.abs(weights) > threshold

check("threshold_mask", threshold_mask)
1 / 0
'''

LOOPING = '''
from hwprune_edu.grading import check

def threshold_mask(weights, threshold):
    return abs(weights) > threshold

check("threshold_mask", threshold_mask)
while True:
    pass
'''

DYING = '''
import os
from hwprune_edu.grading import check

def threshold_mask(weights, threshold):
    return abs(weights) > threshold

check("threshold_mask", threshold_mask)
os._exit(1)
'''


def _write(path, *cells, metadata=None):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c.strip()) for c in cells])
    notebook.metadata.update(metadata or {})
    notebook.cells[0].outputs = [nbformat.v4.new_output("stream", text="threshold_mask: all 11 cases passed\n")]
    nbformat.write(notebook, path)
    return path


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    for name, source in [("good", GOOD), ("faking", FAKING), ("crashing", CRASHING), ("looping", LOOPING),
                         ("dying", DYING)]:
        # The imports sit in their own cell, so a crash is reported with its cell number.
        head, _, rest = source.strip().partition("\n\n")
        _write(folder / f"{name}.ipynb", head, rest)
    out = folder / "grades.csv"
    status = main(["grade", str(folder), "--jobs", "2", "--timeout", "3", "--case-timeout", "0.5", "--csv", str(out)])
    with open(out) as handle:
        rows = list(csv.DictReader(handle))
    return status, {(r["notebook"].rsplit("/", 1)[1], r["exercise"]): r for r in rows}


def test_exit_status_is_one_when_some_notebook_did_not_pass(graded):
    status, _ = graded
    assert status == 1


def test_csv_has_one_row_per_notebook_and_exercise(graded):
    _, rows = graded
    assert set(rows) == {("good.ipynb", "threshold_mask"), ("good.ipynb", "magnitude_mask"),
                         ("faking.ipynb", "threshold_mask"), ("faking.ipynb", "magnitude_mask"),
                         ("crashing.ipynb", "threshold_mask"), ("looping.ipynb", "threshold_mask"),
                         ("dying.ipynb", "threshold_mask")}
    assert len({r["seed"] for r in rows.values()}) == 1


def test_a_good_function_passes_and_a_looping_function_fails_alone(graded):
    _, rows = graded
    assert rows[("good.ipynb", "threshold_mask")]["passed"] == "yes"
    looping = rows[("good.ipynb", "magnitude_mask")]
    assert looping["passed"] == "no" and "infinite loop" in looping["message"]


def test_faking_check_report_and_the_library_gains_nothing(graded):
    _, rows = graded
    faked = rows[("faking.ipynb", "threshold_mask")]
    assert faked["passed"] == "no" and faked["status"] == "fail" and int(faked["cases_passed"]) < 5
    assert "library" in rows[("faking.ipynb", "magnitude_mask")]["message"]


@pytest.mark.parametrize("name,words", [("crashing.ipynb", "cell 1 raised ZeroDivisionError"),
                                        ("looping.ipynb", "cell 1 ran longer than 3 s and was interrupted")])
def test_a_cell_that_raises_or_is_interrupted_is_a_warning_and_grading_goes_on(graded, name, words):
    _, rows = graded
    row = rows[(name, "threshold_mask")]
    assert row["passed"] == "yes" and words in row["warnings"]


def test_a_notebook_that_ends_its_own_process_gets_no_credit(graded):
    _, rows = graded
    row = rows[("dying.ipynb", "threshold_mask")]
    assert row["status"] == "died" and row["passed"] == "no" and row["score"] == "0.00"
    assert "process ended during cell 1" in row["message"]


def test_the_grader_failing_on_one_notebook_is_exit_two_with_every_row_written(tmp_path, monkeypatch):
    from hwprune_edu.grading import batch

    good = _write(tmp_path / "a.ipynb", GOOD.split("\n\n")[0], "def threshold_mask(w, t):\n    return abs(w) > t\n"
                  "check('threshold_mask', threshold_mask)")
    _write(tmp_path / "b.ipynb", "from hwprune_edu.grading import check", "check('nm_mask', print)")
    real = batch.grade_submission

    def flaky(submission, *args):
        if submission.path.endswith("b.ipynb"):
            raise RuntimeError("simulated grader bug")
        return real(submission, *args)

    monkeypatch.setattr(batch, "grade_submission", flaky)
    out = tmp_path / "g.csv"
    assert main(["grade", str(good), str(tmp_path / "b.ipynb"), "--csv", str(out)]) == 2
    with open(out) as handle:
        rows = {r["notebook"].rsplit("/", 1)[1]: r for r in csv.DictReader(handle)}
    assert rows["a.ipynb"]["passed"] == "yes" and rows["b.ipynb"]["status"] == "grader error"


def test_the_seed_is_fresh_printed_and_reproducible(tmp_path, capsys):
    path = _write(tmp_path / "a.ipynb", "from hwprune_edu.grading import check",
                  "def threshold_mask(w, t):\n    return abs(w) > t\ncheck('threshold_mask', threshold_mask)")
    seeds = []
    for argv in (["grade", str(path)], ["grade", str(path)]):
        assert main(argv) == 0
        seeds.append(capsys.readouterr().out.split("seed ")[1].split()[0])
    assert seeds[0] != seeds[1]
    assert main(["grade", str(path), "--seed", seeds[0]]) == 0
    assert f"seed {seeds[0]} " in capsys.readouterr().out


def test_unconfined_grading_warns_and_still_grades(tmp_path, capsys, monkeypatch):
    from hwprune_edu.grading import confine

    monkeypatch.setattr(confine, "bwrap_available", lambda: None)
    path = _write(tmp_path / "a.ipynb", "from hwprune_edu.grading import check\nfrom hwprune_edu import pruning",
                  "def threshold_mask(w, t):\n    return pruning.threshold_mask(w, t)\n"
                  "check('threshold_mask', threshold_mask)")
    assert main(["grade", str(path)]) == 1
    captured = capsys.readouterr()
    assert "confinement is off" in captured.err and "not available while your notebook is graded" in captured.out
    assert main(["grade", str(path), "--require-confinement"]) == 2


def test_expected_exercises_come_from_metadata_file_name_and_check_calls():
    empty = {"metadata": {}, "cells": []}
    assert list(expected_exercises(empty, "alice-04_hardware_cost.ipynb"))[:2] == ["gemm_macs", "gemm_bytes"]
    calls = {"metadata": {}, "cells": [{"cell_type": "code", "source": "%matplotlib inline\n"
                                        "r = check('nm_mask', lambda w, n=2, m=4, *, axis=1: my(w))\n"
                                        "grading.check('block_mask', blocks)"}]}
    found = expected_exercises(calls, "x.ipynb")
    assert found == {"nm_mask": "lambda w, n=2, m=4, *, axis=1: my(w)", "block_mask": "blocks"}
    assert expected_exercises({"metadata": {}, "cells": [{"cell_type": "code", "source": "def (:"}]}, "x.ipynb") == {}


def test_solution_notebooks_pass_the_grader_with_its_own_hidden_cases(tmp_path, capsys):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    paths = [str(root / "solutions" / name) for name in ("01_weight_pruning.ipynb", "04_hardware_cost.ipynb")]
    assert main(["grade", *paths, "--jobs", "2", "--seed", "99", "--csv", str(tmp_path / "g.csv")]) == 0
    out = capsys.readouterr().out
    assert "4/4 exercises passed" in out and "5/5 exercises passed" in out and "2/2 notebooks passed" in out


@pytest.mark.parametrize("option,value", [("--jobs", "0"), ("--timeout", "0"), ("--notebook-timeout", "nan"),
                                          ("--case-timeout", "-1"), ("--memory-mb", "10")])
def test_bad_options_are_a_usage_error(tmp_path, option, value):
    assert main(["grade", str(tmp_path), option, value]) == 2


def test_nbgrader_submitted_layout_gives_a_gradebook_row_per_student(tmp_path):
    good = "def threshold_mask(w, t):\n    return abs(w) > t\ncheck('threshold_mask', threshold_mask)"
    stub = "def threshold_mask(w, t):\n    raise NotImplementedError()\ncheck('threshold_mask', threshold_mask)"
    for student, body in (("ada", good), ("bob", stub)):
        folder = tmp_path / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        _write(folder / "ps1.ipynb", "from hwprune_edu.grading import check", body)
    out, book = tmp_path / "g.csv", tmp_path / "book.csv"
    assert main(["grade", str(tmp_path / "submitted"), "--csv", str(out), "--gradebook", str(book)]) == 1
    with open(out) as handle:
        rows = {r["student"]: r for r in csv.DictReader(handle)}
    assert rows["ada"]["assignment"] == "ps1" and rows["ada"]["passed"] == "yes" and rows["bob"]["passed"] == "no"
    with open(book) as handle:
        assert list(csv.reader(handle)) == [["student", "ps1", "total"], ["ada", "1.00", "1.00"], ["bob", "0.00", "0.00"]]


def test_a_sandbox_that_cannot_start_is_the_graders_failure(tmp_path, monkeypatch):
    from hwprune_edu.grading import confine

    path = _write(tmp_path / "a.ipynb", "from hwprune_edu.grading import check",
                  "def threshold_mask(w, t):\n    return abs(w) > t\ncheck('threshold_mask', threshold_mask)")
    real = confine.command
    monkeypatch.setattr(confine, "command", lambda *a, **k: (["/bin/false"], real(*a, **k)[1]))
    out = tmp_path / "g.csv"
    assert main(["grade", str(path), "--csv", str(out)]) == 2
    with open(out) as handle:
        assert next(csv.DictReader(handle))["status"] == "grader error"


def test_grade_refuses_an_output_over_a_notebook_inside_a_graded_folder(tmp_path):
    """--csv naming a notebook the folder argument holds would overwrite that submission after grading."""
    import hashlib
    from pathlib import Path
    import shutil
    import subprocess
    import sys

    notebook = tmp_path / "alice" / "nb.ipynb"
    notebook.parent.mkdir()
    shutil.copy(Path(__file__).resolve().parents[1] / "exercises" / "01_weight_pruning.ipynb", notebook)
    before = hashlib.md5(notebook.read_bytes()).hexdigest()
    for option in ("--csv", "--gradebook"):
        run = subprocess.run([sys.executable, "-m", "hwprune_edu", "grade", str(tmp_path), option, str(notebook),
                              "--seed", "1"], capture_output=True, text=True, timeout=120)
        assert run.returncode == 2, run.stderr
        assert f"{option} must not be one of the notebooks to grade" in run.stderr
        assert "Traceback" not in run.stderr
    assert hashlib.md5(notebook.read_bytes()).hexdigest() == before

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
    status = main(["grade", str(folder), "--jobs", "2", "--timeout", "6", "--case-timeout", "0.5", "--csv", str(out)])
    with open(out) as handle:
        rows = list(csv.DictReader(handle))
    return status, {(r["notebook"].rsplit("/", 1)[1], r["exercise"]): r for r in rows}


def test_exit_status_is_nonzero_unless_everything_passes(graded):
    status, _ = graded
    assert status == 1


def test_csv_has_one_row_per_notebook_and_exercise(graded):
    _, rows = graded
    assert set(rows) == {("good.ipynb", "threshold_mask"), ("good.ipynb", "magnitude_mask"),
                         ("faking.ipynb", "threshold_mask"), ("faking.ipynb", "magnitude_mask"),
                         ("crashing.ipynb", "threshold_mask"), ("looping.ipynb", "threshold_mask"),
                         ("dying.ipynb", "threshold_mask")}


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


@pytest.mark.parametrize("name,status,words", [("crashing.ipynb", "error", "ZeroDivisionError"),
                                               ("looping.ipynb", "timeout", "infinite loop"),
                                               ("dying.ipynb", "kernel died", "kernel died")])
def test_crashing_looping_and_dying_notebooks_get_no_credit(graded, name, status, words):
    _, rows = graded
    row = rows[(name, "threshold_mask")]
    assert row["status"] == status and row["passed"] == "no" and row["score"] == "0.00"
    assert words in row["message"] and "cell 1" in row["message"]


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


def test_bad_jobs_is_a_usage_error(tmp_path):
    assert main(["grade", str(tmp_path), "--jobs", "0"]) == 2

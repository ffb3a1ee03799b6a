"""The red team: every notebook in tests/redteam/ tries to cheat or to sabotage; none gets credit, none hurts a classmate.

One batch grades them all together with two honest classmates (copies of the
solution notebooks 01 and 04) and a few notebooks whose JSON itself is odd.
Where bubblewrap works the batch is confined, as in CI; elsewhere the attacks
that only confinement stops (writing into this checkout, killing the grader,
reading the grader's own files) are left out and the grader warns that
confinement is off.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from hwprune_edu.grading import confine
from hwprune_edu.grading.checks import make_exercise_cases
from hwprune_edu.pruning import magnitude_mask

ROOT = Path(__file__).resolve().parents[1]
RED = Path(__file__).resolve().parent / "redteam"
PACKAGE = ROOT / "hwprune_edu"
CONFINED = bool(confine.bwrap_available())
CLASSMATES = ("01_weight_pruning.ipynb", "04_hardware_cost.ipynb")


def _answer_table() -> str:
    table = {}
    for seed in (0, 1729):
        for case in make_exercise_cases("magnitude_mask", seed):
            w, amount = case.arguments["weights"], case.arguments["amount"]
            key = hashlib.sha256(np.ascontiguousarray(w).tobytes() + repr(amount).encode()).hexdigest()
            table[key] = magnitude_mask(w, amount).ravel().tolist()
    return repr(table)


def _notebook(path: Path, folder: Path) -> nbformat.NotebookNode:
    text = path.read_text()
    text = text.replace("@@PACKAGE@@", str(PACKAGE)).replace("@@FOLDER@@", str(folder))
    if "@@TABLE@@" in text:
        text = text.replace("@@TABLE@@", _answer_table())
    cells = [c.strip("\n") for c in text.split("# %%\n")]
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])


def attacks() -> list[str]:
    return sorted(p.stem for p in RED.glob("*.py") if CONFINED or "# needs: confinement" not in p.read_text())


def _package_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _processes_with(marker: bytes) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            pass
    return found


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    for name in attacks():
        nbformat.write(_notebook(RED / f"{name}.py", folder), folder / f"{name}.ipynb")
    for name in CLASSMATES:
        shutil.copy(ROOT / "solutions" / name, folder / f"classmate_{name}")
    odd = {
        "metadata_string": {"metadata": {"hwprune_edu": "01_weight_pruning"}, "cells": []},
        "metadata_list": {"metadata": {"hwprune_edu": ["x"]}, "cells": [{"cell_type": "code"}]},
        "no_source": {"metadata": {}, "nbformat": 4, "cells": [{"cell_type": "code", "outputs": []},
                                                              {"cell_type": "code", "source": 7}]},
        "deep_expression": {"metadata": {}, "cells": [{"cell_type": "code", "source": "x = " + "+".join(["1"] * 100_000)
                                                       + "\ncheck('threshold_mask', lambda w, t: abs(w) > t)"}]},
        "not_json": None,
    }
    for name, content in odd.items():
        (folder / f"odd_{name}.ipynb").write_text("{ not json" if content is None else json.dumps(content))
    digest = _package_digest()
    before = {p.name: p.read_bytes() for p in folder.glob("classmate_*")}
    out = folder / "grades.csv"
    args = ["grade", str(folder), "--jobs", "2", "--timeout", "3", "--case-timeout", "0.5", "--notebook-timeout", "60",
            "--csv", str(out)]
    # The grader runs in a fresh process, so its peak memory is its own, not that of every test run before this one.
    # Its peak is VmHWM, the high-water mark of its own address space: Linux carries ru_maxrss over fork and exec,
    # so a child of a 1 GB pytest would report 1 GB before doing anything.
    probe = ("import json, re, sys\nfrom pathlib import Path\nfrom hwprune_edu.course.cli import main\n"
             "status = main(sys.argv[1:])\n"
             "hwm = re.search(r'VmHWM:\\s+(\\d+) kB', Path('/proc/self/status').read_text())\n"
             "print(json.dumps({'status': status, 'peak_mb': int(hwm[1]) / 1024 if hwm else None}))")
    done = subprocess.run([sys.executable, "-c", probe, *args], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0 and done.stdout.strip(), f"the grader's process failed:\n{done.stderr[-3000:]}"
    report = json.loads(done.stdout.strip().splitlines()[-1])
    status = report["status"]
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {"status": status, "rows": {(Path(r["notebook"]).stem, r["exercise"]): r for r in rows},
            "digest": digest, "before": before, "folder": folder,
            "peak_mb": report["peak_mb"]}


def test_every_notebook_has_a_row_and_the_exit_status_says_some_failed(batch):
    stems = {stem for stem, _ in batch["rows"]}
    assert stems == {*attacks(), *(f"classmate_{n[:-6]}" for n in CLASSMATES),
                     *(f"odd_{n}" for n in ("metadata_string", "metadata_list", "no_source", "deep_expression",
                                            "not_json"))}
    assert batch["status"] == 1


def test_honest_classmates_pass_whatever_the_others_did(batch):
    for name in CLASSMATES:
        rows = [r for (stem, _), r in batch["rows"].items() if stem == f"classmate_{name[:-6]}"]
        assert rows and all(r["passed"] == "yes" for r in rows), rows


@pytest.mark.parametrize("attack", attacks())
def test_no_attack_gets_credit(batch, attack):
    rows = [r for (stem, _), r in batch["rows"].items() if stem == attack]
    # Some wrong answers are right on some cases (an all-False mask, when every |w| is under the threshold).
    assert rows and all(r["passed"] == "no" and float(r["score"]) < 0.75 for r in rows), rows


def test_an_answer_table_for_a_known_seed_knows_only_the_cases_that_never_change(batch):
    row = batch["rows"][("answer_table", "magnitude_mask")]
    cases = make_exercise_cases("magnitude_mask", int(row["seed"]))
    table = eval(_answer_table())  # noqa: S307 - our own repr
    known = 0
    for case in cases:
        w, amount = case.arguments["weights"], case.arguments["amount"]
        key = hashlib.sha256(np.ascontiguousarray(w).tobytes() + repr(amount).encode()).hexdigest()
        # The table's fallback (keep everything) is right where nothing is pruned.
        known += key in table or not (~magnitude_mask(w, amount)).any()
    assert known < len(cases) - 5  # the fresh seed's random cases are not in any table
    assert float(row["score"]) <= known / len(cases) + 1e-9


@pytest.mark.parametrize("attack", [a for a in ["wrap_def", "wrap_partial", "wrap_lambda", "wrap_clone",
                                                 "wrap_importlib", "wrap_getsource", "wrap_readfile"] if a in attacks()])
def test_wrapping_the_reference_is_named_as_the_reason(batch, attack):
    row = batch["rows"][(attack, "magnitude_mask")]
    assert row["score"] == "0.00" and "library" in row["message"], row


def test_odd_notebook_files_become_rows(batch):
    rows = batch["rows"]
    assert rows[("odd_not_json", "")]["status"] == "unreadable"
    assert rows[("odd_metadata_string", "")]["status"] == "empty"
    assert rows[("odd_deep_expression", "")]["status"] == "empty"  # too deep to parse: no check call found
    assert rows[("odd_no_source", "")]["status"] == "empty"


def test_a_raising_scratch_cell_is_a_warning_and_grading_goes_on(batch):
    row = batch["rows"][("ansi", "threshold_mask")]
    assert row["status"] == "fail" and "cell 1 raised ValueError" in row["warnings"]
    assert "\x1b" not in row["warnings"] and "\\x1b" in row["warnings"]


def test_an_uninterruptible_cell_costs_only_its_own_notebook(batch):
    row = batch["rows"][("uninterruptible", "threshold_mask")]
    assert row["status"] == "timeout" and "could not be interrupted" in row["message"]


def test_floods_and_allocations_are_contained(batch):
    assert "printed" in batch["rows"][("flood_print", "threshold_mask")]["warnings"]
    assert batch["rows"][("big_alloc", "threshold_mask")]["passed"] == "no"
    if batch["peak_mb"] is not None:  # VmHWM is Linux's
        assert batch["peak_mb"] < 1000  # the grader never holds what a notebook printed


def test_no_process_outlives_the_batch(batch):
    assert _processes_with(b"4242.5") == [] and _processes_with(b"4243.5") == []


def test_nothing_outside_the_sandbox_changed(batch):
    assert _package_digest() == batch["digest"]
    if CONFINED:
        after = {p.name: p.read_bytes() for p in batch["folder"].glob("classmate_*")}
        assert after == batch["before"]


def test_without_bubblewrap_the_grader_says_confinement_is_off(monkeypatch):
    monkeypatch.setattr(confine, "bwrap_available", lambda: None)
    assert "confinement is off" in confine.confinement_warning()


@pytest.mark.skipif(not CONFINED, reason="needs bubblewrap")
def test_the_private_tmp_is_mounted_before_the_python_it_must_not_hide(tmp_path):
    # A checkout (or venv) under /tmp must stay visible inside the sandbox: the tmpfs goes first, binds on top.
    args, _ = confine.command(tmp_path / "runner.py", tmp_path, tmp_path, confined=True, rlimits={})
    binds = [i for i, a in enumerate(args) if a == "--ro-bind"]
    assert args.index("--tmpfs") < binds[0] and args[args.index("--tmpfs") + 1] == "/tmp"

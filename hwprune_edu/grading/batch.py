"""``hwprune-edu grade PATH... [--csv FILE] [--jobs N] [--timeout S]``: grade a folder of submissions.

Nothing a submission stored or defines is trusted:

1. the grader (this process) reads each notebook's source only to learn which
   exercises it attempts (its metadata, its file name, its ``check("id", fn)``
   calls) and draws the cases itself, with its own seed;
2. the notebook runs top to bottom in a **fresh kernel** with its stored
   outputs stripped; one extra cell then loads the grader's sandbox and
   transport code *from source into fresh modules* (so a notebook that
   patched ``hwprune_edu`` changes nothing), calls the learner's functions on
   the grader's cases, and writes their raw outputs, as plain data, to a file;
3. the grader judges those outputs here, with the real references.

So redefining ``check`` or ``Report``, or monkeypatching the library, gains
nothing. A notebook whose cell raises, loops past the cell timeout, or kills
its kernel gets no credit, and the batch goes on. The exit status is 0 only
when every notebook passes every exercise it is expected to contain.

>>> expected_exercises({"metadata": {"hwprune_edu": {"exercise_notebook": "02_structured_masks"}}, "cells": []},
...                    "anything.ipynb")
{'structured_mask': 'structured_mask', 'nm_mask': 'nm_mask', 'block_mask': 'block_mask'}
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Sequence

from hwprune_edu.grading import sandbox, transport
from hwprune_edu.grading.checks import DEFAULT_TIMEOUT_S, judge_outcomes, make_exercise_cases
from hwprune_edu.grading.registry import EXERCISES, NOTEBOOKS, references
from hwprune_edu.grading.report import Report

__all__ = ["grade_notebooks", "grade_notebook", "expected_exercises", "NotebookResult", "register", "DEFAULT_SEED"]

#: The grader's hidden cases differ from the ones learners see in their notebooks (seed 0).
DEFAULT_SEED = 1729

# Runs inside the learner's kernel as the last cell. It imports nothing from
# hwprune_edu: the sandbox and transport sources are exec'd into new modules.
_KERNEL_CELL = '''
def __hwprune_grade(spec_path):
    import json as _json, sys as _sys, types as _types
    with open(spec_path) as handle:
        spec = _json.load(handle)
    runtime = {}
    for name, path in spec["runtime"].items():
        module = _types.ModuleType("_hwprune_grader_" + name)
        module.__file__ = path
        _sys.modules[module.__name__] = module
        with open(path) as handle:
            exec(compile(handle.read(), path, "exec"), module.__dict__)
        runtime[name] = module
    transport, sandbox = runtime["transport"], runtime["sandbox"]
    namespace = get_ipython().user_ns
    results = {}
    for exercise, item in spec["exercises"].items():
        try:
            fn = eval(item["expression"], namespace)
        except Exception as error:
            results[exercise] = {"status": "missing", "message": type(error).__name__ + ": " + str(error)}
            continue
        if not callable(fn):
            results[exercise] = {"status": "missing", "message": item["expression"] + " is not a function"}
            continue
        cases = [(transport.decode(a), transport.decode(k)) for a, k in item["cases"]]
        outcomes = sandbox.run_cases(fn, cases, timeout_s=spec["timeout_s"], snapshot=transport.encode,
                                     arg_names=item["arg_names"])
        results[exercise] = {"status": "ran", "outcomes": outcomes,
                             "module": str(getattr(fn, "__module__", "")), "name": str(getattr(fn, "__name__", ""))}
    with open(spec["out"], "w") as handle:
        _json.dump(results, handle)
__hwprune_grade(__SPEC_PATH__)
del __hwprune_grade
'''


@dataclass
class NotebookResult:
    """One submission: how its run went and one report per expected exercise."""

    path: str
    status: str = "ok"
    message: str = ""
    reports: dict[str, Report] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """Ran clean, attempted at least one exercise, and passed all of them."""
        return self.status == "ok" and bool(self.reports) and all(r.passed for r in self.reports.values())

    @property
    def score(self) -> float:
        """Mean score over the expected exercises (0 when the notebook earned no credit)."""
        if self.status != "ok" or not self.reports:
            return 0.0
        return sum(r.score for r in self.reports.values()) / len(self.reports)


def _code_cells(notebook: Any) -> list[str]:
    sources = []
    for cell in notebook["cells"]:
        if cell.get("cell_type") != "code":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        # IPython magics and shell escapes are not Python; blank them so the rest parses.
        sources.append("\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")))
    return sources


def _check_calls(notebook: Any) -> dict[str, str]:
    """``check("id", expr)`` calls in the notebook's code: exercise id -> expression text."""
    found: dict[str, str] = {}
    for source in _code_cells(notebook):
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "check"
                    and len(node.args) >= 2 and isinstance(node.args[0], ast.Constant)
                    and node.args[0].value in EXERCISES):
                found.setdefault(node.args[0].value, ast.get_source_segment(source, node.args[1]) or "")
    return found


def expected_exercises(notebook: Any, filename: str) -> dict[str, str]:
    """Exercise id -> the expression naming the learner's function, for every exercise to grade.

    The set is the exercise notebook's (from its metadata, else a known name in
    the file name) plus any exercise named in a ``check("id", fn)`` call; the
    function is the one passed to ``check``, else the global of the same name.
    """
    metadata = notebook.get("metadata", {}).get("hwprune_edu", {}) if isinstance(notebook, dict) else {}
    known = metadata.get("exercise_notebook")
    if known not in NOTEBOOKS:
        known = next((name for name in NOTEBOOKS if name in Path(filename).name), None)
    calls = _check_calls(notebook)
    ids = list(NOTEBOOKS.get(known, ())) + [name for name in calls if name not in NOTEBOOKS.get(known, ())]
    return {name: calls.get(name) or name for name in ids}


def _execute(path: str, spec_path: str, timeout_s: float, grading_timeout_s: float) -> tuple[str, str]:
    """Run the submission and the grading cell in a fresh kernel: (status, message)."""
    import subprocess

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    from hwprune_edu.util.notebooks import DETERMINISTIC_ENV

    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # not JSON, not a notebook
        return "unreadable", f"cannot read the notebook: {type(error).__name__}: {error}"
    for cell in notebook.cells:  # stored outputs are never trusted, nor shown to the kernel
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    grading_cell = nbformat.v4.new_code_cell(_KERNEL_CELL.replace("__SPEC_PATH__", repr(spec_path)))
    notebook.cells.append(grading_cell)
    for key, value in DETERMINISTIC_ENV.items():
        os.environ.setdefault(key, value)
    current = {"index": None}
    client = NotebookClient(
        notebook, kernel_name="python3", allow_errors=False, interrupt_on_timeout=False,
        timeout_func=lambda cell: grading_timeout_s if cell is grading_cell else timeout_s,
        resources={"metadata": {"path": str(Path(path).resolve().parent)}},
        on_cell_start=lambda cell, cell_index: current.update(index=cell_index),
    )
    last = len(notebook.cells) - 1
    try:
        # The kernel's own start-up warnings are not the learner's business (nor the scorecard's).
        client.execute(stderr=subprocess.DEVNULL)
    except CellTimeoutError:
        where = "the grading step" if current["index"] == last else f"cell {current['index']}"
        limit = grading_timeout_s if current["index"] == last else timeout_s
        return "timeout", f"{where} ran longer than {limit:g} s (an infinite loop?)"
    except DeadKernelError:
        return "kernel died", f"the kernel died in cell {current['index']} (os._exit, a crash, or out of memory)"
    except CellExecutionError as error:
        ename = getattr(error, "ename", "Error")
        evalue = str(getattr(error, "evalue", "")).strip().splitlines()
        where = "the grading step" if current["index"] == last else f"cell {current['index']}"
        return "error", f"{where} raised {ename}: {evalue[0] if evalue else ''}".rstrip(": ")
    except Exception as error:  # kernel could not start, and the like
        return "error", f"could not run the notebook: {type(error).__name__}: {error}"
    return "ok", ""


def _judge_results(expected: dict[str, str], cases: dict, results: dict, case_timeout_s: float) -> dict[str, Report]:
    library = {(getattr(f, "__module__", ""), f.__name__) for f in references()}
    reports = {}
    for exercise, expression in expected.items():
        result = results.get(exercise, {"status": "missing", "message": "not run"})
        if result["status"] != "ran":
            reports[exercise] = Report(exercise, problem=f"no function to grade: `{expression}` "
                                                         f"({result.get('message', '')})")
        elif (result.get("module"), result.get("name")) in library:
            reports[exercise] = Report(exercise, problem="that is the library's own function, not yours")
        else:
            reports[exercise] = judge_outcomes(exercise, cases[exercise], result["outcomes"], timeout_s=case_timeout_s)
    return reports


def grade_notebook(path: str | os.PathLike, *, timeout_s: float = 60.0, case_timeout_s: float = DEFAULT_TIMEOUT_S,
                   seed: int = DEFAULT_SEED) -> NotebookResult:
    """Grade one submission (see the module docstring for how)."""
    return _grade([str(path)], jobs=1, timeout_s=timeout_s, case_timeout_s=case_timeout_s, seed=seed)[0]


def grade_notebooks(paths: Sequence[str | os.PathLike], *, jobs: int = 1, timeout_s: float = 60.0,
                    case_timeout_s: float = DEFAULT_TIMEOUT_S, seed: int = DEFAULT_SEED) -> list[NotebookResult]:
    """Grade submissions, ``jobs`` kernels at a time; one :class:`NotebookResult` per path, in order.

    Args:
        paths: ``.ipynb`` files (directories are searched for ``*.ipynb``).
        jobs: notebooks run in parallel (each in its own fresh kernel).
        timeout_s: limit per notebook cell.
        case_timeout_s: limit per call of a learner's function.
        seed: picks the grader's hidden cases.
    """
    files = []
    for path in map(Path, paths):
        files.extend(sorted(path.glob("*.ipynb")) if path.is_dir() else [path])
    return _grade([str(f) for f in files], jobs=jobs, timeout_s=timeout_s, case_timeout_s=case_timeout_s, seed=seed)


def _grade(files: list[str], *, jobs: int, timeout_s: float, case_timeout_s: float, seed: int) -> list[NotebookResult]:
    import nbformat

    runtime = {"transport": transport.__file__, "sandbox": sandbox.__file__}
    all_cases: dict[str, list] = {}
    with tempfile.TemporaryDirectory(prefix="hwprune-grade-") as tmp:
        jobs_spec = []
        results = [NotebookResult(f) for f in files]
        for index, path in enumerate(files):
            try:
                notebook = nbformat.read(path, as_version=4)
            except Exception as error:
                results[index].status, results[index].message = "unreadable", f"{type(error).__name__}: {error}"
                continue
            expected = expected_exercises(notebook, path)
            if not expected:
                results[index].status, results[index].message = "empty", "no exercise found (no check(...) calls)"
                continue
            out = Path(tmp) / f"{index}.out.json"
            spec = {"runtime": runtime, "timeout_s": case_timeout_s, "out": str(out), "exercises": {}}
            for exercise, expression in expected.items():
                if exercise not in all_cases:  # the same cases for every notebook: draw them once
                    all_cases[exercise] = make_exercise_cases(exercise, seed)
                cases = all_cases[exercise]
                spec["exercises"][exercise] = {
                    "expression": expression,
                    "arg_names": list(EXERCISES[exercise].arg_names),
                    "cases": [[transport.encode(c.args), transport.encode(c.kwargs)] for c in cases],
                }
            spec_path = Path(tmp) / f"{index}.spec.json"
            spec_path.write_text(json.dumps(spec))
            # The grading cell may wait one case timeout per exercise, plus start-up.
            grading_timeout_s = timeout_s + 2 * case_timeout_s * len(expected)
            jobs_spec.append((index, expected, out, (path, str(spec_path), timeout_s, grading_timeout_s)))
        if jobs > 1 and len(jobs_spec) > 1:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn")) as pool:
                runs = list(pool.map(_execute, *zip(*(args for *_, args in jobs_spec))))
        else:
            runs = [_execute(*args) for *_, args in jobs_spec]
        for (index, expected, out, _), (status, message) in zip(jobs_spec, runs):
            result = results[index]
            result.status, result.message = status, message
            if status == "ok" and not out.exists():
                result.status, result.message = "error", "the grading step wrote no results"
            if result.status != "ok":
                result.reports = {e: Report(e, problem=f"no credit: {result.message}") for e in expected}
                continue
            raw = transport.loads(out.read_text())
            result.reports = _judge_results(expected, all_cases, raw, case_timeout_s)
    return results


def _first_failure(report: Report) -> str:
    if report.passed:
        return ""
    if report.not_implemented:
        return "not implemented yet"
    if report.problem:
        return report.problem
    case = next(c for c in report.cases if not c.passed)
    return f"{case.name}: {case.message}"


def scorecard(results: Sequence[NotebookResult]) -> str:
    """The plain-text scorecard ``grade`` prints."""
    lines = []
    for result in results:
        n_passed = sum(r.passed for r in result.reports.values())
        if result.status != "ok":
            lines.append(f"{result.path}: NO CREDIT ({result.status}): {result.message}")
        else:
            lines.append(f"{result.path}: {n_passed}/{len(result.reports)} exercises passed, score {result.score:.2f}")
        if result.status == "ok":
            for name, report in result.reports.items():
                first = next((c for c in report.cases if not c.passed), None)
                detail = _first_failure(report) + (f" [{first.mistake}]" if first is not None and first.mistake else "")
                lines.append(f"  {name:<28} {report.status:<16} {report.score:.2f}  {detail}".rstrip())
    total = sum(r.passed for r in results)
    lines.append(f"{total}/{len(results)} notebooks passed everything")
    return "\n".join(lines)


CSV_COLUMNS = ["notebook", "exercise", "status", "passed", "score", "cases_passed", "cases_total", "mistakes", "message"]


def write_csv(results: Sequence[NotebookResult], path: str | os.PathLike) -> None:
    """One row per notebook and exercise (one row with exercise '' for a notebook with none)."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for result in results:
            if not result.reports:
                writer.writerow([result.path, "", result.status, "no", "0.00", 0, 0, "", result.message])
            for name, report in result.reports.items():
                writer.writerow([
                    result.path, name, report.status if result.status == "ok" else result.status,
                    "yes" if report.passed and result.status == "ok" else "no",
                    f"{report.score if result.status == 'ok' else 0.0:.2f}",
                    sum(c.passed for c in report.cases), len(report.cases), ";".join(sorted(report.mistakes)),
                    _first_failure(report),
                ])


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``hwprune-edu grade``."""
    parser = subparsers.add_parser("grade", help="grade submitted notebooks in fresh kernels; scorecard and CSV")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="notebooks, or folders of notebooks")
    parser.add_argument("--csv", metavar="FILE", help="write one row per notebook and exercise")
    parser.add_argument("--jobs", type=int, default=1, metavar="N", help="notebooks graded in parallel (default 1)")
    parser.add_argument("--timeout", type=float, default=60.0, metavar="S",
                        help="seconds allowed per notebook cell (default 60)")
    parser.add_argument("--case-timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                        help=f"seconds allowed per call of a learner's function (default {DEFAULT_TIMEOUT_S:g})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the hidden cases")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        print(f"grade: --jobs must be >= 1, got {args.jobs}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    results = grade_notebooks(args.paths, jobs=args.jobs, timeout_s=args.timeout, case_timeout_s=args.case_timeout,
                              seed=args.seed)
    if not results:
        print("grade: no notebooks found", file=sys.stderr)
        return 2
    print(scorecard(results))
    print(f"graded {len(results)} notebook(s) in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    if args.csv:
        write_csv(results, args.csv)
    return 0 if all(r.passed for r in results) else 1

"""``hwprune-edu grade PATH...``: grade a folder of submissions, confined, with cases nobody has seen.

Nothing a submission stored or defines is trusted:

1. the grader reads every notebook once, up front (a notebook that later
   rewrites a classmate's file changes nothing), and learns which exercises
   it attempts from its metadata, its file name and its ``check("id", fn)``
   calls;
2. it draws the hidden cases itself, from a **fresh random seed per batch**
   (printed on the scorecard and in the CSV; ``--seed`` reproduces a batch);
3. each notebook runs in its own confined process (bubblewrap where it works,
   resource limits always; see :mod:`~hwprune_edu.grading.confine`) that sees
   a copy of the package without the references of the exercises graded;
4. its cells run one by one: a cell that raises or is interrupted is a
   warning in the row, and grading goes on with what the notebook defined;
5. the learner's functions are then called one case at a time: the inputs
   reach the notebook only when its function is called, never the seed, the
   other cases or the expected outputs; the grader judges each output here,
   against the real references (:mod:`~hwprune_edu.grading.drive`).

The batch always ends with a scorecard and, with ``--csv``, a CSV with a row
for every notebook. Exit status: 0 every notebook passed everything, 1 some
did not, 2 the grader itself could not run (or could not judge some
submission). Text a submission controls is printed with its control
characters escaped.

>>> expected_exercises({"metadata": {"hwprune_edu": {"exercise_notebook": "02_structured_masks"}}, "cells": []},
...                    "anything.ipynb")
{'structured_mask': 'structured_mask', 'nm_mask': 'nm_mask', 'block_mask': 'block_mask'}
>>> printable("red\\x1b[31m text\\n")
'red\\\\x1b[31m text\\\\n'
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Sequence

from hwprune_edu.grading import confine
from hwprune_edu.grading.checks import DEFAULT_TIMEOUT_S, make_exercise_cases
from hwprune_edu.grading.drive import NotebookResult, Settings, Submission, grade_submission
from hwprune_edu.grading.registry import EXERCISES, NOTEBOOKS
from hwprune_edu.grading.report import Report
from hwprune_edu.util.arguments import (MAX_TIMEOUT_S, SEED_MAX, fail, input_path_arg, int_arg, output_file_arg,
                                        seed_arg, timeout_arg)

__all__ = ["grade_notebooks", "grade_notebook", "expected_exercises", "read_submission", "NotebookResult",
           "register", "scorecard", "write_csv", "write_gradebook", "student_and_assignment", "printable", "new_seed"]

#: A notebook file larger than this is not read (no course notebook comes near it).
MAX_NOTEBOOK_BYTES = 20 << 20
DEFAULT_CELL_TIMEOUT_S = 60.0
DEFAULT_NOTEBOOK_TIMEOUT_S = 300.0
#: Address space of one submission's process: the course's notebooks need well under 1 GiB.
DEFAULT_MEMORY_MB = 2048
#: The largest --memory-mb: 16 TiB, beyond any machine (RLIMIT_AS is in bytes and must fit 63 bits).
MAX_MEMORY_MB = 1 << 24


def new_seed() -> int:
    """A fresh, unpredictable seed for a batch's hidden cases."""
    return secrets.randbelow(2**31)


def printable(text: Any, limit: int = 2000) -> str:
    """``text`` with every control or invisible character escaped (``\\x1b`` stays visible as text), cut at ``limit``."""
    text = str(text)
    text = text if len(text) <= limit else text[:limit] + " ..."
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _code_cells(notebook: Any) -> list[tuple[int, str]]:
    """(index, source) of every code cell; a cell without a usable source counts as empty."""
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    found = []
    for index, cell in enumerate(cells if isinstance(cells, list) else []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        found.append((index, source if isinstance(source, str) else ""))
    return found


def _check_calls(notebook: Any) -> dict[str, str]:
    """``check("id", expr)`` calls in the notebook's code: exercise id -> expression text."""
    found: dict[str, str] = {}
    for _, source in _code_cells(notebook):
        # IPython magics and shell escapes are not Python; blank them so the rest parses.
        source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))
        try:
            tree = ast.parse(source)
            nodes = list(ast.walk(tree))
        except (SyntaxError, ValueError, RecursionError, MemoryError):  # deep nesting overflows the parser
            continue
        for node in nodes:
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "check"
                    and len(node.args) >= 2 and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str) and node.args[0].value in EXERCISES):
                try:
                    segment = ast.get_source_segment(source, node.args[1]) or ""
                except (ValueError, RecursionError):
                    segment = ""
                found.setdefault(node.args[0].value, segment)
    return found


def expected_exercises(notebook: Any, filename: str) -> dict[str, str]:
    """Exercise id -> the expression naming the learner's function, for every exercise to grade.

    The set is the exercise notebook's (from its metadata, else a known name in
    the file name) plus any exercise named in a ``check("id", fn)`` call; the
    function is the one passed to ``check``, else the global of the same name.
    """
    metadata = notebook.get("metadata") if isinstance(notebook, dict) else None
    ours = metadata.get("hwprune_edu") if isinstance(metadata, dict) else None
    known = ours.get("exercise_notebook") if isinstance(ours, dict) else None
    if not isinstance(known, str) or known not in NOTEBOOKS:
        known = next((name for name in NOTEBOOKS if name in Path(filename).name), None)
    calls = _check_calls(notebook)
    ids = list(NOTEBOOKS.get(known, ())) + [name for name in calls if name not in NOTEBOOKS.get(known, ())]
    return {name: calls.get(name) or name for name in ids}


def read_submission(path: str) -> Submission:
    """Read a notebook once, defensively: its code cells and expected exercises, or why it cannot be graded."""
    submission = Submission(path)
    try:
        if os.path.getsize(path) > MAX_NOTEBOOK_BYTES:
            submission.problem = ("unreadable", f"the file is larger than {MAX_NOTEBOOK_BYTES >> 20} MiB")
            return submission
        with open(path, "rb") as handle:
            notebook = json.loads(handle.read())
    except (OSError, ValueError, RecursionError) as error:
        submission.problem = ("unreadable", f"cannot read the notebook: {type(error).__name__}: {error}")
        return submission
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        submission.problem = ("unreadable", "not a notebook (no list of cells)")
        return submission
    submission.cells = _code_cells(notebook)
    submission.expected = expected_exercises(notebook, path)
    if not submission.expected:
        submission.problem = ("empty", "no exercise found (no check(...) calls)")
    return submission


def grade_notebook(path: str | os.PathLike, **options: Any) -> NotebookResult:
    """Grade one submission (the options of :func:`grade_notebooks`)."""
    return grade_notebooks([path], **options)[0]


def grade_notebooks(paths: Sequence[str | os.PathLike], *, jobs: int = 1, timeout_s: float = DEFAULT_CELL_TIMEOUT_S,
                    case_timeout_s: float = DEFAULT_TIMEOUT_S, notebook_timeout_s: float = DEFAULT_NOTEBOOK_TIMEOUT_S,
                    memory_mb: int = DEFAULT_MEMORY_MB, seed: int | None = None,
                    confined: bool | None = None) -> list[NotebookResult]:
    """Grade submissions, ``jobs`` at a time; one :class:`NotebookResult` per notebook, in order.

    Args:
        paths: ``.ipynb`` files, or folders searched for them at any depth (nbgrader's ``submitted/``).
        jobs: notebooks run in parallel, each in its own confined process.
        timeout_s: limit per notebook cell (an interrupted cell is a warning).
        case_timeout_s: limit per call of a learner's function.
        notebook_timeout_s: wall-clock budget of one notebook, cells and calls together.
        memory_mb: address-space limit of one notebook's process.
        seed: picks the hidden cases (default: a fresh random one; see :func:`new_seed`).
        confined: use bubblewrap (default: when it works here).
    """
    files = notebook_files(paths)
    settings = Settings(cell_timeout_s=float(timeout_s), case_timeout_s=float(case_timeout_s),
                        notebook_timeout_s=float(notebook_timeout_s), memory_mb=int(memory_mb),
                        seed=new_seed() if seed is None else int(seed),
                        confined=bool(confine.bwrap_available()) if confined is None else confined)
    submissions = [read_submission(str(f)) for f in files]  # all read before any runs
    cases = {e: make_exercise_cases(e, settings.seed) for s in submissions for e in s.expected}
    scratch = Path(tempfile.mkdtemp())

    def one(submission: Submission) -> NotebookResult:
        try:
            result = grade_submission(submission, cases, settings, scratch)
        except Exception as error:  # the grader's own trouble with this one submission
            result = NotebookResult(submission.path, status="grader error",
                                    message=f"the grader failed on this notebook: {type(error).__name__}: {error}")
            result.reports = {e: Report(e, problem="not graded (grader error)") for e in submission.expected}
        result.seed = settings.seed
        return result

    try:
        with ThreadPoolExecutor(max_workers=max(1, int(jobs))) as pool:
            return list(pool.map(one, submissions))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _first_failure(report: Report) -> str:
    if report.passed:
        return ""
    if report.not_implemented:
        return "not implemented yet"
    if report.problem:
        return report.problem
    case = next(c for c in report.cases if not c.passed)
    return f"{case.name}: {case.message}"


def scorecard(results: Sequence[NotebookResult], *, seed: int | None = None) -> str:
    """The plain-text scorecard ``grade`` prints (control characters escaped)."""
    lines = [f"hidden cases drawn with seed {seed} (run again with --seed {seed} to reproduce them)"] \
        if seed is not None else []
    for result in results:
        path = printable(result.path)
        n_passed = sum(r.passed for r in result.reports.values())
        if result.status != "ok":
            lines.append(f"{path}: NO CREDIT ({result.status}): {printable(result.message)}")
        else:
            lines.append(f"{path}: {n_passed}/{len(result.reports)} exercises passed, score {result.score:.2f}")
            for name, report in result.reports.items():
                first = next((c for c in report.cases if not c.passed), None)
                detail = _first_failure(report) + (f" [{first.mistake}]" if first is not None and first.mistake else "")
                lines.append(f"  {name:<28} {report.status:<16} {report.score:.2f}  {printable(detail)}".rstrip())
        lines.extend(f"  warning: {printable(w)}" for w in result.warnings)
    total = sum(r.passed for r in results)
    lines.append(f"{total}/{len(results)} notebooks passed everything")
    return "\n".join(lines)


def student_and_assignment(path: str) -> tuple[str, str]:
    """``(student, assignment)`` of a notebook in nbgrader's ``submitted/<student>/<assignment>/`` layout, else blanks.

    >>> student_and_assignment("course/submitted/ada/01_weight_pruning/01_weight_pruning.ipynb")
    ('ada', '01_weight_pruning')
    """
    parts = Path(path).parts
    if "submitted" in parts[:-1]:
        i = len(parts) - 1 - parts[::-1].index("submitted")
        if len(parts) - i >= 4:  # submitted / student / assignment / notebook
            return parts[i + 1], parts[i + 2]
    return "", ""


def write_gradebook(results: Sequence[NotebookResult], path: str | os.PathLike) -> None:
    """One row per student: the score of each assignment (mean over its notebooks) and the total (nbgrader layout)."""
    scores: dict[str, dict[str, list[float]]] = {}
    for result in results:
        student, assignment = student_and_assignment(result.path)
        student = student or Path(result.path).stem
        scores.setdefault(student, {}).setdefault(assignment or Path(result.path).stem, []).append(result.score)
    assignments = sorted({a for per in scores.values() for a in per})
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *assignments, "total"])
        for student in sorted(scores):
            row = [sum(scores[student][a]) / len(scores[student][a]) if a in scores[student] else 0.0
                   for a in assignments]
            writer.writerow([printable(student), *(f"{x:.2f}" for x in row), f"{sum(row):.2f}"])


CSV_COLUMNS = ["student", "assignment", "notebook", "exercise", "status", "passed", "score", "cases_passed", "cases_total", "mistakes", "message",
               "warnings", "seed"]


def write_csv(results: Sequence[NotebookResult], path: str | os.PathLike) -> None:
    """One row per notebook and exercise (one row with exercise '' for a notebook with none); text escaped."""
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for result in results:
            warnings = printable("; ".join(result.warnings))
            seed = "" if result.seed is None else result.seed
            who = [printable(x) for x in student_and_assignment(result.path)]
            if not result.reports:
                writer.writerow([*who, printable(result.path), "", result.status, "no", "0.00", 0, 0, "",
                                 printable(result.message), warnings, seed])
            for name, report in result.reports.items():
                ok = result.status == "ok"
                writer.writerow([
                    *who, printable(result.path), name, report.status if ok else result.status,
                    "yes" if report.passed and ok else "no", f"{report.score if ok else 0.0:.2f}",
                    sum(c.passed for c in report.cases), len(report.cases), ";".join(sorted(report.mistakes)),
                    printable(_first_failure(report) if ok else result.message or _first_failure(report)),
                    warnings, seed,
                ])


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``hwprune-edu grade``."""
    parser = subparsers.add_parser("grade", help="grade submitted notebooks, confined; scorecard and CSV",
                                   epilog="Exit status: 0 every notebook passed everything, 1 some did not, 2 the "
                                          "grader could not run (or the command line is wrong).")
    parser.add_argument("paths", nargs="+", metavar="PATH", type=input_path_arg("PATH"),
                        help="notebooks, or folders of notebooks")
    parser.add_argument("--csv", metavar="FILE", type=output_file_arg("--csv"),
                        help="write one row per notebook and exercise (in a folder that exists)")
    parser.add_argument("--jobs", type=int_arg("--jobs", low=1), default=1, metavar="N",
                        help="notebooks graded in parallel (default 1)")
    for option, default, what in (("--timeout", DEFAULT_CELL_TIMEOUT_S, "per notebook cell"),
                                  ("--case-timeout", DEFAULT_TIMEOUT_S, "per call of a learner's function"),
                                  ("--notebook-timeout", DEFAULT_NOTEBOOK_TIMEOUT_S, "for one notebook in all")):
        parser.add_argument(option, type=timeout_arg(option), default=default, metavar="S",
                            help=f"seconds allowed {what} (default {default:g}; at most {MAX_TIMEOUT_S})")
    parser.add_argument("--memory-mb", type=int_arg("--memory-mb", low=64, high=MAX_MEMORY_MB),
                        default=DEFAULT_MEMORY_MB, metavar="MB",
                        help=f"address space of one notebook's process (default {DEFAULT_MEMORY_MB})")
    parser.add_argument("--seed", type=seed_arg(), default=None,
                        help=f"seed of the hidden cases, 0 to {SEED_MAX} (default: a fresh random one, printed)")
    parser.add_argument("--gradebook", metavar="FILE", type=output_file_arg("--gradebook"),
                        help="write one row per student (nbgrader's submitted/<student>/<assignment>/ layout)")
    parser.add_argument("--require-confinement", action="store_true",
                        help="refuse to grade (exit 2) when bubblewrap cannot confine the notebooks")
    parser.set_defaults(func=_run)


def notebook_files(paths) -> list[Path]:
    """The notebooks ``paths`` name: files as given, folders searched all the way down (checkpoints skipped).

    Searching down means nbgrader's ``submitted/<student>/<assignment>/`` layout works as it is.

    >>> notebook_files([])
    []
    """
    files = []
    for path in map(Path, paths):
        found = sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts) if path.is_dir() \
            else [path]
        files.extend(found)
    return files


def _usage_error(args: argparse.Namespace) -> str:
    """What argparse cannot see option by option: two outputs in one file, or an output over a notebook."""
    outputs = [(option, path) for option, path in (("--csv", args.csv), ("--gradebook", args.gradebook)) if path]
    if len(outputs) == 2 and os.path.realpath(outputs[0][1]) == os.path.realpath(outputs[1][1]):
        return f"--csv and --gradebook must be different files, got {outputs[0][1]!r} for both"
    # Every notebook the folders hold counts too: an output over any of them would destroy a submission.
    inputs = {os.path.realpath(p) for p in args.paths} | {os.path.realpath(p) for p in notebook_files(args.paths)}
    return next((f"{option} must not be one of the notebooks to grade, got {path!r}"
                 for option, path in outputs if os.path.realpath(path) in inputs), "")


def _run(args: argparse.Namespace) -> int:
    problem = _usage_error(args)
    if problem:
        return fail("grade", problem, 2)
    warning = confine.confinement_warning()
    if warning:
        if args.require_confinement:
            return fail("grade", warning, 2)
        print(warning, file=sys.stderr)
    seed = new_seed() if args.seed is None else args.seed
    start = time.perf_counter()
    try:
        results = grade_notebooks(args.paths, jobs=args.jobs, timeout_s=args.timeout, case_timeout_s=args.case_timeout,
                                  notebook_timeout_s=args.notebook_timeout, memory_mb=args.memory_mb, seed=seed)
    except Exception as error:  # the grader itself could not run
        return fail("grade", f"the grader could not run: {type(error).__name__}: {printable(error)}", 2)
    if not results:
        return fail("grade", f"no notebooks (.ipynb) found in {' '.join(map(printable, args.paths))}", 2)
    print(scorecard(results, seed=seed))
    print(f"graded {len(results)} notebook(s) in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    for option, writer in ((args.csv, write_csv), (args.gradebook, write_gradebook)):
        if option:
            try:
                writer(results, option)
            except OSError as error:
                return fail("grade", f"cannot write {option}: {error}", 2)
    if any(r.status == "grader error" for r in results):
        return 2
    return 0 if all(r.passed for r in results) else 1

"""``check(name, fn)``: run a learner's function on every case of an exercise and report.

Every exercise id names a record in :data:`~hwprune_edu.grading.registry.EXERCISES`:
its reference, its cases, its judge, its mistakes and its notebook. A check
runs in three steps that the batch grader also uses, in different processes:

1. :func:`make_exercise_cases` (grader's process): public + seeded hidden cases;
2. ``sandbox.run_cases`` (wherever the learner's code lives): call the
   function on each case, guarded, and keep the raw outputs as plain data;
3. :func:`judge_outcomes` (grader's process): judge each output with the
   exercise's judge and the real references, and recognise mistakes.

In a notebook all three happen in the kernel, and the report is recorded so
that :func:`summary` can show every check of the notebook at the end.

>>> import numpy as np
>>> report = check("threshold_mask", lambda weights, threshold: np.abs(weights) > threshold)
>>> report.passed, report.score
(True, 1.0)
>>> def stub(weights, threshold):
...     raise NotImplementedError()
>>> print(check("threshold_mask", stub))
threshold_mask: not implemented yet: replace `raise NotImplementedError()` with your code, then run this cell again
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any, Callable

from hwprune_edu.grading.cases import CaseSpec
from hwprune_edu.grading.exercise import Attempt
from hwprune_edu.grading.registry import NOTEBOOKS, exercise, references
from hwprune_edu.grading.report import NOT_IMPLEMENTED, Case, Report, Summary
from hwprune_edu.grading.sandbox import run_cases
from hwprune_edu.grading.transport import decode, dumps, encode, loads
from hwprune_edu.util.validation import check_int, check_number

__all__ = ["check", "summary", "judge_outcomes", "make_exercise_cases", "DEFAULT_TIMEOUT_S", "GRADING_ENV",
           "NBGRADER_SEED_ENV"]

#: Set in a notebook's environment while ``hwprune-edu grade`` runs it (see ``grading.confine``).
GRADING_ENV = "HWPRUNE_EDU_GRADING"

#: The instructor's seed for the hidden cases under nbgrader's autograder (set where ``nbgrader autograde`` runs).
NBGRADER_SEED_ENV = "HWPRUNE_EDU_GRADING_SEED"

#: Seconds one call of the learner's function may take before it counts as an infinite loop.
DEFAULT_TIMEOUT_S = 2.0

# What each check cell of a notebook showed last, for summary().
_SESSION: dict[str, Report] = {}


def make_exercise_cases(name: str, seed: int = 0) -> list[CaseSpec]:
    """The cases of exercise ``name`` (public ones, then hidden ones drawn with ``seed``)."""
    return exercise(name).make_cases(seed)


def _error_text(error: dict) -> str:
    text = f"raised {error['type']}: {error['message']}".rstrip(": ")
    if error.get("line"):
        text += f" (in `{error['line']}`)"
    return text


def judge_outcomes(name: str, cases: list[CaseSpec], outcomes: list[dict], *, timeout_s: float = DEFAULT_TIMEOUT_S
                   ) -> Report:
    """Judge the raw outcomes of running a learner's function on ``cases``; return the report.

    Args:
        name: the exercise id.
        cases: the cases, as made by :func:`make_exercise_cases`.
        outcomes: one dict per case from ``sandbox.run_cases`` with outputs
            encoded by ``transport.encode`` (possibly after a JSON round trip).
        timeout_s: the per-call limit that was used (for messages).

    Returns:
        A :class:`Report`; judging uses only this process's references.
    """
    graded = exercise(name)
    if len(outcomes) != len(cases):
        return Report(name, problem=f"got {len(outcomes)} outcomes for {len(cases)} cases")
    report = Report(name)
    attempts: dict[int, Attempt] = {}  # failing cases, by position in the report, whose mistake is named below
    for case, outcome in zip(cases, outcomes):
        status = outcome.get("status")
        error = outcome.get("error") or {"type": "Error", "message": "", "line": ""}
        if status == "not_implemented":
            report.cases.append(Case(case.name, False, NOT_IMPLEMENTED, status="not_implemented"))
            continue
        if status == "skipped":
            report.cases.append(Case(case.name, False, error["message"], status="skipped"))
            continue
        if status == "timeout":
            elapsed = outcome.get("elapsed_s")
            overran = isinstance(elapsed, (int, float)) and elapsed > 1.5 * timeout_s + 0.2
            # A long C call (one huge NumPy operation) cannot be interrupted: say how long it really took.
            what = (f"took {elapsed:.1f} s, over the {timeout_s:g} s limit (one long NumPy or C call cannot be "
                    "stopped until it returns)" if overran else f"still running after {timeout_s:g} s (an infinite loop?)")
            report.cases.append(Case(case.name, False, f"{what}; the remaining cases were skipped",
                                     input=case.show(), status="timeout",
                                     hint="Check that every loop ends: the loop variable must change, and a while "
                                          "condition must become false."))
            continue
        try:
            verdict, attempt = _judge_case(graded, case, outcome, status, error)
        except Exception as error:  # an output no judge foresaw: a failing case, never a crash of the check
            report.cases.append(Case(case.name, False, f"the grader could not judge this output "
                                     f"({type(error).__name__}); return what the exercise asks for",
                                     input=case.show(), status="fail"))
            continue
        if attempt is not None:
            attempts[len(report.cases)] = attempt
        report.cases.append(verdict)
    # A mistake is named only once every case is judged: what the function got right rules explanations out.
    passed = tuple(case for case, shown in zip(cases, report.cases) if shown.passed)
    for position, attempt in attempts.items():
        try:
            mistake = graded.recognise(attempt, passed)
        except Exception:  # a recogniser's surprise costs the hint, never the report
            mistake = None
        if mistake is not None:
            report.cases[position] = replace(report.cases[position], hint=mistake.hint, mistake=mistake.id)
    return report


def _judge_case(graded: Any, case: CaseSpec, outcome: dict, status: Any, error: dict
                ) -> tuple[Case, Attempt | None]:
    """One case's verdict and input, and for a failing case the :class:`Attempt` its mistake is read from."""
    output = decode(outcome.get("output")) if status == "ok" else None
    if outcome.get("mutated"):
        message = f"changed its input: {outcome['mutated']}"
        passed = False
        note = ""
    elif status == "ok":
        verdict = graded.judge(case, output)
        passed, message, note = verdict.passed, verdict.message, verdict.note
    else:
        passed, message, note = False, _error_text(error), ""
    if passed:
        return Case(case.name, True, message, note=note), None
    attempt = Attempt(graded, case, status if status in ("ok", "error") else "error", output,
                      error if status != "ok" else None, outcome.get("mutated"))
    return Case(case.name, False, message, input=case.show(), status="fail" if status == "ok" else "error"), attempt


def _instructor_seed() -> int:
    text = os.environ.get(NBGRADER_SEED_ENV, "")
    if not text.strip().isdigit():
        raise ValueError(f"{NBGRADER_SEED_ENV} must be a whole number >= 0 (the hidden cases' seed), got {text!r}")
    return int(text)


def _library_function(fn: Any) -> bool:
    return any(fn is reference for reference in references())


def check(name: str, fn: Callable, *, seed: int = 0, timeout_s: float = DEFAULT_TIMEOUT_S) -> Report:
    """Run the learner's ``fn`` on every case of exercise ``name``; return (and remember) the report.

    Under nbgrader's autograder (``NBGRADER_EXECUTION`` set) the hidden cases
    come from the instructor's seed in ``HWPRUNE_EDU_GRADING_SEED`` (never
    the public seed 0), and the report's plain text is its score (the
    fraction of cases passed), so nbgrader gives partial credit; its HTML
    stays the table, for the feedback.

    Never raises because of ``fn``: exceptions (any ``BaseException`` but a
    ``KeyboardInterrupt``, which stops the check as the user asked), wrong
    types, ``None``, NaN, huge numbers, wrong shapes, timeouts and mutated
    inputs all become failing cases. Raises ``ValueError``/``TypeError`` for a
    bad ``name``, ``seed`` or ``timeout_s``.

    Args:
        name: an exercise id (see :data:`~hwprune_edu.grading.registry.EXERCISES`).
        fn: the learner's function, with the reference's signature.
        seed: picks the hidden cases (an int >= 0).
        timeout_s: seconds each call may take (a finite number > 0).

    Returns:
        A :class:`Report` (shows as a table in Jupyter, as text in a terminal).
    """
    checked = exercise(name)
    seed = check_int(seed, name="seed", minimum=0)
    timeout_s = check_number(timeout_s, name="timeout_s", low=0, closed="neither", meaning=" (seconds)")
    if os.environ.get("NBGRADER_EXECUTION") and os.environ.get(NBGRADER_SEED_ENV) and seed == 0:
        seed = _instructor_seed()
    if os.environ.get(GRADING_ENV):
        # Inside `hwprune-edu grade`: the grader calls the functions itself, with cases this kernel never sees.
        return Report(name, problem="left to the course grader, which calls your function after the notebook ran")
    if not callable(fn):
        report = Report(name, problem=f"expected your function, got {type(fn).__name__}")
    elif _library_function(fn):
        report = Report(name, problem=f"that is the library's own {getattr(fn, '__name__', 'function')}; "
                                      "pass the function you wrote")
    else:
        cases = checked.make_cases(seed)
        outcomes = run_cases(fn, [(c.args, c.kwargs) for c in cases], timeout_s=timeout_s, snapshot=encode,
                             arg_names=checked.arg_names)
        # Through JSON, exactly as the batch grader receives outputs.
        outcomes = loads(dumps(outcomes))
        report = judge_outcomes(name, cases, outcomes, timeout_s=timeout_s)
    _SESSION[name] = report
    return report


def summary(notebook: str | None = None) -> Summary:
    """Every check of ``notebook`` (e.g. ``"01_weight_pruning"``) with its latest result in this session.

    Without a notebook name, every check run so far in this session.

    >>> print(summary("02_structured_masks"))  # doctest: +ELLIPSIS
    02_structured_masks: .../3 exercises passed
      structured_mask              ...
    """
    if notebook is None:
        return Summary("this session", list(_SESSION.items()))
    if not isinstance(notebook, str) or notebook not in NOTEBOOKS:
        raise ValueError(f"notebook must be one of {sorted(NOTEBOOKS)}, got {notebook!r}")
    return Summary(notebook, [(name, _SESSION.get(name)) for name in NOTEBOOKS[notebook]])

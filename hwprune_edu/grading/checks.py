"""``check(name, fn)``: run a learner's function on every case of an exercise and report.

The registry :data:`EXERCISES` names every exercise id, its reference, its
cases, its judge and its notebook. A check runs in three steps that the batch
grader also uses, in different processes:

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
from dataclasses import dataclass, replace
from typing import Any, Callable

from hwprune_edu import hardware, interview, pruning
from hwprune_edu.grading import catalogue, sandbox, transport
from hwprune_edu.grading.cases import CaseSpec, make_cases
from hwprune_edu.grading.judges import JUDGES, Verdict
from hwprune_edu.grading.report import NOT_IMPLEMENTED, Case, Report, Summary

__all__ = ["check", "summary", "judge_outcomes", "make_exercise_cases", "EXERCISES", "NOTEBOOKS", "REFERENCES",
           "Exercise", "DEFAULT_TIMEOUT_S"]

#: Seconds one call of the learner's function may take before it counts as an infinite loop.
DEFAULT_TIMEOUT_S = 2.0

#: exercise id (or the id of the function it re-implements) -> the library's reference.
REFERENCES: dict[str, Callable] = {
    "threshold_mask": pruning.threshold_mask,
    "magnitude_mask": pruning.magnitude_mask,
    "global_magnitude_masks": pruning.global_magnitude_masks,
    "structured_mask": pruning.structured_mask,
    "nm_mask": pruning.nm_mask,
    "block_mask": pruning.block_mask,
    "neuron_scores": pruning.neuron_scores,
    "remove_neurons": pruning.remove_neurons,
    "weight_pruning": interview.weight_pruning,
    "activation_pruning": interview.activation_pruning,
    "gemm_macs": hardware.gemm_macs,
    "gemm_bytes": hardware.gemm_bytes,
    "gemm_arithmetic_intensity": hardware.gemm_arithmetic_intensity,
    "roofline_latency": hardware.roofline_latency,
    "systolic_cycles": hardware.systolic_cycles,
}


@dataclass(frozen=True)
class Exercise:
    """One gradable exercise: what the learner writes and how it is checked."""

    id: str
    notebook: str
    arg_names: tuple
    cases: Callable[[int], list[CaseSpec]]
    judge: Callable[[CaseSpec, Any], Verdict]
    catalogue_id: str
    points: int = 1


def _arg_names(fn: Callable) -> tuple:
    import inspect

    return tuple(n for n, p in inspect.signature(fn).parameters.items() if p.kind is not p.KEYWORD_ONLY)


def _plain(name: str, notebook: str, points: int = 1) -> Exercise:
    return Exercise(name, notebook, _arg_names(REFERENCES[name]), lambda seed, n=name: make_cases(n, seed),
                    JUDGES[name], name, points)


def _expose(target: str) -> Exercise:
    from hwprune_edu.grading.expose import expose_judge

    return Exercise(f"expose_{target}", "05_spot_the_bug", (), lambda seed: [CaseSpec("your input", {}, public=True)],
                    expose_judge(target), f"expose_{target}")


def _fix(target: str) -> Exercise:
    return replace(_plain(target, "05_spot_the_bug"), id=f"fix_{target}")


#: notebook name -> the exercise ids it checks, in order.
NOTEBOOKS: dict[str, tuple[str, ...]] = {
    "01_weight_pruning": ("threshold_mask", "magnitude_mask", "global_magnitude_masks", "weight_pruning"),
    "02_structured_masks": ("structured_mask", "nm_mask", "block_mask"),
    "03_activation_pruning": ("neuron_scores", "remove_neurons", "activation_pruning"),
    "04_hardware_cost": ("gemm_macs", "gemm_bytes", "gemm_arithmetic_intensity", "roofline_latency",
                         "systolic_cycles"),
    "05_spot_the_bug": tuple(f"{kind}_{t}" for t in ("weight_pruning", "magnitude_mask", "nm_mask", "neuron_scores",
                                                      "activation_pruning") for kind in ("expose", "fix")),
}

EXERCISES: dict[str, Exercise] = {}
for _notebook, _ids in NOTEBOOKS.items():
    for _id in _ids:
        if _id.startswith("expose_"):
            EXERCISES[_id] = _expose(_id[len("expose_"):])
        elif _id.startswith("fix_"):
            EXERCISES[_id] = _fix(_id[len("fix_"):])
        else:
            EXERCISES[_id] = _plain(_id, _notebook)

# What each check cell of a notebook showed last, for summary().
_SESSION: dict[str, Report] = {}


def _exercise(name: str) -> Exercise:
    if name not in EXERCISES:
        raise ValueError(f"name must be an exercise id, one of {sorted(EXERCISES)}; got {name!r}")
    return EXERCISES[name]


def make_exercise_cases(name: str, seed: int = 0) -> list[CaseSpec]:
    """The cases of exercise ``name`` (public ones, then hidden ones drawn with ``seed``)."""
    return _exercise(name).cases(seed)


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
    exercise = _exercise(name)
    if len(outcomes) != len(cases):
        return Report(name, problem=f"got {len(outcomes)} outcomes for {len(cases)} cases")
    report = Report(name)
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
            report.cases.append(Case(case.name, False, f"still running after {timeout_s:g} s (an infinite loop?); "
                                     "the remaining cases were skipped", input=case.show(), status="timeout",
                                     hint="Check that every loop ends: the loop variable must change, and a while "
                                          "condition must become false."))
            continue
        output = transport.decode(outcome.get("output")) if status == "ok" else None
        if outcome.get("mutated"):
            message = f"changed its input: {outcome['mutated']}"
            passed = False
            note = ""
        elif status == "ok":
            verdict = exercise.judge(case, output)
            passed, message, note = verdict.passed, verdict.message, verdict.note
        else:
            passed, message, note = False, _error_text(error), ""
        if passed:
            report.cases.append(Case(case.name, True, message, note=note))
            continue
        attempt = catalogue.Attempt(exercise.catalogue_id, case, status if status in ("ok", "error") else "error",
                                    output, error if status != "ok" else None, outcome.get("mutated"))
        mistake = catalogue.recognise(attempt)
        report.cases.append(Case(case.name, False, message, hint=mistake.hint if mistake else "", input=case.show(),
                                 mistake=mistake.id if mistake else "", status="fail" if status == "ok" else "error"))
    return report


def _library_function(fn: Any) -> bool:
    return any(fn is reference for reference in REFERENCES.values())


def check(name: str, fn: Callable, *, seed: int = 0, timeout_s: float = DEFAULT_TIMEOUT_S) -> Report:
    """Run the learner's ``fn`` on every case of exercise ``name``; return (and remember) the report.

    Never raises because of ``fn``: exceptions, wrong types, ``None``, wrong
    shapes, timeouts and mutated inputs all become failing cases. Under
    nbgrader's autograder (``NBGRADER_EXECUTION`` set) a failing check
    raises ``AssertionError`` after displaying, so the graded cell loses its points.

    Args:
        name: an exercise id (see :data:`EXERCISES`).
        fn: the learner's function, with the reference's signature.
        seed: picks the hidden cases.
        timeout_s: seconds each call may take.

    Returns:
        A :class:`Report` (shows as a table in Jupyter, as text in a terminal).
    """
    exercise = _exercise(name)
    if not callable(fn):
        report = Report(name, problem=f"expected your function, got {type(fn).__name__}")
    elif _library_function(fn):
        report = Report(name, problem=f"that is the library's own {getattr(fn, '__name__', 'function')}; "
                                      "pass the function you wrote")
    else:
        cases = exercise.cases(seed)
        outcomes = sandbox.run_cases(fn, [(c.args, c.kwargs) for c in cases], timeout_s=timeout_s,
                                     snapshot=transport.encode, arg_names=exercise.arg_names)
        # Through JSON, exactly as the batch grader receives outputs.
        outcomes = transport.loads(transport.dumps(outcomes))
        report = judge_outcomes(name, cases, outcomes, timeout_s=timeout_s)
    _SESSION[name] = report
    if os.environ.get("NBGRADER_EXECUTION") and not report.passed:
        try:
            from IPython.display import display

            display(report)
        except ImportError:
            print(report)
        raise AssertionError(report.headline())
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
    if notebook not in NOTEBOOKS:
        raise ValueError(f"notebook must be one of {sorted(NOTEBOOKS)}, got {notebook!r}")
    return Summary(notebook, [(name, _SESSION.get(name)) for name in NOTEBOOKS[notebook]])

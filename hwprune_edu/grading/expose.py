"""Spot the bug: judge a learner's input that is meant to expose a buggy implementation.

In exercise 5 the learner reads a naive implementation (from
:data:`hwprune_edu.grading.blog.BUGGY`) and writes a function returning a
small input, as a dict of keyword arguments. The input exposes the bug when
the reference accepts it and the naive version's output on it is judged
wrong by the exercise's own judge (so "wrong" means wrong for every right
answer, not merely a different tie order). A crash of the naive version on a
valid input counts too: the reference handles it.

>>> import numpy as np
>>> from hwprune_edu.grading.cases import CaseSpec
>>> from hwprune_edu.grading.exercises import magnitude_mask
>>> judge = expose_judge(magnitude_mask.EXERCISE, BUGGY["magnitude_mask"])
>>> judge(CaseSpec("your input", {}), {"weights": np.array([0.5, 0.5, 0.2, 1.0]), "amount": 2}).passed
True
>>> judge(CaseSpec("your input", {}), {"weights": np.array([0.1, 0.2, 0.3]), "amount": 1}).passed
False
"""

from __future__ import annotations

import copy
import inspect
import re
from typing import Any, Callable

import numpy as np

from hwprune_edu.grading.blog import BUGGY
from hwprune_edu.grading.cases import CaseSpec, show_input
from hwprune_edu.grading.exercise import Exercise
from hwprune_edu.grading.judging import Fail, Verdict, ragged_text, shape_text
from hwprune_edu.grading.transport import decode, encode

__all__ = ["expose_judge", "buggy_source", "MAX_NUMBERS"]

#: An exposing input must be small enough to read: at most this many numbers in all.
MAX_NUMBERS = 100


def _numbers(value: Any) -> int:
    if isinstance(value, np.ndarray):
        return value.size
    if isinstance(value, dict):
        return sum(_numbers(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(_numbers(v) for v in value)
    return 1


def _ragged_part(value: Any, path: str = "") -> tuple[str, Any] | None:
    """Where in an input a nested Python list is ragged, and that list (``("network['weights']", [...])``).

    >>> _ragged_part({"network": {"weights": [[[0.5, 0.05]], [[0.2], [0.3]]]}})[0]
    "network['weights']"
    """
    if isinstance(value, dict):
        for key, item in value.items():
            found = _ragged_part(item, f"{path}[{key!r}]" if path else str(key))
            if found:
                return found
        return None
    if isinstance(value, (list, tuple)) and value and shape_text(value) == "ragged":
        # A list of arrays is a list of layers, not one array: look inside it instead.
        inner = (_ragged_part(item, f"{path}[{i}]") for i, item in enumerate(value) if isinstance(item, list))
        found = next((p for p in inner if p), None)
        if found or all(isinstance(item, np.ndarray) for item in value):
            return found
        return path, value
    return None


def _ragged_message(path: str, value: Any) -> str:
    """What to write instead of the ragged nested list ``value`` at ``path``."""
    if ragged_text(value).startswith("ragged rows"):
        return (f"{path} has {ragged_text(value)}: a weight matrix is rectangular, every row as long as the "
                "others (write zeros rather than leave entries out)")
    return (f"{path} is {ragged_text(value)}, which is no array: give layers of different shapes as a list of "
            "NumPy arrays, one per layer, e.g. [np.array([[0.5, 0.05]]), np.array([[0.2], [0.3]])]")


def _bind(reference: Callable, given: dict) -> tuple[dict, tuple]:
    """Arguments in the reference's order, defaults filled in; and the keyword-only names."""
    parameters = inspect.signature(reference).parameters
    unknown = [k for k in given if k not in parameters]
    if unknown:
        raise Fail(f"unknown argument(s) {unknown}; {reference.__name__} takes {list(parameters)}")
    arguments = {}
    for name, parameter in parameters.items():
        if name in given:
            arguments[name] = given[name]
        elif parameter.default is not inspect.Parameter.empty:
            arguments[name] = parameter.default
        else:
            raise Fail(f"missing argument {name!r}; {reference.__name__} takes {list(parameters)}")
    keyword_only = tuple(n for n, p in parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY)
    return arguments, keyword_only


def expose_judge(exercise: Exercise, buggy: Callable) -> Callable[[CaseSpec, Any], Verdict]:
    """The judge for ``expose_<target>``: does the learner's input make ``buggy`` go wrong?

    Args:
        exercise: the target exercise: its reference says which inputs are valid, its judge what is wrong.
        buggy: the buggy version the learner was shown.
    """
    reference, target = exercise.reference, exercise.name

    def judge(case: CaseSpec, output: Any) -> Verdict:
        try:
            if not isinstance(output, dict):
                raise Fail(f"returned {type(output).__name__}, expected a dict of arguments for {target}, "
                           f"e.g. {{'weights': np.array([...]), ...}}")
            arguments, keyword_only = _bind(reference, output)
            if _numbers(arguments) > MAX_NUMBERS:
                raise Fail(f"the input has {_numbers(arguments)} numbers; keep it small (at most {MAX_NUMBERS}) "
                           "so that the bug is easy to see")
            spec = CaseSpec("your input", arguments, keyword_only)
            try:
                reference(*copy.deepcopy(spec.args), **copy.deepcopy(spec.kwargs))
            except Exception as error:
                ragged = _ragged_part(arguments)
                if ragged:
                    raise Fail(_ragged_message(*ragged)) from None
                raise Fail(f"the reference rejects this input ({type(error).__name__}: {error}); "
                           "choose a valid input") from None
            try:
                buggy_output = buggy(*copy.deepcopy(spec.args), **copy.deepcopy(spec.kwargs))
            except Exception as error:
                return Verdict(True, f"exposed: the buggy version crashes ({type(error).__name__}: {error}) "
                                     "on an input the reference handles")
            verdict = exercise.judge(spec, decode(encode(buggy_output)))
            if verdict.passed:
                raise Fail(f"on {show_input(arguments, 160)} the buggy version gives a right answer; "
                           "find an input where it goes wrong")
            return Verdict(True, f"exposed: on your input the buggy version {verdict.message}")
        except Fail as failure:
            return Verdict(False, str(failure))

    judge.__name__ = f"judge_expose_{target}"
    return judge


def buggy_source(target: str) -> str:
    """The source code of the buggy ``target`` that exercise 5 shows, under the target's own name.

    >>> print(buggy_source("magnitude_mask").splitlines()[0])
    def magnitude_mask(weights, amount):
    """
    if not isinstance(target, str) or target not in BUGGY:
        raise ValueError(f"target must be one of {sorted(BUGGY)}, got {target!r}")
    source = inspect.getsource(BUGGY[target])
    source = source[source.index("def "):]  # drop the registration decorator
    # The implementation's own name says what is wrong with it; the learner should find out.
    return re.sub(r"^def \w+\(", f"def {target}(", source, count=1)

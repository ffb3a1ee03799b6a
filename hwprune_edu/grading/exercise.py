"""The vocabulary every exercise file speaks: :class:`Exercise`, :class:`Mistake` and :class:`Attempt`.

An exercise (one file in :mod:`hwprune_edu.grading.exercises`) is its
reference, its notebook, its cases, its judge and its mistakes. A mistake is
a common wrong answer: an id, a one-line title, the hint to show, a
recogniser (a function of the :class:`Attempt`: the case, and what the
learner's function returned or raised) and, where one exists, a naive
version that makes exactly that mistake (the tests check that every naive
version is caught with its own hint, and never with another's). Recognisers
run only on failing cases, so a recogniser can never turn a right answer
wrong; a hint is shown only when one mistake (or exactly two, named together)
explains the output (see :meth:`Exercise.recognise`).

>>> @naive_mistake("doubled", "returned twice the value", hint="Return x itself.")
... def doubled(x):
...     return 2 * x
>>> attempt = Attempt(None, CaseSpec("c", {"x": 3}), "ok", 6)
>>> doubled.id, doubled.recognise(attempt), doubled.naive(1)
('doubled', True, 2)
"""

from __future__ import annotations

import copy
import inspect
import zlib
from dataclasses import dataclass, replace
from typing import Any, Callable

import numpy as np

from hwprune_edu.grading.cases import CaseSpec, numbered
from hwprune_edu.grading.judging import Fail, Verdict, as_mask

__all__ = ["Exercise", "Mistake", "Attempt", "mistake", "naive_mistake", "same_output", "same_number", "alike",
           "GENERIC", "FORMS"]

_NOTHING = object()

#: Mistakes described by the output's form alone (in ``common_mistakes``): a specific mistake that also matches
#: is the better explanation.
GENERIC = frozenset({"mutated_input", "signature", "returns_none", "only_2d", "dropped_entries", "returned_weights",
                     "flattened"})

#: Generic mistakes that read one output in different ways (the weights of a 1-D layer with nothing pruned are
#: both "dropped nothing" and "returned the weights"): when two match, both are named.
FORMS = frozenset({"dropped_entries", "returned_weights", "flattened"})


def alike(a: Any, b: Any) -> bool:
    """Whether two outputs are the same data (arrays within 1e-9; masks as 0/1; lists and dicts deep).

    >>> alike([1, 0], np.array([True, False])), alike({"w": [1.0]}, {"w": np.array([1.0])})
    (True, True)
    """
    if isinstance(b, dict):
        return isinstance(a, dict) and all(k in a and alike(a[k], v) for k, v in b.items())
    if isinstance(a, dict):
        return False
    if isinstance(b, (list, tuple)) and isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return False
        if all(isinstance(x, (list, tuple, np.ndarray, dict)) for x in b):
            return all(alike(x, y) for x, y in zip(a, b))
    try:
        x = np.asarray(a, dtype=np.float64)
        y = np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=1e-9, atol=1e-12, equal_nan=True))


@dataclass
class Attempt:
    """What happened on one case: the learner's output or error, as the grader received it.

    Attributes:
        exercise: the :class:`Exercise` being checked (recognisers may use its judge and reference).
        case: the case.
        status: ``"ok"`` (something was returned) or ``"error"`` (it raised).
        output: what was returned, decoded from plain data.
        error: type, message and line of the exception, when it raised.
        mutated: where an input was changed, or None.
    """

    exercise: Exercise
    case: CaseSpec
    status: str
    output: Any = None
    error: dict | None = None
    mutated: str | None = None

    @property
    def arguments(self) -> dict:
        return self.case.arguments

    def naive_output(self, fn: Callable) -> Any:
        """What the naive ``fn`` returns on this case (a sentinel that matches nothing if it raises)."""
        args, kwargs = copy.deepcopy((self.case.args, self.case.kwargs))
        try:
            return fn(*args, **kwargs)
        except Exception:
            return _NOTHING

    def matches(self, fn: Callable) -> bool:
        """Whether the learner's output equals the naive ``fn``'s on this case."""
        if self.status != "ok":
            return False
        expected = self.naive_output(fn)
        return expected is not _NOTHING and alike(self.output, expected)

    def array(self, dtype: Any = None) -> np.ndarray | None:
        """The output as an array (of ``dtype``), or None when it returned none or is not array-like."""
        if self.status != "ok":
            return None
        try:
            return np.asarray(self.output, dtype=dtype)
        except (TypeError, ValueError):
            return None

    def mask(self, shape: tuple | None = None) -> np.ndarray | None:
        """The output as a boolean mask of ``shape`` (default: the weights'), or None."""
        if self.status != "ok":
            return None
        try:
            return as_mask(self.output, shape or np.shape(self.arguments["weights"]))[0]
        except (Fail, KeyError):
            return None

    def number(self) -> float | None:
        """The output's first value as a float (a number or a 1-element array), or None."""
        if self.status != "ok":
            return None
        try:
            return float(np.asarray(self.output, dtype=np.float64).ravel()[0])
        except (TypeError, ValueError, IndexError):
            return None

    def error_is(self, *types: str, text: str = "") -> bool:
        """Whether it raised one of ``types`` with ``text`` in the message."""
        return (self.status == "error" and self.error is not None and self.error["type"] in types
                and text.lower() in self.error["message"].lower())


@dataclass(frozen=True)
class Mistake:
    """A common wrong answer: ``id``, ``title``, the ``hint`` to show, its recogniser and a naive version.

    Attributes:
        id: a short name (``"wrong_axis"``); the report lists the ids it recognised.
        title: one line saying what went wrong.
        hint: what the learner reads: the likely mistake and how to fix it.
        recognise: ``recognise(attempt) -> bool`` on a failing :class:`Attempt`.
        naive: an implementation making this mistake (None for generic mistakes met only in learners' code).
    """

    id: str
    title: str
    hint: str
    recognise: Callable[[Attempt], bool]
    naive: Callable | None = None

    def made_by(self, naive: Callable) -> Mistake:
        """This mistake with ``naive`` as the exercise's own implementation making it."""
        return replace(self, naive=naive)


def mistake(id: str, title: str, *, hint: str, naive: Callable | None = None
            ) -> Callable[[Callable[[Attempt], bool]], Mistake]:
    """Decorator: the decorated recogniser ``f(attempt) -> bool`` becomes a :class:`Mistake`."""
    def make(recognise: Callable[[Attempt], bool]) -> Mistake:
        return Mistake(id, title, hint, recognise, naive)

    return make


def same_output(naive: Callable) -> Callable[[Attempt], bool]:
    """A recogniser: the learner's output equals ``naive``'s on the case (see :func:`alike`)."""
    return lambda attempt: attempt.matches(naive)


def same_number(naive: Callable) -> Callable[[Attempt], bool]:
    """A recogniser: the learner's number equals ``naive``'s on the case (to 1e-9)."""
    def recognise(attempt: Attempt) -> bool:
        got = None if isinstance(attempt.output, (bool, type(None))) else attempt.number()
        if got is None:
            return False
        expected = attempt.naive_output(naive)
        return expected is not _NOTHING and bool(np.isclose(got, float(expected), rtol=1e-9, atol=0.0))

    return recognise


def naive_mistake(id: str, title: str, *, hint: str,
                  same: Callable[[Callable], Callable[[Attempt], bool]] = same_output
                  ) -> Callable[[Callable], Mistake]:
    """Decorator: the decorated naive version becomes a :class:`Mistake` recognised by giving its output.

    Args:
        id, title, hint: as in :class:`Mistake`.
        same: builds the recogniser from the naive version (:func:`same_output`, or
            :func:`same_number` for a single number).
    """
    def make(naive: Callable) -> Mistake:
        return Mistake(id, title, hint, same(naive), naive)

    return make


def _either(first: Mistake, second: Mistake) -> Mistake:
    """One mistake naming two that give the very same output, with both hints (``"a+b"``)."""
    return Mistake(f"{first.id}+{second.id}", f"{first.title}, or {second.title}",
                   f"Two different mistakes give exactly this output. Either: {first.hint} Or: {second.hint}",
                   lambda attempt: False)


@dataclass(frozen=True)
class Exercise:
    """One gradable exercise: what the learner writes, and how it is checked.

    Attributes:
        name: the id ``check`` takes (``"nm_mask"``).
        reference: the library's right answer (None where there is no single one: exercise 5's exposing inputs).
        notebook: the notebook that checks it (``"02_structured_masks"``).
        cases: ``cases(rng) -> [CaseSpec, ...]``, public ones first, hidden ones drawn from ``rng``.
        judge: ``judge(case, output) -> Verdict``.
        mistakes: what wrong answers are recognised as, most specific first.
        stream: names the random stream the hidden cases come from (default: ``name``; a copy of an
            exercise in another notebook keeps the original's, so it gets the same cases).
        numbered: whether cases are renamed "public 1", "hidden 2 (ties)", ... (a single input is not).
    """

    name: str
    reference: Callable | None
    notebook: str
    cases: Callable[[np.random.Generator], list[CaseSpec]]
    judge: Callable[[CaseSpec, Any], Verdict]
    mistakes: tuple[Mistake, ...]
    stream: str = ""
    numbered: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "stream", self.stream or self.name)

    @property
    def arg_names(self) -> tuple:
        """Names of the positional arguments the learner's function takes (for messages)."""
        if self.reference is None:
            return ()
        parameters = inspect.signature(self.reference).parameters
        return tuple(n for n, p in parameters.items() if p.kind is not p.KEYWORD_ONLY)

    def make_cases(self, seed: int = 0) -> list[CaseSpec]:
        """The cases for ``seed``: public ones (fixed) then hidden ones (seeded), named in order."""
        # Each exercise draws from its own stream, so adding a case to one leaves the others alone.
        rng = np.random.default_rng([int(seed), zlib.crc32(self.stream.encode())])
        cases = self.cases(rng)
        return numbered(cases) if self.numbered else cases

    def recognise(self, attempt: Attempt, passed: tuple[CaseSpec, ...] = ()) -> Mistake | None:
        """The mistake that explains the attempt: one of :attr:`mistakes`, both of two, or None.

        A mistake explains the attempt when its recogniser matches or (for a
        specific one) when its naive version gives this very output, so a
        degenerate input, where two wrong answers coincide, finds both.
        Mistakes are tried in order. A :data:`GENERIC` one (the output's form:
        dropped entries, a flattened mask) that matches first decides (with a
        second of the :data:`FORMS` that reads the same output, both are
        named); a generic one matching after a specific one is superseded by
        it. When several specific mistakes
        match, those whose naive version would have failed a case in
        ``passed`` (cases the learner's function got right) are set aside:
        the learner's code does not behave like them. Then exactly one left
        is named; two are named together, with both hints, so that no hint
        points at a mistake that was not made; with none or more left the
        output says too little and no hint is given. A recogniser that itself
        fails (an odd output it did not foresee) counts as no match.

        Args:
            attempt: the failing case's :class:`Attempt`.
            passed: the cases the same function passed (evidence against a mistake's naive version).
        """
        found = []
        for candidate in self.mistakes:
            try:
                # A generic mistake is the output's form, which its recogniser reads exactly (a naive version
                # that returns the weights gives the dropped entries' output when nothing was pruned).
                by_naive = candidate.naive is not None and candidate.id not in GENERIC
                if candidate.recognise(attempt) or (by_naive and attempt.matches(candidate.naive)):
                    found.append(candidate)
            except Exception:
                continue
        if not found:
            return None
        if found[0].id in GENERIC:  # a generic mistake listed first decides, unless another form reads it too
            forms = [m for m in found if m.id in FORMS] if found[0].id in FORMS else []
            return _either(*forms) if len(forms) == 2 else found[0]
        specific = [m for m in found if m.id not in GENERIC]
        if len(specific) > 1 and passed:
            specific = [m for m in specific if self._consistent(m, passed)]
        if len(specific) == 1:
            return specific[0]
        if len(specific) != 2:
            return None  # no explanation left, or three or more: the output says too little to name one
        return _either(*specific)

    def _consistent(self, candidate: Mistake, passed: tuple[CaseSpec, ...]) -> bool:
        """Whether ``candidate``'s naive version also passes every case in ``passed`` (True without a naive)."""
        if candidate.naive is None:
            return True
        for case in passed:
            output = Attempt(self, case, "ok").naive_output(candidate.naive)
            try:
                if output is _NOTHING or not self.judge(case, output).passed:
                    return False
            except Exception:  # the judge could not read the naive output: it is no right answer
                return False
        return True

    def again(self, name: str, notebook: str) -> Exercise:
        """The same exercise, with the same cases, under another name in another notebook."""
        return replace(self, name=name, notebook=notebook)

"""One multiple-choice question, as data, and how an answer to it is judged.

A :class:`Question` is frozen plain data: the renderers (text, terminal drill,
ipywidgets) only read it, and :meth:`Question.check` is the one place where an
answer becomes feedback, so every renderer explains answers the same way.

>>> q = Question(id="demo", question="2 + 2?", choices=("3", "4"), answer=1,
...              explanation="Two pairs make four.", why_wrong=("One short.", ""), tags=("demo",))
>>> q.check(0).correct, q.letter(1)
(False, 'b')
"""

from __future__ import annotations

from dataclasses import dataclass

from hwprune_edu.util.validation import check_int, describe

__all__ = ["Question", "Feedback", "LETTERS", "parse_choice"]

LETTERS = "abcdefgh"


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: whether it was right, and the explanation to show.

    Attributes:
        correct: the chosen option is the right one.
        chosen: index of the chosen option.
        answer: index of the right option.
        message: plain text: the verdict, why the choice is wrong (if it is),
            and why the right answer is right.
    """

    correct: bool
    chosen: int
    answer: int
    message: str


@dataclass(frozen=True)
class Question:
    """A multiple-choice question with an explanation for every option.

    Attributes:
        id: short unique slug, e.g. ``"roofline-ridge"``.
        question: the question text.
        choices: the options, 2 to 8 of them.
        answer: index of the right option in ``choices``.
        explanation: why the right option is right (cite sources here).
        why_wrong: one entry per option: why that option is wrong; the entry
            at ``answer`` is ``""``.
        tags: topics, lower case, e.g. ``("roofline", "memory-bound")``.

    >>> Question(id="x", question="?", choices=("a",), answer=0, explanation="e", why_wrong=("",), tags=("t",))
    Traceback (most recent call last):
    ...
    ValueError: question 'x': choices must have 2 to 8 options, got 1
    """

    id: str
    question: str
    choices: tuple[str, ...]
    answer: int
    explanation: str
    why_wrong: tuple[str, ...]
    tags: tuple[str, ...]

    def __post_init__(self) -> None:
        # Accept lists from the data file but store tuples, so questions stay hashable and immutable.
        for name in ("choices", "why_wrong", "tags"):
            value = getattr(self, name)
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                raise TypeError(f"question {self.id!r}: {name} must be a sequence of strings, got {describe(value)}")
            object.__setattr__(self, name, tuple(value))
        for name in ("id", "question", "explanation"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"question {self.id!r}: {name} must be a non-empty string, got {describe(value)}")
        if not 2 <= len(self.choices) <= len(LETTERS):
            raise ValueError(f"question {self.id!r}: choices must have 2 to {len(LETTERS)} options, got {len(self.choices)}")
        check_int(self.answer, name=f"question {self.id!r}: answer", minimum=0)
        if self.answer >= len(self.choices):
            raise ValueError(
                f"question {self.id!r}: answer must index one of the {len(self.choices)} choices, got {self.answer}"
            )
        if len(self.why_wrong) != len(self.choices):
            raise ValueError(
                f"question {self.id!r}: why_wrong must have one entry per choice ({len(self.choices)}), "
                f"got {len(self.why_wrong)}"
            )
        for i, reason in enumerate(self.why_wrong):
            if (i == self.answer) != (not reason.strip()):
                expected = "empty (it is the right answer)" if i == self.answer else "a reason it is wrong"
                raise ValueError(f"question {self.id!r}: why_wrong[{i}] must be {expected}, got {reason!r}")
        if not self.tags:
            raise ValueError(f"question {self.id!r}: tags must name at least one topic")

    def letter(self, index: int) -> str:
        """The letter shown for option ``index`` (``0 -> 'a'``)."""
        return LETTERS[index]

    def check(self, chosen: int) -> Feedback:
        """Judge the option at index ``chosen``; return the :class:`Feedback` to show.

        >>> q = Question(id="d", question="?", choices=("no", "yes"), answer=1,
        ...              explanation="Because.", why_wrong=("Not this.", ""), tags=("t",))
        >>> print(q.check(0).message)
        Not quite: (a) no
        Why not: Not this.
        The answer is (b) yes
        Why: Because.
        """
        chosen = check_int(chosen, name="chosen", minimum=0)
        if chosen >= len(self.choices):
            raise ValueError(f"chosen must index one of the {len(self.choices)} choices (0 to {len(self.choices) - 1}), got {chosen}")
        right = f"({self.letter(self.answer)}) {self.choices[self.answer]}"
        if chosen == self.answer:
            message = f"Correct: {right}\nWhy: {self.explanation}"
        else:
            message = (
                f"Not quite: ({self.letter(chosen)}) {self.choices[chosen]}\n"
                f"Why not: {self.why_wrong[chosen]}\n"
                f"The answer is {right}\nWhy: {self.explanation}"
            )
        return Feedback(correct=chosen == self.answer, chosen=chosen, answer=self.answer, message=message)


def parse_choice(text: str, n_choices: int) -> int | None:
    """Read an answer typed by a person: a letter (``b``, ``B``, ``(b)``, ``b)``) or a 1-based number.

    Returns:
        The option's 0-based index, or ``None`` if ``text`` names no option.

    >>> parse_choice(" B) ", 4), parse_choice("3", 4), parse_choice("e", 4), parse_choice("0", 4)
    (1, 2, None, None)
    """
    token = text.strip().lower().strip("().").strip()
    if len(token) == 1 and token in LETTERS[:n_choices]:
        return LETTERS.index(token)
    if token.isdigit() and 1 <= int(token) <= n_choices:
        return int(token) - 1
    return None

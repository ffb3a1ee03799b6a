"""One multiple-choice question, as data, and how an answer to it is judged.

A :class:`Question` is frozen plain data: a tuple of :class:`Choice` records,
each carrying its own text, whether it is right and, if not, why not (so no
reason can drift away from its option). The renderers (text, terminal drill,
ipywidgets) only read it, and :meth:`Question.check` is the one place where an
answer becomes feedback, so every renderer explains answers the same way.

>>> q = Question(id="demo", question="2 + 2?",
...              choices=(Choice("3", why_wrong="One short."), Choice("4", correct=True)),
...              explanation="Two pairs make four.", tags=("demo",))
>>> q.check(0).correct, q.answer, q.letter(1)
(False, 1, 'b')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hwprune_edu.studies.arguments import checked
from hwprune_edu.util.validation import check_int, describe

__all__ = ["Choice", "Question", "Feedback", "LETTERS", "parse_choice"]

LETTERS = "abcdefgh"


@dataclass(frozen=True)
@checked
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
class Choice:
    """One option of a question: its text, whether it is the right one, and if not, why not.

    Attributes:
        text: the option as shown.
        correct: this is the question's right answer.
        why_wrong: why this option is wrong; ``""`` for the right one (the
            question's explanation says why that one is right).

    >>> Choice("By 75%", correct=True).why_wrong, Choice("By 50%", why_wrong="Inputs halve too.").correct
    ('', False)
    >>> Choice("By 50%")
    Traceback (most recent call last):
    ...
    ValueError: choice 'By 50%': a wrong choice needs a why_wrong (a reason it is wrong)
    """

    text: str
    correct: bool = False
    why_wrong: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text.strip():
            raise ValueError(f"choice text must be a non-empty string, got {describe(self.text)}")
        # A bool, not any truthy value: `correct = "no"` in a data file must not count as right.
        if not isinstance(self.correct, bool):
            raise TypeError(f"choice {self.text!r}: correct must be a bool (true or false), got {describe(self.correct)}")
        if not isinstance(self.why_wrong, str):
            raise TypeError(f"choice {self.text!r}: why_wrong must be a string, got {describe(self.why_wrong)}")
        if self.correct and self.why_wrong.strip():
            raise ValueError(
                f"choice {self.text!r}: the right choice has no why_wrong (the explanation says why it is right), "
                f"got {self.why_wrong!r}"
            )
        if not self.correct and not self.why_wrong.strip():
            raise ValueError(f"choice {self.text!r}: a wrong choice needs a why_wrong (a reason it is wrong)")


@dataclass(frozen=True)
class Question:
    """A multiple-choice question with an explanation for every option.

    Attributes:
        id: short unique slug, e.g. ``"roofline-ridge"``.
        question: the question text.
        choices: the options, 2 to 8 :class:`Choice` records, exactly one of them correct.
        explanation: why the right option is right (cite sources here).
        tags: topics, lower case, e.g. ``("roofline", "memory-bound")``; the
            first is the question's main topic.

    >>> Question(id="x", question="?", choices=(Choice("a", correct=True), Choice("b", correct=True)),
    ...          explanation="e", tags=("t",))
    Traceback (most recent call last):
    ...
    ValueError: question 'x': exactly one choice must be correct, got 2: (a) and (b)
    """

    id: str
    question: str
    choices: tuple[Choice, ...]
    explanation: str
    tags: tuple[str, ...]

    def __post_init__(self) -> None:
        # Accept lists from a data file but store tuples, so questions stay hashable and immutable.
        for name, kind in (("choices", Choice), ("tags", str)):
            value = getattr(self, name)
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, kind) for v in value):
                raise TypeError(
                    f"question {self.id!r}: {name} must be a sequence of {kind.__name__} objects, got {describe(value)}"
                )
            object.__setattr__(self, name, tuple(value))
        for name in ("id", "question", "explanation"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"question {self.id!r}: {name} must be a non-empty string, got {describe(value)}")
        if not 2 <= len(self.choices) <= len(LETTERS):
            raise ValueError(f"question {self.id!r}: choices must have 2 to {len(LETTERS)} options, got {len(self.choices)}")
        right = [f"({self.letter(i)})" for i, choice in enumerate(self.choices) if choice.correct]
        if len(right) != 1:
            which = f": {' and '.join(right)}" if right else ""
            raise ValueError(f"question {self.id!r}: exactly one choice must be correct, got {len(right)}{which}")
        if not self.tags:
            raise ValueError(f"question {self.id!r}: tags must name at least one topic")

    @property
    def answer(self) -> int:
        """Index of the right option in ``choices``."""
        return next(i for i, choice in enumerate(self.choices) if choice.correct)

    def letter(self, index: int) -> str:
        """The letter shown for option ``index`` (``0 -> 'a'``)."""
        return LETTERS[index]

    def check(self, chosen: int) -> Feedback:
        """Judge the option at index ``chosen``; return the :class:`Feedback` to show.

        >>> q = Question(id="d", question="?", choices=(Choice("no", why_wrong="Not this."), Choice("yes", correct=True)),
        ...              explanation="Because.", tags=("t",))
        >>> print(q.check(0).message)
        Not quite: (a) no
        Why not: Not this.
        The answer is (b) yes
        Why: Because.
        """
        chosen = check_int(chosen, name="chosen", minimum=0)
        if chosen >= len(self.choices):
            raise ValueError(f"chosen must index one of the {len(self.choices)} choices (0 to {len(self.choices) - 1}), got {chosen}")
        answer = self.answer
        right = f"({self.letter(answer)}) {self.choices[answer].text}"
        if chosen == answer:
            message = f"Correct: {right}\nWhy: {self.explanation}"
        else:
            message = (
                f"Not quite: ({self.letter(chosen)}) {self.choices[chosen].text}\n"
                f"Why not: {self.choices[chosen].why_wrong}\n"
                f"The answer is {right}\nWhy: {self.explanation}"
            )
        return Feedback(correct=chosen == answer, chosen=chosen, answer=answer, message=message)


def check_questions(questions: Any, *, name: str = "questions") -> list["Question"]:
    """``questions`` as a new list, after checking it is a non-empty list or tuple of :class:`Question`.

    >>> check_questions([])
    Traceback (most recent call last):
    ...
    ValueError: questions must hold at least one Question (see hwprune_edu.quiz.questions()), got none
    """
    if isinstance(questions, (str, bytes, Question)) or not isinstance(questions, (list, tuple)):
        raise TypeError(f"{name} must be a list of Question objects (see hwprune_edu.quiz.questions()), "
                        f"got {describe(questions)}")
    if not questions:
        raise ValueError(f"{name} must hold at least one Question (see hwprune_edu.quiz.questions()), got none")
    for i, q in enumerate(questions):
        if not isinstance(q, Question):
            raise TypeError(f"{name}[{i}] must be a Question (see hwprune_edu.quiz.questions()), got {describe(q)}")
    return list(questions)


def check_question(question: Any, *, name: str = "question") -> "Question":
    """``question`` if it is a :class:`Question`.

    >>> check_question("2 + 2?")
    Traceback (most recent call last):
    ...
    TypeError: question must be a Question (see hwprune_edu.quiz.get_question()), got str '2 + 2?'
    """
    if not isinstance(question, Question):
        raise TypeError(f"{name} must be a Question (see hwprune_edu.quiz.get_question()), got {describe(question)}")
    return question


def check_title(title: Any) -> str | None:
    """``None`` or a str (a quiz's heading).

    >>> check_title("APoZ")
    'APoZ'
    """
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str or None, got {describe(title)}")
    return title


def parse_choice(text: str, n_choices: int) -> int | None:
    """Read an answer typed by a person: a letter (``b``, ``B``, ``(b)``, ``b)``) or a 1-based number.

    Returns:
        The option's 0-based index, or ``None`` if ``text`` names no option.

    >>> parse_choice(" B) ", 4), parse_choice("3", 4), parse_choice("e", 4), parse_choice("0", 4)
    (1, 2, None, None)
    >>> parse_choice("²", 4), parse_choice("①", 4), parse_choice("9" * 5000, 4), parse_choice("003", 4)
    (None, None, None, 2)
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str (what was typed), got {describe(text)}")
    n_choices = check_int(n_choices, name="n_choices", minimum=1)
    token = text.strip().lower().strip("().").strip()
    if len(token) == 1 and token in LETTERS[:n_choices]:
        return LETTERS.index(token)
    # isdecimal, not isdigit: '²' and '①' are digits int() cannot read; a long number names no option.
    if token.isdecimal() and len(token.lstrip("0")) <= len(str(n_choices)) and 1 <= int(token) <= n_choices:
        return int(token) - 1
    return None

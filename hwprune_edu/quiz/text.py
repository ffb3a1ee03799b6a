"""Plain-text rendering of questions and feedback, for terminals and widget-less notebooks.

>>> from hwprune_edu.quiz.question import Choice, Question
>>> q = Question(id="demo", question="Is 2:4 sparsity 50% sparse?",
...              choices=(Choice("yes", correct=True), Choice("no", why_wrong="It is.")),
...              explanation="2 of 4 kept.", tags=("2:4",))
>>> print(format_question(q, number=1))
Q1. Is 2:4 sparsity 50% sparse?
  a) yes
  b) no
"""

from __future__ import annotations

import textwrap
from typing import Sequence

from hwprune_edu.quiz.question import Question, check_question, check_questions, check_title
from hwprune_edu.studies.arguments import check_flag
from hwprune_edu.util.validation import check_int

__all__ = ["format_question", "format_feedback", "format_quiz"]

WIDTH = 88


def _wrap(text: str, indent: str = "", first: str | None = None) -> str:
    # Wrap each paragraph separately so explanations keep their line breaks.
    first = indent if first is None else first
    lines = []
    for i, paragraph in enumerate(text.split("\n")):
        lines.append(textwrap.fill(paragraph, WIDTH, initial_indent=first if i == 0 else indent,
                                   subsequent_indent=indent))
    return "\n".join(lines)


def format_question(question: Question, number: int | None = None, *, show_tags: bool = False) -> str:
    """The question and its lettered options, wrapped to 88 columns.

    Args:
        question: the question.
        number: shown as ``Q<number>.``; omitted if ``None``.
        show_tags: append the question's tags and id.

    Returns:
        Multi-line text, no trailing newline.
    """
    question = check_question(question)
    if number is not None:
        number = check_int(number, name="number", minimum=1)
    show_tags = check_flag(show_tags, name="show_tags")
    head = f"Q{number}. " if number is not None else ""
    lines = [_wrap(question.question, indent=" " * len(head), first=head)]
    if show_tags:
        lines.append(f"   [{', '.join(question.tags)}] ({question.id})")
    for i, choice in enumerate(question.choices):
        lines.append(_wrap(choice.text, indent="     ", first=f"  {question.letter(i)}) "))
    return "\n".join(lines)


def format_feedback(question: Question, chosen: int) -> str:
    """The verdict on option ``chosen`` and the explanation, wrapped to 88 columns.

    >>> from hwprune_edu.quiz import get_question
    >>> print(format_feedback(get_question("roofline-attainable"), 3).splitlines()[0])
    Correct: (d) 40 TFLOP/s, memory-bound.
    """
    return _wrap(check_question(question).check(chosen).message)


def format_quiz(questions: Sequence[Question], *, answers: bool = True, title: str | None = None) -> str:
    """A printable quiz: its title, every question, then (optionally) an answer key with explanations.

    The key comes after all questions so a reader can try them first. The title
    is underlined, so quizzes printed one after another stay apart.

    Args:
        questions: the questions, in the order to print them.
        answers: append the answer key.
        title: a heading for the quiz (its topic), or ``None``.

    Returns:
        Multi-line text.

    >>> from hwprune_edu.quiz import get_question
    >>> text = format_quiz([get_question("apoz-after-relu")])
    >>> text.count("Q1."), "Answer key" in text
    (2, True)
    >>> print(format_quiz([get_question("apoz-after-relu")], answers=False, title="APoZ").splitlines()[:3])
    ['APoZ', '====', '']
    """
    questions = check_questions(questions)
    answers = check_flag(answers, name="answers")
    title = check_title(title)
    parts = [f"{title}\n{'=' * len(title)}"] if title else []
    parts += [format_question(q, number=i) for i, q in enumerate(questions, start=1)]
    if answers and questions:
        parts.append("-" * 30 + " Answer key " + "-" * 30)
        for i, q in enumerate(questions, start=1):
            parts.append(_wrap(f"Q{i}. ({q.letter(q.answer)}) {q.choices[q.answer].text}\n{q.explanation}"))
    return "\n\n".join(parts)

"""Interview drills: multiple-choice questions as data, asked in Jupyter or in a terminal.

The bank lives in :mod:`hwprune_edu.quiz.bank` (plain data); every question
explains its right answer and why each wrong option is wrong. Render it with
:func:`show_quiz` (ipywidgets, falling back to text), :func:`format_quiz`
(plain text), or drill in a terminal with ``hwprune-edu quiz``.

>>> len(questions()) >= 30, "roofline" in tags()
(True, True)
>>> q = get_question("roofline-attainable")
>>> q.check(q.answer).correct
True
"""

from __future__ import annotations

from functools import lru_cache

from hwprune_edu.quiz.bank import BANK, TAGS
from hwprune_edu.quiz.question import LETTERS, Feedback, Question, parse_choice
from hwprune_edu.quiz.text import format_feedback, format_question, format_quiz
from hwprune_edu.quiz.widgets import QuizWidget, quiz_widget, show_quiz

__all__ = [
    "Question",
    "Feedback",
    "LETTERS",
    "parse_choice",
    "questions",
    "tags",
    "get_question",
    "format_question",
    "format_feedback",
    "format_quiz",
    "QuizWidget",
    "quiz_widget",
    "show_quiz",
]


@lru_cache(maxsize=1)
def _all_questions() -> tuple[Question, ...]:
    return tuple(Question(**entry) for entry in BANK)


def tags() -> dict[str, str]:
    """Every tag in the bank -> what it covers (a new dict; edit freely).

    >>> tags()["2:4"]
    '2:4 sparse tensor cores: the pattern, the metadata, the real speedup'
    """
    return dict(TAGS)


def questions(tag: str | None = None) -> list[Question]:
    """The bank's questions, in bank order; only those tagged ``tag`` if given.

    Args:
        tag: one of :func:`tags`, or ``None`` for all questions.

    Returns:
        A new list of :class:`Question` (frozen, safe to share).

    >>> [q.id for q in questions("lottery-ticket")][:2]
    ['lottery-ticket-claim', 'lottery-ticket-speed']
    """
    if tag is None:
        return list(_all_questions())
    if tag not in TAGS:
        raise ValueError(f"tag must be one of {sorted(TAGS)}, got {tag!r}")
    return [q for q in _all_questions() if tag in q.tags]


def get_question(question_id: str) -> Question:
    """The question with id ``question_id``.

    >>> get_question("apoz-after-relu").tags
    ('apoz',)
    """
    for q in _all_questions():
        if q.id == question_id:
            return q
    raise ValueError(f"question_id must be one of the bank's ids (see questions()), got {question_id!r}")

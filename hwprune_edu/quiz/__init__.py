"""Interview drills: multiple-choice questions as data, asked in Jupyter or in a terminal.

The questions are TOML files in ``hwprune_edu/quiz/questions/`` (one per topic,
read by :mod:`hwprune_edu.quiz.bank`); every question explains its right answer
and each choice says why it is wrong. Render them with :func:`show_quiz`
(ipywidgets, falling back to text), :func:`format_quiz` (plain text), or drill
in a terminal with ``hwprune-edu quiz``.

>>> len(questions()) >= 30, "roofline" in tags()
(True, True)
>>> q = get_question("roofline-attainable")
>>> q.check(q.answer).correct
True
"""

from __future__ import annotations

from hwprune_edu.quiz.bank import Bank, get_question, load_bank, questions, tags
from hwprune_edu.quiz.question import LETTERS, Choice, Feedback, Question, parse_choice
from hwprune_edu.quiz.text import format_feedback, format_question, format_quiz
from hwprune_edu.quiz.widgets import QuizWidget, quiz_widget, show_quiz

__all__ = [
    "Question",
    "Choice",
    "Feedback",
    "LETTERS",
    "parse_choice",
    "questions",
    "tags",
    "get_question",
    "load_bank",
    "Bank",
    "format_question",
    "format_feedback",
    "format_quiz",
    "QuizWidget",
    "quiz_widget",
    "show_quiz",
]

"""ipywidgets quizzes: one card per question (options, a Check button, feedback), and a score.

Every callback is an ordinary method, so tests drive a quiz without a browser:
set ``card.choices.value`` and call ``card.check()`` (or ``card.button.click()``).
``ipywidgets`` is imported only when a quiz is built; :func:`show_quiz` falls
back to plain text when it (or IPython) is missing.

>>> from hwprune_edu.quiz import get_question
>>> quiz = quiz_widget([get_question("removal-flatten")])
>>> card = quiz.cards[0]
>>> card.choices.value = 3
>>> card.check().correct, quiz.score()
(True, (1, 1))
"""

from __future__ import annotations

import html
from typing import Any, Callable, Sequence

from hwprune_edu.quiz.question import Feedback, Question, check_question, check_questions, check_title
from hwprune_edu.quiz.text import format_quiz
from hwprune_edu.util.validation import check_int, describe

__all__ = ["QuestionCard", "QuizWidget", "quiz_widget", "show_quiz"]


def _html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


#: Prose line spacing: ipywidgets' HTML widget otherwise spaces every line at the 28 px height of a control.
_TEXT_STYLE = "line-height: 1.45"

#: The labels :meth:`Question.check` starts its feedback lines with, shown in bold.
_LABELS = ("Correct:", "Not quite:", "Why not:", "The answer is", "Why:")


def _feedback_html(verdict: Feedback) -> str:
    """The feedback as HTML: only the verdict line in colour, the explanation in the page's own text colour.

    A whole paragraph in red reads as an error message; the reasons are for reading.

    >>> from hwprune_edu.quiz import get_question
    >>> html_text = _feedback_html(get_question("removal-flatten").check(0))
    >>> html_text.count("color: #b00"), "<b>Why not:</b>" in html_text
    (1, True)
    """
    colour = "green" if verdict.correct else "#b00"
    lines = []
    for i, line in enumerate(verdict.message.split("\n")):
        label = next((lab for lab in _LABELS if line.startswith(lab)), "")
        text = f"<b>{_html(label)}</b>{_html(line[len(label):])}" if label else _html(line)
        lines.append(f"<div style='color: {colour}'>{text}</div>" if i == 0 else f"<div>{text}</div>")
    return (f"<div style='{_TEXT_STYLE}; border-left: 3px solid {colour}; padding: 2px 0 2px 8px; margin: 4px 0'>"
            + "".join(lines) + "</div>")


class QuestionCard:
    """The widgets for one question; ``widget`` is the box to display.

    Attributes:
        question: the :class:`Question`.
        choices: ``RadioButtons`` whose value is the chosen option's index (``None`` = none yet).
        button: the Check button; clicking it calls :meth:`check`.
        feedback: ``HTML`` showing the verdict and the explanation.
        first_try: ``None`` until the first check, then whether it was right
            (the score counts first tries, as an interviewer would).
    """

    def __init__(self, question: Question, number: int | None = None,
                 on_first_try: Callable[[], None] | None = None) -> None:
        import ipywidgets as widgets

        self.question = check_question(question)
        if number is not None:
            number = check_int(number, name="number", minimum=1)
        if on_first_try is not None and not callable(on_first_try):
            raise TypeError(f"on_first_try must be a function of no arguments, or None, got {describe(on_first_try)}")
        self.first_try: bool | None = None
        self._on_first_try = on_first_try
        head = f"<b>Q{number}.</b> " if number is not None else ""
        # The full option texts go in HTML (which wraps); radio labels stay short letters,
        # because long radio labels are cut off in some front ends.
        options = "".join(f"<li><b>{question.letter(i)})</b> {_html(c.text)}</li>" for i, c in enumerate(question.choices))
        self.prompt = widgets.HTML(
            f"<div style='{_TEXT_STYLE}'>{head}{_html(question.question)}"
            f"<ul style='list-style: none; padding-left: 1em'>{options}</ul></div>"
        )
        self.choices = widgets.RadioButtons(
            options=[(question.letter(i), i) for i in range(len(question.choices))],
            value=None,
            description="Answer:",
        )
        # Under the options (JupyterLab puts the "Answer:" label above them), not floating beside the list.
        self.button = widgets.Button(description="Check", button_style="primary",
                                     layout=widgets.Layout(margin="4px 0 4px 4px"))
        self.feedback = widgets.HTML("")
        self.button.on_click(self.check)
        self.widget = widgets.VBox([self.prompt, self.choices, self.button, self.feedback])

    def check(self, _button: Any = None) -> Feedback | None:
        """Judge the selected option and show the feedback; ``None`` if nothing is selected."""
        if self.choices.value is None:
            self.feedback.value = "<i>Pick an answer first.</i>"
            return None
        verdict = self.question.check(self.choices.value)
        self.feedback.value = _feedback_html(verdict)
        if self.first_try is None:
            self.first_try = verdict.correct
            if self._on_first_try is not None:
                self._on_first_try()
        return verdict


class QuizWidget:
    """A list of :class:`QuestionCard` and a score line; displays as the widgets in Jupyter.

    Where widgets cannot render (a static viewer), the plain-text form of the
    questions (without answers) is shown instead.
    """

    def __init__(self, questions: Sequence[Question], title: str | None = None) -> None:
        import ipywidgets as widgets

        self.questions = check_questions(questions)
        self.title = check_title(title)
        self.cards = [QuestionCard(q, number=i, on_first_try=self._update_score)
                      for i, q in enumerate(self.questions, start=1)]
        self.score_label = widgets.HTML()
        self._update_score()
        header = [widgets.HTML(f"<h4>{_html(title)}</h4>")] if title else []
        self.widget = widgets.VBox(header + [card.widget for card in self.cards] + [self.score_label])

    def score(self) -> tuple[int, int]:
        """``(right on the first try, questions checked)``."""
        tried = [card.first_try for card in self.cards if card.first_try is not None]
        return sum(tried), len(tried)

    def _update_score(self) -> None:
        correct, tried = self.score()
        self.score_label.value = (
            f"<b>Score: {correct}/{tried}</b> right on the first try "
            f"({tried} of {len(self.cards)} questions checked)."
        )

    def __repr__(self) -> str:
        return f"QuizWidget({len(self.cards)} questions)"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = format_quiz(self.questions, answers=False, title=self.title)
        return bundle


def _in_kernel() -> bool:
    """Whether we run inside a Jupyter kernel (where widgets can render), not a plain interpreter."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return getattr(get_ipython(), "kernel", None) is not None


def quiz_widget(questions: Sequence[Question], title: str | None = None) -> QuizWidget:
    """Build an ipywidgets quiz for ``questions``; the result displays itself in Jupyter.

    Args:
        questions: the questions, e.g. ``hwprune_edu.quiz.questions("roofline")``.
        title: an optional heading.

    Returns:
        A :class:`QuizWidget` (``.cards``, ``.score()``, ``.widget``).
    """
    return QuizWidget(questions, title=title)


def show_quiz(questions: Sequence[Question], *, title: str | None = None, mode: str = "auto") -> None:
    """Display a quiz: as widgets when ipywidgets and IPython are available, else as plain text.

    Args:
        questions: the questions to ask.
        title: an optional heading.
        mode: ``"widgets"``, ``"text"`` (prints the questions, then the answer key) or
            ``"auto"``: widgets inside a Jupyter kernel with ipywidgets installed, text otherwise.

    >>> from hwprune_edu.quiz import get_question
    >>> show_quiz([get_question("apoz-after-relu")], mode="text")  # doctest: +ELLIPSIS
    Q1. Why is APoZ measured after the ReLU ...
    """
    if not isinstance(mode, str) or mode not in ("auto", "widgets", "text"):
        raise ValueError(f"mode must be 'auto', 'widgets' or 'text', got {describe(mode)}")
    questions, title = check_questions(questions), check_title(title)
    if mode == "widgets" or (mode == "auto" and _in_kernel()):
        try:
            from IPython.display import display

            quiz = quiz_widget(questions, title=title)
        except ImportError:
            if mode == "widgets":
                raise
        else:
            display(quiz)
            return
    print(format_quiz(questions, answers=True, title=title))

"""The quiz engine: bank integrity, text rendering, the terminal drill (piped stdin), widget callbacks."""

import io
import subprocess
import sys
from collections import Counter

import pytest

from hwprune_edu.course import cli
from hwprune_edu.quiz import Question, format_feedback, format_question, format_quiz, get_question, questions, tags
from hwprune_edu.quiz import quiz_widget, show_quiz
from hwprune_edu.quiz.bank import BANK
from hwprune_edu.quiz.drill import pick_questions, run_drill
from hwprune_edu.quiz.question import parse_choice

# The topics the course promises the bank covers (issue 6).
REQUIRED_TAGS = {
    "granularity", "2:4", "roofline", "memory-bound", "tiles", "apoz", "magnitude", "schedule",
    "lottery-ticket", "quantisation", "slowdown", "removal", "blog-bugs", "hw-in-the-loop",
}


def _question(**overrides):
    fields = dict(id="t", question="?", choices=("x", "y", "z"), answer=1, explanation="because",
                  why_wrong=("no x", "", "no z"), tags=("demo",))
    fields.update(overrides)
    return Question(**fields)


# --- the bank -----------------------------------------------------------------------------------

def test_bank_is_large_and_ids_are_unique():
    qs = questions()
    assert len(qs) >= 30
    assert len({q.id for q in qs}) == len(qs)


def test_every_question_is_well_formed():
    for q in questions():
        assert 0 <= q.answer < len(q.choices), q.id
        assert len(q.explanation.split()) >= 8, f"{q.id}: explanation too thin"
        assert len(set(q.choices)) == len(q.choices), f"{q.id}: duplicate options"
        for i, reason in enumerate(q.why_wrong):
            assert bool(reason.strip()) == (i != q.answer), f"{q.id}: why_wrong[{i}]"
        assert set(q.tags) <= set(tags()), q.id


def test_every_required_topic_is_covered_by_at_least_two_questions():
    counts = Counter(t for q in questions() for t in q.tags)
    assert REQUIRED_TAGS <= set(tags())
    assert {t for t in REQUIRED_TAGS if counts[t] < 2} == set()


def test_right_answers_are_spread_over_the_letters():
    # A bank where the answer is usually (b) teaches guessing, not pruning.
    counts = Counter(q.answer for q in questions())
    assert max(counts.values()) <= 0.4 * len(questions())
    assert len(counts) == 4


def test_bank_is_plain_data():
    assert all(isinstance(entry, dict) for entry in BANK)


def test_questions_filters_by_tag_and_rejects_unknown_tags():
    roofline = questions("roofline")
    assert roofline and all("roofline" in q.tags for q in roofline)
    with pytest.raises(ValueError, match="tag must be one of"):
        questions("pruning-magic")
    with pytest.raises(ValueError, match="question_id"):
        get_question("nope")


def test_tags_returns_a_copy():
    tags()["granularity"] = "changed"
    assert tags()["granularity"] != "changed"


# --- Question ------------------------------------------------------------------------------------

def test_question_rejects_bad_data_naming_the_field():
    with pytest.raises(ValueError, match="answer must index"):
        _question(answer=3)
    with pytest.raises(ValueError, match="why_wrong must have one entry per choice"):
        _question(why_wrong=("a", ""))
    with pytest.raises(ValueError, match=r"why_wrong\[1\] must be empty"):
        _question(why_wrong=("a", "b", "c"))
    with pytest.raises(ValueError, match=r"why_wrong\[2\] must be a reason"):
        _question(why_wrong=("a", "", " "))
    with pytest.raises(ValueError, match="explanation must be a non-empty"):
        _question(explanation="  ")
    with pytest.raises(TypeError, match="answer must be an int"):
        _question(answer=True)
    with pytest.raises(ValueError, match="tags must name"):
        _question(tags=())


def test_question_is_frozen_and_stores_tuples():
    q = _question(choices=["x", "y", "z"])
    assert q.choices == ("x", "y", "z")
    with pytest.raises(AttributeError):
        q.answer = 0


def test_check_explains_right_and_wrong_answers():
    q = _question()
    right, wrong = q.check(1), q.check(2)
    assert right.correct and "because" in right.message
    assert not wrong.correct and "no z" in wrong.message and "(b) y" in wrong.message
    with pytest.raises(ValueError, match="chosen must index"):
        q.check(3)


@pytest.mark.parametrize("text, expected", [("a", 0), (" C ", 2), ("(b)", 1), ("b)", 1), ("3", 2),
                                            ("d", None), ("0", None), ("", None), ("ab", None), ("-1", None)])
def test_parse_choice(text, expected):
    assert parse_choice(text, 3) == expected


# --- text rendering --------------------------------------------------------------------------------

def test_format_question_lists_every_option_with_letters():
    q = get_question("sparse24-metadata")
    text = format_question(q, number=7)
    assert text.startswith("Q7. ")
    for letter, choice in zip("abcd", q.choices):
        assert f"  {letter}) {choice}" in text
    assert max(len(line) for line in text.splitlines()) <= 88


def test_format_feedback_and_answer_key():
    q = get_question("sparse24-metadata")
    assert format_feedback(q, q.answer).startswith("Correct: (b) 56.25%")
    text = format_quiz([q, get_question("apoz-after-relu")])
    key = text.index("Answer key")
    assert text.index("Q2.") < key  # every question comes before any answer
    assert "36/64 = 56.25%" in text[key:]
    assert "Answer key" not in format_quiz([q], answers=False)
    with pytest.raises(TypeError, match="Question objects"):
        format_quiz(["not a question"])


# --- the terminal drill ---------------------------------------------------------------------------

def _drill(answers, qs):
    out = io.StringIO()
    score = run_drill(qs, stdin=io.StringIO(answers), stdout=out)
    return score, out.getvalue()


def test_drill_scores_right_and_wrong_answers():
    qs = [get_question("removal-flatten"), get_question("roofline-attainable")]  # answers d, d
    score, out = _drill("d\na\n", qs)
    assert (score.correct, score.answered, score.asked) == (1, 2, 2)
    assert "Score: 1/2 correct (50%)." in out
    assert "Why not: 40 TFLOP/s" not in out and "Only layers at or right of the ridge" in out


def test_drill_reasks_after_bad_answers_and_accepts_numbers():
    score, out = _drill("zz\n\n9\n4\n", [get_question("removal-flatten")])
    assert score.correct == 1
    assert "'zz' is not one of the options" in out and "No answer given" in out and "'9'" in out


def test_drill_stops_kindly_at_end_of_input():
    score, out = _drill("d\n", [get_question("removal-flatten"), get_question("apoz-after-relu")])
    assert (score.answered, score.asked) == (1, 2)
    assert "no more answers" in out and "Answered 1 of 2 questions." in out


def test_drill_with_no_input_at_all_and_quit():
    assert "No questions answered." in _drill("", [get_question("removal-flatten")])[1]
    score, out = _drill("q\n", [get_question("removal-flatten")])
    assert score.answered == 0 and "No questions answered." in out


def test_pick_questions_is_seeded():
    first = [q.id for q in pick_questions(n=5, seed=3)]
    assert first == [q.id for q in pick_questions(n=5, seed=3)]
    assert len(first) == 5
    assert len(pick_questions("quantisation", n=100, seed=0)) == len(questions("quantisation"))


def test_cli_quiz_reads_piped_answers(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("a\nb\n"))
    assert cli.main(["quiz", "-n", "2", "--seed", "0"]) == 0
    out = capsys.readouterr().out
    assert "Interview drill: 2 question(s) on all topics (seed 0)." in out
    assert "Score: " in out and "Q2." in out


def test_cli_quiz_by_tag_and_list_tags(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert cli.main(["quiz", "--tag", "2:4", "-n", "1", "--seed", "0"]) == 0
    assert "on 2:4" in capsys.readouterr().out
    assert cli.main(["quiz", "--list-tags"]) == 0
    assert "hw-in-the-loop" in capsys.readouterr().out


def test_cli_quiz_rejects_bad_arguments(capsys):
    assert cli.main(["quiz", "--tag", "nope"]) == 2
    assert "invalid choice" in capsys.readouterr().err
    assert cli.main(["quiz", "-n", "0"]) == 2
    assert "-n must be at least 1" in capsys.readouterr().err


def test_quiz_command_works_when_piped():
    result = subprocess.run(
        [sys.executable, "-m", "hwprune_edu", "quiz", "-n", "2", "--seed", "1"],
        input="a\nb\n", capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Score: " in result.stdout and result.stdout.count("Your answer") == 2


# --- widgets --------------------------------------------------------------------------------------

def test_widget_callbacks_give_feedback_and_score_first_tries():
    qs = [get_question("removal-flatten"), get_question("apoz-after-relu")]  # answers d, a
    quiz = quiz_widget(qs, title="drill")
    first, second = quiz.cards
    first.check()
    assert "Pick an answer first" in first.feedback.value and quiz.score() == (0, 0)
    first.choices.value = 0
    assert first.check().correct is False
    assert "49 flattened values" in first.feedback.value and "#b00" in first.feedback.value
    first.choices.value = 3
    first.button.click()  # the real on_click path
    assert "green" in first.feedback.value
    assert quiz.score() == (0, 1)  # a second try does not change the first-try score
    second.choices.value = 0
    second.button.click()
    assert quiz.score() == (1, 2)
    assert "Score: 1/2" in quiz.score_label.value


def test_widget_escapes_html_and_shows_text_when_static():
    q = _question(question="Is a<b & c?")
    quiz = quiz_widget([q])
    assert "a&lt;b &amp; c?" in quiz.cards[0].prompt.value
    bundle = quiz._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("Q1. Is a<b & c?") and "Answer key" not in bundle["text/plain"]
    with pytest.raises(TypeError):
        quiz_widget([])


def test_show_quiz_text_mode_prints_answer_key(capsys):
    show_quiz([get_question("apoz-after-relu")], title="APoZ", mode="text")
    out = capsys.readouterr().out
    assert out.startswith("APoZ") and "Answer key" in out
    with pytest.raises(ValueError, match="mode must be"):
        show_quiz([], mode="html")


def test_show_quiz_auto_is_text_outside_a_kernel(capsys):
    show_quiz([get_question("apoz-after-relu")])
    assert "Answer key" in capsys.readouterr().out


def test_show_quiz_falls_back_to_text_without_ipywidgets(monkeypatch, capsys):
    from hwprune_edu.quiz import widgets

    monkeypatch.setattr(widgets, "_in_kernel", lambda: True)
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # makes `import ipywidgets` raise ImportError
    show_quiz([get_question("apoz-after-relu")])
    assert "Answer key" in capsys.readouterr().out
    with pytest.raises(ImportError):
        show_quiz([get_question("apoz-after-relu")], mode="widgets")


def test_show_quiz_widgets_mode_displays_the_quiz(capsys):
    show_quiz([get_question("apoz-after-relu")], mode="widgets")  # outside a kernel display() prints repr
    assert "QuizWidget(1 questions)" in capsys.readouterr().out

"""The quiz engine: the bank's data files and their checks, text rendering, the terminal drill (piped stdin),
widget callbacks."""

import io
import shutil
import subprocess
import sys
import tomllib
from collections import Counter

import pytest

from hwprune_edu.course import cli
from hwprune_edu.quiz import Choice, Question, format_feedback, format_question, format_quiz, get_question
from hwprune_edu.quiz import load_bank, questions, quiz_widget, show_quiz, tags
from hwprune_edu.quiz.bank import QUESTIONS_DIR
from hwprune_edu.quiz.drill import pick_questions, run_drill
from hwprune_edu.quiz.question import parse_choice

# The topics the course promises the bank covers (issue 6).
REQUIRED_TAGS = {
    "granularity", "2:4", "roofline", "memory-bound", "tiles", "apoz", "magnitude", "schedule",
    "lottery-ticket", "quantisation", "slowdown", "removal", "blog-bugs", "hw-in-the-loop",
}


def _question(**overrides):
    fields = dict(id="t", question="?", explanation="because", tags=("demo",),
                  choices=(Choice("x", why_wrong="no x"), Choice("y", correct=True), Choice("z", why_wrong="no z")))
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
        assert len({c.text for c in q.choices}) == len(q.choices), f"{q.id}: duplicate options"
        for i, choice in enumerate(q.choices):
            assert bool(choice.why_wrong.strip()) == (i != q.answer) == (not choice.correct), f"{q.id}: choice {i}"
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


def test_bank_is_the_data_files_in_order():
    # The files are plain TOML: what a reader sees there is what the quiz asks, in the same order.
    listed = tomllib.loads((QUESTIONS_DIR / "tags.toml").read_text(encoding="utf-8"))["tag"]
    assert [t["name"] for t in listed] == list(tags())
    ids = [q["id"] for t in listed
           for q in tomllib.loads((QUESTIONS_DIR / t["file"]).read_text(encoding="utf-8"))["question"]]
    assert ids == [q.id for q in questions()]


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


# --- loading and checking the data files ------------------------------------------------------------

TAGS_TOML = """
[[tag]]
name = "alpha"
about = "the first topic"
file = "alpha.toml"

[[tag]]
name = "beta"
about = "the second topic"
file = "beta.toml"
"""

ALPHA_TOML = """
[[question]]
id = "alpha-one"
question = "Which one?"
choices = [
  { text = "this one", correct = true },
  { text = "that one", why_wrong = "Not that one." },
]
explanation = "Because this one."
tags = ["alpha", "beta"]
"""

BETA_TOML = """
[[question]]
id = "beta-one"
question = "Which other one?"
choices = [{ text = "no", why_wrong = "Not no." }, { text = "yes", correct = true }]
explanation = "Because yes."
tags = ["beta"]
"""


def _folder(tmp_path, changes=None):
    """A question folder in tmp_path: the small good bank above, with files changed (``None`` deletes one)."""
    contents = {"tags.toml": TAGS_TOML, "alpha.toml": ALPHA_TOML, "beta.toml": BETA_TOML, **(changes or {})}
    for name, text in contents.items():
        if text is not None:
            (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_load_bank_reads_a_folder_in_tags_order(tmp_path):
    bank = load_bank(_folder(tmp_path))
    assert list(bank.tags) == ["alpha", "beta"] and bank.tags["beta"] == "the second topic"
    assert [q.id for q in bank.questions] == ["alpha-one", "beta-one"]
    first = bank.questions[0]
    assert first.choices == (Choice("this one", correct=True), Choice("that one", why_wrong="Not that one."))
    assert first.answer == 0 and first.tags == ("alpha", "beta")
    assert load_bank(str(tmp_path)) == bank
    with pytest.raises(TypeError):
        bank.tags["alpha"] = "changed"  # read-only: tags() hands out copies


@pytest.mark.parametrize("files, error, pattern", [
    ({"alpha.toml": ALPHA_TOML.replace('why_wrong = "Not that one."', "correct = true")},
     ValueError, r"alpha\.toml: question 'alpha-one': exactly one choice must be correct, got 2: \(a\) and \(b\)"),
    ({"alpha.toml": ALPHA_TOML.replace(", correct = true", "")},
     ValueError, r"alpha\.toml: question 'alpha-one': choice \(a\): .*a wrong choice needs a why_wrong"),
    ({"alpha.toml": ALPHA_TOML.replace("correct = true", 'correct = true, why_wrong = "Oops."')},
     ValueError, r"alpha\.toml: question 'alpha-one': choice \(a\): .*the right choice has no why_wrong"),
    ({"alpha.toml": ALPHA_TOML.replace('why_wrong = "Not', 'why_wrog = "Not')},
     ValueError, r"alpha\.toml: question 'alpha-one': choice \(b\): unknown key 'why_wrog'"),
    ({"alpha.toml": ALPHA_TOML.replace("correct = true", 'correct = "yes"')},
     TypeError, r"alpha\.toml: question 'alpha-one': choice \(a\): .*correct must be a bool"),
    ({"alpha.toml": ALPHA_TOML.replace('explanation = "Because this one."', "")},
     ValueError, r"alpha\.toml: question 'alpha-one': missing explanation"),
    ({"beta.toml": BETA_TOML.replace('"beta-one"', '"alpha-one"')},
     ValueError, r"beta\.toml: question 'alpha-one': id already used in .*alpha\.toml"),
    ({"alpha.toml": ALPHA_TOML.replace('["alpha", "beta"]', '["alpha", "gamma"]')},
     ValueError, r"alpha\.toml: question 'alpha-one': tag 'gamma' is not in tags\.toml \(known: alpha, beta\)"),
    ({"alpha.toml": ALPHA_TOML.replace('["alpha", "beta"]', '["beta", "alpha"]')},
     ValueError, r"alpha\.toml: question 'alpha-one': its file holds the 'alpha' questions, so its first tag"),
    ({"alpha.toml": ALPHA_TOML.replace('choices = [', 'choices = [\n  { text = "more" },')},
     ValueError, r"alpha\.toml: question 'alpha-one': choice \(a\): .*a wrong choice needs a why_wrong"),
    ({"alpha.toml": ALPHA_TOML.replace("[[question]]", "[question]")},
     ValueError, r"alpha\.toml: expected one or more \[\[question\]\] tables"),
    ({"alpha.toml": ALPHA_TOML.replace('"Which one?"', '"Which one?')},
     ValueError, r"alpha\.toml: not valid TOML"),
    ({"gamma.toml": ALPHA_TOML}, ValueError, r"gamma\.toml: no tag in tags\.toml names this file"),
    ({"beta.toml": None}, ValueError, r"tags\.toml: tag 'beta' names 'beta\.toml', which is not in"),
    ({"tags.toml": TAGS_TOML.replace('name = "beta"', 'name = "alpha"')},
     ValueError, r"tags\.toml: tag 'alpha' is listed twice"),
    ({"tags.toml": TAGS_TOML.replace('about = "the first topic"', "")},
     ValueError, r"tags\.toml: tag 1: missing about"),
    ({"tags.toml": None}, ValueError, r"folder '.*' has no tags\.toml"),
])
def test_load_bank_errors_name_the_file_and_the_question(tmp_path, files, error, pattern):
    with pytest.raises(error, match=pattern):
        load_bank(_folder(tmp_path, files))


def test_the_course_bank_copied_loads_the_same_and_a_broken_copy_says_where(tmp_path):
    folder = tmp_path / "questions"
    shutil.copytree(QUESTIONS_DIR, folder)
    assert load_bank(folder).questions == tuple(questions())
    roofline = folder / "roofline.toml"
    roofline.write_text(roofline.read_text(encoding="utf-8").replace(", correct = true", "", 1), encoding="utf-8")
    with pytest.raises(ValueError, match=r"roofline\.toml: question 'roofline-attainable': choice \(d\)"):
        load_bank(folder)


# --- Question ------------------------------------------------------------------------------------

def test_question_rejects_bad_data_naming_the_field():
    with pytest.raises(ValueError, match=r"exactly one choice must be correct, got 0"):
        _question(choices=(Choice("x", why_wrong="no"), Choice("y", why_wrong="no")))
    with pytest.raises(ValueError, match=r"exactly one choice must be correct, got 2: \(a\) and \(c\)"):
        _question(choices=(Choice("x", correct=True), Choice("y", why_wrong="no"), Choice("z", correct=True)))
    with pytest.raises(ValueError, match="choices must have 2 to 8 options, got 1"):
        _question(choices=(Choice("x", correct=True),))
    with pytest.raises(TypeError, match="choices must be a sequence of Choice objects"):
        _question(choices=("x", "y"))
    with pytest.raises(ValueError, match="explanation must be a non-empty"):
        _question(explanation="  ")
    with pytest.raises(ValueError, match="tags must name"):
        _question(tags=())


def test_choice_carries_its_own_reason():
    with pytest.raises(ValueError, match="the right choice has no why_wrong"):
        Choice("y", correct=True, why_wrong="b")
    with pytest.raises(ValueError, match="a wrong choice needs a why_wrong"):
        Choice("z", why_wrong=" ")
    with pytest.raises(TypeError, match="correct must be a bool"):
        Choice("y", correct=1)
    with pytest.raises(ValueError, match="choice text must be a non-empty string"):
        Choice("", correct=True)


def test_question_is_frozen_and_stores_tuples():
    q = _question(choices=[Choice("x", correct=True), Choice("y", why_wrong="no y")], tags=["demo"])
    assert q.choices == (Choice("x", correct=True), Choice("y", why_wrong="no y")) and q.tags == ("demo",)
    assert isinstance(q.choices, tuple) and q.answer == 0
    with pytest.raises(AttributeError):
        q.explanation = "other"
    with pytest.raises(AttributeError):
        q.choices[0].correct = False


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
        assert f"  {letter}) {choice.text}" in text
    assert max(len(line) for line in text.splitlines()) <= 88


def test_format_feedback_and_answer_key():
    q = get_question("sparse24-metadata")
    assert format_feedback(q, q.answer).startswith("Correct: (b) 56.25%")
    text = format_quiz([q, get_question("apoz-after-relu")])
    key = text.index("Answer key")
    assert text.index("Q2.") < key  # every question comes before any answer
    assert "36/64 = 56.25%" in text[key:]
    assert "Answer key" not in format_quiz([q], answers=False)
    with pytest.raises(TypeError, match=r"questions\[0\] must be a Question"):
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
    assert "argument -n: must be in [1, inf), got 0" in capsys.readouterr().err


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
    with pytest.raises(ValueError, match="questions must hold at least one Question"):
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


def test_a_titled_quiz_keeps_its_title_in_the_text_fallback():
    """Quizzes shown one after another stay apart where only text/plain renders."""
    quiz = quiz_widget(questions("blog-bugs"), title="The blog's bugs")
    text = quiz._repr_mimebundle_()["text/plain"]
    assert text.startswith("The blog's bugs\n===============\n\nQ1. ")
    assert "Answer key" not in text
    with pytest.raises(TypeError, match="title"):
        format_quiz(questions("blog-bugs"), title=3)


def test_wrong_answer_feedback_colours_only_the_verdict():
    card = quiz_widget([get_question("removal-flatten")]).cards[0]
    card.choices.value = 0
    assert card.check().correct is False
    html_text = card.feedback.value
    assert html_text.count("color: #b00") == 1, "only the verdict line is red"
    assert "<b>Why not:</b>" in html_text and "<b>Why:</b>" in html_text
    card.choices.value = card.question.answer
    assert card.check().correct and card.feedback.value.count("color: green") == 1

"""``hwprune-edu quiz``: a multiple-choice interview drill in the terminal.

Answers are read one line per question from standard input (a letter or a
1-based number), so the drill also works when piped:
``printf 'a\\nb\\n' | hwprune-edu quiz -n 2``. A bad answer is explained and
asked again; ``q`` or the end of the input stops early; the score is printed.

>>> import io
>>> from hwprune_edu.quiz import get_question
>>> out = io.StringIO()
>>> run_drill([get_question("removal-flatten")], stdin=io.StringIO("d\\n"), stdout=out)
DrillScore(correct=1, answered=1, asked=1)
>>> out.getvalue().splitlines()[-1]
'Score: 1/1 correct (100%).'
"""

from __future__ import annotations

import argparse
import io
import random
import sys
from dataclasses import dataclass
from typing import Sequence, TextIO

from hwprune_edu.quiz.bank import questions, tags
from hwprune_edu.quiz.question import Question, check_questions, parse_choice
from hwprune_edu.quiz.text import format_feedback, format_question
from hwprune_edu.studies.arguments import checked
from hwprune_edu.util.arguments import int_arg, seed_arg
from hwprune_edu.util.validation import check_int, check_positive_int, describe

__all__ = ["DrillScore", "run_drill", "pick_questions", "register"]

QUIT_WORDS = ("q", "quit", "exit")


@dataclass(frozen=True)
@checked
class DrillScore:
    """How a drill went: right answers, answers given, questions in the drill."""

    correct: int
    answered: int
    asked: int


def pick_questions(tag: str | None = None, n: int | None = None, seed: int | None = None) -> list[Question]:
    """Up to ``n`` questions (all if ``None``), tagged ``tag`` if given, in an order shuffled by ``seed``.

    >>> [q.id for q in pick_questions("apoz", n=2, seed=0)] == [q.id for q in pick_questions("apoz", n=2, seed=0)]
    True
    """
    if n is not None:
        n = check_positive_int(n, name="n")
    if seed is not None:
        seed = check_int(seed, name="seed", minimum=0)
    pool = questions(tag)
    random.Random(seed).shuffle(pool)
    return pool if n is None else pool[:n]


def _read_choice(question: Question, stdin: TextIO, stdout: TextIO) -> int | None:
    """Ask until a valid option arrives; ``None`` on end of input or a quit word."""
    last = question.letter(len(question.choices) - 1)
    while True:
        stdout.write(f"Your answer (a-{last}, q to quit): ")
        stdout.flush()
        line = stdin.readline()
        if not line:  # end of input (piped answers ran out, or Ctrl-D)
            stdout.write("\n(no more answers on the input: stopping here)\n")
            return None
        if not stdin.isatty():
            stdout.write(line.strip() + "\n")  # echo piped answers so the transcript reads well
        if line.strip().lower() in QUIT_WORDS:
            return None
        choice = parse_choice(line, len(question.choices))
        if choice is not None:
            return choice
        what = f"{line.strip()!r} is not one of the options" if line.strip() else "No answer given"
        stdout.write(f"{what}: type a letter a-{last} or a number 1-{len(question.choices)} (q quits).\n")


def run_drill(questions: Sequence[Question], *, stdin: TextIO | None = None,
              stdout: TextIO | None = None) -> DrillScore:
    """Ask each question, read an answer per line, explain it, and print the score.

    Args:
        questions: the questions, in order.
        stdin: where answers come from (default ``sys.stdin``).
        stdout: where questions and feedback go (default ``sys.stdout``).

    Returns:
        A :class:`DrillScore`.
    """
    stdin = sys.stdin if stdin is None else stdin
    stdout = sys.stdout if stdout is None else stdout
    questions = check_questions(questions)
    if not callable(getattr(stdin, "readline", None)):
        raise TypeError(f"stdin must be a text stream to read answers from (e.g. io.StringIO), got {describe(stdin)}")
    if not callable(getattr(stdout, "write", None)):
        raise TypeError(f"stdout must be a text stream to write to (e.g. io.StringIO), got {describe(stdout)}")
    correct = answered = 0
    for number, question in enumerate(questions, start=1):
        stdout.write("\n" + format_question(question, number=number) + "\n")
        choice = _read_choice(question, stdin, stdout)
        if choice is None:
            break
        answered += 1
        correct += question.check(choice).correct
        stdout.write(format_feedback(question, choice) + "\n")
    stdout.write("\n")
    if answered < len(questions):
        stdout.write(f"Answered {answered} of {len(questions)} questions.\n")
    if answered:
        stdout.write(f"Score: {correct}/{answered} correct ({100 * correct / answered:.0f}%).\n")
    else:
        stdout.write("No questions answered.\n")
    return DrillScore(correct=correct, answered=answered, asked=len(questions))


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``hwprune-edu quiz`` to a command line's subcommands (what ``ArgumentParser.add_subparsers()`` returns)."""
    if not isinstance(subparsers, argparse._SubParsersAction):
        raise TypeError(f"subparsers must be what ArgumentParser.add_subparsers() returns, got {describe(subparsers)}")
    parser = subparsers.add_parser(
        "quiz",
        help="interview drill: multiple-choice questions in the terminal",
        description="Multiple-choice interview drill. Answer each question with a letter or a number "
        "on its own line; answers may be piped, e.g. printf 'a\\nb\\n' | hwprune-edu quiz -n 2",
    )
    parser.add_argument("--tag", choices=sorted(tags()), metavar="TAG",
                        help="only questions on this topic (see --list-tags)")
    parser.add_argument("-n", type=int_arg("-n", low=1), default=10, metavar="N",
                        help="number of questions (default 10; more than there are asks them all)")
    parser.add_argument("--seed", type=seed_arg("--seed"), default=None, metavar="S",
                        help="shuffle seed (an int >= 0), to repeat a drill")
    parser.add_argument("--list-tags", action="store_true", help="list the topics and exit")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.list_tags:
        for tag, about in tags().items():
            print(f"{tag:<15} {len(questions(tag)):>2} questions  {about}")
        return 0
    if sys.stdout is None:  # started with stdout closed: a drill nobody can read is not run
        print("hwprune-edu quiz: error: standard output is closed; there is nowhere to show the questions",
              file=sys.stderr)
        return 1
    # Answers are typed text: a byte that is not valid in the terminal's encoding is an unknown answer, not a crash.
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")
    answers = io.StringIO("") if sys.stdin is None else None  # started with stdin closed: no answers
    seed = random.randrange(10_000) if args.seed is None else args.seed
    drill = pick_questions(args.tag, args.n, seed)
    print(f"Interview drill: {len(drill)} question(s) on {args.tag or 'all topics'} (seed {seed}).")
    try:
        run_drill(drill, stdin=answers)
    except KeyboardInterrupt:
        print("\nInterrupted.")
        return 130
    return 0

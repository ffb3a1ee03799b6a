"""The ``hwprune-edu`` command line.

Each subcommand lives in the module that owns its idea and exposes
``register(subparsers)``, which adds its parser and sets ``func`` on it.
The modules are imported lazily, only when their subcommand is named, so
``hwprune-edu --help`` stays fast and never imports torch.

A user never sees a Python traceback: a usage error is one line on stderr and
exit status 2 (every number and path is checked as the options are read,
before any work starts); a failure is one line and status 1 (``grade`` keeps
its own: 1 some notebook failed, 2 the grader could not run); Ctrl-C is 130;
output cut short by a closed pipe (``| head``) ends quietly. Set
``HWPRUNE_EDU_DEBUG=1`` to see the traceback of an unexpected error.

>>> main(["--version"])  # doctest: +ELLIPSIS
hwprune-edu ...
0
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

from hwprune_edu import __version__

#: subcommand name -> (module that registers it, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "info": ("hwprune_edu.course.cli", "show the version and which optional parts are installed"),
    "workspace": ("hwprune_edu.course.workspace", "copy the exercises into your workspace/ (never overwrites your work)"),
    "execute": ("hwprune_edu.course.notebooks", "run notebooks top to bottom and save their outputs in place"),
    "quiz": ("hwprune_edu.quiz.drill", "interview drill: multiple-choice questions in the terminal"),
    "demo": ("hwprune_edu.course.demo", "train, prune three ways, simulate, measure; print the table, save the plots"),
    "build-exercises": ("hwprune_edu.grading.build", "write exercises/ from solutions/ (solution regions -> stubs)"),
    "grade": ("hwprune_edu.grading.batch", "grade submitted notebooks in fresh kernels; scorecard and CSV"),
}

#: Set to 1 to see the traceback of an unexpected error instead of its one-line summary.
DEBUG_ENV = "HWPRUNE_EDU_DEBUG"
#: Exit status of an unexpected error, where a command documents its own (grade: 2, the grader could not run).
CRASH_STATUS = {"grade": 2}
#: Exit status on Ctrl-C: 128 + SIGINT, as shells report it.
INTERRUPTED_STATUS = 130


class CourseArgumentParser(argparse.ArgumentParser):
    """argparse's parser, with a usage error as one line (the usage itself is one ``--help`` away)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        text = " ".join(message.split())
        self.exit(2, f"{self.prog}: error: {text} (see {self.prog} --help)\n")


def _register_info(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("info", help=SUBCOMMANDS["info"][1])
    parser.set_defaults(func=_run_info)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Register this module's own subcommands (``info``)."""
    _register_info(subparsers)


def _run_info(args: argparse.Namespace) -> int:
    import importlib.util
    import platform

    import numpy as np

    print(f"hwprune-edu {__version__}")
    print(f"python {platform.python_version()}, numpy {np.__version__}")
    for optional in ("torch", "sklearn", "matplotlib", "ipywidgets", "jupyterlab"):
        found = importlib.util.find_spec(optional) is not None
        print(f"  {optional:<11} {'available' if found else 'missing'}")
    return 0


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The top-level parser; the subcommand named in ``argv`` gets its full parser."""
    parser = CourseArgumentParser(
        prog="hwprune-edu",
        description=(
            "A course-in-a-box on hardware-aware neural-network pruning. "
            "Open the course with `make lab`; run every test with `make test`."
        ),
        epilog=f"An unexpected error is summed up in one line; run again with {DEBUG_ENV}=1 to see its traceback.",
    )
    parser.add_argument("--version", action="version", version=f"hwprune-edu {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        if chosen == name:
            importlib.import_module(module_name).register(subparsers)
        else:
            # A light placeholder keeps --help complete without importing the module.
            subparsers.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit status (never raises, except with ``HWPRUNE_EDU_DEBUG=1``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if a in SUBCOMMANDS), "")
    try:
        status = _dispatch(argv)
        if sys.stdout is not None:  # None when started with stdout closed (`>&-`): print() then writes nothing
            sys.stdout.flush()  # a pipe closed early (`| head`) shows here, inside the guard
        return status
    except KeyboardInterrupt:
        return INTERRUPTED_STATUS
    except BrokenPipeError:
        _quiet_stdout()
        return 1
    except Exception as error:
        if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
            raise
        where = f"hwprune-edu {command}" if command else "hwprune-edu"
        summary = " ".join(f"{type(error).__name__}: {error}".split())
        summary = summary if len(summary) <= 500 else summary[:500] + " ..."
        print(f"{where}: error: {summary} (an unexpected error: run again with {DEBUG_ENV}=1 to see where it "
              "happened)", file=sys.stderr)
        return CRASH_STATUS.get(command, 1)


def _dispatch(argv: list[str]) -> int:
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if not hasattr(args, "func"):
        parser.print_help()
        return 0
    return int(args.func(args) or 0)


def _quiet_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the interpreter's own flush at exit stays quiet.

    What Python's documentation recommends (the ``signal`` module, "Note on SIGPIPE").
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout is not a real file (under a test's capture)
        pass


if __name__ == "__main__":
    raise SystemExit(main())

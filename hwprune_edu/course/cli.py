"""The ``hwprune-edu`` command line.

Each subcommand lives in the module that owns its idea and exposes
``register(subparsers)``, which adds its parser and sets ``func`` on it.
The modules are imported lazily, only when their subcommand is named, so
``hwprune-edu --help`` stays fast and never imports torch.

>>> main(["--version"])  # doctest: +ELLIPSIS
hwprune-edu ...
0
"""

from __future__ import annotations

import argparse
import importlib
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
    parser = argparse.ArgumentParser(
        prog="hwprune-edu",
        description=(
            "A course-in-a-box on hardware-aware neural-network pruning. "
            "Open the course with `make lab`; run every test with `make test`."
        ),
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
    """Run the command line; returns the process exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if not hasattr(args, "func"):
        parser.print_help()
        return 0
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())

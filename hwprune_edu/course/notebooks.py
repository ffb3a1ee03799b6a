"""``hwprune-edu execute``: re-run notebooks headless and save their outputs in place.

Maintainers run it after editing a notebook, so strict nbval has something to
compare against; the running itself is :func:`hwprune_edu.util.notebooks.execute_notebook`.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="hwprune-edu"); register(parser.add_subparsers())
>>> parser.parse_args(["execute", __file__]).no_save
False
"""

from __future__ import annotations

import argparse
import math
import time

from hwprune_edu.util.arguments import MAX_TIMEOUT_S, fail, input_path_arg, timeout_arg
from hwprune_edu.util.notebooks import execute_notebook

__all__ = ["register", "cell_timeout_s"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``hwprune-edu execute``."""
    parser = subparsers.add_parser("execute", help="run notebooks top to bottom and save their outputs in place")
    parser.add_argument("paths", nargs="+", metavar="PATH", type=input_path_arg("PATH", "file"),
                        help="notebooks to execute")
    parser.add_argument("--timeout", type=timeout_arg("--timeout"), default=300, metavar="S",
                        help="seconds allowed per cell (default 300): any number above 0, up to a week "
                             f"({MAX_TIMEOUT_S}); a fraction is rounded up to whole seconds, as the notebook runner "
                             "takes them. 0 or less is refused, never taken as 'no limit'")
    parser.add_argument("--no-save", action="store_true", help="run only; do not write outputs back")
    parser.set_defaults(func=_run)


def cell_timeout_s(timeout_s: float) -> int:
    """The whole seconds the notebook runner gets for ``timeout_s``: rounded up, never to 0 (nbclient's "no limit").

    >>> cell_timeout_s(0.5), cell_timeout_s(2), cell_timeout_s(2.01)
    (1, 2, 3)
    """
    return max(1, math.ceil(timeout_s))


def _run(args: argparse.Namespace) -> int:
    failed = 0
    timeout_s = cell_timeout_s(args.timeout)
    for p in args.paths:
        start = time.perf_counter()
        try:
            execute_notebook(p, timeout_s=timeout_s, save=not args.no_save)
        except Exception as err:  # report every notebook, then fail
            failed += 1
            last = str(err).strip().splitlines()[-1] if str(err).strip() else ""
            print(f"FAIL {p}: {type(err).__name__}: {last}")
        else:
            print(f"ok   {p} ({time.perf_counter() - start:.1f} s)")
    if failed:
        return fail("execute", f"{failed} of {len(args.paths)} notebook(s) failed (see FAIL above)")
    return 0

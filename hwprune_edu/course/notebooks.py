"""``hwprune-edu execute``: re-run notebooks headless and save their outputs in place.

Maintainers run it after editing a notebook, so strict nbval has something to
compare against; the running itself is :func:`hwprune_edu.util.notebooks.execute_notebook`.

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="hwprune-edu"); register(parser.add_subparsers())
>>> parser.parse_args(["execute", "a.ipynb"]).no_save
False
"""

from __future__ import annotations

import argparse
import time

from hwprune_edu.util.notebooks import execute_notebook

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``hwprune-edu execute``."""
    parser = subparsers.add_parser("execute", help="run notebooks top to bottom and save their outputs in place")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="notebooks to execute")
    parser.add_argument("--timeout", type=float, default=300, help="seconds allowed per cell (default 300)")
    parser.add_argument("--no-save", action="store_true", help="run only; do not write outputs back")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    failed = 0
    for p in args.paths:
        start = time.perf_counter()
        try:
            execute_notebook(p, timeout_s=args.timeout, save=not args.no_save)
        except Exception as err:  # report every notebook, then fail
            failed += 1
            print(f"FAIL {p}: {type(err).__name__}: {str(err).strip().splitlines()[-1] if str(err).strip() else ''}")
        else:
            print(f"ok   {p} ({time.perf_counter() - start:.1f} s)")
    return 1 if failed else 0

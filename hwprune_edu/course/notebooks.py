"""Execute notebooks headless, the way nbval and the batch grader see them.

Maintainers use ``hwprune-edu execute PATH...`` after editing a notebook: it
runs every cell in a fresh kernel, from the notebook's own folder, and saves
the outputs in place, so strict nbval has something to compare against.

>>> from pathlib import Path
>>> callable(execute_notebook) and Path(__file__).name
'notebooks.py'
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

__all__ = ["execute_notebook", "register"]

# Everything a notebook prints is run with these fixed, so stored outputs repeat.
DETERMINISTIC_ENV = {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def execute_notebook(path: str | os.PathLike, *, timeout_s: float = 300, save: bool = False,
                     allow_errors: bool = False, kernel_name: str | None = None) -> Any:
    """Run every cell of the notebook at ``path`` in a fresh kernel; return the executed notebook.

    Args:
        path: the ``.ipynb`` file.
        timeout_s: limit per cell, in seconds.
        save: write the outputs back to ``path``.
        allow_errors: keep going past a failing cell (its error is stored).
        kernel_name: the Jupyter kernel; default ``python3``, which jupyter_client
            starts with this very interpreter (so the course venv).

    Returns:
        The executed ``nbformat.NotebookNode``.
    """
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    notebook = nbformat.read(path, as_version=4)
    for key, value in DETERMINISTIC_ENV.items():
        os.environ.setdefault(key, value)
    client = NotebookClient(
        notebook,
        timeout=timeout_s,
        kernel_name=kernel_name or "python3",
        allow_errors=allow_errors,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    client.execute()
    if save:
        # Widget state is ~0.6 MB of new random ids on every run: it would bloat every
        # diff. (Dropped here, not with store_widget_state=False, which makes nbclient
        # 0.11 fail on any print inside an Output widget.)
        notebook.metadata.pop("widgets", None)
        for cell in notebook.cells:  # run timestamps: noise in every diff
            cell.metadata.pop("execution", None)
        nbformat.write(notebook, path)
    return notebook


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

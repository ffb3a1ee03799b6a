"""Run a notebook headless and deterministically, the way nbval and the batch grader see it.

Every cell runs in a fresh kernel, from the notebook's own folder, with the
environment in :data:`DETERMINISTIC_ENV`, so stored outputs repeat. The
``hwprune-edu execute`` command and the batch grader both start from here.

>>> DETERMINISTIC_ENV["OMP_NUM_THREADS"]
'1'
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from hwprune_edu.util.validation import check_number, describe

__all__ = ["DETERMINISTIC_ENV", "execute_notebook"]

# Everything a notebook prints is run with these fixed, so stored outputs repeat.
DETERMINISTIC_ENV = {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def execute_notebook(path: str | os.PathLike, *, timeout_s: float | None = 300, save: bool = False,
                     allow_errors: bool = False, kernel_name: str | None = None) -> Any:
    """Run every cell of the notebook at ``path`` in a fresh kernel; return the executed notebook.

    Args:
        path: the ``.ipynb`` file.
        timeout_s: limit per cell, in seconds (a number > 0, rounded up to whole
            seconds as the kernel client counts them), or ``None`` for no limit.
        save: write the outputs back to ``path``.
        allow_errors: keep going past a failing cell (its error is stored).
        kernel_name: the Jupyter kernel; default ``python3``, which jupyter_client
            starts with this very interpreter (so the course venv).

    Returns:
        The executed ``nbformat.NotebookNode``.

    >>> execute_notebook("no-such-notebook.ipynb")
    Traceback (most recent call last):
    ...
    ValueError: path must be an existing .ipynb file, got 'no-such-notebook.ipynb' (no such file)
    """
    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a notebook's path (str or os.PathLike), got {describe(path)}")
    path = Path(path)
    if not path.is_file():
        why = "a folder" if path.is_dir() else "no such file"
        raise ValueError(f"path must be an existing .ipynb file, got {str(path)!r} ({why})")
    if timeout_s is not None:
        # nbclient counts whole seconds (an int); a fraction rounds up so that 0.5 s never means "no limit".
        timeout_s = math.ceil(check_number(timeout_s, name="timeout_s", low=0, closed="neither",
                                           meaning=" seconds per cell (None: no limit)"))
    for label, flag in (("save", save), ("allow_errors", allow_errors)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{label} must be True or False, got {describe(flag)}")
    if kernel_name is not None and (not isinstance(kernel_name, str) or not kernel_name):
        raise TypeError(f"kernel_name must be None or a kernel's name (a non-empty str), got {describe(kernel_name)}")
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from nbclient import NotebookClient
    from traitlets.config import Config

    kernel_name = kernel_name or "python3"
    notebook = nbformat.read(path, as_version=4)
    for key, value in DETERMINISTIC_ENV.items():
        os.environ.setdefault(key, value)
    with tempfile.TemporaryDirectory(prefix="hwprune-kernel-") as sockets:
        # Local Unix sockets instead of TCP on loopback: nothing else on the machine can connect,
        # and ipykernel has no reason to warn about unencrypted TCP. Windows has no IPC transport.
        config = Config()
        if os.name == "posix":
            config.KernelManager.transport = "ipc"
            config.KernelManager.ip = os.path.join(sockets, "kernel")
        client = NotebookClient(
            notebook,
            config=config,
            timeout=timeout_s,
            kernel_name=kernel_name,
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
        # What JupyterLab writes on opening the notebook with this kernel, so opening a lesson changes no file.
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
        notebook.metadata["kernelspec"] = {"display_name": spec.display_name, "language": spec.language,
                                           "name": kernel_name}
        nbformat.write(notebook, path)
    return notebook

"""``hwprune-edu demo``: the whole story in a terminal, no Jupyter needed.

Trains the digits MLP, prunes it three ways at one latency budget
(unstructured magnitude, uniform channel, hardware-aware on two profiles),
simulates every model on every profile, measures it on this machine, prints
the comparison table and the course's targets, and saves the pictures
(Pareto chart, per-layer breakdown, rooflines) to a folder it names.

Run ``hwprune-edu demo`` (about a minute) or ``hwprune-edu demo --quick``
(a reduced setting: fewer epochs and fine-tune steps, short timing).

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="hwprune-edu")
>>> register(parser.add_subparsers())
>>> args = parser.parse_args(["demo", "--quick", "--out", "here"])
>>> args.quick, args.out, args.budget
(True, 'here', 0.5)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from hwprune_edu.util.arguments import (SEED_MAX, check_output_folder, fail, int_arg, number_arg, output_folder_arg,
                                        seed_arg)

__all__ = ["run_demo", "save_figures", "check_out_dir", "register", "DEFAULT_OUT"]

#: Where the demo writes its pictures unless told otherwise.
DEFAULT_OUT = "demo-output"
#: The most torch threads --threads takes (torch's own limit is a C int; more threads than this helps no laptop).
MAX_THREADS = 256


def save_figures(comparison: Any, out_dir: str | Path) -> list[Path]:
    """Draw the comparison's pictures and save them as PNG files in ``out_dir`` (created if missing).

    Uses ``matplotlib.figure.Figure`` directly, never pyplot's global state, so
    it works headless and leaves no figure open.

    Args:
        comparison: what :func:`hwprune_edu.studies.comparison.compare_methods` returns.
        out_dir: folder for the files.

    Returns:
        The paths written: ``pareto.png`` (one panel per target),
        ``breakdown_<target>.png`` per target, ``roofline.png``.
    """
    from matplotlib.figure import Figure

    from hwprune_edu.viz.comparison import breakdown_charts, pareto_chart, roofline_charts

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []

    fig = Figure(figsize=(7.5 * len(comparison.targets), 5), layout="constrained")
    for ax, profile in zip(fig.subplots(1, len(comparison.targets), squeeze=False)[0], comparison.targets):
        pareto_chart(comparison, profile, ax=ax)
    written.append(_save(fig, out / "pareto.png"))

    for profile in comparison.targets:
        n = len(comparison.methods)
        fig = Figure(figsize=(8, 1.7 * n + 0.6), layout="constrained")
        axes = fig.subplots(n, 1, sharex=True, squeeze=False)[:, 0]
        breakdown_charts(comparison, profile, axes=list(axes))
        written.append(_save(fig, out / f"breakdown_{profile}.png"))

    fig = Figure(figsize=(14, 5), layout="constrained")
    roofline_charts(comparison, axes=list(fig.subplots(1, 2)))
    written.append(_save(fig, out / "roofline.png"))
    return written


def check_out_dir(out_dir: str | Path) -> Path:
    """Check that ``out_dir`` can take the pictures (it, or the nearest folder above it, is a writable folder).

    Called before the demo trains anything, so a bad ``--out`` costs a second, not a minute.
    Creates nothing: :func:`save_figures` makes the folder at the end.

    Returns:
        ``out_dir`` as a ``Path``.

    Raises:
        ValueError: ``out_dir``, or a part of its path, is a file, or the folder it would go in is not writable.

    >>> import tempfile, os
    >>> check_out_dir(os.path.join(tempfile.mkdtemp(), "new", "pictures")).name
    'pictures'
    >>> check_out_dir(os.path.join(__file__, "pictures"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: out_dir must be a folder for the pictures, got '...pictures', but '...demo.py' is a file
    """
    return check_output_folder(out_dir, name="out_dir", purpose=" for the pictures")


def _save(fig: Any, path: Path) -> Path:
    fig.savefig(path, dpi=110)
    return path


def run_demo(*, out_dir: str | Path = DEFAULT_OUT, quick: bool = False, budget: float = 0.5, measure: bool = True,
             num_threads: int = 1, seed: int = 0, progress: bool = True, stream: Any = None) -> Any:
    """Run the comparison, print its table and target check to ``stream``, save the pictures; return the comparison.

    Args:
        out_dir: folder for the pictures.
        quick: the reduced setting, :meth:`hwprune_edu.studies.comparison.RunSettings.quick`.
        budget: latency budget as a fraction of dense.
        measure: time the models on this machine.
        num_threads: torch threads (1: stable on a shared machine).
        seed: seed of everything.
        progress: show progress bars (on stderr).
        stream: where to print (default ``sys.stdout``).

    Returns:
        The :class:`hwprune_edu.studies.results.Comparison`.
    """
    from hwprune_edu.studies.comparison import RunSettings, compare_methods

    check_out_dir(out_dir)
    stream = sys.stdout if stream is None else stream
    setting = "quick setting (reduced epochs and fine-tuning: accuracies are lower)" if quick else "full setting"
    print(f"hwprune-edu demo: digits, dense vs unstructured vs uniform channel vs hardware-aware, {setting}",
          file=stream)
    start = time.perf_counter()
    settings = RunSettings.quick() if quick else RunSettings.full()
    comparison = compare_methods(budget=budget, settings=settings, measure=measure, num_threads=num_threads, seed=seed,
                                 progress=progress)
    print(file=stream)
    print(comparison, file=stream)
    print(file=stream)
    print("The course's targets:", file=stream)
    print(comparison.check_targets(), file=stream)
    print(file=stream)
    written = save_figures(comparison, out_dir)
    print(f"Pictures in {Path(out_dir).resolve()}:", file=stream)
    for path in written:
        print(f"  {path.name}", file=stream)
    print(f"Done in {time.perf_counter() - start:.0f} s. The story behind these numbers: "
          "notebooks/04_hardware_aware_pruning.ipynb", file=stream)
    return comparison


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``hwprune-edu demo``."""
    parser = subparsers.add_parser(
        "demo",
        help="train, prune three ways, simulate and measure on digits; print the table, save the pictures",
        description=__doc__.split("\n\n")[1].replace("\n", " "),
    )
    parser.add_argument("--out", default=DEFAULT_OUT, metavar="DIR",
                        type=output_folder_arg("--out", " for the pictures"),
                        help=f"folder for the pictures (default ./{DEFAULT_OUT})")
    parser.add_argument("--quick", action="store_true",
                        help="reduced setting: fewer epochs and fine-tune steps, short timing (seconds, for tests)")
    parser.add_argument("--budget", type=number_arg("--budget", low=0, high=1, closed="right",
                                                    meaning=" (a fraction of the dense latency)"), default=0.5,
                        help="latency budget as a fraction of the dense model's simulated latency, in (0, 1] "
                             "(default 0.5)")
    parser.add_argument("--no-measure", action="store_true", help="skip timing the models on this machine")
    parser.add_argument("--threads", type=int_arg("--threads", low=1, high=MAX_THREADS), default=1,
                        help=f"torch threads, 1 to {MAX_THREADS} (default 1: stable on shared cores)")
    parser.add_argument("--seed", type=seed_arg(), default=0,
                        help=f"seed of the split, weights, training and search, 0 to {SEED_MAX} (default 0)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    import matplotlib

    # Headless: never try to open a window (a terminal demo may run over ssh or in CI).
    matplotlib.use("Agg")
    try:
        run_demo(out_dir=args.out, quick=args.quick, budget=args.budget, measure=not args.no_measure,
                 num_threads=args.threads, seed=args.seed, progress=not args.no_progress)
    except (ValueError, TypeError) as err:  # every option was checked as it was read: this is a failure
        return fail("demo", err)
    except OSError as err:  # the pictures' folder went away or filled up while the demo ran
        return fail("demo", f"cannot save the pictures: {err}")
    return 0

"""Time batch grading of 20 notebooks with ``--jobs 2``, against plain execution measured in the same run.

The 20 submissions are the five solution notebooks and the five exercise
notebooks (stubs), twice each: half finished, half not, as in a real class.
Baseline: executing a sample of the same notebooks one by one in fresh
kernels (``hwprune_edu.util.notebooks.execute_notebook``), with no grading at all.
The ratio shows what grading adds on top of running the notebooks, and what
two parallel kernels buy.

Run: ``.venv/bin/python benchmarks/bench_grading.py [--jobs 2] [--count 20]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _submissions(folder: Path, count: int) -> list[Path]:
    sources = sorted((ROOT / "solutions").glob("*.ipynb")) + sorted((ROOT / "exercises").glob("*.ipynb"))
    paths = []
    for i in range(count):
        source = sources[i % len(sources)]
        target = folder / f"student{i:02d}_{source.name}"
        shutil.copy(source, target)
        paths.append(target)
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--baseline-sample", type=int, default=4, help="notebooks executed one by one for the baseline")
    args = parser.parse_args()

    from hwprune_edu.util.notebooks import execute_notebook

    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        folder = Path(tmp)
        paths = _submissions(folder, args.count)

        # Baseline: plain sequential execution of a sample (one solution, one exercise of each kind).
        sample = paths[:: max(1, len(paths) // args.baseline_sample)][: args.baseline_sample]
        start = time.perf_counter()
        for path in sample:
            execute_notebook(path, timeout_s=120)
        execute_s = (time.perf_counter() - start) / len(sample)

        command = [sys.executable, "-m", "hwprune_edu", "grade", str(folder), "--jobs", str(args.jobs),
                   "--csv", str(folder / "grades.csv")]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        grade_s = time.perf_counter() - start
        rows = (folder / "grades.csv").read_text().count("\n") - 1

    print(f"batch grading of {args.count} notebooks with --jobs {args.jobs}: {grade_s:.1f} s "
          f"({grade_s / args.count:.2f} s per notebook, {rows} CSV rows, exit status {done.returncode})")
    print(f"plain execution, one by one (mean of {len(sample)}): {execute_s:.2f} s per notebook")
    sequential_s = execute_s * args.count
    print(f"ratio grading (--jobs {args.jobs}) / plain sequential execution of the same {args.count}: "
          f"{grade_s / sequential_s:.2f}x")
    # Exit status 1 is expected: half the submissions are unfinished exercises.
    return 0 if done.returncode in (0, 1) and rows > 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())

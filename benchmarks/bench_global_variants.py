"""Which choices inside the global (knapsack) method pay on MNIST-1D? Each variant against uniform, same run.

The global method (:func:`hwprune_edu.studies.halp.halp_prune`, the default of
``hardware_aware_prune``) makes three choices a reader may question: the
ranking (L1 norm per weight), progressive rounds (3) and one knapsack path.
This script re-runs the benchmark's cells (``bench_hw_aware.py``: the MNIST-1D
MLP on npu-systolic and cpu-avx2, the CNN on cpu-avx2, budgets 0.3 / 0.5 / 0.7,
3 seeds, the same dense models and fine-tune budget) with each variant, and
prints the mean over seeds of (variant - latency-matched uniform) test accuracy
per cell, the mean over cells, the worst cell and the slowest search:

* ``default``: ``importance="l1"``, 3 rounds (what the course ships);
* ``both rankings``: one knapsack path per ranking (``("l1", "taylor")``), validation picks;
* ``one-shot``: one round with no round fine-tune: the knapsack's widths cut at once, the whole budget after;
* ``5 rounds``: five progressive rounds instead of three.

Every variant's returned model has had the same fine-tune budget as uniform's.
Accuracies repeat run to run (seeded); times do not. Run:
``.venv/bin/python benchmarks/bench_global_variants.py --jobs 2`` (about 8 minutes
on an idle 2-core machine).
"""

import argparse
import multiprocessing
import statistics
import sys
import time

import torch

from hwprune_edu.nn import fixed_threads
from hwprune_edu.nn.data import evaluate
from hwprune_edu.studies.allocation import meets
from hwprune_edu.studies.search import hardware_aware_prune, latency_floor, uniform_channel_prune
from hwprune_edu.studies.study import StudySettings, trained_dense

VARIANTS = {
    "default": {},
    "both rankings": {"importance": ("l1", "taylor")},
    "one-shot": {"rounds": 1, "round_steps": 0},
    "5 rounds": {"rounds": 5},
}


def run_model(name: str, settings: StudySettings) -> list[dict]:
    """Every (cell, seed, variant) of one model: test accuracies of the variant and of uniform, search seconds."""
    torch.set_num_threads(1)
    rows = []
    with fixed_threads(1):
        for seed in settings.seeds:
            data, dense = trained_dense(name, seed, settings)  # the study's dense models, trained as it trains them
            common = dict(batch=settings.batch, final_epochs=settings.finetune_epochs, seed=seed, progress=False,
                          num_threads=None)
            for profile in settings.profiles:
                floor = latency_floor(dense, profile, batch=settings.batch)
                for budget in settings.budgets:
                    if not meets(floor, budget):
                        continue  # no allocation reaches it (the study reports such cells; the CNN on the NPU)
                    uniform, _ = uniform_channel_prune(dense, data, profile, budget, **common)
                    base = evaluate(uniform, data, "test")
                    for variant, options in VARIANTS.items():
                        start = time.perf_counter()
                        model, history = hardware_aware_prune(dense, data, profile, budget, **common, **options)
                        rows.append(dict(model=name, profile=profile, budget=budget, seed=seed, variant=variant,
                                         gain=100 * (evaluate(model, data, "test") - base),
                                         seconds=time.perf_counter() - start, picked=history[-1].allocation))
                        print(f"seed {seed} {name} {profile} {budget:g} {variant}: {rows[-1]['gain']:+.2f} points "
                              f"({rows[-1]['picked']}, {rows[-1]['seconds']:.1f} s)", file=sys.stderr, flush=True)
    return rows


def summary(rows: list[dict]) -> str:
    """The table: one row per cell, one column per variant (mean gain over seeds), then mean, worst and slowest."""
    cells = sorted({(r["model"], r["profile"], r["budget"]) for r in rows}, key=lambda c: (c[0] != "mlp", c[1], c[2]))
    gain = {(c, v): statistics.mean(r["gain"] for r in rows if (r["model"], r["profile"], r["budget"]) == c
                                    and r["variant"] == v) for c in cells for v in VARIANTS}
    width = max(len(v) for v in VARIANTS) + 2
    lines = ["Test accuracy minus latency-matched uniform, points, mean over seeds (MNIST-1D, batch 256)",
             f"{'model':6}{'target':14}{'budget':>6}" + "".join(f"{v:>{width}}" for v in VARIANTS)]
    for c in cells:
        lines.append(f"{c[0]:6}{c[1]:14}{c[2]:>6g}" + "".join(f"{gain[c, v]:>+{width}.2f}" for v in VARIANTS))
    for label, value in (("mean", lambda v: statistics.mean(gain[c, v] for c in cells)),
                         ("worst", lambda v: min(gain[c, v] for c in cells))):
        lines.append(f"{label:26}" + "".join(f"{value(v):>+{width}.2f}" for v in VARIANTS))
    lines.append(f"{'slowest search, s':26}" + "".join(
        f"{max(r['seconds'] for r in rows if r['variant'] == v):>{width}.1f}" for v in VARIANTS))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1, help="processes, one per model (default 1)")
    parser.add_argument("--quick", action="store_true", help="a seconds-long smoke run (numbers mean nothing)")
    args = parser.parse_args(argv)
    settings = StudySettings.quick() if args.quick else StudySettings()
    if args.jobs > 1:
        with multiprocessing.get_context("spawn").Pool(min(args.jobs, len(settings.models))) as pool:
            parts = pool.starmap(run_model, [(name, settings) for name in settings.models])
    else:
        parts = [run_model(name, settings) for name in settings.models]
    print(summary([row for part in parts for row in part]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

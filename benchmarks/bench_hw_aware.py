"""Hardware-aware pruning end to end on digits: simulated and *measured* latency, accuracy, search time.

Runs :func:`hwprune_edu.studies.comparison.compare_methods` (the logic lives there,
shared with ``hwprune-edu demo`` and notebook 04): trains the dense
``64-1024-1024-10`` MLP, then builds

* ``unstructured_90``: global magnitude pruning of 90 % of the weights,
  fine-tuned with the masks on, timed with the masks folded into the
  weights (dense kernels on zeros, which is what ``torch.nn.Linear`` runs);
* ``uniform_channel``: the same fraction of units kept in every layer, the
  fraction chosen to meet latency budget 0.5 on ``npu-systolic``;
* ``hw_aware_npu-systolic`` / ``hw_aware_cpu-avx2``: the NetAdapt-style
  search at budget 0.5 on that profile (physically smaller models).

For each: test accuracy, parameters, simulated latency on every profile at
batch 256, measured latency here at batch 256 (median over interleaved
rounds, torch threads fixed), and the wall time of the search / pruning.
Then the course's targets are checked, each against a baseline measured in
this same run (uniform channel pruning is also run at budget 0.5 on
``cpu-avx2``, for the equal-latency comparison with ``hw_aware_cpu-avx2``).
Exit status 1 if a target is missed.

Run: ``.venv/bin/python benchmarks/bench_hw_aware.py`` (``--json`` prints one
JSON object ``{"methods": {NAME: {"accuracy", "params", "sim_latency_s":
{profile: seconds}, "measured_latency_s", "search_s"}}}`` instead).
"""

import argparse
import sys

from hwprune_edu.studies.comparison import RunSettings, compare_methods


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--epochs", type=int, default=10, help="epochs of dense training (default 10)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads for everything (default 1)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved timing rounds (default 5)")
    parser.add_argument("--repeats", type=int, default=10, help="timed passes per round (default 10)")
    args = parser.parse_args(argv)
    settings = RunSettings.full(epochs=args.epochs, rounds=args.rounds, repeats=args.repeats)
    comparison = compare_methods(budget=0.5, batch=256, targets=("npu-systolic", "cpu-avx2"), settings=settings,
                                 num_threads=args.threads, progress=not args.json)
    if args.json:
        print(comparison.to_json())
        return 0
    print(comparison)
    print()
    report = comparison.check_targets()
    print(report)
    return 0 if report.all_met else 1


if __name__ == "__main__":
    sys.exit(main())

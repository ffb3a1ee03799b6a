"""Hardware-aware pruning, honestly: MNIST-1D (MLP and 1-D CNN), 3 budgets, 2 targets, 3 seeds; and digits at budget 0.5.

Two parts, both through the library (shared with ``hwprune-edu demo`` and notebook 04):

* **MNIST-1D** (:func:`hwprune_edu.studies.study.run_study`): a task where a
  dense model is far from 100 %, so pruning costs accuracy. Per seed, an MLP
  40-1024-1024-10 and a 1-D CNN (``Conv2d`` with ``(1, 5)`` kernels) are
  trained; in every reachable (model, target, budget) cell, budgets 0.3 / 0.5
  / 0.7 on ``npu-systolic`` and ``cpu-avx2`` at batch 256, four prunings get
  the same fine-tune budget (3 epochs of optimiser steps on the returned
  model; NetAdapt's short fine-tunes come on top and its row says how many):
  latency-matched uniform channel pruning, global magnitude pruning at the
  global method's parameter count, the NetAdapt loop, and the global
  (HALP-style) method, ``hardware_aware_prune``'s default. Dense and
  unstructured 90 % run once per model and seed. Then the MLP is pruned for
  ``npu-systolic``, ``cpu-avx2`` and ``gpu-ampere`` at budget 0.5 and batch
  4096 (at batch 256 the GPU's launch overheads put every budget below about
  0.81 out of reach: ``latency_floor`` in ``hwprune_edu.studies.search``) and
  every result simulated on every platform. Reported: mean +- std over seeds
  of test accuracy, simulated latency on every profile (a simulator output),
  measured latency and speed-up here (median of interleaved rounds, one
  thread), search time (mean and max); then the course's targets.
* **digits** (:func:`hwprune_edu.studies.comparison.compare_methods`): the
  digits MLP 64-1024-1024-10 at budget 0.5, as before (``--json``'s ``methods``).

Run: ``.venv/bin/python benchmarks/bench_hw_aware.py`` (the MNIST-1D part took
8 minutes with ``--jobs 2``, which runs the two MNIST-1D models in two
processes, on an idle 2-core machine, and about 30 when other jobs shared the
cores; the digits part a few more).
``--write notebooks/data/hw_aware_mnist1d.json`` stores the MNIST-1D results
notebook 04 shows: the one command that regenerates that file (seeded; times
differ run to run). ``--json`` prints ``{"methods": {NAME: {"accuracy", "params",
"sim_latency_s": {profile: seconds}, "measured_latency_s", "search_s"}},
"mnist1d": {"runs", "unreachable", "specialisation", "settings"}}``.
Without ``--json``, the exit status is 1 if a target is missed.
"""

import argparse
import json
import multiprocessing
import sys
from pathlib import Path

from hwprune_edu.studies.comparison import RunSettings, compare_methods
from hwprune_edu.studies.study import StudySettings, combine, run_study


def _study_of(models, quick):
    settings = StudySettings.quick(models=models) if quick else StudySettings(models=models)
    return run_study(settings, progress=False, log=lambda line: print(line, file=sys.stderr, flush=True))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the tables")
    parser.add_argument("--write", type=Path, help="also store the MNIST-1D results here (what notebook 04 reads)")
    parser.add_argument("--jobs", type=int, default=1, help="processes for the MNIST-1D models (default 1)")
    parser.add_argument("--skip-digits", action="store_true", help="run only the MNIST-1D study")
    parser.add_argument("--skip-mnist1d", action="store_true", help="run only the digits comparison")
    parser.add_argument("--quick", action="store_true", help="a seconds-long smoke run (numbers mean nothing)")
    parser.add_argument("--epochs", type=int, default=10, help="epochs of dense training on digits (default 10)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads for digits (default 1)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved timing rounds on digits (default 5)")
    parser.add_argument("--repeats", type=int, default=10, help="timed passes per round on digits (default 10)")
    args = parser.parse_args(argv)
    out, reports = {}, []
    if not args.skip_mnist1d:
        models = ("mlp", "cnn")
        if args.jobs > 1:
            with multiprocessing.get_context("spawn").Pool(min(args.jobs, len(models))) as pool:
                study = combine(pool.starmap(_study_of, [((m,), args.quick) for m in models]))
        else:
            study = _study_of(models, args.quick)
        if args.write:
            args.write.parent.mkdir(parents=True, exist_ok=True)
            args.write.write_text(study.to_json() + "\n")
        out["mnist1d"] = study.as_dict()
        reports.append(("MNIST-1D", study.check_targets()))
        if not args.json:
            print(study, end="\n\n")
    if not args.skip_digits:
        settings = (RunSettings.quick() if args.quick else
                    RunSettings.full(epochs=args.epochs, rounds=args.rounds, repeats=args.repeats))
        comparison = compare_methods(budget=0.5, batch=256, targets=("npu-systolic", "cpu-avx2"), settings=settings,
                                     num_threads=args.threads, progress=not args.json)
        out = {"methods": json.loads(comparison.to_json())["methods"], **out}
        reports.append(("digits", comparison.check_targets()))
        if not args.json:
            print(comparison, end="\n\n")
    if args.json:
        print(json.dumps(out, indent=1))
        return 0
    else:
        for name, report in reports:
            print(f"{name} targets:\n{report}\n")
    return 0 if all(report.all_met for _, report in reports) else 1


if __name__ == "__main__":
    sys.exit(main())

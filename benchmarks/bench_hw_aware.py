"""Hardware-aware pruning end to end on digits: simulated and *measured* latency, accuracy, search time.

Trains the dense ``64-1024-1024-10`` MLP, then builds four pruned versions:

* ``unstructured_90``: global magnitude pruning of 90 % of the weights, fine-tuned
  with the masks on. Timed with the masks folded into the weights (dense
  kernels on zeros), which is what ``torch.nn.Linear`` runs.
* ``uniform_channel``: the same fraction of units kept in every layer, the
  fraction chosen to meet latency budget 0.5 on ``npu-systolic``.
* ``hw_aware_npu-systolic`` / ``hw_aware_cpu-avx2``: the NetAdapt-style search
  at budget 0.5 on that profile (physically smaller models).

For each: test accuracy, parameters, simulated latency on every profile at
batch 256, measured latency here at batch 256 (median over interleaved
rounds, torch threads fixed), and the wall time of the search / pruning.
Then the issue's targets are checked, each against a baseline measured in
this same run. Uniform channel pruning is also run at budget 0.5 on
``cpu-avx2`` for the equal-latency comparison with ``hw_aware_cpu-avx2``.

Run: ``.venv/bin/python benchmarks/bench_hw_aware.py`` (``--json`` prints one
JSON object ``{"methods": {NAME: {"accuracy", "params", "sim_latency_s":
{profile: seconds}, "measured_latency_s", "search_s"}}}`` instead).
"""

import argparse
import json
import statistics
import sys
import time

import torch

from hwprune_edu.data import digits_mlp, evaluate, load_digits, train
from hwprune_edu.hardware import PROFILES
from hwprune_edu.nn import count_parameters, fixed_threads, make_masks_permanent, measure_latency
from hwprune_edu.search import global_magnitude_prune, hardware_aware_prune, simulated_latency, uniform_channel_prune

BUDGET = 0.5
BATCH = 256
SEARCH_LIMIT_S = 60.0
HW_TARGETS = ("npu-systolic", "cpu-avx2")


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def measure_interleaved(models, *, rounds, repeats, threads):
    # Rounds alternate between models, so a burst of load from other processes
    # hits every model alike; the median over rounds ignores the bursts.
    samples = {name: [] for name in models}
    for _ in range(rounds):
        for name, model in models.items():
            samples[name].append(measure_latency(model, BATCH, repeats=repeats, warmup=3, num_threads=threads))
    return {name: statistics.median(values) for name, values in samples.items()}


def run(args):
    data = load_digits(seed=0)
    progress = not args.json
    dense = digits_mlp()
    train(dense, data, epochs=args.epochs, seed=0, progress=progress)

    built = {"dense": (dense, 0.0)}
    (sparse, _), sparse_s = timed(lambda: global_magnitude_prune(dense, data, 0.9, progress=progress))
    built["unstructured_90"] = (sparse, sparse_s)
    (uniform, uniform_history), uniform_s = timed(
        lambda: uniform_channel_prune(dense, data, "npu-systolic", BUDGET, progress=progress)
    )
    built["uniform_channel"] = (uniform, uniform_s)
    histories = {}
    for profile in HW_TARGETS:
        (model, history), seconds = timed(lambda: hardware_aware_prune(dense, data, profile, BUDGET, progress=progress))
        built[f"hw_aware_{profile}"] = (model, seconds)
        histories[profile] = history
    # Equal-latency comparison on the CPU profile too (not a row of the table).
    uniform_cpu, _ = uniform_channel_prune(dense, data, "cpu-avx2", BUDGET, progress=False)

    # Time what a dense kernel runs: the masked model with its masks folded in.
    to_time = {name: make_masks_permanent(model) for name, (model, _) in built.items()}
    measured = measure_interleaved(to_time, rounds=args.rounds, repeats=args.repeats, threads=args.threads)

    methods = {}
    for name, (model, seconds) in built.items():
        methods[name] = {
            "accuracy": evaluate(model, data),
            "params": count_parameters(model),
            "sim_latency_s": {p: simulated_latency(model, p, batch=BATCH) for p in PROFILES},
            "measured_latency_s": measured[name],
            "search_s": seconds,
        }
    extras = {
        "uniform_cpu_accuracy": evaluate(uniform_cpu, data),
        "uniform_cpu_sim_s": simulated_latency(uniform_cpu, "cpu-avx2", batch=BATCH),
        "uniform_widths": uniform_history[0]["widths"],
        "widths": {p: histories[p][-1]["widths"] for p in HW_TARGETS},
    }
    return methods, extras


def print_table(methods, extras, args):
    profiles = list(PROFILES)
    dense = methods["dense"]
    head = f"{'method':24s} {'acc %':>6s} {'params':>9s} " + " ".join(f"{p:>12s}" for p in profiles)
    head += f" {'measured':>9s} {'speed-up':>8s} {'search':>7s}"
    print(f"digits MLP 64-1024-1024-10, batch {BATCH}; simulated latency as a fraction of dense "
          f"(dense in brackets); measured with {args.threads} torch thread(s)")
    print(head)
    print("-" * len(head))
    for name, row in methods.items():
        sims = []
        for p in profiles:
            ratio = row["sim_latency_s"][p] / dense["sim_latency_s"][p]
            sims.append(f"{ratio:12.3f}" if name != "dense" else f"{'(' + format_s(row['sim_latency_s'][p]) + ')':>12s}")
        speedup = dense["measured_latency_s"] / row["measured_latency_s"]
        search = "-" if name == "dense" else f"{row['search_s']:6.1f}s"
        print(
            f"{name:24s} {100 * row['accuracy']:6.2f} {row['params']:9,d} " + " ".join(sims)
            + f" {format_s(row['measured_latency_s']):>9s} {speedup:7.2f}x {search:>7s}"
        )
    print()
    print(f"widths: uniform {extras['uniform_widths']}, " + ", ".join(f"hw-aware {p} {w}" for p, w in extras["widths"].items()))
    print()
    checks = []
    for p in HW_TARGETS:
        row = methods[f"hw_aware_{p}"]
        ratio = row["sim_latency_s"][p] / dense["sim_latency_s"][p]
        checks.append((f"hw_aware_{p} meets budget {BUDGET} on {p} in simulation: {ratio:.3f}", ratio <= BUDGET + 1e-9))
        loss = 100 * (dense["accuracy"] - row["accuracy"])
        checks.append((f"hw_aware_{p} loses <= 1 point vs dense: {loss:+.2f} points", loss <= 1.0 + 1e-9))
    uniform = methods["uniform_channel"]
    npu = methods["hw_aware_npu-systolic"]
    checks.append((
        f"equal budget on npu-systolic: hw-aware {100 * npu['accuracy']:.2f} % (sim "
        f"{npu['sim_latency_s']['npu-systolic'] / dense['sim_latency_s']['npu-systolic']:.3f}) >= uniform "
        f"{100 * uniform['accuracy']:.2f} % (sim "
        f"{uniform['sim_latency_s']['npu-systolic'] / dense['sim_latency_s']['npu-systolic']:.3f})",
        npu["accuracy"] >= uniform["accuracy"],
    ))
    cpu = methods["hw_aware_cpu-avx2"]
    checks.append((
        f"equal budget on cpu-avx2: hw-aware {100 * cpu['accuracy']:.2f} % (sim "
        f"{cpu['sim_latency_s']['cpu-avx2'] / dense['sim_latency_s']['cpu-avx2']:.3f}) >= uniform "
        f"{100 * extras['uniform_cpu_accuracy']:.2f} % (sim "
        f"{extras['uniform_cpu_sim_s'] / dense['sim_latency_s']['cpu-avx2']:.3f})",
        cpu["accuracy"] >= extras["uniform_cpu_accuracy"],
    ))
    unstructured = dense["measured_latency_s"] / methods["unstructured_90"]["measured_latency_s"]
    checks.append((f"unstructured 90 % on dense kernels, measured speed-up {unstructured:.2f}x (about 1x)",
                   0.8 <= unstructured <= 1.25))
    for p in HW_TARGETS:
        speedup = dense["measured_latency_s"] / methods[f"hw_aware_{p}"]["measured_latency_s"]
        checks.append((f"hw_aware_{p} physically pruned, measured speed-up {speedup:.2f}x (>= 1.5x)", speedup >= 1.5))
    for p in HW_TARGETS:
        seconds = methods[f"hw_aware_{p}"]["search_s"]
        checks.append((f"hw_aware_{p} search wall time {seconds:.1f} s (< {SEARCH_LIMIT_S:.0f} s)", seconds < SEARCH_LIMIT_S))
    for text, ok in checks:
        print(f"[{'PASS' if ok else 'FAIL'}] {text}")
    return all(ok for _, ok in checks)


def format_s(seconds):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds:.3g} s"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--epochs", type=int, default=10, help="epochs of dense training (default 10)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads for everything (default 1)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved timing rounds (default 5)")
    parser.add_argument("--repeats", type=int, default=10, help="timed passes per round (default 10)")
    args = parser.parse_args(argv)
    with fixed_threads(args.threads):
        methods, extras = run(args)
    if args.json:
        print(json.dumps({"methods": methods}, indent=2))
        return 0
    return 0 if print_table(methods, extras, args) else 1


if __name__ == "__main__":
    sys.exit(main())

"""How fast is the simulator, and how well does it rank real layer latencies on this machine?

1. Simulate a 100-layer network (a mix of dense, structured, 2:4, block and
   unstructured Linear and conv layers) on every profile: best-of-N wall time
   per profile and in total, against the 10 ms budget sliders need. The
   baseline measured in the same run is one Python-level pass over the layer
   list (the cheapest conceivable per-layer work), reported as a ratio.
2. Calibrate a "host" profile with PyTorch and print it.
3. Time ``torch.nn.functional.linear`` on 24 shapes (batch 1..1024, widths
   16..2048) and print the Spearman rank correlation with the host profile's
   predictions (target >= 0.9) and with the untouched ``cpu-avx2`` profile.

Run: ``.venv/bin/python benchmarks/bench_simulator.py``
"""

import time

import numpy as np

from _timing import best_time_s

from hwprune_edu.hardware import PROFILES, conv2d, linear, simulate
from hwprune_edu.nn.timing import calibrate, compare_with_measured

REPEATS = 7
BUDGET_MS = 10.0


def hundred_layers(seed=0):
    rng = np.random.default_rng(seed)
    layers = []
    for index in range(100):
        width = int(rng.choice([64, 128, 256, 512]))
        choice = index % 5
        if choice == 4:
            layers.append(conv2d(1, 32, 32, 3, 16, padding=1, name=f"conv{index}"))
            continue
        if choice == 0:
            mask = None
        elif choice == 1:
            mask = np.zeros((width, width), bool)
            mask[: width // 2] = True
        elif choice == 2:
            rank = rng.random((width, width // 4, 4)).argsort(axis=2).argsort(axis=2)
            mask = (rank < 2).reshape(width, width)
        else:
            mask = rng.random((width, width)) < 0.1
        layers.append(linear(16, width, width, weight_mask=mask, name=f"fc{index}"))
    return layers


def best_of(fn, repeats=REPEATS):
    return best_time_s(fn, repeats)


def sweep_shapes():
    # 24 shapes: batch 1..1024, widths 16..2048, from launch-bound to compute-bound.
    shapes = []
    for batch in (1, 8, 64, 256, 1024):
        for n_in, n_out in ((16, 16), (128, 256), (512, 512), (2048, 1024), (2048, 2048)):
            shapes.append((batch, n_in, n_out))
    return [s for s in shapes if s != (1024, 2048, 2048)][:24]


def main():
    start = time.perf_counter()
    layers = hundred_layers()
    build_s = time.perf_counter() - start
    for name in PROFILES:  # each layer keeps the mask counts it was asked for (EIE layouts), as after a slider's first move
        simulate(layers, name)
    baseline_s = best_of(lambda: [layer.m * layer.n * layer.k for layer in layers])
    print(f"100-layer network (built and patterns read once in {build_s * 1e3:.1f} ms); kernel selection on: "
          "each layer is costed on every kernel its platform has and runs the fastest")
    print(f"baseline: one Python pass over the layers {baseline_s * 1e6:.1f} us")
    total_s = 0.0
    for name in PROFILES:
        seconds = best_of(lambda: simulate(layers, name))
        total_s += seconds
        print(f"  simulate on {name:13s} {seconds * 1e3:6.2f} ms  ({seconds / baseline_s:5.0f}x baseline)")
    verdict = "OK" if total_s * 1e3 < BUDGET_MS else "OVER BUDGET"
    print(f"  total over {len(PROFILES)} profiles  {total_s * 1e3:6.2f} ms  (budget {BUDGET_MS:.0f} ms: {verdict})")
    cold_s = best_of(lambda: [simulate(hundred_layers(seed=1), name) for name in PROFILES], repeats=1)
    print(f"  cold (build 100 new random masks + read patterns + EIE layouts, all profiles): {cold_s * 1e3:.1f} ms")

    print()
    start = time.perf_counter()
    host = calibrate()
    print(f"calibrate() took {time.perf_counter() - start:.2f} s:")
    print(f"  dense GEMM   {host.peak_macs_per_s / 1e9:8.2f} GMAC/s   ({host.sources['macs_per_cycle']})")
    print(f"  bandwidth    {host.memory_bandwidth_bytes_per_s / 1e9:8.2f} GB/s")
    print(f"  per-call     {host.overhead_s * 1e6:8.2f} us")

    print()
    shapes = sweep_shapes()
    start = time.perf_counter()
    result = compare_with_measured(host, shapes)
    print(f"compare_with_measured on {len(shapes)} shapes took {time.perf_counter() - start:.1f} s")
    print(result)
    untouched = compare_with_measured("cpu-avx2", shapes, repeats=1)
    print(f"\nSpearman rho, host profile: {result.spearman:.3f} (target >= 0.9); "
          f"uncalibrated cpu-avx2 profile: {untouched.spearman:.3f}")


if __name__ == "__main__":
    main()

"""How fast is one-shot LLM pruning here? SparseGPT and Wanda as ratios to baselines measured in this same run.

On a 1024 x 1024 float32 Linear layer with 2,048 calibration rows (correlated
inputs with outlier channels, like an LLM's), times ``sparsegpt_prune`` at 50 %
and at 2:4, and ``wanda_mask`` at 50 %, as ratios to

(a) forming the Hessian ``X^T X`` and inverting it once with ``np.linalg.inv``, on one
    BLAS thread as ``sparsegpt_prune`` runs (the floor of any method that uses
    second-order information), and
(b) one dense forward pass ``X @ W.T`` of the calibration inputs (what collecting
    the calibration activations costs per layer).

Target: ``sparsegpt_prune`` on this layer in under 2 s on the 2-core development machine.
It also prints the layer reconstruction errors, which must order SparseGPT <= Wanda <= magnitude.

Run: ``python benchmarks/bench_one_shot.py [--size N] [--samples S] [--repeats R]``
"""

from __future__ import annotations

import argparse

import numpy as np
from threadpoolctl import threadpool_limits

from _timing import best_time_s

from hwprune_edu.pruning import (
    apply_mask, magnitude_mask, nm_mask, reconstruction_error, sparsegpt_prune, wanda_mask,
)


def correlated_inputs(rng: np.random.Generator, samples: int, features: int) -> np.ndarray:
    mixing = rng.standard_normal((features, features)) / np.sqrt(features)
    x = rng.standard_normal((samples, features)) @ mixing + 0.3 * rng.standard_normal((samples, features))
    return (x * np.exp(rng.standard_normal(features))).astype(np.float32)  # log-normal channel scales: outliers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1024)
    parser.add_argument("--samples", type=int, default=2048)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    w = rng.standard_normal((args.size, args.size)).astype(np.float32)
    x = correlated_inputs(rng, args.samples, args.size)
    x64 = x.astype(np.float64)

    with threadpool_limits(limits=1, user_api="blas"):  # one BLAS thread, as sparsegpt_prune runs
        hessian_s = best_time_s(lambda: np.linalg.inv(x64.T @ x64 + np.eye(args.size)), args.repeats)
    forward_s = best_time_s(lambda: x @ w.T, args.repeats)
    timed = {
        "sparsegpt_prune(0.5)": lambda: sparsegpt_prune(w, x, 0.5),
        "sparsegpt_prune(n=2, m=4)": lambda: sparsegpt_prune(w, x, n=2, m=4),
        "wanda_mask(0.5)": lambda: wanda_mask(w, x, 0.5),
    }
    print(f"{args.size} x {args.size} float32 layer, {args.samples} calibration rows; best of {args.repeats}")
    print(f"baseline (a): X^T X + np.linalg.inv, one BLAS thread = {hessian_s * 1e3:.0f} ms")
    print(f"baseline (b): one forward X @ W.T   = {forward_s * 1e3:.0f} ms")
    print(f"{'method':<28}{'ms':>8}{'x (a)':>8}{'x (b)':>8}  target")
    for name, fn in timed.items():
        seconds = best_time_s(fn, args.repeats)
        target = "< 2 s: " + ("met" if seconds < 2.0 else "MISSED") if name.startswith("sparsegpt") else ""
        print(f"{name:<28}{seconds * 1e3:>8.0f}{seconds / hessian_s:>8.1f}{seconds / forward_s:>8.1f}  {target}")

    print("\nlayer reconstruction error ||X W^T - X W_hat^T|| / ||X W^T|| (lower is better)")
    for label, spec, magnitude in (("50 %", dict(amount=0.5), magnitude_mask(w, 0.5)),
                                   ("2:4", dict(n=2, m=4), nm_mask(w, 2, 4))):
        errors = {
            "sparsegpt": reconstruction_error(w, sparsegpt_prune(w, x, **spec)[0], x),
            "wanda": reconstruction_error(w, apply_mask(w, wanda_mask(w, x, **spec)), x),
            "magnitude": reconstruction_error(w, apply_mask(w, magnitude), x),
        }
        ordered = errors["sparsegpt"] <= errors["wanda"] <= errors["magnitude"]
        print(f"{label:<6}" + "  ".join(f"{k} {v:.4f}" for k, v in errors.items())
              + f"   sparsegpt <= wanda <= magnitude: {'yes' if ordered else 'NO'}")


if __name__ == "__main__":
    main()

"""How fast are the reference pruners? Ratios against baselines measured in this same run.

On a 4096 x 4096 float32 matrix at 90 % sparsity, times ``magnitude_mask``,
``nm_mask(2, 4)`` and ``structured_mask`` as ratios to

(a) one ``np.abs`` pass over the same matrix (the floor: any pruner reads every
    weight at least once), and
(b) ``torch.nn.utils.prune``'s ``compute_mask`` for the same method.

Targets (issue 2): magnitude_mask <= 5x one abs pass and >= 20x faster than
torch's L1Unstructured; nm_mask <= 8x one abs pass.

Run: ``python benchmarks/bench_pruning.py [--size N] [--repeats R]``
"""

from __future__ import annotations

import argparse
import numpy as np

from _timing import best_time_s

from hwprune_edu.pruning import magnitude_mask, nm_mask, structured_mask


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--torch-repeats", type=int, default=2, help="torch's topk is slow; fewer repeats")
    args = parser.parse_args()

    import torch
    import torch.nn.utils.prune as prune

    torch.set_num_threads(1)  # NumPy's elementwise kernels are single-threaded too
    rng = np.random.default_rng(0)
    w = rng.standard_normal((args.size, args.size)).astype(np.float32)
    t = torch.from_numpy(w)
    ones = torch.ones_like(t)
    amount = 0.9

    abs_s = best_time_s(lambda: np.abs(w), args.repeats)
    ours = {
        "magnitude_mask(0.9)": best_time_s(lambda: magnitude_mask(w, amount), args.repeats),
        "nm_mask(2, 4)": best_time_s(lambda: nm_mask(w, 2, 4), args.repeats),
        "structured_mask(0.9, axis=0)": best_time_s(lambda: structured_mask(w, amount), args.repeats),
    }
    theirs = {
        "magnitude_mask(0.9)": best_time_s(
            lambda: prune.L1Unstructured(amount).compute_mask(t, ones), args.torch_repeats),
        "nm_mask(2, 4)": None,  # torch.nn.utils.prune has no N:M method
        "structured_mask(0.9, axis=0)": best_time_s(
            lambda: prune.LnStructured(amount, n=1, dim=0).compute_mask(t, ones), args.torch_repeats),
    }
    targets = {"magnitude_mask(0.9)": (5.0, 20.0), "nm_mask(2, 4)": (8.0, None), "structured_mask(0.9, axis=0)": (None, None)}

    print(f"{args.size} x {args.size} float32, 90 % pruned; best of {args.repeats} (torch: {args.torch_repeats})")
    print(f"baseline (a): one np.abs pass = {abs_s * 1e3:.1f} ms")
    print(f"{'method':<30}{'ours ms':>9}{'x abs':>8}{'torch ms':>10}{'torch/ours':>12}  target")
    for name, ours_s in ours.items():
        torch_s = theirs[name]
        max_abs, min_speedup = targets[name]
        ratio_abs = ours_s / abs_s
        speedup = torch_s / ours_s if torch_s else None
        verdicts = []
        if max_abs is not None:
            verdicts.append(f"<= {max_abs:g}x abs {'MET' if ratio_abs <= max_abs else 'MISSED'}")
        if min_speedup is not None:
            verdicts.append(f">= {min_speedup:g}x torch {'MET' if speedup >= min_speedup else 'MISSED'}")
        print(f"{name:<30}{ours_s * 1e3:>9.1f}{ratio_abs:>8.2f}"
              f"{(torch_s * 1e3 if torch_s else float('nan')):>10.1f}"
              f"{(f'{speedup:.0f}x' if speedup else 'n/a'):>12}  {'; '.join(verdicts)}")


if __name__ == "__main__":
    main()

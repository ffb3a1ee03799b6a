"""Hardware-aware pruning, NetAdapt style, and the two hardware-agnostic baselines it should beat.

:func:`hardware_aware_prune` puts the target's cost model in the loop
(Yang et al. 2018, *NetAdapt*): each iteration sets a latency target a step
below the current one and, for every prunable layer, asks the simulator for
the *largest* width that meets it (the simulator is the lookup table), keeps
that layer's most important units, fine-tunes briefly, and keeps the
proposal with the best validation accuracy. Because it picks the largest
width that meets the target, it lands on the hardware's tile edges by itself:
inside a tile the cost is flat, so the extra units up to the edge are free
(Torch-Pruning's ``round_to`` idea, found by the search rather than imposed;
pass ``round_to`` to impose it).

The baselines decide without the hardware: :func:`uniform_channel_prune`
keeps the same fraction of units in every layer (the fraction chosen to meet
the same budget), :func:`global_magnitude_prune` zeroes the smallest weights
network-wide, which shrinks the parameter count but, on dense kernels, not
the time.

>>> from hwprune_edu.nn.data import load_digits, digits_mlp
>>> data = load_digits()
>>> small, history = hardware_aware_prune(digits_mlp(hidden=(64, 64)), data, "cpu-avx2", 0.5,
...                                       finetune_steps=2, final_epochs=0, progress=False)
>>> history[-1]["latency_ratio"] <= 0.5
True
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Mapping, Sequence

import numpy as np
import torch
from torch import nn
from torch.nn.utils import prune

from hwprune_edu.hardware import Hardware, get_profile, simulate
from hwprune_edu.nn.costing import model_geometry, workload_from_geometry, workload_from_model
from hwprune_edu.nn.data import Digits, evaluate, finetune, train
from hwprune_edu.nn.family import layer_widths, prunable_layers
from hwprune_edu.nn.scoped import fixed_threads
from hwprune_edu.nn.statistics import activation_statistics
from hwprune_edu.nn.surgery import count_parameters, make_masks_permanent, remove_units
from hwprune_edu.util.tables import format_columns
from hwprune_edu.util.validation import check_fraction, check_int, check_positive_int, describe, resolve_amount

__all__ = [
    "hardware_aware_prune",
    "uniform_channel_prune",
    "global_magnitude_prune",
    "simulated_latency",
    "history_table",
    "IMPORTANCE_METHODS",
]

#: How units are ranked before the least important ones are removed.
IMPORTANCE_METHODS = {
    "mean_abs": "mean |activation| on calibration data (after BatchNorm and ReLU)",
    "rms": "root mean square activation on calibration data",
    "apoz": "1 - APoZ: fraction of calibration outputs that are non-zero (Hu et al. 2016)",
    "l1": "L1 norm of the unit's weights (Li et al. 2017): needs no data",
}


def _hardware(hardware: Any):
    return hardware if isinstance(hardware, Hardware) else get_profile(hardware)


def _simulate_s(layers: list, hw) -> float:
    return simulate(layers, hw).latency_s


def simulated_latency(model: nn.Sequential, hardware: Any, *, batch: int = 256, input_shape=None) -> float:
    """Simulated latency of one forward pass of ``batch`` samples of ``model`` on ``hardware``, in seconds.

    Masks count: the simulator reads each weight mask's pattern (see
    :func:`hwprune_edu.nn.workload_from_model`).

    >>> from hwprune_edu.nn.data import digits_mlp
    >>> simulated_latency(digits_mlp(hidden=(256,)), "npu-systolic") > 0
    True
    """
    batch = check_positive_int(batch, name="batch")
    return _simulate_s(workload_from_model(model, input_shape, batch), _hardware(hardware))


def _check_budget(latency_budget: Any) -> float:
    return check_fraction(latency_budget, name="latency_budget", zero_ok=False,
                          meaning=" (a fraction of the dense model's latency)")


def _check_inputs(model: Any, data: Any) -> nn.Sequential:
    if not isinstance(data, Digits):
        raise TypeError(f"data must be what load_digits() returns (a Digits), got {describe(data)}")
    if not isinstance(model, nn.Sequential):
        raise TypeError(f"model must be a flat torch.nn.Sequential (as digits_mlp/digits_cnn build), got {describe(model)}")
    prunable = prunable_layers(model)  # names any unsupported layer
    if not prunable:
        raise ValueError("model has no prunable layer: it needs a Linear/Conv2d followed by another one")
    return make_masks_permanent(model)


def _unit_importance(model: nn.Sequential, layer: int, method: str, calibration: torch.Tensor) -> np.ndarray:
    if method == "l1":
        weight = model[layer].weight.detach()
        return weight.abs().reshape(weight.shape[0], -1).sum(dim=1).double().numpy()
    return activation_statistics(model, calibration, layers=[layer])[layer].scores(method)


def _top_units(scores: np.ndarray, n_keep: int) -> np.ndarray:
    # Stable sort on -score: among equal scores the earlier unit is kept (the package's tie rule).
    order = np.argsort(-scores, kind="stable")
    return np.sort(order[:n_keep])


def _shrink(model: nn.Sequential, widths: Mapping[int, int], method: str, calibration: torch.Tensor) -> nn.Sequential:
    keep = {}
    for layer, width in widths.items():
        keep[layer] = _top_units(_unit_importance(model, layer, method, calibration), width)
    return remove_units(model, keep)


def _unmeetable(hw, budget: float, dense_s: float, min_s: float, floor: str) -> ValueError:
    return ValueError(
        f"latency_budget={budget:g} cannot be met on {hw.name}: the smallest reachable latency is {min_s:.4g} s, "
        f"{min_s / dense_s:.3f} of the dense model's {dense_s:.4g} s ({floor}); "
        f"ask for a budget >= {math.ceil(min_s / dense_s * 1000) / 1000:.3f}"
    )


def _options(batch: Any, lr: Any, importance: Any, seed: Any) -> tuple[int, float, str, int]:
    batch = check_positive_int(batch, name="batch")
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not lr > 0:
        raise ValueError(f"lr must be a number > 0, got {describe(lr)}")
    if importance not in IMPORTANCE_METHODS:
        raise ValueError(f"importance must be one of {sorted(IMPORTANCE_METHODS)}, got {describe(importance)}")
    return batch, float(lr), importance, check_int(seed, name="seed", minimum=0)


def hardware_aware_prune(
    model: nn.Sequential,
    data: Digits,
    hardware: Any,
    latency_budget: float,
    *,
    batch: int = 256,
    step: float = 0.1,
    finetune_steps: int = 30,
    final_epochs: int = 5,
    lr: float = 1e-3,
    importance: str = "mean_abs",
    calibration_samples: int = 512,
    round_to: int | None = None,
    input_shape: Sequence[int] | None = None,
    seed: int = 0,
    progress: bool = True,
    num_threads: int | None = 1,
) -> tuple[nn.Sequential, list[dict[str, Any]]]:
    """Prune units until the simulated latency on ``hardware`` is at most ``latency_budget`` x dense (NetAdapt).

    Each iteration: target = max(budget, current - ``step``) x dense latency;
    for each prunable layer, the largest width below its current one whose
    simulated latency meets the target (other layers unchanged); keep that
    many of its most important units (``importance``, measured on the first
    ``calibration_samples`` training images); fine-tune ``finetune_steps``
    Adam steps; score on the validation split. The best proposal (ties: the
    lower latency) becomes the model for the next iteration. At the end,
    ``final_epochs`` epochs of fine-tuning. ``model`` is not modified.

    Args:
        model: a trained ``nn.Sequential`` of the supported family.
        data: what :func:`hwprune_edu.nn.data.load_digits` returns.
        hardware: a ``Hardware`` profile or its name, e.g. ``"npu-systolic"``.
        latency_budget: target latency as a fraction of the dense model's, in (0, 1].
        batch: batch size the latency is simulated at.
        step: latency cut per iteration, as a fraction of the dense latency
            (NetAdapt's resource-reduction schedule, constant here).
        finetune_steps: optimiser steps of the short fine-tune of each proposal.
        final_epochs: epochs of the final fine-tune.
        lr: Adam learning rate for both fine-tunes.
        importance: one of :data:`IMPORTANCE_METHODS`.
        calibration_samples: training images used to measure activations.
        round_to: if given, widths are restricted to multiples of it
            (e.g. ``hardware.channel_multiple``); by default every width is a
            candidate and the largest that meets the target wins.
        input_shape: shape of one sample (inferred for our models).
        seed: seed of every fine-tune.
        progress: show a ``tqdm.auto`` bar.
        num_threads: torch threads during the search, restored afterwards
            (``None``: unchanged; 1 by default, as in :func:`hwprune_edu.nn.data.train`).

    Returns:
        ``(pruned_model, history)``: the physically smaller model and one
        record per iteration (``stage`` ``"start"``, ``"step"`` or ``"final"``,
        ``layer`` changed, ``widths``, ``sim_latency_s``, ``latency_ratio``,
        ``val_accuracy``, and the ``proposals`` considered).

    Raises:
        ValueError: a budget that cannot be met, naming the smallest reachable
            latency; a model outside the supported family, naming the layer.

    >>> from hwprune_edu.nn.data import load_digits, digits_mlp
    >>> hardware_aware_prune(digits_mlp(hidden=(16,)), load_digits(), "gpu-ampere", 0.1, progress=False)
    Traceback (most recent call last):
    ...
    ValueError: latency_budget=0.1 cannot be met on gpu-ampere: the smallest reachable latency is ...
    """
    budget = _check_budget(latency_budget)
    current = _check_inputs(model, data)
    batch, lr, importance, seed = _options(batch, lr, importance, seed)
    if isinstance(step, bool) or not isinstance(step, numbers.Real) or not 0.0 < float(step) <= 1.0:
        raise ValueError(f"step must be a number in (0, 1] (a fraction of the dense latency cut per iteration), got {describe(step)}")
    step = float(step)
    finetune_steps = check_int(finetune_steps, name="finetune_steps", minimum=0)
    final_epochs = check_int(final_epochs, name="final_epochs", minimum=0)
    calibration_samples = check_positive_int(calibration_samples, name="calibration_samples")
    if round_to is not None:
        round_to = check_positive_int(round_to, name="round_to")
    hw = _hardware(hardware)
    calibration = data.x_train[:calibration_samples]

    geometry = model_geometry(current, input_shape)
    prunable = prunable_layers(current)
    widths = layer_widths(current)

    def latency_at(w: Mapping[int, int]) -> float:
        return _simulate_s(workload_from_geometry(geometry, batch, widths=w), hw)

    def candidates(width: int) -> range:
        # Descending, so the first width that meets the target is the largest.
        if round_to is None:
            return range(width - 1, 0, -1)
        return range((width - 1) // round_to * round_to, 0, -round_to)

    dense_s = latency_at(widths)
    target_s = budget * dense_s
    floor = {i: (1 if round_to is None else min(round_to, widths[i])) for i in prunable}
    min_s = latency_at(floor)
    if min_s > target_s * (1 + 1e-9):
        unit = "1 unit" if round_to is None else f"its smallest multiple of round_to={round_to}"
        raise _unmeetable(hw, budget, dense_s, min_s, f"every prunable layer at {unit}")

    from tqdm.auto import tqdm

    with fixed_threads(num_threads):
        latency_s = dense_s
        history = [_record("start", None, widths, latency_s, dense_s, evaluate(current, data, "val"), [])]
        bar = tqdm(total=round(100 * (1 - budget)), desc=f"hw-aware {hw.name}", unit="%", disable=not progress, leave=False)
        iteration = 0
        while latency_s > target_s * (1 + 1e-9):
            iteration += 1
            step_target = max(target_s, latency_s - step * dense_s)
            proposals = []
            for layer in prunable:
                width, proposal_s = _largest_width(layer, widths, step_target, candidates, latency_at)
                if width is None:
                    continue
                proposals.append({"layer": layer, "width": width, "sim_latency_s": proposal_s})
            if not proposals:  # no layer alone reaches the step's target: take the biggest cuts available
                for layer in prunable:
                    best = min(((latency_at({**widths, layer: w}), -w) for w in candidates(widths[layer])), default=None)
                    if best is not None and best[0] < latency_s:
                        proposals.append({"layer": layer, "width": -best[1], "sim_latency_s": best[0]})
            if not proposals:
                raise RuntimeError(f"no layer can be narrowed further, yet latency {latency_s:.4g} s > target {target_s:.4g} s")
            models = {}
            for p in proposals:
                candidate = _shrink(current, {p["layer"]: p["width"]}, importance, calibration)
                finetune(candidate, data, finetune_steps, lr=lr, seed=seed + iteration, num_threads=None)
                p["val_accuracy"] = evaluate(candidate, data, "val")
                models[p["layer"]] = candidate
            best = max(proposals, key=lambda p: (p["val_accuracy"], -p["sim_latency_s"]))
            current = models[best["layer"]]
            widths = {**widths, best["layer"]: best["width"]}
            bar.update(round(100 * (latency_s - best["sim_latency_s"]) / dense_s))
            latency_s = best["sim_latency_s"]
            history.append(_record("step", best["layer"], widths, latency_s, dense_s, best["val_accuracy"], proposals))
            bar.set_postfix(latency=f"{latency_s / dense_s:.3f}", val=f"{best['val_accuracy']:.3f}")
        bar.close()
        if final_epochs:
            train(current, data, epochs=final_epochs, lr=lr, seed=seed, progress=progress, num_threads=None)
        history.append(_record("final", None, widths, latency_s, dense_s, evaluate(current, data, "val"), []))
    return current, history


def _largest_width(layer, widths, target_s, candidates, latency_at) -> tuple[int | None, float]:
    for width in candidates(widths[layer]):
        latency_s = latency_at({**widths, layer: width})
        if latency_s <= target_s * (1 + 1e-9):
            return width, latency_s
    return None, math.inf


def _record(stage, layer, widths, latency_s, dense_s, val_accuracy, proposals) -> dict[str, Any]:
    return {
        "stage": stage,
        "layer": layer,
        "widths": dict(widths),
        "sim_latency_s": latency_s,
        "latency_ratio": latency_s / dense_s,
        "val_accuracy": val_accuracy,
        "proposals": [dict(p) for p in proposals],
    }


def uniform_channel_prune(
    model: nn.Sequential,
    data: Digits,
    hardware: Any,
    latency_budget: float,
    *,
    batch: int = 256,
    final_epochs: int = 5,
    lr: float = 1e-3,
    importance: str = "l1",
    input_shape: Sequence[int] | None = None,
    seed: int = 0,
    progress: bool = True,
    num_threads: int | None = 1,
) -> tuple[nn.Sequential, list[dict[str, Any]]]:
    """Hardware-agnostic baseline: keep the same fraction of units in every prunable layer.

    The fraction is the largest one (in steps of one unit of the widest
    layer) whose simulated latency on ``hardware`` meets the budget, so the
    comparison with :func:`hardware_aware_prune` is at (at most) the same
    latency; only *how* the cut is spread differs. Units are ranked by
    ``importance`` (L1 norm of their weights by default, Li et al. 2017),
    then the model is fine-tuned for ``final_epochs``. ``model`` is not modified.

    Args:
        model, data, hardware, latency_budget, batch, lr, input_shape, seed,
            progress, num_threads: as in :func:`hardware_aware_prune`.
        final_epochs: epochs of fine-tuning after the cut.
        importance: one of :data:`IMPORTANCE_METHODS`.

    Returns:
        ``(pruned_model, history)`` with one record: ``keep_ratio``, ``widths``,
        ``sim_latency_s``, ``latency_ratio``, ``val_accuracy``.

    >>> from hwprune_edu.nn.data import load_digits, digits_mlp
    >>> small, h = uniform_channel_prune(digits_mlp(hidden=(256, 128)), load_digits(), "cpu-avx2", 0.5,
    ...                                  final_epochs=0, progress=False)
    >>> h[0]["widths"], h[0]["latency_ratio"] <= 0.5
    ({0: 152, 2: 76}, True)
    """
    budget = _check_budget(latency_budget)
    current = _check_inputs(model, data)
    batch, lr, importance, seed = _options(batch, lr, importance, seed)
    final_epochs = check_int(final_epochs, name="final_epochs", minimum=0)
    hw = _hardware(hardware)
    geometry = model_geometry(current, input_shape)
    widths = layer_widths(current)
    widest = max(widths.values())

    def latency_at(w: Mapping[int, int]) -> float:
        return _simulate_s(workload_from_geometry(geometry, batch, widths=w), hw)

    dense_s = latency_at(widths)
    chosen = None
    for kept in range(widest, 0, -1):
        ratio = kept / widest
        trial = {i: max(1, round(ratio * w)) for i, w in widths.items()}
        trial_s = latency_at(trial)
        if trial_s <= budget * dense_s * (1 + 1e-9):
            chosen = (ratio, trial, trial_s)
            break
    if chosen is None:
        raise _unmeetable(hw, budget, dense_s, latency_at({i: 1 for i in widths}), "every prunable layer at 1 unit")
    ratio, trial, trial_s = chosen
    with fixed_threads(num_threads):
        calibration = data.x_train[:512]
        pruned = _shrink(current, {i: w for i, w in trial.items() if w < widths[i]}, importance, calibration)
        if final_epochs:
            train(pruned, data, epochs=final_epochs, lr=lr, seed=seed, progress=progress, num_threads=None)
        record = _record("uniform", None, trial, trial_s, dense_s, evaluate(pruned, data, "val"), [])
    record["keep_ratio"] = ratio
    return pruned, [record]


def global_magnitude_prune(
    model: nn.Sequential,
    data: Digits,
    amount: int | float | None = None,
    *,
    target_params: int | None = None,
    final_epochs: int = 5,
    lr: float = 1e-3,
    seed: int = 0,
    progress: bool = True,
    num_threads: int | None = 1,
) -> tuple[nn.Sequential, list[dict[str, Any]]]:
    """Hardware-agnostic baseline: zero the smallest-|w| weights network-wide, then fine-tune with the masks on.

    Uses ``torch.nn.utils.prune.global_unstructured`` with ``L1Unstructured``
    over the weights of every ``Linear`` and ``Conv2d`` (biases and BatchNorm
    stay). Give either ``amount`` (torch's convention: a fraction of those
    weights, or a count) or ``target_params``, the parameter count to end
    with (e.g. a hardware-aware model's, for a same-size comparison). The
    returned model keeps its masks (see :func:`hwprune_edu.nn.count_parameters`);
    ``model`` is not modified.

    Args:
        model, data, lr, seed, progress, num_threads: as in :func:`hardware_aware_prune`.
        amount: weights to prune: fraction in [0, 1] or count.
        target_params: parameters to keep in total (``count_parameters`` of the result).
        final_epochs: epochs of fine-tuning with the masks applied.

    Returns:
        ``(masked_model, history)`` with one record: ``amount`` (weights
        pruned), ``params``, ``val_accuracy``.

    >>> from hwprune_edu.nn.data import load_digits, digits_mlp
    >>> sparse, h = global_magnitude_prune(digits_mlp(hidden=(32,)), load_digits(), 0.9, final_epochs=0, progress=False)
    >>> h[0]["params"], count_parameters(sparse)
    (279, 279)
    """
    if (amount is None) == (target_params is None):
        raise ValueError("give exactly one of amount (weights to prune) and target_params (parameters to keep)")
    current = _check_inputs(model, data)
    final_epochs = check_int(final_epochs, name="final_epochs", minimum=0)
    _, lr, _, seed = _options(1, lr, "l1", seed)
    targets = [(m, "weight") for m in current if isinstance(m, (nn.Linear, nn.Conv2d))]
    n_weights = sum(m.weight.numel() for m, _ in targets)
    if target_params is not None:
        target_params = check_int(target_params, name="target_params", minimum=0)
        total = count_parameters(current)
        fixed = total - n_weights  # biases and BatchNorm parameters are not pruned
        if not fixed <= target_params <= total:
            raise ValueError(
                f"target_params must be between {fixed} (every weight pruned; biases stay) and {total} (dense), "
                f"got {target_params}"
            )
        amount = total - target_params
    else:
        amount = resolve_amount(amount, n_weights, name="amount")
    with fixed_threads(num_threads):
        prune.global_unstructured(targets, pruning_method=prune.L1Unstructured, amount=amount)
        if final_epochs:
            train(current, data, epochs=final_epochs, lr=lr, seed=seed, progress=progress, num_threads=None)
        pruned_weights = n_weights - sum(int(m.weight_mask.sum()) for m, _ in targets)
        record = {
            "stage": "global_magnitude",
            "amount": pruned_weights,
            "params": count_parameters(current),
            "val_accuracy": evaluate(current, data, "val"),
        }
    return current, [record]


def history_table(history: Sequence[Mapping[str, Any]]) -> str:
    """A search history as a text table: one line per iteration (stage, layer cut, widths, latency, accuracy).

    Args:
        history: what :func:`hardware_aware_prune` (or a baseline) returns as its second value.

    Returns:
        The table as one string (``print`` it).

    >>> print(history_table([
    ...     {"stage": "start", "layer": None, "widths": {0: 8}, "latency_ratio": 1.0, "val_accuracy": 0.9},
    ...     {"stage": "step", "layer": 0, "widths": {0: 5}, "latency_ratio": 0.61, "val_accuracy": 0.875},
    ... ]))
    stage  layer  widths   latency  val acc
    start  -      0:8        1.000   90.00 %
    step   0      0:5        0.610   87.50 %
    """
    rows = [("stage", "layer", "widths", "latency", "val acc")]
    for record in history:
        layer = record.get("layer")
        widths = " ".join(f"{i}:{w}" for i, w in record.get("widths", {}).items())
        rows.append((
            str(record.get("stage", "")),
            "-" if layer is None else str(layer),
            widths,
            f"{record['latency_ratio']:.3f}" if "latency_ratio" in record else "-",
            f"{100 * record['val_accuracy']:.2f} %",
        ))
    return format_columns(rows, right=(3, 4))

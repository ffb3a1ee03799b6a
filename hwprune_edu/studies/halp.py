"""Global hardware-aware pruning in the spirit of HALP (Shen et al., NeurIPS 2022): rank every unit on one scale, knapsack the widths.

Where NetAdapt (:mod:`hwprune_edu.studies.search`) narrows one layer at a
time and keeps the cut that hurts least *now*, this method decides all
widths at once, in a few rounds:

1. **Importance on one scale.** Every unit gets its first-order Taylor score
   ``|a * dL/da|`` (:func:`hwprune_edu.nn.search.taylor_importance`): the
   loss change its removal would cause, in the same units for every layer.
2. **Latency tables.** The simulator costs every layer at every candidate
   width, with its producer's width too (:func:`~hwprune_edu.studies.allocation.latency_tables`);
   candidate widths include every tile multiple of the target, so a width on
   the tile edge is chosen wherever the table says the extra units are free.
3. **Knapsack.** Keep the widths that maximise the summed importance of the
   kept units within the round's latency target
   (:func:`~hwprune_edu.studies.allocation.select_widths`, exact).
4. **Uniform among the candidates.** The uniform allocation at the same
   target is tried too; after the round's fine-tune the one with the better
   validation accuracy is kept, so the method does not do worse than uniform
   on validation accuracy at a round.

Fine-tuning is budgeted: ``total_finetune_epochs`` worth of optimiser steps
in all, the rounds' fine-tunes counted, the rest spent on the last
fine-tune: exactly what :func:`~hwprune_edu.studies.search.uniform_channel_prune`
gets in one go with ``final_epochs=total_finetune_epochs``.

>>> from hwprune_edu.nn.data import load_digits, digits_mlp
>>> small, history = halp_prune(digits_mlp(hidden=(64, 64)), load_digits(), "cpu-avx2", 0.5,
...                             total_finetune_epochs=1, rounds=2, progress=False)
>>> history[-1].latency_ratio <= 0.5, history[-1].finetune_steps   # 17 steps per epoch of digits
(True, 17)
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from hwprune_edu.hardware import Hardware, simulate
from hwprune_edu.nn import fixed_threads, layer_widths, model_geometry, prunable_layers, workload_from_geometry
from hwprune_edu.nn.data import evaluate, finetune, progress_bar, steps_per_epoch
from hwprune_edu.nn.search import prepare_model, shrink, taylor_importance, unit_importance
from hwprune_edu.studies.allocation import (
    candidate_widths,
    latency_tables,
    meets,
    resolve_hardware,
    select_widths,
    uniform_widths,
    unmeetable,
)
from hwprune_edu.studies.results import AllocationCandidate, SearchStep
from hwprune_edu.util.validation import check_fraction, check_int, check_positive_int, describe

__all__ = ["halp_prune"]

# Taylor scores are averaged over this many labelled training samples (2 backward passes of 256 on our models).
_CALIBRATION_SAMPLES = 512
# A unit's worth in the knapsack is its importance plus this share of the layer's mean score, so among widths of
# equal latency (inside a tile) the knapsack prefers the wider one even where scores are exactly 0.
_WIDTH_TIEBREAK = 1e-6


def halp_prune(
    model: Any,
    data: Any,
    hardware: Any,
    latency_budget: float,
    *,
    batch: int = 256,
    rounds: int = 3,
    round_steps: int | None = None,
    total_finetune_epochs: int = 5,
    lr: float = 1e-3,
    importance: str = "taylor",
    calibration_samples: int = _CALIBRATION_SAMPLES,
    input_shape: Sequence[int] | None = None,
    seed: int = 0,
    progress: bool = True,
    num_threads: int | None = 1,
) -> tuple[Any, list[SearchStep]]:
    """Prune to ``latency_budget`` x the dense simulated latency on ``hardware`` with global importance and a knapsack.

    Round ``r`` of ``rounds`` aims at ``1 - (1 - budget) * r / rounds`` of the
    dense latency: score every unit (``importance``; ``"taylor"`` by default,
    comparable across layers; ``"l1"`` is the data-free alternative), build
    the latency tables of the current model, solve the knapsack, also form the
    uniform allocation for that target, shrink to each, fine-tune each
    ``round_steps`` steps and keep the better on validation accuracy. Then
    fine-tune the kept model with what is left of ``total_finetune_epochs``.
    ``model`` is not modified.

    Args:
        model: a trained ``nn.Sequential`` of the supported family.
        data: a :class:`~hwprune_edu.nn.data.Splits`.
        hardware: a ``Hardware`` profile or its name.
        latency_budget: target latency as a fraction of the dense model's, in (0, 1].
        batch: batch size the latency is simulated at.
        rounds: prune-and-fine-tune rounds (HALP prunes progressively too).
        round_steps: optimiser steps of each round's fine-tune (default: half the
            budget, shared by the rounds; the other half is the last fine-tune).
        total_finetune_epochs: the whole fine-tune budget, in epochs of the
            train split; the rounds' steps are taken out of it (they must fit).
        lr: Adam learning rate.
        importance: ``"taylor"`` or ``"l1"`` (``hwprune_edu.nn.search.IMPORTANCE_METHODS``).
        calibration_samples: training samples the importance is measured on.
        input_shape: shape of one sample (inferred for our models).
        seed: seed of every fine-tune.
        progress: show a progress bar.
        num_threads: torch threads during the search, restored afterwards (``None``: unchanged).

    Returns:
        ``(pruned_model, history)``: ``"start"``, one ``"round"`` per round (its
        :class:`~hwprune_edu.studies.results.AllocationCandidate`\\ s as ``proposals``), ``"final"``;
        each record's ``finetune_steps`` counts the steps the kept model has had.

    Raises:
        ValueError: a budget no allocation can meet (naming the smallest reachable latency), a fine-tune
            budget smaller than the rounds' steps, an unknown importance.

    >>> from hwprune_edu.nn.data import load_digits, digits_mlp
    >>> halp_prune(digits_mlp(hidden=(16,)), load_digits(), "gpu-ampere", 0.1, progress=False)
    Traceback (most recent call last):
    ...
    ValueError: latency_budget=0.1 cannot be met on gpu-ampere: the smallest reachable latency is ...
    """
    budget = check_fraction(latency_budget, name="latency_budget", zero_ok=False,
                            meaning=" (a fraction of the dense model's latency)")
    current = prepare_model(model, data)
    batch = check_positive_int(batch, name="batch")
    rounds = check_positive_int(rounds, name="rounds")
    total_epochs = check_int(total_finetune_epochs, name="total_finetune_epochs", minimum=0)
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise ValueError(f"lr must be a number > 0, got {describe(lr)}")
    if importance not in ("taylor", "l1"):
        raise ValueError(f"importance must be 'taylor' or 'l1' (scores comparable across layers), got {describe(importance)}")
    calibration_samples = check_positive_int(calibration_samples, name="calibration_samples")
    seed = check_int(seed, name="seed", minimum=0)
    total_steps = total_epochs * steps_per_epoch(data)
    round_steps = total_steps // (2 * rounds) if round_steps is None else check_int(round_steps, name="round_steps",
                                                                                   minimum=0)
    if rounds * round_steps > total_steps:
        raise ValueError(
            f"rounds * round_steps = {rounds * round_steps} steps exceed the fine-tune budget of "
            f"total_finetune_epochs={total_epochs} ({total_steps} steps): lower round_steps or raise the budget"
        )
    hw = resolve_hardware(hardware)
    geometry = model_geometry(current, input_shape)
    dense_widths = layer_widths(current)

    def latency_at(widths: Mapping[int, int]) -> float:
        return simulate(workload_from_geometry(geometry, batch, widths=widths), hw).latency_s

    dense_s = latency_at(dense_widths)
    floor_s = latency_at({i: 1 for i in dense_widths})
    if not meets(floor_s, budget * dense_s):
        raise unmeetable(hw, budget, dense_s, floor_s, "every prunable layer at 1 unit")
    calibration = (data.x_train[:calibration_samples], data.y_train[:calibration_samples])
    widths, steps_done = dict(dense_widths), 0
    start_model = current  # never trained in place: every round's shrink returns a new model

    def record(stage: str, latency_s: float, val: float, candidates=(), allocation=None) -> SearchStep:
        return SearchStep(stage, None, dict(widths), latency_s, latency_s / dense_s, val, tuple(candidates),
                          allocation, steps_done)

    with fixed_threads(num_threads):
        history = [record("start", dense_s, evaluate(current, data, "val"))]
        bar = progress_bar(range(1, rounds + 1), progress=progress, desc=f"global {hw.name}", unit="round",
                           leave=False)
        for r in bar:
            target_s = dense_s * (1 - (1 - budget) * r / rounds)
            scores = _scores(current, importance, calibration)
            trial = _knapsack(geometry, batch, hw, widths, scores, target_s)
            current = shrink(current, {i: w for i, w in trial.items() if w < widths[i]}, importance, calibration)
            finetune(current, data, round_steps, lr=lr, seed=seed + r, num_threads=None)
            widths, steps_done = dict(trial), steps_done + round_steps
            tried = AllocationCandidate("knapsack", dict(trial), latency_at(trial), evaluate(current, data, "val"))
            history.append(record("round", tried.sim_latency_s, tried.val_accuracy, [tried], "knapsack"))
            bar.set_postfix(latency=f"{tried.sim_latency_s / dense_s:.3f}", val=f"{tried.val_accuracy:.3f}")
        bar.close()
        final_steps = total_steps - steps_done
        if final_steps:
            finetune(current, data, final_steps, lr=lr, seed=seed, num_threads=None)
        steps_done += final_steps
        # Uniform among the candidates, at the same fine-tune budget: the uniform allocation at the *budget*, cut
        # from the dense model (ranked by L1 norm, as uniform_channel_prune ranks) and fine-tuned for all
        # total_steps in one go, seed for seed what the baseline does. A per-round uniform candidate would be
        # clipped to the previous round's widths (no longer uniform) and judged after a short fine-tune.
        tried = [AllocationCandidate("knapsack", dict(widths), latency_at(widths), evaluate(current, data, "val"))]
        models = {"knapsack": current}
        uniform = uniform_widths(dense_widths, latency_at, budget * dense_s)
        if uniform is not None:
            flat = shrink(start_model, {i: w for i, w in uniform.items() if w < dense_widths[i]}, "l1", None)
            finetune(flat, data, total_steps, lr=lr, seed=seed, num_threads=None)
            tried.append(AllocationCandidate("uniform", dict(uniform), latency_at(uniform), evaluate(flat, data, "val")))
            models["uniform"] = flat
        # Ties go to the first candidate, the knapsack's (the hardware-aware allocation).
        best = max(tried, key=lambda c: c.val_accuracy)
        current, widths = models[best.allocation], dict(best.widths)
        history.append(record("final", best.sim_latency_s, best.val_accuracy, tried, best.allocation))
    return current, history


def _scores(model: Any, importance: str, calibration: tuple) -> dict[int, np.ndarray]:
    if importance == "taylor":
        return taylor_importance(model, *calibration)
    # L1 norms grow with a layer's fan-in: divide by it so layers are on one scale (a per-weight mean magnitude).
    out = {}
    for layer in prunable_layers(model):
        fan_in = model[layer].weight[0].numel()
        out[layer] = unit_importance(model, layer, "l1", None) / fan_in
    return out


def _knapsack(geometry: Sequence[Any], batch: int, hw: Hardware, widths: Mapping[int, int],
              scores: Mapping[int, np.ndarray], target_s: float) -> dict[int, int]:
    """The widths (at most the current ones) of the most summed importance within ``target_s``."""
    layers = sorted(widths)
    candidates = {i: candidate_widths(widths[i], hw) for i in layers}
    tables = latency_tables(geometry, batch, hw, candidates)
    values = []
    for i in layers:
        # Sum of the top-w scores: keeping w units keeps the w most important ones.
        ranked = np.sort(scores[i])[::-1]
        ranked = ranked + _WIDTH_TIEBREAK * max(float(ranked.mean()), 1e-30)
        prefix = np.concatenate([[0.0], np.cumsum(ranked)])
        values.append(prefix[candidates[i]])
    costs, capacity = tables.costs(target_s)
    selection = select_widths(values, costs, capacity)
    return {i: int(candidates[i][j]) for i, j in zip(layers, selection.indices)}

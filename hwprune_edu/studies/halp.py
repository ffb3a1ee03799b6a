"""Global hardware-aware pruning in the spirit of HALP (Shen et al., NeurIPS 2022): rank every unit on one scale, knapsack the widths.

Where NetAdapt (:mod:`hwprune_edu.studies.search`) narrows one layer at a
time and keeps the cut that hurts least *now*, this method decides all
widths at once, in a few rounds:

1. **Importance on one scale.** By default a unit's score is the L1 norm of
   its weights divided by its fan-in (a per-weight mean magnitude, so layers
   of different fan-in compare; data-free). ``importance="taylor"`` uses the
   first-order Taylor score ``|a * dL/da|`` instead
   (:func:`hwprune_edu.nn.search.taylor_importance`), the loss change the
   unit's removal would cause. On MNIST-1D the L1 ranking validated better:
   a dense MLP that fits its training split almost perfectly has near-zero
   loss gradients there, so Taylor scores on training samples are mostly noise
   (``benchmarks/bench_hw_aware.py`` measures both).
   A sequence, e.g. ``("l1", "taylor")``, runs one path per ranking.
2. **Latency tables.** The simulator costs every layer at every candidate
   width, with its producer's width too (:func:`~hwprune_edu.studies.allocation.latency_tables`);
   candidate widths include every tile multiple of the target, so a width on
   the tile edge is chosen wherever the table says the extra units are free.
3. **Knapsack.** Keep the widths that maximise the summed importance of the
   kept units within the round's latency target
   (:func:`~hwprune_edu.studies.allocation.select_widths`, exact); cut, then
   fine-tune briefly. Rounds aim at 1/``rounds``, 2/``rounds``, ... of the cut.
4. **Uniform among the candidates.** At the end the uniform allocation at
   the budget, cut from the dense model and fine-tuned with the whole budget
   (what :func:`~hwprune_edu.studies.search.uniform_channel_prune` returns,
   weight for weight), competes with the knapsack's model; the better on
   validation accuracy is returned. So the method does not do worse than
   uniform on validation accuracy; on test accuracy it can, by the noise
   between the two splits.

Fine-tuning is budgeted: the returned model has had exactly
``total_finetune_epochs`` worth of optimiser steps, the rounds' fine-tunes
counted and the rest spent on its last fine-tune: what
:func:`~hwprune_edu.studies.search.uniform_channel_prune` gets in one go with
``final_epochs=total_finetune_epochs``. The search's own cost is larger: every
candidate gets that budget (the uniform one and one path per ranking), and
validation picks among them.

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
from hwprune_edu.nn.search import shrink, taylor_importance, unit_importance
from hwprune_edu.studies.allocation import (
    candidate_widths,
    latency_tables,
    meets,
    resolve_hardware,
    select_widths,
    uniform_widths,
    unmeetable,
)
from hwprune_edu.studies.arguments import check_budget, check_options, restore_dtype, search_copy
from hwprune_edu.studies.results import AllocationCandidate, SearchStep
from hwprune_edu.util.validation import describe

__all__ = ["halp_prune"]

#: The importance scores comparable across layers, which a global ranking needs.
HALP_IMPORTANCE = ("taylor", "l1")

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
    importance: str | Sequence[str] = "l1",
    calibration_samples: int = _CALIBRATION_SAMPLES,
    input_shape: Sequence[int] | None = None,
    seed: int = 0,
    progress: bool = True,
    num_threads: int | None = 1,
) -> tuple[Any, list[SearchStep]]:
    """Prune to ``latency_budget`` x the dense simulated latency on ``hardware`` with global importance and a knapsack.

    Round ``r`` of ``rounds`` aims at ``1 - (1 - budget) * r / rounds`` of the
    dense latency: score every unit (``importance``), build the latency tables
    of the current model, solve the knapsack, shrink to its widths and
    fine-tune ``round_steps`` steps. Then fine-tune with what is left of
    ``total_finetune_epochs``, and compare on validation accuracy with the
    uniform allocation at the budget fine-tuned for all of it (ties go to the
    knapsack's model). ``model`` is not modified.

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
        importance: ``"l1"`` (default) or ``"taylor"`` (``hwprune_edu.nn.search.IMPORTANCE_METHODS``), or a
            sequence of them: one knapsack path each, all compared at the end.
        calibration_samples: training samples the Taylor importance is measured on.
        input_shape: shape of one sample (inferred for our models).
        seed: seed of every fine-tune.
        progress: show a progress bar.
        num_threads: torch threads during the search, restored afterwards (``None``: unchanged).

    Returns:
        ``(pruned_model, history)``: ``"start"``; one ``"round"`` per round, each path's
        :class:`~hwprune_edu.studies.results.AllocationCandidate` as ``proposals`` (the record itself is the
        best-validating path's); ``"final"``, whose ``proposals`` are the finished paths and ``"uniform"``, and
        whose ``allocation`` names the one returned. ``finetune_steps`` counts the steps the returned model has had.

    Raises:
        ValueError: a budget no allocation can meet (naming the smallest reachable latency), a fine-tune
            budget smaller than the rounds' steps, an unknown importance.

    >>> from hwprune_edu.nn.data import load_digits, digits_mlp
    >>> halp_prune(digits_mlp(hidden=(16,)), load_digits(), "gpu-ampere", 0.1, progress=False)
    Traceback (most recent call last):
    ...
    ValueError: latency_budget=0.1 cannot be met on gpu-ampere: the smallest reachable latency is ...
    """
    budget = check_budget(latency_budget)
    o = check_options(dict(batch=batch, rounds=rounds, round_steps=round_steps,
                           total_finetune_epochs=total_finetune_epochs, lr=lr,
                           calibration_samples=calibration_samples, input_shape=input_shape, seed=seed,
                           progress=progress, num_threads=num_threads))
    batch, rounds, total_epochs, lr, seed = o.batch, o.rounds, o.total_finetune_epochs, o.lr, o.seed
    rankings = check_rankings(importance)
    hw = resolve_hardware(hardware)
    current, data, dtype = search_copy(model, data)
    total_steps = total_epochs * steps_per_epoch(data)
    round_steps = total_steps // (2 * rounds) if o.round_steps is None else o.round_steps
    if rounds * round_steps > total_steps:
        raise ValueError(
            f"rounds * round_steps = {rounds * round_steps} steps exceed the fine-tune budget of "
            f"total_finetune_epochs={total_epochs} ({total_steps} steps): lower round_steps or raise the budget"
        )
    geometry = model_geometry(current, o.input_shape)
    dense_widths = layer_widths(current)

    def latency_at(widths: Mapping[int, int]) -> float:
        return simulate(workload_from_geometry(geometry, batch, widths=widths), hw).latency_s

    dense_s = latency_at(dense_widths)
    floor_s = latency_at({i: 1 for i in dense_widths})
    if not meets(floor_s, budget * dense_s):
        raise unmeetable(hw, budget, dense_s, floor_s, "every prunable layer at 1 unit")
    calibration = (data.x_train[:o.calibration_samples], data.y_train[:o.calibration_samples])
    widths, steps_done = dict(dense_widths), 0  # current stays the dense copy: every shrink returns a new model

    def record(stage: str, latency_s: float, val: float, candidates=(), allocation=None) -> SearchStep:
        return SearchStep(stage, None, dict(widths), latency_s, latency_s / dense_s, val, tuple(candidates),
                          allocation, steps_done)

    with fixed_threads(o.num_threads):
        history = [record("start", dense_s, evaluate(current, data, "val"))]
        # One knapsack path per ranking, each its own chain of rounds from the dense model.
        paths = {name: (current, dict(dense_widths)) for name in _path_names(rankings)}
        bar = progress_bar(range(1, rounds + 1), progress=o.progress, desc=f"global {hw.name}", unit="round",
                           leave=False)
        for r in bar:
            target_s = dense_s * (1 - (1 - budget) * r / rounds)
            tried = []
            for (name, (path_model, path_widths)), ranking in zip(list(paths.items()), rankings):
                trial = _knapsack(geometry, batch, hw, path_widths, _scores(path_model, ranking, calibration),
                                  target_s)
                cut = {i: w for i, w in trial.items() if w < path_widths[i]}
                path_model = shrink(path_model, cut, ranking, calibration)
                finetune(path_model, data, round_steps, lr=lr, seed=seed + r, num_threads=None)
                paths[name] = (path_model, dict(trial))
                tried.append(AllocationCandidate(name, dict(trial), latency_at(trial),
                                                 evaluate(path_model, data, "val")))
            steps_done += round_steps
            lead = max(tried, key=lambda c: c.val_accuracy)  # where the search stands: its best path so far
            widths = dict(lead.widths)
            history.append(record("round", lead.sim_latency_s, lead.val_accuracy, tried, lead.allocation))
            bar.set_postfix(latency=f"{lead.sim_latency_s / dense_s:.3f}", val=f"{lead.val_accuracy:.3f}")
        bar.close()
        final_steps = total_steps - steps_done
        tried, models = [], {}
        for name, (path_model, path_widths) in paths.items():
            if final_steps:
                finetune(path_model, data, final_steps, lr=lr, seed=seed, num_threads=None)
            tried.append(AllocationCandidate(name, path_widths, latency_at(path_widths),
                                             evaluate(path_model, data, "val")))
            models[name] = path_model
        steps_done += final_steps
        # Uniform among the candidates, at the same fine-tune budget: the uniform allocation at the *budget*, cut
        # from the dense model (ranked by L1 norm, as uniform_channel_prune ranks) and fine-tuned for all
        # total_steps in one go, seed for seed what the baseline does. A per-round uniform candidate would be
        # clipped to the previous round's widths (no longer uniform) and judged after a short fine-tune.
        uniform = uniform_widths(dense_widths, latency_at, budget * dense_s)
        if uniform is not None:
            flat = shrink(current, {i: w for i, w in uniform.items() if w < dense_widths[i]}, "l1", None)
            finetune(flat, data, total_steps, lr=lr, seed=seed, num_threads=None)
            tried.append(AllocationCandidate("uniform", dict(uniform), latency_at(uniform), evaluate(flat, data, "val")))
            models["uniform"] = flat
        # Ties go to the earlier candidate: the knapsacks' (the hardware-aware allocations) before uniform.
        best = max(tried, key=lambda c: c.val_accuracy)
        current, widths = models[best.allocation], dict(best.widths)
        history.append(record("final", best.sim_latency_s, best.val_accuracy, tried, best.allocation))
    return restore_dtype(current, dtype), history


def check_rankings(importance: Any) -> tuple[str, ...]:
    """``importance`` of the global method as a tuple of distinct rankings from :data:`HALP_IMPORTANCE`.

    >>> check_rankings("l1"), check_rankings(["l1", "taylor"])
    (('l1',), ('l1', 'taylor'))
    """
    rankings = (importance,) if isinstance(importance, str) else importance
    if (not isinstance(rankings, (tuple, list)) or not rankings or not all(isinstance(r, str) for r in rankings)
            or len(set(rankings)) != len(rankings) or any(r not in HALP_IMPORTANCE for r in rankings)):
        raise ValueError(f"importance must be one of {list(HALP_IMPORTANCE)} or a sequence of distinct ones (scores "
                         f"comparable across layers), got {describe(importance)}")
    return tuple(rankings)


def _path_names(rankings: Sequence[str]) -> list[str]:
    """Candidate names: ``"knapsack"`` for a single ranking, ``"knapsack-<ranking>"`` for several.

    >>> _path_names(["taylor"]), _path_names(["taylor", "l1"])
    (['knapsack'], ['knapsack-taylor', 'knapsack-l1'])
    """
    return ["knapsack"] if len(rankings) == 1 else [f"knapsack-{r}" for r in rankings]


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

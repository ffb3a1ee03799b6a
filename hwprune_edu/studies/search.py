"""Hardware-aware pruning (a global knapsack by default, or NetAdapt's loop) and the two hardware-agnostic baselines.

:func:`hardware_aware_prune` puts the target's cost model in the loop, by one
of :data:`METHODS`:

* ``"global"`` (the default): every unit ranked on one scale, per-layer
  latency tables from the simulator and an exact knapsack over them, in a
  few prune-and-fine-tune rounds, with the uniform allocation always among
  the candidates (in the spirit of HALP, Shen et al. 2022; see
  :mod:`hwprune_edu.studies.halp`);
* ``"netadapt"``: :func:`netadapt_prune`, the greedy loop below.

:func:`netadapt_prune` (Yang et al. 2018, *NetAdapt*): each iteration sets a latency target a step
below the current one and, for every prunable layer, asks the simulator for
the *largest* width that meets it (the simulator is the lookup table), keeps
that layer's most important units, fine-tunes briefly, and keeps the
proposal with the best validation accuracy. Because it picks the largest
width that meets the target, it lands on the hardware's tile edges by itself:
inside a tile the cost is flat, so the extra units up to the edge are free
(Torch-Pruning's ``round_to`` idea, found by the search rather than imposed;
pass ``round_to`` to impose it).

The greedy loop teaches the idea, but its 30-step fine-tunes reward the cut
that hurts least *now*, which on a hard task is not the cut that is best
after a long fine-tune; the global method looks at all layers at once.

The baselines decide without the hardware: :func:`uniform_channel_prune`
keeps the same fraction of units in every layer (the fraction chosen to meet
the same budget), :func:`global_magnitude_prune` zeroes the smallest weights
network-wide, which shrinks the parameter count but, on dense kernels, not
the time.

The searches orchestrate: the simulator chooses widths, the ``torch`` steps
(:mod:`hwprune_edu.nn.search`) cut, :mod:`hwprune_edu.nn.data` fine-tunes; the
records they return (:class:`~hwprune_edu.studies.results.SearchStep` and the
baselines' own) are torch-free.

>>> from hwprune_edu.nn.data import load_digits, digits_mlp
>>> data = load_digits()
>>> small, history = hardware_aware_prune(digits_mlp(hidden=(64, 64)), data, "cpu-avx2", 0.5,
...                                       final_epochs=1, progress=False)
>>> history[-1].latency_ratio <= 0.5, [h.stage for h in history]
(True, ['start', 'round', 'round', 'round', 'final'])
>>> small, history = hardware_aware_prune(digits_mlp(hidden=(64, 64)), data, "cpu-avx2", 0.5, method="netadapt",
...                                       finetune_steps=2, final_epochs=0, progress=False)
>>> history[-1].latency_ratio <= 0.5
True
"""

from __future__ import annotations

import inspect
import numbers
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from hwprune_edu.hardware import Hardware, simulate
from hwprune_edu.nn import (
    count_parameters,
    fixed_threads,
    layer_widths,
    model_geometry,
    prunable_layers,
    workload_from_geometry,
    workload_from_model,
)
from hwprune_edu.nn.data import evaluate, finetune, progress_bar, train
from hwprune_edu.nn.search import IMPORTANCE_METHODS, global_magnitude_masks, shrink
from hwprune_edu.studies.allocation import meets as _meets
from hwprune_edu.studies.allocation import resolve_hardware, uniform_widths, unmeetable
from hwprune_edu.studies.arguments import (
    check_budget,
    check_choice,
    check_input_shape,
    check_options,
    restore_dtype,
    search_copy,
)
from hwprune_edu.studies.halp import HALP_IMPORTANCE, check_rankings, halp_prune
from hwprune_edu.studies.results import MagnitudeCut, Proposal, SearchStep, UniformCut
from hwprune_edu.util.validation import check_fraction, check_int, check_number, check_positive_int

__all__ = ["METHODS", "hardware_aware_prune", "check_search_options", "netadapt_prune", "uniform_channel_prune", "global_magnitude_prune",
           "simulated_latency", "latency_floor"]

#: The hardware-aware methods :func:`hardware_aware_prune` knows, the default first.
METHODS = {
    "global": "importance on one scale, simulator latency tables, exact knapsack, rounds, uniform as a candidate (HALP-style)",
    "netadapt": "greedy: narrow the layer whose short fine-tune scores best, one latency step at a time (NetAdapt)",
}

# Activation-based importance is measured on this many training images unless told otherwise.
_CALIBRATION_SAMPLES = 512


def simulated_latency(model: Any, hardware: Any, *, batch: int = 256, input_shape=None) -> float:
    """Simulated latency of one forward pass of ``batch`` samples of ``model`` on ``hardware``, in seconds.

    Masks count: the simulator reads each weight mask's pattern (see
    :func:`hwprune_edu.nn.workload_from_model`).

    >>> from hwprune_edu.nn.data import digits_mlp
    >>> simulated_latency(digits_mlp(hidden=(256,)), "npu-systolic") > 0
    True
    """
    batch = check_positive_int(batch, name="batch")
    hw = resolve_hardware(hardware)
    return simulate(workload_from_model(model, check_input_shape(input_shape), batch), hw).latency_s


def latency_floor(model: Any, hardware: Any, *, batch: int = 256, input_shape=None) -> float:
    """The lowest simulated latency structured pruning can reach on ``hardware``, as a fraction of ``model``'s.

    The floor is the model with every prunable layer cut to 1 unit (the
    unprunable output layer kept): a budget below it cannot be met by any
    allocation, so every search refuses it before training (NetAdapt with
    ``round_to`` keeps at least ``round_to`` units a layer, so its floor is
    higher). It is a property
    of the simulator's platform (launch overheads, a systolic array's fill and
    drain), not of the weights, so an untrained model of the right shape will do.

    Args:
        model: a model of the supported family (its masks are ignored: the
            floor compares shapes).
        hardware: a profile name or :class:`~hwprune_edu.hardware.Hardware`.
        batch: samples per forward pass simulated.
        input_shape: the model's input shape, if it cannot be inferred.

    Returns:
        The floor's simulated latency over the model's, in (0, 1] (a simulator output).

    >>> from hwprune_edu.nn.data import digits_mlp
    >>> round(latency_floor(digits_mlp(), "npu-systolic"), 3), round(latency_floor(digits_mlp(), "cpu-avx2"), 3)
    (0.1, 0.005)
    """
    batch = check_positive_int(batch, name="batch")
    hw = resolve_hardware(hardware)
    widths = layer_widths(model)
    if not widths:
        raise ValueError("model has no prunable layer: it needs a Linear/Conv2d followed by another one")
    latency_at = _latency_model(model, hw, batch, check_input_shape(input_shape))
    return latency_at({i: 1 for i in widths}) / latency_at(widths)


def _latency_model(model: Any, hw: Hardware, batch: int, input_shape: Sequence[int] | None) -> Callable[[Mapping[int, int]], float]:
    """Simulated latency of ``model`` at other widths: one shape pass, then the simulator only (the lookup table)."""
    geometry = model_geometry(model, input_shape)
    return lambda widths: simulate(workload_from_geometry(geometry, batch, widths=widths), hw).latency_s


def hardware_aware_prune(model: Any, data: Any, hardware: Any, latency_budget: float, *, method: str = "global",
                         final_epochs: int = 5, **options: Any) -> tuple[Any, list[SearchStep]]:
    """Prune units until the simulated latency on ``hardware`` is at most ``latency_budget`` x dense, by ``method``.

    ``"global"`` (default) runs :func:`hwprune_edu.studies.halp.halp_prune`
    with ``total_finetune_epochs=final_epochs``: its rounds' fine-tunes come
    out of that budget, so the returned model has had exactly the
    ``final_epochs`` epochs of optimiser steps that
    :func:`uniform_channel_prune` and :func:`global_magnitude_prune` give
    theirs. ``"netadapt"`` runs :func:`netadapt_prune`, whose short
    fine-tunes come on top of ``final_epochs``. ``model`` is not modified.

    Args:
        model, data, hardware, latency_budget: as in :func:`netadapt_prune`.
        method: one of :data:`METHODS`.
        final_epochs: the fine-tune budget (``"global"``) or the last fine-tune (``"netadapt"``), in epochs.
        options: keyword arguments of the method's function (``batch``, ``lr``, ``seed``, ``progress``,
            ``num_threads``, ``input_shape`` for both; ``rounds``, ``round_steps``, ``importance``,
            ``calibration_samples`` for ``"global"``; ``step``, ``finetune_steps``, ``importance``,
            ``calibration_samples``, ``round_to`` for ``"netadapt"``).

    Returns:
        ``(pruned_model, history)`` as the method's function returns them.

    >>> from hwprune_edu.nn.data import load_digits, digits_mlp
    >>> hardware_aware_prune(digits_mlp(hidden=(8,)), load_digits(), "cpu-avx2", 0.5, method="halp")
    Traceback (most recent call last):
    ...
    ValueError: method must be one of ['global', 'netadapt'], got str 'halp'
    """
    check_search_options(method, final_epochs=final_epochs, **options)
    if method == "netadapt":
        return netadapt_prune(model, data, hardware, latency_budget, final_epochs=final_epochs, **options)
    return halp_prune(model, data, hardware, latency_budget, total_finetune_epochs=final_epochs, **options)


def check_search_options(method: str = "global", **options: Any) -> dict[str, Any]:
    """Check :func:`hardware_aware_prune`'s ``method`` and keyword options without running a search.

    What a study does before it trains anything, so that a bad option fails at
    once rather than after the dense model's training.

    Args:
        method: one of :data:`METHODS`.
        options: keyword arguments of :func:`hardware_aware_prune` (``final_epochs`` and the method's own).

    Returns:
        ``options``, unchanged (a new dict).

    >>> check_search_options("global", rounds=2, lr=1e-3)
    {'rounds': 2, 'lr': 0.001}
    >>> check_search_options("global", step=0.1)
    Traceback (most recent call last):
    ...
    TypeError: ['step'] are options of method='netadapt'; method='global' takes rounds and round_steps
    """
    method = check_choice(method, list(METHODS), name="method")
    options = dict(options)
    if method == "global":
        foreign = sorted(set(options) & {"step", "finetune_steps", "round_to"})
        if foreign:
            raise TypeError(f"{foreign} are options of method='netadapt'; method='global' takes rounds and round_steps")
        func, choices = halp_prune, HALP_IMPORTANCE
    else:
        func, choices = netadapt_prune, sorted(IMPORTANCE_METHODS)
    taken = {name for name, p in inspect.signature(func).parameters.items() if p.kind is p.KEYWORD_ONLY}
    if method == "global":
        # hardware_aware_prune passes final_epochs to halp_prune as its total_finetune_epochs.
        if "total_finetune_epochs" in options:
            raise TypeError("total_finetune_epochs is set by final_epochs in hardware_aware_prune: pass final_epochs")
        taken -= {"total_finetune_epochs"}
    unknown = sorted(set(options) - taken - {"final_epochs"})
    if unknown:
        raise TypeError(f"{unknown} are not options of method={method!r}; it takes {sorted(taken | {'final_epochs'})}")
    if method == "global" and "importance" in options:  # one ranking or several (one knapsack path each)
        check_rankings(options["importance"])
        check_options({k: v for k, v in options.items() if k != "importance"})
    else:
        check_options(options, importance=choices)
    return {name: value for name, value in options.items()}


def netadapt_prune(
    model: Any,
    data: Any,
    hardware: Any,
    latency_budget: float,
    *,
    batch: int = 256,
    step: float = 0.1,
    finetune_steps: int = 30,
    final_epochs: int = 5,
    lr: float = 1e-3,
    importance: str = "mean_abs",
    calibration_samples: int = _CALIBRATION_SAMPLES,
    round_to: int | None = None,
    input_shape: Sequence[int] | None = None,
    seed: int = 0,
    progress: bool = True,
    num_threads: int | None = 1,
) -> tuple[Any, list[SearchStep]]:
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
        importance: one of :data:`hwprune_edu.nn.search.IMPORTANCE_METHODS`.
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
        :class:`~hwprune_edu.studies.results.SearchStep` per stage
        (``"start"``, one ``"step"`` per iteration with its proposals, ``"final"``).

    Raises:
        ValueError: a budget that cannot be met, naming the smallest reachable
            latency; a model outside the supported family, naming the layer.

    >>> from hwprune_edu.nn.data import load_digits, digits_mlp
    >>> netadapt_prune(digits_mlp(hidden=(16,)), load_digits(), "gpu-ampere", 0.1, progress=False)
    Traceback (most recent call last):
    ...
    ValueError: latency_budget=0.1 cannot be met on gpu-ampere: the smallest reachable latency is ...
    """
    budget = check_budget(latency_budget)
    options = check_options(dict(batch=batch, step=step, finetune_steps=finetune_steps, final_epochs=final_epochs,
                                 lr=lr, importance=importance, calibration_samples=calibration_samples,
                                 round_to=round_to, input_shape=input_shape, seed=seed, progress=progress,
                                 num_threads=num_threads), importance=sorted(IMPORTANCE_METHODS))
    step, finetune_steps, final_epochs, round_to = options.step, options.finetune_steps, options.final_epochs, options.round_to
    progress, num_threads = options.progress, options.num_threads
    hw = resolve_hardware(hardware)
    current, data, dtype = search_copy(model, data)
    calibration = data.x_train[:options.calibration_samples]
    latency_at = _latency_model(current, hw, options.batch, options.input_shape)
    prunable = prunable_layers(current)
    widths = layer_widths(current)

    def candidates(width: int) -> range:
        # Descending, so the first width that meets the target is the largest.
        if round_to is None:
            return range(width - 1, 0, -1)
        return range((width - 1) // round_to * round_to, 0, -round_to)

    dense_s = latency_at(widths)
    target_s = budget * dense_s
    min_s = latency_at({i: (1 if round_to is None else min(round_to, widths[i])) for i in prunable})
    if not _meets(min_s, target_s):
        unit = "1 unit" if round_to is None else f"its smallest multiple of round_to={round_to}"
        raise unmeetable(hw, budget, dense_s, min_s, f"every prunable layer at {unit}")

    def record(stage: str, layer: int | None, latency_s: float, val_accuracy: float,
               proposals: Sequence[Proposal] = ()) -> SearchStep:
        return SearchStep(stage, layer, dict(widths), latency_s, latency_s / dense_s, val_accuracy, tuple(proposals))

    with fixed_threads(num_threads):
        latency_s = dense_s
        history = [record("start", None, latency_s, evaluate(current, data, "val"))]
        bar = progress_bar(total=round(100 * (1 - budget)), progress=progress, desc=f"netadapt {hw.name}", unit="%",
                           leave=False)
        iteration = 0
        while not _meets(latency_s, target_s):
            iteration += 1
            cuts = _cuts(prunable, widths, max(target_s, latency_s - step * dense_s), latency_s, candidates, latency_at)
            if not cuts:
                raise RuntimeError(f"no layer can be narrowed further, yet latency {latency_s:.4g} s > target {target_s:.4g} s")
            proposals, models = [], {}
            for cut in cuts:
                candidate = shrink(current, {cut.layer: cut.width}, options.importance, calibration)
                finetune(candidate, data, finetune_steps, lr=options.lr, seed=options.seed + iteration, num_threads=None)
                proposals.append(Proposal(cut.layer, cut.width, cut.sim_latency_s, evaluate(candidate, data, "val")))
                models[cut.layer] = candidate
            best = max(proposals, key=lambda p: (p.val_accuracy, -p.sim_latency_s))
            current = models[best.layer]
            widths = {**widths, best.layer: best.width}
            bar.update(round(100 * (latency_s - best.sim_latency_s) / dense_s))
            latency_s = best.sim_latency_s
            history.append(record("step", best.layer, latency_s, best.val_accuracy, proposals))
            bar.set_postfix(latency=f"{latency_s / dense_s:.3f}", val=f"{best.val_accuracy:.3f}")
        bar.close()
        if final_epochs:
            train(current, data, epochs=final_epochs, lr=options.lr, seed=options.seed, progress=progress, num_threads=None)
        history.append(record("final", None, latency_s, evaluate(current, data, "val")))
    return restore_dtype(current, dtype), history


@dataclass(frozen=True)
class _Cut:
    """A width the simulator proposes for one layer, before any training."""

    layer: int
    width: int
    sim_latency_s: float


def _cuts(prunable: Sequence[int], widths: Mapping[int, int], step_target_s: float, latency_s: float,
          candidates: Callable[[int], range], latency_at: Callable[[Mapping[int, int]], float]) -> list[_Cut]:
    """Per layer, the largest width that meets the step's target; if none does, each layer's biggest cut that helps."""
    cuts = []
    for layer in prunable:
        for width in candidates(widths[layer]):
            width_s = latency_at({**widths, layer: width})
            if _meets(width_s, step_target_s):
                cuts.append(_Cut(layer, width, width_s))
                break
    if cuts:
        return cuts
    # No layer alone reaches the step's target: take the biggest cuts available.
    for layer in prunable:
        best = min(((latency_at({**widths, layer: w}), -w) for w in candidates(widths[layer])), default=None)
        if best is not None and best[0] < latency_s:
            cuts.append(_Cut(layer, -best[1], best[0]))
    return cuts


def uniform_channel_prune(
    model: Any,
    data: Any,
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
) -> tuple[Any, list[UniformCut]]:
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
        importance: one of :data:`hwprune_edu.nn.search.IMPORTANCE_METHODS`.

    Returns:
        ``(pruned_model, [record])``, the record a :class:`~hwprune_edu.studies.results.UniformCut`.

    >>> from hwprune_edu.nn.data import load_digits, digits_mlp
    >>> small, h = uniform_channel_prune(digits_mlp(hidden=(256, 128)), load_digits(), "cpu-avx2", 0.5,
    ...                                  final_epochs=0, progress=False)
    >>> h[0].widths, h[0].latency_ratio <= 0.5
    ({0: 152, 2: 76}, True)
    """
    budget = check_budget(latency_budget)
    options = check_options(dict(batch=batch, final_epochs=final_epochs, lr=lr, importance=importance,
                                 input_shape=input_shape, seed=seed, progress=progress, num_threads=num_threads),
                            importance=sorted(IMPORTANCE_METHODS))
    final_epochs, progress = options.final_epochs, options.progress
    hw = resolve_hardware(hardware)
    current, data, dtype = search_copy(model, data)
    latency_at = _latency_model(current, hw, options.batch, options.input_shape)
    widths = layer_widths(current)
    dense_s = latency_at(widths)
    trial = uniform_widths(widths, latency_at, budget * dense_s)
    if trial is None:
        raise unmeetable(hw, budget, dense_s, latency_at({i: 1 for i in widths}), "every prunable layer at 1 unit")
    trial_s = latency_at(trial)
    widest = max(widths, key=widths.get)
    ratio = trial[widest] / widths[widest]
    with fixed_threads(options.num_threads):
        calibration = data.x_train[:_CALIBRATION_SAMPLES]
        pruned = shrink(current, {i: w for i, w in trial.items() if w < widths[i]}, options.importance, calibration)
        if final_epochs:
            train(pruned, data, epochs=final_epochs, lr=options.lr, seed=options.seed, progress=progress, num_threads=None)
        val_accuracy = evaluate(pruned, data, "val")
    return restore_dtype(pruned, dtype), [UniformCut(ratio, dict(trial), trial_s, trial_s / dense_s, val_accuracy)]


def global_magnitude_prune(
    model: Any,
    data: Any,
    amount: int | float | None = None,
    *,
    target_params: int | None = None,
    final_epochs: int = 5,
    lr: float = 1e-3,
    seed: int = 0,
    progress: bool = True,
    num_threads: int | None = 1,
) -> tuple[Any, list[MagnitudeCut]]:
    """Hardware-agnostic baseline: zero the smallest-|w| weights network-wide, then fine-tune with the masks on.

    Uses ``torch.nn.utils.prune.global_unstructured`` with ``L1Unstructured``
    over the weights of every ``Linear`` and ``Conv2d`` (biases and BatchNorm
    stay; see :func:`hwprune_edu.nn.search.global_magnitude_masks`). Give
    either ``amount`` (torch's convention: a fraction of those weights, or a
    count) or ``target_params``, the parameter count to end with (e.g. a
    hardware-aware model's, for a same-size comparison). The returned model
    keeps its masks (see :func:`hwprune_edu.nn.count_parameters`); ``model``
    is not modified.

    Args:
        model, data, lr, seed, progress, num_threads: as in :func:`hardware_aware_prune`.
        amount: weights to prune: fraction in [0, 1] or count.
        target_params: parameters to keep in total (``count_parameters`` of the result).
        final_epochs: epochs of fine-tuning with the masks applied.

    Returns:
        ``(masked_model, [record])``, the record a :class:`~hwprune_edu.studies.results.MagnitudeCut`.

    >>> from hwprune_edu.nn.data import load_digits, digits_mlp
    >>> sparse, h = global_magnitude_prune(digits_mlp(hidden=(32,)), load_digits(), 0.9, final_epochs=0, progress=False)
    >>> h[0].params, count_parameters(sparse)
    (279, 279)
    """
    if (amount is None) == (target_params is None):
        raise ValueError("give exactly one of amount (weights to prune) and target_params (parameters to keep)")
    if isinstance(amount, np.ndarray) and amount.ndim == 0:
        amount = amount[()]  # a 0-d array: the number it holds
    if target_params is not None:
        target_params = check_int(target_params, name="target_params", minimum=0)
    else:
        # torch's convention: an int counts weights, any other number is a fraction of them.
        number = check_number(amount, name="amount", low=0, meaning=" (a count of weights, or a fraction in [0, 1])")
        amount = int(amount) if isinstance(amount, numbers.Integral) else check_fraction(
            number, name="amount", meaning=" (a fraction of the weights)")
    options = check_options(dict(final_epochs=final_epochs, lr=lr, seed=seed, progress=progress,
                                 num_threads=num_threads))
    final_epochs, progress = options.final_epochs, options.progress
    current, data, dtype = search_copy(model, data)
    with fixed_threads(options.num_threads):
        masked, pruned_weights = global_magnitude_masks(current, amount, target_params=target_params)
        if final_epochs:
            train(masked, data, epochs=final_epochs, lr=options.lr, seed=options.seed, progress=progress, num_threads=None)
        record = MagnitudeCut(pruned_weights, count_parameters(masked), evaluate(masked, data, "val"))
    return restore_dtype(masked, dtype), [record]

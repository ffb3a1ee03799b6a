"""The comparison experiment: dense vs unstructured vs uniform channel vs hardware-aware pruning, on digits.

One call, :func:`compare_methods`, trains the dense model and builds the
pruned versions the course compares:

* ``dense``: the trained ``64-1024-1024-10`` MLP (or the model you pass);
* ``unstructured_90``: global magnitude pruning of 90 % of the weights,
  fine-tuned with the masks on (hardware-agnostic; timed on dense kernels);
* ``uniform_channel``: the same fraction of units kept in every layer, the
  fraction chosen to meet the latency budget on the first target
  (hardware-agnostic in *how* it cuts);
* ``hw_aware_<profile>``: the NetAdapt-style search at the same budget, one
  per target profile (the simulator inside the loop).

Each gets its test accuracy, parameter count, simulated latency on every
profile and the wall time of its pruning; :func:`measure_comparison` adds
its measured latency on this machine. The result is a torch-free
:class:`~hwprune_edu.studies.results.Comparison` (it prints as a table, shows
as HTML, serialises to the JSON of ``bench_hw_aware.py --json`` and checks
the course's targets, :mod:`hwprune_edu.studies.targets`).
:func:`budget_sweep` adds Pareto points at other budgets, and
:func:`width_latency_curve` draws the search's lookup table.

>>> RunSettings.quick(epochs=0).epochs, RunSettings.full().finetune_epochs
(0, 5)
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import statistics
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np
from hwprune_edu.hardware import PROFILES, simulate
from hwprune_edu.nn import (
    copy_model,
    count_parameters,
    fixed_threads,
    layer_widths,
    make_masks_permanent,
    measure_latency,
    model_geometry,
    workload_from_geometry,
    workload_from_model,
)
from hwprune_edu.nn.data import Splits, digits_mlp, evaluate, load_digits, progress_bar, train
from hwprune_edu.studies.allocation import resolve_hardware
from hwprune_edu.studies.results import BudgetPoint, Comparison, Measurement, MethodResult
from hwprune_edu.studies.arguments import SEED_MAX, check_budget, check_flag, check_profiles
from hwprune_edu.studies.search import (
    check_search_options,
    global_magnitude_prune,
    hardware_aware_prune,
    simulated_latency,
    uniform_channel_prune,
)
from hwprune_edu.studies.targets import BUDGET_SLACK, DEFAULT_TARGETS
from hwprune_edu.util.validation import check_int, check_number, check_positive_int, describe

__all__ = ["RunSettings", "compare_methods", "measure_comparison", "budget_sweep", "width_latency_curve"]


@dataclass(frozen=True)
class RunSettings:
    """How long the comparison trains, fine-tunes and times: :meth:`full` (the benchmark's) or :meth:`quick`.

    Attributes:
        epochs: dense training epochs (0 for a model that is already trained).
        finetune_epochs: the final fine-tune every pruned model gets.
        finetune_steps: Adam steps of the short fine-tune of each search proposal.
        rounds: interleaved timing rounds (see :func:`measure_comparison`).
        repeats: timed passes per model and round.

    >>> RunSettings.quick()
    RunSettings(epochs=2, finetune_epochs=1, finetune_steps=5, rounds=1, repeats=3)
    >>> RunSettings(epochs=-1)
    Traceback (most recent call last):
    ...
    ValueError: epochs must be >= 0, got -1
    """

    epochs: int = 10
    finetune_epochs: int = 5
    finetune_steps: int = 30
    rounds: int = 5
    repeats: int = 10

    def __post_init__(self) -> None:
        for name, minimum in (("epochs", 0), ("finetune_epochs", 0), ("finetune_steps", 0), ("rounds", 1),
                              ("repeats", 1)):
            object.__setattr__(self, name, check_int(getattr(self, name), name=name, minimum=minimum))

    @classmethod
    def full(cls, **changes: int) -> "RunSettings":
        """The benchmark's setting (about a minute on one core), with any field changed by keyword."""
        return cls(**changes)

    @classmethod
    def quick(cls, **changes: int) -> "RunSettings":
        """The reduced setting of the tests and ``hwprune-edu demo --quick`` (seconds; accuracies are lower)."""
        return cls(**{"epochs": 2, "finetune_epochs": 1, "finetune_steps": 5, "rounds": 1, "repeats": 3, **changes})


@dataclass(frozen=True)
class _Pruning:
    """One pruning run of the comparison: its row's name and kind, and how to run it on the dense model."""

    name: str
    kind: str
    target: str | None
    run: Callable[[Any], tuple[Any, list]]


@dataclass(frozen=True)
class _Pruned:
    """A pruned model and the record of how it was made, before it is costed."""

    pruning: _Pruning
    model: Any
    history: tuple
    seconds: float


def compare_methods(
    data: Any = None,
    *,
    model: Any = None,
    budget: float = 0.5,
    batch: int = 256,
    targets: Sequence[str] = DEFAULT_TARGETS,
    settings: RunSettings | None = None,
    unstructured_amount: float = 0.9,
    search_options: Mapping[str, Any] | None = None,
    measure: bool = True,
    num_threads: int = 1,
    progress: bool = True,
    seed: int = 0,
) -> Comparison:
    """Train a dense model, prune it three ways at one latency budget, simulate (and measure) every result.

    The methods, in order: ``dense``; ``unstructured_<amount %>`` (global
    magnitude, hardware-agnostic); ``uniform_channel`` (same fraction of units
    in every layer, chosen to meet ``budget`` on ``targets[0]``); and
    ``hw_aware_<profile>`` for each target (NetAdapt-style search at
    ``budget``). Every pruned model gets the same ``settings.finetune_epochs``
    of final fine-tuning. Uniform channel pruning is also run on the other
    targets, as the equal-latency reference of the targets' check. ``model``
    is not modified.

    Args:
        data: what :func:`hwprune_edu.nn.data.load_digits` returns (loaded with ``seed`` if ``None``).
        model: the dense model to start from (default ``digits_mlp(seed=seed)``);
            trained here for ``settings.epochs`` (``RunSettings(epochs=0)`` for a trained one).
        budget: latency budget as a fraction of the dense model's simulated latency, in (0, 1].
        batch: batch size latencies are simulated and measured at.
        targets: profiles to run the hardware-aware search on.
        settings: epochs, fine-tuning and timing (default :meth:`RunSettings.full`;
            :meth:`RunSettings.quick` for tests and ``hwprune-edu demo --quick``).
        unstructured_amount: fraction of weights the unstructured baseline prunes.
        search_options: extra keyword arguments for
            :func:`hwprune_edu.studies.search.hardware_aware_prune` (e.g. ``step``, ``round_to``).
        measure: measure latency here (see :func:`measure_comparison`).
        num_threads: torch threads for everything, restored afterwards.
            Keep 1 on a shared machine: more threads wait on each other.
        progress: show ``tqdm.auto`` bars (a stage bar and each step's own).
        seed: seed of the data split (if ``data`` is ``None``), initial weights, training and search.

    Returns:
        A :class:`~hwprune_edu.studies.results.Comparison`.

    Raises:
        ValueError: a budget that cannot be met on a target (naming the smallest
            reachable latency), a model outside the supported family, bad settings.

    >>> from hwprune_edu.nn.data import digits_mlp
    >>> c = compare_methods(model=digits_mlp(hidden=(128, 128)), targets=("cpu-avx2",), settings=RunSettings.quick(),
    ...                     measure=False, progress=False)
    >>> list(c.methods)
    ['dense', 'unstructured_90', 'uniform_channel', 'hw_aware_cpu-avx2']
    >>> c.latency_ratio("hw_aware_cpu-avx2", "cpu-avx2") <= 0.5
    True
    """
    seed = check_int(seed, name="seed", minimum=0, maximum=SEED_MAX)
    data = _check_data(data, seed)
    budget = check_budget(budget, name="budget")
    batch = check_positive_int(batch, name="batch")
    targets = _check_targets(targets)
    settings = _check_settings(settings)
    num_threads = check_positive_int(num_threads, name="num_threads")
    measure = check_flag(measure, name="measure")
    progress = check_flag(progress, name="progress")
    amount = check_number(unstructured_amount, name="unstructured_amount", low=0, high=1, closed="neither",
                          meaning=" (a fraction of the weights)")
    prunings = _prunings(data, budget, batch, targets, settings, amount,
                         _search_options(search_options, settings, seed), seed, progress)
    from torch.nn import Sequential

    if model is not None and not isinstance(model, Sequential):
        raise TypeError(f"model must be a flat torch.nn.Sequential (as digits_mlp builds) or None, got {describe(model)}")
    dense = digits_mlp(seed=seed) if model is None else copy_model(model)
    model_name = _check_reachable(dense, targets, budget, batch)

    with fixed_threads(num_threads), _stage_bar(len(prunings) + 2 + measure, progress) as stage:
        with stage("train dense"):
            train(dense, data, epochs=settings.epochs, seed=seed, progress=progress, num_threads=None)
        pruned = [_Pruned(_Pruning("dense", "dense", None, None), dense, (), 0.0)]
        for pruning in prunings:
            with stage(pruning.name if pruning.kind == "unstructured" else f"{pruning.kind} {pruning.target}"):
                pruned.append(_run(pruning, dense))
        with stage("simulate"):
            comparison = _comparison(pruned, data, budget, batch, targets, model_name, num_threads)
        if measure:
            with stage("measure"):
                comparison = measure_comparison(comparison, rounds=settings.rounds, repeats=settings.repeats,
                                                progress=progress)
    return comparison


# --------------------------------------------------------------------------- checking the settings


def _check_data(data: Any, seed: int) -> Splits:
    if data is None:
        return load_digits(seed=seed)
    if not isinstance(data, Splits):
        raise TypeError(f"data must be what load_digits(), load_mnist1d() or from_arrays() return (a Splits) or None, got {describe(data)}")
    return data


def _check_targets(targets: Any) -> tuple[str, ...]:
    if isinstance(targets, str) or not isinstance(targets, Sequence) or len(targets) == 0:
        raise TypeError(f"targets must be a non-empty sequence of profile names, e.g. ('npu-systolic',), got {describe(targets)}")
    names = tuple(hw.name for hw in check_profiles(list(targets), name="targets"))
    if len(set(names)) != len(names):
        raise ValueError(f"targets must name each profile once, got {list(names)}")
    unknown = [n for n in names if n not in PROFILES]
    if unknown:
        raise ValueError(f"targets must be profiles of PROFILES (every model is simulated on those), got {unknown}")
    return names


def _check_settings(settings: Any) -> RunSettings:
    if settings is None:
        return RunSettings.full()
    if not isinstance(settings, RunSettings):
        raise TypeError(f"settings must be a RunSettings (e.g. RunSettings.quick()) or None, got {describe(settings)}")
    return settings


def _search_options(search_options: Any, settings: RunSettings, seed: int) -> dict[str, Any]:
    if search_options is not None and not isinstance(search_options, Mapping):
        raise TypeError(f"search_options must be a dict of hardware_aware_prune keyword arguments, got {describe(search_options)}")
    options = {"final_epochs": settings.finetune_epochs, "seed": seed, "num_threads": None, **(search_options or {})}
    if options.get("method", "global") == "netadapt":  # the short fine-tune of each proposal is NetAdapt's
        options = {"finetune_steps": settings.finetune_steps, **options}
    _check_options(options)
    return options


def _check_options(options: Mapping[str, Any]) -> None:
    """Check the search's options now, before any training, naming ``search_options`` if one is refused."""
    reserved = sorted(set(options) & {"batch", "progress"})
    if reserved:
        raise TypeError(f"search_options must not set {reserved}: the comparison's own arguments set them")
    options = dict(options)
    try:
        check_search_options(options.pop("method", "global"), **options)
    except (TypeError, ValueError) as err:
        raise type(err)(f"search_options: {err}") from None


def _model_name(geometry: Sequence[Any]) -> str:
    linears = [g for g in geometry if g.op == "linear"]
    convs = [g for g in geometry if g.op == "conv2d"]
    dims = "-".join([str(linears[0].in_units)] + [str(g.out_units) for g in linears]) if linears else ""
    if convs:
        return f"digits CNN conv {'-'.join(str(g.out_units) for g in convs)}, linear {dims}"
    return f"digits MLP {dims}"


def _check_reachable(model: Any, targets: Sequence[Any], budget: float, batch: int, *, name: str = "budget",
                     advice: str = ", or drop {profile} from targets") -> str:
    """Fail before any training if a target cannot reach ``budget`` even with every prunable layer at 1 unit.

    Returns:
        The model's name for the table, e.g. ``"digits MLP 64-1024-1024-10"``.
    """
    geometry = model_geometry(model)  # names any layer outside the supported family
    widths = layer_widths(model)
    if not widths:
        raise ValueError("model has no prunable layer: it needs a Linear/Conv2d followed by another one")
    for target in targets:
        hw = resolve_hardware(target)
        dense_s = simulate(workload_from_geometry(geometry, batch, widths=widths), hw).latency_s
        floor_s = simulate(workload_from_geometry(geometry, batch, widths={i: 1 for i in widths}), hw).latency_s
        if floor_s > budget * dense_s * (1 + BUDGET_SLACK):
            raise ValueError(
                f"{name}={budget:g} cannot be met on {hw.name}: the smallest reachable latency is {floor_s:.4g} s, "
                f"{floor_s / dense_s:.3f} of the dense model's {dense_s:.4g} s (every prunable layer at 1 unit); "
                f"ask for a budget >= {math.ceil(floor_s / dense_s * 1000) / 1000:.3f}{advice.format(profile=hw.name)}"
            )
    return _model_name(geometry)


# --------------------------------------------------------------------------- running


def _prunings(data: Splits, budget: float, batch: int, targets: tuple[str, ...], settings: RunSettings, amount: float,
              options: Mapping[str, Any], seed: int, progress: bool) -> list[_Pruning]:
    """The pruning runs, in the order they run: unstructured, uniform on every target, hardware-aware on every target."""
    common = {"seed": seed, "progress": progress, "num_threads": None}
    final = {"final_epochs": settings.finetune_epochs}

    def unstructured(dense: Any) -> tuple[Any, list]:
        return global_magnitude_prune(dense, data, amount, **final, **common)

    def uniform(profile: str) -> Callable[[Any], tuple[Any, list]]:
        return lambda dense: uniform_channel_prune(dense, data, profile, budget, batch=batch, **final, **common)

    def hw_aware(profile: str) -> Callable[[Any], tuple[Any, list]]:
        return lambda dense: hardware_aware_prune(dense, data, profile, budget, batch=batch, progress=progress, **options)

    return [
        _Pruning(f"unstructured_{round(100 * amount)}", "unstructured", None, unstructured),
        *(_Pruning("uniform_channel" if p == targets[0] else f"uniform_channel_{p}", "uniform", p, uniform(p))
          for p in targets),
        *(_Pruning(f"hw_aware_{p}", "hw-aware", p, hw_aware(p)) for p in targets),
    ]


def _run(pruning: _Pruning, dense: Any) -> _Pruned:
    start = time.perf_counter()
    model, history = pruning.run(dense)
    return _Pruned(pruning, model, tuple(history), time.perf_counter() - start)


def _method_result(pruned: _Pruned, data: Splits, batch: int) -> MethodResult:
    model, pruning = pruned.model, pruned.pruning
    workload = tuple(workload_from_model(model, None, batch))  # one forward pass for the shapes, then every profile
    return MethodResult(
        name=pruning.name, kind=pruning.kind, target=pruning.target, accuracy=evaluate(model, data),
        params=count_parameters(model), sim_latency_s={p: simulate(list(workload), p).latency_s for p in PROFILES},
        measured_latency_s=None, search_s=pruned.seconds, widths=layer_widths(model), history=pruned.history,
        workload=workload, model=model,
    )


def _comparison(pruned: Sequence[_Pruned], data: Splits, budget: float, batch: int, targets: tuple[str, ...],
                model_name: str, num_threads: int) -> Comparison:
    """Cost every pruned model; the uniform runs on other targets become the references, not rows."""
    results = [_method_result(p, data, batch) for p in pruned]
    methods = {r.name: r for r in results if r.kind != "uniform" or r.target == targets[0]}
    uniform_at = {r.target: r for r in results if r.kind == "uniform"}
    # The table's order: dense, unstructured, uniform_channel, then the hardware-aware rows.
    order = {"dense": 0, "unstructured": 1, "uniform": 2, "hw-aware": 3}
    methods = dict(sorted(methods.items(), key=lambda item: order[item[1].kind]))
    return Comparison(methods=methods, uniform_at=uniform_at, budget=budget, batch=batch, targets=targets,
                      profiles=tuple(PROFILES), model_name=model_name, num_threads=num_threads)


@contextlib.contextmanager
def _stage_bar(total: int, progress: bool) -> Iterator[Callable[[str], Any]]:
    """A ``tqdm`` bar over the comparison's stages; ``with stage(name):`` shows the name, then ticks."""
    bar = progress_bar(total=total, progress=progress, desc="compare", unit="stage")

    @contextlib.contextmanager
    def stage(name: str) -> Iterator[None]:
        bar.set_postfix_str(name)
        yield
        bar.update()

    try:
        yield stage
    finally:
        bar.close()


# --------------------------------------------------------------------------- measuring


def measure_comparison(comparison: Comparison, *, rounds: int = RunSettings.rounds, repeats: int = RunSettings.repeats,
                       warmup: int = 3, progress: bool = False) -> Comparison:
    """A copy of ``comparison`` with every method's latency measured on this machine (``comparison`` is not changed).

    Models are timed with their masks folded into the weights (what a dense
    kernel runs). Rounds alternate between the models, so a burst of load
    from other processes hits every model alike; each model's figure is
    the median over rounds of the median of ``repeats`` passes.

    Args:
        comparison: what :func:`compare_methods` returns (its rows hold their models).
        rounds: interleaved rounds.
        repeats: timed passes per model and round.
        warmup: untimed passes before each round's timing.
        progress: show a ``tqdm.auto`` bar over rounds.

    Returns:
        A new :class:`~hwprune_edu.studies.results.Comparison` with ``measured_latency_s`` filled in.
    """
    if not isinstance(comparison, Comparison):
        raise TypeError(f"comparison must be what compare_methods() returns (a Comparison), got {describe(comparison)}")
    progress = check_flag(progress, name="progress")
    measurement = Measurement(check_positive_int(rounds, name="rounds"), check_positive_int(repeats, name="repeats"),
                              check_int(warmup, name="warmup", minimum=0))
    # Time what a dense kernel runs: masks folded into the weights.
    plain = {name: make_masks_permanent(row.model) for name, row in comparison.methods.items()}
    samples: dict[str, list[float]] = {name: [] for name in plain}
    for _ in progress_bar(range(measurement.rounds), progress=progress, desc="measure", unit="round", leave=False):
        for name, model in plain.items():
            samples[name].append(measure_latency(model, comparison.batch, repeats=measurement.repeats,
                                                 warmup=measurement.warmup, num_threads=comparison.num_threads))
    methods = {name: dataclasses.replace(row, measured_latency_s=statistics.median(samples[name]))
               for name, row in comparison.methods.items()}
    first = comparison.methods["uniform_channel"]
    uniform_at = {p: methods["uniform_channel"] if row is first else row for p, row in comparison.uniform_at.items()}
    return dataclasses.replace(comparison, methods=methods, uniform_at=uniform_at, measurement=measurement)


# --------------------------------------------------------------------------- more points


def width_latency_curve(model: Any, hardware: Any, layer: int, *, batch: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Simulated latency of the whole model as one prunable layer keeps 1, 2, ..., all of its units: the search's lookup table.

    The other layers keep their widths; the next layer's inputs shrink with
    the cut, as in :func:`hwprune_edu.nn.remove_units`. On tiled hardware the
    curve is a staircase: every width inside a tile costs the same.

    Args:
        model: an ``nn.Sequential`` of the supported family (not modified).
        hardware: a profile name or ``Hardware``.
        layer: index of a prunable layer (see :func:`hwprune_edu.nn.prunable_layers`).
        batch: batch size simulated.

    Returns:
        ``(widths, latency_s)``: ``widths`` is ``1 .. current width``, ``latency_s`` the model's latency at each.

    >>> from hwprune_edu.nn.data import digits_mlp
    >>> widths, latency_s = width_latency_curve(digits_mlp(hidden=(512,)), "npu-systolic", 0)
    >>> bool(latency_s[256] == latency_s[511]), bool(latency_s[255] < latency_s[256])  # 257 units cost a 2nd tile
    (True, True)
    """
    widths = layer_widths(model)
    layer = check_int(layer, name="layer")
    if layer not in widths:
        raise ValueError(f"layer must be the index of a prunable layer, one of {sorted(widths)}, got {layer}")
    batch = check_positive_int(batch, name="batch")
    hw = resolve_hardware(hardware)
    geometry = model_geometry(model)
    sizes = np.arange(1, widths[layer] + 1)
    latency_s = np.array([simulate(workload_from_geometry(geometry, batch, widths={**widths, layer: int(w)}), hw).latency_s
                          for w in sizes])
    return sizes, latency_s


def budget_sweep(
    model: Any,
    data: Any,
    hardware: Any,
    budgets: Sequence[float],
    *,
    batch: int = 256,
    finetune_epochs: int = RunSettings.finetune_epochs,
    search_options: Mapping[str, Any] | None = None,
    num_threads: int = 1,
    progress: bool = True,
    seed: int = 0,
) -> list[BudgetPoint]:
    """Hardware-aware search and uniform channel pruning at several budgets on one profile: more Pareto points.

    Args:
        model: the trained dense model (e.g. ``comparison.dense.model``); not modified.
        data: what :func:`hwprune_edu.nn.data.load_digits` returns.
        hardware: the profile (name or ``Hardware``) both methods prune for.
        budgets: latency budgets, fractions of the dense latency in (0, 1].
        batch, search_options, num_threads, progress, seed: as in :func:`compare_methods`.
        finetune_epochs: the final fine-tune of every pruned model.

    Returns:
        One :class:`~hwprune_edu.studies.results.BudgetPoint` per (budget, method),
        ``method`` being ``"hw_aware"`` or ``"uniform_channel"``.

    >>> from hwprune_edu.nn.data import digits_mlp, load_digits
    >>> points = budget_sweep(digits_mlp(hidden=(64, 64)), load_digits(), "cpu-avx2", [0.5], finetune_epochs=0,
    ...                       search_options={"rounds": 1}, progress=False)
    >>> [(p.method, p.latency_ratio <= 0.5) for p in points]
    [('hw_aware', True), ('uniform_channel', True)]
    """
    if isinstance(budgets, np.ndarray) and budgets.ndim == 1:
        budgets = budgets.tolist()
    if isinstance(budgets, (str, bytes)) or not isinstance(budgets, Sequence) or len(budgets) == 0:
        raise TypeError(f"budgets must be a non-empty sequence of fractions in (0, 1], got {describe(budgets)}")
    budgets = [check_budget(b, name=f"budgets[{i}]") for i, b in enumerate(budgets)]
    if not isinstance(data, Splits):
        raise TypeError(f"data must be what load_digits(), load_mnist1d() or from_arrays() return (a Splits), got {describe(data)}")
    hw = resolve_hardware(hardware)
    batch = check_positive_int(batch, name="batch")
    finetune_epochs = check_int(finetune_epochs, name="finetune_epochs", minimum=0)
    seed = check_int(seed, name="seed", minimum=0, maximum=SEED_MAX)
    progress = check_flag(progress, name="progress")
    num_threads = check_positive_int(num_threads, name="num_threads")
    if search_options is not None and not isinstance(search_options, Mapping):
        raise TypeError(f"search_options must be a dict of hardware_aware_prune keyword arguments, got {describe(search_options)}")
    options = {"final_epochs": finetune_epochs, "seed": seed, "num_threads": None, **(search_options or {})}
    _check_options(options)
    # Every budget reachable, checked before the first search trains (the lowest is the hardest).
    lowest = min(range(len(budgets)), key=budgets.__getitem__)
    _check_reachable(model, [hw], budgets[lowest], batch, name=f"budgets[{lowest}]", advice="")
    points = []
    with fixed_threads(num_threads):
        dense_s = simulated_latency(model, hw, batch=batch)
        for budget in budgets:
            runs = {
                "hw_aware": lambda: hardware_aware_prune(model, data, hw, budget, batch=batch, progress=progress, **options),
                "uniform_channel": lambda: uniform_channel_prune(model, data, hw, budget, batch=batch,
                                                                 final_epochs=finetune_epochs, seed=seed,
                                                                 progress=progress, num_threads=None),
            }
            for method, run in runs.items():
                pruned, _ = run()
                sim_s = simulated_latency(pruned, hw, batch=batch)
                points.append(BudgetPoint(budget, method, sim_s, sim_s / dense_s, evaluate(pruned, data),
                                          count_parameters(pruned), layer_widths(pruned)))
    return points
